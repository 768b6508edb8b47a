package tui_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/arpforensics/arpforensics/timeline"
	"github.com/arpforensics/arpforensics/tui/internal/drive"
	"github.com/arpforensics/arpforensics/tui/internal/view"
)

// cursorRow is the timeline row the cursor is on: the row carrying the
// time the timeline's bar shows for the cursor.
func cursorRow(t *testing.T, d *drive.Driver) string {
	t.Helper()
	lines := d.Lines()
	bar := ""
	for _, l := range lines {
		if strings.HasPrefix(l, " Timeline") {
			bar = l
			break
		}
	}
	m := regexp.MustCompile(`(\d\d:\d\d:\d\d\.\d{6}) UTC · (\d+)/`).FindStringSubmatch(bar)
	if m == nil {
		t.Fatalf("no cursor time in the timeline bar %q", bar)
	}
	for _, l := range paneLines(d, "Timeline") {
		if strings.Contains(l, m[1]) {
			return l
		}
	}
	t.Fatalf("no row at %s:\n%s", m[1], d.Text())
	return ""
}

// l / → scroll the summaries right, h / ← back; the row then shows the
// part of a long summary that did not fit.
func TestHorizontalScroll(t *testing.T) {
	res := sample(t, "txn-race")
	for _, sz := range sizes {
		d := drive.Start(t, res, view.Options{Colors: 256}, sz[0], sz[1])
		d.Press("Tab") // the timeline
		first := paneLines(d, "Timeline")[0]
		d.Press("l", "l")
		scrolled := paneLines(d, "Timeline")[0]
		if scrolled == first || !strings.Contains(scrolled, "…") {
			t.Errorf("%dx%d: after l l the row is %q (was %q)", sz[0], sz[1], scrolled, first)
		}
		// The first event's summary from its 17th character on is what shows.
		e := res.Timeline.Event(0)
		want := []rune(e.Data.Summary())
		if s := string(want[16:min(len(want), 16+20)]); !strings.Contains(scrolled, s) {
			t.Errorf("%dx%d: scrolled row %q lacks %q", sz[0], sz[1], scrolled, s)
		}
		d.Press("Right", "h", "Left", "h")
		if back := paneLines(d, "Timeline")[0]; back != first {
			t.Errorf("%dx%d: scrolled back the row is %q, want %q", sz[0], sz[1], back, first)
		}
		d.Press("Ctrl-C")
	}
}

// Several marks: m on three rows, u and U walk them in time order; c with
// marks copies them all (OSC 52 through the screen's clipboard), without
// marks the cursor's event.
func TestMarksAndCopy(t *testing.T) {
	res := sample(t, "fip-reuse")
	for _, sz := range sizes {
		d := drive.Start(t, res, view.Options{Colors: 256}, sz[0], sz[1])
		d.Press("Tab", "c")
		clip := string(d.Screen.GetClipboardData())
		e0 := res.Timeline.Event(0)
		if want := fmt.Sprintf("%s:%s ", res.Timeline.Sources[e0.Source].Path, e0.Pos); !strings.HasPrefix(clip, want) || strings.Count(clip, "\n") != 1 {
			t.Errorf("%dx%d: c copied %q, want one line starting %q", sz[0], sz[1], clip, want)
		}
		d.Press("j", "m", "j", "j", "m", "j", "j", "j", "m", "g")
		want := []string{}
		for _, ev := range []int{1, 3, 6} {
			want = append(want, res.Timeline.Time(ev).Format("15:04:05.000000"))
		}
		for i, w := range want {
			d.Press("u")
			if row := cursorRow(t, d); !strings.Contains(row, w) {
				t.Errorf("%dx%d: u #%d: cursor %q, want the mark at %s", sz[0], sz[1], i+1, row, w)
			}
			if st := d.Lines()[sz[1]-1]; !strings.Contains(st, fmt.Sprintf("mark %d/3", i+1)) {
				t.Errorf("%dx%d: status %q", sz[0], sz[1], st)
			}
		}
		d.Press("u")
		if st := d.Lines()[sz[1]-1]; !strings.Contains(st, "no marked event after") {
			t.Errorf("%dx%d: u past the last mark: %q", sz[0], sz[1], st)
		}
		d.Press("U")
		if row := cursorRow(t, d); !strings.Contains(row, want[1]) {
			t.Errorf("%dx%d: U: cursor %q, want %s", sz[0], sz[1], row, want[1])
		}
		d.Press("c")
		if clip := string(d.Screen.GetClipboardData()); strings.Count(clip, "\n") != 3 {
			t.Errorf("%dx%d: c with 3 marks copied %q", sz[0], sz[1], clip)
		}
		d.Press("Ctrl-C")
	}
}

// The kind column's labels are what :filter kind= takes: "txn-st" too.
func TestFilterKindByItsLabel(t *testing.T) {
	res := sample(t, "txn-race")
	n := 0
	for _, r := range res.Timeline.Records(0, -1) {
		if r.Kind == timeline.KindTxnStatus {
			n++
		}
	}
	if n == 0 {
		t.Fatal("txn-race has no txn-status events")
	}
	for _, sz := range sizes {
		d := drive.Start(t, res, view.Options{Colors: 256}, sz[0], sz[1])
		d.Press(":")
		d.Type("filter kind=txn-st")
		d.Press("Enter")
		if st := d.Lines()[sz[1]-1]; !strings.Contains(st, fmt.Sprintf("%d events", n)) {
			t.Errorf("%dx%d: :filter kind=txn-st says %q, want %d events", sz[0], sz[1], st, n)
		}
		d.Press("Ctrl-C")
	}
}

// :hide REGEX drops the events it matches (lnav's filter-out) and :range
// keeps a time range; counts come from the timeline itself.
func TestHideAndRange(t *testing.T) {
	res := sample(t, "fip-reuse")
	tl := res.Timeline
	re := regexp.MustCompile("SYN")
	kept := 0
	first, _ := tl.Span()
	from, to := first.Add(60*time.Second), first.Add(120*time.Second)
	inRange := 0
	for i, r := range tl.Records(0, -1) {
		e := tl.View(i)
		if !(e.Raw != "" && re.MatchString(e.Raw) || re.MatchString(e.Data.Summary())) {
			kept++
		}
		if r.LastNano() >= from.UnixNano() && r.T <= to.UnixNano() {
			inRange++
		}
	}
	for _, sz := range sizes {
		d := drive.Start(t, res, view.Options{Colors: 256}, sz[0], sz[1])
		d.Press(":")
		d.Type("hide SYN")
		d.Press("Enter")
		if st := d.Lines()[sz[1]-1]; !strings.Contains(st, fmt.Sprintf("%d events left", kept)) {
			t.Errorf("%dx%d: :hide SYN says %q, want %d events left", sz[0], sz[1], st, kept)
		}
		for _, l := range paneLines(d, "Timeline") {
			if sz[0] >= 150 { // the detail pane is beside it: 76 columns
				l = string([]rune(l)[:sz[0]-77])
			}
			if strings.Contains(l, "SYN") {
				t.Errorf("%dx%d: a hidden event is shown: %q", sz[0], sz[1], l)
			}
		}
		d.Press(":")
		d.Type("hide")
		d.Press("Enter", ":")
		d.Type("range " + from.Format("15:04:05") + " " + to.Format("15:04:05"))
		d.Press("Enter")
		if st := d.Lines()[sz[1]-1]; !strings.Contains(st, fmt.Sprintf("%d events", inRange)) {
			t.Errorf("%dx%d: :range says %q, want %d events", sz[0], sz[1], st, inRange)
		}
		d.Press("Ctrl-C")
	}
}

// i opens a histogram in the detail pane: at first one row per bucket over
// the whole span (so the counts add up to every event), the cursor's bucket
// marked; z zooms in, Z back out; i closes it.
func TestHistogram(t *testing.T) {
	res := sample(t, "fip-reuse")
	rowRe := regexp.MustCompile(`^(.+?) (.) (█*) (\d+)$`)
	read := func(d *drive.Driver, sz [2]int) (sum int, marked int, title string) {
		lines := d.Lines()
		for _, l := range lines {
			if i := strings.Index(l, "Detail · histogram"); i >= 0 {
				title = l[i:]
			}
		}
		detail := paneLines(d, "Detail")
		if sz[0] >= 150 { // beside the timeline: the right-hand 76 columns
			detail = nil
			for _, l := range lines[:sz[1]-2] {
				if r := []rune(l); len(r) > sz[0]-76 {
					detail = append(detail, string(r[sz[0]-76:]))
				}
			}
		}
		for _, l := range detail {
			if m := rowRe.FindStringSubmatch(strings.TrimSpace(l)); m != nil {
				n := 0
				fmt.Sscan(m[4], &n)
				sum += n
				if m[2] != " " {
					marked++
				}
			}
		}
		return
	}
	for _, sz := range sizes {
		d := drive.Start(t, res, view.Options{Colors: 256}, sz[0], sz[1])
		d.Press("i")
		sum, marked, title := read(d, sz)
		if title == "" {
			t.Fatalf("%dx%d: no histogram title:\n%s", sz[0], sz[1], d.Text())
		}
		if sum != res.Timeline.Len() || marked != 1 {
			t.Errorf("%dx%d: the histogram counts %d events with %d marked rows, want all %d and one", sz[0], sz[1], sum, marked, res.Timeline.Len())
		}
		d.Press("z")
		_, _, zoomed := read(d, sz)
		if zoomed == title {
			t.Errorf("%dx%d: z did not change the step: %q", sz[0], sz[1], zoomed)
		}
		d.Press("Z")
		if _, _, back := read(d, sz); back != title {
			t.Errorf("%dx%d: z then Z gives %q, want %q", sz[0], sz[1], back, title)
		}
		d.Press("i")
		if _, _, closed := read(d, sz); closed != "" {
			t.Errorf("%dx%d: i did not close the histogram", sz[0], sz[1])
		}
		d.Press("Ctrl-C")
	}
}
