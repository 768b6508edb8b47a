package pcap

import (
	"encoding/binary"
	"math/bits"

	"github.com/arpforensics/arpforensics/timeline"
)

// ipState is what the capture has shown about one IPv4 address.
type ipState struct {
	addr  uint32 // the address as ipKey gives it
	used  bool   // the slot holds an address
	known bool
	mac   timeline.MAC // last MAC it was announced or seen answering at
	epoch uint32       // bumped when an announcement changes mac; splits open runs
	refs  int32        // open runs to the IP, counted by Folder.evictIPs: the state is kept while there are any
}

// ipTable holds the Folder's ipState per address in its own slots, so a
// lookup reads one cache line, not a map's and then the state's behind a
// pointer: on a busy segment every new run looks up two addresses, and
// those reads were a tenth of the parse. Open addressing with linear
// probing, at most half full. Entries move only when the table is rebuilt
// (grown, or emptied of unused addresses by keep); the caller re-finds the
// slot numbers it holds then.
type ipTable struct {
	slots []ipState // a power of two of them
	shift uint      // 64 - log2(len(slots))
	n     int
	spare []ipState // the slots the last keep moved out of, for the next (slots.go)
}

const minIPSlots = 1 << 10

// ipKey is a as one word, in the machine's byte order (only equality and
// the hash need it).
func ipKey(a [4]byte) uint32 { return binary.LittleEndian.Uint32(a[:]) }

func (t *ipTable) home(addr uint32) int {
	return int((uint64(addr) * 0x9e3779b97f4a7c15) >> t.shift)
}

func (t *ipTable) len() int { return t.n }

// at is the state in slot i.
func (t *ipTable) at(i int32) *ipState { return &t.slots[i] }

// find returns the slot of a, or -1.
func (t *ipTable) find(a [4]byte) int32 {
	if t.n == 0 {
		return -1
	}
	addr, mask := ipKey(a), len(t.slots)-1
	for i := t.home(addr); ; i = (i + 1) & mask {
		s := &t.slots[i]
		if !s.used {
			return -1
		}
		if s.addr == addr {
			return int32(i)
		}
	}
}

// add returns the slot of a, adding a fresh state when it has none;
// moved says the table was rebuilt to make room, so every slot number
// held before is stale.
func (t *ipTable) add(a [4]byte) (i int32, moved bool) {
	if i := t.find(a); i >= 0 {
		return i, false
	}
	if 2*(t.n+1) > len(t.slots) {
		t.rebuild(max(minIPSlots, 2*len(t.slots)), nil)
		moved = true
	}
	t.n++
	return t.place(ipState{addr: ipKey(a), used: true}), moved
}

func (t *ipTable) place(s ipState) int32 {
	mask := len(t.slots) - 1
	i := t.home(s.addr)
	for t.slots[i].used {
		i = (i + 1) & mask
	}
	t.slots[i] = s
	return int32(i)
}

// keep drops every state for which wanted is false. Slots move.
func (t *ipTable) keep(wanted func(*ipState) bool) {
	t.rebuild(len(t.slots), wanted)
}

func (t *ipTable) rebuild(size int, wanted func(*ipState) bool) {
	old := t.slots
	t.slots = freshSlots(&t.spare, size)
	t.shift = uint(64 - bits.TrailingZeros(uint(size)))
	t.n = 0
	for i := range old {
		if s := &old[i]; s.used && (wanted == nil || wanted(s)) {
			t.place(*s)
			t.n++
		}
	}
	retireSlots(&t.spare, old, size)
}
