package detect

import "testing"

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
