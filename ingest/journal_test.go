package ingest

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
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

// A unit running `ip monitor neigh` logs one event per entry: each is read
// as a monitor event at its entry's time; a unit looping `date; ip neigh`
// logs listings under its own date lines, read as listings.
func TestJournalNeighUnits(t *testing.T) {
	base := time.Date(2018, 9, 18, 17, 9, 17, 0, time.UTC)
	var entries []jobtree.Entry
	add := func(at time.Duration, unit, msg string) {
		entries = append(entries, jobtree.Entry{Time: base.Add(at), Fields: [][2]string{
			{"_HOSTNAME", "ctl"}, {"SYSLOG_IDENTIFIER", "ip"}, {"_SYSTEMD_UNIT", unit}, {"MESSAGE", msg}}})
	}
	for i, st := range []string{"REACHABLE", "STALE", "DELAY", "REACHABLE", "STALE", "DELAY", "REACHABLE"} {
		add(time.Duration(i)*5*time.Second, "devstack@ip-monitor.service", "172.24.5.11 dev br-ex lladdr fa:16:3e:4d:2a:91 "+st)
	}
	for i := range 3 {
		at := time.Duration(i) * 10 * time.Second
		add(at, "devstack@arp-loop.service", base.Add(at).Format("Mon Jan _2 15:04:05 MST 2006"))
		add(at+time.Millisecond, "devstack@arp-loop.service", "172.24.5.11 dev br-ex lladdr fa:16:3e:4d:2a:91 REACHABLE")
		add(at+2*time.Millisecond, "devstack@arp-loop.service", "10.0.0.5 dev eth0 lladdr 52:54:00:12:34:56 STALE")
	}
	slices.SortStableFunc(entries, func(x, y jobtree.Entry) int { return x.Time.Compare(y.Time) })
	out, err := jobtree.Journalctl(entries, "export")
	if errors.Is(err, jobtree.ErrNoJournalTools) {
		t.Skip(err)
	} else if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "devstack.journal")
	os.WriteFile(p, out, 0o644)
	got := map[string]*timeline.Source{}
	ReadEach(File{Path: p, Host: "controller"}, parse.Options{}, timeline.NewSpace(), nil, func(s *timeline.Source, _ *timeline.Sink) { got[s.Path] = s })
	if m := got[p+"!/devstack@ip-monitor.service"]; m == nil || m.Kind != "neigh" || m.Events != 7 || m.Errors() != 0 ||
		!m.First.Equal(base) || !m.Last.Equal(base.Add(30*time.Second)) {
		t.Errorf("monitor unit: %+v", m)
	}
	// Three identical listings fold into one observation per entry.
	if l := got[p+"!/devstack@arp-loop.service"]; l == nil || l.Kind != "neigh" || l.Events != 2 || l.Errors() != 0 || !l.First.Equal(base) {
		t.Errorf("listing unit: %+v", l)
	}
}

// OVS/OVN daemons' syslog lines in a journal ("ovs|00012|binding|INFO|…")
// are read as their vlog files would be, at the entries' times.
func TestJournalVlogUnit(t *testing.T) {
	base := time.Date(2018, 9, 18, 17, 6, 2, 311e6, time.UTC)
	var entries []jobtree.Entry
	for i, msg := range []string{
		"ovs|00031|binding|INFO|Claiming lport ea2f4a7c-a903-46fa-899f-325f11f40d7e for this chassis.",
		"ovs|00032|binding|INFO|ea2f4a7c-a903-46fa-899f-325f11f40d7e: Claiming fa:16:3e:5a:6b:7c 10.1.0.5",
		"ovs|00033|main|INFO|OVNSB commit failed, force recompute next time.",
	} {
		entries = append(entries, jobtree.Entry{Time: base.Add(time.Duration(i) * time.Millisecond), Fields: [][2]string{
			{"_HOSTNAME", "cmp"}, {"SYSLOG_IDENTIFIER", "ovn-controller"}, {"_SYSTEMD_UNIT", "ovn-controller.service"}, {"MESSAGE", msg}}})
	}
	out, err := jobtree.Journalctl(entries, "json")
	if errors.Is(err, jobtree.ErrNoJournalTools) {
		t.Skip(err)
	} else if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "devstack.journal")
	os.WriteFile(p, out, 0o644)
	var got *timeline.Source
	ReadEach(File{Path: p, Host: "compute1"}, parse.Options{}, timeline.NewSpace(), nil, func(s *timeline.Source, _ *timeline.Sink) {
		if strings.HasSuffix(s.Path, "ovn-controller.service") {
			got = s
		}
	})
	if got == nil || got.Kind != "ovs-vlog" || got.Events != 2 || !got.First.Equal(base) {
		t.Errorf("ovn-controller unit: %+v", got)
	}
}
