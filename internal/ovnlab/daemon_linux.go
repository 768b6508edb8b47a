package ovnlab

import "syscall"

// dieWithParent has the kernel stop a daemon when the test process goes.
func dieWithParent() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
