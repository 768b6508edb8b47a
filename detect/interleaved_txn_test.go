package detect

import (
	"bufio"
	"fmt"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/arpforensics/arpforensics/parse"
	"github.com/arpforensics/arpforensics/parse/txnlog"
	"github.com/arpforensics/arpforensics/timeline"
)

// The incident: router d1d3b2f2's add-interface (idx 0, 1, 3) and router
// cc163b42's create-router (idx 2) in one transaction of pid 32314. The
// lines are built from the command classes' printed attributes (Rocky era,
// Python 2.7 dict order, ovsdbapp 0.12); no public paste of them exists.
const (
	txR1  = "d1d3b2f2-71e6-4c0b-9d2a-5d1b0f6c2c11"
	txR2  = "cc163b42-1fdf-4cfa-a2ff-50c521f04222"
	txP1  = "0b6d2a5e-8f7c-4c1a-9e3d-2a4b6c8d0e1f"
	txGW  = "8dc49792-b37a-48be-926a-af2c8e17ad3f"
	txFIP = "172.24.5.13"
)

func txnLine(ts string, pid, n, idx int, cmd string) string {
	return fmt.Sprintf("2018-09-18 %s %d DEBUG ovsdbapp.backend.ovs_idl.transaction [-] Running txn n=%d command(idx=%d): %s do_commit /usr/lib/python2.7/site-packages/ovsdbapp/backend/ovs_idl/transaction.py:84", ts, pid, n, idx, cmd)
}

var (
	addIface = []string{
		"AddLRouterPortCommand(name=lrp-" + txP1 + ", may_exist=True, lrouter=neutron-" + txR1 + ", columns={'mac': u'fa:16:3e:3e:5b:43', 'networks': [u'10.100.0.1/28'], 'external_ids': {'neutron:router_name': u'" + txR1 + "', 'neutron:revision_number': u'2'}})",
		"SetLRouterPortInLSwitchPortCommand(lswitch_port=" + txP1 + ", if_exists=True, is_gw_port=False, lrouter_port=lrp-" + txP1 + ", lsp_address=router)",
	}
	snatR1    = "AddNATRuleInLRouterCommand(lrouter=neutron-" + txR1 + ", columns={'external_ip': u'172.24.5.9', 'logical_ip': u'10.100.0.0/28', 'type': 'snat'})"
	createR2  = "AddLRouterCommand(may_exist=True, columns={'external_ids': {'neutron:gw_port_id': u'" + txGW + "', 'neutron:router_name': u'tempest-TestSecurityGroupsBasicOps-router-1912572360'}, 'enabled': True, 'options': {}}, name=neutron-" + txR2 + ")"
	gwPort    = "AddLRouterPortCommand(name=lrp-" + txGW + ", may_exist=True, lrouter=neutron-" + txR2 + ", columns={'mac': u'fa:16:3e:8b:2c:11', 'networks': [u'172.24.5.5/24'], 'gateway_chassis': [u'ch1']})"
	gwBind    = "SetLRouterPortInLSwitchPortCommand(lswitch_port=" + txGW + ", if_exists=True, is_gw_port=True, lrouter_port=lrp-" + txGW + ", lsp_address=router)"
	gwRoute   = "AddStaticRouteCommand(lrouter=neutron-" + txR2 + ", columns={'ip_prefix': '0.0.0.0/0', 'nexthop': u'172.24.5.1', 'external_ids': {}})"
	fipOnR2   = "AddNATRuleInLRouterCommand(lrouter=neutron-" + txR2 + ", columns={'external_ip': u'" + txFIP + "', 'logical_ip': u'10.100.0.12', 'type': 'dnat_and_snat', 'logical_port': u'" + txP1 + "', 'external_ids': {'neutron:fip_id': u'2f1e0d9c-8b7a-4c6d-9e5f-4a3b2c1d0e9f'}})"
	raceLines = []string{
		txnLine("17:09:17.276", 32314, 1, 0, addIface[0]),
		txnLine("17:09:17.277", 32314, 1, 1, addIface[1]),
		txnLine("17:09:17.278", 32314, 1, 2, createR2),
		txnLine("17:09:17.279", 32314, 1, 3, snatR1),
	}
)

// buildTxnTimeline parses log sources and builds a timeline; extra events
// (other kinds) join as one more source.
func buildTxnTimeline(t *testing.T, logs map[string]string, extra []timeline.Event) *timeline.Timeline {
	t.Helper()
	srcs, per := parseTxnLogs(t, logs)
	if len(extra) > 0 {
		srcs = append(srcs, &timeline.Source{Path: "other", Kind: "other", Host: "controller"})
		per = append(per, extra)
	}
	return timeline.Build(srcs, per)
}

// parseTxnLogs parses log sources, in path order.
func parseTxnLogs(t *testing.T, logs map[string]string) ([]*timeline.Source, [][]timeline.Event) {
	t.Helper()
	var srcs []*timeline.Source
	var per [][]timeline.Event
	for _, path := range txnSortedKeys(logs) {
		src := &timeline.Source{Path: path, Kind: txnlog.Format.Name, Host: "controller"}
		evs, err := parse.Collect(txnlog.Parse, strings.NewReader(logs[path]), src, parse.Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range src.Problems {
			if p.Level == timeline.LevelError {
				t.Fatalf("%s: %s", path, p)
			}
		}
		srcs, per = append(srcs, src), append(per, evs)
	}
	return srcs, per
}

func txnSortedKeys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	for i := range ks {
		for j := i + 1; j < len(ks); j++ {
			if ks[j] < ks[i] {
				ks[i], ks[j] = ks[j], ks[i]
			}
		}
	}
	return ks
}

func detectTxn(t *testing.T, tl *timeline.Timeline) []Finding {
	t.Helper()
	cfg := Defaults()
	return findingsOf(interleavedTxn{}, tl, &cfg)
}

func joinLines(ls ...string) string { return strings.Join(ls, "\n") + "\n" }

func TestIncidentLosesTheGatewayPort(t *testing.T) {
	log := joinLines(append(raceLines,
		// Router 2 later gets an interface (a router port that is not its
		// gateway port) and a floating IP; its gateway port never comes.
		txnLine("17:09:20.000", 32315, 1, 0, strings.ReplaceAll(strings.ReplaceAll(addIface[0], txP1, "4a6c8e0a-2c4e-4a6c-8e0a-2c4e6a8c0e2a"), txR1, txR2)),
		txnLine("17:09:20.001", 32315, 1, 1, strings.ReplaceAll(addIface[1], txP1, "4a6c8e0a-2c4e-4a6c-8e0a-2c4e6a8c0e2a")),
		txnLine("17:09:30.000", 32316, 1, 0, fipOnR2),
	)...)
	fs := Run(buildTxnTimeline(t, map[string]string{"neutron-server.log": log}, nil), Defaults()).Findings
	if len(fs) != 1 {
		t.Fatalf("%d findings, want 1", len(fs))
	}
	f := fs[0]
	want := []KV{
		{"pid", 32314}, {"host", "controller"}, {"intruder", "AddLRouterCommand"},
		{"intruder_entity", "neutron-" + txR2}, {"txn_entity", "neutron-" + txR1},
		{"lost", "router neutron-" + txR2 + " created; gateway port lrp-" + txGW + " and default route never added"},
	}
	if fmt.Sprint(f.Subject) != fmt.Sprint(Subject(want)) {
		t.Errorf("subject\n got %v\nwant %v", f.Subject, want)
	}
	if f.Detector != "interleaved-txn" || f.Severity != High || f.Confidence != ConfHigh || f.KnownIssue == nil ||
		f.KnownIssue.ID != "ovsdbapp-nested-transaction" || f.KnownIssue.FixedIn != "ovsdbapp 0.13.0 (backports 0.12.2, 0.10.2)" {
		t.Errorf("severity %s confidence %s known issue %+v", f.Severity, f.Confidence, f.KnownIssue)
	}
	if len(f.Evidence) != 4 {
		t.Fatalf("%d evidence items, want the 4 command lines", len(f.Evidence))
	}
	for i, e := range f.Evidence {
		if e.Text != raceLines[i] || e.Pos.String() != fmt.Sprintf("line %d", i+1) || e.Source != "neutron-server.log" {
			t.Errorf("evidence %d: %s %s %q", i, e.Source, e.Pos, e.Text)
		}
	}
	for _, s := range []string{"add-interface of neutron-" + txR1 + " at idx 0, 1, 3", "create-router (incomplete) of neutron-" + txR2 + " at idx 2", "0.13.0"} {
		if !strings.Contains(f.Explanation, s) {
			t.Errorf("explanation lacks %q:\n%s", s, f.Explanation)
		}
	}
	if !f.Start.Equal(time.Date(2018, 9, 18, 17, 9, 17, 276e6, time.UTC)) {
		t.Errorf("start %s", f.Start)
	}
}

func TestRepairedLaterIsNotLost(t *testing.T) {
	// A maintenance task of another worker on the same host adds what
	// the router lacked.
	log := joinLines(append(raceLines,
		txnLine("17:14:00.000", 32320, 1, 0, gwPort),
		txnLine("17:14:00.001", 32320, 1, 1, gwBind),
		txnLine("17:14:00.002", 32320, 1, 2, gwRoute),
	)...)
	fs := detectTxn(t, buildTxnTimeline(t, map[string]string{"neutron-server.log": log}, nil))
	if len(fs) != 1 {
		t.Fatalf("%d findings", len(fs))
	}
	if fs[0].Severity != Medium || fs[0].Subject.String("lost") != "" {
		t.Errorf("severity %s lost %q", fs[0].Severity, fs[0].Subject.String("lost"))
	}
	if n := len(fs[0].Evidence); n != 5 || !strings.Contains(fs[0].Evidence[4].Pos.String(), "line 5") {
		t.Errorf("evidence: %d items, last %+v", n, fs[0].Evidence[n-1])
	}
	// The same repair on another host does not count.
	other := joinLines(
		txnLine("17:14:00.000", 32320, 1, 0, gwPort),
		txnLine("17:14:00.001", 32320, 1, 1, gwBind),
		txnLine("17:14:00.002", 32320, 1, 2, gwRoute),
	)
	srcs, per := parseTxnLogs(t, map[string]string{"a/neutron-server.log": joinLines(raceLines...), "b/neutron-server.log": other})
	for _, e := range per[1] {
		if tx, ok := e.Data.(*timeline.Txn); ok {
			tx.Host = "controller-2"
		}
	}
	fs = detectTxn(t, timeline.Build(srcs, per))
	if len(fs) != 1 || fs[0].Severity != High {
		t.Errorf("repair on another host: %d findings", len(fs))
	}
}

func TestNotInterleaving(t *testing.T) {
	tests := map[string][]string{
		"the router create alone, then its interface": {
			txnLine("17:09:17.000", 1, 1, 0, createR2),
			txnLine("17:09:17.001", 1, 1, 1, gwPort),
			txnLine("17:09:17.002", 1, 1, 2, gwBind),
			txnLine("17:09:17.003", 1, 1, 3, gwRoute),
			txnLine("17:09:18.000", 1, 1, 0, addIface[0]),
			txnLine("17:09:18.001", 1, 1, 1, addIface[1]),
			txnLine("17:09:18.002", 1, 1, 2, snatR1),
		},
		"a TRY_AGAIN retry repeats the transaction": {
			txnLine("17:09:17.000", 1, 1, 0, addIface[0]),
			txnLine("17:09:17.001", 1, 1, 1, addIface[1]),
			"2018-09-18 17:09:17.002 1 DEBUG ovsdbapp.backend.ovs_idl.transaction [-] OVSDB transaction returned TRY_AGAIN, retrying do_commit /x/transaction.py:103",
			txnLine("17:09:17.100", 1, 2, 0, addIface[0]),
			txnLine("17:09:17.101", 1, 2, 1, addIface[1]),
			txnLine("17:09:17.102", 1, 2, 2, snatR1),
		},
		"homogeneous bulk update": {
			txnLine("17:09:17.000", 1, 1, 0, "DbSetCommand(table=Logical_Switch_Port, record=6f1a8c1e-3b5d-4e7f-9a0b-1c2d3e4f5a6b, col_values=(('external_ids', {'neutron:revision_number': '3'}),), if_exists=True)"),
			txnLine("17:09:17.001", 1, 1, 1, "DbSetCommand(table=Logical_Switch_Port, record=7a2b9d2f-4c6e-4f80-8b1c-2d3e4f5a6b7c, col_values=(('external_ids', {'neutron:revision_number': '5'}),), if_exists=True)"),
			txnLine("17:09:17.002", 1, 1, 2, "DbSetCommand(table=Logical_Switch_Port, record=8b3c0e3a-5d7f-4091-9c2d-3e4f5a6b7c8d, col_values=(('external_ids', {'neutron:revision_number': '4'}),), if_exists=True)"),
		},
		"homogeneous bulk of router creates without their gateways": {
			txnLine("17:09:17.000", 1, 1, 0, createR2),
			txnLine("17:09:17.001", 1, 1, 1, strings.ReplaceAll(strings.ReplaceAll(createR2, txR2, txR1), txGW, txP1)),
		},
		"floating IP with the gateway peer's NAT address (parts of unknown operations)": {
			txnLine("17:09:17.000", 1, 1, 0, fipOnR2),
			txnLine("17:09:17.001", 1, 1, 1, "AddNatIpToLRPortPeerOptionsCommand(lport="+txGW+", nat_ip="+txFIP+")"),
		},
	}
	for name, lines := range tests {
		t.Run(name, func(t *testing.T) {
			if fs := detectTxn(t, buildTxnTimeline(t, map[string]string{"n.log": joinLines(lines...)}, nil)); len(fs) != 0 {
				t.Errorf("%d findings: %s", len(fs), fs[0].Title)
			}
		})
	}
}

func TestTwoCompleteOperations(t *testing.T) {
	// A router create without a gateway merged into an add-interface:
	// nothing lost, still two requests in one transaction.
	noGW := strings.ReplaceAll(createR2, "u'"+txGW+"'", "u''")
	fs := detectTxn(t, buildTxnTimeline(t, map[string]string{"n.log": joinLines(
		txnLine("17:09:17.000", 1, 1, 0, addIface[0]),
		txnLine("17:09:17.001", 1, 1, 1, addIface[1]),
		txnLine("17:09:17.002", 1, 1, 2, noGW),
	)}, nil))
	if len(fs) != 1 || fs[0].Severity != Medium || fs[0].Subject.String("lost") != "" || fs[0].Subject.String("intruder") != "AddLRouterCommand" {
		t.Fatalf("findings %+v", fs)
	}
}

// TestCorpusYieldsNoFinding runs the detector over every real transaction
// of the corpus (each source group as its own file) and the Octavia
// console log: multi-entity transactions connected through a load balancer
// or a port are not interleaving.
func TestCorpusYieldsNoFinding(t *testing.T) {
	logs := map[string]string{}
	f, err := os.Open("../testdata/corpus/txnlog/real-lines.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	group := 0
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "# source:") {
			group++
			continue
		}
		if strings.HasPrefix(line, "#") || group == 0 {
			continue
		}
		logs[fmt.Sprintf("group-%02d.log", group)] += line + "\n"
	}
	octavia, err := os.ReadFile("../parse/txnlog/testdata/octavia-sync.log")
	if err != nil {
		t.Fatal(err)
	}
	logs["octavia-sync.log"] = string(octavia)
	tl := buildTxnTimeline(t, logs, nil)
	txns := 0
	for _, r := range tl.Records(0, -1) {
		if r.Kind == timeline.KindTxn {
			txns++
		}
	}
	if txns < 20 {
		t.Fatalf("only %d transactions read", txns)
	}
	if fs := detectTxn(t, tl); len(fs) != 0 {
		t.Errorf("%d findings on the corpus: %s", len(fs), fs[0].Title)
	}
}

func TestCorroborationOrdersTheStory(t *testing.T) {
	log := joinLines(append(raceLines, txnLine("17:09:30.000", 32316, 1, 0, fipOnR2))...)
	at := func(s string) time.Time {
		tm, _ := time.Parse(time.RFC3339Nano, "2018-09-18T"+s+"Z")
		return tm
	}
	ip := netip.MustParseAddr(txFIP)
	gwIP := netip.MustParseAddr("172.24.5.1")
	mac, _ := timeline.ParseMAC("1e:d5:ec:49:df:4f")
	req := func(ts string, line int64) timeline.Event {
		return timeline.Event{Time: at(ts), Pos: timeline.Pos{Line: line}, Raw: "tcpdump line " + ts,
			Data: &timeline.ARP{Link: timeline.Link{Src: mac, Dst: timeline.Broadcast, DstKnown: true}, Op: 1, Class: timeline.ARPRequest, SHA: mac, SPA: gwIP, TPA: ip}}
	}
	extra := []timeline.Event{
		req("17:10:01.000", 1), req("17:10:02.000", 2), req("17:10:03.000", 3),
		{Time: at("17:12:00.000"), Pos: timeline.Pos{Line: 10}, Raw: "router line",
			Data: &timeline.OVNRouter{Name: "neutron-" + txR2, NATs: []timeline.OVNNAT{{ExternalIP: txFIP, LogicalIP: "10.100.0.12", Type: "dnat_and_snat"}}}},
		{Time: at("17:12:00.000"), Pos: timeline.Pos{Line: 20}, Raw: "flow line",
			Data: &timeline.OVNFlow{TPA: ip, Responder: true, NPackets: 0}},
		{Time: at("17:13:00.000"), Pos: timeline.Pos{Line: 30}, Raw: "tempest line",
			Data: &timeline.Symptom{What: timeline.SymptomSSHFailed, IP: ip, User: "cirros", Attempts: 15}},
		// An answered address is not a symptom.
		{Time: at("17:10:01.500"), Pos: timeline.Pos{Line: 4}, Raw: "other",
			Data: &timeline.ARP{Op: 1, Class: timeline.ARPRequest, SPA: gwIP, TPA: netip.MustParseAddr("172.24.5.9")}},
	}
	fs := detectTxn(t, buildTxnTimeline(t, map[string]string{"neutron-server.log": log}, extra))
	if len(fs) != 1 {
		t.Fatalf("%d findings", len(fs))
	}
	var texts []string
	for _, e := range fs[0].Evidence {
		texts = append(texts, e.Text)
	}
	want := []string{"tempest line", "tcpdump line 17:10:01.000", "tcpdump line 17:10:03.000", "flow line", "router line",
		raceLines[0], raceLines[1], raceLines[2], raceLines[3]}
	if strings.Join(texts, "\n") != strings.Join(want, "\n") {
		t.Errorf("evidence\n got %q\nwant %q", texts, want)
	}
	for _, s := range []string{"3 ARP request(s) for 172.24.5.13 went unanswered", "no gateway port lrp-" + txGW, "n_packets=0", "ssh-failed"} {
		if !strings.Contains(fs[0].Explanation, s) {
			t.Errorf("explanation lacks %q:\n%s", s, fs[0].Explanation)
		}
	}
}

func TestUserOperations(t *testing.T) {
	// A user's catalog teaches the detector an operation it did not know:
	// here a gateway-less router create that must always set options.
	extra, err := DecodeOperations("mine.yaml", []byte(`
operations:
  - name: create-router
    subject: [name]
    steps:
      - commands: [AddLRouterCommand]
        done: router {subject} created
      - commands: [UpdateLRouterCommand]
        lost: router options
`))
	if err != nil {
		t.Fatal(err)
	}
	noGW := strings.ReplaceAll(createR2, "u'"+txGW+"'", "u''")
	tl := buildTxnTimeline(t, map[string]string{"n.log": joinLines(
		txnLine("17:09:17.000", 1, 1, 0, addIface[0]),
		txnLine("17:09:17.001", 1, 1, 1, addIface[1]),
		txnLine("17:09:17.002", 1, 1, 2, noGW),
	)}, nil)
	cfg := Defaults()
	cfg.TxnOperations = MergeOperations(cfg.TxnOperations, extra)
	fs := findingsOf(interleavedTxn{}, tl, &cfg)
	if len(fs) != 1 || fs[0].Subject.String("lost") != "router neutron-"+txR2+" created; router options never added" {
		t.Fatalf("findings %+v", fs)
	}
}

// TestSnapshotWithTheGatewayPortIsNotCited: since neutron 29 a gateway port
// is scheduled through HA_Chassis_Group, which `ovn-nbctl show` does not
// print; a router showing the expected gateway port without "gateway
// chassis" must not be cited as missing it.
func TestSnapshotWithTheGatewayPortIsNotCited(t *testing.T) {
	log := joinLines(append(raceLines, txnLine("17:09:30.000", 32316, 1, 0, fipOnR2))...)
	snap := timeline.Event{Time: time.Date(2018, 9, 18, 17, 12, 0, 0, time.UTC), Pos: timeline.Pos{Line: 10},
		Data: &timeline.OVNRouter{Name: "neutron-" + txR2, Ports: []timeline.OVNRouterPort{{Name: "lrp-" + txGW, Networks: []string{"172.24.5.5/24"}}},
			NATs: []timeline.OVNNAT{{ExternalIP: txFIP, LogicalIP: "10.100.0.12", Type: "dnat_and_snat"}}}}
	fs := detectTxn(t, buildTxnTimeline(t, map[string]string{"neutron-server.log": log}, []timeline.Event{snap}))
	if len(fs) != 1 {
		t.Fatalf("%d findings", len(fs))
	}
	for _, e := range fs[0].Evidence {
		if strings.Contains(e.Text, "ovn-nbctl") {
			t.Errorf("cites a snapshot that has the gateway port: %s", e.Text)
		}
	}
}
