package ovsdb_test

import (
	"bytes"
	"crypto/sha1"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/arpforensics/arpforensics/parse"
	"github.com/arpforensics/arpforensics/parse/ovsdb"
	"github.com/arpforensics/arpforensics/timeline"
)

// FuzzParse feeds database files written by a real ovsdb-server (testdata:
// a standalone Northbound, a clustered Southbound), cut and mutated. Every
// input must parse without panicking, and every problem must carry a
// position inside the input. Run it with a bounded minimisation, or the
// engine spends its minute minimising each new input of a multi-record file:
//
//	go test -run XXX -fuzz FuzzParse -fuzzminimizetime 200x ./parse/ovsdb
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.db")
	if len(seeds) == 0 {
		f.Fatal("no seeds in testdata")
	}
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		// The real schemas are 14 kB: reduced to the tables the
		// transactions touch, the seeds are small enough for the mutator.
		small := shrinkSchema(f, b)
		f.Add(small)
		f.Add(small[:len(small)*2/3])
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		src := &timeline.Source{Path: "fuzz"}
		_, err := parse.Collect(ovsdb.Parse, bytes.NewReader(b), src, parse.Options{})
		if err != nil && len(src.Problems) > 0 {
			t.Errorf("both an error (%v) and problems (%v)", err, src.Problems)
		}
		if err == nil {
			if got := src.Events - src.Derived + src.Folded + src.Skipped + src.BadRecords; got != src.Records {
				t.Errorf("%d records, but events %d − derived %d + folded %d + skipped %d + bad %d = %d",
					src.Records, src.Events, src.Derived, src.Folded, src.Skipped, src.BadRecords, got)
			}
		}
		for _, p := range src.Problems {
			if p.Pos.Offset < 0 || p.Pos.Offset > int64(len(b)) {
				t.Errorf("problem outside the input (%d bytes): %v", len(b), p)
			}
		}
	})
}

// shrinkSchema rewrites a database file's first record (the schema, or the
// cluster header holding it) keeping only the tables its transactions use.
func shrinkSchema(f *testing.F, b []byte) []byte {
	i := bytes.IndexByte(b, '\n')
	var magic string
	var n int
	var sum string
	if _, err := fmt.Sscanf(string(b[:i]), "OVSDB %s %d %s", &magic, &n, &sum); err != nil {
		f.Fatal(err)
	}
	body, rest := b[i+1:i+1+n], b[i+1+n:]
	keep := map[string]bool{"MAC_Binding": true, "Datapath_Binding": true, "SB_Global": true,
		"Logical_Router": true, "Logical_Router_Port": true, "NAT": true, "NB_Global": true}
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		f.Fatal(err)
	}
	sc := doc
	if magic == "CLUSTER" {
		sc = doc["prev_data"].([]any)[0].(map[string]any)
	}
	tables := sc["tables"].(map[string]any)
	for name := range tables {
		if !keep[name] {
			delete(tables, name)
		}
	}
	out, err := json.Marshal(doc)
	if err != nil {
		f.Fatal(err)
	}
	out = append(out, '\n')
	return append([]byte(fmt.Sprintf("OVSDB %s %d %x\n", magic, len(out), sha1.Sum(out))), append(out, rest...)...)
}

// FuzzDecode reaches past the hashes: its input is the records' JSON, one a
// line (the first "JSON" or "CLUSTER" picks the format), which the harness
// frames with correct lengths and SHA-1s. Seeds are the real files' records.
//
//	go test -run XXX -fuzz FuzzDecode -fuzzminimizetime 200x ./parse/ovsdb
func FuzzDecode(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.db")
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		b = shrinkSchema(f, b)
		magic := "JSON"
		if bytes.HasPrefix(b, []byte("OVSDB CLUSTER")) {
			magic = "CLUSTER"
		}
		var bodies []byte
		bodies = append(bodies, magic...)
		for _, line := range bytes.Split(b, []byte("\n")) {
			if len(line) > 0 && !bytes.HasPrefix(line, []byte("OVSDB ")) {
				bodies = append(append(bodies, '\n'), line...)
			}
		}
		f.Add(bodies)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		magic, rest, _ := bytes.Cut(in, []byte("\n"))
		if string(magic) != "JSON" && string(magic) != "CLUSTER" {
			return
		}
		var file []byte
		for _, body := range bytes.Split(rest, []byte("\n")) {
			body = append(bytes.Clone(body), '\n')
			file = fmt.Appendf(file, "OVSDB %s %d %x\n", magic, len(body), sha1.Sum(body))
			file = append(file, body...)
		}
		src := &timeline.Source{Path: "fuzz"}
		_, err := parse.Collect(ovsdb.Parse, bytes.NewReader(file), src, parse.Options{})
		if err != nil {
			return
		}
		if got := src.Events - src.Derived + src.Folded + src.Skipped + src.BadRecords; got != src.Records {
			t.Errorf("%d records, but events %d − derived %d + folded %d + skipped %d + bad %d = %d",
				src.Records, src.Events, src.Derived, src.Folded, src.Skipped, src.BadRecords, got)
		}
	})
}
