// Package ui holds the TUI's reusable pieces over tview: the key registry that
// feeds both the bindings and the help screen, the colour theme and its
// degradation to 8 colours and to none, artifact-text escaping, the markup
// builder, and small widgets (pane with a title bar, density strip, status
// line). It knows nothing of timelines or findings.
package ui

import (
	"strings"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"

	"github.com/arpforensics/arpforensics/internal/safetext"
)

// zwj is inserted after a "[" that could open a tview style or region tag.
// It is a zero-width joiner: it joins the bracket's grapheme cluster, so the
// bracket is still drawn in one cell and the next character in the next, but
// the tag parser no longer sees a tag there.
const zwj = "\u200d"

// Safe makes artifact text (log lines, summaries, paths) fit for any tview
// text: control characters and escape sequences become visible spellings
// (safetext.Terminal), and nothing in it can become a style, region or
// hyperlink tag.
func Safe(s string) string { return Escape(safetext.Terminal(s)) }

// Escape stops tview from reading tags in s. tview.Escape is not enough: it
// only escapes tags made of a few characters, so "[:::https://x]" still
// becomes a terminal hyperlink, and tview's own escape form "[x[]" does not
// stop the parser's URL state. Instead, a "[" is followed by a zero-width
// joiner whenever the next character could continue a tag ([A-Za-z0-9#:-"])
// or close one (]). No tag can start at such a bracket, and tview's
// escaped-tag form ("[x[]") can no longer match anywhere either, since it
// needs a "[" directly before a "]". Text without "[" is returned as it is.
func Escape(s string) string {
	i := strings.IndexByte(s, '[')
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i >= 0 {
		b.WriteString(s[:i+1])
		s = s[i+1:]
		if len(s) > 0 && tagChar(s[0]) {
			b.WriteString(zwj)
		}
		i = strings.IndexByte(s, '[')
	}
	b.WriteString(s)
	return b.String()
}

// tagChar reports bytes that may follow "[" in a tview tag, or close one.
func tagChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return c == '#' || c == ':' || c == '-' || c == '"' || c == ']'
}

// Markup builds tview text from styled spans. Every span starts with a tag
// that sets its whole style and its text is escaped, so artifact text in one
// span can never combine with the next span into a tag.
//
// With Width set, Markup wraps the text itself at spaces, never inside a
// word, so a MAC, a path or an ID is never split across lines as a widget's
// wrapping splits it at ":" or "/"; a word wider than a line is cut at the
// width.
type Markup struct {
	b     strings.Builder
	Width int // wrap at this many cells; 0 leaves wrapping to the widget
	col   int
}

// Add appends text (escaped and made terminal-safe) in style st.
func (m *Markup) Add(st tcell.Style, text string) *Markup {
	m.b.WriteString(Tag(st))
	if m.Width <= 0 {
		m.b.WriteString(Safe(text))
		return m
	}
	text = safetext.Terminal(text)
	for text != "" {
		j := strings.IndexFunc(text, func(r rune) bool { return r != ' ' })
		if text[0] != ' ' {
			j = strings.IndexByte(text, ' ')
		}
		if j < 0 {
			j = len(text)
		}
		tok := text[:j]
		text = text[j:]
		tw := Width(Escape(tok))
		if tok[0] == ' ' {
			if m.col+tw > m.Width {
				m.Line() // spaces at a wrap are dropped
			} else {
				m.b.WriteString(tok)
				m.col += tw
			}
			continue
		}
		if m.col > 0 && m.col+tw > m.Width {
			m.Line()
		}
		for m.col+tw > m.Width {
			cut, cw := CutCells(tok, m.Width-m.col)
			if cut == 0 {
				break
			}
			m.b.WriteString(Escape(tok[:cut]))
			m.Line()
			tok, tw = tok[cut:], tw-cw
		}
		m.b.WriteString(Escape(tok))
		m.col += tw
	}
	return m
}

// CutCells is the byte length of s's longest prefix that fits in w cells,
// and its width.
func CutCells(s string, w int) (int, int) {
	used := 0
	for i, r := range s {
		rw := Width(Escape(string(r)))
		if used+rw > w {
			return i, used
		}
		used += rw
	}
	return len(s), used
}

// Line appends a line break.
func (m *Markup) Line() *Markup {
	m.b.WriteByte('\n')
	m.col = 0
	return m
}

// Len is the length of the markup so far.
func (m *Markup) Len() int { return m.b.Len() }

// String is the markup.
func (m *Markup) String() string { return m.b.String() }

// basicNames are tview's names for the 16 ANSI colours.
var basicNames = [16]string{
	"black", "maroon", "green", "olive", "navy", "purple", "teal", "silver",
	"gray", "red", "lime", "yellow", "blue", "fuchsia", "aqua", "white",
}

// Tag is the tview tag that sets exactly style st: colours and every
// attribute (lower-case letters set, upper-case clear). Only the default
// colour and the 16 ANSI colours have names; the theme uses nothing else.
func Tag(st tcell.Style) string {
	fg, bg, attr := st.Decompose()
	var b strings.Builder
	b.WriteByte('[')
	b.WriteString(colorName(fg))
	b.WriteByte(':')
	b.WriteString(colorName(bg))
	b.WriteByte(':')
	for _, a := range []struct {
		mask    tcell.AttrMask
		on, off byte
	}{
		{tcell.AttrBold, 'b', 'B'}, {tcell.AttrItalic, 'i', 'I'}, {tcell.AttrBlink, 'l', 'L'},
		{tcell.AttrDim, 'd', 'D'}, {tcell.AttrStrikeThrough, 's', 'S'}, {tcell.AttrReverse, 'r', 'R'},
	} {
		if attr&a.mask != 0 {
			b.WriteByte(a.on)
		} else {
			b.WriteByte(a.off)
		}
	}
	if st.GetUnderlineStyle() != tcell.UnderlineStyleNone {
		b.WriteByte('u')
	} else {
		b.WriteByte('U')
	}
	b.WriteByte(']')
	return b.String()
}

func colorName(c tcell.Color) string {
	if c == tcell.ColorDefault || !c.Valid() {
		return "default"
	}
	if n := int(c - tcell.ColorValid); n >= 0 && n < len(basicNames) {
		return basicNames[n]
	}
	// Not used by the theme; "#rrggbb" is what tview reads.
	return c.CSS()
}

// Width is the number of cells escaped text (Safe's output) takes.
func Width(s string) int { return tview.TaggedStringWidth(s) }

// Pad right-pads escaped text with spaces to width cells; longer text is
// left to the widget to cut.
func Pad(s string, width int) string {
	if w := Width(s); w < width {
		return s + strings.Repeat(" ", width-w)
	}
	return s
}
