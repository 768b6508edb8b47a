package ui

import (
	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"
)

// Group draws children at rectangles its Layout function picks from the
// group's own rectangle on every draw, so the arrangement follows the
// terminal's size (80×24 and up, resized at any time). Focus and keys go to
// whichever child has focus.
type Group struct {
	*tview.Box
	children []tview.Primitive
	// Layout sets each child's rectangle (SetRect) for the group's x, y, w, h;
	// a child it gives no room (zero width or height) is not drawn.
	Layout func(x, y, w, h int)
}

// NewGroup groups children; Layout must be set before the first draw.
func NewGroup(children ...tview.Primitive) *Group {
	return &Group{Box: tview.NewBox().SetBackgroundColor(tcell.ColorDefault), children: children}
}

// Draw lays the children out and draws them. It paints no background of
// its own: tview clears the screen before every frame and each child fills
// its rectangle, so one more pass over every cell would only cost time.
func (g *Group) Draw(screen tcell.Screen) {
	x, y, w, h := g.GetRect()
	if g.Layout != nil {
		g.Layout(x, y, w, h)
	}
	for _, c := range g.children {
		if _, _, cw, ch := c.GetRect(); cw > 0 && ch > 0 {
			c.Draw(screen)
		}
	}
}

// Focus gives focus to the first child; callers normally focus a child
// directly.
func (g *Group) Focus(delegate func(tview.Primitive)) {
	if len(g.children) > 0 {
		delegate(g.children[0])
	}
}

// HasFocus reports whether any child has focus.
func (g *Group) HasFocus() bool {
	for _, c := range g.children {
		if c.HasFocus() {
			return true
		}
	}
	return false
}

// InputHandler passes keys to the focused child.
func (g *Group) InputHandler() func(*tcell.EventKey, func(tview.Primitive)) {
	return g.WrapInputHandler(func(ev *tcell.EventKey, setFocus func(tview.Primitive)) {
		for _, c := range g.children {
			if c.HasFocus() {
				if h := c.InputHandler(); h != nil {
					h(ev, setFocus)
				}
				return
			}
		}
	})
}
