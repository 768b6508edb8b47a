package ingest

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arpforensics/arpforensics/parse"
	"github.com/arpforensics/arpforensics/timeline"
)

// A parser that trips over a file (a panic on input nobody foresaw) costs
// that file, as a problem on its source, and not the run.
func TestParserPanicIsAProblemOnItsSource(t *testing.T) {
	saved := kinds
	kinds = append(append([]Kind(nil), kinds...), Kind{
		Name: "boom", Text: true,
		Sniff: func(head []byte) bool { return bytes.HasPrefix(head, []byte("BOOM")) },
		Parse: func(io.Reader, *timeline.Source, parse.Options, *timeline.Sink) error {
			var m map[string]int
			m["x"]++ // a nil map: panics
			return nil
		},
	})
	t.Cleanup(func() { kinds = saved })
	p := filepath.Join(t.TempDir(), "boom.txt")
	os.WriteFile(p, []byte("BOOM\n"), 0o644)
	src, _ := Read(File{Path: p}, parse.Options{}, timeline.NewSpace())
	if len(src.Problems) != 1 || !strings.Contains(src.Problems[0].Message, "internal error reading this boom file") ||
		!strings.Contains(src.Problems[0].Message, "assignment to entry in nil map") {
		t.Fatalf("problems %+v", src.Problems)
	}
	if !src.Unreadable {
		t.Error("a file of which nothing was read is unreadable")
	}
}
