package detect

import (
	"testing"

	"github.com/arpforensics/arpforensics/timeline"
)

// Two hosts' captures are two vantage points: the address each sees at a
// different MAC (two labs reusing one plan, two sites) is no move, and the
// usage of one says nothing of the other's binding. A case file's segment
// puts hosts on one broadcast domain: then it is one story.
func TestBindingsArePerVantagePoint(t *testing.T) {
	a, b := newScene(), newScene()
	a.garpRequest(1, oldMAC, fip)
	for k := range 20 {
		a.send(2+float64(k), observer, oldMAC, obsIP, fip, nil)
	}
	b.garpRequest(5, newMAC, fip)
	b.garpRequest(6, newMAC, fip)
	for k := range 20 {
		b.send(7+float64(k), observer, oldMAC, obsIP, fip, nil) // b's observer never learnt newMAC either
	}
	apart := mpTimeline(t,
		artifact{path: "a/br-ex.pcap", host: "a", capture: a},
		artifact{path: "b/br-ex.pcap", host: "b", capture: b})
	for _, d := range []Detector{macChange{}, staleMAC{}} {
		if fs := run(t, d, apart); len(fs) != 0 {
			t.Errorf("%s across two hosts: %d findings, first %q", d.Name(), len(fs), fs[0].Title)
		}
	}
	shared := mpTimeline(t,
		artifact{path: "a/br-ex.pcap", host: "a", segment: "ext", capture: a},
		artifact{path: "b/br-ex.pcap", host: "b", segment: "ext", capture: b})
	f := onlyFinding(t, run(t, macChange{}, shared))
	wantSubject(t, f, map[string]any{"old_mac": oldMAC.String(), "new_mac": newMAC.String()})
	if fs := run(t, staleMAC{}, shared); len(fs) != 1 {
		t.Errorf("stale-mac on a shared segment: %d findings, want 1", len(fs))
	}
}

// An ARP frame whose sender MAC is not its Ethernet source (a proxy, a
// spoofer, a rewriting bridge, a corrupt frame) does not show the MAC it
// names claiming the address: no move, no stale-mac, while the real owner
// keeps sending.
func TestSenderMismatchIsNoMove(t *testing.T) {
	s := newScene()
	s.garpRequest(1, oldMAC, fip)
	for k := range 30 {
		s.send(2+float64(k), observer, oldMAC, obsIP, fip, nil)
	}
	// Sent by other, claiming fip is at newMAC.
	s.f.ARP(s.at(5), s.pos(), timeline.Link{Src: other, Dst: timeline.Broadcast, DstKnown: true}, 2, newMAC, newMAC, ip(fip), ip(fip), nil)
	tl := s.timeline()
	for _, d := range []Detector{macChange{}, staleMAC{}, garpLocktime{}} {
		if fs := run(t, d, tl); len(fs) != 0 {
			t.Errorf("%s: %d findings from a mismatched sender, first %q", d.Name(), len(fs), fs[0].Title)
		}
	}
	// The same frame sent by newMAC itself is a move.
	s = newScene()
	s.garpRequest(1, oldMAC, fip)
	for k := range 30 {
		s.send(2+float64(k), observer, oldMAC, obsIP, fip, nil)
	}
	s.garpReply(5, newMAC, fip)
	if fs := run(t, staleMAC{}, s.timeline()); len(fs) != 1 {
		t.Errorf("stale-mac with the real sender: %d findings, want 1", len(fs))
	}
}
