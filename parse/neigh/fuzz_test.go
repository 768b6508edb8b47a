package neigh

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/arpforensics/arpforensics/parse"
	"github.com/arpforensics/arpforensics/timeline"
)

// FuzzParse feeds the parser arbitrary text, seeded with every corpus record
// and test file. It must never panic, must keep its accounting, and must
// return events in time order with nothing untimed among them.
func FuzzParse(f *testing.F) {
	for _, r := range readCorpus(f) {
		f.Add(r.text + "\n")
		f.Add("Tue Sep 18 17:09:17 UTC 2018\n" + r.text + "\n" + r.text + "\r\n")
	}
	files, _ := filepath.Glob("testdata/*.txt")
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(data))
	}
	data, err := os.ReadFile(corpusPath)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(data))
	f.Fuzz(func(t *testing.T, in string) {
		src := &timeline.Source{}
		evs, _ := parse.Collect(Parse, strings.NewReader(in), src, parse.Options{ModTime: modTime, Location: time.UTC})
		if src.Records < 0 || src.Skipped > src.Records {
			t.Fatalf("accounting: records %d skipped %d", src.Records, src.Skipped)
		}
		if int64(len(evs)) != src.Events {
			t.Fatalf("%d events, source says %d", len(evs), src.Events)
		}
		for i := range evs {
			if evs[i].Time.IsZero() {
				t.Fatalf("event %d has no time: %s", i, evs[i].Data.Summary())
			}
			if i > 0 && evs[i].Time.Before(evs[i-1].Time) {
				t.Fatalf("events out of order at %d", i)
			}
			if !evs[i].End.IsZero() && evs[i].End.Before(evs[i].Time) {
				t.Fatalf("event %d ends before it starts", i)
			}
			_ = evs[i].Data.Summary()
			_ = evs[i].Data.Fields()
		}
		for _, p := range src.Problems {
			if p.Message == "" {
				t.Fatal("empty problem message")
			}
		}
		_ = Sniff([]byte(in))
	})
}
