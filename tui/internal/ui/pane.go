package ui

import (
	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"
)

// Pane is a child widget under a one-row title bar. The bar shows whether
// the pane has focus, which borders would show at twice the rows: at 80×24
// every row counts.
type Pane struct {
	*tview.Box
	child tview.Primitive
	theme *Theme
	// Title and Info give the bar's left and right text: plain text, made
	// safe when drawn.
	Title func() string
	Info  func() string
}

// NewPane puts child under a title bar.
func NewPane(child tview.Primitive, theme *Theme) *Pane {
	return &Pane{Box: tview.NewBox().SetBackgroundColor(tcell.ColorDefault), child: child, theme: theme}
}

// Child is the widget under the bar.
func (p *Pane) Child() tview.Primitive { return p.child }

// Draw draws the bar, then the child in the rows below it.
func (p *Pane) Draw(screen tcell.Screen) {
	x, y, w, h := p.GetRect()
	if w <= 0 || h <= 0 {
		return
	}
	st := p.theme.Title
	if p.child.HasFocus() {
		st = p.theme.TitleFocused
	}
	for i := 0; i < w; i++ {
		screen.SetContent(x+i, y, ' ', nil, st)
	}
	left, right := "", ""
	if p.Title != nil {
		left = Safe(p.Title())
	}
	if p.Info != nil {
		right = Safe(p.Info())
	}
	rw := Width(right)
	if rw > 0 && rw+2 < w {
		printStyled(screen, right, x+w-rw-1, y, rw, st)
		w -= rw + 2
	}
	printStyled(screen, left, x+1, y, w-1, st)
	_, _, fullW, _ := p.GetRect()
	p.child.SetRect(x, y+1, fullW, h-1)
	p.child.Draw(screen)
}

// Focus hands focus to the child.
func (p *Pane) Focus(delegate func(tview.Primitive)) { delegate(p.child) }

// HasFocus reports whether the child has focus.
func (p *Pane) HasFocus() bool { return p.child.HasFocus() }

// InputHandler is the child's.
func (p *Pane) InputHandler() func(*tcell.EventKey, func(tview.Primitive)) {
	return p.child.InputHandler()
}

// printStyled prints escaped text (Safe's output) in style st, cut at width
// cells.
func printStyled(screen tcell.Screen, text string, x, y, width int, st tcell.Style) {
	if width <= 0 {
		return
	}
	tview.Print(screen, Tag(st)+text, x, y, width, tview.AlignLeft, tcell.ColorDefault)
}
