package synth

import (
	"time"

	"github.com/arpforensics/arpforensics/detect"
	"github.com/arpforensics/arpforensics/timeline"
)

// Builder gathers sources and their events, in the order a parser would
// hand them over, into a timeline.
type Builder struct {
	Sources []*timeline.Source
	events  [][]timeline.Event
}

// Source adds a source and returns its index for Add.
func (b *Builder) Source(path, kind, host string) int {
	b.Sources = append(b.Sources, &timeline.Source{Path: path, Kind: kind, Host: host})
	b.events = append(b.events, nil)
	return len(b.Sources) - 1
}

// Add adds an event with no end to source src.
func (b *Builder) Add(src int, at time.Time, pos timeline.Pos, p timeline.Payload, raw string) {
	b.AddEvent(src, timeline.Event{Time: at, Pos: pos, Data: p, Raw: raw})
}

// AddEvent adds e to source src.
func (b *Builder) AddEvent(src int, e timeline.Event) {
	b.events[src] = append(b.events[src], e)
}

// Build counts each source's events and span (ends included) and builds the
// timeline.
func (b *Builder) Build() *timeline.Timeline {
	for i, s := range b.Sources {
		evs := b.events[i]
		s.Events = int64(len(evs))
		s.Records = s.Events
		if len(evs) > 0 {
			s.First, s.Last = evs[0].Time, evs[0].Last()
			for _, e := range evs {
				if e.Time.Before(s.First) {
					s.First = e.Time
				}
				if e.Last().After(s.Last) {
					s.Last = e.Last()
				}
			}
		}
	}
	return timeline.Build(b.Sources, b.events)
}

// Subject builds a finding subject from key, value pairs.
func Subject(kv ...any) detect.Subject {
	var s detect.Subject
	for i := 0; i+1 < len(kv); i += 2 {
		s.Set(kv[i].(string), kv[i+1])
	}
	return s
}

// LogLine is a plain log line's payload.
func LogLine(text string) *Line { return &Line{K: timeline.KindLog, Text: text} }

// find lists the events whose payload satisfies ok.
func find(tl *timeline.Timeline, ok func(e *timeline.Event) bool) []int {
	var out []int
	for i := range tl.Len() {
		if e := tl.Event(i); ok(&e) {
			out = append(out, i)
		}
	}
	return out
}
