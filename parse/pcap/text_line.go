package pcap

import (
	"net/netip"
	"time"

	"github.com/arpforensics/arpforensics/parse/lex"
	"github.com/arpforensics/arpforensics/timeline"
)

// This file is the grammar of one line of tcpdump's text output, after any
// journal prefix. It follows tcpdump's printers (print-ether.c, print-sll.c,
// print-arp.c, print-ip.c, print-tcp.c, util-print.c) from 4.9 to 4.99:
//
//	line      = stamp " " [link] payload
//	stamp     = HH:MM:SS.frac | YYYY-MM-DD HH:MM:SS.frac (-tttt) | secs.frac (-tt)
//	link      = MAC " > " MAC ", " ethertail                    (-e, Ethernet)
//	          | ("Out"|" In"|"  B"|"  M"|"  P") " " [MAC " "] ethertail   (-e, Linux cooked v1)
//	          | IFNAME " "+ DIR " "+ ["ifindex " N " " [MAC " "] ethertail] (Linux cooked v2, 4.99)
//	ethertail = "ethertype " NAME " (0x" HEX "), length " N ": " typed
//	          | NAME ", length " N ": " typed                   (-e -q)
//	typed     = "vlan " N ", p " N [", DEI"] ", " ("ethertype " NAME [" (0x" HEX ")"] ", ")? typed
//	          | arp | ip
//	payload   = "ARP, " arp | "IP " ip | anything else (another protocol)
//
// Parsing never allocates: fields point into the line or are fixed-size.

// stampForm is which timestamp option tcpdump ran with.
type stampForm uint8

const (
	stampClock stampForm = iota + 1 // default: time of day, local time
	stampDate                       // -tttt: date and time of day, local time
	stampEpoch                      // -tt: seconds since 1970
)

// textStamp is a tcpdump timestamp as printed.
type textStamp struct {
	form  stampForm
	year  int
	month time.Month
	day   int
	tod   time.Duration // stampClock, stampDate
	sec   int64         // stampEpoch
	nsec  int64         // stampEpoch
}

// cutStamp reads the timestamp at the start of b and the space after it.
// tcpdump always prints a fraction (6 digits, 9 with nanosecond precision),
// which keeps "HH:MM:SS" log lines from looking like captures.
func cutStamp(b []byte) (st textStamp, rest []byte, ok bool) {
	switch {
	case len(b) >= 21 && b[4] == '-' && b[10] == ' ':
		y, m, d, ok := lex.Date(b)
		if !ok {
			return st, nil, false
		}
		tod, n, ok := clockOf(b[11:])
		if !ok {
			return st, nil, false
		}
		st = textStamp{form: stampDate, year: y, month: m, day: d, tod: tod}
		b = b[11+n:]
	case len(b) >= 10 && b[2] == ':':
		tod, n, ok := clockOf(b)
		if !ok {
			return st, nil, false
		}
		st = textStamp{form: stampClock, tod: tod}
		b = b[n:]
	default:
		sec, i := lex.Uint(b, 12)
		if i == 0 || i >= len(b) || b[i] != '.' {
			return st, nil, false
		}
		frac, k := lex.Uint(b[i+1:], 9)
		if k != 6 && k != 9 {
			return st, nil, false
		}
		if k == 6 {
			frac *= 1000
		}
		st = textStamp{form: stampEpoch, sec: int64(sec), nsec: int64(frac)}
		b = b[i+1+k:]
	}
	if len(b) == 0 || b[0] != ' ' {
		return st, nil, false
	}
	return st, b[1:], true
}

// isDeltaStamp recognises the " HH:MM:SS.ffffff " tcpdump 4.99 prints for
// -ttt (time since the previous frame) and -ttttt (since the first).
func isDeltaStamp(b []byte) bool {
	if len(b) < 2 || b[0] != ' ' {
		return false
	}
	_, n, ok := clockOf(b[1:])
	return ok && n+1 < len(b) && b[n+1] == ' '
}

// clockOf reads tcpdump's "HH:MM:SS.ffffff" (6 or 9 fraction digits).
func clockOf(b []byte) (time.Duration, int, bool) {
	tod, n, ok := lex.Clock(b)
	if !ok || n-9 != 6 && n-9 != 9 || b[8] != '.' {
		return 0, 0, false
	}
	return tod, n, true
}

// frameProto is what a line's payload turned out to be.
type frameProto uint8

const (
	protoOther frameProto = iota // another protocol, or a frame tcpdump could not decode: irrelevant
	protoARP
	protoIPv4
)

// pktType is the Linux cooked capture packet type word.
type pktType uint8

const (
	pktNone      pktType = iota // not a cooked capture line
	pktIn                       // "In": to this host
	pktOut                      // "Out": sent by this host
	pktBroadcast                // "B"
	pktMulticast                // "M"
	pktOtherHost                // "P": to another host, seen promiscuously
	pktUnknown                  // "?"
)

// textFrame is what one line says about one frame.
type textFrame struct {
	link timeline.Link
	// macs: the line printed the sender's MAC (tcpdump -e). Without it the
	// frame cannot be folded into usage runs.
	macs bool
	pkt  pktType
	// known: the payload belongs to a tcpdump printer (a link header, "IP6",
	// …) even when it is irrelevant; false for a stamped line whose payload
	// is not recognised at all. Sniffing counts only known lines.
	known bool
	proto frameProto
	// ifname is the cooked v2 interface name, pointing into the line.
	ifname []byte

	// ARP (protoARP). tcpdump prints the sender MAC only for replies and
	// the target MAC only for requests, and only when it is not zero.
	op         uint16
	sha, tha   timeline.MAC
	spa, tpa   netip.Addr
	thaPrinted bool

	// IPv4 (protoIPv4)
	src, dst netip.Addr
	isTCP    bool
	tcp      TCPInfo
	// vHeader: tcpdump -v printed the IP header alone; the addresses and
	// the transport follow on the next, indented line.
	vHeader bool
	// portNamed: a port was printed as a service name (tcpdump -n without
	// -nn) that the reader does not know; it reads as 0.
	portNamed bool
}

// Reasons a line that looks like tcpdump output could not be read. They are
// constants so a bad line costs no allocation until it is reported.
const (
	errLinkHeader   = "unreadable link-layer header"
	errEthertype    = "unreadable ethertype"
	errVLAN         = "unreadable 802.1Q tag"
	errARP          = "unrecognised ARP line"
	errARPAddr      = "ARP line without numeric IPv4 addresses (run tcpdump with -n)"
	errARPMAC       = "ARP reply without a MAC address after is-at"
	errARPTruncated = "ARP packet too short for tcpdump to decode ([|arp]): its addresses were not captured"
	errIPAddr       = "IPv4 line without numeric addresses (run tcpdump with -n)"
	errIPShape      = "unrecognised IPv4 line"
	errPort         = "unreadable port"
	errNoStamp      = "tcpdump line without a timestamp (tcpdump -t): it cannot be placed in time"
	errDeltaStamp   = "relative timestamp (tcpdump -ttt or -ttttt): it cannot be placed in time"
)

// parseFrame reads everything after the timestamp into f (which it resets)
// and returns "" or why the line could not be read.
func parseFrame(b []byte, f *textFrame) string {
	*f = textFrame{}
	c := cursor{b: b}
	if b := c.peek(); len(b) > 0 && lex.IsHex(b[0]) && len(b) >= 20 && b[2] == ':' {
		// Ethernet with -e: "src > dst, ethertail".
		src, ok := c.mac()
		if ok && c.lit(" > ") {
			f.known = true
			dst, ok := c.mac()
			if !ok || !c.lit(", ") {
				return errLinkHeader
			}
			f.link = timeline.Link{Src: src, Dst: dst, DstKnown: true, Group: dst.IsMulticast()}
			f.macs = true
			return parseEtherTail(&c, f)
		}
		c.i = 0
	}
	if pt, n := cookedV1(b); n > 0 {
		// Linux cooked v1 with -e: "%3s " direction, the sender's address
		// when it is 6 bytes, then the protocol.
		f.known = true
		f.pkt = pt
		f.link.Direction = pt.direction()
		f.link.Group = pt == pktBroadcast || pt == pktMulticast
		c.i = n
		if m, ok := c.macSpace(); ok {
			f.link.Src, f.macs = m, true
		}
		return parseCookedTail(&c, f)
	}
	if pt, ifname, n := cookedV2(b); n > 0 {
		// Linux cooked v2 (tcpdump 4.99 -i any): interface and direction
		// always; with -e the ifindex, the sender's address and the protocol.
		f.known = true
		f.pkt = pt
		f.link.Direction = pt.direction()
		f.link.Group = pt == pktBroadcast || pt == pktMulticast
		if !(len(ifname) == 1 && ifname[0] == '?') {
			f.ifname = ifname // Link.Iface is set by the reader, which interns it
		}
		c.i = n
		if c.lit("ifindex ") {
			if _, ok := c.num(); !ok || !c.lit(" ") {
				return errLinkHeader
			}
			if m, ok := c.macSpace(); ok {
				f.link.Src, f.macs = m, true
			}
			return parseCookedTail(&c, f)
		}
		return parsePayload(&c, f)
	}
	return parsePayload(&c, f)
}

// parseCookedTail reads what follows a cooked header's address: the
// ethertype and length, or with -q the payload straight away (an IPv4
// payload then starts with its source address, ARP with its operation).
func parseCookedTail(c *cursor, f *textFrame) string {
	p := c.peek()
	switch {
	case hasPrefix(p, "ethertype ") || hasPrefix(p, "802.3") || hasPrefix(p, "802.2"):
		return parseEtherTail(c, f)
	case hasPrefix(p, "vlan "):
		return parseTyped(c, f, 0x8100, 0)
	}
	return parseUntyped(c, f)
}

// parseUntyped reads a payload tcpdump -e -q printed without naming its
// type: IPv4 starts with its source address, ARP with its operation.
func parseUntyped(c *cursor, f *textFrame) string {
	p := c.peek()
	switch {
	case len(p) > 0 && lex.IsDigit(p[0]):
		probe := *c
		if _, ok := probe.ip4(); !ok {
			return "" // an IPv6 address, or another protocol
		}
		return parseIPv4(c, f)
	case hasPrefix(p, "Request ") || hasPrefix(p, "Reply ") || hasPrefix(p, "Ethernet (len"):
		return parseARP(c, f)
	}
	return ""
}

// parsePayload reads a payload without its link layer (no -e): only ARP and
// IPv4 announce themselves ("ARP, ", "IP ").
func parsePayload(c *cursor, f *textFrame) string {
	if c.has("ethertype ") {
		// A VLAN-tagged frame on a cooked capture: print-sll.c names the
		// inner type even without -e ("ethertype ARP, ARP, Request …"),
		// but not the VLAN.
		i := c.index(", ")
		if i < 0 || i-c.i > 40 {
			return ""
		}
		c.i = i + 2
	}
	switch {
	case c.lit("ARP, "):
		f.known = true
		return parseARP(c, f)
	case c.has(" [|arp]") || c.has("[|arp]"):
		// Without -e, tcpdump prints nothing but the marker for an ARP
		// packet cut before its addresses.
		f.known = true
		return errARPTruncated
	case c.lit("IP "):
		f.known = true
		return parseIPv4(c, f)
	case c.has("IP6 ") || c.has("IP6, "):
		f.known = true
	}
	return ""
}

func (p pktType) direction() timeline.Direction {
	switch p {
	case pktOut:
		return timeline.DirOutgoing
	case pktIn, pktBroadcast, pktMulticast, pktOtherHost:
		return timeline.DirIncoming
	}
	return timeline.DirUnknown
}

func pktWord(w []byte) pktType {
	switch string(w) {
	case "In":
		return pktIn
	case "Out":
		return pktOut
	case "B":
		return pktBroadcast
	case "M":
		return pktMulticast
	case "P":
		return pktOtherHost
	case "?":
		return pktUnknown
	}
	return pktNone
}

// cookedV1 recognises print-sll.c's "%3s " packet type followed by an
// address or the protocol, and returns how many bytes it took.
func cookedV1(b []byte) (pktType, int) {
	i := 0
	for i < 2 && i < len(b) && b[i] == ' ' {
		i++
	}
	j := i
	for j < len(b) && j < 3 && b[j] != ' ' {
		j++
	}
	if j != 3 || j >= len(b) || b[j] != ' ' {
		return pktNone, 0
	}
	pt := pktWord(b[i:j])
	if pt == pktNone {
		return pktNone, 0
	}
	rest := b[j+1:]
	if hasPrefix(rest, "ethertype ") || hasPrefix(rest, "802.3") || hasPrefix(rest, "802.2") ||
		len(rest) > 18 && rest[2] == ':' && rest[17] == ' ' {
		return pt, j + 1
	}
	return pktNone, 0
}

// cookedV2 recognises print-sll.c's "%-5s %-3s " interface and packet type
// (tcpdump 4.99 on LINUX_SLL2), returning the interface name and how many
// bytes it took.
func cookedV2(b []byte) (pktType, []byte, int) {
	i := 0
	for i < len(b) && b[i] != ' ' {
		i++
	}
	if i == 0 || i > 64 {
		return pktNone, nil, 0
	}
	ifname := b[:i]
	for i < len(b) && b[i] == ' ' {
		i++
	}
	j := i
	for j < len(b) && b[j] != ' ' {
		j++
	}
	pt := pktWord(b[i:j])
	if pt == pktNone || j >= len(b) {
		return pktNone, nil, 0
	}
	for j < len(b) && b[j] == ' ' {
		j++
	}
	return pt, ifname, j
}

// parseEtherTail reads "ethertype NAME (0xHHHH), length N: " (or the -q
// form "NAME, length N: ") and the payload it announces.
func parseEtherTail(c *cursor, f *textFrame) string {
	var typ uint16
	switch {
	case c.lit("ethertype "):
		i := c.index(" (0x")
		if i < 0 {
			return errEthertype
		}
		c.i = i + 4
		v, ok := c.hex16()
		if !ok || !c.lit("), length ") {
			return errEthertype
		}
		typ = v
	case c.has("802.3") || c.has("802.2"):
		return "" // LLC frames: no ARP or IPv4 here
	default:
		// -q: the ethertype by name only.
		i := c.index(", length ")
		if i < 0 {
			return errEthertype
		}
		typ = ethertypeByName(c.b[c.i:i])
		c.i = i + len(", length ")
	}
	if _, ok := c.num(); !ok || !c.lit(":") {
		return errEthertype
	}
	if !c.lit(" ") || c.i == len(c.b) {
		// Nothing after the header: tcpdump could not decode the frame and
		// hex-dumps it on the following lines (802.1ad on cooked captures).
		return ""
	}
	return parseTyped(c, f, typ, 0)
}

// parseTyped reads the payload of ethertype typ, unwrapping VLAN tags.
func parseTyped(c *cursor, f *textFrame, typ uint16, depth int) string {
	switch typ {
	case 0x0806:
		return parseARP(c, f)
	case 0x0800:
		return parseIPv4(c, f)
	case 0x8100, 0x88a8, 0x9100, 0x9200:
		if depth > 8 {
			return errVLAN
		}
		if !c.lit("vlan ") {
			return errVLAN
		}
		id, ok := c.num()
		if !ok || id > 4095 || !c.lit(", p ") {
			return errVLAN
		}
		if _, ok := c.num(); !ok {
			return errVLAN
		}
		c.lit(", DEI")
		c.lit(", CFI") // tcpdump before 4.99 on some platforms
		if !c.lit(", ") {
			return errVLAN
		}
		if f.link.VLAN == 0 {
			f.link.VLAN = uint16(id)
		}
		if !c.lit("ethertype ") {
			// -q: the inner type by name alone on Ethernet ("ARP, "), not
			// at all on cooked captures.
			if i := c.index(", "); i >= 0 && i-c.i <= 16 {
				if typ := ethertypeByName(c.b[c.i:i]); typ != 0 {
					c.i = i + 2
					return parseTyped(c, f, typ, depth+1)
				}
			}
			return parseUntyped(c, f)
		}
		// 4.99 Ethernet: "ethertype ARP (0x0806), "; before that and on
		// cooked captures: "ethertype ARP, ".
		i := c.index(", ")
		if i < 0 {
			return errVLAN
		}
		name := c.b[c.i:i]
		inner := uint16(0)
		if n := len(name); n > 9 && string(name[n-9:n-6]) == " (0" && name[n-6] == 'x' && name[n-1] == ')' {
			v, ok := lex.Hex16(name[n-5 : n-1])
			if !ok {
				return errVLAN
			}
			inner = v
		} else {
			inner = ethertypeByName(name)
		}
		c.i = i + 2
		return parseTyped(c, f, inner, depth+1)
	}
	return ""
}

func ethertypeByName(name []byte) uint16 {
	switch string(name) {
	case "ARP":
		return 0x0806
	case "IPv4":
		return 0x0800
	case "802.1Q":
		return 0x8100
	case "802.1Q-QinQ":
		return 0x88a8
	case "802.1Q-9100":
		return 0x9100
	case "802.1Q-9200":
		return 0x9200
	}
	return 0
}

// parseARP reads print-arp.c's IPv4-over-Ethernet forms:
//
//	Request who-has TPA [(THA)] tell SPA, length N
//	Reply SPA is-at SHA, length N
//
// with -v prefixed by "Ethernet (len 6), IPv4 (len 4), ". Other opcodes
// (RARP, InARP) and other hardware or protocol types are irrelevant.
func parseARP(c *cursor, f *textFrame) string {
	for c.i < len(c.b) && c.b[c.i] == ' ' {
		c.i++
	}
	if c.has("[|") {
		return errARPTruncated
	}
	c.lit("Ethernet (len 6), IPv4 (len 4), ") // -v
	switch {
	case c.lit("Request who-has "):
		tpa, ok := c.ip4()
		if !ok {
			return errARPAddr
		}
		if c.lit(" (") {
			start := c.i
			tha, ok := c.mac()
			if !ok || !c.lit(")") {
				// A hardware address of another length (InfiniBand,
				// garbage hln): not Ethernet ARP, so irrelevant.
				c.i = start
				if c.hexColons() && c.lit(")") {
					return ""
				}
				return errARP
			}
			f.tha, f.thaPrinted = tha, true
		}
		if !c.lit(" tell ") {
			return errARP
		}
		spa, ok := c.ip4()
		if !ok {
			return errARPAddr
		}
		if !c.atFieldEnd() {
			return errARPAddr
		}
		f.proto, f.op, f.spa, f.tpa = protoARP, 1, spa, tpa
		return ""
	case c.lit("Reply "):
		spa, ok := c.ip4()
		if !ok {
			return errARPAddr
		}
		if !c.lit(" is-at ") {
			return errARP
		}
		start := c.i
		sha, ok := c.mac()
		if !ok || !c.atFieldEnd() {
			// Hardware addresses of other lengths (ARCnet, FireWire) are
			// printed as colon-separated hex too: irrelevant, not broken.
			c.i = start
			if c.hexColons() && c.atFieldEnd() {
				return ""
			}
			return errARPMAC
		}
		f.proto, f.op, f.spa, f.sha = protoARP, 2, spa, sha
		return ""
	case c.has("Reverse ") || c.has("Inverse ") || c.has("NACK ") || c.has("Unknown "):
		return ""
	}
	if i := c.index(" (len "); i >= 0 && i < c.i+40 {
		// Another hardware or protocol type: tcpdump prints the types and
		// stops, or (-v) goes on with addresses we cannot store.
		return ""
	}
	return errARP
}

// parseIPv4 reads print-ip.c's "SRC > DST: …", where for TCP and UDP the
// addresses carry ".port", and print-tcp.c's "Flags [S.], seq N, …" (or the
// tcpdump 3.x "S N:N(0) …"). With -v the line is only the IP header in
// parentheses; the rest follows on the next line.
func parseIPv4(c *cursor, f *textFrame) string {
	if !skipTruncatedIP(c) {
		return errIPShape
	}
	if c.lit("(tos ") {
		f.vHeader, f.proto = true, protoIPv4
		return ""
	}
	return parseIPv4Addrs(c, f)
}

// skipTruncatedIP skips print-ip.c's "truncated-ip - N bytes missing! ",
// which precedes the header or the addresses of a frame cut by snaplen.
func skipTruncatedIP(c *cursor) bool {
	if !c.lit("truncated-ip - ") {
		return true
	}
	i := c.index("! ")
	if i < 0 {
		return false
	}
	c.i = i + 2
	return true
}

// parseIPv4Addrs reads "SRC > DST: …" (also the continuation line of -v).
func parseIPv4Addrs(c *cursor, f *textFrame) string {
	if !skipTruncatedIP(c) {
		return errIPShape
	}
	if p := c.peek(); len(p) == 0 || !lex.IsDigit(p[0]) {
		if c.has("truncated-ip") || c.has("bad-hlen") || c.has("bad-len") || c.has("IP6") || c.has("[|") {
			return "" // tcpdump could not decode it either
		}
		return errIPAddr
	}
	src, sport, sPorted, bad := c.addrPort(f)
	if bad != "" {
		return bad
	}
	if !c.lit(" > ") {
		return errIPShape
	}
	p := c.peek()
	if len(p) == 0 || !lex.IsDigit(p[0]) {
		return errIPAddr
	}
	dst, dport, dPorted, bad := c.addrPort(f)
	if bad != "" {
		return bad
	}
	if !c.lit(":") {
		return errIPShape
	}
	f.proto, f.src, f.dst = protoIPv4, src, dst
	if !sPorted || !dPorted {
		return "" // ICMP, fragments, other protocols
	}
	switch {
	case c.lit(" Flags ["):
		i := c.index("]")
		if i < 0 || i-c.i > 12 {
			return errIPShape
		}
		flags := c.b[c.i:i]
		c.i = i + 1
		f.isTCP = true
		f.tcp = TCPInfo{SrcPort: sport, DstPort: dport}
		if string(flags) != "none" {
			for _, ch := range flags {
				switch ch {
				case 'S':
					f.tcp.SYN = true
				case '.':
					f.tcp.ACK = true
				}
			}
		}
		if i := c.index(", seq "); i >= 0 {
			c.i = i + len(", seq ")
			if v, ok := c.num(); ok && v <= 0xffffffff {
				f.tcp.Seq = uint32(v)
			}
		}
	case c.lit(" "):
		// tcpdump 3.x: "S 797190859:797190859(0) win 5840" and
		// "S 3078856592:3078856592(0) ack 797190860 win 8192".
		start := c.i
		for c.i < len(c.b) && isOldFlag(c.b[c.i]) {
			c.i++
		}
		flags := c.b[start:c.i]
		if len(flags) == 0 || !c.lit(" ") {
			c.i = start
			return "" // UDP or a payload printer
		}
		seq, ok := c.num()
		if !ok || !c.lit(":") {
			c.i = start
			return ""
		}
		f.isTCP = true
		f.tcp = TCPInfo{SrcPort: sport, DstPort: dport, Seq: uint32(seq)}
		for _, ch := range flags {
			if ch == 'S' {
				f.tcp.SYN = true
			}
		}
		f.tcp.ACK = c.index(" ack ") >= 0
	}
	return ""
}

func isOldFlag(c byte) bool {
	switch c {
	case 'S', 'F', 'R', 'P', 'W', 'E', 'U', '.':
		return true
	}
	return false
}

// cursor walks a line.
type cursor struct {
	b []byte
	i int
}

func (c *cursor) peek() []byte { return c.b[c.i:] }

func hasPrefix(b []byte, s string) bool {
	return len(b) >= len(s) && string(b[:len(s)]) == s
}

// has reports whether the rest starts with s.
func (c *cursor) has(s string) bool { return hasPrefix(c.b[c.i:], s) }

// lit consumes s if the rest starts with it.
func (c *cursor) lit(s string) bool {
	if c.has(s) {
		c.i += len(s)
		return true
	}
	return false
}

// index finds s in the rest and returns its absolute position, or -1.
func (c *cursor) index(s string) int {
	rest := c.b[c.i:]
	for i := 0; i+len(s) <= len(rest); i++ {
		if rest[i] == s[0] && string(rest[i:i+len(s)]) == s {
			return c.i + i
		}
	}
	return -1
}

// atFieldEnd reports the end of a field tcpdump closes with ", " or the end
// of the line.
func (c *cursor) atFieldEnd() bool {
	return c.i == len(c.b) || c.b[c.i] == ',' || c.b[c.i] == ' '
}

func (c *cursor) num() (uint64, bool) {
	v, n := lex.Uint(c.b[c.i:], 19)
	c.i += n
	return v, n > 0
}

func (c *cursor) hex16() (uint16, bool) {
	v, ok := lex.Hex16(c.b[c.i:])
	if ok {
		c.i += 4
	}
	return v, ok
}

// mac reads tcpdump's "%02x:%02x:…" six-octet form, not the start of a
// longer hex address.
func (c *cursor) mac() (timeline.MAC, bool) {
	b := c.b[c.i:]
	m, n, ok := lex.MAC(b)
	if !ok || n != 17 || len(b) > 17 && (lex.IsHex(b[17]) || b[17] == ':') {
		return timeline.MAC{}, false
	}
	c.i += 17
	return m, true
}

// macSpace reads "MAC " if the rest starts with one.
func (c *cursor) macSpace() (timeline.MAC, bool) {
	save := c.i
	m, ok := c.mac()
	if ok && c.lit(" ") {
		return m, true
	}
	c.i = save
	return m, false
}

// hexColons consumes a colon-separated hex address of any length.
func (c *cursor) hexColons() bool {
	start := c.i
	for c.i < len(c.b) && (lex.IsHex(c.b[c.i]) || c.b[c.i] == ':') {
		c.i++
	}
	return c.i > start
}

// ip4 reads a dotted quad (lex.IPv4's rule: no leading zeros); it stops
// before a ".port" that follows.
func (c *cursor) ip4() (netip.Addr, bool) {
	a, n, ok := lex.IPv4(c.b[c.i:])
	c.i += n
	return a, ok
}

// addrPort reads "a.b.c.d" or "a.b.c.d.port", where port is a number or,
// with tcpdump -n (not -nn), a service name.
func (c *cursor) addrPort(f *textFrame) (addr netip.Addr, port uint16, ported bool, bad string) {
	addr, ok := c.ip4()
	if !ok {
		return addr, 0, false, errIPAddr
	}
	if !c.lit(".") {
		return addr, 0, false, ""
	}
	start := c.i
	for c.i < len(c.b) && c.b[c.i] != ' ' && c.b[c.i] != ':' {
		c.i++
	}
	word := c.b[start:c.i]
	if len(word) == 0 {
		return addr, 0, false, errPort
	}
	if lex.IsDigit(word[0]) {
		v, n := lex.Uint(word, 19)
		if n != len(word) || v > 65535 {
			return addr, 0, false, errPort
		}
		return addr, uint16(v), true, ""
	}
	if p, ok := servicePorts[string(word)]; ok {
		return addr, p, true, ""
	}
	f.portNamed = true
	return addr, 0, true, ""
}

// servicePorts maps the service names tcpdump -n (without -nn) prints for
// well-known ports, from the IANA registry as in /etc/services.
var servicePorts = map[string]uint16{
	"ftp-data": 20, "ftp": 21, "ssh": 22, "telnet": 23, "smtp": 25, "domain": 53,
	"bootps": 67, "bootpc": 68, "tftp": 69, "http": 80, "kerberos": 88, "pop3": 110,
	"sunrpc": 111, "auth": 113, "ntp": 123, "netbios-ns": 137, "netbios-dgm": 138,
	"netbios-ssn": 139, "imap": 143, "imap2": 143, "snmp": 161, "snmp-trap": 162, "bgp": 179,
	"ldap": 389, "https": 443, "microsoft-ds": 445, "isakmp": 500, "syslog": 514,
	"submission": 587, "ldaps": 636, "rsync": 873, "imaps": 993, "pop3s": 995,
	"openvpn": 1194, "ms-sql-s": 1433, "radius": 1812, "radius-acct": 1813, "nfs": 2049,
	"iscsi-target": 3260, "mysql": 3306, "ms-wbt-server": 3389, "epmd": 4369,
	"ipsec-nat-t": 4500, "vxlan": 4789, "sip": 5060, "amqp": 5672, "postgresql": 5432,
	"ovsdb": 6640, "openflow": 6653, "x11": 6000, "http-alt": 8080, "webcache": 8080,
	"geneve": 6081, "memcache": 11211, "rfb": 5900, "redis": 6379, "etcd-client": 2379,
	"etcd-server": 2380, "zabbix-agent": 10050, "zabbix-trapper": 10051,
}
