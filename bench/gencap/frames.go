package main

import "encoding/binary"

// Frame builders for the busy, arpstorm and synflood shapes. Unlike the
// mixed shape's, their TCP and UDP checksums are filled in, so a checker
// can validate every frame.

// TCP option sets.
const (
	optNone = iota
	optTS   // NOP, NOP, timestamps: 12 bytes
	optSYN  // MSS, SACK permitted, timestamps, NOP, window scale: 20 bytes
)

// tcp4 finishes the frame eth started with IPv4 and TCP headers, the
// options and payload, and writes it. win is the advertised window.
func (g *frameWriter) tcp4(src, dst [4]byte, sport, dport uint16, seq, ack uint32, flags byte, win uint16, opt int, payload []byte) error {
	olen := [...]int{optNone: 0, optTS: 12, optSYN: 20}[opt]
	g.ip4(src, dst, 6, 20+olen+len(payload))
	h := len(g.buf)
	b := binary.BigEndian.AppendUint16(g.buf, sport)
	b = binary.BigEndian.AppendUint16(b, dport)
	b = binary.BigEndian.AppendUint32(b, seq)
	b = binary.BigEndian.AppendUint32(b, ack)
	b = append(b, byte((20+olen)/4)<<4, flags)
	b = binary.BigEndian.AppendUint16(b, win)
	b = append(b, 0, 0, 0, 0) // checksum, urgent pointer
	ms := uint32(g.now.UnixMilli())
	switch opt {
	case optTS:
		b = append(b, 1, 1, 8, 10)
		b = binary.BigEndian.AppendUint32(b, ms)
		b = binary.BigEndian.AppendUint32(b, 0)
		if flags&ackFlag != 0 {
			binary.BigEndian.PutUint32(b[len(b)-4:], ms-40)
		}
	case optSYN:
		b = append(b, 2, 4, 0x05, 0xb4, 4, 2, 8, 10)
		b = binary.BigEndian.AppendUint32(b, ms)
		b = binary.BigEndian.AppendUint32(b, 0)
		if flags&ackFlag != 0 {
			binary.BigEndian.PutUint32(b[len(b)-4:], ms-40)
		}
		b = append(b, 1, 3, 3, 7)
	}
	b = append(b, payload...)
	binary.BigEndian.PutUint16(b[h+16:], l4sum(src, dst, 6, b[h:]))
	g.buf = pad(b)
	if flags&(synFlag|ackFlag) == synFlag {
		g.syns++
	} else if flags&(synFlag|ackFlag) == synFlag|ackFlag {
		g.synAcks++
	}
	return g.emit()
}

// udp4 finishes the frame eth started with IPv4 and UDP headers and the
// payload, and writes it.
func (g *frameWriter) udp4(src, dst [4]byte, sport, dport uint16, payload []byte) error {
	g.ip4(src, dst, 17, 8+len(payload))
	h := len(g.buf)
	b := binary.BigEndian.AppendUint16(g.buf, sport)
	b = binary.BigEndian.AppendUint16(b, dport)
	b = binary.BigEndian.AppendUint16(b, uint16(8+len(payload)))
	b = append(b, 0, 0)
	b = append(b, payload...)
	sum := l4sum(src, dst, 17, b[h:])
	if sum == 0 {
		sum = 0xffff // zero means "no checksum" in UDP
	}
	binary.BigEndian.PutUint16(b[h+6:], sum)
	g.buf = pad(b)
	return g.emit()
}

// pad pads a frame to the Ethernet minimum, as a receiver records it.
func pad(b []byte) []byte {
	for len(b) < 60 {
		b = append(b, 0)
	}
	return b
}

// l4sum is the Internet checksum of a TCP or UDP segment (whose checksum
// field is zero) with its IPv4 pseudo-header.
func l4sum(src, dst [4]byte, proto byte, seg []byte) uint16 {
	sum := uint64(binary.BigEndian.Uint32(src[:])) + uint64(binary.BigEndian.Uint32(dst[:])) +
		uint64(proto) + uint64(len(seg))
	// Sums of 32-bit words fold to the same ones' complement sum as sums
	// of 16-bit words (2^16 ≡ 1 modulo 2^16-1).
	b := seg
	for len(b) >= 8 {
		sum += uint64(binary.BigEndian.Uint32(b)) + uint64(binary.BigEndian.Uint32(b[4:]))
		b = b[8:]
	}
	for len(b) >= 2 {
		sum += uint64(binary.BigEndian.Uint16(b))
		b = b[2:]
	}
	if len(b) == 1 {
		sum += uint64(b[0]) << 8
	}
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}

// scramble maps i to a pseudo-random value in [0, 2^bits) and is a
// bijection on that range, so distinct i give distinct values.
func scramble(i uint64, bits uint, key uint64) uint64 {
	mask := uint64(1)<<bits - 1
	x := (i ^ key) & mask
	// Odd multipliers and xor-shifts are invertible modulo 2^bits.
	for k := 0; k < 3; k++ {
		x = (x * 0x9e3779b97f4a7c15) & mask
		x ^= x >> (bits / 2)
		x = (x + key) & mask
	}
	return x
}

// macOf is a locally administered unicast MAC carrying 40 bits of v.
func macOf(v uint64) [6]byte {
	return [6]byte{0x02 | byte(v>>40)&0xfc, byte(v >> 32), byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}
}
