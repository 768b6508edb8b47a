package model

import (
	"slices"

	"github.com/arpforensics/arpforensics/detect"
)

// Findings is the state of the findings pane: the analysed findings (already
// ordered by severity, then time) and which one is selected.
type Findings struct {
	List    []detect.Finding
	Cursor  int
	nEvents int
	sorted  map[int][]int // finding → its evidence events, ascending
}

// NewFindings wraps the result's findings; nEvents bounds valid event indexes.
func NewFindings(fs []detect.Finding, nEvents int) *Findings {
	return &Findings{List: fs, nEvents: nEvents, sorted: map[int][]int{}}
}

// Selected is the finding under the cursor, or nil when there is none.
func (f *Findings) Selected() *detect.Finding {
	if f.Cursor < 0 || f.Cursor >= len(f.List) {
		return nil
	}
	return &f.List[f.Cursor]
}

// MoveTo selects finding i, clamped.
func (f *Findings) MoveTo(i int) { f.Cursor = max(min(i, len(f.List)-1), 0) }

// FirstEvidence is the first event finding i cites, in the detector's own
// order (the one it names first is the one that proves it), or -1.
func (f *Findings) FirstEvidence(i int) int {
	if i < 0 || i >= len(f.List) {
		return -1
	}
	for _, e := range f.List[i].Evidence {
		if e.Event >= 0 && e.Event < f.nEvents {
			return e.Event
		}
	}
	return -1
}

// Evidence lists the events finding i cites, ascending and without repeats;
// evidence that is not one event (Event == -1) is left out.
func (f *Findings) Evidence(i int) []int {
	if i < 0 || i >= len(f.List) {
		return nil
	}
	if evs, ok := f.sorted[i]; ok {
		return evs
	}
	var evs []int
	for _, e := range f.List[i].Evidence {
		if e.Event >= 0 && e.Event < f.nEvents {
			evs = append(evs, e.Event)
		}
	}
	slices.Sort(evs)
	evs = slices.Compact(evs)
	f.sorted[i] = evs
	return evs
}

// Cites reports whether finding i cites event ev.
func (f *Findings) Cites(i, ev int) bool {
	_, ok := slices.BinarySearch(f.Evidence(i), ev)
	return ok
}

// NextEvidence is the evidence event of finding i after cur (dir > 0) or
// before it (dir < 0), where cur is the event under the timeline cursor.
// ord is its 1-based place among the finding's evidence events.
func (f *Findings) NextEvidence(i, cur, dir int) (ev, ord int, ok bool) {
	evs := f.Evidence(i)
	if len(evs) == 0 {
		return -1, 0, false
	}
	if dir >= 0 {
		j, found := slices.BinarySearch(evs, cur)
		if found {
			j++
		}
		if j >= len(evs) {
			return -1, 0, false
		}
		return evs[j], j + 1, true
	}
	j, _ := slices.BinarySearch(evs, cur)
	if j == 0 {
		return -1, 0, false
	}
	return evs[j-1], j, true
}
