package timeline

import (
	"fmt"
	"io"
	"os"
	"sync"
)

// Spill files hold what does not stay in memory: sorted runs of a source's
// records, its heap once it outgrows memory, and the merged timeline. Each
// is a file without a name (Linux O_TMPFILE), or else created and at once
// unlinked, so it vanishes with the process however the process ends (a
// signal, kill -9, a panic) and no later run has to clean up after it; the
// space is the kernel's to reclaim when the file closes.

// SpillDir is where spill files go; "" is os.TempDir() ($TMPDIR).
var SpillDir string

func newSpillFile() (*os.File, error) {
	dir := SpillDir
	if dir == "" {
		dir = os.TempDir()
	}
	if f, err := openUnnamed(dir); err == nil {
		return f, nil
	}
	// No unnamed files here (another OS, or a file system without
	// O_TMPFILE): create and unlink at once.
	f, err := os.CreateTemp(SpillDir, "arpforensics-spill-*")
	if err != nil {
		return nil, fmt.Errorf("creating a spill file (set TMPDIR to a directory with room): %w", err)
	}
	if err := os.Remove(f.Name()); err != nil {
		f.Close()
		return nil, fmt.Errorf("unlinking spill file %s: %w", f.Name(), err)
	}
	return f, nil
}

// appendFile is an append-only spill file written through a buffer. It is
// written by one goroutine; once sealed it may be read by many. Full
// buffers are written by a goroutine of its own while the next fills:
// writing to the page cache costs about as much as merging the records
// written (on the SYN flood shape a merge spent half its time in write(2)),
// so the two overlap.
type appendFile struct {
	f   *os.File
	buf []byte
	off int64 // bytes handed to the writer, not counting buf
	err error // the first error, once the writer has reported it
	wr  *spillWriter
}

// spillWriter writes an appendFile's full buffers in order. Buffers
// cycle: the file fills one while the writer writes the other.
type spillWriter struct {
	todo chan []byte
	free chan []byte
	done chan error // the writer's first error (or nil) when todo closes
}

const spillBuf = 256 << 10

func (a *appendFile) size() int64 { return a.off + int64(len(a.buf)) }

// write appends p and returns the offset it starts at.
func (a *appendFile) write(p []byte) int64 {
	at := a.size()
	if a.err != nil {
		return at
	}
	if a.f == nil {
		if a.f, a.err = newSpillFile(); a.err != nil {
			return at
		}
		a.buf = make([]byte, 0, spillBuf)
	}
	for len(p) > 0 {
		n := min(len(p), cap(a.buf)-len(a.buf))
		a.buf = append(a.buf, p[:n]...)
		p = p[n:]
		if len(a.buf) == cap(a.buf) {
			a.flush()
		}
	}
	return at
}

// flush hands the buffer to the writer and goes on with a free one.
func (a *appendFile) flush() {
	if a.err != nil || len(a.buf) == 0 {
		return
	}
	if a.wr == nil {
		a.wr = startSpillWriter(a.f)
	}
	a.off += int64(len(a.buf))
	a.wr.todo <- a.buf
	select {
	case a.buf = <-a.wr.free:
	case err := <-a.wr.done: // the writer failed
		close(a.wr.todo)
		a.wr = nil
		a.err = err
		a.buf = a.buf[:0:0]
	}
}

func startSpillWriter(f *os.File) *spillWriter {
	w := &spillWriter{todo: make(chan []byte, 1), free: make(chan []byte, 2), done: make(chan error, 1)}
	w.free <- make([]byte, 0, spillBuf)
	go func() {
		for b := range w.todo {
			if _, err := f.Write(b); err != nil {
				w.done <- fmt.Errorf("writing a spill file: %w", err)
				for range w.todo { // let a flush blocked on todo go on
				}
				return
			}
			w.free <- b[:0]
		}
		w.done <- nil
	}()
	return w
}

// wait stops the writer once it has written everything handed to it.
func (a *appendFile) wait() {
	if a.wr == nil {
		return
	}
	close(a.wr.todo)
	if err := <-a.wr.done; err != nil && a.err == nil {
		a.err = err
	}
	a.wr = nil
}

// seal writes out the buffer and drops it: from now on the file is read
// only.
func (a *appendFile) seal() error {
	a.flush()
	a.wait()
	a.buf = nil
	return a.err
}

// readAt reads len(p) bytes at off of a sealed file.
func (a *appendFile) readAt(p []byte, off int64) error {
	if a.f == nil {
		return io.ErrUnexpectedEOF
	}
	_, err := a.f.ReadAt(p, off)
	return err
}

func (a *appendFile) close() {
	a.wait()
	if a.f != nil {
		a.f.Close()
		a.f = nil
	}
}

// budget is the memory the store may keep records in before it spills,
// shared by all sources of a run. Sources draw from it while they parse and
// give back what they spill.
type budget struct {
	mu   sync.Mutex
	left int64
}

func (b *budget) take(n int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.left < n {
		return false
	}
	b.left -= n
	return true
}

func (b *budget) give(n int64) {
	b.mu.Lock()
	b.left += n
	b.mu.Unlock()
}

// TempFile is a scratch file like a spill file: without a name, gone when
// closed or when the process ends however it ends.
func TempFile() (*os.File, error) { return newSpillFile() }
