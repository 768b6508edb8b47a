package view_test

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gdamore/tcell/v2"

	"github.com/arpforensics/arpforensics/analysis"
	"github.com/arpforensics/arpforensics/internal/synth"
	"github.com/arpforensics/arpforensics/timeline"
	"github.com/arpforensics/arpforensics/tui/internal/drive"
	"github.com/arpforensics/arpforensics/tui/internal/view"
)

func start(t *testing.T, w, h int) *drive.Driver {
	t.Helper()
	return startWith(t, synth.FIPReuse(), view.Options{Colors: 256}, w, h)
}

func startWith(t *testing.T, res *analysis.Result, opts view.Options, w, h int) *drive.Driver {
	t.Helper()
	return drive.Start(t, res, opts, w, h)
}

// selected returns the screen row drawn in the given cursor style (the
// selected row of a pane), starting the search at row from. Tables keep a
// cell's own attributes under the cursor, so the cursor is told by its
// background, or by reverse video in a theme without colours.
func selected(d *drive.Driver, st tcell.Style, from int) (string, int) {
	lines := d.Lines()
	_, want, wantAttr := st.Decompose()
	for y := from; y < len(lines); y++ {
		_, bg, attr := d.Cell(3, y).Style.Decompose()
		if want != tcell.ColorDefault && bg == want || want == tcell.ColorDefault && attr&wantAttr&tcell.AttrReverse != 0 {
			return lines[y], y
		}
	}
	return "", -1
}

// timelineCursor is the timeline's selected row (the timeline has focus).
func timelineCursor(t *testing.T, d *drive.Driver) string {
	t.Helper()
	_, top, ok := d.Find(" Timeline")
	if !ok {
		t.Fatalf("no timeline pane:\n%s", d.Text())
	}
	l, y := selected(d, d.App.Theme().Cursor, top+1)
	if y < 0 {
		t.Fatalf("no selected timeline row:\n%s", d.Text())
	}
	return l
}

func mustContain(t *testing.T, d *drive.Driver, wants ...string) {
	t.Helper()
	scr := d.Text()
	for _, w := range wants {
		if !strings.Contains(scr, w) {
			t.Errorf("screen lacks %q:\n%s", w, scr)
		}
	}
}

func mustNotContain(t *testing.T, d *drive.Driver, nots ...string) {
	t.Helper()
	scr := d.Text()
	for _, n := range nots {
		if strings.Contains(scr, n) {
			t.Errorf("screen has %q:\n%s", n, scr)
		}
	}
}

func TestFirstScreenAt80x24(t *testing.T) {
	d := start(t, 80, 24)
	lines := d.Lines()
	if len(lines) != 24 {
		t.Fatalf("%d lines", len(lines))
	}
	mustContain(t, d,
		"138 events · 3 sources · 2 hosts", "2024-09-18 17:08:37", // header: counts and span
		"findings: 1 high 1 medium 1 info",
		" Findings 1/3", "HIGH   17:09:17 stale-mac", "MEDIUM", "INFO",
		" Timeline", "1/138", "17:08:37.275597 tempest:cap", // timeline with time and source
		" Detail · finding stale-mac",                                          // detail of the selected finding
		"Enter evidence", "/ search", "f follow", "m mark", "? help", "q quit") // hints from the registry
	// The findings pane starts focused, its first row selected.
	if l, _ := selected(d, d.App.Theme().Cursor, 0); !strings.Contains(l, "HIGH") || !strings.Contains(l, "stale-mac") {
		t.Errorf("selected row %q, want the stale-mac finding", l)
	}
	// Severity colours: HIGH in the high style, INFO in the info style.
	x, y, _ := d.Find("HIGH   17:09:17")
	if got := d.Cell(x, y).Style; got == d.App.Theme().Base {
		t.Errorf("HIGH drawn in the base style")
	}
	// The density strip is the second-to-last row with a finding marker.
	if strip := lines[22]; !strings.ContainsRune(strip, '!') || !strings.ContainsAny(strip, "▁▂▃▄▅▆▇█") {
		t.Errorf("strip row %q: want bars and a finding marker", strip)
	}
}

func TestEnterLandsOnFirstEvidence(t *testing.T) {
	d := start(t, 80, 24)
	d.Press("Enter")
	row := timelineCursor(t, d)
	if !strings.HasPrefix(row, "* 17:09:17.275597") || !strings.Contains(row, "fa:16:3e:22:22:22 > ff:ff:ff:ff:ff:ff") {
		t.Errorf("cursor row %q, want the first GARP (evidence-marked)", row)
	}
	mustContain(t, d, "evidence 1/4 of stale-mac: tempest:capture.pcap frame 33", "Detail · arp · tempest:capture.pcap frame 33",
		"who-has 172.24.5.13 tell")
	d.Press("j", "k")
	mustContain(t, d, "e next evidence", "q back") // the hints, after the flash
	// e walks the evidence forward, E back.
	d.Press("e")
	if row := timelineCursor(t, d); !strings.Contains(row, "SYN (retransmission)") {
		t.Errorf("after e: cursor row %q, want the cited SYN", row)
	}
	mustContain(t, d, "evidence 2/4 of stale-mac")
	d.Press("e", "e")
	mustContain(t, d, "evidence 4/4 of stale-mac")
	d.Press("e")
	mustContain(t, d, "no further evidence after the cursor")
	d.Press("E", "E", "E")
	mustContain(t, d, "evidence 1/4 of stale-mac")
	d.Press("E")
	mustContain(t, d, "no evidence before the cursor")
	// q returns to the finding.
	d.Press("q")
	if d.Done() {
		t.Fatal("q quit instead of going back")
	}
	if l, _ := selected(d, d.App.Theme().Cursor, 0); !strings.Contains(l, "stale-mac") {
		t.Errorf("after q: selected %q, want the stale-mac finding", l)
	}
	mustContain(t, d, "Detail · finding stale-mac", "q quit")
}

func TestEnterOnFindingWithoutEvents(t *testing.T) {
	res := synth.FIPReuse()
	for i := range res.Findings[2].Evidence {
		res.Findings[2].Evidence[i].Event = -1
	}
	d := startWith(t, res, view.Options{Colors: 256}, 80, 24)
	d.Press("G", "Enter")
	mustContain(t, d, "this finding cites no single event")
}

func TestDetailOfAFrameHasFieldsAndHexDump(t *testing.T) {
	d := start(t, 100, 100)
	d.Press("Enter")
	mustContain(t, d,
		"arp.src.hw_mac",
		"fa:16:3e:22:22:22",
		"arp.class",
		"garp-request",
		"frame, 42 bytes captured:",
		"0000  ff ff ff ff ff ff fa 16  3e 22 22 22 08 06 00 01  |........>\"\"\"....|",
		"cited by: HIGH stale-mac MEDIUM garp-locktime INFO mac-change")
}

func TestDetailOfAFinding(t *testing.T) {
	d := start(t, 100, 100)
	mustContain(t, d,
		"ip=172.24.5.13 old_mac=fa:16:3e:11:11:11 new_mac=fa:16:3e:22:22:22",
		"Linux before 4.12 ignores GARPs inside locktime",
		"known issue: GARPs inside locktime ignored (fixed in Linux 4.12)",
		"evidence (5)",
		"artifacts/tempest/capture.pcap:frame 33 17:09:17.275597",
		"artifacts/tempest/capture.pcap:frames 36–75")
}

func TestMoveKeys(t *testing.T) {
	d := start(t, 80, 24)
	d.Press("Tab") // to the timeline
	mustContain(t, d, "1/138")
	d.Press("j", "j", "Down")
	mustContain(t, d, "4/138")
	d.Press("k", "Up")
	mustContain(t, d, "2/138")
	d.Press("G")
	mustContain(t, d, "138/138")
	if row := timelineCursor(t, d); !strings.Contains(row, "17:11:18.275597 controller:") {
		t.Errorf("last row %q", row)
	}
	d.Press("g")
	mustContain(t, d, "1/138")
	d.Press("PgDn")
	page := pageRows(t, d)
	mustContain(t, d, fmt.Sprintf("%d/138", 1+page))
	d.Press("PgUp")
	mustContain(t, d, "1/138")
	d.Press("End", "Home")
	mustContain(t, d, "1/138")
	// Tab cycles findings → timeline → detail → findings; S-Tab goes back.
	d.Press("Tab")
	if _, y, _ := d.Find(" Detail"); d.Cell(1, y).Style != d.App.Theme().TitleFocused {
		t.Errorf("detail bar not focused after Tab")
	}
	d.Press("Tab")
	if l, _ := selected(d, d.App.Theme().Cursor, 0); !strings.Contains(l, "HIGH") {
		t.Errorf("after Tab from detail: selected %q, want the findings pane\n%s", l, d.Text())
	}
	d.Press("Backtab")
	if _, y, _ := d.Find(" Detail"); d.Cell(1, y).Style != d.App.Theme().TitleFocused {
		t.Errorf("detail bar not focused after S-Tab")
	}
	// Moving the findings cursor changes the detail.
	d.Press("Tab", "j")
	mustContain(t, d, "Findings 2/3", "Detail · finding garp-locktime")
}

// pageRows is how many rows the timeline shows.
func pageRows(t *testing.T, d *drive.Driver) int {
	_, top, _ := d.Find(" Timeline")
	_, bottom, _ := d.Find(" Detail")
	return bottom - top - 2
}

func TestFollowAndUnfollow(t *testing.T) {
	d := start(t, 80, 24)
	d.Press("Enter", "f")
	mustContain(t, d, "follow ip 172.24.5.13", "107 shown", "following ip 172.24.5.13: 107 events")
	// Every shown row concerns the IP: no unrelated 10.0.0.x ARP.
	mustNotContain(t, d, "tell 10.0.0.218", "who-has 10.0.0.")
	if row := timelineCursor(t, d); !strings.Contains(row, "fa:16:3e:22:22:22 > ff:ff:ff:ff:ff:ff") {
		t.Errorf("cursor moved off the GARP when following: %q", row)
	}
	// F follows the event's next key: its MAC.
	d.Press("F")
	mustContain(t, d, "follow mac fa:16:3e:22:22:22")
	d.Press("f")
	mustContain(t, d, "stopped following mac fa:16:3e:22:22:22")
	mustNotContain(t, d, "shown)")
	if row := timelineCursor(t, d); !strings.Contains(row, "fa:16:3e:22:22:22 > ff:ff:ff:ff:ff:ff") {
		t.Errorf("cursor moved off the GARP when unfollowing: %q", row)
	}
}

func TestFollowFromFinding(t *testing.T) {
	d := start(t, 80, 24)
	d.Press("f") // findings pane: follows the subject's IP
	mustContain(t, d, "follow ip 172.24.5.13")
	if row := timelineCursor(t, d); !strings.Contains(row, "17:09:17.275597") {
		t.Errorf("cursor %q, want the finding's start", row)
	}
}

func TestSearch(t *testing.T) {
	d := start(t, 80, 24)
	d.Press("/")
	mustContain(t, d, "/regular expression")
	d.Type("SYN.*attempt 3")
	d.Press("Enter")
	row := timelineCursor(t, d)
	if !strings.Contains(row, "SYN (retransmission)") {
		t.Errorf("cursor %q after search", row)
	}
	mustContain(t, d, "/SYN.*attempt 3/: match at 17:09:22.275597", "search /SYN.*attempt 3/")
	d.Press("n")
	mustContain(t, d, "/SYN.*attempt 3/: match at 17:10:43.275597") // attempt 30
	d.Press("n")
	mustContain(t, d, "/SYN.*attempt 3/: match at 17:10:46.275597") // attempt 31
	d.Press("N", "N")
	mustContain(t, d, "match at 17:09:22.275597")
	d.Press("N")
	mustContain(t, d, "search wrapped")
	// Matching rows are highlighted, others not.
	d.Resize(140, 30)
	for y, l := range d.Lines() {
		x := strings.Index(l, "SYN (retransmission) 172.24.5.1:40022")
		if x < 0 || !strings.HasPrefix(l, "  17:") {
			continue // not an unselected timeline row
		}
		x = len([]rune(l[:x]))
		if _, bg, _ := d.Cell(x, y).Style.Decompose(); bg != tcell.ColorDefault {
			continue // the cursor row
		}
		match := regexp.MustCompile(`attempt 3\d?\b`).MatchString(l)
		if st := d.Cell(x, y).Style; (st == d.App.Theme().Match) != match {
			t.Errorf("row %q: style %v, match %v", l, st, match)
		}
	}
	// Esc clears the search.
	d.Press("Esc")
	mustContain(t, d, "search cleared")
	d.Press("n")
	mustContain(t, d, "no search yet")
	// A bad pattern says why.
	d.Press("/")
	d.Type("SYN(")
	d.Press("Enter")
	mustContain(t, d, "search: error parsing regexp")
	// No match.
	d.Press("/")
	d.Type("nothing-like-this")
	d.Press("Enter")
	mustContain(t, d, "no match for /nothing-like-this/")
	// Esc in the prompt cancels it.
	d.Press("/")
	d.Type("abc")
	d.Press("Esc")
	mustContain(t, d, "? help")
}

func TestMark(t *testing.T) {
	d := start(t, 80, 24)
	d.Press("Enter", "m")
	mustContain(t, d, "mark set at 17:09:17.275597", "mark 17:09:17.275597")
	row := timelineCursor(t, d)
	if !strings.Contains(row, "+0.000000") {
		t.Errorf("marked row %q: want Δ +0.000000", row)
	}
	d.Press("j", "j")
	if row := timelineCursor(t, d); !strings.Contains(row, "+0.500000") {
		t.Errorf("row two below %q: want Δ +0.500000", row)
	}
	d.Press("g")
	if row := timelineCursor(t, d); !strings.Contains(row, "-40.000000") {
		t.Errorf("first row %q: want Δ -40.000000", row)
	}
	mustContain(t, d, "Δ -40.000000 s to the mark")
	// The strip shows the mark.
	if strip := d.Lines()[22]; !strings.ContainsRune(strip, 'm') {
		t.Errorf("strip %q lacks the mark", strip)
	}
	// m on the marked event clears it; elsewhere moves it.
	d.Press("G", "m")
	mustContain(t, d, "mark set at 17:11:18.275597")
	d.Press("m")
	mustContain(t, d, "mark cleared")
	if row := timelineCursor(t, d); strings.Contains(row, "+0.000000") {
		t.Errorf("Δ column still shown: %q", row)
	}
}

func TestCommands(t *testing.T) {
	d := start(t, 80, 24)
	run := func(cmd string) {
		t.Helper()
		d.Press(":")
		d.Type(cmd)
		d.Press("Enter")
	}
	run("goto 17:09:17")
	if row := timelineCursor(t, d); !strings.Contains(row, "17:09:17.275597") {
		t.Errorf(":goto 17:09:17 → %q", row)
	}
	run("goto +1m")
	if row := timelineCursor(t, d); !strings.Contains(row, "17:10:17") && !strings.Contains(row, "17:10:19") {
		t.Errorf(":goto +1m → %q", row)
	}
	run("goto 2024-09-18 17:11:18")
	mustContain(t, d, "at 17:11:18.275597")
	run("goto 18:00")
	mustContain(t, d, "after the last event shown")
	run("goto yesterday")
	mustContain(t, d, ":goto: \"yesterday\": not a time")

	run("filter ip=10.0.0.218")
	mustContain(t, d, "filter ip=10.0.0.218", "(30 shown)")
	mustNotContain(t, d, "172.24.5.13 dev br-ex")
	run("filter kind=neigh")
	mustContain(t, d, "filter kind=neigh", "(60 shown)")
	run("filter ip=192.0.2.1")
	mustContain(t, d, "no event matches ip=192.0.2.1", "filter kind=neigh")
	run("filter bogus")
	mustContain(t, d, `want key=value`)
	run("filter")
	mustContain(t, d, "filter dropped")
	mustNotContain(t, d, "shown)")

	run("tz Europe/Prague")
	mustContain(t, d, "times shown in Europe/Prague", "19:08:37", "Europe/Prague")
	run("tz Mars/Olympus")
	mustContain(t, d, `unknown time zone "Mars/Olympus"`)
	run("tz")
	mustContain(t, d, "times shown in UTC")

	run("source -tempest.log")
	mustContain(t, d, "hidden tempest.log", "(136 shown)")
	run("source +tempest.log")
	mustNotContain(t, d, "hidden tempest.log")
	run("source capture.pcap")
	mustContain(t, d, "hidden neigh.log,tempest.log", "(76 shown)")
	run("source nope.log")
	mustContain(t, d, `no source is named "nope.log"`)
	run("source")
	mustNotContain(t, d, "hidden")

	run("filter kind=arp")
	d.Press("Enter", "f")
	run("clear")
	mustContain(t, d, "cleared: every event shown")
	mustNotContain(t, d, "follow ", "filter kind")

	run("frobnicate")
	mustContain(t, d, ":frobnicate: no such command")
	run("help")
	mustContain(t, d, "Help — keys and commands")
	d.Press("q")
	run("quit")
	if err := d.WaitDone(); err != nil {
		t.Fatal(err)
	}
}

func TestHelpIsWrittenFromTheRegistry(t *testing.T) {
	d := start(t, 120, 120)
	d.Press("?")
	scr := d.Text()
	for _, g := range d.App.Keymap().Help() {
		if !strings.Contains(scr, g.Name) {
			t.Errorf("help lacks group %q", g.Name)
		}
		for _, l := range g.Lines {
			if !regexp.MustCompile(regexp.QuoteMeta(l.Keys) + ` +` + regexp.QuoteMeta(l.Help[:min(len(l.Help), 40)])).MatchString(scr) {
				t.Errorf("help lacks %q  %q", l.Keys, l.Help)
			}
		}
	}
	for _, cmd := range []string{":goto TIME", ":filter [ip=A,B]", ":tz [ZONE]", ":source [-NAME|+NAME|NAME]", ":clear", ":quit"} {
		if !strings.Contains(scr, cmd) {
			t.Errorf("help lacks %s", cmd)
		}
	}
	// Help keys: scroll, and q closes without quitting.
	d.Press("j", "G", "g", "q")
	if d.Done() {
		t.Fatal("q in help quit the app")
	}
	mustNotContain(t, d, "Help — keys and commands")
	d.Press("?", "Esc")
	mustNotContain(t, d, "Help — keys and commands")
}

func TestUnknownKeySaysSo(t *testing.T) {
	d := start(t, 80, 24)
	d.Press("y") // z is the histogram's zoom now
	mustContain(t, d, "y: no such key (? shows them all)")
}

func TestQuitKeys(t *testing.T) {
	d := start(t, 80, 24)
	d.Press("q")
	if err := d.WaitDone(); err != nil {
		t.Fatal(err)
	}
	d = start(t, 80, 24)
	d.Press("Ctrl-C")
	if err := d.WaitDone(); err != nil {
		t.Fatal(err)
	}
	// Ctrl-C quits from inside a prompt too.
	d = start(t, 80, 24)
	d.Press(":")
	d.Press("Ctrl-C")
	if err := d.WaitDone(); err != nil {
		t.Fatal(err)
	}
}

func TestResize(t *testing.T) {
	d := start(t, 80, 24)
	d.Press("Enter")
	for _, sz := range [][2]int{{120, 40}, {200, 50}, {60, 15}, {40, 8}, {10, 3}, {1, 1}, {80, 24}} {
		d.Resize(sz[0], sz[1])
		lines := d.Lines()
		if len(lines) != sz[1] {
			t.Fatalf("%dx%d: %d lines", sz[0], sz[1], len(lines))
		}
		// Below 100 columns the header drops the program's name first.
		if sz[0] >= 100 && !strings.HasPrefix(lines[0], "arpforensics") || sz[0] >= 12 && sz[0] < 100 && !strings.HasPrefix(lines[0], "138 events") {
			t.Errorf("%dx%d: header %q", sz[0], sz[1], lines[0])
		}
		if sz[1] >= 15 {
			mustContain(t, d, "Timeline")
			if row := timelineCursor(t, d); !strings.Contains(row, "17:09:17.275597") {
				t.Errorf("%dx%d: cursor row %q", sz[0], sz[1], row)
			}
		}
	}
	// Wide terminals put the detail beside the timeline.
	d.Resize(200, 50)
	_, ty, _ := d.Find(" Timeline")
	dx, dy, _ := d.Find(" Detail")
	if dy != ty || dx < 100 {
		t.Errorf("at 200x50 the detail bar is at %d,%d, timeline bar at row %d", dx, dy, ty)
	}
}

func TestEmptyResult(t *testing.T) {
	res := &analysis.Result{Timeline: timeline.Build(nil, nil)}
	d := startWith(t, res, view.Options{Colors: 256}, 80, 24)
	mustContain(t, d, "0 events", "no findings", "no events")
	d.Press("j", "G", "g", "Enter", "e", "f", "m", "n", "Tab", "Tab", "PgDn")
	d.Press(":")
	d.Type("goto 17:00")
	d.Press("Enter")
	mustContain(t, d, "the timeline is empty")
	d.Press("/")
	d.Type("x")
	d.Press("Enter")
	d.Press("q")
	if err := d.WaitDone(); err != nil {
		t.Fatal(err)
	}
}

func TestSearchInBackgroundOnLargeTimelines(t *testing.T) {
	res := synth.Large(100_000)
	d := startWith(t, res, view.Options{Colors: 256}, 200, 40)
	d.Press("Tab", "/")
	d.Type("router-4095")
	d.Press("Enter")
	d.WaitFor("the background search's match", func(s string) bool { return strings.Contains(s, "/router-4095/: match at") })
	if row := timelineCursor(t, d); !strings.Contains(row, "router-4095") {
		t.Errorf("cursor %q", row)
	}
	// A key cancels a running search: search for nothing, then move.
	d.Press("/")
	d.Type("^no such line$")
	d.Press("Enter", "j")
	time.Sleep(300 * time.Millisecond)
	mustNotContain(t, d, "no match for /^no such line$/")
}

func TestSourcesAndProblems(t *testing.T) {
	res := synth.FIPReuse()
	neigh := res.Timeline.Sources[1]
	neigh.Problemf(timeline.Pos{Line: 7}, "cannot read the state %q", "BOGUS\x1b[2J")
	neigh.Notef(timeline.Pos{}, "timestamps carry no year: took 2024 from the file's modification time")
	res.Timeline.Sources = append(res.Timeline.Sources, &timeline.Source{Path: "artifacts/README.txt", Kind: "unknown", SkipReason: "text of no known artifact kind"})
	d := startWith(t, res, view.Options{Colors: 256}, 120, 100)
	mustContain(t, d, "1 problem (:sources)", "3 sources · 2 hosts (+1 skipped)")
	mustNotContain(t, d, "README.txt") // not in the legend
	d.Press("Tab", ":")
	d.Type("sources")
	d.Press("Enter")
	mustContain(t, d, "Detail · sources (q: back)",
		"artifacts/tempest/neigh.log",
		"neigh · host tempest · 1 records · 60 events · 0 irrelevant",
		`error line 7: cannot read the state "BOGUS\x1b[2J"`,
		"note  timestamps carry no year",
		"artifacts/README.txt", "skipped: text of no known artifact kind")
	d.Press("q")
	mustNotContain(t, d, "Detail · sources")
	mustContain(t, d, "Detail · arp · tempest:capture.pcap frame 1")
}

// A timeline over several days shows dates in the time column, and :tz
// moves them.
func TestMultiDayTimeline(t *testing.T) {
	res := synth.FIPReuse()
	tl := res.Timeline
	per := make([][]timeline.Event, len(tl.Sources))
	for i := range tl.Len() {
		e := tl.Event(i)
		per[e.Source] = append(per[e.Source], e)
	}
	late := synth.T0.Add(49 * time.Hour)
	per[2] = append(per[2], timeline.Event{Time: late, Pos: timeline.Pos{Line: 3}, Raw: "two days later",
		Data: &synth.Line{K: timeline.KindLog, Text: "two days later"}})
	res.Timeline = timeline.Build(tl.Sources, per) // the new event is last: evidence indexes hold
	d := startWith(t, res, view.Options{Colors: 256}, 100, 30)
	mustContain(t, d, "2024-09-18 17:08:37 – 2024-09-20 18:09:17 UTC", "09-18 17:08:37.275597")
	d.Press("Tab", "G")
	if row := timelineCursor(t, d); !strings.Contains(row, "09-20 18:09:17.275597") || !strings.Contains(row, "two days later") {
		t.Errorf("last row %q", row)
	}
	d.Press(":")
	d.Type("tz Asia/Tokyo")
	d.Press("Enter")
	if row := timelineCursor(t, d); !strings.Contains(row, "09-21 03:09:17.275597") {
		t.Errorf("last row in Tokyo %q", row)
	}
	mustContain(t, d, "Asia/Tokyo")
}

// brokenScreen is a terminal that cannot be set up.
type brokenScreen struct{ tcell.SimulationScreen }

func (brokenScreen) Init() error { return errors.New("open /dev/tty: no such device or address") }

func TestNoTerminalIsAnError(t *testing.T) {
	_, err := view.New(synth.FIPReuse(), view.Options{Screen: brokenScreen{tcell.NewSimulationScreen("")}})
	if err == nil || !strings.Contains(err.Error(), "tui needs a terminal: open /dev/tty") {
		t.Fatalf("New on a screen that cannot start: %v", err)
	}
	if _, err := view.New(nil, view.Options{Screen: tcell.NewSimulationScreen("")}); err == nil {
		t.Fatal("New without a result")
	}
}

// f on an OVSDB transaction line follows its entity.
func TestFollowEntity(t *testing.T) {
	d := startWith(t, synth.Large(2000), view.Options{Colors: 256}, 160, 40)
	d.Press("Tab", ":")
	d.Type("filter kind=txn")
	d.Press("Enter", "g")
	row := timelineCursor(t, d)
	m := regexp.MustCompile(`name=(router-\d{4})`).FindStringSubmatch(row)
	if m == nil {
		t.Fatalf("cursor row %q has no router", row)
	}
	d.Press(":")
	d.Type("filter")
	d.Press("Enter", "f")
	mustContain(t, d, "follow entity "+m[1])
	for _, l := range d.Lines() {
		if strings.Contains(l, "AddLRouterCommand") && !strings.Contains(l, m[1]) {
			t.Errorf("row %q does not concern %s", l, m[1])
		}
	}
}

// On a long timeline a filter is computed in the background: the key
// redraws at once, the rows arrive a moment later, a filter that matches
// nothing changes nothing, a second f stops the following a first f started
// before its rows arrived, and the last filter asked for is what shows.
func TestFilterInBackgroundOnLargeTimelines(t *testing.T) {
	defer view.SetSyncFilterEvents(0)()
	res := synth.Large(100_000)
	d := startWith(t, res, view.Options{Colors: 256}, 200, 40)
	d.Press("Tab", ":")
	d.Type("filter kind=arp")
	d.Press("Enter")
	d.WaitFor("the background filter's rows", func(s string) bool { return strings.Contains(s, "filter kind=arp: ") })
	if row := timelineCursor(t, d); !strings.Contains(row, "arp") {
		t.Errorf("after :filter kind=arp the cursor row is %q", row)
	}
	d.Press(":")
	d.Type("hide .")
	d.Press("Enter")
	d.WaitFor("the refusal to hide everything", func(s string) bool { return strings.Contains(s, "matches every event shown; nothing hidden") })
	if row := timelineCursor(t, d); !strings.Contains(row, "arp") {
		t.Errorf("a refused filter changed the rows: cursor %q", row)
	}
	// f then f at once: the second stops what the first started.
	d.Press("f", "f")
	d.WaitFor("following stopped", func(s string) bool { return strings.Contains(s, "stopped following") })
	time.Sleep(300 * time.Millisecond) // the first f's rows, had they been applied late
	mustNotContain(t, d, "· follow ")
	// Two filters in a row: the second is what shows.
	d.Press(":")
	d.Type("filter kind=txn")
	d.Press("Enter", ":")
	d.Type("filter")
	d.Press("Enter")
	d.WaitFor("the last filter", func(s string) bool { return strings.Contains(s, "filter dropped") })
	time.Sleep(300 * time.Millisecond)
	mustNotContain(t, d, "filter kind=txn")
}
