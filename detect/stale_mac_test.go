package detect

import (
	"strings"
	"testing"

	"github.com/arpforensics/arpforensics/timeline"
)

// fipMove plays the second incident's opening: the observer resolves the FIP
// at its old MAC and uses it, then the FIP is announced at a new MAC with
// three reply-type GARPs one second apart.
func fipMove(s *scene) {
	s.request(0, observer, obsIP, fip, timeline.MAC{})
	s.reply(0.001, oldMAC, fip, observer, obsIP)
	for i := 0; i < 20; i++ {
		s.send(1+float64(i), observer, oldMAC, obsIP, fip, nil)
		s.send(1.0005+float64(i), oldMAC, observer, fip, obsIP, nil)
	}
	s.garpReply(75, newMAC, fip)
	s.garpReply(76, newMAC, fip)
	s.garpReply(77, newMAC, fip)
}

func TestStaleMACFiresWhenObserverNeverProbes(t *testing.T) {
	s := newScene()
	fipMove(s)
	// SSH attempts every 30 s for five minutes, each SYN retransmitted with
	// Linux's backoff, all to the old MAC, never answered, no ARP.
	seq := uint32(1000)
	for a := 0.0; a < 300; a += 31 {
		for _, r := range []float64{0, 1, 3, 7, 15} {
			s.syn(80+a+r, observer, oldMAC, obsIP, fip, 40000+uint16(a), seq)
		}
		seq += 7777
	}
	f := onlyFinding(t, run(t, staleMAC{}, s.timeline()))
	if f.Severity != High || f.Confidence != ConfHigh {
		t.Errorf("severity %s confidence %s, want high/high", f.Severity, f.Confidence)
	}
	wantSubject(t, f, map[string]any{
		"ip": fip, "old_mac": oldMAC.String(), "new_mac": newMAC.String(), "observer_mac": observer.String(),
		"frames_to_old_mac": int64(50), "observer_arp_requests": 0, "duration_s": 299.0,
	})
	if f.Start != s.at(75) || f.End != s.at(374) {
		t.Errorf("span %s – %s, want the move at +75 s to the last stale frame at +374 s", f.Start, f.End)
	}
	for _, want := range []string{"reply-type GARPs", "4.12", "never reached PROBE", "none of them answered", "1 s apart at the closest"} {
		if !strings.Contains(f.Explanation, want) {
			t.Errorf("explanation lacks %q:\n%s", want, f.Explanation)
		}
	}
	if f.KnownIssue == nil || f.KnownIssue.ID != "linux-garp-locktime" {
		t.Errorf("known issue = %+v, want linux-garp-locktime", f.KnownIssue)
	}
	var garps, stale int
	for _, e := range f.Evidence {
		if strings.Contains(e.Text, "[gratuitous]") {
			garps++
		}
		if strings.Contains(e.Text, "via "+oldMAC.String()) && strings.HasPrefix(e.Pos.String(), "frames ") {
			stale++
		}
	}
	if garps != 3 || stale == 0 {
		t.Errorf("evidence cites %d GARPs and %d stale runs, want 3 and some:\n%+v", garps, stale, f.Evidence)
	}
}

func TestStaleMACQuietWhenObserverProbesAndSwitches(t *testing.T) {
	s := newScene()
	fipMove(s)
	// Healthy kernel: the GARPs were ignored, but the entry goes DELAY →
	// PROBE: three unicast requests to the old MAC, then a broadcast answered
	// by the new owner, 12 s after the move.
	s.syn(80, observer, oldMAC, obsIP, fip, 40000, 1)
	s.syn(81, observer, oldMAC, obsIP, fip, 40000, 1)
	s.syn(83, observer, oldMAC, obsIP, fip, 40000, 1)
	s.request(85, observer, obsIP, fip, oldMAC)
	s.request(86, observer, obsIP, fip, oldMAC)
	s.request(87, observer, obsIP, fip, oldMAC)
	s.request(88, observer, obsIP, fip, timeline.MAC{})
	s.reply(88.001, newMAC, fip, observer, obsIP)
	s.syn(88.002, observer, newMAC, obsIP, fip, 40000, 1)
	for i := 0; i < 10; i++ {
		s.send(89+float64(i), observer, newMAC, obsIP, fip, nil)
	}
	if fs := run(t, staleMAC{}, s.timeline()); len(fs) != 0 {
		t.Fatalf("healthy move produced %d stale-mac findings: %s", len(fs), fs[0].Title)
	}
}

func TestStaleMACMediumWhenObserverAskedButKeptOldMAC(t *testing.T) {
	s := newScene()
	fipMove(s)
	for i := 0; i < 40; i++ {
		s.send(80+float64(i), observer, oldMAC, obsIP, fip, nil)
	}
	s.request(90, observer, obsIP, fip, oldMAC)
	f := onlyFinding(t, run(t, staleMAC{}, s.timeline()))
	if f.Severity != Medium {
		t.Errorf("severity %s, want medium when the observer did send ARP requests", f.Severity)
	}
	wantSubject(t, f, map[string]any{"observer_arp_requests": 1})
}

func TestStaleMACInferredOnCookedCapture(t *testing.T) {
	s := newScene()
	s.cooked, s.host = true, observer
	fipMove(s)
	for i := 0; i < 60; i++ {
		s.send(80+float64(i), observer, timeline.MAC{}, obsIP, fip, nil)
	}
	f := onlyFinding(t, run(t, staleMAC{}, s.timeline()))
	if f.Confidence != ConfMedium || !strings.Contains(f.Explanation, "inferred") {
		t.Errorf("confidence %s, want medium and the explanation to say the MAC was inferred:\n%s", f.Confidence, f.Explanation)
	}
	wantSubject(t, f, map[string]any{"old_mac": oldMAC.String(), "frames_to_old_mac": int64(60)})
}

func TestStaleMACGraceIsConfigurable(t *testing.T) {
	s := newScene()
	fipMove(s)
	for i := 0; i < 10; i++ {
		s.send(80+float64(i), observer, oldMAC, obsIP, fip, nil) // until +89 s: 14 s after the move
	}
	tl := s.timeline()
	if fs := run(t, staleMAC{}, tl); len(fs) != 0 {
		t.Fatalf("14 s of stale use inside the default 15 s grace produced a finding")
	}
	cfg := Defaults()
	cfg.Grace = 10e9
	if fs := findingsOf(staleMAC{}, tl, &cfg); len(fs) != 1 {
		t.Fatalf("with a 10 s grace got %d findings, want 1", len(fs))
	}
}

// cookedNoExchange is the tempest node's `tcpdump -i any` capture of the move
// when the node resolved the FIP before the capture started: its frames to
// the FIP carry no destination MAC and no ARP exchange tells which it was.
func cookedNoExchange() *scene {
	s := newScene()
	s.cooked, s.host = true, observer
	s.reply(10, oldMAC, fip, other, "172.24.5.99") // the old owner answers someone else: the binding before the move
	for _, g := range []float64{75, 76, 77} {
		s.garpReply(g, newMAC, fip)
	}
	for sec := 80.0; sec < 178; sec += 2 {
		s.send(sec, observer, timeline.MAC{}, obsIP, fip, nil)
	}
	return s
}

func TestStaleMACNeighbourDataSuppliesCookedDestination(t *testing.T) {
	s := cookedNoExchange()
	// Without neighbour data the destination is unknown: no finding.
	if fs := run(t, staleMAC{}, mpTimeline(t, artifact{path: "any.pcap", host: "tempest", capture: s})); len(fs) != 0 {
		t.Fatalf("a cooked capture with unknown destinations produced %q", fs[0].Title)
	}
	s = cookedNoExchange()
	tl := mpTimeline(t,
		artifact{path: "any.pcap", host: "tempest", capture: s},
		artifact{path: "arptable", host: "tempest", neigh: brokenLoop(s, false)},
	)
	f := onlyFinding(t, run(t, staleMAC{}, tl))
	if f.Confidence != ConfHigh || !strings.Contains(f.Explanation, "neighbour listings show its entry") {
		t.Errorf("confidence %s; explanation:\n%s", f.Confidence, f.Explanation)
	}
	var cited bool
	for _, e := range f.Evidence {
		cited = cited || e.Source == "arptable"
	}
	if !cited {
		t.Errorf("the neighbour listing is not cited: %+v", f.Evidence)
	}
	// The neighbour data of another host says nothing about this one.
	s = cookedNoExchange()
	tl = mpTimeline(t,
		artifact{path: "any.pcap", host: "tempest", capture: s},
		artifact{path: "arptable", host: "controller", neigh: brokenLoop(s, false)},
	)
	if fs := run(t, staleMAC{}, tl); len(fs) != 0 {
		t.Errorf("another host's listing was used: %q", fs[0].Title)
	}
}

func TestStaleMACNeighbourDataOverridesInference(t *testing.T) {
	// The capture infers the old MAC from the exchange at the start, but
	// the host's listings show the entry on the new MAC after the move: the
	// host did take the GARP, so no stale use.
	s := fipCapture(true)
	healthy := loop(s.t0, fip, false,
		stretch{60, 75, "REACHABLE", oldMAC, 0, false},
		stretch{75, 180, "REACHABLE", newMAC, 0, false},
	)
	tl := mpTimeline(t, artifact{path: "any.pcap", host: "tempest", capture: s}, artifact{path: "arptable", host: "tempest", neigh: healthy})
	if fs := run(t, staleMAC{}, tl); len(fs) != 0 {
		t.Errorf("inference beat the host's own listing: %q", fs[0].Title)
	}
	// And when the listing agrees with the inference, confidence is high.
	s = fipCapture(true)
	tl = mpTimeline(t, artifact{path: "any.pcap", host: "tempest", capture: s}, artifact{path: "arptable", host: "tempest", neigh: brokenLoop(s, false)})
	if f := onlyFinding(t, run(t, staleMAC{}, tl)); f.Confidence != ConfHigh {
		t.Errorf("confirmed inference: confidence %s, want high", f.Confidence)
	}
}
