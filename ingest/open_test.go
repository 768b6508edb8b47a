package ingest

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/arpforensics/arpforensics/parse"
	"github.com/arpforensics/arpforensics/timeline"
)

// withKind registers a text kind recognising lines that start with "HELLO"
// for the duration of a test; its parser counts lines and emits nothing.
func withKind(t *testing.T) {
	t.Helper()
	saved := kinds
	kinds = append(append([]parse.Format(nil), kinds...), parse.Format{
		Name: "hello", Text: true,
		Sniff: func(head []byte) bool { return bytes.HasPrefix(head, []byte("HELLO")) },
		Parse: func(r io.Reader, src *timeline.Source, _ parse.Options, _ *timeline.Sink) error {
			lr := parse.NewLineReader(r)
			for _, ok := lr.Next(); ok; _, ok = lr.Next() {
				src.Records++
			}
			return lr.Err()
		},
	})
	t.Cleanup(func() { kinds = saved })
}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func zst(b []byte) []byte {
	var buf bytes.Buffer
	w, _ := zstd.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func TestReadSniffsContentNotNames(t *testing.T) {
	withKind(t)
	dir := t.TempDir()
	var tb strings.Builder
	for i := 0; i < 100000; i++ {
		fmt.Fprintf(&tb, "HELLO line %d %x\n", i, i*2654435761) // 2 MB that compresses poorly: larger than every buffer
	}
	text := []byte(tb.String())
	packed := gz(text)
	files := map[string][]byte{
		"plain.gz":         text,          // named .gz, stored inflated
		"packed.txt":       gz(text),      // named .txt, gzipped
		"packed.zst":       zst(text),     // zstd
		"nested.log":       gz(zst(text)), // gzip of zstd
		"empty":            nil,           // empty
		"binary.bin":       {0, 1, 2, 3, 4, 5, 0xff, 0},
		"prose.txt":        []byte("just some notes\n"),
		"truncated.txt.gz": packed[:len(packed)/2],
		"badheader.txt.gz": {0x1f, 0x8b, 0x00},
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	read := func(name string) *timeline.Source {
		src, _ := Read(File{Path: filepath.Join(dir, name), Host: DefaultHost, ModTime: time.Now()}, parse.Options{}, timeline.NewSpace())
		return src
	}
	for name, comp := range map[string]string{"plain.gz": "", "packed.txt": "gzip", "packed.zst": "zstd", "nested.log": "gzip+zstd"} {
		s := read(name)
		if s.Kind != "hello" || s.Compression != comp || s.Records != 100000 || len(s.Problems) != 0 {
			t.Errorf("%s: kind %q compression %q records %d problems %v", name, s.Kind, s.Compression, s.Records, s.Problems)
		}
	}
	for name, reason := range map[string]string{
		"empty": "empty file", "binary.bin": "binary data of no known format (starts 00010203)", "prose.txt": "text of no known artifact kind",
	} {
		if s := read(name); s.SkipReason != reason || s.Unreadable {
			t.Errorf("%s: skip %q unreadable %v, want skip %q", name, s.SkipReason, s.Unreadable, reason)
		}
	}
	// A gzip stream cut short: the lines before the cut are kept and the
	// cut is reported.
	if s := read("truncated.txt.gz"); s.Kind != "hello" || s.Records == 0 || len(s.Problems) == 0 && !s.Unreadable {
		t.Errorf("truncated gzip: records %d problems %v unreadable %v", s.Records, s.Problems, s.Unreadable)
	}
	if s := read("badheader.txt.gz"); !s.Unreadable || len(s.Problems) != 1 || !strings.Contains(s.Problems[0].Message, "gzip") {
		t.Errorf("bad gzip header: %+v", s)
	}
	if s := read("missing"); !s.Unreadable || s.Problems[0].Message != "cannot open: no such file or directory" {
		t.Errorf("missing file: %+v", s)
	}
}

// tallyReader counts the bytes taken from it.
type tallyReader struct {
	r io.Reader
	n int
}

func (c *tallyReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func TestIrrelevantFilesCostOnlyTheirHead(t *testing.T) {
	big := bytes.Repeat([]byte("some unrelated log line that goes on\n"), 1<<16) // 2.4 MB
	for name, data := range map[string][]byte{"plain": big, "gzip": gz(big)} {
		cr := &tallyReader{r: bytes.NewReader(data)}
		in, err := open(cr, &timeline.Source{})
		if err != nil {
			t.Fatal(err)
		}
		if k, _ := sniff(in.head); k != nil {
			t.Fatalf("%s: sniffed as %s", name, k.Name)
		}
		in.close()
		if cr.n > 2*sniffLen {
			t.Errorf("%s: read %d bytes of an irrelevant file to sniff it, want at most %d", name, cr.n, 2*sniffLen)
		}
	}
}

// ReadCounting reports the file's bytes as it reads them, in steps, and
// their sum is the file's size.
func TestReadCountingReportsWithinAFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "server.log")
	line := "2018-09-18 17:00:00.000 28445 DEBUG ovsdbapp.backend.ovs_idl.transaction [-] Running txn n=1 command(idx=0): LsAddCommand(switch=neutron-1)\n"
	data := bytes.Repeat([]byte(line), (3*progressStep)/len(line)+1)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	var steps []int64
	ReadCounting(File{Path: path, Host: "h", Size: int64(len(data))}, parse.Options{}, timeline.NewSpace(), func(n int64) { steps = append(steps, n) })
	var sum int64
	for _, n := range steps {
		sum += n
	}
	if len(steps) < 3 || sum != int64(len(data)) {
		t.Errorf("reported %v (sum %d) for a %d-byte file: want several steps adding up to its size", steps, sum, len(data))
	}
}
