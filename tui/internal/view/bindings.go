package view

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/arpforensics/arpforensics/export"
	"github.com/arpforensics/arpforensics/internal/safetext"
	"github.com/arpforensics/arpforensics/tui/internal/model"
	"github.com/arpforensics/arpforensics/tui/internal/ui"
)

// Key groups on the help screen, in order.
const (
	groupMove     = "Move"
	groupEvidence = "Findings and evidence"
	groupSearch   = "Search, follow, mark"
	groupOther    = "Other"
)

// bindings is the main screen's key registry: every key the app answers to,
// with the words the help screen and the hint line use for it. Keys follow
// lnav (j/k, g/G, e/E, n/N, /, :, ?, q, m) and k9s (Tab, Esc, : commands).
func (a *App) bindings() *ui.Keymap {
	r, c := ui.Rune, ui.Code
	onFindings := func() bool { return a.focus == paneFindings && len(a.fs.List) > 0 }
	offFindings := func() bool { return a.focus != paneFindings && len(a.fs.List) > 0 }
	searching := func() bool { return a.search != nil }
	return ui.NewKeymap().
		Add(ui.Binding{Keys: []ui.Key{r('j'), c(tcell.KeyDown)}, Group: groupMove, Help: "down one row (in the detail pane: scroll)", Do: func() { a.move(1) }}).
		Add(ui.Binding{Keys: []ui.Key{r('k'), c(tcell.KeyUp)}, Group: groupMove, Help: "up one row", Do: func() { a.move(-1) }}).
		Add(ui.Binding{Keys: []ui.Key{c(tcell.KeyPgDn), c(tcell.KeyCtrlF)}, Group: groupMove, Help: "down one page", Do: func() { a.move(a.pageRows(a.focus)) }}).
		Add(ui.Binding{Keys: []ui.Key{c(tcell.KeyPgUp), c(tcell.KeyCtrlB)}, Group: groupMove, Help: "up one page", Do: func() { a.move(-a.pageRows(a.focus)) }}).
		Add(ui.Binding{Keys: []ui.Key{r('g'), c(tcell.KeyHome)}, Group: groupMove, Help: "first row", Do: func() { a.moveEnd(false) }}).
		Add(ui.Binding{Keys: []ui.Key{r('G'), c(tcell.KeyEnd)}, Group: groupMove, Help: "last row", Do: func() { a.moveEnd(true) }}).
		Add(ui.Binding{Keys: []ui.Key{c(tcell.KeyTab)}, Group: groupMove, Help: "next pane: findings → timeline → detail", Do: func() { a.cyclePane(1) }}).
		Add(ui.Binding{Keys: []ui.Key{c(tcell.KeyBacktab)}, Group: groupMove, Help: "previous pane", Do: func() { a.cyclePane(-1) }}).
		Add(ui.Binding{Keys: []ui.Key{c(tcell.KeyEnter)}, Group: groupEvidence, Help: "on a finding: go to the first event its evidence list cites at or after the finding's start (the status line counts it among the cited events in time order: E reaches earlier ones); on an event: read it in the detail pane", Hint: "evidence", HintIf: onFindings, Do: a.enter}).
		Add(ui.Binding{Keys: []ui.Key{r('e')}, Group: groupEvidence, Help: "next evidence event of the selected finding", Hint: "next evidence", HintIf: offFindings, Do: func() { a.evidence(1) }}).
		Add(ui.Binding{Keys: []ui.Key{r('E')}, Group: groupEvidence, Help: "previous evidence event of the selected finding", Do: func() { a.evidence(-1) }}).
		Add(ui.Binding{Keys: []ui.Key{r('x')}, Group: groupEvidence, Help: "export the selected finding's evidence for Wireshark: FINDING-ID.pcapng (cited frames ± 5, commented) and .txt (log lines) in the current directory", Do: a.exportFinding}).
		Add(ui.Binding{Keys: []ui.Key{r('/')}, Group: groupSearch, Help: "search the timeline (Go regular expression; raw lines and summaries)", Hint: "search", Do: a.searchPrompt}).
		Add(ui.Binding{Keys: []ui.Key{r('n')}, Group: groupSearch, Help: "next search match (wraps)", Hint: "next match", HintIf: searching, Do: func() { a.findNext(1, false) }}).
		Add(ui.Binding{Keys: []ui.Key{r('N')}, Group: groupSearch, Help: "previous search match", Do: func() { a.findNext(-1, false) }}).
		Add(ui.Binding{Keys: []ui.Key{r('f')}, Group: groupSearch, Help: "follow the IP, MAC or OVSDB entity under the cursor (show only its events); again: stop", Hint: "follow", Do: func() { a.follow(false) }}).
		Add(ui.Binding{Keys: []ui.Key{r('F')}, Group: groupSearch, Help: "follow the next address or entity of the event under the cursor", Do: func() { a.follow(true) }}).
		Add(ui.Binding{Keys: []ui.Key{r('m')}, Group: groupSearch, Help: "set the mark on the event under the cursor (Δ column); again: clear", Hint: "mark", Do: a.mark}).
		Add(ui.Binding{Keys: []ui.Key{r('u')}, Group: groupSearch, Help: "next marked event (several can be marked with m)", Do: func() { a.jumpMark(1) }}).
		Add(ui.Binding{Keys: []ui.Key{r('U')}, Group: groupSearch, Help: "previous marked event", Do: func() { a.jumpMark(-1) }}).
		Add(ui.Binding{Keys: []ui.Key{r('l'), c(tcell.KeyRight)}, Group: groupMove, Help: "scroll the timeline's summaries right (long lines)", Do: func() { a.scrollRight(8) }}).
		Add(ui.Binding{Keys: []ui.Key{r('h'), c(tcell.KeyLeft)}, Group: groupMove, Help: "scroll them back left", Do: func() { a.scrollRight(-8) }}).
		Add(ui.Binding{Keys: []ui.Key{r('c')}, Group: groupOther, Help: "copy the event under the cursor — or every marked event — to the clipboard (OSC 52: the terminal must allow it), as SOURCE:POS TIME TEXT lines", Do: a.copyEvents}).
		Add(ui.Binding{Keys: []ui.Key{r('i')}, Group: groupOther, Help: "histogram of the events shown, in the detail pane, one row per time bucket around the cursor; again: close", Do: a.toggleHistogram}).
		Add(ui.Binding{Keys: []ui.Key{r('z')}, Group: groupOther, Help: "histogram: zoom in (buckets half as long)", Do: func() { a.zoomHistogram(1) }}).
		Add(ui.Binding{Keys: []ui.Key{r('Z')}, Group: groupOther, Help: "histogram: zoom out (buckets twice as long)", Do: func() { a.zoomHistogram(-1) }}).
		Add(ui.Binding{Keys: []ui.Key{r(':')}, Group: groupOther, Help: "command (see below)", Hint: "cmd", Do: a.commandPrompt}).
		Add(ui.Binding{Keys: []ui.Key{r('?')}, Group: groupOther, Help: "this help", Hint: "help", Do: a.openHelp}).
		Add(ui.Binding{Keys: []ui.Key{r('q')}, Group: groupOther, Help: "back (close help, return from a jump), or quit", Hint: "quit", HintLabel: func() string { return a.backLabel() }, Do: func() { a.goBack(true) }}).
		Add(ui.Binding{Keys: []ui.Key{c(tcell.KeyEsc)}, Group: groupOther, Help: "back, or clear the search; never quits", Do: func() { a.goBack(false) }}).
		Add(ui.Binding{Keys: []ui.Key{c(tcell.KeyCtrlL)}, Group: groupOther, Help: "redraw the screen", Do: func() { a.app.Sync() }}).
		Add(ui.Binding{Keys: []ui.Key{c(tcell.KeyCtrlC)}, Group: groupOther, Help: "quit at once", Do: a.app.Stop})
}

// helpBindings is the help screen's registry.
func (a *App) helpBindings() *ui.Keymap {
	r, c := ui.Rune, ui.Code
	scroll := func(d int) func() {
		return func() {
			row, _ := a.help.GetScrollOffset()
			a.help.ScrollTo(max(row+d, 0), 0)
		}
	}
	page := func(dir int) func() {
		return func() {
			_, _, _, h := a.help.GetInnerRect()
			scroll(dir * max(h-1, 1))()
		}
	}
	return ui.NewKeymap().
		Add(ui.Binding{Keys: []ui.Key{r('j'), c(tcell.KeyDown)}, Group: groupMove, Help: "scroll down", Do: scroll(1)}).
		Add(ui.Binding{Keys: []ui.Key{r('k'), c(tcell.KeyUp)}, Group: groupMove, Help: "scroll up", Do: scroll(-1)}).
		Add(ui.Binding{Keys: []ui.Key{c(tcell.KeyPgDn), c(tcell.KeyCtrlF), r(' ')}, Group: groupMove, Help: "page down", Do: page(1)}).
		Add(ui.Binding{Keys: []ui.Key{c(tcell.KeyPgUp), c(tcell.KeyCtrlB)}, Group: groupMove, Help: "page up", Do: page(-1)}).
		Add(ui.Binding{Keys: []ui.Key{r('g'), c(tcell.KeyHome)}, Group: groupMove, Help: "top", Do: func() { a.help.ScrollToBeginning() }}).
		Add(ui.Binding{Keys: []ui.Key{r('G'), c(tcell.KeyEnd)}, Group: groupMove, Help: "bottom", Do: func() { a.help.ScrollToEnd() }}).
		Add(ui.Binding{Keys: []ui.Key{r('q'), r('?'), c(tcell.KeyEsc)}, Group: groupOther, Help: "close help", Do: a.closeHelp}).
		Add(ui.Binding{Keys: []ui.Key{c(tcell.KeyCtrlC)}, Group: groupOther, Help: "quit at once", Do: a.app.Stop})
}

// move moves the focused pane's cursor (or the detail's scroll) by delta.
func (a *App) move(delta int) {
	switch a.focus {
	case paneFindings:
		a.fs.MoveTo(a.fs.Cursor + delta)
	case paneTimeline:
		a.tl.Move(delta)
	case paneDetail:
		row, _ := a.detail.GetScrollOffset()
		a.detail.ScrollTo(max(row+delta, 0), 0)
	}
}

// moveEnd goes to the first or last row of the focused pane.
func (a *App) moveEnd(last bool) {
	switch a.focus {
	case paneFindings:
		if last {
			a.fs.MoveTo(len(a.fs.List) - 1)
		} else {
			a.fs.MoveTo(0)
		}
	case paneTimeline:
		if last {
			a.tl.MoveTo(a.tl.Rows.Len() - 1)
		} else {
			a.tl.MoveTo(0)
		}
	case paneDetail:
		if last {
			a.detail.ScrollToEnd()
		} else {
			a.detail.ScrollToBeginning()
		}
	}
}

func (a *App) cyclePane(dir int) {
	a.setFocus(pane((int(a.focus) + dir + int(numPanes)) % int(numPanes)))
}

// enter jumps from a finding to its first evidence event, or from an event
// into the detail pane. Either can be undone with q.
func (a *App) enter() {
	switch a.focus {
	case paneFindings:
		if len(a.fs.List) == 0 {
			a.flash("no findings", true)
			return
		}
		fi := a.fs.Cursor
		ev := a.fs.FirstEvidence(fi)
		if ev < 0 {
			a.flash("this finding cites no single event: its evidence is in the detail pane", true)
			return
		}
		a.pushBack(func() { a.fs.MoveTo(fi); a.setFocus(paneFindings) })
		a.showEvent(ev)
		if a.status.Flashed() == "" {
			a.flash(a.evidenceNote(fi, ev), false)
		}
	case paneTimeline:
		if a.tl.Rows.Len() == 0 {
			return
		}
		a.pushBack(func() { a.setFocus(paneTimeline) })
		a.setFocus(paneDetail)
	}
}

// evidenceNote says which evidence event of finding fi ev is.
func (a *App) evidenceNote(fi, ev int) string {
	evs := a.fs.Evidence(fi)
	i, _ := slices.BinarySearch(evs, ev)
	r := a.res.Timeline.Record(ev)
	return fmt.Sprintf("evidence %d/%d of %s: %s %s (e/E: next/previous)", i+1, len(evs), a.fs.List[fi].Detector, a.labels[r.Src], r.Pos)
}

// evidence moves the timeline cursor to the selected finding's next or
// previous evidence event.
func (a *App) evidence(dir int) {
	if len(a.fs.List) == 0 {
		a.flash("no findings", true)
		return
	}
	fi := a.fs.Cursor
	cur := a.tl.CursorEvent()
	ev, _, ok := a.fs.NextEvidence(fi, cur, dir)
	if !ok {
		if len(a.fs.Evidence(fi)) == 0 {
			a.flash("this finding cites no single event", true)
		} else if dir > 0 {
			a.flash("no further evidence after the cursor (E goes back)", true)
		} else {
			a.flash("no evidence before the cursor (e goes forward)", true)
		}
		return
	}
	a.showEvent(ev)
	if a.status.Flashed() == "" {
		a.flash(a.evidenceNote(fi, ev), false)
	}
}

// mark toggles the mark on the cursor's event.
func (a *App) mark() {
	if a.tl.Rows.Len() == 0 {
		return
	}
	if a.tl.ToggleMark() {
		a.flash("mark set at "+a.formatTime(a.res.Timeline.Time(a.tl.Mark))+": the Δ column counts from it (m again clears)", false)
	} else {
		a.flash("mark cleared", false)
	}
}

// syncFilterEvents: timelines up to this long are filtered on the key
// press itself; longer ones in the background, so that the key redraws at
// once (a variable so that tests can make every filter asynchronous).
var syncFilterEvents = 500_000

// filter is the filter last asked for: the one being computed in the
// background, if any, else the one shown. Keys and commands build on it, so
// that a second f stops the following the first one started.
func (a *App) filter() *model.Filter {
	if a.pending != nil {
		return a.pending
	}
	return &a.tl.Filter
}

// setFilter applies f to the timeline, then calls done on the UI goroutine
// with nil or why nothing changed; a running search is cancelled, since its
// rows are gone. On a long timeline the rows are computed in the background
// and arrive a moment later (the header says so meanwhile); a newer filter
// supersedes one still being computed.
func (a *App) setFilter(f model.Filter, done func(error)) {
	gen := a.filterGen.Add(1)
	apply := func(rows model.Rows) {
		a.pending = nil
		if err := a.tl.SetRows(f, rows); err != nil {
			done(err)
			return
		}
		a.searchGen.Add(1)
		a.searching = false
		done(nil)
	}
	tl := a.res.Timeline
	if tl.Len() <= syncFilterEvents {
		apply(f.Apply(tl))
		return
	}
	a.pending = &f
	a.flash(fmt.Sprintf("filtering %s events…", thousands(tl.Len())), false)
	go func() {
		rows := f.Apply(tl)
		a.app.QueueUpdateDraw(func() {
			if a.filterGen.Load() != gen {
				return // a newer filter was asked for
			}
			apply(rows)
			a.refresh()
		})
	}()
}

// follow filters the timeline to one key: the first address or entity of
// the event under the cursor (or of the selected finding's subject), or with
// next the one after the key followed now. Without next, a second press
// stops following.
func (a *App) follow(next bool) {
	cur := a.filter().Follow
	if !next && !cur.IsZero() {
		f := a.filter().Clone()
		f.Follow = model.Key{}
		a.setFilter(f, func(err error) {
			if err != nil {
				a.flash(err.Error(), true)
				return
			}
			a.flash("stopped following "+cur.String(), false)
		})
		return
	}
	fromFinding := a.focus == paneFindings && len(a.fs.List) > 0
	var keys []model.Key
	if fromFinding {
		keys = subjectKeys(a.res.Timeline, a.fs.Selected())
	} else if ev := a.tl.CursorEvent(); ev >= 0 {
		keys = model.KeysAt(a.res.Timeline, ev)
	}
	if len(keys) == 0 {
		a.flash("nothing to follow here: no IP, MAC or entity", true)
		return
	}
	k := keys[0]
	if next && !cur.IsZero() {
		if i := slices.Index(keys, cur); i >= 0 {
			k = keys[(i+1)%len(keys)]
		}
	}
	f := a.filter().Clone()
	f.Follow = k
	var start time.Time
	if fromFinding {
		start = a.fs.Selected().Start
	}
	a.setFilter(f, func(err error) {
		if err != nil {
			a.flash(fmt.Sprintf("following %s: %v with the other filters", k, err), true)
			return
		}
		a.center = true
		if fromFinding {
			a.tl.MoveTo(a.tl.RowAtTime(start))
			a.setFocus(paneTimeline)
		}
		a.flash(fmt.Sprintf("following %s: %s events (f again stops, F follows the next key)", k, thousands(a.tl.Rows.Len())), false)
	})
}

// goBack closes help, or returns from the last jump, or (with quit) quits.
// Esc instead clears the search when there is nothing to go back to.
func (a *App) goBack(quit bool) {
	switch {
	case a.helpOpen:
		a.closeHelp()
	case len(a.back) > 0:
		f := a.back[len(a.back)-1]
		a.back = a.back[:len(a.back)-1]
		f()
	case quit:
		a.app.Stop()
	case a.search != nil:
		a.search = nil
		a.searchGen.Add(1)
		a.searching = false
		a.flash("search cleared", false)
	}
}

// backLabel is what q does now, for the hint line.
func (a *App) backLabel() string {
	if a.helpOpen || len(a.back) > 0 {
		return "back"
	}
	return "quit"
}

func (a *App) openHelp() {
	a.helpOpen = true
	a.pages.ShowPage("help")
	a.help.ScrollToBeginning()
	a.app.SetFocus(a.help)
}

func (a *App) closeHelp() {
	a.helpOpen = false
	a.pages.HidePage("help")
	a.setFocus(a.focus)
}

// prompt opens the status-line prompt; run gets the entered text.
func (a *App) prompt(label, placeholder string, run func(text string)) {
	prev := a.focus
	in := a.status.Prompt(label, placeholder, func(text string, ok bool) {
		a.setFocus(prev)
		if ok && strings.TrimSpace(text) != "" {
			run(text)
		}
		a.refresh()
	})
	a.app.SetFocus(in)
}

func (a *App) searchPrompt() {
	a.prompt("/", "regular expression, e.g. who-has 10\\.0\\.0\\.218", func(text string) {
		re, err := regexp.Compile(text)
		if err != nil {
			a.flash("search: "+err.Error(), true)
			return
		}
		a.search = re
		a.findNext(1, true)
	})
}

func (a *App) commandPrompt() {
	a.prompt(":", "goto 17:09:17 · filter ip=… · tz Europe/Prague · source -NAME · clear · help · quit", a.runCommand)
}

// exportFinding writes the selected finding's evidence out, as
// `arpforensics export` does, and says where.
func (a *App) exportFinding() {
	if len(a.fs.List) == 0 {
		a.flash("no findings", true)
		return
	}
	f := &a.fs.List[a.fs.Cursor]
	path := filepath.Join(a.opts.ExportDir, f.ID+".pcapng")
	if err := export.Check(a.res.Timeline, a.opts.AnalysedDirs, path, false); err != nil {
		a.flash("export: "+err.Error(), true)
		return
	}
	w, err := export.ToFiles(a.res.Timeline, f, path, export.Options{Context: export.DefaultContext})
	if err != nil {
		a.flash("export: "+err.Error(), true)
		return
	}
	var parts []string
	if w.Pcap != "" {
		parts = append(parts, fmt.Sprintf("%s (%d frames, %d cited)", w.Pcap, w.Frames, w.Cited))
	}
	if w.Log != "" {
		parts = append(parts, fmt.Sprintf("%s (%d lines)", w.Log, w.Lines))
	}
	a.flash("exported "+strings.Join(parts, " and "), false)
}

// jumpMark moves the cursor to the next or previous marked event.
func (a *App) jumpMark(dir int) {
	if len(a.tl.Marks()) == 0 {
		a.flash("no marks: m marks the event under the cursor", true)
		return
	}
	row, ok := a.tl.NextMark(dir)
	if !ok {
		a.flash(fmt.Sprintf("no marked event %s the cursor (%d marked)", map[bool]string{true: "after", false: "before"}[dir > 0], len(a.tl.Marks())), true)
		return
	}
	a.tl.MoveTo(row)
	a.setFocus(paneTimeline)
	a.flash(fmt.Sprintf("mark %d/%d at %s", slices.Index(a.tl.Marks(), a.tl.CursorEvent())+1, len(a.tl.Marks()), a.formatTime(a.tl.Time(row))), false)
}

// scrollRight scrolls the timeline's summaries by n characters (negative:
// back), never before their start.
func (a *App) scrollRight(n int) {
	a.hscroll = max(0, a.hscroll+n)
	if a.hscroll == 0 {
		a.flash("summaries from their start", false)
	} else {
		a.flash(fmt.Sprintf("summaries scrolled right by %d characters (h/←: back)", a.hscroll), false)
	}
}

// copyEvents puts the cursor's event, or the marked events, on the
// clipboard, made inert for terminals: pasted into a shell, an artifact's
// escape sequences stay text.
func (a *App) copyEvents() {
	evs := a.tl.Marks()
	what := "marked events"
	if len(evs) == 0 {
		if ev := a.tl.CursorEvent(); ev >= 0 {
			evs, what = []int{ev}, "event"
		}
	}
	if len(evs) == 0 {
		a.flash("nothing to copy", true)
		return
	}
	var b strings.Builder
	tl := a.res.Timeline
	for _, ev := range evs {
		e := tl.View(ev)
		text := e.Raw
		if text == "" {
			text = e.Data.Summary()
		}
		fmt.Fprintf(&b, "%s:%s %s %s\n", tl.Sources[e.Source].Path, e.Pos, e.Time.UTC().Format("2006-01-02T15:04:05.000000Z"), text)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	for i, l := range lines {
		lines[i] = safetext.Terminal(l)
	}
	a.screen.SetClipboard([]byte(strings.Join(lines, "\n") + "\n"))
	a.flash(fmt.Sprintf("copied %d %s to the clipboard (OSC 52)", len(evs), what), false)
}
