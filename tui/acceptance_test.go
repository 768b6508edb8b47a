package tui_test

import (
	"bytes"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/arpforensics/arpforensics/analysis"
	"github.com/arpforensics/arpforensics/detect"
	"github.com/arpforensics/arpforensics/timeline"
	"github.com/arpforensics/arpforensics/tui/internal/drive"
	"github.com/arpforensics/arpforensics/tui/internal/view"
)

// The acceptance walk on the fip-reuse sample at 80×24: see the
// stale-mac finding, Enter lands on the GARP frame, follow the IP, search,
// set a mark, open help, go back and quit, checking the screen at each step.
// Expected values come from the analysed result (the GARP's frame number,
// the IP's event count), so the walk holds if the sample is regenerated.
func TestFIPReuseWalk(t *testing.T) {
	res := analysis.Run(analysis.Options{Paths: []string{"../samples/fip-reuse"}, Config: detect.Defaults()})
	var sm *detect.Finding
	smAt := -1 // its row in the findings pane
	highs := 0
	for i := range res.Findings {
		if res.Findings[i].Detector == "stale-mac" && sm == nil {
			sm, smAt = &res.Findings[i], i
		}
		if res.Findings[i].Severity == detect.High {
			highs++
		}
	}
	if sm == nil {
		t.Fatal("the fip-reuse sample has no stale-mac finding")
	}
	ip := netip.MustParseAddr(sm.Subject.String("ip"))
	newMAC, err := timeline.ParseMAC(sm.Subject.String("new_mac"))
	if err != nil {
		t.Fatal(err)
	}
	tl := res.Timeline
	garp := -1
	for i, r := range tl.Records(0, -1) {
		if a, ok := r.ARPRec(); ok && a.Class.IsGARP() && a.SPA == ip && a.SHA == newMAC {
			garp = i
			break
		}
	}
	if garp < 0 {
		t.Fatal("no GARP for the stale-mac finding's IP at its new MAC")
	}
	garpRec := tl.Record(garp)
	garpPos := garpRec.Pos.String()
	garpTime := garpRec.Time().Format("15:04:05.000000")

	d := drive.Start(t, res, view.Options{Colors: 256}, 80, 24)
	th := d.App.Theme()
	must := func(step string, wants ...string) {
		t.Helper()
		scr := d.Text()
		for _, w := range wants {
			if !strings.Contains(scr, w) {
				t.Errorf("%s: screen lacks %q:\n%s", step, w, scr)
			}
		}
	}
	cursorRow := func(from int) string {
		t.Helper()
		_, want, _ := th.Cursor.Decompose()
		lines := d.Lines()
		for y := from; y < len(lines); y++ {
			if _, bg, _ := d.Cell(3, y).Style.Decompose(); bg == want {
				return lines[y]
			}
		}
		t.Fatalf("no selected row below row %d:\n%s", from, d.Text())
		return ""
	}
	timelineTop := func() int {
		_, y, ok := d.Find(" Timeline")
		if !ok {
			t.Fatalf("no timeline pane:\n%s", d.Text())
		}
		return y
	}

	// 1. The stale-mac finding is there among the high ones; select it.
	must("open", fmt.Sprintf("findings: %d high", highs), " Findings 1/", "stale-mac")
	if x, y, ok := d.Find("stale-mac"); !ok || !strings.HasPrefix(d.Lines()[y], "HIGH   ") || x > 20 {
		t.Errorf("open: no HIGH stale-mac row:\n%s", d.Text())
	}
	for i := 0; i < smAt; i++ {
		d.Press("j")
	}
	if row := cursorRow(0); !strings.Contains(row, "HIGH") || !strings.Contains(row, "stale-mac") {
		t.Errorf("open: selected %q", row)
	}
	must("select", fmt.Sprintf(" Findings %d/", smAt+1), "Detail · finding stale-mac")

	// 2. Enter lands on the GARP frame that announced the new MAC.
	d.Press("Enter")
	row := cursorRow(timelineTop() + 1)
	if !strings.Contains(row, garpTime) || !strings.Contains(row, newMAC.String()+" > ff:ff:ff:ff:ff:ff") || !strings.HasPrefix(row, "*") {
		t.Errorf("Enter: cursor on %q, want the GARP at %s", row, garpTime)
	}
	must("Enter", "Detail · arp · tempest-br-ex.pcap "+garpPos, "[gratuitous]", "of stale-mac: tempest-br-ex.pcap "+garpPos)

	// 3. f follows the GARP's IP: only its events are left.
	d.Press("f")
	n := len(tl.ByIP(ip))
	must("follow", "follow ip "+ip.String(), fmt.Sprintf("(%d shown)", n), fmt.Sprintf("following ip %s: %d events", ip, n))
	if row := cursorRow(timelineTop() + 1); !strings.Contains(row, garpTime) {
		t.Errorf("follow: cursor left the GARP: %q", row)
	}

	// 4. Search for the fifth attempt of a SYN to the old MAC.
	d.Press("/")
	d.Type("SYN.*attempt 5")
	d.Press("Enter")
	row = cursorRow(timelineTop() + 1)
	if !strings.Contains(row, "SYN (retransmission)") {
		t.Errorf("search: cursor on %q", row)
	}
	must("search", "search /SYN.*attempt 5/", "attempt 5 via")
	if !regexp.MustCompile(`/SYN\.\*attempt 5/: match at \d\d:\d\d:\d\d\.\d{6}`).MatchString(d.Text()) {
		t.Errorf("search: no match message:\n%s", d.Text())
	}

	// 5. m sets the mark: the Δ column appears, zero on the marked row.
	d.Press("m")
	must("mark", "mark set at "+strings.Fields(row)[0])
	if row := cursorRow(timelineTop() + 1); !strings.Contains(row, "+0.000000") || !strings.HasPrefix(row, "m ") {
		t.Errorf("mark: marked row %q", row)
	}
	d.Press("j")
	if row := cursorRow(timelineTop() + 1); !regexp.MustCompile(`\+\d+\.\d{6} `).MatchString(row) || strings.Contains(row, "+0.000000") {
		t.Errorf("mark: next row %q lacks a positive Δ", row)
	}

	// 6. ? opens the help, written from the key registry; it scrolls.
	d.Press("?")
	must("help", "Help — keys and commands", "j ↓", "down one row")
	d.Press("PgDn")
	must("help page 2", "follow the IP, MAC or OVSDB entity under the cursor")
	d.Press("G")
	must("help end", "Screen", "reversed the cursor")

	// 7. q closes the help; the view is as it was.
	d.Press("q")
	if strings.Contains(d.Text(), "Help — keys and commands") {
		t.Fatalf("q did not close the help")
	}
	must("close help", "follow ip "+ip.String(), "search /SYN.*attempt 5/")

	// 8. q goes back to the finding Enter came from.
	d.Press("q")
	if d.Done() {
		t.Fatal("q quit instead of going back to the finding")
	}
	if row := cursorRow(0); !strings.Contains(row, "stale-mac") {
		t.Errorf("back: selected %q, want the stale-mac finding", row)
	}
	must("back", "Detail · finding stale-mac", "q quit")

	// 9. q quits.
	d.Press("q")
	if err := d.WaitDone(); err != nil {
		t.Fatal(err)
	}
}

// evilCapture is tcpdump text behind a journal prefix whose host name holds a
// CSI colour sequence and whose line ends in a tview tag and an OSC 8
// hyperlink: what a hostile or broken log could carry.
const evilCapture = "Sep 18 17:09:17.644405 tempest\x1b[31m tcpdump[28445]: 17:09:17.275597 fa:16:3e:11:11:11 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 10.0.0.218 tell 10.0.0.1 [red]\x1b]8;;http://evil.example\x07, length 28\n" +
	"Sep 18 17:09:18.644405 tempest tcpdump[28445]: 17:09:18.275597 fa:16:3e:22:22:22 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 10.0.0.218 tell 10.0.0.2, length 28\n"

func evilResult(t *testing.T) *analysis.Result {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "tcpdump.log"), []byte(evilCapture), 0o644); err != nil {
		t.Fatal(err)
	}
	res := analysis.Run(analysis.Options{Paths: []string{dir}, Year: 2024, Config: detect.Defaults()})
	if res.Timeline.Len() != 2 || !strings.Contains(res.Timeline.Event(0).Raw, "\x1b[31m") {
		t.Fatalf("the tcpdump text reader did not keep the line as the event's Raw: %d events", res.Timeline.Len())
	}
	return res
}

// A log line read by the real tcpdump-text reader, escape sequences and all:
// on screen it reads literally, and no control character reaches a cell.
func TestLogLineWithEscapesOnScreen(t *testing.T) {
	d := drive.Start(t, evilResult(t), view.Options{Colors: 256}, 140, 40)
	for _, want := range []string{
		`Sep 18 17:09:17.644405 tempest\x1b[31m tcpdump[28445]:`,
		`tell 10.0.0.1 [red]\x1b]8;;http://evil.example\x07, length 28`,
	} {
		if !strings.Contains(d.Text(), want) {
			t.Errorf("detail lacks the literal %q:\n%s", want, d.Text())
		}
	}
	for i, c := range d.Cells() {
		for _, r := range c.Runes {
			if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
				t.Errorf("cell %d holds control character %U", i, r)
			}
		}
	}
}

// The same line through tcell's terminfo screen: the bytes a terminal gets
// hold no sequence from the artifact.
func TestLogLineWithEscapesOnTerminal(t *testing.T) {
	t.Setenv("COLORTERM", "")
	d := drive.StartTty(t, evilResult(t), view.Options{}, "xterm-256color", 140, 40)
	d.Keys("q")
	if err := d.WaitDone(); err != nil {
		t.Fatal(err)
	}
	out := bytes.ReplaceAll(d.Tty.Output(), []byte("\u200d"), nil)
	for _, raw := range []string{"tempest\x1b[31m", "\x1b]8;;http://evil", "evil.example\x07"} {
		if bytes.Contains(out, []byte(raw)) {
			t.Errorf("the terminal got the artifact's raw %q", raw)
		}
	}
	if !bytes.Contains(out, []byte(`tempest\x1b[31m tcpdump[28445]:`)) {
		t.Errorf("the terminal did not get the line's inert spelling")
	}
}
