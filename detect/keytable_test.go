package detect

import (
	"math/rand/v2"
	"testing"
)

// TestKeyTableIsAMap runs random inserts, finds and deletes on a keyTable
// and a Go map side by side, over a key space small enough to collide and
// wrap around a table's end often.
func TestKeyTableIsAMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 20 {
		var tab keyTable[int]
		ref := map[uint64]int{}
		space := uint64(8 << round % 5000)
		for n := range 20000 {
			k := rng.Uint64N(space + 1)
			if round%2 == 1 {
				k <<= 48 // keys differing in their top bits only (segments)
			}
			switch rng.IntN(3) {
			case 0:
				v, added := tab.insert(k)
				_, had := ref[k]
				if added == had {
					t.Fatalf("round %d op %d: insert(%d) added=%v, map had it: %v", round, n, k, added, had)
				}
				*v = n
				ref[k] = n
			case 1:
				tab.delete(k)
				delete(ref, k)
			case 2:
				v := tab.find(k)
				w, ok := ref[k]
				if (v != nil) != ok || ok && *v != w {
					t.Fatalf("round %d op %d: find(%d) = %v, map: %d %v", round, n, k, v, w, ok)
				}
			}
			if tab.len() != len(ref) {
				t.Fatalf("round %d op %d: len %d, map %d", round, n, tab.len(), len(ref))
			}
		}
		for k, w := range ref {
			if v := tab.find(k); v == nil || *v != w {
				t.Fatalf("round %d: lost %d", round, k)
			}
		}
		tab.clear()
		if tab.len() != 0 || tab.find(0) != nil {
			t.Fatal("clear left entries")
		}
	}
}
