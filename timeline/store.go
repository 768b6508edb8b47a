package timeline

import (
	"fmt"
	"slices"
	"sync"
)

// store holds a merged timeline's records: in memory when they are few, else
// in a spill file read through a small cache of chunks. It is safe for
// concurrent readers.
type store struct {
	n    int
	mem  [][]Record // segments of spillBlock records, all full but the last
	file *appendFile
	// index[c] is where packed chunk c starts in file; the last entry is
	// the file's end. kinds[c] is the kinds chunk c holds: a pass over some
	// kinds reads only the chunks that hold them.
	index []int64
	kinds []KindSet

	mu     sync.Mutex
	chunks map[int]*cacheChunk
	ring   []*cacheChunk // the cached chunks, swept by hand for eviction
	hand   int
	packed []byte // a chunk as read, under mu
}

// cacheChunk is a cached chunk. Eviction is CLOCK (second chance): the hand
// sweeps the ring clearing used, and takes the first chunk not used since
// its last pass. It approximates least-recently-used at a constant cost
// per load; finding the true oldest scanned all 768 chunks each time, a
// tenth of a millisecond per evidence read once the cache was full.
type cacheChunk struct {
	c    int // the chunk's number
	recs []Record
	used bool
}

// Random reads (a view's rows, a finding's evidence, binary searches by
// time) touch one record per chunk: small chunks keep each such read cheap;
// sequential passes use scan, which bypasses the cache.
const (
	cacheChunkRecords = 128 // 21 KB a chunk
	cacheChunks       = 768 // about 16 MB of records cached
)

// storeWriter fills a store in timeline order. In memory it fills
// segments the sinks have done with (pool) before it makes new ones, so
// the merged records take the place of the sinks' instead of adding to it.
type storeWriter struct {
	mem    [][]Record
	pool   *segPool
	total  int
	file   *appendFile
	buf    []Record
	packed []byte
	index  []int64
	kinds  []KindSet
	n      int
}

func newStoreWriter(total int64, pool *segPool) *storeWriter {
	if total*int64(RecordSize) <= memTimelineSize {
		return &storeWriter{mem: make([][]Record, 0, (total+spillBlock-1)/spillBlock), pool: pool, total: int(total)}
	}
	return &storeWriter{file: &appendFile{}, buf: make([]Record, 0, cacheChunkRecords)}
}

func (w *storeWriter) add(r *Record) {
	if w.file == nil {
		i := w.n % spillBlock
		if i == 0 {
			w.mem = append(w.mem, w.segment())
		}
		w.mem[len(w.mem)-1][i] = *r
		w.n++
		return
	}
	w.n++
	w.buf = append(w.buf, *r)
	if len(w.buf) == cap(w.buf) {
		w.flush()
	}
}

// segment is room for the next spillBlock records (fewer at the end).
func (w *storeWriter) segment() []Record {
	if seg := w.pool.take(); seg != nil {
		return seg
	}
	return make([]Record, min(spillBlock, w.total-w.n))
}

// segPool holds segments of spillBlock records a merge's sinks are done
// with, up to the want the merged store will fill; the rest are let go.
type segPool struct {
	segs [][]Record
	want int
}

func (p *segPool) put(seg []Record) {
	if len(seg) == spillBlock && len(p.segs) < p.want {
		p.segs = append(p.segs, seg)
	}
}

func (p *segPool) take() []Record {
	n := len(p.segs)
	if n == 0 {
		return nil
	}
	seg := p.segs[n-1]
	p.segs[n-1] = nil
	p.segs = p.segs[:n-1]
	p.want--
	return seg
}

// flush packs the buffered records as one chunk.
func (w *storeWriter) flush() {
	if len(w.buf) == 0 {
		return
	}
	w.packed = packRecords(w.packed[:0], w.buf)
	w.index = append(w.index, w.file.write(w.packed))
	var ks KindSet
	for i := range w.buf {
		ks |= KindSet(1) << w.buf[i].Kind
	}
	w.kinds = append(w.kinds, ks)
	w.buf = w.buf[:0]
}

func (w *storeWriter) finish(s *store) error {
	s.n = w.n
	if w.file == nil {
		s.mem = w.mem
		if k := len(s.mem) - 1; k >= 0 {
			s.mem[k] = s.mem[k][:w.n-k*spillBlock]
		}
		return nil
	}
	w.flush()
	w.buf, w.packed = nil, nil
	s.index = append(slices.Clip(w.index), w.file.size())
	s.kinds = slices.Clip(w.kinds)
	s.file = w.file
	s.chunks = map[int]*cacheChunk{}
	if err := s.file.seal(); err != nil {
		return fmt.Errorf("writing the timeline: %w", err)
	}
	return nil
}

// at returns record i.
func (s *store) at(i int) Record {
	if s.file == nil {
		return s.mem[i/spillBlock][i%spillBlock]
	}
	c := i / cacheChunkRecords
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.chunks[c]
	if ch == nil {
		ch = s.load(c)
	}
	ch.used = true
	return ch.recs[i-c*cacheChunkRecords]
}

// load reads chunk c, evicting one not used lately when the cache is full.
// Called with mu held.
func (s *store) load(c int) *cacheChunk {
	var ch *cacheChunk
	if len(s.ring) >= cacheChunks {
		for s.ring[s.hand].used {
			s.ring[s.hand].used = false
			s.hand = (s.hand + 1) % len(s.ring)
		}
		ch = s.ring[s.hand]
		s.hand = (s.hand + 1) % len(s.ring)
		delete(s.chunks, ch.c)
	} else {
		ch = &cacheChunk{recs: make([]Record, cacheChunkRecords)}
		s.ring = append(s.ring, ch)
	}
	ch.c = c
	n := min(cacheChunkRecords, s.n-c*cacheChunkRecords)
	ch.recs = ch.recs[:cap(ch.recs)][:n]
	s.packed = s.readChunks(s.packed, c, c+1)
	s.unpack(s.packed, c, ch.recs)
	s.chunks[c] = ch
	return ch
}

// readChunks reads packed chunks from..to-1 into buf.
func (s *store) readChunks(buf []byte, from, to int) []byte {
	off, end := s.index[from], s.index[to]
	buf = slices.Grow(buf[:0], int(end-off))[:end-off]
	if err := s.file.readAt(buf, off); err != nil {
		// The spill file is the process's own; failing to read it back is
		// an I/O error the run cannot recover from.
		panic(fmt.Sprintf("timeline: reading the spilled timeline: %v", err))
	}
	return buf
}

// unpack decodes chunk c from the start of p into recs and returns how many
// bytes of p it took.
func (s *store) unpack(p []byte, c int, recs []Record) int {
	n, err := unpackRecords(p, recs)
	if err != nil {
		panic(fmt.Sprintf("timeline: reading the spilled timeline at %d: %v", s.index[c], err))
	}
	return n
}

// scan calls fn for the records from..to-1 of the kinds in ks (all when ks
// is 0), in order, until fn returns false. The record is valid during the
// call only. Sequential reads bypass the cache, and skip the chunks that
// hold none of ks without reading them.
func (s *store) scan(from, to int, ks KindSet, fn func(i int, r *Record) bool) {
	from, to = max(from, 0), min(to, s.n)
	if s.file == nil {
		for k := from / spillBlock; k*spillBlock < to; k++ {
			seg, first := s.mem[k], k*spillBlock
			for j := max(from-first, 0); j < len(seg) && first+j < to; j++ {
				if ks.Has(seg[j].Kind) && !fn(first+j, &seg[j]) {
					return
				}
			}
		}
		return
	}
	wanted := func(c int) bool { return ks == 0 || s.kinds[c]&ks != 0 }
	recs := make([]Record, cacheChunkRecords)
	var packed []byte
	last := (to - 1) / cacheChunkRecords
	for c := from / cacheChunkRecords; c <= last; {
		if !wanted(c) {
			c++
			continue
		}
		upto := c + 1
		for upto <= last && upto-c < scanChunks && wanted(upto) {
			upto++
		}
		packed = s.readChunks(packed, c, upto)
		p := packed
		for ; c < upto; c++ {
			first := c * cacheChunkRecords
			b := recs[:min(cacheChunkRecords, s.n-first)]
			p = p[s.unpack(p, c, b):]
			for j := max(from-first, 0); j < len(b) && first+j < to; j++ {
				if ks.Has(b[j].Kind) && !fn(first+j, &b[j]) {
					return
				}
			}
		}
	}
}

// scanChunks is how many chunks a sequential pass reads at once (about
// 0.5 to 2.5 MB of packed records).
const scanChunks = 128

// close releases the spill file.
func (s *store) close() {
	if s.file != nil {
		s.file.close()
	}
}
