package ui

import (
	"os"

	"github.com/gdamore/tcell/v2"
)

// Theme is every style the TUI draws with. It is built for the colours the
// terminal has: 256 and more, the 8 ANSI colours, or none at all (NO_COLOR,
// or a monochrome terminal), where severity and focus are told apart by
// attributes alone. Only the default colour and the 16 ANSI colours are
// used, and with 8 colours only the first 8, so nothing depends on tcell
// guessing the nearest colour.
type Theme struct {
	Colors int // what the theme was built for: 0, 8 or 256

	Base   tcell.Style // ordinary text
	Dim    tcell.Style // secondary text: positions, field names
	Strong tcell.Style // emphasis: titles, field values worth reading

	Title        tcell.Style // a pane's title bar
	TitleFocused tcell.Style // the focused pane's title bar

	Cursor        tcell.Style // the selected row of the focused pane
	CursorBlurred tcell.Style // the selected row of another pane

	HintKey, Hint tcell.Style // the key hint line
	Error, Notice tcell.Style // flash messages on the status line
	Prompt        tcell.Style // the "/" and ":" prompt

	Match    tcell.Style // rows matching the search
	Mark     tcell.Style // the marked row's Δ cell
	Evidence tcell.Style // the gutter of events cited by the selected finding

	Severity [4]tcell.Style // by detect.Severity: info, low, medium, high
	Sources  []tcell.Style  // one per source, cycling

	Strip tcell.Style // the density strip's bars
}

// ColorsFromEnv decides how many colours to use on a screen that reports
// screenColors: none when NO_COLOR is set to anything non-empty
// (https://no-color.org), else 8 or 256.
func ColorsFromEnv(screenColors int) int {
	if os.Getenv("NO_COLOR") != "" {
		return 0
	}
	return screenColors
}

// NewTheme builds the theme for a terminal with colors colours.
func NewTheme(colors int) *Theme {
	def := tcell.StyleDefault.Foreground(tcell.ColorDefault).Background(tcell.ColorDefault)
	t := &Theme{Base: def}
	switch {
	case colors <= 0 || colors < 8:
		t.Colors = 0
		t.Dim = def.Dim(true)
		t.Strong = def.Bold(true)
		t.Title = def.Underline(true)
		t.TitleFocused = def.Reverse(true).Bold(true)
		t.Cursor = def.Reverse(true)
		t.CursorBlurred = def.Underline(true)
		t.HintKey = def.Bold(true)
		t.Hint = def
		t.Error = def.Bold(true).Reverse(true)
		t.Notice = def.Bold(true)
		t.Prompt = def.Bold(true)
		t.Match = def.Underline(true)
		t.Mark = def.Bold(true).Underline(true)
		t.Evidence = def.Bold(true)
		t.Severity = [4]tcell.Style{def.Dim(true), def, def.Bold(true), def.Bold(true).Underline(true)}
		t.Sources = []tcell.Style{def}
		t.Strip = def
		return t
	case colors < 256:
		t.Colors = 8
	default:
		t.Colors = 256
	}
	fg := def.Foreground
	t.Dim = fg(tcell.ColorTeal)
	t.Strong = def.Bold(true)
	t.Title = def.Foreground(tcell.ColorBlack).Background(tcell.ColorSilver)
	t.TitleFocused = def.Foreground(tcell.ColorSilver).Background(tcell.ColorNavy).Bold(true)
	t.Cursor = def.Foreground(tcell.ColorBlack).Background(tcell.ColorTeal)
	t.CursorBlurred = def.Reverse(true)
	t.HintKey = fg(tcell.ColorOlive).Bold(true)
	t.Hint = def
	t.Error = def.Foreground(tcell.ColorSilver).Background(tcell.ColorMaroon).Bold(true)
	t.Notice = fg(tcell.ColorGreen).Bold(true)
	t.Prompt = fg(tcell.ColorOlive).Bold(true)
	t.Match = fg(tcell.ColorOlive).Underline(true)
	t.Mark = fg(tcell.ColorPurple).Bold(true)
	t.Evidence = fg(tcell.ColorMaroon).Bold(true)
	t.Severity = [4]tcell.Style{def, fg(tcell.ColorTeal), fg(tcell.ColorOlive).Bold(true), fg(tcell.ColorMaroon).Bold(true)}
	t.Sources = []tcell.Style{fg(tcell.ColorGreen), fg(tcell.ColorNavy), fg(tcell.ColorPurple), fg(tcell.ColorOlive), fg(tcell.ColorTeal), def}
	t.Strip = fg(tcell.ColorGreen)
	if t.Colors >= 256 {
		// Brighter variants read better where the terminal has them.
		t.Dim = fg(tcell.ColorGray)
		t.Severity[3] = fg(tcell.ColorRed).Bold(true)
		t.Severity[2] = fg(tcell.ColorYellow).Bold(true)
		t.Severity[1] = fg(tcell.ColorAqua)
		t.Sources = []tcell.Style{fg(tcell.ColorLime), fg(tcell.ColorBlue), fg(tcell.ColorFuchsia), fg(tcell.ColorYellow), fg(tcell.ColorAqua), def}
		t.Evidence = fg(tcell.ColorRed).Bold(true)
	}
	return t
}

// Source is source i's style.
func (t *Theme) Source(i int) tcell.Style {
	if i < 0 {
		return t.Base
	}
	return t.Sources[i%len(t.Sources)]
}

// SeverityStyle is the style of a severity (0 info … 3 high), clamped.
func (t *Theme) SeverityStyle(sev int) tcell.Style {
	return t.Severity[max(min(sev, 3), 0)]
}

// All lists every style of the theme, for tests that check degradation.
func (t *Theme) All() []tcell.Style {
	out := []tcell.Style{t.Base, t.Dim, t.Strong, t.Title, t.TitleFocused, t.Cursor, t.CursorBlurred,
		t.HintKey, t.Hint, t.Error, t.Notice, t.Prompt, t.Match, t.Mark, t.Evidence, t.Strip}
	out = append(out, t.Severity[:]...)
	return append(out, t.Sources...)
}
