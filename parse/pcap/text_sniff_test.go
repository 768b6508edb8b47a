package pcap

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSniffTextAcceptsTcpdumpOutput(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(textData, "*.txt"))
	if err != nil || len(files) < 12 {
		t.Fatalf("%d renderings (%v)", len(files), err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !SniffText(b) {
			t.Errorf("%s: not recognised", f)
		}
		// A head cut inside a line is still recognised.
		if len(b) > 2000 && !SniffText(b[:2000]) {
			t.Errorf("%s: first 2000 bytes not recognised", f)
		}
	}
	for name, head := range map[string]string{
		"issue example":           "Sep 18 17:09:17.644405 ubuntu-xenial-ovh-bhs1-0002095917 tcpdump[28445]: 17:09:17.275597 1e:d5:ec:49:df:4f > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 172.24.5.11 tell 172.24.5.1, length 28\n",
		"banner first":            "tcpdump: verbose output suppressed, use -v[v]... for full protocol decode\nlistening on any, link-type LINUX_SLL2 (Linux cooked v2), snapshot length 262144 bytes\n09:01:49.408016 eth0  Out ARP, Request who-has 10.0.0.100 tell 10.0.0.1, length 28\n",
		"journalctl header":       "-- Logs begin at Tue 2018-09-18 16:50:01 UTC, end at Tue 2018-09-18 17:30:00 UTC. --\nSep 18 17:00:00.000000 host systemd[1]: Started tcpdump.\nSep 18 17:09:17.644405 host tcpdump[28445]: 17:09:17.275597 ARP, Request who-has 10.0.0.100 tell 10.0.0.1, length 28\nSep 18 17:09:17.644405 host tcpdump[28445]: 17:09:18.275597 ARP, Request who-has 10.0.0.100 tell 10.0.0.1, length 28\n",
		"CRLF":                    "09:01:49.408016 ARP, Request who-has 10.0.0.100 tell 10.0.0.1, length 28\r\n09:01:49.408031 ARP, Reply 10.0.0.100 is-at 02:00:00:00:00:0a, length 28\r\n",
		"journalctl -o short-iso": "2018-09-18T17:09:17+0000 host tcpdump[28445]: 17:09:17.275597 ARP, Request who-has 10.0.0.100 tell 10.0.0.1, length 28\n",
		"only IPv6 yet":           "09:01:49.408016 IP6 fe80::1 > ff02::1: ICMP6, router solicitation, length 8\n",
		// Claimed so the parser can say why it is of no use.
		"tcpdump -t":           "ARP, Request who-has 10.0.0.100 tell 10.0.0.1, length 28\nIP 10.0.0.1.40000 > 10.0.0.100.22: Flags [S], seq 1, win 64240, length 0\n",
		"one line, no newline": "09:01:49.408016 ARP, Request who-has 10.0.0.100 tell 10.0.0.1, length 28",
	} {
		if !SniffText([]byte(head)) {
			t.Errorf("%s: not recognised", name)
		}
	}
}

func TestSniffTextRejectsOtherArtifacts(t *testing.T) {
	for _, f := range []string{
		// The iproute2 corpus ends with tcpdump lines, the txnlog corpus
		// with a tcpdump journal line: neither is a capture.
		"../../testdata/corpus/neigh/formats.txt",
		"../../testdata/corpus/txnlog/real-lines.txt",
		"text_test.go",
	} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) > 64<<10 {
			b = b[:64<<10]
		}
		if SniffText(b) {
			t.Errorf("%s: claimed as tcpdump text", f)
		}
	}
	neutron := "Jul 02 21:41:47 central neutron-server[92593]: DEBUG ovsdbapp.backend.ovs_idl.transaction [None req-f0622324-c1c8-4897-b130-a998ed1f9321 None None] Running txn n=1 command(idx=0): LbAddCommand(lb=pf-floatingip) {{(pid=92593) do_commit /usr/local/lib/python3.8/dist-packages/ovsdbapp/backend/ovs_idl/transaction.py:90}}\n"
	tcpdump := "Jul 02 21:41:47.000001 central tcpdump[1234]: 21:41:47.000000 ARP, Request who-has 10.0.0.100 tell 10.0.0.1, length 28\n"
	for name, head := range map[string]string{
		"neutron-server journal":                          strings.Repeat(neutron, 30),
		"neutron-server journal holding one tcpdump line": strings.Repeat(neutron, 10) + tcpdump + strings.Repeat(neutron, 10),
		"ip neigh snapshot":                               "Sat Nov 21 09:01:49 UTC 2026\n10.0.0.100 dev eth0 lladdr 02:00:00:00:00:0a REACHABLE \n10.0.0.1 dev eth0 lladdr 02:00:00:00:00:01 STALE \n",
		"ip -ts monitor":                                  "[2026-11-21T09:01:49.408016] 10.0.0.100 dev eth0 lladdr 02:00:00:00:00:0b STALE\n[2026-11-21T09:01:50.408016] 10.0.0.100 dev eth0 lladdr 02:00:00:00:00:0b DELAY\n",
		"bridge fdb":                                      "02:00:00:00:00:01 dev eth0 master br0 permanent\n02:00:00:00:00:0a dev eth0 vlan 1 master br0\n",
		"neutron-server, journalctl -o short-iso": strings.Repeat("2018-09-18T17:09:17+0000 host neutron-server[1]: DEBUG ovsdbapp.backend.ovs_idl.transaction [-] Running txn n=1 command(idx=0): DelPortCommand(port=ha-550dc175-c0)\n", 5) +
			"2018-09-18T17:09:17+0000 host tcpdump[28445]: 17:09:17.275597 ARP, Request who-has 10.0.0.100 tell 10.0.0.1, length 28\n",
		"oslo.log":                    "2022-02-10 16:09:19.398 1591 DEBUG ovsdbapp.backend.ovs_idl.transaction [-] Running txn n=1 command(idx=0): DelPortCommand(port=ha-550dc175-c0, bridge=None, if_exists=True) do_commit\n",
		"log with times of day":       "12:00:00.123456 service started\n12:00:01.000000 listening on port 8080\n12:00:02.500000 ready\n",
		"banners only":                "tcpdump: verbose output suppressed, use -v[v]... for full protocol decode\nlistening on eth0, link-type EN10MB (Ethernet), snapshot length 262144 bytes\n0 packets captured\n",
		"mostly broken tcpdump lines": "09:01:49.408016 ARP, Request who-has gw tell me, length 28\n09:01:49.408017 ARP, Request who-has gw tell me, length 28\n09:01:49.408018 ARP, Request who-has 10.0.0.1 tell 10.0.0.2, length 28\n",
		"empty":                       "",
	} {
		if SniffText([]byte(head)) {
			t.Errorf("%s: claimed as tcpdump text", name)
		}
	}
}
