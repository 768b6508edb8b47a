package ingest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/arpforensics/arpforensics/internal/jobtree"
	"github.com/arpforensics/arpforensics/parse"
	"github.com/arpforensics/arpforensics/timeline"
)

func seedFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("../samples/txn-race/" + name)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	if i := strings.IndexByte(s, '\n'); i >= 0 && strings.Contains(s[:i], " UTC ") {
		s = s[i+1:] // the seed's own date line: the dump's name times it here
	}
	return s
}

// A worlddump's snapshot sections are sources timed by the dump's name; its
// -latest copy is a duplicate; other sections are not read.
func TestWorlddumpSections(t *testing.T) {
	dir := t.TempDir()
	dump := jobtree.Worlddump(seedFile(t, "ovs-ofctl-dump-flows.txt"), seedFile(t, "ovn-nbctl-show.txt"))
	p := filepath.Join(dir, "worlddump-2018-09-18-171245.txt")
	os.WriteFile(p, []byte(dump), 0o644)
	os.WriteFile(filepath.Join(dir, "worlddump-latest.txt"), []byte(dump), 0o644)
	got := map[string]*timeline.Source{}
	var order []string
	for _, s := range readEach(t, p) {
		got[strings.TrimPrefix(s.Path, p)] = s
		order = append(order, strings.TrimPrefix(s.Path, p))
	}
	at := time.Date(2018, 9, 18, 17, 12, 45, 0, time.UTC)
	for member, kind := range map[string]string{
		"!/ip neigh": "neigh", "!/arp -n": "neigh", "!/sudo ip netns exec ovnmeta-0f7e6a4b-2c1d-4e8f-9a0b-1c2d3e4f5a6b ip neigh": "neigh",
		"!/sudo ovs-ofctl --protocols=OpenFlow10,OpenFlow11,OpenFlow12,OpenFlow13 dump-flows br-int": "ovs-ofctl-flows",
		"!/sudo ovn-nbctl show": "ovn-nbctl-show",
	} {
		s := got[member]
		if s == nil || s.Kind != kind || s.Events == 0 || !s.First.Equal(at) || s.Errors() != 0 {
			t.Errorf("%s: %+v (sources %q)", member, s, order)
		}
	}
	if w := got[""]; w == nil || w.Kind != "worlddump" || w.Analysed() || len(got) != 6 {
		t.Errorf("the dump itself %+v; %d sources %q", w, len(got), order)
	}
	l := readEach(t, filepath.Join(dir, "worlddump-latest.txt"))
	if len(l) != 1 || !strings.Contains(l[0].SkipReason, "duplicate of "+p) {
		t.Errorf("worlddump-latest: %+v", l[0])
	}
}

// A sosreport's listings are timed by its sos_commands/date/date, wherever
// that comes in the archive.
func TestSosreportTimedByItsDate(t *testing.T) {
	needTools(t, "tar", "xz")
	dir := t.TempDir()
	top := filepath.Join(dir, "sosreport-compute1-2018-09-18-abcdef")
	for rel, text := range map[string]string{
		"sos_commands/networking/ip_-s_-s_neigh_show":                        "172.24.5.1 dev br-ex lladdr 1e:d5:ec:49:df:4f ref 1 used 12/7/5 probes 1 REACHABLE\n10.209.32.1 dev ens3 lladdr 00:00:0c:9f:f0:01 used 3/3/3 probes 0 STALE\n",
		"sos_commands/openvswitch/ovs-ofctl_-O_OpenFlow13_dump-flows_br-int": "OFPST_FLOW reply (OF1.3) (xid=0x2):\n" + seedFile(t, "ovs-ofctl-dump-flows.txt"),
		"sos_commands/date/date":                                             "Tue Sep 18 17:20:01 UTC 2018\n",
		"sos_commands/date/hwclock":                                          "2018-09-18 17:20:01.553453+00:00\n",
		"hostname":                                                           "compute1\n",
	} {
		os.MkdirAll(filepath.Dir(filepath.Join(top, rel)), 0o755)
		os.WriteFile(filepath.Join(top, rel), []byte(text), 0o644)
	}
	// sos_commands/date sorts before networking/openvswitch in tar's walk
	// order only by chance: put it last.
	run(t, dir, "tar", "cJf", "sos.tar.xz", "sosreport-compute1-2018-09-18-abcdef/sos_commands/networking", "sosreport-compute1-2018-09-18-abcdef/sos_commands/openvswitch", "sosreport-compute1-2018-09-18-abcdef/sos_commands/date", "sosreport-compute1-2018-09-18-abcdef/hostname")
	at := time.Date(2018, 9, 18, 17, 20, 1, 0, time.UTC)
	n := 0
	os.Rename(filepath.Join(dir, "sos.tar.xz"), filepath.Join(dir, "sosreport-compute1-2018-09-18-abcdef.tar.xz"))
	var srcs []*timeline.Source
	ReadEach(File{Path: filepath.Join(dir, "sosreport-compute1-2018-09-18-abcdef.tar.xz"), Host: DefaultHost}, parse.Options{}, timeline.NewSpace(), nil, func(s *timeline.Source, _ *timeline.Sink) { srcs = append(srcs, s) })
	for _, s := range srcs {
		if s.Host != "compute1" {
			t.Errorf("%s: host %q, want the sosreport's compute1", s.Path, s.Host)
		}
		if s.Kind == "neigh" || s.Kind == "ovs-ofctl-flows" {
			n++
			if !s.First.Equal(at) || s.Events == 0 || s.Errors() != 0 {
				t.Errorf("%s: %s %d events from %v, want %v: %v", s.Path, s.Kind, s.Events, s.First, at, s.Problems)
			}
		}
	}
	if n != 2 {
		t.Errorf("%d snapshot members, want 2", n)
	}
}
