package ingest

import (
	"fmt"
	"io"
)

// maxSmallFile is the most read of a small YAML file found in a tree (a
// case file, a Zuul inventory): they are a few kilobytes.
const maxSmallFile = 4 << 20

// readSmall reads a small regular file whole, refusing FIFOs and devices
// (without waiting on them) and files over max bytes.
func readSmall(p string, max int64) ([]byte, error) {
	fh, err := openNonBlocking(p)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	fi, err := fh.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s", SpecialReason(fi.Mode()))
	}
	if fi.Size() > max {
		return nil, fmt.Errorf("%d bytes, more than the %d read of such a file", fi.Size(), max)
	}
	data, err := io.ReadAll(io.LimitReader(fh, max+1))
	if err == nil && int64(len(data)) > max {
		err = fmt.Errorf("more than the %d bytes read of such a file", max)
	}
	return data, err
}
