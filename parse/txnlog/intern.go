package txnlog

import (
	"hash/maphash"

	"github.com/arpforensics/arpforensics/timeline"
)

// internTable maps strings to ids in a TxnStore: command classes, argument
// names, hosts — a few dozen per log (entity names are not interned: each
// transaction carries its own, see attempt.entity). Workers hash the
// classes they find (in parallel); the sequential assembler then only
// probes: open addressing over precomputed hashes is cheaper than a
// map[string] lookup that hashes again. A slot is 8 bytes (part of the
// hash and the id; the string is the store's).
type internTable struct {
	seed  maphash.Seed
	store *timeline.TxnStore
	slots []slot // power-of-two size, at most half full
	n     int
	// recent is a small direct-mapped cache in front of the table: command
	// classes and the entities a few processes keep touching repeat
	// within a window, and a hit here stays in the CPU's cache.
	recent [256]recentSlot
}

type slot struct {
	check uint32 // the hash's high half
	id    uint32 // 0: empty
}

type recentSlot struct {
	hash uint64
	s    string // the store's copy
	id   uint32
}

func newInternTable(store *timeline.TxnStore) *internTable {
	return &internTable{seed: maphash.MakeSeed(), store: store, slots: make([]slot, 1024)}
}

func (t *internTable) hash(b []byte) uint64 { return maphash.Bytes(t.seed, b) }

// intern returns b's id, adding it on first sight; h is t.hash(b).
func (t *internTable) intern(b []byte, h uint64) uint32 {
	if len(b) == 0 {
		return 0
	}
	r := &t.recent[h>>56]
	if r.id != 0 && r.hash == h && r.s == string(b) {
		return r.id
	}
	id := t.lookup(b, h)
	*r = recentSlot{hash: h, s: t.store.Name(id), id: id}
	return id
}

// lookup finds or adds b in the table.
func (t *internTable) lookup(b []byte, h uint64) uint32 {
	mask := uint64(len(t.slots) - 1)
	check := uint32(h >> 32)
	for i := h & mask; ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.id == 0 {
			break
		}
		if s.check == check && t.store.Name(s.id) == string(b) {
			return s.id
		}
	}
	id := t.store.Add(b)
	t.insert(h, id)
	t.n++
	if 2*t.n > len(t.slots) {
		t.grow()
	}
	return id
}

// internString is intern for strings the caller hashes here.
func (t *internTable) internString(s string) uint32 {
	return t.intern([]byte(s), t.hash([]byte(s)))
}

func (t *internTable) insert(h uint64, id uint32) {
	mask := uint64(len(t.slots) - 1)
	i := h & mask
	for t.slots[i].id != 0 {
		i = (i + 1) & mask
	}
	t.slots[i] = slot{check: uint32(h >> 32), id: id}
}

// grow doubles the table, hashing the names again (slots keep no full
// hash): it happens log2(n) times.
func (t *internTable) grow() {
	old := t.slots
	t.slots = make([]slot, 2*len(old))
	for _, s := range old {
		if s.id != 0 {
			t.insert(maphash.String(t.seed, t.store.Name(s.id)), s.id)
		}
	}
}
