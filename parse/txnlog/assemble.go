package txnlog

import (
	"bytes"
	"slices"
	"time"

	"github.com/arpforensics/arpforensics/timeline"
)

// attempt is one run of a transaction's command list (one n=).
type attempt struct {
	cmds []timeline.TxnCmd // E0 indexes ents of this attempt
	ents []timeline.TxnEnt
	// names are the entities' names, each once; hashes theirs (the
	// workers'), by id - 1, and byHash the same for an attempt naming
	// many entities.
	names  timeline.TxnNames
	hashes []uint64
	byHash map[uint64]uint32
	lines  [][]byte // each command's line as logged: into the window until pinned
	times  []time.Time
	// at is the stream offset of the first command's line, and whole
	// whether that line is as it stands there (no continuation joined).
	at    int64
	whole bool
	// pinned counts the lines copied out of their window. Only lines
	// of transactions still open when a window is released are copied:
	// a closed transaction needs its lines only if it is worth citing,
	// and that is known at once.
	pinned int
	// pins holds the pinned lines. It is the attempt's own and outlives
	// its transaction, so pinning costs no allocation once it has grown:
	// a fresh copy per line was garbage in proportion to the log's size,
	// which the collector let pile up (RSS grew with the input).
	pins []byte
}

// maxPins caps the pin buffer an attempt keeps for its next transaction.
const maxPins = 64 << 10

func (a *attempt) reset() {
	a.cmds, a.ents, a.lines, a.times, a.pinned = a.cmds[:0], a.ents[:0], a.lines[:0], a.times[:0], 0
	a.pins = a.pins[:0]
	if cap(a.pins) > maxPins {
		a.pins = nil
	}
	a.names.Reset()
	a.hashes = a.hashes[:0]
	if a.byHash != nil {
		clear(a.byHash)
	}
}

// manyNames is how many names an attempt searches linearly before it
// looks them up by hash.
const manyNames = 32

// entity returns the id of the entity named b (whose hash is h) in a's
// names, adding it on first mention. Names are compared by hash, and by
// their bytes when the hashes are equal.
func (a *attempt) entity(b []byte, h uint64) uint32 {
	// Few names are searched; many are looked up by hash, and searched
	// only when the name under that hash is another (a shared hash).
	search := len(a.hashes) <= manyNames
	if !search {
		id, ok := a.byHash[h]
		if ok && a.names.Name(id) == string(b) {
			return id
		}
		search = ok
	}
	if search {
		for i, x := range a.hashes {
			if x == h && a.names.Name(uint32(i+1)) == string(b) {
				return uint32(i + 1)
			}
		}
	}
	id := a.names.Add(b)
	a.hashes = append(a.hashes, h)
	switch {
	case len(a.hashes) == manyNames+1:
		if a.byHash == nil {
			a.byHash = map[uint64]uint32{}
		}
		for i, x := range a.hashes {
			if _, ok := a.byHash[x]; !ok {
				a.byHash[x] = uint32(i + 1)
			}
		}
	case len(a.hashes) > manyNames+1:
		if _, ok := a.byHash[h]; !ok {
			a.byHash[h] = id
		}
	}
	return id
}

// pin copies the lines that still point into a window into a.pins.
func (a *attempt) pin() {
	need := 0
	for _, l := range a.lines[a.pinned:] {
		need += len(l)
	}
	if len(a.pins)+need > cap(a.pins) {
		// A larger buffer, and the lines pinned so far move into it too,
		// so that the old one is garbage as a whole.
		old := a.pinned
		a.pins, a.pinned = make([]byte, 0, 2*(len(a.pins)+need)), 0
		a.pinTo(old)
	}
	a.pinTo(len(a.lines))
}

// pinTo copies lines up to n into a.pins, which has room for them.
func (a *attempt) pinTo(n int) {
	for ; a.pinned < n; a.pinned++ {
		at := len(a.pins)
		a.pins = append(a.pins, a.lines[a.pinned]...)
		a.lines[a.pinned] = a.pins[at:len(a.pins):len(a.pins)]
	}
}

// pin makes the open transactions independent of the window just applied,
// which is about to be reused.
func (p *parser) pin() {
	for _, c := range p.procs {
		if o := c.open; o != nil {
			o.cur.pin()
			o.prev.pin()
		}
	}
}

// sameClasses reports whether a and b ran the same command classes.
func (a *attempt) sameClasses(b *attempt) bool {
	if len(a.cmds) != len(b.cmds) {
		return false
	}
	for i := range a.cmds {
		if a.cmds[i].Class != b.cmds[i].Class {
			return false
		}
	}
	return true
}

// prefixOf reports whether a's classes are a prefix of b's.
func (a *attempt) prefixOf(b *attempt) bool {
	if len(a.cmds) > len(b.cmds) {
		return false
	}
	for i := range a.cmds {
		if a.cmds[i].Class != b.cmds[i].Class {
			return false
		}
	}
	return true
}

// openTxn is a transaction whose lines are still arriving.
type openTxn struct {
	proc      *proc
	ev        *held         // its event
	txn       *timeline.Txn // &ev.txn
	n         int           // attempt being logged (0: format without n=)
	next      int           // idx expected next
	id        []byte        // master id of the current attempt
	retry     bool          // a TRY_AGAIN was logged since the last command
	cur, prev attempt
	hasPrev   bool
	outcome   timeline.TxnStatusCode
	last      time.Time
	tick      int64
}

// command applies a "Running txn" record.
func (p *parser) command(r *rec, ents []entRec, pos timeline.Pos) {
	t := &r.cmd
	if !t.closed {
		p.problems.Errorf(pos, "unclosed", "command %s(… is not closed: the line is cut or wrapped; its arguments may be incomplete", t.class)
	}
	env := &r.env
	c := p.proc(env)
	key := c.key
	p.used += int64(r.used)
	p.endTraceback(c)

	tm, has := p.timeOf(env)
	o := c.open
	first := c.open == nil && !c.seen
	c.seen = true
	switch {
	case o != nil && t.idx == 0 && isRetry(o, t):
		o.hasPrev = true
		o.prev, o.cur = o.cur, o.prev
		o.cur.reset()
		o.n, o.retry, o.next = t.n, false, 0
		if t.n > o.txn.Attempts {
			o.txn.Attempts = t.n
		} else {
			o.txn.Attempts++
		}
		o.id = append(o.id[:0], t.id...)
	case t.idx == 0:
		if o != nil {
			p.close(o, timeline.TxnNoStatus)
		}
		o = p.begin(c, t, tm, has, pos)
	case o == nil:
		if first {
			p.problems.Notef(pos, "inside", "the log starts inside a transaction of pid %d: its first command here is idx=%d", key.pid, t.idx)
		} else {
			p.problems.Errorf(pos, "orphan", "command idx=%d of pid %d follows no open transaction: its idx=0…%d lines are missing", t.idx, key.pid, t.idx-1)
		}
		o = p.begin(c, t, tm, has, pos)
	case t.idx > o.next:
		p.problems.Errorf(pos, "gap", "command idx=%d of pid %d follows idx=%d of the transaction at line %d: idx=%d…%d are missing",
			t.idx, key.pid, o.next-1, o.ev.ev.Pos.Line, o.next, t.idx-1)
	case t.idx < o.next:
		p.problems.Errorf(pos, "back", "command idx=%d of pid %d after idx=%d of the transaction at line %d: read as a new transaction whose first lines are missing",
			t.idx, key.pid, o.next-1, o.ev.ev.Pos.Line)
		p.close(o, timeline.TxnNoStatus)
		o = p.begin(c, t, tm, has, pos)
	}
	o.next = t.idx + 1
	lineTime := tm
	if !has && p.haveLast {
		lineTime = p.last
	}
	// The transaction ends at its latest line (a clock may step back).
	if lineTime.After(o.last) {
		o.last = lineTime
	}
	p.tick++
	o.tick = p.tick

	a := &o.cur
	if len(a.cmds) == 0 {
		a.at, a.whole = pos.Offset, r.used == 1
	}
	e0 := len(a.ents)
	for _, e := range ents {
		k := uint32(0)
		if e.key >= 0 {
			k = p.keys[e.key]
		} else {
			k = p.intern(e.text)
		}
		a.ents = append(a.ents, timeline.TxnEnt{ID: a.entity(e.name, e.hash), Key: k, Kind: e.kind})
	}
	a.cmds = append(a.cmds, timeline.TxnCmd{
		Class: p.names.intern(t.class, r.classHash), E0: uint32(e0), NE: uint16(min(len(a.ents)-e0, 1<<16-1)), Line: pos.Line,
	})
	a.lines = append(a.lines, r.raw)
	a.times = append(a.times, lineTime)
}

// isRetry reports whether an idx=0 line repeats o's command list: a higher
// n, or (formats without n=) a TRY_AGAIN logged since o's last command.
func isRetry(o *openTxn, t *txnLine) bool {
	if t.n > 0 && o.n > 0 {
		return t.n > o.n
	}
	return o.retry
}

// begin opens a transaction and its event.
func (p *parser) begin(c *proc, t *txnLine, tm time.Time, has bool, pos timeline.Pos) *openTxn {
	key := c.key
	h := p.events.add()
	txn := &h.txn
	*txn = timeline.Txn{Store: p.store, Host: key.host, PID: key.pid, FirstIdx: t.idx, Attempts: max(t.n, 1)}
	h.ev = timeline.Event{Time: tm, End: tm, Pos: pos, Data: txn}
	if t.id != nil {
		txn.ID = string(t.id)
	}
	var o *openTxn
	if n := len(p.free); n > 0 {
		o, p.free = p.free[n-1], p.free[:n-1]
	} else {
		o = &openTxn{}
	}
	o.cur.reset()
	o.prev.reset()
	o.proc, o.txn, o.n, o.next, o.retry, o.hasPrev, o.outcome = c, txn, t.n, t.idx, false, false, timeline.TxnNoStatus
	o.last = time.Time{}
	o.id = append(o.id[:0], t.id...)
	o.ev = h
	if !has {
		tm = p.stamp(&envelope{}, h, pos)
		h.ev.Time, h.ev.End = tm, tm
	}
	c.open = o
	return o
}

// close finishes o: its event gets its commands, its end and, when its
// commands fall into unrelated parts, the lines to cite; then it goes to the
// sink, unless it still waits for a time.
func (p *parser) close(o *openTxn, outcome timeline.TxnStatusCode) {
	h := o.ev
	keep := &o.cur
	if o.hasPrev && !o.prev.sameClasses(&o.cur) {
		if o.cur.prefixOf(&o.prev) {
			keep = &o.prev // the log ends inside the retry
		} else {
			p.problems.Notef(h.ev.Pos, "retry", "the retry (n=%d) of the transaction at line %d ran a different command list (%d commands, before %d): the last attempt's is kept",
				o.n, h.ev.Pos.Line, len(o.cur.cmds), len(o.prev.cmds))
		}
	}
	txn := o.txn
	// Copied: o's attempts are reused, and the event may wait for a time.
	h.cmds = append(h.cmds[:0], keep.cmds...)
	h.ents = append(h.ents[:0], keep.ents...)
	h.names.Text = append(h.names.Text[:0], keep.names.Text...)
	h.names.Ends = append(h.names.Ends[:0], keep.names.Ends...)
	txn.Commands, txn.Entities, txn.Names = h.cmds, h.ents, h.names
	if outcome == timeline.TxnNoStatus {
		outcome = o.outcome
	}
	txn.Outcome = outcome
	var homogeneous bool
	txn.Parts, homogeneous = p.parts.count(keep)
	if o.last.After(h.ev.Time) {
		h.ev.End = o.last
	}
	if txn.Parts > 1 && !homogeneous {
		txn.Detail = p.detail(keep)
		// The event cites the kept attempt's first line: the text at the
		// event's position unless that attempt is a retry or the line
		// was joined from continuation lines.
		h.text(keep.lines[0], keep.whole && keep.at == h.ev.Pos.Offset)
	}
	o.proc.open = nil
	o.ev, o.txn = nil, nil
	p.events.release(h)
	p.free = append(p.free, o)
}

// detail keeps what a split transaction's finding will cite: each command's
// line, time and arguments (read again from the kept line).
func (p *parser) detail(a *attempt) *timeline.TxnDetail {
	d := &timeline.TxnDetail{
		Raw:   make([]string, len(a.cmds)),
		Times: append([]time.Time(nil), a.times...),
		Args:  make([][]timeline.TxnArg, len(a.cmds)),
	}
	for i := range a.cmds {
		line := a.lines[i]
		d.Raw[i] = string(line)
		if bytes.IndexByte(line, 0x1b) >= 0 {
			line = stripANSI(nil, line)
		}
		env, ok := parseEnvelope(line)
		if !ok {
			continue
		}
		t, ok := parseRunning(env.msg)
		if !ok {
			continue
		}
		var sp splitter
		sp.Split(t.args)
		args := make([]timeline.TxnArg, 0, len(sp.Args))
		for _, x := range sp.Args {
			args = append(args, timeline.TxnArg{Key: string(x.Key.Of(t.args)), Value: string(x.Value.Of(t.args))})
		}
		d.Args[i] = args
	}
	return d
}

// status applies a status record.
func (p *parser) status(r *rec, pos timeline.Pos) {
	p.used += int64(r.used)
	st := &r.st
	c := p.proc(&r.env)
	key := c.key
	o := c.open
	if o == nil && r.env.pidSrc <= pidJournal {
		// devstack prints the worker pid only on DEBUG lines; an ERROR
		// line carries the journal's (parent) pid. Take the host's most
		// recently active transaction.
		for _, x := range p.procs {
			if x.open != nil && x.key.host == key.host && (o == nil || x.open.tick > o.tick) {
				o = x.open
			}
		}
	}
	h := p.events.add()
	s := &h.st
	*s = timeline.TxnStatus{Code: st.code, Host: key.host, PID: key.pid, Detail: string(st.detail), Timeout: st.timeout}
	if st.id != nil {
		s.ID = string(st.id)
	}
	if len(st.commands) > 0 {
		h.stCmds = h.stCmds[:0]
		for _, c := range st.commands {
			h.stCmds = append(h.stCmds, p.store.Name(p.intern(c)))
		}
		s.Commands = h.stCmds
	}
	if st.tbStart && bytes.Contains(st.detail, []byte("OVS transaction timed out")) {
		s.Code = timeline.TxnTimeout
	}
	if o != nil {
		s.Txn = o.ev.ev.Pos
		s.PID = o.proc.key.pid
	}
	h.ev = timeline.Event{Pos: pos, Data: s}
	// r.raw is the line as it stands at pos unless continuation lines
	// (an error's JSON, a traceback's body) were joined to it.
	h.text(r.raw, r.used == 1)
	tm := p.stamp(&r.env, h, pos)
	h.ev.Time = tm
	code := s.Code // s is h's: not to be read once h is released
	p.endTraceback(c)
	if st.tbStart {
		c.tb = h // its maker's hold passes to the traceback
	} else {
		p.events.release(h)
	}
	if o == nil {
		return
	}
	if tm.After(o.last) {
		o.last = tm
	}
	switch st.code {
	case timeline.TxnTryAgain:
		o.retry = true
	case timeline.TxnCommandError:
		o.outcome = timeline.TxnCommandError
	case timeline.TxnNoChange, timeline.TxnAborted, timeline.TxnError, timeline.TxnSucceeded,
		timeline.TxnUnknownStatus, timeline.TxnCommitError:
		p.close(o, code)
	}
}

// partScratch counts the groups of a transaction's commands that share no
// entity (union-find over primary and reference entities; addresses are
// not edges, and commands that name nothing belong to no group).
type partScratch struct {
	owner  []int32 // by entity id: a command naming it, or -1
	parent []int32
	roots  []int32
	named  []bool
}

func (ps *partScratch) find(i int32) int32 {
	for ps.parent[i] != i {
		ps.parent[i] = ps.parent[ps.parent[i]]
		i = ps.parent[i]
	}
	return i
}

// count returns the number of parts and whether they are homogeneous:
// every part runs the same command classes in the same order (a bulk
// update of many rows), which is how ovsdbapp users batch on purpose.
func (ps *partScratch) count(a *attempt) (int, bool) {
	if len(a.cmds) == 0 {
		return 0, true
	}
	// Entity ids are the attempt's own, 1…Len: a slice indexed by id.
	ps.owner = slices.Grow(ps.owner[:0], a.names.Len()+1)[:a.names.Len()+1]
	for i := range ps.owner {
		ps.owner[i] = -1
	}
	owner := func(id uint32, i int32) (int32, bool) {
		if j := ps.owner[id]; j >= 0 {
			return j, true
		}
		ps.owner[id] = i
		return 0, false
	}
	ps.parent, ps.named = ps.parent[:0], ps.named[:0]
	for i, c := range a.cmds {
		ps.parent = append(ps.parent, int32(i))
		has := false
		for _, e := range a.ents[c.E0 : c.E0+uint32(c.NE)] {
			if e.Kind == timeline.EntIP {
				continue
			}
			has = true
			if j, ok := owner(e.ID, int32(i)); ok {
				ri, rj := ps.find(int32(i)), ps.find(j)
				if ri != rj {
					ps.parent[ri] = rj
				}
			}
		}
		ps.named = append(ps.named, has)
	}
	named := ps.named
	ps.roots = ps.roots[:0]
	for i := range a.cmds {
		if named[i] && ps.find(int32(i)) == int32(i) {
			ps.roots = append(ps.roots, int32(i))
		}
	}
	if len(ps.roots) <= 1 {
		return 1, true
	}
	// Compare each part's class sequence with the first part's.
	first := ps.roots[0]
	for _, r := range ps.roots[1:] {
		i, j := 0, 0
		for {
			for i < len(a.cmds) && !(named[i] && ps.find(int32(i)) == first) {
				i++
			}
			for j < len(a.cmds) && !(named[j] && ps.find(int32(j)) == r) {
				j++
			}
			if i == len(a.cmds) || j == len(a.cmds) {
				if i != j && !(i == len(a.cmds) && j == len(a.cmds)) {
					return len(ps.roots), false
				}
				break
			}
			if a.cmds[i].Class != a.cmds[j].Class {
				return len(ps.roots), false
			}
			i++
			j++
		}
	}
	return len(ps.roots), true
}
