package txnlog

import (
	"bytes"
	"fmt"
	"hash/maphash"

	"github.com/arpforensics/arpforensics/timeline"
)

// recKind says what a worker made of a record.
type recKind uint8

const (
	recCommand   recKind = iota + 1 // a "Running txn" line
	recStatus                       // a status line
	recTraceback                    // a file-format traceback line of the transaction module
	recBadHeader                    // a "Running txn" line whose header could not be read
	recNoClass                      // a "Running txn" line that names no command class
)

// rec is what a worker read from one record, for the assembler to apply.
// Its byte slices point into the window or its result's arena, which live
// until the assembler has applied the window.
type rec struct {
	kind recKind
	line int // 0-based line index in the window
	off  int // byte offset in the window
	used int // lines it covers: 1 + continuation lines
	env  envelope
	raw  []byte // the line as logged; continuation lines joined with a space
	cmd  txnLine
	e0   int // its entities: windowResult.ents[e0 : e0+ne]
	ne   int
	st   statusLine
	body []byte // recTraceback: the line's message
	// hash of cmd.class, for the assembler's intern table
	classHash uint64
}

// entRec is an entity as a worker found it, before interning.
type entRec struct {
	key  int8 // index into entityKeys; -1 when text holds the key (a table name)
	kind timeline.EntKind
	text []byte // the key when key is -1
	name []byte // normalised
	hash uint64 // of name: the assembler numbers a transaction's entities by it
}

// windowResult is a worker's reading of one window.
type windowResult struct {
	lines int64 // lines in the window
	// failed, when set, says why the window's lines could not be read (a
	// panic on input nobody foresaw): they are one problem, the rest of
	// the log is read on.
	failed string
	// nuls counts the NUL bytes skipped in the window's lines; nulLine and
	// nulOff place the first (line index and offset in the window).
	nuls            int64
	nulLine, nulOff int
	recs            []rec
	ents            []entRec
	arena           [][]byte // copies of stripped or joined text
}

func (r *windowResult) reset() {
	r.lines, r.recs, r.ents, r.failed, r.nuls = 0, r.recs[:0], r.ents[:0], "", 0
	r.arena = r.arena[:0]
}

// keep copies b into the result's arena. Chunks are never reallocated, so
// earlier copies stay valid.
func (r *windowResult) keep(b []byte) []byte {
	const chunk = 64 << 10
	if n := len(r.arena); n == 0 || cap(r.arena[n-1])-len(r.arena[n-1]) < len(b) {
		r.arena = append(r.arena, make([]byte, 0, max(chunk, len(b))))
	}
	a := &r.arena[len(r.arena)-1]
	start := len(*a)
	*a = append(*a, b...)
	return (*a)[start:len(*a):len(*a)]
}

// worker holds one goroutine's scratch space.
type worker struct {
	seed     maphash.Seed // the intern table's
	split    splitter
	ansi     []byte
	cont     []byte
	lastCont []byte // the last line continuations() joined
}

// process reads every line of w.
// processGuarded is process that turns a panic (it runs on a goroutine of
// its own, where nothing else would catch it and the whole run would end)
// into a failed window.
func (wk *worker) processGuarded(w *window) {
	defer func() {
		if p := recover(); p != nil {
			*wk = worker{seed: wk.seed} // its scratch state may be half-written
			if w.result == nil {
				w.result = &windowResult{}
			}
			res := w.result
			res.reset()
			it := lines{data: w.data}
			for _, next, ok := it.peek(); ok; _, next, ok = it.peek() {
				it.advance(next)
			}
			res.lines = int64(it.no)
			res.failed = fmt.Sprint(p)
		}
	}()
	wk.process(w)
}

func (wk *worker) process(w *window) {
	res := w.result
	res.reset()
	if w.long > 0 {
		res.lines = 1
		return
	}
	it := lines{data: w.data}
	// NUL runs (a crash's, or copytruncate's hole past the sniffed head)
	// end a torn line: a line holding them is read from after the last.
	// One scan per window keeps lines without them on the fast path.
	nul := bytes.IndexByte(w.data, 0) >= 0
	for {
		line, next, ok := it.peek()
		if !ok {
			break
		}
		skip := 0
		if nul {
			if i := bytes.LastIndexByte(line, 0); i >= 0 {
				if res.nuls == 0 {
					res.nulLine, res.nulOff = it.no, it.at+bytes.IndexByte(line, 0)
				}
				res.nuls += int64(bytes.Count(line[:i+1], []byte{0}))
				skip = i + 1
				line = line[skip:]
			}
		}
		if !wk.candidate(line) {
			it.advance(next)
			continue
		}
		no, off := it.no, it.at+skip
		it.advance(next)
		wk.record(res, &it, line, no, off)
	}
	res.lines = int64(it.no)
}

// record reads one candidate line (and its continuation lines).
func (wk *worker) record(res *windowResult, it *lines, raw []byte, no, off int) {
	line := raw
	if bytes.IndexByte(line, 0x1b) >= 0 {
		wk.ansi = stripANSI(wk.ansi[:0], line)
		line = res.keep(wk.ansi)
	}
	env, ok := osloFast(line)
	if !ok {
		env, ok = parseEnvelope(line)
	}
	if !ok {
		// Not an oslo.log record (a paste, an unusual format): a command
		// line still counts, from its "Running txn" on.
		i := bytes.Index(line, runningTxn)
		if i < 0 {
			return
		}
		env = envelope{msg: line[i:]}
	}
	r := rec{line: no, off: off, used: 1, raw: raw}
	if bytes.HasPrefix(env.msg, runningTxn) {
		wk.command(res, it, &r, &env)
		return
	}
	body, spid := cutSuffix(env.msg)
	if spid > 0 {
		env.pid, env.pidSrc = spid, pidSuffix
	}
	if st, ok := classifyStatus(body, env.logger); ok {
		r.kind, r.env, r.st = recStatus, env, st
		wk.statusContinuation(res, it, &r)
		res.recs = append(res.recs, r)
		return
	}
	if bytes.Equal(env.logger, txnLogger) && bytes.Equal(env.level, []byte("ERROR")) {
		r.kind, r.env, r.body = recTraceback, env, body
		res.recs = append(res.recs, r)
	}
}

// command reads a "Running txn" record.
func (wk *worker) command(res *windowResult, it *lines, r *rec, env *envelope) {
	t, ok := parseRunning(env.msg)
	if !ok {
		r.kind, r.env = recBadHeader, *env
		res.recs = append(res.recs, *r)
		return
	}
	if t.empty || !t.closed {
		// A wrapped paste: the command continues on the next lines.
		msg := env.msg
		cont, n := wk.continuations(it, func(got []byte) bool {
			wk.ansi = joinSpace(append(wk.ansi[:0], msg...), got)
			tt, _ := parseRunning(wk.ansi)
			return tt.empty || !tt.closed
		})
		if n > 0 {
			joined := res.keep(joinSpace(append([]byte(nil), msg...), cont))
			t, _ = parseRunning(joined)
			r.raw = res.keep(joinSpace(append([]byte(nil), r.raw...), cont))
			r.used += n
		}
	}
	if t.pid > 0 {
		env.pid, env.pidSrc = t.pid, pidSuffix
	}
	r.env, r.cmd = *env, t
	if len(t.class) == 0 {
		r.kind = recNoClass
		res.recs = append(res.recs, *r)
		return
	}
	r.kind = recCommand
	wk.split.Split(t.args)
	r.e0 = len(res.ents)
	res.ents = collectEntities(res.ents, t.args, &wk.split)
	r.ne = len(res.ents) - r.e0
	for i := r.e0; i < len(res.ents); i++ {
		res.ents[i].hash = maphash.Bytes(wk.seed, res.ents[i].name)
	}
	r.classHash = maphash.Bytes(wk.seed, t.class)
	res.recs = append(res.recs, *r)
}

// statusContinuation joins what an error or a traceback continues with.
func (wk *worker) statusContinuation(res *windowResult, it *lines, r *rec) {
	st := &r.st
	if st.code != timeline.TxnError && !st.tbStart {
		return
	}
	// An error's details (JSON from OVSDB) may continue on lines of their
	// own until its brackets and quotes close; a traceback's body
	// continues until a line starts a record.
	detail := st.detail
	want := func([]byte) bool { return true }
	if !st.tbStart {
		want = func(got []byte) bool {
			wk.ansi = joinSpace(append(wk.ansi[:0], detail...), got)
			return len(detail)+len(got) == 0 || !balanced(wk.ansi)
		}
	}
	cont, n := wk.continuations(it, want)
	if n == 0 {
		return
	}
	r.used += n
	r.raw = res.keep(joinSpace(append([]byte(nil), r.raw...), cont))
	if st.tbStart {
		st.detail = res.keep(wk.lastCont)
	} else {
		st.detail = res.keep(joinSpace(append([]byte(nil), detail...), cont))
	}
}

// continuations consumes the lines that continue the current record (they
// do not start a record of their own) while want says more is needed, and
// returns their text (journal prefixes dropped, trimmed, joined with single
// spaces) and how many lines that was.
func (wk *worker) continuations(it *lines, want func(joined []byte) bool) ([]byte, int) {
	wk.cont, wk.lastCont = wk.cont[:0], nil
	n := 0
	for n < maxContinuation && want(wk.cont) {
		line, next, ok := it.peek()
		if !ok || !continues(line) {
			break
		}
		body := bytes.TrimSpace(unwrap(line))
		if bytes.IndexByte(body, 0x1b) >= 0 {
			body = bytes.TrimSpace(stripANSI(nil, body))
		}
		if len(wk.cont) > 0 {
			wk.cont = append(wk.cont, ' ')
		}
		start := len(wk.cont)
		wk.cont = append(wk.cont, body...)
		wk.lastCont = wk.cont[start:]
		it.advance(next)
		n++
	}
	return wk.cont, n
}

// unwrap drops a journal, CRI or pebble prefix from a line.
func unwrap(line []byte) []byte {
	var env envelope
	if i := wrappers(line, &env); i > 0 {
		return line[i:]
	}
	return line
}

// continues reports whether line continues the record before it instead of
// starting one: it is not blank and, after any journal (or CRI, pebble)
// prefix, does not start like a record.
func continues(line []byte) bool {
	var scratch [96]byte
	line = bytes.TrimSuffix(line, []byte{'\r'})
	if bytes.IndexByte(line, 0x1b) >= 0 {
		line = stripANSI(scratch[:0], line[:min(len(line), 96)])
	}
	body := unwrap(line)
	if len(bytes.TrimSpace(body)) == 0 {
		return false
	}
	return !startsRecord(body)
}

func joinSpace(a, b []byte) []byte {
	if len(a) > 0 && len(b) > 0 {
		a = append(a, ' ')
	}
	return append(a, b...)
}

// balanced reports whether b's brackets and double-quoted strings are all
// closed (the JSON an OVSDB error carries).
func balanced(b []byte) bool {
	depth, inStr := 0, false
	for i := 0; i < len(b); i++ {
		c := b[i]
		switch {
		case inStr && c == '\\':
			i++
		case c == '"':
			inStr = !inStr
		case inStr:
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth--
		}
	}
	return depth <= 0 && !inStr
}
