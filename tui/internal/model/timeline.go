package model

import (
	"errors"
	"slices"
	"time"

	"github.com/arpforensics/arpforensics/timeline"
)

// Timeline is the state of the timeline pane: which events it shows, the
// cursor (a row), the mark (an event) and the display zone.
type Timeline struct {
	TL     *timeline.Timeline
	Filter Filter
	Rows   Rows
	Cursor int   // row; 0 when there are no rows
	Mark   int   // event index the Δ column counts from; -1 when unset
	marks  []int // every marked event, in the order they were set
	Loc    *time.Location
}

// NewTimeline shows every event of tl, in zone loc (nil is UTC).
func NewTimeline(tl *timeline.Timeline, loc *time.Location) *Timeline {
	if loc == nil {
		loc = time.UTC
	}
	return &Timeline{TL: tl, Rows: AllRows(tl.Len()), Mark: -1, Loc: loc}
}

// ErrNoMatch is returned by SetFilter when the filter would hide every event;
// the old filter stays.
var ErrNoMatch = errors.New("no event matches")

// SetFilter applies f, keeping the cursor on the same event when it is
// still shown, else on the nearest one after it.
func (m *Timeline) SetFilter(f Filter) error { return m.SetRows(f, f.Apply(m.TL)) }

// SetRows shows rows, computed by f.Apply (on another goroutine, for a long
// timeline), as SetFilter does.
func (m *Timeline) SetRows(f Filter, rows Rows) error {
	if rows.Len() == 0 && m.TL.Len() > 0 {
		return ErrNoMatch
	}
	ev := m.CursorEvent()
	m.Filter, m.Rows = f, rows
	if ev < 0 {
		m.Cursor = 0
		return nil
	}
	m.Cursor = max(rows.Nearest(ev), 0)
	return nil
}

// CursorEvent is the event under the cursor, or -1 when no row is shown.
func (m *Timeline) CursorEvent() int {
	if m.Rows.Len() == 0 {
		return -1
	}
	return m.Rows.Event(m.Cursor)
}

// Event decodes the event shown on row (a fresh copy each call).
func (m *Timeline) Event(row int) *timeline.Event {
	e := m.TL.Event(m.Rows.Event(row))
	return &e
}

// Time is the time of the event shown on row, read without decoding it.
func (m *Timeline) Time(row int) time.Time { return m.TL.Time(m.Rows.Event(row)) }

// MoveTo puts the cursor on row, clamped to the rows there are.
func (m *Timeline) MoveTo(row int) {
	m.Cursor = max(min(row, m.Rows.Len()-1), 0)
}

// Move moves the cursor by delta rows, clamped.
func (m *Timeline) Move(delta int) { m.MoveTo(m.Cursor + delta) }

// ShowEvent moves the cursor to event ev and reports whether the event is
// shown under the current filter.
func (m *Timeline) ShowEvent(ev int) bool {
	row, exact := m.Rows.Find(ev)
	if !exact {
		return false
	}
	m.Cursor = row
	return true
}

// RowAtTime is the first row whose event is at or after t; the last row when
// every row is before t.
func (m *Timeline) RowAtTime(t time.Time) int {
	n := m.Rows.Len()
	lo, hi := 0, n
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if m.Time(mid).Before(t) {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return max(min(lo, n-1), 0)
}

// ToggleMark sets the mark on the cursor's event, or clears it when it is
// already there. It reports whether a mark is now set.
//
// Several events can be marked (u/U move between them); Mark, the one the
// Δ column counts from, is the latest set that is still marked.
func (m *Timeline) ToggleMark() bool {
	ev := m.CursorEvent()
	if ev < 0 {
		return false
	}
	if i := slices.Index(m.marks, ev); i >= 0 {
		m.marks = slices.Delete(m.marks, i, i+1)
		m.Mark = -1
		if n := len(m.marks); n > 0 {
			m.Mark = m.marks[n-1]
		}
		return false
	}
	m.marks = append(m.marks, ev)
	m.Mark = ev
	return true
}

// Marks lists the marked events in time order.
func (m *Timeline) Marks() []int {
	out := slices.Clone(m.marks)
	slices.Sort(out)
	return out
}

// Marked reports whether event ev is marked.
func (m *Timeline) Marked(ev int) bool { return slices.Contains(m.marks, ev) }

// ClearMarks drops every mark.
func (m *Timeline) ClearMarks() { m.marks, m.Mark = nil, -1 }

// NextMark is the row of the next (dir > 0) or previous marked event
// shown, from the cursor; ok is false when there is none that way.
func (m *Timeline) NextMark(dir int) (row int, ok bool) {
	best := -1
	for _, ev := range m.marks {
		r, exact := m.Rows.Find(ev)
		if !exact {
			continue // filtered out
		}
		if dir > 0 && r > m.Cursor && (best < 0 || r < best) || dir < 0 && r < m.Cursor && (best < 0 || r > best) {
			best = r
		}
	}
	return best, best >= 0
}

// SinceMark is the time of event ev relative to the mark.
func (m *Timeline) SinceMark(ev int) (time.Duration, bool) {
	if m.Mark < 0 {
		return 0, false
	}
	return m.TL.Time(ev).Sub(m.TL.Time(m.Mark)), true
}
