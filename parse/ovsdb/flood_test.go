package ovsdb_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/arpforensics/arpforensics/parse"
	"github.com/arpforensics/arpforensics/parse/ovsdb"
	"github.com/arpforensics/arpforensics/timeline"
)

// TestCorruptFloodIsCapped: a file of records whose hashes all fail lists
// the first parse.DefaultProblemCap and one summary naming their byte range,
// and still accounts for every record.
func TestCorruptFloodIsCapped(t *testing.T) {
	f, err := os.Open("testdata/nb-standalone.db")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	br := bufio.NewReader(f)
	hdr, _ := br.ReadString('\n')
	var size int
	if _, err := fmt.Sscanf(hdr, "OVSDB JSON %d", &size); err != nil {
		t.Fatal(err)
	}
	schema := make([]byte, size)
	if _, err := io.ReadFull(br, schema); err != nil {
		t.Fatal(err)
	}
	file := append([]byte(hdr), schema...)
	const n = 1000
	var offs []int
	for range n {
		offs = append(offs, len(file))
		file = fmt.Appendf(file, "OVSDB JSON 3 %040d\n{}\n", 0)
	}
	src := &timeline.Source{Path: "flood.db"}
	if _, err := parse.Collect(ovsdb.Parse, bytes.NewReader(file), src, parse.Options{}); err != nil {
		t.Fatal(err)
	}
	var listed int
	var sums []string
	for _, p := range src.Problems {
		switch {
		case strings.Contains(p.Message, "more records like the above"):
			sums = append(sums, p.String())
		case strings.Contains(p.Message, "SHA-1"):
			listed++
		}
	}
	want := fmt.Sprintf("byte %d: %d more records like the above (SHA-1 mismatch), not listed after the first %d: byte %d to byte %d",
		offs[parse.DefaultProblemCap], n-parse.DefaultProblemCap, parse.DefaultProblemCap, offs[parse.DefaultProblemCap], offs[n-1])
	if listed != parse.DefaultProblemCap || len(sums) != 1 || sums[0] != want {
		t.Fatalf("%d listed, summaries %q; want %d and %q", listed, sums, parse.DefaultProblemCap, want)
	}
	if got := src.Events - src.Derived + src.Folded + src.Skipped + src.BadRecords; got != src.Records || src.Records != n+1 {
		t.Errorf("%d records, but events %d − derived %d + folded %d + skipped %d + bad %d = %d",
			src.Records, src.Events, src.Derived, src.Folded, src.Skipped, src.BadRecords, got)
	}
}
