package analysis

import (
	"strings"
	"testing"
	"time"

	"github.com/arpforensics/arpforensics/timeline"
)

// A year-less source takes its year from its own host's sources first; only
// when its host has none does another host's source give it, and the note
// says so.
func TestYearPrefersTheSameHost(t *testing.T) {
	day := func(y int) time.Time { return time.Date(y, 9, 18, 17, 0, 0, 0, time.UTC) }
	journal := func(vantage string) *timeline.Source {
		return &timeline.Source{Path: vantage + "/journal.txt", Vantage: vantage, Basis: timeline.TimeNoYear, First: day(2026), Last: day(2026).Add(time.Hour)}
	}
	full := func(vantage string, y int) *timeline.Source {
		return &timeline.Source{Path: vantage + "/neutron.log", Vantage: vantage, Basis: timeline.TimeFull, First: day(y), Last: day(y).Add(time.Hour)}
	}
	// The other host's log comes first in path order and covers the same
	// days one year later; the journal's own host says 2018.
	mine := journal("b")
	srcs := []*timeline.Source{full("a", 2019), mine, full("b", 2018)}
	anchorYears(srcs, make([]*timeline.Sink, len(srcs)))
	if got := mine.First.Year(); got != 2018 {
		t.Errorf("year %d, want 2018 from the same host", got)
	}
	if msg := mine.Problems[0].Message; !strings.Contains(msg, "b/neutron.log") || strings.Contains(msg, "another host") {
		t.Errorf("note %q", msg)
	}
	// Alone on its host, it takes the other host's year and says whose.
	lone := journal("c")
	srcs = []*timeline.Source{full("a", 2019), lone}
	anchorYears(srcs, make([]*timeline.Sink, len(srcs)))
	if got := lone.First.Year(); got != 2019 {
		t.Errorf("year %d, want 2019", got)
	}
	if msg := lone.Problems[0].Message; !strings.Contains(msg, "a/neutron.log (another host's source)") {
		t.Errorf("note %q does not say the year came from another host", msg)
	}
}
