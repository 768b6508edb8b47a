package timeline

import (
	"net/netip"
	"time"
	"unsafe"
)

// Record is an event as the store keeps it: fixed size and free of pointers,
// so that chunks of records go to and come back from a spill file as plain
// bytes, and a million of them cost the garbage collector nothing. What only
// a view needs — a line's text, a frame's bytes — is not in the record: it
// is re-read from the source by position (see Timeline.Raw). Kinds whose
// payload does not fit the body (transactions, OVN snapshots, harness
// lines) keep it encoded in the source's heap, at Ref.
type Record struct {
	T    int64 // time, Unix nanoseconds, UTC, clock offset applied
	End  int64 // Unix nanoseconds of the last moment a spanning event covers; 0 otherwise
	Pos  Pos   // first record of the event; Pos.Offset is where its bytes start in the decompressed stream
	Last int64 // last frame or line folded into the event (Pos's unit); 0 when there is none
	// Ref is 1 + the offset in the source's heap of the event's extra
	// bytes (encoded payload, and the raw text of a source that cannot be
	// re-read); 0 when there are none.
	Ref uint64
	// Seq is the event's creation order within its source: events with
	// equal time and position keep it.
	Seq   uint32
	Len   uint32 // length of the event's own bytes at Pos.Offset (a line without its ending, a frame); 0 when none
	Src   int32  // index into Timeline.Sources
	Kind  Kind
	Sub   uint8 // ARPClass, TCPKind, NeighOp, or the rich payload's type code
	Flags uint16
	Body  [bodySize]byte // kind-specific fields (arpBody, usageBody, tcpBody, neighBody)
}

const bodySize = 96

// RecordSize is the bytes a record takes in memory and in a spill file.
const RecordSize = int(unsafe.Sizeof(Record{}))

// Record flags. Capture kinds share the link bits; each kind reads the rest
// its own way.
const (
	fDstKnown       uint16 = 1 << iota // Link.DstKnown
	fGroup                             // Link.Group
	fDirIn                             // Link.Direction == DirIncoming
	fDirOut                            // Link.Direction == DirOutgoing
	fSenderMismatch                    // ARP.SenderMismatch
	fFromText                          // ARP.FromText
	fAValid                            // first address valid (SPA, SrcIP)
	fBValid                            // second address valid (TPA, DstIP)
	fDstInferred                       // UsageRun.DstInferred
)

// Neighbour flags (KindNeigh).
const (
	fnHasLL uint16 = 1 << iota
	fnHasStats
	fnPrevKnown
	fnPrevHasLL
	fnGapKnown
	fnReset // the body is a NeighReset, not a Neigh
)

// Time is the event's time in UTC.
func (r *Record) Time() time.Time { return unixUTC(r.T) }

// EndTime is the last moment a spanning event covers; zero otherwise.
func (r *Record) EndTime() time.Time {
	if r.End == 0 {
		return time.Time{}
	}
	return unixUTC(r.End)
}

// LastNano is End for spanning events and T otherwise.
func (r *Record) LastNano() int64 {
	if r.End == 0 {
		return r.T
	}
	return r.End
}

// LastTime is EndTime for spanning events and Time otherwise.
func (r *Record) LastTime() time.Time { return unixUTC(r.LastNano()) }

// LastPos is the position of the last record folded into the event, or Pos.
func (r *Record) LastPos() Pos {
	switch {
	case r.Last == 0:
		return r.Pos
	case r.Pos.Frame > 0:
		return Pos{Frame: r.Last}
	case r.Pos.Line > 0:
		return Pos{Line: r.Last}
	}
	return r.Pos
}

// Span is the event's first record and the last one folded into it.
func (r *Record) Span() Span { return Span{First: r.Pos, Last: r.LastPos()} }

// unixUTC turns Unix nanoseconds into a UTC time; 0 is the zero time and 1
// the epoch (see nanos).
func unixUTC(ns int64) time.Time {
	switch ns {
	case 0:
		return time.Time{}
	case 1:
		ns = 0
	}
	return time.Unix(0, ns).UTC()
}

// nanos is t as Unix nanoseconds; the zero time is 0. Times outside the
// int64 range (years before 1678 or after 2261) are clamped: the parsers
// already report such timestamps as problems.
func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	const lo, hi = int64(-1 << 62), int64(1 << 62)
	s := t.Unix()
	switch {
	case s < lo/1_000_000_000:
		return lo
	case s > hi/1_000_000_000:
		return hi
	}
	ns := t.UnixNano()
	if ns == 0 {
		ns = 1 // 0 means "no time"; the epoch itself is one nanosecond off
	}
	return ns
}

// link reads the link-layer flags shared by capture kinds.
func (r *Record) linkFlags(l *Link) {
	l.DstKnown = r.Flags&fDstKnown != 0
	l.Group = r.Flags&fGroup != 0
	switch {
	case r.Flags&fDirIn != 0:
		l.Direction = DirIncoming
	case r.Flags&fDirOut != 0:
		l.Direction = DirOutgoing
	}
}

func linkFlags(l *Link) uint16 {
	var f uint16
	if l.DstKnown {
		f |= fDstKnown
	}
	if l.Group {
		f |= fGroup
	}
	switch l.Direction {
	case DirIncoming:
		f |= fDirIn
	case DirOutgoing:
		f |= fDirOut
	}
	return f
}

// The bodies of the compact kinds, laid over Record.Body.
type arpBody struct {
	Src, Dst, SHA, THA MAC
	SPA, TPA           [4]byte
	Op, VLAN           uint16
	Iface              uint32 // string id in the source's table
}

type usageBody struct {
	Src, Dst     MAC
	SrcIP, DstIP [4]byte
	VLAN         uint16
	_            uint16
	Iface        uint32
	Frames, SYNs int64
}

type tcpBody struct {
	Src, Dst         MAC
	SrcIP, DstIP     [4]byte
	VLAN             uint16
	SrcPort, DstPort uint16
	_                uint16
	Iface            uint32
	Seq              uint32
	Attempt          int32
}

type neighBody struct {
	IP                       [16]byte // As16; an IPv4 address is v4-mapped (see neighIP)
	LL, PrevLL               MAC
	State, PrevState         NUD
	NFlags                   NeighFlag
	ATF                      uint8
	Form                     NeighForm
	Is4                      bool
	_                        [2]byte
	Dev, LLText, Proto       uint32 // string ids
	Listings                 int32
	Gap                      int64
	Used, Confirmed, Updated int32
	Probes, Ref              int32
	UpdatedMin, UpdatedMax   int32
	ProbesMax                int32
}

// A NeighReset keeps its counts in the stats fields it does not otherwise use.
func (b *neighBody) resets() *int32     { return &b.Used }
func (b *neighBody) maxUpdated() *int32 { return &b.Updated }

// Compile-time checks that every body fits.
var (
	_ [bodySize - unsafe.Sizeof(arpBody{})]byte
	_ [bodySize - unsafe.Sizeof(usageBody{})]byte
	_ [bodySize - unsafe.Sizeof(tcpBody{})]byte
	_ [bodySize - unsafe.Sizeof(neighBody{})]byte
)

func (r *Record) arp() *arpBody     { return (*arpBody)(unsafe.Pointer(&r.Body)) }
func (r *Record) usage() *usageBody { return (*usageBody)(unsafe.Pointer(&r.Body)) }
func (r *Record) tcp() *tcpBody     { return (*tcpBody)(unsafe.Pointer(&r.Body)) }
func (r *Record) neigh() *neighBody { return (*neighBody)(unsafe.Pointer(&r.Body)) }

func addr4(b [4]byte, valid bool) netip.Addr {
	if !valid {
		return netip.Addr{}
	}
	return netip.AddrFrom4(b)
}

// put4 stores an address as four bytes; ok is false when it is not IPv4.
func put4(dst *[4]byte, a netip.Addr) bool {
	if !a.Is4() {
		return false
	}
	*dst = a.As4()
	return true
}

// ARPRec reads an ARP record without allocating. ok is false for other
// kinds. Iface is left empty: Timeline.Event fills it.
func (r *Record) ARPRec() (a ARP, ok bool) {
	if r.Kind != KindARP {
		return a, false
	}
	b := r.arp()
	a.Src, a.Dst, a.SHA, a.THA = b.Src, b.Dst, b.SHA, b.THA
	r.linkFlags(&a.Link)
	a.VLAN = b.VLAN
	a.Op = b.Op
	a.Class = ARPClass(r.Sub)
	a.SPA = addr4(b.SPA, r.Flags&fAValid != 0)
	a.TPA = addr4(b.TPA, r.Flags&fBValid != 0)
	a.SenderMismatch = r.Flags&fSenderMismatch != 0
	a.FromText = r.Flags&fFromText != 0
	return a, true
}

// UsageRec reads a usage-run record without allocating.
func (r *Record) UsageRec() (u UsageRun, ok bool) {
	if r.Kind != KindUsage {
		return u, false
	}
	b := r.usage()
	u.Src, u.Dst = b.Src, b.Dst
	r.linkFlags(&u.Link)
	u.VLAN = b.VLAN
	u.SrcIP = addr4(b.SrcIP, r.Flags&fAValid != 0)
	u.DstIP = addr4(b.DstIP, r.Flags&fBValid != 0)
	u.DstInferred = r.Flags&fDstInferred != 0
	u.Frames, u.SYNs = b.Frames, b.SYNs
	u.Last = r.LastPos()
	return u, true
}

// TCPRec reads a TCP handshake record without allocating.
func (r *Record) TCPRec() (t TCP, ok bool) {
	if r.Kind != KindTCP {
		return t, false
	}
	b := r.tcp()
	t.Src, t.Dst = b.Src, b.Dst
	r.linkFlags(&t.Link)
	t.VLAN = b.VLAN
	t.What = TCPKind(r.Sub)
	t.SrcIP = addr4(b.SrcIP, r.Flags&fAValid != 0)
	t.DstIP = addr4(b.DstIP, r.Flags&fBValid != 0)
	t.SrcPort, t.DstPort, t.Seq, t.Attempt = b.SrcPort, b.DstPort, b.Seq, int(b.Attempt)
	return t, true
}

// NeighIP is the address of a neighbour record (Neigh or NeighReset).
func (r *Record) NeighIP() netip.Addr {
	b := r.neigh()
	a := netip.AddrFrom16(b.IP)
	if b.Is4 {
		return a.Unmap()
	}
	return a
}

// NeighObs is what a pass over neighbour records reads of one without
// decoding it (PayloadOf makes a whole *Neigh or *NeighReset, with its
// strings): on a monitor flood the pass over millions of records did little
// else.
type NeighObs struct {
	Reset    bool // a NeighReset: Op, Form and the gap are zero
	Op       NeighOp
	State    NUD
	Form     NeighForm
	HasLL    bool
	LL       MAC
	Gap      time.Duration // how long before the event the state began, when GapKnown
	GapKnown bool
	IP       [16]byte // the address As16 (NeighIP is it as a netip.Addr)
	Is4      bool     // IP is an IPv4 address, v4-mapped
	Dev      uint32   // the device's id, one per name within the record's source (Timeline.NeighDev names it)
}

// NeighObs reads a neighbour record (Neigh or NeighReset); ok is false for
// other kinds.
func (r *Record) NeighObs() (o NeighObs, ok bool) {
	if r.Kind != KindNeigh {
		return o, false
	}
	b := r.neigh()
	o.IP, o.Is4, o.Dev, o.State, o.LL, o.HasLL = b.IP, b.Is4, b.Dev, b.State, b.LL, r.Flags&fnHasLL != 0
	if r.Flags&fnReset != 0 {
		o.Reset = true
		return o, true
	}
	o.Op, o.Form = NeighOp(r.Sub), b.Form
	o.Gap, o.GapKnown = time.Duration(b.Gap), r.Flags&fnGapKnown != 0
	return o, true
}

// IsNeighReset reports a KindNeigh record holding a NeighReset.
func (r *Record) IsNeighReset() bool { return r.Kind == KindNeigh && r.Flags&fnReset != 0 }

// TextLen is the length of the event's own text (Timeline.Raw) without
// reading it: 0 for frames and for events without text.
func (r *Record) TextLen() int {
	if r.Flags&fFrame != 0 {
		return 0
	}
	return int(r.Len)
}

// NeighLL reads a neighbour record's lladdr and state without decoding: ok
// when it is a listing or monitor line (not a reset, deletion, miss or
// disappearance) holding an Ethernet lladdr in a state that uses it.
func (r *Record) NeighLL() (mac MAC, state NUD, ok bool) {
	if r.Kind != KindNeigh || r.Flags&fnReset != 0 || r.Flags&fnHasLL == 0 || NeighOp(r.Sub) != NeighListed {
		return mac, 0, false
	}
	b := r.neigh()
	if !b.State.Valid() || !b.Is4 {
		return mac, 0, false
	}
	return b.LL, b.State, true
}
