package detect

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/arpforensics/arpforensics/parse/pcap"
	"github.com/arpforensics/arpforensics/timeline"
)

// A capture that begins long after the observer resolved the IP never shows
// the old binding in ARP: only as the destination of the observer's frames,
// as the source of the IP's own frames, and in the host's listings. The move
// to the new MAC (three GARPs) must still be a move, and the observer's 42
// frames to the old MAC over 4.5 minutes after it stale-mac, with its
// witnesses named.
func TestStaleMACWhenTheOldBindingWasOnlySeenInTrafficAndListings(t *testing.T) {
	s := newScene()
	for sec := 1.0; sec < 58; sec += 3 {
		s.send(sec, observer, oldMAC, obsIP, fip, &pcap.TCPInfo{SrcPort: 43210, DstPort: 22, ACK: true})
		s.send(sec+0.001, oldMAC, observer, fip, obsIP, &pcap.TCPInfo{SrcPort: 22, DstPort: 43210, ACK: true})
	}
	for _, g := range []float64{75, 76, 77} {
		s.garpRequest(g, newMAC, fip)
	}
	for k := range 42 {
		s.send(80+float64(k)*270/41, observer, oldMAC, obsIP, fip, nil)
	}
	listing := loop(s.t0, fip, false,
		stretch{60, 90, "REACHABLE", oldMAC, 0, false},
		stretch{90, 95, "STALE", oldMAC, 0, false},
		stretch{95, 100, "DELAY", oldMAC, 0, false},
		stretch{100, 300, "REACHABLE", oldMAC, 0, false})
	tl := mpTimeline(t,
		artifact{path: "node/br-ex.pcapng", host: "node", capture: s},
		artifact{path: "node/arptable", host: "node", neigh: listing})
	f := onlyFinding(t, run(t, staleMAC{}, tl))
	wantSubject(t, f, map[string]any{"old_mac": oldMAC.String(), "new_mac": newMAC.String(), "frames_to_old_mac": int64(42)})
	for _, w := range []string{"old:own-frames", "old:traffic", "old:listing", "new:arp"} {
		if !slices.Contains(f.Witnesses, w) {
			t.Errorf("witnesses %v lack %s", f.Witnesses, w)
		}
	}
	if slices.Contains(f.Witnesses, "old:arp") {
		t.Errorf("witnesses %v claim ARP showed the old binding", f.Witnesses)
	}
	if !strings.Contains(f.Explanation, "never by ARP") {
		t.Errorf("explanation does not say the old binding was never in ARP:\n%s", f.Explanation)
	}
	mc := onlyFinding(t, run(t, macChange{}, tl))
	wantSubject(t, mc, map[string]any{"old_mac": oldMAC.String(), "new_mac": newMAC.String()})
}

// Routed traffic names the router's MAC for every remote address: it is no
// binding, so a remote address reached through two routers in turn (a
// failover) is no move.
func TestRoutedTrafficIsNoBinding(t *testing.T) {
	s := newScene()
	routerA, routerB := mac("52:54:00:aa:00:01"), mac("52:54:00:bb:00:01")
	s.request(0, observer, obsIP, "172.24.5.254", timeline.MAC{})
	s.reply(0.001, routerA, "172.24.5.254", observer, obsIP)
	for k := range 20 {
		s.send(1+float64(k), observer, routerA, obsIP, "8.8.8.8", nil)
		s.send(1.01+float64(k), routerA, observer, "8.8.8.8", obsIP, nil)
	}
	for k := range 20 {
		s.send(30+float64(k), observer, routerB, obsIP, "8.8.8.8", nil)
		s.send(30.01+float64(k), routerB, observer, "8.8.8.8", obsIP, nil)
	}
	tl := s.timeline()
	for _, d := range []Detector{macChange{}, staleMAC{}} {
		if fs := run(t, d, tl); len(fs) != 0 {
			t.Errorf("%s on routed traffic: %q", d.Name(), fs[0].Title)
		}
	}
}

// The same move seen by a cooked capture (tcpdump -i any, SLL2) on the
// observer: the new owner's unicast, non-gratuitous replies arrive inside
// locktime and are ignored; the entry goes STALE → DELAY → PROBE, three
// unicast probes to the old MAC fail, a broadcast finds the new MAC and the
// observer's next frames go there. stale-mac: medium (it asked), the probes
// cited, duration and frames only those before the re-resolution; and no
// missing-probe (the kernel did probe).
func TestCookedStaleMACEndsAtReResolution(t *testing.T) {
	s := newScene()
	s.cooked, s.host = true, observer
	for sec := 1.0; sec < 58; sec += 3 {
		s.send(sec, observer, oldMAC, obsIP, fip, &pcap.TCPInfo{SrcPort: 43210, DstPort: 22, ACK: true})
		s.send(sec+0.001, oldMAC, observer, fip, obsIP, &pcap.TCPInfo{SrcPort: 22, DstPort: 43210, ACK: true})
	}
	for _, g := range []float64{75, 75.5, 76} {
		s.reply(g, newMAC, fip, observer, obsIP) // unsolicited, unicast, not gratuitous
	}
	port := uint16(47000)
	for k := range 13 { // SYNs to the old MAC, unanswered
		s.syn(78+float64(k)*2.3, observer, oldMAC, obsIP, fip, port+uint16(k), 1000)
	}
	for _, p := range []float64{103, 104, 105} {
		s.request(p, observer, obsIP, fip, oldMAC) // PROBE: unicast to the old MAC
	}
	s.request(106, observer, obsIP, fip, timeline.MAC{})
	s.reply(106.001, newMAC, fip, observer, obsIP)
	for k := range 178 {
		s.send(106.5+float64(k)*0.4, observer, newMAC, obsIP, fip, nil)
	}
	listing := loop(s.t0, fip, false,
		stretch{60, 95, "REACHABLE", oldMAC, 0, false},
		stretch{95, 100, "STALE", oldMAC, 0, false},
		stretch{100, 103, "DELAY", oldMAC, 0, false},
		stretch{103, 106, "PROBE", oldMAC, 0, false},
		stretch{107, 180, "REACHABLE", newMAC, 0, false})
	tl := mpTimeline(t,
		artifact{path: "node/any.pcap", host: "node", capture: s},
		artifact{path: "node/arptable", host: "node", neigh: listing})
	f := onlyFinding(t, run(t, staleMAC{}, tl))
	last := 78 + 12*2.3
	wantSubject(t, f, map[string]any{
		"old_mac": oldMAC.String(), "new_mac": newMAC.String(),
		"frames_to_old_mac": int64(13), "observer_arp_requests": 3,
		"duration_s": float64(int((last-75)*1000+0.5)) / 1000,
	})
	if f.Severity != Medium {
		t.Errorf("severity %s, want medium (the observer probed)", f.Severity)
	}
	probes := 0
	for _, e := range f.Evidence {
		if strings.Contains(e.Text, "Request who-has "+fip) {
			probes++
		}
	}
	if probes < 2 {
		t.Errorf("%d of the observer's requests cited, want them cited:\n%v", probes, f.Evidence)
	}
	if !strings.Contains(f.Explanation, fmt.Sprintf("It switched to %s", newMAC)) {
		t.Errorf("explanation does not say it switched:\n%s", f.Explanation)
	}
	if fs := run(t, missingProbe{}, tl); len(fs) != 0 {
		t.Errorf("missing-probe on a host that probed: %q", fs[0].Title)
	}
}

// Two MACs sending from one address at once (two interfaces of one device,
// a CAPWAP controller's control and data ports) are no move: the old MAC
// never stopped. And a frame or two from a new MAC (a corrupt or fuzzed
// source address) is no move either.
func TestContestedOrThinOwnFramesAreNoMove(t *testing.T) {
	s := newScene()
	s.request(0, observer, obsIP, fip, timeline.MAC{})
	s.reply(0.001, oldMAC, fip, observer, obsIP)
	for k := range 60 {
		s.send(1+float64(k), oldMAC, observer, fip, obsIP, nil)
		s.send(1.5+float64(k), observer, oldMAC, obsIP, fip, nil)
	}
	for k := range 5 {
		s.send(20+float64(k), newMAC, observer, fip, obsIP, nil) // while oldMAC keeps sending
	}
	s.send(30, other, observer, fip, obsIP, nil) // one corrupt frame
	tl := s.timeline()
	for _, d := range []Detector{macChange{}, staleMAC{}} {
		if fs := run(t, d, tl); len(fs) != 0 {
			t.Errorf("%s: %q", d.Name(), fs[0].Title)
		}
	}
}
