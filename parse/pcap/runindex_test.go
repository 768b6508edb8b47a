package pcap

import (
	"math/rand/v2"
	"testing"
)

// TestRunIndexMatchesMap puts, gets and deletes random keys, many sharing
// a MAC or an address (as on a segment), and checks every answer against
// a Go map, across growth and the back-shifting deletes.
func TestRunIndexMatchesMap(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var idx runIndex
	want := map[runKey]int32{}
	key := func() runKey {
		var k runKey
		k.src[5], k.src[4] = byte(r.IntN(40)), byte(r.IntN(3))
		k.dst[3], k.dst[2] = byte(r.IntN(200)), byte(r.IntN(4))
		return k
	}
	for step := 0; step < 200_000; step++ {
		k := key()
		got, ok := idx.get(k)
		w, wok := want[k]
		if ok != wok || got != w {
			t.Fatalf("step %d: get(%v) = %d, %v; want %d, %v", step, k, got, ok, w, wok)
		}
		switch {
		case !ok && r.IntN(3) > 0:
			idx.put(k, int32(step))
			want[k] = int32(step)
		case ok && r.IntN(2) == 0:
			idx.del(k)
			delete(want, k)
		}
		if idx.len() != len(want) {
			t.Fatalf("step %d: %d indexed, want %d", step, idx.len(), len(want))
		}
	}
	for k, w := range want {
		if got, ok := idx.get(k); !ok || got != w {
			t.Fatalf("at the end: get(%v) = %d, %v; want %d", k, got, ok, w)
		}
	}
}

// TestIPTableMatchesMap adds random addresses, drops the unwanted ones now
// and then (as evictIPs does) and checks every lookup against a Go map.
func TestIPTableMatchesMap(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var tab ipTable
	want := map[[4]byte]int32{} // the address's refs, as a mark
	for step := 0; step < 100_000; step++ {
		a := [4]byte{10, byte(r.IntN(4)), byte(r.IntN(64)), byte(r.IntN(256))}
		i := tab.find(a)
		w, ok := want[a]
		if (i >= 0) != ok || ok && tab.at(i).refs != w {
			t.Fatalf("step %d: find(%v) = %d, want present %v with mark %d", step, a, i, ok, w)
		}
		if !ok {
			i, _ = tab.add(a)
			tab.at(i).refs = int32(step % 3)
			want[a] = int32(step % 3)
		}
		if step%20_000 == 19_999 {
			tab.keep(func(s *ipState) bool { return s.refs > 0 })
			for a, w := range want {
				if w == 0 {
					delete(want, a)
				}
			}
		}
		if tab.len() != len(want) {
			t.Fatalf("step %d: %d held, want %d", step, tab.len(), len(want))
		}
	}
}
