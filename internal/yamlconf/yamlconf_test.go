package yamlconf

import (
	"errors"
	"testing"
)

// Syntax errors carry the line that broke the document, not the start of
// the block around it.
func TestSyntaxErrorsAtTheirLine(t *testing.T) {
	tests := []struct {
		text      string
		line, col int
	}{
		{"thresholds:\n  grace: [15s\nknown_issues: []\n", 2, 3},
		{"detectors:\n  stale-mac: {enabled: true\n", 2, 3},
		{"a: b\n\tc: d\n", 2, 1},
		{"a:\n  - x\n  - y\n b: [\n", 4, 2},
	}
	for _, tt := range tests {
		_, err := Parse("f.yaml", []byte(tt.text))
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%q: error %v", tt.text, err)
			continue
		}
		if e.Line != tt.line || e.Col != tt.col {
			t.Errorf("%q: at %d:%d (%s), want %d:%d", tt.text, e.Line, e.Col, e.Msg, tt.line, tt.col)
		}
	}
}
