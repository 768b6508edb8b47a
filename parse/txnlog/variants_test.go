package txnlog

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/arpforensics/arpforensics/parse"
	"github.com/arpforensics/arpforensics/timeline"
)

const suffix = " do_commit /usr/lib/python3/dist-packages/ovsdbapp/backend/ovs_idl/transaction.py:89"

// TestFormatVariants reads one command line in every format and wrapper the
// reader supports and checks what it says about its process, time and
// command.
func TestFormatVariants(t *testing.T) {
	mod := time.Date(2018, 10, 1, 0, 0, 0, 0, time.UTC)
	cmd := "LrAddCommand(router=neutron-cc163b42-1fdf-4cfa-a2ff-50c521f04222, may_exist=True, columns={})"
	tests := []struct {
		name  string
		line  string
		host  string
		pid   int
		time  string // UTC, RFC 3339 with milliseconds; "" for the modification time
		n, id string
	}{
		{"oslo.log file, [-], default suffix",
			"2018-09-18 17:09:17.276 32314 DEBUG ovsdbapp.backend.ovs_idl.transaction [-] Running txn n=1 command(idx=0): " + cmd + suffix,
			"node1", 32314, "2018-09-18T17:09:17.276Z", "1", ""},
		{"oslo.log < 4.8 context, anonymous",
			"2018-09-18 17:09:17.276 32314 DEBUG ovsdbapp.backend.ovs_idl.transaction [req-09d0e346-bd0e-41df-86f9-a119af05f4b7 - - - - -] Running txn n=1 command(idx=0): " + cmd + suffix,
			"node1", 32314, "2018-09-18T17:09:17.276Z", "1", ""},
		{"oslo.log < 4.8 context, user and project",
			"2018-09-18 17:09:17.276 32314 DEBUG ovsdbapp.backend.ovs_idl.transaction [req-82bf64ab-d8d4-4678-abdb-de439c392e71 34f3cf48b24f41c097555c07961f139e 7a8df96a3c6a47118e60e57aa9ecff54 - default default] Running txn n=1 command(idx=0): " + cmd + suffix,
			"node1", 32314, "2018-09-18T17:09:17.276Z", "1", ""},
		{"oslo.log >= 4.8 context",
			"2018-09-18 17:09:17.276 32314 DEBUG ovsdbapp.backend.ovs_idl.transaction [None req-fed7604e-3ccf-4a7d-ae2f-cfea04fd742e - - - - - -] Running txn n=1 command(idx=0): " + cmd + suffix,
			"node1", 32314, "2018-09-18T17:09:17.276Z", "1", ""},
		{"oslo.log >= 4.8 context, global and local request ids",
			"2018-09-18 17:09:17.276 32314 DEBUG ovsdbapp.backend.ovs_idl.transaction [req-d2771f14-0013-49ac-9a4f-0d70cbe8b45a req-cf66b765-e380-4d19-bf19-a08f7fa3f10c 2746f2dddef848f4848466c4441afed5 a099c698a95643aabcf23b84641cec08 - - default default] Running txn n=1 command(idx=0): " + cmd + suffix,
			"node1", 32314, "2018-09-18T17:09:17.276Z", "1", ""},
		{"no debug suffix (emptied by the operator)",
			"2018-09-18 17:09:17.276 32314 DEBUG ovsdbapp.backend.ovs_idl.transaction [-] Running txn n=1 command(idx=0): " + cmd,
			"node1", 32314, "2018-09-18T17:09:17.276Z", "1", ""},
		{"devstack journal: the worker pid is the suffix's, not the journal's",
			"Sep 18 17:09:17.644405 ubuntu-xenial-ovh-bhs1-0002095917 neutron-server[32310]: DEBUG ovsdbapp.backend.ovs_idl.transaction [None req-f0622324-c1c8-4897-b130-a998ed1f9321 None None] Running txn n=1 command(idx=0): " + cmd + " {{(pid=32314) do_commit /usr/local/lib/python3.8/dist-packages/ovsdbapp/backend/ovs_idl/transaction.py:90}}",
			"ubuntu-xenial-ovh-bhs1-0002095917", 32314, "2018-09-18T17:09:17.644Z", "1", ""},
		{"devstack journal with USE_JOURNAL: no pid in the suffix",
			"Sep 18 17:09:17.644405 ctl neutron-server[32310]: DEBUG ovsdbapp.backend.ovs_idl.transaction [-] Running txn n=1 command(idx=0): " + cmd + " {{do_commit /usr/local/lib/python3.8/dist-packages/ovsdbapp/backend/ovs_idl/transaction.py:90}}",
			"ctl", 32310, "2018-09-18T17:09:17.644Z", "1", ""},
		{"journalctl -o short-iso",
			"2018-09-18T17:09:17+0000 ctl neutron-server[32310]: DEBUG ovsdbapp.backend.ovs_idl.transaction [-] Running txn n=1 command(idx=0): " + cmd + " {{(pid=32314) do_commit /x/transaction.py:90}}",
			"ctl", 32314, "2018-09-18T17:09:17.000Z", "1", ""},
		{"devstack colours (journalctl -a)",
			"Sep 18 17:09:17.644405 ctl neutron-server[32310]: \x1b[00;32mDEBUG ovsdbapp.backend.ovs_idl.transaction [\x1b[00;36m-\x1b[00;32m] \x1b[01;35m\x1b[00;32mRunning txn n=1 command(idx=0): " + cmd + "\x1b[00m \x1b[00;33m{{(pid=32314) do_commit /opt/stack/ovsdbapp/ovsdbapp/backend/ovs_idl/transaction.py:89}}\x1b[00m",
			"ctl", 32314, "2018-09-18T17:09:17.644Z", "1", ""},
		{"console output, no timestamp",
			"DEBUG ovsdbapp.backend.ovs_idl.transaction [-] Running txn n=1 command(idx=0): " + cmd + " {{(pid=837681) do_commit /opt/stack/ovn-octavia-provider/venv/lib/python3.12/site-packages/ovsdbapp/backend/ovs_idl/transaction.py:89}}",
			"node1", 837681, "", "1", ""},
		{"ovsdbapp before 0.11: no n=",
			"2017-11-02 10:11:12.123 4242 DEBUG ovsdbapp.backend.ovs_idl.transaction [-] Running txn command(idx=0): " + cmd + " do_commit /usr/lib/python2.7/site-packages/ovsdbapp/backend/ovs_idl/transaction.py:84",
			"node1", 4242, "2017-11-02T10:11:12.123Z", "1", ""},
		{"ovsdbapp master: transaction id",
			"2026-07-11 09:00:00.001 77 DEBUG ovsdbapp.backend.ovs_idl.transaction [-] Running txn 1a2b3c4d n=1 command(idx=0): " + cmd + " do_commit /x/transaction.py:91",
			"node1", 77, "2026-07-11T09:00:00.001Z", "1", "1a2b3c4d"},
		{"neutron before ovsdbapp, old devstack 'from (pid=N)' suffix",
			"2016-05-02 10:00:00.123 DEBUG neutron.agent.ovsdb.impl_idl [-] Running txn command(idx=0): " + cmd + " from (pid=12345) do_commit /opt/stack/neutron/neutron/agent/ovsdb/impl_idl.py:99",
			"node1", 12345, "2016-05-02T10:00:00.123Z", "1", ""},
		{"Kubernetes CRI",
			"2024-06-18T19:45:48.982792796+00:00 stdout F 2024-06-18 19:45:48.982 15 DEBUG ovsdbapp.backend.ovs_idl.transaction [-] Running txn n=1 command(idx=0): " + cmd + suffix,
			"node1", 15, "2024-06-18T19:45:48.982Z", "1", ""},
		{"pebble",
			"2025-05-14T04:32:56.290Z [neutron-server] 2025-05-14 04:32:56.286 29 DEBUG ovsdbapp.backend.ovs_idl.transaction [None req-f679ccc0-e958-4e65-bef0-7fd0655cdc3a - - - - - -] Running txn n=1 command(idx=0): " + cmd + suffix + "\x1b[00m",
			"node1", 29, "2025-05-14T04:32:56.286Z", "1", ""},
		{"grep file: prefix around CRI",
			"podlogs/var/log/pods/openstack_neutron-6fb7fc6855-t6vpf/neutron-api/0.log:2024-06-18T19:45:48.982792796+00:00 stdout F 2024-06-18 19:45:48.982 15 DEBUG ovsdbapp.backend.ovs_idl.transaction [-] Running txn n=1 command(idx=0): " + cmd + suffix,
			"node1", 15, "2024-06-18T19:45:48.982Z", "1", ""},
		{"CRLF line ending",
			"2018-09-18 17:09:17.276 32314 DEBUG ovsdbapp.backend.ovs_idl.transaction [-] Running txn n=1 command(idx=0): " + cmd + suffix + "\r",
			"node1", 32314, "2018-09-18T17:09:17.276Z", "1", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src, evs := parseString(t, tc.line+"\n", parse.Options{ModTime: mod})
			for _, p := range src.Problems {
				if p.Level == timeline.LevelError {
					t.Errorf("problem: %s", p)
				}
			}
			if len(evs) != 1 {
				t.Fatalf("%d events, want 1", len(evs))
			}
			tx, ok := evs[0].Data.(*timeline.Txn)
			if !ok {
				t.Fatalf("event is %T, want *timeline.Txn", evs[0].Data)
			}
			if tx.Host != tc.host || tx.PID != tc.pid {
				t.Errorf("host %q pid %d, want %q %d", tx.Host, tx.PID, tc.host, tc.pid)
			}
			want := mod
			if tc.time != "" {
				var err error
				want, err = time.Parse(time.RFC3339Nano, tc.time)
				if err != nil {
					t.Fatal(err)
				}
			}
			if got := evs[0].Time.Truncate(time.Millisecond); !got.Equal(want) {
				t.Errorf("time %s, want %s", got.Format(time.RFC3339Nano), want.Format(time.RFC3339Nano))
			}
			if tx.Len() != 1 || tx.Class(0) != "LrAddCommand" || tx.Primary(0) != "cc163b42-1fdf-4cfa-a2ff-50c521f04222" {
				t.Errorf("command %d %q %q", tx.Len(), tx.Class(0), tx.Primary(0))
			}
			if tx.ID != tc.id {
				t.Errorf("txn id %q, want %q", tx.ID, tc.id)
			}
			if src.Records != 1 || src.Skipped != 0 {
				t.Errorf("records %d skipped %d, want 1 0", src.Records, src.Skipped)
			}
		})
	}
}

// TestStatusVariants reads each status line after a one-command
// transaction of the same process.
func TestStatusVariants(t *testing.T) {
	const head = "2018-09-18 17:09:17.276 32314 DEBUG ovsdbapp.backend.ovs_idl.transaction [-] Running txn n=1 command(idx=0): DbSetCommand(table=Port, record=p1, col_values=(('tag', 1),))" + suffix + "\n"
	const pre = "2018-09-18 17:09:17.300 32314 "
	tests := []struct {
		name     string
		line     string
		code     timeline.TxnStatusCode
		detail   string
		id       string
		timeout  int
		commands []string
		ends     bool // it ends the transaction
	}{
		{"try again", pre + "DEBUG ovsdbapp.backend.ovs_idl.transaction [-] OVSDB transaction returned TRY_AGAIN, retrying do_commit /x/transaction.py:103",
			timeline.TxnTryAgain, "", "", 0, nil, false},
		{"try again (master)", pre + "DEBUG ovsdbapp.backend.ovs_idl.transaction [-] txn 1a2b3c4d returned TRY_AGAIN, retrying do_commit /x/transaction.py:105",
			timeline.TxnTryAgain, "", "1a2b3c4d", 0, nil, false},
		{"no change", pre + "DEBUG ovsdbapp.backend.ovs_idl.transaction [-] Transaction caused no change do_commit /x/transaction.py:129",
			timeline.TxnNoChange, "", "", 0, nil, true},
		{"no change (master)", pre + "DEBUG ovsdbapp.backend.ovs_idl.transaction [-] txn 1a2b3c4d caused no change do_commit /x/transaction.py:131",
			timeline.TxnNoChange, "", "1a2b3c4d", 0, nil, true},
		{"ovsdb error", pre + `ERROR ovsdbapp.backend.ovs_idl.transaction [-] OVSDB Error: {"details":"Transaction causes multiple rows in \"Logical_Switch_Port\" table to have identical values","error":"constraint violation"}`,
			timeline.TxnError, `{"details":"Transaction causes multiple rows in \"Logical_Switch_Port\" table to have identical values","error":"constraint violation"}`, "", 0, nil, true},
		{"ovsdb error (master)", pre + "ERROR ovsdbapp.backend.ovs_idl.transaction [-] txn 1a2b3c4d OVSDB Error: no error details available",
			timeline.TxnError, "no error details available", "1a2b3c4d", 0, nil, true},
		{"aborted", pre + "DEBUG ovsdbapp.backend.ovs_idl.transaction [-] Transaction aborted do_commit /x/transaction.py:120",
			timeline.TxnAborted, "", "", 0, nil, true},
		{"aborted (master)", pre + "DEBUG ovsdbapp.backend.ovs_idl.transaction [-] txn 1a2b3c4d aborted do_commit /x/transaction.py:122",
			timeline.TxnAborted, "", "1a2b3c4d", 0, nil, true},
		{"neutron revision conflict", pre + "INFO neutron.plugins.ml2.drivers.ovn.mech_driver.ovsdb.impl_idl_ovn [req-09d0e346-bd0e-41df-86f9-a119af05f4b7 - - - - -] Transaction aborted. Reason: OVN revision number for p1 (type: ports) is equal or higher than the given resource. Skipping update",
			timeline.TxnAborted, "OVN revision number for p1 (type: ports) is equal or higher than the given resource. Skipping update", "", 0, nil, true},
		{"succeeded (master)", pre + "DEBUG ovsdbapp.backend.ovs_idl.transaction [-] txn 1a2b3c4d succeeded do_commit /x/transaction.py:140",
			timeline.TxnSucceeded, "", "1a2b3c4d", 0, nil, true},
		{"unknown status", pre + "DEBUG ovsdbapp.backend.ovs_idl.transaction [-] Transaction returned an unknown status: 7 do_commit /x/transaction.py:133",
			timeline.TxnUnknownStatus, "7", "", 0, nil, true},
		{"no commands", pre + "DEBUG ovsdbapp.backend.ovs_idl.transaction [-] There are no commands to commit do_commit /x/transaction.py:80",
			timeline.TxnNoCommands, "", "", 0, nil, false},
		{"command error", pre + "ERROR ovsdbapp.backend.ovs_idl.transaction [-] txn n=1 command(idx=0): DbSetCommand(table=Port, record=p1, col_values=(('tag', 1),)) aborted due to error: Cannot find Port with name=p1",
			timeline.TxnCommandError, "Cannot find Port with name=p1", "", 0, []string{"DbSetCommand"}, false},
		{"timeout before ovsdbapp 1.7 (object reprs)", pre + "WARNING neutron.plugins.ml2.drivers.openvswitch.agent.ovs_neutron_agent [-] Ovsdb command timeout!: ovsdbapp.exceptions.TimeoutException: Commands [<ovsdbapp.schema.open_vswitch.commands.AddBridgeCommand object at 0x7f1790fa1940>] exceeded timeout 10 seconds",
			timeline.TxnTimeout, "", "", 10, []string{"AddBridgeCommand"}, false},
		{"timeout with cause", pre + "ERROR neutron.plugins.ml2.drivers.ovn.mech_driver.ovsdb.maintenance [-] Maintenance task failed: ovsdbapp.exceptions.TimeoutException: Commands [DbSetCommand(table=Port, record=p1, col_values=(('tag', 1),)), DbClearCommand(table=Port, record=p1, column=tag)] exceeded timeout 180 seconds, cause: Result queue is empty",
			timeline.TxnTimeout, "Result queue is empty", "", 180, []string{"DbSetCommand", "DbClearCommand"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src, evs := parseString(t, head+tc.line+"\n", parse.Options{})
			for _, p := range src.Problems {
				t.Errorf("problem: %s", p)
			}
			if len(evs) != 2 {
				t.Fatalf("%d events, want 2", len(evs))
			}
			tx := evs[0].Data.(*timeline.Txn)
			s, ok := evs[1].Data.(*timeline.TxnStatus)
			if !ok {
				t.Fatalf("second event is %T", evs[1].Data)
			}
			if s.Code != tc.code || s.Detail != tc.detail || s.ID != tc.id || s.Timeout != tc.timeout {
				t.Errorf("got %s detail %q id %q timeout %d; want %s %q %q %d", s.Code, s.Detail, s.ID, s.Timeout, tc.code, tc.detail, tc.id, tc.timeout)
			}
			if strings.Join(s.Commands, ",") != strings.Join(tc.commands, ",") {
				t.Errorf("commands %q, want %q", s.Commands, tc.commands)
			}
			if s.PID != 32314 || s.Txn.Line != 1 {
				t.Errorf("pid %d txn %s, want 32314 line 1", s.PID, s.Txn)
			}
			if ended := tx.Outcome != timeline.TxnNoStatus && tx.Outcome != timeline.TxnCommandError; ended != tc.ends {
				t.Errorf("transaction outcome %s; want it ended: %v", tx.Outcome, tc.ends)
			}
			if evs[1].Raw != tc.line {
				t.Errorf("raw %q", evs[1].Raw)
			}
		})
	}
}

// TestOsloFastAgrees checks the fast path for oslo.log's file format reads
// every line it accepts exactly as the general envelope parser does.
func TestOsloFastAgrees(t *testing.T) {
	var lines []string
	for _, g := range readCorpus(t) {
		for _, l := range g.lines {
			lines = append(lines, l.text)
		}
	}
	lines = append(lines,
		cmdLine("17:09:17.276", 32314, 1, 0, addPort),
		"2018-09-18 17:09:17.276 32314 DEBUG ovsdbapp.backend.ovs_idl.transaction [req-1 - - - - -] [instance: x] msg",
		"2018-09-18 17:09:17.276 DEBUG neutron.agent.ovsdb.impl_idl [-] Running txn command(idx=0): X() from (pid=1) do_commit /x.py:1")
	accepted := 0
	for _, l := range lines {
		fast, ok := osloFast([]byte(l))
		if !ok {
			continue
		}
		accepted++
		slow, ok := parseEnvelope([]byte(l))
		if !ok || fmt.Sprintf("%+v", fast) != fmt.Sprintf("%+v", slow) {
			t.Errorf("%q:\nfast %+v\nslow %+v", l, fast, slow)
		}
	}
	if accepted < 25 {
		t.Errorf("fast path took only %d lines", accepted)
	}
}
