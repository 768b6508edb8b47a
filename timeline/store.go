package timeline

import (
	"fmt"
	"sync"
)

// store holds a merged timeline's records: in memory when they are few, else
// in a spill file read through a small cache of chunks. It is safe for
// concurrent readers.
type store struct {
	n    int
	mem  []Record
	file *appendFile

	mu     sync.Mutex
	chunks map[int]*cacheChunk
	tick   uint64
}

type cacheChunk struct {
	recs []Record
	used uint64
}

// Random reads (a view's rows, a finding's evidence, binary searches by
// time) touch one record per chunk: small chunks keep each such read cheap;
// sequential passes use scan, which bypasses the cache.
const (
	cacheChunkRecords = 128 // 21 KB a chunk
	cacheChunks       = 768 // about 16 MB of records cached
)

// storeWriter fills a store in timeline order.
type storeWriter struct {
	mem  []Record
	file *appendFile
	buf  []Record
	n    int
}

func newStoreWriter(total int64) *storeWriter {
	if total*int64(RecordSize) <= memTimelineSize {
		return &storeWriter{mem: make([]Record, 0, total)}
	}
	return &storeWriter{file: &appendFile{}, buf: make([]Record, 0, cursorBuf)}
}

func (w *storeWriter) add(r *Record) {
	w.n++
	if w.file == nil {
		w.mem = append(w.mem, *r)
		return
	}
	w.buf = append(w.buf, *r)
	if len(w.buf) == cap(w.buf) {
		w.file.write(recordBytes(w.buf))
		w.buf = w.buf[:0]
	}
}

func (w *storeWriter) finish(s *store) error {
	s.n = w.n
	if w.file == nil {
		s.mem = w.mem
		return nil
	}
	w.file.write(recordBytes(w.buf))
	w.buf = nil
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
		return s.mem[i]
	}
	c := i / cacheChunkRecords
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tick++
	ch := s.chunks[c]
	if ch == nil {
		ch = s.load(c)
	}
	ch.used = s.tick
	return ch.recs[i-c*cacheChunkRecords]
}

// load reads chunk c, evicting the least recently used one when full.
// Called with mu held.
func (s *store) load(c int) *cacheChunk {
	var ch *cacheChunk
	if len(s.chunks) >= cacheChunks {
		oldest := -1
		for k, v := range s.chunks {
			if oldest < 0 || v.used < s.chunks[oldest].used {
				oldest = k
			}
		}
		ch = s.chunks[oldest]
		delete(s.chunks, oldest)
	} else {
		ch = &cacheChunk{recs: make([]Record, cacheChunkRecords)}
	}
	from := c * cacheChunkRecords
	n := min(cacheChunkRecords, s.n-from)
	ch.recs = ch.recs[:cap(ch.recs)][:n]
	if err := s.file.readAt(recordBytes(ch.recs), int64(from)*int64(RecordSize)); err != nil {
		// The spill file is the process's own; failing to read it back is
		// an I/O error the run cannot recover from.
		panic(fmt.Sprintf("timeline: reading the spilled timeline: %v", err))
	}
	s.chunks[c] = ch
	return ch
}

// scan calls fn for records from..to-1 in order until fn returns false. The
// record is valid during the call only. Sequential reads bypass the cache.
func (s *store) scan(from, to int, fn func(i int, r *Record) bool) {
	from, to = max(from, 0), min(to, s.n)
	if s.file == nil {
		for i := from; i < to; i++ {
			if !fn(i, &s.mem[i]) {
				return
			}
		}
		return
	}
	buf := make([]Record, scanBuf)
	for i := from; i < to; {
		n := min(scanBuf, to-i)
		b := buf[:n]
		if err := s.file.readAt(recordBytes(b), int64(i)*int64(RecordSize)); err != nil {
			panic(fmt.Sprintf("timeline: reading the spilled timeline: %v", err))
		}
		for j := range b {
			if !fn(i+j, &b[j]) {
				return
			}
		}
		i += n
	}
}

const scanBuf = 4096

// close releases the spill file.
func (s *store) close() {
	if s.file != nil {
		s.file.close()
	}
}
