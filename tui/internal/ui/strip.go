package ui

import (
	"math"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"
)

// StripData is what the density strip shows at one width: a count per
// column, the columns holding a finding's start, and where the cursor and
// the mark are (-1: nowhere).
type StripData struct {
	Counts  []int
	Markers []Marker
	Cursor  int
	Mark    int
}

// Marker flags a column; Style is the finding's severity style.
type Marker struct {
	Column int
	Style  tcell.Style
}

// bars are eighth blocks, lowest to full.
var bars = []rune{'▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'}

// MarkerRune marks a column where a finding starts; MarkRune the mark.
const (
	MarkerRune = '!'
	MarkRune   = 'm'
)

// Strip is a one-row histogram of events over time with finding markers,
// lnav's scrollbar marks and HIST view in one line.
type Strip struct {
	*tview.Box
	theme *Theme
	// Data returns the strip's content for width columns.
	Data func(width int) StripData
}

// NewStrip returns a strip drawing Data.
func NewStrip(theme *Theme, data func(width int) StripData) *Strip {
	return &Strip{Box: tview.NewBox().SetBackgroundColor(tcell.ColorDefault), theme: theme, Data: data}
}

// Level is the bar height (0 empty, 1..8) of count on a log scale up to
// top, so a burst does not flatten everything else to nothing.
func Level(count, top int) int {
	if count <= 0 || top <= 0 {
		return 0
	}
	l := 1 + int(7*math.Log1p(float64(count))/math.Log1p(float64(top)))
	return min(l, 8)
}

// Draw draws the bars, then the finding markers and the mark over them,
// then the cursor.
func (s *Strip) Draw(screen tcell.Screen) {
	x, y, w, h := s.GetRect()
	if w <= 0 || h <= 0 || s.Data == nil {
		return
	}
	d := s.Data(w)
	top := 0
	for _, c := range d.Counts {
		top = max(top, c)
	}
	for i := 0; i < w; i++ {
		r := ' '
		if i < len(d.Counts) {
			if l := Level(d.Counts[i], top); l > 0 {
				r = bars[l-1]
			}
		}
		screen.SetContent(x+i, y, r, nil, s.theme.Strip)
	}
	for _, m := range d.Markers {
		if m.Column >= 0 && m.Column < w {
			screen.SetContent(x+m.Column, y, MarkerRune, nil, m.Style.Bold(true))
		}
	}
	if d.Mark >= 0 && d.Mark < w { // the user put it there: it wins
		screen.SetContent(x+d.Mark, y, MarkRune, nil, s.theme.Mark)
	}
	if d.Cursor >= 0 && d.Cursor < w {
		r, _, st, _ := screen.GetContent(x+d.Cursor, y)
		screen.SetContent(x+d.Cursor, y, r, nil, st.Reverse(true))
	}
}
