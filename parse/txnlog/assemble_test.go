package txnlog

import (
	"bytes"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/arpforensics/arpforensics/parse"
	"github.com/arpforensics/arpforensics/timeline"
)

// line builds an oslo.log file-format transaction-module line.
func line(ts string, pid int, level, msg string) string {
	return fmt.Sprintf("2018-09-18 %s %d %s ovsdbapp.backend.ovs_idl.transaction [-] %s", ts, pid, level, msg)
}

func cmdLine(ts string, pid, n, idx int, cmd string) string {
	nn := ""
	if n > 0 {
		nn = fmt.Sprintf("n=%d ", n)
	}
	return line(ts, pid, "DEBUG", fmt.Sprintf("Running txn %scommand(idx=%d): %s%s", nn, idx, cmd, suffix))
}

func txns(evs []timeline.Event) []*timeline.Txn {
	var out []*timeline.Txn
	for _, e := range evs {
		if t, ok := e.Data.(*timeline.Txn); ok {
			out = append(out, t)
		}
	}
	return out
}

func classes(t *timeline.Txn) string {
	var cs []string
	for i := 0; i < t.Len(); i++ {
		cs = append(cs, t.Class(i))
	}
	return strings.Join(cs, " ")
}

func problems(src *timeline.Source, level timeline.Level) []string {
	var out []string
	for _, p := range src.Problems {
		if p.Level == level {
			out = append(out, p.String())
		}
	}
	return out
}

const (
	addPort = "AddLRouterPortCommand(name=lrp-8dc49792-b37a-48be-926a-af2c8e17ad3f, lrouter=neutron-d1d3b2f2-71e6-4c0b-9d2a-5d1b0f6c2c11, may_exist=True, columns={'mac': u'fa:16:3e:aa:bb:cc', 'networks': [u'10.100.0.1/28']})"
	setPort = "SetLRouterPortInLSwitchPortCommand(lswitch_port=8dc49792-b37a-48be-926a-af2c8e17ad3f, lrouter_port=lrp-8dc49792-b37a-48be-926a-af2c8e17ad3f, is_gw_port=False, if_exists=True, lsp_address=router)"
	addR2   = "AddLRouterCommand(may_exist=True, columns={'external_ids': {'neutron:gw_port_id': u'5e0b1c7a-9f1d-4a63-8a8e-3c2f1d0e9b77', 'neutron:router_name': u'tempest-router-1912572360'}, 'enabled': True, 'options': {}}, name=neutron-cc163b42-1fdf-4cfa-a2ff-50c521f04222)"
	addNAT  = "AddNATRuleInLRouterCommand(lrouter=neutron-d1d3b2f2-71e6-4c0b-9d2a-5d1b0f6c2c11, columns={'external_ip': u'172.24.5.9', 'logical_ip': u'10.100.0.0/28', 'type': 'snat'})"
)

func TestRetryIsTheSameTransaction(t *testing.T) {
	text := strings.Join([]string{
		cmdLine("17:09:17.001", 10, 1, 0, addPort),
		cmdLine("17:09:17.002", 10, 1, 1, setPort),
		line("17:09:17.003", 10, "DEBUG", "OVSDB transaction returned TRY_AGAIN, retrying"+suffix),
		cmdLine("17:09:17.104", 10, 2, 0, addPort),
		cmdLine("17:09:17.105", 10, 2, 1, setPort),
		cmdLine("17:09:18.000", 10, 1, 0, addNAT),
	}, "\n") + "\n"
	src, evs := parseString(t, text, parse.Options{})
	if ps := problems(src, timeline.LevelError); len(ps) > 0 {
		t.Fatalf("problems: %q", ps)
	}
	ts := txns(evs)
	if len(ts) != 2 {
		t.Fatalf("%d transactions, want 2", len(ts))
	}
	if ts[0].Attempts != 2 || classes(ts[0]) != "AddLRouterPortCommand SetLRouterPortInLSwitchPortCommand" {
		t.Errorf("first: attempts %d, classes %q", ts[0].Attempts, classes(ts[0]))
	}
	if got := ts[0].Cmds()[0].Line; got != 4 {
		t.Errorf("kept commands are from line %d, want the retry's (4)", got)
	}
	if evs[0].End.Sub(evs[0].Time) != 104*time.Millisecond {
		t.Errorf("span %s – %s", evs[0].Time, evs[0].End)
	}
	if ts[1].Attempts != 1 || classes(ts[1]) != "AddNATRuleInLRouterCommand" {
		t.Errorf("second: attempts %d classes %q", ts[1].Attempts, classes(ts[1]))
	}
}

func TestRetryWithoutAttemptNumbers(t *testing.T) {
	// Before ovsdbapp 0.11 there is no n=: only the TRY_AGAIN line tells a
	// retry from the next transaction.
	text := strings.Join([]string{
		cmdLine("17:09:17.001", 10, 0, 0, addPort),
		line("17:09:17.003", 10, "DEBUG", "OVSDB transaction returned TRY_AGAIN, retrying"+suffix),
		cmdLine("17:09:17.104", 10, 0, 0, addPort),
		cmdLine("17:09:18.000", 10, 0, 0, addNAT),
	}, "\n") + "\n"
	_, evs := parseString(t, text, parse.Options{})
	ts := txns(evs)
	if len(ts) != 2 || ts[0].Attempts != 2 || ts[1].Attempts != 1 {
		t.Fatalf("got %d transactions (attempts %v)", len(ts), attempts(ts))
	}
}

func attempts(ts []*timeline.Txn) []int {
	var out []int
	for _, t := range ts {
		out = append(out, t.Attempts)
	}
	return out
}

func TestProcessesInterleave(t *testing.T) {
	// Two workers write to one file: their lines interleave, each
	// process's transactions stay whole.
	text := strings.Join([]string{
		cmdLine("17:09:17.001", 10, 1, 0, addPort),
		cmdLine("17:09:17.002", 11, 1, 0, addNAT),
		cmdLine("17:09:17.003", 10, 1, 1, setPort),
		cmdLine("17:09:17.004", 11, 1, 0, addR2),
		cmdLine("17:09:17.005", 10, 1, 0, addNAT),
	}, "\n") + "\n"
	src, evs := parseString(t, text, parse.Options{})
	if ps := problems(src, timeline.LevelError); len(ps) > 0 {
		t.Fatalf("problems: %q", ps)
	}
	var got []string
	for _, tx := range txns(evs) {
		got = append(got, fmt.Sprintf("%d:%s", tx.PID, classes(tx)))
	}
	want := []string{
		"10:AddLRouterPortCommand SetLRouterPortInLSwitchPortCommand",
		"11:AddNATRuleInLRouterCommand",
		"11:AddLRouterCommand",
		"10:AddNATRuleInLRouterCommand",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestIdxProblems(t *testing.T) {
	text := strings.Join([]string{
		cmdLine("17:09:17.001", 10, 1, 2, addNAT),  // the log starts inside a transaction
		cmdLine("17:09:17.002", 10, 1, 0, addPort), // a new one
		cmdLine("17:09:17.003", 10, 1, 2, addNAT),  // idx=1 missing
		cmdLine("17:09:17.004", 10, 1, 1, setPort), // idx going back
	}, "\n") + "\n"
	src, evs := parseString(t, text, parse.Options{})
	notes := problems(src, timeline.LevelNote)
	errs := problems(src, timeline.LevelError)
	wantNotes := []string{"line 1: the log starts inside a transaction of pid 10: its first command here is idx=2"}
	wantErrs := []string{
		"line 3: command idx=2 of pid 10 follows idx=0 of the transaction at line 2: idx=1…1 are missing",
		"line 4: command idx=1 of pid 10 after idx=2 of the transaction at line 2: read as a new transaction whose first lines are missing",
	}
	if !reflect.DeepEqual(notes, wantNotes) {
		t.Errorf("notes %q\nwant %q", notes, wantNotes)
	}
	if !reflect.DeepEqual(errs, wantErrs) {
		t.Errorf("errors %q\nwant %q", errs, wantErrs)
	}
	ts := txns(evs)
	if len(ts) != 3 || ts[0].FirstIdx != 2 || ts[1].Len() != 2 || ts[2].FirstIdx != 1 {
		t.Errorf("transactions: %d", len(ts))
	}
}

func TestSplitTransactionKeepsItsLines(t *testing.T) {
	lines := []string{
		cmdLine("17:09:17.276", 32314, 1, 0, addPort),
		cmdLine("17:09:17.277", 32314, 1, 1, setPort),
		cmdLine("17:09:17.278", 32314, 1, 2, addR2),
		cmdLine("17:09:17.279", 32314, 1, 3, addNAT),
	}
	src, evs := parseString(t, strings.Join(lines, "\n")+"\n", parse.Options{})
	if ps := problems(src, timeline.LevelError); len(ps) > 0 {
		t.Fatalf("problems: %q", ps)
	}
	tx := txns(evs)[0]
	if tx.Parts != 2 {
		t.Fatalf("parts %d, want 2", tx.Parts)
	}
	d := tx.Detail
	if d == nil || !reflect.DeepEqual(d.Raw, lines) {
		t.Fatalf("detail raw %q", d)
	}
	if evs[0].Raw != lines[0] {
		t.Errorf("event raw %q", evs[0].Raw)
	}
	if got := d.Arg(2, "name"); got != "neutron-cc163b42-1fdf-4cfa-a2ff-50c521f04222" {
		t.Errorf("arg name of idx=2: %q", got)
	}
	if got := d.Arg(1, "is_gw_port"); got != "False" {
		t.Errorf("arg is_gw_port of idx=1: %q", got)
	}
	if d.Times[3].Sub(d.Times[0]) != 3*time.Millisecond {
		t.Errorf("times %v", d.Times)
	}
	if got := entStrings(tx, 2); !reflect.DeepEqual(got, []string{
		"name=cc163b42-1fdf-4cfa-a2ff-50c521f04222",
		"neutron:gw_port_id=5e0b1c7a-9f1d-4a63-8a8e-3c2f1d0e9b77 (ref)"}) {
		t.Errorf("idx=2 entities %q", got)
	}
	if got := entStrings(tx, 3); !reflect.DeepEqual(got, []string{
		"lrouter=d1d3b2f2-71e6-4c0b-9d2a-5d1b0f6c2c11", "external_ip=172.24.5.9 (ip)"}) {
		t.Errorf("idx=3 entities %q", got)
	}
}

func TestHomogeneousBulkKeepsNoLines(t *testing.T) {
	var lines []string
	for i := 0; i < 5; i++ {
		lines = append(lines, cmdLine("17:09:17.276", 7, 1, i, fmt.Sprintf(
			"DbSetCommand(table=Logical_Switch_Port, record=port-%d, col_values=(('external_ids', {'neutron:revision_number': '3'}),), if_exists=True)", i)))
	}
	_, evs := parseString(t, strings.Join(lines, "\n")+"\n", parse.Options{})
	tx := txns(evs)[0]
	if tx.Parts != 5 || tx.Detail != nil || evs[0].Raw != "" {
		t.Errorf("parts %d detail %v raw %q", tx.Parts, tx.Detail != nil, evs[0].Raw)
	}
}

func TestTimeZonesAndYears(t *testing.T) {
	prague, err := time.LoadLocation("Europe/Prague")
	if err != nil {
		t.Skip("no zone database:", err)
	}
	// oslo.log has no zone: read in --tz.
	_, evs := parseString(t, cmdLine("17:09:17.276", 1, 1, 0, addNAT)+"\n", parse.Options{Location: prague})
	if got, want := evs[0].Time, time.Date(2018, 9, 18, 15, 9, 17, 276e6, time.UTC); !got.Equal(want) {
		t.Errorf("oslo in Europe/Prague: %s, want %s", got, want)
	}
	// Journal: no year. --year wins; else the modification time, one
	// year back when the log's month lies after it; the source says so.
	j := "Dec 31 23:59:59.500000 ctl neutron-server[5]: DEBUG ovsdbapp.backend.ovs_idl.transaction [-] Running txn n=1 command(idx=0): " + addNAT + " {{(pid=6) do_commit /x/transaction.py:90}}\n" +
		"Jan  1 00:00:00.500000 ctl neutron-server[5]: DEBUG ovsdbapp.backend.ovs_idl.transaction [-] Running txn n=1 command(idx=0): " + addNAT + " {{(pid=6) do_commit /x/transaction.py:90}}\n"
	src, evs := parseString(t, j, parse.Options{Year: 2017})
	if evs[0].Time.Year() != 2017 || evs[1].Time.Year() != 2018 || src.Basis != timeline.TimeNoYear {
		t.Errorf("--year 2017: %s %s basis %d", evs[0].Time, evs[1].Time, src.Basis)
	}
	src, evs = parseString(t, j, parse.Options{ModTime: time.Date(2019, 1, 2, 0, 0, 0, 0, time.UTC)})
	if evs[0].Time.Year() != 2018 || evs[1].Time.Year() != 2019 || src.Basis != timeline.TimeNoYear {
		t.Errorf("from modification time: %s %s basis %d", evs[0].Time, evs[1].Time, src.Basis)
	}
}

func TestTimelessLinesInheritTheirNeighboursTime(t *testing.T) {
	text := "DEBUG ovsdbapp.backend.ovs_idl.transaction [-] Running txn n=1 command(idx=0): " + addNAT + " {{(pid=6) do_commit /x/t.py:89}}\n" +
		cmdLine("17:09:17.276", 6, 1, 0, addPort) + "\n" +
		"DEBUG ovsdbapp.backend.ovs_idl.transaction [-] Running txn n=1 command(idx=0): " + addR2 + " {{(pid=6) do_commit /x/t.py:89}}\n"
	src, evs := parseString(t, text, parse.Options{})
	want := time.Date(2018, 9, 18, 17, 9, 17, 276e6, time.UTC)
	for i, e := range evs {
		if !e.Time.Equal(want) {
			t.Errorf("event %d (line %d) at %s, want %s", i, e.Pos.Line, e.Time, want)
		}
	}
	if got := problems(src, timeline.LevelNote); !reflect.DeepEqual(got, []string{"line 1: 2 event(s) from lines without a timestamp took the time of the nearest timestamped line"}) {
		t.Errorf("notes %q", got)
	}
	// No timestamp at all: the modification time, in line order.
	mod := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	src, evs = parseString(t, "DEBUG ovsdbapp.backend.ovs_idl.transaction [-] Running txn n=1 command(idx=0): "+addNAT+" {{(pid=6) do_commit /x/t.py:89}}\n", parse.Options{ModTime: mod})
	if !evs[0].Time.Equal(mod) || len(problems(src, timeline.LevelNote)) != 1 {
		t.Errorf("time %s notes %q", evs[0].Time, problems(src, timeline.LevelNote))
	}
}

func TestCommitTraceback(t *testing.T) {
	// File format: every traceback line carries the prefix.
	text := strings.Join([]string{
		cmdLine("17:09:17.001", 10, 1, 0, addNAT),
		line("17:09:47.001", 10, "ERROR", "Traceback (most recent call last):"),
		line("17:09:47.001", 10, "ERROR", `  File "/usr/lib/python3/dist-packages/ovsdbapp/backend/ovs_idl/connection.py", line 112, in run`),
		line("17:09:47.001", 10, "ERROR", "    txn.results.put(txn.do_commit())"),
		line("17:09:47.001", 10, "ERROR", "RuntimeError: OVS transaction timed out"),
		line("17:09:47.001", 10, "ERROR", ""),
	}, "\n") + "\n"
	src, evs := parseString(t, text, parse.Options{})
	if len(evs) != 2 {
		t.Fatalf("%d events", len(evs))
	}
	s := evs[1].Data.(*timeline.TxnStatus)
	if s.Code != timeline.TxnTimeout || s.Detail != "RuntimeError: OVS transaction timed out" || s.Txn.Line != 1 {
		t.Errorf("status %s %q txn %s", s.Code, s.Detail, s.Txn)
	}
	if src.Skipped != 0 {
		t.Errorf("skipped %d: the traceback lines belong to the event", src.Skipped)
	}
	// Console/journal style: the body follows without prefixes.
	text = cmdLine("17:09:17.001", 10, 1, 0, addNAT) + "\n" +
		line("17:09:47.001", 10, "ERROR", "Traceback (most recent call last):") + "\n" +
		`  File "/usr/lib/python3/dist-packages/ovsdbapp/backend/ovs_idl/connection.py", line 112, in run` + "\n" +
		"RuntimeError: OVS transaction timed out\n" +
		cmdLine("17:09:48.001", 10, 1, 0, addPort) + "\n"
	src, evs = parseString(t, text, parse.Options{})
	if len(evs) != 3 || src.Skipped != 0 {
		t.Fatalf("%d events, skipped %d", len(evs), src.Skipped)
	}
	s = evs[1].Data.(*timeline.TxnStatus)
	if s.Code != timeline.TxnTimeout || s.Detail != "RuntimeError: OVS transaction timed out" {
		t.Errorf("status %s %q", s.Code, s.Detail)
	}
}

func TestJournalErrorWithParentPid(t *testing.T) {
	// devstack: DEBUG lines name the worker in their suffix, ERROR lines
	// carry only the journal's (parent) pid.
	text := "Sep 18 17:09:17.100000 ctl neutron-server[5]: DEBUG ovsdbapp.backend.ovs_idl.transaction [-] Running txn n=1 command(idx=0): " + addNAT + " {{(pid=6) do_commit /x/t.py:90}}\n" +
		"Sep 18 17:09:17.200000 ctl neutron-server[5]: ERROR ovsdbapp.backend.ovs_idl.transaction [-] OVSDB Error: no error details available\n"
	_, evs := parseString(t, text, parse.Options{Year: 2018})
	s := evs[1].Data.(*timeline.TxnStatus)
	tx := evs[0].Data.(*timeline.Txn)
	if s.PID != 6 || s.Txn.Line != 1 || tx.Outcome != timeline.TxnError {
		t.Errorf("status pid %d txn %s; transaction outcome %s", s.PID, s.Txn, tx.Outcome)
	}
}

func TestAccountingAndProblemCap(t *testing.T) {
	var b strings.Builder
	b.WriteString("2018-09-18 17:09:17.001 1 INFO neutron.wsgi [-] GET /\n")
	for i := 0; i < 60; i++ {
		b.WriteString(line("17:09:17.002", 10, "DEBUG", "Running txn n=1 command(idx=x): Broken()") + "\n")
	}
	b.WriteString(cmdLine("17:09:17.003", 10, 1, 0, addNAT) + "\n")
	src, evs := parseString(t, b.String(), parse.Options{})
	errs := problems(src, timeline.LevelError)
	if len(errs) != 51 || !strings.HasSuffix(errs[50], "line 52: 10 more lines like the above (header), not listed after the first 50: line 52 to line 61") {
		t.Errorf("%d problems, last %q", len(errs), errs[len(errs)-1])
	}
	if src.Records != 62 || src.Skipped != 1 || len(evs) != 1 {
		t.Errorf("records %d skipped %d events %d", src.Records, src.Skipped, len(evs))
	}
}

func TestLongLine(t *testing.T) {
	text := cmdLine("17:09:17.001", 10, 1, 0, addNAT) + "\n" +
		line("17:09:17.002", 10, "DEBUG", strings.Repeat("x", maxLine+10)) + "\n" +
		cmdLine("17:09:17.003", 10, 1, 0, addPort) + "\n"
	src, evs := parseString(t, text, parse.Options{})
	errs := problems(src, timeline.LevelError)
	if len(errs) != 1 || !strings.HasPrefix(errs[0], "line 2: line longer than") {
		t.Errorf("problems %q", errs)
	}
	if len(txns(evs)) != 2 || src.Records != 3 {
		t.Errorf("%d transactions, %d records", len(txns(evs)), src.Records)
	}
	if evs[1].Pos.Line != 3 || evs[1].Pos.Offset != int64(len(text)-len(cmdLine("17:09:17.003", 10, 1, 0, addPort))-1) {
		t.Errorf("after the long line: %+v", evs[1].Pos)
	}
}

// TestWindowsAndWorkersDoNotChangeTheResult parses the same input cut into
// tiny windows and with several workers: the events must be identical.
func TestWindowsAndWorkersDoNotChangeTheResult(t *testing.T) {
	var b bytes.Buffer
	for _, g := range readCorpus(t) {
		b.WriteString(g.text())
	}
	for i := 0; i < 40; i++ {
		b.WriteString(cmdLine(fmt.Sprintf("17:10:%02d.000", i), 32314, 1, 0, addPort) + "\n")
		b.WriteString(cmdLine(fmt.Sprintf("17:10:%02d.001", i), 32315, 1, 0, addNAT) + "\n")
		b.WriteString(cmdLine(fmt.Sprintf("17:10:%02d.002", i), 32314, 1, 1, setPort) + "\n")
		b.WriteString(cmdLine(fmt.Sprintf("17:10:%02d.003", i), 32314, 1, 2, addR2) + "\n")
	}
	input := b.String()
	dump := func(workers, window int) string {
		old := windowSize
		windowSize = window
		defer func() { windowSize = old }()
		src := &timeline.Source{Path: "x", Host: "h"}
		evs, _ := parse.Collect(func(r io.Reader, src *timeline.Source, opts parse.Options, out *timeline.Sink) error {
			p := newParser(src, opts, out)
			p.run(r, workers)
			return p.finish()
		}, strings.NewReader(input), src, parse.Options{})
		return dump.Of(src, evs)
	}
	want := dump(0, 1<<20) // serial: the caller's goroutine only
	for _, c := range []struct{ workers, window int }{{0, 2048}, {1, 2048}, {4, 2048}, {3, 4096}, {2, 1 << 20}} {
		if got := dump(c.workers, c.window); got != want {
			t.Errorf("%d workers, %d-byte windows: result differs", c.workers, c.window)
		}
	}
}

// TestClockSteppingBack keeps every event's end at or after its start and
// ends a transaction at its latest line, whatever order the clock gives.
func TestClockSteppingBack(t *testing.T) {
	text := strings.Join([]string{
		cmdLine("17:09:17.500", 10, 1, 0, addPort),
		cmdLine("17:09:17.400", 10, 1, 1, setPort),                                            // the clock steps back inside it
		line("17:09:17.300", 10, "DEBUG", "Transaction caused no change do_commit /x/t.py:1"), // and at its status
		cmdLine("17:09:16.000", 10, 1, 0, addNAT),                                             // the next one starts earlier still
	}, "\n") + "\n"
	_, evs := parseString(t, text, parse.Options{})
	for _, e := range evs {
		if !e.End.IsZero() && e.End.Before(e.Time) {
			t.Errorf("%s: ends %s before it starts %s", e.Pos, e.End, e.Time)
		}
		if tx, ok := e.Data.(*timeline.Txn); ok && tx.Class(0) == "AddNATRuleInLRouterCommand" && !e.End.Equal(e.Time) {
			t.Errorf("the last transaction ends at %s, not at its only line's %s (state left over from the one before)", e.End, e.Time)
		}
	}
}

// TestAttemptEntityIDs: an attempt numbers its entities once each, by name,
// whether it has few or many and when two names share a hash.
func TestAttemptEntityIDs(t *testing.T) {
	for _, n := range []int{3, manyNames, manyNames + 1, 3 * manyNames} {
		var a attempt
		for round := 0; round < 2; round++ {
			for i := 0; i < n; i++ {
				name := []byte(fmt.Sprintf("ent-%d", i))
				h := uint64(i / 2) // every two names share a hash
				if id := a.entity(name, h); id != uint32(i+1) {
					t.Fatalf("n=%d round %d: %s got id %d, want %d", n, round, name, id, i+1)
				}
			}
		}
		if a.names.Len() != n {
			t.Errorf("n=%d: %d names kept", n, a.names.Len())
		}
		a.reset()
		if id := a.entity([]byte("ent-1"), 0); id != 1 || a.names.Name(1) != "ent-1" {
			t.Errorf("n=%d: after reset, id %d name %q", n, id, a.names.Name(1))
		}
	}
}

// TestPinKeepsLines: an attempt's pinned lines keep their text once the
// window they pointed into is overwritten, also after its pin buffer grew
// (lines pinned earlier move with it) and when it is reused after reset.
func TestPinKeepsLines(t *testing.T) {
	var a attempt
	var want []string
	for round := 0; round < 2; round++ {
		a.reset()
		want = want[:0]
		for i := 0; i < 50; i++ {
			window := []byte(fmt.Sprintf("round %d command line %d %s", round, i, strings.Repeat("x", i*7)))
			a.lines = append(a.lines, window)
			want = append(want, string(window))
			a.pin()
			for j := range window {
				window[j] = '#' // the window is reused
			}
			for j, l := range a.lines {
				if string(l) != want[j] {
					t.Fatalf("round %d, after pinning line %d: line %d is %q, want %q", round, i, j, l, want[j])
				}
			}
		}
	}
}
