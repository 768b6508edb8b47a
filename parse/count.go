package parse

import "io"

// CountingReader counts the bytes read through it: how far into a stream
// its reader has got, below any buffer on top (byte offsets, progress).
type CountingReader struct {
	R io.Reader
	N int64 // bytes read so far
}

func (c *CountingReader) Read(p []byte) (int, error) {
	n, err := c.R.Read(p)
	c.N += int64(n)
	return n, err
}
