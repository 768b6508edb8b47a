package neigh

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/arpforensics/arpforensics/internal/golden"
	"github.com/arpforensics/arpforensics/parse"
	"github.com/arpforensics/arpforensics/timeline"
)

// modTime stands in for the file's modification time in tests.
var modTime = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func parseString(t testing.TB, s string, opts parse.Options) (*timeline.Source, []timeline.Event) {
	t.Helper()
	src := &timeline.Source{Path: "test", Host: "h"}
	evs, err := parse.Collect(Parse, strings.NewReader(s), src, opts)
	if err != nil {
		src.Problemf(timeline.Pos{}, "Parse error: %v", err)
	}
	return src, evs
}

// render lists what a parse produced, one event or problem a line.
func render(src *timeline.Source, evs []timeline.Event) string {
	var b strings.Builder
	fmt.Fprintf(&b, "records=%d events=%d skipped=%d basis=%d\n", src.Records, src.Events, src.Skipped, src.Basis)
	for _, p := range src.Problems {
		fmt.Fprintf(&b, "%s %s: %s\n", p.Level, p.Pos, p.Message)
	}
	for i := range evs {
		e := &evs[i]
		fmt.Fprintf(&b, "%s", e.Time.UTC().Format("2006-01-02T15:04:05.000000"))
		if !e.End.IsZero() {
			fmt.Fprintf(&b, "..%s", e.End.UTC().Format("15:04:05"))
		}
		fmt.Fprintf(&b, " %s %s", e.Pos, e.Data.Summary())
		switch d := e.Data.(type) {
		case *timeline.Neigh:
			fmt.Fprintf(&b, " [%s", d.Form)
			if since := d.Since(e.Time); !since.IsZero() {
				fmt.Fprintf(&b, " since %s", since.UTC().Format("15:04:05"))
			}
			if d.HasStats {
				fmt.Fprintf(&b, " updated %d-%d probes<=%d", d.UpdatedMin, d.UpdatedMax, d.ProbesMax)
			}
			fmt.Fprintf(&b, " last %s]", d.Last)
		case *timeline.NeighReset:
			fmt.Fprintf(&b, " [last %s]", d.Last)
		}
		b.WriteString("\n")
	}
	return b.String()
}

func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata: %v", err)
	}
	for _, in := range files {
		t.Run(filepath.Base(in), func(t *testing.T) {
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			src, evs := parseString(t, string(data), parse.Options{ModTime: modTime})
			golden.Check(t, strings.TrimSuffix(in, ".txt")+".golden", render(src, evs))
		})
	}
}

// neighs picks the change events of one IP.
func neighs(evs []timeline.Event, ip string) []*timeline.Neigh {
	var out []*timeline.Neigh
	for i := range evs {
		if n, ok := evs[i].Data.(*timeline.Neigh); ok && n.IP.String() == ip {
			out = append(out, n)
		}
	}
	return out
}

func TestFoldsListingsIntoStateChanges(t *testing.T) {
	data, err := os.ReadFile("testdata/loop.txt")
	if err != nil {
		t.Fatal(err)
	}
	src, evs := parseString(t, string(data), parse.Options{})
	if src.Errors() != 0 {
		t.Fatalf("problems: %v", src.Problems)
	}
	fip := neighs(evs, "10.0.0.218")
	want := []struct {
		state    timeline.NUD
		listings int32
		since    string
	}{
		{timeline.NUDStale, 4, ""},
		{timeline.NUDDelay, 5, "17:09:13"},
		{timeline.NUDReachable, 7, "17:09:18"},
		{timeline.NUDStale, 6, "17:09:25"},
	}
	if len(fip) != len(want) {
		t.Fatalf("got %d events for the FIP, want %d", len(fip), len(want))
	}
	fipTimes := map[*timeline.Neigh]time.Time{}
	for i := range evs {
		if n, ok := evs[i].Data.(*timeline.Neigh); ok {
			fipTimes[n] = evs[i].Time
		}
	}
	for i, w := range want {
		n := fip[i]
		since := ""
		if s := n.Since(fipTimes[n]); !s.IsZero() {
			since = s.UTC().Format("15:04:05")
		}
		if n.State != w.state || n.Listings != w.listings || since != w.since || n.LLAddr.String() != "fa:16:3e:11:11:11" {
			t.Errorf("event %d: %s ×%d since %q, want %s ×%d since %q", i, n.State, n.Listings, since, w.state, w.listings, w.since)
		}
	}
	// One event for 22 unchanged listings of the gateway.
	if gw := neighs(evs, "10.0.0.1"); len(gw) != 1 || gw[0].Listings != 22 || gw[0].UpdatedMin != 30 || gw[0].UpdatedMax != 51 {
		t.Errorf("gateway: %+v", gw)
	}
	// The FAILED entry disappears between 17:09:15 and 17:09:16.
	gone := neighs(evs, "10.0.0.99")
	if len(gone) != 2 || gone[1].Op != timeline.NeighGone || gone[1].Since(fipTimes[gone[1]]).UTC().Format("15:04:05") != "17:09:15" {
		t.Errorf("10.0.0.99: %+v", gone)
	}
	// The REACHABLE stretch kept `updated` pinned at ≤ 1 s: a reset run.
	var resets []*timeline.NeighReset
	for i := range evs {
		if r, ok := evs[i].Data.(*timeline.NeighReset); ok {
			resets = append(resets, r)
			if got := evs[i].Time.UTC().Format("15:04:05") + ".." + evs[i].End.UTC().Format("15:04:05"); got != "17:09:21..17:09:23" {
				t.Errorf("reset run spans %s", got)
			}
		}
	}
	if len(resets) != 1 || resets[0].Resets != 2 || resets[0].MaxUpdated != 1 || resets[0].State != timeline.NUDReachable {
		t.Errorf("resets: %+v", resets)
	}
}

// A healthy kernel's ages grow by one a second: no reset is reported, even
// with the one-second wobble between `date` and the listing.
func TestNoResetWhenAgesGrow(t *testing.T) {
	var b strings.Builder
	t0 := time.Date(2018, 9, 18, 17, 0, 0, 0, time.UTC)
	wobble := []int{0, 1, 1, 0, 1, 0, 0, 1, 1, 1, 0, 0}
	for s := 0; s < 60; s++ {
		fmt.Fprintf(&b, "%s\n", t0.Add(time.Duration(s)*time.Second).Format("Mon Jan _2 15:04:05 MST 2006"))
		fmt.Fprintf(&b, "10.0.0.9 dev eth0 lladdr 02:00:00:00:00:09 used 0/%d/%d probes 0 REACHABLE\n", s+wobble[s%len(wobble)], s+wobble[s%len(wobble)])
	}
	_, evs := parseString(t, b.String(), parse.Options{})
	for i := range evs {
		if _, ok := evs[i].Data.(*timeline.NeighReset); ok {
			t.Fatalf("reset reported on growing ages: %s", evs[i].Data.Summary())
		}
	}
	if len(evs) != 1 {
		t.Fatalf("got %d events, want 1", len(evs))
	}
}

func TestCRLFReadsLikeLF(t *testing.T) {
	for _, name := range []string{"loop.txt", "monitor-ts.txt", "json-loop.txt", "zones.txt"} {
		data, err := os.ReadFile("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		lf, lfEvs := parseString(t, string(data), parse.Options{})
		crlf, crlfEvs := parseString(t, strings.ReplaceAll(string(data), "\n", "\r\n"), parse.Options{})
		strip := func(src *timeline.Source, evs []timeline.Event) string {
			for i := range evs {
				evs[i].Pos.Offset = 0
				switch d := evs[i].Data.(type) {
				case *timeline.Neigh:
					d.Last.Offset = 0
				case *timeline.NeighReset:
					d.Last.Offset = 0
				}
			}
			for i := range src.Problems {
				src.Problems[i].Pos.Offset = 0
			}
			return render(src, evs)
		}
		if a, b := strip(lf, lfEvs), strip(crlf, crlfEvs); a != b {
			t.Errorf("%s: CRLF differs from LF:\n%s", name, golden.Diff(a, b))
		}
	}
}

func TestZoneAbbreviationReadInTZ(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no zoneinfo:", err)
	}
	in := "Tue Sep 18 13:09:17 EDT 2018\n10.0.0.1 dev eth0 lladdr 02:00:00:00:00:01 STALE\n"
	src, evs := parseString(t, in, parse.Options{Location: ny})
	if len(evs) != 1 || !evs[0].Time.Equal(time.Date(2018, 9, 18, 17, 9, 17, 0, time.UTC)) {
		t.Fatalf("EDT in America/New_York: got %v", evs)
	}
	if len(src.Problems) != 1 || src.Problems[0].Level != timeline.LevelNote || !strings.Contains(src.Problems[0].Message, "America/New_York") {
		t.Errorf("want one note naming the zone used, got %v", src.Problems)
	}
	// Exact zones ignore --tz and need no note.
	src, evs = parseString(t, "Tue Sep 18 17:09:17 UTC 2018\n10.0.0.1 dev eth0 lladdr 02:00:00:00:00:01 STALE\n", parse.Options{Location: ny})
	if len(src.Problems) != 0 || !evs[0].Time.Equal(time.Date(2018, 9, 18, 17, 9, 17, 0, time.UTC)) {
		t.Errorf("UTC line: %v %v", evs[0].Time, src.Problems)
	}
	// ip -ts times are local: read in --tz.
	_, evs = parseString(t, "[2018-09-18T13:09:17.000001] 10.0.0.1 dev eth0 lladdr 02:00:00:00:00:01 STALE\n", parse.Options{Location: ny})
	if !evs[0].Time.Equal(time.Date(2018, 9, 18, 17, 9, 17, 1000, time.UTC)) {
		t.Errorf("ip -ts in New York: %v", evs[0].Time)
	}
}

func TestNoTimeAtAllUsesModTime(t *testing.T) {
	src, evs := parseString(t, "10.0.0.1 dev eth0 lladdr 02:00:00:00:00:01 STALE\n10.0.0.2 dev eth0  FAILED\n", parse.Options{ModTime: modTime})
	if len(evs) != 2 || !evs[0].Time.Equal(modTime) {
		t.Fatalf("events: %v", evs)
	}
	if len(src.Problems) != 1 || !strings.Contains(src.Problems[0].Message, "modification time") {
		t.Errorf("want a note about the modification time, got %v", src.Problems)
	}
}

func TestProblemsAreBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("Tue Sep 18 17:09:17 UTC 2018\n")
	for i := 0; i < 5000; i++ {
		fmt.Fprintf(&b, "garbage line %d\n", i)
	}
	b.WriteString("10.0.0.1 dev eth0 lladdr 02:00:00:00:00:01 STALE\n")
	src, evs := parseString(t, b.String(), parse.Options{})
	if len(evs) != 1 {
		t.Errorf("the good line was lost: %d events", len(evs))
	}
	if n := len(src.Problems); n != parse.DefaultProblemCap+1 {
		t.Fatalf("%d problems listed, want %d + a summary", n, parse.DefaultProblemCap)
	}
	last := src.Problems[len(src.Problems)-1]
	if last.Message != "4900 more lines like the above (unreadable line), not listed after the first 100: line 102 to line 5001" || last.Pos.Line != 102 {
		t.Errorf("summary: %s", last)
	}
	if src.Problems[0].Pos.Line != 2 {
		t.Errorf("first problem at %s, want line 2", src.Problems[0].Pos)
	}
}

func TestGarbageIsAnError(t *testing.T) {
	src := &timeline.Source{}
	_, err := parse.Collect(Parse, strings.NewReader("hello\nworld\n"), src, parse.Options{})
	if err == nil {
		t.Fatal("no error for a file with no neighbour data")
	}
	if len(src.Problems) != 2 || src.Problems[1].Pos.Line != 2 {
		t.Errorf("problems: %v", src.Problems)
	}
}

// The fast path (repeated lines folded without tokenising) must produce
// exactly what parsing every line produces.
func TestFastPathChangesNothing(t *testing.T) {
	inputs := map[string]string{
		"plain": string(benchDump(300, false)),
		"stats": string(benchDump(300, true)),
	}
	files, _ := filepath.Glob("testdata/*.txt")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		inputs[f] = string(data)
	}
	data, err := os.ReadFile(corpusPath)
	if err != nil {
		t.Fatal(err)
	}
	inputs["corpus"] = string(data)
	for name, in := range inputs {
		fastSrc, fastEvs := parseString(t, in, parse.Options{ModTime: modTime})
		noFastPath = true
		slowSrc, slowEvs := parseString(t, in, parse.Options{ModTime: modTime})
		noFastPath = false
		if a, b := render(fastSrc, fastEvs), render(slowSrc, slowEvs); a != b {
			t.Errorf("%s: fast path differs:\n%s", name, golden.Diff(b, a))
		}
	}
}

// Forms the corpus does not hold but that appear in CI logs.
func TestOtherForms(t *testing.T) {
	cases := map[string]string{
		"gateway.example (10.0.0.1) at 52:54:00:12:35:02 [ether] on eth0": "entry arp-table ip=10.0.0.1 dev=eth0 lladdr=52:54:00:12:35:02 state=NONE atf=0x2",
		"2018-09-18T17:09:17+00:00":                                       "date 2018-09-18T17:09:17Z zone=+00:00 exact",
		"2018-09-18 17:09:17.123456789+02:00":                             "date 2018-09-18T15:09:17.123456789Z zone=+02:00 exact",
		"2018-09-18 17:09:17":                                             "date 2018-09-18T17:09:17Z",
		"Tue Sep 18 17:09:17 +03 2018":                                    "date 2018-09-18T14:09:17Z zone=+03 exact",
		"Tue Sep 18 17:09:17 2018":                                        "date 2018-09-18T17:09:17Z",
		"Tue 18 Sep 2018 12:09:17 AM GMT":                                 "date 2018-09-18T00:09:17Z zone=GMT exact",
		"10.0.0.9 dev ib0 lladdr 80:00:00:48:fe:80:00:00:00:00:00:00:00:02:c9:03:00:0e:b9:41 REACHABLE": "entry ip=10.0.0.9 dev=ib0 lltext=80:00:00:48:fe:80:00:00:00:00:00:00:00:02:c9:03:00:0e:b9:41 state=REACHABLE",
		"10.0.0.9 dev eth0 lladdr 02:00:00:00:00:09 extern_learn offload STALE":                         "entry ip=10.0.0.9 dev=eth0 lladdr=02:00:00:00:00:09 state=STALE flags=extern_learn+offload",
		"[2026-11-21T09:01:49.408761] [nsid current]Deleted 10.0.0.50 dev eth0 FAILED":                  "entry monitor ts=2026-11-21T09:01:49.408761Z op=deleted ip=10.0.0.50 dev=eth0 state=FAILED",
		"[LINK]2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500":                                     "other",
		"$ ip neigh":        "comment",
		"+ ip -s neigh":     "comment",
		"Nothing to flush.": "flush-done",
		"10.0.0.0/24 dev eth0 proto kernel scope link": `error: "10.0.0.0/24" is not an IP address`,
		"Tue Sep 18 17:09:17 UTC 1969":                 `error: unreadable date line "Tue Sep 18 17:09:17 UTC 1969": year 1969`,
		"Tue 18 Sep 2018 13:09:17 PM UTC":              `error: unreadable date line "Tue 18 Sep 2018 13:09:17 PM UTC": hour 13 with PM`,
	}
	lp := newLineParser(time.UTC)
	for in, want := range cases {
		var rec record
		got := ""
		if err := lp.parseLine([]byte(in), &rec); err != nil {
			got = "error: " + err.Error()
		} else {
			got = describeRecord(&rec)
		}
		if got != want {
			t.Errorf("%q\n got: %s\nwant: %s", in, got, want)
		}
	}
}

// A monitor log naming more entries than the folder tracks forgets those
// used the longest ago, says so, and keeps the state of the recent ones:
// memory stays bounded over a scan.
func TestMonitorForgetsEntriesBeyondTheBound(t *testing.T) {
	defer func(n int) { maxTracks = n }(maxTracks)
	maxTracks = 1000
	var b strings.Builder
	line := func(sec int, ip netip.Addr, state string) {
		fmt.Fprintf(&b, "[2026-11-21T09:%02d:%02d.000000] %s dev eth0 lladdr 02:00:00:00:00:01 %s\n", sec/60%60, sec%60, ip, state)
	}
	first := netip.MustParseAddr("10.0.0.1")
	ip := first
	n := maxTracks + maxTracks/2
	for i := range n {
		line(i/100, ip, "REACHABLE")
		ip = ip.Next()
	}
	last := ip.Prev()
	line(n/100, first, "STALE") // forgotten: no previous state
	line(n/100, last, "STALE")  // recent: REACHABLE before
	src, evs := parseString(t, b.String(), parse.Options{Location: time.UTC})
	if len(evs) != n+2 {
		t.Fatalf("%d events, want %d", len(evs), n+2)
	}
	noted := false
	for _, p := range src.Problems {
		noted = noted || strings.Contains(p.Message, "used the longest ago were forgotten")
	}
	if !noted {
		t.Errorf("no note on the forgotten entries: %v", src.Problems)
	}
	prev := map[netip.Addr]bool{}
	for _, e := range evs[n:] {
		nb := e.Data.(*timeline.Neigh)
		prev[nb.IP] = nb.PrevKnown
	}
	if prev[first] || !prev[last] {
		t.Errorf("previous state known: first entry %v (want false), last %v (want true)", prev[first], prev[last])
	}
}

// Listings keep the entries of the block being read and the one before,
// whatever the bound: the next block decides whether they are gone. A loop
// whose entries drift over far more addresses than the folder tracks reads
// exactly as without the bound.
func TestListingsKeepTheBlocksInPlayPastTheBound(t *testing.T) {
	var b strings.Builder
	for blk := range 12 {
		fmt.Fprintf(&b, "Sat Nov 21 09:00:%02d UTC 2026\n", blk)
		for i := blk * 3; i < blk*3+6; i++ {
			fmt.Fprintf(&b, "10.0.0.%d dev eth0 lladdr 02:00:00:00:00:%02x REACHABLE\n", i+1, i+1)
		}
	}
	events := func() []string {
		_, evs := parseString(t, b.String(), parse.Options{Location: time.UTC})
		var out []string
		for _, e := range evs {
			out = append(out, e.Time.Format(time.TimeOnly)+" "+e.Data.Summary())
		}
		return out
	}
	want := events()
	defer func(n int) { maxTracks = n }(maxTracks)
	maxTracks = 10
	if got := events(); !slices.Equal(got, want) {
		t.Errorf("with 10 tracks:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// Monitor lines read before the source has a time are held until it has
// one: each keeps its own payload (the folder reuses one for lines it hands
// over at once).
func TestHeldMonitorLinesKeepTheirOwnPayloads(t *testing.T) {
	in := "Deleted 10.0.0.1 dev eth0 lladdr 02:00:00:00:00:01 STALE\n" +
		"miss 10.0.0.2 dev eth0  INCOMPLETE\n" +
		"10.0.0.3 dev eth1 lladdr 02:00:00:00:00:03 REACHABLE\n" +
		"[2026-01-02T10:00:00.000001] 10.0.0.4 dev eth0 lladdr 02:00:00:00:00:04 STALE\n" +
		"[2026-01-02T10:00:01.000001] 10.0.0.5 dev eth0 lladdr 02:00:00:00:00:05 REACHABLE\n"
	_, evs := parseString(t, in, parse.Options{})
	var got []string
	for _, e := range evs {
		n, ok := e.Data.(*timeline.Neigh)
		if !ok {
			t.Fatalf("%T event", e.Data)
		}
		got = append(got, fmt.Sprintf("%s %s %s %s", n.IP, n.Dev, n.Op, n.State))
	}
	want := []string{"10.0.0.1 eth0 deleted STALE", "10.0.0.2 eth0 miss INCOMPLETE", "10.0.0.3 eth1 listed REACHABLE", "10.0.0.4 eth0 listed STALE", "10.0.0.5 eth0 listed REACHABLE"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
