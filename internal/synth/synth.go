// Package synth builds analysed results for the tests and benchmarks of the
// TUI and the HTML page without parsers or detectors: events through the
// timeline's own payload types (and a plain log-line payload), findings as
// detect.Finding values citing events by index, exactly as the pipeline
// hands them over. Each incident is a named scenario (FIPReuse,
// FIPReuseLocktime); Large and Bulk are big runs for sizes and speed.
package synth

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/netip"
	"time"

	"github.com/arpforensics/arpforensics/analysis"
	"github.com/arpforensics/arpforensics/detect"
	"github.com/arpforensics/arpforensics/parse/neigh"
	"github.com/arpforensics/arpforensics/parse/pcap"
	"github.com/arpforensics/arpforensics/timeline"
)

// Line is a text-source event: a log or transaction line with the keys it
// concerns. Parsers will have their own payloads; this one stands in.
// Neighbour lines are real *timeline.Neigh payloads (NeighLine): the
// timeline keeps every KindNeigh event in its compact neighbour record, so a
// Line of that kind would not come back out of it.
type Line struct {
	K        timeline.Kind
	Text     string
	IPs      []netip.Addr
	MACs     []timeline.MAC
	Entities []string
}

func (l *Line) Kind() timeline.Kind { return l.K }
func (l *Line) Summary() string     { return l.Text }
func (l *Line) AppendKeys(k *timeline.Keys) {
	k.IPs = append(k.IPs, l.IPs...)
	k.MACs = append(k.MACs, l.MACs...)
	k.Entities = append(k.Entities, l.Entities...)
}
func (l *Line) Fields() []timeline.Field { return []timeline.Field{{Name: "text", Value: l.Text}} }

// Lines are kept in timelines as JSON (timeline.RegisterPayload).
func init() { timeline.RegisterPayload(&Line{}) }

// lineJSON is Line as stored: the kind as its number, since timeline.Kind
// marshals to its name and does not read it back.
type lineJSON struct {
	K        uint8
	Text     string
	IPs      []netip.Addr   `json:",omitempty"`
	MACs     []timeline.MAC `json:",omitempty"`
	Entities []string       `json:",omitempty"`
}

func (l *Line) MarshalJSON() ([]byte, error) {
	return json.Marshal(lineJSON{K: uint8(l.K), Text: l.Text, IPs: l.IPs, MACs: l.MACs, Entities: l.Entities})
}

func (l *Line) UnmarshalJSON(b []byte) error {
	var w lineJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*l = Line{K: timeline.Kind(w.K), Text: w.Text, IPs: w.IPs, MACs: w.MACs, Entities: w.Entities}
	return nil
}

// NeighLine is the payload of an `ip neigh` snapshot line
// "IP dev DEV lladdr MAC STATE", whose summary reads as the line does.
func NeighLine(ip netip.Addr, dev string, mac timeline.MAC, state timeline.NUD) *timeline.Neigh {
	return &timeline.Neigh{NeighEntry: timeline.NeighEntry{IP: ip, Dev: dev, LLAddr: mac, HasLL: true, State: state}, Listings: 1}
}

// MAC parses a MAC or panics (test data only).
func MAC(s string) timeline.MAC {
	m, err := timeline.ParseMAC(s)
	if err != nil {
		panic(err)
	}
	return m
}

// IP parses an address or panics.
func IP(s string) netip.Addr { return netip.MustParseAddr(s) }

// ARPFrame builds an Ethernet ARP frame's bytes and its event payload.
func ARPFrame(op uint16, src, dst, sha, tha timeline.MAC, spa, tpa netip.Addr) *timeline.ARP {
	b := make([]byte, 42)
	copy(b[0:6], dst[:])
	copy(b[6:12], src[:])
	binary.BigEndian.PutUint16(b[12:], 0x0806)
	binary.BigEndian.PutUint16(b[14:], 1)      // Ethernet
	binary.BigEndian.PutUint16(b[16:], 0x0800) // IPv4
	b[18], b[19] = 6, 4
	binary.BigEndian.PutUint16(b[20:], op)
	copy(b[22:28], sha[:])
	s4, t4 := spa.As4(), tpa.As4()
	copy(b[28:32], s4[:])
	copy(b[32:38], tha[:])
	copy(b[38:42], t4[:])
	return &timeline.ARP{
		Link: timeline.Link{Src: src, Dst: dst, DstKnown: true},
		Op:   op, Class: timeline.ClassifyARP(op, sha, tha, spa, tpa),
		SHA: sha, THA: tha, SPA: spa, TPA: tpa, Bytes: b,
	}
}

// Scenario names the addresses of the floating-IP-reuse story.
var (
	FIP      = IP("172.24.5.13")
	OldMAC   = MAC("fa:16:3e:11:11:11")
	NewMAC   = MAC("fa:16:3e:22:22:22")
	NodeMAC  = MAC("fa:16:3e:aa:aa:aa")
	NodeIP   = IP("172.24.5.1")
	OtherIP  = IP("10.0.0.218")
	OtherMAC = MAC("fa:16:3e:33:33:33")
)

// T0 is when the new router announces the floating IP.
var T0 = time.Date(2024, 9, 18, 17, 9, 17, 275597000, time.UTC)

// EvilLine is a log line full of terminal escape sequences and tview tags.
const EvilLine = "2024-09-18 17:09:30.000 1 ERROR tempest \x1b[31mSSH timed out\x1b[0m to 172.24.5.13 [red]reboot[-] \x1b]8;;https://evil.example\x07click\x1b]8;;\x07 [:::https://evil.example]link\x1b[2J"

// FIPReuse is a small result in the shape of incident 1: a tempest node keeps
// sending SYNs to a floating IP's old MAC after the new router's GARPs. It
// has a stale-mac finding (high) whose first evidence is the first GARP, a
// garp-locktime finding (medium) and a mac-change finding (info).
func FIPReuse() *analysis.Result {
	capture := &timeline.Source{Path: "artifacts/tempest/capture.pcap", Kind: pcap.Pcap.Name, Host: "tempest"}
	table := &timeline.Source{Path: "artifacts/tempest/neigh.log", Kind: neigh.Format.Name, Host: "tempest"}
	// No format reads Line's log: its kind is the fixture's own.
	log := &timeline.Source{Path: "artifacts/controller/tempest.log", Kind: "log", Host: "controller"}
	var capEv, neighEv, logEv []timeline.Event
	frame := int64(0)
	addFrame := func(t time.Time, p timeline.Payload) {
		frame++
		capEv = append(capEv, timeline.Event{Time: t, Pos: timeline.Pos{Frame: frame}, Data: p})
	}
	line := int64(0)
	addNeigh := func(t time.Time, text string, mac timeline.MAC, state timeline.NUD) {
		line++
		neighEv = append(neighEv, timeline.Event{Time: t, Pos: timeline.Pos{Line: line}, Raw: text,
			Data: NeighLine(FIP, "br-ex", mac, state)})
	}
	// Before: the old MAC answers for the IP; unrelated traffic around.
	start := T0.Add(-40 * time.Second)
	addFrame(start, ARPFrame(1, NodeMAC, timeline.Broadcast, NodeMAC, timeline.MAC{}, NodeIP, FIP))
	addFrame(start.Add(300*time.Microsecond), ARPFrame(2, OldMAC, NodeMAC, OldMAC, NodeMAC, FIP, NodeIP))
	for i := 0; i < 30; i++ {
		t := start.Add(time.Duration(i+1) * time.Second)
		addFrame(t, ARPFrame(1, OtherMAC, timeline.Broadcast, OtherMAC, timeline.MAC{}, OtherIP, IP(fmt.Sprintf("10.0.0.%d", i+2))))
	}
	// The announcement: three GARPs 0.5 s apart (inside locktime).
	for i := 0; i < 3; i++ {
		addFrame(T0.Add(time.Duration(i)*500*time.Millisecond), ARPFrame(1, NewMAC, timeline.Broadcast, NewMAC, timeline.MAC{}, FIP, FIP))
	}
	// After: SYNs keep going to the old MAC for two minutes.
	for i := 0; i < 40; i++ {
		t := T0.Add(2*time.Second + time.Duration(i)*3*time.Second)
		addFrame(t, &timeline.TCP{
			Link: timeline.Link{Src: NodeMAC, Dst: OldMAC, DstKnown: true, Direction: timeline.DirOutgoing},
			What: timeline.TCPSynRetrans, SrcIP: NodeIP, DstIP: FIP, SrcPort: 40022, DstPort: 22, Seq: 1000, Attempt: i + 2,
		})
	}
	capEv = append(capEv, timeline.Event{Time: T0.Add(2 * time.Second), End: T0.Add(119 * time.Second), Pos: timeline.Pos{Frame: frame + 1},
		Data: &timeline.UsageRun{Link: timeline.Link{Src: NodeMAC, Dst: OldMAC, DstKnown: true}, SrcIP: NodeIP, DstIP: FIP, Frames: 40, SYNs: 40, Last: timeline.Pos{Frame: frame}}})
	for i := 0; i < 60; i++ {
		t := T0.Add(-10*time.Second + time.Duration(i)*2*time.Second)
		state := []timeline.NUD{timeline.NUDStale, timeline.NUDDelay, timeline.NUDReachable}[i%3]
		addNeigh(t, fmt.Sprintf("172.24.5.13 dev br-ex lladdr fa:16:3e:11:11:11 %s", state), OldMAC, state)
	}
	logEv = append(logEv,
		timeline.Event{Time: T0.Add(30 * time.Second), Pos: timeline.Pos{Line: 1}, Raw: EvilLine, Data: &Line{K: timeline.KindSymptom, Text: EvilLine, IPs: []netip.Addr{FIP}}},
		timeline.Event{Time: T0.Add(121 * time.Second), Pos: timeline.Pos{Line: 2}, Raw: "2024-09-18 17:11:18.000 1 ERROR tempest test_server_connectivity FAILED", Data: &Line{K: timeline.KindLog, Text: "2024-09-18 17:11:18.000 1 ERROR tempest test_server_connectivity FAILED"}},
	)
	for _, s := range []*timeline.Source{capture, table, log} {
		s.Records = 1
	}
	tl := timeline.Build([]*timeline.Source{capture, table, log}, [][]timeline.Event{capEv, neighEv, logEv})
	// Sources' spans as the events' start times (Merge counts usage runs'
	// ends in Last).
	for _, s := range tl.Sources {
		s.Events, s.First, s.Last = 0, time.Time{}, time.Time{}
	}
	for _, r := range tl.Records(0, -1) {
		s := tl.Sources[r.Src]
		s.Events++
		if s.First.IsZero() {
			s.First = r.Time()
		}
		s.Last = r.Time()
	}
	find := func(pred func(r *timeline.Record) bool) int {
		for i, r := range tl.Records(0, -1) {
			if pred(r) {
				return i
			}
		}
		panic("synth: event not found")
	}
	garp := find(func(r *timeline.Record) bool { a, ok := r.ARPRec(); return ok && a.Class.IsGARP() })
	garpT := tl.Time(garp)
	garp2 := find(func(r *timeline.Record) bool {
		a, ok := r.ARPRec()
		return ok && a.Class.IsGARP() && r.Time().After(garpT)
	})
	syn := find(func(r *timeline.Record) bool { return r.Kind == timeline.KindTCP })
	usage := find(func(r *timeline.Record) bool { return r.Kind == timeline.KindUsage })
	stale := find(func(r *timeline.Record) bool { return r.Time().After(T0) && r.Kind == timeline.KindNeigh })
	oldReply := find(func(r *timeline.Record) bool { a, ok := r.ARPRec(); return ok && a.Op == 2 })
	cite := func(idx ...int) []detect.Evidence {
		var out []detect.Evidence
		for _, i := range idx {
			out = append(out, detect.EventEvidence(tl, i))
		}
		return out
	}
	findings := []detect.Finding{
		{
			ID: "stale-mac-0123456789ab", Detector: "stale-mac", Severity: detect.High, Confidence: detect.ConfHigh,
			Title: "172.24.5.13 kept being sent to its old MAC fa:16:3e:11:11:11 for 1m59s after it moved to fa:16:3e:22:22:22",
			Start: T0, End: T0.Add(119 * time.Second),
			Subject: detect.Subject{{Key: "ip", Value: "172.24.5.13"}, {Key: "old_mac", Value: "fa:16:3e:11:11:11"}, {Key: "new_mac", Value: "fa:16:3e:22:22:22"},
				{Key: "observer_mac", Value: "fa:16:3e:aa:aa:aa"}, {Key: "frames_to_old_mac", Value: 40}, {Key: "observer_arp_requests", Value: 0}, {Key: "duration_s", Value: 119.0}},
			Evidence:    append(cite(garp, syn, usage, stale), detect.Evidence{Source: "artifacts/tempest/capture.pcap", Pos: timeline.Span{First: timeline.Pos{Frame: 36}, Last: timeline.Pos{Frame: 75}}, Time: T0.Add(2 * time.Second), Text: "40 SYNs to the old MAC", Event: -1}),
			Explanation: "After the new router announced 172.24.5.13 at fa:16:3e:22:22:22 with gratuitous ARPs, the tempest node kept sending TCP SYNs to fa:16:3e:11:11:11.\n\nLinux before 4.12 ignores GARPs inside locktime (1 s).",
			KnownIssue:  &detect.KnownIssue{ID: "linux-garp-locktime", Title: "GARPs inside locktime ignored", FixedIn: "Linux 4.12"},
		},
		{
			ID: "garp-locktime-abcdef012345", Detector: "garp-locktime", Severity: detect.Medium, Confidence: detect.ConfHigh,
			Title: "GARPs for 172.24.5.13 at fa:16:3e:22:22:22 only 500ms apart", Start: T0, End: T0.Add(time.Second),
			Subject:  detect.Subject{{Key: "ip", Value: "172.24.5.13"}, {Key: "mac", Value: "fa:16:3e:22:22:22"}, {Key: "min_spacing_ms", Value: 500}},
			Evidence: cite(garp, garp2),
		},
		{
			ID: "mac-change-fedcba987654", Detector: "mac-change", Severity: detect.Info, Confidence: detect.ConfHigh,
			Title: "172.24.5.13 moved from fa:16:3e:11:11:11 to fa:16:3e:22:22:22", Start: T0,
			Subject:  detect.Subject{{Key: "ip", Value: "172.24.5.13"}, {Key: "old_mac", Value: "fa:16:3e:11:11:11"}, {Key: "new_mac", Value: "fa:16:3e:22:22:22"}},
			Evidence: cite(oldReply, garp),
		},
	}
	detect.Sort(findings)
	return &analysis.Result{Timeline: tl, Findings: findings}
}
