package txnlog

import (
	"bufio"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/arpforensics/arpforensics/parse"
	"github.com/arpforensics/arpforensics/timeline"
)

const corpusPath = "../../testdata/corpus/txnlog/real-lines.txt"

// corpusGroup is the data lines under one "# source:" comment of the
// corpus: one artifact, as its source published it.
type corpusGroup struct {
	source string
	lines  []corpusLine
}

type corpusLine struct {
	no   int // line number in the corpus file
	text string
}

func (g corpusGroup) text() string {
	var b strings.Builder
	for _, l := range g.lines {
		b.WriteString(l.text)
		b.WriteByte('\n')
	}
	return b.String()
}

// fileLine maps a line number within the group's text to the corpus line.
func (g corpusGroup) fileLine(n int64) int { return g.lines[n-1].no }

func readCorpus(t testing.TB) []corpusGroup {
	t.Helper()
	f, err := os.Open(corpusPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var groups []corpusGroup
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for no := 1; sc.Scan(); no++ {
		line := sc.Text()
		if strings.HasPrefix(line, "# source:") {
			groups = append(groups, corpusGroup{source: strings.TrimPrefix(line, "# source: ")})
			continue
		}
		if strings.HasPrefix(line, "#") || len(groups) == 0 {
			continue
		}
		g := &groups[len(groups)-1]
		g.lines = append(g.lines, corpusLine{no, line})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return groups
}

func parseString(t testing.TB, text string, opts parse.Options) (*timeline.Source, []timeline.Event) {
	t.Helper()
	src := &timeline.Source{Path: "test.log", Host: "node1"}
	evs, err := parse.Collect(Parse, strings.NewReader(text), src, opts)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return src, evs
}

// entStrings renders command i's entities as "key=name", "(ref)" marking
// secondary references and "(ip)" addresses.
func entStrings(tx *timeline.Txn, i int) []string {
	var out []string
	for _, e := range tx.Ents(i) {
		s := tx.Name(e.Key) + "=" + tx.Entity(e)
		switch e.Kind {
		case timeline.EntRef:
			s += " (ref)"
		case timeline.EntIP:
			s += " (ip)"
		}
		out = append(out, s)
	}
	return out
}

type wantCmd struct {
	class string
	idx   int
	n     int // the transaction's attempts (1 when the format has no n=)
	pid   int
	ents  []string
}

// corpusWant is what each real "Running txn" line of the corpus must parse
// into, keyed by its line number in real-lines.txt.
var corpusWant = map[int]wantCmd{
	12: {"LbAddCommand", 0, 1, 92593, []string{
		"lb=pf-floatingip-c4842074-9558-49c6-b003-4a3a6c260162-tcp",
		"neutron:fip_id=c4842074-9558-49c6-b003-4a3a6c260162 (ref)",
		"neutron:router_name=aa4793a7-3557-4e49-9022-09e3e32ce403 (ref)"}},
	13: {"LrLbAddCommand", 1, 1, 92593, []string{
		"router=aa4793a7-3557-4e49-9022-09e3e32ce403",
		"lb=pf-floatingip-c4842074-9558-49c6-b003-4a3a6c260162-tcp"}},
	21: {"DelPortCommand", 0, 1, 1591, []string{"port=ha-550dc175-c0"}},
	23: {"AddPortCommand", 0, 1, 1591, []string{"bridge=br-int", "port=ha-550dc175-c0"}},
	24: {"DbSetCommand", 1, 1, 1591, []string{"Port=ha-550dc175-c0"}},
	25: {"DbSetCommand", 2, 1, 1591, []string{"Interface=ha-550dc175-c0", "iface-id=550dc175-c064-407a-9c95-d5b422b4e071 (ref)"}},
	26: {"DelPortCommand", 0, 1, 1591, []string{"port=fg-c8dcce74-c4"}},
	28: {"AddPortCommand", 0, 1, 1591, []string{"bridge=br-int", "port=fg-c8dcce74-c4"}},
	29: {"DbSetCommand", 1, 1, 1591, []string{"Port=fg-c8dcce74-c4"}},
	30: {"DbSetCommand", 2, 1, 1591, []string{"Interface=fg-c8dcce74-c4", "iface-id=c8dcce74-c461-4adc-89a9-d609f8ccb3f3 (ref)"}},
	31: {"DelPortCommand", 0, 1, 1591, []string{"port=qg-14f81a43-69"}},
	33: {"AddPortCommand", 0, 1, 1591, []string{"bridge=br-int", "port=qg-14f81a43-69"}},
	34: {"DbSetCommand", 1, 1, 1591, []string{"Port=qg-14f81a43-69"}},
	35: {"DbSetCommand", 2, 1, 1591, []string{"Interface=qg-14f81a43-69", "iface-id=14f81a43-69a3-4433-94f9-6c09a1a8c7a7 (ref)"}},
	36: {"DelPortCommand", 0, 1, 1591, []string{"port=qr-3a70b31c-3f"}},
	38: {"AddPortCommand", 0, 1, 1591, []string{"bridge=br-int", "port=qr-3a70b31c-3f"}},
	39: {"DbSetCommand", 1, 1, 1591, []string{"Port=qr-3a70b31c-3f"}},
	40: {"DbSetCommand", 2, 1, 1591, []string{"Interface=qr-3a70b31c-3f", "iface-id=3a70b31c-3f61-492f-bf2f-aee9f64d5eff (ref)"}},
	41: {"DelPortCommand", 0, 1, 1591, []string{"port=sg-189f4c40-9d"}},
	43: {"AddPortCommand", 0, 1, 1591, []string{"bridge=br-int", "port=sg-189f4c40-9d"}},
	44: {"DbSetCommand", 1, 1, 1591, []string{"Port=sg-189f4c40-9d"}},
	45: {"DbSetCommand", 2, 1, 1591, []string{"Interface=sg-189f4c40-9d", "iface-id=189f4c40-9da1-4c4c-ad24-1eeff45343c3 (ref)"}},
	48: {"OvsCleanup", 0, 1, 959, []string{"bridge=br-int"}},
	// Group D: the pre-0.11 format (no n=), wrapped over two lines, no
	// timestamp and no pid (a paste from a commit message).
	53: {"DelPortCommand", 0, 1, 0, []string{"bridge=tapf58f8949-b0", "port=br-int"}},
}

// TestCorpusRunningTxnLines parses every group of the corpus and checks each
// real "Running txn" line: class, idx, n, pid and entities. Every such line
// in the file must have an entry above, so a line added to the corpus
// cannot go untested.
func TestCorpusRunningTxnLines(t *testing.T) {
	seen := map[int]bool{}
	for _, g := range readCorpus(t) {
		src, evs := parseString(t, g.text(), parse.Options{ModTime: time.Date(2022, 3, 1, 0, 0, 0, 0, time.UTC)})
		for _, p := range src.Problems {
			if p.Level == timeline.LevelError {
				t.Errorf("%s: unexpected problem %s", g.source, p)
			}
		}
		for _, e := range evs {
			tx, ok := e.Data.(*timeline.Txn)
			if !ok {
				continue
			}
			if tx.Parts != 1 {
				t.Errorf("%s: transaction at corpus line %d falls into %d parts; want 1", g.source, g.fileLine(e.Pos.Line), tx.Parts)
			}
			for i := 0; i < tx.Len(); i++ {
				no := g.fileLine(tx.Cmds()[i].Line)
				seen[no] = true
				want, ok := corpusWant[no]
				if !ok {
					t.Errorf("corpus line %d: a command (%s) the table does not list", no, tx.Class(i))
					continue
				}
				if got := tx.Class(i); got != want.class {
					t.Errorf("corpus line %d: class %q, want %q", no, got, want.class)
				}
				if got := tx.FirstIdx + i; got != want.idx {
					t.Errorf("corpus line %d: idx %d, want %d", no, got, want.idx)
				}
				if tx.Attempts != want.n {
					t.Errorf("corpus line %d: n %d, want %d", no, tx.Attempts, want.n)
				}
				if tx.PID != want.pid {
					t.Errorf("corpus line %d: pid %d, want %d", no, tx.PID, want.pid)
				}
				if got := entStrings(tx, i); !slices.Equal(got, want.ents) {
					t.Errorf("corpus line %d: entities\n got %q\nwant %q", no, got, want.ents)
				}
			}
		}
	}
	// Every data line of the corpus that runs a command was read.
	for _, g := range readCorpus(t) {
		for _, l := range g.lines {
			if strings.Contains(l.text, "Running txn") && !seen[l.no] {
				t.Errorf("corpus line %d: Running txn line produced no command", l.no)
			}
		}
	}
	if len(seen) != len(corpusWant) {
		t.Errorf("read %d command lines, the table lists %d", len(seen), len(corpusWant))
	}
}

// TestCorpusStatusLines checks the status lines of the corpus become events
// and end the transaction they follow.
func TestCorpusStatusLines(t *testing.T) {
	want := map[int]struct {
		code   timeline.TxnStatusCode
		pid    int
		detail string
		txn    int // corpus line of the transaction it ends; 0 for none
	}{
		22: {timeline.TxnNoChange, 1591, "", 21},
		27: {timeline.TxnNoChange, 1591, "", 26},
		32: {timeline.TxnNoChange, 1591, "", 31},
		37: {timeline.TxnNoChange, 1591, "", 36},
		42: {timeline.TxnNoChange, 1591, "", 41},
		49: {timeline.TxnNoChange, 959, "", 48},
		58: {timeline.TxnError, 0, `{"details":"Transaction causes multiple rows in \"Logical_Switch_Port\" table to have identical values (\"89ebd403-68af-43a2-a4e4-5fa86d57d2a2\") for index on column \"name\".`, 0},
		64: {timeline.TxnError, 75556, "no error details available", 0},
		67: {timeline.TxnAborted, 1380558, "OVN revision number for lrp-804097cb-eed3-4763-b7ef-a76d8423e696 (type: router_ports) is equal or higher than the given resource. Skipping update", 0},
	}
	got := map[int]bool{}
	for _, g := range readCorpus(t) {
		_, evs := parseString(t, g.text(), parse.Options{})
		for _, e := range evs {
			s, ok := e.Data.(*timeline.TxnStatus)
			if !ok {
				continue
			}
			no := g.fileLine(e.Pos.Line)
			got[no] = true
			w, ok := want[no]
			if !ok {
				t.Errorf("corpus line %d: unexpected status %s", no, s.Summary())
				continue
			}
			if s.Code != w.code || s.PID != w.pid || s.Detail != w.detail {
				t.Errorf("corpus line %d: got %s pid %d detail %q; want %s pid %d detail %q", no, s.Code, s.PID, s.Detail, w.code, w.pid, w.detail)
			}
			txnLine := 0
			if s.Txn.Line > 0 {
				txnLine = g.fileLine(s.Txn.Line)
			}
			if txnLine != w.txn {
				t.Errorf("corpus line %d: belongs to the transaction at corpus line %d, want %d", no, txnLine, w.txn)
			}
		}
	}
	for no := range want {
		if !got[no] {
			t.Errorf("corpus line %d: no status event", no)
		}
	}
}

// TestCorpusTransactionsEndWithTheirStatus checks outcomes: a DelPortCommand
// followed by "Transaction caused no change" ends with no-change; the AddPort
// transactions after it have no status line and keep "none".
func TestCorpusTransactionsEndWithTheirStatus(t *testing.T) {
	for _, g := range readCorpus(t) {
		_, evs := parseString(t, g.text(), parse.Options{})
		for _, e := range evs {
			tx, ok := e.Data.(*timeline.Txn)
			if !ok {
				continue
			}
			if tx.PID == 0 {
				continue // the commit-message paste stands alone
			}
			want := timeline.TxnNoStatus
			switch tx.Class(0) {
			case "DelPortCommand", "OvsCleanup":
				want = timeline.TxnNoChange
			}
			if tx.Outcome != want {
				t.Errorf("transaction at corpus line %d (%s): outcome %s, want %s", g.fileLine(e.Pos.Line), tx.Class(0), tx.Outcome, want)
			}
		}
	}
}
