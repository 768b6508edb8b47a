package ovn

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"time"

	"github.com/arpforensics/arpforensics/parse"
	"github.com/arpforensics/arpforensics/parse/lex"
	"github.com/arpforensics/arpforensics/timeline"
)

// Test results in a Zuul job's console log (job-output.txt): every line is
// "2018-09-18 17:15:42.123456 | controller | …" (UTC), and stestr prints a
// line per test as it finishes:
//
//	{1} tempest.scenario.test_network_basic_ops.TestNetworkBasicOps.test_network_basic_ops [184.532345s] ... FAILED
//
// (also bare, in a console copied out of the job). A failed test becomes a
// symptom event naming it; passes and skips are counted in a note.

// TestResults is a console log with test results.
var TestResults = parse.Format{
	Name:     "test-results",
	Describe: "Zuul console logs and stestr output: the failed tests",
	Sniff:    SniffTestResults, Parse: ParseTestResults, Text: true,
}

var reStestr = regexp.MustCompile(`^\{\d+\} (\S+)(?: \(([^)]*)\))? (?:\[[\d.]+s\] )?\.\.\. (ok|FAILED|SKIPPED.*)$`)

// cutZuul reads the Zuul console prefix "YYYY-MM-DD HH:MM:SS.ffffff | " and
// the optional host column after it.
func cutZuul(line []byte) (t time.Time, msg []byte, ok bool) {
	st, n, ok := lex.DateTime(line)
	if !ok || len(line) < 22 || line[10] != ' ' {
		return t, nil, false
	}
	rest := line[n:]
	if !bytes.HasPrefix(rest, []byte(" | ")) {
		return t, nil, false
	}
	rest = rest[3:]
	// "controller | " names the node a task ran on.
	if i := bytes.Index(rest, []byte(" | ")); i > 0 && bytes.IndexByte(rest[:i], ' ') < 0 {
		rest = rest[i+3:]
	}
	return st.UTC(), rest, true
}

// SniffTestResults recognises stestr result lines in a Zuul console log, or
// bare.
func SniffTestResults(head []byte) bool {
	zuul, stestr, seen, n := 0, 0, 0, 0
	for line := range parse.HeadLines(head) {
		if n++; n > 400 {
			break
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		seen++
		if _, msg, ok := cutZuul(line); ok {
			zuul++
			line = msg
		}
		if reStestr.Match(bytes.TrimSpace(line)) {
			stestr++
		}
	}
	// A console without a test result here is not one (yet): the results
	// come at the end of a long job-output.txt, where sniffing past the
	// head finds them.
	return stestr > 0 && (zuul*2 >= seen || stestr*2 >= seen)
}

// ParseTestResults is the parse.Func for console logs with test results.
func ParseTestResults(r io.Reader, src *timeline.Source, opts parse.Options, out *timeline.Sink) error {
	src.Basis = timeline.TimeFull
	lr := parse.NewLineReader(r)
	problems := parse.NewProblems(src, 0)
	var events, passed, skipped int64
	var last time.Time
	for {
		raw, ok := lr.Next()
		if !ok {
			break
		}
		src.Records++
		line := raw
		if t, msg, ok := cutZuul(raw); ok {
			last, line = t, msg
		}
		if !bytes.HasPrefix(bytes.TrimSpace(line), []byte("{")) {
			continue
		}
		m := reStestr.FindSubmatch(bytes.TrimSpace(line))
		if m == nil {
			continue
		}
		switch {
		case string(m[3]) == "ok":
			passed++
			continue
		case bytes.HasPrefix(m[3], []byte("SKIPPED")):
			skipped++
			continue
		}
		test := string(m[1])
		if len(m[2]) > 0 && !bytes.HasPrefix(m[1], []byte("tempest")) {
			test = string(m[2]) + "." + test // "setUpClass (tempest.api…)"
		}
		t := last
		if t.IsZero() {
			t = opts.ModTime.UTC()
			problems.Notef(lr.Pos(), "untimed result", "test result without a console timestamp before it: placed at the file's modification time")
		}
		out.Add(&timeline.Event{Time: t, Pos: lr.Pos(), Data: &timeline.Symptom{
			What: timeline.SymptomTestFailed, Test: test, Logger: "stestr", Message: fmt.Sprintf("%s FAILED", test),
		}}, raw)
		events++
	}
	if err := lr.Err(); err != nil {
		src.Problemf(lr.Pos(), "reading stopped: %v", err)
	}
	if events+passed+skipped > 0 {
		src.Notef(timeline.Pos{}, "test results: %d failed, %d passed, %d skipped", events, passed, skipped)
	}
	problems.Close()
	src.Skipped = src.Records - events
	return nil
}
