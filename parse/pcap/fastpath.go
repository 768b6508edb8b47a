package pcap

import (
	"encoding/binary"
	"net"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/arpforensics/arpforensics/timeline"
)

// The common frame — Ethernet II, up to a few 802.1Q/802.1ad tags, then
// IPv4 without options or IPv4-over-Ethernet ARP — is decoded by hand
// before the DecodingLayerParser is asked: on traffic that folds well the
// parser's per-layer calls through interfaces were a third of the read.
// The fast path fills the same layer structs the parser would and calls the
// same handlers, and gives up (before changing anything) on whatever it
// does not decode exactly as the parser does: LLC lengths, other EtherTypes,
// IPv4 options, IP in IP or a damaged header, ARP of other sizes. FuzzFastPath
// checks the two agree.

// fastPathOff turns the fast path off, for the tests that compare it with
// the parser.
var fastPathOff bool

// maxFastTags is how many VLAN tags the fast path reads (QinQ and one more).
const maxFastTags = 3

// fastEthernet decodes an Ethernet frame the common way and hands it on,
// reporting whether it did; false leaves everything to the parser.
func (d *decoder) fastEthernet(data []byte, m *meta, pos timeline.Pos) bool {
	if fastPathOff || len(data) < 14 {
		return false
	}
	at := 12
	typ := binary.BigEndian.Uint16(data[at:])
	var vlan uint16
	for tags := 0; typ == 0x8100 || typ == 0x88a8; tags++ {
		if tags == maxFastTags || len(data) < at+2+4 {
			return false
		}
		tag := binary.BigEndian.Uint16(data[at+2:])
		if tags == 0 {
			vlan = tag & 0x0fff
		}
		at += 4
		typ = binary.BigEndian.Uint16(data[at:])
	}
	payload := data[at+2:]
	switch typ {
	case 0x0800:
		if !d.fastIPv4(payload) {
			return false
		}
	case 0x0806:
		if !d.fastARP(payload) {
			return false
		}
	default:
		return false
	}
	link := timeline.Link{Direction: m.dir, Iface: m.iface, VLAN: vlan}
	link.Src, link.Dst, link.DstKnown = timeline.MAC(data[6:12]), timeline.MAC(data[0:6]), true
	link.Group = link.Dst.IsMulticast()
	if typ == 0x0806 {
		d.onARP(m, pos, link, data)
		return true
	}
	tcp := false
	ip := &d.ip4
	if ip.Protocol == layers.IPProtocolTCP && ip.Flags&layers.IPv4MoreFragments == 0 && ip.FragOffset == 0 {
		// A cut or damaged TCP header leaves the frame usage, as with the parser.
		tcp = d.tcp.DecodeFromBytes(ip.Payload, gopacket.NilDecodeFeedback) == nil
	}
	d.onIPv4(m, pos, link, tcp, data)
	return true
}

// fastIPv4 fills d.ip4 from an option-less IPv4 header as layers.IPv4
// would; false (d.ip4 untouched) for anything else.
func (d *decoder) fastIPv4(data []byte) bool {
	if len(data) < 20 || data[0]&0x0f != 5 {
		return false
	}
	length := int(binary.BigEndian.Uint16(data[2:4]))
	if length == 0 {
		length = len(data) // TSO: the parser takes the captured length
	}
	if length < 20 || data[9] == byte(layers.IPProtocolIPv4) {
		return false // IP in IP: the parser decodes the inner header too
	}
	if len(data) > length {
		data = data[:length] // Ethernet padding
	}
	ip := &d.ip4
	ip.Version = data[0] >> 4
	ip.IHL = 5
	ip.Length = uint16(min(length, 0xffff))
	flagsfrags := binary.BigEndian.Uint16(data[6:8])
	ip.Flags = layers.IPv4Flag(flagsfrags >> 13)
	ip.FragOffset = flagsfrags & 0x1fff
	ip.Protocol = layers.IPProtocol(data[9])
	ip.SrcIP = net.IP(data[12:16])
	ip.DstIP = net.IP(data[16:20])
	ip.Contents, ip.Payload = data[:20], data[20:]
	return true
}

// fastARP fills d.arp from an ARP header with 6-byte hardware and 4-byte
// protocol addresses, as layers.ARP would; false for any other.
func (d *decoder) fastARP(data []byte) bool {
	if len(data) < 28 || data[4] != 6 || data[5] != 4 {
		return false
	}
	a := &d.arp
	a.AddrType = layers.LinkType(binary.BigEndian.Uint16(data[0:2]))
	a.Protocol = layers.EthernetType(binary.BigEndian.Uint16(data[2:4]))
	a.HwAddressSize, a.ProtAddressSize = 6, 4
	a.Operation = binary.BigEndian.Uint16(data[6:8])
	a.SourceHwAddress = data[8:14]
	a.SourceProtAddress = data[14:18]
	a.DstHwAddress = data[18:24]
	a.DstProtAddress = data[24:28]
	a.Contents, a.Payload = data[:28], data[28:]
	return true
}
