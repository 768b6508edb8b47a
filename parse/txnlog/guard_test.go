package txnlog

import (
	"strings"
	"testing"
	"time"

	"github.com/arpforensics/arpforensics/parse"
	"github.com/arpforensics/arpforensics/timeline"
)

// A worker that trips over a window (here: one handed no result, which
// process dereferences) marks the window failed instead of ending the run,
// with its lines counted; the parser reports it as one problem and reads on.
func TestWorkerPanicFailsItsWindow(t *testing.T) {
	var wk worker
	w := &window{data: []byte("a\nb\nc")}
	wk.processGuarded(w)
	if w.result == nil || !strings.Contains(w.result.failed, "nil pointer") || w.result.lines != 3 {
		t.Fatalf("result %+v", w.result)
	}
	src := &timeline.Source{}
	p := newParser(src, parse.Options{}, timeline.NewSpace().NewSink(""))
	p.apply(w)
	if len(src.Problems) != 1 || !strings.Contains(src.Problems[0].Message, "internal error reading the 3 line(s) from here") || p.bad != 3 || p.line != 4 {
		t.Errorf("problems %+v, bad %d, next line %d", src.Problems, p.bad, p.line)
	}
}

// A NUL run past the sniffed head (a crash mid-write) tears the line it is
// in; the line after it is read whole and at its true offset.
func TestNULRunsInLines(t *testing.T) {
	cmd := cmdLine("17:09:17.276", 32314, 1, 0, addPort)
	in := "torn line with\x00\x00\x00" + cmd + "\n" + cmd + "\n"
	src := &timeline.Source{Path: "x", Host: "h"}
	evs, err := parse.Collect(Parse, strings.NewReader(in), src, parse.Options{ModTime: time.Unix(0, 0)})
	if err != nil {
		t.Fatal(err)
	}
	var note string
	for _, p := range src.Problems {
		note += p.String() + "\n"
	}
	if !strings.Contains(note, "line 1: 3 NUL byte(s) in runs skipped") {
		t.Errorf("problems: %s", note)
	}
	if len(evs) == 0 || evs[0].Pos.Line != 1 || evs[0].Pos.Offset != int64(len("torn line with\x00\x00\x00")) {
		t.Errorf("events %+v", evs)
	}
}
