package analysis

import (
	"testing"
	"time"

	"github.com/arpforensics/arpforensics/detect"
)

// TestWindowIsInCorrectedTime: --since/--until apply to timestamps after the
// host's clock offset, also where a parser skips records itself.
func TestWindowIsInCorrectedTime(t *testing.T) {
	sample := "../samples/fip-reuse/tempest-br-ex.pcap"
	// The capture runs 14:30:00–14:36:29. Shifted by an hour, the window
	// 15:31–15:32 holds what was captured at 14:31–14:32.
	since := time.Date(2017, 5, 16, 15, 31, 0, 0, time.UTC)
	until := since.Add(time.Minute)
	res := Run(Options{Paths: []string{sample}, Config: detect.Defaults(), Since: since, Until: until,
		Offsets: map[string]time.Duration{"default": time.Hour}})
	tl := res.Timeline
	if tl.Len() == 0 {
		t.Fatal("no events: the parser skipped by uncorrected time")
	}
	for _, r := range tl.Records(0, -1) {
		if r.LastTime().Before(since) || r.Time().After(until) {
			t.Errorf("event at %s outside the window", r.Time())
		}
	}
	whole := Run(Options{Paths: []string{sample}, Config: detect.Defaults(), Offsets: map[string]time.Duration{"default": time.Hour}})
	var want int
	for _, r := range whole.Timeline.Records(0, -1) {
		if !r.LastTime().Before(since) && !r.Time().After(until) {
			want++
		}
	}
	if tl.Len() != want {
		t.Errorf("%d events in the window, want %d (as filtering the whole run gives)", tl.Len(), want)
	}
}

// A relative window is placed on the data once it is read: -DUR before the
// last event, +DUR after the first.
func TestRelativeWindow(t *testing.T) {
	all := Run(Options{Paths: []string{"../samples/fip-reuse"}, Config: detect.Defaults()})
	first, last := all.Timeline.Span()
	tail := Run(Options{Paths: []string{"../samples/fip-reuse"}, Config: detect.Defaults(), SinceRel: &RelTime{FromEnd: true, D: time.Minute}})
	if tail.Timeline.Len() == 0 || tail.Timeline.Len() >= all.Timeline.Len() {
		t.Fatalf("-1m kept %d of %d events", tail.Timeline.Len(), all.Timeline.Len())
	}
	for _, r := range tail.Timeline.Records(0, -1) {
		if r.LastTime().Before(last.Add(-time.Minute)) {
			t.Fatalf("-1m kept an event over by %s, before %s", r.LastTime(), last.Add(-time.Minute))
		}
	}
	head := Run(Options{Paths: []string{"../samples/fip-reuse"}, Config: detect.Defaults(), UntilRel: &RelTime{D: 30 * time.Second}})
	if head.Timeline.Len() == 0 || head.Timeline.Len() >= all.Timeline.Len() {
		t.Fatalf("+30s kept %d of %d events", head.Timeline.Len(), all.Timeline.Len())
	}
	for _, r := range head.Timeline.Records(0, -1) {
		if r.Time().After(first.Add(30 * time.Second)) {
			t.Fatalf("+30s kept an event starting at %s, after %s", r.Time(), first.Add(30*time.Second))
		}
	}
}
