package report

import (
	"encoding/json"
	"io"

	"github.com/arpforensics/arpforensics/analysis"
)

// NDJSON writes one finding per line, each as in the JSON report.
func NDJSON(w io.Writer, r *analysis.Result) error {
	enc := json.NewEncoder(w)
	for i := range r.Findings {
		if err := enc.Encode(BuildFinding(&r.Findings[i])); err != nil {
			return err
		}
	}
	return nil
}
