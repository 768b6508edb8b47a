// Package pcap reads packet captures — pcap and pcapng files, and tcpdump's
// text output with or without a systemd-journal prefix — into timeline
// events: ARP frames, usage runs of unicast IPv4, and TCP handshake frames.
package pcap

import (
	"math"
	"net/netip"
	"time"

	"github.com/arpforensics/arpforensics/internal/evict"
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
	// or handshake event the next call creates cites it. Capture readers
	// leave it nil and pass the frame's bytes instead.
	Line []byte
	// Keep says the record's text or bytes are not a verbatim stretch of
	// the source at the position given (a tcpdump -v frame printed on two
	// lines, a pcapng block whose data offset is unknown): the sink keeps a
	// copy instead of re-reading them.
	Keep bool
	// FromText marks the ARP events of a tcpdump text source (see
	// timeline.ARP.FromText).
	FromText bool
	// Folded counts the frames folded into usage runs beyond each run's
	// first; Derived the handshake events of frames also counted in a run
	// (Source.Folded, Source.Derived).
	Folded, Derived int64

	out *timeline.Sink

	// Open runs live in a slab, found by key through runs; idle[i] is
	// when open[i] last saw a frame (noRun when the slot is free), kept
	// apart so that eviction reads one dense array, not every run.
	runs  runIndex
	open  [][]openRun // slabChunk runs each: growing never copies them
	idle  []int64
	free  []int32
	times []int64 // eviction's scratch
	// The runs' interface names, by index: one string per interface,
	// not per run.
	ifaces    []string
	ifaceIDs  map[string]int32
	lastIface int32
	ips       ipTable
	learned   map[learnKey]learned // cooked captures: what each host's own ARP exchanges bound an IP to
	asked     map[learnKey]int64   // cooked captures: when each host last asked for an IP (Unix ns)
	syns      synTable             // attempts per (4-tuple, ISN)

	// The payload of the ARP, handshake or usage event being emitted: the
	// sink encodes it and keeps no pointer, so one of each serves every
	// event (on a busy segment a fifth of the frames are such events).
	arp      timeline.ARP
	tcp      timeline.TCP
	usageRun timeline.UsageRun

	// What was let go to keep the tables bounded (see evict), for the
	// source's notes.
	evictedRuns, evictedSYNs, evictedLearned int64
}

// The folder's tables are bounded: past these sizes the entries idle the
// longest are let go (open runs are closed early). A real segment stays far
// below them; a scan, a storm or a flood does not.
//
// The run and IP bounds keep the two tables every frame looks up within
// the processor's caches (a 1 MB index, 2.5 MB of IP states): on a segment
// that exceeds them almost every frame opens a pair of its own, and a run
// closed early costs one more usage event (1.8% more on the busy shape),
// while tables three times larger cost a cache miss per lookup and 40 MB.
const (
	maxOpenRuns = 32_000
	maxIPs      = 2 * maxOpenRuns // at least twice the runs: evictIPs frees half
	maxSYNs     = 64_000
	maxLearned  = 100_000
	// synIdle: a SYN retransmitted later than this is not counted as a
	// retransmission of the same attempt once the table is full (Linux's
	// six retries span 127 s).
	synIdle = 3 * time.Minute
)

type learned struct {
	mac timeline.MAC
	at  int64
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

// openRun is a usage run being extended: what its event will say, counted
// in place, and what extending it needs. Kept compact (no Link, no
// netip.Addr, no Pos for the last frame): on a busy segment almost every
// frame writes a fresh one and holds it until the run is evicted, so its
// size is most of the folder's memory and of the cache lines each frame
// touches.
type openRun struct {
	first, last  time.Time
	pos          timeline.Pos // the first frame's
	frames, syns int64
	lastAt       int64 // the last frame's number (line, for text)
	ip           int32 // the destination IP's slot in Folder.ips
	epoch        uint32
	iface        int32 // index into Folder.ifaces
	src, dst     timeline.MAC
	srcIP, dstIP [4]byte
	vlan         uint16
	dir          timeline.Direction
	flags        uint8 // runDstKnown, runSrcIP
}

const (
	runDstKnown uint8 = 1 << iota // Link.DstKnown
	runSrcIP                      // srcIP holds the sender's IPv4 address
)

// key is the (sender MAC, destination IPv4) the run is found by.
func (r *openRun) key() runKey { return runKey{r.src, r.dstIP} }

// lastOf is p's frame number, or line number for text: what a usage
// record keeps of its last frame's position.
func lastOf(p timeline.Pos) int64 {
	if p.Frame > 0 {
		return p.Frame
	}
	return p.Line
}

// usage is the event r stands for.
func (f *Folder) usage(r *openRun, u *timeline.UsageRun) {
	*u = timeline.UsageRun{
		Link: timeline.Link{
			Src: r.src, Dst: r.dst, DstKnown: r.flags&runDstKnown != 0,
			Direction: r.dir, VLAN: r.vlan, Iface: f.ifaces[r.iface],
		},
		DstIP:  netip.AddrFrom4(r.dstIP),
		Frames: r.frames, SYNs: r.syns,
		Last: timeline.Pos{Frame: r.lastAt},
	}
	if r.flags&runSrcIP != 0 {
		u.SrcIP = netip.AddrFrom4(r.srcIP)
	}
	u.DstInferred = !u.DstKnown && !u.Dst.IsZero()
}

// ifaceOf is the index of name in f.ifaces, added if new: a capture names
// a handful of interfaces, and most frames the same as the one before.
func (f *Folder) ifaceOf(name string) int32 {
	if f.ifaces[f.lastIface] == name {
		return f.lastIface
	}
	i, ok := f.ifaceIDs[name]
	if !ok {
		i = int32(len(f.ifaces))
		f.ifaces = append(f.ifaces, name)
		f.ifaceIDs[name] = i
	}
	f.lastIface = i
	return i
}

// noRun marks a free slot in Folder.idle.
const noRun = math.MaxInt64

const slabChunk = 4096

// run is open run i.
func (f *Folder) run(i int32) *openRun { return &f.open[i/slabChunk][i%slabChunk] }

// NewFolder starts an empty folder that hands its events to out.
func NewFolder(out *timeline.Sink) *Folder {
	return &Folder{
		out:      out,
		ifaces:   []string{""},
		ifaceIDs: map[string]int32{"": 0},
		learned:  map[learnKey]learned{},
		asked:    map[learnKey]int64{},
	}
}

// ip is the slot of a's state, made if a has none.
func (f *Folder) ip(a [4]byte) int32 {
	if i := f.ips.find(a); i >= 0 {
		return i
	}
	if f.ips.len() >= maxIPs {
		f.evictIPs()
	}
	i, moved := f.ips.add(a)
	if moved {
		f.refindIPs()
	}
	return i
}

// refindIPs points the open runs at their IPs' slots again, after the
// table moved its entries.
func (f *Folder) refindIPs() {
	for i, at := range f.idle {
		if at != noRun {
			r := f.run(int32(i))
			r.ip = f.ips.find(r.dstIP)
		}
	}
}

// ARP records an Ethernet/IPv4 ARP frame at pos (a frame number for
// captures, a line for text; Pos.Offset where its bytes or text start). raw
// is the frame's bytes, for hex dumps; nil for text.
func (f *Folder) ARP(ts time.Time, pos timeline.Pos, link timeline.Link, op uint16, sha, tha timeline.MAC, spa, tpa netip.Addr, raw []byte) {
	class := timeline.ClassifyARP(op, sha, tha, spa, tpa)
	a := &f.arp
	*a = timeline.ARP{
		Link: link, Op: op, Class: class, SHA: sha, THA: tha, SPA: spa, TPA: tpa,
		SenderMismatch: sha != link.Src, FromText: f.FromText,
	}
	if f.FromText && link.Src.IsZero() && !link.DstKnown {
		a.SenderMismatch = false // no link layer printed: nothing to compare the sender with
	}
	f.emit(&timeline.Event{Time: ts, Pos: pos, Data: a}, raw)

	if !spa.Is4() || spa.IsUnspecified() || sha.IsZero() || sha.IsMulticast() || a.SenderMismatch {
		return // no binding shown (the detectors read it alike: detect.bindingSender)
	}
	// What the wire says the IP is bound to now. Replies and GARPs announce;
	// an ordinary request also carries the sender's binding.
	st := f.ips.at(f.ip(spa.As4()))
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
	//
	// A reply teaches only when it answers the host's own request for the
	// address (its probe or broadcast a moment before): an unsolicited
	// reply, like a GARP, is applied or ignored by the kernel depending on
	// locktime, and whether it was is what the detectors ask. Learning it
	// would carry the new MAC back over frames the host still sent to the
	// old one until it re-resolved.
	switch {
	case link.Direction == timeline.DirIncoming && class == timeline.ARPReply:
		k := learnKey{tha, spa.As4()}
		if at, ok := f.asked[k]; ok && ts.UnixNano()-at <= int64(answerWait) {
			f.learn(k, sha, ts)
		}
	case link.Direction == timeline.DirOutgoing && op == 1 && tpa.Is4():
		k := learnKey{sha, tpa.As4()}
		if _, ok := f.asked[k]; !ok && len(f.asked) >= maxLearned {
			f.evictedLearned += int64(evict.OlderHalf(f.asked, func(at int64) (int64, bool) { return at, true }, nil))
		}
		f.asked[k] = ts.UnixNano()
	case link.Direction == timeline.DirOutgoing && class == timeline.ARPReply && tpa.Is4() && !tha.IsZero():
		f.learn(learnKey{sha, tpa.As4()}, tha, ts)
	}
}

// answerWait is how long after a host's request a reply to it counts as
// the answer: the kernel retransmits each second (retrans_time), and a reply
// after the last of its 3 tries still resolves an INCOMPLETE entry.
const answerWait = 3 * time.Second

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
			link.Dst = m.mac
		}
	}
	key := runKey{link.Src, d4}
	i, ok := f.runs.get(key)
	if ok {
		if r := f.run(i); r.dst != link.Dst || r.epoch != f.ips.at(r.ip).epoch || r.vlan != link.VLAN {
			f.closeRun(i)
			ok = false
		}
	}
	if !ok {
		// The sender's own frames show its binding too: once an address is
		// sent to, the MAC its frames come from stands for it until ARP says
		// otherwise, so a later announcement of another MAC splits the runs
		// to it even where the destination MAC is not recorded (cooked
		// captures). Only addresses already sent to: no state per source.
		if src.Is4() && !link.Src.IsZero() && !link.Src.IsMulticast() {
			if si := f.ips.find(src.As4()); si >= 0 && !f.ips.at(si).known {
				ss := f.ips.at(si)
				ss.mac, ss.known = link.Src, true
			}
		}
		ipi := f.ip(d4)
		st := f.ips.at(ipi)
		if !st.known && !link.Dst.IsZero() {
			// No ARP for it yet: the MAC in use stands for its binding, so a
			// later announcement of another MAC still splits the run.
			st.mac, st.known = link.Dst, true
		}
		epoch := st.epoch
		if f.runs.len() >= maxOpenRuns {
			f.evictRuns() // leaves the IPs' slots where they are
		}
		i = f.slot()
		r := f.run(i)
		*r = openRun{
			first: ts, pos: pos, ip: ipi, epoch: epoch, iface: f.ifaceOf(link.Iface),
			src: link.Src, dst: link.Dst, dstIP: d4, vlan: link.VLAN, dir: link.Direction,
		}
		if link.DstKnown {
			r.flags |= runDstKnown
		}
		if src.Is4() {
			r.srcIP, r.flags = src.As4(), r.flags|runSrcIP
		}
		f.runs.put(key, i)
	}
	r := f.run(i)
	r.frames++
	r.lastAt = lastOf(pos)
	r.last = ts
	f.idle[i] = ts.UnixNano()

	if tcp != nil && tcp.SYN {
		f.Derived++ // the frame is counted in its run
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
	t := &f.tcp
	*t = timeline.TCP{Link: link, SrcIP: src, DstIP: dst, SrcPort: tcp.SrcPort, DstPort: tcp.DstPort, Seq: tcp.Seq, Attempt: 1}
	if tcp.ACK {
		t.What = timeline.TCPSynAck
	} else {
		k := synKey{src.As4(), dst.As4(), tcp.SrcPort, tcp.DstPort, tcp.Seq}
		seen, full := f.syns.seen(k, ts.UnixNano(), maxSYNs)
		if full {
			f.evictSYNs(ts)
			seen, _ = f.syns.seen(k, ts.UnixNano(), maxSYNs)
		}
		n := int(seen)
		t.Attempt = n
		t.What = timeline.TCPSyn
		if n > 1 {
			t.What = timeline.TCPSynRetrans
		}
	}
	f.emit(&timeline.Event{Time: ts, Pos: pos, Data: t}, raw)
}

// emit hands an ARP or handshake event to the sink with its frame bytes
// (captures) or its line (text).
func (f *Folder) emit(e *timeline.Event, frame []byte) {
	switch {
	case f.Line != nil && f.Keep:
		f.out.AddText(e, f.Line)
	case f.Line != nil:
		f.out.Add(e, f.Line)
	case f.Keep:
		f.out.AddFrameKept(e, frame)
	default:
		f.out.AddFrame(e, frame)
	}
}

// slot is a free slab index for a new run.
func (f *Folder) slot() int32 {
	if n := len(f.free); n > 0 {
		i := f.free[n-1]
		f.free = f.free[:n-1]
		return i
	}
	i := int32(len(f.idle))
	if i%slabChunk == 0 {
		f.open = append(f.open, make([]openRun, slabChunk))
	}
	f.idle = append(f.idle, noRun)
	return i
}

// closeRun emits open run i and frees it.
func (f *Folder) closeRun(i int32) {
	f.runs.del(f.run(i).key())
	f.endRun(i)
}

// endRun emits open run i and frees its slot, leaving the index to the
// caller: eviction rebuilds it once instead of deleting key by key, each
// delete a cache miss of its own.
func (f *Folder) endRun(i int32) {
	r := f.run(i)
	f.Folded += r.frames - 1
	f.usage(r, &f.usageRun)
	f.out.Add(&timeline.Event{Time: r.first, End: r.last, Pos: r.pos, Data: &f.usageRun}, nil)
	*r = openRun{}
	f.idle[i] = noRun
	f.free = append(f.free, i)
}

// Close closes every open run and notes what the bounds let go.
func (f *Folder) Close(src *timeline.Source) {
	for i, at := range f.idle {
		if at != noRun {
			f.endRun(int32(i))
		}
	}
	f.runs = runIndex{}
	if f.evictedRuns > 0 {
		src.Notef(timeline.Pos{}, "%d usage run(s) closed early: more than %d (sender, IP) pairs were active at once, so the longest idle were let go; a pair's frames may be split over several runs", f.evictedRuns, maxOpenRuns)
	}
	if f.evictedSYNs > 0 {
		src.Notef(timeline.Pos{}, "more than %d distinct TCP handshakes: %d idle the longest were forgotten, so a retransmission of one of them after that counts as a first SYN", maxSYNs, f.evictedSYNs)
	}
	if f.evictedLearned > 0 {
		src.Notef(timeline.Pos{}, "more than %d ARP exchanges of the capturing host to remember: the %d oldest were forgotten, so destination MACs inferred from them may be missing", maxLearned, f.evictedLearned)
	}
}

func (f *Folder) learn(k learnKey, mac timeline.MAC, ts time.Time) {
	if _, ok := f.learned[k]; !ok && len(f.learned) >= maxLearned {
		f.evictedLearned += int64(evict.OlderHalf(f.learned, func(l learned) (int64, bool) { return l.at, true }, nil))
	}
	f.learned[k] = learned{mac, ts.UnixNano()}
}

// evictRuns closes the half of the open runs idle the longest: one pass over
// the idle times to find their median, one to close those at or before it.
func (f *Folder) evictRuns() {
	f.times = f.times[:0]
	for _, at := range f.idle {
		if at != noRun {
			f.times = append(f.times, at)
		}
	}
	if len(f.times) == 0 {
		return
	}
	cut := evict.Nth(f.times, len(f.times)/2)
	for i, at := range f.idle {
		if at <= cut {
			f.endRun(int32(i))
			f.evictedRuns++
		}
	}
	f.runs.clear()
	for i, at := range f.idle {
		if at != noRun {
			f.runs.put(f.run(int32(i)).key(), int32(i))
		}
	}
}

// evictSYNs forgets handshakes not seen for synIdle and, when that leaves
// half the table or more, the older half of the rest. The cut is found
// first and the table rebuilt once: on a SYN flood nothing is idle that
// long, and a rebuild that dropped nothing was half the eviction's cost.
func (f *Folder) evictSYNs(now time.Time) {
	cut := now.Add(-synIdle).UnixNano() - 1
	f.times = f.syns.times(f.times[:0])
	idle := 0
	for _, at := range f.times {
		if at <= cut {
			idle++
		}
	}
	if rest := len(f.times) - idle; rest >= maxSYNs/2 {
		// The idle attempts sort first: the rest's median is at idle + rest/2.
		cut = evict.Nth(f.times, idle+rest/2)
	}
	f.evictedSYNs += int64(f.syns.keep(cut))
}

// evictIPs forgets the addresses no open run goes to (at least half of
// them, since fewer runs than maxIPs/2 are open). A later run or
// announcement starts them afresh. The runs are counted per address here,
// not as they open and close: a count kept up to date cost a cache miss
// per run closed.
func (f *Folder) evictIPs() {
	for i, at := range f.idle {
		if at != noRun {
			f.ips.at(f.run(int32(i)).ip).refs++
		}
	}
	f.ips.keep(func(s *ipState) bool {
		live := s.refs > 0
		s.refs = 0 // counted afresh by the next eviction
		return live
	})
	f.refindIPs()
}
