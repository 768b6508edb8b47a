package synth

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"time"

	"github.com/arpforensics/arpforensics/analysis"
	"github.com/arpforensics/arpforensics/detect"
	"github.com/arpforensics/arpforensics/timeline"
)

// Bulk is a large run: n events over an hour from four captures and a log,
// realistic in how repetitive their text is (a few thousand hosts, counters
// that grow), with one stale-MAC finding citing a few of them.
func Bulk(n int) *analysis.Result {
	rng := rand.New(rand.NewPCG(1, 2))
	var b Builder
	var caps []int
	for h := 0; h < 4; h++ {
		caps = append(caps, b.Source(fmt.Sprintf("logs/compute-%d/tcpdump.pcap", h), "pcap", fmt.Sprintf("compute-%d", h)))
	}
	log := b.Source("logs/controller/screen-q-svc.txt", "txnlog", "controller")
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
