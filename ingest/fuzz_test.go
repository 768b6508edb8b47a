package ingest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arpforensics/arpforensics/parse"
	"github.com/arpforensics/arpforensics/timeline"
)

// FuzzRead feeds arbitrary bytes to the whole of ingest: undoing
// compression, sniffing (own reports, NUL runs included) and the parser the
// sniffer picks. Whatever the input: no panic, a source that names its
// kind, and every record accounted for. Seeds are small so fuzzing starts
// at once.
func FuzzRead(f *testing.F) {
	line := "2018-09-18 17:05:02.004 32313 DEBUG ovsdbapp.backend.ovs_idl.transaction [-] Running txn n=1 command(idx=0): DbSetCommand(table=Logical_Switch_Port, record=ab, col_values=(('external_ids', {}),)) do_commit /x.py:1\n"
	for _, s := range [][]byte{
		[]byte(line),
		append(make([]byte, 64), line...),
		gz([]byte(line)),
		gz(gz(gz(gz([]byte(line))))),
		zst([]byte("? (10.0.0.1) at 02:00:00:00:00:01 [ether] on eth0\n")),
		[]byte("10.0.0.1 dev eth0 lladdr 02:00:00:00:00:01 REACHABLE\n"),
		[]byte("17:09:17.276000 02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 10.0.0.2 tell 10.0.0.1, length 28\n"),
		[]byte("{\n  \"schema\": \"arpforensics.report/v1\",\n"),
		{0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0},
		{0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 28, 0, 0, 0},
	} {
		f.Add(s)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(dir, "input")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		src, _ := Read(File{Path: p}, parse.Options{Threads: 1}, timeline.NewSpace())
		if src.Kind == "" {
			t.Fatal("no kind")
		}
		if src.Analysed() {
			if sum := src.Events - src.Derived + src.Folded + src.Skipped + src.BadRecords; sum != src.Records || src.Folded < 0 || src.Skipped < 0 {
				t.Fatalf("%s: records %d ≠ events %d − derived %d + folded %d + skipped %d + bad %d",
					src.Kind, src.Records, src.Events, src.Derived, src.Folded, src.Skipped, src.BadRecords)
			}
		}
		if !timeline.Storable(src.First) || !timeline.Storable(src.Last) {
			t.Fatalf("span %v – %v", src.First, src.Last)
		}
		OwnOutput(data)
	})
}

// FuzzParseCase: a case file of any content is refused with a positioned
// error or accepted, and its globs then match any path quickly.
func FuzzParseCase(f *testing.F) {
	for _, s := range []string{
		"timezone: UTC\nyear: 2018\nhosts:\n  controller:\n    paths: [\"controller/**\", \"neutron-server*.txt*\"]\n    timezone: America/New_York\n    offset: +2.5s\n",
		"hosts:\n  a:\n    paths: [\"" + strings.Repeat("**/", 12) + "x\"]\n",
		"hosts: [1, 2]\n",
		"year: x\nhosts:\n  a:\n    offset: y\n",
		"a: &a [*a]\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		c, err := ParseCase("case.yaml", []byte(data))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "case.yaml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for _, p := range []string{"x", "controller/neutron-server.txt", strings.Repeat("d/", 30) + "x"} {
			c.HostFor(filepath.Join(c.Root, p))
		}
	})
}
