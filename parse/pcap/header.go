package pcap

import (
	"encoding/binary"
	"fmt"
)

// Classic pcap magic numbers as they appear in the file's first four bytes.
var (
	magicMicroLE = [4]byte{0xd4, 0xc3, 0xb2, 0xa1}
	magicMicroBE = [4]byte{0xa1, 0xb2, 0xc3, 0xd4}
	magicNanoLE  = [4]byte{0x4d, 0x3c, 0xb2, 0xa1}
	magicNanoBE  = [4]byte{0xa1, 0xb2, 0x3c, 0x4d}
)

// ngBlockSHB is the pcapng section header block type; its bytes read the
// same in either byte order.
const ngBlockSHB = 0x0a0d0d0a

const ngByteOrderMagic = 0x1a2b3c4d

// SniffPcap reports whether head starts like a classic pcap file: one of
// the four magic numbers (microsecond or nanosecond timestamps, either byte
// order). A damaged header is still sniffed as pcap, so the user learns
// what is wrong with it rather than that the file is of no known kind.
func SniffPcap(head []byte) bool {
	if len(head) < 4 {
		return false
	}
	m := [4]byte(head)
	return m == magicMicroLE || m == magicMicroBE || m == magicNanoLE || m == magicNanoBE
}

// SniffPcapNG reports whether head starts with a pcapng section header
// block: its block type and, when present, a valid byte-order magic.
func SniffPcapNG(head []byte) bool {
	if len(head) < 4 || binary.LittleEndian.Uint32(head) != ngBlockSHB {
		return false
	}
	if len(head) < 12 {
		return true // cut short, but nothing else starts so; reading will say what is wrong
	}
	_, ok := ngOrder(head[8:12])
	return ok
}

// ngOrder reads a pcapng byte-order magic.
func ngOrder(b []byte) (binary.ByteOrder, bool) {
	switch {
	case binary.LittleEndian.Uint32(b) == ngByteOrderMagic:
		return binary.LittleEndian, true
	case binary.BigEndian.Uint32(b) == ngByteOrderMagic:
		return binary.BigEndian, true
	}
	return nil, false
}

// pcapHeaderLen is the size of the classic pcap file header.
const pcapHeaderLen = 24

// Bits of the classic header's link-type field (the pcap specification,
// draft-ietf-opsawg-pcap, "LinkType and additional information").
const (
	linkTypeMask      = 0x0000ffff
	linkTypeReserved  = 0x03ff0000 // must be zero
	linkTypeFCSLength = 0x04000000 // the F bit: bits 28-31 hold an FCS length
)

// checkPcapHeader validates the classic file header the way libpcap does,
// before pcapgo sees it, and says precisely what is wrong: pcapgo's own
// messages are terse ("Unknown major version 1") and it accepts a link
// type field with reserved bits set, reading it as another link type.
func checkPcapHeader(h []byte) error {
	if len(h) < pcapHeaderLen {
		return fmt.Errorf("pcap file header cut short: %d of %d bytes", len(h), pcapHeaderLen)
	}
	var order binary.ByteOrder = binary.LittleEndian
	if m := [4]byte(h); m == magicMicroBE || m == magicNanoBE {
		order = binary.BigEndian
	}
	major, minor := order.Uint16(h[4:6]), order.Uint16(h[6:8])
	switch {
	case major < 2:
		return fmt.Errorf("unsupported pcap version %d.%d: versions before 2.0 are an archaic format that libpcap no longer reads either; only 2.4 is supported", major, minor)
	case major != 2 || minor != 4:
		return fmt.Errorf("unsupported pcap version %d.%d: only 2.4 is supported", major, minor)
	}
	if lt := order.Uint32(h[20:24]); lt&linkTypeReserved != 0 {
		return fmt.Errorf("damaged pcap file header: the link-type field 0x%08x has reserved bits set (0x%08x); the file is corrupt or not a pcap file", lt, lt&linkTypeReserved)
	}
	return nil
}

// shbMin is the size of the smallest section header block: type, length,
// byte-order magic, version, section length and the trailing length.
const shbMin = 28

// checkSHB validates the first section header block, which must be wholly
// inside h, the way libpcap does: pcapgo reports a damaged one as a bare
// "unexpected EOF" or reads options past the block's end.
func checkSHB(h []byte) error {
	if len(h) < 12 {
		return fmt.Errorf("pcapng section header block cut short: %d of at least %d bytes", len(h), shbMin)
	}
	order, ok := ngOrder(h[8:12])
	if !ok {
		return fmt.Errorf("damaged pcapng section header block: byte-order magic is 0x%08x, want 0x%08x in either byte order", binary.BigEndian.Uint32(h[8:12]), ngByteOrderMagic)
	}
	total := order.Uint32(h[4:8])
	switch {
	case total < shbMin || total%4 != 0:
		return fmt.Errorf("damaged pcapng section header block: total length %d is not a multiple of 4 of at least %d", total, shbMin)
	case uint64(len(h)) < uint64(total):
		if len(h) < shbMin {
			return fmt.Errorf("pcapng section header block cut short: %d of %d bytes", len(h), total)
		}
		// Longer than the sniffed head: an enormous option; pcapgo reads on.
	}
	if major, minor := order.Uint16(h[12:14]), order.Uint16(h[14:16]); major != 1 || minor != 0 {
		return fmt.Errorf("unsupported pcapng version %d.%d: only 1.0 is supported (libpcap and Wireshark reject other versions too)", major, minor)
	}
	if uint64(len(h)) < uint64(total) {
		return nil
	}
	if trailer := order.Uint32(h[total-4 : total]); trailer != total {
		return fmt.Errorf("damaged pcapng section header block: total length is %d at its start but %d at its end", total, trailer)
	}
	for off := uint32(24); off+4 <= total-4; {
		code, n := order.Uint16(h[off:off+2]), uint32(order.Uint16(h[off+2:off+4]))
		if code == 0 {
			break
		}
		if next := off + 4 + (n+3)&^3; next > total-4 {
			return fmt.Errorf("damaged pcapng section header block: option %d at byte %d declares %d bytes, past the block's end at byte %d", code, off, n, total)
		} else {
			off = next
		}
	}
	return nil
}
