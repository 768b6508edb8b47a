package samples

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arpforensics/arpforensics/analysis"
	"github.com/arpforensics/arpforensics/detect"
	"github.com/arpforensics/arpforensics/internal/golden"
	"github.com/arpforensics/arpforensics/report"
	"github.com/arpforensics/arpforensics/report/schema"
)

// Every capture is a vantage point of its host: analysing a scenario beside
// another must report for it exactly what it reports alone. The samples
// share addresses and MACs (they are the same story told on several
// hosts), so any evidence leaking between them shows.
func TestScenariosDoNotMix(t *testing.T) {
	names := scenarios(t)
	root := t.TempDir()
	for _, n := range names {
		copyTree(t, n, filepath.Join(root, "samples", n))
	}
	t.Chdir(root)
	alone := map[string][]jfinding{}
	for _, a := range names {
		alone[a] = findingsOf(t, a, runJSON(t, filepath.Join("samples", a)))
	}
	for _, a := range names {
		for _, b := range names {
			if a == b {
				continue
			}
			rep := runJSON(t, filepath.Join("samples", a), filepath.Join("samples", b))
			sameFindings(t, "analyze samples/"+a+" samples/"+b, a, alone[a], findingsOf(t, a, rep))
		}
	}
	all := runJSON(t, "samples")
	for _, a := range names {
		sameFindings(t, "analyze samples/", a, alone[a], findingsOf(t, a, all))
	}
}

// jreport is the JSON report as read back: findings as they were written.
type jreport struct {
	Findings []jfinding `json:"findings"`
}

type jfinding struct {
	ID       string            `json:"id"`
	Evidence []schema.Evidence `json:"evidence"`
	Raw      json.RawMessage   `json:"-"`
}

func (f *jfinding) UnmarshalJSON(b []byte) error {
	type plain jfinding
	if err := json.Unmarshal(b, (*plain)(f)); err != nil {
		return err
	}
	f.Raw = append(json.RawMessage(nil), b...)
	return nil
}

// runJSON analyses paths and returns the JSON report, decoded.
func runJSON(t *testing.T, paths ...string) jreport {
	t.Helper()
	res := analysis.Run(analysis.Options{Paths: paths, Config: detect.Defaults()})
	var buf bytes.Buffer
	if err := report.JSON(&buf, res); err != nil {
		t.Fatal(err)
	}
	var r jreport
	if err := json.Unmarshal(buf.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// findingsOf keeps the findings whose evidence lies in scenario name; a
// finding citing evidence of two scenarios is a failure in itself.
func findingsOf(t *testing.T, name string, r jreport) []jfinding {
	t.Helper()
	prefix := filepath.Join("samples", name) + string(filepath.Separator)
	var out []jfinding
	for _, f := range r.Findings {
		mine, other := 0, 0
		for _, e := range f.Evidence {
			if strings.HasPrefix(e.Source, prefix) {
				mine++
			} else {
				other++
			}
		}
		if mine > 0 && other > 0 {
			t.Errorf("%s: %s cites evidence of another scenario: %+v", name, f.ID, f.Evidence)
		}
		if mine > 0 {
			out = append(out, f)
		}
	}
	return out
}

func sameFindings(t *testing.T, run, name string, want, got []jfinding) {
	t.Helper()
	w, g := rawList(want), rawList(got)
	if !bytes.Equal(w, g) {
		t.Errorf("%s reports for %s other findings than analysing it alone:\n%s", run, name, golden.Diff(string(w), string(g)))
	}
}

func rawList(fs []jfinding) []byte {
	var b bytes.Buffer
	for _, f := range fs {
		json.Indent(&b, f.Raw, "", "  ")
		b.WriteByte('\n')
	}
	return b.Bytes()
}
