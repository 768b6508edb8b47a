package ovnlab

import (
	"os"
	"path/filepath"
	"strings"
	"time"
)

// The two incidents, reproduced with the real components. Each writes what a
// CI job would keep into out (the database files, `ovn-nbctl show`, the
// neutron-like DEBUG log) and returns the paths.

// Addresses of the stale-binding scenario.
const (
	StaleIP     = "172.24.4.50"
	StaleOldMAC = "fa:16:3e:11:11:11"
	StaleNewMAC = "fa:16:3e:22:22:22"
	GatewayMAC  = "fa:16:3e:00:00:01"
)

// StaleBinding runs northd between the databases, builds a router with a
// gateway port on a provider switch and a port holding StaleIP, records the
// router learning StaleIP at the port's MAC (the MAC_Binding row
// ovn-controller writes when the router ARPs), then deletes the port and
// gives the address to a new port with another MAC. When heal is set the
// binding is then updated to the new MAC, as it is when the router accepts
// the new owner's GARP; otherwise it keeps the old MAC. hold is how long the
// databases keep running afterwards (the history's last transaction comes
// after it).
func (l *Lab) StaleBinding(heal bool, hold time.Duration) {
	l.t.Helper()
	l.StartNorthd()
	l.Nbctl("ls-add", "neutron-ext")
	l.Nbctl("lr-add", "neutron-r1")
	l.Nbctl("lrp-add", "neutron-r1", "lrp-gw1", GatewayMAC, "172.24.4.1/24")
	l.Nbctl("lsp-add", "neutron-ext", "gw1", "--", "lsp-set-type", "gw1", "router",
		"--", "lsp-set-addresses", "gw1", "router", "--", "lsp-set-options", "gw1", "router-port=lrp-gw1")
	l.Nbctl("lsp-add", "neutron-ext", "port-a", "--", "lsp-set-addresses", "port-a", StaleOldMAC+" "+StaleIP)
	l.WaitSB("neutron-r1", "--bare", "--columns=external_ids", "list", "Datapath_Binding")
	dp := strings.TrimSpace(l.Sbctl("--bare", "--columns=_uuid", "find", "Datapath_Binding", "external_ids:name=neutron-r1"))
	l.Sbctl("create", "MAC_Binding", "ip="+StaleIP, `mac="`+StaleOldMAC+`"`, "logical_port=lrp-gw1", "datapath="+dp)
	time.Sleep(20 * time.Millisecond)
	// The address is reused: the old port goes, a new one takes the IP.
	l.Nbctl("lsp-del", "port-a")
	l.Nbctl("lsp-add", "neutron-ext", "port-b", "--", "lsp-set-addresses", "port-b", StaleNewMAC+" "+StaleIP)
	l.WaitSB(StaleNewMAC, "--bare", "--columns=mac", "find", "Port_Binding", "logical_port=port-b")
	if heal {
		time.Sleep(20 * time.Millisecond)
		l.Sbctl("set", "MAC_Binding", ".", `mac="`+StaleNewMAC+`"`)
	}
	time.Sleep(hold)
	// Something later in both histories: northd acknowledges a sync.
	l.Nbctl("--wait=sb", "sync")
	l.Nbctl("lr-add", "neutron-r2")
	l.WaitSB("neutron-r2", "--bare", "--columns=external_ids", "list", "Datapath_Binding")
}

// Save stops the lab and copies its database files into dir, under the
// names CI jobs use.
func (l *Lab) Save(dir string) (nb, sb string) {
	l.t.Helper()
	l.Stop()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		l.t.Fatal(err)
	}
	nb, sb = filepath.Join(dir, "ovnnb_db.db"), filepath.Join(dir, "ovnsb_db.db")
	l.Copy(l.NBFile, nb)
	l.Copy(l.SBFile, sb)
	return nb, sb
}

// SaveShow writes what a CI job's OVN collection step writes: the real
// `date -u` then the real `ovn-nbctl show`, into dir/ovn-nbctl-show.txt.
func (l *Lab) SaveShow(dir string) string {
	l.t.Helper()
	date := l.run("date", "-u")
	show := l.Nbctl("show")
	p := filepath.Join(dir, "ovn-nbctl-show.txt")
	if err := os.WriteFile(p, []byte(date+show), 0o644); err != nil {
		l.t.Fatal(err)
	}
	return p
}
