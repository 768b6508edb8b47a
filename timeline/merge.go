package timeline

import (
	"fmt"
	"time"
)

// Window limits a merge to events that overlap [Since, Until]; zero bounds
// are open.
type Window struct{ Since, Until time.Time }

// Merge closes the sinks (sinks[i] holds the events of sources[i], or is nil
// for a source that has none) and merges their events into one timeline,
// ordered by time, then source, then position within the source. Each
// sink's Shift is applied on the way, and events outside the window are left
// out (with a note on their source). The sources' Events, First and Last are
// set from what was kept. The sinks are consumed.
func Merge(sources []*Source, sinks []*Sink, w Window) (*Timeline, error) {
	tl := &Timeline{Sources: sources, side: make([]*side, len(sources))}
	var firstErr error
	var total int64
	curs := make([]*cursor, 0, len(sinks))
	spilled := 0
	for _, s := range sinks {
		if s != nil {
			total += s.n
		}
	}
	// Segments of records the sinks are done with, for a merged store in
	// memory to fill.
	pool := &segPool{}
	if total*int64(RecordSize) <= memTimelineSize {
		pool.want = int((total + spillBlock - 1) / spillBlock)
	}
	for i := range sources {
		sd := &side{}
		tl.side[i] = sd
		if i >= len(sinks) || sinks[i] == nil {
			continue
		}
		s := sinks[i]
		if err := s.close(pool); err != nil && firstErr == nil {
			firstErr = fmt.Errorf("%s: %w", sources[i].Path, err)
		}
		sd.heap, sd.strs, sd.txnStore, sd.reread = s.heap, s.strs, s.txnStore, s.reread
		for ri, r := range s.runs {
			c := &cursor{src: int32(i), sink: s, run: r, ri: ri, pool: pool}
			if c.spilled() {
				c.off = r.blocks[0]
				spilled++
			}
			curs = append(curs, c)
		}
	}
	each := cursorRead(spilled)
	read := make([]byte, each*spilled)
	live := curs[:0]
	for _, c := range curs {
		if c.spilled() {
			c.rbuf, read = read[:each:each], read[each:]
		}
		if c.advance() {
			live = append(live, c)
		}
	}
	curs = live
	out := newStoreWriter(total, pool)
	windowed := !w.Since.IsZero() || !w.Until.IsZero()
	since, until := nanos(w.Since), nanos(w.Until)
	kept := make([]int64, len(sources))
	dropped := make([]int64, len(sources))
	firsts := make([]int64, len(sources))
	lasts := make([]int64, len(sources))

	h := cursorHeap(curs)
	h.init()
	for len(h) > 0 {
		c := h[0]
		r := &c.cur
		src := c.src
		if windowed && (since != 0 && r.LastNano() < since || until != 0 && r.T > until) {
			dropped[src]++
		} else {
			r.Src = src
			if kept[src] == 0 || r.T < firsts[src] {
				firsts[src] = r.T
			}
			if l := r.LastNano(); kept[src] == 0 || l > lasts[src] {
				lasts[src] = l
			}
			kept[src]++
			if tl.n == 0 || r.T < tl.first {
				tl.first = r.T
			}
			if l := r.LastNano(); tl.n == 0 || l > tl.last {
				tl.last = l
			}
			tl.n++
			out.add(r)
		}
		if c.advance() {
			h.fix0()
		} else {
			// A finished run's records are in the output now: let them go,
			// so memory holds one copy of the records, not two.
			if c.run.mem != nil {
				c.release((c.run.n - 1) / spillBlock)
			}
			c.sink.runs[c.ri].mem = nil
			c.run.mem, c.rbuf, c.rd = nil, nil, nil
			h.pop0()
		}
	}
	for i, s := range sinks {
		if s == nil {
			continue
		}
		if s.err != nil && firstErr == nil {
			firstErr = fmt.Errorf("%s: %w", sources[i].Path, s.err)
		}
		s.release()
	}
	if err := out.finish(&tl.st); err != nil && firstErr == nil {
		firstErr = err
	}
	for i, s := range sources {
		if i >= len(sinks) || sinks[i] == nil {
			continue
		}
		s.Events = kept[i]
		if kept[i] > 0 {
			s.First, s.Last = unixUTC(firsts[i]), unixUTC(lasts[i])
		} else {
			s.First, s.Last = time.Time{}, time.Time{}
		}
		if dropped[i] > 0 {
			s.Notef(Pos{}, "%d event(s) outside --since/--until left out", dropped[i])
		}
	}
	return tl, firstErr
}

// Build makes a timeline from events in memory: perSource[i] belongs to
// sources[i]. It is the way tests and synthetic data make timelines; each
// event's Raw, or else a frame payload's Bytes, is kept as its own bytes.
func Build(sources []*Source, perSource [][]Event) *Timeline {
	sp := NewSpace()
	sinks := make([]*Sink, len(sources))
	for i := range sources {
		if i >= len(perSource) {
			break
		}
		s := sp.NewSink("")
		for j := range perSource[i] {
			e := &perSource[i][j]
			var frame []byte
			switch p := e.Data.(type) {
			case *ARP:
				frame = p.Bytes
			case *TCP:
				frame = p.Bytes
			}
			if e.Raw == "" && frame != nil {
				s.addKept(e, frame, fFrame, s.Reserve())
			} else {
				s.addKept(e, []byte(e.Raw), 0, s.Reserve())
			}
		}
		sinks[i] = s
	}
	tl, err := Merge(sources, sinks, Window{})
	if err != nil {
		panic(err) // in-memory sinks fail only on unregistered payload types: a programming error
	}
	return tl
}

// cursor reads one sorted run of a sink, with the sink's time shift
// applied: an in-memory run a segment at a time, each segment let go once
// read (the merged store holds its records now), and a spilled run a record
// at a time from a read buffer of its own, sized by Merge from one budget
// for all: a merge of many runs costs no more memory than one of a few.
type cursor struct {
	src  int32
	sink *Sink
	run  run
	ri   int      // the run's index in its sink
	pool *segPool // where an in-memory run's read segments go
	buf  []Record // an in-memory run's records read ahead, not yet current
	next int      // records of the run already read (into buf, or decoded)

	rbuf []byte // a spilled run's read buffer
	rd   []byte // packed bytes in rbuf not yet decoded
	off  int64  // where the next read from the file starts
	raw  Record // the record last decoded, before the shift: what the next is packed against
	cur  Record
}

// Memory a merge reads spilled runs back through, all cursors together (a
// variable for tests), and the least and most one cursor reads at once.
var mergeReadBytes = 8 << 20

const (
	cursorReadMin = 4 << 10
	cursorReadMax = 64 << 10
)

// cursorRead is the read buffer of each of n cursors over spilled runs.
func cursorRead(n int) int {
	return min(max(mergeReadBytes/max(n, 1), cursorReadMin), cursorReadMax)
}

// advance moves to the run's next record; false at its end.
func (c *cursor) advance() bool {
	if c.run.mem != nil {
		if len(c.buf) == 0 {
			if c.next >= c.run.n {
				return false
			}
			k := c.next / spillBlock
			if k > 0 {
				c.release(k - 1)
			}
			c.buf = c.run.mem[k][:min(spillBlock, c.run.n-c.next)]
			c.next += len(c.buf)
		}
		c.cur = c.buf[0]
		c.buf = c.buf[1:]
	} else {
		if c.next >= c.run.n {
			return false
		}
		if c.next%spillBlock == 0 {
			// A block is packed from an all-zero record, and starts where
			// the run's index says.
			c.raw = Record{}
			if at := c.off - int64(len(c.rd)); at != c.run.blocks[c.next/spillBlock] {
				c.sink.fail(fmt.Errorf("reading back a spill file: a block at %d, not %d", at, c.run.blocks[c.next/spillBlock]))
				return false
			}
		}
		if len(c.rd) < maxPackedRecord && !c.fill() {
			return false
		}
		n, err := unpackRecord(c.rd, recordWordsOf(&c.raw))
		if err != nil {
			c.sink.fail(fmt.Errorf("reading back a spill file at %d: %w", c.off-int64(len(c.rd)), err))
			return false
		}
		c.rd = c.rd[n:]
		c.next++
		c.cur = c.raw
	}
	if f := c.sink.shift; f != nil {
		c.cur.T = nanos(f(unixUTC(c.cur.T)))
		if c.cur.End != 0 {
			c.cur.End = nanos(f(unixUTC(c.cur.End)))
		}
	}
	return true
}

// spilled reports a run read back from the sink's file (not empty, not in
// memory).
func (c *cursor) spilled() bool { return c.run.mem == nil && c.run.n > 0 }

// release hands the in-memory run's segment k, read, to the merged store.
func (c *cursor) release(k int) {
	c.pool.put(c.run.mem[k])
	c.run.mem[k] = nil
}

// fill reads the run's next bytes behind those not yet decoded, as many as
// the buffer holds; false after a read error.
func (c *cursor) fill() bool {
	end := c.run.blocks[len(c.run.blocks)-1]
	if c.off >= end {
		return true
	}
	kept := copy(c.rbuf, c.rd)
	n := min(int64(len(c.rbuf)-kept), end-c.off)
	if err := c.sink.file.readAt(c.rbuf[kept:kept+int(n)], c.off); err != nil {
		c.sink.fail(fmt.Errorf("reading back a spill file: %w", err))
		return false
	}
	c.off += n
	c.rd = c.rbuf[:kept+int(n)]
	return true
}

// cursorHeap is a min-heap of cursors by their current record.
type cursorHeap []*cursor

func (h cursorHeap) less(i, j int) bool {
	a, b := &h[i].cur, &h[j].cur
	if a.T != b.T {
		return a.T < b.T
	}
	if h[i].src != h[j].src {
		return h[i].src < h[j].src
	}
	return cmpRecordP(a, b) < 0
}

func (h cursorHeap) init() {
	for i := len(h)/2 - 1; i >= 0; i-- {
		h.down(i)
	}
}

func (h cursorHeap) down(i int) {
	for {
		l := 2*i + 1
		if l >= len(h) {
			return
		}
		m := l
		if r := l + 1; r < len(h) && h.less(r, l) {
			m = r
		}
		if !h.less(m, i) {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}

func (h cursorHeap) fix0() { h.down(0) }

func (h *cursorHeap) pop0() {
	old := *h
	n := len(old) - 1
	old[0] = old[n]
	old[n] = nil
	*h = old[:n]
	h.down(0)
}
