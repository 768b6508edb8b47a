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
	if f.Skip != "" {
		src.Kind = "unknown"
		src.SkipReason = f.Skip
		emit(src, nil)
		return
	}
	fh, err := os.Stdin, error(nil)
	if f.Path != Stdin {
		fh, err = openNonBlocking(f.Path)
	}
	if err != nil {
		src.Kind = "unknown"
		src.Unreadable = true
		src.Problemf(timeline.Pos{}, "cannot open: %v", UnwrapPath(err))
		emit(src, nil)
		return
	}
	var regular os.FileInfo // the file's, when it is a regular file
	if fh != os.Stdin {
		defer fh.Close()
		fi, err := fh.Stat()
		if err == nil && !fi.Mode().IsRegular() {
			src.Kind = "unknown"
			src.SkipReason = SpecialReason(fi.Mode())
			emit(src, nil)
			return
		}
		if err == nil {
			regular = fi
		}
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
	} else if regular != nil {
		st.file, st.size = fh, regular.Size()
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
	kind   *parse.Format // when set, the kind already found: no sniffing
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
	var nul *nulDrop
	if k == nil {
		if k = sniffWithoutNUL(in.head); k != nil {
			nul = &nulDrop{}
		}
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
	reread := st.reread
	if nul != nil {
		reread = "" // the text parsed is not the file's: the sink keeps it
	}
	sink := st.sp.NewSink(reread)
	var pr io.Reader = in.forParsing(st.opts.Threads)
	if nul != nil {
		nul.r = pr
		pr = bufio.NewReaderSize(nul, readBuf)
	}
	if !st.snapshotAt.IsZero() && k.Snapshot {
		src.Notef(timeline.Pos{}, "timed %s (%s); its lines count from the date line put before it", st.snapshotAt.Format(time.RFC3339), st.snapshotHow)
		pr = io.MultiReader(strings.NewReader(st.snapshotAt.Format(time.RFC3339Nano)+"\n"), pr)
	}
	if err := parseGuarded(k, pr, src, st.opts, sink); err != nil {
		src.Unreadable = src.Unreadable || sink.Len() == 0
		src.Problemf(timeline.Pos{}, "%v", err)
	}
	if nul != nil && nul.n > 0 {
		src.Notef(timeline.Pos{Offset: nul.first}, "%d NUL byte(s) in %d run(s) skipped, the first run at byte %d (logrotate's copytruncate leaves one at a log's start); byte positions in this file count its bytes without them",
			nul.n, nul.runs, nul.first)
	}
	if in.cut != "" {
		src.Problemf(timeline.Pos{Offset: in.cutAt}, "%s", in.cut)
	}
	finish(src, sink)
	st.emit(src, sink)
}

// finish sets what a source reports of its sink once it is parsed.
func finish(src *timeline.Source, sink *timeline.Sink) {
	if n, t, pos := sink.BadTimes(); n > 0 {
		src.Problemf(pos, "%d event(s) left out for a timestamp outside the years 1823–2116 the timeline holds (the first in the year %d): a damaged record or a clock gone wrong", n, t.Year())
		src.BadRecords += n
	}
	if err := sink.Err(); err != nil {
		src.Problemf(timeline.Pos{}, "events lost: %v", err)
	}
	src.Events = sink.Len()
	src.First, src.Last = sink.Span()
}

// parseGuarded runs a parser so that a bug it trips over on one file
// (a panic on input nobody foresaw) becomes a problem on that source, not
// the end of the run and of every other file's findings. Memory is bounded
// by caps, not by this: an allocation that fails cannot be recovered.
func parseGuarded(k *parse.Format, r io.Reader, src *timeline.Source, opts parse.Options, sink *timeline.Sink) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("internal error reading this %s file, reading stopped (please report it): %v", k.Name, p)
		}
	}()
	return k.Parse(r, src, opts, sink)
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
	stored     *parse.CountingReader // the file as stored
	// cut says which compressed stream ended before its end and where,
	// when one did: the parser only sees its decompressed bytes stop.
	// cutAt is where, in decompressed bytes.
	cut   string
	cutAt int64
}

// watch wraps a decompressor to note when its stream is cut short or
// damaged, which the parser above can only report as its own data ending.
func (in *input) watch(r io.Reader, name string) io.Reader {
	return &streamWatch{r: r, in: in, name: name}
}

type streamWatch struct {
	r    io.Reader
	in   *input
	name string
	out  int64 // decompressed bytes delivered
}

func (w *streamWatch) Read(p []byte) (int, error) {
	n, err := w.r.Read(p)
	w.out += int64(n)
	if err != nil && err != io.EOF && w.in.cut == "" {
		what := fmt.Sprintf("damaged (%v)", err)
		if errors.Is(err, io.ErrUnexpectedEOF) {
			what = "cut short"
		}
		w.in.cut = fmt.Sprintf("%s stream %s: the stored file breaks off after %d bytes, where its decompressed data ends at byte %d (positions in this file count decompressed bytes)",
			w.name, what, w.in.stored.N, w.out)
		w.in.cutAt = w.out
	}
	return n, err
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
	stored := &parse.CountingReader{R: r}
	in := &input{r: bufio.NewReaderSize(stored, sniffLen), stored: stored}
	for layer := 0; ; layer++ {
		head, err := in.r.Peek(sniffLen)
		if err != nil && err != io.EOF && !errors.Is(err, bufio.ErrBufferFull) && len(head) == 0 {
			in.close()
			if errors.Is(err, zstd.ErrWindowSizeExceeded) {
				return nil, fmt.Errorf("zstd frame declares a window larger than %d MiB, the most accepted (the zstd tool's limit): %w", maxZstdWindow>>20, err)
			}
			if in.cut != "" {
				return nil, fmt.Errorf("%s", in.cut)
			}
			return nil, fmt.Errorf("reading: %w", err)
		}
		in.head = head
		if err := checkDepth(layer, head); err != nil {
			in.close()
			return nil, err
		}
		zr, name, closer, ok, err := codec(head, in.r)
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
		_, in.external = zr.(*xzProc)
		in.r = bufio.NewReaderSize(in.watch(zr, name), sniffLen)
		src.Compression = joinCompression(src.Compression, name)
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

// maxLayers is the most compression layers undone; a file still
// compressed beneath them is refused (a bomb nests layers).
const maxLayers = 3

// maxZstdWindow is the largest zstd window accepted: the zstd tool's own
// default limit (--long=27), beyond which it asks for --memory. The
// decoder's buffers grow to the window the frame declares.
const maxZstdWindow = 128 << 20

// checkDepth refuses a stream still compressed after maxLayers layers.
func checkDepth(layer int, head []byte) error {
	if layer < maxLayers || !compressedMagic(head) {
		return nil
	}
	return fmt.Errorf("too many compression layers: still compressed (starts %s) after undoing %d; not read further", hexStart(head), maxLayers)
}

// compressedMagic reports whether head starts like a compressed stream
// open undoes.
func compressedMagic(head []byte) bool {
	for _, m := range [][]byte{magicGzip, magicZstd, magicXz, magicBzip2, magicLz4} {
		if bytes.HasPrefix(head, m) {
			return true
		}
	}
	return false
}

func zstdOptions() []zstd.DOption {
	return []zstd.DOption{zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true), zstd.WithDecoderMaxWindow(maxZstdWindow)}
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
