package tui

import (
	"fmt"
	"sync"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/arpforensics/arpforensics/analysis"
	"github.com/arpforensics/arpforensics/tui/internal/view"
)

// Loading is the screen shown while the analysis runs: from the first
// moment, on the terminal the TUI then takes over, how much of the input is
// read. Reading a gigabyte takes seconds, and a blank terminal looks like a
// hang. Only numbers are drawn, never a path or any other artifact text.
type Loading struct {
	screen tcell.Screen
	start  time.Time

	mu          sync.Mutex
	done, total int64

	quit     chan struct{} // closed when the user asks to quit
	quitOnce sync.Once
	stop     chan struct{} // closed to end the loop
	loopDone chan struct{}
	pollDone chan struct{}
}

// loadingTick is how often the screen is redrawn while loading.
const loadingTick = 100 * time.Millisecond

// StartLoading opens the screen (opts.Screen, or the terminal), draws the
// loading screen and keeps it current until Show or Abort.
func StartLoading(opts Options) (*Loading, error) {
	screen, err := view.OpenScreen(opts.Screen)
	if err != nil {
		return nil, err
	}
	l := &Loading{screen: screen, start: time.Now(), quit: make(chan struct{}), stop: make(chan struct{}),
		loopDone: make(chan struct{}), pollDone: make(chan struct{})}
	events := make(chan tcell.Event, 8)
	go l.poll(events)
	go l.loop(events, opts.AfterDraw)
	return l, nil
}

// Progress records how far the analysis is (analysis.Options.Progress). It
// may be called from any goroutine.
func (l *Loading) Progress(done, total int64) {
	l.mu.Lock()
	l.done, l.total = done, total
	l.mu.Unlock()
}

// Quit is closed when the user presses q, Esc or Ctrl-C while loading.
func (l *Loading) Quit() <-chan struct{} { return l.quit }

// Show ends the loading screen and runs the TUI over res on the same
// screen until the user quits.
func (l *Loading) Show(res *analysis.Result, opts Options) error {
	l.end()
	opts.Screen = l.screen // initialised: New does not set it up again
	app, err := view.New(res, opts)
	if err != nil {
		l.screen.Fini()
		return err
	}
	return app.Run()
}

// Abort ends the loading screen and gives the terminal back.
func (l *Loading) Abort() {
	l.end()
	l.screen.Fini()
}

func (l *Loading) end() {
	select {
	case <-l.stop:
		return
	default:
	}
	close(l.stop)
	<-l.loopDone
	// Wake the poller so that it returns before the next owner polls.
	l.screen.PostEvent(tcell.NewEventInterrupt(l))
	<-l.pollDone
}

func (l *Loading) poll(events chan<- tcell.Event) {
	defer close(l.pollDone)
	for {
		ev := l.screen.PollEvent()
		if ev == nil {
			return
		}
		if in, ok := ev.(*tcell.EventInterrupt); ok && in.Data() == l {
			return
		}
		select {
		case events <- ev:
		default: // the loop is busy or gone: a key while loading is not worth blocking for
		}
	}
}

func (l *Loading) loop(events <-chan tcell.Event, afterDraw func(keys, w, h int)) {
	defer close(l.loopDone)
	t := time.NewTicker(loadingTick)
	defer t.Stop()
	keys := 0
	l.draw(keys, afterDraw)
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
		case ev := <-events:
			switch ev := ev.(type) {
			case *tcell.EventResize:
				l.screen.Sync()
			case *tcell.EventKey:
				keys++
				if ev.Key() == tcell.KeyCtrlC || ev.Key() == tcell.KeyEscape || ev.Key() == tcell.KeyRune && ev.Rune() == 'q' {
					l.quitOnce.Do(func() { close(l.quit) })
				}
			}
		}
		l.draw(keys, afterDraw)
	}
}

// draw shows the title, a bar of the bytes read and the time taken, centred.
func (l *Loading) draw(keys int, afterDraw func(keys, w, h int)) {
	l.mu.Lock()
	done, total := l.done, l.total
	l.mu.Unlock()
	s := l.screen
	s.Clear()
	w, h := s.Size()
	elapsed := time.Since(l.start).Truncate(100 * time.Millisecond)
	lines := []string{"arpforensics: analysing"}
	select {
	case <-l.quit:
		lines = append(lines, "quitting once the files being read are done…")
	default:
		if total > 0 {
			frac := min(float64(done)/float64(total), 1)
			barW := max(min(w-12, 50), 10)
			fill := int(frac * float64(barW))
			bar := make([]rune, barW)
			for i := range bar {
				bar[i] = '░'
				if i < fill {
					bar[i] = '█'
				}
			}
			lines = append(lines, fmt.Sprintf("%s %3.0f%%", string(bar), frac*100),
				fmt.Sprintf("%s of %s read, %s", sizeText(done), sizeText(total), elapsed))
		} else {
			lines = append(lines, fmt.Sprintf("finding the files, %s", elapsed))
		}
		lines = append(lines, "", "q quits")
	}
	y := max((h-len(lines))/2, 0)
	for i, line := range lines {
		runes := []rune(line)
		x := max((w-len(runes))/2, 0)
		style := tcell.StyleDefault
		if i == 0 {
			style = style.Bold(true)
		}
		for j, r := range runes {
			if x+j < w {
				s.SetContent(x+j, y+i, r, nil, style)
			}
		}
	}
	s.Show()
	if afterDraw != nil {
		afterDraw(keys, w, h)
	}
}

// sizeText is n bytes for a person: 512 B, 3.4 MB, 1.2 GB.
func sizeText(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f kB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
