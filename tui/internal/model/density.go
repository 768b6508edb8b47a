package model

import (
	"time"

	"github.com/arpforensics/arpforensics/timeline"
)

// Density counts the rows whose event starts in each of n equal time buckets
// over [first, last]. It costs n binary searches, not a pass over the
// events, so the strip redraws in microseconds on a million events.
func Density(tl *timeline.Timeline, rows Rows, first, last time.Time, n int) []int {
	if n <= 0 {
		return nil
	}
	counts := make([]int, n)
	if rows.Len() == 0 {
		return counts
	}
	span := last.Sub(first)
	prev := 0
	for k := 1; k <= n; k++ {
		end := rows.Len()
		if k < n {
			end = rowsBefore(tl, rows, first.Add(time.Duration(float64(span)*float64(k)/float64(n))))
		}
		counts[k-1] = end - prev
		prev = end
	}
	return counts
}

// Bucket is the bucket of n over [first, last] that t falls in, clamped.
func Bucket(t, first, last time.Time, n int) int {
	span := last.Sub(first)
	if span <= 0 || n <= 1 {
		return 0
	}
	b := int(float64(t.Sub(first)) / float64(span) * float64(n))
	return max(min(b, n-1), 0)
}

// rowsBefore counts the rows whose event time is before t.
func rowsBefore(tl *timeline.Timeline, rows Rows, t time.Time) int {
	lo, hi := 0, rows.Len()
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if tl.Time(rows.Event(mid)).Before(t) {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}
