package pcap_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/arpforensics/arpforensics/ingest"
	"github.com/arpforensics/arpforensics/parse"
	"github.com/arpforensics/arpforensics/timeline"
)

// TestTextThroughIngest checks the registration: ingest picks the text
// reader for tcpdump output by content (also gzipped), and not for the
// other artifacts of the corpus.
func TestTextThroughIngest(t *testing.T) {
	dir := t.TempDir()
	journal, err := os.ReadFile("testdata/text/journal.txt")
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(journal)
	zw.Close()
	// Names that say nothing, or the wrong thing: only content counts.
	must := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	plain := must("capture.pcap", journal)
	zipped := must("journal.log", gz.Bytes())
	for _, p := range []string{plain, zipped} {
		src, sink := ingest.Read(ingest.File{Path: p, Host: "node", ModTime: time.Date(2024, 3, 11, 8, 0, 0, 0, time.UTC)}, parse.Options{}, timeline.NewSpace())
		tl, err := timeline.Merge([]*timeline.Source{src}, []*timeline.Sink{sink}, timeline.Window{})
		if err != nil {
			t.Fatal(err)
		}
		if src.Kind != "tcpdump-text" || tl.Len() != 20 || src.Events != 20 || src.Records != 30 {
			t.Errorf("%s: kind %q, %d events, source %+v", p, src.Kind, tl.Len(), src)
		}
		if src.First.IsZero() || !src.First.Equal(tl.Event(0).Time) {
			t.Errorf("%s: first %v", p, src.First)
		}
	}
	for _, p := range []string{"../../testdata/corpus/neigh/formats.txt", "../../testdata/corpus/txnlog/real-lines.txt"} {
		src, _ := ingest.Read(ingest.File{Path: p, Host: "node"}, parse.Options{}, timeline.NewSpace())
		if src.Kind == "tcpdump-text" {
			t.Errorf("%s read as tcpdump text", p)
		}
	}
}
