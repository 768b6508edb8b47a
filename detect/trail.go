package detect

// trailKeep is how many event indexes a trail keeps at each end: more than
// any finding cites from one list (see capEvidence).
const trailKeep = 8

// trail is a list of event indexes that may grow without bound, kept as its
// first and last few entries and its length, so a detector's memory stays
// flat however many events a finding rests on. capEvidence of list() with
// head and tail up to trailKeep is what it is of the whole list.
type trail struct {
	n     int
	first []int
	last  [trailKeep]int // a ring of the latest entries beyond first
	nl    int
}

func (t *trail) add(i int) {
	t.n++
	if len(t.first) < trailKeep {
		t.first = append(t.first, i)
		return
	}
	t.last[t.nl%trailKeep] = i
	t.nl++
}

// list is the kept entries in order: the whole list while it is short.
func (t *trail) list() []int {
	out := append([]int(nil), t.first...)
	k := min(t.nl, trailKeep)
	for j := t.nl - k; j < t.nl; j++ {
		out = append(out, t.last[j%trailKeep])
	}
	return out
}
