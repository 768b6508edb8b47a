package ui

import (
	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"
)

// Status is the bottom line: the key hints (from the key registry), or a
// flash message after a key that had something
// to say, or the "/" or ":" prompt while one is open.
type Status struct {
	*tview.Box
	theme *Theme
	input *tview.InputField
	done  func(text string, ok bool)

	flash    string
	flashErr bool

	// Hints feeds the idle line.
	Hints func() []Hint
}

// NewStatus returns an idle status line.
func NewStatus(theme *Theme) *Status {
	s := &Status{Box: tview.NewBox().SetBackgroundColor(tcell.ColorDefault), theme: theme}
	s.input = tview.NewInputField().
		SetLabelStyle(theme.Prompt).
		SetFieldStyle(theme.Base).
		SetPlaceholderStyle(theme.Dim)
	s.input.SetBackgroundColor(tcell.ColorDefault)
	s.input.SetDoneFunc(func(key tcell.Key) {
		done := s.done
		switch key {
		case tcell.KeyEnter:
			text := s.input.GetText()
			s.done = nil
			if done != nil {
				done(text, true)
			}
		case tcell.KeyEscape:
			s.done = nil
			if done != nil {
				done("", false)
			}
		}
	})
	return s
}

// Prompt opens the prompt with label ("/" or ":") and returns the input
// field to focus. done gets the text, or ok false when the user pressed Esc.
func (s *Status) Prompt(label, placeholder string, done func(text string, ok bool)) tview.Primitive {
	s.flash = ""
	s.done = done
	s.input.SetLabel(label).SetText("").SetPlaceholder(placeholder)
	return s.input
}

// Prompting reports an open prompt.
func (s *Status) Prompting() bool { return s.done != nil }

// Flash shows msg (plain text, made safe when drawn) until ClearFlash.
func (s *Status) Flash(msg string, isErr bool) { s.flash, s.flashErr = msg, isErr }

// Flashed is the current flash message.
func (s *Status) Flashed() string { return s.flash }

// ClearFlash goes back to the hints.
func (s *Status) ClearFlash() { s.flash = "" }

// Draw draws the prompt, the flash or the hints.
func (s *Status) Draw(screen tcell.Screen) {
	x, y, w, h := s.GetRect()
	if w <= 0 || h <= 0 {
		return
	}
	for i := 0; i < w; i++ {
		screen.SetContent(x+i, y, ' ', nil, s.theme.Base)
	}
	if s.Prompting() {
		s.input.SetRect(x, y, w, 1)
		s.input.Draw(screen)
		return
	}
	if s.flash != "" {
		st := s.theme.Notice
		if s.flashErr {
			st = s.theme.Error
		}
		printStyled(screen, Safe(s.flash), x, y, w, st)
		return
	}
	if s.Hints == nil {
		return
	}
	var m Markup
	for i, h := range s.Hints() {
		if i > 0 {
			m.Add(s.theme.Hint, "  ")
		}
		m.Add(s.theme.HintKey, h.Key).Add(s.theme.Hint, " "+h.Label)
	}
	tview.Print(screen, m.String(), x, y, w, tview.AlignLeft, tcell.ColorDefault)
}

// Focus gives focus to the prompt while it is open.
func (s *Status) Focus(delegate func(tview.Primitive)) {
	if s.Prompting() {
		delegate(s.input)
		return
	}
	s.Box.Focus(delegate)
}

// HasFocus reports focus on the line or its prompt.
func (s *Status) HasFocus() bool { return s.input.HasFocus() || s.Box.HasFocus() }

// InputHandler sends keys to the prompt while it is open.
func (s *Status) InputHandler() func(*tcell.EventKey, func(tview.Primitive)) {
	return s.WrapInputHandler(func(ev *tcell.EventKey, setFocus func(tview.Primitive)) {
		if s.Prompting() {
			if h := s.input.InputHandler(); h != nil {
				h(ev, setFocus)
			}
		}
	})
}
