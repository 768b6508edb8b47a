package report

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/arpforensics/arpforensics/analysis"
	"github.com/arpforensics/arpforensics/detect"
)

// The streamed JSON report is the document Build describes, byte for byte
// as encoding/json indents it: with and without findings, notes and
// problems, and with text that JSON escapes.
func TestJSONStreamsWhatBuildDescribes(t *testing.T) {
	for _, paths := range [][]string{
		{"../samples"},
		{"../samples/fip-reuse"},
		{"../testdata/corpus/pcap/empty.pcap"},
		{"../testdata/corpus/pcap/arp-oobr.pcap", "../testdata/corpus/txnlog"},
		{"../does-not-exist"},
	} {
		r := analysis.Run(analysis.Options{Paths: paths, Config: detect.Defaults()})
		r.Notes = append(r.Notes, `a note with <markup> & "quotes"`+"\u2028")
		var want, got bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		if err := enc.Encode(Build(r)); err != nil {
			t.Fatal(err)
		}
		if err := JSON(&got, r); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want.Bytes()) {
			g, w := got.String(), want.String()
			i := 0
			for i < len(g) && i < len(w) && g[i] == w[i] {
				i++
			}
			t.Errorf("%v: streamed JSON differs at byte %d:\n got %q\nwant %q", paths, i, g[max(0, i-80):min(len(g), i+80)], w[max(0, i-80):min(len(w), i+80)])
		}
	}
}
