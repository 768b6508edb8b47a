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
	kinds = append(append([]parse.Format(nil), kinds...), parse.Format{
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

// A tenant's text that quotes a report's marks does not make a log a
// report; the reports themselves are recognised by their shape.
func TestOwnOutputByShape(t *testing.T) {
	for head, want := range map[string]string{
		"{\n  \"schema\": \"arpforensics.report/v1\",\n  \"sources\": [":                                                            "an arpforensics JSON report",
		"2018-09-18 17:05:01.000 1 DEBUG x \"schema\": \"arpforensics.report/v1\"\n":                                                "",
		"{\"sources\": [], \"schema\": \"arpforensics.report/v1\"}":                                                                 "",
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"arpforensics\" tests=\"1\">":                                "an arpforensics JUnit report",
		"log line <testsuites name=\"arpforensics\"\n":                                                                              "",
		"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"generator\" content=\"arpforensics\">": "an arpforensics HTML report",
		"<!DOCTYPE html>\n<html>\n<head>\n<title>x</title><meta name=\"generator\" content=\"arpforensics\">":                       "",
		"x <meta name=\"generator\" content=\"arpforensics\">":                                                                      "",
	} {
		if got := OwnOutput([]byte(head)); got != want {
			t.Errorf("OwnOutput(%q) = %q, want %q", head, got, want)
		}
	}
}

func TestNULRunsAreDropped(t *testing.T) {
	d := &nulDrop{}
	var out []byte
	for _, chunk := range []string{"ab\x00\x00", "\x00c\x00", "d", "\x00\x00\x00"} {
		b := []byte(chunk)
		out = append(out, b[:d.drop(b)]...)
	}
	if string(out) != "abcd" || d.n != 7 || d.runs != 3 || d.first != 2 {
		t.Errorf("got %q, %d NULs in %d runs from %d", out, d.n, d.runs, d.first)
	}
}

// Nothing is dropped silently: for every source of every kind, each record
// is an event of its own, folded into one, skipped or a problem, and the
// events made of no record of their own are counted apart:
// Records = Events − Derived + Folded + Skipped + BadRecords.
func TestEveryRecordIsAccountedFor(t *testing.T) {
	kinds := map[string]int{}
	for _, root := range []string{"../samples", "../testdata/corpus", "../testdata/ci", "../parse/ovsdb/testdata"} {
		files, errs := Expand([]string{root})
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		for _, f := range files {
			for _, threads := range []int{1, 2} {
				src, _ := Read(f, parse.Options{Threads: threads}, timeline.NewSpace())
				if !src.Analysed() {
					continue
				}
				kinds[src.Kind]++
				sum := src.Events - src.Derived + src.Folded + src.Skipped + src.BadRecords
				if src.Records != sum || src.Folded < 0 || src.Derived < 0 || src.Skipped < 0 || src.Derived > src.Events {
					t.Errorf("%s (%s, %d threads): records %d ≠ events %d − derived %d + folded %d + skipped %d + bad %d",
						f.Path, src.Kind, threads, src.Records, src.Events, src.Derived, src.Folded, src.Skipped, src.BadRecords)
				}
			}
		}
	}
	for _, k := range Kinds() {
		if kinds[k.Name] == 0 {
			t.Errorf("no %s among the samples and corpus: its accounting is untested", k.Name)
		}
	}
}
