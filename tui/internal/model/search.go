package model

import (
	"regexp"

	"github.com/arpforensics/arpforensics/timeline"
)

// Matches reports whether a search pattern finds event e: in the raw line
// of a text source or in the one-line summary the timeline shows. Neither
// needs a frame's bytes, so the scans below decode events with View.
func Matches(e *timeline.Event, re *regexp.Regexp) bool {
	if e.Raw != "" && re.MatchString(e.Raw) {
		return true
	}
	return re.MatchString(e.Data.Summary())
}

// stopEvery is how many rows Scan checks between polls of its stop function.
const stopEvery = 4096

// Scan looks for the next row after from (dir > 0) or before it (dir < 0)
// whose event matches re, wrapping around the ends once. It polls stop every
// few thousand rows and gives up when it returns true. wrapped reports that
// the match was found past an end.
func Scan(tl *timeline.Timeline, rows Rows, re *regexp.Regexp, from, dir int, stop func() bool) (row int, wrapped, ok bool) {
	n := rows.Len()
	if n == 0 {
		return 0, false, false
	}
	if dir >= 0 {
		dir = 1
	} else {
		dir = -1
	}
	r := from
	for step := 1; step <= n; step++ {
		r += dir
		if r >= n {
			r, wrapped = 0, true
		} else if r < 0 {
			r, wrapped = n-1, true
		}
		if step%stopEvery == 0 && stop != nil && stop() {
			return 0, false, false
		}
		if e := tl.View(rows.Event(r)); Matches(&e, re) {
			return r, wrapped, true
		}
	}
	return 0, false, false
}

// Count counts the rows whose events match re, and how many of them come
// before row (so row's match is number before+1). It polls stop like Scan.
func Count(tl *timeline.Timeline, rows Rows, re *regexp.Regexp, row int, stop func() bool) (total, before int, ok bool) {
	n := rows.Len()
	for r := 0; r < n; r++ {
		if r%stopEvery == stopEvery-1 && stop != nil && stop() {
			return 0, 0, false
		}
		if e := tl.View(rows.Event(r)); Matches(&e, re) {
			total++
			if r < row {
				before++
			}
		}
	}
	return total, before, true
}
