// Package model holds the TUI's state with no drawing in it: which events the
// timeline shows (filters as index slices over the timeline's event indexes, never
// copies of events), the cursor and the mark, the followed key, search scanning,
// density buckets, the findings' evidence and the ":" command language. The
// view package draws it; tests drive it directly.
package model

import (
	"sort"
	"unsafe"
)

// Rows maps the rows of the timeline pane to event indexes. With no filter it
// is the identity over every event and holds no slice at all, so a million
// events cost nothing to show; a filter holds an ascending []int32 of event
// indexes (which is time order, since events are sorted).
type Rows struct {
	idx []int32 // ascending event indexes; nil when all
	n   int     // number of rows
	all bool
}

// AllRows shows every one of n events.
func AllRows(n int) Rows { return Rows{n: n, all: true} }

// IndexRows shows the events listed in idx, which must be ascending. The slice
// is kept, not copied: callers hand over slices they no longer change (or the
// timeline's own read-only indexes).
func IndexRows(idx []int32) Rows { return Rows{idx: idx, n: len(idx)} }

// Len is the number of rows.
func (r Rows) Len() int { return r.n }

// All reports the unfiltered identity.
func (r Rows) All() bool { return r.all }

// Event is the event index shown on row.
func (r Rows) Event(row int) int {
	if r.all {
		return row
	}
	return int(r.idx[row])
}

// Find returns the first row whose event index is >= ev, and whether that
// row shows ev itself. It returns Len() when every row is before ev.
func (r Rows) Find(ev int) (row int, exact bool) {
	if r.all {
		if ev < 0 {
			return 0, false
		}
		if ev >= r.n {
			return r.n, false
		}
		return ev, true
	}
	row = sort.Search(r.n, func(i int) bool { return int(r.idx[i]) >= ev })
	return row, row < r.n && int(r.idx[row]) == ev
}

// Nearest returns the row showing ev, or the closest row after it, or the
// last row; -1 when there are no rows.
func (r Rows) Nearest(ev int) int {
	if r.n == 0 {
		return -1
	}
	row, _ := r.Find(ev)
	if row >= r.n {
		row = r.n - 1
	}
	return row
}

// Same reports whether r and o are the same rows (the same selection, not
// merely equal lengths): for caching what is computed from rows.
func (r Rows) Same(o Rows) bool {
	return r.n == o.n && r.all == o.all && unsafe.SliceData(r.idx) == unsafe.SliceData(o.idx)
}
