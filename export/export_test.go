package export

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/arpforensics/arpforensics/analysis"
	"github.com/arpforensics/arpforensics/detect"
	"github.com/arpforensics/arpforensics/timeline"
)

// tshark is the real Wireshark reader; CI installs it (.ci/run) and sets
// ARPF_REQUIRE_TSHARK so that its absence fails there.
func tshark(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("tshark")
	if err != nil {
		if os.Getenv("ARPF_REQUIRE_TSHARK") != "" {
			t.Fatal("tshark is required (ARPF_REQUIRE_TSHARK) but not installed")
		}
		t.Skip("tshark not installed: apt-get install tshark to run the Wireshark round trip")
	}
	return p
}

// runTshark returns tshark's field output, one []string per frame.
func runTshark(t *testing.T, file string, fields ...string) [][]string {
	t.Helper()
	args := []string{"-r", file, "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=|"}
	for _, f := range fields {
		args = append(args, "-e", f)
	}
	cmd := exec.Command(tshark(t), args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("tshark %v: %v\n%s", args, err, stderr.String())
	}
	var rows [][]string
	for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		if line != "" {
			rows = append(rows, strings.Split(line, "\t"))
		}
	}
	return rows
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// expectedFrames counts the frames numbers cited ∪ [n-ctx, n+ctx] within
// 1..total, computed apart from the exporter.
func expectedFrames(cited []int64, ctx, total int64) int {
	keep := map[int64]bool{}
	for _, n := range cited {
		for m := n - ctx; m <= n+ctx; m++ {
			if m >= 1 && m <= total {
				keep[m] = true
			}
		}
	}
	return len(keep)
}

// A finding citing frames of two captures with different link types
// (Ethernet pcap, Linux cooked v2 pcap) and a neighbour listing: tshark
// reads the pcapng back with exactly the cited frames plus the context,
// two interfaces, time order, and a comment naming the finding on each
// cited frame only; the listing goes to the text file.
func TestExportRoundTripsThroughTshark(t *testing.T) {
	in := t.TempDir()
	copyFile(t, filepath.Join("..", "samples", "fip-reuse", "tempest-br-ex.pcap"), filepath.Join(in, "eth.pcap"))
	copyFile(t, filepath.Join("..", "testdata", "corpus", "pcap", "linux_dlt_sll2.pcap"), filepath.Join(in, "sll2.pcap"))
	copyFile(t, filepath.Join("..", "samples", "fip-reuse", "arptable"), filepath.Join(in, "arptable"))
	res := analysis.Run(analysis.Options{Paths: []string{in}, Config: detect.Defaults()})
	tl := res.Timeline
	defer tl.Close()

	srcIdx := map[string]int32{}
	for i, s := range tl.Sources {
		srcIdx[filepath.Base(s.Path)] = int32(i)
	}
	// Pick real events: two single frames and a folded run from the
	// Ethernet capture, one frame from the SLL2 capture, one listing.
	var picks []int
	var eth, sll, neigh, run int
	cited := map[int32][]int64{}
	for i, r := range tl.Records(0, -1) {
		switch {
		case r.Src == srcIdx["eth.pcap"] && r.Pos.Frame > 0 && r.Last == 0 && eth < 2 && r.Pos.Frame > 500:
			eth++
		case r.Src == srcIdx["eth.pcap"] && r.Last > r.Pos.Frame && run < 1:
			run++
			cited[r.Src] = append(cited[r.Src], r.Last)
		case r.Src == srcIdx["sll2.pcap"] && r.Pos.Frame > 0 && sll < 1:
			sll++
		case r.Src == srcIdx["arptable"] && neigh < 1:
			neigh++
			picks = append(picks, i)
			continue
		default:
			continue
		}
		picks = append(picks, i)
		cited[r.Src] = append(cited[r.Src], r.Pos.Frame)
	}
	if eth != 2 || sll != 1 || neigh != 1 || run != 1 {
		t.Fatalf("found %d ethernet frames, %d runs, %d SLL2 frames, %d listings; the inputs changed?", eth, run, sll, neigh)
	}
	f := &detect.Finding{ID: "test-0123456789ab", Detector: "test", Title: "frames of two link types"}
	for _, i := range picks {
		f.Evidence = append(f.Evidence, detect.EventEvidence(tl, i))
	}
	f.Evidence = append(f.Evidence, detect.Evidence{Source: "eth.pcap", Pos: timeline.Span{First: timeline.Pos{Frame: 1}, Last: timeline.Pos{Frame: 9}}, Text: "a fact without an event", Event: -1})

	const ctx = 3
	out := filepath.Join(t.TempDir(), "evidence.pcapng")
	if err := Check(tl, []string{in}, out, false); err != nil {
		t.Fatal(err)
	}
	w, err := ToFiles(tl, f, out, Options{Context: ctx})
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	wantCited := 0
	for s, ns := range cited {
		want += expectedFrames(ns, ctx, tl.Sources[s].Records)
		wantCited += len(ns)
	}
	rows := runTshark(t, out, "frame.number", "frame.interface_id", "frame.encap_type", "frame.time_epoch", "frame.comment")
	if len(rows) != want || w.Frames != want {
		t.Fatalf("tshark reads %d frames, the export says %d; want %d (cited %v, context %d)", len(rows), w.Frames, want, cited, ctx)
	}
	ifaces := map[string]bool{}
	commented := 0
	prev := 0.0
	for _, r := range rows {
		ifaces[r[1]+"/"+r[2]] = true
		ts, err := strconv.ParseFloat(r[3], 64)
		if err != nil || ts < prev {
			t.Errorf("frame %s at %s after %f: not in time order", r[0], r[3], prev)
		}
		prev = ts
		if len(r) > 4 && r[4] != "" {
			commented++
			if !strings.Contains(r[4], "arpforensics finding test-0123456789ab") {
				t.Errorf("frame %s comment %q does not name the finding", r[0], r[4])
			}
		}
	}
	if commented != wantCited || w.Cited != wantCited {
		t.Errorf("%d frames carry a comment, the export says %d cited; want %d", commented, w.Cited, wantCited)
	}
	if len(ifaces) != 2 {
		t.Errorf("interfaces (id/encapsulation) %v: want one per link type, 2", ifaces)
	}

	log, err := os.ReadFile(LogPath(out))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(log)), "\n")
	if len(lines) != 4 || !strings.Contains(lines[0], "test-0123456789ab") || !strings.Contains(lines[2], "arptable:line") || !strings.Contains(lines[3], "a fact without an event") {
		t.Errorf("log evidence:\n%s\nwant a header, the pcapng's name, the listing and the fact", log)
	}

	// Writing again over our own export is fine; over an input, never.
	if err := Check(tl, []string{in}, out, false); err != nil {
		t.Errorf("re-export over an earlier export: %v", err)
	}
	if err := Check(tl, nil, filepath.Join(in, "eth.pcap"), true); err == nil || !strings.Contains(err.Error(), "an input of this run") {
		t.Errorf("export over an input with --force: %v, want a refusal", err)
	}
	if err := Check(tl, []string{in}, filepath.Join(in, "new.pcapng"), false); err == nil || !strings.Contains(err.Error(), "inside the analysed directory") {
		t.Errorf("export inside the analysed directory: %v, want a refusal", err)
	}
	other := filepath.Join(t.TempDir(), "notes.pcapng")
	os.WriteFile(other, []byte("my notes\n"), 0o644)
	if err := Check(tl, nil, other, false); err == nil || !strings.Contains(err.Error(), "not an arpforensics export") {
		t.Errorf("export over a foreign file: %v, want a refusal", err)
	}
}

// A capture that changed since it was analysed is named, not exported
// with the wrong frames.
func TestExportNoticesAChangedCapture(t *testing.T) {
	in := t.TempDir()
	p := filepath.Join(in, "eth.pcap")
	copyFile(t, filepath.Join("..", "samples", "fip-reuse", "tempest-br-ex.pcap"), p)
	res := analysis.Run(analysis.Options{Paths: []string{p}, Config: detect.Defaults()})
	tl := res.Timeline
	defer tl.Close()
	last := -1
	for i, r := range tl.Records(0, -1) {
		if r.Pos.Frame > 0 {
			last = i
		}
	}
	f := &detect.Finding{ID: "test-x", Title: "t", Evidence: []detect.Evidence{detect.EventEvidence(tl, last)}}
	b, _ := os.ReadFile(p)
	os.WriteFile(p, b[:len(b)/2], 0o644)
	_, err := Collect(tl, f, Options{})
	if err == nil || !strings.Contains(err.Error(), "changed since it was analysed") {
		t.Fatalf("Collect over a truncated capture: %v", err)
	}
}

// TestZeroContextWritesTheCitedFramesAlone: Options.Context 0 means what
// --context 0 says, no frames around the cited ones.
func TestZeroContextWritesTheCitedFramesAlone(t *testing.T) {
	in := t.TempDir()
	copyFile(t, filepath.Join("..", "samples", "fip-reuse", "tempest-br-ex.pcap"), filepath.Join(in, "eth.pcap"))
	res := analysis.Run(analysis.Options{Paths: []string{in}, Config: detect.Defaults()})
	tl := res.Timeline
	defer tl.Close()
	f := &detect.Finding{ID: "test-0123456789ab", Detector: "test", Title: "two frames"}
	for i, r := range tl.Records(0, -1) {
		if r.Pos.Frame > 100 && r.Last == 0 && len(f.Evidence) < 2 {
			f.Evidence = append(f.Evidence, detect.EventEvidence(tl, i))
		}
	}
	if len(f.Evidence) != 2 {
		t.Fatalf("found %d single frames past frame 100; the sample changed?", len(f.Evidence))
	}
	for _, context := range []int{0, 1} {
		out := filepath.Join(t.TempDir(), "evidence.pcapng")
		w, err := ToFiles(tl, f, out, Options{Context: context})
		if err != nil {
			t.Fatal(err)
		}
		if w.Cited != 2 || (context == 0) != (w.Frames == 2) {
			t.Errorf("context %d: %d frames, %d cited; want 2 cited, and context frames only with context", context, w.Frames, w.Cited)
		}
	}
}
