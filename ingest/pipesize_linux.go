package ingest

import (
	"io"
	"os"
	"syscall"
)

// growPipe asks for a 1 MiB pipe buffer (F_SETPIPE_SZ): a child process'
// output then arrives in large reads, not 64 KiB ones, each a system call
// and a wake-up. Failure is harmless.
func growPipe(r io.Reader) {
	if f, ok := r.(*os.File); ok {
		const fSetPipeSz = 1031
		syscall.Syscall(syscall.SYS_FCNTL, f.Fd(), fSetPipeSz, 1<<20)
	}
}
