package html

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"

	"github.com/arpforensics/arpforensics/analysis"
	"github.com/arpforensics/arpforensics/detect"
	"github.com/arpforensics/arpforensics/timeline"
)

// Synthetic results for tests: built from the event model directly, so the
// page can be tested before (and independently of) the parsers and
// detectors that will produce such results from real artifacts.

// logLine is a text-artifact event for tests (KindLog has no payload type of
// its own yet).
type logLine struct{ Text string }

func init() { timeline.RegisterPayload(&logLine{}) }

func (l *logLine) Kind() timeline.Kind         { return timeline.KindLog }
func (l *logLine) Summary() string             { return l.Text }
func (l *logLine) AppendKeys(k *timeline.Keys) {}
func (l *logLine) Fields() []timeline.Field    { return []timeline.Field{{Name: "text", Value: l.Text}} }
func (l *logLine) String() string              { return l.Text }
func mustMAC(s string) timeline.MAC            { m, err := timeline.ParseMAC(s); must(err); return m }
func mustIP(s string) netip.Addr               { return netip.MustParseAddr(s) }

// subj builds a finding subject from key, value pairs.
func subj(kv ...any) detect.Subject {
	var s detect.Subject
	for i := 0; i+1 < len(kv); i += 2 {
		s.Set(kv[i].(string), kv[i+1])
	}
	return s
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

// The injection lines of the acceptance criteria: they must show as text.
const (
	injectScript = `</script><script>alert(1)</script>`
	injectImg    = `<img src=x onerror=alert(1)>`
)

var (
	fipIP    = mustIP("172.24.5.11")
	nodeIP   = mustIP("172.24.5.1")
	oldMAC   = mustMAC("fa:16:3e:11:11:11")
	newMAC   = mustMAC("fa:16:3e:22:22:22")
	nodeMAC  = mustMAC("1e:d5:ec:49:df:4f")
	baseTime = time.Date(2018, 9, 18, 17, 8, 40, 0, time.UTC)
)

type builder struct {
	sources []*timeline.Source
	events  [][]timeline.Event
}

func (b *builder) source(path, kind, host string) int {
	b.sources = append(b.sources, &timeline.Source{Path: path, Kind: kind, Host: host})
	b.events = append(b.events, nil)
	return len(b.sources) - 1
}

func (b *builder) add(src int, at time.Time, pos timeline.Pos, p timeline.Payload, raw string) {
	b.events[src] = append(b.events[src], timeline.Event{Time: at, Pos: pos, Data: p, Raw: raw})
}

func (b *builder) build() *timeline.Timeline {
	for i, s := range b.sources {
		evs := b.events[i]
		s.Events = int64(len(evs))
		s.Records = s.Events
		if len(evs) > 0 {
			s.First, s.Last = evs[0].Time, evs[0].Last()
			for _, e := range evs {
				if e.Time.Before(s.First) {
					s.First = e.Time
				}
				if e.Last().After(s.Last) {
					s.Last = e.Last()
				}
			}
		}
	}
	return timeline.Build(b.sources, b.events)
}

func garp(at time.Time, frame int64) (time.Time, timeline.Pos, timeline.Payload) {
	a := &timeline.ARP{
		Link: timeline.Link{Src: newMAC, Dst: timeline.Broadcast, DstKnown: true},
		Op:   2, SHA: newMAC, THA: timeline.Broadcast, SPA: fipIP, TPA: fipIP,
	}
	a.Class = timeline.ClassifyARP(a.Op, a.SHA, a.THA, a.SPA, a.TPA)
	return at, timeline.Pos{Frame: frame}, a
}

// find locates the event whose payload satisfies ok.
func find(tl *timeline.Timeline, ok func(e *timeline.Event) bool) []int {
	var out []int
	for i := range tl.Len() {
		if e := tl.Event(i); ok(&e) {
			out = append(out, i)
		}
	}
	return out
}

// fipReuse is the second incident in miniature: the FIP moves to a new MAC
// with three reply-type GARPs one second apart, the node keeps sending SYNs
// to the old MAC for five minutes and never sends an ARP request. A
// neutron-server log on the controller carries the injection lines.
func fipReuse(tb testing.TB) *analysis.Result {
	tb.Helper()
	var b builder
	pcap := b.source("logs/compute-1/tcpdump.pcap", "pcap", "compute-1")
	log := b.source("logs/controller/screen-q-svc.txt", "txnlog", "controller <b>ctl</b>")
	b.sources[b.source("logs/controller/notes.bin", "unknown", "controller <b>ctl</b>")].SkipReason = "kind not recognised"
	b.sources[log].Problemf(timeline.Pos{Line: 7}, "cannot read timestamp %q", injectImg)
	b.sources[log].Notef(timeline.Pos{Line: 1}, "no time zone: read as UTC")

	frame := int64(1)
	next := func() int64 { frame++; return frame }
	// The old binding, learned before the move.
	old := &timeline.ARP{Link: timeline.Link{Src: oldMAC, Dst: nodeMAC, DstKnown: true}, Op: 2, SHA: oldMAC, THA: nodeMAC, SPA: fipIP, TPA: nodeIP}
	old.Class = timeline.ClassifyARP(old.Op, old.SHA, old.THA, old.SPA, old.TPA)
	b.add(pcap, baseTime, timeline.Pos{Frame: next()}, old, "")
	before := &timeline.UsageRun{Link: timeline.Link{Src: nodeMAC, Dst: oldMAC, DstKnown: true}, SrcIP: nodeIP, DstIP: fipIP, Frames: 60, Last: timeline.Pos{Frame: 80}}
	b.events[pcap] = append(b.events[pcap], timeline.Event{Time: baseTime.Add(time.Second), End: baseTime.Add(29 * time.Second), Pos: timeline.Pos{Frame: next()}, Data: before})
	move := baseTime.Add(30 * time.Second)
	for i := 0; i < 3; i++ {
		at, pos, p := garp(move.Add(time.Duration(i)*time.Second), next())
		b.add(pcap, at, pos, p, "")
	}
	stale := &timeline.UsageRun{Link: timeline.Link{Src: nodeMAC, Dst: oldMAC, DstKnown: true}, SrcIP: nodeIP, DstIP: fipIP, Frames: 312, SYNs: 45, Last: timeline.Pos{Frame: 900}}
	b.events[pcap] = append(b.events[pcap], timeline.Event{Time: move.Add(2100 * time.Millisecond), End: move.Add(5*time.Minute + 2*time.Second), Pos: timeline.Pos{Frame: next()}, Data: stale})
	for i := 0; i < 16; i++ {
		at := move.Add(3*time.Second + time.Duration(i)*19*time.Second)
		syn := &timeline.TCP{Link: timeline.Link{Src: nodeMAC, Dst: oldMAC, DstKnown: true}, What: timeline.TCPSynRetrans, SrcIP: nodeIP, DstIP: fipIP, SrcPort: 40000 + uint16(i/4), DstPort: 22, Seq: 1000 + uint32(i/4), Attempt: i%4 + 1}
		if i%4 == 0 {
			syn.What = timeline.TCPSyn
		}
		b.add(pcap, at, timeline.Pos{Frame: next()}, syn, "")
	}
	// Unrelated ARP chatter.
	for i := 0; i < 40; i++ {
		other := mustIP(fmt.Sprintf("172.24.5.%d", 20+i%7))
		req := &timeline.ARP{Link: timeline.Link{Src: mustMAC(fmt.Sprintf("fa:16:3e:00:00:%02x", i%7)), Dst: timeline.Broadcast, DstKnown: true}, Op: 1, SHA: mustMAC(fmt.Sprintf("fa:16:3e:00:00:%02x", i%7)), SPA: other, TPA: nodeIP}
		req.Class = timeline.ClassifyARP(req.Op, req.SHA, req.THA, req.SPA, req.TPA)
		b.add(pcap, baseTime.Add(time.Duration(i)*8*time.Second), timeline.Pos{Frame: next()}, req, "")
	}
	lines := []string{
		"2018-09-18 17:09:05.276 32314 DEBUG ovsdbapp.backend.ovs_idl.transaction [-] Running txn n=1 command(idx=0): AddLRouterCommand(name=neutron-cc163b42)",
		"2018-09-18 17:09:12.100 32314 DEBUG neutron.wsgi [req-1] port name=" + injectScript + " device=" + injectImg,
		"2018-09-18 17:11:00.000 32314 INFO neutron.wsgi [req-2] GET /v2.0/ports?device_id=\u202eevil status: 200",
	}
	for i, l := range lines {
		at, _ := time.Parse("2006-01-02 15:04:05.000", l[:23])
		b.add(log, at, timeline.Pos{Line: int64(3*i + 1)}, &logLine{l}, l)
	}
	tl := b.build()

	garps := find(tl, func(e *timeline.Event) bool {
		a, ok := e.Data.(*timeline.ARP)
		return ok && a.Class.IsGARP()
	})
	staleRun := find(tl, func(e *timeline.Event) bool {
		u, ok := e.Data.(*timeline.UsageRun)
		return ok && u.Frames == 312
	})
	syns := find(tl, func(e *timeline.Event) bool { _, ok := e.Data.(*timeline.TCP); return ok })
	inject := find(tl, func(e *timeline.Event) bool { return e.Raw == lines[1] })

	var ev []detect.Evidence
	for _, i := range append(append(append([]int{}, garps...), staleRun...), syns...) {
		ev = append(ev, detect.EventEvidence(tl, i))
	}
	staleF := detect.Finding{
		ID: "stale-mac-0123456789ab", Detector: "stale-mac", Severity: detect.High, Confidence: detect.ConfHigh,
		Title: "1e:d5:ec:49:df:4f kept sending to 172.24.5.11 at its old MAC fa:16:3e:11:11:11 for 5m0s after it moved to fa:16:3e:22:22:22",
		Start: move, End: move.Add(5*time.Minute + 2*time.Second),
		Subject:  subj("ip", "172.24.5.11", "old_mac", oldMAC.String(), "new_mac", newMAC.String(), "observer_mac", nodeMAC.String(), "frames_to_old_mac", 312, "observer_arp_requests", 0, "duration_s", 302.0),
		Evidence: ev,
		Explanation: "172.24.5.11 was announced at fa:16:3e:22:22:22 by 3 gratuitous ARP replies 1.000 s apart, but the node kept sending to the old MAC and never sent an ARP request.\n\n" +
			"Linux before 4.12 ignores ARP updates that arrive within locktime (1 s) of the last one, and the ignored updates still refresh the entry, so it never probes.\n\nCheck the node's kernel version.",
		KnownIssue: &detect.KnownIssue{ID: "linux-arp-locktime", Title: "Linux < 4.12 ignores GARPs inside locktime", FixedIn: "Linux 4.12", URL: "https://git.kernel.org/pub/scm/linux/kernel/git/torvalds/linux.git/commit/?id=56022a8fdd874c56bb61d8c82559e43044d1aa06"},
	}
	var gev []detect.Evidence
	for _, i := range garps {
		gev = append(gev, detect.EventEvidence(tl, i))
	}
	lockF := detect.Finding{
		ID: "garp-locktime-0123456789ab", Detector: "garp-locktime", Severity: detect.Medium, Confidence: detect.ConfHigh,
		Title: "GARPs for 172.24.5.11 are 1000 ms apart: within locktime", Start: move, End: move.Add(2 * time.Second),
		Subject:     subj("ip", "172.24.5.11", "mac", newMAC.String(), "min_spacing_ms", 1000),
		Evidence:    gev,
		Explanation: "Consecutive gratuitous ARPs 1 s apart.",
	}
	logF := detect.Finding{
		ID: "log-0123456789ab", Detector: "test-log", Severity: detect.Low, Confidence: detect.ConfLow,
		Title: "A log line named " + injectImg, Start: tl.Time(inject[0]), End: tl.Time(inject[0]),
		Subject:     subj("line", injectScript),
		Evidence:    []detect.Evidence{detect.EventEvidence(tl, inject[0])},
		Explanation: "The text " + injectScript + " must stay text.",
	}
	fs := []detect.Finding{staleF, lockF, logF}
	detect.Sort(fs)
	return &analysis.Result{Timeline: tl, Findings: fs}
}

// bulk is a large run: n events over an hour from four captures and a log,
// realistic in how repetitive their text is (a few thousand hosts, counters
// that grow), with one stale-MAC finding citing a few of them.
func bulk(tb testing.TB, n int) *analysis.Result {
	tb.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	var b builder
	var caps []int
	for h := 0; h < 4; h++ {
		caps = append(caps, b.source(fmt.Sprintf("logs/compute-%d/tcpdump.pcap", h), "pcap", fmt.Sprintf("compute-%d", h)))
	}
	log := b.source("logs/controller/screen-q-svc.txt", "txnlog", "controller")
	host := func(i int) (timeline.MAC, netip.Addr) {
		return timeline.MAC{0xfa, 0x16, 0x3e, 0, byte(i >> 8), byte(i)}, netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)})
	}
	start := baseTime
	for i := 0; i < n; i++ {
		at := start.Add(time.Duration(int64(i) * int64(time.Hour) / int64(n)))
		src := caps[rng.IntN(len(caps))]
		pos := timeline.Pos{Frame: int64(i + 1)}
		switch r := rng.IntN(10); {
		case r < 4:
			m, ip := host(rng.IntN(2000))
			_, tpa := host(rng.IntN(2000))
			a := &timeline.ARP{Link: timeline.Link{Src: m, Dst: timeline.Broadcast, DstKnown: true}, Op: 1, SHA: m, SPA: ip, TPA: tpa}
			a.Class = timeline.ClassifyARP(a.Op, a.SHA, a.THA, a.SPA, a.TPA)
			b.add(src, at, pos, a, "")
		case r < 6:
			m, ip := host(rng.IntN(2000))
			d, dip := host(rng.IntN(2000))
			u := &timeline.UsageRun{Link: timeline.Link{Src: m, Dst: d, DstKnown: true}, SrcIP: ip, DstIP: dip, Frames: int64(rng.IntN(5000)), Last: timeline.Pos{Frame: int64(i + 100)}}
			b.events[src] = append(b.events[src], timeline.Event{Time: at, End: at.Add(time.Duration(rng.IntN(30)) * time.Second), Pos: pos, Data: u})
		case r < 8:
			m, ip := host(rng.IntN(2000))
			_, dip := host(rng.IntN(2000))
			t := &timeline.TCP{Link: timeline.Link{Src: m}, What: timeline.TCPSyn, SrcIP: ip, DstIP: dip, SrcPort: uint16(32768 + rng.IntN(28000)), DstPort: 22, Seq: rng.Uint32()}
			b.add(src, at, pos, t, "")
		default:
			line := fmt.Sprintf("%s %d DEBUG ovsdbapp.backend.ovs_idl.transaction [req-%08x-%04x] Running txn n=1 command(idx=%d): SetLSwitchPortCommand(lport=%08x-6a2b-4e0c-9a58-%012x, external_ids_update=None, if_exists=True)",
				at.Format("2006-01-02 15:04:05.000"), 32314+rng.IntN(4), rng.Uint32(), rng.IntN(65536), rng.IntN(4), rng.Uint32(), rng.Uint64()&0xffffffffffff)
			b.add(log, at, timeline.Pos{Line: int64(i + 1)}, &logLine{line}, line)
		}
	}
	tl := b.build()
	var ev []detect.Evidence
	for i := 0; i < tl.Len(); i += tl.Len()/20 + 1 {
		ev = append(ev, detect.EventEvidence(tl, i))
	}
	f := detect.Finding{
		ID: "test-bulk-0123456789ab", Detector: "test-bulk", Severity: detect.Info, Title: "bulk finding",
		Start: tl.Time(0), End: tl.Time(tl.Len() - 1), Evidence: ev,
	}
	return &analysis.Result{Timeline: tl, Findings: []detect.Finding{f}}
}

// manyFindings adds n findings to r (detectors and severities mixed, each
// citing ten events), as a big CI tree with many IP moves would produce.
func manyFindings(r *analysis.Result, n int) *analysis.Result {
	tl := r.Timeline
	dets := []string{"mac-change", "arp-unanswered", "garp-locktime", "stale-mac"}
	for i := 0; i < n; i++ {
		var ev []detect.Evidence
		for j := 0; j < 10; j++ {
			ev = append(ev, detect.EventEvidence(tl, (i*37+j*101)%tl.Len()))
		}
		at := tl.Time((i * 37) % tl.Len())
		f := detect.Finding{
			ID: fmt.Sprintf("many-%05d", i), Detector: dets[i%len(dets)], Severity: detect.Severity(i % 4),
			Title: fmt.Sprintf("finding %d about 10.0.%d.%d", i, i/256, i%256), Start: at, End: at.Add(time.Duration(i%30) * time.Second),
			Evidence: ev, Explanation: "A finding among many.\n\nIt has two paragraphs.",
		}
		f.Subject.Set("ip", fmt.Sprintf("10.0.%d.%d", i/256, i%256))
		r.Findings = append(r.Findings, f)
	}
	detect.Sort(r.Findings)
	return r
}
