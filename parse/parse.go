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

// Func reads one artifact of its kind from r, which is already decompressed,
// and hands every event to out (in any order: the sink sorts). It appends
// problems and counters to src. A non-nil error means nothing could be read
// at all (not the claimed format, unreadable header); any partial read keeps
// the events it got and records the problem in src instead.
//
// An event's own text (its line) or frame is passed to the sink with it, as
// the bytes stand in the stream at the event's Pos.Offset: the sink keeps
// only their position when the source can be read again.
type Func func(r io.Reader, src *timeline.Source, opts Options, out *timeline.Sink) error

// Collect runs a parser into a sink of its own and returns the events as a
// timeline of that one source gives them back, in order. It is for tests and
// tools that want a parser's output as a list; src's Events, First and Last
// are set as the pipeline sets them.
func Collect(fn Func, r io.Reader, src *timeline.Source, opts Options) ([]timeline.Event, error) {
	sink := timeline.NewSpace().NewSink("")
	err := fn(r, src, opts, sink)
	tl, merr := timeline.Merge([]*timeline.Source{src}, []*timeline.Sink{sink}, timeline.Window{})
	if merr != nil {
		panic(merr) // an in-memory sink fails only on a programming error
	}
	var evs []timeline.Event
	for i := range tl.Len() {
		evs = append(evs, tl.Event(i))
	}
	return evs, err
}
