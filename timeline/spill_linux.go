//go:build linux && (amd64 || arm64 || 386 || arm || ppc64le || s390x || riscv64 || loong64)

package timeline

import (
	"os"
	"syscall"
)

// oTmpfile is Linux's O_TMPFILE on these architectures (__O_TMPFILE |
// O_DIRECTORY): a file in dir that never has a name, so no signal can
// arrive between creating and unlinking it.
const oTmpfile = 0o20000000 | syscall.O_DIRECTORY

func openUnnamed(dir string) (*os.File, error) {
	return os.OpenFile(dir, os.O_RDWR|oTmpfile, 0o600)
}
