package pcap

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/arpforensics/arpforensics/parse"
	"github.com/arpforensics/arpforensics/timeline"
)

// decoder turns capture records into folder calls. It owns one
// DecodingLayerParser over preallocated layers, so decoding a frame
// allocates nothing; events copy the frame bytes they keep.
//
// Every frame is accounted for, one way:
//   - an IPv4-over-Ethernet ARP frame (hardware type 1 or 6, as Linux
//     accepts) becomes an ARP event;
//   - a unicast IPv4 frame joins a usage run (and a SYN or SYN/ACK also
//     becomes a TCP event);
//   - an ARP frame that claims IPv4 over Ethernet but does not fit it
//     (address lengths other than 6 and 4, cut short) is a problem at its
//     frame: it is evidence the analysis cannot read;
//   - everything else is skipped: other link types, non-Ethernet devices
//     of a cooked capture, ARP for other hardware or protocols, RARP,
//     IPv6, broadcast and multicast IPv4, and frames whose link or IPv4
//     header is damaged. Each reason but the ordinary traffic gets one
//     summary note per source with its count and first frame.
type decoder struct {
	fold     *Folder
	src      *timeline.Source
	problems *parse.Problems // malformed ARP
	window   parse.Options   // Since/Until: frames outside are skipped undecoded
	outside  int64
	parser   *gopacket.DecodingLayerParser
	layers   []gopacket.LayerType

	rec  recordLayer
	eth  layers.Ethernet
	vlan vlanLayer
	sll  layers.LinuxSLL
	sll2 layers.LinuxSLL2
	arp  layers.ARP
	llc  layers.LLC
	snap layers.SNAP
	pbb  pbbLayer
	ip4  layers.IPv4
	tcp  tcpHeader
	info TCPInfo

	frames   int64
	lastTime time.Time         // of the frame before: simple packet blocks take it
	ifindex  map[uint32]string // SLL2 interface indexes, named once

	// Frames read but not analysed, by reason, for one summary note each.
	otherLinks map[layers.LinkType]*tally
	badLink    tally // link-layer header too short or invalid
	nonEther   tally // cooked capture of a non-Ethernet device (loopback, tunnels)
	otherARP   tally // ARP for other hardware or protocols (not IPv4 over Ethernet)
	badIP      tally // IPv4 header damaged
	tunnels    tally // VXLAN/Geneve/GRE: inner frames not decoded
	tunnelARP  tally // of which the inner frame is ARP
	snapARP    tally // ARP in LLC/SNAP (802.2) framing, decoded
	pbbFrames  tally // 802.1ah frames, their customer frame decoded
	noTime     tally // pcapng simple packet blocks: no timestamp
}

// tally counts frames of one kind and remembers the first.
type tally struct{ n, first int64 }

func (t *tally) add(frame int64) {
	if t.n == 0 {
		t.first = frame
	}
	t.n++
}

func newDecoder(src *timeline.Source, window parse.Options, out *timeline.Sink) *decoder {
	d := &decoder{
		window:     window,
		fold:       NewFolder(out),
		src:        src,
		problems:   parse.NewProblems(src, 0),
		ifindex:    map[uint32]string{},
		otherLinks: map[layers.LinkType]*tally{},
		layers:     make([]gopacket.LayerType, 0, 8),
	}
	// One parser for every link type: the record layer hands its payload
	// to the link layer the record names. The sparse container is the
	// fastest; all our layer types are small numbers.
	d.parser = gopacket.NewDecodingLayerParser(layerTypeRecord)
	d.parser.SetDecodingLayerContainer(gopacket.DecodingLayerSparse(nil))
	for _, l := range []gopacket.DecodingLayer{&d.rec, &d.eth, &d.vlan, &d.sll, &d.sll2, &d.arp, &d.llc, &d.snap, &d.pbb, &d.ip4, &d.tcp} {
		d.parser.AddDecodingLayer(l)
	}
	d.parser.IgnoreUnsupported = true
	return d
}

// frame decodes one record and feeds the folder; every frame ends up in
// an event, in src.Skipped, or in a problem.
func (d *decoder) frame(data []byte, m *meta) {
	d.frames++
	pos := timeline.Pos{Frame: d.frames, Offset: m.off}
	d.fold.Keep = !m.offKnown
	if m.noTime {
		d.noTime.add(d.frames)
		m.ts = d.lastTime
	}
	d.lastTime = m.ts
	if !d.window.InWindow(m.ts) {
		// Outside --since/--until: not decoded. Captures carry absolute
		// times, so this is final (clock offsets are applied later; the
		// pipeline re-checks the window on the corrected times).
		d.src.Skipped++
		d.outside++
		return
	}
	switch m.link {
	case layers.LinkTypeEthernet, layers.LinkTypeLinuxSLL, layers.LinkTypeLinuxSLL2:
	default:
		t := d.otherLinks[m.link]
		if t == nil {
			t = &tally{}
			d.otherLinks[m.link] = t
		}
		t.add(d.frames)
		d.src.Skipped++
		return
	}
	if m.link == layers.LinkTypeEthernet && d.fastEthernet(data, m, pos) {
		return
	}
	d.rec.link = m.link
	d.vlan.tags = 0
	err := d.parser.DecodeLayers(data, &d.layers)

	link := timeline.Link{Direction: m.dir, Iface: m.iface}
	var last gopacket.LayerType
	arp, ip, tcp := false, false, false
	for _, t := range d.layers {
		switch t {
		case layers.LayerTypeEthernet:
			link.Src, link.Dst, link.DstKnown = timeline.MAC(d.eth.SrcMAC), timeline.MAC(d.eth.DstMAC), true
			link.Group = link.Dst.IsMulticast()
		case layers.LayerTypeLinuxSLL:
			if !d.cookedEthernet(layers.ARPHardwareType(d.sll.AddrType), len(d.sll.Addr)) {
				return
			}
			link.Src = timeline.MAC(d.sll.Addr)
			link.Direction, link.Group = cookedDirection(uint8(d.sll.PacketType))
		case layers.LayerTypeLinuxSLL2:
			if !d.cookedEthernet(d.sll2.ARPHardwareType, len(d.sll2.Addr)) {
				return
			}
			link.Src = timeline.MAC(d.sll2.Addr)
			link.Direction, link.Group = cookedDirection(uint8(d.sll2.PacketType))
			if link.Iface == "" || link.Iface == "any" {
				link.Iface = d.ifname(d.sll2.InterfaceIndex)
			}
		case layers.LayerTypeDot1Q:
			link.VLAN = d.vlan.outer
		case layers.LayerTypeSNAP:
			if d.snap.Type == layers.EthernetTypeARP {
				d.snapARP.add(d.frames)
			}
		case layerTypePBB:
			d.pbbFrames.add(d.frames)
		case layers.LayerTypeARP:
			arp = true
		case layers.LayerTypeIPv4:
			ip = true
		case layers.LayerTypeTCP:
			tcp = true
		}
		last = t
	}
	if err != nil {
		// The layer after the last one decoded is the one that failed.
		switch d.nextAfter(last) {
		case layers.LayerTypeARP:
			d.malformedARP(pos, d.payloadOf(last), err)
			return
		case layers.LayerTypeIPv4:
			d.badIP.add(d.frames)
			d.src.Skipped++
			return
		case layers.LayerTypeTCP:
			// A cut or damaged TCP header: the frame still used its
			// destination MAC, so it still counts as usage.
		default:
			d.badLink.add(d.frames)
			d.src.Skipped++
			return
		}
	}
	switch {
	case arp:
		d.onARP(m, pos, link, data)
	case ip:
		d.onIPv4(m, pos, link, tcp, data)
	default:
		d.src.Skipped++ // IPv6, LLDP, RARP, LLC, …: not what the analysis reads
	}
}

func (d *decoder) onARP(m *meta, pos timeline.Pos, link timeline.Link, data []byte) {
	a := &d.arp
	if !ethernetARP(uint16(a.AddrType), uint16(a.Protocol)) {
		d.otherARP.add(d.frames)
		d.src.Skipped++
		return
	}
	if a.HwAddressSize != 6 || a.ProtAddressSize != 4 {
		d.problems.Errorf(pos, "malformed ARP", "malformed ARP: Ethernet/IPv4 ARP (hardware type %d) with hardware address length %d and protocol address length %d (want 6 and 4)", a.AddrType, a.HwAddressSize, a.ProtAddressSize)
		return
	}
	d.fold.ARP(m.ts, pos, link, a.Operation,
		timeline.MAC(a.SourceHwAddress), timeline.MAC(a.DstHwAddress),
		netip.AddrFrom4([4]byte(a.SourceProtAddress)), netip.AddrFrom4([4]byte(a.DstProtAddress)), data)
}

func (d *decoder) onIPv4(m *meta, pos timeline.Pos, link timeline.Link, tcp bool, data []byte) {
	ip := &d.ip4
	if ip.Version != 4 {
		d.badIP.add(d.frames)
		d.src.Skipped++
		return
	}
	if tunnelled, arp := tunnel(ip); tunnelled {
		d.tunnels.add(d.frames) // the outer frame still counts as underlay usage
		if arp {
			d.tunnelARP.add(d.frames)
		}
	}
	var info *TCPInfo
	if tcp {
		d.info = TCPInfo{SrcPort: d.tcp.srcPort, DstPort: d.tcp.dstPort, Seq: d.tcp.seq,
			SYN: d.tcp.flags&0x02 != 0, ACK: d.tcp.flags&0x10 != 0}
		info = &d.info
	}
	if !d.fold.IPv4(m.ts, pos, link, netip.AddrFrom4([4]byte(ip.SrcIP)), netip.AddrFrom4([4]byte(ip.DstIP)), info, data) {
		d.src.Skipped++ // broadcast or multicast
	}
}

// ethernetARP reports ARP for IPv4 with a hardware type that Linux
// accepts on an Ethernet device: 1 (Ethernet) or 6 (IEEE 802), as its
// arp_process() does (RFC 2625). Such a frame updates neighbour entries
// like any other, so it is evidence.
func ethernetARP(hw, proto uint16) bool {
	return (hw == 1 || hw == 6) && proto == uint16(layers.EthernetTypeIPv4)
}

// isTunnel reports a UDP datagram to or from the VXLAN or Geneve port.
//
// Tunnelled frames are deliberately not decoded: OVN carries tenant
// traffic between chassis in Geneve, and its inner ARP and IPv4 belong to
// overlay networks whose addresses repeat across tenants and overlap the
// underlay's. Folding them with the underlay frames would bind one IP to
// several networks' MACs and raise false MAC changes. The floating-IP
// traffic the analysis is about travels untunnelled on the provider
// network.
func isTunnel(udp []byte) bool {
	if len(udp) < 4 {
		return false
	}
	src, dst := binary.BigEndian.Uint16(udp[0:2]), binary.BigEndian.Uint16(udp[2:4])
	return dst == 4789 || dst == 6081 || src == 4789 || src == 6081
}

// tunnel reports an IPv4 packet carrying VXLAN, Geneve or GRE, and whether
// its inner frame is ARP, so the note can say how much tenant ARP the
// capture holds without mixing it with the underlay's.
func tunnel(ip *layers.IPv4) (tunnelled, arp bool) {
	p := ip.Payload
	switch ip.Protocol {
	case layers.IPProtocolUDP:
		if !isTunnel(p) || len(p) < 16 {
			return isTunnel(p), false
		}
		inner := p[16:] // UDP and VXLAN headers, 8 bytes each
		if port := binary.BigEndian.Uint16(p[2:4]); port == 6081 || binary.BigEndian.Uint16(p[0:2]) == 6081 {
			opts := int(p[8]&0x3f) * 4 // Geneve: options after its 8-byte header
			if len(p) < 16+opts {
				return true, false
			}
			inner = p[16+opts:]
		}
		return true, innerARP(inner)
	case layers.IPProtocolGRE:
		if len(p) < 4 {
			return true, false
		}
		n := 4
		for _, bit := range []byte{0x80, 0x20, 0x10} { // checksum, key, sequence: 4 bytes each
			if p[0]&bit != 0 {
				n += 4
			}
		}
		if len(p) < n {
			return true, false
		}
		switch binary.BigEndian.Uint16(p[2:4]) {
		case 0x0806:
			return true, true
		case 0x6558: // transparent Ethernet bridging
			return true, innerARP(p[n:])
		}
		return true, false
	}
	return false, false
}

// innerARP reports an Ethernet frame (with up to two VLAN tags) holding ARP.
func innerARP(f []byte) bool {
	at := 12
	for range 3 {
		if len(f) < at+2 {
			return false
		}
		switch binary.BigEndian.Uint16(f[at:]) {
		case 0x0806:
			return true
		case 0x8100, 0x88a8:
			at += 4
		default:
			return false
		}
	}
	return false
}

func (d *decoder) malformedARP(pos timeline.Pos, payload []byte, err error) {
	if len(payload) >= 8 {
		if !ethernetARP(binary.BigEndian.Uint16(payload[0:2]), binary.BigEndian.Uint16(payload[2:4])) {
			// Not IPv4 over Ethernet, whole or cut: not analysed either way.
			d.otherARP.add(d.frames)
			d.src.Skipped++
			return
		}
		hl, pl := int(payload[4]), int(payload[5])
		d.problems.Errorf(pos, "malformed ARP", "malformed ARP: %d bytes captured, its header declares %d (hardware address length %d, protocol address length %d)",
			len(payload), 8+2*hl+2*pl, hl, pl)
		return
	}
	d.problems.Errorf(pos, "malformed ARP", "malformed ARP: %d bytes captured, fewer than its 8-byte fixed header (%v)", len(payload), err)
}

// nextAfter is the layer the parser would have decoded after t.
func (d *decoder) nextAfter(t gopacket.LayerType) gopacket.LayerType {
	switch t {
	case layerTypeRecord:
		return d.rec.NextLayerType()
	case layers.LayerTypeEthernet:
		return d.eth.NextLayerType()
	case layers.LayerTypeDot1Q:
		return d.vlan.NextLayerType()
	case layers.LayerTypeLinuxSLL:
		return d.sll.NextLayerType()
	case layers.LayerTypeLinuxSLL2:
		return d.sll2.NextLayerType()
	case layers.LayerTypeIPv4:
		return d.ip4.NextLayerType()
	}
	return gopacket.LayerTypeZero
}

// payloadOf is the payload of layer t as last decoded.
func (d *decoder) payloadOf(t gopacket.LayerType) []byte {
	switch t {
	case layers.LayerTypeEthernet:
		return d.eth.Payload
	case layers.LayerTypeDot1Q:
		return d.vlan.Payload
	case layers.LayerTypeLinuxSLL:
		return d.sll.Payload
	case layers.LayerTypeLinuxSLL2:
		return d.sll2.Payload
	}
	return nil
}

// cookedEthernet reports whether a cooked frame came from an Ethernet
// device with its 6-byte sender address; other frames are counted as
// skipped.
func (d *decoder) cookedEthernet(hw layers.ARPHardwareType, addrLen int) bool {
	switch {
	case hw != layers.ARPHardwareTypeEthernet:
		d.nonEther.add(d.frames)
	case addrLen != 6:
		d.badLink.add(d.frames)
	default:
		return true
	}
	d.src.Skipped++
	return false
}

// cookedDirection reads a Linux packet type (SLL and SLL2): 4 is a frame
// the host sent; all others (to us, broadcast, multicast, to another host)
// arrived. Types 1 and 2 also say the frame went to a group address.
func cookedDirection(pt uint8) (dir timeline.Direction, group bool) {
	if pt == 4 {
		return timeline.DirOutgoing, false
	}
	return timeline.DirIncoming, pt == 1 || pt == 2
}

func (d *decoder) ifname(i uint32) string {
	s, ok := d.ifindex[i]
	if !ok {
		s = fmt.Sprintf("ifindex %d", i)
		d.ifindex[i] = s
	}
	return s
}

// finish records the summary notes and closes the folder.
func (d *decoder) finish() {
	d.src.Records = d.frames
	if d.outside > 0 {
		d.src.Notef(timeline.Pos{}, "%d frame(s) outside --since/--until skipped undecoded", d.outside)
	}
	lts := make([]layers.LinkType, 0, len(d.otherLinks))
	for lt := range d.otherLinks {
		lts = append(lts, lt)
	}
	slices.Sort(lts)
	for _, lt := range lts {
		t := d.otherLinks[lt]
		d.src.Notef(timeline.Pos{Frame: t.first}, "%d frame(s) of link type %s: not Ethernet or Linux cooked, so read but not analysed", t.n, linkTypeName(lt))
	}
	note := func(t tally, format string) {
		if t.n > 0 {
			d.src.Notef(timeline.Pos{Frame: t.first}, format, t.n)
		}
	}
	note(d.badLink, "%d frame(s) with a link-layer header too short or invalid to decode, counted as skipped")
	note(d.nonEther, "%d frame(s) from non-Ethernet devices of the cooked capture (loopback, tunnels, …): they carry no ARP, so read but not analysed")
	note(d.otherARP, "%d ARP frame(s) for other hardware or protocols than IPv4 over Ethernet, read but not analysed")
	note(d.badIP, "%d IPv4 frame(s) with a damaged or cut header, counted as skipped")
	note(d.tunnels, "%d frame(s) carry VXLAN, Geneve or GRE tunnels: they count as underlay traffic; their inner frames are not analysed, since overlay addresses would mix with the underlay's")
	note(d.tunnelARP, "%d of the tunnelled frames carry ARP of a tenant (overlay) segment: not analysed with the underlay's (see the tunnel note)")
	note(d.snapARP, "%d ARP frame(s) in LLC/SNAP (802.2) framing, decoded like Ethernet II ARP")
	note(d.pbbFrames, "%d 802.1ah (provider backbone) frame(s): their customer frames decoded, MACs and ARP as the customer sent them, VLAN the backbone's")
	note(d.noTime, "%d frame(s) come from pcapng simple packet blocks, which carry no timestamp: each is placed at the time of the frame before it (the zero time when there is none)")
	d.problems.Close()
	d.fold.Close(d.src)
	d.src.Folded, d.src.Derived = d.fold.Folded, d.fold.Derived
	d.src.BadRecords = d.problems.Errors()
}

// linkTypeName names a LINKTYPE_ value as tcpdump does.
func linkTypeName(lt layers.LinkType) string {
	if n, ok := linkTypeNames[lt]; ok {
		return fmt.Sprintf("%d (%s)", lt, n)
	}
	return fmt.Sprintf("%d", lt)
}

var linkTypeNames = map[layers.LinkType]string{
	0: "NULL, BSD loopback", 6: "IEEE802_5, Token Ring", 8: "SLIP", 9: "PPP", 10: "FDDI",
	50: "PPP_HDLC", 51: "PPP_ETHER, PPPoE", 101: "RAW, raw IP", 104: "C_HDLC, Cisco HDLC",
	105: "IEEE802_11, Wi-Fi", 108: "LOOP, OpenBSD loopback", 119: "PRISM_HEADER",
	127: "IEEE802_11_RADIOTAP", 129: "ARCNET_LINUX", 138: "APPLE_IP_OVER_IEEE1394",
	143: "DOCSIS", 163: "IEEE802_11_AVS", 192: "PPI", 195: "IEEE802_15_4",
	201: "BLUETOOTH_HCI_H4_WITH_PHDR", 215: "IEEE802_15_4_NOFCS", 220: "USB_LINUX_MMAPPED",
	227: "CAN_SOCKETCAN", 228: "IPV4, raw IPv4", 229: "IPV6, raw IPv6", 239: "NFLOG",
	242: "IPOIB, IP over InfiniBand", 249: "NETLINK", 253: "NETANALYZER",
}

// errShortTCP and errTCPOffset are preallocated: a decoding error must not
// allocate on the per-frame path.
var (
	errShortTCP  = errors.New("TCP header cut short")
	errTCPOffset = errors.New("TCP data offset below 5 words")
)
