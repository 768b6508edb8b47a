package ingest

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/arpforensics/arpforensics/parse/lex"
	"github.com/arpforensics/arpforensics/timeline"
)

// Snapshot containers: devstack's worlddump (tools/worlddump.py: section
// headers underlined with "=", each command underlined with "-" and its
// output below) holds `arp -n`, `ip neigh` per netns, `ovs-vsctl show`,
// `ovs-ofctl dump-flows` per bridge; a sosreport holds the same as files
// under sos_commands/. Neither prints the time a listing was taken: the
// worlddump's file name carries it (worlddump-2018-09-18-171245.txt, UTC),
// a sosreport's sos_commands/date/date. Each section or file of a snapshot
// kind (parse.Format.Snapshot) is read as a source of its own, a date line
// put before its text so the snapshot parsers time it.

var worlddumpName = regexp.MustCompile(`worlddump-(\d{4}-\d\d-\d\d-\d{6})`)

// sniffWorlddump recognises worlddump output: a header underlined with
// "=" and a command underlined with "-", both exactly as long as the line
// above them.
func sniffWorlddump(head []byte) bool {
	start := head
	var prev []byte
	eq, dash := 0, 0
	for n := 0; n < 400 && len(head) > 0; n++ {
		line := head
		if i := bytes.IndexByte(head, '\n'); i >= 0 {
			line, head = head[:i], head[i+1:]
		} else {
			head = nil
		}
		if len(prev) > 0 && len(line) == len(prev) {
			switch {
			case allOf(line, '='):
				eq++
			case allOf(line, '-'):
				dash++
			}
		}
		prev = line
	}
	return eq > 0 && dash > 0 && worlddumpHeader.Match(start)
}

// worlddumpHeader is one of the section headers worlddump.py writes.
var worlddumpHeader = regexp.MustCompile(`(?m)^(File System Summary|Process Listing|Network Dump|Open vSwitch Dump|IP Tables Dump)$`)

func allOf(b []byte, c byte) bool {
	if len(b) < 3 {
		return false
	}
	for _, x := range b {
		if x != c {
			return false
		}
	}
	return true
}

// maxSection is the most of one worlddump section kept to be parsed.
const maxSection = 32 << 20

func walkWorlddump(st *stream, in *input, src *timeline.Source) {
	at, how := st.worlddumpTime(src)
	if at.IsZero() {
		return // a duplicate: already emitted
	}
	br := bufio.NewReaderSize(in.forParsing(st.opts.Threads), 256<<10)
	var (
		cmd, prev    []byte
		cmdLine      int64
		body         bytes.Buffer
		line, total  int64
		sections     int
		seen         = map[string]int{}
		haveprev     bool
		bodyOverflow bool
	)
	flush := func() {
		if len(cmd) > 0 && body.Len() > 0 {
			name := string(cmd)
			seen[name]++
			if seen[name] > 1 {
				name = fmt.Sprintf("%s#%d", name, seen[name])
			}
			if st.section(name, cmdLine, at, how, body.Bytes(), bodyOverflow) {
				sections++
			}
		}
		body.Reset()
		bodyOverflow = false
	}
	for {
		raw, err := br.ReadSlice('\n')
		if len(raw) > 0 {
			line++
			total += int64(len(raw))
			l := bytes.TrimRight(raw, "\r\n")
			if haveprev && len(prev) > 0 && len(l) == len(prev) && (allOf(l, '-') || allOf(l, '=')) {
				// prev was a header or a command: it ends the section before.
				b := body.Bytes()
				body.Truncate(len(b) - len(prev) - 1)
				flush()
				if allOf(l, '-') {
					cmd, cmdLine = append(cmd[:0], prev...), line-1
				} else {
					cmd = cmd[:0]
				}
				haveprev = false
				continue
			}
			if body.Len()+len(l)+1 <= maxSection {
				body.Write(l)
				body.WriteByte('\n')
			} else {
				bodyOverflow = true
			}
			prev = append(prev[:0], l...)
			haveprev = true
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			if err != io.EOF {
				src.Problemf(timeline.Pos{Line: line}, "reading stopped: %v", err)
			}
			break
		}
	}
	flush()
	src.Records = line
	src.SkipReason = fmt.Sprintf("worlddump of %d lines, taken %s (%s); its %d snapshot section(s) are read as %s%s<command>", line, at.Format(time.RFC3339), how, sections, st.path, MemberSep)
	st.emit(src, nil)
}

// worlddumpTime is the dump's time from its name, or for worlddump-latest
// the time of the dated dump it copies (then it is a duplicate: emitted as
// skipped here, and zero returned), else the file's modification time.
func (st *stream) worlddumpTime(src *timeline.Source) (time.Time, string) {
	base := filepath.Base(st.path) // a member's own name when inside an archive
	if m := worlddumpName.FindStringSubmatch(base); m != nil {
		if t, err := time.Parse("2006-01-02-150405", m[1]); err == nil {
			return t.UTC(), "from its name"
		}
	}
	if st.file != nil && strings.Contains(base, "latest") {
		// devstack links worlddump-latest.txt to the newest dump; a log
		// upload copies the link.
		if dup := identicalSibling(st.path, st.size, "worlddump-*.txt"); dup != "" {
			src.SkipReason = "duplicate of " + dup + " (worlddump-latest is a copy of the newest dump)"
			st.emit(src, nil)
			return time.Time{}, ""
		}
	}
	src.Notef(timeline.Pos{}, "no time in the worlddump's name: its snapshots are placed at the file's modification time %s", st.opts.ModTime.UTC().Format(time.RFC3339))
	return st.opts.ModTime.UTC(), "the file's modification time"
}

// identicalSibling finds a file matching glob beside path with the same
// bytes.
func identicalSibling(path string, size int64, glob string) string {
	matches, _ := filepath.Glob(filepath.Join(filepath.Dir(path), glob))
	mine, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	for _, m := range matches {
		if m == path {
			continue
		}
		fi, err := os.Stat(m)
		if err != nil || fi.Size() != size || !worlddumpName.MatchString(filepath.Base(m)) {
			continue
		}
		if other, err := os.ReadFile(m); err == nil && bytes.Equal(other, mine) {
			return m
		}
	}
	return ""
}

// section reads one worlddump section as a snapshot source, if its output
// is of a snapshot kind; it reports whether it was.
func (st *stream) section(name string, line int64, at time.Time, how string, body []byte, cut bool) bool {
	dated := append([]byte(at.Format(time.RFC3339Nano)+"\n"), body...)
	k := sniffText(dated[:min(len(dated), sniffLen)])
	if k == nil || !k.Snapshot {
		return false
	}
	m := *st
	m.path = st.path + MemberSep + name
	m.reread, m.file, m.reopen, m.kind = "", nil, nil, k
	m.depth++
	src := &timeline.Source{Path: m.path, Host: st.host, Location: st.opts.Loc()}
	src.Notef(timeline.Pos{}, "the section under line %d of the dump, timed %s (%s); its lines count from the date line put before it", line, at.Format(time.RFC3339), how)
	if cut {
		src.Problemf(timeline.Pos{}, "section longer than %d MB: the rest was not read", maxSection>>20)
	}
	m.read(bytes.NewReader(dated), src)
	return true
}

// sosreports: sos_commands/date/date holds `date` at collection time.
var sosDate = regexp.MustCompile(`(^|/)sos_commands/date/date$`)

// isSosSnapshot reports a sosreport member that may be a snapshot.
func isSosSnapshot(name string) bool {
	return strings.Contains(name, "sos_commands/networking/") || strings.Contains(name, "sos_commands/openvswitch/") ||
		strings.Contains(name, "sos_commands/ovn_central/") || strings.Contains(name, "sos_commands/ovn_host/")
}

// sosDateOf reads the `date` output of a sosreport.
func sosDateOf(b []byte) (time.Time, bool) {
	b = bytes.TrimSpace(b)
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i]
	}
	d, ok := lex.ParseDateLine(b)
	if !ok {
		return time.Time{}, false
	}
	// A zone abbreviation or none is read as UTC, as time.Parse did here.
	return d.Time(time.UTC).UTC(), true
}
