// Package pcap reads packet captures — pcap and pcapng files, and tcpdump's
// text output with or without a systemd-journal prefix — into timeline
// events: ARP frames, usage runs of unicast IPv4, and TCP handshake frames.
package pcap

import (
	"net/netip"
	"time"

	"github.com/arpforensics/arpforensics/timeline"
)

// Folder turns decoded frames into events. ARP frames and TCP handshake
// frames become one event each; every other unicast IPv4 frame is folded
// into a usage run ("S sent N frames to IP X via MAC M"), so memory grows with
// distinct (sender, IP, MAC) runs, not with frames. Both the binary reader and
// the tcpdump text reader feed one Folder per source, so the two produce the
// same events for the same traffic.
type Folder struct {
	// Line is the text of the record being fed, for text sources: the ARP
	// or handshake event the next call creates keeps it as its Raw. Capture
	// readers leave it empty.
	Line string

	runs    map[runKey]*openRun
	ips     map[[4]byte]*ipState
	learned map[learnKey]timeline.MAC // cooked captures: what each host's own ARP exchanges bound an IP to
	syns    map[synKey]int            // attempts per (4-tuple, ISN)
	events  []timeline.Event
}

// learnKey is (the host's MAC, an IPv4 address): a cooked capture may see
// other hosts' exchanges too (promiscuous), and only the host's own teach it
// anything. An incoming reply is the host's when its tha is the host's MAC.
type learnKey struct {
	host timeline.MAC
	ip   [4]byte
}

// runKey is (sender MAC, destination IPv4): at most one run is open per key.
type runKey struct {
	src timeline.MAC
	dst [4]byte
}

type synKey struct {
	src, dst         [4]byte
	srcPort, dstPort uint16
	seq              uint32
}

// ipState is what the capture has shown about one IPv4 address.
type ipState struct {
	mac   timeline.MAC // last MAC it was announced or seen answering at
	known bool
	epoch uint32 // bumped when an announcement changes mac; splits open runs
}

// openRun is a usage run being extended. The per-frame fields live here,
// not in run, which is only written when the run closes: a frame then
// touches one object, not two, and that matters at millions of frames.
type openRun struct {
	dst    timeline.MAC // link.Dst of the run's frames
	vlan   uint16
	epoch  uint32
	ip     *ipState
	frames int64
	syns   int64
	lastAt timeline.Pos
	first  time.Time
	last   time.Time
	pos    timeline.Pos
	run    *timeline.UsageRun
}

// NewFolder starts an empty folder.
func NewFolder() *Folder {
	return &Folder{
		runs:    map[runKey]*openRun{},
		ips:     map[[4]byte]*ipState{},
		learned: map[learnKey]timeline.MAC{},
		syns:    map[synKey]int{},
	}
}

func (f *Folder) ip(a [4]byte) *ipState {
	s := f.ips[a]
	if s == nil {
		s = &ipState{}
		f.ips[a] = s
	}
	return s
}

// ARP records an Ethernet/IPv4 ARP frame at pos (a frame number for
// captures, a line for text). raw is the frame's bytes, copied for hex dumps;
// nil for text.
func (f *Folder) ARP(ts time.Time, pos timeline.Pos, link timeline.Link, op uint16, sha, tha timeline.MAC, spa, tpa netip.Addr, raw []byte) {
	class := timeline.ClassifyARP(op, sha, tha, spa, tpa)
	a := &timeline.ARP{
		Link: link, Op: op, Class: class, SHA: sha, THA: tha, SPA: spa, TPA: tpa,
		SenderMismatch: sha != link.Src, Bytes: clone(raw),
	}
	f.events = append(f.events, timeline.Event{Time: ts, Pos: pos, Data: a, Raw: f.Line})

	if !spa.Is4() || spa.IsUnspecified() || sha.IsZero() || sha.IsMulticast() {
		return
	}
	// What the wire says the IP is bound to now. Replies and GARPs announce;
	// an ordinary request also carries the sender's binding.
	st := f.ip(spa.As4())
	if st.known && st.mac != sha {
		st.epoch++
	}
	st.mac, st.known = sha, true

	// Cooked captures record no destination MAC for the host's own frames.
	// Remember what the host's own ARP exchanges bound each IP to, since
	// those are what every kernel accepts: a reply to the host's request,
	// and a request the host answered (recorded with override). GARPs are
	// deliberately not learned: whether the host accepted them is the
	// question the detectors ask.
	switch {
	case link.Direction == timeline.DirIncoming && class == timeline.ARPReply:
		f.learned[learnKey{tha, spa.As4()}] = sha
	case link.Direction == timeline.DirOutgoing && class == timeline.ARPReply && tpa.Is4() && !tha.IsZero():
		f.learned[learnKey{sha, tpa.As4()}] = tha
	}
}

// TCPInfo is the part of a TCP header the folder needs; nil for non-TCP.
type TCPInfo struct {
	SrcPort, DstPort uint16
	Seq              uint32
	SYN, ACK         bool
}

// IPv4 records a unicast IPv4 frame. Frames to broadcast or multicast
// addresses are ignored (they are no evidence of a neighbour binding); the
// caller counts them as irrelevant. It reports whether the frame was used.
// raw is copied only when the frame becomes an event of its own (a SYN).
func (f *Folder) IPv4(ts time.Time, pos timeline.Pos, link timeline.Link, src, dst netip.Addr, tcp *TCPInfo, raw []byte) bool {
	if !dst.Is4() || dst.IsMulticast() || dst == netip.AddrFrom4([4]byte{255, 255, 255, 255}) {
		return false
	}
	if link.Group || link.DstKnown && link.Dst.IsMulticast() {
		return false
	}
	d4 := dst.As4()
	if !link.DstKnown && link.Direction == timeline.DirOutgoing {
		if m, ok := f.learned[learnKey{link.Src, d4}]; ok {
			link.Dst = m
		}
	}
	key := runKey{link.Src, d4}
	r := f.runs[key]
	if r != nil && (r.dst != link.Dst || r.epoch != r.ip.epoch || r.vlan != link.VLAN) {
		f.closeRun(key, r)
		r = nil
	}
	if r == nil {
		st := f.ip(d4)
		if !st.known && !link.Dst.IsZero() {
			// No ARP for it yet: the MAC in use stands for its binding, so a
			// later announcement of another MAC still splits the run.
			st.mac, st.known = link.Dst, true
		}
		r = &openRun{
			run: &timeline.UsageRun{
				Link: link, SrcIP: src, DstIP: dst,
				DstInferred: !link.DstKnown && !link.Dst.IsZero(),
			},
			dst: link.Dst, vlan: link.VLAN, first: ts, pos: pos, ip: st, epoch: st.epoch,
		}
		f.runs[key] = r
	}
	r.frames++
	r.lastAt = pos
	r.last = ts

	if tcp != nil && tcp.SYN {
		f.handshake(ts, pos, link, src, dst, tcp, raw)
		if !tcp.ACK {
			r.syns++
		}
	}
	return true
}

// Handshake records a TCP handshake frame whose sender MAC is unknown
// (tcpdump text without -e): the SYN or SYN/ACK event alone, since a usage
// run needs the sender. It reports whether an event was made.
func (f *Folder) Handshake(ts time.Time, pos timeline.Pos, link timeline.Link, src, dst netip.Addr, tcp *TCPInfo) bool {
	if tcp == nil || !tcp.SYN || !src.Is4() || !dst.Is4() {
		return false
	}
	f.handshake(ts, pos, link, src, dst, tcp, nil)
	return true
}

func (f *Folder) handshake(ts time.Time, pos timeline.Pos, link timeline.Link, src, dst netip.Addr, tcp *TCPInfo, raw []byte) {
	t := &timeline.TCP{Link: link, SrcIP: src, DstIP: dst, SrcPort: tcp.SrcPort, DstPort: tcp.DstPort, Seq: tcp.Seq, Attempt: 1, Bytes: clone(raw)}
	if tcp.ACK {
		t.What = timeline.TCPSynAck
	} else {
		k := synKey{src.As4(), dst.As4(), tcp.SrcPort, tcp.DstPort, tcp.Seq}
		n := f.syns[k] + 1
		f.syns[k] = n
		t.Attempt = n
		t.What = timeline.TCPSyn
		if n > 1 {
			t.What = timeline.TCPSynRetrans
		}
	}
	f.events = append(f.events, timeline.Event{Time: ts, Pos: pos, Data: t, Raw: f.Line})
}

func (f *Folder) closeRun(key runKey, r *openRun) {
	r.run.Frames, r.run.SYNs, r.run.Last = r.frames, r.syns, r.lastAt
	f.events = append(f.events, timeline.Event{Time: r.first, End: r.last, Pos: r.pos, Data: r.run})
	delete(f.runs, key)
}

func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte(nil), b...)
}

// Events closes every open run and returns all events, sorted by time.
func (f *Folder) Events() []timeline.Event {
	for k, r := range f.runs {
		f.closeRun(k, r)
	}
	timeline.SortEvents(f.events)
	return f.events
}
