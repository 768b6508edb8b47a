package ovn

import (
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/arpforensics/arpforensics/internal/golden"
	"github.com/arpforensics/arpforensics/parse"
	"github.com/arpforensics/arpforensics/timeline"
)

var modTime = time.Date(2018, 9, 18, 18, 0, 0, 0, time.UTC)

func run(t testing.TB, f parse.Func, text string) (*timeline.Source, []timeline.Event) {
	t.Helper()
	src := &timeline.Source{Path: "t", Host: "h"}
	evs, err := parse.Collect(f, strings.NewReader(text), src, parse.Options{ModTime: modTime})
	if err != nil {
		t.Fatal(err)
	}
	return src, evs
}

func readFile(t testing.TB, name string) string {
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// incidentShow is `date -u; ovn-nbctl show` after the race: router
// cc163b42 has the floating IP's NAT entry but no gateway port.
const incidentShow = `Tue Sep 18 17:12:00 UTC 2018
switch 0f7e6a4b-2c1d-4e8f-9a0b-1c2d3e4f5a6b (neutron-a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d) (aka public)
    port provnet-a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d
        type: localnet
        addresses: ["unknown"]
    port 8dc49792-b37a-48be-926a-af2c8e17ad3f
        type: router
        router-port: lrp-8dc49792-b37a-48be-926a-af2c8e17ad3f
router 4c2b9a7e-1d3f-4e5a-8b6c-7d8e9f0a1b2c (neutron-cc163b42-1fdf-4cfa-a2ff-50c521f04222) (aka tempest-TestSecurityGroupsBasicOps-router-1912572360)
    port lrp-0b6d2a5e-8f7c-4c1a-9e3d-2a4b6c8d0e1f
        mac: "fa:16:3e:3e:5b:43"
        networks: ["10.100.0.1/28"]
    nat 7e8f9a0b-1c2d-4e3f-8a4b-5c6d7e8f9a0b
        external ip: "172.24.5.13"
        logical ip: "10.100.0.12"
        type: "dnat_and_snat"
`

func TestNbctlRouterWithNATAndNoGatewayPort(t *testing.T) {
	src, evs := run(t, ParseNbctl, incidentShow)
	if len(src.Problems) != 0 || len(evs) != 2 {
		t.Fatalf("problems %v, %d events", src.Problems, len(evs))
	}
	sw := evs[0].Data.(*timeline.OVNSwitch)
	if sw.Alias != "public" || len(sw.Ports) != 2 || sw.Ports[1].RouterPort != "lrp-8dc49792-b37a-48be-926a-af2c8e17ad3f" || sw.Ports[0].Type != "localnet" {
		t.Errorf("switch %+v", sw)
	}
	r := evs[1].Data.(*timeline.OVNRouter)
	if r.Name != "neutron-cc163b42-1fdf-4cfa-a2ff-50c521f04222" || r.GatewayPort() != nil || r.HasPort("lrp-8dc49792-b37a-48be-926a-af2c8e17ad3f") {
		t.Errorf("router %+v", r)
	}
	if !reflect.DeepEqual(r.FloatingIPs(), []string{"172.24.5.13"}) {
		t.Errorf("floating IPs %v", r.FloatingIPs())
	}
	want := time.Date(2018, 9, 18, 17, 12, 0, 0, time.UTC)
	if !evs[1].Time.Equal(want) || evs[1].Pos.Line != 9 {
		t.Errorf("router at %s %s", evs[1].Time, evs[1].Pos)
	}
	if !strings.Contains(r.Summary(), "no gateway port") {
		t.Errorf("summary %q", r.Summary())
	}
	var k timeline.Keys
	r.AppendKeys(&k)
	if !reflect.DeepEqual(k.Entities, []string{"cc163b42-1fdf-4cfa-a2ff-50c521f04222", "0b6d2a5e-8f7c-4c1a-9e3d-2a4b6c8d0e1f"}) ||
		!reflect.DeepEqual(k.IPs, []netip.Addr{netip.MustParseAddr("10.100.0.1"), netip.MustParseAddr("172.24.5.13")}) {
		t.Errorf("keys %v", k)
	}
	if src.Records != 16 || src.Skipped != 1 {
		t.Errorf("records %d skipped %d", src.Records, src.Skipped)
	}
}

func TestNbctlRealRouterHasGatewayPort(t *testing.T) {
	src, evs := run(t, ParseNbctl, readFile(t, "nbctl-port-forwarding.txt"))
	if len(evs) != 1 {
		t.Fatalf("%d events", len(evs))
	}
	r := evs[0].Data.(*timeline.OVNRouter)
	gw := r.GatewayPort()
	if gw == nil || gw.Name != "lrp-a01c3b" || !reflect.DeepEqual(gw.Networks, []string{"172.24.4.20/24", "2001:db8::1b6/64"}) || len(r.Ports) != 3 {
		t.Errorf("router %+v", r)
	}
	if r.NATs[0] != (timeline.OVNNAT{UUID: "4de53c", ExternalIP: "172.24.4.20", LogicalIP: "10.0.0.0/26", Type: "snat"}) {
		t.Errorf("nat %+v", r.NATs[0])
	}
	// No date line: the modification time, noted.
	if !evs[0].Time.Equal(modTime) || len(src.Problems) != 1 || src.Problems[0].Level != timeline.LevelNote {
		t.Errorf("time %s problems %v", evs[0].Time, src.Problems)
	}
}

func TestNbctlProblems(t *testing.T) {
	src, evs := run(t, ParseNbctl, "router 25ee01 (neutron-aa4793)\n    port lrp-1\ngarbage here\n        mac: \"x\"\n")
	if len(evs) != 1 || len(src.Problems) != 3 {
		t.Fatalf("%d events, problems %v", len(evs), src.Problems)
	}
	want := []string{"line 1: no date line before the snapshot: it is placed at the file's modification time 2018-09-18T18:00:00Z",
		"line 3: not a line of ovn-nbctl show: garbage here",
		"line 4: indented line outside a switch or router block: mac: \"x\""}
	for i, p := range src.Problems {
		if p.String() != want[i] {
			t.Errorf("problem %d: %s, want %s", i, p, want[i])
		}
	}
}

func TestOfctlARPFlows(t *testing.T) {
	text := "Tue Sep 18 17:12:01 UTC 2018\nNXST_FLOW reply (xid=0x4):\n" + readFile(t, "ofctl-arp-responder.txt") +
		" cookie=0x0, duration=184.992s, table=0, n_packets=175, n_bytes=15270, idle_age=15, priority=100,in_port=9 actions=load:0x3->NXM_NX_REG5[],resubmit(,8)\n" +
		" cookie=0x1, duration=1.5s, table=9, n_packets=0, n_bytes=0, idle_age=1, priority=90,arp,reg14=0x1,metadata=0x5,arp_tpa=172.24.5.13,arp_op=1 actions=move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],load:0x2->NXM_OF_ARP_OP[],resubmit(,37)\n" +
		"$ ovs-ofctl dump-flows br-int\n"
	src, evs := run(t, ParseOfctl, text)
	if len(evs) != 3 {
		t.Fatalf("%d events", len(evs))
	}
	type flow struct {
		tpa       string
		table     string
		prio      int
		n         int64
		responder bool
	}
	var got []flow
	for _, e := range evs {
		f := e.Data.(*timeline.OVNFlow)
		got = append(got, flow{f.TPA.String(), f.Table, f.Priority, f.NPackets, f.Responder})
		if !e.Time.Equal(time.Date(2018, 9, 18, 17, 12, 1, 0, time.UTC)) {
			t.Errorf("time %s", e.Time)
		}
	}
	want := []flow{{"192.168.100.1", "29", 100, 0, false}, {"192.168.100.1", "29", 50, 1, true}, {"172.24.5.13", "9", 90, 0, true}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("flows\n got %+v\nwant %+v", got, want)
	}
	if len(src.Problems) != 1 || !strings.HasPrefix(src.Problems[0].String(), "line 7: not a flow (no actions=)") {
		t.Errorf("problems %v", src.Problems)
	}
	if src.Records != 7 || src.Skipped != 3 {
		t.Errorf("records %d skipped %d", src.Records, src.Skipped)
	}
}

func TestTempestSymptoms(t *testing.T) {
	corpus := "2018-09-18 17:09:17,276 13788 ERROR [tempest.lib.common.ssh] Failed to establish authenticated ssh connection to cirros@ after 15 attempts"
	text := strings.Join([]string{
		"2018-09-18 16:58:01.151 13788 INFO tempest [-] Using tempest config file /etc/tempest/tempest.conf",
		"2018-09-18 17:09:17,276 13788 ERROR [tempest.lib.common.ssh] Failed to establish authenticated ssh connection to cirros@172.24.5.13 after 15 attempts. Proxy client: no proxy client",
		corpus,
		"2018-09-18 17:09:18.001 13788 ERROR tempest.scenario.manager [-] Timed out waiting for 172.24.5.13 to become reachable",
		"    tempest.lib.exceptions.SSHTimeout: Connection to the 172.24.5.13 via SSH timed out.",
	}, "\n") + "\n"
	_, evs := run(t, ParseTempest, text)
	type sym struct {
		what     timeline.SymptomKind
		ip, user string
		attempts int
		logger   string
		line     int64
	}
	var got []sym
	for _, e := range evs {
		s := e.Data.(*timeline.Symptom)
		ip := ""
		if s.IP.IsValid() {
			ip = s.IP.String()
		}
		got = append(got, sym{s.What, ip, s.User, s.Attempts, s.Logger, e.Pos.Line})
	}
	want := []sym{
		{timeline.SymptomSSHFailed, "172.24.5.13", "cirros", 15, "tempest.lib.common.ssh", 2},
		{timeline.SymptomSSHFailed, "", "cirros", 15, "tempest.lib.common.ssh", 3},
		{timeline.SymptomUnreachable, "172.24.5.13", "", 0, "tempest.scenario.manager", 4},
		{timeline.SymptomSSHTimeout, "172.24.5.13", "", 0, "", 5},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("symptoms\n got %+v\nwant %+v", got, want)
	}
	if !evs[0].Time.Equal(time.Date(2018, 9, 18, 17, 9, 17, 276e6, time.UTC)) || !evs[3].Time.Equal(evs[2].Time) {
		t.Errorf("times %s %s", evs[0].Time, evs[3].Time)
	}
	if evs[1].Raw != corpus {
		t.Errorf("raw %q", evs[1].Raw)
	}
}

func TestSniffers(t *testing.T) {
	tempest := "2018-09-18 17:09:17,276 13788 ERROR [tempest.lib.common.ssh] Failed to establish authenticated ssh connection to cirros@ after 15 attempts\n"
	neutron := "2022-02-10 16:09:19.398 1591 DEBUG ovsdbapp.backend.ovs_idl.transaction [-] Running txn n=1 command(idx=0): DelPortCommand(port=x) do_commit /x.py:86\n"
	tcpdump := "Sep 18 17:09:17.644405 h tcpdump[28445]: 17:09:17.275597 1e:d5:ec:49:df:4f > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 172.24.5.13 tell 172.24.5.1, length 28\n"
	cases := []struct {
		name  string
		sniff func([]byte) bool
		yes   []string
		no    []string
	}{
		{"nbctl", SniffNbctl, []string{incidentShow, readFile(t, "nbctl-port-forwarding.txt")}, []string{tempest, neutron, tcpdump, readFile(t, "ofctl-arp-responder.txt"), "router is down (really)\n"}},
		{"ofctl", SniffOfctl, []string{readFile(t, "ofctl-arp-responder.txt"), "NXST_FLOW reply (xid=0x4):\n"}, []string{tempest, neutron, tcpdump, incidentShow}},
		{"tempest", SniffTempest, []string{tempest, "2018-09-18 16:58:01.151 13788 INFO tempest [-] Using tempest config file\n"}, []string{neutron, tcpdump, incidentShow}},
	}
	for _, c := range cases {
		for i, s := range c.yes {
			if !c.sniff([]byte(s)) {
				t.Errorf("%s: yes[%d] not recognised", c.name, i)
			}
		}
		for i, s := range c.no {
			if c.sniff([]byte(s)) {
				t.Errorf("%s: no[%d] recognised", c.name, i)
			}
		}
	}
}

func TestGolden(t *testing.T) {
	cases := []struct {
		name string
		f    parse.Func
		text string
	}{
		{"nbctl-incident", ParseNbctl, incidentShow},
		{"nbctl-port-forwarding", ParseNbctl, readFile(t, "nbctl-port-forwarding.txt")},
		{"ofctl-arp-responder", ParseOfctl, readFile(t, "ofctl-arp-responder.txt")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src, evs := run(t, c.f, c.text)
			golden.Check(t, filepath.Join("testdata", "golden", c.name+".golden"), golden.Dump{}.Of(src, evs))
		})
	}
}

// The parsers must take any input without panicking and account for every
// line.
func fuzzParser(f *testing.F, p parse.Func, seeds ...string) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, input string) {
		src := &timeline.Source{Path: "fuzz", Host: "h"}
		evs, err := parse.Collect(p, strings.NewReader(input), src, parse.Options{ModTime: modTime})
		if err != nil {
			t.Fatal(err)
		}
		if src.Skipped < 0 || int64(len(evs))+src.Skipped > src.Records {
			t.Fatalf("records %d events %d skipped %d", src.Records, len(evs), src.Skipped)
		}
		for _, e := range evs {
			if e.Pos.Line < 1 || e.Pos.Line > src.Records {
				t.Fatalf("event at %s of %d lines", e.Pos, src.Records)
			}
			_ = e.Data.Summary()
			_ = e.Data.Fields()
			var k timeline.Keys
			e.Data.AppendKeys(&k)
		}
	})
}

func FuzzNbctl(f *testing.F) {
	fuzzParser(f, ParseNbctl, incidentShow, readFile(f, "nbctl-port-forwarding.txt"))
}

func FuzzOfctl(f *testing.F) {
	fuzzParser(f, ParseOfctl, readFile(f, "ofctl-arp-responder.txt"), "Tue Sep 18 17:12:01 UTC 2018\nNXST_FLOW reply (xid=0x4):\n")
}

func FuzzTempest(f *testing.F) {
	fuzzParser(f, ParseTempest,
		"2018-09-18 17:09:17,276 13788 ERROR [tempest.lib.common.ssh] Failed to establish authenticated ssh connection to cirros@ after 15 attempts\n",
		"2018-09-18 17:09:18.001 13788 ERROR tempest.scenario.manager [-] Timed out waiting for 172.24.5.13 to become reachable\n")
}

// Flows with their first fields cut off (`ovs-ofctl dump-flows br-int | cut
// -d, -f3-`, or --no-stats) are still dump-flows output.
func TestSniffOfctlWithoutCookie(t *testing.T) {
	cut := " table=29, n_packets=0, n_bytes=0, idle_age=905, priority=100,arp,reg15=0x1,metadata=0x3,arp_tpa=172.24.5.13,arp_op=1 actions=move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],load:0x2->NXM_OF_ARP_OP[]\n"
	nostats := " priority=100,arp,arp_tpa=172.24.5.13,arp_op=1 actions=load:0x2->NXM_OF_ARP_OP[]\n"
	for _, text := range []string{cut, nostats} {
		if !SniffOfctl([]byte(text)) {
			t.Errorf("not recognised: %q", text)
		}
	}
	if SniffOfctl([]byte("table=1 is a word in prose, priority=high, and then actions= follow\n")) {
		t.Error("prose taken for flows")
	}
}

// A Zuul console's stestr lines: the failed test is a symptom naming it, at
// the console's time; passes and skips are counted.
func TestJobOutputTestResults(t *testing.T) {
	text := `2018-09-18 17:00:01.000000 | Job console starting...
2018-09-18 17:08:12.551023 | controller | {0} tempest.api.network.test_ports.PortsTestJSON.test_list_ports [0.412881s] ... ok
2018-09-18 17:08:13.002114 | controller | {1} setUpClass (tempest.api.network.test_routers.RoutersIpV6Test) ... SKIPPED: IPv6 not enabled
2018-09-18 17:12:37.318442 | controller | {1} tempest.scenario.test_network_basic_ops.TestNetworkBasicOps.test_network_basic_ops [203.186734s] ... FAILED
2018-09-18 17:12:38.000000 | controller | {0} setUpClass (tempest.api.compute.servers.test_servers.ServersTestJSON) ... FAILED
`
	if !SniffTestResults([]byte(text)) {
		t.Fatal("not recognised")
	}
	src := &timeline.Source{Path: "job-output.txt"}
	evs, err := parse.Collect(ParseTestResults, strings.NewReader(text), src, parse.Options{})
	if err != nil || len(evs) != 2 {
		t.Fatalf("%d events, %v", len(evs), err)
	}
	s := evs[0].Data.(*timeline.Symptom)
	if s.What != timeline.SymptomTestFailed || s.Test != "tempest.scenario.test_network_basic_ops.TestNetworkBasicOps.test_network_basic_ops" ||
		!evs[0].Time.Equal(time.Date(2018, 9, 18, 17, 12, 37, 318442e3, time.UTC)) {
		t.Errorf("first failure %+v at %v", s, evs[0].Time)
	}
	if s := evs[1].Data.(*timeline.Symptom); s.Test != "tempest.api.compute.servers.test_servers.ServersTestJSON.setUpClass" {
		t.Errorf("setUpClass failure names %q", s.Test)
	}
	if len(src.Problems) != 1 || src.Problems[0].Message != "test results: 2 failed, 1 passed, 1 skipped" {
		t.Errorf("notes %v", src.Problems)
	}
}

// TestFloodsAreCapped: a flood of bad or untimed lines lists the first
// parse.DefaultProblemCap in full and sums up the rest in one problem
// naming their range; every line is still accounted for.
func TestFloodsAreCapped(t *testing.T) {
	const n = 5000
	flood := func(head, line string) string {
		var b strings.Builder
		b.WriteString(head)
		for range n {
			b.WriteString(line + "\n")
		}
		return b.String()
	}
	limit := parse.DefaultProblemCap
	for _, c := range []struct {
		name    string
		f       parse.Func
		text    string
		first   int64 // line of the first problem
		summary string
		bad     int64
	}{
		{"nbctl", ParseNbctl, flood("Tue Sep 18 17:12:00 UTC 2018\n", "garbage here"), 2,
			"4900 more lines like the above (not nbctl show), not listed after the first 100: line 102 to line 5001", n},
		{"ofctl", ParseOfctl, flood("Tue Sep 18 17:12:00 UTC 2018\n", "cookie=0x0 garbage"), 2,
			"4900 more lines like the above (not a flow (no actions=)), not listed after the first 100: line 102 to line 5001", n},
		{"tempest", ParseTempest, flood("", "Timed out waiting for 10.0.0.1 to become reachable"), 1,
			"4900 more lines like the above (untimed symptom), not listed after the first 100: line 101 to line 5000", 0},
		{"testresults", ParseTestResults, flood("", "{0} tempest.a.B.test_c [1.0s] ... FAILED"), 1,
			"4900 more lines like the above (untimed result), not listed after the first 100: line 101 to line 5000", 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			src, evs := run(t, c.f, c.text)
			var sums []timeline.Problem
			listed := 0
			for _, p := range src.Problems {
				switch {
				case strings.Contains(p.Message, " more lines like the above "):
					sums = append(sums, p)
				case strings.HasPrefix(p.Message, "test results: "):
				default:
					if listed == 0 && p.Pos.Line != c.first {
						t.Errorf("first problem at %s, want line %d", p.Pos, c.first)
					}
					listed++
				}
			}
			if listed != limit || len(sums) != 1 || sums[0].Message != c.summary {
				t.Fatalf("%d listed, summaries %v; want %d and %q", listed, sums, limit, c.summary)
			}
			if src.BadRecords != c.bad {
				t.Errorf("%d bad records, want %d", src.BadRecords, c.bad)
			}
			if sum := int64(len(evs)) - src.Derived + src.Folded + src.Skipped + src.BadRecords; src.Records != sum {
				t.Errorf("records %d ≠ events %d − derived %d + folded %d + skipped %d + bad %d",
					src.Records, len(evs), src.Derived, src.Folded, src.Skipped, src.BadRecords)
			}
		})
	}
}
