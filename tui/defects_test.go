package tui_test

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/arpforensics/arpforensics/analysis"
	"github.com/arpforensics/arpforensics/detect"
	"github.com/arpforensics/arpforensics/tui/internal/drive"
	"github.com/arpforensics/arpforensics/tui/internal/view"
)

// The defects the issue lists, each checked on the real samples at 80×24,
// 120×40 and 200×60.
var sizes = [][2]int{{80, 24}, {120, 40}, {200, 60}}

func sample(t *testing.T, name string) *analysis.Result {
	t.Helper()
	res := analysis.Run(analysis.Options{Paths: []string{"../samples/" + name}, Config: detect.Defaults()})
	if len(res.Findings) == 0 {
		t.Fatalf("samples/%s: no findings", name)
	}
	return res
}

// paneLines returns the screen lines of the pane whose title bar starts
// with title, up to the next title bar or the density strip.
func paneLines(d *drive.Driver, title string) []string {
	lines := d.Lines()
	var out []string
	in := false
	for _, l := range lines[:len(lines)-2] { // strip and status
		if strings.HasPrefix(l, " "+title) {
			in = true
			continue
		}
		if in && (strings.HasPrefix(l, " Timeline") || strings.HasPrefix(l, " Detail") || strings.HasPrefix(l, " Findings")) {
			break
		}
		if in {
			out = append(out, l)
		}
	}
	return out
}

// Enter, e, e on fip-reuse: no zero-width joiner or doubled ellipsis left
// in any cell where the panes meet, at every size.
func TestNoStrayCellsAfterEvidenceWalk(t *testing.T) {
	res := sample(t, "fip-reuse")
	for _, sz := range sizes {
		d := drive.Start(t, res, view.Options{Colors: 256}, sz[0], sz[1])
		d.Press("Enter", "e", "e")
		// A joiner may ride on the "[" it escapes, inside that cell; a cell
		// of its own is the artefact.
		for i, c := range d.Cells() {
			if len(c.Runes) > 0 && c.Runes[0] == '\u200d' || len(c.Runes) > 1 && c.Runes[0] != '[' && slices.Contains(c.Runes, '\u200d') {
				t.Errorf("%dx%d: a stray zero-width joiner in the cell at %d,%d: %q", sz[0], sz[1], i%sz[0], i/sz[0], c.Runes)
			}
		}
		for _, l := range d.Lines() {
			if strings.Contains(l, "……") || strings.Contains(l, "… …") {
				t.Errorf("%dx%d: doubled ellipsis in %q", sz[0], sz[1], l)
			}
		}
		d.Press("Ctrl-C")
	}
}

// The detail pane of a frame: the hex dump never wraps (every dump line is
// whole: offset, bytes, |ascii|) and MACs are never split across lines.
func TestDetailKeepsTokensAndDumpWhole(t *testing.T) {
	res := sample(t, "fip-reuse")
	dumpLine := regexp.MustCompile(`^[0-9a-f]{4}  [0-9a-f ]+\|[^|]*\|$`)
	brokenMAC := regexp.MustCompile(`(^|\s)([0-9a-f]{2}:){1,5}[0-9a-f]?$`)
	for _, sz := range sizes {
		d := drive.Start(t, res, view.Options{Colors: 256}, sz[0], sz[1])
		gi := slices.IndexFunc(res.Findings, func(f detect.Finding) bool { return f.Detector == "garp-locktime" })
		for range gi {
			d.Press("j")
		}
		d.Press("Enter", "Enter") // its first GARP frame, then into the detail pane
		d.Press("G")              // its end: the hex dump
		detail := paneLines(d, "Detail")
		if sz[0] >= 150 { // beside the timeline: the pane is the right-hand columns
			var right []string
			for _, l := range d.Lines()[:sz[1]-2] {
				if r := []rune(l); len(r) > sz[0]-76 {
					right = append(right, strings.TrimSpace(string(r[sz[0]-76:])))
				}
			}
			detail = right
		}
		dumps := 0
		for _, l := range detail {
			l = strings.TrimSpace(l)
			if regexp.MustCompile(`^[0-9a-f]{4}  `).MatchString(l) {
				dumps++
				if !dumpLine.MatchString(l) {
					t.Errorf("%dx%d: hex dump line wrapped or cut: %q", sz[0], sz[1], l)
				}
			} else if strings.HasPrefix(l, "|") {
				t.Errorf("%dx%d: the ascii column of a dump line wrapped onto its own line: %q", sz[0], sz[1], l)
			}
			if brokenMAC.MatchString(l) {
				t.Errorf("%dx%d: a MAC broken at the line's end: %q", sz[0], sz[1], l)
			}
		}
		if dumps == 0 {
			t.Errorf("%dx%d: no hex dump on screen:\n%s", sz[0], sz[1], d.Text())
		}
		d.Press("Ctrl-C")
	}
}

// The findings list shows every evidence count whole ("13 ev", never
// "1…"), with the title cut instead.
func TestFindingsEvidenceCountWhole(t *testing.T) {
	res := sample(t, "fip-reuse")
	for _, sz := range sizes {
		d := drive.Start(t, res, view.Options{Colors: 256}, sz[0], sz[1])
		rows := paneLines(d, "Findings")
		if len(rows) < len(res.Findings) {
			t.Fatalf("%dx%d: %d finding rows", sz[0], sz[1], len(rows))
		}
		for i, f := range res.Findings {
			want := fmt.Sprintf("%d ev", len(f.Evidence))
			if !strings.HasSuffix(strings.TrimRight(rows[i], " "), want) {
				t.Errorf("%dx%d: row %q does not end with %q", sz[0], sz[1], rows[i], want)
			}
		}
		d.Press("Ctrl-C")
	}
}

// Enter on interleaved-txn says which evidence it opened, counted in time
// order, and the help describes exactly where Enter lands.
func TestEnterEvidenceMatchesHelp(t *testing.T) {
	res := sample(t, "txn-race")
	fi := slices.IndexFunc(res.Findings, func(f detect.Finding) bool { return f.Detector == "interleaved-txn" })
	if fi < 0 {
		t.Fatal("txn-race has no interleaved-txn finding")
	}
	f := res.Findings[fi]
	// Where Enter must land: the first listed evidence at or after the start.
	var evs []int
	land := -1
	for _, e := range f.Evidence {
		if e.Event < 0 {
			continue
		}
		evs = append(evs, e.Event)
		if land < 0 && !res.Timeline.Time(e.Event).Before(f.Start) {
			land = e.Event
		}
	}
	slices.Sort(evs)
	evs = slices.Compact(evs)
	want := fmt.Sprintf("evidence %d/%d of interleaved-txn", slices.Index(evs, land)+1, len(evs))
	for _, sz := range sizes {
		d := drive.Start(t, res, view.Options{Colors: 256}, sz[0], sz[1])
		for range fi {
			d.Press("j")
		}
		d.Press("Enter")
		if !strings.Contains(d.Lines()[sz[1]-1], want) {
			t.Errorf("%dx%d: status %q, want %q", sz[0], sz[1], d.Lines()[sz[1]-1], want)
		}
		d.Press("?")
		d.WaitFor("help", func(s string) bool { return strings.Contains(s, "Help") })
		if !strings.Contains(strings.Join(strings.Fields(d.Text()), " "), "the first event its evidence list cites at or after the finding's start") {
			t.Errorf("%dx%d: help does not say where Enter lands", sz[0], sz[1])
		}
		d.Press("q", "Ctrl-C")
	}
}

// A first search reports which match of how many it is on, and does not
// call itself wrapped; n past the last match does.
func TestSearchCountsAndWrapsOnlyWhenItDoes(t *testing.T) {
	res := sample(t, "fip-reuse")
	re := regexp.MustCompile("SYN")
	total := 0
	for i := range res.Timeline.Len() {
		e := res.Timeline.Event(i)
		if e.Raw != "" && re.MatchString(e.Raw) || re.MatchString(e.Data.Summary()) {
			total++
		}
	}
	for _, sz := range sizes {
		d := drive.Start(t, res, view.Options{Colors: 256}, sz[0], sz[1])
		d.Press("/")
		d.Type("SYN")
		d.Press("Enter")
		status := d.Lines()[sz[1]-1]
		if !strings.Contains(status, fmt.Sprintf("1 of %d", total)) || strings.Contains(status, "wrapped") {
			t.Errorf("%dx%d: first search says %q, want match 1 of %d and no wrap", sz[0], sz[1], status, total)
		}
		d.Press("N")
		if status := d.Lines()[sz[1]-1]; !strings.Contains(status, "wrapped") || !strings.Contains(status, fmt.Sprintf("%d of %d", total, total)) {
			t.Errorf("%dx%d: N before the first match says %q, want wrapped to %d of %d", sz[0], sz[1], status, total, total)
		}
		d.Press("Ctrl-C")
	}
}

// At 80×24 the header's span is whole, the summaries keep more than half
// the row (the kind column goes first), and the detail pane shows at least
// five lines; wider screens keep the kind column.
func TestLayoutAt80x24(t *testing.T) {
	res := sample(t, "fip-reuse")
	for _, sz := range sizes {
		d := drive.Start(t, res, view.Options{Colors: 256}, sz[0], sz[1])
		head := strings.TrimRight(d.Lines()[0], " ")
		if !strings.HasSuffix(head, ")") || !strings.Contains(head, "14:36:29 UTC") {
			t.Errorf("%dx%d: header %q cut", sz[0], sz[1], head)
		}
		rows := paneLines(d, "Timeline")
		row := strings.TrimRight(rows[0], " ")
		// "  14:30:00.000000 tempest-br-… " then the summary.
		sum := strings.Fields(row)
		summary := strings.Join(sum[2:], " ")
		if sz[0] < 100 {
			if strings.HasPrefix(summary, "arp ") {
				t.Errorf("%dx%d: the kind column is still there: %q", sz[0], sz[1], row)
			}
			if len([]rune(summary)) < sz[0]/2+8 {
				t.Errorf("%dx%d: summary %q is %d cells", sz[0], sz[1], summary, len([]rune(summary)))
			}
			if n := len(paneLines(d, "Detail")); n < 5 {
				t.Errorf("%dx%d: the detail pane shows %d lines", sz[0], sz[1], n)
			}
		} else if !strings.HasPrefix(summary, "arp ") {
			t.Errorf("%dx%d: no kind column: %q", sz[0], sz[1], row)
		}
		d.Press("Ctrl-C")
	}
}
