package html

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/arpforensics/arpforensics/analysis"
	"github.com/arpforensics/arpforensics/detect"
	"github.com/arpforensics/arpforensics/internal/synth"
	"github.com/arpforensics/arpforensics/timeline"
)

// classCount counts a diagram's shapes carrying class, and gathers its texts.
func classCount(d *Diagram, class string) int {
	n := 0
	for _, s := range d.Shapes {
		for _, c := range strings.Fields(s.Class) {
			if c == class {
				n++
			}
		}
	}
	return n
}

func labels(d *Diagram) string {
	var b strings.Builder
	for _, s := range d.Shapes {
		if s.Kind == ShapeText {
			b.WriteString(s.Text + "\n")
		}
	}
	return b.String()
}

// sampleDiagram analyses a bundled sample and draws the diagram of its
// (last) finding by detector, which must be of the kind named.
func sampleDiagram(t *testing.T, dir, detector, kind string) (*detect.Finding, *Diagram) {
	t.Helper()
	r := analysis.Run(analysis.Options{Paths: []string{filepath.Join("..", "..", "samples", dir)}, Config: detect.Defaults()})
	o := Options{}.withDefaults()
	ctx := &diagramCtx{tl: r.Timeline, o: &o}
	var f *detect.Finding
	for i := range r.Findings {
		if r.Findings[i].Detector == detector {
			f = &r.Findings[i]
		}
	}
	if f == nil {
		t.Fatalf("no %s finding in samples/%s", detector, dir)
	}
	d := diagramFor(ctx, f)
	if d == nil || d.Kind != kind {
		t.Fatalf("%s: got %+v, want a %s", detector, d, kind)
	}
	return f, d
}

// loopingEntry is the second incident's neighbour entry: STALE → DELAY →
// REACHABLE on the old MAC, over and over, while GARPs announce the new one.
func loopingEntry(cycles int, monitor bool) *stripInput {
	at := synth.LocktimeStart
	in := &stripInput{IP: "172.24.5.11", Host: "compute-1", OldLL: synth.OldMAC.String(), NewLL: synth.NewMAC.String(), HaveCapture: true, Monitor: monitor}
	add := func(state string, d time.Duration) {
		in.Segs = append(in.Segs, neighSeg{From: at, To: at.Add(d - time.Second), Since: at.Add(-time.Second), State: state, LL: synth.OldMAC.String(), Tip: state})
		at = at.Add(d)
	}
	add("REACHABLE", 20*time.Second)
	for i := 0; i < cycles; i++ {
		add("STALE", 10*time.Second)
		if !monitor {
			add("DELAY", 3*time.Second)
		}
		add("REACHABLE", 25*time.Second)
	}
	in.Announces = []mark{{synth.LocktimeStart.Add(30 * time.Second), "garp"}, {synth.LocktimeStart.Add(31 * time.Second), "garp"}, {synth.LocktimeStart.Add(32 * time.Second), "garp"}}
	in.Resets = []mark{{synth.LocktimeStart.Add(31 * time.Second), "reset"}}
	return in
}

func TestNeighStrip(t *testing.T) {
	d := neighStrip(loopingEntry(4, false))
	if d == nil || d.Kind != "state-strip" {
		t.Fatalf("got %+v", d)
	}
	for class, want := range map[string]int{"st-REACHABLE": 5, "st-STALE": 4, "st-DELAY": 4, "noprobe": 4, "garp": 3, "missing": 1, "reset": 1, "bind-old": 1, "bind-new": 0} {
		if got := classCount(d, class); got != want {
			t.Errorf("%d %q shapes, want %d", got, class, want)
		}
	}
	l := labels(d)
	for _, want := range []string{"neighbour entry", "172.24.5.11 on compute-1", "fa:16:3e:11:11:11 (old)", "3 announcements at the new MAC", "none in the host's capture: the entry never probed", "REACHABLE", "STALE"} {
		if !strings.Contains(l, want) {
			t.Errorf("label %q missing; labels:\n%s", want, l)
		}
	}
	if !strings.Contains(d.Caption, "confirmed on the old MAC 4 times without a PROBE") {
		t.Errorf("caption: %s", d.Caption)
	}
	// ip monitor never reports DELAY: STALE → REACHABLE is the signature there.
	m := neighStrip(loopingEntry(3, true))
	if got := classCount(m, "noprobe"); got != 3 {
		t.Errorf("monitor form: %d no-probe marks, want 3", got)
	}
	if got := classCount(m, "st-DELAY"); got != 0 {
		t.Errorf("monitor form drew %d DELAY segments", got)
	}
	// A healthy entry: DELAY → PROBE → new MAC, with a request.
	h := &stripInput{IP: "172.24.5.11", Host: "compute-1", OldLL: synth.OldMAC.String(), NewLL: synth.NewMAC.String(), HaveCapture: true,
		Segs: []neighSeg{
			{From: synth.LocktimeStart, To: synth.LocktimeStart.Add(9 * time.Second), State: "STALE", LL: synth.OldMAC.String()},
			{From: synth.LocktimeStart.Add(10 * time.Second), To: synth.LocktimeStart.Add(14 * time.Second), State: "DELAY", LL: synth.OldMAC.String()},
			{From: synth.LocktimeStart.Add(15 * time.Second), To: synth.LocktimeStart.Add(17 * time.Second), State: "PROBE", LL: synth.OldMAC.String()},
			{From: synth.LocktimeStart.Add(18 * time.Second), To: synth.LocktimeStart.Add(40 * time.Second), State: "REACHABLE", LL: synth.NewMAC.String()},
		},
		Requests: []mark{{synth.LocktimeStart.Add(15 * time.Second), "who-has"}},
	}
	hd := neighStrip(h)
	if classCount(hd, "noprobe") != 0 || classCount(hd, "missing") != 0 || classCount(hd, "arp-req") != 1 || classCount(hd, "bind-new") != 1 {
		t.Errorf("healthy entry drawn as broken:\n%s", labels(hd))
	}
	if neighStrip(&stripInput{}) != nil {
		t.Errorf("an entry with no data got a picture")
	}
}

func TestLadder(t *testing.T) {
	at := synth.LocktimeStart
	in := &ladderInput{
		Title: "neutron-server pid 32314 on controller",
		Parts: []string{"add router interface", "create router (another request)"},
		Cmds: []ladderCmd{
			{Idx: 0, Class: "AddLRouterPortCommand", Entity: "lrp-8dc49792", Part: 0, Time: at},
			{Idx: 1, Class: "SetLRouterPortInLSwitchPortCommand", Entity: "8dc49792", Part: 0, Time: at},
			{Idx: 2, Class: "AddLRouterCommand", Entity: "neutron-cc163b42", Part: 1, Intruder: true, Time: at},
			{Idx: 3, Class: "AddNATRuleInLRouterCommand", Entity: "neutron-0e2b", Part: 0, Time: at},
			{Class: "AddLRouterPortCommand", Entity: "gateway port of neutron-cc163b42", Part: 1, Ghost: true},
			{Class: "AddStaticRouteCommand", Entity: "0.0.0.0/0 on neutron-cc163b42", Part: 1, Ghost: true},
		},
		Outcome: "committed 17:09:17.300",
		Lost:    "router neutron-cc163b42 created; gateway port and default route never added",
	}
	d := ladder(in)
	for class, want := range map[string]int{"intruder": 1, "ghost": 4, "commit": 1, "op-0": 4, "op-1": 2} {
		if got := classCount(d, class); got != want {
			t.Errorf("%d %q shapes, want %d", got, class, want)
		}
	}
	l := labels(d)
	for _, want := range []string{"AddLRouterCommand  neutron-cc163b42", "never ran: AddStaticRouteCommand", "◀ intruder", "committed 17:09:17.300", "Lost: router neutron-cc163b42 created"} {
		if !strings.Contains(l, want) {
			t.Errorf("label %q missing; labels:\n%s", want, l)
		}
	}
	if ladder(&ladderInput{}) != nil {
		t.Errorf("an empty transaction got a picture")
	}
}

func TestUnansweredLane(t *testing.T) {
	var b synth.Builder
	src := b.Source("logs/node/tcpdump.txt", "tcpdump-text", "node")
	target := synth.IP("172.24.5.11")
	for i := 0; i < 9; i++ {
		a := &timeline.ARP{Link: timeline.Link{Src: synth.LocktimeNodeMAC, Dst: timeline.Broadcast, DstKnown: true}, Op: 1, SHA: synth.LocktimeNodeMAC, SPA: synth.NodeIP, TPA: target}
		a.Class = timeline.ClassifyARP(a.Op, a.SHA, a.THA, a.SPA, a.TPA)
		b.Add(src, synth.LocktimeStart.Add(time.Duration(i/3)*20*time.Second+time.Duration(i%3)*time.Second), timeline.Pos{Line: int64(i + 1)}, a, "")
	}
	tl := b.Build()
	f := detect.Finding{Detector: "arp-unanswered", Start: tl.Time(0), End: tl.Time(8),
		Subject: synth.Subject("ip", target.String(), "requester_mac", synth.LocktimeNodeMAC.String(), "requests", 9), Evidence: []detect.Evidence{detect.EventEvidence(tl, 0)}}
	o := Options{}.withDefaults()
	ctx := &diagramCtx{tl: tl, o: &o}
	d := diagramFor(ctx, &f)
	if d == nil || d.Kind != "unanswered-lane" {
		t.Fatalf("got %+v", d)
	}
	if got := classCount(d, "arp-req"); got != 9 {
		t.Errorf("%d request ticks, want all 9 (the finding cites one)", got)
	}
	if classCount(d, "missing") != 1 || !strings.Contains(labels(d), "none: nothing answered for 172.24.5.11 in 42 s") || !strings.Contains(labels(d), "9× from 1e:d5:ec:49:df:4f") {
		t.Errorf("labels:\n%s", labels(d))
	}
	// A requester the finding does not name is not drawn; no request at all
	// leaves the generic strip.
	f.Subject = synth.Subject("ip", target.String(), "requester_mac", synth.OldMAC.String())
	if d := diagramFor(ctx, &f); d == nil || d.Kind != "evidence-strip" {
		t.Errorf("requests from another MAC: got %+v", d)
	}
}

// TestMissingProbeStripOnSamples builds the strip from what the neighbour
// reader and the missing-probe detector make of the bundled samples.
func TestMissingProbeStripOnSamples(t *testing.T) {
	for _, tc := range []struct {
		dir, requests string
	}{
		{"fip-reuse", "none in the host's capture: the entry never probed"},
		{"neigh-monitor", "no capture of this host: requests unknown"},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			f, d := sampleDiagram(t, tc.dir, "missing-probe", "state-strip")
			cycles, _ := f.Subject.Get("cycles").(int)
			if got := classCount(d, "noprobe"); got != cycles || cycles == 0 {
				t.Errorf("%d no-probe marks, want the finding's %d cycles", got, cycles)
			}
			if got := classCount(d, "garp"); got != 3 {
				t.Errorf("%d announcements, want the 3 GARPs", got)
			}
			if classCount(d, "bind-new") != 0 || classCount(d, "bind-old") == 0 {
				t.Errorf("the entry should hold only the old MAC")
			}
			if l := labels(d); !strings.Contains(l, tc.requests) || !strings.Contains(l, "fa:16:3e:4d:2a:91 (old)") {
				t.Errorf("labels:\n%s", l)
			}
		})
	}
}

func TestSwimlaneFocusesPastStrays(t *testing.T) {
	var b synth.Builder
	src := b.Source("logs/node/server.log", "txnlog", "node")
	for i := 0; i < 200; i++ {
		b.Add(src, synth.LocktimeStart.Add(time.Duration(i)*time.Second), timeline.Pos{Line: int64(i + 1)}, synth.LogLine("line"), "line")
	}
	b.Add(src, synth.LocktimeStart.AddDate(8, 0, 0), timeline.Pos{Line: 999}, synth.LogLine("a year gone wrong"), "")
	tl := b.Build()
	first, last := tl.Span()
	f0, f1, strays := focus(tl, first, last)
	if strays != 1 || !f0.Equal(synth.LocktimeStart) || !f1.Equal(synth.LocktimeStart.Add(199*time.Second)) {
		t.Errorf("focus = %v – %v, %d strays; want the 200 s of the run and 1 stray", f0, f1, strays)
	}
	d := swimlane(tl, nil, first, last)
	if !strings.Contains(d.Caption, "1 event lies far outside the rest of the run") {
		t.Errorf("the timeline does not say it left a stray event out: %s", d.Caption)
	}
	if span := time.Duration(d.Plot.T1-d.Plot.T0) * time.Microsecond; span > 5*time.Minute {
		t.Errorf("the timeline spans %v", span)
	}
	// An evenly spread run has no strays.
	if _, _, n := focus(synth.Bulk(2000).Timeline, first, last); n != 0 {
		t.Errorf("%d strays in an even run", n)
	}
}

// An axis over several dates names the date (with the year) on its first
// tick and where the date changes; spans of days read in days; no label
// crosses the picture's edges.
func TestAxisOverDays(t *testing.T) {
	t0 := time.Date(2017, 5, 16, 14, 30, 0, 0, time.UTC)
	t1 := time.Date(2018, 9, 18, 17, 12, 45, 0, time.UTC)
	d := &Diagram{W: diagramW}
	d.axis(NewScale(t0, t1, plotX0, plotX1), 50, 0, 10)
	var labels []string
	for _, s := range d.Shapes {
		if s.Kind == ShapeText {
			labels = append(labels, s.Text)
			w := textWidth(s.Text, 10)
			left := s.X - w/2
			switch s.Anchor {
			case "end":
				left = s.X - w
			case "":
				left = s.X
			}
			if left < 0 || left+w > d.W {
				t.Errorf("label %q at %.0f (%s) crosses the edge", s.Text, s.X, s.Anchor)
			}
		}
	}
	if len(labels) < 3 || !strings.HasPrefix(labels[0], "2017-") || !strings.HasPrefix(labels[len(labels)-1], "2018-") {
		t.Errorf("axis labels over 16 months: %v, want dates with years", labels)
	}
	d = &Diagram{W: diagramW}
	d.axis(NewScale(t0.Add(5*time.Hour), t0.Add(15*time.Hour), plotX0, plotX1), 50, 0, 10)
	dated := 0
	for _, s := range d.Shapes {
		if s.Kind == ShapeText && strings.HasPrefix(s.Text, "2017-05-") {
			dated++
		}
	}
	if dated != 2 {
		t.Errorf("an axis across midnight dates %d labels, want 2 (the first and the first after midnight)", dated)
	}
	if got := duration(t1.Sub(t0)); got != "490d2h43m" {
		t.Errorf("duration over 16 months: %q", got)
	}
}
