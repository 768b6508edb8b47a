package timeline

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Memory the store keeps records in, per analysis (Space). Past these, records
// go to spill files; the merged timeline is read back through a small cache.
// Variables only so that tests can make everything spill.
var (
	chunkRecords          = 8 << 10  // records a source buffers before it sorts and spills them (1.4 MB)
	residentBytes   int64 = 48 << 20 // finished sources' records kept in memory, all sources together
	memTimelineSize int64 = 16 << 20 // a merged timeline this small stays in memory (what the cache of a spilled one holds)
	heapMemBytes          = 1 << 20  // a source's heap this small stays in memory
)

// maxRawLen is the longest own text or frame an event keeps (libpcap's
// largest snapshot length).
const maxRawLen = 256 << 10

// Space is one analysis' storage: the memory budget its sources share and
// the spill files they write. Make one per run with NewSpace, a Sink per
// source from it, then Merge the sinks into a Timeline.
type Space struct {
	resident budget
}

// NewSpace starts an empty space.
func NewSpace() *Space { return &Space{resident: budget{left: residentBytes}} }

// Sink receives one source's events from its parser, in any order, and keeps
// them for Merge: in memory while they are few, else as sorted runs in a
// spill file. It also keeps the source's heap (rich payloads, and the text
// of a source that cannot be re-read) and its string table. A Sink is used
// by one goroutine.
type Sink struct {
	space  *Space
	reread string // file the events' own bytes can be re-read from at Pos.Offset; "" when they are kept in the heap

	recs chunk // the current chunk, unsorted
	runs []run // sorted runs, in memory or in file
	file appendFile
	held int64 // resident budget this sink holds

	heap     heap
	strs     strtab
	txnStore *TxnStore
	scratch  []byte
	json     bytes.Buffer  // encodes rich payloads without a type of their own
	jsonEnc  *json.Encoder // into json
	packed   []byte        // a block being spilled (the spiller's)
	keys     []sortKey     // the spiller's sort keys
	sp       *spiller      // writes full chunks in the background; nil until the first

	seq         uint32
	n           int64
	first, last int64 // span of the events' times (LastNano)
	shift       func(time.Time) time.Time
	err         error
	fp          uint64 // sum of the fingerprints of the records in runs (Fingerprint); the spiller's

	// Events whose time the timeline cannot hold (see Storable) are left
	// out and counted: a damaged record or a clock gone wrong.
	badTimes     int64
	firstBadTime time.Time
	firstBadPos  Pos
}

// Storable reports whether t is the zero time ("no time") or within the
// years the timeline holds, 1823 to 2116 (±2^62 ns around 1970). Anything
// outside comes from a damaged record or a clock gone wrong, and would
// print as no valid RFC 3339 time.
func Storable(t time.Time) bool {
	if t.IsZero() {
		return true
	}
	s := t.Unix()
	return s >= minStorable && s <= maxStorable
}

const (
	minStorable = -(1 << 62) / 1_000_000_000
	maxStorable = (1 << 62) / 1_000_000_000
)

// BadTimes is how many events were left out for a time the timeline cannot
// hold, with the first one's time and position.
func (s *Sink) BadTimes() (n int64, first time.Time, pos Pos) {
	return s.badTimes, s.firstBadTime, s.firstBadPos
}

// run is a sorted stretch of a sink's records: in memory (mem, segments of
// spillBlock records as the chunk gathered them) or packed in the sink's
// file, a block of spillBlock records at each of blocks (the last entry is
// where the run ends).
type run struct {
	mem    [][]Record
	blocks []int64
	n      int
}

// spillBlock is the records of a run packed together, and of a chunk's
// segment.
const spillBlock = 1024

// chunk is the records a sink gathers before it sorts and spills them, in
// segments of spillBlock records (all full but the last): a chunk grows
// without copying itself, so it never holds the garbage of a doubled slice,
// and a spilled chunk's segments are refilled one by one, so a sink whose
// spiller keeps up holds about one chunk, not two. The first segment grows
// from small, so a source of a few events costs a few records' memory.
type chunk struct {
	segs [][]Record
	n    int
}

func (c *chunk) at(i int) *Record { return &c.segs[i/spillBlock][i%spillBlock] }

// seg is the records of segment k.
func (c *chunk) seg(k int) []Record { return c.segs[k][:min(spillBlock, c.n-k*spillBlock)] }

// NewSink starts a sink for one source. reread names the file the source's
// bytes can be read again from at the offsets its parser records (a plain
// file read from its start); "" keeps each event's own bytes in the heap
// instead (compressed input, a stream).
func (sp *Space) NewSink(reread string) *Sink {
	return &Sink{space: sp, reread: reread}
}

// Reserve hands out the creation number of an event the parser will Add
// later (one still being folded), so that it keeps its place among events
// of equal time and position.
func (s *Sink) Reserve() uint32 {
	s.seq++
	return s.seq - 1
}

// Add records an event. raw is the artifact's own text of the event (its
// line, without the line ending) exactly as it stands in the source at
// e.Pos.Offset, or nil; it is not retained.
func (s *Sink) Add(e *Event, raw []byte) { s.add(e, raw, 0, s.Reserve()) }

// AddFrame records a frame's event; frame is the captured bytes at
// e.Pos.Offset (nil for frames that need none for display).
func (s *Sink) AddFrame(e *Event, frame []byte) { s.add(e, frame, fFrame, s.Reserve()) }

// AddFrameKept records a frame's event whose bytes cannot be found again at
// e.Pos.Offset: they are kept in the heap.
func (s *Sink) AddFrameKept(e *Event, frame []byte) { s.addKept(e, frame, fFrame, s.Reserve()) }

// AddReserved records an event under a number from Reserve.
func (s *Sink) AddReserved(seq uint32, e *Event, raw []byte) { s.add(e, raw, 0, seq) }

// AddReservedText is AddText under a number from Reserve.
func (s *Sink) AddReservedText(seq uint32, e *Event, text []byte) { s.addKept(e, text, 0, seq) }

// AddText records an event whose text is not a verbatim stretch of the
// source (joined continuation lines): it is kept in the heap.
func (s *Sink) AddText(e *Event, text []byte) { s.addKept(e, text, 0, s.Reserve()) }

func (s *Sink) add(e *Event, raw []byte, flags uint16, seq uint32) {
	s.store(e, raw, flags, seq, s.reread == "")
}

func (s *Sink) addKept(e *Event, raw []byte, flags uint16, seq uint32) {
	s.store(e, raw, flags, seq, true)
}

// store makes e's record. Its own bytes raw are at e.Pos.Offset in the
// source; keep copies them into the heap, for sources that cannot be read
// again by offset or texts that are not a verbatim stretch of the source.
func (s *Sink) store(e *Event, raw []byte, flags uint16, seq uint32, keep bool) {
	if !Storable(e.Time) || !Storable(e.End) {
		if s.badTimes == 0 {
			s.firstBadTime, s.firstBadPos = e.Time, e.Pos
			if Storable(e.Time) {
				s.firstBadTime = e.End
			}
		}
		s.badTimes++
		return
	}
	r := s.next()
	blob, rich, err := s.encode(e, r, s.scratch[:0])
	s.scratch = blob
	if err != nil {
		s.fail(err)
		s.recs.n--
		return
	}
	r.Seq = seq
	raw = raw[:min(len(raw), maxRawLen)]
	if len(raw) > 0 {
		r.Flags |= flags
		r.Len = uint32(len(raw))
	}
	if !rich {
		blob = nil
	}
	if !keep {
		raw = nil
	}
	if rich || len(raw) > 0 {
		r.Ref = s.heap.put(blob, raw)
	}
	s.count(r)
}

// next is a zeroed record at the end of the chunk.
func (s *Sink) next() *Record {
	c := &s.recs
	if c.n >= chunkRecords {
		s.spill()
	}
	k, i := c.n/spillBlock, c.n%spillBlock
	switch {
	case k == len(c.segs):
		c.segs = append(c.segs, s.segment(k))
	case i == len(c.segs[k]):
		// Only a first segment is short: double it.
		c.segs[k] = slices.Grow(c.segs[k], len(c.segs[k]))[:min(2*len(c.segs[k]), spillBlock)]
	}
	c.n++
	r := &c.segs[k][i]
	*r = Record{}
	return r
}

// segment is an empty segment for the chunk's segment k: one the spiller has
// written out, or a new one (short if it is the sink's first).
func (s *Sink) segment(k int) []Record {
	if sp := s.sp; sp != nil {
		sp.mu.Lock()
		n := len(sp.spare)
		var seg []Record
		if n > 0 {
			seg, sp.spare[n-1] = sp.spare[n-1], nil
			sp.spare = sp.spare[:n-1]
		}
		sp.mu.Unlock()
		if seg != nil {
			return seg
		}
	}
	if k == 0 && s.sp == nil {
		return make([]Record, 64)
	}
	return make([]Record, spillBlock)
}

func (s *Sink) count(r *Record) {
	s.n++
	if s.n == 1 || r.T < s.first {
		s.first = r.T
	}
	if l := r.LastNano(); s.n == 1 || l > s.last {
		s.last = l
	}
}

func (s *Sink) fail(err error) {
	if s.err == nil {
		s.err = err
	}
}

// Err is the first thing that went wrong storing events (a full disk, an
// unregistered payload type); the events it concerns are lost.
func (s *Sink) Err() error {
	s.waitSpills()
	if s.err != nil {
		return s.err
	}
	if s.file.err != nil {
		return s.file.err
	}
	return s.heap.file.err
}

// Len is how many events the sink holds.
func (s *Sink) Len() int64 { return s.n }

// Span is the time of the first event and the last moment any covers, as
// they will be once merged (Shift applied); zero times when empty.
func (s *Sink) Span() (first, last time.Time) {
	if s.n == 0 {
		return
	}
	first, last = unixUTC(s.first), unixUTC(s.last)
	if s.shift != nil {
		first, last = s.shift(first), s.shift(last)
	}
	return first, last
}

// Shift rewrites every event's time through f when the timeline is merged
// (clock offsets, a year or date anchored afterwards). f must keep order.
func (s *Sink) Shift(f func(time.Time) time.Time) {
	if prev := s.shift; prev != nil {
		s.shift = func(t time.Time) time.Time { return f(prev(t)) }
	} else {
		s.shift = f
	}
}

// sortKey is a record's time and index, what a chunk is sorted by.
type sortKey struct {
	t int64
	i int32
}

// sortChunk orders one source's records: by time, then position, then
// creation. keys is scratch space; the grown one is returned.
func sortChunk(c *chunk, keys []sortKey) []sortKey {
	sorted := true
	for i := 1; i < c.n && sorted; i++ {
		sorted = cmpRecordP(c.at(i-1), c.at(i)) <= 0
	}
	if sorted {
		return keys
	}
	// Sort small keys, not the 168-byte records, then move each record
	// once, in place: a copy of the chunk to move them from would be as
	// large again as the chunk, on top of the one the parser is filling.
	keys = slices.Grow(keys[:0], c.n)[:c.n]
	for i := range keys {
		keys[i] = sortKey{c.at(i).T, int32(i)}
	}
	slices.SortFunc(keys, func(a, b sortKey) int {
		if a.t != b.t {
			return cmp.Compare(a.t, b.t)
		}
		return cmpRecordP(c.at(int(a.i)), c.at(int(b.i)))
	})
	// Record j takes the record at keys[j].i: follow each cycle of the
	// permutation, holding one record aside; a done key is marked -1.
	for j := range keys {
		if keys[j].i < 0 {
			continue
		}
		aside := *c.at(j)
		k := j
		for {
			from := int(keys[k].i)
			keys[k].i = -1
			if from == j {
				*c.at(k) = aside
				break
			}
			*c.at(k) = *c.at(from)
			k = from
		}
	}
	return keys
}

func cmpRecordP(a, b *Record) int {
	switch {
	case a.T < b.T:
		return -1
	case a.T > b.T:
		return 1
	case a.Pos.Less(b.Pos):
		return -1
	case b.Pos.Less(a.Pos):
		return 1
	case a.Seq < b.Seq:
		return -1
	case a.Seq > b.Seq:
		return 1
	}
	return 0
}

// spiller sorts, packs and writes a sink's full chunks on a goroutine of its
// own while the parser fills the next chunk: on traffic that does not fold
// that is a sixth of the parser's work, moved to the other core. The
// segments of a chunk it has written are the parser's to refill, so a sink
// holds one chunk and what the parser gathers while the spiller works.
type spiller struct {
	jobs    chan chunk // unbuffered: a parser ahead of the disk waits
	pending sync.WaitGroup
	mu      sync.Mutex
	spare   [][]Record // written segments, for the parser to refill
}

// spill hands the full chunk to the spiller and goes on with an empty one.
func (s *Sink) spill() {
	if s.recs.n == 0 {
		return
	}
	if s.sp == nil {
		s.sp = &spiller{jobs: make(chan chunk)}
		go s.spillLoop(s.sp)
	}
	s.sp.pending.Add(1)
	s.sp.jobs <- s.recs
	s.recs = chunk{segs: make([][]Record, 0, (chunkRecords+spillBlock-1)/spillBlock)}
}

func (s *Sink) spillLoop(sp *spiller) {
	for c := range sp.jobs {
		s.writeRun(&c)
		sp.mu.Lock()
		for _, seg := range c.segs {
			if len(seg) == spillBlock {
				sp.spare = append(sp.spare, seg)
			}
		}
		sp.mu.Unlock()
		sp.pending.Done()
	}
}

// waitSpills returns once every chunk handed to the spiller is written.
func (s *Sink) waitSpills() {
	if s.sp != nil {
		s.sp.pending.Wait()
	}
}

// stopSpiller ends the spiller's goroutine once its chunks are written.
func (s *Sink) stopSpiller() {
	if s.sp != nil {
		s.sp.pending.Wait()
		close(s.sp.jobs)
		s.sp = nil
	}
}

// writeRun sorts a chunk and writes it out as a run, a block a segment.
func (s *Sink) writeRun(c *chunk) {
	s.fp += chunkPrint(c)
	s.keys = sortChunk(c, s.keys)
	blocks := make([]int64, 0, len(c.segs)+1)
	for k := range c.segs {
		s.packed = packRecords(s.packed[:0], c.seg(k))
		blocks = append(blocks, s.file.write(s.packed))
	}
	blocks = append(blocks, s.file.size())
	s.runs = append(s.runs, run{blocks: blocks, n: c.n})
}

// recordPrint hashes what two sources of the same traffic or log agree on
// for an event: its kind and class, time of day, duration and addresses. Not the
// year (a year-less source is re-anchored later), not the position or the
// body (interned strings and the text/frame flags differ by source).
func recordPrint(r *Record) uint64 {
	const day = int64(24 * time.Hour)
	tod := r.T % day
	if tod < 0 {
		tod += day
	}
	var dur int64
	if r.End != 0 {
		dur = r.End - r.T
	}
	h := uint64(tod)*0x9e3779b97f4a7c15 ^ uint64(dur)*0xc2b2ae3d27d4eb4f ^ uint64(r.Kind)<<56 ^ uint64(r.Sub)<<48
	// The body's first 22 bytes are addresses in every compact kind (MACs
	// and IPv4s of ARP, usage and TCP; the neighbour's IP and MAC), never
	// a string id; rich kinds leave them zero.
	b := r.Body[:]
	h ^= binary.LittleEndian.Uint64(b[0:8])*0xd6e8feb86659fd93 ^ binary.LittleEndian.Uint64(b[8:16])*0xa0761d6478bd642f ^
		uint64(binary.LittleEndian.Uint32(b[16:20]))*0xe7037ed1a0b428db ^ uint64(binary.LittleEndian.Uint16(b[20:22]))<<32
	h ^= h >> 31
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 29
	return h
}

// chunkPrint is the sum of the prints of c's records.
func chunkPrint(c *chunk) uint64 {
	var sum uint64
	for k := range c.segs {
		for i := range c.seg(k) {
			sum += recordPrint(&c.segs[k][i])
		}
	}
	return sum
}

// Fingerprint identifies the sink's events as a multiset, whatever order
// they came in: their count and the sum of their prints. Two sources of one
// host with equal fingerprints hold the same events (a capture and its
// tcpdump text, a journal unit and its screen-*.txt). The prints are summed
// as chunks are spilled, on the spiller's goroutine: on a capture that does
// not fold, hashing every record as it was added was a tenth of the
// parser's work, and only a run of several sources of one host asks.
func (s *Sink) Fingerprint() (n int64, sum uint64) {
	s.waitSpills()
	return s.n, s.fp + chunkPrint(&s.recs)
}

// Discard drops a sink that will not be merged, giving back its memory and
// spill space.
func (s *Sink) Discard() {
	s.stopSpiller()
	s.recs = chunk{}
	s.release()
	s.heap.file.close()
}

// close ends the sink: the last chunk is sorted and kept in memory if the
// space's budget allows, else spilled; the heap is sealed. Segments it has
// done with go to pool.
func (s *Sink) close(pool *segPool) error {
	if s.sp != nil {
		s.sp.pending.Wait()
		for _, seg := range s.sp.spare {
			pool.put(seg)
		}
		s.sp.spare = nil
	}
	s.stopSpiller()
	if c := &s.recs; c.n > 0 {
		need := int64(c.n) * int64(RecordSize)
		if len(s.runs) == 0 && s.space.resident.take(need) {
			s.fp += chunkPrint(c)
			s.keys = sortChunk(c, s.keys)
			s.held = need
			s.runs = append(s.runs, run{mem: c.segs, n: c.n})
		} else {
			s.writeRun(c)
			for _, seg := range c.segs {
				pool.put(seg)
			}
		}
	}
	s.recs = chunk{}
	s.packed, s.keys = nil, nil
	if err := s.file.seal(); err != nil {
		s.fail(err)
	}
	if err := s.heap.seal(); err != nil {
		s.fail(err)
	}
	return s.Err()
}

// release gives the sink's memory back once its records are merged.
func (s *Sink) release() {
	s.space.resident.give(s.held)
	s.held = 0
	s.runs = nil
	s.file.close()
}

// heap holds one source's variable-length extras, each an entry of
// uvarint(len(blob)) blob uvarint(len(raw)) raw. It stays in memory while
// small and moves to a spill file past heapMemBytes. In memory it is a list
// of blocks that are never grown or moved, each new one about as large as
// all before it (up to heapBlock): a heap kept in one slice grown by append
// leaves four times its size in old copies for the collector, and between
// collections they are resident (a compressed capture's frames, kept here,
// did that in proportion to its events).
type heap struct {
	blocks [][]byte // entries, each whole in one block; offsets run on across blocks
	starts []int64  // the offset of each block's first byte
	n      int64    // bytes in the heap: the next entry's offset
	file   appendFile
	big    bool
	hdr    []byte
}

// heapBlock is the most a heap block holds, but for an entry larger alone.
const heapBlock = 64 << 10

// put adds an entry and returns its Ref (offset + 1).
func (h *heap) put(blob, raw []byte) uint64 {
	h.hdr = binary.AppendUvarint(h.hdr[:0], uint64(len(blob)))
	k := len(h.hdr)
	h.hdr = binary.AppendUvarint(h.hdr, uint64(len(raw)))
	blobLen, rawLen := h.hdr[:k], h.hdr[k:]
	size := len(h.hdr) + len(blob) + len(raw)
	at := h.n
	h.n += int64(size)
	if h.big {
		h.file.write(blobLen)
		h.file.write(blob)
		h.file.write(rawLen)
		h.file.write(raw)
		return uint64(at) + 1
	}
	last := len(h.blocks) - 1
	if last < 0 || cap(h.blocks[last])-len(h.blocks[last]) < size {
		h.blocks = append(h.blocks, make([]byte, 0, max(size, min(max(int(at), 512), heapBlock))))
		h.starts = append(h.starts, at)
		last++
	}
	e := append(h.blocks[last], blobLen...)
	e = append(e, blob...)
	e = append(e, rawLen...)
	h.blocks[last] = append(e, raw...)
	if h.n > int64(heapMemBytes) {
		h.big = true
		for _, b := range h.blocks {
			h.file.write(b)
		}
		h.blocks, h.starts = nil, nil
	}
	return uint64(at) + 1
}

func (h *heap) seal() error {
	if h.big {
		return h.file.seal()
	}
	return nil
}

// get returns the entry at ref: its blob and raw bytes (fresh memory when
// read from file, else pointing into the heap: callers do not modify them).
func (h *heap) get(ref uint64) (blob, raw []byte, err error) {
	if ref == 0 {
		return nil, nil, nil
	}
	off := int64(ref - 1)
	var b []byte
	if !h.big {
		if off >= h.n {
			return nil, nil, fmt.Errorf("timeline: heap reference %d out of range", ref)
		}
		k, found := slices.BinarySearch(h.starts, off)
		if !found {
			k--
		}
		b = h.blocks[k][off-h.starts[k]:]
	} else {
		// Read the two lengths' worth first, then the whole entry.
		var head [2 * binary.MaxVarintLen64]byte
		n := min(int64(len(head)), h.file.size()-off)
		if n <= 0 {
			return nil, nil, fmt.Errorf("timeline: heap reference %d out of range", ref)
		}
		if err := h.file.readAt(head[:n], off); err != nil {
			return nil, nil, fmt.Errorf("timeline: reading the heap: %w", err)
		}
		bl, k := binary.Uvarint(head[:n])
		if k <= 0 || bl > uint64(h.file.size()) {
			return nil, nil, fmt.Errorf("timeline: damaged heap entry at %d", off)
		}
		// The raw length follows the blob; read blob and up to a varint more.
		total := int64(k) + int64(bl) + binary.MaxVarintLen64
		total = min(total, h.file.size()-off)
		b = make([]byte, total)
		if err := h.file.readAt(b, off); err != nil {
			return nil, nil, fmt.Errorf("timeline: reading the heap: %w", err)
		}
		_, k2 := binary.Uvarint(b[int64(k)+int64(bl):])
		rl, _ := binary.Uvarint(b[int64(k)+int64(bl):])
		if k2 <= 0 {
			return nil, nil, fmt.Errorf("timeline: damaged heap entry at %d", off)
		}
		if rl > 0 {
			full := int64(k) + int64(bl) + int64(k2) + int64(rl)
			if full > h.file.size()-off {
				return nil, nil, fmt.Errorf("timeline: damaged heap entry at %d", off)
			}
			b = make([]byte, full)
			if err := h.file.readAt(b, off); err != nil {
				return nil, nil, fmt.Errorf("timeline: reading the heap: %w", err)
			}
		}
	}
	bl, k := binary.Uvarint(b)
	if k <= 0 || uint64(len(b)-k) < bl {
		return nil, nil, fmt.Errorf("timeline: damaged heap entry at %d", off)
	}
	blob = b[k : k+int(bl)]
	b = b[k+int(bl):]
	rl, k := binary.Uvarint(b)
	if k <= 0 || uint64(len(b)-k) < rl {
		return nil, nil, fmt.Errorf("timeline: damaged heap entry at %d", off)
	}
	return blob, b[k : k+int(rl)], nil
}

// strtab interns a source's strings (interface and device names, and the
// like) so records can hold them as ids. Id 0 is "".
type strtab struct {
	ids   map[string]uint32
	names []string
	last  string
	lastI uint32
}

func (t *strtab) id(s string) uint32 {
	if s == "" {
		return 0
	}
	if s == t.last && t.lastI != 0 {
		return t.lastI
	}
	if t.ids == nil {
		t.ids = map[string]uint32{}
		t.names = []string{""}
	}
	i, ok := t.ids[s]
	if !ok {
		i = uint32(len(t.names))
		t.names = append(t.names, s)
		t.ids[s] = i
	}
	t.last, t.lastI = s, i
	return i
}

func (t *strtab) get(i uint32) string {
	if int(i) < len(t.names) {
		return t.names[i]
	}
	return ""
}
