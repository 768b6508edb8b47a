package analysis

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/arpforensics/arpforensics/timeline"
)

// spanGap is how far apart in time two sources of one host may lie and
// still be read as one story: rotated capture files abut, a capture and the
// host's listing loop overlap. Captures hours or years apart that land on
// one host (unrelated files dropped into one folder) are separate
// segments, so an address in one is never "moved" by the other.
const spanGap = time.Hour

// splitSpans gives each host's sources that lie more than spanGap apart
// from the rest their own segment, unless a case file placed the host on
// one.
func splitSpans(sources []*timeline.Source) {
	byVantage := map[string][]*timeline.Source{}
	var order []string
	for _, s := range sources {
		if s.Segment != "" || s.First.IsZero() {
			continue
		}
		v := s.VantageKey()
		if byVantage[v] == nil {
			order = append(order, v)
		}
		byVantage[v] = append(byVantage[v], s)
	}
	for _, v := range order {
		ss := byVantage[v]
		if len(ss) < 2 {
			continue
		}
		slices.SortStableFunc(ss, func(a, b *timeline.Source) int { return cmp.Compare(a.First.UnixNano(), b.First.UnixNano()) })
		chain, end := 0, ss[0].Last
		for _, s := range ss[1:] {
			if s.First.After(end.Add(spanGap)) {
				chain++
			}
			if s.Last.After(end) {
				end = s.Last
			}
			if chain > 0 {
				s.Segment = fmt.Sprintf("%s\x00span %d", v, chain)
			}
		}
	}
}
