//go:build unix

package tempout

import (
	"os"
	"syscall"
	"time"
)

func processGone(pid int) bool { return syscall.Kill(pid, 0) == syscall.ESRCH }

// dieOf ends the process as the signal would have without the handler.
func dieOf(s os.Signal) {
	if sig, ok := s.(syscall.Signal); ok {
		syscall.Kill(os.Getpid(), sig)
		time.Sleep(time.Second) // the signal ends the process meanwhile
	}
	os.Exit(128 + 15)
}
