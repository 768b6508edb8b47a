package txnlog

import (
	"bytes"
	"time"

	"github.com/arpforensics/arpforensics/parse/lex"
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
	if st, n, ok := lex.DateTime(rest); ok && rest[10] == ' ' {
		env.stamp, env.year, env.month, env.day, env.tod, env.zone = stampFull, st.Year, st.Month, st.Day, st.TOD, nil
		rest = bytes.TrimLeft(rest[n:], " ")
		if p, n := lex.Uint(rest, 9); n > 0 && n < len(rest) && rest[n] == ' ' {
			env.pid, env.pidSrc = int(p), pidOslo
			rest = rest[n+1:]
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
	st, n, ok := lex.DateTime(line)
	if !ok || len(line) < 32 || line[10] != ' ' {
		return env, false
	}
	rest := line[n:]
	if len(rest) == 0 || rest[0] != ' ' {
		return env, false
	}
	rest = rest[1:]
	p, k := lex.Uint(rest, 9)
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
	env.stamp, env.year, env.month, env.day, env.tod = stampFull, st.Year, st.Month, st.Day, st.TOD
	env.pid, env.pidSrc = int(p), pidOslo
	env.msg = rest
	return env, true
}

// wrappers strips a journal, CRI or pebble prefix from the start of line
// and returns where the record starts; 0 when there is no wrapper but the
// line starts like a record; -1 when the line starts with neither.
func wrappers(line []byte, env *envelope) int {
	if jp, msg, ok := lex.CutJournalPrefix(line); ok {
		env.stamp, env.month, env.day, env.tod = stampNoYear, jp.Month, jp.Day, jp.TOD
		env.host = jp.Host
		if p, n := lex.Uint(jp.PID, 9); n > 0 && n == len(jp.PID) {
			env.pid, env.pidSrc = int(p), pidJournal
		}
		return len(line) - len(msg)
	}
	if st, n, ok := lex.RFC3339(line); ok && n < len(line) && line[n] == ' ' {
		t := st.UTC()
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
			if host, _, pid, msg, ok := lex.HostIdent(rest); ok {
				env.host = host
				if p, n := lex.Uint(pid, 9); n > 0 && n == len(pid) {
					env.pid, env.pidSrc = int(p), pidJournal
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

// startsRecord reports whether line starts like an oslo.log record without
// a wrapper: a date, a level, or a logger name followed by a context
// bracket (pastes that begin at the logger).
func startsRecord(line []byte) bool {
	if _, _, _, ok := lex.Date(line); ok {
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
				v, _ := lex.Uint(inner[5:], 9)
				pid = int(v)
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
				v, _ := lex.Uint(body[o+5:], 9)
				pid = int(v)
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
	return lex.AllDigits(b[c+1:]) && bytes.HasSuffix(b[:c], []byte(".py"))
}
