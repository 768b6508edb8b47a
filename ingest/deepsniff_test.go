package ingest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/arpforensics/arpforensics/parse"
	"github.com/arpforensics/arpforensics/timeline"
)

// A rotated neutron log whose first txn line is at line 5,361 is read as a
// transaction log, every transaction kept, at the file's own positions; as
// a gzip file too, and as a tar member (positions then count from the
// window, and a note says so).
func TestLateArtifactIsRecognised(t *testing.T) {
	needTools(t, "tar")
	seed, err := os.ReadFile("../samples/txn-race/neutron-server.log")
	if err != nil {
		t.Fatal(err)
	}
	// Start the seed at its first txn line, so that it is line 5,361.
	first := bytes.Index(seed, []byte("Running txn"))
	first = bytes.LastIndexByte(seed[:first], '\n') + 1
	var b strings.Builder
	for i := range 5360 {
		// What an l3 agent logs between transactions: oslo's lock and
		// privsep chatter, no neutron logger.
		fmt.Fprintf(&b, "2018-09-18 16:%02d:%02d.%03d 32313 DEBUG oslo_concurrency.lockutils [-] Lock \"_check_child_processes-%d\" acquired by \"neutron.agent.linux.external_process.ProcessMonitor._check_child_processes\" :: waited 0.000s inner /usr/lib/python3/dist-packages/oslo_concurrency/lockutils.py:355\n", i/60%60, i%60, i%1000, i)
	}
	text := b.String() + string(seed[first:])
	dir := t.TempDir()
	if d := os.Getenv("KEEP"); d != "" {
		dir = d
	}
	plain := filepath.Join(dir, "neutron-server.log.1")
	os.WriteFile(plain, []byte(text), 0o644)
	os.WriteFile(plain+".gz", gz([]byte(text)), 0o644)
	os.WriteFile(filepath.Join(dir, "whole.log"), seed[first:], 0o644)
	run(t, dir, "tar", "cf", "rotated.tar", "neutron-server.log.1")

	read := func(p string) []*timeline.Source {
		var out []*timeline.Source
		ReadEach(File{Path: p, Host: "controller", ModTime: time.Now()}, parse.Options{}, timeline.NewSpace(), nil, func(s *timeline.Source, _ *timeline.Sink) {
			out = append(out, s)
		})
		return out
	}
	want := read(filepath.Join(dir, "whole.log"))[0]
	if want.Kind != "txnlog" || want.Events < 200 {
		t.Fatalf("the seed itself: %+v", want)
	}
	for _, p := range []string{plain, plain + ".gz", filepath.Join(dir, "rotated.tar")} {
		s := read(p)[0]
		if s.Kind != "txnlog" || s.Events != want.Events || s.Errors() != 0 || !s.First.Equal(want.First) {
			t.Errorf("%s: kind %s events %d (want %d) first %v problems %v", p, s.Kind, s.Events, want.Events, s.First, s.Problems)
		}
		note := ""
		for _, pr := range s.Problems {
			note += pr.Message
		}
		var skipped int
		fmt.Sscanf(note, "nothing of a known kind in the first %d lines", &skipped)
		if !strings.Contains(note, "recognised as txnlog") || skipped < 5360-1000 || skipped > 5360 {
			t.Errorf("%s: no note on where the kind was recognised: %v", p, s.Problems)
		}
	}
	// Positions on disk stay the file's: the first transaction is line 5,361.
	var sink *timeline.Sink
	var src *timeline.Source
	ReadEach(File{Path: plain, Host: "controller"}, parse.Options{}, timeline.NewSpace(), nil, func(s *timeline.Source, k *timeline.Sink) { src, sink = s, k })
	tl, err := timeline.Merge([]*timeline.Source{src}, []*timeline.Sink{sink}, timeline.Window{})
	if err != nil {
		t.Fatal(err)
	}
	minLine := int64(1 << 62)
	for i := range tl.Len() {
		minLine = min(minLine, tl.Record(i).Pos.Line)
	}
	if minLine != 5361 {
		t.Errorf("first event at line %d, want 5361", minLine)
	}
}

// A large text of no kind is read to its end at a fair speed, and stays
// skipped.
func TestDeepSniffOfIrrelevantText(t *testing.T) {
	line := []byte("[  123.456] some unrelated kernel message that goes on, as dmesg prints it\n")
	data := bytes.Repeat(line, (16<<20)/len(line))
	p := filepath.Join(t.TempDir(), "syslog.txt")
	os.WriteFile(p, data, 0o644)
	start := time.Now()
	var srcs []*timeline.Source
	ReadEach(File{Path: p, Host: "h"}, parse.Options{}, timeline.NewSpace(), nil, func(s *timeline.Source, _ *timeline.Sink) { srcs = append(srcs, s) })
	if len(srcs) != 1 || srcs[0].SkipReason != "text of no known artifact kind" {
		t.Errorf("%+v", srcs[0])
	}
	t.Logf("16 MB of irrelevant text sniffed in %v", time.Since(start))
}

// A job-output.txt is a test result source when its stestr lines come at
// its end, megabytes in; without any it stays irrelevant text.
func TestJobOutputResultsAtTheEnd(t *testing.T) {
	var b strings.Builder
	for i := range 20000 {
		fmt.Fprintf(&b, "2018-09-18 17:%02d:%02d.%06d | controller | TASK [devstack : run stack.sh step %d] ok: [controller]\n", i/1200%60, i/20%60, i, i)
	}
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain-job-output.txt")
	os.WriteFile(plain, []byte(b.String()), 0o644)
	b.WriteString("2018-09-18 17:59:58.318442 | controller | {1} tempest.scenario.test_network_basic_ops.TestNetworkBasicOps.test_network_basic_ops [203.186734s] ... FAILED\n")
	p := filepath.Join(dir, "job-output.txt")
	os.WriteFile(p, []byte(b.String()), 0o644)
	if s := readEach(t, p); len(s) != 1 || s[0].Kind != "test-results" || s[0].Events != 1 {
		t.Errorf("job-output.txt: %+v", s[0])
	}
	if s := readEach(t, plain); len(s) != 1 || s[0].SkipReason != "text of no known artifact kind" {
		t.Errorf("console without results: %+v", s[0])
	}
}
