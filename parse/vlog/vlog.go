// Package vlog reads Open vSwitch and OVN daemon logs (ovs-vswitchd.log,
// ovsdb-server.log, ovn-controller.log, ovn-northd.log: lib/vlog.c's file
// format, "2022-02-10T16:09:19.398Z|00012|binding|INFO|Claiming lport …").
// The lines that say something about where an address lives become events:
// ovn-controller claiming or releasing a logical port (and the MAC and IPs
// it claims), GARPs pinctrl announces, northd and ovsdb-server state
// changes, and every warning and error. Other lines are counted as skipped.
package vlog

import (
	"bytes"
	"io"
	"net/netip"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/arpforensics/arpforensics/parse"
	"github.com/arpforensics/arpforensics/parse/lex"
	"github.com/arpforensics/arpforensics/timeline"
)

// Format is OVS/OVN daemon vlog files.
var Format = parse.Format{
	Name:     "ovs-vlog",
	Describe: "OVS/OVN daemon logs: port claims, GARPs, warnings, errors",
	Sniff:    Sniff, Parse: Parse, Text: true,
}

// cut splits a vlog line: time, sequence, module, level, message. The
// module may carry a thread ("pinctrl(ovn_pinctrl0)").
func cut(line []byte) (t time.Time, module, level, msg []byte, ok bool) {
	st, n, ok := lex.DateTime(line)
	if !ok || len(line) < 24 || line[10] != 'T' {
		return t, nil, nil, nil, false
	}
	rest := line[n:]
	if len(rest) < 2 || rest[0] != 'Z' || rest[1] != '|' {
		return t, nil, nil, nil, false
	}
	// seq|module|level|msg, cut by hand: SplitN would allocate per line.
	seq, rest, ok1 := bytes.Cut(rest[2:], []byte{'|'})
	module, rest, ok2 := bytes.Cut(rest, []byte{'|'})
	level, msg, ok3 := bytes.Cut(rest, []byte{'|'})
	if !ok1 || !ok2 || !ok3 || !lex.AllDigits(seq) {
		return t, nil, nil, nil, false
	}
	switch string(level) {
	case "EMER", "ERR", "WARN", "INFO", "DBG":
	default:
		return t, nil, nil, nil, false
	}
	return st.UTC(), module, level, msg, true
}

// Sniff recognises a vlog file: among its first lines, most are vlog lines.
func Sniff(head []byte) bool {
	seen, good := 0, 0
	for line := range parse.HeadLines(head) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		if seen == 50 {
			break
		}
		seen++
		if _, _, _, _, ok := cut(line); ok {
			good++
		}
	}
	return good > 0 && good*2 >= seen
}

var (
	reClaim     = regexp.MustCompile(`^Claiming lport (\S+) for this chassis`)
	reClaimAddr = regexp.MustCompile(`^(\S+): Claiming (.*)$`)
	reRelease   = regexp.MustCompile(`^Releasing lport (\S+) from this chassis`)
	reChange    = regexp.MustCompile(`^Changing chassis for lport (\S+) from (\S+) to (\S+)`)
	reMAC       = regexp.MustCompile(`\b[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5}\b`)
	reIP        = regexp.MustCompile(`\b\d{1,3}(?:\.\d{1,3}){3}\b`)
)

// daemonOf names the daemon from the file name, or "".
func daemonOf(p string) string {
	base := path.Base(strings.ReplaceAll(p, "\\", "/"))
	for _, d := range []string{"ovn-controller", "ovn-northd", "ovs-vswitchd", "ovsdb-server-nb", "ovsdb-server-sb", "ovsdb-server", "ovn-nb", "ovn-sb"} {
		if strings.Contains(base, d) {
			return d
		}
	}
	return ""
}

// Parse is the parse.Func for vlog files.
func Parse(r io.Reader, src *timeline.Source, opts parse.Options, out *timeline.Sink) error {
	src.Basis = timeline.TimeFull
	lr := parse.NewLineReader(r)
	daemon := daemonOf(src.Path)
	var events int64
	for {
		raw, ok := lr.Next()
		if !ok {
			break
		}
		src.Records++
		t, module, level, msg, ok := cut(raw)
		if !ok {
			continue // a continuation (a backtrace) or noise: skipped
		}
		if !opts.InWindow(t) {
			continue
		}
		l := classify(module, level, msg)
		if l == nil {
			continue
		}
		l.Daemon = daemon
		out.Add(&timeline.Event{Time: t, Pos: lr.Pos(), Data: l}, raw)
		events++
	}
	if err := lr.Err(); err != nil {
		src.Problemf(lr.Pos(), "reading stopped: %v", err)
	}
	src.Skipped = src.Records - events
	return nil
}

// classify turns a vlog message into an event, or nil for a line of no
// interest. Most lines are of none: they are told apart without
// allocating, and each pattern is matched once.
func classify(module, level, msg []byte) *timeline.LogLine {
	if i := bytes.IndexByte(module, '('); i >= 0 {
		module = module[:i]
	}
	var what, port, m, addrs string
	withAddrs := false
	switch {
	case string(module) == "binding":
		m = string(msg)
		if s := reClaim.FindStringSubmatch(m); s != nil {
			what, port = "claim", s[1]
		} else if s := reClaimAddr.FindStringSubmatch(m); s != nil {
			what, port, addrs, withAddrs = "claim", s[1], s[2], true
		} else if s := reRelease.FindStringSubmatch(m); s != nil {
			what, port = "release", s[1]
		} else if s := reChange.FindStringSubmatch(m); s != nil {
			what, port = "chassis-change", s[1]
		}
	case string(module) == "pinctrl" && (bytes.Contains(bytes.ToLower(msg), []byte("garp")) || bytes.Contains(msg, []byte("gratuitous"))):
		what = "garp"
		m = string(msg)
		addrs, withAddrs = m, true
	case string(module) == "northd" || string(module) == "ovn_northd":
		if string(level) != "DBG" {
			what = "northd"
		}
	case (string(module) == "ovsdb_server" || string(module) == "raft" || string(module) == "ovsdb") && string(level) != "DBG":
		what = "ovsdb"
	}
	if what == "" {
		switch string(level) {
		case "ERR", "EMER":
			what = "error"
		case "WARN":
			what = "warning"
		default:
			return nil
		}
	}
	if m == "" {
		m = string(msg)
	}
	l := &timeline.LogLine{Module: string(module), Level: string(level), Message: m, What: what, Port: port}
	if withAddrs {
		addresses(l, addrs)
	}
	return l
}

// addresses collects the MACs and IPv4 addresses text names.
func addresses(l *timeline.LogLine, text string) {
	for _, s := range reMAC.FindAllString(text, -1) {
		if mac, err := timeline.ParseMAC(s); err == nil {
			l.MACs = append(l.MACs, mac)
		}
	}
	for _, s := range reIP.FindAllString(text, -1) {
		if ip, err := netip.ParseAddr(s); err == nil {
			l.IPs = append(l.IPs, ip)
		}
	}
}
