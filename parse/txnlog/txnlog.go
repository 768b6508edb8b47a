// Package txnlog reads ovsdbapp transaction logs — neutron-server and agent
// logs in oslo.log's file format, devstack journal exports, console output,
// and the same wrapped by CRI, pebble or grep — into one event per
// transaction and one per status line.
//
// A transaction is what one do_commit call ran in one process: ovsdbapp
// logs "Running txn [id] [n=N] command(idx=I): Class(args)" for each command,
// idx 0…N-1, back to back in the process's connection thread. So per (host,
// pid) an idx=0 line opens a transaction, the following idx continue it, a
// higher n repeats it after TRY_AGAIN (a retry, not a new transaction), and
// a status line (no change, aborted, error, succeeded) or the next idx=0
// ends it. A gap in idx is a problem (lines missing).
//
// Time: oslo.log timestamps carry no zone and are read in the source's zone
// (--tz); journal prefixes carry no year (the year comes from --year, else
// from the file's own dated lines, else the file's modification time, and
// the source is marked TimeNoYear so the pipeline can re-anchor it); CRI and
// pebble stamps are UTC. A record with no timestamp of its own (console
// output) takes the time of the closest timestamped record this reader read
// before it (a transaction or status line), or after it when none precedes;
// in a file with no timestamp at all every event is placed at the file's
// modification time, in line order. Either choice is reported as a note
// with the number of events it affected.
//
// Nothing is kept per command line but a compact record (class, entities,
// line number); the raw lines are kept only for transactions whose commands
// fall into unrelated parts, the ones a finding may cite. The reading
// itself runs on Options.Threads goroutines (see scan.go).
package txnlog

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"sync"
	"time"

	"github.com/arpforensics/arpforensics/parse"
	"github.com/arpforensics/arpforensics/timeline"
)

// Format is neutron's transaction logs.
var Format = parse.Format{
	Name:     "txnlog",
	Describe: "neutron logs with ovsdbapp Running txn and status lines",
	Sniff:    Sniff, Parse: Parse, Text: true, JournalPrefix: true,
}

var txnLogger = []byte("ovsdbapp.backend.ovs_idl.transaction")

// Parse is the parse.Func for transaction logs.
func Parse(r io.Reader, src *timeline.Source, opts parse.Options, out *timeline.Sink) error {
	p := newParser(src, opts, out)
	n := opts.Threads
	if n <= 1 {
		n = 0
	}
	p.run(r, n)
	return p.finish()
}

// maxWorkers caps the goroutines reading lines: beyond a few, the
// sequential assembly is the bottleneck.
const maxWorkers = 4

// With Options.Threads of two or more, Threads workers read lines while
// the caller's goroutine assembles transactions from what they found (a
// third of the work, and it waits whenever they do) and a reader goroutine,
// mostly waiting on I/O, fills windows. On two cores two workers beat one
// by a third of the wall time. With one thread or less, all of it runs in
// turn on the caller's goroutine.

// procKey names one process: transactions are sequential within it.
type procKey struct {
	host string
	pid  int
}

type parser struct {
	// nuls counts NUL bytes skipped in lines (worker.process), firstNUL
	// places the first.
	nuls     int64
	firstNUL timeline.Pos
	src      *timeline.Source
	opts     parse.Options
	loc      *time.Location
	store    *timeline.TxnStore
	names    *internTable
	keys     [len(entityKeys)]uint32 // store ids of entityKeys

	events eventList
	procs  []*proc // every process seen, in order of appearance
	last1  *proc   // the process of the last record: most records follow one of their own
	free   []*openTxn
	tick   int64 // orders open transactions by last activity

	// time
	years     *parse.YearClock
	fullYear  int // year of the last full timestamp
	sawFull   bool
	sawNoYear bool
	last      time.Time // time of the last timestamped record
	haveLast  bool
	// pending are the events made while no line has had a timestamp yet:
	// they take the first timestamp that comes, or the file's
	// modification time at the end. Each is held until then, so the
	// events before a file's first timestamp are kept in memory — as many
	// as the file's start holds, and every event of a file with no
	// timestamp at all (a console paste: small, in practice).
	pending   []*held
	inherited int   // events that took a neighbour's time
	firstLine int64 // first line that inherited a time
	cache     dayCache

	// accounting
	line     int64 // number of the first line of the window being applied
	used     int64 // lines that became (part of) events
	bad      int64 // lines reported as problems
	problems *parse.Problems

	parts partScratch
}

func newParser(src *timeline.Source, opts parse.Options, out *timeline.Sink) *parser {
	p := &parser{
		src: src, opts: opts, loc: opts.Loc(), store: &timeline.TxnStore{}, line: 1,
		problems: parse.NewProblems(src, maxProblemsPerKind), events: eventList{out: out},
	}
	p.names = newInternTable(p.store)
	for i, k := range entityKeys {
		p.keys[i] = p.names.internString(k)
	}
	return p
}

// run reads the input with n workers and applies their results in order;
// with n < 1 everything runs on the caller's goroutine.
func (p *parser) run(r io.Reader, n int) {
	if n < 1 {
		p.runSerial(r)
		return
	}
	n = min(n, maxWorkers)
	const inFlight = 3 // windows beyond one per worker: reading ahead, waiting to be applied
	rd := &reader{r: r, free: make(chan []byte, n+inFlight)}
	for i := 0; i < n+inFlight; i++ {
		rd.free <- make([]byte, windowSize)
	}
	results := make(chan *windowResult, n+inFlight)
	for i := 0; i < n+inFlight; i++ {
		results <- &windowResult{}
	}
	work := make(chan *window, n)
	done := make(chan *window, n+inFlight)
	go func() {
		defer close(work)
		for {
			w, ok := rd.next()
			if !ok {
				return
			}
			w.result = <-results
			work <- w
		}
	}()
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wk := worker{seed: p.names.seed}
			for w := range work {
				wk.processGuarded(w)
				done <- w
			}
		}()
	}
	go func() {
		wg.Wait()
		close(done)
	}()
	// Apply in window order.
	waiting := map[int]*window{}
	next := 0
	for w := range done {
		waiting[w.seq] = w
		for {
			w, ok := waiting[next]
			if !ok {
				break
			}
			delete(waiting, next)
			next++
			p.apply(w)
			p.pin()
			if w.err != nil {
				p.src.Problemf(timeline.Pos{Line: p.line, Offset: w.base + int64(len(w.data))}, "reading stopped: %v", w.err)
			}
			results <- w.result
			rd.free <- w.buf[:cap(w.buf)]
		}
	}
	p.src.Records = p.line - 1
}

// runSerial reads, parses and applies one window at a time.
func (p *parser) runSerial(r io.Reader) {
	rd := &reader{r: r, free: make(chan []byte, 1)}
	rd.free <- make([]byte, windowSize)
	res := &windowResult{}
	wk := worker{seed: p.names.seed}
	for {
		w, ok := rd.next()
		if !ok {
			break
		}
		w.result = res
		wk.processGuarded(w)
		p.apply(w)
		p.pin()
		if w.err != nil {
			p.src.Problemf(timeline.Pos{Line: p.line, Offset: w.base + int64(len(w.data))}, "reading stopped: %v", w.err)
		}
		rd.free <- w.buf[:cap(w.buf)]
	}
	p.src.Records = p.line - 1
}

// apply applies one window's records.
func (p *parser) apply(w *window) {
	res := w.result
	if res.failed != "" {
		p.problems.Errorf(timeline.Pos{Line: p.line, Offset: w.base}, "internal", "internal error reading the %d line(s) from here, skipped (please report it): %s", res.lines, res.failed)
		p.bad += res.lines
		p.line += res.lines
		return
	}
	if res.nuls > 0 {
		if p.nuls == 0 {
			p.firstNUL = timeline.Pos{Line: p.line + int64(res.nulLine), Offset: w.base + int64(res.nulOff)}
		}
		p.nuls += res.nuls
	}
	if w.long > 0 {
		p.problems.Errorf(timeline.Pos{Line: p.line, Offset: w.base}, "long", "line longer than %d bytes (%d at least): not read", maxLine, w.long)
		p.bad++
		p.line++
		return
	}
	for i := range res.recs {
		r := &res.recs[i]
		pos := timeline.Pos{Line: p.line + int64(r.line), Offset: w.base + int64(r.off)}
		switch r.kind {
		case recCommand:
			p.command(r, res.ents[r.e0:r.e0+r.ne], pos)
		case recStatus:
			p.status(r, pos)
		case recTraceback:
			p.traceback(r)
		case recBadHeader:
			p.problems.Errorf(pos, "header", "ovsdbapp command line with an unreadable header: %s", quote(r.env.msg))
			p.bad++
		case recNoClass:
			p.problems.Errorf(pos, "class", "ovsdbapp command line names no command class: %s", quote(r.env.msg))
			p.bad++
		}
	}
	p.line += res.lines
}

// proc is what the parser tracks per process.
type proc struct {
	key  procKey
	open *openTxn // the transaction being logged, or nil
	tb   *held    // status event of a traceback still being logged, or nil
	seen bool     // a command line of this process was read
}

// proc returns the process a record belongs to. A log has a handful of
// processes, so a linear search beats hashing the key.
func (p *parser) proc(env *envelope) *proc {
	host := p.src.Host
	if len(env.host) > 0 {
		host = p.store.Name(p.intern(env.host))
	}
	key := procKey{host: host, pid: env.pid}
	if p.last1 != nil && p.last1.key == key {
		return p.last1
	}
	for _, c := range p.procs {
		if c.key == key {
			p.last1 = c
			return c
		}
	}
	c := &proc{key: key}
	p.procs = append(p.procs, c)
	p.last1 = c
	return c
}

// eventList holds the events later lines may still change and hands each
// to the sink once nothing holds it any more: a transaction until it closes
// (at its status line, the next transaction of its process, or the end of
// the input), a status line while the traceback it starts is being logged,
// and any event while no timestamp has been seen yet (parser.pending). So
// what is kept grows with what is open, not with the log. Each event takes
// its creation number from the sink when it is made, so that events of
// equal time and position keep the order they were made in, as they did
// in a list of all events.
type eventList struct {
	out        *timeline.Sink
	free       []*held
	live, peak int // events held now, and at most (for tests)
}

// held is an event made but not yet handed to the sink. It carries its
// payload and text itself, so that once a few are in the free list no
// event costs an allocation of its own: the sink encodes the payload and
// copies what it keeps when the event is added.
type held struct {
	ev    timeline.Event
	seq   uint32 // creation number, from the sink's Reserve
	holds int    // its maker, a pending time, a traceback being logged
	// raw is the event's text, copied (the window it comes from is
	// reused). verbatim says it is the line as it stands at ev.Pos.Offset,
	// which a sink that can re-read the source need not keep.
	raw      []byte
	verbatim bool
	txn      timeline.Txn // the payload of a transaction event
	cmds     []timeline.TxnCmd
	ents     []timeline.TxnEnt
	names    timeline.TxnNames
	st       timeline.TxnStatus // the payload of a status event
	stCmds   []string
}

// maxKeptRaw caps the text buffer a free held event keeps for reuse: a
// traceback's joined text can be large.
const maxKeptRaw = 64 << 10

// add makes an event, held once (by its maker), with its creation number.
// The caller fills in h.ev.
func (l *eventList) add() *held {
	var h *held
	if n := len(l.free); n > 0 {
		h, l.free = l.free[n-1], l.free[:n-1]
	} else {
		h = &held{}
	}
	h.seq, h.holds = l.out.Reserve(), 1
	h.raw, h.verbatim = h.raw[:0], false
	l.live++
	l.peak = max(l.peak, l.live)
	return h
}

// text sets h's text to a copy of raw; verbatim says raw is the line at
// h.ev.Pos.Offset, unchanged.
func (h *held) text(raw []byte, verbatim bool) {
	h.raw, h.verbatim = append(h.raw[:0], raw...), verbatim
}

// hold adds a holder to h.
func (l *eventList) hold(h *held) { h.holds++ }

// release drops a holder of h; the last hands it to the sink.
func (l *eventList) release(h *held) {
	if h.holds--; h.holds > 0 {
		return
	} else if h.holds < 0 {
		panic("txnlog: an event released more often than held")
	}
	if h.verbatim || len(h.raw) == 0 {
		l.out.AddReserved(h.seq, &h.ev, h.raw)
	} else {
		// Continuation lines joined, or a transaction citing a retry's
		// line: not a stretch of the source at Pos.Offset.
		l.out.AddReservedText(h.seq, &h.ev, h.raw)
	}
	h.ev, h.txn, h.st = timeline.Event{}, timeline.Txn{}, timeline.TxnStatus{}
	if cap(h.raw) > maxKeptRaw {
		h.raw = nil
	}
	l.live--
	l.free = append(l.free, h)
}

// intern returns b's id in the store.
func (p *parser) intern(b []byte) uint32 { return p.names.intern(b, p.names.hash(b)) }

// traceback applies a traceback line of an earlier commit error in file
// format, where every line carries the full prefix: the exception line that
// ends it becomes the error's detail.
func (p *parser) traceback(r *rec) {
	c := p.proc(&r.env)
	if c.tb == nil {
		return
	}
	p.used++
	if b := bytes.TrimSpace(r.body); len(b) > 0 && r.body[0] != ' ' {
		s := &c.tb.st // held while c.tb names it
		s.Detail = string(b)
		if bytes.Contains(b, []byte("OVS transaction timed out")) {
			s.Code = timeline.TxnTimeout
		}
	}
}

// timeOf resolves a record's timestamp.
func (p *parser) timeOf(env *envelope) (time.Time, bool) {
	var t time.Time
	switch env.stamp {
	case stampFull:
		loc := p.loc
		if env.zone != nil {
			loc = env.zone
		}
		t = p.cache.at(env.year, env.month, env.day, env.tod, loc)
		p.sawFull, p.fullYear = true, env.year
	case stampNoYear:
		if p.years == nil {
			p.years = parse.NewYearClock(p.startYear(env.month))
		}
		t = p.years.Time(env.month, env.day, env.tod, p.loc)
		p.sawNoYear = true
	default:
		return time.Time{}, false
	}
	t = t.UTC()
	if !p.haveLast {
		p.haveLast = true
		for i, h := range p.pending {
			p.setTime(h, t)
			p.events.release(h)
			p.pending[i] = nil
		}
		p.pending = p.pending[:0]
	}
	p.last = t
	return t, true
}

// startYear picks the year for year-less stamps: --year, else the year of
// the file's own dated lines, else the modification time's (one less when
// the first month lies after the modification month: a journal from
// December read in January).
func (p *parser) startYear(first time.Month) int {
	switch {
	case p.opts.Year != 0:
		return p.opts.Year
	case p.sawFull:
		return p.fullYear
	case !p.opts.ModTime.IsZero():
		y := p.opts.ModTime.Year()
		if first > p.opts.ModTime.Month() {
			y--
		}
		return y
	}
	return time.Now().Year()
}

// stamp gives a record its time: its own, or an inherited one (see the
// package comment). ev is the event it starts.
func (p *parser) stamp(env *envelope, ev *held, pos timeline.Pos) time.Time {
	if t, ok := p.timeOf(env); ok {
		return t
	}
	if p.inherited == 0 {
		p.firstLine = pos.Line
	}
	p.inherited++
	if p.haveLast {
		return p.last
	}
	p.pending = append(p.pending, ev)
	p.events.hold(ev) // until a time is known
	return time.Time{}
}

func (p *parser) setTime(h *held, t time.Time) {
	e := &h.ev
	e.Time = t
	if !e.End.IsZero() || e.Data.Kind() == timeline.KindTxn {
		e.End = t
	}
	if d, ok := e.Data.(*timeline.Txn); ok && d.Detail != nil {
		for j := range d.Detail.Times {
			if d.Detail.Times[j].IsZero() {
				d.Detail.Times[j] = t
			}
		}
	}
}

// finish closes what is still open and hands the events over.
func (p *parser) finish() error {
	var open []*openTxn
	for _, c := range p.procs {
		if c.open != nil {
			open = append(open, c.open)
		}
	}
	slices.SortFunc(open, func(a, b *openTxn) int { return int(a.tick - b.tick) })
	for _, o := range open {
		p.close(o, timeline.TxnNoStatus)
	}
	for _, c := range p.procs {
		p.endTraceback(c)
	}
	if len(p.pending) > 0 {
		t := p.opts.ModTime.UTC()
		first := p.pending[0].ev.Pos
		for _, h := range p.pending {
			p.setTime(h, t)
			p.events.release(h)
		}
		p.src.Notef(first, "no line carries a timestamp: %d event(s) placed at the file's modification time %s, in line order",
			len(p.pending), t.Format(time.RFC3339))
	} else if p.inherited > 0 {
		p.src.Notef(timeline.Pos{Line: p.firstLine}, "%d event(s) from lines without a timestamp took the time of the nearest timestamped line", p.inherited)
	}
	if p.sawNoYear && !p.sawFull {
		p.src.Basis = timeline.TimeNoYear
	}
	if p.nuls > 0 {
		p.src.Notef(p.firstNUL, "%d NUL byte(s) in runs skipped, the first here: a line holding them is read from after the last (the text before it is torn)", p.nuls)
	}
	p.problems.Close()
	p.src.Skipped = max(0, p.src.Records-p.used-p.bad)
	// The lines used made the events; those beyond one per event (command
	// lines of a transaction, continuation lines) were folded into them.
	p.src.BadRecords = p.bad
	p.src.Folded = p.used - p.events.out.Len()
	return nil
}

// endTraceback ends c's traceback, if one is being logged: its status event
// is complete.
func (p *parser) endTraceback(c *proc) {
	if c.tb != nil {
		p.events.release(c.tb)
		c.tb = nil
	}
}

// maxProblemsPerKind is how many problems of one kind are listed: a
// damaged file must not produce a million of them. The rest are summed up.
const maxProblemsPerKind = 50

// dayCache makes timestamp conversion cheap: time.Date with a zone costs a
// zone lookup, so the start of each hour is computed once.
type dayCache struct {
	y       int
	m       time.Month
	d, h    int
	loc     *time.Location
	base    time.Time
	settled bool
}

func (c *dayCache) at(y int, m time.Month, d int, tod time.Duration, loc *time.Location) time.Time {
	h := int(tod / time.Hour)
	if !c.settled || c.y != y || c.m != m || c.d != d || c.h != h || c.loc != loc {
		c.y, c.m, c.d, c.h, c.loc, c.settled = y, m, d, h, loc, true
		c.base = time.Date(y, m, d, h, 0, 0, 0, loc)
	}
	return c.base.Add(tod - time.Duration(h)*time.Hour)
}

// quote renders artifact bytes for a problem text, Go-quoted: long
// quotes are cut so one bad line cannot bloat the report.
func quote(b []byte) string {
	const max = 120
	if len(b) > max {
		return fmt.Sprintf("%q…", b[:max])
	}
	return fmt.Sprintf("%q", b)
}
