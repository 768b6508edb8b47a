package detect

import "math/bits"

// keyTable maps packed keys (a bindKey, a MAC as a word) to values held in
// its slots: open addressing with linear probing, and deletion by shifting
// the following entries back, so a table that sees millions of inserts and
// deletes (an ARP storm's episodes, the binding table's promotions) never
// fills with tombstones the way a Go map's probe sequences do. A pass over
// the timeline looks a key up per record; this is the table it does it in.
// Pointers into it are valid until the next insert.
type keyTable[V any] struct {
	slots []keySlot[V] // a power of two long; key 0 marks an empty slot
	shift uint8        // 64 - log2(len(slots))
	n     int
	// The key 0 (0.0.0.0 on VLAN 0 of the first segment) has no slot.
	zeroSet bool
	zero    V
}

type keySlot[V any] struct {
	k uint64
	v V
}

func (t *keyTable[V]) len() int { return t.n }

// home is k's first slot. Packed keys vary in their middle bits (an
// address shifted past the VLAN), so they are mixed before the top bits
// are taken: multiplying alone leaves runs of addresses in runs of slots.
func (t *keyTable[V]) home(k uint64) int {
	k ^= k >> 33
	k *= 0xff51afd7ed558ccd
	k ^= k >> 33
	return int((k * 0x9E3779B97F4A7C15) >> t.shift)
}

// find is the value of k, nil when k is absent.
func (t *keyTable[V]) find(k uint64) *V {
	if k == 0 {
		if t.zeroSet {
			return &t.zero
		}
		return nil
	}
	if len(t.slots) == 0 {
		return nil
	}
	mask := len(t.slots) - 1
	for i := t.home(k); ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.k == k {
			return &s.v
		}
		if s.k == 0 {
			return nil
		}
	}
}

// insert is the value of k, added as V's zero value when absent (added
// true).
func (t *keyTable[V]) insert(k uint64) (v *V, added bool) {
	if k == 0 {
		if !t.zeroSet {
			t.zeroSet, t.n = true, t.n+1
			var z V
			t.zero = z
			return &t.zero, true
		}
		return &t.zero, false
	}
	if 4*(t.n+1) > 3*len(t.slots) {
		t.grow()
	}
	mask := len(t.slots) - 1
	for i := t.home(k); ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.k == k {
			return &s.v, false
		}
		if s.k == 0 {
			s.k = k
			t.n++
			return &s.v, true
		}
	}
}

// delete removes k, moving back the entries after it that probed past its
// slot.
func (t *keyTable[V]) delete(k uint64) {
	if k == 0 {
		if t.zeroSet {
			var z V
			t.zeroSet, t.zero, t.n = false, z, t.n-1
		}
		return
	}
	if len(t.slots) == 0 {
		return
	}
	mask := len(t.slots) - 1
	i := t.home(k)
	for ; t.slots[i].k != k; i = (i + 1) & mask {
		if t.slots[i].k == 0 {
			return
		}
	}
	t.n--
	for j := i; ; {
		j = (j + 1) & mask
		s := &t.slots[j]
		if s.k == 0 {
			break
		}
		// The entry at j stays unless the hole at i lies on its probe path:
		// its home is not cyclically in (i, j].
		if h := t.home(s.k); (j > i && (h <= i || h > j)) || (j < i && h <= i && h > j) {
			t.slots[i] = *s
			i = j
		}
	}
	var empty keySlot[V]
	t.slots[i] = empty
}

// clear empties the table, keeping its slots.
func (t *keyTable[V]) clear() {
	clear(t.slots)
	var z V
	t.n, t.zeroSet, t.zero = 0, false, z
}

func (t *keyTable[V]) grow() {
	old := t.slots
	size := max(64, 2*len(old))
	t.slots = make([]keySlot[V], size)
	t.shift = uint8(64 - bits.TrailingZeros(uint(size)))
	mask := size - 1
	for _, s := range old {
		if s.k == 0 {
			continue
		}
		i := t.home(s.k)
		for t.slots[i].k != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = s
	}
}
