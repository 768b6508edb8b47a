package ui

import (
	"fmt"
	"strings"

	"github.com/gdamore/tcell/v2"
)

// Key is one key as the registry knows it: a special key, or a rune (Code
// tcell.KeyRune). Modifiers are ignored for runes ("G" arrives as 'G' with
// or without Shift) and kept for special keys only through their own codes
// (tcell reports Ctrl-L as KeyCtrlL, Shift-Tab as KeyBacktab).
type Key struct {
	Code tcell.Key
	Rune rune
}

// Rune is the key that types r.
func Rune(r rune) Key { return Key{Code: tcell.KeyRune, Rune: r} }

// Code is a special key.
func Code(k tcell.Key) Key { return Key{Code: k} }

// KeyOf is the key of an event.
func KeyOf(ev *tcell.EventKey) Key {
	if ev.Key() == tcell.KeyRune {
		return Rune(ev.Rune())
	}
	return Code(ev.Key())
}

var keyNames = map[tcell.Key]string{
	tcell.KeyUp: "↑", tcell.KeyDown: "↓", tcell.KeyLeft: "←", tcell.KeyRight: "→",
	tcell.KeyPgUp: "PgUp", tcell.KeyPgDn: "PgDn", tcell.KeyHome: "Home", tcell.KeyEnd: "End",
	tcell.KeyEnter: "Enter", tcell.KeyTab: "Tab", tcell.KeyBacktab: "S-Tab", tcell.KeyEsc: "Esc",
	tcell.KeyBackspace: "BS", tcell.KeyBackspace2: "BS", tcell.KeyDelete: "Del",
}

// String is the key as help and hints show it: "j", "G", "↓", "PgDn", "C-l".
func (k Key) String() string {
	if k.Code == tcell.KeyRune {
		if k.Rune == ' ' {
			return "Space"
		}
		return string(k.Rune)
	}
	if n, ok := keyNames[k.Code]; ok {
		return n
	}
	if k.Code >= tcell.KeyCtrlA && k.Code <= tcell.KeyCtrlZ {
		return "C-" + string(rune('a'+k.Code-tcell.KeyCtrlA))
	}
	if n, ok := tcell.KeyNames[k.Code]; ok {
		return n
	}
	return fmt.Sprintf("key %d", k.Code)
}

// Binding ties keys to one action and says how the help screen and the hint
// line present it. It is the only place a key's meaning is written down.
type Binding struct {
	Keys  []Key
	Group string // help section, e.g. "Move"
	Help  string // the help screen's description
	Hint  string // the hint line's short label; "" keeps it off the line
	// HintIf, when set, shows the hint only while it returns true (e.g. only
	// while the findings pane has focus).
	HintIf func() bool
	// HintLabel, when set, replaces Hint with what the key does right now
	// (q: "back" or "quit").
	HintLabel func() string
	Do        func()
}

// Keymap is a registry of bindings: one key, one binding. The bindings that
// handle keys are the very ones the help screen and the hint line list, so
// neither can go stale (the k9s KeyActions idea).
type Keymap struct {
	bindings []*Binding
	byKey    map[Key]*Binding
}

// NewKeymap returns an empty registry.
func NewKeymap() *Keymap { return &Keymap{byKey: map[Key]*Binding{}} }

// Add registers b. Binding a key twice is a programming error and panics,
// so a conflict shows up in the first test that builds the keymap.
func (m *Keymap) Add(b Binding) *Keymap {
	if len(b.Keys) == 0 || b.Do == nil {
		panic("ui: binding without keys or action: " + b.Help)
	}
	nb := b
	for _, k := range b.Keys {
		if old, ok := m.byKey[k]; ok {
			panic(fmt.Sprintf("ui: key %s bound twice: %q and %q", k, old.Help, b.Help))
		}
		m.byKey[k] = &nb
	}
	m.bindings = append(m.bindings, &nb)
	return m
}

// Lookup finds the binding of k.
func (m *Keymap) Lookup(k Key) (*Binding, bool) {
	b, ok := m.byKey[k]
	return b, ok
}

// Handle runs the binding of ev's key and reports whether there was one.
func (m *Keymap) Handle(ev *tcell.EventKey) bool {
	b, ok := m.byKey[KeyOf(ev)]
	if !ok {
		return false
	}
	b.Do()
	return true
}

// HelpGroup is one section of the help screen.
type HelpGroup struct {
	Name  string
	Lines []HelpLine
}

// HelpLine is one binding on the help screen.
type HelpLine struct{ Keys, Help string }

// Help lists the bindings by group, groups and bindings in registration
// order.
func (m *Keymap) Help() []HelpGroup {
	var out []HelpGroup
	idx := map[string]int{}
	for _, b := range m.bindings {
		i, ok := idx[b.Group]
		if !ok {
			i = len(out)
			idx[b.Group] = i
			out = append(out, HelpGroup{Name: b.Group})
		}
		var ks []string
		for _, k := range b.Keys {
			ks = append(ks, k.String())
		}
		out[i].Lines = append(out[i].Lines, HelpLine{Keys: strings.Join(ks, " "), Help: b.Help})
	}
	return out
}

// Hint is one entry of the key hint line.
type Hint struct{ Key, Label string }

// Hints lists the bindings that currently belong on the hint line, in
// registration order, each under its first key.
func (m *Keymap) Hints() []Hint {
	var out []Hint
	for _, b := range m.bindings {
		if b.Hint == "" || (b.HintIf != nil && !b.HintIf()) {
			continue
		}
		label := b.Hint
		if b.HintLabel != nil {
			label = b.HintLabel()
		}
		out = append(out, Hint{Key: b.Keys[0].String(), Label: label})
	}
	return out
}
