package ui

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"
)

// printed draws markup with tview's own printer, as tables and text views
// do, and returns the runes drawn (without the joiners Escape inserts) and
// whether any cell got a style other than the default one.
func printed(t testing.TB, markup string) (text string, styled bool) {
	t.Helper()
	s := tcell.NewSimulationScreen("UTF-8")
	if err := s.Init(); err != nil {
		t.Fatal(err)
	}
	defer s.Fini()
	w := 2*utf8.RuneCountInString(markup) + 8
	s.SetSize(w, 1)
	tview.Print(s, markup, 0, 0, w, tview.AlignLeft, tcell.ColorDefault)
	s.Show()
	cells, _, _ := s.GetContents()
	var b strings.Builder
	for _, c := range cells {
		if c.Style != tcell.StyleDefault {
			styled = true
		}
		for _, r := range c.Runes {
			if r != '\u200d' {
				b.WriteRune(r)
			}
		}
	}
	return strings.TrimRight(b.String(), " "), styled
}

// tagInputs are strings tview would read as style, region, hyperlink or
// escaped tags if they reached it unescaped.
var tagInputs = []string{
	"[red]alert",
	"[red::b]bold red[-:-:-]",
	"[::b]x",
	"[-]reset",
	"[#ff0000]hex",
	`["region"]x[""]`,
	"[:::https://evil.example/]click here[:::-]",
	"[:::http://x[y]z]",
	"[abc[]",
	"[abc[[]",
	"[[]",
	"[]",
	"[",
	"]",
	"a[b]c",
	"[fe80::1]:22",
	"Running txn n=1 command(idx=0): AddLRouterCommand(name=neutron-[red]x, may_exist=True)",
	"x[" + "[red]",
	"[\u200dred]",
	"[ red ]",
	"[red:",
	"[::]",
	"[:red]",
}

func TestEscapeShowsTextLiterally(t *testing.T) {
	for _, in := range tagInputs {
		got, styled := printed(t, Escape(in))
		if got != strings.TrimRight(strings.ReplaceAll(in, "\u200d", ""), " ") {
			t.Errorf("Escape(%q) drew %q", in, got)
		}
		if styled {
			t.Errorf("Escape(%q) changed the style of a cell", in)
		}
	}
}

// tview.Escape lets hyperlink tags through; Escape must not.
func TestEscapeStopsHyperlinkTags(t *testing.T) {
	in := "[:::https://evil.example/]click"
	if _, styled := printed(t, tview.Escape(in)); !styled {
		t.Log("tview.Escape now escapes hyperlink tags; Escape is still needed for [x[] forms")
	}
	if got, styled := printed(t, Escape(in)); styled || got != in {
		t.Fatalf("Escape(%q) drew %q (styled %v)", in, got, styled)
	}
}

func TestSafeMakesEscapesInert(t *testing.T) {
	in := "\x1b[31mred\x1b[0m \x1b]8;;https://evil\x07link\x1b]8;;\x07 [red]tag\x9b2J"
	got, styled := printed(t, Safe(in))
	if styled {
		t.Errorf("Safe(%q) changed a cell's style", in)
	}
	if strings.ContainsAny(got, "\x1b\x07\x9b") {
		t.Errorf("Safe(%q) drew control characters: %q", in, got)
	}
	for _, want := range []string{`\x1b[31mred`, `\x07link`, "[red]tag", `\x9b2J`} {
		if !strings.Contains(got, want) {
			t.Errorf("Safe(%q) drew %q, want it to contain %q", in, got, want)
		}
	}
}

func TestMarkupSpansDoNotCombine(t *testing.T) {
	var m Markup
	m.Add(tcell.StyleDefault, "[abc").Add(tcell.StyleDefault, "]x").Add(tcell.StyleDefault, "[:::u").Add(tcell.StyleDefault, "rl]")
	got, styled := printed(t, m.String())
	if got != "[abc]x[:::url]" || styled {
		t.Fatalf("markup drew %q (styled %v)", got, styled)
	}
	var bold Markup
	bold.Add(tcell.StyleDefault.Bold(true), "b").Add(tcell.StyleDefault, "n")
	s := tcell.NewSimulationScreen("UTF-8")
	s.Init()
	defer s.Fini()
	s.SetSize(4, 1)
	tview.Print(s, bold.String(), 0, 0, 4, tview.AlignLeft, tcell.ColorDefault)
	s.Show()
	cells, _, _ := s.GetContents()
	if _, _, a := cells[0].Style.Decompose(); a&tcell.AttrBold == 0 {
		t.Errorf("first span not bold: %v", a)
	}
	if _, _, a := cells[1].Style.Decompose(); a&tcell.AttrBold != 0 {
		t.Errorf("second span still bold: %v", a)
	}
}

func TestTagSetsColours(t *testing.T) {
	st := tcell.StyleDefault.Foreground(tcell.ColorMaroon).Background(tcell.ColorNavy).Reverse(true)
	var m Markup
	m.Add(st, "x")
	s := tcell.NewSimulationScreen("UTF-8")
	s.Init()
	defer s.Fini()
	s.SetSize(2, 1)
	tview.Print(s, m.String(), 0, 0, 2, tview.AlignLeft, tcell.ColorDefault)
	s.Show()
	cells, _, _ := s.GetContents()
	fg, _, a := cells[0].Style.Decompose()
	if fg != tcell.ColorMaroon || a&tcell.AttrReverse == 0 {
		t.Fatalf("style %v, want maroon reverse", cells[0].Style)
	}
}

// FuzzEscape: whatever the text, tview draws exactly its characters in the
// default style: no tag of any kind survives Escape.
func FuzzEscape(f *testing.F) {
	for _, in := range tagInputs {
		f.Add(in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		safe := Safe(in)
		var got string
		var styled bool
		done := make(chan bool)
		go func() { got, styled = printed(t, safe); close(done) }()
		select {
		case <-done:
		case <-time.After(3 * time.Second):
			t.Fatalf("hang on %q", in)
		}
		if styled {
			t.Fatalf("Safe(%q) = %q changed a cell's style", in, safe)
		}
		want := Escape(strings.ReplaceAll(safeASCII(in), "\u200d", ""))
		if isASCII(in) && got != strings.TrimRight(strings.ReplaceAll(want, "\u200d", ""), " ") {
			t.Fatalf("Safe(%q) drew %q, want %q", in, got, want)
		}
		if strings.Count(got, "[") != strings.Count(safeASCII(in), "[") || strings.Count(got, "]") != strings.Count(safeASCII(in), "]") {
			t.Fatalf("Safe(%q) drew %q: brackets lost", in, got)
		}
	})
}

func safeASCII(s string) string { return strings.ReplaceAll(Safe(s), "\u200d", "") }

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
