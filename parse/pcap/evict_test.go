package pcap

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestSelectNthMatchesSorting(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 500; trial++ {
		n := 1 + r.IntN(200)
		xs := make([]int64, n)
		for i := range xs {
			xs[i] = r.Int64N(int64(1 + r.IntN(50))) // many ties
		}
		want := slices.Sorted(slices.Values(xs))
		k := r.IntN(n)
		if got := selectNth(slices.Clone(xs), k); got != want[k] {
			t.Fatalf("selectNth(%v, %d) = %d, want %d", xs, k, got, want[k])
		}
	}
}

func TestEvictOldestDropsTheOlderHalf(t *testing.T) {
	m := map[int]int64{}
	for i := 0; i < 1000; i++ {
		m[i] = int64(i * 7 % 1000)
	}
	gone := evictOldest(m, func(v int64) int64 { return v }, nil)
	if gone < 500 || len(m) > 500 {
		t.Fatalf("dropped %d, kept %d", gone, len(m))
	}
	for _, v := range m {
		if v < 500 {
			t.Fatalf("kept an entry of time %d, older than the median", v)
		}
	}
}
