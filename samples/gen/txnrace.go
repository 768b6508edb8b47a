package main

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// txnRaceStory is the first incident as facts. In neutron-server worker
// 32314 (Rocky, networking-ovn, ovsdbapp 0.12.1) a tempest test's
// add-interface on router R1 opened an ovsdbapp transaction; while its
// greenthread waited, another request's create_router for R2 entered
// api.transaction(), got R1's transaction and added its AddLRouterCommand
// to it (idx=2). R1's request committed the lot; R2's gateway port, its
// binding and default route, added after that commit, were never sent.
// R2 later got an interface and a floating IP, so OVN holds its NAT entries
// but no gateway port: nothing answers ARP for the floating IP, and
// tempest's SSH to it fails. Around it, four workers serve the rest of the
// test run. Every artifact is rendered from the same facts.
type txnRaceStory struct {
	dir  string
	t0   time.Time
	node string

	workers []int // neutron-server API/RPC worker pids
	racePID int

	// routers
	r1, r2, r3     string // router ids
	gw1, gw2, gw3  string // their gateway ports (gw2 never created)
	p1, p2, p3     string // interface ports
	vm2, vm3       string // VM ports behind R2 and R3
	net1, net2     string // tenant networks
	public         string // provider network
	gw1IP, gw3IP   netip.Addr
	gw2IP          netip.Addr // what R2's gateway port would have had
	fip, fip3      netip.Addr // R2's floating IP (dead), R3's (working)
	vm2IP, vm3IP   netip.Addr
	brex           host // the devstack node's br-ex, where tcpdump runs
	gw3Host        host // R3's gateway port, which answers for its FIP
	sshAttempts    int
	sshEvery       time.Duration
	sshStart       time.Duration // from t0
	snapshotOffset time.Duration // ovn-nbctl show / dump-flows after the failure
}

func txnRaceStories() []*txnRaceStory {
	return []*txnRaceStory{{
		dir:            "txn-race",
		t0:             time.Date(2018, 9, 18, 17, 5, 0, 0, time.UTC),
		node:           "ubuntu-xenial-ovh-bhs1-0002095917",
		workers:        []int{32311, 32312, 32313, 32314},
		racePID:        32314,
		r1:             "d1d3b2f2-71e6-4c0b-9d2a-5d1b0f6c2c11",
		r2:             "cc163b42-1fdf-4cfa-a2ff-50c521f04222",
		r3:             "5a7c9e1b-3d5f-4a8c-9e0b-2c4d6e8f0a1b",
		gw1:            "41c3e5a7-9b1d-4f3a-8c5e-7a9b1c3d5e7f",
		gw2:            "8dc49792-b37a-48be-926a-af2c8e17ad3f",
		gw3:            "6e8a0c2e-4f6b-4d8a-9c0e-2f4a6b8c0d2e",
		p1:             "0b6d2a5e-8f7c-4c1a-9e3d-2a4b6c8d0e1f",
		p2:             "2d4f6a8c-0e2a-4c6e-8a0c-4e6a8c0e2a4c",
		p3:             "3e5a7c9e-1b3d-4f7a-9c1e-5b7d9f1b3d5f",
		vm2:            "9f1b3d5f-7a9c-4e1b-8d3f-6a8c0e2a4c6e",
		vm3:            "7c9e1b3d-5f7a-4c9e-8b1d-4f6a8c0e2b4d",
		net1:           "1a3c5e7a-9c1e-4a3c-8e5a-7c9e1a3c5e7a",
		net2:           "2b4d6f8b-0d2f-4b4d-9f6b-8d0f2b4d6f8b",
		public:         "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
		gw1IP:          netip.MustParseAddr("172.24.5.9"),
		gw2IP:          netip.MustParseAddr("172.24.5.5"),
		gw3IP:          netip.MustParseAddr("172.24.5.8"),
		fip:            netip.MustParseAddr("172.24.5.13"),
		fip3:           netip.MustParseAddr("172.24.5.7"),
		vm2IP:          netip.MustParseAddr("10.100.0.12"),
		vm3IP:          netip.MustParseAddr("10.100.1.5"),
		brex:           newHost("br-ex", "1e:d5:ec:49:df:4f", "172.24.5.1"),
		gw3Host:        newHost("router-3 lrp-6e8a0c2e-4f", "fa:16:3e:6e:8a:0c", "172.24.5.8"),
		sshAttempts:    15,
		sshEvery:       13 * time.Second,
		sshStart:       257 * time.Second, // 17:09:17
		snapshotOffset: 465 * time.Second, // 17:12:45
	}}
}

// logLine is one neutron-server record.
type logLine struct {
	t      time.Time
	pid    int
	level  string
	logger string
	ctx    string
	msg    string
	suffix string
}

type neutronLog struct {
	lines []logLine
}

const (
	txnLogger  = "ovsdbapp.backend.ovs_idl.transaction"
	txnSuffix  = "do_commit /usr/lib/python2.7/site-packages/ovsdbapp/backend/ovs_idl/transaction.py:84"
	noChangeAt = "do_commit /usr/lib/python2.7/site-packages/ovsdbapp/backend/ovs_idl/transaction.py:121"
	tryAgainAt = "do_commit /usr/lib/python2.7/site-packages/ovsdbapp/backend/ovs_idl/transaction.py:100"
)

func (l *neutronLog) add(t time.Time, pid int, level, logger, ctx, msg, suffix string) {
	l.lines = append(l.lines, logLine{t, pid, level, logger, ctx, msg, suffix})
}

// txn logs one transaction: each command one millisecond after the last,
// as the process's connection thread runs them back to back.
func (l *neutronLog) txn(t time.Time, pid int, cmds ...string) time.Time {
	for i, c := range cmds {
		l.add(t, pid, "DEBUG", txnLogger, "-", fmt.Sprintf("Running txn n=1 command(idx=%d): %s", i, c), txnSuffix)
		t = t.Add(time.Millisecond + time.Duration(i*137)*time.Microsecond)
	}
	return t
}

func (l *neutronLog) render() string {
	slices.SortStableFunc(l.lines, func(a, b logLine) int { return a.t.Compare(b.t) })
	var b strings.Builder
	for _, x := range l.lines {
		fmt.Fprintf(&b, "%s %d %s %s [%s] %s", x.t.Format("2006-01-02 15:04:05.000"), x.pid, x.level, x.logger, x.ctx, x.msg)
		if x.suffix != "" {
			b.WriteString(" " + x.suffix)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// The commands, printed as networking-ovn's classes print them under
// Python 2.7 (dict order as CPython 2.7 happened to keep it).

func addLRouter(router, gwPort, name string) string {
	return fmt.Sprintf("AddLRouterCommand(may_exist=True, columns={'external_ids': {'neutron:gw_port_id': u'%s', 'neutron:router_name': u'%s', 'neutron:revision_number': '1'}, 'enabled': True, 'options': {}}, name=neutron-%s)", gwPort, name, router)
}

func addLRouterPort(port, router, mac, cidr, network string, gateway bool) string {
	gwc := ""
	if gateway {
		gwc = ", 'gateway_chassis': [u'" + "c0ffee00-1234-4abc-9def-0123456789ab" + "']"
	}
	return fmt.Sprintf("AddLRouterPortCommand(name=lrp-%s, may_exist=True, lrouter=neutron-%s, columns={'mac': u'%s', 'networks': [u'%s'], 'external_ids': {'neutron:network_name': u'neutron-%s', 'neutron:revision_number': '1'}%s})", port, router, mac, cidr, network, gwc)
}

func setLRPInLSP(port string, gateway bool) string {
	g := "False"
	if gateway {
		g = "True"
	}
	return fmt.Sprintf("SetLRouterPortInLSwitchPortCommand(lswitch_port=%s, if_exists=True, is_gw_port=%s, lrouter_port=lrp-%s, lsp_address=router)", port, g, port)
}

func addStaticRoute(router, nexthop string) string {
	return fmt.Sprintf("AddStaticRouteCommand(lrouter=neutron-%s, columns={'ip_prefix': '0.0.0.0/0', 'nexthop': u'%s', 'external_ids': {'neutron:is_ext_gw': 'true'}})", router, nexthop)
}

func addSNAT(router string, external netip.Addr, cidr string) string {
	return fmt.Sprintf("AddNATRuleInLRouterCommand(lrouter=neutron-%s, columns={'external_ip': u'%s', 'logical_ip': u'%s', 'type': 'snat'})", router, external, cidr)
}

func addFIP(router string, fip, logical netip.Addr, port, fipID string) string {
	return fmt.Sprintf("AddNATRuleInLRouterCommand(lrouter=neutron-%s, columns={'external_ip': u'%s', 'logical_ip': u'%s', 'type': 'dnat_and_snat', 'logical_port': u'%s', 'external_ids': {'neutron:fip_id': u'%s', 'neutron:fip_port_id': u'%s', 'neutron:revision_number': '1'}})", router, fip, logical, port, fipID, port)
}

func (s *txnRaceStory) write(out string) error {
	rng := rand.New(rand.NewPCG(1793499, 32314))
	at := func(d time.Duration) time.Time { return s.t0.Add(d) }
	uuid := func() string {
		a, b := rng.Uint64(), rng.Uint64()
		return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", a>>32, a>>16&0xffff, a&0xfff, b>>48&0x3fff|0x8000, b&0xffffffffffff)
	}
	req := func() string {
		return "req-" + uuid() + " 7b1a0d2e3c4f5a6b7c8d9e0f1a2b3c4d 9f8e7d6c5b4a39281716051423324150 - default default"
	}
	nl := &neutronLog{}
	api := func(t time.Time, pid int, method, path string, status int) {
		nl.add(t, pid, "INFO", "neutron.wsgi", req(), fmt.Sprintf(`172.24.5.1 "%s %s HTTP/1.1" status: %d  len: %d time: 0.%04d`, method, path, status, 300+rng.IntN(900), rng.IntN(9999)), "")
	}

	// Background: the rest of the test run on four workers. Port updates
	// (revision check + set), revision bumps, network creates, a TRY_AGAIN
	// retry, a no-change delete, and API access lines around them.
	ports := make([]string, 40)
	for i := range ports {
		ports[i] = uuid()
	}
	for d := 2 * time.Second; d < s.snapshotOffset-10*time.Second; d += time.Duration(700+rng.IntN(2600)) * time.Millisecond {
		t := at(d)
		pid := s.workers[rng.IntN(len(s.workers))]
		port := ports[rng.IntN(len(ports))]
		switch k := rng.IntN(10); {
		case k < 5:
			api(t, pid, "PUT", "/v2.0/ports/"+port, 200)
			nl.add(t.Add(3*time.Millisecond), pid, "DEBUG", "neutron_lib.callbacks.manager", req(),
				"Notify callbacks ['networking_ovn.l3.l3_ovn.OVNL3RouterPlugin._port_update-8765309'] for port, after_update",
				"_notify_loop /usr/lib/python2.7/site-packages/neutron_lib/callbacks/manager.py:167")
			nl.txn(t.Add(9*time.Millisecond), pid,
				fmt.Sprintf("CheckRevisionNumberCommand(name=%s, resource={'id': u'%s', 'name': u'', 'network_id': u'%s', 'admin_state_up': True, 'status': u'ACTIVE', 'device_owner': u'compute:nova', 'revision_number': %d}, resource_type=ports, if_exists=True)", port, port, s.net1, 3+rng.IntN(9)),
				fmt.Sprintf("SetLSwitchPortCommand(lport=%s, columns={'external_ids': {'neutron:device_owner': u'compute:nova', 'neutron:network_name': u'neutron-%s', 'neutron:revision_number': '%d'}, 'up': True, 'enabled': True}, if_exists=False)", port, s.net1, 3+rng.IntN(9)))
		case k < 7:
			nl.add(t, pid, "DEBUG", "networking_ovn.common.maintenance", "-", "Maintenance task: Fixing resource "+port+" (type: ports) at create/update",
				"check_for_inconsistencies /usr/lib/python2.7/site-packages/networking_ovn/common/maintenance.py:291")
			nl.txn(t.Add(4*time.Millisecond), pid, fmt.Sprintf("DbSetCommand(table=Logical_Switch_Port, record=%s, col_values=(('external_ids', {'neutron:revision_number': '%d'}),))", port, 4+rng.IntN(9)))
		case k < 8:
			net := uuid()
			api(t, pid, "POST", "/v2.0/networks", 201)
			nl.txn(t.Add(6*time.Millisecond), pid, fmt.Sprintf("AddLSwitchCommand(may_exist=True, columns={'external_ids': {'neutron:network_name': u'tempest-network-smoke--%d', 'neutron:mtu': '1450', 'neutron:revision_number': '1'}}, lswitch_name=neutron-%s)", rng.IntN(999999999), net))
		case k < 9:
			api(t, pid, "GET", "/v2.0/ports?device_id="+uuid(), 200)
		default:
			api(t, pid, "DELETE", "/v2.0/ports/"+port, 204)
			nl.txn(t.Add(5*time.Millisecond), pid, fmt.Sprintf("DelLSwitchPortCommand(lport=%s, lswitch=neutron-%s, if_exists=True)", port, s.net1))
			nl.add(t.Add(7*time.Millisecond), pid, "DEBUG", txnLogger, "-", "Transaction caused no change", noChangeAt)
		}
	}
	// One TRY_AGAIN: the same command list again with n=2.
	{
		t, pid, port := at(48*time.Second+311*time.Millisecond), s.workers[0], ports[7]
		cmd := fmt.Sprintf("DbSetCommand(table=Logical_Switch_Port, record=%s, col_values=(('external_ids', {'neutron:revision_number': '6'}),))", port)
		nl.add(t, pid, "DEBUG", txnLogger, "-", "Running txn n=1 command(idx=0): "+cmd, txnSuffix)
		nl.add(t.Add(2*time.Millisecond), pid, "DEBUG", txnLogger, "-", "OVSDB transaction returned TRY_AGAIN, retrying", tryAgainAt)
		nl.add(t.Add(5*time.Millisecond), pid, "DEBUG", txnLogger, "-", "Running txn n=2 command(idx=0): "+cmd, txnSuffix)
	}

	// R3 (another test) and R1: complete router creates with gateways.
	for _, r := range []struct {
		id, gw, name string
		ip           netip.Addr
		d            time.Duration
		pid          int
	}{{s.r3, s.gw3, "tempest-TestNetworkBasicOps-router-402216181", s.gw3IP, 10 * time.Second, 32312},
		{s.r1, s.gw1, "tempest-TestSecurityGroupsBasicOps-router-1523405813", s.gw1IP, 40 * time.Second, 32311}} {
		api(at(r.d), r.pid, "POST", "/v2.0/routers", 201)
		nl.txn(at(r.d).Add(-40*time.Millisecond), r.pid,
			addLRouter(r.id, r.gw, r.name),
			addLRouterPort(r.gw, r.id, fmt.Sprintf("fa:16:3e:%s", r.gw[:2]+":"+r.gw[2:4]+":"+r.gw[4:6]), r.ip.String()+"/24", s.public, true),
			setLRPInLSP(r.gw, true),
			addStaticRoute(r.id, "172.24.5.1"))
	}
	// R3's interface and floating IP: the FIP that works.
	nl.txn(at(20*time.Second), 32313,
		addLRouterPort(s.p3, s.r3, "fa:16:3e:3e:5a:7c", "10.100.1.1/28", s.net2, false),
		setLRPInLSP(s.p3, false),
		addSNAT(s.r3, s.gw3IP, "10.100.1.0/28"))
	nl.txn(at(95*time.Second), 32311, addFIP(s.r3, s.fip3, s.vm3IP, s.vm3, uuid()))

	// The race, in worker 32314: R1's add-interface holds the nested
	// transaction; R2's create_router lands in it at idx=2.
	race := at(65*time.Second + 276*time.Millisecond)
	// R2's gateway port exists in neutron: its switch port is created
	// first, in a transaction of its own.
	nl.txn(race.Add(-620*time.Millisecond), s.racePID,
		fmt.Sprintf("AddLSwitchPortCommand(lport=%s, may_exist=True, lswitch=neutron-%s, columns={'addresses': [u'fa:16:3e:8b:2c:11 %s'], 'external_ids': {'neutron:device_owner': u'network:router_gateway', 'neutron:device_id': u'%s', 'neutron:network_name': u'neutron-%s', 'neutron:revision_number': '1'}, 'enabled': True, 'type': u''})",
			s.gw2, s.public, s.gw2IP, s.r2, s.public))
	nl.add(race.Add(-410*time.Millisecond), s.racePID, "INFO", "neutron.wsgi", req(), `172.24.5.1 "POST /v2.0/routers HTTP/1.1" status: 201  len: 715 time: 0.4021`, "")
	nl.add(race.Add(-380*time.Millisecond), s.racePID, "DEBUG", "networking_ovn.common.ovn_client", req(),
		"Creating router "+s.r2, "create_router /usr/lib/python2.7/site-packages/networking_ovn/common/ovn_client.py:949")
	nl.txn(race, s.racePID,
		addLRouterPort(s.p1, s.r1, "fa:16:3e:3e:5b:43", "10.100.0.1/28", s.net1, false),
		setLRPInLSP(s.p1, false),
		addLRouter(s.r2, s.gw2, "tempest-TestSecurityGroupsBasicOps-router-1912572360"),
		addSNAT(s.r1, s.gw1IP, "10.100.0.0/28"))
	nl.add(race.Add(9*time.Millisecond), s.racePID, "INFO", "neutron.wsgi", req(),
		fmt.Sprintf(`172.24.5.1 "PUT /v2.0/routers/%s/add_router_interface HTTP/1.1" status: 200  len: 370 time: 0.6210`, s.r1), "")

	// R2 gets an interface (with SNAT: neutron believes it has a gateway)
	// and, later, the floating IP tempest will try.
	nl.txn(at(80*time.Second), 32312,
		addLRouterPort(s.p2, s.r2, "fa:16:3e:2d:4f:6a", "10.100.0.17/28", s.net2, false),
		setLRPInLSP(s.p2, false),
		addSNAT(s.r2, s.gw2IP, "10.100.0.16/28"))
	api(at(80*time.Second).Add(12*time.Millisecond), 32312, "PUT", "/v2.0/routers/"+s.r2+"/add_router_interface", 200)
	nl.txn(at(230*time.Second), 32313, addFIP(s.r2, s.fip, s.vm2IP, s.vm2, "2f1e0d9c-8b7a-4c6d-9e5f-4a3b2c1d0e9f"))
	api(at(230*time.Second).Add(15*time.Millisecond), 32313, "POST", "/v2.0/floatingips", 201)

	dir := filepath.Join(out, s.dir)
	if err := os.WriteFile(filepath.Join(dir, "neutron-server.log"), []byte(nl.render()), 0o644); err != nil {
		return err
	}

	// The node's tcpdump on br-ex: each SSH attempt resolves the FIP with
	// three broadcast requests a second apart; nothing answers. R3's FIP
	// is resolved once and answers pings throughout.
	w := &tcpdumpText{host: s.node, pid: 28445}
	for a := 0; a < s.sshAttempts; a++ {
		base := s.sshStart + time.Duration(a)*s.sshEvery + time.Duration(rng.IntN(900))*time.Millisecond
		for r := time.Duration(0); r < 3; r++ {
			w.arpRequest(at(base+r*time.Second+time.Duration(rng.IntN(3000))*time.Microsecond), s.brex, s.fip)
		}
	}
	w.arpRequest(at(s.sshStart+2140*time.Millisecond), s.brex, s.gw3Host.ip)
	w.arpReply(at(s.sshStart+2140*time.Millisecond+410*time.Microsecond), s.gw3Host, s.brex.mac)
	end := s.sshStart + time.Duration(s.sshAttempts)*s.sshEvery
	for d, seq := s.sshStart+2200*time.Millisecond, 1; d < end; d, seq = d+2*time.Second, seq+1 {
		w.echo(at(d), s.brex, s.gw3Host, s.brex.ip, s.fip3, 2573, seq, false)
		w.echo(at(d+time.Duration(500+rng.IntN(400))*time.Microsecond), s.gw3Host, s.brex, s.fip3, s.brex.ip, 2573, seq, true)
	}
	banner := []string{
		"tcpdump: verbose output suppressed, use -v or -vv for full protocol decode",
		"listening on br-ex, link-type EN10MB (Ethernet), capture size 262144 bytes",
	}
	if err := os.WriteFile(filepath.Join(dir, "tcpdump-br-ex.txt"), []byte(w.render(banner, at(s.sshStart-3*time.Minute), 500*time.Millisecond)), 0o644); err != nil {
		return err
	}

	// tempest's account.
	fail := at(end + 4*time.Second)
	tempest := fmt.Sprintf("%s %d INFO [tempest.lib.common.ssh] Creating ssh connection to '%s:22' as 'cirros' with public key authentication\n"+
		"%s %d WARNING [tempest.lib.common.ssh] Failed to establish authenticated ssh connection to cirros@%s ([Errno None] Unable to connect to port 22 on %s). Number attempts: 1. Retry after 2 seconds.\n"+
		"%s %d ERROR [tempest.lib.common.ssh] Failed to establish authenticated ssh connection to cirros@%s after %d attempts\n",
		tempestTime(at(s.sshStart-200*time.Millisecond)), 13788, s.fip,
		tempestTime(at(s.sshStart+3200*time.Millisecond)), 13788, s.fip, s.fip,
		tempestTime(fail), 13788, s.fip, s.sshAttempts)
	if err := os.WriteFile(filepath.Join(dir, "tempest.log"), []byte(tempest), 0o644); err != nil {
		return err
	}

	// Snapshots after the failure, as devstack's post-run collection takes
	// them: `date -u; ovn-nbctl show` and `date -u; ovs-ofctl dump-flows br-int`.
	snap := at(s.snapshotOffset)
	date := snap.Format("Mon Jan _2 15:04:05 UTC 2006")
	lrp := func(id string) string { return "lrp-" + id }
	var show strings.Builder
	fmt.Fprintf(&show, "%s\n", date)
	fmt.Fprintf(&show, "switch 0f7e6a4b-2c1d-4e8f-9a0b-1c2d3e4f5a6b (neutron-%s) (aka public)\n", s.public)
	fmt.Fprintf(&show, "    port provnet-%s\n        type: localnet\n        addresses: [\"unknown\"]\n", s.public)
	for _, gw := range []string{s.gw1, s.gw3} {
		fmt.Fprintf(&show, "    port %s\n        type: router\n        router-port: %s\n", gw, lrp(gw))
	}
	// R2's gateway switch port, never bound to a router port.
	fmt.Fprintf(&show, "    port %s\n        addresses: [\"fa:16:3e:8b:2c:11 %s\"]\n", s.gw2, s.gw2IP)
	fmt.Fprintf(&show, "switch 3c5e7a9c-1e3a-4c5e-8a7c-9e1a3c5e7a9c (neutron-%s) (aka tempest-network-smoke--1142334563)\n", s.net1)
	fmt.Fprintf(&show, "    port %s\n        type: router\n        router-port: %s\n", s.p1, lrp(s.p1))
	fmt.Fprintf(&show, "    port %s\n        type: router\n        router-port: %s\n", s.p2, lrp(s.p2))
	fmt.Fprintf(&show, "    port %s\n        addresses: [\"fa:16:3e:9f:1b:3d %s\"]\n", s.vm2, s.vm2IP)
	fmt.Fprintf(&show, "router 7d9f1b3d-5f7a-4c9e-8b1d-3f5a7c9e1b3d (neutron-%s) (aka tempest-TestSecurityGroupsBasicOps-router-1523405813)\n", s.r1)
	fmt.Fprintf(&show, "    port %s\n        mac: \"fa:16:3e:41:c3:e5\"\n        networks: [\"%s/24\"]\n        gateway chassis: [c0ffee00-1234-4abc-9def-0123456789ab]\n", lrp(s.gw1), s.gw1IP)
	fmt.Fprintf(&show, "    port %s\n        mac: \"fa:16:3e:3e:5b:43\"\n        networks: [\"10.100.0.1/28\"]\n", lrp(s.p1))
	fmt.Fprintf(&show, "    nat 1b3d5f7a-9c1e-4b3d-8f5a-7c9e1b3d5f7a\n        external ip: \"%s\"\n        logical ip: \"10.100.0.0/28\"\n        type: \"snat\"\n", s.gw1IP)
	fmt.Fprintf(&show, "router 4c2b9a7e-1d3f-4e5a-8b6c-7d8e9f0a1b2c (neutron-%s) (aka tempest-TestSecurityGroupsBasicOps-router-1912572360)\n", s.r2)
	fmt.Fprintf(&show, "    port %s\n        mac: \"fa:16:3e:2d:4f:6a\"\n        networks: [\"10.100.0.17/28\"]\n", lrp(s.p2))
	fmt.Fprintf(&show, "    nat 5f7a9c1e-3b5d-4f7a-9c1e-3b5d7f9a1c3e\n        external ip: \"%s\"\n        logical ip: \"10.100.0.16/28\"\n        type: \"snat\"\n", s.gw2IP)
	fmt.Fprintf(&show, "    nat 7e8f9a0b-1c2d-4e3f-8a4b-5c6d7e8f9a0b\n        external ip: \"%s\"\n        logical ip: \"%s\"\n        type: \"dnat_and_snat\"\n", s.fip, s.vm2IP)
	fmt.Fprintf(&show, "router 9b1d3f5a-7c9e-4b1d-8f3a-5c7e9b1d3f5a (neutron-%s) (aka tempest-TestNetworkBasicOps-router-402216181)\n", s.r3)
	fmt.Fprintf(&show, "    port %s\n        mac: \"fa:16:3e:6e:8a:0c\"\n        networks: [\"%s/24\"]\n        gateway chassis: [c0ffee00-1234-4abc-9def-0123456789ab]\n", lrp(s.gw3), s.gw3IP)
	fmt.Fprintf(&show, "    port %s\n        mac: \"fa:16:3e:3e:5a:7c\"\n        networks: [\"10.100.1.1/28\"]\n", lrp(s.p3))
	fmt.Fprintf(&show, "    nat 2c4e6a8c-0e2c-4e6a-8c0e-2a4c6e8a0c2e\n        external ip: \"%s\"\n        logical ip: \"10.100.1.0/28\"\n        type: \"snat\"\n", s.gw3IP)
	fmt.Fprintf(&show, "    nat 3d5f7b9d-1f3d-4f7b-9d1f-3b5d7f9b1d3f\n        external ip: \"%s\"\n        logical ip: \"%s\"\n        type: \"dnat_and_snat\"\n", s.fip3, s.vm3IP)
	if err := os.WriteFile(filepath.Join(dir, "ovn-nbctl-show.txt"), []byte(show.String()), 0o644); err != nil {
		return err
	}

	// dump-flows: the ARP flows for the floating IPs (OVN Ingress table 1,
	// OpenFlow table 9 in this release) and a few others. R2's responder
	// never matched: no ARP reaches a router without a gateway port.
	responder := func(cookie string, secs float64, pkts int, metadata int, ip netip.Addr, mac string) string {
		hex := fmt.Sprintf("0x%02x%02x%02x%02x", ip.As4()[0], ip.As4()[1], ip.As4()[2], ip.As4()[3])
		return fmt.Sprintf(" cookie=%s, duration=%.3fs, table=9, n_packets=%d, n_bytes=%d, idle_age=%d, priority=90,arp,reg14=0x1,metadata=0x%x,arp_tpa=%s,arp_op=1 actions=move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],mod_dl_src:%s,load:0x2->NXM_OF_ARP_OP[],move:NXM_NX_ARP_SHA[]->NXM_NX_ARP_THA[],load:0x%s->NXM_NX_ARP_SHA[],move:NXM_OF_ARP_SPA[]->NXM_OF_ARP_TPA[],load:%s->NXM_OF_ARP_SPA[],load:0x1->NXM_NX_REG10[0],resubmit(,32)",
			cookie, secs, pkts, pkts*42, 1+rng.IntN(30), metadata, ip, mac, strings.ReplaceAll(mac, ":", ""), hex)
	}
	flows := []string{
		date,
		"NXST_FLOW reply (xid=0x4):",
		fmt.Sprintf(" cookie=0x0, duration=%.3fs, table=0, n_packets=%d, n_bytes=%d, idle_age=0, priority=100,in_port=1 actions=load:0x1->NXM_NX_REG13[],load:0x2->NXM_NX_REG11[],load:0x3->NXM_NX_REG12[],load:0x1->OXM_OF_METADATA[],load:0x1->NXM_NX_REG14[],resubmit(,8)", 905.113, 10321, 998412),
		responder("0x6a2f9c11", 820.482, 3, 3, s.gw1IP, "fa:16:3e:41:c3:e5"),
		responder("0x1c7d3e02", 870.019, 2, 5, s.gw3IP, "fa:16:3e:6e:8a:0c"),
		responder("0x3b9e4f17", 615.306, 1, 5, s.fip3, "fa:16:3e:6e:8a:0c"),
		responder("0x58e1a0c3", 215.730, 0, 4, s.fip, "fa:16:3e:2d:4f:6a"),
		fmt.Sprintf(" cookie=0x9a4d2b1e, duration=%.3fs, table=10, n_packets=%d, n_bytes=%d, idle_age=1, priority=50,reg15=0x1,metadata=0x5 actions=resubmit(,11)", 870.020, 201, 19698),
	}
	return os.WriteFile(filepath.Join(dir, "ovs-ofctl-dump-flows.txt"), []byte(strings.Join(flows, "\n")+"\n"), 0o644)
}
