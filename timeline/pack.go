package timeline

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"slices"
	"unsafe"
)

// Records go to spill files packed: writing to the page cache costs a few
// nanoseconds a byte, far more than packing, and a record is mostly zeros
// or a near copy of the one before it (same kind, source and flags, a time
// a little later). Each record is XORed word by word with the previous
// record of its block, and of each word that differs only its low bytes up
// to the highest non-zero one are kept:
//
//	3 bytes: bit j set when word j differs from the previous record's
//	per differing word: a byte n (1 to 8), then the XOR's n low bytes
//
// A block (a run's stretch read at once, a cache chunk) starts from an
// all-zero previous record, so it decodes on its own.

const recordWords = RecordSize / 8

// A record must be whole words, and their mask must fit in three bytes.
var (
	_ [RecordSize % 8]struct{} = [0]struct{}{}
	_ [24 - recordWords]struct{}
)

// maxPackedRecord is the most bytes one packed record takes.
const maxPackedRecord = 3 + recordWords*9

func recordWordsOf(r *Record) *[recordWords]uint64 {
	return (*[recordWords]uint64)(unsafe.Pointer(r))
}

// packRecords appends rs, packed as one block, to dst.
func packRecords(dst []byte, rs []Record) []byte {
	var prev [recordWords]uint64
	// Room for the worst case, plus the 7 bytes a word store may write past
	// its record's end.
	dst = slices.Grow(dst, len(rs)*maxPackedRecord+8)
	p := len(dst)
	b := dst[:cap(dst)]
	for i := range rs {
		w := recordWordsOf(&rs[i])
		at := p
		p += 3
		var mask uint32
		for j := range recordWords {
			x := w[j] ^ prev[j]
			if x == 0 {
				continue
			}
			mask |= 1 << j
			n := (bits.Len64(x) + 7) >> 3
			b[p] = byte(n)
			binary.LittleEndian.PutUint64(b[p+1:], x)
			p += 1 + n
		}
		b[at], b[at+1], b[at+2] = byte(mask), byte(mask>>8), byte(mask>>16)
		prev = *w
	}
	return b[:p]
}

// unpackRecords decodes one block of len(rs) records from src into rs and
// returns how many bytes it used.
func unpackRecords(src []byte, rs []Record) (int, error) {
	var zero [recordWords]uint64
	prev := &zero
	p := 0
	for i := range rs {
		w := recordWordsOf(&rs[i])
		*w = *prev
		n, err := unpackRecord(src[p:], w)
		p += n
		if err != nil {
			return p, fmt.Errorf("packed record %d: %w", i, err)
		}
		prev = w
	}
	return p, nil
}

// unpackRecordsAt decodes one block into the records of rs at the
// positions set in at (ascending), each packed against the one before it
// in the block: a store chunk keeps each kind's records as a block of their
// own (see storeWriter.flush). It returns how many bytes it used.
func unpackRecordsAt(src []byte, rs []Record, at chunkSet) (int, error) {
	var zero [recordWords]uint64
	prev := &zero
	p := 0
	for k, m := range at {
		for ; m != 0; m &= m - 1 {
			j := k*64 + bits.TrailingZeros64(m)
			if j >= len(rs) {
				return p, errPackedDamaged
			}
			w := recordWordsOf(&rs[j])
			*w = *prev
			n, err := unpackRecord(src[p:], w)
			p += n
			if err != nil {
				return p, fmt.Errorf("packed record %d: %w", j, err)
			}
			prev = w
		}
	}
	return p, nil
}

// unpackRecord decodes the packed record at the start of src over w, which
// holds the record before it in its block (all zeros before a block's
// first), and returns how many bytes it used: a block can be decoded a
// record at a time, from a read buffer of any size.
func unpackRecord(src []byte, w *[recordWords]uint64) (int, error) {
	if len(src) < 3 {
		return 0, errPackedCut
	}
	mask := uint32(src[0]) | uint32(src[1])<<8 | uint32(src[2])<<16
	p := 3
	if mask>>recordWords != 0 {
		return p, errPackedDamaged
	}
	for ; mask != 0; mask &= mask - 1 {
		j := bits.TrailingZeros32(mask)
		if p >= len(src) {
			return p, errPackedCut
		}
		n := int(src[p])
		p++
		if n == 0 || n > 8 || n > len(src)-p {
			return p, errPackedDamaged
		}
		var x uint64
		if len(src)-p >= 8 {
			x = binary.LittleEndian.Uint64(src[p:]) & (^uint64(0) >> (64 - 8*n))
		} else {
			for k := n - 1; k >= 0; k-- {
				x = x<<8 | uint64(src[p+k])
			}
		}
		w[j] ^= x
		p += n
	}
	return p, nil
}

var (
	errPackedCut     = errors.New("packed records end inside a record")
	errPackedDamaged = errors.New("packed record is damaged or cut")
)
