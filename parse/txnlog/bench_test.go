package txnlog

import "testing"

var benchLine = []byte(`2018-09-18 17:00:01.123 32314 DEBUG ovsdbapp.backend.ovs_idl.transaction [-] Running txn n=1 command(idx=1): SetLSwitchPortCommand(lport=9d8f0a8e-1d2c-4b6a-9a55-0f1e2d3c4b5a, external_ids_update=None, if_exists=False, columns={'external_ids': {'neutron:cidrs': '10.1.2.3/24', 'neutron:device_id': '0a8e9d8f-1d2c-4b6a-9a55-0f1e2d3c4b5a', 'neutron:device_owner': 'compute:nova', 'neutron:network_name': 'neutron-1d2c9d8f-0a8e-4b6a-9a55-0f1e2d3c4b5a', 'neutron:port_name': '', 'neutron:project_id': 'abcdef0123456789abcdef0123456789', 'neutron:revision_number': '7', 'neutron:security_group_ids': '4b6a9d8f-0a8e-1d2c-9a55-0f1e2d3c4b5a'}, 'parent_name': [], 'tag': [], 'options': {'requested-chassis': 'compute-3'}, 'type': '', 'port_security': ['fa:16:3e:11:22:33 10.1.2.3'], 'up': True, 'enabled': True}) do_commit /usr/lib/python3/dist-packages/ovsdbapp/backend/ovs_idl/transaction.py:89`)

// BenchmarkStages times the steps a command line goes through, on one
// typical neutron port-update line.
func BenchmarkStages(b *testing.B) {
	env, _ := parseEnvelope(benchLine)
	t, _ := parseRunning(env.msg)
	b.Run("envelope", func(b *testing.B) {
		b.SetBytes(int64(len(benchLine)))
		for i := 0; i < b.N; i++ {
			parseEnvelope(benchLine)
		}
	})
	b.Run("running", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			parseRunning(env.msg)
		}
	})
	var sp splitter
	b.Run("split", func(b *testing.B) {
		b.SetBytes(int64(len(t.args)))
		for i := 0; i < b.N; i++ {
			sp.Split(t.args)
		}
	})
	sp.Split(t.args)
	var dst []entRec
	b.Run("entities", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			dst = collectEntities(dst[:0], t.args, &sp)
		}
	})
	var wk worker
	b.Run("candidate", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			wk.candidate(benchLine)
		}
	})
}
