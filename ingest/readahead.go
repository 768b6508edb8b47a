package ingest

import "io"

// readAhead runs a decompressor in its own goroutine so inflating the next
// chunk overlaps with parsing the current one: on two cores that keeps a
// .pcap.gz as fast as zcat alone. Buffers cycle between the two sides, so
// memory stays at five chunks whatever the file size. Chunks are small
// because the parser empties one far faster than it is inflated: larger
// ones bought no speed, and the 5 MB that 1 MiB chunks held live let the
// collector wait for twice that more garbage before it ran. Close stops
// the producer when the consumer gives up early.
func readAhead(r io.Reader) *aheadReader {
	const chunk, depth = 256 << 10, 4
	ra := &aheadReader{
		full: make(chan []byte, depth),
		free: make(chan []byte, depth+1),
		done: make(chan struct{}),
		exit: make(chan struct{}),
	}
	for i := 0; i < depth+1; i++ {
		ra.free <- make([]byte, chunk)
	}
	go ra.produce(r)
	return ra
}

type aheadReader struct {
	full, free chan []byte
	done       chan struct{} // closed by Close
	exit       chan struct{} // closed by the producer when it returns
	cur        []byte        // unread part of the buffer being consumed
	back       []byte        // that buffer whole, to return to free
	err        error         // set by the producer before it closes full
}

func (a *aheadReader) produce(r io.Reader) {
	defer close(a.exit)
	defer close(a.full)
	for {
		var buf []byte
		select {
		case buf = <-a.free:
		case <-a.done:
			return
		}
		// Fill the buffer by hand rather than with io.ReadFull: a truncated
		// gzip stream fails with io.ErrUnexpectedEOF, which ReadFull would
		// make indistinguishable from a clean end.
		n := 0
		var err error
		for n < len(buf) && err == nil {
			var m int
			m, err = r.Read(buf[n:])
			n += m
		}
		if n > 0 {
			select {
			case a.full <- buf[:n]:
			case <-a.done:
				return
			}
		}
		if err != nil {
			if err != io.EOF {
				a.err = err
			}
			return
		}
	}
}

func (a *aheadReader) Read(p []byte) (int, error) {
	for len(a.cur) == 0 {
		if a.back != nil {
			a.free <- a.back[:cap(a.back)]
			a.back = nil
		}
		buf, ok := <-a.full
		if !ok {
			if a.err != nil {
				return 0, a.err
			}
			return 0, io.EOF
		}
		a.cur, a.back = buf, buf
	}
	n := copy(p, a.cur)
	a.cur = a.cur[n:]
	return n, nil
}

// Close stops the producer and waits for it, so the owner may then close
// the underlying reader without racing it.
func (a *aheadReader) Close() error {
	select {
	case <-a.done:
	default:
		close(a.done)
	}
	<-a.exit
	return nil
}
