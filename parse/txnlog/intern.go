package txnlog

import "hash/maphash"

// internTable maps strings to ids in a TxnStore's Names. Workers hash the
// names they find (in parallel); the sequential assembler then only
// probes: open addressing over precomputed hashes, compared with
// bytes.Equal, is cheaper than a map[string] lookup that hashes again.
type internTable struct {
	seed  maphash.Seed
	names *[]string
	slots []slot // power-of-two size, at most half full
	n     int
	// recent is a small direct-mapped cache in front of the table: command
	// classes and the entities a few processes keep touching repeat
	// within a window, and a hit here stays in the CPU's cache.
	recent [256]slot
}

// slot keeps the string itself: comparing it costs one memory access
// fewer than looking it up in names first.
type slot struct {
	hash uint64
	s    string
	id   uint32 // 0: empty
}

func newInternTable(names *[]string) *internTable {
	if len(*names) == 0 {
		*names = append(*names, "")
	}
	return &internTable{seed: maphash.MakeSeed(), names: names, slots: make([]slot, 1024)}
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
	*r = slot{hash: h, s: (*t.names)[id], id: id}
	return id
}

// lookup finds or adds b in the table.
func (t *internTable) lookup(b []byte, h uint64) uint32 {
	mask := uint64(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.id == 0 {
			break
		}
		if s.hash == h && s.s == string(b) {
			return s.id
		}
	}
	id := uint32(len(*t.names))
	str := string(b)
	*t.names = append(*t.names, str)
	t.insert(h, id, str)
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

func (t *internTable) insert(h uint64, id uint32, s string) {
	mask := uint64(len(t.slots) - 1)
	i := h & mask
	for t.slots[i].id != 0 {
		i = (i + 1) & mask
	}
	t.slots[i] = slot{hash: h, s: s, id: id}
}

func (t *internTable) grow() {
	old := t.slots
	t.slots = make([]slot, 2*len(old))
	for _, s := range old {
		if s.id != 0 {
			t.insert(s.hash, s.id, s.s)
		}
	}
}
