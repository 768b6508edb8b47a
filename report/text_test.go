package report

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/arpforensics/arpforensics/analysis"
	"github.com/arpforensics/arpforensics/detect"
	"github.com/arpforensics/arpforensics/timeline"
)

// Past the first few findings of a detector, the text report shows what
// tells each apart and points back to the explanation; a known issue is
// described once.
func TestTextCollapsesRepeatedFindings(t *testing.T) {
	var fs []detect.Finding
	at := time.Date(2017, 5, 10, 10, 0, 0, 0, time.UTC)
	for i := 0; i < 12; i++ {
		f := detect.Finding{ID: fmt.Sprintf("garp-locktime-%012d", i), Detector: "garp-locktime", Severity: detect.Low,
			Title: fmt.Sprintf("GARPs for 10.0.0.%d", i), Start: at, End: at,
			Explanation: "THE MECHANISM of 10.0.0." + fmt.Sprint(i),
			KnownIssue:  &detect.KnownIssue{ID: "linux-garp-locktime", Title: "THE KNOWN ISSUE"},
			Evidence: []detect.Evidence{{Source: "a.pcap", Pos: timeline.At(timeline.Pos{Frame: 1}), Time: at, Text: "first"},
				{Source: "a.pcap", Pos: timeline.At(timeline.Pos{Frame: 2}), Time: at, Text: "second"}, {Source: "a.pcap", Pos: timeline.At(timeline.Pos{Frame: 3}), Time: at, Text: "third"}}}
		f.Subject.Set("ip", fmt.Sprintf("10.0.0.%d", i))
		fs = append(fs, f)
	}
	sum := detect.Finding{ID: "garp-locktime-summary", Detector: "garp-locktime", Severity: detect.Low, Title: "40 more GARP bursts",
		Start: at, End: at, Explanation: "THE SUMMARY"}
	sum.Subject.Set("omitted", int64(40))
	fs = append(fs, sum)
	src := &timeline.Source{Path: "a.pcap", Kind: "pcap", Host: "h"}
	r := &analysis.Result{Timeline: timeline.Build([]*timeline.Source{src}, [][]timeline.Event{nil}), Findings: fs}
	var b bytes.Buffer
	if err := Text(&b, r, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if n := strings.Count(out, "THE MECHANISM"); n != fullPerDetector {
		t.Errorf("%d explanations, want %d", n, fullPerDetector)
	}
	if n := strings.Count(out, "THE KNOWN ISSUE"); n != 1 {
		t.Errorf("the known issue is described %d times, want once", n)
	}
	if n := strings.Count(out, "as explained for garp-locktime-000000000000 above; known issue linux-garp-locktime"); n != 12-fullPerDetector {
		t.Errorf("%d brief findings, want %d:\n%s", n, 12-fullPerDetector, out)
	}
	if !strings.Contains(out, "THE SUMMARY") {
		t.Errorf("the summary finding is not shown whole:\n%s", out)
	}
	for i := 0; i < 12; i++ {
		if !strings.Contains(out, fmt.Sprintf("ip=10.0.0.%d\n", i)) {
			t.Errorf("finding %d lost its subject", i)
		}
	}
	if n := strings.Count(out, "… 1 more (see --format json)"); n != 12-fullPerDetector {
		t.Errorf("%d brief evidence lists cut, want %d", n, 12-fullPerDetector)
	}
}
