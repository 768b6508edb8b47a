package pcap

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

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
		s2, e2, err2 := read(2)
		if (err1 == nil) != (err2 == nil) || !reflect.DeepEqual(s1, s2) || !reflect.DeepEqual(e1, e2) {
			t.Errorf("%s: serial and pipelined reads differ:\n serial    %+v (%d events, err %v)\n pipelined %+v (%d events, err %v)",
				filepath.Base(f), s1, len(e1), err1, s2, len(e2), err2)
		}
	}
}
