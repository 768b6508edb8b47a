// Package ovn reads the artifacts that corroborate an OVSDB finding: the
// output of `ovn-nbctl show` (routers, their ports and NAT entries; a
// router with NAT and no gateway port), of `ovs-ofctl dump-flows` (the ARP
// flows for an address and how many packets hit them), and tempest logs
// (the test's own account of what failed: an SSH connection to a floating
// IP that never came up).
//
// Snapshots carry no timestamp of their own. CI jobs often write `date`
// before them; a line of `date`'s output (default, -u, -R, --rfc-3339,
// -Iseconds) gives the snapshots after it their time. Without one, the
// file's modification time is used and a note says so.
package ovn

import (
	"strings"
	"time"

	"github.com/arpforensics/arpforensics/parse"
	"github.com/arpforensics/arpforensics/parse/lex"
	"github.com/arpforensics/arpforensics/timeline"
)

// The formats this package reads (and TestResults, testresults.go).
var (
	Nbctl = parse.Format{
		Name:     "ovn-nbctl-show",
		Describe: "ovn-nbctl show snapshots: routers, ports, NAT entries",
		Sniff:    SniffNbctl, Parse: ParseNbctl, Text: true, Snapshot: true,
	}
	Ofctl = parse.Format{
		Name:     "ovs-ofctl-flows",
		Describe: "ovs-ofctl dump-flows snapshots: ARP flows and their hits",
		Sniff:    SniffOfctl, Parse: ParseOfctl, Text: true, Snapshot: true,
	}
	Tempest = parse.Format{
		Name:     "tempest-log",
		Describe: "tempest logs: the SSH failures a test met",
		Sniff:    SniffTempest, Parse: ParseTempest, Text: true, JournalPrefix: true,
	}
)

// dateLine reads a line of `date` output (lex.DateWords: date, date -u,
// date -R; lex.ISODateLine: --rfc-3339, -Iseconds, -Ins). Zone
// abbreviations other than UTC and GMT are not trusted (they cannot be
// mapped to offsets), nor is a missing zone: the clock is read in loc
// instead and zoneGuess says so.
func dateLine(line []byte, loc *time.Location) (t time.Time, zoneGuess bool, ok bool) {
	d, ok := lex.ParseDateLine(line)
	if !ok {
		return t, false, false
	}
	return d.Time(loc).UTC(), !d.Exact, true
}

// snapshotClock hands out snapshot times: the last date line's, else the
// modification time (noted once).
type snapshotClock struct {
	src       *timeline.Source
	opts      parse.Options
	t         time.Time
	have      bool
	noted     bool
	zoneNoted bool
}

// date consumes a date line; false when line is not one.
func (c *snapshotClock) date(line []byte, pos timeline.Pos) bool {
	t, guess, ok := dateLine(line, c.opts.Loc())
	if !ok {
		return false
	}
	if guess && !c.zoneNoted {
		c.zoneNoted = true
		c.src.Notef(pos, "the date line's time zone is not UTC: its clock was read in %s (use --tz to set it)", c.opts.Loc())
	}
	c.t, c.have = t, true
	return true
}

func (c *snapshotClock) now(pos timeline.Pos) time.Time {
	if c.have {
		return c.t
	}
	if !c.noted {
		c.noted = true
		c.src.Notef(pos, "no date line before the snapshot: it is placed at the file's modification time %s", c.opts.ModTime.UTC().Format(time.RFC3339))
	}
	return c.opts.ModTime.UTC()
}

// unquote strips one pair of double quotes.
func unquote(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return s[1 : len(s)-1]
	}
	return s
}

// list reads ["a", "b"] or [a b] into its items.
func list(s string) []string {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "[")
	s = strings.TrimSuffix(s, "]")
	var out []string
	for s != "" {
		s = strings.TrimLeft(s, " ,")
		if s == "" {
			break
		}
		if s[0] == '"' {
			e := strings.IndexByte(s[1:], '"')
			if e < 0 {
				out = append(out, s[1:])
				break
			}
			out = append(out, s[1:e+1])
			s = s[e+2:]
			continue
		}
		e := strings.IndexAny(s, " ,")
		if e < 0 {
			out = append(out, s)
			break
		}
		out = append(out, s[:e])
		s = s[e:]
	}
	return out
}
