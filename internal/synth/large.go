package synth

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/arpforensics/arpforensics/analysis"
	"github.com/arpforensics/arpforensics/detect"
	"github.com/arpforensics/arpforensics/timeline"
)

// Large builds a result of n events spread over an hour from four sources:
// ARP frames with their bytes (40%), TCP handshake frames (20%), usage runs
// (20%) and log lines (20%), with three findings citing events across it.
// It is what the TUI's benchmarks open.
func Large(n int) *analysis.Result {
	sources := []*timeline.Source{
		{Path: "bench/node-1/capture.pcap", Kind: "pcap", Host: "node-1"},
		{Path: "bench/node-2/capture.pcap", Kind: "pcap", Host: "node-2"},
		{Path: "bench/node-1/neigh.log", Kind: "neigh", Host: "node-1"},
		{Path: "bench/controller/neutron-server.log", Kind: "txnlog", Host: "controller"},
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
		if sources[src].Kind == "pcap" {
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
