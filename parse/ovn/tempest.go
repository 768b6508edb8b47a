package ovn

import (
	"bytes"
	"io"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/arpforensics/arpforensics/parse"
	"github.com/arpforensics/arpforensics/parse/lex"
	"github.com/arpforensics/arpforensics/timeline"
)

// tempest logs with its own format (a comma before the milliseconds, the
// logger in brackets) or oslo.log's:
//
//	2018-09-18 17:09:17,276 13788 ERROR [tempest.lib.common.ssh] Failed to establish authenticated ssh connection to cirros@172.24.5.13 after 15 attempts
//	2018-09-18 17:09:17.276 13788 ERROR tempest.lib.common.ssh [-] …
//
// The lines that name a connectivity failure and its address become
// symptom events; every other line is skipped. The patterns are matched
// only on lines that contain their fixed words, so a long tempest log
// costs little more than reading it.

var symptomPatterns = []struct {
	what timeline.SymptomKind
	key  string
	re   *regexp.Regexp // groups: user (optional), address, attempts (optional)
}{
	{timeline.SymptomSSHFailed, "Failed to establish authenticated ssh connection to ",
		regexp.MustCompile(`Failed to establish authenticated ssh connection to (?:([^@\s]*)@)?(\S*) after (\d+) attempts`)},
	{timeline.SymptomSSHTimeout, " via SSH timed out",
		regexp.MustCompile(`Connection to the ()(\S+) via SSH timed out()`)},
	{timeline.SymptomUnreachable, "Timed out waiting for ",
		regexp.MustCompile(`Timed out waiting for ()(\S+) to become reachable()`)},
}

// SniffTempest recognises a tempest log by its loggers.
func SniffTempest(head []byte) bool {
	return parse.AnyHeadLine(head, 400, func(line []byte) bool {
		_, rest, ok := tempestStamp(line)
		if !ok {
			return false
		}
		rest = skipWord(skipWord(rest)) // pid, level
		return bytes.HasPrefix(rest, []byte("[tempest")) || bytes.HasPrefix(rest, []byte("tempest"))
	})
}

// tempestStamp reads "YYYY-MM-DD HH:MM:SS[,.]mmm " at the start of line.
func tempestStamp(line []byte) (tm struct {
	y, d int
	m    time.Month
	tod  time.Duration
}, rest []byte, ok bool) {
	st, n, ok := lex.DateTime(line)
	if !ok || len(line) < 20 || line[10] != ' ' {
		return tm, nil, false
	}
	tm.y, tm.m, tm.d, tm.tod = st.Year, st.Month, st.Day, st.TOD
	return tm, bytes.TrimLeft(line[n:], " "), true
}

func skipWord(b []byte) []byte {
	if i := bytes.IndexByte(b, ' '); i >= 0 {
		return bytes.TrimLeft(b[i:], " ")
	}
	return nil
}

// ParseTempest is the parse.Func for tempest logs.
func ParseTempest(r io.Reader, src *timeline.Source, opts parse.Options, out *timeline.Sink) error {
	lr := parse.NewLineReader(r)
	loc := opts.Loc()
	problems := parse.NewProblems(src, 0)
	var events int64
	var last struct {
		y, d int
		m    time.Month
		tod  time.Duration
	}
	haveLast := false
	for {
		raw, ok := lr.Next()
		if !ok {
			break
		}
		src.Records++
		stamp, rest, hasStamp := tempestStamp(raw)
		if hasStamp {
			last, haveLast = stamp, true
		}
		for _, p := range symptomPatterns {
			if !bytes.Contains(raw, []byte(p.key)) {
				continue
			}
			m := p.re.FindSubmatch(raw)
			if m == nil {
				continue
			}
			s := &timeline.Symptom{What: p.what, User: string(m[1]), Message: strings.TrimSpace(string(messageOf(raw, rest, hasStamp)))}
			if ip, err := netip.ParseAddr(strings.Trim(string(m[2]), "[]().,")); err == nil {
				s.IP = ip.Unmap()
			}
			if len(m[3]) > 0 {
				s.Attempts, _ = strconv.Atoi(string(m[3]))
			}
			if hasStamp {
				s.Logger = loggerOf(rest)
			}
			// A line without a stamp (a traceback's) takes the last one.
			t := opts.ModTime.UTC()
			if haveLast {
				t = time.Date(last.y, last.m, last.d, 0, 0, 0, 0, loc).Add(last.tod).UTC()
			} else {
				problems.Notef(lr.Pos(), "untimed symptom", "symptom line without a timestamp before it: placed at the file's modification time")
			}
			out.Add(&timeline.Event{Time: t, Pos: lr.Pos(), Data: s}, raw)
			events++
			break
		}
	}
	if err := lr.Err(); err != nil {
		src.Problemf(lr.Pos(), "reading stopped: %v", err)
	}
	problems.Close()
	src.Skipped = src.Records - events
	return nil
}

// messageOf is the line after its timestamp, pid, level and logger.
func messageOf(raw, rest []byte, stamped bool) []byte {
	if !stamped {
		return raw
	}
	rest = skipWord(skipWord(rest)) // pid, level
	if bytes.HasPrefix(rest, []byte("[")) {
		if e := bytes.IndexByte(rest, ']'); e > 0 {
			return bytes.TrimLeft(rest[e+1:], " ")
		}
	}
	rest = skipWord(rest) // oslo: logger
	if bytes.HasPrefix(rest, []byte("[")) {
		if e := bytes.IndexByte(rest, ']'); e > 0 {
			return bytes.TrimLeft(rest[e+1:], " ")
		}
	}
	return rest
}

// loggerOf reads the logger after the pid and level.
func loggerOf(rest []byte) string {
	rest = skipWord(skipWord(rest))
	if bytes.HasPrefix(rest, []byte("[")) {
		if e := bytes.IndexByte(rest, ']'); e > 0 {
			return string(rest[1:e])
		}
	}
	if i := bytes.IndexByte(rest, ' '); i > 0 {
		return string(rest[:i])
	}
	return ""
}
