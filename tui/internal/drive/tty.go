package drive

import (
	"bytes"
	"sync"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/arpforensics/arpforensics/analysis"
	"github.com/arpforensics/arpforensics/tui/internal/view"
)

// Tty is a terminal for tcell's real terminfo screen: what the app writes is
// kept byte for byte, and keys are fed as the bytes a terminal would send.
// Tests use it to check what reaches a terminal, escape sequences and all.
type Tty struct {
	W, H int

	mu      sync.Mutex
	out     bytes.Buffer
	in      chan []byte
	pending []byte
	drain   chan struct{} // closed by Drain: Read returns at once
}

// NewTty is a w×h terminal.
func NewTty(w, h int) *Tty {
	return &Tty{W: w, H: h, in: make(chan []byte, 256), drain: make(chan struct{})}
}

func (t *Tty) Start() error {
	t.mu.Lock()
	t.drain = make(chan struct{})
	t.mu.Unlock()
	return nil
}

func (t *Tty) Stop() error { return nil }

// Drain wakes a blocked Read, as tcell needs when it shuts down.
func (t *Tty) Drain() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	select {
	case <-t.drain:
	default:
		close(t.drain)
	}
	return nil
}

func (t *Tty) NotifyResize(func()) {}

func (t *Tty) WindowSize() (tcell.WindowSize, error) {
	return tcell.WindowSize{Width: t.W, Height: t.H}, nil
}

func (t *Tty) Read(p []byte) (int, error) {
	if len(t.pending) == 0 {
		t.mu.Lock()
		drain := t.drain
		t.mu.Unlock()
		select {
		case b := <-t.in:
			t.pending = b
		case <-drain:
			return 0, nil
		}
	}
	n := copy(p, t.pending)
	t.pending = t.pending[n:]
	return n, nil
}

func (t *Tty) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.out.Write(p)
}

func (t *Tty) Close() error { return nil }

// Send types bytes at the terminal (keys, as a terminal encodes them).
func (t *Tty) Send(b string) { t.in <- []byte(b) }

// Output is everything written to the terminal so far.
func (t *Tty) Output() []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	return bytes.Clone(t.out.Bytes())
}

// TtyDriver runs the app on tcell's real terminfo screen over a Tty.
type TtyDriver struct {
	tb  testing.TB
	Tty *Tty
	App *view.App

	mu   sync.Mutex
	cond *sync.Cond
	keys int
	sent int
	done bool
	err  error
}

// StartTty runs the app over res on a w×h terminal of type term (a terminfo
// name such as "xterm-256color" or "xterm") and waits for the first draw.
func StartTty(tb testing.TB, res *analysis.Result, opts view.Options, term string, w, h int) *TtyDriver {
	tb.Helper()
	ti, err := tcell.LookupTerminfo(term)
	if err != nil {
		tb.Fatalf("terminfo %s: %v", term, err)
	}
	d := &TtyDriver{tb: tb, Tty: NewTty(w, h)}
	d.cond = sync.NewCond(&d.mu)
	scr, err := tcell.NewTerminfoScreenFromTtyTerminfo(d.Tty, ti)
	if err != nil {
		tb.Fatal(err)
	}
	opts.Screen = scr
	drew := false
	opts.AfterDraw = func(keys, _, _ int) {
		d.mu.Lock()
		d.keys, drew = keys, true
		d.mu.Unlock()
		d.cond.Broadcast()
	}
	if d.App, err = view.New(res, opts); err != nil {
		tb.Fatal(err)
	}
	go func() {
		err := d.App.Run()
		d.mu.Lock()
		d.done, d.err = true, err
		d.mu.Unlock()
		d.cond.Broadcast()
	}()
	d.wait(func() bool { return drew })
	tb.Cleanup(func() {
		if !d.isDone() {
			d.App.Stop()
			d.wait(func() bool { return d.done })
		}
	})
	return d
}

func (d *TtyDriver) isDone() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.done
}

func (d *TtyDriver) wait(cond func() bool) {
	d.tb.Helper()
	timer := time.AfterFunc(Timeout, func() { d.cond.Broadcast() })
	defer timer.Stop()
	deadline := time.Now().Add(Timeout)
	d.mu.Lock()
	defer d.mu.Unlock()
	for !cond() {
		if time.Now().After(deadline) {
			d.tb.Fatalf("timed out; terminal output so far: %q", d.Tty.Output())
		}
		d.cond.Wait()
	}
}

// Keys types printable ASCII and "\r" (Enter) at the terminal, one key per
// byte, and waits until the app has handled and drawn them all.
func (d *TtyDriver) Keys(s string) {
	d.tb.Helper()
	d.mu.Lock()
	d.sent += len(s)
	d.mu.Unlock()
	d.Tty.Send(s)
	d.wait(func() bool { return d.keys >= d.sent || d.done })
}

// WaitDone waits for the app to quit.
func (d *TtyDriver) WaitDone() error {
	d.tb.Helper()
	d.wait(func() bool { return d.done })
	return d.err
}
