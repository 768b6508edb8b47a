//go:build unix

package ingest

import (
	"io/fs"
	"os"
	"syscall"
)

func idOf(info fs.FileInfo) (fileID, bool) {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return fileID{}, false
	}
	return fileID{uint64(st.Dev), uint64(st.Ino)}, true
}

// openNonBlocking opens a file without waiting: a FIFO put in place of a
// file after it was listed opens at once instead of waiting for a writer
// (and is then refused as not regular).
func openNonBlocking(p string) (*os.File, error) {
	return os.OpenFile(p, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
