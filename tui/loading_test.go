package tui

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/arpforensics/arpforensics/analysis"
	"github.com/arpforensics/arpforensics/detect"
)

// screenText is the simulated screen as lines of text.
func screenText(s tcell.SimulationScreen) string {
	cells, w, h := s.GetContents()
	var b strings.Builder
	for y := range h {
		for x := range w {
			if r := cells[y*w+x].Runes; len(r) > 0 {
				b.WriteRune(r[0])
			} else {
				b.WriteByte(' ')
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// shots keeps the screen as of its last draw, copied on the drawing
// goroutine right after the draw (reading the simulated cells from the
// test's goroutine would race with the next draw).
type shots struct {
	mu   sync.Mutex
	s    tcell.SimulationScreen
	last string
}

func (sh *shots) afterDraw(int, int, int) {
	text := screenText(sh.s)
	sh.mu.Lock()
	sh.last = text
	sh.mu.Unlock()
}

// waitScreen polls until the last draw shows want.
func waitScreen(t *testing.T, sh *shots, want string) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		sh.mu.Lock()
		text := sh.last
		sh.mu.Unlock()
		if strings.Contains(text, want) {
			return text
		}
		if time.Now().After(deadline) {
			t.Fatalf("the screen never showed %q:\n%s", want, text)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// The loading screen is up before any byte is read, follows the progress the
// analysis reports, and gives its screen to the TUI when the result is in.
func TestLoadingScreenThenTheTimeline(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {200, 60}} {
		s := tcell.NewSimulationScreen("UTF-8")
		s.SetSize(size[0], size[1])
		sh := &shots{s: s}
		l, err := StartLoading(Options{Screen: s, AfterDraw: sh.afterDraw})
		if err != nil {
			t.Fatal(err)
		}
		waitScreen(t, sh, "finding the files")
		l.Progress(3<<20, 12<<20)
		text := waitScreen(t, sh, "3.0 MB of 12.0 MB read")
		if !strings.Contains(text, " 25%") || !strings.Contains(text, "q quits") {
			t.Errorf("%dx%d: no percentage or key hint:\n%s", size[0], size[1], text)
		}
		res := analysis.Run(analysis.Options{Paths: []string{"../samples/fip-reuse"}, Config: detect.Defaults(), Progress: l.Progress})
		ran := make(chan error, 1)
		var shown sync.Once
		up := make(chan struct{})
		go func() {
			ran <- l.Show(res, Options{AfterDraw: func(int, int, int) { shown.Do(func() { close(up) }) }})
		}()
		select {
		case <-up:
		case <-time.After(10 * time.Second):
			t.Fatalf("%dx%d: the TUI never drew after loading", size[0], size[1])
		}
		s.InjectKey(tcell.KeyRune, 'q', tcell.ModNone)
		select {
		case err := <-ran:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%dx%d: q did not end the TUI after loading (the loading screen's poller kept the keys?)", size[0], size[1])
		}
	}
}

// q while loading says so at once: the command stops waiting for the
// analysis and gives the terminal back.
func TestQuitWhileLoading(t *testing.T) {
	s := tcell.NewSimulationScreen("UTF-8")
	s.SetSize(80, 24)
	sh := &shots{s: s}
	l, err := StartLoading(Options{Screen: s, AfterDraw: sh.afterDraw})
	if err != nil {
		t.Fatal(err)
	}
	waitScreen(t, sh, "q quits")
	s.InjectKey(tcell.KeyRune, 'q', tcell.ModNone)
	select {
	case <-l.Quit():
	case <-time.After(10 * time.Second):
		t.Fatal("q while loading was not seen")
	}
	l.Abort()
}
