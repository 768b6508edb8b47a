package pcap

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/arpforensics/arpforensics/parse"
	"github.com/arpforensics/arpforensics/timeline"
)

// textSeeds are real lines: the renderings under testdata/text (test
// capture and shared corpus), the corpus's own tcpdump lines, and the
// journal export.
func textSeeds(tb testing.TB) []string {
	tb.Helper()
	var files []string
	for _, g := range []string{"*.txt", "corpus/*.txt"} {
		m, err := filepath.Glob(filepath.Join(textData, g))
		if err != nil {
			tb.Fatal(err)
		}
		files = append(files, m...)
	}
	files = append(files, "../../testdata/corpus/neigh/formats.txt", "../../testdata/corpus/txnlog/real-lines.txt")
	seen := map[string]bool{}
	var seeds []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		sc := bufio.NewScanner(bytes.NewReader(b))
		sc.Buffer(nil, 1<<20)
		n := 0
		for sc.Scan() && n < 40 {
			l := sc.Text()
			if seen[l] || strings.HasPrefix(l, "#") {
				continue
			}
			seen[l] = true
			seeds = append(seeds, l)
			n++
		}
	}
	return seeds
}

// FuzzTextLine feeds single lines and pairs of lines to the reader and
// checks its invariants: no panic, every line counted, events sorted and in
// UTC, problems positioned on a line that exists.
func FuzzTextLine(f *testing.F) {
	seeds := textSeeds(f)
	for i, s := range seeds {
		f.Add(s, seeds[(i+1)%len(seeds)])
	}
	// Shapes the files above do not hold.
	f.Add("2018-09-18T17:09:17.644405+00:00 host tcpdump[1]: 17:09:17.275597 ARP, Request who-has 10.0.0.100 tell 10.0.0.1, length 28",
		"Sep 18 17:09:17 host tcpdump[1]: 17:09:17.275597 ARP, Reply 10.0.0.100 is-at 02:00:00:00:00:0a, length 28")
	f.Add("23:59:58.501100 IP (tos 0x0, ttl 64, id 0, offset 0, flags [DF], proto TCP (6), length 40)",
		"    10.0.0.1.40000 > 10.0.0.100.ssh: Flags [S], cksum 0x004f (correct), seq 1000, win 64240, length 0")
	f.Add("23:59:58.500000 Out 02:00:00:00:00:01 vlan 10, p 0, Request who-has 10.0.0.100 tell 10.0.0.1, length 46",
		"00:00:02.018100 IP 10.0.0.1.40001 > 10.0.0.100.22: S 2000:2000(0) win 5840 <mss 1460>")
	opts := parse.Options{ModTime: time.Date(2024, 3, 11, 0, 0, 10, 0, time.UTC)}
	f.Fuzz(func(t *testing.T, a, b string) {
		in := a + "\n" + b + "\n"
		src := &timeline.Source{}
		evs, err := parse.Collect(ParseText, strings.NewReader(in), src, opts)
		if err != nil {
			t.Fatalf("error on readable input: %v", err)
		}
		lines := int64(strings.Count(in, "\n"))
		if src.Records != lines {
			t.Errorf("records %d, want %d", src.Records, lines)
		}
		if src.Skipped > src.Records {
			t.Errorf("skipped %d of %d records", src.Skipped, src.Records)
		}
		for i := range evs {
			if evs[i].Time.Location() != time.UTC {
				t.Errorf("event %d not in UTC", i)
			}
			if i > 0 && evs[i].Time.Before(evs[i-1].Time) {
				t.Errorf("events not sorted at %d", i)
			}
			_ = evs[i].Data.Summary()
			_ = evs[i].Data.Fields()
		}
		for _, p := range src.Problems {
			if p.Pos.Line < 1 || p.Pos.Line > lines {
				t.Errorf("problem at %v outside the input: %s", p.Pos, p.Message)
			}
		}
		SniffText([]byte(in))
		var fr textFrame
		parseFrame([]byte(a), &fr)
		cutStamp([]byte(a))
	})
}
