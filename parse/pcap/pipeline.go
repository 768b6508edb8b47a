package pcap

import (
	"fmt"
	"io"

	"github.com/arpforensics/arpforensics/timeline"
)

// Reading and decoding overlap: one goroutine pulls records out of pcapgo
// and copies them into batch buffers, the caller's goroutine decodes them.
// With a core to spare a large capture then takes about as long as the
// slower of the two halves rather than their sum (read uses it from
// pipelineThreads on). Batches cycle
// between the two sides, so memory stays at a few megabytes whatever the
// capture's size.
const (
	batchBytes = 1 << 20 // the most a batch's buffer grows to
	firstBatch = 64 << 10
	batchRecs  = 16 << 10
	nBatches   = 4
)

// batch is a run of consecutive records, their bytes packed in buf.
type batch struct {
	buf  []byte
	recs []record
	// end, set on the last batch only, says why reading stopped.
	end *ending
}

type record struct {
	meta
	data []byte // in batch.buf, or its own slice for a record larger than it
}

// ending is how the capture ended: err is nil at a clean end.
type ending struct {
	err    error
	pos    timeline.Pos
	reason string
}

// readAll reads every record of s and decodes it with d.
func readAll(s source, d *decoder) {
	full := make(chan *batch, nBatches)
	free := make(chan *batch, nBatches)
	done := make(chan struct{})
	for i := 0; i < nBatches; i++ {
		free <- &batch{} // pump sizes the buffers as the capture proves large
	}
	go pump(s, full, free, done)
	defer close(done) // lets pump return if decoding ends early (a panic)

	for b := range full {
		for i := range b.recs {
			r := &b.recs[i]
			d.frame(r.data, &r.meta)
		}
		if b.end != nil {
			if b.end.err != nil {
				d.src.Problemf(b.end.pos, "%s", b.end.reason)
			}
			return
		}
		b.buf, b.recs = b.buf[:0], b.recs[:0]
		free <- b
	}
}

// readSerial reads and decodes on the caller's goroutine, for a parser
// given one thread (--workers 1, or a file among many parsed at once).
func readSerial(s source, d *decoder) {
	var frames int64
	m := new(meta)
	for {
		*m = meta{}
		data, err := s.next(m)
		if err != nil {
			if err != io.EOF {
				pos, reason := s.failure(err, frames)
				d.src.Problemf(pos, "%s", reason)
			}
			return
		}
		frames++
		d.frame(data, m)
	}
}

// pump reads records into batches until the capture ends, then sends a
// last batch carrying the ending.
func pump(s source, full chan<- *batch, free <-chan *batch, done <-chan struct{}) {
	defer close(full)
	// A panic here (in pcapgo, on input nobody foresaw) would end the
	// whole run, since only the parser's own goroutine is guarded
	// (ingest): it ends this capture with a problem instead, keeping the
	// frames already sent.
	defer func() {
		if p := recover(); p != nil {
			b := &batch{end: &ending{err: fmt.Errorf("%v", p), reason: fmt.Sprintf("internal error reading the capture, reading stopped (please report it): %v", p)}}
			select {
			case full <- b:
			case <-done:
			}
		}
	}()
	// Buffers start small and double, up to batchBytes, each time one
	// fills: a small capture costs kilobytes, a large one four megabytes.
	size := firstBatch
	take := func() *batch {
		select {
		case b := <-free:
			if cap(b.buf) < size {
				b.buf = make([]byte, 0, size)
			}
			return b
		case <-done:
			return nil
		}
	}
	b := take()
	if b == nil {
		return
	}
	var frames int64
	m := new(meta) // one for the whole capture: s.next's argument escapes
	for {
		*m = meta{}
		data, err := s.next(m)
		if err != nil {
			b.end = &ending{}
			if err != io.EOF {
				b.end.err = err
				b.end.pos, b.end.reason = s.failure(err, frames)
			}
			select {
			case full <- b:
			case <-done:
			}
			return
		}
		frames++
		if len(b.buf)+len(data) > cap(b.buf) || len(b.recs) == batchRecs {
			if len(b.recs) < batchRecs {
				size = min(2*size, batchBytes)
			}
			select {
			case full <- b:
			case <-done:
				return
			}
			if b = take(); b == nil {
				return
			}
		}
		var kept []byte
		if len(data) > cap(b.buf)-len(b.buf) {
			kept = append([]byte(nil), data...) // larger than a batch: rare, from a huge snap length
		} else {
			n := len(b.buf)
			b.buf = append(b.buf, data...)
			kept = b.buf[n:len(b.buf):len(b.buf)]
		}
		b.recs = append(b.recs, record{meta: *m, data: kept})
	}
}
