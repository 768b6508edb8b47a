// Package txnloggen writes a synthetic neutron-server DEBUG log (oslo.log
// file format, ML2/OVN, several API/RPC worker processes writing to one
// file) for benchmarking the transaction-log reader. The mix follows what
// such logs hold: API access and request lines, callbacks, locks, revision
// bumps, OVSDB events, and ovsdbapp transactions (port, network, router,
// floating IP, load balancer and maintenance operations, with their
// columns dicts), a few no-change and TRY_AGAIN retries, and homogeneous
// bulk updates. About one line in five is a "Running txn" line. The output
// is deterministic for a seed.
package txnloggen

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"
)

// Options shape the generated log.
type Options struct {
	Size    int64     // stop after at least this many bytes
	Seed    uint64    // PRNG seed
	Workers int       // worker pids (default 4)
	Start   time.Time // first timestamp (default 2018-09-18 17:00:00)
	// Entities, when positive, spreads about this many distinct port,
	// network, router, security group and load balancer UUIDs over the
	// transactions: an entity a transaction names is a new one whenever
	// fewer than Entities×(bytes written)/Size have been introduced so far,
	// and otherwise one of the 64 of its kind introduced last (so a new
	// port is touched again soon, as after a create); the other lines of a
	// request name recent ones. A log too small for Entities has every
	// entity new: at most about 0.57 M per GiB. Zero keeps the fixed pools
	// of a mid-sized cloud (4,000 ports, 200 networks, 300 routers, …).
	Entities int
}

// Stats is what was written.
type Stats struct {
	Bytes, Lines, TxnLines, Transactions int64
	// Entities is how many distinct UUIDs Options.Entities introduced (0
	// without it).
	Entities int64
}

// Write writes the log to w.
func Write(w io.Writer, o Options) (Stats, error) {
	if o.Workers <= 0 {
		o.Workers = 4
	}
	if o.Start.IsZero() {
		o.Start = time.Date(2018, 9, 18, 17, 0, 0, 0, time.UTC)
	}
	g := newGen(o)
	bw := bufio.NewWriterSize(w, 1<<20)
	for g.st.Bytes < o.Size {
		line := g.next()
		n, err := bw.Write(line)
		if err != nil {
			return g.st, err
		}
		g.st.Bytes += int64(n)
		g.st.Lines++
	}
	return g.st, bw.Flush()
}

type worker struct {
	pid     int
	pending []string // lines this process will write next, in order
}

type gen struct {
	o       Options
	r       *rand.Rand
	now     time.Time
	workers []*worker
	st      Stats
	buf     []byte

	networks, ports, routers, sgs, lbs, projects []string

	// With Options.Entities: the entities introduced last, for reuse, per
	// kind.
	recent [numKinds][]string
}

func newGen(o Options) *gen {
	g := &gen{o: o, r: rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15)), now: o.Start}
	for i := 0; i < o.Workers; i++ {
		g.workers = append(g.workers, &worker{pid: 32311 + i*3})
	}
	// A mid-sized CI cloud: the entity pools bound what the reader interns.
	g.networks = g.uuids(200)
	g.ports = g.uuids(4000)
	g.routers = g.uuids(300)
	g.sgs = g.uuids(100)
	g.lbs = g.uuids(150)
	g.projects = make([]string, 20)
	for i := range g.projects {
		g.projects[i] = strings.ReplaceAll(g.uuid(), "-", "")
	}
	return g
}

func (g *gen) uuids(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = g.uuid()
	}
	return out
}

func (g *gen) uuid() string {
	return formatUUID(g.r.Uint64(), g.r.Uint64())
}

func formatUUID(a, b uint64) string {
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", a>>32, a>>16&0xffff, a&0xfff, b>>48&0x3fff|0x8000, b&0xffffffffffff)
}

func (g *gen) pick(xs []string) string { return xs[g.r.IntN(len(xs))] }

// Entity kinds of Options.Entities.
const (
	kindPort = iota
	kindNetwork
	kindRouter
	kindSG
	kindLB
	numKinds
)

// port is a port for a transaction to name.
func (g *gen) port() string {
	if g.o.Entities > 0 {
		return g.entity(kindPort, true)
	}
	return g.pick(g.ports)
}

func (g *gen) lb() string {
	if g.o.Entities > 0 {
		return g.entity(kindLB, true)
	}
	return g.pick(g.lbs)
}

// entity returns a UUID of the kind under Options.Entities: a new one (if
// introduce) while the log is behind its share of new entities, else a
// recent one.
func (g *gen) entity(kind int, introduce bool) string {
	due := int64(float64(g.o.Entities)*float64(g.st.Bytes)/float64(max(g.o.Size, 1))) + 1
	rec := g.recent[kind]
	if g.st.Entities < int64(g.o.Entities) && (introduce && g.st.Entities < due || len(rec) == 0) {
		// The n-th new entity's UUID is a hash of (seed, n): no pool to keep.
		n := uint64(g.st.Entities)
		g.st.Entities++
		id := formatUUID(mix(g.o.Seed^0x656e74697479^n<<1), mix(g.o.Seed+n<<1|1))
		if len(rec) == 64 {
			rec = append(rec[:0], rec[1:]...)
		}
		g.recent[kind] = append(rec, id)
		return id
	}
	return rec[g.r.IntN(len(rec))]
}

// mix is the SplitMix64 finaliser.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

func (g *gen) mac() string {
	return fmt.Sprintf("fa:16:3e:%02x:%02x:%02x", g.r.IntN(256), g.r.IntN(256), g.r.IntN(256))
}

func (g *gen) ip() string {
	return fmt.Sprintf("10.%d.%d.%d", g.r.IntN(4), g.r.IntN(256), 2+g.r.IntN(250))
}
func (g *gen) fip() string {
	return fmt.Sprintf("172.24.%d.%d", 4+g.r.IntN(2), 2+g.r.IntN(250))
}

// next returns the next line of the file: one line of a random worker, so
// the processes' lines interleave as they do in a shared log file.
func (g *gen) next() []byte {
	w := g.workers[g.r.IntN(len(g.workers))]
	if len(w.pending) == 0 {
		g.activity(w)
	}
	line := w.pending[0]
	w.pending = w.pending[1:]
	g.now = g.now.Add(time.Duration(100+g.r.IntN(500)) * time.Microsecond)
	g.buf = g.buf[:0]
	g.buf = g.now.AppendFormat(g.buf, "2006-01-02 15:04:05.000")
	g.buf = fmt.Appendf(g.buf, " %d %s\n", w.pid, line)
	if strings.Contains(line, "Running txn") {
		g.st.TxnLines++
	}
	return g.buf
}

const (
	txnSuffix = " do_commit /usr/lib/python3/dist-packages/ovsdbapp/backend/ovs_idl/transaction.py:89"
	txnPrefix = "DEBUG ovsdbapp.backend.ovs_idl.transaction [-] "
)

func (g *gen) req() string {
	return fmt.Sprintf("req-%s %s %s - default default", g.uuid(), g.pick(g.projects), g.pick(g.projects))
}

// activity queues what a worker logs next: a request with its lines and,
// about as often as real logs show it, an OVSDB transaction.
func (g *gen) activity(w *worker) {
	req := g.req()
	port, net := g.pick(g.ports), g.pick(g.networks)
	if g.o.Entities > 0 {
		// A request's lines name entities the log has introduced.
		port, net = g.entity(kindPort, false), g.entity(kindNetwork, false)
	}
	noise := []string{
		fmt.Sprintf(`DEBUG neutron.api.v2.base [%s] Request body: {'port': {'binding:host_id': 'compute-%d', 'device_owner': 'compute:nova', 'device_id': '%s'}} prepare_request_body /usr/lib/python3/dist-packages/neutron/api/v2/base.py:729`, req, g.r.IntN(20), g.uuid()),
		fmt.Sprintf(`DEBUG neutron_lib.callbacks.manager [%s] Notify callbacks ['neutron.services.ovn_l3.plugin.OVNL3RouterPlugin._port_update-%d', 'neutron.plugins.ml2.plugin.Ml2Plugin._retry_binding_revived_port-%d'] for port, before_update _notify_loop /usr/lib/python3/dist-packages/neutron_lib/callbacks/manager.py:192`, req, g.r.IntN(999999), g.r.IntN(999999)),
		fmt.Sprintf(`DEBUG oslo_concurrency.lockutils [%s] Lock "event-dispatch" acquired by "neutron.plugins.ml2.drivers.ovn.mech_driver.mech_driver.OVNMechanismDriver.update_port_postcommit" :: waited 0.000s inner /usr/lib/python3/dist-packages/oslo_concurrency/lockutils.py:386`, req),
		fmt.Sprintf(`DEBUG neutron.db.ovn_revision_numbers_db [%s] Successfully bumped revision number for resource %s (type: ports) to %d bump_revision /usr/lib/python3/dist-packages/neutron/db/ovn_revision_numbers_db.py:193`, req, port, 2+g.r.IntN(20)),
		fmt.Sprintf(`INFO neutron.wsgi [%s] 10.0.%d.%d "PUT /v2.0/ports/%s HTTP/1.1" status: 200  len: %d time: 0.%04d`, req, g.r.IntN(4), g.r.IntN(250), port, 1000+g.r.IntN(2000), g.r.IntN(9999)),
		fmt.Sprintf(`DEBUG ovsdbapp.backend.ovs_idl.event [-] Matched UPDATE: LogicalSwitchPortUpdateUpEvent(events=('update',), table='Logical_Switch_Port', conditions=None, old_conditions=None), priority=20 to row=Logical_Switch_Port(up=[True], name=%s, external_ids={'neutron:network_name': 'neutron-%s'}) matches /usr/lib/python3/dist-packages/ovsdbapp/backend/ovs_idl/event.py:43`, port, net),
		fmt.Sprintf(`INFO neutron.plugins.ml2.plugin [%s] Attempt %d to bind port %s on host compute-%d for vnic_type normal with profile `, req, 1+g.r.IntN(3), port, g.r.IntN(20)),
		fmt.Sprintf(`DEBUG neutron.notifiers.nova [-] Sending events: [{'server_uuid': '%s', 'name': 'network-vif-plugged', 'status': 'completed', 'tag': '%s'}] send_events /usr/lib/python3/dist-packages/neutron/notifiers/nova.py:279`, g.uuid(), port),
		fmt.Sprintf(`DEBUG neutron.plugins.ml2.drivers.ovn.mech_driver.ovsdb.ovsdb_monitor [-] Hash Ring: Node %s (host: controller-%d) handling event "update" for row %s (table: Logical_Switch_Port) notify /usr/lib/python3/dist-packages/neutron/plugins/ml2/drivers/ovn/mech_driver/ovsdb/ovsdb_monitor.py:845`, g.uuid(), g.r.IntN(3), g.uuid()),
		fmt.Sprintf(`DEBUG neutron.pecan_wsgi.hooks.policy_enforcement [%s] Attributes excluded by policy engine: ['binding:profile', 'binding:vif_details', 'binding:vif_type', 'binding:host_id'] _exclude_attributes_by_policy /usr/lib/python3/dist-packages/neutron/pecan_wsgi/hooks/policy_enforcement.py:256`, req),
	}
	// About four other lines per transaction line in all: with ~2.4
	// commands per transaction, about ten other lines per transaction.
	for i := 0; i < 7+g.r.IntN(7); i++ {
		w.pending = append(w.pending, noise[g.r.IntN(len(noise))])
	}
	w.pending = append(w.pending, g.transaction()...)
}

// transaction returns the lines of one transaction (with its status lines).
func (g *gen) transaction() []string {
	g.st.Transactions++
	var cmds []string
	var port, net, router, sg string
	if g.o.Entities <= 0 {
		port, net, router, sg = g.pick(g.ports), g.pick(g.networks), g.pick(g.routers), g.pick(g.sgs)
	}
	// With Options.Entities each case picks only the entities it names.
	use := func(v *string, kind int) {
		if g.o.Entities > 0 {
			*v = g.entity(kind, true)
		}
	}
	switch k := g.r.IntN(100); {
	case k < 30: // port update
		use(&port, kindPort)
		use(&net, kindNetwork)
		use(&sg, kindSG)
		cmds = []string{
			fmt.Sprintf(`CheckRevisionNumberCommand(name=%s, resource={'id': '%s', 'name': '', 'network_id': '%s', 'tenant_id': '%s', 'mac_address': '%s', 'admin_state_up': True, 'status': 'ACTIVE', 'device_id': '%s', 'device_owner': 'compute:nova', 'fixed_ips': [{'subnet_id': '%s', 'ip_address': '%s'}], 'revision_number': %d, 'binding:host_id': 'compute-%d', 'binding:vnic_type': 'normal'}, resource_type=ports, if_exists=True)`,
				port, port, net, g.pick(g.projects), g.mac(), g.uuid(), g.uuid(), g.ip(), 2+g.r.IntN(30), g.r.IntN(20)),
			fmt.Sprintf(`SetLSwitchPortCommand(lport=%s, external_ids_update=None, if_exists=False, columns={'external_ids': {'neutron:cidrs': '%s/24', 'neutron:device_id': '%s', 'neutron:device_owner': 'compute:nova', 'neutron:network_name': 'neutron-%s', 'neutron:port_name': '', 'neutron:project_id': '%s', 'neutron:revision_number': '%d', 'neutron:security_group_ids': '%s'}, 'parent_name': [], 'tag': [], 'options': {'requested-chassis': 'compute-%d'}, 'type': '', 'port_security': ['%s %s'], 'up': True, 'enabled': True})`,
				port, g.ip(), g.uuid(), net, g.pick(g.projects), 2+g.r.IntN(30), sg, g.r.IntN(20), g.mac(), g.ip()),
		}
	case k < 45: // port create
		use(&port, kindPort)
		use(&net, kindNetwork)
		use(&sg, kindSG)
		cmds = []string{
			fmt.Sprintf(`AddLSwitchPortCommand(lport=%s, lswitch=neutron-%s, may_exist=True, network_uuid=%s, columns={'addresses': ['%s %s'], 'external_ids': {'neutron:cidrs': '%s/24', 'neutron:device_id': '', 'neutron:device_owner': '', 'neutron:network_name': 'neutron-%s', 'neutron:port_name': '', 'neutron:project_id': '%s', 'neutron:revision_number': '1', 'neutron:security_group_ids': '%s'}, 'parent_name': [], 'tag': [], 'enabled': True, 'options': {'requested-chassis': ''}, 'type': '', 'port_security': ['%s %s'], 'dhcpv4_options': ['%s']})`,
				port, net, net, g.mac(), g.ip(), g.ip(), net, g.pick(g.projects), sg, g.mac(), g.ip(), g.uuid()),
			fmt.Sprintf(`PgAddPortCommand(port_group=pg_%s, lsp=['%s'], if_exists=False)`, strings.ReplaceAll(sg, "-", "_"), port),
		}
	case k < 55: // maintenance: one DbSetCommand
		use(&port, kindPort)
		cmds = []string{fmt.Sprintf(`DbSetCommand(table=Logical_Switch_Port, record=%s, col_values=(('external_ids', {'neutron:revision_number': '%d'}),), if_exists=True)`, port, 2+g.r.IntN(30))}
	case k < 63: // network create
		use(&net, kindNetwork)
		cmds = []string{fmt.Sprintf(`LsAddCommand(switch=neutron-%s, columns={'external_ids': {'neutron:network_name': 'tempest-network-%d', 'neutron:mtu': '1442', 'neutron:revision_number': '1', 'neutron:availability_zone_hints': ''}, 'other_config': {'mcast_snoop': 'false', 'mcast_flood_unregistered': 'false', 'vlan-passthru': 'false'}}, may_exist=True)`, net, g.r.IntN(99999))}
	case k < 70: // router create with gateway
		use(&router, kindRouter)
		use(&net, kindNetwork)
		gw := g.port()
		cmds = []string{
			fmt.Sprintf(`AddLRouterCommand(name=neutron-%s, columns={'external_ids': {'neutron:gw_port_id': '%s', 'neutron:router_name': 'tempest-router-%d', 'neutron:revision_number': '1', 'neutron:availability_zone_hints': ''}, 'enabled': True, 'options': {'always_learn_from_arp_request': 'false', 'dynamic_neigh_routers': 'true'}}, may_exist=True)`, router, gw, g.r.IntN(99999)),
			fmt.Sprintf(`AddLRouterPortCommand(name=lrp-%s, lrouter=neutron-%s, may_exist=True, columns={'mac': '%s', 'networks': ['%s/24'], 'external_ids': {'neutron:network_name': 'neutron-%s', 'neutron:revision_number': '1', 'neutron:router_name': '%s', 'neutron:subnet_ids': '%s'}, 'gateway_chassis': ['%s']})`, gw, router, g.mac(), g.fip(), net, router, g.uuid(), g.uuid()),
			fmt.Sprintf(`SetLRouterPortInLSwitchPortCommand(lswitch_port=%s, lrouter_port=lrp-%s, is_gw_port=True, if_exists=True, lsp_address=router)`, gw, gw),
			fmt.Sprintf(`AddStaticRouteCommand(lrouter=neutron-%s, columns={'ip_prefix': '0.0.0.0/0', 'nexthop': '172.24.4.1', 'external_ids': {'neutron:is_ext_gw': 'true', 'neutron:subnet_id': '%s'}})`, router, g.uuid()),
			fmt.Sprintf(`AddNATRuleInLRouterCommand(lrouter=neutron-%s, columns={'type': 'snat', 'logical_ip': '10.%d.0.0/24', 'external_ip': '%s'})`, router, g.r.IntN(200), g.fip()),
		}
	case k < 80: // add interface
		use(&port, kindPort)
		use(&router, kindRouter)
		use(&net, kindNetwork)
		cmds = []string{
			fmt.Sprintf(`AddLRouterPortCommand(name=lrp-%s, lrouter=neutron-%s, may_exist=True, columns={'mac': '%s', 'networks': ['10.%d.0.1/24'], 'external_ids': {'neutron:network_name': 'neutron-%s', 'neutron:revision_number': '2', 'neutron:router_name': '%s', 'neutron:subnet_ids': '%s'}})`, port, router, g.mac(), g.r.IntN(200), net, router, g.uuid()),
			fmt.Sprintf(`SetLRouterPortInLSwitchPortCommand(lswitch_port=%s, lrouter_port=lrp-%s, is_gw_port=False, if_exists=True, lsp_address=router)`, port, port),
			fmt.Sprintf(`AddNATRuleInLRouterCommand(lrouter=neutron-%s, columns={'type': 'snat', 'logical_ip': '10.%d.0.0/24', 'external_ip': '%s'})`, router, g.r.IntN(200), g.fip()),
		}
	case k < 88: // floating IP
		use(&router, kindRouter)
		use(&port, kindPort)
		cmds = []string{
			fmt.Sprintf(`AddNATRuleInLRouterCommand(lrouter=neutron-%s, columns={'type': 'dnat_and_snat', 'logical_ip': '%s', 'external_ip': '%s', 'logical_port': '%s', 'external_ids': {'neutron:fip_id': '%s', 'neutron:fip_port_id': '%s', 'neutron:revision_number': '1', 'neutron:router_name': 'neutron-%s', 'neutron:fip_external_mac': '%s'}, 'options': {'stateless': 'false'}})`,
				router, g.ip(), g.fip(), port, g.uuid(), port, router, g.mac()),
		}
	case k < 95: // load balancer member (Octavia provider)
		lb := g.lb()
		cmds = []string{
			fmt.Sprintf(`DbSetCommand(_result=None, table=Load_Balancer, record=%s, col_values=(('external_ids', {'pool_%s': 'member_%s_%s:80_%s'}),), if_exists=True)`, lb, g.uuid(), g.uuid(), g.ip(), g.uuid()),
			fmt.Sprintf(`DbClearCommand(_result=None, table=Load_Balancer, record=%s, column=vips)`, lb),
			fmt.Sprintf(`DbSetCommand(_result=None, table=Load_Balancer, record=%s, col_values=(('vips', {'%s:80': '%s:80'}),), if_exists=True)`, lb, g.fip(), g.ip()),
		}
	default: // homogeneous bulk: revision bumps of several ports
		for i := 0; i < 4+g.r.IntN(8); i++ {
			cmds = append(cmds, fmt.Sprintf(`DbSetCommand(table=Logical_Switch_Port, record=%s, col_values=(('external_ids', {'neutron:revision_number': '%d'}),), if_exists=True)`, g.port(), 2+g.r.IntN(30)))
		}
	}
	var out []string
	emit := func(n int) {
		for i, c := range cmds {
			out = append(out, fmt.Sprintf("%sRunning txn n=%d command(idx=%d): %s%s", txnPrefix, n, i, c, txnSuffix))
		}
	}
	emit(1)
	switch k := g.r.IntN(100); {
	case k < 2:
		out = append(out, txnPrefix+"OVSDB transaction returned TRY_AGAIN, retrying do_commit /usr/lib/python3/dist-packages/ovsdbapp/backend/ovs_idl/transaction.py:103")
		emit(2)
	case k < 8:
		out = append(out, txnPrefix+"Transaction caused no change do_commit /usr/lib/python3/dist-packages/ovsdbapp/backend/ovs_idl/transaction.py:129")
	}
	return out
}
