package ingest

import (
	"bytes"
	"io"

	"github.com/arpforensics/arpforensics/parse"
)

// A text log may hold runs of NUL bytes: logrotate's copytruncate leaves the
// truncated length as a hole that reads as NULs until the writer's next
// line, and a crash mid-write leaves a block of them. The log is still a
// log: its head is sniffed without them, and it is parsed through nulDrop,
// which removes them (and counts them for a note on the source). Without
// the NULs the byte offsets no longer match the file, so such a file's text
// is kept in the sink as for a compressed one.

// sniffWithoutNUL tries the text kinds on head with its NUL bytes removed,
// when that leaves text; nil if head has none or is not text even so.
func sniffWithoutNUL(head []byte) *parse.Format {
	if bytes.IndexByte(head, 0) < 0 {
		return nil
	}
	clean := bytes.ReplaceAll(head, []byte{0}, nil)
	if len(clean) == 0 || !looksLikeText(clean) || OwnOutput(clean) != "" {
		return nil
	}
	return sniffText(clean)
}

// nulDrop reads r without its NUL bytes.
type nulDrop struct {
	r     io.Reader
	off   int64 // bytes of r read
	n     int64 // NUL bytes dropped
	runs  int64
	first int64 // offset of the first run
	inRun bool
}

func (d *nulDrop) Read(p []byte) (int, error) {
	for {
		n, err := d.r.Read(p)
		k := d.drop(p[:n])
		if k > 0 || err != nil {
			return k, err
		}
		// a read of NULs only: read on rather than return nothing
	}
}

// drop removes the NULs of b in place, returning how many bytes remain.
func (d *nulDrop) drop(b []byte) int {
	i := bytes.IndexByte(b, 0)
	if i < 0 {
		d.off += int64(len(b))
		d.inRun = false
		return len(b)
	}
	if i > 0 {
		d.inRun = false
	}
	w := i
	for j := i; j < len(b); j++ {
		if b[j] == 0 {
			if !d.inRun {
				if d.runs == 0 {
					d.first = d.off + int64(j)
				}
				d.runs++
				d.inRun = true
			}
			d.n++
			continue
		}
		d.inRun = false
		b[w] = b[j]
		w++
	}
	d.off += int64(len(b))
	return w
}
