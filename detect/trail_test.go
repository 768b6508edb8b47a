package detect

import (
	"slices"
	"testing"
)

func TestTrailCitesWhatTheWholeListWould(t *testing.T) {
	for n := 0; n < 40; n++ {
		var tr trail
		var all []int
		for i := range n {
			tr.add(i * 3)
			all = append(all, i*3)
		}
		if tr.n != n {
			t.Fatalf("n = %d, want %d", tr.n, n)
		}
		for _, c := range [][2]int{{4, 1}, {2, 1}, {2, 2}, {3, 1}, {5, 1}, {8, 8}} {
			if got, want := capEvidence(tr.list(), c[0], c[1]), capEvidence(all, c[0], c[1]); !slices.Equal(got, want) {
				t.Errorf("%d entries, cap %v: %v, want %v", n, c, got, want)
			}
		}
	}
}
