package ui

import (
	"strings"
	"testing"

	"github.com/gdamore/tcell/v2"
)

func TestKeymapDispatchHelpAndHints(t *testing.T) {
	var ran []string
	show := false
	m := NewKeymap().
		Add(Binding{Keys: []Key{Rune('j'), Code(tcell.KeyDown)}, Group: "Move", Help: "down", Do: func() { ran = append(ran, "down") }}).
		Add(Binding{Keys: []Key{Rune('/')}, Group: "Search", Help: "search", Hint: "search", Do: func() { ran = append(ran, "search") }}).
		Add(Binding{Keys: []Key{Rune('n')}, Group: "Search", Help: "next", Hint: "next", HintIf: func() bool { return show }, Do: func() {}}).
		Add(Binding{Keys: []Key{Rune('q')}, Group: "Move", Help: "quit", Hint: "quit", HintLabel: func() string { return "back" }, Do: func() { ran = append(ran, "q") }})

	for _, ev := range []*tcell.EventKey{
		tcell.NewEventKey(tcell.KeyRune, 'j', tcell.ModNone),
		tcell.NewEventKey(tcell.KeyDown, 0, tcell.ModNone),
		tcell.NewEventKey(tcell.KeyRune, '/', tcell.ModNone),
		tcell.NewEventKey(tcell.KeyRune, 'q', tcell.ModShift),
	} {
		if !m.Handle(ev) {
			t.Errorf("%v not handled", ev.Name())
		}
	}
	if got := strings.Join(ran, ","); got != "down,down,search,q" {
		t.Errorf("ran %s", got)
	}
	if m.Handle(tcell.NewEventKey(tcell.KeyRune, 'x', tcell.ModNone)) {
		t.Error("unbound key handled")
	}

	help := m.Help()
	if len(help) != 2 || help[0].Name != "Move" || help[1].Name != "Search" {
		t.Fatalf("help groups %+v", help)
	}
	if help[0].Lines[0] != (HelpLine{Keys: "j ↓", Help: "down"}) || help[0].Lines[1].Keys != "q" {
		t.Errorf("help lines %+v", help[0].Lines)
	}

	hints := func() string {
		var s []string
		for _, h := range m.Hints() {
			s = append(s, h.Key+" "+h.Label)
		}
		return strings.Join(s, ", ")
	}
	if got := hints(); got != "/ search, q back" {
		t.Errorf("hints %q", got)
	}
	show = true
	if got := hints(); got != "/ search, n next, q back" {
		t.Errorf("hints %q", got)
	}
}

func TestKeymapRefusesDoubleBindings(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "key g bound twice") {
			t.Errorf("recover() = %v", r)
		}
	}()
	NewKeymap().
		Add(Binding{Keys: []Key{Rune('g')}, Help: "top", Do: func() {}}).
		Add(Binding{Keys: []Key{Rune('G'), Rune('g')}, Help: "bottom", Do: func() {}})
}

func TestKeyNames(t *testing.T) {
	for k, want := range map[Key]string{
		Rune('G'): "G", Rune(' '): "Space", Code(tcell.KeyPgDn): "PgDn", Code(tcell.KeyBacktab): "S-Tab",
		Code(tcell.KeyCtrlL): "C-l", Code(tcell.KeyEnter): "Enter", Code(tcell.KeyEsc): "Esc", Code(tcell.KeyUp): "↑",
	} {
		if got := k.String(); got != want {
			t.Errorf("%#v: %q, want %q", k, got, want)
		}
	}
}

func TestLevel(t *testing.T) {
	for _, tc := range []struct{ c, top, want int }{
		{0, 10, 0}, {1, 1, 8}, {1, 1000, 1}, {1000, 1000, 8}, {31, 1000, 4}, {-1, 5, 0}, {3, 0, 0},
	} {
		if got := Level(tc.c, tc.top); got != tc.want {
			t.Errorf("Level(%d, %d) = %d, want %d", tc.c, tc.top, got, tc.want)
		}
	}
}
