package html

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/arpforensics/arpforensics/internal/synth"
)

// TestScanWindowSkipsOnlyChosen: passing over chosen events, whole words at
// a time, takes exactly what reading every event of the window takes.
func TestScanWindowSkipsOnlyChosen(t *testing.T) {
	tl := synth.Bulk(5000).Timeline
	n := tl.Len()
	r0, rn := tl.Record(0), tl.Record(n-1)
	first, last := r0.Time(), rn.Time()
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 300 {
		base := make([]uint64, (n+63)/64)
		for w := range base {
			switch rng.IntN(4) {
			case 0:
				base[w] = ^uint64(0)
			case 1:
				base[w] = rng.Uint64()
			case 2:
				base[w] = 1 << rng.IntN(64)
			}
		}
		from := rng.IntN(n + 1)
		stop := first.Add(time.Duration(rng.Int64N(int64(last.Sub(first)) + 1)))
		quota := rng.IntN(n)
		run := func(scan func(chosen []uint64, take func(int) bool)) []int {
			chosen := slices.Clone(base)
			var taken []int
			left := quota
			scan(chosen, func(i int) bool {
				if chosen[i/64]&(1<<(i%64)) != 0 {
					return true
				}
				if left == 0 {
					return false
				}
				left--
				chosen[i/64] |= 1 << (i % 64)
				taken = append(taken, i)
				return true
			})
			return taken
		}
		want := run(func(_ []uint64, take func(int) bool) {
			for i, r := range tl.Records(from, -1) {
				if r.Time().After(stop) || !take(i) {
					break
				}
			}
		})
		got := run(func(chosen []uint64, take func(int) bool) { scanWindow(tl, chosen, from, stop, take) })
		if !slices.Equal(got, want) {
			t.Fatalf("trial %d (from %d, quota %d): took %d events, want %d", trial, from, quota, len(got), len(want))
		}
	}
}

// TestEventTablesReuse: a table built again for a smaller byte budget, from
// the tables tried before, is the table built afresh for that budget.
func TestEventTablesReuse(t *testing.T) {
	r := synth.Bulk(30000)
	o := Options{}.withDefaults()
	var again eventTables
	for _, budget := range []int{600_000, 300_000, 120_000} {
		o.MaxEventBytes = budget
		got, err := again.build(r, &o)
		if err != nil {
			t.Fatal(err)
		}
		var fresh eventTables
		want, err := fresh.build(r, &o)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("budget %d: reused table (%d rows, %d bytes, by size %v) differs from a fresh one (%d rows, %d bytes, by size %v)",
				budget, got.Embedded, len(got.GZ), got.BySize, want.Embedded, len(want.GZ), want.BySize)
		}
		if len(again.byLimit) < 2 {
			t.Fatalf("budget %d: %d tables tried, want the budget to have cut the table", budget, len(again.byLimit))
		}
	}
}
