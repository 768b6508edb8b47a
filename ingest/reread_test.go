package ingest

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/arpforensics/arpforensics/parse"
	"github.com/arpforensics/arpforensics/timeline"
)

// A plain file's events keep only where their text or frame stands; they are
// read again from the file when shown. For every sample and corpus file,
// what comes back that way must be exactly what a copy kept in memory gives:
// each parser's offsets point at the bytes it cites.
func TestTextAndFramesReadAgainFromTheFile(t *testing.T) {
	var files []string
	for _, root := range []string{"../samples", "../testdata/corpus"} {
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() && filepath.Ext(p) != ".go" && filepath.Base(p) != "expected.json" {
				files = append(files, p)
			}
			return nil
		})
	}
	checked := 0
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		f := File{Path: p, Host: "h", Size: int64(len(data))}
		src, sink := Read(f, parse.Options{}, timeline.NewSpace())
		if sink == nil || bytes.HasPrefix(data, magicGzip) || bytes.HasPrefix(data, magicZstd) {
			continue
		}
		reread := mustMerge(t, src, sink)
		// The same bytes through a reader the sink cannot re-read: every
		// event keeps its own copy.
		kept := &timeline.Source{Path: p, Host: "h", Kind: src.Kind}
		if strings.Contains(src.Path, MemberSep) {
			continue // a container's member: its text is kept, never re-read
		}
		var k *parse.Format
		for i := range kinds {
			if kinds[i].Name == src.Kind {
				k = &kinds[i] // the kind found, in the head or further in
			}
		}
		sink2 := timeline.NewSpace().NewSink("")
		k.Parse(bytes.NewReader(data), kept, parse.Options{}, sink2)
		copied := mustMerge(t, kept, sink2)
		if reread.Len() != copied.Len() {
			t.Fatalf("%s: %d events re-read, %d kept", p, reread.Len(), copied.Len())
		}
		for i := range reread.Len() {
			a, b := reread.Event(i), copied.Event(i)
			if !reflect.DeepEqual(a, b) {
				t.Fatalf("%s: event %d differs:\nre-read %+v %+v\nkept    %+v %+v", p, i, a, a.Data, b, b.Data)
			}
		}
		checked++
	}
	if checked < 10 {
		t.Errorf("only %d files checked", checked)
	}
}

func mustMerge(t *testing.T, src *timeline.Source, sink *timeline.Sink) *timeline.Timeline {
	t.Helper()
	tl, err := timeline.Merge([]*timeline.Source{src}, []*timeline.Sink{sink}, timeline.Window{})
	if err != nil {
		t.Fatal(err)
	}
	return tl
}
