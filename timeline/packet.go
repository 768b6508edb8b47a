package timeline

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Direction is which way a frame crossed the capturing host, where the capture
// says so (Linux cooked captures and pcapng packet flags).
type Direction uint8

const (
	DirUnknown  Direction = iota
	DirIncoming           // to this host, broadcast, multicast, or to another host (promiscuous)
	DirOutgoing           // sent by this host
)

func (d Direction) String() string {
	switch d {
	case DirIncoming:
		return "in"
	case DirOutgoing:
		return "out"
	}
	return ""
}

// Link is what the link layer recorded about a frame.
type Link struct {
	Src, Dst MAC
	// DstKnown is false on Linux cooked captures (SLL, SLL2: tcpdump -i any),
	// which record only one link address, the sender's.
	DstKnown bool
	// Group: the frame went to a link-layer broadcast or multicast address.
	// Cooked captures say so (packet types 1 and 2) without recording it.
	Group     bool
	Direction Direction
	VLAN      uint16 // outermost 802.1Q/802.1ad VLAN id; 0 when untagged
	Iface     string // capture interface when the capture names it (pcapng IDB, SLL2 ifindex)
}

func (l *Link) fields(fs []Field) []Field {
	if l.Src.IsZero() && !l.DstKnown {
		// tcpdump text without -e: no link layer printed at all.
		fs = append(fs, Field{"eth.src", "(not recorded)"}, Field{"eth.dst", "(not recorded)"})
		return l.tail(fs)
	}
	fs = append(fs, Field{"eth.src", l.Src.String()})
	if l.DstKnown {
		fs = append(fs, Field{"eth.dst", l.Dst.String()})
	} else {
		fs = append(fs, Field{"eth.dst", "(not recorded: cooked capture)"})
	}
	return l.tail(fs)
}

func (l *Link) tail(fs []Field) []Field {
	if l.Direction != DirUnknown {
		fs = append(fs, Field{"direction", l.Direction.String()})
	}
	if l.VLAN != 0 {
		fs = append(fs, Field{"vlan", strconv.Itoa(int(l.VLAN))})
	}
	if l.Iface != "" {
		fs = append(fs, Field{"interface", l.Iface})
	}
	return fs
}

// ARPClass is what an ARP frame means to a receiving Linux host.
type ARPClass uint8

const (
	ARPRequest     ARPClass = iota + 1 // ordinary who-has
	ARPReply                           // ordinary is-at
	ARPGarpRequest                     // request with spa == tpa (arping -U, kernel announcements)
	// ARPGarpReply is a reply with spa == tpa and tha == sha: the only reply
	// flavour Linux >= 4.12 treats as gratuitous (arp_is_garp()).
	ARPGarpReply
	// ARPGarpReplyOtherTHA is a reply with spa == tpa but tha != sha
	// (broadcast or zero): not a GARP to Linux, so locktime applies to it.
	ARPGarpReplyOtherTHA
	ARPProbe // RFC 5227 probe: request with spa 0.0.0.0
	ARPOther // any other opcode (RARP, InARP, garbage)
)

var arpClassNames = [...]string{
	ARPRequest: "request", ARPReply: "reply", ARPGarpRequest: "garp-request",
	ARPGarpReply: "garp-reply", ARPGarpReplyOtherTHA: "garp-reply-other-tha",
	ARPProbe: "probe", ARPOther: "other",
}

func (c ARPClass) String() string {
	if int(c) < len(arpClassNames) && arpClassNames[c] != "" {
		return arpClassNames[c]
	}
	return "unknown"
}

// IsGARP reports any gratuitous flavour (request or reply, whatever tha holds).
func (c ARPClass) IsGARP() bool {
	return c == ARPGarpRequest || c == ARPGarpReply || c == ARPGarpReplyOtherTHA
}

// Announces reports whether the frame binds SPA to SHA for receivers: replies
// and GARPs do; ordinary requests also carry the sender's binding but are
// not announcements; probes carry no binding.
func (c ARPClass) Announces() bool {
	return c == ARPReply || c.IsGARP()
}

// ClassifyARP applies the recognition rules to an Ethernet/IPv4 ARP frame.
func ClassifyARP(op uint16, sha, tha MAC, spa, tpa netip.Addr) ARPClass {
	switch op {
	case 1:
		if spa.IsValid() && spa.IsUnspecified() {
			return ARPProbe
		}
		if spa == tpa {
			return ARPGarpRequest
		}
		return ARPRequest
	case 2:
		if spa == tpa {
			if tha == sha {
				return ARPGarpReply
			}
			return ARPGarpReplyOtherTHA
		}
		return ARPReply
	}
	return ARPOther
}

// ARP is one ARP frame for IPv4 over Ethernet-like hardware.
type ARP struct {
	Link
	Op       uint16
	Class    ARPClass
	SHA, THA MAC
	SPA, TPA netip.Addr
	// SenderMismatch: the ARP sender hardware address differs from the
	// Ethernet source (Zeek's weird-arp-sha): proxies, spoofing, or a bridge
	// rewriting one but not the other.
	SenderMismatch bool
	// Bytes is the frame as captured, for hex dumps; nil for text sources.
	Bytes []byte
	// FromText: read from tcpdump text, which prints no SHA for requests
	// (the Ethernet source stands for it) and neither TPA nor THA for
	// replies (a broadcast reply is taken as a GARP with tpa = spa and
	// tha = sha; a unicast one takes them from the request it answers, or
	// leaves TPA invalid). See parse/pcap.ParseText.
	FromText bool
}

func (a *ARP) Kind() Kind { return KindARP }

// linked reports whether the frame's link layer was recorded at all.
func (a *ARP) linked() bool { return !a.Src.IsZero() || a.DstKnown }

// Summary reads like tcpdump -e -n so users recognise it.
func (a *ARP) Summary() string {
	var b strings.Builder
	if a.linked() {
		b.WriteString(a.Src.String())
		if a.DstKnown {
			b.WriteString(" > ")
			b.WriteString(a.Dst.String())
		}
		b.WriteString(" ")
	}
	b.WriteString("ARP ")
	switch a.Op {
	case 1:
		fmt.Fprintf(&b, "Request who-has %s", a.TPA)
		if !a.THA.IsZero() {
			fmt.Fprintf(&b, " (%s)", a.THA)
		}
		fmt.Fprintf(&b, " tell %s", a.SPA)
	case 2:
		fmt.Fprintf(&b, "Reply %s is-at %s", a.SPA, a.SHA)
		switch {
		case a.Class.IsGARP() && a.FromText:
			b.WriteString(" (tha not printed by tcpdump: assumed = sha)")
		case a.Class.IsGARP():
			fmt.Fprintf(&b, " (tha %s)", a.THA)
		}
	default:
		fmt.Fprintf(&b, "op %d %s/%s > %s/%s", a.Op, a.SPA, a.SHA, a.TPA, a.THA)
	}
	switch a.Class {
	case ARPGarpRequest, ARPGarpReply:
		b.WriteString(" [gratuitous]")
	case ARPGarpReplyOtherTHA:
		b.WriteString(" [gratuitous reply, tha != sha: not a GARP to Linux]")
	case ARPProbe:
		b.WriteString(" [probe]")
	}
	if a.SenderMismatch {
		b.WriteString(" [sender MAC != Ethernet source]")
	}
	return b.String()
}

func (a *ARP) AppendKeys(k *Keys) {
	if a.SPA.IsValid() && !a.SPA.IsUnspecified() {
		k.IPs = append(k.IPs, a.SPA)
	}
	if a.TPA.IsValid() && !a.TPA.IsUnspecified() {
		k.IPs = append(k.IPs, a.TPA)
	}
	k.MACs = append(k.MACs, a.Src, a.SHA)
	if a.DstKnown && !a.Dst.IsBroadcast() {
		k.MACs = append(k.MACs, a.Dst)
	}
	if !a.THA.IsZero() && !a.THA.IsBroadcast() {
		k.MACs = append(k.MACs, a.THA)
	}
}

func (a *ARP) Fields() []Field {
	fs := a.Link.fields(nil)
	ip := func(x netip.Addr) string {
		if !x.IsValid() {
			return "(not recorded)"
		}
		return x.String()
	}
	fs = append(fs,
		Field{"arp.opcode", strconv.Itoa(int(a.Op))},
		Field{"arp.class", a.Class.String()},
		Field{"arp.src.hw_mac", a.SHA.String()},
		Field{"arp.src.proto_ipv4", ip(a.SPA)},
		Field{"arp.dst.hw_mac", a.THA.String()},
		Field{"arp.dst.proto_ipv4", ip(a.TPA)},
		Field{"sender_mismatch", strconv.FormatBool(a.SenderMismatch)},
	)
	if a.FromText {
		fs = append(fs, Field{"inferred", a.inferred()})
	}
	return fs
}

// inferred says which fields tcpdump text did not print and where their
// values came from.
func (a *ARP) inferred() string {
	switch {
	case a.Op == 1 && a.linked():
		return "arp.src.hw_mac: not printed by tcpdump, taken from eth.src"
	case a.Op == 1:
		return "arp.src.hw_mac: not printed by tcpdump (no link layer either)"
	case a.Op == 2 && a.Class.IsGARP():
		return "arp.dst.*: not printed by tcpdump; a broadcast reply is taken as a GARP (tpa = spa, tha = sha)"
	case a.Op == 2 && a.TPA.IsValid():
		return "arp.dst.*: not printed by tcpdump, taken from the request this reply answers"
	case a.Op == 2:
		return "arp.dst.*: not printed by tcpdump"
	}
	return "none"
}

// UsageRun folds a sender's unicast IPv4 frames to one destination IP: "S sent
// N frames to IP X via MAC M between Time and End". A new run starts whenever
// the destination MAC for (sender, IP) changes, or the IP is announced at a
// new MAC, so a run never straddles an announcement seen in the same capture.
type UsageRun struct {
	Link             // Src is the sender; Dst the destination MAC used (see DstInferred)
	SrcIP netip.Addr // sender's IP in the first frame
	DstIP netip.Addr
	// DstInferred: the capture did not record the destination MAC (cooked
	// capture of the host's own frames); Dst is the MAC the host's last
	// accepted ARP exchange for DstIP bound it to. Zero Dst: not inferable.
	DstInferred bool
	Frames      int64
	Last        Pos   // position of the last frame (the event's Pos is the first)
	SYNs        int64 // TCP SYNs among the frames (first attempts and retransmissions)
}

func (u *UsageRun) Kind() Kind { return KindUsage }

func (u *UsageRun) Summary() string {
	via := u.Dst.String()
	switch {
	case !u.DstKnown && u.DstInferred:
		via += " (inferred)"
	case !u.DstKnown:
		via = "unknown MAC"
	}
	s := fmt.Sprintf("%s (%s) sent %d frame(s) to %s via %s", u.Src, u.SrcIP, u.Frames, u.DstIP, via)
	if u.SYNs > 0 {
		s += fmt.Sprintf(", %d SYN(s)", u.SYNs)
	}
	return s
}

func (u *UsageRun) AppendKeys(k *Keys) {
	k.IPs = append(k.IPs, u.DstIP)
	if u.SrcIP.IsValid() {
		k.IPs = append(k.IPs, u.SrcIP)
	}
	k.MACs = append(k.MACs, u.Src)
	if !u.Dst.IsZero() {
		k.MACs = append(k.MACs, u.Dst)
	}
}

func (u *UsageRun) Fields() []Field {
	fs := u.Link.fields(nil)
	return append(fs,
		Field{"ip.src", u.SrcIP.String()},
		Field{"ip.dst", u.DstIP.String()},
		Field{"dst_mac_inferred", strconv.FormatBool(u.DstInferred)},
		Field{"frames", strconv.FormatInt(u.Frames, 10)},
		Field{"last", u.Last.String()},
		Field{"syns", strconv.FormatInt(u.SYNs, 10)},
	)
}

// TCPKind is which handshake frame a TCP event is.
type TCPKind uint8

const (
	TCPSyn        TCPKind = iota + 1 // first SYN of a 4-tuple and ISN
	TCPSynRetrans                    // same 4-tuple and ISN again
	TCPSynAck
)

func (k TCPKind) String() string {
	switch k {
	case TCPSyn:
		return "SYN"
	case TCPSynRetrans:
		return "SYN (retransmission)"
	case TCPSynAck:
		return "SYN/ACK"
	}
	return "TCP"
}

// TCP is one handshake frame.
type TCP struct {
	Link
	What             TCPKind
	SrcIP, DstIP     netip.Addr
	SrcPort, DstPort uint16
	Seq              uint32
	Attempt          int    // 1 for the first SYN, 2 for its first retransmission, …
	Bytes            []byte // the frame as captured, for hex dumps; nil for text sources
}

func (t *TCP) Kind() Kind { return KindTCP }

func (t *TCP) Summary() string {
	s := fmt.Sprintf("%s %s:%d > %s:%d", t.What, t.SrcIP, t.SrcPort, t.DstIP, t.DstPort)
	if t.What == TCPSynRetrans {
		s += fmt.Sprintf(" attempt %d", t.Attempt)
	}
	if t.DstKnown {
		s += " via " + t.Dst.String()
	}
	return s
}

func (t *TCP) AppendKeys(k *Keys) {
	k.IPs = append(k.IPs, t.SrcIP, t.DstIP)
	k.MACs = append(k.MACs, t.Src)
	if t.DstKnown {
		k.MACs = append(k.MACs, t.Dst)
	}
}

func (t *TCP) Fields() []Field {
	fs := t.Link.fields(nil)
	return append(fs,
		Field{"tcp.kind", t.What.String()},
		Field{"ip.src", t.SrcIP.String()},
		Field{"ip.dst", t.DstIP.String()},
		Field{"tcp.srcport", strconv.Itoa(int(t.SrcPort))},
		Field{"tcp.dstport", strconv.Itoa(int(t.DstPort))},
		Field{"tcp.seq", strconv.FormatUint(uint64(t.Seq), 10)},
		Field{"attempt", strconv.Itoa(t.Attempt)},
	)
}
