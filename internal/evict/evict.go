// Package evict lets go of the older half of a full table: what the
// parsers' and detectors' bounded tables do when an entry would exceed
// their bound. One pass gathers the ages, a linear-time selection finds
// their median, one pass deletes; called when a table is full, it costs a
// few steps per entry added.
package evict

// OlderHalf deletes from m the candidates whose age is at or before the
// candidates' median, and returns how many went. age gives an entry's age
// (the later the younger) and whether it may go at all; drop, if not nil,
// is called for each entry just before it is deleted (to hand over what it
// holds). Nothing goes when there are no candidates.
func OlderHalf[K comparable, V any](m map[K]V, age func(V) (int64, bool), drop func(K, V)) int {
	ages := make([]int64, 0, len(m))
	for _, v := range m {
		if at, ok := age(v); ok {
			ages = append(ages, at)
		}
	}
	if len(ages) == 0 {
		return 0
	}
	cut := Nth(ages, len(ages)/2)
	gone := 0
	for k, v := range m {
		if at, ok := age(v); ok && at <= cut {
			if drop != nil {
				drop(k, v)
			}
			delete(m, k)
			gone++
		}
	}
	return gone
}

// Nth returns the value that would be at index n if xs were sorted
// (reordering xs): Hoare's quickselect, median-of-three pivots.
func Nth(xs []int64, n int) int64 {
	lo, hi := 0, len(xs)-1
	for lo < hi {
		mid := lo + (hi-lo)/2
		a, b, c := xs[lo], xs[mid], xs[hi]
		pivot := max(min(a, b), min(max(a, b), c))
		i, j := lo, hi
		for i <= j {
			for xs[i] < pivot {
				i++
			}
			for xs[j] > pivot {
				j--
			}
			if i <= j {
				xs[i], xs[j] = xs[j], xs[i]
				i++
				j--
			}
		}
		switch {
		case n <= j:
			hi = j
		case n >= i:
			lo = i
		default:
			return xs[n]
		}
	}
	return xs[n]
}
