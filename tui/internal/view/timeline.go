package view

import (
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/rivo/tview"

	"github.com/arpforensics/arpforensics/internal/safetext"
	"github.com/arpforensics/arpforensics/timeline"
	"github.com/arpforensics/arpforensics/tui/internal/model"
	"github.com/arpforensics/arpforensics/tui/internal/ui"
)

// timelineContent is the timeline pane's virtual table: cells are made for
// the rows on screen when tview asks for them, from the shared timeline
// through the current row map, decoding only those rows' events (a small
// cache keeps the last few hundred); nothing is kept for the rest.
type timelineContent struct {
	tview.TableContentReadOnly
	a *App
}

// Columns: gutter, time, [Δ to the mark], source, kind, summary.
const (
	colGutter = iota
	colTime
	colDelta
	colSource
	colKind
	colSummary
)

func (c *timelineContent) GetRowCount() int { return c.a.tl.Rows.Len() }

func (c *timelineContent) GetColumnCount() int { return c.a.timelineCols().n }

// column maps a table column to a logical one.
func (c *timelineContent) column(col int) int {
	cols := c.a.timelineCols()
	if col < 0 || col >= cols.n {
		return -1
	}
	return cols.c[col]
}

// narrowWidth is the width below which the timeline gives its summary more
// room: the kind column goes first (the summary names the kind: "ARP
// Reply", "SYN", "ovsdbapp txn"); times keep their microseconds, which tell
// a request from its reply.
const narrowWidth = 100

func (a *App) timelineWidth() int {
	_, _, w, _ := a.tTable.GetInnerRect()
	return w
}

// shownCols is the logical columns shown, in order. It is a value, not a
// slice: it is asked for once per cell drawn.
type shownCols struct {
	c [colSummary + 1]int
	n int
}

func (s *shownCols) add(col int) { s.c[s.n] = col; s.n++ }

// timelineCols lists the logical columns shown: no Δ without a mark, no
// kind on a narrow pane.
func (a *App) timelineCols() shownCols {
	var cols shownCols
	cols.add(colGutter)
	cols.add(colTime)
	if a.tl.Mark >= 0 {
		cols.add(colDelta)
	}
	cols.add(colSource)
	if a.timelineWidth() >= narrowWidth {
		cols.add(colKind)
	}
	cols.add(colSummary)
	return cols
}

// summaryWidth is the cells left for the summary column: the pane's width
// less the other columns and the space after each.
func (a *App) summaryWidth() int {
	w := a.timelineWidth()
	cols := a.timelineCols()
	for _, c := range cols.c[:cols.n] {
		switch c {
		case colGutter:
			w -= 2
		case colTime:
			w -= len(a.timeLayout()) + 1 // not a time formatted per row drawn
		case colDelta:
			w -= 12
		case colSource:
			w -= a.sourceWidth() + 1
		case colKind:
			w -= 8
		}
	}
	return max(w, 8)
}

// fitCells cuts plain (not yet escaped) text to w cells, marking the cut
// with "…". The cut is made here, before escaping, so a widget never cuts
// inside an escaped bracket (its zero-width joiner then met the widget's
// own "…" and left a stray cell on screen).
func fitCells(s string, w int) string {
	if ui.Width(ui.Escape(s)) <= w {
		return s
	}
	cut, _ := ui.CutCells(s, w-1)
	if cut == len(s) {
		return s // per-rune widths undercount a cluster (VS16): as before
	}
	return s[:cut] + "…"
}

func (c *timelineContent) GetCell(row, col int) *tview.TableCell {
	a := c.a
	if row < 0 || row >= a.tl.Rows.Len() {
		return nil
	}
	ev := a.tl.Rows.Event(row)
	e := a.rows.event(ev)
	t := a.theme
	cell := tview.NewTableCell("")
	cell.SetStyle(t.Base)
	switch c.column(col) {
	case colGutter:
		switch {
		case len(a.fs.List) > 0 && a.fs.Cites(a.fs.Cursor, ev):
			cell.SetText("*").SetStyle(t.Evidence)
		case a.tl.Marked(ev):
			cell.SetText(string(ui.MarkRune)).SetStyle(t.Mark)
		default:
			cell.SetText(" ")
		}
	case colTime:
		cell.SetText(a.formatTime(e.Time))
	case colDelta:
		d, _ := a.tl.SinceMark(ev)
		st := t.Dim
		if ev == a.tl.Mark {
			st = t.Mark
		}
		cell.SetText(fmt.Sprintf("%11s", formatDelta(d))).SetStyle(st)
	case colSource:
		w := a.sourceWidth()
		label := "?"
		if int(e.Source) < len(a.labels) {
			label = a.labels[e.Source]
		}
		cell.SetText(ui.Pad(ui.Safe(label), w)).SetMaxWidth(w).SetStyle(t.Source(int(e.Source)))
	case colKind:
		cell.SetText(fmt.Sprintf("%-7s", kindLabel(e.Data.Kind()))).SetStyle(t.Dim)
	case colSummary:
		sum := safetext.Terminal(clip(summaryOf(e), maxSummary))
		if a.hscroll > 0 {
			sum = scrolled(sum, a.hscroll)
		}
		cell.SetText(ui.Escape(fitCells(sum, a.summaryWidth()))).SetExpansion(1)
		if a.search != nil && a.matchesSearch(e) {
			cell.SetStyle(t.Match)
		}
	}
	return cell
}

// sourceWidth is the source column's width: the longest label, within a
// share of the screen that leaves the summary room at 80 columns.
func (a *App) sourceWidth() int {
	_, _, w, _ := a.tTable.GetInnerRect()
	limit := 12
	if w >= 120 {
		limit = 24
	}
	return max(min(a.labelW, limit), 3)
}

// maxSummary bounds the bytes of a summary the timeline formats: no screen
// is wider, and tview measures a cell's whole text on every draw.
const maxSummary = 1024

// clip cuts s to at most n bytes at a character boundary, marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// summaryOf is the one line the timeline shows: the payload's summary, or for
// text sources whose payload says nothing, the raw line.
func summaryOf(e *timeline.Event) string {
	s := e.Data.Summary()
	if s == "" {
		s = e.Raw
	}
	return s
}

// kindLabel fits every kind in 7 columns.
func kindLabel(k timeline.Kind) string { return model.KindLabel(k) }

// formatTime shows t in the display zone with microseconds, and the date
// when the timeline spans several days.
func (a *App) formatTime(t time.Time) string { return t.In(a.tl.Loc).Format(a.timeLayout()) }

// timeLayout is formatTime's layout; its digits are the time's, so its
// length is the time column's width.
func (a *App) timeLayout() string {
	if a.multiDay {
		return "01-02 15:04:05.000000"
	}
	return "15:04:05.000000"
}

// formatDelta writes a signed duration compactly: seconds with microseconds
// under a minute, then minutes and seconds, then hours.
func formatDelta(d time.Duration) string {
	sign := "+"
	if d < 0 {
		sign, d = "-", -d
	}
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%s%.6f", sign, d.Seconds())
	case d < time.Hour:
		m := d / time.Minute
		return fmt.Sprintf("%s%dm%06.3f", sign, m, (d - m*time.Minute).Seconds())
	default:
		d = d.Round(time.Second)
		return fmt.Sprintf("%s%dh%02dm%02ds", sign, d/time.Hour, d%time.Hour/time.Minute, d%time.Minute/time.Second)
	}
}

// scrolled drops the first n characters of s, marking the cut with "…"
// (the timeline scrolled right with l / →).
func scrolled(s string, n int) string {
	i := 0
	for k := range s {
		if i == n {
			return "…" + s[k:]
		}
		i++
	}
	return "…"
}
