package ovsdb_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arpforensics/arpforensics/ingest"
	"github.com/arpforensics/arpforensics/internal/ovnlab"
	"github.com/arpforensics/arpforensics/parse"
	"github.com/arpforensics/arpforensics/parse/ovsdb"
	"github.com/arpforensics/arpforensics/timeline"
)

// history drives a real server through a router with a port and a floating
// IP, a MAC binding that changes its MAC and is then deleted, and a NAT
// entry removed again (a set column shrinking by diff).
func history(t *testing.T, clustered bool) *ovnlab.Lab {
	l := ovnlab.Start(t, clustered)
	l.Nbctl("lr-add", "neutron-r1")
	l.Nbctl("lrp-add", "neutron-r1", "lrp-gw1", "fa:16:3e:00:00:01", "172.24.4.1/24")
	l.Nbctl("lr-nat-add", "neutron-r1", "dnat_and_snat", "172.24.4.10", "10.0.0.5")
	l.Nbctl("lr-nat-add", "neutron-r1", "snat", "172.24.4.1", "10.0.0.0/24")
	l.Nbctl("lr-nat-del", "neutron-r1", "snat", "10.0.0.0/24")
	// A map column changed element-wise: add, update, remove.
	l.Nbctl("set", "Logical_Router", "neutron-r1", "options:a=1", "options:b=2")
	l.Nbctl("set", "Logical_Router", "neutron-r1", "options:a=3")
	l.Nbctl("remove", "Logical_Router", "neutron-r1", "options", "b")
	l.Sbctl("--id=@dp", "create", "Datapath_Binding", "tunnel_key=7", "external_ids:name=neutron-r1",
		"--", "create", "MAC_Binding", "ip=172.24.4.10", `mac="fa:16:3e:11:11:11"`, "logical_port=lrp-gw1", "datapath=@dp")
	l.Sbctl("set", "MAC_Binding", ".", `mac="fa:16:3e:22:22:22"`)
	l.Sbctl("destroy", "MAC_Binding", ".")
	l.Stop()
	return l
}

func read(t *testing.T, path string) (*timeline.Source, []timeline.Event) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !ovsdb.Sniff(b) {
		t.Fatalf("%s: not sniffed as a database file: %q", path, b[:min(len(b), 60)])
	}
	src := &timeline.Source{Path: path}
	evs, err := parse.Collect(ovsdb.Parse, bytes.NewReader(b), src, parse.Options{})
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	// Every record is accounted for.
	if got := src.Events - src.Derived + src.Folded + src.Skipped + src.BadRecords; got != src.Records {
		t.Errorf("%s: %d records, but events %d − derived %d + folded %d + skipped %d + bad %d = %d",
			path, src.Records, src.Events, src.Derived, src.Folded, src.Skipped, src.BadRecords, got)
	}
	// Read with the framing on its own goroutine, the same comes out.
	src2 := &timeline.Source{Path: path}
	evs2, err := parse.Collect(ovsdb.Parse, bytes.NewReader(b), src2, parse.Options{Threads: 2})
	if err != nil {
		t.Fatalf("%s (2 threads): %v", path, err)
	}
	if len(evs2) != len(evs) || fmt.Sprint(src2.Problems) != fmt.Sprint(src.Problems) {
		t.Errorf("%s: 2 threads read %d events, problems %v; 1 thread %d, %v", path, len(evs2), src2.Problems, len(evs), src.Problems)
	}
	return src, evs
}

func rows(evs []timeline.Event, table string) []*timeline.OVSDBRow {
	var out []*timeline.OVSDBRow
	for _, e := range evs {
		if r, ok := e.Data.(*timeline.OVSDBRow); ok && r.Table == table {
			out = append(out, r)
		}
	}
	return out
}

func describe(rs []*timeline.OVSDBRow) string {
	var b strings.Builder
	for _, r := range rs {
		fmt.Fprintf(&b, "%s:", r.Op)
		for _, c := range r.Cols {
			if c.Name == "datapath" || c.Name == "ports" || c.Name == "external_ids" || c.Name == "options" {
				fmt.Fprintf(&b, " %s#%d", c.Name, len(c.Val))
				continue
			}
			fmt.Fprintf(&b, " %s=%s", c.Name, strings.Join(c.Val, ","))
			if c.Changed && r.Op == timeline.OVSDBModify {
				fmt.Fprintf(&b, "(was %s)", strings.Join(c.Old, ","))
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

func TestRealDatabaseFiles(t *testing.T) {
	for _, clustered := range []bool{false, true} {
		t.Run(map[bool]string{false: "standalone", true: "clustered"}[clustered], func(t *testing.T) {
			l := history(t, clustered)

			src, evs := read(t, l.NBFile)
			if len(src.Problems) > 0 {
				t.Errorf("NB problems: %v", src.Problems)
			}
			nat := describe(rows(evs, "NAT"))
			if want := "insert: type=dnat_and_snat external_ip=172.24.4.10 logical_ip=10.0.0.5\ninsert: type=snat external_ip=172.24.4.1 logical_ip=10.0.0.0/24\ndelete: type=snat external_ip=172.24.4.1 logical_ip=10.0.0.0/24\n"; nat != want {
				t.Errorf("NAT rows:\n%s\nwant:\n%s", nat, want)
			}
			lr := rows(evs, "Logical_Router")
			if len(lr) == 0 {
				t.Fatal("no Logical_Router rows")
			}
			// The router's nat set grew to two and shrank back to one by
			// diffs: its last state must hold exactly the floating IP's NAT.
			lastNAT := lr[len(lr)-1].Values("nat")
			if len(lastNAT) != 1 || lastNAT[0] != rows(evs, "NAT")[0].UUID {
				t.Errorf("router's nat after lr-nat-del = %v, want just the dnat_and_snat row %s", lastNAT, rows(evs, "NAT")[0].UUID)
			}
			if got := lr[len(lr)-1].Values("options"); len(got) != 1 || got[0] != "a=3" {
				t.Errorf("router options after the map diffs = %v, want [a=3]", got)
			}
			if c := lr[len(lr)-1].Col("options"); c == nil || !c.Changed || strings.Join(c.Old, " ") != "a=3 b=2" {
				t.Errorf("last options change %+v, want it to record the old value a=3 b=2", c)
			}
			if got := describe(rows(evs, "Logical_Router_Port")); !strings.Contains(got, "insert: name=lrp-gw1 mac=fa:16:3e:00:00:01 networks=172.24.4.1/24") {
				t.Errorf("router port rows:\n%s", got)
			}
			// Comments name the command that made the transaction.
			if c := rows(evs, "NAT")[0].Comment; !strings.Contains(c, "lr-nat-add neutron-r1 dnat_and_snat 172.24.4.10") {
				t.Errorf("NAT comment %q", c)
			}

			src, evs = read(t, l.SBFile)
			if len(src.Problems) > 0 {
				t.Errorf("SB problems: %v", src.Problems)
			}
			mb := rows(evs, "MAC_Binding")
			want := "insert: ip=172.24.4.10 mac=fa:16:3e:11:11:11 logical_port=lrp-gw1 datapath#1\n" +
				"modify: ip=172.24.4.10 mac=fa:16:3e:22:22:22(was fa:16:3e:11:11:11) logical_port=lrp-gw1 datapath#1\n" +
				"delete: ip=172.24.4.10 mac=fa:16:3e:22:22:22 logical_port=lrp-gw1 datapath#1\n"
			if got := describe(mb); got != want {
				t.Errorf("MAC_Binding rows:\n%s\nwant:\n%s", got, want)
			}
			for _, r := range mb {
				if r.DatapathName != "neutron-r1" {
					t.Errorf("%s: datapath name %q, want neutron-r1", r.Op, r.DatapathName)
				}
				if r.DateMS == 0 || clustered && r.Index == 0 {
					t.Errorf("%s: _date %d raft index %d", r.Op, r.DateMS, r.Index)
				}
			}
			var log *timeline.OVSDBLog
			for _, e := range evs {
				if g, ok := e.Data.(*timeline.OVSDBLog); ok {
					log = g
				}
			}
			if log == nil || log.DB != "OVN_Southbound" || log.Clustered != clustered || log.Txns < 3 {
				t.Errorf("history summary %+v", log)
			}
			// Times are the _date of each record, in order.
			for i := 1; i < len(evs); i++ {
				if evs[i].Time.Before(evs[i-1].Time) {
					t.Errorf("event %d at %v before %v", i, evs[i].Time, evs[i-1].Time)
				}
			}
		})
	}
}

// TestRealCompacted: after online compaction the file is one snapshot
// record; its rows are snapshots, not inserts.
func TestRealCompacted(t *testing.T) {
	l := ovnlab.Start(t, false)
	l.Sbctl("--id=@dp", "create", "Datapath_Binding", "tunnel_key=7", "external_ids:name=neutron-r1",
		"--", "create", "MAC_Binding", "ip=172.24.4.10", `mac="fa:16:3e:11:11:11"`, "logical_port=lrp-gw1", "datapath=@dp")
	l.Appctl("ovsdb-server/compact", "OVN_Southbound")
	l.Sbctl("set", "MAC_Binding", ".", `mac="fa:16:3e:22:22:22"`)
	l.Stop()
	src, evs := read(t, l.SBFile)
	if len(src.Problems) > 0 {
		t.Errorf("problems: %v", src.Problems)
	}
	if got, want := describe(rows(evs, "MAC_Binding")), "snapshot: ip=172.24.4.10 mac=fa:16:3e:11:11:11 logical_port=lrp-gw1 datapath#1\nmodify: ip=172.24.4.10 mac=fa:16:3e:22:22:22(was fa:16:3e:11:11:11) logical_port=lrp-gw1 datapath#1\n"; got != want {
		t.Errorf("MAC_Binding rows after compaction:\n%s\nwant:\n%s", got, want)
	}
}

// TestTornAndCorrupt: a file cut inside its last record keeps every record
// before it and names the cut's offset; a record whose hash fails is
// skipped and named, and reading goes on.
func TestTornAndCorrupt(t *testing.T) {
	l := history(t, false)
	whole, err := os.ReadFile(l.SBFile)
	if err != nil {
		t.Fatal(err)
	}
	_, all := read(t, l.SBFile)
	lastHdr := bytes.LastIndex(whole, []byte("\nOVSDB JSON ")) + 1
	dir := t.TempDir()

	torn := filepath.Join(dir, "torn.db")
	os.WriteFile(torn, whole[:lastHdr+(len(whole)-lastHdr)/2], 0o644)
	src, evs := read(t, torn)
	if len(src.Problems) != 1 || !strings.Contains(src.Problems[0].Message, "torn") || src.Problems[0].Pos.Offset != int64(lastHdr) {
		t.Fatalf("torn file problems: %v (last record at byte %d)", src.Problems, lastHdr)
	}
	if got := len(rows(evs, "MAC_Binding")); got != len(rows(all, "MAC_Binding"))-1 {
		t.Errorf("torn file: %d MAC_Binding rows, want all but the last (%d)", got, len(rows(all, "MAC_Binding"))-1)
	}

	// Corrupt one byte inside the record that changes the MAC.
	i := bytes.Index(whole, []byte(`"fa:16:3e:22:22:22"`))
	bad := bytes.Clone(whole)
	bad[i+2] = 'X'
	corrupt := filepath.Join(dir, "corrupt.db")
	os.WriteFile(corrupt, bad, 0o644)
	src, evs = read(t, corrupt)
	if len(src.Problems) == 0 || !strings.Contains(src.Problems[0].Message, "SHA-1") {
		t.Fatalf("corrupt file problems: %v", src.Problems)
	}
	if got := describe(rows(evs, "MAC_Binding")); !strings.HasPrefix(got, "insert:") || !strings.Contains(got, "delete:") || strings.Contains(got, "modify:") {
		t.Errorf("corrupt file MAC_Binding rows:\n%s", got)
	}
}

// TestTornClustered: the same for a Raft log cut inside an entry.
func TestTornClustered(t *testing.T) {
	l := history(t, true)
	whole, err := os.ReadFile(l.SBFile)
	if err != nil {
		t.Fatal(err)
	}
	_, all := read(t, l.SBFile)
	// Inside the entry that deletes the MAC binding (its comment names the command).
	i := bytes.Index(whole, []byte("destroy MAC_Binding"))
	hdr := bytes.LastIndex(whole[:i], []byte("\nOVSDB CLUSTER ")) + 1
	torn := filepath.Join(t.TempDir(), "torn.db")
	os.WriteFile(torn, whole[:i+5], 0o644)
	src, evs := read(t, torn)
	if len(src.Problems) != 1 || !strings.Contains(src.Problems[0].Message, "torn") || src.Problems[0].Pos.Offset != int64(hdr) {
		t.Fatalf("problems %v, want one torn record at byte %d", src.Problems, hdr)
	}
	got, want := describe(rows(evs, "MAC_Binding")), describe(rows(all, "MAC_Binding"))
	if !strings.HasPrefix(want, got) || strings.Count(got, "\n") != 2 {
		t.Errorf("MAC_Binding rows before the cut:\n%s\nall:\n%s", got, want)
	}
}

// TestRealJoiningServer: a file made by `ovsdb-tool join-cluster` holds a
// header and no data; it is read, noted, and gives no event.
func TestRealJoiningServer(t *testing.T) {
	ovnlab.Need(t, "ovsdb-tool")
	f := filepath.Join(t.TempDir(), "sb.db")
	if out, err := exec.Command("ovsdb-tool", "join-cluster", f, "OVN_Southbound", "unix:/tmp/sb-local.raft", "unix:/tmp/sb-remote.raft").CombinedOutput(); err != nil {
		t.Fatalf("ovsdb-tool join-cluster: %v\n%s", err, out)
	}
	src, evs := read(t, f)
	if len(evs) != 0 || len(src.Problems) != 1 || !strings.Contains(src.Problems[0].Message, "joining a cluster") {
		t.Errorf("events %d, problems %v", len(evs), src.Problems)
	}
}

// TestThroughIngest: the kind is found by content whatever the file is
// called, compressed or not (CI keeps them as logs/ovs_dbs/*.txt.gz).
func TestThroughIngest(t *testing.T) {
	l := history(t, true)
	b, err := os.ReadFile(l.SBFile)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(b)
	zw.Close()
	for name, data := range map[string][]byte{"ovnsb_db.txt": b, "ovnsb_db.txt.gz": z.Bytes()} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, data, 0o644)
		src, sink := ingest.Read(ingest.File{Path: p, Host: "ctl1"}, parse.Options{}, timeline.NewSpace())
		if src.Kind != ovsdb.Format.Name || sink == nil || src.Events < 4 || src.Errors() > 0 {
			t.Errorf("%s: kind %q events %d problems %v", name, src.Kind, src.Events, src.Problems)
		}
	}
}
