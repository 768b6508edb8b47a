package txnlog

import (
	"strings"
	"testing"

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
