package pcap

import "encoding/binary"

// runIndex finds a Folder's open run by its (sender MAC, destination IPv4)
// pair. On a busy segment almost every frame opens a pair not seen before,
// so a lookup, an insert and later a delete happen per frame: a Go map of
// the 10-byte runKey spent a fifth of the whole parse there, hashing the
// key as bytes. This table packs the key in two words and hashes those:
// open addressing with linear probing, at most half full, and deletion by
// shifting the following entries back, so no tombstones build up however
// many runs open and close.
type runIndex struct {
	slots []runSlot // a power of two of them
	n     int
}

// runSlot is one entry: mac is the packed MAC with usedBit set; 0 is free.
type runSlot struct {
	mac uint64
	ip  uint32
	run int32
}

const usedBit = 1 << 63

const minRunSlots = 1 << 10

// packRunKey is k as the words a slot holds (in the machine's byte order:
// only equality and the hash need them).
func packRunKey(k runKey) (uint64, uint32) {
	m := k.src
	mac := uint64(binary.LittleEndian.Uint32(m[:4])) | uint64(binary.LittleEndian.Uint16(m[4:]))<<32
	return mac | usedBit, binary.LittleEndian.Uint32(k.dst[:])
}

// home is the slot a key's probe starts at: a multiplicative hash, its
// high bits well mixed from every bit of the MAC and the address.
func (t *runIndex) home(mac uint64, ip uint32) int {
	h := (mac ^ uint64(ip)<<16) * 0x9e3779b97f4a7c15
	h ^= uint64(ip) * 0xc2b2ae3d27d4eb4f
	h ^= h >> 31
	return int(h & uint64(len(t.slots)-1))
}

// len is the number of open runs indexed.
func (t *runIndex) len() int { return t.n }

// get returns the run of k.
func (t *runIndex) get(k runKey) (int32, bool) {
	if t.n == 0 {
		return 0, false
	}
	mac, ip := packRunKey(k)
	mask := len(t.slots) - 1
	for i := t.home(mac, ip); ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.mac == mac && s.ip == ip {
			return s.run, true
		}
		if s.mac == 0 {
			return 0, false
		}
	}
}

// clear empties the index, keeping its slots.
func (t *runIndex) clear() {
	clear(t.slots)
	t.n = 0
}

// put indexes run under k, which must not be indexed yet.
func (t *runIndex) put(k runKey, run int32) {
	if 2*(t.n+1) > len(t.slots) {
		t.grow()
	}
	mac, ip := packRunKey(k)
	t.insert(mac, ip, run)
	t.n++
}

func (t *runIndex) insert(mac uint64, ip uint32, run int32) {
	mask := len(t.slots) - 1
	i := t.home(mac, ip)
	for t.slots[i].mac != 0 {
		i = (i + 1) & mask
	}
	t.slots[i] = runSlot{mac, ip, run}
}

func (t *runIndex) grow() {
	old := t.slots
	t.slots = make([]runSlot, max(minRunSlots, 2*len(old)))
	for _, s := range old {
		if s.mac != 0 {
			t.insert(s.mac, s.ip, s.run)
		}
	}
}

// del removes k. The entries after it up to the next free slot that
// could sit earlier move back into the gap, which keeps every entry
// reachable from its home without marking deleted slots.
func (t *runIndex) del(k runKey) {
	if t.n == 0 {
		return
	}
	mac, ip := packRunKey(k)
	mask := len(t.slots) - 1
	i := t.home(mac, ip)
	for t.slots[i].mac != mac || t.slots[i].ip != ip {
		if t.slots[i].mac == 0 {
			return
		}
		i = (i + 1) & mask
	}
	for j := (i + 1) & mask; t.slots[j].mac != 0; j = (j + 1) & mask {
		// The entry at j may fill the gap at i unless its home lies
		// cyclically in (i, j]: then it would be before its home.
		h := t.home(t.slots[j].mac, t.slots[j].ip)
		if (j-h)&mask >= (j-i)&mask {
			t.slots[i] = t.slots[j]
			i = j
		}
	}
	t.slots[i] = runSlot{}
	t.n--
}
