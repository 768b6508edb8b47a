package parse

import (
	"bufio"
	"bytes"
	"errors"
	"io"

	"github.com/arpforensics/arpforensics/timeline"
)

// MaxLine is the longest line kept whole. Longer lines (a neutron-server
// line with an enormous dict) are cut at this length and reported.
const MaxLine = 1 << 20

// LineReader yields the lines of a text artifact with their positions. The
// slice it returns is valid until the next call to Next.
type LineReader struct {
	r    *bufio.Reader
	line int64 // number of the current line
	off  int64 // byte offset of the current line
	next int64 // byte offset of the next line
	buf  []byte
	cut  bool // the current line was longer than MaxLine
	err  error
}

// NewLineReader reads lines from r. A *bufio.Reader of at least 64 KiB is
// used as it is; anything else gets one.
func NewLineReader(r io.Reader) *LineReader {
	br, ok := r.(*bufio.Reader)
	if !ok || br.Size() < 64<<10 {
		br = bufio.NewReaderSize(r, 256<<10)
	}
	return &LineReader{r: br}
}

// Next returns the next line without its line ending ("\n" or "\r\n"), and
// false at the end of input or on a read error (see Err).
func (l *LineReader) Next() ([]byte, bool) {
	if l.err != nil {
		return nil, false
	}
	l.off = l.next
	l.cut = false
	data, err := l.r.ReadSlice('\n')
	consumed := int64(len(data))
	if errors.Is(err, bufio.ErrBufferFull) {
		// A long line: gather it, keeping at most MaxLine bytes.
		l.buf = append(l.buf[:0], data[:min(len(data), MaxLine)]...)
		for errors.Is(err, bufio.ErrBufferFull) {
			data, err = l.r.ReadSlice('\n')
			consumed += int64(len(data))
			if keep := min(len(data), MaxLine-len(l.buf)); keep > 0 {
				l.buf = append(l.buf, data[:keep]...)
			}
		}
		data = l.buf
		body := consumed
		if err == nil {
			body-- // the '\n'
		}
		l.cut = body > int64(len(l.buf))
	}
	l.next += consumed
	if err != nil && err != io.EOF {
		l.err = err
		if len(data) == 0 {
			return nil, false
		}
	}
	if err == io.EOF {
		l.err = io.EOF
		if len(data) == 0 {
			return nil, false
		}
	}
	l.line++
	data = bytes.TrimSuffix(data, []byte{'\n'})
	data = bytes.TrimSuffix(data, []byte{'\r'})
	return data, true
}

// Pos is the position of the line Next last returned.
func (l *LineReader) Pos() timeline.Pos { return timeline.Pos{Line: l.line, Offset: l.off} }

// Cut reports whether the current line was longer than MaxLine and was cut.
func (l *LineReader) Cut() bool { return l.cut }

// Err is the read error that ended the input, nil at a clean end.
func (l *LineReader) Err() error {
	if l.err == io.EOF {
		return nil
	}
	return l.err
}
