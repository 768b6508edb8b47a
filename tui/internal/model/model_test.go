package model

import (
	"errors"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/arpforensics/arpforensics/detect"
	"github.com/arpforensics/arpforensics/internal/synth"
	"github.com/arpforensics/arpforensics/timeline"
)

func TestRows(t *testing.T) {
	all := AllRows(5)
	idx := IndexRows([]int32{2, 4, 7, 9})
	for _, tc := range []struct {
		name        string
		r           Rows
		ev          int
		row         int
		exact       bool
		nearest     int
		eventAtRow0 int
	}{
		{"all, inside", all, 3, 3, true, 3, 0},
		{"all, before", all, -1, 0, false, 0, 0},
		{"all, after", all, 8, 5, false, 4, 0},
		{"index, hit", idx, 7, 2, true, 2, 2},
		{"index, between", idx, 5, 2, false, 2, 2},
		{"index, before", idx, 0, 0, false, 0, 2},
		{"index, after", idx, 10, 4, false, 3, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			row, exact := tc.r.Find(tc.ev)
			if row != tc.row || exact != tc.exact {
				t.Errorf("Find(%d) = %d, %v; want %d, %v", tc.ev, row, exact, tc.row, tc.exact)
			}
			if n := tc.r.Nearest(tc.ev); n != tc.nearest {
				t.Errorf("Nearest(%d) = %d, want %d", tc.ev, n, tc.nearest)
			}
			if e := tc.r.Event(0); e != tc.eventAtRow0 {
				t.Errorf("Event(0) = %d", e)
			}
		})
	}
	if IndexRows(nil).Nearest(3) != -1 {
		t.Error("Nearest on no rows should be -1")
	}
}

func eventsOf(tl *timeline.Timeline, r Rows) []*timeline.Event {
	var out []*timeline.Event
	for i := 0; i < r.Len(); i++ {
		e := tl.Event(r.Event(i))
		out = append(out, &e)
	}
	return out
}

func concerns(e *timeline.Event, k Key) bool { return slices.Contains(KeysOf(e), k) }

func TestFilterApply(t *testing.T) {
	res := synth.FIPReuse()
	tl := res.Timeline
	fip := IPKey(synth.FIP)
	other := IPKey(synth.OtherIP)
	newMAC := MACKey(synth.NewMAC)
	capture, neigh := int32(0), int32(1)
	for _, tc := range []struct {
		name string
		f    Filter
		want func(e *timeline.Event) bool
	}{
		{"empty", Filter{}, func(*timeline.Event) bool { return true }},
		{"follow ip", Filter{Follow: fip}, func(e *timeline.Event) bool { return concerns(e, fip) }},
		{"ip alternatives", Filter{Keys: []Key{fip, other}}, func(e *timeline.Event) bool { return concerns(e, fip) || concerns(e, other) }},
		{"follow and mac", Filter{Follow: fip, Keys: []Key{newMAC}}, func(e *timeline.Event) bool { return concerns(e, fip) && concerns(e, newMAC) }},
		{"kind", Filter{Kinds: []timeline.Kind{timeline.KindNeigh, timeline.KindTCP}}, func(e *timeline.Event) bool {
			return e.Kind() == timeline.KindNeigh || e.Kind() == timeline.KindTCP
		}},
		{"host", Filter{Hosts: []string{"controller"}}, func(e *timeline.Event) bool { return tl.Sources[e.Source].Host == "controller" }},
		{"hidden", Filter{Hidden: []int32{capture, neigh}}, func(e *timeline.Event) bool { return e.Source == 2 }},
		{"follow and hidden", Filter{Follow: fip, Hidden: []int32{neigh}}, func(e *timeline.Event) bool { return concerns(e, fip) && e.Source != neigh }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.f.Apply(tl)
			var want []int32
			for i := range tl.Len() {
				if e := tl.Event(i); tc.want(&e) {
					want = append(want, int32(i))
				}
			}
			var got []int32
			for i := 0; i < r.Len(); i++ {
				got = append(got, int32(r.Event(i)))
			}
			if !slices.Equal(got, want) {
				t.Errorf("rows %v\nwant %v", got, want)
			}
			if len(want) == 0 {
				t.Errorf("test case selects nothing")
			}
		})
	}
}

// Following a key must not copy its index: the rows are the timeline's own
// slice, and filtering must never write into it.
func TestFilterSharesIndexesWithoutWriting(t *testing.T) {
	tl := synth.FIPReuse().Timeline
	idx := tl.ByIP(synth.FIP)
	before := slices.Clone(idx)
	f := Filter{Follow: IPKey(synth.FIP)}
	r := f.Apply(tl)
	if r.Len() != len(idx) || &r.idx[0] != &idx[0] {
		t.Errorf("follow copied the index")
	}
	f.Keys = []Key{MACKey(synth.OldMAC)}
	f.Hidden = []int32{1}
	f.Apply(tl)
	if !slices.Equal(idx, before) {
		t.Errorf("filtering wrote into the timeline's index")
	}
}

func TestParseFilter(t *testing.T) {
	f, err := ParseFilter("ip=10.0.0.218,10.0.0.2 mac=FA:16:3E:11:11:11 kind=arp,txn-status host=compute-1 entity=router-1")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := f.Terms(), "ip=10.0.0.218,10.0.0.2 mac=fa:16:3e:11:11:11 entity=router-1 kind=arp,txn-status host=compute-1"; got != want {
		t.Errorf("Terms() = %q, want %q", got, want)
	}
	for _, tc := range []struct{ in, err string }{
		{"ip=10.0.0.999", "ip=10.0.0.999: not an IP address"},
		{"mac=zz", "mac=zz: not a MAC address"},
		{"kind=packet", "kind=packet: unknown kind (want arp, usage, tcp"},
		{"port=22", `unknown filter key "port"`},
		{"ip", "want key=value"},
		{"ip=", "want key=value"},
	} {
		if _, err := ParseFilter(tc.in); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("ParseFilter(%q) error %v, want %q", tc.in, err, tc.err)
		}
	}
	if f, err := ParseFilter(""); err != nil || !f.Empty() {
		t.Errorf("empty filter: %v %v", f, err)
	}
	// IPv4-mapped IPv6 addresses are the IPv4 address.
	f, _ = ParseFilter("ip=::ffff:10.0.0.218")
	if f.Keys[0].IP != netip.MustParseAddr("10.0.0.218") {
		t.Errorf("mapped address kept as %v", f.Keys[0].IP)
	}
}

func TestApplySource(t *testing.T) {
	tl := synth.FIPReuse().Timeline // capture.pcap, neigh.log, tempest.log
	var f Filter
	steps := []struct {
		arg    string
		hidden []int32
		err    string
	}{
		{"-tempest.log", []int32{2}, ""},
		{"-artifacts/tempest/neigh.log", []int32{1, 2}, ""},
		{"+tempest.log", []int32{1}, ""},
		{"capture.pcap", []int32{1, 2}, ""},
		{"tempest/capture.pcap", []int32{1, 2}, ""},
		{"-nope", []int32{1, 2}, `no source is named "nope"`},
		{"pcap", []int32{1, 2}, `no source is named "pcap"`}, // not a suffix at a "/"
		{"", nil, ""},
	}
	for _, s := range steps {
		err := f.ApplySource(tl, s.arg)
		if s.err != "" {
			if err == nil || !strings.Contains(err.Error(), s.err) {
				t.Errorf(":source %s: error %v, want %q", s.arg, err, s.err)
			}
		} else if err != nil {
			t.Errorf(":source %s: %v", s.arg, err)
		}
		if !slices.Equal(f.Hidden, s.hidden) {
			t.Errorf(":source %s: hidden %v, want %v", s.arg, f.Hidden, s.hidden)
		}
	}
}

func TestTimelineCursorSurvivesFilters(t *testing.T) {
	res := synth.FIPReuse()
	m := NewTimeline(res.Timeline, nil)
	garp := res.Findings[0].Evidence[0].Event
	if !m.ShowEvent(garp) {
		t.Fatal("GARP not shown")
	}
	if err := m.SetFilter(Filter{Follow: IPKey(synth.FIP)}); err != nil {
		t.Fatal(err)
	}
	if m.CursorEvent() != garp {
		t.Errorf("cursor on %d after follow, want %d", m.CursorEvent(), garp)
	}
	// A filter that hides the cursor's event moves it to the next shown one.
	if err := m.SetFilter(Filter{Kinds: []timeline.Kind{timeline.KindTCP}}); err != nil {
		t.Fatal(err)
	}
	if e := m.Event(m.Cursor); e.Kind() != timeline.KindTCP || e.Time.Before(res.Timeline.Time(garp)) {
		t.Errorf("cursor on %v at %v", e.Kind(), e.Time)
	}
	// A filter that hides everything is refused and changes nothing.
	before := m.Rows.Len()
	err := m.SetFilter(Filter{Keys: []Key{IPKey(netip.MustParseAddr("192.0.2.1"))}})
	if !errors.Is(err, ErrNoMatch) || m.Rows.Len() != before {
		t.Errorf("empty filter: %v, %d rows", err, m.Rows.Len())
	}
}

func TestTimelineTimeAndMark(t *testing.T) {
	res := synth.FIPReuse()
	m := NewTimeline(res.Timeline, nil)
	row := m.RowAtTime(synth.T0)
	if got := m.Event(row).Time; !got.Equal(synth.T0) {
		t.Errorf("RowAtTime(T0) at %v", got)
	}
	if row > 0 && !m.Event(row-1).Time.Before(synth.T0) {
		t.Errorf("RowAtTime is not the first row at T0")
	}
	if got := m.RowAtTime(synth.T0.Add(time.Hour)); got != m.Rows.Len()-1 {
		t.Errorf("after the end: row %d", got)
	}
	if got := m.RowAtTime(time.Time{}); got != 0 {
		t.Errorf("before the start: row %d", got)
	}
	m.MoveTo(row)
	if !m.ToggleMark() || m.Mark != m.CursorEvent() {
		t.Fatal("mark not set")
	}
	m.Move(5)
	d, ok := m.SinceMark(m.CursorEvent())
	if !ok || d != m.Event(m.Cursor).Time.Sub(synth.T0) {
		t.Errorf("SinceMark = %v, %v", d, ok)
	}
	m.Move(-5)
	if m.ToggleMark() || m.Mark != -1 {
		t.Errorf("second m on the marked event did not clear it")
	}
	m.Move(-1000)
	if m.Cursor != 0 {
		t.Errorf("Move clamps: %d", m.Cursor)
	}
	m.Move(1 << 20)
	if m.Cursor != m.Rows.Len()-1 {
		t.Errorf("Move clamps: %d", m.Cursor)
	}
}

func TestParseGoto(t *testing.T) {
	prague, err := time.LoadLocation("Europe/Prague")
	if err != nil {
		t.Skip("no zoneinfo:", err)
	}
	ref := time.Date(2024, 9, 18, 15, 30, 0, 0, time.UTC)
	for _, tc := range []struct {
		in   string
		loc  *time.Location
		want time.Time
		err  string
	}{
		{"17:09:17", time.UTC, time.Date(2024, 9, 18, 17, 9, 17, 0, time.UTC), ""},
		{"17:09", time.UTC, time.Date(2024, 9, 18, 17, 9, 0, 0, time.UTC), ""},
		{"17:09:17.2755", time.UTC, time.Date(2024, 9, 18, 17, 9, 17, 275500000, time.UTC), ""},
		{"17:09:17", prague, time.Date(2024, 9, 18, 15, 9, 17, 0, time.UTC), ""}, // CEST is UTC+2
		{"2024-09-19 01:02:03", time.UTC, time.Date(2024, 9, 19, 1, 2, 3, 0, time.UTC), ""},
		{"2024-09-19T01:02:03.5", prague, time.Date(2024, 9, 18, 23, 2, 3, 500000000, time.UTC), ""},
		{"2024-09-18T17:09:17Z", prague, time.Date(2024, 9, 18, 17, 9, 17, 0, time.UTC), ""},
		{"2024-09-18T17:09:17+02:00", time.UTC, time.Date(2024, 9, 18, 15, 9, 17, 0, time.UTC), ""},
		{"2024-09-18", time.UTC, time.Date(2024, 9, 18, 0, 0, 0, 0, time.UTC), ""},
		{"+30s", time.UTC, ref.Add(30 * time.Second), ""},
		{"-1h2m", time.UTC, ref.Add(-62 * time.Minute), ""},
		{"", time.UTC, time.Time{}, "goto where?"},
		{"+soon", time.UTC, time.Time{}, "not a duration"},
		{"25:00", time.UTC, time.Time{}, "not a time"},
		{"noon", time.UTC, time.Time{}, "not a time"},
	} {
		got, err := ParseGoto(tc.in, tc.loc, ref)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseGoto(%q) error %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("ParseGoto(%q, %v) = %v, %v; want %v", tc.in, tc.loc, got, err, tc.want)
		}
	}
}

func TestScan(t *testing.T) {
	tl := synth.FIPReuse().Timeline
	rows := AllRows(tl.Len())
	re := regexp.MustCompile(`attempt (2|41)\b`) // the first and the last SYN
	first, wrapped, ok := Scan(tl, rows, re, -1, 1, nil)
	if !ok || wrapped || !strings.Contains(tl.Payload(first).Summary(), "attempt 2 ") {
		t.Fatalf("first match %d %v %v", first, wrapped, ok)
	}
	last, wrapped, ok := Scan(tl, rows, re, first, 1, nil)
	if !ok || wrapped || !strings.Contains(tl.Payload(last).Summary(), "attempt 41") {
		t.Fatalf("second match %d %v %v", last, wrapped, ok)
	}
	again, wrapped, ok := Scan(tl, rows, re, last, 1, nil)
	if !ok || !wrapped || again != first {
		t.Errorf("forward from the last: %d %v %v, want %d wrapped", again, wrapped, ok, first)
	}
	back, wrapped, ok := Scan(tl, rows, re, first, -1, nil)
	if !ok || !wrapped || back != last {
		t.Errorf("backward from the first: %d %v %v, want %d wrapped", back, wrapped, ok, last)
	}
	// Raw lines are searched too.
	raw := regexp.MustCompile(`test_server_connectivity`)
	if _, _, ok := Scan(tl, rows, raw, 0, 1, nil); !ok {
		t.Error("raw line not searched")
	}
	if _, _, ok := Scan(tl, rows, regexp.MustCompile(`^nothing$`), 0, 1, nil); ok {
		t.Error("matched nothing")
	}
	// stop ends the scan.
	big := synth.Large(20_000).Timeline
	calls := 0
	_, _, ok = Scan(big, AllRows(big.Len()), regexp.MustCompile(`^nothing$`), 0, 1, func() bool { calls++; return true })
	if ok || calls != 1 {
		t.Errorf("stop: ok %v after %d calls", ok, calls)
	}
}

func TestDensity(t *testing.T) {
	tl := synth.FIPReuse().Timeline
	first, last := tl.Span()
	rows := AllRows(tl.Len())
	for _, n := range []int{1, 7, 80, 1000} {
		counts := Density(tl, rows, first, last, n)
		sum := 0
		for _, c := range counts {
			sum += c
		}
		if len(counts) != n || sum != rows.Len() {
			t.Errorf("n=%d: %d buckets summing to %d, want %d", n, len(counts), sum, rows.Len())
		}
	}
	// Each event lands in the bucket Bucket names.
	n := 50
	counts := Density(tl, rows, first, last, n)
	want := make([]int, n)
	for i := range tl.Len() {
		want[Bucket(tl.Time(i), first, last, n)]++
	}
	for i := range want {
		// Boundaries are computed in float; allow an event to sit on either side.
		if d := counts[i] - want[i]; d > 1 || d < -1 {
			t.Errorf("bucket %d: %d, want %d", i, counts[i], want[i])
		}
	}
	// Filtered rows only.
	f := Filter{Follow: IPKey(synth.OtherIP)}
	fr := f.Apply(tl)
	total := 0
	for _, c := range Density(tl, fr, first, last, 40) {
		total += c
	}
	if total != fr.Len() {
		t.Errorf("filtered density sums to %d, want %d", total, fr.Len())
	}
	if Bucket(first, first, first, 10) != 0 || Bucket(last.Add(time.Hour), first, last, 10) != 9 || Bucket(first.Add(-time.Hour), first, last, 10) != 0 {
		t.Error("Bucket does not clamp")
	}
}

func TestFindingsEvidence(t *testing.T) {
	res := synth.FIPReuse()
	fs := NewFindings(res.Findings, res.Timeline)
	sm := &res.Findings[0]
	if fs.FirstEvidence(0) != sm.Evidence[0].Event {
		t.Errorf("FirstEvidence = %d, want the first cited event %d", fs.FirstEvidence(0), sm.Evidence[0].Event)
	}
	// Context cited before the finding's start is skipped by Enter: it
	// lands where the finding starts.
	ctx := *sm
	before := 0 // the first event, 40 s before the GARP
	ctx.Evidence = append([]detect.Evidence{{Event: before}}, ctx.Evidence...)
	cf := NewFindings([]detect.Finding{ctx}, res.Timeline)
	if got := cf.FirstEvidence(0); got != sm.Evidence[0].Event {
		t.Errorf("with earlier context first: FirstEvidence = %d, want %d", got, sm.Evidence[0].Event)
	}
	ctx.Start = ctx.Start.Add(time.Hour) // no cited event at or after the start
	cf = NewFindings([]detect.Finding{ctx}, res.Timeline)
	if got := cf.FirstEvidence(0); got != before {
		t.Errorf("nothing after the start: FirstEvidence = %d, want the first cited %d", got, before)
	}
	evs := fs.Evidence(0)
	if len(evs) != 4 || !slices.IsSorted(evs) {
		t.Fatalf("Evidence = %v (the fifth item cites no event)", evs)
	}
	ev, ord, ok := fs.NextEvidence(0, -1, 1)
	if !ok || ev != evs[0] || ord != 1 {
		t.Errorf("next from the start: %d %d %v", ev, ord, ok)
	}
	ev, ord, ok = fs.NextEvidence(0, evs[1], 1)
	if !ok || ev != evs[2] || ord != 3 {
		t.Errorf("next from the second: %d %d %v", ev, ord, ok)
	}
	ev, ord, ok = fs.NextEvidence(0, evs[1]+1, -1)
	if !ok || ev != evs[1] || ord != 2 {
		t.Errorf("previous from after the second: %d %d %v", ev, ord, ok)
	}
	if _, _, ok := fs.NextEvidence(0, evs[3], 1); ok {
		t.Error("next past the last")
	}
	if _, _, ok := fs.NextEvidence(0, evs[0], -1); ok {
		t.Error("previous before the first")
	}
	if !fs.Cites(0, evs[2]) || fs.Cites(0, evs[2]+1000) {
		t.Error("Cites")
	}
	// Out-of-range event indexes (a bad detector) are ignored, not a panic.
	var srcs []*timeline.Source
	per := make([][]timeline.Event, len(res.Timeline.Sources))
	for _, s := range res.Timeline.Sources {
		c := *s
		srcs = append(srcs, &c)
	}
	for i := range 3 {
		e := res.Timeline.Event(i)
		per[e.Source] = append(per[e.Source], e)
	}
	short := timeline.Build(srcs, per) // the first 3 events only
	if short.Len() != 3 {
		t.Fatalf("short timeline of %d events", short.Len())
	}
	bad := NewFindings(res.Findings[:1], short)
	if bad.FirstEvidence(0) != -1 || len(bad.Evidence(0)) != 0 {
		t.Error("out-of-range evidence kept")
	}
	if fs.FirstEvidence(7) != -1 || fs.Evidence(-1) != nil {
		t.Error("out-of-range finding")
	}
}

func TestKeysOf(t *testing.T) {
	tl := synth.FIPReuse().Timeline
	for i, r := range tl.Records(0, -1) {
		a, ok := r.ARPRec()
		if !ok || !a.Class.IsGARP() {
			continue
		}
		e := tl.Event(i)
		ks := KeysOf(&e)
		if at := KeysAt(tl, i); !slices.Equal(at, ks) {
			t.Errorf("KeysAt(GARP) = %v, KeysOf = %v", at, ks)
		}
		// SPA first (== TPA, listed once), then the MACs without broadcast or zero.
		want := []Key{IPKey(synth.FIP), MACKey(synth.NewMAC)}
		if !slices.Equal(ks, want) {
			t.Errorf("KeysOf(GARP) = %v, want %v", ks, want)
		}
		for _, k := range ks {
			if len(k.Events(tl)) == 0 {
				t.Errorf("key %v has no events", k)
			}
		}
		return
	}
	t.Fatal("no GARP")
}
