package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/arpforensics/arpforensics/internal/tempout"
)

// Hostile inputs: each test builds its attack on disk (small: gzip makes a
// bomb of zeros tiny), analyses it beside a good sample in one run of the
// program, and checks that the run stayed within 256 MB of RSS and 30 s,
// that the attack is a problem naming its position, and that the sample
// kept its findings and the exit code they call for.
const (
	hostileRSS     = 256 << 20
	hostileTimeout = 30 * time.Second
)

// hostileRun is one run of the program on hostile inputs.
type hostileRun struct {
	code   int
	stdout string
	stderr string
	rss    int64 // peak resident set, bytes
	report struct {
		Sources []struct {
			Path       string `json:"path"`
			Kind       string `json:"kind"`
			Records    int64  `json:"records"`
			Events     int64  `json:"events"`
			Folded     int64  `json:"folded"`
			Skipped    int64  `json:"skipped"`
			SkipReason string `json:"skip_reason"`
			Problems   []struct {
				Pos     string `json:"pos"`
				Message string `json:"message"`
				Level   string `json:"level"`
			} `json:"problems"`
		} `json:"sources"`
		Findings []struct {
			Detector string `json:"detector"`
			Severity string `json:"severity"`
		} `json:"findings"`
	}
}

// runHostile runs analyze --format json on paths plus samples/fip-reuse,
// within the time and memory bounds.
func runHostile(t *testing.T, args ...string) *hostileRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), hostileTimeout)
	defer cancel()
	args = append([]string{"analyze", "--format", "json"}, args...)
	args = append(args, "../../samples/fip-reuse")
	cmd := exec.CommandContext(ctx, builtProgram(t), args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("the run took longer than %v: %v\nstderr: %s", hostileTimeout, err, errb.String())
	}
	r := &hostileRun{stdout: out.String(), stderr: errb.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	default:
		t.Fatalf("running %v: %v", args, err)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.rss = ru.Maxrss << 10 // kilobytes on Linux
	}
	t.Logf("exit %d, peak RSS %d MB", r.code, r.rss>>20)
	if r.rss > hostileRSS {
		t.Errorf("peak RSS %d MB, more than %d MB", r.rss>>20, hostileRSS>>20)
	}
	if err := json.Unmarshal(out.Bytes(), &r.report); err != nil {
		t.Fatalf("no JSON report (exit %d): %v\nstderr: %s", r.code, err, r.stderr)
	}
	r.sampleKept(t)
	return r
}

// sampleKept checks that fip-reuse kept its findings and exit code 1.
func (r *hostileRun) sampleKept(t *testing.T) {
	t.Helper()
	if r.code != exitFindings {
		t.Errorf("exit %d, want %d (fip-reuse's high findings)\nstderr: %s", r.code, exitFindings, r.stderr)
	}
	seen := map[string]bool{}
	for _, f := range r.report.Findings {
		if f.Severity == "high" {
			seen[f.Detector] = true
		}
	}
	for _, d := range []string{"stale-mac", "missing-probe"} {
		if !seen[d] {
			t.Errorf("fip-reuse's high %s finding is missing", d)
		}
	}
}

// problem checks that the source at path has a problem containing want
// (with the position where the message itself does not give it).
func (r *hostileRun) problem(t *testing.T, path, want string) {
	t.Helper()
	for _, s := range r.report.Sources {
		if s.Path != path {
			continue
		}
		for _, p := range s.Problems {
			if strings.Contains(p.Pos+": "+p.Message, want) {
				return
			}
		}
		t.Errorf("%s: no problem containing %q; problems: %+v", path, want, s.Problems)
		return
	}
	t.Errorf("%s: not among the sources", path)
}

// writeGzip writes a gzip file whose content head is followed by zeros
// bytes of zeros.
func writeGzip(t *testing.T, path string, head []byte, zeros int64, more func(w io.Writer)) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w, _ := gzip.NewWriterLevel(f, gzip.BestSpeed)
	w.Write(head)
	if more != nil {
		more(w)
	}
	zero := make([]byte, 1<<20)
	for n := zeros; n > 0; n -= int64(len(zero)) {
		w.Write(zero[:min(n, int64(len(zero)))])
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

func le32(b []byte, vs ...uint32) []byte {
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint32(b, v)
	}
	return b
}

// pcapngHead is a little-endian section header and one Ethernet interface.
func pcapngHead() []byte {
	b := le32(nil, 0x0a0d0d0a, 28, 0x1a2b3c4d)
	b = binary.LittleEndian.AppendUint16(b, 1)
	b = binary.LittleEndian.AppendUint16(b, 0)
	b = binary.LittleEndian.AppendUint64(b, ^uint64(0))
	b = le32(b, 28)
	return append(b, idb()...)
}

func idb() []byte {
	b := le32(nil, 1, 20)
	b = binary.LittleEndian.AppendUint16(b, 1) // Ethernet
	b = binary.LittleEndian.AppendUint16(b, 0)
	return le32(b, 0, 20)
}

func TestHostileLyingRecordLengths(t *testing.T) {
	dir := t.TempDir()
	// A pcap whose header allows 4 GB records and whose first record
	// claims nearly that, followed by 512 MiB of zeros to fill it.
	pcapHead := le32(nil, 0xa1b2c3d4)
	pcapHead = binary.LittleEndian.AppendUint16(pcapHead, 2)
	pcapHead = binary.LittleEndian.AppendUint16(pcapHead, 4)
	pcapHead = le32(pcapHead, 0, 0, 0xffffffff, 1)
	pcapHead = le32(pcapHead, 1500000000, 0, 0xfffffff0, 0xfffffff0)
	bigPcap := filepath.Join(dir, "big-record.pcap.gz")
	writeGzip(t, bigPcap, pcapHead, 512<<20, nil)
	// The same with a pcapng enhanced packet block.
	epb := le32(pcapngHead(), 6, 32, 0, 0, 0, 0xfffffff0, 0xfffffff0)
	bigEPB := filepath.Join(dir, "big-epb.pcapng.gz")
	writeGzip(t, bigEPB, epb, 512<<20, nil)
	// An enhanced packet block that holds the record it declares, of
	// 320 KiB: more than any Ethernet record may be.
	long := le32(pcapngHead(), 6, 32+320<<10, 0, 0, 0, 320<<10, 320<<10)
	longEPB := filepath.Join(dir, "long-epb.pcapng.gz")
	writeGzip(t, longEPB, long, 320<<10+4, nil)
	// A block declaring 4 GB.
	huge := le32(pcapngHead(), 6, 0xfffffff0, 0, 0, 0, 60, 60)
	hugeBlock := filepath.Join(dir, "huge-block.pcapng.gz")
	writeGzip(t, hugeBlock, huge, 64<<20, nil)
	// A section of a million interfaces.
	ifaces := filepath.Join(dir, "interfaces.pcapng.gz")
	writeGzip(t, ifaces, pcapngHead(), 0, func(w io.Writer) {
		b := bytes.Repeat(idb(), 10000)
		for i := 0; i < 100; i++ {
			w.Write(b)
		}
	})
	for _, p := range []string{bigPcap, bigEPB, longEPB, hugeBlock, ifaces} {
		fi, _ := os.Stat(p)
		t.Logf("%s: %d bytes on disk", filepath.Base(p), fi.Size())
	}
	r := runHostile(t, bigPcap, bigEPB, longEPB, hugeBlock, ifaces)
	r.problem(t, bigPcap, "byte 24: record 1 at byte 24 declares 4294967280 captured bytes, more than the 262144-byte maximum for link type 1")
	r.problem(t, bigEPB, "byte 48: damaged pcapng enhanced packet block at byte 48: it declares 4294967280 captured bytes but holds only 0")
	r.problem(t, longEPB, "byte 48: pcapng enhanced packet block at byte 48 declares 327680 captured bytes, more than the 262144-byte maximum for link type 1")
	r.problem(t, hugeBlock, "byte 48: pcapng enhanced packet block at byte 48 declares 4294967280 bytes, more than the 16777216-byte maximum block length")
	r.problem(t, ifaces, "byte 81948: pcapng interface description block at byte 81948 is one more than the 4096 interfaces a section may have")
}

func gz(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestHostileCompression(t *testing.T) {
	dir := t.TempDir()
	// A zstd frame declaring a 512 MiB window (the zstd tool refuses
	// more than 128 MiB), then 512 MiB of RLE blocks to fill it.
	z := []byte{0x28, 0xb5, 0x2f, 0xfd, 0x00, 19 << 3}
	for i := 0; i < 4096; i++ {
		hdr := uint32(128<<10)<<3 | 1<<1 // RLE block of 128 KiB
		if i == 4095 {
			hdr |= 1
		}
		z = append(z, byte(hdr), byte(hdr>>8), byte(hdr>>16), 'x')
	}
	window := filepath.Join(dir, "window.log.zst")
	os.WriteFile(window, z, 0o644)
	// Four layers of gzip.
	pcap, err := os.ReadFile("../../samples/fip-reuse/tempest-br-ex.pcap")
	if err != nil {
		t.Fatal(err)
	}
	deep := filepath.Join(dir, "deep.pcap.gz")
	os.WriteFile(deep, gz(t, gz(t, gz(t, gz(t, pcap)))), 0o644)
	// A gzipped capture cut in the middle of its compressed stream.
	whole := gz(t, pcap)
	cut := filepath.Join(dir, "cut.pcap.gz")
	os.WriteFile(cut, whole[:len(whole)/2], 0o644)

	r := runHostile(t, window, deep, cut)
	r.problem(t, window, "zstd frame declares a window larger than 128 MiB")
	r.problem(t, deep, "too many compression layers: still compressed (starts 1f8b")
	r.problem(t, cut, "capture cut short")
	r.problem(t, cut, "gzip stream cut short: the stored file breaks off after "+itoa(len(whole)/2)+" bytes, where its decompressed data ends at byte")
}

func itoa(n int) string { return strconv.Itoa(n) }

// source finds the report's source for path.
func (r *hostileRun) source(t *testing.T, path string) (kind, skip string, events int64) {
	t.Helper()
	for _, s := range r.report.Sources {
		if s.Path == path {
			return s.Kind, s.SkipReason, s.Events
		}
	}
	t.Errorf("%s: not among the sources", path)
	return "", "", 0
}

func (r *hostileRun) skipped(t *testing.T, path, want string) {
	t.Helper()
	if _, skip, _ := r.source(t, path); !strings.Contains(skip, want) {
		t.Errorf("%s: skip reason %q, want it to contain %q", path, skip, want)
	}
}

func TestHostilePaths(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "logs")
	real := filepath.Join(root, "real")
	os.MkdirAll(filepath.Join(root, "node1"), 0o755)
	os.MkdirAll(real, 0o755)
	dump, err := os.ReadFile("../../samples/arp-unanswered/tcpdump-br-ex.txt")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(real, "tcpdump.txt"), dump, 0o644)
	fifo := filepath.Join(root, "node1", "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("cannot make a FIFO here: %v", err)
	}
	sock := filepath.Join(root, "node1", "sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Skipf("cannot make a unix socket here: %v", err)
	}
	defer l.Close()
	os.Symlink("/dev/zero", filepath.Join(root, "node1", "zero"))
	os.Symlink("real", filepath.Join(root, "link")) // walked first: "link" < "real"
	os.Symlink("..", filepath.Join(real, "loop"))   // back to the root: a loop
	// Named on the command line: a FIFO, and a link to a directory.
	argFifo := filepath.Join(dir, "arg-fifo")
	syscall.Mkfifo(argFifo, 0o644)
	other := filepath.Join(dir, "other")
	os.MkdirAll(other, 0o755)
	os.WriteFile(filepath.Join(other, "tcpdump.txt"), dump, 0o644)
	argLink := filepath.Join(dir, "link-to-dir")
	os.Symlink("other", argLink)

	r := runHostile(t, root, argFifo, argLink)
	r.skipped(t, fifo, "a named pipe (FIFO), not read")
	r.skipped(t, argFifo, "a named pipe (FIFO), not read")
	r.skipped(t, sock, "a socket, not read")
	r.skipped(t, filepath.Join(root, "node1", "zero"), "a character device, not read")
	r.skipped(t, real, "the same directory as "+filepath.Join(root, "link")+" (a link), already read there")
	r.skipped(t, filepath.Join(root, "link", "loop"), "the same directory as "+root)
	for _, p := range []string{filepath.Join(root, "link", "tcpdump.txt"), filepath.Join(argLink, "tcpdump.txt")} {
		if kind, _, events := r.source(t, p); kind != "tcpdump-text" || events == 0 {
			t.Errorf("%s behind a link to a directory: kind %q, %d events", p, kind, events)
		}
	}
}

func TestHostileCaseFiles(t *testing.T) {
	dump, err := os.ReadFile("../../samples/arp-unanswered/tcpdump-br-ex.txt")
	if err != nil {
		t.Fatal(err)
	}
	// A dozen "**" against a path 40 directories deep: exponential
	// backtracking took minutes.
	root := filepath.Join(t.TempDir(), "logs")
	deep := filepath.Join(append([]string{root}, slices.Repeat([]string{"d"}, 40)...)...)
	os.MkdirAll(deep, 0o755)
	os.WriteFile(filepath.Join(deep, "tcpdump.txt"), dump, 0o644)
	glob := strings.Repeat("**/", 12) + "nomatch/*.txt"
	os.WriteFile(filepath.Join(root, "case.yaml"), []byte("hosts:\n  h1:\n    paths: [\""+glob+"\"]\n  h2:\n    paths: [\""+strings.Repeat("**/d/", 12)+"**/tcpdump.txt\"]\n"), 0o644)
	r := runHostile(t, root)
	for _, s := range r.report.Sources {
		if strings.HasSuffix(s.Path, "tcpdump.txt") && s.Events == 0 {
			t.Errorf("%s: no events", s.Path)
		}
	}
	if !strings.Contains(r.stdout, `"host": "h2"`) {
		t.Error("the deep file was not given host h2 by the case file")
	}

	// A case file in a tree that is not valid: a problem on it, the run
	// goes on; the same file named with --case stops the run.
	bad := filepath.Join(t.TempDir(), "logs")
	os.MkdirAll(filepath.Join(bad, "n1"), 0o755)
	os.WriteFile(filepath.Join(bad, "n1", "tcpdump.txt"), dump, 0o644)
	badCase := filepath.Join(bad, "case.yaml")
	os.WriteFile(badCase, []byte("hosts:\n  n1:\n    paths: [\"*.txt\"]\n    offset: soon\n"), 0o644)
	r = runHostile(t, bad)
	r.problem(t, badCase, "line 4: case file not used: column 13: offset of host n1")
	code, _, stderr := runCLI(t, "analyze", "--case", badCase, bad)
	if code != exitUsage || !strings.Contains(stderr, badCase+":4:13:") {
		t.Errorf("--case with a bad file: exit %d, stderr %q", code, stderr)
	}
}

func TestHostileSniffing(t *testing.T) {
	log, err := os.ReadFile("../../samples/txn-race/neutron-server.log")
	if err != nil {
		t.Fatal(err)
	}
	// Not named logs: a logs/ directory is read as one node's (its parent
	// names the host), and here a and b are two hosts.
	root := filepath.Join(t.TempDir(), "artifacts")
	os.MkdirAll(filepath.Join(root, "a"), 0o755)
	os.MkdirAll(filepath.Join(root, "b"), 0o755)
	// logrotate's copytruncate: the log starts with a hole of NULs; and a
	// crash left another run of them in the middle.
	nul := filepath.Join(root, "a", "neutron-server.log")
	half := bytes.IndexByte(log[len(log)/2:], '\n') + len(log)/2 + 1
	body := append(append(append(make([]byte, 8192), log[:half]...), make([]byte, 300)...), log[half:]...)
	os.WriteFile(nul, body, 0o644)
	// A tenant's port name carrying the JSON report's schema text.
	planted := filepath.Join(root, "b", "neutron-server.log")
	line := `2018-09-18 17:05:01.000 32313 DEBUG neutron.plugins.ml2.managers [-] port name "schema": "arpforensics.report/v1" bound` + "\n"
	os.WriteFile(planted, append([]byte(line), log...), 0o644)

	r := runHostile(t, root)
	for _, p := range []string{nul, planted} {
		if kind, skip, events := r.source(t, p); kind != "txnlog" || events == 0 {
			t.Errorf("%s: kind %q (%s), %d events; want a transaction log", p, kind, skip, events)
		}
	}
	r.problem(t, nul, "8492 NUL byte(s) in 2 run(s) skipped, the first run at byte 0")
	n := 0
	for _, f := range r.report.Findings {
		if f.Detector == "interleaved-txn" && f.Severity == "high" {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d high interleaved-txn findings, want one per log", n)
	}
}

func TestHostileValues(t *testing.T) {
	dir := t.TempDir()
	// A pcapng enhanced packet block whose timestamp is all ones (year
	// 586524), then a good ARP frame.
	arp := []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x08, 0x06,
		0, 1, 8, 0, 6, 4, 0, 1, 2, 0, 0, 0, 0, 1, 10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 10, 0, 0, 2}
	epb := func(hi, lo uint32) []byte {
		b := le32(nil, 6, uint32(32+44), 0, hi, lo, uint32(len(arp)), uint32(len(arp)))
		b = append(b, arp...)
		b = append(b, 0, 0)
		return le32(b, uint32(32+44))
	}
	ng := append(append(pcapngHead(), epb(0xffffffff, 0xffffffff)...), epb(0x0005a000, 0)...)
	future := filepath.Join(dir, "future.pcapng")
	os.WriteFile(future, ng, 0o644)
	// A port name with a right-to-left override, quoted in a finding.
	log, err := os.ReadFile("../../samples/txn-race/neutron-server.log")
	if err != nil {
		t.Fatal(err)
	}
	rlo := filepath.Join(dir, "rlo", "neutron-server.log")
	os.MkdirAll(filepath.Dir(rlo), 0o755)
	os.WriteFile(rlo, bytes.ReplaceAll(log, []byte("neutron-cc163b42"), []byte("neutron-\u202ecc163b42")), 0o644)
	junit := filepath.Join(dir, "report.xml")

	r := runHostile(t, "--junit", junit, future, rlo)
	r.problem(t, future, "frame 1: 1 event(s) left out for a timestamp outside the years 1823–2116 the timeline holds (the first in the year 586524)")
	for _, s := range r.report.Sources {
		if s.Path == future && s.Events != 1 {
			t.Errorf("%s: %d events, want the good frame's", future, s.Events)
		}
	}
	var raw map[string]any
	json.Unmarshal([]byte(r.stdout), &raw)
	for _, s := range raw["sources"].([]any) {
		for _, k := range []string{"first", "last"} {
			if v, ok := s.(map[string]any)[k].(string); ok {
				if _, err := time.Parse(time.RFC3339Nano, v); err != nil {
					t.Errorf("%s: %s %q is not RFC 3339", s.(map[string]any)["path"], k, v)
				}
			}
		}
	}
	x, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	for what, b := range map[string][]byte{"JUnit": x, "JSON": []byte(r.stdout)} {
		if bytes.Contains(b, []byte("\u202e")) {
			t.Errorf("%s holds a raw U+202E", what)
		}
		if !bytes.Contains(b, []byte(`neutron-\u202ecc163b42`)) {
			t.Errorf("%s does not show the override as \\u202e", what)
		}
	}

	// Arguments echoed on stderr.
	for _, args := range [][]string{
		{"analyze", "--tz", "Europe/\x1b[31mRed", "../../samples/fip-reuse"},
		{"analyze", "-o", filepath.Join(dir, "no-such-dir", "r\x1b]0;pwned\x07.json"), "../../samples/fip-reuse"},
	} {
		code, _, stderr := runCLI(t, args...)
		if code != exitUsage || strings.ContainsAny(stderr, "\x1b\x07") || !strings.Contains(stderr, `\x1b`) {
			t.Errorf("%q: exit %d, stderr %q", args, code, stderr)
		}
	}
}

func TestHostileOutputs(t *testing.T) {
	out := t.TempDir()
	jsonOut := filepath.Join(out, "r.json")
	// What SIGKILL left of an earlier run: its temporary file. The next
	// run writing the same output removes it.
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Skip(err)
	}
	stale := filepath.Join(out, ".r.json"+tempout.Mark+strconv.Itoa(dead.Process.Pid)+"-123")
	os.WriteFile(stale, bytes.Repeat([]byte("x"), 1<<20), 0o644)
	r := runHostile(t, "--json", jsonOut)
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("the stale temporary file %s is still there (%v)", stale, err)
	}
	first, err := os.ReadFile(jsonOut)
	if err != nil || !bytes.Contains(first, []byte(`"schema": "arpforensics.report/v1"`)) {
		t.Fatalf("no JSON report written: %v", err)
	}
	_ = r

	// Outputs are replaced together: when one cannot be written, none is.
	long := filepath.Join(out, strings.Repeat("n", 250)+".xml")
	code, _, stderr := runCLI(t, "analyze", "--json", jsonOut, "--junit", long, "--ndjson", filepath.Join(out, "f.ndjson"), "../../samples/txn-race")
	if code != exitUsage || !strings.Contains(stderr, "no output file was replaced") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	if now, _ := os.ReadFile(jsonOut); !bytes.Equal(now, first) {
		t.Error("the JSON report was replaced although the run's JUnit output failed")
	}
	entries, _ := os.ReadDir(out)
	for _, e := range entries {
		if e.Name() != "r.json" {
			t.Errorf("left in the output directory: %s", e.Name())
		}
	}
}
