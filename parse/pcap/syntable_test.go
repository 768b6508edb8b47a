package pcap

import (
	"math/rand/v2"
	"testing"

	"github.com/arpforensics/arpforensics/internal/evict"
)

// The SYN table counts and forgets exactly as a map of the attempts would,
// through growth and evictions that move every entry.
func TestSYNTableMatchesMap(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var tab synTable
	type seen struct {
		n    int32
		last int64
	}
	want := map[synKey]seen{}
	const limit = 3000
	for step := range 200_000 {
		// Few distinct keys at first (repeats), many later (growth, evictions).
		k := synKey{src: [4]byte{10, 0, 0, byte(r.IntN(4))}, dst: [4]byte{192, 0, 2, byte(r.IntN(2))},
			srcPort: uint16(r.IntN(1 + step/20)), dstPort: 80, seq: uint32(r.IntN(3))}
		now := int64(step)
		n, full := tab.seen(k, now, limit)
		w, ok := want[k]
		if full != (!ok && len(want) >= limit) {
			t.Fatalf("step %d: full = %v with %d attempts held", step, full, len(want))
		}
		if full {
			cut := now - int64(r.IntN(5000))
			gone := tab.keep(cut)
			dropped := 0
			for k, s := range want {
				if s.last <= cut {
					delete(want, k)
					dropped++
				}
			}
			if gone != dropped {
				t.Fatalf("step %d: keep dropped %d, want %d", step, gone, dropped)
			}
			if len(want) >= limit { // nothing old enough: drop the older half
				ts := tab.times(nil)
				cut = evict.Nth(ts, len(ts)/2)
				tab.keep(cut)
				for k, s := range want {
					if s.last <= cut {
						delete(want, k)
					}
				}
			}
			n, full = tab.seen(k, now, limit)
			if full {
				t.Fatalf("step %d: still full after eviction", step)
			}
		}
		w.n++
		w.last = now
		want[k] = w
		if n != w.n {
			t.Fatalf("step %d: %d SYNs of %+v, want %d", step, n, k, w.n)
		}
		if tab.len() != len(want) {
			t.Fatalf("step %d: %d attempts held, want %d", step, tab.len(), len(want))
		}
	}
}
