package txnlog

import (
	"bytes"

	"github.com/arpforensics/arpforensics/parse/lex"
)

// The command line, by ovsdbapp version (logger
// ovsdbapp.backend.ovs_idl.transaction, DEBUG):
//
//	0.2 – 0.10   Running txn command(idx=I): Class(args)
//	0.11 – 2.18  Running txn n=N command(idx=I): Class(args)
//	master       Running txn 1a2b3c4d n=N command(idx=I): Class(args)
//
// followed by the debug suffix, which (for this call) always names
// do_commit.

var (
	runningTxn = []byte("Running txn ")
	commandIdx = []byte("command(idx=")
	doCommit   = []byte(" do_commit")
)

// txnLine is one parsed "Running txn" message.
type txnLine struct {
	id     []byte // master's 8-hex transaction id, else nil
	n      int    // attempt; 0 when the format has no n=
	idx    int
	class  []byte
	args   []byte // the text between the command's parentheses
	closed bool   // the command text ended with its ")"
	empty  bool   // nothing followed "command(idx=I):" (a wrapped paste)
	pid    int    // (pid=N) of the debug suffix; 0 when absent
}

// parseRunning reads msg, which starts with "Running txn ". ok is false when
// the text after it is not a command header at all.
func parseRunning(msg []byte) (t txnLine, ok bool) {
	rest, ok := bytes.CutPrefix(msg, runningTxn)
	if !ok {
		return t, false
	}
	if len(rest) > 9 && rest[8] == ' ' && isHex8(rest[:8]) {
		t.id, rest = rest[:8], rest[9:]
	}
	if after, ok := bytes.CutPrefix(rest, []byte("n=")); ok {
		v, k := lex.Uint(after, 9)
		if k == 0 || k >= len(after) || after[k] != ' ' {
			return t, false
		}
		t.n, rest = int(v), after[k+1:]
	}
	rest, ok = bytes.CutPrefix(rest, commandIdx)
	if !ok {
		return t, false
	}
	v, k := lex.Uint(rest, 9)
	if k == 0 || !bytes.HasPrefix(rest[k:], []byte("):")) {
		return t, false
	}
	t.idx, rest = int(v), rest[k+2:]
	rest = bytes.TrimLeft(rest, " ")
	body, pid := cutSuffix(rest)
	body = bytes.TrimSuffix(body, doCommit) // wrapped pastes keep only "do_commit"
	t.pid = pid
	if len(body) == 0 {
		t.empty = true
		return t, true
	}
	setCommand(&t, body)
	return t, true
}

// setCommand reads "Class(args)" (or a damaged "Class(args…") from body.
func setCommand(t *txnLine, body []byte) {
	j := 0
	for j < len(body) && isIdent(body[j], j == 0) {
		j++
	}
	t.class = body[:j]
	if j < len(body) && body[j] == '(' {
		inner := body[j+1:]
		if len(inner) > 0 && inner[len(inner)-1] == ')' {
			t.args, t.closed = inner[:len(inner)-1], true
		} else {
			t.args = inner
		}
	}
}

func isHex8(b []byte) bool {
	for _, c := range b {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
