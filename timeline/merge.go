package timeline

import (
	"fmt"
	"slices"
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
	for i := range sources {
		sd := &side{}
		tl.side[i] = sd
		if i >= len(sinks) || sinks[i] == nil {
			continue
		}
		s := sinks[i]
		if err := s.close(); err != nil && firstErr == nil {
			firstErr = fmt.Errorf("%s: %w", sources[i].Path, err)
		}
		sd.heap, sd.strs, sd.txnStore, sd.reread = s.heap, s.strs, s.txnStore, s.reread
		for ri, r := range s.runs {
			c := &cursor{src: int32(i), sink: s, run: r, ri: ri}
			if c.advance() {
				curs = append(curs, c)
			}
		}
		total += s.n
	}
	out := newStoreWriter(total)
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
			c.sink.runs[c.ri].mem = nil
			c.run.mem, c.back, c.packed = nil, nil, nil
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

// cursor reads one sorted run of a sink, a buffer at a time, with the sink's
// time shift applied.
type cursor struct {
	src    int32
	sink   *Sink
	run    run
	ri     int      // the run's index in its sink
	buf    []Record // records read ahead, not yet current
	back   []Record // buf's storage, reused for every read
	packed []byte   // a block as read from the file
	next   int      // records of the run already read into buf
	cur    Record
}

// advance moves to the run's next record; false at its end.
func (c *cursor) advance() bool {
	if len(c.buf) == 0 {
		if c.next >= c.run.n {
			return false
		}
		if c.run.mem != nil {
			c.buf = c.run.mem[c.next:]
			c.next = c.run.n
		} else {
			n := min(spillBlock, c.run.n-c.next)
			if c.back == nil {
				c.back = make([]Record, spillBlock)
			}
			c.buf = c.back[:n]
			k := c.next / spillBlock
			from, to := c.run.blocks[k], c.run.blocks[k+1]
			c.packed = slices.Grow(c.packed[:0], int(to-from))[:to-from]
			if err := c.sink.file.readAt(c.packed, from); err != nil {
				c.sink.fail(fmt.Errorf("reading back a spill file: %w", err))
				return false
			}
			if _, err := unpackRecords(c.packed, c.buf); err != nil {
				c.sink.fail(fmt.Errorf("reading back a spill file at %d: %w", from, err))
				return false
			}
			c.next += n
		}
	}
	c.cur = c.buf[0]
	c.buf = c.buf[1:]
	if f := c.sink.shift; f != nil {
		c.cur.T = nanos(f(unixUTC(c.cur.T)))
		if c.cur.End != 0 {
			c.cur.End = nanos(f(unixUTC(c.cur.End)))
		}
	}
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
