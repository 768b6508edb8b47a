package pcap

import (
	"net/netip"
	"testing"
	"time"

	"github.com/arpforensics/arpforensics/timeline"
)

var (
	t0     = time.Date(2017, 5, 10, 10, 0, 0, 0, time.UTC)
	obs    = timeline.MAC{2, 0, 0, 0, 0, 1}
	oldMAC = timeline.MAC{0xfa, 0x16, 0x3e, 0x11, 0x11, 0x11}
	newMAC = timeline.MAC{0xfa, 0x16, 0x3e, 0x22, 0x22, 0x22}
	obsIP  = netip.MustParseAddr("172.24.5.1")
	fip    = netip.MustParseAddr("172.24.5.11")
)

func at(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }

func TestFolderSplitsRunsAtAnnouncementAndMACChange(t *testing.T) {
	f, events := newTestFolder()
	eth := func(dst timeline.MAC) timeline.Link { return timeline.Link{Src: obs, Dst: dst, DstKnown: true} }
	frame := int64(0)
	next := func() timeline.Pos { frame++; return timeline.Pos{Frame: frame} }

	f.IPv4(at(0), next(), eth(oldMAC), obsIP, fip, nil, nil)
	f.IPv4(at(1), next(), eth(oldMAC), obsIP, fip, &TCPInfo{SrcPort: 40000, DstPort: 22, Seq: 7, SYN: true}, nil)
	// The FIP moves: a reply-type GARP with tha == sha.
	garp := timeline.Link{Src: newMAC, Dst: timeline.Broadcast, DstKnown: true}
	f.ARP(at(2), next(), garp, 2, newMAC, newMAC, fip, fip, nil)
	// The observer keeps using the old MAC: a new run must start (same MAC,
	// new epoch), and the SYN retransmission is recognised.
	f.IPv4(at(3), next(), eth(oldMAC), obsIP, fip, &TCPInfo{SrcPort: 40000, DstPort: 22, Seq: 7, SYN: true}, nil)
	f.IPv4(at(4), next(), eth(oldMAC), obsIP, fip, nil, nil)
	// Then it switches.
	f.IPv4(at(5), next(), eth(newMAC), obsIP, fip, nil, nil)

	evs := events()
	var runs []*timeline.UsageRun
	var syns []*timeline.TCP
	var arps []*timeline.ARP
	for _, e := range evs {
		switch d := e.Data.(type) {
		case *timeline.UsageRun:
			runs = append(runs, d)
		case *timeline.TCP:
			syns = append(syns, d)
		case *timeline.ARP:
			arps = append(arps, d)
		}
	}
	if len(runs) != 3 {
		t.Fatalf("got %d runs, want 3 (before the GARP, old MAC after it, new MAC)", len(runs))
	}
	want := []struct {
		dst          timeline.MAC
		frames, syns int64
		last         int64
	}{{oldMAC, 2, 1, 2}, {oldMAC, 2, 1, 5}, {newMAC, 1, 0, 6}}
	for i, w := range want {
		r := runs[i]
		if r.Dst != w.dst || r.Frames != w.frames || r.SYNs != w.syns || r.Last.Frame != w.last {
			t.Errorf("run %d = dst %s frames %d syns %d last frame %d, want %+v", i, r.Dst, r.Frames, r.SYNs, r.Last.Frame, w)
		}
	}
	if len(syns) != 2 || syns[0].What != timeline.TCPSyn || syns[1].What != timeline.TCPSynRetrans || syns[1].Attempt != 2 {
		t.Errorf("handshake events = %+v, want SYN then its retransmission", syns)
	}
	if len(arps) != 1 || arps[0].Class != timeline.ARPGarpReply {
		t.Errorf("arp events = %+v, want one garp-reply", arps)
	}
}

func TestFolderInfersCookedDestinationFromOwnExchange(t *testing.T) {
	f, events := newTestFolder()
	out := timeline.Link{Src: obs, Direction: timeline.DirOutgoing}
	in := func(src timeline.MAC) timeline.Link { return timeline.Link{Src: src, Direction: timeline.DirIncoming} }
	f.ARP(at(0), timeline.Pos{Frame: 1}, out, 1, obs, timeline.MAC{}, obsIP, fip, nil)
	f.ARP(at(0.001), timeline.Pos{Frame: 2}, in(oldMAC), 2, oldMAC, obs, fip, obsIP, nil)
	// A GARP for the new MAC is not learned: whether the host took it is the question.
	f.ARP(at(1), timeline.Pos{Frame: 3}, in(newMAC), 1, newMAC, timeline.Broadcast, fip, fip, nil)
	f.IPv4(at(2), timeline.Pos{Frame: 4}, out, obsIP, fip, nil, nil)
	for _, e := range events() {
		if r, ok := e.Data.(*timeline.UsageRun); ok {
			if r.Dst != oldMAC || !r.DstInferred || r.DstKnown {
				t.Errorf("run dst %s inferred=%v known=%v, want %s inferred", r.Dst, r.DstInferred, r.DstKnown, oldMAC)
			}
			return
		}
	}
	t.Fatal("no usage run")
}

func TestFolderIgnoresBroadcastAndMulticast(t *testing.T) {
	f, events := newTestFolder()
	l := timeline.Link{Src: obs, Dst: timeline.Broadcast, DstKnown: true}
	if f.IPv4(at(0), timeline.Pos{Frame: 1}, l, obsIP, netip.MustParseAddr("255.255.255.255"), nil, nil) {
		t.Error("limited broadcast was folded")
	}
	l.Dst = timeline.MAC{1, 0, 0x5e, 0, 0, 1}
	if f.IPv4(at(0), timeline.Pos{Frame: 2}, l, obsIP, netip.MustParseAddr("224.0.0.1"), nil, nil) {
		t.Error("multicast was folded")
	}
	// A cooked capture says "broadcast" without recording the address: a
	// subnet broadcast such as 10.0.0.255 is no unicast use either.
	cooked := timeline.Link{Src: obs, Direction: timeline.DirIncoming, Group: true}
	if f.IPv4(at(0), timeline.Pos{Frame: 3}, cooked, obsIP, netip.MustParseAddr("172.24.5.255"), nil, nil) {
		t.Error("cooked broadcast was folded")
	}
	if n := len(events()); n != 0 {
		t.Errorf("%d events, want none", n)
	}
}

// newTestFolder is a folder over a sink of its own; events closes it and
// returns what it made, in timeline order.
func newTestFolder() (*Folder, func() []timeline.Event) {
	sink := timeline.NewSpace().NewSink("")
	f := NewFolder(sink)
	return f, func() []timeline.Event {
		src := &timeline.Source{}
		f.Close(src)
		tl, err := timeline.Merge([]*timeline.Source{src}, []*timeline.Sink{sink}, timeline.Window{})
		if err != nil {
			panic(err)
		}
		evs := make([]timeline.Event, tl.Len())
		for i := range evs {
			evs[i] = tl.Event(i)
		}
		return evs
	}
}

// However many (sender, IP) pairs a capture holds, the folder's tables stay
// bounded: idle runs are closed early, no frame is lost, and the source says
// so.
func TestFolderStaysBoundedOnManyPairs(t *testing.T) {
	f, events := newTestFolder()
	const n = 3 * maxOpenRuns
	var fed int64
	for i := range n {
		src := timeline.MAC{2, 0, 0, byte(i >> 16), byte(i >> 8), byte(i)}
		dst := netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
		link := timeline.Link{Src: src, Dst: timeline.MAC{2, 1, 0, 0, 0, 1}, DstKnown: true}
		tcp := &TCPInfo{SrcPort: 40000, DstPort: 22, Seq: uint32(i), SYN: true}
		f.IPv4(at(float64(i)/1000), timeline.Pos{Frame: int64(i + 1)}, link, obsIP, dst, tcp, nil)
		fed++
		if f.runs.len() > maxOpenRuns || f.syns.len() > maxSYNs || f.ips.len() > maxIPs {
			t.Fatalf("after %d frames: %d runs, %d SYNs, %d IPs open", i+1, f.runs.len(), f.syns.len(), f.ips.len())
		}
	}
	var frames, runs int64
	for _, e := range events() {
		if u, ok := e.Data.(*timeline.UsageRun); ok {
			frames += u.Frames
			runs++
		}
	}
	if frames != fed || runs != n {
		t.Errorf("%d frames in %d runs, fed %d frames of %d pairs", frames, runs, fed, n)
	}
	if f.evictedRuns == 0 {
		t.Error("no run was closed early")
	}
}

// TestEvictSYNs: a full handshake table forgets the attempts idle longer
// than synIdle and, when the rest still fill half of it, the older half of
// the rest; the newest always stay.
func TestEvictSYNs(t *testing.T) {
	now := at(1000)
	for _, c := range []struct {
		name       string
		idle, rest int
	}{
		{"mostly idle", maxSYNs * 3 / 4, maxSYNs / 4},
		{"a few idle", maxSYNs / 8, maxSYNs * 7 / 8},
		{"none idle", 0, maxSYNs},
	} {
		f, _ := newTestFolder()
		var key uint32
		add := func(ts time.Time) {
			key++
			k := synKey{src: [4]byte{10, 0, 0, 1}, dst: [4]byte{10, 0, 0, 2}, srcPort: 1, dstPort: 2, seq: key}
			if _, full := f.syns.seen(k, ts.UnixNano(), maxSYNs); full {
				t.Fatalf("%s: table full at %d", c.name, key)
			}
		}
		for i := range c.idle {
			add(now.Add(-synIdle - time.Duration(i+1)*time.Millisecond))
		}
		for i := range c.rest {
			add(now.Add(-time.Duration(c.rest-i) * time.Millisecond)) // the last the newest
		}
		f.evictSYNs(now)
		want := c.rest
		if c.rest >= maxSYNs/2 {
			want = c.rest - (c.rest/2 + 1) // the rest's median and all before it go
		}
		if got := f.syns.len(); got != want {
			t.Errorf("%s: %d attempts left, want %d", c.name, got, want)
		}
		if int(f.evictedSYNs) != c.idle+c.rest-want {
			t.Errorf("%s: %d counted as evicted, want %d", c.name, f.evictedSYNs, c.idle+c.rest-want)
		}
		newest := synKey{src: [4]byte{10, 0, 0, 1}, dst: [4]byte{10, 0, 0, 2}, srcPort: 1, dstPort: 2, seq: key}
		if n, _ := f.syns.seen(newest, now.UnixNano(), maxSYNs); n != 2 {
			t.Errorf("%s: the newest attempt was forgotten", c.name)
		}
	}
}
