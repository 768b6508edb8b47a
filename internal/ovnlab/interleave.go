package ovnlab

import (
	"os"
	"path/filepath"
)

// Router and gateway port of the interleaved-transaction scenario (neutron names its OVN
// rows neutron-<router id> and lrp-<port id>).
const (
	RouterB   = "neutron-cc163b42-1fdf-4cfa-a2ff-50c521f04222"
	GatewayID = "8dc49792-b37a-48be-926a-af2c8e17ad3f"
)

// interleaveScript drives the Northbound with real ovsdbapp, logging at
// DEBUG in oslo.log's default format (UTC), as neutron-server does. In
// "shared" mode two threads share one transaction object, as greenthreads
// shared ovsdbapp's nested transaction before 0.13.0: request A updates a
// port (revision number, then addresses); request B's first command (its
// router, with a gateway) lands between them in A's transaction; A
// commits; B's gateway port and default route are added to the already
// committed transaction and never sent. In "clean"
// mode each request has its own transaction.
const interleaveScript = `
import logging, sys, threading, time
from ovsdbapp.backend.ovs_idl import connection
from ovsdbapp.schema.ovn_northbound import impl_idl

remote, logfile, mode, rb, gw = sys.argv[1:6]
logging.Formatter.converter = time.gmtime
logging.basicConfig(level=logging.DEBUG, filename=logfile,
    format='%(asctime)s.%(msecs)03d %(process)d %(levelname)s %(name)s [-] %(message)s',
    datefmt='%Y-%m-%d %H:%M:%S')
idl = connection.OvsdbIdl.from_server(remote, 'OVN_Northbound')
api = impl_idl.OvnNbApiIdlImpl(connection.Connection(idl, timeout=10))

def router_b_cmds():
    return [
        api.lr_add(rb, may_exist=True, external_ids={'neutron:router_name': 'router-b',
            'neutron:gw_port_id': gw, 'neutron:revision_number': '1'}),
        api.lrp_add(rb, 'lrp-' + gw, 'fa:16:3e:33:33:33', ['172.24.4.20/24'],
            external_ids={'neutron:router_name': rb[len('neutron-'):]}),
        api.lr_route_add(rb, '0.0.0.0/0', '172.24.4.1'),
    ]

# Request A updates a port: its revision number, then its addresses.
port = 'ea2f4a7c-a903-46fa-899f-325f11f40d7e'
with api.transaction(check_error=True) as t:
    t.add(api.ls_add('neutron-1a3c5e7a-9c1e-4a3c-8e5a-7c9e1a3c5e7a', may_exist=True))
    t.add(api.lsp_add('neutron-1a3c5e7a-9c1e-4a3c-8e5a-7c9e1a3c5e7a', port, may_exist=True))

def port_a_cmds():
    return [
        api.db_set('Logical_Switch_Port', port, ('external_ids', {'neutron:revision_number': '2'})),
        api.lsp_set_addresses(port, ['fa:16:3e:44:44:44 10.0.0.7']),
    ]

if mode == 'shared':
    txn = api.create_transaction(check_error=True)
    b_added, a_committed = threading.Event(), threading.Event()
    def request_a():
        cmds = port_a_cmds()
        txn.add(cmds[0])
        b_added.wait(10)
        txn.add(cmds[1])
        txn.commit()
        a_committed.set()
    def request_b():
        cmds = router_b_cmds()
        time.sleep(0.05)
        txn.add(cmds[0])
        b_added.set()
        a_committed.wait(10)
        for c in cmds[1:]:
            txn.add(c)   # the shared transaction is gone: never committed
    ta, tb = threading.Thread(target=request_a), threading.Thread(target=request_b)
    ta.start(); tb.start(); ta.join(); tb.join()
else:
    with api.transaction(check_error=True) as t:
        for c in port_a_cmds():
            t.add(c)
    cmds = router_b_cmds()
    with api.transaction(check_error=True) as t:
        for c in cmds[:2]:
            t.add(c)
    # ovsdbapp's route command needs the router committed first.
    with api.transaction(check_error=True) as t:
        t.add(cmds[2])
print(api.lr_list().execute(check_error=True))
`

// Interleave runs the ovsdbapp scenario ("shared" or "clean") and writes its
// DEBUG log to log.
func (l *Lab) Interleave(mode, log string) {
	l.t.Helper()
	l.Python(interleaveScript, l.Remote(), log, mode, RouterB, GatewayID)
	if _, err := os.Stat(log); err != nil {
		l.t.Fatalf("ovsdbapp wrote no log: %v", err)
	}
}

// NeutronLog is where scenarios put the ovsdbapp log inside a saved dir.
func NeutronLog(dir string) string { return filepath.Join(dir, "neutron-server.log") }
