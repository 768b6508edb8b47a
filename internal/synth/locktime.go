package synth

import (
	"fmt"
	"time"

	"github.com/arpforensics/arpforensics/analysis"
	"github.com/arpforensics/arpforensics/detect"
	"github.com/arpforensics/arpforensics/parse/pcap"
	"github.com/arpforensics/arpforensics/parse/txnlog"
	"github.com/arpforensics/arpforensics/timeline"
)

// The injection lines of the HTML page's acceptance criteria: artifact text
// that must show as text.
const (
	InjectScript = `</script><script>alert(1)</script>`
	InjectImg    = `<img src=x onerror=alert(1)>`
)

// FIPReuseLocktime's addresses besides OldMAC, NewMAC and NodeIP (which it
// shares with FIPReuse), and when it starts.
var (
	LocktimeFIP     = IP("172.24.5.11")
	LocktimeNodeMAC = MAC("1e:d5:ec:49:df:4f")
	LocktimeStart   = time.Date(2018, 9, 18, 17, 8, 40, 0, time.UTC)
)

// FIPReuseLocktime is the second incident in miniature: the floating IP
// moves to a new MAC with three reply-type GARPs one second apart (at
// locktime), the node keeps sending SYNs to the old MAC for five minutes
// and never sends an ARP request. A neutron-server log on the controller
// carries the injection lines, a host name carries markup, one source is
// skipped and one has a problem and a note. Findings: stale-mac (high,
// with a known issue), garp-locktime (medium), and a test-log finding on
// the injection line that no diagram knows.
func FIPReuseLocktime() *analysis.Result {
	var b Builder
	capture := b.Source("logs/compute-1/tcpdump.pcap", pcap.Pcap.Name, "compute-1")
	log := b.Source("logs/controller/screen-q-svc.txt", txnlog.Format.Name, "controller <b>ctl</b>")
	b.Sources[b.Source("logs/controller/notes.bin", "unknown", "controller <b>ctl</b>")].SkipReason = "kind not recognised"
	b.Sources[log].Problemf(timeline.Pos{Line: 7}, "cannot read timestamp %q", InjectImg)
	b.Sources[log].Notef(timeline.Pos{Line: 1}, "no time zone: read as UTC")

	fip, nodeMAC, base := LocktimeFIP, LocktimeNodeMAC, LocktimeStart
	frame := int64(1)
	next := func() int64 { frame++; return frame }
	// The old binding, learned before the move.
	old := &timeline.ARP{Link: timeline.Link{Src: OldMAC, Dst: nodeMAC, DstKnown: true}, Op: 2, SHA: OldMAC, THA: nodeMAC, SPA: fip, TPA: NodeIP}
	old.Class = timeline.ClassifyARP(old.Op, old.SHA, old.THA, old.SPA, old.TPA)
	b.Add(capture, base, timeline.Pos{Frame: next()}, old, "")
	before := &timeline.UsageRun{Link: timeline.Link{Src: nodeMAC, Dst: OldMAC, DstKnown: true}, SrcIP: NodeIP, DstIP: fip, Frames: 60, Last: timeline.Pos{Frame: 80}}
	b.AddEvent(capture, timeline.Event{Time: base.Add(time.Second), End: base.Add(29 * time.Second), Pos: timeline.Pos{Frame: next()}, Data: before})
	move := base.Add(30 * time.Second)
	for i := 0; i < 3; i++ {
		a := &timeline.ARP{
			Link: timeline.Link{Src: NewMAC, Dst: timeline.Broadcast, DstKnown: true},
			Op:   2, SHA: NewMAC, THA: timeline.Broadcast, SPA: fip, TPA: fip,
		}
		a.Class = timeline.ClassifyARP(a.Op, a.SHA, a.THA, a.SPA, a.TPA)
		b.Add(capture, move.Add(time.Duration(i)*time.Second), timeline.Pos{Frame: next()}, a, "")
	}
	stale := &timeline.UsageRun{Link: timeline.Link{Src: nodeMAC, Dst: OldMAC, DstKnown: true}, SrcIP: NodeIP, DstIP: fip, Frames: 312, SYNs: 45, Last: timeline.Pos{Frame: 900}}
	b.AddEvent(capture, timeline.Event{Time: move.Add(2100 * time.Millisecond), End: move.Add(5*time.Minute + 2*time.Second), Pos: timeline.Pos{Frame: next()}, Data: stale})
	for i := 0; i < 16; i++ {
		at := move.Add(3*time.Second + time.Duration(i)*19*time.Second)
		syn := &timeline.TCP{Link: timeline.Link{Src: nodeMAC, Dst: OldMAC, DstKnown: true}, What: timeline.TCPSynRetrans, SrcIP: NodeIP, DstIP: fip, SrcPort: 40000 + uint16(i/4), DstPort: 22, Seq: 1000 + uint32(i/4), Attempt: i%4 + 1}
		if i%4 == 0 {
			syn.What = timeline.TCPSyn
		}
		b.Add(capture, at, timeline.Pos{Frame: next()}, syn, "")
	}
	// Unrelated ARP chatter.
	for i := 0; i < 40; i++ {
		other := IP(fmt.Sprintf("172.24.5.%d", 20+i%7))
		mac := MAC(fmt.Sprintf("fa:16:3e:00:00:%02x", i%7))
		req := &timeline.ARP{Link: timeline.Link{Src: mac, Dst: timeline.Broadcast, DstKnown: true}, Op: 1, SHA: mac, SPA: other, TPA: NodeIP}
		req.Class = timeline.ClassifyARP(req.Op, req.SHA, req.THA, req.SPA, req.TPA)
		b.Add(capture, base.Add(time.Duration(i)*8*time.Second), timeline.Pos{Frame: next()}, req, "")
	}
	lines := []string{
		"2018-09-18 17:09:05.276 32314 DEBUG ovsdbapp.backend.ovs_idl.transaction [-] Running txn n=1 command(idx=0): AddLRouterCommand(name=neutron-cc163b42)",
		"2018-09-18 17:09:12.100 32314 DEBUG neutron.wsgi [req-1] port name=" + InjectScript + " device=" + InjectImg,
		"2018-09-18 17:11:00.000 32314 INFO neutron.wsgi [req-2] GET /v2.0/ports?device_id=\u202eevil status: 200",
	}
	for i, l := range lines {
		at, _ := time.Parse("2006-01-02 15:04:05.000", l[:23])
		b.Add(log, at, timeline.Pos{Line: int64(3*i + 1)}, LogLine(l), l)
	}
	tl := b.Build()

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
		Subject:  Subject("ip", "172.24.5.11", "old_mac", OldMAC.String(), "new_mac", NewMAC.String(), "observer_mac", nodeMAC.String(), "frames_to_old_mac", 312, "observer_arp_requests", 0, "duration_s", 302.0),
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
		Subject:     Subject("ip", "172.24.5.11", "mac", NewMAC.String(), "min_spacing_ms", 1000),
		Evidence:    gev,
		Explanation: "Consecutive gratuitous ARPs 1 s apart.",
	}
	logF := detect.Finding{
		ID: "log-0123456789ab", Detector: "test-log", Severity: detect.Low, Confidence: detect.ConfLow,
		Title: "A log line named " + InjectImg, Start: tl.Time(inject[0]), End: tl.Time(inject[0]),
		Subject:     Subject("line", InjectScript),
		Evidence:    []detect.Evidence{detect.EventEvidence(tl, inject[0])},
		Explanation: "The text " + InjectScript + " must stay text.",
	}
	fs := []detect.Finding{staleF, lockF, logF}
	detect.Sort(fs)
	return &analysis.Result{Timeline: tl, Findings: fs}
}
