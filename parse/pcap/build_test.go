package pcap

import (
	"encoding/binary"
	"time"

	"github.com/arpforensics/arpforensics/timeline"
)

// Builders of small captures for the tests: classic pcap in either byte
// order and resolution, pcapng with sections of either byte order, and the
// frames that go in them.

// byteOrder is binary.LittleEndian or binary.BigEndian.
type byteOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

type testFrame struct {
	ts   time.Time
	data []byte
}

// classicCapture writes a classic pcap file.
func classicCapture(order byteOrder, nanos bool, linkType uint32, frames ...testFrame) []byte {
	magic := uint32(0xa1b2c3d4)
	if nanos {
		magic = 0xa1b23c4d
	}
	b := order.AppendUint32(nil, magic)
	b = order.AppendUint16(b, 2)
	b = order.AppendUint16(b, 4)
	b = order.AppendUint32(b, 0)
	b = order.AppendUint32(b, 0)
	b = order.AppendUint32(b, 262144)
	b = order.AppendUint32(b, linkType)
	for _, f := range frames {
		frac := f.ts.Nanosecond()
		if !nanos {
			frac /= 1000
		}
		b = order.AppendUint32(b, uint32(f.ts.Unix()))
		b = order.AppendUint32(b, uint32(frac))
		b = order.AppendUint32(b, uint32(len(f.data)))
		b = order.AppendUint32(b, uint32(len(f.data)))
		b = append(b, f.data...)
	}
	return b
}

// ngBuilder writes pcapng blocks.
type ngBuilder struct {
	b     []byte
	order byteOrder
}

// block appends a block of type typ with body, padded, and its lengths.
func (w *ngBuilder) block(typ uint32, body []byte) {
	for len(body)%4 != 0 {
		body = append(body, 0)
	}
	n := uint32(12 + len(body))
	w.b = w.order.AppendUint32(w.b, typ)
	w.b = w.order.AppendUint32(w.b, n)
	w.b = append(w.b, body...)
	w.b = w.order.AppendUint32(w.b, n)
}

// option appends one option to an options list.
func (w *ngBuilder) option(b []byte, code uint16, val []byte) []byte {
	b = w.order.AppendUint16(b, code)
	b = w.order.AppendUint16(b, uint16(len(val)))
	b = append(b, val...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

// section starts a section in the given byte order.
func (w *ngBuilder) section(order byteOrder) {
	w.order = order
	body := order.AppendUint32(nil, ngByteOrderMagic)
	body = order.AppendUint16(body, 1)
	body = order.AppendUint16(body, 0)
	body = order.AppendUint64(body, ^uint64(0))
	w.block(ngBlockSHB, body)
}

// iface describes an interface (microsecond timestamps).
func (w *ngBuilder) iface(linkType uint16, name string) {
	body := w.order.AppendUint16(nil, linkType)
	body = w.order.AppendUint16(body, 0)
	body = w.order.AppendUint32(body, 262144)
	if name != "" {
		body = w.option(body, 2, []byte(name))
		body = w.order.AppendUint32(body, 0) // end of options
	}
	w.block(1, body)
}

// packet writes an enhanced packet block; flags, when non-nil, is the
// epb_flags word, written in the section's byte order as the pcapng
// specification says.
func (w *ngBuilder) packet(ifc uint32, ts time.Time, data []byte, flags *uint32) {
	us := uint64(ts.UnixMicro())
	body := w.order.AppendUint32(nil, ifc)
	body = w.order.AppendUint32(body, uint32(us>>32))
	body = w.order.AppendUint32(body, uint32(us))
	body = w.order.AppendUint32(body, uint32(len(data)))
	body = w.order.AppendUint32(body, uint32(len(data)))
	body = append(body, data...)
	for len(body)%4 != 0 {
		body = append(body, 0)
	}
	if flags != nil {
		body = w.option(body, 2, w.order.AppendUint32(nil, *flags))
		body = w.order.AppendUint32(body, 0)
	}
	w.block(6, body)
}

// simplePacket writes a simple packet block (no timestamp, interface 0).
func (w *ngBuilder) simplePacket(data []byte) {
	body := w.order.AppendUint32(nil, uint32(len(data)))
	w.block(3, append(body, data...))
}

var (
	hostA  = timeline.MAC{0xfa, 0x16, 0x3e, 0, 0, 0xa}
	hostB  = timeline.MAC{0xfa, 0x16, 0x3e, 0, 0, 0xb}
	ipA    = [4]byte{10, 0, 0, 10}
	ipB    = [4]byte{10, 0, 0, 11}
	bcast  = timeline.Broadcast
	zeroHW = timeline.MAC{}
)

// ether is an Ethernet header with optional VLAN tags (TPID, VID pairs).
func ether(dst, src timeline.MAC, typ uint16, tags ...uint16) []byte {
	b := append(append([]byte(nil), dst[:]...), src[:]...)
	for _, t := range tags {
		b = binary.BigEndian.AppendUint16(b, t)
	}
	return binary.BigEndian.AppendUint16(b, typ)
}

// arpBody is an IPv4-over-Ethernet ARP body.
func arpBody(op uint16, sha timeline.MAC, spa [4]byte, tha timeline.MAC, tpa [4]byte) []byte {
	b := []byte{0, 1, 8, 0, 6, 4}
	b = binary.BigEndian.AppendUint16(b, op)
	b = append(b, sha[:]...)
	b = append(b, spa[:]...)
	b = append(b, tha[:]...)
	return append(b, tpa[:]...)
}

// ipv4TCP is an IPv4 header and a 20-byte TCP header with flags.
func ipv4TCP(src, dst [4]byte, sport, dport uint16, seq uint32, flags byte) []byte {
	b := []byte{0x45, 0, 0, 40, 0, 0, 0x40, 0, 64, 6, 0, 0}
	b = append(b, src[:]...)
	b = append(b, dst[:]...)
	b = binary.BigEndian.AppendUint16(b, sport)
	b = binary.BigEndian.AppendUint16(b, dport)
	b = binary.BigEndian.AppendUint32(b, seq)
	b = binary.BigEndian.AppendUint32(b, 0)
	return append(b, 0x50, flags, 0xff, 0xff, 0, 0, 0, 0)
}

// ipv4UDP is an IPv4 header and an 8-byte UDP header.
func ipv4UDP(src, dst [4]byte, sport, dport uint16) []byte {
	b := []byte{0x45, 0, 0, 28, 0, 0, 0x40, 0, 64, 17, 0, 0}
	b = append(b, src[:]...)
	b = append(b, dst[:]...)
	b = binary.BigEndian.AppendUint16(b, sport)
	b = binary.BigEndian.AppendUint16(b, dport)
	return append(b, 0, 8, 0, 0)
}

// sll is a Linux cooked v1 header for an Ethernet device.
func sll(pktType uint16, hwType uint16, addr []byte, proto uint16) []byte {
	b := binary.BigEndian.AppendUint16(nil, pktType)
	b = binary.BigEndian.AppendUint16(b, hwType)
	b = binary.BigEndian.AppendUint16(b, uint16(len(addr)))
	var a [8]byte
	copy(a[:], addr)
	b = append(b, a[:]...)
	return binary.BigEndian.AppendUint16(b, proto)
}

// sll2 is a Linux cooked v2 header.
func sll2(proto uint16, ifindex uint32, hwType uint16, pktType byte, addr []byte) []byte {
	b := binary.BigEndian.AppendUint16(nil, proto)
	b = append(b, 0, 0)
	b = binary.BigEndian.AppendUint32(b, ifindex)
	b = binary.BigEndian.AppendUint16(b, hwType)
	b = append(b, pktType, byte(len(addr)))
	var a [8]byte
	copy(a[:], addr)
	return append(b, a[:]...)
}

func cat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// ipv4Carrying is an IPv4 header of protocol proto whose lengths cover
// payload, and the payload.
func ipv4Carrying(src, dst [4]byte, proto byte, payload []byte) []byte {
	b := []byte{0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, proto, 0, 0}
	binary.BigEndian.PutUint16(b[2:], uint16(20+len(payload)))
	b = append(b, src[:]...)
	b = append(b, dst[:]...)
	return append(b, payload...)
}

// udp is a UDP header and payload.
func udp(sport, dport uint16, payload []byte) []byte {
	b := binary.BigEndian.AppendUint16(nil, sport)
	b = binary.BigEndian.AppendUint16(b, dport)
	b = binary.BigEndian.AppendUint16(b, uint16(8+len(payload)))
	return append(append(b, 0, 0), payload...)
}
