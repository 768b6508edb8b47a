package ingest

import (
	"bufio"
	"errors"
	"io"
	"os"

	"github.com/arpforensics/arpforensics/timeline"
)

// Reopen opens an analysed file again for a second reading of its plain
// bytes: compression layers are undone by their magic exactly as when it was
// analysed, so positions (frame numbers, lines) mean the same. Standard
// input cannot be read again.
func Reopen(path string) (io.ReadCloser, error) {
	if path == Stdin {
		return nil, errors.New("standard input cannot be read a second time")
	}
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	in, err := open(fh, &timeline.Source{})
	if err != nil {
		fh.Close()
		return nil, err
	}
	return &reopened{Reader: bufio.NewReaderSize(in.r, readBuf), in: in, f: fh}, nil
}

type reopened struct {
	*bufio.Reader
	in *input
	f  *os.File
}

func (r *reopened) Close() error {
	r.in.close()
	return r.f.Close()
}
