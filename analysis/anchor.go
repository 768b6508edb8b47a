package analysis

import (
	"errors"
	"io/fs"
	"time"

	"github.com/arpforensics/arpforensics/timeline"
)

// anchorYears gives year-less sources (journal, syslog prefixes) the year of a
// source with full dates that covers the same month and day; failing that
// they keep the year their parser took from the file's modification time.
// Either way the choice is recorded as a note.
func anchorYears(sources []*timeline.Source, sinks []*timeline.Sink) {
	all := fullSpans(sources)
	for i, s := range sources {
		if s.Basis != timeline.TimeNoYear || s.First.IsZero() {
			continue
		}
		year, ref := 0, ""
		for _, r := range sameHostFirst(all, s) {
			for y := r.first.Year(); y <= r.last.Year(); y++ {
				d := y - s.First.Year()
				f, l := s.First.AddDate(d, 0, 0), s.Last.AddDate(d, 0, 0)
				if !l.Before(r.first.Add(-24*time.Hour)) && !f.After(r.last.Add(24*time.Hour)) {
					year, ref = y, r.path
					break
				}
			}
			if year != 0 {
				break
			}
		}
		if year == 0 {
			s.Notef(timeline.Pos{}, "timestamps carry no year: took %d from the file's modification time (use --year to set it)", s.First.Year())
			continue
		}
		if d := year - s.First.Year(); d != 0 {
			shift(s, sinks[i], func(t time.Time) time.Time { return t.AddDate(d, 0, 0) })
		}
		s.Notef(timeline.Pos{}, "timestamps carry no year: took %d from %s, which covers the same days (use --year to set it)", year, ref)
	}
}

// anchorDates gives date-less sources (plain tcpdump text) the date of a
// source with full dates whose span contains the same times of day; failing
// that they keep the file's modification date their parser used.
func anchorDates(sources []*timeline.Source, sinks []*timeline.Sink) {
	all := fullSpans(sources)
	for i, s := range sources {
		if s.Basis != timeline.TimeNoDate || s.First.IsZero() {
			continue
		}
		var best time.Duration
		ref := ""
		for _, r := range sameHostFirst(all, s) {
			// Candidate days: each day the reference touches.
			for day := r.first.Truncate(24 * time.Hour); !day.After(r.last); day = day.Add(24 * time.Hour) {
				sy, sm, sd := s.First.Date()
				d := day.Sub(time.Date(sy, sm, sd, 0, 0, 0, 0, time.UTC))
				f, l := s.First.Add(d), s.Last.Add(d)
				if !l.Before(r.first) && !f.After(r.last) {
					best, ref = d, r.path
					break
				}
			}
			if ref != "" {
				break
			}
		}
		if ref == "" {
			s.Notef(timeline.Pos{}, "timestamps carry no date: took %s from the file's modification time", s.First.Format("2006-01-02"))
			continue
		}
		if best != 0 {
			shift(s, sinks[i], func(t time.Time) time.Time { return t.Add(best) })
		}
		s.Notef(timeline.Pos{}, "timestamps carry no date: took %s from %s, which covers the same times", s.First.Format("2006-01-02"), ref)
	}
}

type span struct {
	first, last time.Time
	path        string // as the note names it
	vantage     string
}

// fullSpans are the spans of the analysed sources with full dates.
func fullSpans(sources []*timeline.Source) []span {
	var out []span
	for _, s := range sources {
		if s.Basis == timeline.TimeFull && !s.First.IsZero() && s.Analysed() {
			out = append(out, span{s.First, s.Last, s.Path, s.VantageKey()})
		}
	}
	return out
}

// sameHostFirst orders the reference spans for s: its own host's sources
// first, then the others, whose path the note marks as another host's —
// one host's log says nothing certain about another's year.
func sameHostFirst(all []span, s *timeline.Source) []span {
	v := s.VantageKey()
	out := make([]span, 0, len(all))
	for _, r := range all {
		if r.vantage == v {
			out = append(out, r)
		}
	}
	for _, r := range all {
		if r.vantage != v {
			r.path += " (another host's source)"
			out = append(out, r)
		}
	}
	return out
}

func errPath(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Path
	}
	return ""
}
