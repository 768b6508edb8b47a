package ovnlab_test

import (
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/arpforensics/arpforensics/detect"
	"github.com/arpforensics/arpforensics/internal/ovnlab"
	"github.com/arpforensics/arpforensics/timeline"
)

// natTimes runs analysis on dir (database files only) and returns the
// _date of the commit that created the NAT entry for fip and of the one
// that next changed its external_mac (or re-created it), as the real
// server wrote them.
func natTimes(t *testing.T, dir string) (created, moved time.Time) {
	t.Helper()
	res := analyse(t, detect.Defaults(), dir)
	tl := res.Timeline
	for i := range tl.Len() {
		r := tl.Record(i)
		if r.Kind != timeline.KindOVN {
			continue
		}
		row, ok := tl.PayloadOf(&r).(*timeline.OVSDBRow)
		if !ok || row.Table != "NAT" || row.Get("external_ip") != fip {
			continue
		}
		switch {
		case created.IsZero() && row.Op == timeline.OVSDBInsert:
			created = row.Date()
		case !created.IsZero() && moved.IsZero() && row.Get("external_mac") == macB && row.Op != timeline.OVSDBDelete:
			moved = row.Date()
		}
	}
	if created.IsZero() || moved.IsZero() {
		t.Fatalf("no NAT history for %s in %s (created %v, moved %v)", fip, dir, created, moved)
	}
	return created, moved
}

// writeObserverCapture writes what a host on the external network captures
// around the floating IP's move, on the databases' clock: the observer
// resolves fip (macA answers) and pings it every 250 ms from just after the
// NAT entry was created to 4 s after the move; macB announces itself with a
// GARP garpAfter after the database moved the address (before it, when
// negative), and the observer ignores it, sending to macA to the end.
func writeObserverCapture(t *testing.T, path string, created, moved time.Time, garpAfter time.Duration) (garp time.Time) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := pcapgo.NewWriter(f)
	if err := w.WriteFileHeader(65535, layers.LinkTypeEthernet); err != nil {
		t.Fatal(err)
	}
	write := func(at time.Time, ls ...gopacket.SerializableLayer) {
		buf := gopacket.NewSerializeBuffer()
		if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ls...); err != nil {
			t.Fatal(err)
		}
		if err := w.WritePacket(gopacket.CaptureInfo{Timestamp: at, CaptureLength: len(buf.Bytes()), Length: len(buf.Bytes())}, buf.Bytes()); err != nil {
			t.Fatal(err)
		}
	}
	a, _ := net.ParseMAC(macA)
	b, _ := net.ParseMAC(macB)
	obs := net.HardwareAddr{0x52, 0x54, 0x00, 0x00, 0x00, 0x99}
	bcast := net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	ip := net.ParseIP(fip).To4()
	obsIP := net.IP{172, 24, 4, 100}
	arp := func(at time.Time, src, dst net.HardwareAddr, op uint16, sha net.HardwareAddr, spa net.IP, tha net.HardwareAddr, tpa net.IP) {
		write(at, &layers.Ethernet{SrcMAC: src, DstMAC: dst, EthernetType: layers.EthernetTypeARP},
			&layers.ARP{AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4, HwAddressSize: 6, ProtAddressSize: 4,
				Operation: op, SourceHwAddress: sha, SourceProtAddress: spa, DstHwAddress: tha, DstProtAddress: tpa})
	}
	start := created.Add(100 * time.Millisecond)
	arp(start, obs, bcast, 1, obs, obsIP, make([]byte, 6), ip)
	arp(start.Add(time.Millisecond), a, obs, 2, a, ip, obs, obsIP)
	garp = moved.Add(garpAfter)
	var garpDone bool
	seq := uint16(0)
	for at := start.Add(10 * time.Millisecond); at.Before(moved.Add(4 * time.Second)); at = at.Add(250 * time.Millisecond) {
		if !garpDone && at.After(garp) {
			arp(garp, b, bcast, 1, b, ip, make([]byte, 6), ip)
			garpDone = true
		}
		seq++
		write(at, &layers.Ethernet{SrcMAC: obs, DstMAC: a, EthernetType: layers.EthernetTypeIPv4},
			&layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolICMPv4, SrcIP: obsIP, DstIP: ip},
			&layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(8, 0), Id: 7, Seq: seq})
	}
	return garp
}

// TestRealStaleMACDatedByTheDatabase: a floating IP's NAT entry changes
// hands in a real Northbound database (its external_mac set to another
// port's MAC, or the entry deleted and the address given to another port),
// and a capture beside it shows an observer that keeps sending to the old
// MAC. stale-mac names the database as a witness, cites its record and
// takes the move time from the commit; without the database file the
// finding is the capture's alone, dated by the GARP.
func TestRealStaleMACDatedByTheDatabase(t *testing.T) {
	cases := []struct {
		name string
		move func(l *ovnlab.Lab)
		op   string // the NAT row change that gave the address to macB
		gone bool   // a deletion withdrew macA's claim first
	}{
		{"external-mac-changed", func(l *ovnlab.Lab) {
			uuid := strings.TrimSpace(l.Nbctl("--bare", "--columns=_uuid", "find", "NAT", "external_ip="+fip))
			l.Nbctl("set", "NAT", uuid, `external_mac="`+macB+`"`, "logical_port=vm2", "logical_ip=10.0.0.6")
		}, "NAT " + fip + " modify", false},
		{"port-deleted-address-reused", func(l *ovnlab.Lab) {
			l.Nbctl("lr-nat-del", "neutron-r1", "dnat_and_snat", fip)
			l.Nbctl("lsp-del", "vm1")
			time.Sleep(200 * time.Millisecond)
			l.Nbctl("lr-nat-add", "neutron-r1", "dnat_and_snat", fip, "10.0.0.6", "vm2", macB)
		}, "NAT " + fip + " insert", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			l := ovnlab.Start(t, false)
			router(l)
			l.Nbctl("lr-nat-add", "neutron-r1", "dnat_and_snat", fip, "10.0.0.5", "vm1", macA)
			time.Sleep(500 * time.Millisecond)
			c.move(l)
			later(l, 300*time.Millisecond)
			both := t.TempDir()
			l.Save(both)
			created, moved := natTimes(t, both)

			capOnly := t.TempDir()
			garp := writeObserverCapture(t, filepath.Join(capOnly, "br-ex.pcap"), created, moved, 300*time.Millisecond)
			l.Copy(filepath.Join(capOnly, "br-ex.pcap"), filepath.Join(both, "br-ex.pcap"))

			cfg := detect.Defaults()
			cfg.Grace = 2 * time.Second

			// The capture alone: dated by the GARP, no database anywhere.
			fs := findings(analyse(t, cfg, capOnly), "stale-mac")
			if len(fs) != 1 {
				t.Fatalf("capture alone: %d stale-mac findings, want 1", len(fs))
			}
			alone := fs[0]
			if !alone.Start.Equal(garp) {
				t.Errorf("capture alone: move at %v, want the GARP's %v", alone.Start, garp)
			}
			if slices.ContainsFunc(alone.Witnesses, func(w string) bool { return strings.Contains(w, "database") }) ||
				strings.Contains(alone.Explanation, "database") {
				t.Errorf("capture alone names a database: %v %q", alone.Witnesses, alone.Explanation)
			}
			for _, e := range alone.Evidence {
				if !strings.HasSuffix(e.Source, "br-ex.pcap") {
					t.Errorf("capture alone cites %s", e.Source)
				}
			}

			// With the real database beside it: dated by the commit.
			fs = findings(analyse(t, cfg, both), "stale-mac")
			if len(fs) != 1 {
				t.Fatalf("with the database: %d stale-mac findings, want 1", len(fs))
			}
			f := fs[0]
			if !f.Start.Equal(moved) {
				t.Errorf("with the database: move at %v, want the NAT commit's _date %v", f.Start, moved)
			}
			if !slices.Contains(f.Witnesses, "new:database") || !slices.Contains(f.Witnesses, "old:database") {
				t.Errorf("witnesses %v: want old:database and new:database", f.Witnesses)
			}
			if f.Subject.Get("ip") != fip || f.Subject.Get("old_mac") != macA || f.Subject.Get("new_mac") != macB {
				t.Errorf("subject %v", f.Subject)
			}
			var cited, withdrawn bool
			for _, e := range f.Evidence {
				if !strings.HasSuffix(e.Source, "ovnnb_db.db") {
					continue
				}
				if e.Time.Equal(moved) && strings.Contains(e.Text, "NAT") {
					cited = true
				}
				if e.Time.Before(moved) && strings.Contains(e.Text, "delete") {
					withdrawn = true
				}
			}
			if !cited || withdrawn != c.gone {
				t.Errorf("evidence cites the move's NAT record %v, a deletion %v (want %v): %+v", cited, withdrawn, c.gone, f.Evidence)
			}
			want := "The move time comes from the database's own record: " + c.op + ", OVN_Northbound record "
			if !strings.Contains(f.Explanation, want) || !strings.Contains(f.Explanation, "(_date "+moved.Format("2006-01-02 15:04:05.000")+")") {
				t.Errorf("explanation lacks %q with the _date: %s", want, f.Explanation)
			}
			if !strings.Contains(f.Explanation, "The capture first shows the new binding 300 ms later") {
				t.Errorf("explanation does not say when the capture showed the move: %s", f.Explanation)
			}
			// More frames to the old MAC counted from the earlier move time,
			// never fewer.
			if n, m := f.Subject.Get("frames_to_old_mac").(int64), alone.Subject.Get("frames_to_old_mac").(int64); n < m {
				t.Errorf("frames_to_old_mac %d with the database, %d alone", n, m)
			}
		})
	}
}

// TestRealMissingProbeDatedByTheDatabase: a host's `date; ip neigh` loop
// keeps the floating IP at the old MAC through three STALE → DELAY →
// REACHABLE cycles after a real Northbound database gave the IP to another
// MAC, and no capture shows the move. Alone the loop is what a working flow
// does (no finding); with the database file beside it missing-probe fires,
// names the database witness and takes the move from its commit.
func TestRealMissingProbeDatedByTheDatabase(t *testing.T) {
	l := ovnlab.Start(t, false)
	router(l)
	l.Nbctl("lr-nat-add", "neutron-r1", "dnat_and_snat", fip, "10.0.0.5", "vm1", macA)
	time.Sleep(300 * time.Millisecond)
	uuid := strings.TrimSpace(l.Nbctl("--bare", "--columns=_uuid", "find", "NAT", "external_ip="+fip))
	l.Nbctl("set", "NAT", uuid, `external_mac="`+macB+`"`, "logical_port=vm2", "logical_ip=10.0.0.6")
	later(l, 200*time.Millisecond)
	both := t.TempDir()
	l.Save(both)
	_, moved := natTimes(t, both)

	// The incident's loop, on the database's clock: the move at 75 s.
	t0 := moved.Add(-75 * time.Second)
	var b strings.Builder
	for _, st := range []struct {
		from, to int
		state    string
	}{{60, 80, "REACHABLE"}, {80, 84, "STALE"}, {84, 89, "DELAY"}, {89, 120, "REACHABLE"}, {120, 126, "STALE"},
		{126, 131, "DELAY"}, {131, 160, "REACHABLE"}, {160, 163, "STALE"}, {163, 168, "DELAY"}, {168, 180, "REACHABLE"}} {
		for s := st.from; s < st.to; s++ {
			b.WriteString(t0.Add(time.Duration(s)*time.Second).UTC().Format("Mon Jan _2 15:04:05 MST 2006") + "\n")
			b.WriteString("172.24.4.1 dev br-ex lladdr fa:16:3e:00:00:01 REACHABLE \n")
			b.WriteString(fip + " dev br-ex lladdr " + macA + " " + st.state + " \n")
		}
	}
	alone := t.TempDir()
	for _, d := range []string{alone, both} {
		if err := os.WriteFile(filepath.Join(d, "arptable"), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg := detect.Defaults()
	if fs := findings(analyse(t, cfg, alone), "missing-probe"); len(fs) != 0 {
		t.Fatalf("the loop alone fired: %s", fs[0].Explanation)
	}
	fs := findings(analyse(t, cfg, both), "missing-probe")
	if len(fs) != 1 {
		t.Fatalf("with the database: %d missing-probe findings, want 1", len(fs))
	}
	f := fs[0]
	if f.Subject.Get("new_mac") != macB || f.Subject.Get("mac") != macA || !slices.Contains(f.Witnesses, "new:database") {
		t.Errorf("subject %v witnesses %v", f.Subject, f.Witnesses)
	}
	want := "the move time comes from the database's own record: NAT " + fip + " modify, OVN_Northbound record "
	if !strings.Contains(f.Explanation, want) || !strings.Contains(f.Explanation, "(_date "+moved.Format("2006-01-02 15:04:05.000")+")") {
		t.Errorf("explanation lacks %q with the _date: %s", want, f.Explanation)
	}
	cited := false
	for _, e := range f.Evidence {
		cited = cited || (strings.HasSuffix(e.Source, "ovnnb_db.db") && e.Time.Equal(moved))
	}
	if !cited {
		t.Errorf("the NAT commit is not cited: %+v", f.Evidence)
	}
}

// TestRealStaleMACWireFirst: the new owner's GARP reaches the capture before
// the database commits the move (an announcement from the new port before
// neutron's NAT update lands). The move keeps the capture's time, and the
// finding cites the database's record as agreeing.
func TestRealStaleMACWireFirst(t *testing.T) {
	l := ovnlab.Start(t, false)
	router(l)
	l.Nbctl("lr-nat-add", "neutron-r1", "dnat_and_snat", fip, "10.0.0.5", "vm1", macA)
	time.Sleep(600 * time.Millisecond)
	uuid := strings.TrimSpace(l.Nbctl("--bare", "--columns=_uuid", "find", "NAT", "external_ip="+fip))
	l.Nbctl("set", "NAT", uuid, `external_mac="`+macB+`"`, "logical_port=vm2", "logical_ip=10.0.0.6")
	later(l, 200*time.Millisecond)
	dir := t.TempDir()
	l.Save(dir)
	created, moved := natTimes(t, dir)
	garp := writeObserverCapture(t, filepath.Join(dir, "br-ex.pcap"), created, moved, -300*time.Millisecond)
	cfg := detect.Defaults()
	cfg.Grace = 2 * time.Second
	fs := findings(analyse(t, cfg, dir), "stale-mac")
	if len(fs) != 1 {
		t.Fatalf("%d stale-mac findings, want 1", len(fs))
	}
	f := fs[0]
	if !f.Start.Equal(garp) {
		t.Errorf("move at %v, want the GARP's %v (the database committed at %v)", f.Start, garp, moved)
	}
	if !slices.Contains(f.Witnesses, "new:arp") || !slices.Contains(f.Witnesses, "new:database") {
		t.Errorf("witnesses %v: want new:arp and new:database", f.Witnesses)
	}
	if want := "The database's own record agrees: NAT " + fip + " modify, OVN_Northbound record "; !strings.Contains(f.Explanation, want) ||
		!strings.Contains(f.Explanation, "300 ms after the capture first showed it, so the move time is the capture's") {
		t.Errorf("explanation lacks %q: %s", want, f.Explanation)
	}
	cited := false
	for _, e := range f.Evidence {
		cited = cited || (strings.HasSuffix(e.Source, "ovnnb_db.db") && e.Time.Equal(moved))
	}
	if !cited {
		t.Errorf("the NAT commit is not cited: %+v", f.Evidence)
	}
}
