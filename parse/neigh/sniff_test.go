package neigh

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSniff(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.txt")
	for _, f := range files {
		if strings.HasSuffix(f, "malformed.txt") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !Sniff(data) {
			t.Errorf("%s: not recognised", f)
		}
	}
	yes := []string{
		"Tue Sep 18 17:09:17 UTC 2018\n10.0.0.100 dev eth0 lladdr 02:00:00:00:00:0b STALE\n",
		"10.0.0.100 dev eth0 lladdr 02:00:00:00:00:0b STALE \r\nfd00::2 dev eth0 lladdr 02:00:00:00:00:0a router REACHABLE \r\n",
		`[{"dst":"10.0.0.100","dev":"eth0","lladdr":"02:00:00:00:00:0b","state":["STALE"]}]` + "\n",
		"[ {\n        \"dst\": \"10.0.0.52\",\n        \"dev\": \"eth0\",\n",
		"? (10.0.0.100) at 02:00:00:00:00:0b [ether] on eth0\n",
		"IP address       HW type     Flags       HW address            Mask     Device\n10.0.0.100       0x1         0x2         02:00:00:00:00:0b     *        eth0\n",
		"Timestamp: Sat Nov 21 09:01:49 2026 408350 usec\n10.0.0.100 dev eth0 lladdr 02:00:00:00:00:0a REACHABLE\n",
	}
	for _, s := range yes {
		if !Sniff([]byte(s)) {
			t.Errorf("not recognised: %q", s)
		}
	}
	no := []string{
		"",
		"127.0.0.1 localhost\n::1 ip6-localhost ip6-loopback\n10.0.0.1 router\n", // /etc/hosts
		"192.168.0.1\n192.168.0.2\n",
		"Tue Sep 18 17:09:17 UTC 2018\n",
		"09:01:49.408016 02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 10.0.0.100 tell 10.0.0.1, length 28\n",
		"2018-09-18 17:09:17.123 28445 DEBUG ovsdbapp.backend.ovs_idl.transaction [-] Running txn n=1 command(idx=0): AddLRouterCommand(name=r1)\n",
		"Sep 18 17:09:17 host neutron-server[123]: something\n",
		`[{"ifindex":1,"ifname":"lo"}]` + "\n",
		"10.0.0.1 dev eth0 lladdr 02:00:00:00:00:01 STALE\nnot\nneigh\ndata\nat all\n",
	}
	for _, s := range no {
		if Sniff([]byte(s)) {
			t.Errorf("wrongly recognised: %q", s)
		}
	}
}
