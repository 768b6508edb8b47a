package ingest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/arpforensics/arpforensics/parse"
	"github.com/arpforensics/arpforensics/timeline"
)

// sniffLen is how much of a file's (decompressed) start the sniffers see. It
// is all that is read of an irrelevant file.
const sniffLen = 64 << 10

// readBuf is the buffer parsers read through: large, so a capture is read in
// few system calls.
const readBuf = 1 << 20

var (
	magicGzip = []byte{0x1f, 0x8b}
	magicZstd = []byte{0x28, 0xb5, 0x2f, 0xfd}
)

// Read opens f, finds its kind and parses it into a sink of sp. It never
// fails: whatever goes wrong is recorded on the returned source (SkipReason
// for files that are not artifacts, Unreadable and a problem for files that
// are but cannot be read), and every event read before a failure is kept.
// The sink is nil when nothing was parsed. A plain file's events keep only
// the positions of their text, which is read again from the file when shown;
// a compressed file's text is kept in the sink.
func Read(f File, opts parse.Options, sp *timeline.Space) (*timeline.Source, *timeline.Sink) {
	return ReadCounting(f, opts, sp, nil)
}

// ReadCounting is Read that reports, as it goes, how many bytes of the file
// (as stored: compressed bytes for a compressed file) it has read since the
// last report; read may be nil. For a container (an archive, a journal) it
// returns the first of its members; ReadEach gives them all.
func ReadCounting(f File, opts parse.Options, sp *timeline.Space, read func(n int64)) (*timeline.Source, *timeline.Sink) {
	var src *timeline.Source
	var sink *timeline.Sink
	ReadEach(f, opts, sp, read, func(s *timeline.Source, k *timeline.Sink) {
		if src == nil {
			src, sink = s, k
		}
	})
	return src, sink
}

// ReadEach reads f as ReadCounting does and hands emit one source (and its
// sink, nil when nothing was parsed) per artifact it holds: one for a plain
// file, one per member for an archive (named "archive!/member"), one per
// unit for a journal, in the order they are read. emit is called at least
// once.
func ReadEach(f File, opts parse.Options, sp *timeline.Space, read func(n int64), emit func(*timeline.Source, *timeline.Sink)) {
	src := &timeline.Source{Path: f.Path, Host: f.Host, Location: opts.Loc()}
	opts.ModTime = f.ModTime
	fh, err := os.Stdin, error(nil)
	if f.Path != Stdin {
		fh, err = os.Open(f.Path)
	}
	if err != nil {
		src.Kind = "unknown"
		src.Unreadable = true
		src.Problemf(timeline.Pos{}, "cannot open: %v", UnwrapPath(err))
		emit(src, nil)
		return
	}
	if fh != os.Stdin {
		defer fh.Close()
	}

	var r io.Reader = fh
	if read != nil {
		cr := &countingReader{r: fh, report: read}
		defer cr.flush()
		r = cr
	}
	st := stream{path: f.Path, host: f.Host, reread: f.Path, opts: opts, sp: sp, emit: emit}
	if f.Path == Stdin {
		st.reread = "" // nothing to read again by offset: the sink keeps the text
	} else if fi, err := fh.Stat(); err == nil && fi.Mode().IsRegular() {
		st.file, st.size = fh, fi.Size()
		st.reopen = func() (io.ReadCloser, error) { return os.Open(f.Path) }
	}
	st.read(r, src)
}

// stream is one byte stream to sniff and parse: a file, or a member of a
// container read from within it.
type stream struct {
	path, host string
	reread     string   // the path to read text again from by offset, or ""
	file       *os.File // the file itself when the stream is it, for random access (zip)
	size       int64
	opts       parse.Options
	sp         *timeline.Space
	emit       func(*timeline.Source, *timeline.Sink)
	depth      int // containers this stream is inside
	// reopen gives the stream again from its start (a file on disk), or
	// is nil (stdin, an archive member).
	reopen func() (io.ReadCloser, error)
	kind   *Kind // when set, the kind already found: no sniffing
	// snapshotAt, when set, is when a snapshot member was taken (a
	// sosreport's date): a date line saying so goes before its text.
	snapshotAt  time.Time
	snapshotHow string
}

// read sniffs and parses r into src (already labelled with path and host)
// and emits it, or, for a container, walks its members.
func (st *stream) read(r io.Reader, src *timeline.Source) {
	in, err := open(r, src)
	if err != nil {
		src.Kind = "unknown"
		src.Unreadable = true
		src.Problemf(timeline.Pos{}, "%v", err)
		st.emit(src, nil)
		return
	}
	defer in.close()
	if in.compressed {
		st.reread, st.file = "", nil
	}
	if c := sniffContainer(in.head); c != nil {
		if st.depth >= maxContainerDepth {
			src.Kind = c.name
			src.SkipReason = fmt.Sprintf("%s nested %d deep in other archives: not opened", c.name, st.depth)
			st.emit(src, nil)
			return
		}
		src.Kind = c.name
		c.walk(st, in, src)
		return
	}
	k, reason := st.kind, ""
	if k == nil {
		k, reason = sniff(in.head)
	}
	if k == nil && reason == "text of no known artifact kind" && st.depth < maxContainerDepth && sniffShortJournal(in.head) {
		walkShortJournal(st, in, src)
		return
	}
	if k == nil && st.deepSniff(in, src, reason) {
		return // found further in, and read
	}
	if k == nil {
		src.Kind = "unknown"
		src.SkipReason = reason
		st.emit(src, nil)
		return
	}
	src.Kind = k.Name
	sink := st.sp.NewSink(st.reread)
	var pr io.Reader = in.forParsing(st.opts.Threads)
	if !st.snapshotAt.IsZero() && snapshotKinds[k.Name] {
		src.Notef(timeline.Pos{}, "timed %s (%s); its lines count from the date line put before it", st.snapshotAt.Format(time.RFC3339), st.snapshotHow)
		pr = io.MultiReader(strings.NewReader(st.snapshotAt.Format(time.RFC3339Nano)+"\n"), pr)
	}
	if err := k.Parse(pr, src, st.opts, sink); err != nil {
		src.Unreadable = true
		src.Problemf(timeline.Pos{}, "%v", err)
	}
	finish(src, sink)
	st.emit(src, sink)
}

// finish sets what a source reports of its sink once it is parsed.
func finish(src *timeline.Source, sink *timeline.Sink) {
	if err := sink.Err(); err != nil {
		src.Problemf(timeline.Pos{}, "events lost: %v", err)
	}
	src.Events = sink.Len()
	src.First, src.Last = sink.Span()
}

// UnwrapPath drops a *PathError's repetition of a path the message already
// names.
func UnwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

type input struct {
	r          *bufio.Reader // small: sized for sniffing
	head       []byte        // the first sniffLen bytes (or fewer), decompressed
	compressed bool
	external   bool // the last layer is undone by a child process (xz): it runs ahead already
	closers    []io.Closer
}

func (in *input) close() {
	for i := len(in.closers) - 1; i >= 0; i-- {
		in.closers[i].Close()
	}
}

// open undoes compression layers by their magic bytes (never the file name:
// CI artifacts are often stored as .txt.gz already inflated, and the reverse)
// and peeks at the plain stream's head. Buffers stay sniff-sized here, so a
// file that turns out to be irrelevant costs only the bytes needed to decide.
func open(r io.Reader, src *timeline.Source) (*input, error) {
	in := &input{r: bufio.NewReaderSize(r, sniffLen)}
	for layer := 0; ; layer++ {
		head, err := in.r.Peek(sniffLen)
		if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) && len(head) == 0 {
			in.close()
			return nil, fmt.Errorf("reading: %w", err)
		}
		in.head = head
		if layer == 3 {
			return in, nil // three layers of compression is enough; treat the rest as data
		}
		switch {
		case bytes.HasPrefix(head, magicGzip):
			zr, err := gzip.NewReader(in.r)
			if err != nil {
				in.close()
				return nil, fmt.Errorf("gzip header: %w", err)
			}
			in.closers = append(in.closers, zr)
			in.r = bufio.NewReaderSize(zr, sniffLen)
			src.Compression = joinCompression(src.Compression, "gzip")
			in.external = false
		case bytes.HasPrefix(head, magicZstd):
			zr, err := zstd.NewReader(in.r, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true))
			if err != nil {
				in.close()
				return nil, fmt.Errorf("zstd header: %w", err)
			}
			in.closers = append(in.closers, zr.IOReadCloser())
			in.r = bufio.NewReaderSize(zr, sniffLen)
			src.Compression = joinCompression(src.Compression, "zstd")
			in.external = false
		default:
			zr, name, closer, ok, err := moreCodecs(head, in.r)
			if !ok {
				return in, nil
			}
			if err != nil {
				in.close()
				return nil, err
			}
			if closer != nil {
				in.closers = append(in.closers, closer)
			}
			in.r = bufio.NewReaderSize(zr, sniffLen)
			src.Compression = joinCompression(src.Compression, name)
			_, in.external = zr.(*xzProc)
		}
		in.compressed = true
	}
}

// forParsing is the stream a parser reads: through a large buffer, and for
// compressed files given two or more threads with decompression running
// ahead in its own goroutine. What the sniffer peeked at is still buffered,
// so nothing is read twice.
func (in *input) forParsing(threads int) *bufio.Reader {
	if !in.compressed || threads < 2 || in.external {
		return bufio.NewReaderSize(in.r, readBuf)
	}
	ra := readAhead(in.r)
	in.closers = append(in.closers, ra)
	return bufio.NewReaderSize(ra, readBuf)
}

func joinCompression(have, add string) string {
	if have == "" {
		return add
	}
	return have + "+" + add
}

// countingReader reports the bytes read through it in steps of a few
// megabytes, so progress moves within a large file at little cost.
type countingReader struct {
	r       io.Reader
	pending int64
	report  func(int64)
}

const progressStep = 4 << 20

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.pending += int64(n)
	if c.pending >= progressStep {
		c.flush()
	}
	return n, err
}

func (c *countingReader) flush() {
	if c.pending > 0 {
		c.report(c.pending)
		c.pending = 0
	}
}
