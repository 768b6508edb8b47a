package timeline

import (
	"encoding/binary"
	"fmt"
	"math/bits"
	"slices"
	"sync"
)

// store holds a merged timeline's records: in memory when they are few, else
// in a spill file read through a small cache of chunks. It is safe for
// concurrent readers.
type store struct {
	n    int
	all  KindSet    // every kind the store holds
	mem  [][]Record // segments of spillBlock records, all full but the last
	file *appendFile
	// index[c] is where packed chunk c starts in file; the last entry is
	// the file's end. kinds[c] is the kinds chunk c holds: a pass over some
	// kinds reads only the chunks that hold them, and decodes only their
	// records (a chunk packs each kind's records apart, see flush).
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
	// have is the records decoded: a read decodes only the block of its
	// record's kind (a finding's evidence is mostly one kind; a chunk of a
	// busy capture is nine tenths usage runs).
	have chunkSet
	used bool
}

// Random reads (a view's rows, a finding's evidence, binary searches by
// time) touch one record per chunk: small chunks keep each such read cheap;
// sequential passes use scan, which bypasses the cache.
const (
	cacheChunkRecords = 128 // 21 KB a chunk
	cacheChunks       = 768 // about 16 MB of records cached
)

// chunkSet is a set of a chunk's records, by position.
type chunkSet [cacheChunkRecords / 64]uint64

// A chunk's positions must fill whole words of its set.
var _ [cacheChunkRecords % 64]struct{} = [0]struct{}{}

func (a *chunkSet) add(j int) { a[j/64] |= 1 << (j % 64) }

func (a chunkSet) has(j int) bool { return a[j/64]&(1<<(j%64)) != 0 }

func (a chunkSet) or(b chunkSet) chunkSet {
	for k := range a {
		a[k] |= b[k]
	}
	return a
}

func (a chunkSet) meets(b chunkSet) bool {
	for k := range a {
		if a[k]&b[k] != 0 {
			return true
		}
	}
	return false
}

// groupHeader is the bytes before each kind's records in a packed chunk:
// the kind, the positions its records take in the chunk (chunkSet, little
// endian words), and the length of the packed records that follow.
const groupHeader = 1 + 8*len(chunkSet{}) + 4

// storeWriter fills a store in timeline order. In memory it fills
// segments the sinks have done with (pool) before it makes new ones, so
// the merged records take the place of the sinks' instead of adding to it.
type storeWriter struct {
	mem   [][]Record
	pool  *segPool
	total int
	file  *appendFile
	// groups[k] is the current chunk's records of kind k, at[k] the
	// positions they take in it; inChunk is how many records it holds.
	groups  [32][]Record
	at      [32]chunkSet
	inChunk int
	packed  []byte
	index   []int64
	kinds   []KindSet
	all     KindSet
	n       int
}

func newStoreWriter(total int64, pool *segPool) *storeWriter {
	if total*int64(RecordSize) <= memTimelineSize {
		return &storeWriter{mem: make([][]Record, 0, (total+spillBlock-1)/spillBlock), pool: pool, total: int(total)}
	}
	return &storeWriter{file: &appendFile{}}
}

func (w *storeWriter) add(r *Record) {
	w.all |= KindSet(1) << r.Kind
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
	g := &w.groups[r.Kind]
	if *g == nil {
		*g = make([]Record, 0, cacheChunkRecords)
	}
	*g = append(*g, *r)
	w.at[r.Kind].add(w.inChunk)
	if w.inChunk++; w.inChunk == cacheChunkRecords {
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

// flush packs the buffered records as one chunk: each kind's records as a
// block of their own, in kind order, after a groupHeader. A pass over some
// kinds decodes only theirs (on a busy capture a pass over ARP skips the
// nine tenths of each chunk that are usage runs and handshakes), and a
// record packs against the last one of its kind, which it resembles more.
func (w *storeWriter) flush() {
	if w.inChunk == 0 {
		return
	}
	w.packed = w.packed[:0]
	var ks KindSet
	for k := range w.groups {
		g := w.groups[k]
		if len(g) == 0 {
			continue
		}
		ks |= KindSet(1) << k
		w.packed = append(w.packed, byte(k))
		for _, m := range w.at[k] {
			w.packed = binary.LittleEndian.AppendUint64(w.packed, m)
		}
		n := len(w.packed)
		w.packed = packRecords(append(w.packed, 0, 0, 0, 0), g)
		binary.LittleEndian.PutUint32(w.packed[n:], uint32(len(w.packed)-n-4))
		w.groups[k], w.at[k] = g[:0], chunkSet{}
	}
	w.index = append(w.index, w.file.write(w.packed))
	w.kinds = append(w.kinds, ks)
	w.inChunk = 0
}

func (w *storeWriter) finish(s *store) error {
	s.n, s.all = w.n, w.all
	if w.file == nil {
		s.mem = w.mem
		if k := len(s.mem) - 1; k >= 0 {
			s.mem[k] = s.mem[k][:w.n-k*spillBlock]
		}
		return nil
	}
	w.flush()
	w.groups, w.packed = [32][]Record{}, nil
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
	c, j := i/cacheChunkRecords, i%cacheChunkRecords
	s.mu.Lock()
	defer s.mu.Unlock()
	ch := s.chunks[c]
	if ch == nil {
		ch = s.slot(c)
	}
	if !ch.have.has(j) {
		s.load(ch, j)
	}
	ch.used = true
	return ch.recs[j]
}

// load reads chunk ch.c and decodes the records of record j's kind into
// ch. Called with mu held.
func (s *store) load(ch *cacheChunk, j int) {
	s.packed = s.readChunks(s.packed, ch.c, ch.c+1)
	got := s.unpack(s.packed, ch.c, ch.recs, func(_ Kind, at chunkSet) bool { return at.has(j) })
	if !got.has(j) {
		panic(fmt.Sprintf("timeline: reading the spilled timeline at %d: %v", s.index[ch.c], errPackedDamaged))
	}
	ch.have = ch.have.or(got)
}

// slot is a cache entry for chunk c, with nothing decoded yet: a new one,
// or one not used lately when the cache is full. Called with mu held.
func (s *store) slot(c int) *cacheChunk {
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
	ch.c, ch.have = c, chunkSet{}
	ch.recs = ch.recs[:cap(ch.recs)][:min(cacheChunkRecords, s.n-c*cacheChunkRecords)]
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

// unpack decodes the blocks of chunk c (packed in p) that want takes, given
// their kind and positions, into their places in recs, and returns the
// positions it filled.
func (s *store) unpack(p []byte, c int, recs []Record, want func(Kind, chunkSet) bool) chunkSet {
	var have chunkSet
	fail := func(err error) {
		panic(fmt.Sprintf("timeline: reading the spilled timeline at %d: %v", s.index[c], err))
	}
	for len(p) > 0 {
		if len(p) < groupHeader {
			fail(errPackedCut)
		}
		k := Kind(p[0])
		var at chunkSet
		for j := range at {
			at[j] = binary.LittleEndian.Uint64(p[1+8*j:])
		}
		n := int(binary.LittleEndian.Uint32(p[groupHeader-4:]))
		p = p[groupHeader:]
		if n > len(p) || at.meets(have) {
			fail(errPackedDamaged)
		}
		if want(k, at) {
			used, err := unpackRecordsAt(p[:n], recs, at)
			if err == nil && used != n {
				err = errPackedDamaged
			}
			if err != nil {
				fail(err)
			}
			have = have.or(at)
		}
		p = p[n:]
	}
	return have
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
	holds := func(c int) bool { return ks == 0 || s.kinds[c]&ks != 0 }
	wanted := func(k Kind, _ chunkSet) bool { return ks.Has(k) }
	recs := make([]Record, cacheChunkRecords)
	var packed []byte
	last := (to - 1) / cacheChunkRecords
	for c := from / cacheChunkRecords; c <= last; {
		if !holds(c) {
			c++
			continue
		}
		upto := c + 1
		for upto <= last && upto-c < scanChunks && holds(upto) {
			upto++
		}
		packed = s.readChunks(packed, c, upto)
		base := s.index[c]
		for ; c < upto; c++ {
			first := c * cacheChunkRecords
			b := recs[:min(cacheChunkRecords, s.n-first)]
			have := s.unpack(packed[s.index[c]-base:s.index[c+1]-base], c, b, wanted)
			for k, m := range have {
				for ; m != 0; m &= m - 1 {
					j := first + k*64 + bits.TrailingZeros64(m)
					if j >= to {
						return
					}
					if j >= from && !fn(j, &b[j-first]) {
						return
					}
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
