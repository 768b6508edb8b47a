package txnlog

import (
	"bytes"
	"time"

	"github.com/arpforensics/arpforensics/parse"
)

// An oslo.log record reaches us wrapped in whatever collected it:
//
//	[grep "file:"] [journal "Mon DD HH:MM:SS[.us] host ident[pid]: " |
//	 CRI "<rfc3339> stdout|stderr F|P " | pebble "<rfc3339> [svc] "]
//	[oslo "YYYY-MM-DD HH:MM:SS.mmm PID "] LEVEL logger [context] message[ suffix]
//
// devstack's journal format drops oslo's timestamp and pid (journald has
// them), console output has neither, and the message may carry ANSI colour
// codes anywhere (devstack hard-codes them in its format strings).

// stampKind is how complete a line's own timestamp is.
type stampKind uint8

const (
	stampNone   stampKind = iota
	stampNoYear           // journal/syslog: month, day, time
	stampFull             // oslo.log (zone-less, read in the source's zone) or RFC 3339
)

// pidFrom ranks where a pid came from: the debug suffix's (pid=N) names the
// worker; oslo's %(process)d too; a journal's ident[pid] is the process
// owning stdout, which for forked API/RPC workers is their parent.
type pidFrom uint8

const (
	pidNone pidFrom = iota
	pidJournal
	pidOslo
	pidSuffix
)

// envelope is what precedes the message of one record.
type envelope struct {
	stamp  stampKind
	year   int // stampFull only
	month  time.Month
	day    int
	tod    time.Duration
	zone   *time.Location // set for RFC 3339 stamps that carry their zone; nil means the source's
	host   []byte         // journal host
	pid    int
	pidSrc pidFrom
	level  []byte
	logger []byte
	ctx    []byte // the context bracket's content ("-", "req-… - - - - -", …)
	msg    []byte
}

// levels oslo.log and devstack print.
func isLevel(b []byte) bool {
	switch string(b) {
	case "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL", "TRACE", "AUDIT", "WARN":
		return true
	}
	return false
}

// parseEnvelope splits a record line (ANSI codes already removed) into its
// envelope and message. ok is false when no logger could be found: the line
// is not an oslo.log record (a continuation, a traceback body, a paste).
func parseEnvelope(line []byte) (env envelope, ok bool) {
	i := wrappers(line, &env)
	if i < 0 {
		// grep -H / multi-file grep output: "path:record". The path has no
		// spaces and the record behind the colon must parse.
		c := bytes.IndexByte(line, ':')
		if c <= 0 || bytes.IndexByte(line[:c], ' ') >= 0 {
			i = 0
		} else if j := wrappers(line[c+1:], &env); j >= 0 {
			i = c + 1 + j
		} else {
			i = 0
		}
	}
	rest := line[i:]
	// oslo.log file format: "2018-09-18 17:09:17.276 32314 LEVEL ..."
	if y, m, d, okd := parse.Date(rest); okd && len(rest) > 11 && rest[10] == ' ' {
		if tod, n, okc := parse.Clock(rest[11:]); okc {
			env.stamp, env.year, env.month, env.day, env.tod, env.zone = stampFull, y, m, d, tod, nil
			rest = rest[11+n:]
			rest = bytes.TrimLeft(rest, " ")
			if p, n := leadingInt(rest); n > 0 && n < len(rest) && rest[n] == ' ' {
				env.pid, env.pidSrc = p, pidOslo
				rest = rest[n+1:]
			}
		}
	}
	rest = bytes.TrimLeft(rest, " ")
	// LEVEL (absent in pastes that start at the logger name).
	if sp := bytes.IndexByte(rest, ' '); sp > 0 && isLevel(rest[:sp]) {
		env.level = rest[:sp]
		rest = bytes.TrimLeft(rest[sp+1:], " ")
	}
	// logger: a dotted name followed by a space.
	sp := bytes.IndexByte(rest, ' ')
	if sp <= 0 || !isLoggerName(rest[:sp]) {
		return env, false
	}
	env.logger = rest[:sp]
	rest = rest[sp+1:]
	// [context]
	if len(rest) > 0 && rest[0] == '[' {
		if e := bytes.IndexByte(rest, ']'); e > 0 {
			env.ctx = rest[1:e]
			rest = rest[e+1:]
			if len(rest) > 0 && rest[0] == ' ' {
				rest = rest[1:]
			}
		}
	}
	// oslo's %(instance)s: "[instance: <uuid>] ".
	if bytes.HasPrefix(rest, []byte("[instance: ")) {
		if e := bytes.IndexByte(rest, ']'); e > 0 {
			rest = bytes.TrimLeft(rest[e+1:], " ")
		}
	}
	env.msg = rest
	return env, true
}

// osloFast reads the plain oslo.log file format ("YYYY-MM-DD HH:MM:SS.mmm
// PID LEVEL logger [context] message"), the common case, without trying
// the wrappers first. ok is false for anything else; parseEnvelope then
// takes the line.
func osloFast(line []byte) (env envelope, ok bool) {
	y, m, d, okd := parse.Date(line)
	if !okd || len(line) < 32 || line[10] != ' ' || line[0] == 0x1b {
		return env, false
	}
	tod, n, okc := parse.Clock(line[11:])
	if !okc {
		return env, false
	}
	rest := line[11+n:]
	if len(rest) == 0 || rest[0] != ' ' {
		return env, false
	}
	rest = rest[1:]
	p, k := leadingInt(rest)
	if k == 0 || k >= len(rest) || rest[k] != ' ' {
		return env, false
	}
	rest = rest[k+1:]
	sp := bytes.IndexByte(rest, ' ')
	if sp <= 0 || !isLevel(rest[:sp]) {
		return env, false
	}
	env.level = rest[:sp]
	rest = rest[sp+1:]
	sp = bytes.IndexByte(rest, ' ')
	if sp <= 0 || !isLoggerName(rest[:sp]) || sp+1 >= len(rest) || rest[sp+1] != '[' {
		return env, false
	}
	env.logger = rest[:sp]
	rest = rest[sp+1:]
	e := bytes.IndexByte(rest, ']')
	if e < 0 {
		return env, false
	}
	env.ctx = rest[1:e]
	rest = rest[e+1:]
	if len(rest) > 0 && rest[0] == ' ' {
		rest = rest[1:]
	}
	if bytes.HasPrefix(rest, []byte("[instance: ")) {
		return env, false
	}
	env.stamp, env.year, env.month, env.day, env.tod = stampFull, y, m, d, tod
	env.pid, env.pidSrc = p, pidOslo
	env.msg = rest
	return env, true
}

// wrappers strips a journal, CRI or pebble prefix from the start of line
// and returns where the record starts; 0 when there is no wrapper but the
// line starts like a record; -1 when the line starts with neither.
func wrappers(line []byte, env *envelope) int {
	if jp, msg, ok := parse.CutJournalPrefix(line); ok {
		env.stamp, env.month, env.day, env.tod = stampNoYear, jp.Month, jp.Day, jp.TOD
		env.host = jp.Host
		if p, n := leadingInt(jp.PID); n > 0 && n == len(jp.PID) {
			env.pid, env.pidSrc = p, pidJournal
		}
		return len(line) - len(msg)
	}
	if t, n, ok := rfc3339(line); ok && n < len(line) && line[n] == ' ' {
		env.stamp = stampFull
		env.year, env.month, env.day = t.Date()
		env.tod = time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute +
			time.Duration(t.Second())*time.Second + time.Duration(t.Nanosecond())
		env.zone = time.UTC
		rest := line[n+1:]
		switch {
		case bytes.HasPrefix(rest, []byte("stdout ")) || bytes.HasPrefix(rest, []byte("stderr ")):
			// CRI: "stdout F " (full line) or "stdout P " (partial).
			rest = rest[7:]
			if len(rest) >= 2 && (rest[0] == 'F' || rest[0] == 'P') && rest[1] == ' ' {
				rest = rest[2:]
			}
		case len(rest) > 0 && rest[0] == '[':
			// pebble: "[service] ".
			if e := bytes.IndexByte(rest, ']'); e > 0 && e+1 < len(rest) && rest[e+1] == ' ' {
				rest = rest[e+2:]
			}
		default:
			// journalctl -o short-iso[-precise]: "<stamp> host ident[pid]: ".
			if host, pid, msg, ok := cutHostIdent(rest); ok {
				env.host = host
				if p, n := leadingInt(pid); n > 0 && n == len(pid) {
					env.pid, env.pidSrc = p, pidJournal
				}
				rest = msg
			}
		}
		return len(line) - len(rest)
	}
	if startsRecord(line) {
		return 0
	}
	return -1
}

// cutHostIdent reads syslog's "host ident[pid]: " (the pid is optional).
func cutHostIdent(b []byte) (host, pid, msg []byte, ok bool) {
	sp := bytes.IndexByte(b, ' ')
	if sp <= 0 {
		return nil, nil, nil, false
	}
	host, rest := b[:sp], b[sp+1:]
	e := bytes.Index(rest, []byte(": "))
	if e <= 0 || bytes.IndexByte(rest[:e], ' ') >= 0 {
		return nil, nil, nil, false
	}
	ident := rest[:e]
	if o := bytes.IndexByte(ident, '['); o >= 0 {
		if ident[len(ident)-1] != ']' || o == 0 {
			return nil, nil, nil, false
		}
		pid = ident[o+1 : len(ident)-1]
	}
	return host, pid, rest[e+2:], true
}

// startsRecord reports whether line starts like an oslo.log record without
// a wrapper: a date, a level, or a logger name followed by a context
// bracket (pastes that begin at the logger).
func startsRecord(line []byte) bool {
	if _, _, _, ok := parse.Date(line); ok {
		return true
	}
	sp := bytes.IndexByte(line, ' ')
	if sp <= 0 {
		return false
	}
	if isLevel(line[:sp]) {
		return true
	}
	return isLoggerName(line[:sp]) && sp+1 < len(line) && line[sp+1] == '['
}

// isLoggerName accepts Python logger names: dotted identifiers
// ("ovsdbapp.backend.ovs_idl.transaction", "neutron.wsgi"), with at least
// one dot so a word of prose is not mistaken for one.
func isLoggerName(b []byte) bool {
	dot := false
	for i, c := range b {
		switch {
		case c == '.':
			if i == 0 || i == len(b)-1 {
				return false
			}
			dot = true
		case c == '_' || c == '-' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9':
		default:
			return false
		}
	}
	return dot
}

// rfc3339 reads "YYYY-MM-DDTHH:MM:SS[.frac](Z|±hh:mm)" at the start of b.
func rfc3339(b []byte) (time.Time, int, bool) {
	y, m, d, ok := parse.Date(b)
	if !ok || len(b) < 20 || b[10] != 'T' {
		return time.Time{}, 0, false
	}
	tod, n, ok := parse.Clock(b[11:])
	if !ok {
		return time.Time{}, 0, false
	}
	i := 11 + n
	if i >= len(b) {
		return time.Time{}, 0, false
	}
	var off time.Duration
	switch b[i] {
	case 'Z':
		i++
	case '+', '-':
		// "+hh:mm" (RFC 3339) or "+hhmm" (journalctl -o short-iso).
		w := 6
		if i+5 <= len(b) && isDigit(b[i+3]) {
			w = 5
		} else if i+6 > len(b) || b[i+3] != ':' {
			return time.Time{}, 0, false
		}
		h, ok1 := two(b[i+1:])
		mm, ok2 := two(b[i+w-2:])
		if !ok1 || !ok2 {
			return time.Time{}, 0, false
		}
		off = time.Duration(h)*time.Hour + time.Duration(mm)*time.Minute
		if b[i] == '-' {
			off = -off
		}
		i += w
	default:
		return time.Time{}, 0, false
	}
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Add(tod - off)
	return t, i, true
}

func two(b []byte) (int, bool) {
	if len(b) < 2 || !isDigit(b[0]) || !isDigit(b[1]) {
		return 0, false
	}
	return int(b[0]-'0')*10 + int(b[1]-'0'), true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// leadingInt reads a decimal number at the start of b (at most 9 digits, so
// it cannot overflow) and returns it with the count of digits used.
func leadingInt(b []byte) (int, int) {
	v, n := 0, 0
	for n < len(b) && n < 9 && isDigit(b[n]) {
		v = v*10 + int(b[n]-'0')
		n++
	}
	return v, n
}

// stripANSI removes CSI escape sequences ("ESC [ params final") and lone
// ESC bytes from line, appending the result to dst.
func stripANSI(dst, line []byte) []byte {
	for i := 0; i < len(line); {
		e := bytes.IndexByte(line[i:], 0x1b)
		if e < 0 {
			return append(dst, line[i:]...)
		}
		dst = append(dst, line[i:i+e]...)
		i += e + 1
		if i < len(line) && line[i] == '[' {
			i++
			for i < len(line) && (line[i] >= 0x30 && line[i] <= 0x3f || line[i] >= 0x20 && line[i] <= 0x2f) {
				i++
			}
			if i < len(line) && line[i] >= 0x40 && line[i] <= 0x7e {
				i++
			}
		}
	}
	return dst
}

// cutSuffix removes oslo.log's DEBUG suffix from the end of a message and
// returns the pid it names (0 when it names none):
//
//	… {{(pid=N) func path:line}}   devstack (systemd)
//	… {{func path:line}}           devstack with USE_JOURNAL
//	… from (pid=N) func path:line  old screen-based devstack
//	… func path:line               oslo.log's default logging_debug_format_suffix
func cutSuffix(msg []byte) (body []byte, pid int) {
	msg = bytes.TrimRight(msg, " ")
	if bytes.HasSuffix(msg, []byte("}}")) {
		if o := bytes.LastIndex(msg, []byte("{{")); o >= 0 {
			inner := msg[o+2 : len(msg)-2]
			if bytes.HasPrefix(inner, []byte("(pid=")) {
				pid, _ = leadingInt(inner[5:])
			}
			return bytes.TrimRight(msg[:o], " "), pid
		}
	}
	// "func path:line": the last token is a .py path with a line number.
	sp := bytes.LastIndexByte(msg, ' ')
	if sp <= 0 || !isPathLine(msg[sp+1:]) {
		return msg, 0
	}
	fn := bytes.LastIndexByte(msg[:sp], ' ')
	if fn < 0 {
		return msg, 0
	}
	body = bytes.TrimRight(msg[:fn], " ")
	// Old devstack: "… from (pid=N) func path:line". Only the tail can
	// hold it; searching the whole (long) command would cost per line.
	if bytes.HasSuffix(body, []byte(")")) {
		tail := body[max(0, len(body)-24):] // "(pid=N)" is short; a command's own "(" is far back
		if o := bytes.LastIndexByte(tail, '('); o >= 0 {
			o += len(body) - len(tail)
			if o >= 6 && bytes.HasPrefix(body[o-6:], []byte(" from (pid=")) {
				pid, _ = leadingInt(body[o+5:])
				body = body[:o-6]
			}
		}
	}
	return body, pid
}

// isPathLine accepts "…/file.py:123".
func isPathLine(b []byte) bool {
	c := bytes.LastIndexByte(b, ':')
	if c <= 3 || c == len(b)-1 {
		return false
	}
	for _, d := range b[c+1:] {
		if !isDigit(d) {
			return false
		}
	}
	return bytes.HasSuffix(b[:c], []byte(".py"))
}
