// Package parse holds what every artifact parser shares: the options it is
// called with, the function shape ingest dispatches to, a line reader that
// keeps positions, and the time helpers for timestamps that lack a zone, a
// year or a date. The parsers themselves live in the subpackages, one
// artifact kind each.
package parse

import (
	"io"
	"time"

	"github.com/arpforensics/arpforensics/timeline"
)

// Options is what a parser is told about the artifact it reads.
type Options struct {
	// Location is the zone of zone-less timestamps (oslo.log, ip -ts,
	// journal). Nil means UTC.
	Location *time.Location
	// Year completes timestamps that carry no year (journal, syslog). Zero
	// means unknown: the parser falls back to ModTime's year and marks the
	// source TimeNoYear so the pipeline can re-anchor it.
	Year int
	// ModTime is the file's modification time, the last resort for a
	// missing year or date.
	ModTime time.Time
	// Threads is how many goroutines this parser may keep busy (its share
	// of --workers); 1 or less means none besides the caller's.
	Threads int
	// Since and Until bound the analysis window (--since/--until); zero is
	// unbounded. Parsers may skip records outside it cheaply (counting them
	// as Skipped); the pipeline drops any event outside it regardless.
	Since, Until time.Time
}

// InWindow reports whether t lies in [Since, Until]. Parsers whose input may
// be unsorted must not stop reading at the first record past Until.
func (o Options) InWindow(t time.Time) bool {
	return (o.Since.IsZero() || !t.Before(o.Since)) && (o.Until.IsZero() || !t.After(o.Until))
}

// Loc is Location, defaulting to UTC.
func (o Options) Loc() *time.Location {
	if o.Location == nil {
		return time.UTC
	}
	return o.Location
}

// Func reads one artifact of its kind from r, which is already decompressed.
// It appends problems and counters to src and returns the events sorted by
// time (timeline.SortEvents). A non-nil error means nothing could be read at
// all (not the claimed format, unreadable header); any partial read returns
// the events it got and records the problem in src instead.
type Func func(r io.Reader, src *timeline.Source, opts Options) ([]timeline.Event, error)

// Finish sets the counters a parser derives from its events: Events, First
// and Last. Parsers call it once, after sorting.
func Finish(src *timeline.Source, evs []timeline.Event) {
	src.Events = int64(len(evs))
	if len(evs) == 0 {
		return
	}
	src.First = evs[0].Time
	src.Last = evs[0].Last()
	for i := range evs {
		if l := evs[i].Last(); l.After(src.Last) {
			src.Last = l
		}
	}
}
