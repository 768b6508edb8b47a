package parse

import (
	"fmt"
	"strings"
	"testing"

	"github.com/arpforensics/arpforensics/timeline"
)

// expect checks src's problems, as "level pos: message" from the first
// one on.
func expect(t *testing.T, when string, src *timeline.Source, from int, want ...string) {
	t.Helper()
	var got []string
	for _, p := range src.Problems[min(from, len(src.Problems)):] {
		got = append(got, p.Level.String()+" "+p.String())
	}
	if g, w := strings.Join(got, "\n"), strings.Join(want, "\n"); g != w {
		t.Errorf("%s:\n%s\nwant:\n%s", when, g, w)
	}
}

// Each kind has a cap of its own; the listed problems keep the order they
// were reported in, the summaries come at Close.
func TestProblemsCapEachKind(t *testing.T) {
	src := &timeline.Source{}
	p := NewProblems(src, 2)
	for i := int64(1); i <= 5; i++ {
		p.Errorf(timeline.Pos{Line: i}, "bad", "bad line %d", i)
		if i <= 3 {
			p.Errorf(timeline.Pos{Line: 100 + i}, "cut", "cut line %d", i)
		}
	}
	p.Notef(timeline.Pos{Line: 200}, "guess", "a guess")
	want := []string{
		"error line 1: bad line 1",
		"error line 101: cut line 1",
		"error line 2: bad line 2",
		"error line 102: cut line 2",
		"note line 200: a guess",
	}
	expect(t, "before Close", src, 0, want...)
	if p.Errors() != 8 {
		t.Errorf("Errors() = %d, want 8 (listed or not)", p.Errors())
	}
	p.Close()
	p.Close() // a second Close adds nothing
	expect(t, "after Close", src, len(want),
		"error line 3: 3 more lines like the above (bad), not listed after the first 2: line 3 to line 5",
		"error line 103: 1 more line like the above (cut), not listed after the first 2: line 103",
	)
}

// Summaries come in the order of their first unlisted problem, whatever
// order the kinds were first seen in; a note kind's summary is a note.
func TestProblemsSummaryOrderAndLevel(t *testing.T) {
	src := &timeline.Source{}
	p := NewProblems(src, 1)
	p.Errorf(timeline.Pos{Frame: 1}, "late", "x")
	p.Notef(timeline.Pos{Frame: 2}, "early", "y")
	p.Notef(timeline.Pos{Frame: 3}, "early", "y")
	p.Notef(timeline.Pos{Frame: 4}, "early", "y")
	p.Errorf(timeline.Pos{Frame: 9}, "late", "x")
	p.Close()
	expect(t, "summaries", src, 2,
		"note frame 3: 2 more frames like the above (early), not listed after the first 1: frame 3 to frame 4",
		"error frame 9: 1 more frame like the above (late), not listed after the first 1: frame 9",
	)
	if src.Errors() != 2 || p.Errors() != 2 {
		t.Errorf("errors: source %d, reported %d; want 2 and 2", src.Errors(), p.Errors())
	}
}

// A flood lists the default cap and one summary naming the range; byte
// positions count records, and a kind without positions still sums up.
func TestProblemsFlood(t *testing.T) {
	src := &timeline.Source{}
	p := NewProblems(src, 0)
	for i := range 10000 {
		p.Errorf(timeline.Pos{Offset: int64(10 * i)}, "hash", "record %d", i)
		p.Errorf(timeline.Pos{}, "nowhere", "no position %d", i)
	}
	p.Close()
	if n := len(src.Problems); n != 2*DefaultProblemCap+2 {
		t.Fatalf("%d problems, want %d", n, 2*DefaultProblemCap+2)
	}
	for i, want := range map[int]string{
		2*DefaultProblemCap - 2: "record 99",
		2*DefaultProblemCap - 1: "no position 99",
		2 * DefaultProblemCap:   "9900 more records like the above (nowhere), not listed after the first 100",
		2*DefaultProblemCap + 1: fmt.Sprintf("9900 more records like the above (hash), not listed after the first 100: byte 1000 to byte %d", 10*9999),
	} {
		if got := src.Problems[i].Message; got != want {
			t.Errorf("problem %d: %q, want %q", i, got, want)
		}
	}
	if p.Errors() != 20000 {
		t.Errorf("Errors() = %d", p.Errors())
	}
}

// A kind may keep a cap of its own beside the default.
func TestProblemsLimit(t *testing.T) {
	src := &timeline.Source{}
	p := NewProblems(src, 5)
	p.Limit("step", 1)
	for i := int64(1); i <= 3; i++ {
		p.Notef(timeline.Pos{Line: i}, "step", "step %d", i)
		p.Errorf(timeline.Pos{Line: 10 + i}, "other", "other %d", i)
	}
	p.Close()
	expect(t, "problems", src, 0,
		"note line 1: step 1",
		"error line 11: other 1",
		"error line 12: other 2",
		"error line 13: other 3",
		"note line 2: 2 more lines like the above (step), not listed after the first 1: line 2 to line 3",
	)
}
