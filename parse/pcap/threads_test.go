package pcap

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/arpforensics/arpforensics/parse"
	"github.com/arpforensics/arpforensics/timeline"
)

// TestSerialAndPipelinedReadsAgree reads every corpus capture on one
// goroutine and with reading and decoding overlapped: events, counters and
// problems must be identical.
func TestSerialAndPipelinedReadsAgree(t *testing.T) {
	files, err := filepath.Glob("../../testdata/corpus/pcap/*.pcap*")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus captures: %v", err)
	}
	files = append(files, "../../samples/fip-reuse/tempest-br-ex.pcap", "../../samples/fip-reuse-healthy/tempest-br-ex.pcapng")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		read := func(threads int) (*timeline.Source, []timeline.Event, error) {
			saved := parseOpts
			parseOpts = parse.Options{Threads: threads}
			defer func() { parseOpts = saved }()
			return readCapture(t, data)
		}
		s1, e1, err1 := read(1)
		s2, e2, err2 := read(pipelineThreads)
		if (err1 == nil) != (err2 == nil) || !reflect.DeepEqual(s1, s2) || !reflect.DeepEqual(e1, e2) {
			t.Errorf("%s: serial and pipelined reads differ:\n serial    %+v (%d events, err %v)\n pipelined %+v (%d events, err %v)",
				filepath.Base(f), s1, len(e1), err1, s2, len(e2), err2)
		}
	}
}

// TestWindowSkipsFramesUndecoded: frames outside --since/--until are
// counted as skipped, not decoded, and say so.
func TestWindowSkipsFramesUndecoded(t *testing.T) {
	data, err := os.ReadFile("../../samples/fip-reuse/tempest-br-ex.pcap")
	if err != nil {
		t.Fatal(err)
	}
	all, evAll, _ := readCapture(t, data)
	saved := parseOpts
	defer func() { parseOpts = saved }()
	since := time.Date(2017, 5, 16, 14, 31, 0, 0, time.UTC)
	until := time.Date(2017, 5, 16, 14, 32, 0, 0, time.UTC)
	parseOpts = parse.Options{Threads: pipelineThreads, Since: since, Until: until}
	src, evs, _ := readCapture(t, data)
	if src.Records != all.Records || src.Skipped <= all.Skipped || len(evs) >= len(evAll) {
		t.Fatalf("window: records %d skipped %d events %d; whole: records %d skipped %d events %d", src.Records, src.Skipped, len(evs), all.Records, all.Skipped, len(evAll))
	}
	for _, e := range evs {
		if e.Time.Before(since) || e.Time.After(until) {
			t.Errorf("event at %s outside the window", e.Time)
		}
	}
	var noted bool
	for _, p := range src.Problems {
		noted = noted || strings.Contains(p.Message, "outside --since/--until skipped undecoded")
	}
	if !noted {
		t.Errorf("no note about the skipped frames: %v", src.Problems)
	}
}
