package evict

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
		if got := Nth(slices.Clone(xs), k); got != want[k] {
			t.Fatalf("Nth(%v, %d) = %d, want %d", xs, k, got, want[k])
		}
	}
}

func TestOlderHalfDropsTheOlderHalf(t *testing.T) {
	m := map[int]int64{}
	for i := 0; i < 1000; i++ {
		m[i] = int64(i * 7 % 1000)
	}
	gone := OlderHalf(m, func(v int64) (int64, bool) { return v, true }, nil)
	if gone < 500 || len(m) > 500 {
		t.Fatalf("dropped %d, kept %d", gone, len(m))
	}
	for _, v := range m {
		if v < 500 {
			t.Fatalf("kept an entry of time %d, older than the median", v)
		}
	}
}

// Only candidates go, by the candidates' own median, and drop sees each
// before it is deleted.
func TestOlderHalfLeavesTheKept(t *testing.T) {
	m := map[int]int64{}
	for i := 0; i < 1000; i++ {
		m[i] = int64(i)
	}
	even := func(v int64) (int64, bool) { return v, v%2 == 0 } // odd entries may not go
	dropped := map[int]bool{}
	gone := OlderHalf(m, even, func(k int, _ int64) { dropped[k] = true })
	// The even ages 0…998: their median is 500, which goes too.
	if gone != 251 || len(dropped) != 251 || len(m) != 749 {
		t.Fatalf("dropped %d (%d seen by drop), kept %d; want 251 and 749", gone, len(dropped), len(m))
	}
	for k := range dropped {
		if k%2 != 0 || k > 500 {
			t.Fatalf("dropped %d: odd entries stay, and even ones above the median of the even", k)
		}
	}
	if n := OlderHalf(m, func(int64) (int64, bool) { return 0, false }, nil); n != 0 {
		t.Fatalf("dropped %d with no candidates", n)
	}
}
