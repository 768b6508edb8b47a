// Package view is the TUI's screen: it lays out the header, findings,
// timeline, detail, density strip and status line over one analysed result,
// binds the keys (one registry, which also writes the help screen) and runs
// the ":" commands. State lives in package model, widgets in package ui.
package view

import (
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"sync/atomic"
	"time"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"github.com/arpforensics/arpforensics/analysis"
	"github.com/arpforensics/arpforensics/timeline"
	"github.com/arpforensics/arpforensics/tui/internal/model"
	"github.com/arpforensics/arpforensics/tui/internal/ui"
)

// Options shape the app.
type Options struct {
	// Location is the zone times are shown in (--tz); nil is UTC.
	Location *time.Location
	// Colors forces the colour depth: 8 or 256, or NoColor for none. Zero
	// decides from the screen and NO_COLOR.
	Colors int
	// Screen to draw on, not yet initialised; nil opens the terminal. Tests
	// and benchmarks pass a tcell.SimulationScreen.
	Screen tcell.Screen
	// AfterDraw, when set, is called after every frame is shown with how
	// many key events the app has handled so far and the screen size the
	// frame was laid out for (tests and benchmarks wait on it).
	AfterDraw func(keys, width, height int)
	// ExportDir is where x writes a finding's evidence (FINDING-ID.pcapng
	// and .txt); "" is the current directory. AnalysedDirs are the run's
	// directory arguments: export refuses to write inside them.
	ExportDir    string
	AnalysedDirs []string
}

// NoColor is the Options.Colors value for no colours at all.
const NoColor = -1

// pane names the three focusable panes, in Tab order.
type pane int

const (
	paneFindings pane = iota
	paneTimeline
	paneDetail
	numPanes
)

// App is the running TUI.
type App struct {
	app    *tview.Application
	screen tcell.Screen // for the clipboard (OSC 52)
	res    *analysis.Result
	theme  *ui.Theme
	opts   Options

	density densityCache // the strip's last counts (drawn on the UI goroutine only)

	tl   *model.Timeline
	fs   *model.Findings
	rows rowCache // decoded events of the rows last drawn

	keys     *ui.Keymap // main screen
	helpKeys *ui.Keymap // help screen
	cmds     []command

	pages    *tview.Pages
	header   *tview.TextView
	fTable   *tview.Table
	tTable   *tview.Table
	detail   *tview.TextView
	panes    [numPanes]*ui.Pane
	strip    *ui.Strip
	status   *ui.Status
	help     *tview.TextView
	helpOpen bool

	focus   pane
	sources bool     // the detail pane lists the sources (:sources)
	back    []func() // what "q" returns to, most recent last

	labels    []string // per source: "host:file" as the timeline shows it
	labelW    int
	citedBy   map[int][]int // event → findings citing it
	first     time.Time     // timeline span, for the strip and :goto
	last      time.Time
	multiDay  bool // the span covers several dates in the display zone
	detailKey string

	search    *regexp.Regexp
	searchGen atomic.Int64  // bumped to cancel a running scan
	filterGen atomic.Int64  // bumped by each filter: one computed in the background applies only if still the last
	pending   *model.Filter // the filter being computed in the background, or nil
	searching bool

	laidOutW int           // the screen width the header and detail were last written for
	detailW  int           // the detail pane's width then (0 before the first layout)
	hscroll  int           // characters the timeline's summaries are scrolled right by
	histStep time.Duration // the detail pane's histogram bucket (i); 0: no histogram
	center   bool          // scroll the timeline so the cursor sits a third down
	keyCount int
}

// New builds the app over res. It opens the screen (opts.Screen, or the
// terminal) but does not run; call Run.
func New(res *analysis.Result, opts Options) (*App, error) {
	if res == nil || res.Timeline == nil {
		return nil, errors.New("tui: no analysed result")
	}
	a := &App{app: tview.NewApplication(), res: res, opts: opts}
	screen, err := OpenScreen(opts.Screen)
	if err != nil {
		return nil, err
	}
	a.app.SetScreen(screen)
	a.screen = screen
	colors := opts.Colors
	switch {
	case colors == 0:
		colors = ui.ColorsFromEnv(screen.Colors())
	case colors < 0:
		colors = 0
	}
	a.theme = ui.NewTheme(colors)

	a.tl = model.NewTimeline(res.Timeline, opts.Location)
	a.rows.tl = res.Timeline
	a.fs = model.NewFindings(res.Findings, res.Timeline)
	a.first, a.last = res.Timeline.Span()
	a.citedBy = map[int][]int{}
	for i := range res.Findings {
		for _, ev := range a.fs.Evidence(i) {
			a.citedBy[ev] = append(a.citedBy[ev], i)
		}
	}
	a.sourceLabels()
	a.zoneChanged()

	a.build()
	a.keys = a.bindings()
	a.helpKeys = a.helpBindings()
	a.cmds = a.commands()
	a.help.SetText(a.helpText())

	a.app.SetInputCapture(a.capture)
	if a.opts.AfterDraw != nil {
		var w, h int
		a.app.SetBeforeDrawFunc(func(s tcell.Screen) bool {
			w, h = s.Size() // what this frame is laid out for
			return false
		})
		a.app.SetAfterDrawFunc(func(s tcell.Screen) {
			// tview calls this before it shows the frame; show it first, so
			// whoever waits on AfterDraw sees what was drawn.
			s.Show()
			a.opts.AfterDraw(a.keyCount, w, h)
		})
	}
	start := paneTimeline
	if len(res.Findings) > 0 {
		start = paneFindings // what went wrong comes first
	}
	a.setFocus(start)
	a.refresh()
	return a, nil
}

// OpenScreen initialises s (nil: the terminal) and returns it as a screen
// whose Init does nothing, which New (and tview's SetScreen) may be given
// again: a terminal must not be set up twice. Initialising here is where a
// failure can be reported: tview's SetScreen drops the error (and Run then
// panics on the half-made screen).
func OpenScreen(s tcell.Screen) (tcell.Screen, error) {
	if in, ok := s.(initialised); ok {
		return in, nil
	}
	if s == nil {
		t, err := tcell.NewScreen()
		if err != nil {
			return nil, fmt.Errorf("tui needs a terminal: %w", err)
		}
		s = t
	}
	if err := s.Init(); err != nil {
		return nil, fmt.Errorf("tui needs a terminal: %w", err)
	}
	return initialised{s}, nil
}

// initialised is a screen OpenScreen has already initialised.
type initialised struct{ tcell.Screen }

func (initialised) Init() error { return nil }

// Run shows the app until the user quits.
func (a *App) Run() error { return a.app.Run() }

// Stop ends Run.
func (a *App) Stop() { a.app.Stop() }

// Theme is the theme the app draws with (it depends on the terminal).
func (a *App) Theme() *ui.Theme { return a.theme }

// Keymap is the main screen's key registry.
func (a *App) Keymap() *ui.Keymap { return a.keys }

// sourceLabels names sources as the timeline shows them: the file's base
// name, prefixed by its host when the sources come from several hosts.
func (a *App) sourceLabels() {
	hosts := map[string]bool{}
	for _, s := range a.res.Timeline.Sources {
		if s.Analysed() {
			hosts[s.Host] = true
		}
	}
	a.labels = make([]string, len(a.res.Timeline.Sources))
	a.labelW = 0
	for i, s := range a.res.Timeline.Sources {
		l := filepath.Base(s.Path)
		if len(hosts) > 1 && s.Host != "" {
			l = s.Host + ":" + l
		}
		a.labels[i] = l
		if s.Analysed() { // skipped files have no events to label
			a.labelW = max(a.labelW, ui.Width(ui.Safe(l)))
		}
	}
}

// zoneChanged recomputes what depends on the display zone.
func (a *App) zoneChanged() {
	loc := a.tl.Loc
	if a.first.IsZero() {
		a.multiDay = false
		return
	}
	y1, m1, d1 := a.first.In(loc).Date()
	y2, m2, d2 := a.last.In(loc).Date()
	a.multiDay = y1 != y2 || m1 != m2 || d1 != d2
}

// build creates the widgets and the layout.
func (a *App) build() {
	t := a.theme
	// The header stays scrollable: a non-scrollable TextView drops the lines
	// it scrolls past, and a resize to one row would lose the second line.
	a.header = tview.NewTextView().SetDynamicColors(true).SetWrap(false)
	a.header.SetTextStyle(t.Base).SetBackgroundColor(tcell.ColorDefault)

	// Every tview colour default is overridden: tview's are white on black,
	// which NO_COLOR and 8-colour terminals must not get.
	a.fTable = tview.NewTable().SetSelectable(true, false).SetContent(&findingsContent{a: a}).SetBordersColor(tcell.ColorDefault)
	a.fTable.SetBackgroundColor(tcell.ColorDefault)
	a.tTable = tview.NewTable().SetSelectable(true, false).SetContent(&timelineContent{a: a}).SetBordersColor(tcell.ColorDefault)
	a.tTable.SetBackgroundColor(tcell.ColorDefault)
	// Word wrap: MACs, paths and IDs are never broken mid-token.
	a.detail = tview.NewTextView().SetDynamicColors(true).SetWrap(true).SetWordWrap(true).SetScrollable(true)
	a.detail.SetTextStyle(t.Base).SetBackgroundColor(tcell.ColorDefault)

	a.panes[paneFindings] = ui.NewPane(a.fTable, t)
	a.panes[paneFindings].Title = a.findingsTitle
	a.panes[paneTimeline] = ui.NewPane(a.tTable, t)
	a.panes[paneTimeline].Title = a.timelineTitle
	a.panes[paneTimeline].Info = a.timelineInfo
	a.panes[paneDetail] = ui.NewPane(a.detail, t)
	a.panes[paneDetail].Title = a.detailTitle

	a.strip = ui.NewStrip(t, a.stripData)
	a.status = ui.NewStatus(t)
	a.status.Hints = func() []ui.Hint { return a.keys.Hints() }

	main := ui.NewGroup(a.header, a.panes[paneFindings], a.panes[paneTimeline], a.panes[paneDetail], a.strip, a.status)
	main.Layout = a.layout

	a.help = tview.NewTextView().SetDynamicColors(true).SetWrap(true).SetScrollable(true)
	a.help.SetTextStyle(t.Base).SetBackgroundColor(tcell.ColorDefault)
	helpPane := ui.NewPane(a.help, t)
	helpPane.Title = func() string { return "Help — keys and commands" }
	helpPane.Info = func() string { return "q, ? or Esc closes" }

	a.pages = tview.NewPages().AddPage("main", main, true, true).AddPage("help", helpPane, true, false)
	a.pages.SetBackgroundColor(tcell.ColorDefault)
	a.app.SetRoot(a.pages, true)
}

// layout arranges the main screen. Rows go first to the timeline; findings
// get up to a quarter (fewer when there are few), the detail a quarter.
// Wide terminals put the detail beside the timeline.
func (a *App) layout(x, y, w, h int) {
	// Keep the cursors in view whatever the new size (tview scrolls a table
	// to its selection only right after Select).
	if a.tl.Rows.Len() > 0 {
		a.tTable.Select(a.tl.Cursor, 0)
	}
	if len(a.fs.List) > 0 {
		a.fTable.Select(a.fs.Cursor, 0)
	}

	headerH := min(2, h)
	a.header.SetRect(x, y, w, headerH)
	// A header squeezed to one row scrolls; put it back when there is room.
	a.header.ScrollToBeginning()
	rest := h - headerH - 2 // strip and status
	if rest < 0 {
		rest = 0
	}
	a.status.SetRect(x, y+h-1, w, min(1, h))
	a.strip.SetRect(x, y+h-2, w, boolInt(h >= 2))

	findH := 0
	if rest >= 6 {
		want := len(a.fs.List) + 1
		if want < 2 {
			want = 2 // the title and "no findings"
		}
		findH = min(want, max(3, rest/4))
	}
	wide := w >= 150 && rest-findH >= 6
	// The detail pane gets at least 5 lines below its title once there is
	// room for it and 8 timeline rows (80×24: findings 5, timeline 9,
	// detail 6); the findings pane gives up rows first.
	detailH := 0
	if !wide && rest-findH >= 8 {
		detailH = max(6, (rest-findH)/4+1)
		if rest-findH-detailH < 9 && findH > 3 {
			findH = max(3, rest-detailH-9)
		}
		detailH = min(detailH, max(4, rest-findH-9))
	}
	timeH := rest - findH - detailH
	top := y + headerH
	a.panes[paneFindings].SetRect(x, top, w, findH)
	if wide {
		dw := min(w/3, 72)
		if w >= 200 {
			dw = 76 // room for a 16-byte hex dump line
		}
		a.panes[paneTimeline].SetRect(x, top+findH, w-dw-1, timeH)
		a.panes[paneDetail].SetRect(x+w-dw, top+findH, dw, timeH)
	} else {
		a.panes[paneTimeline].SetRect(x, top+findH, w, timeH)
		a.panes[paneDetail].SetRect(x, top+findH+timeH, w, detailH)
	}
	// The header and the detail (its hex dump) are written for a width:
	// write them again when it changes.
	dw := w
	if wide {
		_, _, dw, _ = a.panes[paneDetail].GetRect()
	}
	if w != a.laidOutW || dw != a.detailW {
		a.laidOutW, a.detailW = w, dw
		a.header.SetText(a.headerText())
		a.updateDetail()
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// setFocus moves focus to pane p.
func (a *App) setFocus(p pane) {
	a.focus = p
	if p != paneDetail {
		a.sources = false
	}
	var w tview.Primitive
	switch p {
	case paneFindings:
		w = a.fTable
	case paneTimeline:
		w = a.tTable
	default:
		w = a.detail
	}
	a.fTable.SetSelectedStyle(a.theme.CursorBlurred)
	a.tTable.SetSelectedStyle(a.theme.CursorBlurred)
	switch p {
	case paneFindings:
		a.fTable.SetSelectedStyle(a.theme.Cursor)
	case paneTimeline:
		a.tTable.SetSelectedStyle(a.theme.Cursor)
	}
	a.app.SetFocus(w)
	a.detailKey = "" // the detail follows the focused pane
}

// pushBack records where "q" returns to.
func (a *App) pushBack(f func()) {
	const maxBack = 64
	if len(a.back) == maxBack {
		a.back = a.back[1:]
	}
	a.back = append(a.back, f)
}

// capture sees every key first. Keys go to the prompt while it is open;
// otherwise the registry handles them and widgets never see keys, so no
// key does something the help screen does not say.
func (a *App) capture(ev *tcell.EventKey) *tcell.EventKey {
	a.keyCount++
	if a.status.Prompting() {
		return ev
	}
	if ev.Key() == tcell.KeyCtrlC {
		a.app.Stop()
		return nil
	}
	a.status.ClearFlash()
	if a.searching { // any key cancels a background search
		a.searchGen.Add(1)
		a.searching = false
	}
	km := a.keys
	if a.helpOpen {
		km = a.helpKeys
	}
	if !km.Handle(ev) && !a.helpOpen {
		a.flash(fmt.Sprintf("%s: no such key (? shows them all)", ui.KeyOf(ev)), true)
	}
	a.refresh()
	return nil
}

// flash shows a message on the status line until the next key.
func (a *App) flash(msg string, isErr bool) { a.status.Flash(msg, isErr) }

// refresh pushes model state into the widgets after a change.
func (a *App) refresh() {
	if a.tl.Rows.Len() > 0 {
		if a.center {
			_, _, _, h := a.tTable.GetInnerRect()
			a.tTable.SetOffset(max(a.tl.Cursor-h/3, 0), 0)
		}
		a.tTable.Select(a.tl.Cursor, 0)
	}
	a.center = false
	if len(a.fs.List) > 0 {
		a.fTable.Select(a.fs.Cursor, 0)
	}
	a.header.SetText(a.headerText())
	a.updateDetail()
}

// updateDetail shows the selected finding when the findings pane has focus,
// else the event under the timeline cursor. It redraws only on change so
// the detail pane keeps its scroll position while it is being read.
func (a *App) updateDetail() {
	var key string
	if a.histStep > 0 {
		key = fmt.Sprintf("h%d/%d/%d/%d", a.tl.CursorEvent(), a.histStep, a.tl.Rows.Len(), a.detailW)
	} else if a.sources {
		key = "sources"
	} else if a.focus == paneFindings && len(a.fs.List) > 0 {
		key = fmt.Sprintf("f%d", a.fs.Cursor)
	} else {
		key = fmt.Sprintf("e%d/%d/%s", a.tl.CursorEvent(), a.tl.Mark, a.tl.Loc)
	}
	if key == a.detailKey {
		return
	}
	a.detailKey = key
	if a.histStep > 0 {
		a.detail.SetText(a.histogramText())
	} else if a.sources {
		a.detail.SetText(a.sourcesDetail())
	} else if key[0] == 'f' {
		a.detail.SetText(a.findingDetail(a.fs.Cursor))
	} else {
		a.detail.SetText(a.eventDetail(a.tl.CursorEvent()))
	}
	a.detail.ScrollToBeginning()
}

// pageRows is how many rows a page key moves in pane p.
func (a *App) pageRows(p pane) int {
	var h int
	switch p {
	case paneFindings:
		_, _, _, h = a.fTable.GetInnerRect()
	case paneTimeline:
		_, _, _, h = a.tTable.GetInnerRect()
	default:
		_, _, _, h = a.detail.GetInnerRect()
	}
	return max(h-1, 1)
}

// showEvent puts the timeline cursor on event ev, clearing the filters when
// they hide it, and focuses the timeline.
func (a *App) showEvent(ev int) {
	if !a.tl.ShowEvent(ev) {
		if err := a.tl.SetFilter(model.Filter{}); err == nil {
			a.tl.ShowEvent(ev)
			a.flash("filters cleared to show the event", false)
		}
	}
	a.center = true
	a.setFocus(paneTimeline)
}

// rowCache keeps a few decoded events by index, so that drawing a row's
// cells, its detail and its title decode the event once: tview asks for
// every cell of every visible row on each draw. It is direct-mapped and
// used on the UI goroutine only.
type rowCache struct {
	tl   *timeline.Timeline
	slot [rowCacheSize]struct {
		ev int // event index + 1; 0 when empty
		e  timeline.Event
	}
}

const rowCacheSize = 256

// event returns event ev decoded. The pointer is valid until the next call.
func (c *rowCache) event(ev int) *timeline.Event {
	s := &c.slot[uint(ev)%rowCacheSize]
	if s.ev != ev+1 {
		s.e, s.ev = c.tl.Event(ev), ev+1
	}
	return &s.e
}
