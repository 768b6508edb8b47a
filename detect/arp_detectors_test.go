package detect

import (
	"strings"
	"testing"

	"github.com/arpforensics/arpforensics/timeline"
)

func TestMACChangeReportsMoveAndFlipFlop(t *testing.T) {
	s := newScene()
	s.reply(0, oldMAC, fip, observer, obsIP)
	s.garpReply(10, newMAC, fip)
	s.garpReply(11, newMAC, fip) // same binding: no second change
	s.garpRequest(20, oldMAC, fip)
	fs := run(t, macChange{}, s.timeline())
	if len(fs) != 2 {
		t.Fatalf("got %d findings, want 2", len(fs))
	}
	if fs[0].Severity != Info || !strings.Contains(fs[0].Title, "moved from "+oldMAC.String()+" to "+newMAC.String()) {
		t.Errorf("first finding %q (%s), want an info move", fs[0].Title, fs[0].Severity)
	}
	wantSubject(t, fs[0], map[string]any{"ip": fip, "old_mac": oldMAC.String(), "new_mac": newMAC.String()})
	if !strings.HasPrefix(fs[1].Title, "flip-flop") {
		t.Errorf("second finding %q, want a flip-flop", fs[1].Title)
	}
	wantSubject(t, fs[1], map[string]any{"old_mac": newMAC.String(), "new_mac": oldMAC.String()})
	if len(fs[1].Evidence) != 2 || fs[1].Evidence[0].Pos.String() != "frame 3" || fs[1].Evidence[1].Pos.String() != "frame 4" {
		t.Errorf("flip-flop evidence %+v, want the last frame at the old binding and the first at the new", fs[1].Evidence)
	}
}

func TestMACChangeSummarisesAFlappingBinding(t *testing.T) {
	s := newScene()
	for i := 0; i < 50; i++ {
		m := oldMAC
		if i%2 == 1 {
			m = newMAC
		}
		s.garpRequest(float64(i), m, fip)
	}
	fs := run(t, macChange{}, s.timeline())
	if len(fs) != maxChangesPerIP+1 {
		t.Fatalf("got %d findings, want %d changes and one summary", len(fs), maxChangesPerIP+1)
	}
	if last := fs[len(fs)-1]; !strings.Contains(last.Title, "changed MAC 29 more times among 2 MACs") {
		t.Errorf("summary %q", last.Title)
	}
}

func TestARPUnansweredEpisodes(t *testing.T) {
	s := newScene()
	// A working exchange: replies to this requester are visible in the capture.
	s.request(0, observer, obsIP, "172.24.5.5", timeline.MAC{})
	s.reply(0.001, other, "172.24.5.5", observer, obsIP)
	// Three failed resolutions of the FIP, a few seconds apart.
	for _, base := range []float64{10, 16, 22} {
		for r := 0.0; r < 3; r++ {
			s.request(base+r, observer, obsIP, fip, timeline.MAC{})
		}
	}
	// A NUD probe cycle that ends answered is not unanswered.
	for r := 0.0; r < 3; r++ {
		s.request(30+r, observer, obsIP, "172.24.5.7", other)
	}
	s.request(33, observer, obsIP, "172.24.5.7", timeline.MAC{})
	s.reply(33.001, newMAC, "172.24.5.7", observer, obsIP)
	// Requests at the very end of the capture are not judged.
	s.send(100, observer, other, obsIP, "172.24.5.5", nil)
	s.request(99, observer, obsIP, "172.24.5.8", timeline.MAC{})

	f := onlyFinding(t, run(t, arpUnanswered{}, s.timeline()))
	if f.Severity != Medium || f.Confidence != ConfHigh {
		t.Errorf("severity %s confidence %s, want medium/high", f.Severity, f.Confidence)
	}
	wantSubject(t, f, map[string]any{"ip": fip, "requester_mac": observer.String(), "requests": int64(9)})
	if f.Start != s.at(10) || f.End != s.at(24) {
		t.Errorf("span %s–%s", f.Start, f.End)
	}
	if len(f.Evidence) != 4 {
		t.Errorf("evidence has %d entries, want the first three requests and the last", len(f.Evidence))
	}
}

func TestARPUnansweredSingleRequestIsLowAndMediumConfidence(t *testing.T) {
	s := newScene()
	s.request(0, observer, obsIP, fip, timeline.MAC{})
	s.send(30, observer, other, obsIP, "172.24.5.5", nil)
	f := onlyFinding(t, run(t, arpUnanswered{}, s.timeline()))
	if f.Severity != Low || f.Confidence != ConfMedium {
		t.Errorf("severity %s confidence %s, want low/medium (no reply to this host is visible at all)", f.Severity, f.Confidence)
	}
}

// A single unanswered request right before the address answers (another
// requester, a moment past the reply wait) is noise, not a finding; three
// requests are a failed resolution however the address answers later.
func TestARPUnansweredSingleRequestBeforeAReplyIsNoise(t *testing.T) {
	s := newScene()
	s.request(0, observer, obsIP, fip, timeline.MAC{})
	s.request(5, other, "172.24.5.30", fip, timeline.MAC{})
	s.reply(5.001, newMAC, fip, other, "172.24.5.30")
	s.send(100, observer, other, obsIP, "172.24.5.5", nil)
	if fs := run(t, arpUnanswered{}, s.timeline()); len(fs) != 0 {
		t.Errorf("a single request before a reply elsewhere: %q", fs[0].Title)
	}
	s = newScene()
	for r := 0.0; r < 3; r++ {
		s.request(r, observer, obsIP, fip, timeline.MAC{})
	}
	s.request(8, other, "172.24.5.30", fip, timeline.MAC{})
	s.reply(8.001, newMAC, fip, other, "172.24.5.30")
	s.send(100, observer, other, obsIP, "172.24.5.5", nil)
	f := onlyFinding(t, run(t, arpUnanswered{}, s.timeline()))
	// The answered requester is not named: the finding is the observer's.
	wantSubject(t, f, map[string]any{"requester_mac": observer.String(), "requests": int64(3)})
	if f.Subject.Get("requesters") != nil {
		t.Errorf("requesters %v: the answered one is counted", f.Subject.Get("requesters"))
	}
}

// ignoredBurst plays a move announced by a GARP burst at times (seconds
// after 10) that the observer ignores: it goes on sending to the old MAC.
func ignoredBurst(s *scene, times []float64) {
	s.request(0, observer, obsIP, fip, timeline.MAC{})
	s.reply(0.001, oldMAC, fip, observer, obsIP)
	for _, at := range times {
		s.garpReply(10+at, newMAC, fip)
	}
	for k := range 20 {
		s.send(1+float64(k)*4, observer, oldMAC, obsIP, fip, nil)
	}
}

// The spacing of a burst matters only when it announced a move that a peer
// then ignored: boot announcements (nothing moved) and a move every peer
// followed at once are no finding, however fast the GARPs came.
func TestGARPLocktimeOnlyWhenSpacingMatters(t *testing.T) {
	boot := newScene()
	for _, at := range []float64{0, 1, 2} {
		boot.garpReply(at, newMAC, fip)
	}
	followed := newScene()
	followed.request(0, observer, obsIP, fip, timeline.MAC{})
	followed.reply(0.001, oldMAC, fip, observer, obsIP)
	followed.send(1, observer, oldMAC, obsIP, fip, nil)
	for _, at := range []float64{10, 11, 12} {
		followed.garpReply(at, newMAC, fip)
	}
	for k := range 20 {
		followed.send(10.5+float64(k), observer, newMAC, obsIP, fip, nil)
	}
	for name, s := range map[string]*scene{"boot announcements": boot, "every peer followed": followed} {
		if fs := run(t, garpLocktime{}, s.timeline()); len(fs) != 0 {
			t.Errorf("%s: %q", name, fs[0].Title)
		}
	}
}

func TestGARPLocktime(t *testing.T) {
	tests := []struct {
		name    string
		times   []float64
		want    bool
		spacing float64
	}{
		{"arping -c 3, one a second", []float64{0, 1, 2}, true, 1000},
		{"one jiffy late is still inside", []float64{0, 1.004}, true, 1004},
		{"Neutron's fix: two seconds apart", []float64{0, 2, 4}, false, 0},
		{"a single GARP", []float64{0}, false, 0},
		{"copies of one frame do not make a burst", []float64{0, 0.001, 2.5, 2.5005}, false, 0},
		{"separate bursts are judged apart", []float64{0, 30, 60}, false, 0},
		{"fast burst", []float64{0, 0.2, 0.4}, true, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newScene()
			ignoredBurst(s, tt.times)
			fs := run(t, garpLocktime{}, s.timeline())
			if !tt.want {
				if len(fs) != 0 {
					t.Fatalf("unexpected finding %q", fs[0].Title)
				}
				return
			}
			f := onlyFinding(t, fs)
			wantSubject(t, f, map[string]any{"ip": fip, "mac": newMAC.String(), "min_spacing_ms": tt.spacing})
			if f.Severity != Low {
				t.Errorf("severity %s, want low", f.Severity)
			}
		})
	}
}
