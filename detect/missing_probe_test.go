package detect

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/arpforensics/arpforensics/parse"
	"github.com/arpforensics/arpforensics/parse/neigh"
	"github.com/arpforensics/arpforensics/parse/pcap"
	"github.com/arpforensics/arpforensics/timeline"
)

// artifact is one input of a missing-probe scene: a capture built frame by
// frame, or neighbour-table text read by the real parser.
type artifact struct {
	path, host string
	segment    string // a case file's segment: hosts sharing bindings
	capture    *scene
	neigh      string
}

// mpTimeline builds the timeline the pipeline would build from artifacts.
func mpTimeline(t *testing.T, arts ...artifact) *timeline.Timeline {
	t.Helper()
	var srcs []*timeline.Source
	var evs [][]timeline.Event
	for _, a := range arts {
		src := &timeline.Source{Path: a.path, Host: a.host, Segment: a.segment}
		var e []timeline.Event
		if a.capture != nil {
			src.Kind = "pcap"
			e = a.capture.events()
		} else {
			src.Kind = "neigh"
			var err error
			if e, err = parse.Collect(neigh.Parse, strings.NewReader(a.neigh), src, parse.Options{}); err != nil {
				t.Fatalf("%s: %v", a.path, err)
			}
			if src.Errors() > 0 {
				t.Fatalf("%s: %v", a.path, src.Problems)
			}
		}
		srcs = append(srcs, src)
		evs = append(evs, e)
	}
	return timeline.Build(srcs, evs)
}

// stretch is a run of seconds an entry spends in one state.
type stretch struct {
	from, to int // seconds after the scene's t0, to exclusive
	state    string
	mac      timeline.MAC
	// updated, when ≥ 0, is the `ip -s` updated age at from; it grows by
	// one a second unless pinned.
	updated int
	pinned  bool // updated stays at 0/1 (ignored GARPs bumping it)
}

// loop renders a `while true; do date; ip [-s] neigh; sleep 1; done` dump of
// the FIP entry (plus an unrelated, steady entry) from the stretches.
func loop(t0 time.Time, ip string, stats bool, sts ...stretch) string {
	var b strings.Builder
	for _, st := range sts {
		for s := st.from; s < st.to; s++ {
			fmt.Fprintf(&b, "%s\n", t0.Add(time.Duration(s)*time.Second).Format("Mon Jan _2 15:04:05 MST 2006"))
			fmt.Fprintf(&b, "172.24.5.30 dev br-ex lladdr fa:16:3e:08:5e:17 REACHABLE \n")
			if !stats {
				fmt.Fprintf(&b, "%s dev br-ex lladdr %s %s \n", ip, st.mac, st.state)
				continue
			}
			upd := st.updated + s - st.from
			if st.pinned {
				upd = (s - st.from) % 2
			}
			fmt.Fprintf(&b, "%s dev br-ex lladdr %s  ref 1 used 0/%d/%dprobes 0 %s \n", ip, st.mac, upd, upd, st.state)
		}
	}
	return b.String()
}

// brokenLoop is the incident's entry: it keeps the old MAC through three
// STALE → DELAY → REACHABLE cycles after the move at 75 s.
func brokenLoop(s *scene, stats bool) string {
	return loop(s.t0, fip, stats,
		stretch{60, 75, "REACHABLE", oldMAC, 10, false},
		stretch{75, 80, "REACHABLE", oldMAC, 0, true}, // the GARPs arrive: updated pinned
		stretch{80, 84, "STALE", oldMAC, 0, false},
		stretch{84, 89, "DELAY", oldMAC, 0, false},
		stretch{89, 120, "REACHABLE", oldMAC, 0, false},
		stretch{120, 126, "STALE", oldMAC, 0, false},
		stretch{126, 131, "DELAY", oldMAC, 0, false},
		stretch{131, 160, "REACHABLE", oldMAC, 0, false},
		stretch{160, 163, "STALE", oldMAC, 0, false},
		stretch{163, 168, "DELAY", oldMAC, 0, false},
		stretch{168, 180, "REACHABLE", oldMAC, 0, false},
	)
}

// fipCapture is the tempest node's capture of the move: it resolved the FIP
// at the old MAC, the new owner sent three reply-type GARPs a second apart,
// and the node's SSH attempts went to the old MAC, unanswered, with no ARP
// request for the FIP.
func fipCapture(cooked bool) *scene {
	s := newScene()
	s.cooked, s.host = cooked, observer
	s.request(0, observer, obsIP, fip, timeline.MAC{})
	s.reply(0.0004, oldMAC, fip, observer, obsIP)
	// a working session before the move
	for sec := 1.0; sec < 58; sec += 3 {
		s.send(sec, observer, oldMAC, obsIP, fip, &pcap.TCPInfo{SrcPort: 43210, DstPort: 22, ACK: true})
		s.send(sec+0.001, oldMAC, observer, fip, obsIP, &pcap.TCPInfo{SrcPort: 22, DstPort: 43210, ACK: true})
	}
	for _, g := range []float64{75, 76, 77} {
		s.garpReply(g, newMAC, fip)
	}
	port := uint16(47000)
	for start := 80.0; start < 178; start += 20 {
		for _, back := range []float64{0, 1, 3, 7, 15} {
			s.syn(start+back, observer, oldMAC, obsIP, fip, port, uint32(port)*1000)
		}
		port++
	}
	s.send(179.5, observer, other, obsIP, "172.24.5.30", nil) // the capture runs past the last cycle
	return s
}

func TestMissingProbeFiresOnTheIncident(t *testing.T) {
	for _, cooked := range []bool{false, true} {
		t.Run(fmt.Sprintf("cooked=%v", cooked), func(t *testing.T) {
			s := fipCapture(cooked)
			tl := mpTimeline(t,
				artifact{path: "node/tempest-br-ex.pcap", host: "node", capture: s},
				artifact{path: "node/arptable", host: "node", neigh: brokenLoop(s, false)})
			f := onlyFinding(t, run(t, missingProbe{}, tl))
			wantSubject(t, f, map[string]any{
				"ip": fip, "host": "node", "mac": oldMAC.String(), "new_mac": newMAC.String(), "cycles": 3,
			})
			if keys := subjectKeys(f); keys != "ip host mac new_mac cycles" {
				t.Errorf("subject keys %q", keys)
			}
			if f.Severity != High || f.Confidence != ConfHigh {
				t.Errorf("severity %s confidence %s, want high/high", f.Severity, f.Confidence)
			}
			if !f.Start.Equal(s.at(80)) || !f.End.Equal(s.at(168)) {
				t.Errorf("span %s – %s", f.Start, f.End)
			}
			for _, want := range []string{
				"STALE → DELAY → REACHABLE on " + oldMAC.String() + " 3 times",
				"announced it at " + newMAC.String(),
				"3 reply-type GARPs",
				"went unanswered",
				"shows no ARP request for " + fip + " from it (" + observer.String(),
				"77d7123342dc",
				"arp_accept",
			} {
				if !strings.Contains(f.Explanation, want) {
					t.Errorf("explanation lacks %q:\n%s", want, f.Explanation)
				}
			}
			if f.KnownIssue == nil || !strings.Contains(f.KnownIssue.FixedIn, "4.12") {
				t.Errorf("known issue: %+v", f.KnownIssue)
			}
			var neighEv, garpEv, synEv, summary bool
			for _, e := range f.Evidence {
				switch {
				case e.Source == "node/arptable" && strings.Contains(e.Text, "DELAY"):
					neighEv = true
				case e.Event >= 0 && strings.Contains(e.Text, "is-at "+newMAC.String()):
					garpEv = true
				case strings.HasPrefix(e.Text, "SYN"):
					synEv = true
				case e.Event < 0 && strings.HasPrefix(e.Text, "no ARP request from"):
					summary = true
				}
			}
			if !neighEv || !garpEv || !synEv || !summary {
				for _, e := range f.Evidence {
					t.Logf("evidence %s %s %s", e.Source, e.Pos, e.Text)
				}
				t.Errorf("evidence: neigh %v garp %v syn %v no-request %v", neighEv, garpEv, synEv, summary)
			}
		})
	}
}

func subjectKeys(f Finding) string {
	var ks []string
	for _, kv := range f.Subject {
		ks = append(ks, kv.Key)
	}
	return strings.Join(ks, " ")
}

// With `ip -s` ages, an updated age pinned at ≤ 1 s while the GARPs arrive
// is named as the pre-4.12 fingerprint.
func TestMissingProbeNamesThePre412Fingerprint(t *testing.T) {
	s := fipCapture(false)
	tl := mpTimeline(t,
		artifact{path: "node/tempest-br-ex.pcap", host: "node", capture: s},
		artifact{path: "node/arptable", host: "node", neigh: brokenLoop(s, true)})
	f := onlyFinding(t, run(t, missingProbe{}, tl))
	for _, want := range []string{"never grew past 1 s", "(3 between 14:31:15 and 14:31:17)", "pre-4.12 fingerprint"} {
		if !strings.Contains(f.Explanation, want) {
			t.Errorf("explanation lacks %q:\n%s", want, f.Explanation)
		}
	}
	found := false
	for _, e := range f.Evidence {
		found = found || strings.Contains(e.Text, "updated timestamp reset")
	}
	if !found {
		t.Error("the reset run is not cited")
	}
	// Without the pinned ages, no fingerprint sentence.
	tl = mpTimeline(t,
		artifact{path: "node/tempest-br-ex.pcap", host: "node", capture: s},
		artifact{path: "node/arptable", host: "node", neigh: strings.ReplaceAll(brokenLoop(s, true), "used 0/0/0probes", "used 0/5/5probes")})
	f = onlyFinding(t, run(t, missingProbe{}, tl))
	if strings.Contains(f.Explanation, "never grew past") {
		t.Errorf("fingerprint claimed without pinned ages:\n%s", f.Explanation)
	}
}

// From neighbour data alone (the move seen in another host's capture), the
// finding stands at medium confidence and says what a capture would add.
func TestMissingProbeFromNeighbourDataIsMedium(t *testing.T) {
	s := fipCapture(false)
	tl := mpTimeline(t,
		artifact{path: "router/qg.pcap", host: "router", capture: s},
		artifact{path: "node/arptable", host: "node", neigh: brokenLoop(s, false)})
	f := onlyFinding(t, run(t, missingProbe{}, tl))
	wantSubject(t, f, map[string]any{"host": "node", "new_mac": newMAC.String(), "cycles": 3})
	if f.Confidence != ConfMedium {
		t.Errorf("confidence %s, want medium", f.Confidence)
	}
	if !strings.Contains(f.Explanation, "answered within the same second") {
		t.Errorf("explanation does not say what polling can miss:\n%s", f.Explanation)
	}
}

// DELAY → REACHABLE without a probe is what a working TCP flow does: with no
// move and no unanswered traffic, nothing fires — with or without captures.
func TestMissingProbeNeverFiresOnTheLoopAlone(t *testing.T) {
	s := newScene()
	healthyFlow := newScene()
	healthyFlow.request(0, observer, obsIP, fip, timeline.MAC{})
	healthyFlow.reply(0.0004, oldMAC, fip, observer, obsIP)
	for start := 80.0; start < 178; start += 20 {
		healthyFlow.syn(start, observer, oldMAC, obsIP, fip, uint16(start), 1)
		healthyFlow.send(start+0.001, oldMAC, observer, fip, obsIP, &pcap.TCPInfo{SrcPort: 22, DstPort: uint16(start), Seq: 9, SYN: true, ACK: true})
	}
	for name, arts := range map[string][]artifact{
		"neighbour data only": {{path: "node/arptable", host: "node", neigh: brokenLoop(s, true)}},
		"answered traffic":    {{path: "node/arptable", host: "node", neigh: brokenLoop(s, false)}, {path: "node/c.pcap", host: "node", capture: healthyFlow}},
	} {
		t.Run(name, func(t *testing.T) {
			if fs := run(t, missingProbe{}, mpTimeline(t, arts...)); len(fs) != 0 {
				t.Errorf("fired: %s\n%s", fs[0].Title, fs[0].Explanation)
			}
		})
	}
}

// If the host's capture shows it asking for the IP during the cycles (a
// PROBE the listings missed), the kernel did its job: no finding.
func TestMissingProbeNotWhenTheHostAsked(t *testing.T) {
	s := fipCapture(false)
	for _, at := range []float64{85, 127, 164} {
		s.request(at, observer, obsIP, fip, oldMAC) // unicast NUD probes to the cached MAC
	}
	tl := mpTimeline(t,
		artifact{path: "node/c.pcap", host: "node", capture: s},
		artifact{path: "node/arptable", host: "node", neigh: brokenLoop(s, false)})
	if fs := run(t, missingProbe{}, tl); len(fs) != 0 {
		t.Errorf("fired although the host probed: %s", fs[0].Explanation)
	}
}

// Unanswered connection attempts are enough without a visible move; the new
// MAC is then unknown.
func TestMissingProbeOnUnansweredTrafficAlone(t *testing.T) {
	s := newScene()
	s.request(0, observer, obsIP, fip, timeline.MAC{})
	s.reply(0.0004, oldMAC, fip, observer, obsIP)
	for _, back := range []float64{0, 1, 3, 7, 15, 31} {
		s.syn(82+back, observer, oldMAC, obsIP, fip, 47000, 1)
	}
	tl := mpTimeline(t,
		artifact{path: "node/c.pcap", host: "node", capture: s},
		artifact{path: "node/arptable", host: "node", neigh: brokenLoop(s, false)})
	f := onlyFinding(t, run(t, missingProbe{}, tl))
	// The second cycle (120–131 s) has no traffic around it: only the first counts.
	wantSubject(t, f, map[string]any{"new_mac": "", "mac": oldMAC.String(), "cycles": 1})
	if !strings.Contains(f.Explanation, "4 TCP SYNs to "+fip+" (port 22) went unanswered") {
		t.Errorf("explanation:\n%s", f.Explanation)
	}
}

// monitorLoop is `ip -ts monitor neigh` of the same entry: STALE and back to
// REACHABLE on the old MAC (DELAY is never notified).
func monitorLoop(t0 time.Time, withProbeElsewhere bool) string {
	var b strings.Builder
	line := func(sec float64, text string) {
		fmt.Fprintf(&b, "[%s] %s \n", t0.Add(time.Duration(sec*float64(time.Second))).Format("2006-01-02T15:04:05.000000"), text)
	}
	if withProbeElsewhere {
		line(30, "172.24.5.30 dev br-ex lladdr fa:16:3e:08:5e:17 PROBE")
		line(30.0001, "172.24.5.30 dev br-ex lladdr fa:16:3e:08:5e:17 REACHABLE")
	}
	for _, c := range [][2]float64{{80.2, 88.9}, {120.1, 130.7}, {160.4, 167.8}} {
		line(c[0], fip+" dev br-ex lladdr "+oldMAC.String()+" STALE")
		line(c[1], fip+" dev br-ex lladdr "+oldMAC.String()+" REACHABLE")
	}
	return b.String()
}

func TestMissingProbeInMonitorOutput(t *testing.T) {
	s := fipCapture(false)
	cases := []struct {
		name    string
		capHost string
		probe   bool
		want    Confidence
	}{
		{"own capture", "node", false, ConfHigh},
		{"PROBE seen elsewhere", "router", true, ConfMedium},
		{"no PROBE ever reported", "router", false, ConfLow},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tl := mpTimeline(t,
				artifact{path: c.capHost + "/c.pcap", host: c.capHost, capture: s},
				artifact{path: "node/monitor.log", host: "node", neigh: monitorLoop(s.t0, c.probe)})
			f := onlyFinding(t, run(t, missingProbe{}, tl))
			wantSubject(t, f, map[string]any{"cycles": 3, "new_mac": newMAC.String()})
			if f.Confidence != c.want {
				t.Errorf("confidence %s, want %s", f.Confidence, c.want)
			}
			if !strings.Contains(f.Title, "STALE → REACHABLE") || !strings.Contains(f.Explanation, "never reports DELAY") {
				t.Errorf("title %q / explanation:\n%s", f.Title, f.Explanation)
			}
			if weak := strings.Contains(f.Explanation, "kernels before 4.2"); weak != (c.want == ConfLow) {
				t.Errorf("kernel-4.2 caveat present=%v:\n%s", weak, f.Explanation)
			}
		})
	}
}

// A monitor STALE → PROBE → REACHABLE is a probe that worked: not a cycle.
func TestMissingProbeMonitorProbeBreaksTheCycle(t *testing.T) {
	s := fipCapture(false)
	in := strings.ReplaceAll(monitorLoop(s.t0, false), " REACHABLE \n", " PROBE \n") +
		monitorLoop(s.t0.Add(time.Hour), false)
	in = monitorLoop(s.t0, false)
	var b strings.Builder
	for _, l := range strings.SplitAfter(in, "\n") {
		if strings.Contains(l, "REACHABLE") {
			b.WriteString(strings.Replace(l, "REACHABLE", "PROBE", 1))
		}
		b.WriteString(l)
	}
	tl := mpTimeline(t,
		artifact{path: "node/c.pcap", host: "node", capture: s},
		artifact{path: "node/monitor.log", host: "node", neigh: b.String()})
	if fs := run(t, missingProbe{}, tl); len(fs) != 0 {
		t.Errorf("fired on STALE → PROBE → REACHABLE: %s", fs[0].Title)
	}
}

// The entry that recovers — DELAY → PROBE → FAILED → INCOMPLETE → REACHABLE
// on the new MAC — is the healthy run: nothing fires.
func TestMissingProbeHealthyRecovery(t *testing.T) {
	s := fipCapture(false)
	neighText := loop(s.t0, fip, false,
		stretch{60, 80, "REACHABLE", oldMAC, 0, false},
		stretch{80, 82, "STALE", oldMAC, 0, false},
		stretch{82, 87, "DELAY", oldMAC, 0, false},
		stretch{87, 90, "PROBE", oldMAC, 0, false},
		stretch{90, 91, "FAILED", timeline.MAC{}, 0, false},
		stretch{91, 92, "INCOMPLETE", timeline.MAC{}, 0, false},
		stretch{92, 120, "REACHABLE", newMAC, 0, false},
	)
	neighText = strings.ReplaceAll(neighText, "lladdr 00:00:00:00:00:00 ", " ")
	tl := mpTimeline(t,
		artifact{path: "node/c.pcap", host: "node", capture: s},
		artifact{path: "node/arptable", host: "node", neigh: neighText})
	if fs := run(t, missingProbe{}, tl); len(fs) != 0 {
		t.Errorf("fired on a healthy recovery: %s", fs[0].Title)
	}
}

// A listing loop and ip monitor on the same host show the same cycles once.
func TestMissingProbeCountsEachCycleOnce(t *testing.T) {
	s := fipCapture(false)
	tl := mpTimeline(t,
		artifact{path: "node/c.pcap", host: "node", capture: s},
		artifact{path: "node/arptable", host: "node", neigh: brokenLoop(s, false)},
		artifact{path: "node/monitor.log", host: "node", neigh: monitorLoop(s.t0, true)})
	f := onlyFinding(t, run(t, missingProbe{}, tl))
	wantSubject(t, f, map[string]any{"cycles": 3})
}

// Over an address scan the pass keeps a bounded number of entries, still
// finds the cycles of the entry that has them, and says what it forgot.
func TestMissingProbeStaysBoundedOverAScan(t *testing.T) {
	defer func(n int) { maxNeighEntries = n }(maxNeighEntries)
	maxNeighEntries = 50
	s := fipCapture(false)
	var b strings.Builder
	for i := range 400 {
		at := s.t0.Add(time.Duration(i) * 100 * time.Millisecond)
		fmt.Fprintf(&b, "[%s] 10.99.%d.%d dev br-ex  FAILED \n", at.Format("2006-01-02T15:04:05.000000"), i/250, i%250+1)
	}
	tl := mpTimeline(t,
		artifact{path: "node/c.pcap", host: "node", capture: s},
		artifact{path: "node/monitor.log", host: "node", neigh: b.String() + monitorLoop(s.t0, false)})
	facts := &runFacts{}
	nb := neighSequences(tl, facts)
	cycles := 0
	for _, sq := range nb.seqs {
		cycles += len(sq.found)
	}
	if len(nb.seqs) > maxNeighEntries || cycles != 3 {
		t.Errorf("%d entries kept (bound %d), %d cycles found (want 3)", len(nb.seqs), maxNeighEntries, cycles)
	}
	if len(facts.notes) != 1 || !strings.Contains(facts.notes[0], "forgotten") {
		t.Errorf("notes %q, want one on the forgotten entries", facts.notes)
	}
	f := onlyFinding(t, run(t, missingProbe{}, tl))
	wantSubject(t, f, map[string]any{"cycles": 3})
}
