//go:build !(linux && (amd64 || arm64 || 386 || arm || ppc64le || s390x || riscv64 || loong64))

package timeline

import (
	"errors"
	"os"
)

func openUnnamed(string) (*os.File, error) { return nil, errors.ErrUnsupported }
