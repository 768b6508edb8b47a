// Package drive runs the TUI on a tcell.SimulationScreen for tests and
// benchmarks: press keys, wait until the app has handled them and drawn, and
// read the screen back as text and styles.
package drive

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/arpforensics/arpforensics/analysis"
	"github.com/arpforensics/arpforensics/tui/internal/view"
)

// Timeout bounds every wait; a test that hits it prints the screen.
var Timeout = 10 * time.Second

// Driver is one running app on a simulated screen.
type Driver struct {
	tb     testing.TB
	Screen tcell.SimulationScreen
	App    *view.App

	mu     sync.Mutex
	cond   *sync.Cond
	keys   int // key events handled, as of the last draw
	draws  int
	w, h   int // screen size at the last draw
	sent   int // key events injected
	done   bool
	runErr error
	// shot is the screen as of the last draw, copied on the app's goroutine
	// right after it was shown: the simulated screen's own cells are
	// written by the next draw while a test reads them (a data race).
	shot         []tcell.SimCell
	shotW, shotH int
}

// Start runs the app over res on a w×h simulated screen and waits for the
// first draw. opts.Screen and opts.AfterDraw are set by the driver.
func Start(tb testing.TB, res *analysis.Result, opts view.Options, w, h int) *Driver {
	tb.Helper()
	d := &Driver{tb: tb, Screen: tcell.NewSimulationScreen("UTF-8")}
	d.cond = sync.NewCond(&d.mu)
	opts.Screen = d.Screen
	opts.AfterDraw = func(keys, w, h int) {
		cells, cw, ch := d.Screen.GetContents()
		d.mu.Lock()
		d.shot = d.shot[:0]
		for _, c := range cells {
			c.Runes = append([]rune(nil), c.Runes...)
			c.Bytes = append([]byte(nil), c.Bytes...)
			d.shot = append(d.shot, c)
		}
		d.shotW, d.shotH = cw, ch
		d.keys = keys
		d.draws++
		d.w, d.h = w, h
		d.mu.Unlock()
		d.cond.Broadcast()
	}
	app, err := view.New(res, opts)
	if err != nil {
		tb.Fatal(err)
	}
	d.App = app
	d.Screen.SetSize(w, h)
	go func() {
		err := app.Run()
		d.mu.Lock()
		d.done, d.runErr = true, err
		d.mu.Unlock()
		d.cond.Broadcast()
	}()
	d.wait("the first draw", func() bool { return d.draws > 0 })
	tb.Cleanup(func() {
		if !d.Done() {
			app.Stop()
			d.wait("the app to stop", func() bool { return d.done })
		}
	})
	return d
}

// wait blocks until cond holds (checked under the lock after every draw).
func (d *Driver) wait(what string, cond func() bool) {
	d.tb.Helper()
	deadline := time.Now().Add(Timeout)
	timer := time.AfterFunc(Timeout, func() { d.cond.Broadcast() })
	defer timer.Stop()
	d.mu.Lock()
	defer d.mu.Unlock()
	for !cond() {
		if time.Now().After(deadline) {
			d.mu.Unlock()
			scr := d.Text()
			d.mu.Lock()
			d.tb.Fatalf("timed out waiting for %s; screen:\n%s", what, scr)
		}
		d.cond.Wait()
	}
}

// Press sends keys and waits until the app has handled and drawn them. A
// key is a rune ("j", "G", "/") or a name: Enter, Esc, Tab, Backtab, Up,
// Down, PgUp, PgDn, Home, End, Backspace, Ctrl-C, Ctrl-L.
func (d *Driver) Press(keys ...string) {
	d.tb.Helper()
	for _, k := range keys {
		d.inject(k)
	}
	d.sync()
}

// Type types text rune by rune (into a prompt, say) and waits for it.
func (d *Driver) Type(text string) {
	d.tb.Helper()
	for _, r := range text {
		d.Screen.InjectKey(tcell.KeyRune, r, tcell.ModNone)
		d.mu.Lock()
		d.sent++
		d.mu.Unlock()
	}
	d.sync()
}

var named = map[string]tcell.Key{
	"Enter": tcell.KeyEnter, "Esc": tcell.KeyEscape, "Tab": tcell.KeyTab, "Backtab": tcell.KeyBacktab,
	"Up": tcell.KeyUp, "Down": tcell.KeyDown, "Left": tcell.KeyLeft, "Right": tcell.KeyRight,
	"PgUp": tcell.KeyPgUp, "PgDn": tcell.KeyPgDn, "Home": tcell.KeyHome, "End": tcell.KeyEnd,
	"Backspace": tcell.KeyBackspace2, "Ctrl-C": tcell.KeyCtrlC, "Ctrl-L": tcell.KeyCtrlL,
}

func (d *Driver) inject(k string) {
	d.tb.Helper()
	if code, ok := named[k]; ok {
		d.Screen.InjectKey(code, 0, tcell.ModNone)
	} else if r := []rune(k); len(r) == 1 {
		d.Screen.InjectKey(tcell.KeyRune, r[0], tcell.ModNone)
	} else {
		d.tb.Fatalf("drive: unknown key %q", k)
	}
	d.mu.Lock()
	d.sent++
	d.mu.Unlock()
}

// sync waits until every sent key was handled and drawn, or the app quit.
func (d *Driver) sync() {
	d.tb.Helper()
	d.wait(fmt.Sprintf("%d key(s) to be handled", d.sent), func() bool { return d.keys >= d.sent || d.done })
}

// WaitFor waits until the screen text satisfies cond (for results that
// arrive after the key that asked for them, like a background search).
func (d *Driver) WaitFor(what string, cond func(screen string) bool) {
	d.tb.Helper()
	deadline := time.Now().Add(Timeout)
	for {
		if cond(d.Text()) {
			return
		}
		if time.Now().After(deadline) {
			d.tb.Fatalf("timed out waiting for %s; screen:\n%s", what, d.Text())
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// Resize changes the screen size and waits for the redraw at that size.
func (d *Driver) Resize(w, h int) {
	d.tb.Helper()
	d.Screen.SetSize(w, h)
	// A terminal reports its new size with a resize event; so do we.
	if err := d.Screen.PostEvent(tcell.NewEventResize(w, h)); err != nil {
		d.tb.Fatal(err)
	}
	d.wait(fmt.Sprintf("a draw at %dx%d", w, h), func() bool { return d.w == w && d.h == h })
}

// Done reports whether the app has quit.
func (d *Driver) Done() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.done
}

// WaitDone waits for the app to quit and returns Run's error.
func (d *Driver) WaitDone() error {
	d.tb.Helper()
	d.wait("the app to quit", func() bool { return d.done })
	return d.runErr
}

// Lines is the screen as text, one string per row, trailing spaces cut.
// Zero-width joiners (which ui.Escape puts after a "[" to stop tview reading
// a tag) are invisible and left out.
func (d *Driver) Lines() []string {
	cells, w, h := d.contents()
	out := make([]string, h)
	for y := 0; y < h; y++ {
		var b strings.Builder
		for x := 0; x < w; x++ {
			c := cells[y*w+x]
			if len(c.Runes) == 0 {
				continue // the right half of a wide character
			}
			for _, r := range c.Runes {
				if r != '\u200d' {
					b.WriteRune(r)
				}
			}
		}
		out[y] = strings.TrimRight(b.String(), " ")
	}
	return out
}

// Text is the screen as text.
func (d *Driver) Text() string { return strings.Join(d.Lines(), "\n") }

// Find returns the first position of s on the screen.
func (d *Driver) Find(s string) (x, y int, ok bool) {
	for y, l := range d.Lines() {
		if i := strings.Index(l, s); i >= 0 {
			return len([]rune(l[:i])), y, true
		}
	}
	return 0, 0, false
}

// Line returns the first screen row containing s, or "".
func (d *Driver) Line(s string) string {
	for _, l := range d.Lines() {
		if strings.Contains(l, s) {
			return l
		}
	}
	return ""
}

// Cell returns the cell at x, y.
func (d *Driver) Cell(x, y int) tcell.SimCell {
	cells, w, _ := d.contents()
	return cells[y*w+x]
}

// Cells returns every cell on the screen.
func (d *Driver) Cells() []tcell.SimCell {
	cells, _, _ := d.contents()
	return cells
}

// contents is the screen as last drawn: a copy the caller may keep.
func (d *Driver) contents() ([]tcell.SimCell, int, int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]tcell.SimCell(nil), d.shot...), d.shotW, d.shotH
}
