package txnlog

import (
	"bytes"

	"github.com/arpforensics/arpforensics/parse/lex"
	"github.com/arpforensics/arpforensics/timeline"
)

// The status lines ovsdbapp's transaction module writes (0.2 – 2.18; master
// prefixes "txn <id> " and rewords a few), neutron's revision-conflict abort,
// and the timeout exception any caller may log.

// statusLine is a classified status message.
type statusLine struct {
	code     timeline.TxnStatusCode
	id       []byte // master's transaction id
	detail   []byte
	timeout  int      // seconds, for timeouts
	commands [][]byte // command classes a timeout or command error names
	idx      int      // command errors: the failing command's idx
	n        int      // command errors: the attempt
	tbStart  bool     // "Traceback (most recent call last):" of a commit error
}

// statusPhrase is how a status message starts and the outcome it names.
type statusPhrase struct {
	prefix string
	code   timeline.TxnStatusCode
}

var statusPrefixes = []statusPhrase{
	{"OVSDB transaction returned TRY_AGAIN", timeline.TxnTryAgain},
	{"Transaction caused no change", timeline.TxnNoChange},
	{"Transaction aborted", timeline.TxnAborted},
	{"OVSDB Error:", timeline.TxnError},
	{"Transaction returned an unknown status:", timeline.TxnUnknownStatus},
	{"There are no commands to commit", timeline.TxnNoCommands},
}

// master: "txn <id> <what>".
var masterStatus = []statusPhrase{
	{"returned TRY_AGAIN", timeline.TxnTryAgain},
	{"caused no change", timeline.TxnNoChange},
	{"aborted", timeline.TxnAborted},
	{"OVSDB Error:", timeline.TxnError},
	{"succeeded", timeline.TxnSucceeded},
	{"returned unknown status:", timeline.TxnUnknownStatus},
}

// classifyStatus recognises a status message (suffix already cut) logged
// by logger. The generic phrases count only from ovsdbapp's transaction
// module; neutron's "Transaction aborted. Reason: …" comes from its OVN
// IDL wrapper (impl_idl_ovn); a timeout may be logged by any caller.
// ok is false for anything else.
func classifyStatus(msg, logger []byte) (s statusLine, ok bool) {
	if i := bytes.Index(msg, []byte("exceeded timeout ")); i >= 0 {
		return timeoutStatus(msg, i), true
	}
	if bytes.Equal(logger, txnLogger) {
		if s.cutPhrase(statusPrefixes, msg) {
			return s, true
		}
		if bytes.HasPrefix(msg, []byte("Traceback (most recent call last)")) {
			s.code, s.tbStart = timeline.TxnCommitError, true
			return s, true
		}
		if rest, ok := bytes.CutPrefix(msg, []byte("txn ")); ok {
			return masterOrCommandError(rest)
		}
		return s, false
	}
	if bytes.Contains(logger, []byte("impl_idl_ovn")) {
		if rest, ok := bytes.CutPrefix(msg, []byte("Transaction aborted")); ok {
			s.code = timeline.TxnAborted
			s.detail = statusDetail(s.code, rest)
			return s, true
		}
	}
	return s, false
}

// statusDetail trims the punctuation between a status phrase and its detail.
func statusDetail(code timeline.TxnStatusCode, rest []byte) []byte {
	rest = bytes.TrimLeft(rest, " .:")
	if code == timeline.TxnAborted {
		rest = bytes.TrimPrefix(rest, []byte("Reason: "))
	}
	if code == timeline.TxnTryAgain {
		return nil // ", retrying"
	}
	return bytes.TrimSpace(rest)
}

// masterOrCommandError reads what follows "txn ":
//
//	<id> caused no change | <id> OVSDB Error: … | …      (master)
//	n=N command(idx=I): Class(…) aborted due to error: E   (2.2 – 2.18)
//	<id> n=N command(idx=I): Class(…) aborted: E           (master)
func masterOrCommandError(rest []byte) (s statusLine, ok bool) {
	if len(rest) > 9 && rest[8] == ' ' && isHex8(rest[:8]) {
		s.id, rest = rest[:8], rest[9:]
	}
	if bytes.HasPrefix(rest, []byte("n=")) {
		v, k := lex.Uint(rest[2:], 9)
		if k == 0 {
			return s, false
		}
		s.n = int(v)
		rest = bytes.TrimLeft(rest[2+k:], " ")
		after, ok := bytes.CutPrefix(rest, commandIdx)
		if !ok {
			return s, false
		}
		idx, k := lex.Uint(after, 9)
		if k == 0 {
			return s, false
		}
		s.code, s.idx = timeline.TxnCommandError, int(idx)
		body := bytes.TrimLeft(after[k:], "): ")
		cls := 0
		for cls < len(body) && isIdent(body[cls], cls == 0) {
			cls++
		}
		if cls > 0 {
			s.commands = append(s.commands, body[:cls])
		}
		for _, sep := range []string{" aborted due to error: ", " aborted: "} {
			if e := bytes.LastIndex(body, []byte(sep)); e >= 0 {
				s.detail = bytes.TrimSpace(body[e+len(sep):])
				break
			}
		}
		return s, true
	}
	if s.id == nil {
		return s, false
	}
	ok = s.cutPhrase(masterStatus, rest)
	return s, ok
}

// cutPhrase reads msg as starting with one of ps: s takes its outcome and
// the detail after it.
func (s *statusLine) cutPhrase(ps []statusPhrase, msg []byte) bool {
	for _, p := range ps {
		if rest, ok := bytes.CutPrefix(msg, []byte(p.prefix)); ok {
			s.code, s.detail = p.code, statusDetail(p.code, rest)
			return true
		}
	}
	return false
}

// timeoutStatus reads ovsdbapp's TimeoutException text, wherever a caller
// logged it: "Commands [<cmds>] exceeded timeout N seconds[, cause: C]".
func timeoutStatus(msg []byte, at int) statusLine {
	s := statusLine{code: timeline.TxnTimeout}
	v, k := lex.Uint(msg[at+len("exceeded timeout "):], 9)
	if k > 0 {
		s.timeout = int(v)
	}
	tail := msg[at+len("exceeded timeout ")+k:]
	if c := bytes.Index(tail, []byte("cause: ")); c >= 0 {
		s.detail = bytes.TrimSpace(tail[c+len("cause: "):])
	}
	// The command list: "Commands [...]" before the phrase. Command
	// classes print as Class(…) (ovsdbapp ≥ 1.7) or as
	// <module.Class object at 0x…> (older).
	head := msg[:at]
	if o := bytes.LastIndex(head, []byte("Commands [")); o >= 0 {
		s.commands = commandClasses(s.commands, head[o+len("Commands ["):])
	}
	return s
}

// commandClasses collects the names ending in "Command" (or known bare
// command classes) that start a Class( or end a dotted module path.
func commandClasses(dst [][]byte, b []byte) [][]byte {
	for i := 0; i < len(b); {
		j := i
		for j < len(b) && isIdent(b[j], false) {
			j++
		}
		if j > i {
			w := b[i:j]
			if bytes.HasSuffix(w, []byte("Command")) && (i == 0 || b[i-1] != '_') && len(dst) < 64 {
				dst = append(dst, w)
			}
			i = j
			continue
		}
		i++
	}
	return dst
}
