package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// copySample copies a sample scenario into a fresh directory.
func copySample(t *testing.T, name string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "copy")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(filepath.Join("..", "..", "samples", name))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join("..", "..", "samples", name, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func snapshot(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = b
	}
	return out
}

func sameFiles(t *testing.T, dir string, before map[string][]byte) {
	t.Helper()
	after := snapshot(t, dir)
	if len(after) != len(before) {
		t.Errorf("%s holds %d files, had %d", dir, len(after), len(before))
	}
	for name, b := range before {
		if !bytes.Equal(after[name], b) {
			t.Errorf("%s was changed", name)
		}
	}
}

// An output is never written over evidence: the run stops with exit 2,
// names the path, and leaves every file as it was.
func TestOutputsNeverOverwriteEvidence(t *testing.T) {
	dir := copySample(t, "fip-reuse")
	arptable := filepath.Join(dir, "arptable")
	pcap := filepath.Join(dir, "tempest-br-ex.pcap")
	link := filepath.Join(t.TempDir(), "report.json")
	if err := os.Symlink(pcap, link); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		args   []string
		stderr []string
	}{
		{"--json read as a switch", []string{"analyze", "--json", arptable, pcap},
			[]string{"--json " + arptable + ": refusing to write the json report over an existing file", "not an arpforensics report", "--force"}},
		{"an output inside the analysed tree", []string{"analyze", "--html", arptable, dir},
			[]string{"--html " + arptable, "inside the analysed directory " + dir}},
		{"an output that is an input", []string{"analyze", "-o", pcap + ".txt", "--ndjson", pcap, pcap},
			[]string{"--ndjson " + pcap + ": refusing to write the ndjson report over " + pcap + ", an input of this run"}},
		{"a link to an input", []string{"analyze", "--json", link, pcap},
			[]string{"--json " + link + ": refusing to write the json report over " + pcap + ", an input of this run"}},
		{"-o over evidence", []string{"analyze", "-o", filepath.Join(dir, "arptable.txt"), "--junit", arptable, pcap},
			[]string{"--junit " + arptable}},
		{"a directory", []string{"analyze", "--json", dir, pcap}, []string{"--json " + dir + ": is a directory"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := snapshot(t, dir)
			code, stdout, stderr := runCLI(t, tt.args...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d", code, exitUsage)
			}
			if stdout != "" {
				t.Errorf("something was analysed and reported: %q", stdout)
			}
			for _, want := range tt.stderr {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr %q lacks %q", stderr, want)
				}
			}
			sameFiles(t, dir, before)
		})
	}
}

// A previous report of ours may be replaced, inside an analysed tree or not;
// --force lets any existing file be; a new file needs nothing.
func TestOutputsReplaceEarlierReports(t *testing.T) {
	dir := copySample(t, "fip-reuse")
	out := t.TempDir()
	paths := map[string]string{}
	args := []string{"analyze", "--quiet"}
	for _, ff := range formats {
		if ff.usage != "" {
			paths[ff.name] = filepath.Join(out, "r."+ff.name)
			args = append(args, "--"+ff.name, paths[ff.name])
		}
	}
	inside := filepath.Join(dir, "report.txt")
	args = append(args, "-o", inside, dir)
	for run := 0; run < 2; run++ {
		if code, _, stderr := runCLI(t, args...); code != exitFindings {
			t.Fatalf("run %d: exit %d: %s", run, code, stderr)
		}
	}
	for format, p := range paths {
		if ours, err := isReport(p); err != nil || !ours {
			t.Errorf("%s (%s) not recognised as our report: %v", p, format, err)
		}
	}
	if ours, _ := isReport(inside); !ours {
		t.Errorf("the text report is not recognised as ours")
	}

	other := filepath.Join(out, "notes.txt")
	os.WriteFile(other, []byte("my own notes\n"), 0o644)
	if code, _, _ := runCLI(t, "analyze", "--json", other, dir); code != exitUsage {
		t.Errorf("a file of the user's was accepted without --force (exit %d)", code)
	}
	if code, _, stderr := runCLI(t, "analyze", "--force", "--json", other, dir); code != exitFindings {
		t.Errorf("--force: exit %d: %s", code, stderr)
	}
	if ours, _ := isReport(other); !ours {
		t.Errorf("--force did not write the report")
	}
}

// Two runs on the same incident, one seeing fewer frames (so counts and
// durations in the titles differ), name their JUnit test cases alike.
func TestJUnitNamesAreStableAcrossRuns(t *testing.T) {
	dir := t.TempDir()
	full := filepath.Join("..", "..", "samples", "fip-reuse")
	data, err := os.ReadFile(filepath.Join(full, "tempest-br-ex.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	// Keep the records up to 80 % of the file (pcap: 24-byte header, then
	// 16-byte record headers with the captured length at offset 8).
	cut, off := 24, 24
	for off+16 <= len(data) && off < len(data)*8/10 {
		n := int(uint32(data[off+8]) | uint32(data[off+9])<<8 | uint32(data[off+10])<<16 | uint32(data[off+11])<<24)
		off += 16 + n
		cut = off
	}
	short := filepath.Join(dir, "short")
	os.MkdirAll(short, 0o755)
	os.WriteFile(filepath.Join(short, "tempest-br-ex.pcap"), data[:cut], 0o644)
	arptable, _ := os.ReadFile(filepath.Join(full, "arptable"))
	os.WriteFile(filepath.Join(short, "arptable"), arptable, 0o644)

	type junit struct {
		Suites []struct {
			Time  string `xml:"time,attr"`
			Cases []struct {
				Name    string `xml:"name,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	read := func(in string) (names, titles []string, timed bool) {
		out := filepath.Join(dir, filepath.Base(in)+".xml")
		runCLI(t, "analyze", "--quiet", "--junit", out, in)
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		var j junit
		if err := xml.Unmarshal(b, &j); err != nil {
			t.Fatal(err)
		}
		for _, s := range j.Suites {
			timed = timed || s.Time != "0.000000"
			for _, c := range s.Cases {
				names = append(names, c.Name)
				if len(c.Name) > 100 {
					t.Errorf("testcase name of %d characters: %q", len(c.Name), c.Name)
				}
				if c.Failure != nil {
					titles = append(titles, c.Failure.Message)
				}
			}
		}
		return names, titles, timed
	}
	n1, t1, timed := read(full)
	n2, t2, _ := read(short)
	if strings.Join(n1, "\n") != strings.Join(n2, "\n") {
		t.Errorf("testcase names differ:\n%s\n---\n%s", strings.Join(n1, "\n"), strings.Join(n2, "\n"))
	}
	if strings.Join(t1, "\n") == strings.Join(t2, "\n") {
		t.Errorf("the two runs saw the same counts; the test proves nothing:\n%s", strings.Join(t1, "\n"))
	}
	if !timed {
		t.Error("every suite took 0 s")
	}
}

// The rest of the batch-mode contract, through the program: a --json
// without its FILE, a YAML error at its line, the events export's
// Timesketch fields, and a Zuul root's host names.
func TestBatchModeThroughTheProgram(t *testing.T) {
	if code, _, stderr := runCLI(t, "analyze", "../../samples/fip-reuse", "--json"); code != exitUsage || !strings.Contains(stderr, "flag needs an argument: --json") {
		t.Errorf("--json without FILE: exit %d, %q", code, stderr)
	}
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("thresholds:\n  grace: [15s\n"), 0o644)
	if code, _, stderr := runCLI(t, "config", "check", bad); code != exitUsage || !strings.Contains(stderr, bad+":2:3: ") {
		t.Errorf("YAML error: exit %d, %q", code, stderr)
	}

	events := filepath.Join(dir, "events.jsonl")
	runCLI(t, "analyze", "--quiet", "--events", events, "../../samples/fip-reuse")
	b, err := os.ReadFile(events)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSpace(b), []byte("\n"))
	tagged, findings := 0, 0
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal(l, &m); err != nil {
			t.Fatal(err)
		}
		if _, ok := m["timestamp"].(float64); !ok || m["message"] == nil || m["datetime"] == nil || m["timestamp_desc"] == nil {
			t.Fatalf("line lacks Timesketch's fields: %s", l)
		}
		if m["tag"] != nil {
			tagged++
		}
		if m["kind"] == "finding" {
			findings++
		}
	}
	if findings == 0 || tagged <= findings {
		t.Errorf("%d finding lines, %d tagged lines: want findings and the events they cite tagged", findings, tagged)
	}

	root := filepath.Join(dir, "job")
	os.MkdirAll(filepath.Join(root, "zuul-info"), 0o755)
	os.WriteFile(filepath.Join(root, "zuul-info", "inventory.yaml"), []byte("all:\n  hosts:\n    controller: {ansible_host: 198.51.100.10}\n"), 0o644)
	node := filepath.Join(root, "logs", "controller", "logs")
	os.MkdirAll(node, 0o755)
	arptable, _ := os.ReadFile("../../samples/fip-reuse/arptable")
	os.WriteFile(filepath.Join(node, "arptable"), arptable, 0o644)
	_, out, stderr := runCLI(t, "sources", "--format", "json", root)
	var srcs []struct{ Path, Host string }
	if err := json.Unmarshal([]byte(out), &srcs); err != nil {
		t.Fatalf("%v: %s %s", err, out, stderr)
	}
	for _, s := range srcs {
		if strings.HasSuffix(s.Path, "arptable") && s.Host != "controller" {
			t.Errorf("%s: host %q, want controller", s.Path, s.Host)
		}
	}
}
