package pcap

import (
	"fmt"

	"github.com/gopacket/gopacket/layers"
)

// Caps on what a capture's headers may declare. A header is a promise the
// reader cannot check until it has read the bytes, so a lying one (a record
// claiming 4 GB, ten million interfaces) must be refused before any memory
// is sized by it. Reading stops at the offending record or block with a
// problem naming it; every frame before it is kept.
const (
	// maxSnaplen is libpcap's MAXIMUM_SNAPLEN: the longest record libpcap
	// and tcpdump accept for all but a few link types.
	maxSnaplen = 262144
	// maxBlockLen is the longest pcapng block read (libpcap's initial
	// maximum block size); packet blocks of link types whose records may
	// be longer are allowed their record length plus options.
	maxBlockLen = 16 << 20
	// maxInterfaces is the most interface description blocks one pcapng
	// section may hold (pcapgo keeps each, about a kilobyte).
	maxInterfaces = 4096
	// maxIDBBytes bounds the interface description blocks of a section
	// in bytes: their names, comments and filters are kept as strings.
	maxIDBBytes = 8 << 20
	// maxNRBBytes bounds the name resolution blocks of a file: pcapgo
	// keeps every name record.
	maxNRBBytes = 16 << 20
)

// snaplenFor is the longest record accepted for a link type: libpcap's
// max_snaplen_for_dlt, except D-Bus (128 MiB there), held to 16 MiB to
// keep within the memory budget; arpforensics does not decode D-Bus.
func snaplenFor(lt layers.LinkType) int {
	switch lt {
	case 231: // DLT_DBUS
		return 16 << 20
	case 279: // DLT_EBHSCR
		return 8 << 20
	case 249: // DLT_USBPCAP
		return 1 << 20
	}
	return maxSnaplen
}

// blockLenFor is the longest pcapng packet block accepted on an interface
// of link type lt: the record, its headers and up to 128 KiB of options
// (libpcap's MAX_BLOCKSIZE_FOR_SNAPLEN).
func blockLenFor(lt layers.LinkType) int64 {
	return max(maxBlockLen, int64(snaplenFor(lt))+32+131072)
}

// capExceeded is a cap a record or block went over; reading stops there.
type capExceeded struct {
	at  int64 // byte offset of the record or block
	msg string
}

func (c *capExceeded) Error() string { return c.msg }

func snaplenCap(what string, at int64, caplen uint64, lt layers.LinkType) *capExceeded {
	return &capExceeded{at: at, msg: fmt.Sprintf("%s at byte %d declares %d captured bytes, more than the %d-byte maximum for link type %s (libpcap's limit)",
		what, at, caplen, snaplenFor(lt), linkTypeName(lt))}
}
