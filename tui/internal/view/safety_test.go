package view_test

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/gdamore/tcell/v2"

	"github.com/arpforensics/arpforensics/internal/synth"
	"github.com/arpforensics/arpforensics/tui/internal/drive"
	"github.com/arpforensics/arpforensics/tui/internal/ui"
	"github.com/arpforensics/arpforensics/tui/internal/view"
)

// The log line synth.EvilLine carries CSI colour codes, an OSC 8 hyperlink,
// a clear-screen and tview tags. On screen it must read literally.
func TestEscapesAndTagsInArtifactsAreDrawnInert(t *testing.T) {
	d := start(t, 149, 60)
	d.Press("Tab", "/")
	d.Type("SSH timed out")
	d.Press("Enter")
	row := timelineCursor(t, d)
	lit := `ERROR tempest \x1b[31mSSH timed out\x1b[0m to 172.24.5.13 [red]reboot[-]`
	if !strings.Contains(row, lit) {
		t.Errorf("timeline row %q lacks the literal %q", row, lit)
	}
	// The detail pane shows the whole raw line the same way (wrapped at
	// spaces, so look for its space-free parts).
	mustContain(t, d, lit, `\x1b]8;;https://evil.example\x07click\x1b]8;;\x07`, `[:::https://evil.example]link\x1b[2J`)
	// No cell holds a control character or a hyperlink.
	for i, c := range d.Cells() {
		for _, r := range c.Runes {
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
				t.Errorf("cell %d holds control character %U", i, r)
			}
		}
		if s := fmt.Sprintf("%+v", c.Style); strings.Contains(s, "evil") {
			t.Errorf("cell %d carries a hyperlink: %s", i, s)
		}
	}
	// The text's cells all have the row's style: no tag took effect.
	_, y, _ := d.Find(row)
	x0 := strings.Index(row, "2024-09-18 17:09:30")
	x0 = len([]rune(row[:x0]))
	first := d.Cell(x0, y).Style
	for x := x0; x < len([]rune(row)); x++ {
		if c := d.Cell(x, y); c.Style != first {
			t.Errorf("cell %d (%q) of the row has style %v, the row %v", x, string(c.Runes), c.Style, first)
			break
		}
	}
}

// colourParams returns the SGR parameters that set a colour in out.
func colourParams(out []byte) []string {
	var found []string
	for _, m := range regexp.MustCompile(`\x1b\[([0-9;:]*)m`).FindAllSubmatch(out, -1) {
		ps := strings.Split(string(m[1]), ";")
		for i := 0; i < len(ps); i++ {
			n, err := strconv.Atoi(ps[i])
			if err != nil {
				continue
			}
			switch {
			case n == 38 || n == 48:
				found = append(found, strings.Join(ps[i:min(i+3, len(ps))], ";"))
				i += 2
			case n >= 30 && n <= 37, n >= 40 && n <= 47, n >= 90 && n <= 97, n >= 100 && n <= 107:
				found = append(found, ps[i])
			}
		}
	}
	return found
}

// What reaches a real terminal: tcell's terminfo screen over a fake tty.
func TestTerminalGetsNoRawEscapesFromArtifacts(t *testing.T) {
	t.Setenv("COLORTERM", "")
	d := drive.StartTty(t, synth.FIPReuse(), view.Options{}, "xterm-256color", 240, 50)
	d.Keys("\t/SSH timed out\r")
	d.Keys("q")
	if err := d.WaitDone(); err != nil {
		t.Fatal(err)
	}
	// Escape puts an invisible joiner after "[" where a tag could start.
	out := bytes.ReplaceAll(d.Tty.Output(), []byte("\u200d"), nil)
	for _, raw := range []string{"\x1b[31mSSH", "\x1b]8;;https://evil", "\x07click", "link\x1b[2J", "\x1b[0m to 172"} {
		if bytes.Contains(out, []byte(raw)) {
			t.Errorf("terminal got the artifact's raw %q", raw)
		}
	}
	if bytes.Contains(out, []byte("\x1b]8;")) {
		t.Errorf("terminal got a hyperlink (OSC 8)")
	}
	for _, lit := range []string{`\x1b[31mSSH timed out\x1b[0m to 172.24.5.13 [`, `red]reboot[-]`, `\x07click`} {
		if !bytes.Contains(out, []byte(lit)) {
			t.Errorf("terminal output lacks the literal %q", lit)
		}
	}
	if len(colourParams(out)) == 0 {
		t.Errorf("a 256-colour terminal got no colours at all")
	}
}

func TestNoColorIsHonoured(t *testing.T) {
	t.Setenv("COLORTERM", "")
	t.Setenv("NO_COLOR", "1")
	d := drive.StartTty(t, synth.FIPReuse(), view.Options{}, "xterm-256color", 100, 30)
	if c := d.App.Theme().Colors; c != 0 {
		t.Errorf("theme has %d colours under NO_COLOR", c)
	}
	d.Keys("\r/SSH\r")
	d.Keys("q")
	d.Keys("q")
	if err := d.WaitDone(); err != nil {
		t.Fatal(err)
	}
	if ps := colourParams(d.Tty.Output()); len(ps) > 0 {
		t.Errorf("NO_COLOR: terminal got colour codes %v", ps)
	}
	// Without colour, focus and severity still show: reverse video and bold.
	if !bytes.Contains(d.Tty.Output(), []byte("\x1b[7m")) && !bytes.Contains(d.Tty.Output(), []byte(";7m")) {
		t.Errorf("NO_COLOR: no reverse video for the cursor")
	}
}

func TestEightColourTerminal(t *testing.T) {
	t.Setenv("COLORTERM", "")
	t.Setenv("NO_COLOR", "")
	d := drive.StartTty(t, synth.FIPReuse(), view.Options{}, "xterm", 100, 30)
	if c := d.App.Theme().Colors; c != 8 {
		t.Errorf("theme has %d colours on an 8-colour terminal", c)
	}
	d.Keys("\rjjm/SYN\rq")
	d.Keys("q")
	if err := d.WaitDone(); err != nil {
		t.Fatal(err)
	}
	ps := colourParams(d.Tty.Output())
	if len(ps) == 0 {
		t.Fatal("an 8-colour terminal got no colours")
	}
	for _, p := range ps {
		n, _ := strconv.Atoi(p)
		if !(n >= 30 && n <= 37 || n >= 40 && n <= 47) {
			t.Errorf("8-colour terminal got colour code %q", p)
		}
	}
}

// Every theme uses only colours the terminal has: none, the first 8, or
// the 16 ANSI ones.
func TestThemesDegrade(t *testing.T) {
	for _, tc := range []struct{ colors, maxColor int }{{0, -1}, {8, 7}, {16, 7}, {256, 15}, {1 << 24, 15}} {
		th := ui.NewTheme(tc.colors)
		for i, st := range th.All() {
			fg, bg, _ := st.Decompose()
			for _, c := range []tcell.Color{fg, bg} {
				if c == tcell.ColorDefault {
					continue
				}
				n := int(c - tcell.ColorValid)
				if tc.maxColor < 0 || n < 0 || n > tc.maxColor {
					t.Errorf("%d colours: style %d uses colour %v", tc.colors, i, c)
				}
			}
		}
	}
	// Without colours the severities still differ from one another.
	th := ui.NewTheme(0)
	seen := map[tcell.Style]bool{}
	for _, s := range th.Severity {
		seen[s] = true
	}
	if len(seen) != 4 || th.Cursor == th.CursorBlurred || th.Title == th.TitleFocused {
		t.Errorf("monochrome theme does not tell severities or focus apart")
	}
}

// With no colours at all the screen is still usable: the simulated screen
// shows no coloured cell.
func TestNoColourScreen(t *testing.T) {
	d := startWith(t, synth.FIPReuse(), view.Options{Colors: view.NoColor}, 80, 24)
	d.Press("Enter", "m", "/")
	d.Type("SYN")
	d.Press("Enter")
	for i, c := range d.Cells() {
		fg, bg, _ := c.Style.Decompose()
		if fg != tcell.ColorDefault || bg != tcell.ColorDefault {
			t.Fatalf("cell %d (%q) coloured: %v", i, string(c.Runes), c.Style)
		}
	}
}
