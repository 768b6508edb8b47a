package detect

import (
	"slices"
	"testing"
)

// within keeps the events of a window, its ends included, and no others.
func TestWithinKeepsTheWindowEndsIncluded(t *testing.T) {
	s := newScene()
	secs := []float64{1, 2, 2, 3, 3, 4}
	for _, sec := range secs {
		s.request(sec, observer, obsIP, fip, [6]byte{})
	}
	tl := s.timeline()
	idx := tl.ByIP(ip(fip))
	if len(idx) != len(secs) {
		t.Fatalf("%d events for %s, want %d", len(idx), fip, len(secs))
	}
	for _, c := range []struct {
		from, to float64
		want     []float64
	}{
		{2, 3, []float64{2, 2, 3, 3}},
		{1.5, 2.5, []float64{2, 2}},
		{0, 1, []float64{1}},
		{4, 9, []float64{4}},
		{2.1, 2.9, nil},
		{5, 9, nil},
		{3, 2, nil},
	} {
		var got []float64
		for _, j := range within(tl, idx, s.at(c.from), s.at(c.to)) {
			got = append(got, eventTime(tl, int(j)).Sub(s.t0).Seconds())
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("within [%v, %v] s: %v, want %v", c.from, c.to, got, c.want)
		}
	}
}
