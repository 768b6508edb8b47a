package pcap

import (
	"encoding/binary"
	"math/bits"
)

// synTable counts the SYNs of each handshake attempt (4-tuple and ISN). On
// a SYN flood every frame is an attempt of its own, and a Go map of them,
// filled and emptied of its older half over and over, spent a quarter of
// the run probing. Open addressing with linear probing, at most half full;
// entries move only when the table is rebuilt (grown, or evicted), so no
// tombstones build up.
type synTable struct {
	slots []synSlot // a power of two of them
	shift uint      // 64 - log2(len(slots))
	n     int
	spare []synSlot // the slots the last eviction moved out of, for the next (slots.go)
}

// synSlot is one attempt: the key packed in two words, its SYNs so far
// (0: the slot is free) and when the last was seen (Unix ns).
type synSlot struct {
	a, b uint64
	last int64
	n    int32
}

const minSYNSlots = 1 << 10

func packSYNKey(k synKey) (uint64, uint64) {
	a := uint64(binary.LittleEndian.Uint32(k.src[:])) | uint64(binary.LittleEndian.Uint32(k.dst[:]))<<32
	b := uint64(k.srcPort) | uint64(k.dstPort)<<16 | uint64(k.seq)<<32
	return a, b
}

func (t *synTable) home(a, b uint64) int {
	h := (a ^ bits.RotateLeft64(b, 29)) * 0x9e3779b97f4a7c15
	h ^= b * 0xc2b2ae3d27d4eb4f
	return int(h >> t.shift)
}

func (t *synTable) len() int { return t.n }

// seen counts one more SYN of k at now and returns how many there have
// been; full says k was new and the table already held limit attempts, so
// nothing was counted (evict, then ask again).
func (t *synTable) seen(k synKey, now int64, limit int) (n int32, full bool) {
	a, b := packSYNKey(k)
	if len(t.slots) > 0 {
		mask := len(t.slots) - 1
		for i := t.home(a, b); t.slots[i].n != 0; i = (i + 1) & mask {
			if s := &t.slots[i]; s.a == a && s.b == b {
				s.n++
				s.last = now
				return s.n, false
			}
		}
	}
	if t.n >= limit {
		return 0, true
	}
	if 2*(t.n+1) > len(t.slots) {
		t.rebuild(max(minSYNSlots, 2*len(t.slots)), nil)
	}
	t.place(synSlot{a: a, b: b, last: now, n: 1})
	t.n++
	return 1, false
}

func (t *synTable) place(s synSlot) {
	mask := len(t.slots) - 1
	i := t.home(s.a, s.b)
	for t.slots[i].n != 0 {
		i = (i + 1) & mask
	}
	t.slots[i] = s
}

// keep drops every attempt last seen at or before cut and returns how many
// went. Slots move.
func (t *synTable) keep(cut int64) int {
	before := t.n
	t.rebuild(len(t.slots), func(s *synSlot) bool { return s.last > cut })
	return before - t.n
}

// times appends every attempt's last-seen time to ts.
func (t *synTable) times(ts []int64) []int64 {
	for i := range t.slots {
		if t.slots[i].n != 0 {
			ts = append(ts, t.slots[i].last)
		}
	}
	return ts
}

func (t *synTable) rebuild(size int, wanted func(*synSlot) bool) {
	old := t.slots
	t.slots = freshSlots(&t.spare, size)
	t.shift = uint(64 - bits.TrailingZeros(uint(size)))
	t.n = 0
	for i := range old {
		if s := &old[i]; s.n != 0 && (wanted == nil || wanted(s)) {
			t.place(*s)
			t.n++
		}
	}
	retireSlots(&t.spare, old, size)
}
