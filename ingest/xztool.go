package ingest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
)

// The pure-Go xz decoder runs at about 40% of liblzma's speed, and a
// devstack.journal.xz is gigabytes: when the xz tool is installed, the
// stream is piped through `xz -dc` instead (a child process decoding on its
// own core while we parse on another), and its errors are ours. ARPF_XZ=go
// keeps the pure-Go decoder (tests compare the two).

// xzTool starts `xz -dc` reading r. ok is false when xz is not installed
// or not wanted.
func xzTool(r io.Reader) (io.Reader, io.Closer, bool) {
	if os.Getenv("ARPF_XZ") == "go" {
		return nil, nil, false
	}
	path, err := exec.LookPath("xz")
	if err != nil {
		return nil, nil, false
	}
	cmd := exec.Command(path, "-dc", "-q")
	cmd.Stdin = r
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, nil, false
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, false
	}
	growPipe(out)
	x := &xzProc{cmd: cmd, out: out, buf: bufio.NewReaderSize(out, 1<<20), stderr: &stderr}
	return x, x, true
}

type xzProc struct {
	cmd    *exec.Cmd
	out    io.ReadCloser
	buf    *bufio.Reader // large reads from the pipe
	stderr *bytes.Buffer
	once   sync.Once
	err    error // the process' failure, once it exited
	end    error // what every read answers once the output ended: io.EOF or err
}

// Read passes xz's output on; at its end it reports xz's failure (a
// truncated or corrupt stream) instead of a clean end, and keeps answering
// so: waiting for xz closed the pipe, and a read of it now would fail (the
// capture reader asks again after the end).
func (x *xzProc) Read(p []byte) (int, error) {
	if x.end != nil {
		return 0, x.end
	}
	n, err := x.buf.Read(p)
	if err == io.EOF {
		x.wait()
		if x.err != nil {
			err = x.err
		}
		x.end = err
	}
	return n, err
}

func (x *xzProc) wait() {
	x.once.Do(func() {
		if err := x.cmd.Wait(); err != nil {
			msg := strings.TrimSpace(x.stderr.String())
			if _, after, ok := strings.Cut(msg, "(stdin): "); ok {
				msg = after
			}
			if msg == "" {
				msg = err.Error()
			}
			x.err = fmt.Errorf("xz: %s", msg)
			var ee *exec.ExitError
			if errors.As(err, &ee) && !ee.Exited() {
				x.err = nil // killed by Close: not the stream's fault
			}
		}
	})
}

// Close stops xz if the reader gave up early.
func (x *xzProc) Close() error {
	if x.cmd.ProcessState == nil {
		x.cmd.Process.Kill()
	}
	x.out.Close()
	x.wait()
	return nil
}
