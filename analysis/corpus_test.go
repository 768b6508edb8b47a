package analysis

import (
	"path/filepath"
	"testing"

	"github.com/arpforensics/arpforensics/detect"
)

// Captures written independently of the project (tcpdump's, libpcap's,
// Wireshark's test files, fuzzed frames among them) carry no incident: not
// one high finding may come of any of them. The medium ones are listed with
// -v, and judged one by one in the closing note of the work that added
// this test.
func TestNoHighFindingOnTheCorpus(t *testing.T) {
	files, err := filepath.Glob("../testdata/corpus/pcap/*.pcap*")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus captures: %v", err)
	}
	for _, f := range files {
		res := Run(Options{Paths: []string{f}, Config: detect.Defaults(), Workers: 1})
		for _, fi := range res.Findings {
			switch fi.Severity {
			case detect.High:
				t.Errorf("%s: high %s finding: %s", filepath.Base(f), fi.Detector, fi.Title)
			case detect.Medium:
				t.Logf("%s: medium %s: %s", filepath.Base(f), fi.Detector, fi.Title)
			}
		}
	}
}

// Unrelated captures dropped into one folder land on one host, years
// apart: an address in one is never moved by another. The binding findings
// of the folder are exactly those of its files analysed one by one.
func TestUnrelatedCapturesInOneFolderDoNotMix(t *testing.T) {
	files, err := filepath.Glob("../testdata/corpus/pcap/*.pcap*")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus captures: %v", err)
	}
	binding := map[string]bool{"mac-change": true, "stale-mac": true, "garp-locktime": true, "missing-probe": true}
	want := map[string]string{}
	for _, f := range files {
		for _, fi := range Run(Options{Paths: []string{f}, Config: detect.Defaults(), Workers: 1}).Findings {
			if binding[fi.Detector] {
				want[fi.ID] = fi.Title
			}
		}
	}
	got := map[string]string{}
	for _, fi := range Run(Options{Paths: []string{"../testdata/corpus/pcap"}, Config: detect.Defaults()}).Findings {
		if binding[fi.Detector] {
			got[fi.ID] = fi.Title
		}
	}
	for id, title := range got {
		if _, ok := want[id]; !ok {
			t.Errorf("the folder reports what no file does alone: %s", title)
		}
	}
	for id, title := range want {
		if _, ok := got[id]; !ok {
			t.Errorf("the folder misses %s", title)
		}
	}
}

// A fuzzed real capture: bit-flipped sender MACs in ARP and IPv4 frames
// are no moves, so no stale-mac, and nothing high.
func TestFuzzedCaptureMakesNoMoves(t *testing.T) {
	res := Run(Options{Paths: []string{"testdata/fuzz-2006-06-26-2594.pcap"}, Config: detect.Defaults()})
	for _, f := range res.Findings {
		if f.Detector == "stale-mac" || f.Severity == detect.High {
			t.Errorf("%s %s on a fuzzed capture: %s", f.Severity, f.Detector, f.Title)
		}
	}
}
