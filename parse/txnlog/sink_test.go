package txnlog

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

// sinkInput is text with every kind of event text: status lines as they
// stand, status lines with continuation lines joined (an error's JSON, a
// console traceback), split transactions citing their first line, one
// whose first line is wrapped, and one whose retry is the attempt kept.
func sinkInput(t testing.TB) string {
	var b strings.Builder
	for _, g := range readCorpus(t) {
		b.WriteString(g.text())
	}
	split := []string{addPort, setPort, addR2, addNAT}
	for i, c := range split {
		b.WriteString(cmdLine(fmt.Sprintf("17:20:00.%03d", i), 40, 1, i, c) + "\n")
	}
	b.WriteString(line("17:20:00.100", 40, "DEBUG", "Transaction caused no change"+suffix) + "\n")
	// The retry is the attempt kept: the event's text is its line, not the
	// one at the event's position.
	for i, c := range split {
		b.WriteString(cmdLine(fmt.Sprintf("17:20:01.%03d", i), 41, 1, i, c) + "\n")
	}
	b.WriteString(line("17:20:01.100", 41, "DEBUG", "OVSDB transaction returned TRY_AGAIN, retrying"+suffix) + "\n")
	for i, c := range split {
		b.WriteString(cmdLine(fmt.Sprintf("17:20:01.2%02d", i), 41, 2, i, c) + "\n")
	}
	// A wrapped first command line: joined, so kept.
	first := cmdLine("17:20:02.000", 42, 1, 0, addPort)
	cut := strings.Index(first, "may_exist=")
	b.WriteString(first[:cut] + "\n    " + first[cut:] + "\n")
	for i, c := range split[1:] {
		b.WriteString(cmdLine(fmt.Sprintf("17:20:02.%03d", i+1), 42, 1, i+1, c) + "\n")
	}
	// An error whose JSON continues on the next line, and a console
	// traceback.
	b.WriteString(cmdLine("17:20:03.000", 43, 1, 0, addNAT) + "\n")
	b.WriteString(line("17:20:03.001", 43, "ERROR", `OVSDB Error: {"details":"Transaction causes multiple rows,`) + "\n")
	b.WriteString(`    identical values","error":"constraint violation"}` + "\n")
	b.WriteString(cmdLine("17:20:04.000", 44, 1, 0, addNAT) + "\n")
	b.WriteString(line("17:20:34.000", 44, "ERROR", "Traceback (most recent call last):") + "\n")
	b.WriteString(`  File "/usr/lib/python3/dist-packages/ovsdbapp/backend/ovs_idl/connection.py", line 112, in run` + "\n")
	b.WriteString("RuntimeError: OVS transaction timed out\n")
	// CRLF line endings: the text read back has none.
	b.WriteString(cmdLine("17:20:05.000", 45, 1, 0, addNAT) + "\r\n")
	b.WriteString(line("17:20:05.001", 45, "DEBUG", "Transaction caused no change"+suffix) + "\r\n")
	return b.String()
}

// TestTextReadBackFromTheFile parses a file through a sink that re-reads
// the events' own text from the file: every event must read back as from a
// sink that keeps all text, and exactly the texts that are the line at the
// event's position must be the ones read again.
func TestTextReadBackFromTheFile(t *testing.T) {
	input := sinkInput(t)
	opts := parse.Options{ModTime: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	want, wantEvs := parseString(t, input, opts)

	path := filepath.Join(t.TempDir(), "server.log")
	if err := os.WriteFile(path, []byte(input), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sink := timeline.NewSpace().NewSink(path)
	src := &timeline.Source{Path: "test.log", Host: "node1"}
	if err := Parse(f, src, opts, sink); err != nil {
		t.Fatal(err)
	}
	tl, err := timeline.Merge([]*timeline.Source{src}, []*timeline.Sink{sink}, timeline.Window{})
	if err != nil {
		t.Fatal(err)
	}
	defer tl.Close()
	var evs []timeline.Event
	for i := range tl.Len() {
		evs = append(evs, tl.Event(i))
	}
	if got, want := dump.Of(src, evs), dump.Of(want, wantEvs); got != want {
		t.Fatalf("read from the file:\n%s\nkept:\n%s", got, want)
	}

	// Blank the file out: the texts read again change, the kept ones do not.
	blank := bytes.Map(func(r rune) rune {
		if r == '\n' || r == '\r' {
			return r
		}
		return 'X'
	}, []byte(input))
	if len(blank) != len(input) {
		t.Fatal("input is not plain ASCII")
	}
	if err := os.WriteFile(path, blank, 0o644); err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for i := range tl.Len() {
		kept := wantEvs[i].Raw
		if kept == "" {
			continue
		}
		got := tl.Event(i).Raw
		at := wantEvs[i].Pos.Offset
		asStands := strings.HasPrefix(input[at:], kept) && (len(input) == int(at)+len(kept) || input[int(at)+len(kept)] == '\n' || input[int(at)+len(kept)] == '\r')
		kind := wantEvs[i].Data.Kind().String()
		switch {
		case asStands && got != strings.Repeat("X", len(kept)):
			t.Errorf("%s (%s): text %q is the line at its offset but was kept, not read again", wantEvs[i].Pos, kind, got)
		case !asStands && got != kept:
			t.Errorf("%s (%s): text %q is not the line at its offset but was read again: %q", wantEvs[i].Pos, kind, kept, got)
		}
		counts[fmt.Sprintf("%s %v", kind, asStands)]++
	}
	for _, k := range []string{"txn true", "txn false", "txn-status true", "txn-status false"} {
		if counts[k] == 0 {
			t.Errorf("the input has no %s event text (%v)", k, counts)
		}
	}
}

// TestHeldEventsStayFew: an event goes to the sink once it is complete, so
// the events held at any time are the open ones, however long the log.
func TestHeldEventsStayFew(t *testing.T) {
	var b strings.Builder
	const n = 5000
	for i := range n {
		ts := func(ms int) string {
			d := time.Duration(i)*10*time.Millisecond + time.Duration(ms)*time.Millisecond
			return time.Date(2018, 9, 18, 17, 0, 0, 0, time.UTC).Add(d).Format("15:04:05.000")
		}
		pid := 10 + i%4
		b.WriteString(cmdLine(ts(0), pid, 1, 0, addPort) + "\n")
		b.WriteString(cmdLine(ts(1), pid, 1, 1, setPort) + "\n")
		switch i % 3 {
		case 0:
			b.WriteString(line(ts(2), pid, "DEBUG", "Transaction caused no change"+suffix) + "\n")
		case 1:
			b.WriteString(line(ts(2), pid, "ERROR", "Traceback (most recent call last):") + "\n")
			b.WriteString(line(ts(2), pid, "ERROR", "RuntimeError: OVS transaction timed out") + "\n")
		}
	}
	held := func(input string) (peak int, events int64) {
		sink := timeline.NewSpace().NewSink("")
		p := newParser(&timeline.Source{Path: "x", Host: "h"}, parse.Options{}, sink)
		p.run(strings.NewReader(input), 0)
		if err := p.finish(); err != nil {
			t.Fatal(err)
		}
		if p.events.live != 0 {
			t.Errorf("%d events never handed to the sink", p.events.live)
		}
		return p.events.peak, sink.Len()
	}
	peak, events := held(b.String())
	if events < n || peak > 12 {
		t.Errorf("%d events, %d held at most; want at least %d, at most 12 (4 processes)", events, peak, n)
	}
	// Lines before the first timestamp are held until it comes.
	var head strings.Builder
	for range 100 {
		head.WriteString("DEBUG ovsdbapp.backend.ovs_idl.transaction [-] Running txn n=1 command(idx=0): " + addNAT + " {{(pid=6) do_commit /x/t.py:89}}\n")
	}
	peak, _ = held(head.String() + b.String())
	if peak < 100 || peak > 112 {
		t.Errorf("%d held at most; want the 100 events without a time, and the open ones", peak)
	}
}
