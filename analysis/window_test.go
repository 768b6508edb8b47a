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
