package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The export line each finding of the text report prints is a command that
// works: run as given, it writes a pcapng that tshark reads back with the
// cited frames (those the JSON report lists) plus the context window, each
// cited frame commenting the finding, and the log evidence beside it. It
// never overwrites an input.
func TestExportCommandFromTheReport(t *testing.T) {
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		if os.Getenv("ARPF_REQUIRE_TSHARK") != "" {
			t.Fatal("tshark is required (ARPF_REQUIRE_TSHARK) but not installed")
		}
		t.Skip("tshark not installed: apt-get install tshark to run the Wireshark round trip")
	}
	in := t.TempDir()
	for _, n := range []string{"tempest-br-ex.pcap", "arptable"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "samples", "fip-reuse", n))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(in, n), b, 0o644)
	}
	_, text, _ := runCLI(t, "analyze", in)
	_, js, _ := runCLI(t, "analyze", "--format", "json", in)
	var rep struct {
		Findings []struct {
			ID       string
			Evidence []struct{ Source, Pos string }
		}
	}
	if err := json.Unmarshal([]byte(js), &rep); err != nil {
		t.Fatal(err)
	}
	f := rep.Findings[0]
	line := regexp.MustCompile(`(?m)^\s+export: (arpforensics export ` + regexp.QuoteMeta(f.ID) + ` .*)$`).FindStringSubmatch(text)
	if line == nil {
		t.Fatalf("no export line for %s in the text report:\n%s", f.ID, text)
	}
	args := strings.Fields(line[1])[1:]
	if args[len(args)-2] != "-o" || args[len(args)-1] != f.ID+".pcapng" {
		t.Fatalf("export line %q does not end in -o %s.pcapng", line[1], f.ID)
	}
	out := t.TempDir()
	cmd := exec.Command(builtProgram(t), args...)
	cmd.Dir = out
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", line[1], err, b)
	}

	frameRe := regexp.MustCompile(`^frame (\d+)$`)
	var cited []int64
	for _, e := range f.Evidence {
		if m := frameRe.FindStringSubmatch(e.Pos); m != nil && strings.HasSuffix(e.Source, ".pcap") {
			n, _ := strconv.ParseInt(m[1], 10, 64)
			cited = append(cited, n)
		}
	}
	if len(cited) == 0 {
		t.Fatalf("finding %s cites no single frames", f.ID)
	}
	keep := map[int64]bool{}
	for _, n := range cited {
		for m := n - 5; m <= n+5; m++ { // the default context
			if m >= 1 {
				keep[m] = true
			}
		}
	}
	pcap := filepath.Join(out, f.ID+".pcapng")
	b, err := exec.Command(tshark, "-r", pcap, "-T", "fields", "-e", "frame.number", "-e", "frame.comment").Output()
	if err != nil {
		t.Fatalf("tshark -r %s: %v", pcap, err)
	}
	rows := strings.Split(strings.TrimSpace(string(b)), "\n")
	comments := 0
	for _, r := range rows {
		if _, c, _ := strings.Cut(r, "\t"); c != "" {
			comments++
			if !strings.Contains(c, f.ID) {
				t.Errorf("comment %q does not name %s", c, f.ID)
			}
		}
	}
	if len(rows) != len(keep) || comments != len(cited) {
		t.Errorf("tshark reads %d frames, %d commented; want %d frames (cited %v ± 5), %d commented", len(rows), comments, len(keep), cited, len(cited))
	}
	if log, err := os.ReadFile(filepath.Join(out, f.ID+".txt")); err != nil || !strings.Contains(string(log), "arptable:line") {
		t.Errorf("log evidence beside the pcapng: %v\n%s", err, log)
	}

	// Analysed again, a directory holding an export lists its two files as
	// our own outputs: its frames are copies, never a second capture.
	_, js2, _ := runCLI(t, "sources", "--format", "json", out)
	var again []struct {
		Path, Kind string
		SkipReason string `json:"skip_reason"`
	}
	if err := json.Unmarshal([]byte(js2), &again); err != nil {
		t.Fatalf("%v\n%s", err, js2)
	}
	if len(again) != 2 {
		t.Errorf("the export directory holds %d sources, want its pcapng and its text", len(again))
	}
	for _, s := range again {
		if !strings.Contains(s.SkipReason, "arpforensics evidence export") {
			t.Errorf("%s analysed again: kind %q, skip %q; want it recognised as an export", s.Path, s.Kind, s.SkipReason)
		}
	}

	// Inputs are never written over, even with --force.
	code, _, stderr := runCLI(t, "export", f.ID, in, "-o", filepath.Join(in, "tempest-br-ex.pcap"), "--force")
	if code != exitUsage || !strings.Contains(stderr, "an input of this run") {
		t.Errorf("export over an input: exit %d, %s", code, stderr)
	}
	// An unknown ID is a usage error listing the IDs there are.
	code, _, stderr = runCLI(t, "export", "no-such-finding", in, "-o", filepath.Join(out, "x.pcapng"))
	if code != exitUsage || !strings.Contains(stderr, f.ID) {
		t.Errorf("unknown ID: exit %d, %s", code, stderr)
	}
}
