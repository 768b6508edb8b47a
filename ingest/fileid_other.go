//go:build !unix

package ingest

import (
	"io/fs"
	"os"
)

// Without device and inode numbers a loop of links is caught by the
// depth of the walk only.
func idOf(fs.FileInfo) (fileID, bool) { return fileID{}, false }

func openNonBlocking(p string) (*os.File, error) { return os.Open(p) }
