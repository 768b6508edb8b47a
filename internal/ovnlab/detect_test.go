package ovnlab_test

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/arpforensics/arpforensics/detect"
	"github.com/arpforensics/arpforensics/internal/ovnlab"
)

const (
	macA = "fa:16:3e:aa:aa:aa"
	macB = "fa:16:3e:bb:bb:bb"
	fip  = "172.24.4.10"
)

// binding creates the router's datapath and a MAC_Binding for ip at mac, as
// ovn-controller does when the router resolves ip.
func binding(l *ovnlab.Lab, ip, mac string) {
	l.Sbctl("--id=@dp", "create", "Datapath_Binding", "tunnel_key=7", "external_ids:name=neutron-r1",
		"--", "create", "MAC_Binding", "ip="+ip, `mac="`+mac+`"`, "logical_port=lrp-gw1", "datapath=@dp")
}

func router(l *ovnlab.Lab) {
	l.Nbctl("lr-add", "neutron-r1")
	l.Nbctl("lrp-add", "neutron-r1", "lrp-gw1", "fa:16:3e:00:00:01", "172.24.4.1/24")
	l.Nbctl("ls-add", "net1")
	l.Nbctl("lsp-add", "net1", "vm1", "--", "lsp-set-addresses", "vm1", "fa:16:3e:01:01:01 10.0.0.5")
	l.Nbctl("lsp-add", "net1", "vm2", "--", "lsp-set-addresses", "vm2", "fa:16:3e:02:02:02 10.0.0.6")
}

// later ends the histories a while after the story.
func later(l *ovnlab.Lab, d time.Duration) {
	time.Sleep(d)
	l.Nbctl("lr-add", "neutron-later")
	l.Sbctl("create", "Address_Set", "name=later")
}

// TestRealMACBindingCases drives the real server through the ways an IP
// changes hands and checks what stale-mac-binding makes of each.
func TestRealMACBindingCases(t *testing.T) {
	// Long enough that a correction one command after the move is in time
	// even on a loaded machine.
	grace := 1500 * time.Millisecond
	cases := []struct {
		name  string
		story func(l *ovnlab.Lab)
		want  string // severity and new owner of the one finding; "" for none
	}{
		{"nat-external-mac-changed", func(l *ovnlab.Lab) {
			router(l)
			l.Nbctl("lr-nat-add", "neutron-r1", "dnat_and_snat", fip, "10.0.0.5", "vm1", macA)
			binding(l, fip, macA)
			nat := strings.TrimSpace(l.Nbctl("--bare", "--columns=_uuid", "find", "NAT", "external_ip="+fip))
			l.Nbctl("set", "NAT", nat, `external_mac="`+macB+`"`, "logical_ip=10.0.0.6", "logical_port=vm2")
			later(l, 2*grace)
		}, "high NAT " + fip + " modify"},
		{"fip-recreated-centralised", func(l *ovnlab.Lab) {
			// A distributed floating IP recreated without external_mac:
			// it now answers with the router's gateway port MAC.
			router(l)
			l.Nbctl("lr-nat-add", "neutron-r1", "dnat_and_snat", fip, "10.0.0.5", "vm1", macA)
			binding(l, fip, macA)
			l.Nbctl("lr-nat-del", "neutron-r1", "dnat_and_snat", fip)
			l.Nbctl("lr-nat-add", "neutron-r1", "dnat_and_snat", fip, "10.0.0.6")
			later(l, 2*grace)
		}, "high NAT " + fip + " insert"},
		{"corrected-late", func(l *ovnlab.Lab) {
			router(l)
			l.Nbctl("lr-nat-add", "neutron-r1", "dnat_and_snat", fip, "10.0.0.5", "vm1", macA)
			binding(l, fip, macA)
			nat := strings.TrimSpace(l.Nbctl("--bare", "--columns=_uuid", "find", "NAT", "external_ip="+fip))
			l.Nbctl("set", "NAT", nat, `external_mac="`+macB+`"`)
			time.Sleep(2 * grace)
			l.Sbctl("set", "MAC_Binding", ".", `mac="`+macB+`"`)
			later(l, 2*grace)
		}, "medium NAT " + fip + " modify"},
		{"corrected-in-time", func(l *ovnlab.Lab) {
			router(l)
			l.Nbctl("lr-nat-add", "neutron-r1", "dnat_and_snat", fip, "10.0.0.5", "vm1", macA)
			binding(l, fip, macA)
			nat := strings.TrimSpace(l.Nbctl("--bare", "--columns=_uuid", "find", "NAT", "external_ip="+fip))
			l.Nbctl("set", "NAT", nat, `external_mac="`+macB+`"`)
			l.Sbctl("set", "MAC_Binding", ".", `mac="`+macB+`"`)
			later(l, 2*grace)
		}, ""},
		{"binding-deleted-in-time", func(l *ovnlab.Lab) {
			router(l)
			l.Nbctl("lr-nat-add", "neutron-r1", "dnat_and_snat", fip, "10.0.0.5", "vm1", macA)
			binding(l, fip, macA)
			nat := strings.TrimSpace(l.Nbctl("--bare", "--columns=_uuid", "find", "NAT", "external_ip="+fip))
			l.Nbctl("set", "NAT", nat, `external_mac="`+macB+`"`)
			l.Sbctl("destroy", "MAC_Binding", ".")
			later(l, 2*grace)
		}, ""},
		{"new-port-before-old-deleted", func(l *ovnlab.Lab) {
			// While both ports declare the address it has no single owner;
			// the move happens when the old port goes.
			router(l)
			l.Nbctl("lsp-add", "net1", "port-a", "--", "lsp-set-addresses", "port-a", macA+" 10.0.0.50")
			binding(l, "10.0.0.50", macA)
			// (ovn-nbctl refuses a duplicate address on one switch; neutron
			// writes rows directly, as the generic commands do.)
			l.Nbctl("--id=@p", "create", "Logical_Switch_Port", "name=port-b", `addresses="`+macB+` 10.0.0.50"`,
				"--", "add", "Logical_Switch", "net1", "ports", "@p")
			time.Sleep(2 * grace)
			l.Nbctl("lsp-del", "port-a")
			later(l, 2*grace)
		}, "high Logical_Switch_Port port-b insert"},
		{"overlapping-tenant-addresses", func(l *ovnlab.Lab) {
			// The same address on two tenants' networks is not a move.
			router(l)
			l.Nbctl("ls-add", "net2")
			l.Nbctl("lsp-add", "net1", "port-a", "--", "lsp-set-addresses", "port-a", macA+" 10.0.0.50")
			binding(l, "10.0.0.50", macA)
			l.Nbctl("lsp-add", "net2", "port-b", "--", "lsp-set-addresses", "port-b", macB+" 10.0.0.50")
			later(l, 2*grace)
		}, ""},
	}
	cfg := detect.Defaults()
	cfg.MACBindingGrace = grace
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel() // each has its own server; most of the time is waiting
			l := ovnlab.Start(t, false)
			c.story(l)
			dir := t.TempDir()
			l.Save(dir)
			fs := findings(analyse(t, cfg, dir), "stale-mac-binding")
			if c.want == "" {
				if len(fs) != 0 {
					t.Fatalf("finding: %s", fs[0].Title)
				}
				return
			}
			if len(fs) != 1 {
				t.Fatalf("%d findings, want 1", len(fs))
			}
			if got := fs[0].Severity.String() + " " + fs[0].Subject.String("new_owner"); got != c.want {
				t.Errorf("finding %q, want %q (%s)", got, c.want, fs[0].Title)
			}
			// Every story ends 2×grace after the move (the old port's
			// deletion, when the new one came first).
			if d, _ := fs[0].Subject.Get("duration_s").(float64); d < grace.Seconds() || d > 2*grace.Seconds()+10 {
				t.Errorf("duration %v s, want about %v s", d, 2*grace.Seconds())
			}
		})
	}
}

// TestRealMACBindingWithCapture: a capture beside the databases shows the
// frames still sent to the old MAC after the move and the new owner's
// GARPs; the finding counts and cites them.
func TestRealMACBindingWithCapture(t *testing.T) {
	l := ovnlab.Start(t, false)
	l.StaleBinding(false, time.Second)
	dir := t.TempDir()
	l.Save(dir)
	cfg := detect.Defaults()
	cfg.MACBindingGrace = 500 * time.Millisecond
	res := analyse(t, cfg, dir)
	fs := findings(res, "stale-mac-binding")
	if len(fs) != 1 {
		t.Fatalf("%d findings without the capture", len(fs))
	}
	since := fs[0].Start

	// The router's gateway sends to the old MAC; the new owner announces itself.
	gw, _ := net.ParseMAC(ovnlab.GatewayMAC)
	old, _ := net.ParseMAC(ovnlab.StaleOldMAC)
	nw, _ := net.ParseMAC(ovnlab.StaleNewMAC)
	ip := net.ParseIP(ovnlab.StaleIP).To4()
	f, err := os.Create(filepath.Join(dir, "br-ex.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	w := pcapgo.NewWriter(f)
	w.WriteFileHeader(65535, layers.LinkTypeEthernet)
	write := func(at time.Time, ls ...gopacket.SerializableLayer) {
		buf := gopacket.NewSerializeBuffer()
		if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ls...); err != nil {
			t.Fatal(err)
		}
		w.WritePacket(gopacket.CaptureInfo{Timestamp: at, CaptureLength: len(buf.Bytes()), Length: len(buf.Bytes())}, buf.Bytes())
	}
	bcast := net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	write(since.Add(50*time.Millisecond), &layers.Ethernet{SrcMAC: nw, DstMAC: bcast, EthernetType: layers.EthernetTypeARP},
		&layers.ARP{AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4, HwAddressSize: 6, ProtAddressSize: 4,
			Operation: 1, SourceHwAddress: nw, SourceProtAddress: ip, DstHwAddress: make([]byte, 6), DstProtAddress: ip})
	for i := range 5 {
		write(since.Add(time.Duration(100+100*i)*time.Millisecond),
			&layers.Ethernet{SrcMAC: gw, DstMAC: old, EthernetType: layers.EthernetTypeIPv4},
			&layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolICMPv4, SrcIP: net.IP{172, 24, 4, 1}, DstIP: ip},
			&layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(8, 0), Id: 1, Seq: uint16(i)})
	}
	f.Close()

	res = analyse(t, cfg, dir)
	fs = findings(res, "stale-mac-binding")
	if len(fs) != 1 {
		t.Fatalf("%d findings with the capture", len(fs))
	}
	fd := fs[0]
	if n, _ := fd.Subject.Get("frames_to_old_mac").(int64); n != 5 {
		t.Errorf("frames_to_old_mac = %v, want 5", fd.Subject.Get("frames_to_old_mac"))
	}
	var fromCapture int
	for _, e := range fd.Evidence {
		if strings.HasSuffix(e.Source, "br-ex.pcap") {
			fromCapture++
		}
	}
	if fromCapture < 2 || !strings.Contains(fd.Explanation, "announced itself") {
		t.Errorf("capture evidence %d, explanation %q", fromCapture, fd.Explanation)
	}
}
