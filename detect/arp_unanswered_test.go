package detect

import (
	"fmt"
	"strings"
	"testing"

	"github.com/arpforensics/arpforensics/timeline"
)

// Several hosts asking for one address make one finding that names them.
func TestARPUnansweredGroupsRequestersPerIP(t *testing.T) {
	s := newScene()
	s.request(0, observer, obsIP, "172.24.5.5", timeline.MAC{})
	s.reply(0.001, other, "172.24.5.5", observer, obsIP)
	for r := 0.0; r < 3; r++ {
		s.request(10+r, observer, obsIP, fip, timeline.MAC{})
		s.request(11.5+r, newMAC, "172.24.5.20", fip, timeline.MAC{})
	}
	s.send(60, observer, other, obsIP, "172.24.5.5", nil)
	f := onlyFinding(t, run(t, arpUnanswered{}, s.timeline()))
	wantSubject(t, f, map[string]any{"ip": fip, "requests": int64(6), "requesters": int64(2), "requester_mac": observer.String()})
	if !strings.Contains(f.Title, "6 requests from 2 hosts") {
		t.Errorf("title %q", f.Title)
	}
	for _, want := range []string{obsIP + " (" + observer.String() + ") 3 times", "172.24.5.20 (" + newMAC.String() + ") 3 times"} {
		if !strings.Contains(f.Explanation, want) {
			t.Errorf("explanation does not name %q:\n%s", want, f.Explanation)
		}
	}
	if f.Confidence != ConfHigh {
		t.Errorf("confidence %s: a reply to one of the requesters is in the capture", f.Confidence)
	}
}

// A host that was sending unicast to the address when its re-resolution
// failed is not said to have been unable to send anything.
func TestARPUnansweredNotesUnicastToTheAddress(t *testing.T) {
	s := newScene()
	for i := 0; i < 20; i++ {
		s.send(float64(i)*0.5, observer, oldMAC, obsIP, fip, nil)
	}
	for r := 0.0; r < 3; r++ {
		s.request(10+r, observer, obsIP, fip, oldMAC) // unicast probes
	}
	for r := 0.0; r < 3; r++ {
		s.request(13+r, observer, obsIP, fip, timeline.MAC{})
	}
	s.send(60, observer, other, obsIP, "172.24.5.5", nil)
	f := onlyFinding(t, run(t, arpUnanswered{}, s.timeline()))
	if strings.Contains(f.Explanation, "nothing it had to send there left the host") {
		t.Errorf("claims the host could not send, though it probed a MAC it had:\n%s", f.Explanation)
	}
	if !strings.Contains(f.Explanation, obsIP+" sent 3 of its requests to a MAC (probes) while asking") {
		t.Errorf("explanation does not count the unicast probes:\n%s", f.Explanation)
	}
	// SYNs sent while asking count as unicast to the address.
	s2 := newScene()
	for r := 0.0; r < 3; r++ {
		s2.request(10+r, observer, obsIP, fip, timeline.MAC{})
		s2.syn(10.5+r, observer, oldMAC, obsIP, fip, 40000, 7)
	}
	s2.send(60, observer, other, obsIP, "172.24.5.5", nil)
	f = onlyFinding(t, run(t, arpUnanswered{}, s2.timeline()))
	if !strings.Contains(f.Explanation, obsIP+" sent 3 frames to it unicast while asking") {
		t.Errorf("explanation does not count the SYNs:\n%s", f.Explanation)
	}
}

// An ARP scan of many targets is judged as it goes: the open state follows
// the targets asked for within an episode gap, and the findings are capped
// with a summary carrying the rest.
func TestARPUnansweredScanIsBoundedAndSummarised(t *testing.T) {
	s := newScene()
	const targets = 3000
	for i := 0; i < targets; i++ {
		// 10 requests a second: 600 targets per episode gap.
		tpa := fmt.Sprintf("10.%d.%d.%d", 1+i/65536, (i/256)%256, i%256)
		sec := float64(i) / 10
		s.request(sec, observer, obsIP, tpa, timeline.MAC{})
		s.request(sec+1, observer, obsIP, tpa, timeline.MAC{})
		if i%3 == 0 {
			s.request(sec+2, observer, obsIP, tpa, timeline.MAC{})
		}
	}
	s.send(targets/10+120, observer, other, obsIP, "172.24.5.5", nil)
	tl := s.timeline()
	cfg := Defaults()
	cfg.MaxFindings = 20
	out := NewFindings(cfg.MaxFindings)
	p := newUnansweredPass(tl, &cfg, out)
	p.run()
	if p.peak > 700 {
		t.Errorf("%d episodes open at once: the pass keeps targets no longer asked for", p.peak)
	}
	fs := out.List("arp-unanswered", arpUnanswered{}.Instances())
	if len(fs) != 21 {
		t.Fatalf("%d findings, want 20 and a summary", len(fs))
	}
	for _, f := range fs[:20] {
		if f.Severity != Medium || f.Subject.Get("requests") != int64(3) {
			t.Errorf("kept %q (%s): the worst should be kept first", f.Title, f.Severity)
		}
	}
	sum := fs[20]
	if sum.Subject.Get("omitted") != int64(targets-20) || sum.Subject.Get("medium") != int64(targets/3-20) || sum.Severity != Medium {
		t.Errorf("summary %q subject %v", sum.Title, sum.Subject)
	}
	if !strings.Contains(sum.Title, fmt.Sprintf("%d more unanswered ARP episodes not shown", targets-20)) {
		t.Errorf("summary title %q", sum.Title)
	}
}

// Past maxOpen addresses asked for at once, the oldest episodes are judged
// as soon as their reply wait is over: memory stays flat, nothing is lost.
func TestARPUnansweredScanPastMaxOpen(t *testing.T) {
	defer func(n int) { maxOpen = n }(maxOpen)
	maxOpen = 100
	s := newScene()
	const targets = 3000
	for i := 0; i < targets; i++ {
		s.request(float64(i)/10, observer, obsIP, fmt.Sprintf("10.1.%d.%d", i/256, i%256), timeline.MAC{})
	}
	s.send(targets/10+120, observer, other, obsIP, "172.24.5.5", nil)
	cfg := Defaults()
	cfg.facts = &runFacts{}
	out := NewFindings(10)
	p := newUnansweredPass(s.timeline(), &cfg, out)
	p.run()
	if p.peak > maxOpen+1 {
		t.Errorf("%d episodes open at once, want at most %d", p.peak, maxOpen+1)
	}
	if out.Len() != targets {
		t.Errorf("%d episodes judged, want %d", out.Len(), targets)
	}
	if len(cfg.facts.notes) != 1 || !strings.Contains(cfg.facts.notes[0], "before their 1 min gap was over") {
		t.Errorf("notes %q", cfg.facts.notes)
	}
}

// Past a handful of requesters an episode looks them up in an index: each
// one's requests still add up to it alone.
func TestARPUnansweredManyRequestersOfOneIP(t *testing.T) {
	s := newScene()
	const hosts = 20
	for r := 0.0; r < 3; r++ {
		for h := 0; h < hosts; h++ {
			mac := timeline.MAC{0x02, 0, 0, 0, 0x10, byte(h)}
			reqs := 1.0
			if h == 7 {
				reqs = 2 // the most insistent, named first
			}
			for k := 0.0; k < reqs; k++ {
				s.request(10+r+float64(h)/100+k/1000, mac, fmt.Sprintf("172.24.5.%d", 100+h), fip, timeline.MAC{})
			}
		}
	}
	s.send(120, observer, other, obsIP, "172.24.5.5", nil)
	f := onlyFinding(t, run(t, arpUnanswered{}, s.timeline()))
	wantSubject(t, f, map[string]any{"ip": fip, "requests": int64(3 * (hosts + 1)), "requesters": int64(hosts),
		"requester_mac": timeline.MAC{0x02, 0, 0, 0, 0x10, 7}.String()})
	if !strings.Contains(f.Explanation, "172.24.5.107 ("+timeline.MAC{0x02, 0, 0, 0, 0x10, 7}.String()+") 6 times") {
		t.Errorf("explanation does not count the requester's own requests:\n%s", f.Explanation)
	}
}
