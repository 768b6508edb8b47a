package ingest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeCase(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), CaseFileName)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadCase(t *testing.T) {
	p := writeCase(t, `# the failed job
timezone: Europe/Prague
year: 2018
hosts:
  controller:
    paths: ["controller/**", "neutron-server*.txt*"]
    offset: +2.5s
  tempest:
    paths: tempest/*.pcap
    timezone: UTC
    offset: -300ms
`)
	c, err := LoadCase(p)
	if err != nil {
		t.Fatal(err)
	}
	if c.Location.String() != "Europe/Prague" || c.Year != 2018 || len(c.Hosts) != 2 {
		t.Fatalf("case = %+v", c)
	}
	if h := c.Hosts[0]; h.Name != "controller" || h.Offset != 2500*time.Millisecond || len(h.Paths) != 2 || h.Location != nil {
		t.Errorf("controller = %+v", h)
	}
	if h := c.Hosts[1]; h.Offset != -300*time.Millisecond || h.Location != time.UTC {
		t.Errorf("tempest = %+v", h)
	}
	root := filepath.Dir(p)
	for file, want := range map[string]string{
		"controller/logs/screen-q-svc.txt.gz": "controller",
		"elsewhere/neutron-server.txt.gz":     "controller",
		"tempest/br-ex.pcap":                  "tempest",
		"tempest/deep/br-ex.pcap":             "",
		"compute/neutron-server.txt":          "controller",
	} {
		h, ok := c.HostFor(filepath.Join(root, file))
		got := ""
		if ok {
			got = h.Name
		}
		if got != want {
			t.Errorf("HostFor(%s) = %q, want %q", file, got, want)
		}
	}
}

func TestLoadCaseErrorsNamePositions(t *testing.T) {
	tests := []struct{ body, want string }{
		{"timezone: Mars/Olympus\n", ":1:11: timezone: unknown time zone \"Mars/Olympus\""},
		{"hots:\n  a: {}\n", ":1:1: unknown key \"hots\" in the case file (want timezone, year, hosts)"},
		{"hosts:\n  a:\n    offset: soon\n", ":3:13: offset of host a: want a duration like 1.5s, 300ms or -2s, got \"soon\""},
		{"hosts:\n  a:\n    path: x\n", ":3:5: unknown key \"path\" in host a (want paths, timezone, offset, segment)"},
		{"year: 18\n", ":1:7: year: want a four-digit year, got 18"},
		{"hosts: [a, b]\n", ":1:8: hosts: want a mapping, got a list"},
		{"hosts:\n  a:\n    paths: ['[']\n", ":3:12: paths of host a: bad glob \"[\""},
		{"timezone: [\n", ":1:1: did not find expected node content"},
	}
	for _, tt := range tests {
		p := writeCase(t, tt.body)
		_, err := LoadCase(p)
		if err == nil || !strings.Contains(err.Error(), p+tt.want) {
			t.Errorf("LoadCase(%q) error = %v, want %q", tt.body, err, p+tt.want)
		}
	}
	// Every error is reported, not just the first.
	p := writeCase(t, "year: x\nhosts:\n  a:\n    offset: y\n")
	_, err := LoadCase(p)
	if err == nil || strings.Count(err.Error(), p+":") != 2 {
		t.Errorf("want two errors, got %v", err)
	}
}

func TestMatchGlob(t *testing.T) {
	tests := []struct {
		glob, path string
		want       bool
	}{
		{"**/x.pcap", "a/b/x.pcap", true},
		{"**/x.pcap", "x.pcap", true},
		{"a/**", "a/b/c", true},
		{"a/**/c", "a/c", true},
		{"a/*/c", "a/b/b/c", false},
		{"*.pcap", "deep/dir/x.pcap", true},
		{"a/*.pcap", "b/x.pcap", false},
	}
	for _, tt := range tests {
		if got := matchGlob(tt.glob, tt.path); got != tt.want {
			t.Errorf("matchGlob(%q, %q) = %v", tt.glob, tt.path, got)
		}
	}
}

func TestFindCase(t *testing.T) {
	dir := t.TempDir()
	if FindCase([]string{dir}) != "" {
		t.Error("found a case file in an empty directory")
	}
	os.WriteFile(filepath.Join(dir, CaseFileName), []byte("year: 2018\n"), 0o644)
	if got := FindCase([]string{"/nonexistent", dir}); got != filepath.Join(dir, CaseFileName) {
		t.Errorf("FindCase = %q", got)
	}
}

// A hostile case file's "**" cannot make matching exponential: a dozen of
// them against a path 40 directories deep is answered at once.
func TestGlobIsLinear(t *testing.T) {
	deep := strings.Repeat("d/", 40) + "f.txt"
	start := time.Now()
	if matchGlob(strings.Repeat("**/", 12)+"x/*.txt", deep) {
		t.Error("matched a glob whose segment x is not in the path")
	}
	if !matchGlob(strings.Repeat("**/d/", 12)+"**/*.txt", deep) {
		t.Error("did not match")
	}
	if matchGlob(strings.Repeat("**/d/", 41)+"*.txt", deep) {
		t.Error("41 d segments matched a path with 40")
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("took %v", took)
	}
}
