package ingest

import (
	"bytes"
	"compress/bzip2"
	"fmt"
	"io"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
	"github.com/ulikunitz/xz"
)

// Compression formats open undoes, recognised by their magic bytes. Each
// is a streaming reader: nothing is held beyond the codec's own window.
var (
	magicGzip  = []byte{0x1f, 0x8b}
	magicZstd  = []byte{0x28, 0xb5, 0x2f, 0xfd}
	magicXz    = []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}
	magicBzip2 = []byte{'B', 'Z', 'h'}
	magicLz4   = []byte{0x04, 0x22, 0x4d, 0x18} // LZ4 frame format (the lz4 tool's default)
)

// codec undoes one layer of gzip, zstd, xz, bzip2 or lz4 when head starts
// with its magic; closer, when not nil, releases the decoder. ok is false
// when head is none of them.
func codec(head []byte, r io.Reader) (zr io.Reader, name string, closer io.Closer, ok bool, err error) {
	switch {
	case bytes.HasPrefix(head, magicGzip):
		g, err := gzip.NewReader(r)
		if err != nil {
			return nil, "gzip", nil, true, fmt.Errorf("gzip header: %w", err)
		}
		return g, "gzip", g, true, nil
	case bytes.HasPrefix(head, magicZstd):
		z, err := zstd.NewReader(r, zstdOptions()...)
		if err != nil {
			return nil, "zstd", nil, true, fmt.Errorf("zstd header: %w", err)
		}
		return z, "zstd", z.IOReadCloser(), true, nil
	case bytes.HasPrefix(head, magicXz):
		if x, c, ok := xzTool(r); ok {
			return x, "xz", c, true, nil
		}
		// The reader checks each block's check sum; concatenated streams
		// (xz -dc a.xz b.xz) are read on as one.
		x, err := xz.NewReader(r)
		if err != nil {
			return nil, "xz", nil, true, fmt.Errorf("xz header: %w", err)
		}
		return x, "xz", nil, true, nil
	case bytes.HasPrefix(head, magicBzip2) && len(head) >= 10 && head[3] >= '1' && head[3] <= '9' &&
		bytes.HasPrefix(head[4:], []byte{0x31, 0x41, 0x59, 0x26, 0x53, 0x59}):
		// "BZh" + block size digit + the block magic (π's digits): "BZh"
		// alone starts plenty of text.
		return bzip2.NewReader(r), "bzip2", nil, true, nil
	case bytes.HasPrefix(head, magicLz4):
		return lz4.NewReader(r), "lz4", nil, true, nil
	}
	return nil, "", nil, false, nil
}
