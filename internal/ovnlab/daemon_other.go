//go:build !linux

package ovnlab

import "syscall"

func dieWithParent() *syscall.SysProcAttr { return nil }
