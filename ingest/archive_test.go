package ingest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/arpforensics/arpforensics/parse"
	"github.com/arpforensics/arpforensics/timeline"
)

// needTools skips when a command-line tool the test builds its inputs with
// is missing (.ci/run installs them all).
func needTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (apt-get install %s): needed to build real archives", tool, tool)
		}
	}
}

func run(t *testing.T, dir string, name string, args ...string) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

// readEach reads one file and returns every source it yields.
func readEach(t *testing.T, p string) []*timeline.Source {
	t.Helper()
	var srcs []*timeline.Source
	ReadEach(File{Path: p, Host: "node", ModTime: time.Now()}, parse.Options{}, timeline.NewSpace(), nil, func(s *timeline.Source, _ *timeline.Sink) {
		srcs = append(srcs, s)
	})
	return srcs
}

// Every compression the CLI tools write is undone by its magic, and every
// archive is walked member by member, members named archive!/path, whatever
// the archive's own compression and however deep it is nested.
func TestArchivesAndCodecsByMagic(t *testing.T) {
	needTools(t, "tar", "xz", "bzip2", "lz4", "zstd", "zip", "gzip")
	withKind(t)
	dir := t.TempDir()
	tree := filepath.Join(dir, "tree")
	if err := os.MkdirAll(filepath.Join(tree, "node", "logs"), 0o755); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for i := range 50000 {
		fmt.Fprintf(&b, "HELLO %d %x\n", i, i*2654435761)
	}
	hello := filepath.Join(tree, "node", "logs", "hello.txt")
	os.WriteFile(hello, []byte(b.String()), 0o644)
	os.WriteFile(filepath.Join(tree, "node", "logs", "notes.txt"), []byte("nothing here\n"), 0o644)
	os.Symlink("hello.txt", filepath.Join(tree, "node", "logs", "link.txt"))

	for _, c := range [][]string{
		{"xz", "-k", "-c", "tree/node/logs/hello.txt"}, {"bzip2", "-k", "-c", "tree/node/logs/hello.txt"},
		{"lz4", "-c", "tree/node/logs/hello.txt"}, {"zstd", "-q", "-c", "tree/node/logs/hello.txt"},
	} {
		cmd := exec.Command(c[0], c[1:]...)
		cmd.Dir = dir
		out, err := cmd.Output()
		if err != nil {
			t.Fatal(c, err)
		}
		os.WriteFile(filepath.Join(dir, "hello."+c[0]), out, 0o644)
	}
	run(t, dir, "tar", "cf", "a.tar", "tree")
	run(t, dir, "tar", "cJf", "a.tar.xz", "tree")
	run(t, dir, "tar", "czf", "a.tar.gz", "tree")
	run(t, dir, "tar", "--zstd", "-cf", "a.tar.zst", "tree")
	run(t, dir, "tar", "cjf", "a.tar.bz2", "tree")
	run(t, dir, "zip", "-qry", "a.zip", "tree")
	// A zip holding a .tar.xz: the zip is spooled only when it is not a
	// plain file; here it is, and its member is a compressed tar.
	run(t, dir, "zip", "-q", "outer.zip", "a.tar.xz")
	run(t, dir, "xz", "-k", "a.zip")                            // a compressed zip: spooled to a temporary file
	run(t, dir, "zip", "-qry", "-Z", "bzip2", "bz.zip", "tree") // bzip2-compressed members

	for codec, comp := range map[string]string{"xz": "xz", "bzip2": "bzip2", "lz4": "lz4", "zstd": "zstd"} {
		s := readEach(t, filepath.Join(dir, "hello."+codec))
		if len(s) != 1 || s[0].Kind != "hello" || s[0].Compression != comp || s[0].Records != 50000 || len(s[0].Problems) != 0 {
			t.Errorf("hello.%s: %+v", codec, s[0])
		}
	}
	for _, name := range []string{"a.tar", "a.tar.xz", "a.tar.gz", "a.tar.zst", "a.tar.bz2", "a.zip", "a.zip.xz", "outer.zip", "bz.zip"} {
		p := filepath.Join(dir, name)
		prefix := p + "!/"
		if name == "outer.zip" {
			prefix = p + "!/a.tar.xz!/"
		}
		got := map[string]*timeline.Source{}
		var paths []string
		for _, s := range readEach(t, p) {
			got[s.Path] = s
			paths = append(paths, s.Path)
		}
		h := got[prefix+"tree/node/logs/hello.txt"]
		if h == nil || h.Kind != "hello" || h.Records != 50000 || h.Host != "node" || len(h.Problems) != 0 {
			t.Errorf("%s: hello member %+v; sources %v", name, h, paths)
		}
		// Read as a single file (no tree around it), the member's own
		// <node>/logs/ path names the host.
		var inner *timeline.Source
		ReadEach(File{Path: p, Host: DefaultHost}, parse.Options{}, timeline.NewSpace(), nil, func(s *timeline.Source, _ *timeline.Sink) {
			if strings.HasSuffix(s.Path, "hello.txt") {
				inner = s
			}
		})
		if inner == nil || inner.Host != "node" {
			t.Errorf("%s read alone: hello member %+v", name, inner)
		}
		if n := got[prefix+"tree/node/logs/notes.txt"]; n == nil || n.SkipReason != "text of no known artifact kind" {
			t.Errorf("%s: notes member %+v", name, n)
		}
		for _, p := range paths {
			if strings.HasSuffix(p, "link.txt") {
				t.Errorf("%s: a symbolic link member was read: %s", name, p)
			}
		}
		if a := got[p]; a == nil || !strings.Contains(a.SkipReason, "archive of") || a.Analysed() {
			t.Errorf("%s: the archive's own source %+v", name, a)
		}
	}
}

// A tar cut short keeps the members read before the cut and says where it
// broke.
func TestTruncatedTarKeepsEarlierMembers(t *testing.T) {
	needTools(t, "tar")
	withKind(t)
	dir := t.TempDir()
	for i := range 3 {
		var b strings.Builder
		for j := range 20000 {
			fmt.Fprintf(&b, "HELLO %d %d %x\n", i, j, j*2654435761)
		}
		os.WriteFile(filepath.Join(dir, fmt.Sprintf("m%d.txt", i)), []byte(b.String()), 0o644)
	}
	run(t, dir, "tar", "cf", "a.tar", "m0.txt", "m1.txt", "m2.txt")
	data, _ := os.ReadFile(filepath.Join(dir, "a.tar"))
	os.WriteFile(filepath.Join(dir, "cut.tar"), data[:len(data)/2], 0o644)
	srcs := readEach(t, filepath.Join(dir, "cut.tar"))
	var kinds []string
	problems := 0
	for _, s := range srcs {
		kinds = append(kinds, s.Kind)
		problems += len(s.Problems)
	}
	if len(srcs) != 3 || srcs[0].Kind != "hello" || srcs[0].Records != 20000 || srcs[1].Records == 0 || problems == 0 {
		for _, s := range srcs {
			t.Logf("%s %s %d %v", s.Path, s.Kind, s.Records, s.Problems)
		}
		t.Errorf("cut archive: kinds %v problems %d", kinds, problems)
	}
	if !slices.Contains(kinds, "tar") {
		t.Errorf("no source for the archive itself: %v", kinds)
	}
}

// Both xz decoders (the xz tool when installed, the pure-Go one otherwise)
// read the same lines, and both report a cut stream after keeping what came
// before the cut.
func TestXzDecoders(t *testing.T) {
	needTools(t, "xz")
	withKind(t)
	dir := t.TempDir()
	var b strings.Builder
	for i := range 60000 {
		fmt.Fprintf(&b, "HELLO %d %x\n", i, i*2654435761)
	}
	p := filepath.Join(dir, "hello.txt")
	os.WriteFile(p, []byte(b.String()), 0o644)
	run(t, dir, "xz", "-k", "hello.txt")
	data, _ := os.ReadFile(p + ".xz")
	os.WriteFile(filepath.Join(dir, "cut.xz"), data[:len(data)/2], 0o644)
	for _, mode := range []string{"tool", "go"} {
		t.Setenv("ARPF_XZ", mode)
		s := readEach(t, p+".xz")[0]
		if s.Kind != "hello" || s.Records != 60000 || len(s.Problems) != 0 {
			t.Errorf("%s decoder: %+v", mode, s)
		}
		c := readEach(t, filepath.Join(dir, "cut.xz"))[0]
		if c.Kind != "hello" || c.Records == 0 || c.Records >= 60000 || len(c.Problems) == 0 {
			t.Errorf("%s decoder, cut stream: records %d problems %v", mode, c.Records, c.Problems)
		} else {
			t.Logf("%s decoder, cut stream: %d records, %v", mode, c.Records, c.Problems)
		}
	}
}

// A capture compressed with xz reads to its end like the capture itself,
// through either decoder: the capture reader asks again after the end, and
// the xz tool's pipe, closed by then, must keep answering with the end, not
// with a read error that made the last frame look damaged.
func TestXzCaptureReadsToItsEnd(t *testing.T) {
	needTools(t, "xz")
	dir := t.TempDir()
	capture, err := os.ReadFile("../samples/fip-reuse/tempest-br-ex.pcap")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "c.pcap")
	os.WriteFile(p, capture, 0o644)
	run(t, dir, "xz", "-k", "c.pcap")
	plain := readEach(t, p)[0]
	if plain.Kind != "pcap" || plain.Records == 0 || len(plain.Problems) != 0 {
		t.Fatalf("the capture itself: %+v", plain)
	}
	for _, mode := range []string{"tool", "go"} {
		t.Setenv("ARPF_XZ", mode)
		s := readEach(t, p+".xz")[0]
		if s.Kind != "pcap" || s.Records != plain.Records || len(s.Problems) != 0 {
			t.Errorf("%s decoder: kind %s, %d records (want %d), problems %v", mode, s.Kind, s.Records, plain.Records, s.Problems)
		}
	}
}

// Every codec's stream that breaks off is named as such, with both offsets,
// and a fourth layer of any codec is refused as too deep.
func TestEveryCodecIsWatchedAndCounted(t *testing.T) {
	needTools(t, "xz", "bzip2", "lz4", "gzip", "zstd")
	withKind(t)
	dir := t.TempDir()
	var b strings.Builder
	for i := range 60000 {
		fmt.Fprintf(&b, "HELLO %d %x\n", i, i*2654435761)
	}
	os.WriteFile(filepath.Join(dir, "hello.txt"), []byte(b.String()), 0o644)
	for _, c := range []struct{ tool, ext, name string }{{"xz", ".xz", "xz"}, {"bzip2", ".bz2", "bzip2"}, {"lz4", ".lz4", "lz4"}} {
		if c.tool == "lz4" {
			run(t, dir, "lz4", "-q", "-f", "hello.txt", "hello.txt.lz4") // with one name lz4 writes to a pipe
		} else {
			run(t, dir, c.tool, "-k", "-f", "hello.txt")
		}
		data, err := os.ReadFile(filepath.Join(dir, "hello.txt"+c.ext))
		if err != nil || len(data) < 100 {
			t.Fatalf("%s wrote no file: %v", c.tool, err)
		}
		cut := filepath.Join(dir, "cut"+c.ext)
		os.WriteFile(cut, data[:len(data)/2], 0o644)
		for _, mode := range []string{"tool", "go"} {
			t.Setenv("ARPF_XZ", mode)
			s := readEach(t, cut)[0]
			found := false
			for _, p := range s.Problems {
				found = found || strings.Contains(p.Message, c.name+" stream") && strings.Contains(p.Message, "breaks off after")
			}
			if !found {
				t.Errorf("%s (xz %s): a cut stream is not named as one: %+v", c.ext, mode, s)
			}
		}
	}
	// gzip(zstd(bzip2(xz(text)))): four layers, one too many.
	run(t, dir, "xz", "-k", "-f", "hello.txt")
	run(t, dir, "bzip2", "-k", "-f", "hello.txt.xz")
	run(t, dir, "zstd", "-q", "-f", "hello.txt.xz.bz2")
	run(t, dir, "gzip", "-k", "-f", "hello.txt.xz.bz2.zst")
	s := readEach(t, filepath.Join(dir, "hello.txt.xz.bz2.zst.gz"))[0]
	if len(s.Problems) == 0 || !strings.Contains(s.Problems[0].Message, "too many compression layers") {
		t.Errorf("four layers: kind %q, problems %v", s.Kind, s.Problems)
	}
}
