package synth

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"time"

	"github.com/arpforensics/arpforensics/analysis"
	"github.com/arpforensics/arpforensics/detect"
	"github.com/arpforensics/arpforensics/parse/neigh"
	"github.com/arpforensics/arpforensics/parse/pcap"
	"github.com/arpforensics/arpforensics/parse/txnlog"
	"github.com/arpforensics/arpforensics/timeline"
)

// Large builds a result of n events spread over an hour from four sources:
// ARP frames with their bytes (40%), TCP handshake frames (20%), usage runs
// (20%) and log lines (20%), with three findings citing events across it.
// It is what the TUI's benchmarks open.
func Large(n int) *analysis.Result {
	sources := []*timeline.Source{
		{Path: "bench/node-1/capture.pcap", Kind: pcap.Pcap.Name, Host: "node-1"},
		{Path: "bench/node-2/capture.pcap", Kind: pcap.Pcap.Name, Host: "node-2"},
		{Path: "bench/node-1/neigh.log", Kind: neigh.Format.Name, Host: "node-1"},
		{Path: "bench/controller/neutron-server.log", Kind: txnlog.Format.Name, Host: "controller"},
	}
	per := make([][]timeline.Event, len(sources))
	for i := range per {
		per[i] = make([]timeline.Event, 0, n/len(sources)+1)
	}
	start := T0
	step := time.Hour / time.Duration(max(n, 1))
	mac := func(i int) timeline.MAC { return timeline.MAC{0xfa, 0x16, 0x3e, byte(i >> 16), byte(i >> 8), byte(i)} }
	ip := func(i int) netip.Addr { return netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}) }
	for i := 0; i < n; i++ {
		t := start.Add(time.Duration(i) * step)
		host := i % 4096
		var src int
		var e timeline.Event
		switch i % 10 {
		case 0, 1, 2, 3:
			src = i % 2
			e = timeline.Event{Data: ARPFrame(1, mac(host), timeline.Broadcast, mac(host), timeline.MAC{}, ip(host), ip(host+1))}
		case 4, 5:
			src = i % 2
			e = timeline.Event{Data: &timeline.TCP{Link: timeline.Link{Src: mac(host), Dst: mac(host + 1), DstKnown: true},
				What: timeline.TCPSyn, SrcIP: ip(host), DstIP: ip(host + 1), SrcPort: uint16(30000 + i%30000), DstPort: 22, Seq: uint32(i), Attempt: 1}}
		case 6, 7:
			src = i % 2
			e = timeline.Event{End: t.Add(time.Second), Data: &timeline.UsageRun{Link: timeline.Link{Src: mac(host), Dst: mac(host + 1), DstKnown: true},
				SrcIP: ip(host), DstIP: ip(host + 1), Frames: int64(i%50 + 1)}}
		case 8:
			src = 2
			text := fmt.Sprintf("%s dev br-ex lladdr %s REACHABLE", ip(host+1), mac(host+1))
			e = timeline.Event{Raw: text, Data: NeighLine(ip(host+1), "br-ex", mac(host+1), timeline.NUDReachable)}
		default:
			src = 3
			ent := fmt.Sprintf("router-%04d", host)
			text := fmt.Sprintf("Running txn n=1 command(idx=%d): AddLRouterCommand(name=%s, may_exist=True)", i%7, ent)
			e = timeline.Event{Raw: text, Data: &Line{K: timeline.KindTxn, Text: text, Entities: []string{ent}}}
		}
		e.Time = t
		pos := int64(len(per[src]) + 1)
		if sources[src].Kind == pcap.Pcap.Name {
			e.Pos = timeline.Pos{Frame: pos}
		} else {
			e.Pos = timeline.Pos{Line: pos}
		}
		per[src] = append(per[src], e)
	}
	for i, s := range sources {
		s.Records, s.Events = int64(len(per[i])), int64(len(per[i]))
		if len(per[i]) > 0 {
			s.First, s.Last = per[i][0].Time, per[i][len(per[i])-1].Time
		}
	}
	stats := make([]timeline.Source, len(sources))
	for i, s := range sources {
		stats[i] = *s
	}
	tl := timeline.Build(sources, per)
	for i, s := range sources { // the spans as set above: Merge counts usage runs' ends in Last
		s.Events, s.First, s.Last = stats[i].Events, stats[i].First, stats[i].Last
	}
	var findings []detect.Finding
	if tl.Len() >= 10 {
		for k, sev := range []detect.Severity{detect.High, detect.Medium, detect.Info} {
			first := tl.Len() / 4 * (k + 1)
			f := detect.Finding{ID: fmt.Sprintf("bench-%d", k), Detector: "bench", Severity: sev, Confidence: detect.ConfMedium,
				Title: fmt.Sprintf("benchmark finding %d", k), Start: tl.Time(first), End: tl.Time(first + 5)}
			for j := 0; j < 5; j++ {
				f.Evidence = append(f.Evidence, detect.EventEvidence(tl, first+j))
			}
			findings = append(findings, f)
		}
	}
	detect.Sort(findings)
	return &analysis.Result{Timeline: tl, Findings: findings}
}

// Bulk is a large run: n events over an hour from four captures and a log,
// realistic in how repetitive their text is (a few thousand hosts, counters
// that grow), with one stale-MAC finding citing a few of them.
func Bulk(n int) *analysis.Result {
	rng := rand.New(rand.NewPCG(1, 2))
	var b Builder
	var caps []int
	for h := 0; h < 4; h++ {
		caps = append(caps, b.Source(fmt.Sprintf("logs/compute-%d/tcpdump.pcap", h), pcap.Pcap.Name, fmt.Sprintf("compute-%d", h)))
	}
	log := b.Source("logs/controller/screen-q-svc.txt", txnlog.Format.Name, "controller")
	host := func(i int) (timeline.MAC, netip.Addr) {
		return timeline.MAC{0xfa, 0x16, 0x3e, 0, byte(i >> 8), byte(i)}, netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)})
	}
	start := LocktimeStart
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
			b.Add(src, at, pos, a, "")
		case r < 6:
			m, ip := host(rng.IntN(2000))
			d, dip := host(rng.IntN(2000))
			u := &timeline.UsageRun{Link: timeline.Link{Src: m, Dst: d, DstKnown: true}, SrcIP: ip, DstIP: dip, Frames: int64(rng.IntN(5000)), Last: timeline.Pos{Frame: int64(i + 100)}}
			b.AddEvent(src, timeline.Event{Time: at, End: at.Add(time.Duration(rng.IntN(30)) * time.Second), Pos: pos, Data: u})
		case r < 8:
			m, ip := host(rng.IntN(2000))
			_, dip := host(rng.IntN(2000))
			t := &timeline.TCP{Link: timeline.Link{Src: m}, What: timeline.TCPSyn, SrcIP: ip, DstIP: dip, SrcPort: uint16(32768 + rng.IntN(28000)), DstPort: 22, Seq: rng.Uint32()}
			b.Add(src, at, pos, t, "")
		default:
			line := fmt.Sprintf("%s %d DEBUG ovsdbapp.backend.ovs_idl.transaction [req-%08x-%04x] Running txn n=1 command(idx=%d): SetLSwitchPortCommand(lport=%08x-6a2b-4e0c-9a58-%012x, external_ids_update=None, if_exists=True)",
				at.Format("2006-01-02 15:04:05.000"), 32314+rng.IntN(4), rng.Uint32(), rng.IntN(65536), rng.IntN(4), rng.Uint32(), rng.Uint64()&0xffffffffffff)
			b.Add(log, at, timeline.Pos{Line: int64(i + 1)}, LogLine(line), line)
		}
	}
	tl := b.Build()
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

// ManyFindings adds n findings to r (detectors and severities mixed, each
// citing ten events), as a big CI tree with many IP moves would produce.
func ManyFindings(r *analysis.Result, n int) *analysis.Result {
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
