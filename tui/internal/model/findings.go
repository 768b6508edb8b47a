package model

import (
	"slices"

	"github.com/arpforensics/arpforensics/detect"
	"github.com/arpforensics/arpforensics/timeline"
)

// Findings is the state of the findings pane: the analysed findings (already
// ordered by severity, then time) and which one is selected.
type Findings struct {
	List    []detect.Finding
	Cursor  int
	tl      *timeline.Timeline
	nEvents int
	sorted  map[int][]int // finding → its evidence events, ascending
}

// NewFindings wraps the result's findings over the timeline they cite.
func NewFindings(fs []detect.Finding, tl *timeline.Timeline) *Findings {
	return &Findings{List: fs, tl: tl, nEvents: tl.Len(), sorted: map[int][]int{}}
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

// FirstEvidence is where Enter on finding i lands: the first event it cites
// (in the detector's own order) at or after the finding's start, which is
// the event the finding is about (the GARP a stale-mac finding starts at);
// detectors may cite earlier context first, such as the address's previous
// binding. Without such an event it is the first event cited at all, and
// -1 when the finding cites no event.
func (f *Findings) FirstEvidence(i int) int {
	if i < 0 || i >= len(f.List) {
		return -1
	}
	first := -1
	for _, e := range f.List[i].Evidence {
		if e.Event < 0 || e.Event >= f.nEvents {
			continue
		}
		if first < 0 {
			first = e.Event
		}
		if !f.tl.Time(e.Event).Before(f.List[i].Start) {
			return e.Event
		}
	}
	return first
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
