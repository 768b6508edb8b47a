// Package samples holds the bundled scenarios; this test analyses each one
// and compares the JSON report with its expected.json.
package samples

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/arpforensics/arpforensics/analysis"
	"github.com/arpforensics/arpforensics/detect"
	"github.com/arpforensics/arpforensics/internal/golden"
	"github.com/arpforensics/arpforensics/report"
)

// collected is the modification time the test gives every artifact, as if
// the CI job collected them all at once: artifacts without a year in their
// timestamps fall back to it when no other source gives one. Git does not
// keep modification times, so without this the year would depend on when
// the repository was checked out.
var collected = time.Date(2018, 9, 18, 18, 0, 0, 0, time.UTC)

// scenarios lists the scenario folders: every directory but the generator.
func scenarios(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() && e.Name() != "gen" && e.Name() != "testdata" {
			out = append(out, e.Name())
		}
	}
	if len(out) == 0 {
		t.Fatal("no scenarios found")
	}
	return out
}

func TestSamples(t *testing.T) {
	for _, name := range scenarios(t) {
		t.Run(name, func(t *testing.T) {
			exp, err := filepath.Abs(filepath.Join(name, "expected.json"))
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, exp, string(analyse(t, name)))
		})
	}
}

// analyse runs the analysis on a copy of the scenario under the same
// relative path, so source paths in the report read "samples/<name>/…" as
// when a user runs it from the repository root, and returns the JSON report.
func analyse(t *testing.T, name string) []byte {
	t.Helper()
	root := t.TempDir()
	copyTree(t, name, filepath.Join(root, "samples", name))
	t.Chdir(root)
	res := analysis.Run(analysis.Options{Paths: []string{filepath.Join("samples", name)}, Config: detect.Defaults()})
	var buf bytes.Buffer
	if err := report.JSON(&buf, res); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// copyTree copies a scenario folder (without its expected.json) and stamps
// every file with the collection time.
func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		if rel == "expected.json" {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			return err
		}
		return os.Chtimes(dst, collected, collected)
	})
	if err != nil {
		t.Fatal(err)
	}
}
