package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
)

// ciTree lays out a CI job's collected logs: logs/<node>/…, many files
// irrelevant, some gzipped (named .gz or not), a binary, an empty file, and
// the bundled samples spread across the nodes.
func ciTree(t *testing.T) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "logs")
	sample := func(p string) []byte {
		b, err := os.ReadFile(filepath.Join("../../samples", p))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	corpus := func(p string) []byte {
		b, err := os.ReadFile(filepath.Join("../../testdata/corpus/pcap", p))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	gz := func(b []byte) []byte {
		var buf bytes.Buffer
		w := gzip.NewWriter(&buf)
		w.Write(b)
		w.Close()
		return buf.Bytes()
	}
	var syslog strings.Builder
	for i := 0; i < 2000; i++ {
		syslog.WriteString("Sep 18 17:09:17 ubuntu-xenial-ovh-bhs1-0002095917 kernel: [ 1234.5678] IPv6: ADDRCONF(NETDEV_CHANGE): tap0: link becomes ready\n")
	}
	files := map[string][]byte{
		"controller/tcpdump-br-ex.txt.gz": gz(sample("arp-unanswered/tcpdump-br-ex.txt")),
		"controller/tempest.log":          sample("arp-unanswered/tempest.log"),
		"controller/syslog.txt.gz":        gz([]byte(syslog.String())),
		"controller/empty.txt":            nil,
		"controller/core.bin":             {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0},
		"tempest/tempest-br-ex.pcap":      sample("fip-reuse/tempest-br-ex.pcap"),
		"tempest/etc/hosts.txt":           []byte("127.0.0.1 localhost\n"),
		"compute-2/eapon1.pcap.txt":       gz(corpus("eapon1.pcap")), // gzipped under a misleading name
		"compute-2/deep/nested/dmesg.txt": []byte(syslog.String()),
		"job-output.txt":                  []byte("2018-09-18 17:00:00.000000 | controller | ok: [controller]\n"),
	}
	for p, b := range files {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, b, 0o644); err != nil {
			t.Fatal(err)
		}
		when := time.Date(2018, 9, 18, 18, 0, 0, 0, time.UTC)
		os.Chtimes(full, when, when)
	}
	return root
}

func TestAnalyzeCITree(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	root := ciTree(t)
	out := t.TempDir()
	jsonOut, junitOut := filepath.Join(out, "r.json"), filepath.Join(out, "r.xml")
	ndOut, evOut := filepath.Join(out, "f.ndjson"), filepath.Join(out, "e.jsonl")
	code, text, stderr := runCLI(t, "analyze", "--json", jsonOut, "--junit", junitOut, "--ndjson", ndOut, "--events", evOut, root)
	if code != exitFindings || stderr != "" {
		t.Fatalf("exit %d stderr %q, want 1 and nothing on stderr", code, stderr)
	}
	if !strings.Contains(text, "stale-mac") || !strings.Contains(text, "arp-unanswered") {
		t.Errorf("text summary lacks the findings:\n%s", text)
	}

	var rep struct {
		Sources []struct {
			Path, Kind, Host, Compression string
			SkipReason                    string `json:"skip_reason"`
			Events                        int
		}
		Findings []struct {
			Detector string
			Subject  map[string]any
			Evidence []struct{ Source string }
		}
	}
	b, err := os.ReadFile(jsonOut)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	type want struct{ kind, host, compression, skip string }
	wants := map[string]want{
		"controller/tcpdump-br-ex.txt.gz": {"tcpdump-text", "controller", "gzip", ""},
		"controller/syslog.txt.gz":        {"unknown", "controller", "gzip", "text of no known artifact kind"},
		"controller/empty.txt":            {"unknown", "controller", "", "empty file"},
		"controller/core.bin":             {"unknown", "controller", "", "binary data of no known format (starts 7f454c46)"},
		"tempest/tempest-br-ex.pcap":      {"pcap", "tempest", "", ""},
		"tempest/etc/hosts.txt":           {"unknown", "tempest", "", "text of no known artifact kind"},
		"compute-2/eapon1.pcap.txt":       {"pcap", "compute-2", "gzip", ""},
		"compute-2/deep/nested/dmesg.txt": {"unknown", "compute-2", "", "text of no known artifact kind"},
		"job-output.txt":                  {"unknown", "default", "", "text of no known artifact kind"},
	}
	seen := map[string]bool{}
	for _, s := range rep.Sources {
		rel, _ := filepath.Rel(root, s.Path)
		seen[rel] = true
		w, ok := wants[rel]
		if !ok {
			continue
		}
		if s.Kind != w.kind || s.Host != w.host || s.Compression != w.compression || s.SkipReason != w.skip {
			t.Errorf("%s: kind %q host %q compression %q skip %q, want %+v", rel, s.Kind, s.Host, s.Compression, s.SkipReason, w)
		}
	}
	for rel := range wants {
		if !seen[rel] {
			t.Errorf("%s is not listed among the sources", rel)
		}
	}
	dets := map[string]int{}
	for _, f := range rep.Findings {
		dets[f.Detector]++
		if f.Detector == "stale-mac" && !strings.HasSuffix(f.Evidence[0].Source, "tempest/tempest-br-ex.pcap") {
			t.Errorf("stale-mac cites %s", f.Evidence[0].Source)
		}
	}
	if dets["stale-mac"] != 1 || dets["arp-unanswered"] != 1 {
		t.Errorf("findings by detector %v: want exactly one stale-mac (tempest) and one arp-unanswered (controller)", dets)
	}

	// The other outputs of the same run.
	var junit struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Name string `xml:"name,attr"`
		} `xml:"testsuite"`
	}
	jb, _ := os.ReadFile(junitOut)
	if err := xml.Unmarshal(jb, &junit); err != nil || junit.Failures != 1 || len(junit.Suites) == 0 {
		t.Errorf("junit: %v, failures %d suites %d", err, junit.Failures, len(junit.Suites))
	}
	nd, _ := os.ReadFile(ndOut)
	if lines := bytes.Count(nd, []byte("\n")); lines != len(rep.Findings) {
		t.Errorf("ndjson has %d lines for %d findings", lines, len(rep.Findings))
	}
	ev, _ := os.ReadFile(evOut)
	for i, line := range bytes.Split(bytes.TrimSpace(ev), []byte("\n")) {
		var e map[string]any
		if err := json.Unmarshal(line, &e); err != nil || e["datetime"] == nil || e["timestamp_desc"] == nil || e["message"] == nil {
			t.Fatalf("events line %d lacks Timesketch's fields: %s", i+1, line)
		}
	}

	// Deterministic whatever the worker count: the same report with one worker.
	jsonOne := filepath.Join(out, "one.json")
	runCLI(t, "analyze", "--quiet", "--workers", "1", "--json", jsonOne, root)
	one, _ := os.ReadFile(jsonOne)
	if !bytes.Equal(one, b) {
		t.Error("the report differs between --workers 1 and the default")
	}
}

// TestAnalyzeSkipsItsOwnOutputs: a tree analysed twice holds the first
// run's reports; they quote artifact lines but are not artifacts.
func TestAnalyzeSkipsItsOwnOutputs(t *testing.T) {
	root := ciTree(t)
	outs := map[string]string{"json": "report.json", "junit": "junit.xml", "ndjson": "findings.ndjson", "events": "timeline.jsonl"}
	args := []string{"analyze", "--quiet"}
	for f, name := range outs {
		args = append(args, "--"+f, filepath.Join(root, name))
	}
	runCLI(t, append(args, root)...)
	first, _ := os.ReadFile(filepath.Join(root, "report.json"))

	code, out, _ := runCLI(t, "analyze", "--format", "json", root)
	if code != exitFindings {
		t.Fatalf("second run: exit %d", code)
	}
	var rep struct {
		Sources []struct {
			Path       string
			SkipReason string `json:"skip_reason"`
		}
		Summary struct{ Events, Findings int }
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	for _, s := range rep.Sources {
		if name := filepath.Base(s.Path); slices.Contains([]string{"report.json", "junit.xml", "findings.ndjson", "timeline.jsonl"}, name) &&
			!strings.HasPrefix(s.SkipReason, "an arpforensics") && !strings.HasPrefix(s.SkipReason, "arpforensics") {
			t.Errorf("%s: skip reason %q, want it named as one of our reports", name, s.SkipReason)
		}
	}
	var firstRep struct {
		Summary struct{ Events, Findings int }
	}
	json.Unmarshal(first, &firstRep)
	if rep.Summary != firstRep.Summary {
		t.Errorf("the second run saw %+v, the first %+v: the reports were read as artifacts", rep.Summary, firstRep.Summary)
	}
}
