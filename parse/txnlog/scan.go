package txnlog

import (
	"bytes"
	"errors"
	"io"
)

// A neutron-server log is mostly lines this reader does not care about (API
// access, callbacks, RPC). The input is cut into windows of whole lines;
// workers look at each line only as far as they must to tell whether it
// matters — for oslo.log's file format, the logger name at a known place
// after the timestamp and pid (see candidate) — and parse the lines that
// do; one goroutine then applies their results in window order, which is
// where transactions are assembled. So the per-line work runs on every
// core, the per-transaction bookkeeping stays sequential, and nothing is
// allocated per line.

// windowSize is how much a window holds. Larger windows mean fewer
// hand-offs; smaller ones keep the data a worker touches in cache. (A
// variable so tests can cut inputs into many windows.)
var windowSize = 1 << 20

const (
	// maxLine is the longest line read whole: longer ones are reported
	// and skipped. A window grows to hold a line up to this size.
	maxLine = 16 << 20
	// maxContinuation caps the continuation lines joined to one record
	// (a wrapped command, an error's JSON, a traceback body).
	maxContinuation = 64
)

// window is a run of whole lines of the input.
type window struct {
	seq    int
	data   []byte // whole lines (the last one may lack its newline at the end of input)
	base   int64  // stream offset of data[0]
	last   bool   // the input ends with this window
	long   int64  // > 0: instead of data, one line of this many bytes (at least) was skipped
	buf    []byte // the buffer data lives in, to return to the pool
	err    error  // read error that ended the input (last window only)
	result *windowResult
}

// reader cuts the input into windows.
type reader struct {
	r    io.Reader
	free chan []byte // buffers to fill
	rest []byte      // an incomplete last line carried to the next window
	base int64
	seq  int
	eof  bool
	err  error
}

// next fills a window. ok is false once the input is exhausted.
func (rd *reader) next() (w *window, ok bool) {
	if rd.eof && len(rd.rest) == 0 {
		return nil, false
	}
	buf := <-rd.free
	n := copy(buf, rd.rest)
	rd.rest = nil
	for {
		for !rd.eof && n < len(buf) {
			m, err := rd.r.Read(buf[n:])
			n += m
			if err != nil {
				rd.eof = true
				if !errors.Is(err, io.EOF) {
					rd.err = err
				}
			}
		}
		if rd.eof || bytes.IndexByte(buf[:n], '\n') >= 0 || len(buf) >= maxLine {
			break
		}
		// One line fills the buffer: grow it, up to maxLine.
		bigger := make([]byte, min(2*len(buf), maxLine))
		copy(bigger, buf[:n])
		buf = bigger
	}
	w = &window{seq: rd.seq, base: rd.base, buf: buf}
	rd.seq++
	data := buf[:n]
	if rd.eof {
		w.data, w.last, w.err = data, true, rd.err
		rd.base += int64(n)
		return w, n > 0 || rd.err != nil
	}
	cut := cutPoint(data)
	if cut < 0 {
		w.long = int64(n) + rd.skipLine(buf)
		rd.base += w.long
		return w, true
	}
	w.data = data[:cut]
	rd.rest = append(rd.rest[:0], data[cut:]...)
	rd.base += int64(cut)
	return w, true
}

// cutPoint picks where a window ends: after a newline whose next line
// starts a record, so that every record's continuation lines (a wrapped
// command, an error's JSON, a traceback body) are in the same window as
// the record. When no such line is near the end (a huge unprefixed blob),
// the last newline will do. -1: there is no newline at all.
func cutPoint(data []byte) int {
	last := bytes.LastIndexByte(data, '\n')
	if last < 0 {
		return -1
	}
	nl := last
	for tries := 0; tries < 2*maxContinuation; tries++ {
		next := data[nl+1:]
		if e := bytes.IndexByte(next, '\n'); e >= 0 {
			next = next[:e]
		}
		if !continues(next) {
			return nl + 1
		}
		prev := bytes.LastIndexByte(data[:nl], '\n')
		if prev < 0 {
			break
		}
		nl = prev
	}
	return last + 1
}

// skipLine discards input up to and including the next newline and returns
// how many bytes that was; what follows the newline is kept for the next
// window.
func (rd *reader) skipLine(buf []byte) int64 {
	var n int64
	for !rd.eof {
		m, err := rd.r.Read(buf)
		if err != nil {
			rd.eof = true
			if !errors.Is(err, io.EOF) {
				rd.err = err
			}
		}
		if nl := bytes.IndexByte(buf[:m], '\n'); nl >= 0 {
			rd.rest = append([]byte(nil), buf[nl+1:m]...)
			return n + int64(nl) + 1
		}
		n += int64(m)
	}
	return n
}

// lines iterates the lines of a byte slice: each without its line ending.
type lines struct {
	data []byte
	at   int // offset of the next line
	no   int // 0-based index of the next line
}

// peek returns the next line and the offset after it without consuming it.
func (l *lines) peek() (line []byte, next int, ok bool) {
	if l.at >= len(l.data) {
		return nil, 0, false
	}
	e := bytes.IndexByte(l.data[l.at:], '\n')
	if e < 0 {
		line, next = l.data[l.at:], len(l.data)
	} else {
		line, next = l.data[l.at:l.at+e], l.at+e+1
	}
	return bytes.TrimSuffix(line, []byte{'\r'}), next, true
}

// advance consumes the line peek returned.
func (l *lines) advance(next int) {
	l.at = next
	l.no++
}
