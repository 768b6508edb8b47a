package vlog

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/arpforensics/arpforensics/parse"
	"github.com/arpforensics/arpforensics/timeline"
)

// ovn-controller's binding and pinctrl lines (binding.c, pinctrl.c
// messages) become claim, release and GARP events with their ports and
// addresses; lines of no interest are skipped.
func TestOVNControllerLog(t *testing.T) {
	log := `2022-02-10T16:09:18.001Z|00001|vlog|INFO|opened log file /var/log/ovn/ovn-controller.log
2022-02-10T16:09:19.398Z|00012|binding|INFO|Claiming lport 8dc49792-b37a-48be-926a-af2c8e17ad3f for this chassis.
2022-02-10T16:09:19.398Z|00013|binding|INFO|8dc49792-b37a-48be-926a-af2c8e17ad3f: Claiming fa:16:3e:c7:05:3b 172.24.5.11
2022-02-10T16:09:19.402Z|00014|pinctrl(ovn_pinctrl0)|INFO|sending GARP for 172.24.5.11 from fa:16:3e:c7:05:3b
2022-02-10T16:09:20.500Z|00015|reconnect|WARN|unix:/var/run/openvswitch/db.sock: connection dropped (Connection reset by peer)
2022-02-10T16:10:01.000Z|00016|binding|INFO|Releasing lport 8dc49792-b37a-48be-926a-af2c8e17ad3f from this chassis (sb_readonly=0)
2022-02-10T16:10:02.000Z|00017|main|INFO|OVNSB commit failed, force recompute next time.
`
	if !Sniff([]byte(log)) {
		t.Fatal("not recognised")
	}
	src := &timeline.Source{Path: "/logs/compute1/logs/ovn/ovn-controller.log"}
	evs, err := parse.Collect(Parse, strings.NewReader(log), src, parse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var what []string
	for _, e := range evs {
		l := e.Data.(*timeline.LogLine)
		what = append(what, l.What)
		if l.Daemon != "ovn-controller" {
			t.Errorf("daemon %q", l.Daemon)
		}
	}
	if strings.Join(what, " ") != "claim claim garp warning release" {
		t.Errorf("events %v", what)
	}
	c := evs[1].Data.(*timeline.LogLine)
	if c.Port != "8dc49792-b37a-48be-926a-af2c8e17ad3f" || len(c.MACs) != 1 || c.MACs[0].String() != "fa:16:3e:c7:05:3b" || len(c.IPs) != 1 || c.IPs[0].String() != "172.24.5.11" {
		t.Errorf("claim %+v", c)
	}
	if !evs[0].Time.Equal(time.Date(2022, 2, 10, 16, 9, 19, 398e6, time.UTC)) || src.Skipped != 2 {
		t.Errorf("first at %v, skipped %d", evs[0].Time, src.Skipped)
	}
}

// A log the real ovsdb-server writes is recognised and read.
func TestRealOvsdbServerLog(t *testing.T) {
	for _, tool := range []string{"ovsdb-server", "ovsdb-tool"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (apt-get install openvswitch-switch)", tool)
		}
	}
	schema := "/usr/share/openvswitch/vswitch.ovsschema"
	if _, err := os.Stat(schema); err != nil {
		t.Skip("no vswitch.ovsschema")
	}
	dir := t.TempDir()
	db, logf := filepath.Join(dir, "conf.db"), filepath.Join(dir, "ovsdb-server.log")
	if out, err := exec.Command("ovsdb-tool", "create", db, schema).CombinedOutput(); err != nil {
		t.Fatalf("ovsdb-tool: %v %s", err, out)
	}
	sock := filepath.Join(dir, "db.sock")
	cmd := exec.Command("ovsdb-server", db, "--remote=punix:"+sock, "--log-file="+logf, "-vfile:info", "--pidfile="+filepath.Join(dir, "pid"), "--unixctl="+filepath.Join(dir, "ctl"))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	cmd.Process.Signal(os.Interrupt)
	cmd.Wait()
	data, err := os.ReadFile(logf)
	if err != nil || len(data) == 0 {
		t.Fatalf("no log: %v", err)
	}
	if !Sniff(data) {
		t.Fatalf("the real log is not recognised:\n%s", data)
	}
	src := &timeline.Source{Path: logf}
	evs, err := parse.Collect(Parse, strings.NewReader(string(data)), src, parse.Options{})
	if err != nil || src.Records == 0 || src.Errors() != 0 {
		t.Errorf("records %d err %v problems %v", src.Records, err, src.Problems)
	}
	// ovsdb-server announces itself at INFO ("ovsdb-server (Open vSwitch)
	// …"): at least that line is an ovsdb event of the daemon.
	ovsdb := 0
	for _, e := range evs {
		if l := e.Data.(*timeline.LogLine); l.What == "ovsdb" && l.Daemon == "ovsdb-server" {
			ovsdb++
		}
	}
	if ovsdb == 0 {
		t.Errorf("no ovsdb event of ovsdb-server among %d events of:\n%s", len(evs), data)
	}
}
