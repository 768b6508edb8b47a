package view

import (
	"fmt"
	"strings"
	"time"

	"github.com/arpforensics/arpforensics/tui/internal/model"
	"github.com/arpforensics/arpforensics/tui/internal/ui"
)

// The histogram (i) counts the events shown per time bucket in the detail
// pane: one row per bucket, the cursor's bucket in the middle and marked,
// the step zoomed with z/Z through round durations.

var histSteps = []time.Duration{
	time.Millisecond, 10 * time.Millisecond, 100 * time.Millisecond,
	time.Second, 5 * time.Second, 15 * time.Second, 30 * time.Second,
	time.Minute, 5 * time.Minute, 15 * time.Minute, time.Hour, 6 * time.Hour, 24 * time.Hour, 7 * 24 * time.Hour,
}

func histStepText(d time.Duration) string {
	if d >= 24*time.Hour {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}

// histRows is how many buckets the histogram shows: the pane's lines.
func (a *App) histRows() int {
	_, _, _, h := a.panes[paneDetail].GetRect()
	return max(h-1, 3)
}

func (a *App) toggleHistogram() {
	if a.histStep > 0 {
		a.histStep = 0
		a.flash("histogram closed", false)
		return
	}
	// The first step shows the whole span in the rows there are.
	span := a.last.Sub(a.first)
	a.histStep = histSteps[len(histSteps)-1]
	for _, st := range histSteps {
		if time.Duration(a.histRows()-1)*st >= span {
			a.histStep = st
			break
		}
	}
	a.flash("histogram of the events shown: z/Z zoom, i closes", false)
}

func (a *App) zoomHistogram(dir int) {
	if a.histStep == 0 {
		a.flash("no histogram: i opens it", true)
		return
	}
	i := 0
	for i < len(histSteps) && histSteps[i] < a.histStep {
		i++
	}
	i = max(0, min(len(histSteps)-1, i-dir))
	if histSteps[i] == a.histStep {
		a.flash("the histogram cannot zoom further that way", true)
		return
	}
	a.histStep = histSteps[i]
	a.flash("histogram: "+histStepText(a.histStep)+" a row", false)
}

// histogramWindow is the buckets' start, count and the cursor's bucket:
// the cursor's bucket in the middle row, the window kept inside the span
// when the span allows.
func (a *App) histogramWindow() (time.Time, int, int) {
	n, step := a.histRows(), a.histStep
	at := a.first
	if a.tl.Rows.Len() > 0 {
		at = a.tl.Time(a.tl.Cursor)
	}
	lo := a.first.Truncate(step)
	start := at.Truncate(step).Add(-time.Duration(n/2) * step)
	if end := start.Add(time.Duration(n) * step); end.After(a.last) {
		start = a.last.Truncate(step).Add(-time.Duration(n-1) * step)
	}
	if start.Before(lo) {
		start = lo
	}
	return start, n, int(at.Sub(start) / step)
}

func (a *App) histogramText() string {
	t := a.theme
	m := ui.Markup{Width: a.detailW}
	start, n, cur := a.histogramWindow()
	counts := model.Density(a.res.Timeline, a.tl.Rows, start, start.Add(time.Duration(n)*a.histStep), n)
	top := 1
	for _, c := range counts {
		top = max(top, c)
	}
	label := func(ts time.Time) string {
		ts = ts.In(a.tl.Loc)
		switch {
		case a.histStep >= 24*time.Hour:
			return ts.Format("2006-01-02")
		case a.histStep >= time.Minute:
			return ts.Format("01-02 15:04")
		case a.histStep >= time.Second:
			return ts.Format("15:04:05")
		}
		return ts.Format("15:04:05.000")
	}
	lw := len(label(start))
	barW := max(a.detailW-lw-10, 4)
	for i, c := range counts {
		st := t.Base
		mark := " "
		if i == cur {
			st, mark = t.Mark, string(ui.MarkRune)
		}
		bar := strings.Repeat("█", (c*barW+top-1)/top)
		m.Add(t.Dim, label(start.Add(time.Duration(i)*a.histStep))).Add(st, " "+mark+" ").Add(st, bar).Add(t.Dim, fmt.Sprintf(" %d", c)).Line()
	}
	return m.String()
}
