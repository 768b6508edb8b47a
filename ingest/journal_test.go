package ingest

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/arpforensics/arpforensics/internal/jobtree"
	"github.com/arpforensics/arpforensics/parse"
	"github.com/arpforensics/arpforensics/timeline"
)

// seedJournal is the txn-race scenario's neutron-server log and br-ex
// tcpdump as devstack's journal holds them, plus a unit of no interest and
// a multi-line (binary-safe) message.
func seedJournal(t *testing.T) []jobtree.Entry {
	t.Helper()
	neutron, err := os.ReadFile("../samples/txn-race/neutron-server.log")
	if err != nil {
		t.Fatal(err)
	}
	tcpdump, _ := os.ReadFile("../samples/txn-race/tcpdump-br-ex.txt")
	a, err := jobtree.FromOslo(neutron, "ctl-node", "devstack@q-svc.service", "neutron-server")
	if err != nil {
		t.Fatal(err)
	}
	b, err := jobtree.FromShort(tcpdump, 2018, "devstack@br-ex-tcpdump.service")
	if err != nil {
		t.Fatal(err)
	}
	all := append(a, b...)
	for i := range 50 {
		all = append(all, jobtree.Entry{Time: time.Date(2018, 9, 18, 17, 6, i, 0, time.UTC), Fields: [][2]string{
			{"_HOSTNAME", "ctl-node"}, {"SYSLOG_IDENTIFIER", "sudo"}, {"_SYSTEMD_UNIT", "session-1.scope"},
			{"MESSAGE", "stack : PWD=/opt/stack ; USER=root ; COMMAND=/bin/true\nsecond line"},
		}})
	}
	slices.SortStableFunc(all, func(x, y jobtree.Entry) int { return x.Time.Compare(y.Time) })
	return all
}

// A devstack journal, as journalctl -o export and -o json print it, is split
// by unit into the parsers their messages call for, with the entries' real
// times (2018, not the file's year) and _HOSTNAME when the tree names no host.
func TestJournalSplitByUnit(t *testing.T) {
	needTools(t, "xz")
	entries := seedJournal(t)
	dir := t.TempDir()
	for _, format := range []string{"export", "json"} {
		out, err := jobtree.Journalctl(entries, format)
		if errors.Is(err, jobtree.ErrNoJournalTools) {
			t.Skip(err)
		} else if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, "devstack.journal."+format)
		os.WriteFile(p, out, 0o644)
		run(t, dir, "xz", "-k", p)
		for _, path := range []string{p, p + ".xz"} {
			got := map[string]*timeline.Source{}
			var order []string
			ReadEach(File{Path: path, Host: DefaultHost, ModTime: time.Now()}, parse.Options{}, timeline.NewSpace(), nil, func(s *timeline.Source, _ *timeline.Sink) {
				got[s.Path] = s
				order = append(order, s.Path)
			})
			q := got[path+"!/devstack@q-svc.service"]
			if q == nil || q.Kind != "txnlog" || q.Host != "ctl-node" || q.Events < 200 || q.Errors() != 0 ||
				q.First.Year() != 2018 || !q.First.Equal(time.Date(2018, 9, 18, 17, 5, 2, 4e6, time.UTC)) {
				t.Errorf("%s: neutron unit %+v (sources %v)", path, q, order)
			}
			d := got[path+"!/devstack@br-ex-tcpdump.service"]
			if d == nil || d.Kind != "tcpdump-text" || d.Events != 49 || d.Errors() != 0 ||
				!d.First.Equal(time.Date(2018, 9, 18, 17, 9, 17, 12729e3, time.UTC)) {
				t.Errorf("%s: tcpdump unit %+v", path, d)
			}
			if s := got[path+"!/session-1.scope"]; s == nil || s.Analysed() || s.Records != 100 {
				t.Errorf("%s: unrelated unit %+v", path, s)
			}
			if j := got[path]; j == nil || j.Analysed() || j.Kind != "journal-"+format {
				t.Errorf("%s: the journal's own source %+v", path, j)
			}
		}
	}
}
