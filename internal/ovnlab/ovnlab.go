// Package ovnlab runs real OVN components for tests: an ovsdb-server with
// Debian's OVN Northbound and Southbound schemas on a temporary unix socket
// (standalone databases, or clustered ones made with `ovsdb-tool
// create-cluster`), ovn-northd between them, ovn-nbctl and ovn-sbctl, and
// ovsdbapp from Python. Tests read back what they wrote: the database
// files, `ovn-nbctl show`, the ovsdbapp DEBUG log.
//
// Where the packages are missing the test is skipped with a message naming
// them, unless ARPF_REQUIRE_OVN is set (CI sets it): then it fails.
package ovnlab

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Schemas as Debian's ovn-common installs them.
var (
	NBSchema = "/usr/share/ovn/ovn-nb.ovsschema"
	SBSchema = "/usr/share/ovn/ovn-sb.ovsschema"
)

// Need skips (or, under ARPF_REQUIRE_OVN, fails) t unless the programs are
// installed. python3-ovsdbapp is checked by NeedOvsdbapp.
func Need(t testing.TB, progs ...string) {
	t.Helper()
	if len(progs) == 0 {
		progs = []string{"ovsdb-server", "ovsdb-tool", "ovn-nbctl", "ovn-sbctl", "ovs-appctl"}
	}
	var missing []string
	for _, p := range progs {
		if _, err := exec.LookPath(p); err != nil {
			if _, err := os.Stat("/usr/sbin/" + p); err != nil {
				missing = append(missing, p)
			}
		}
	}
	for _, f := range []string{NBSchema, SBSchema} {
		if _, err := os.Stat(f); err != nil {
			missing = append(missing, f)
		}
	}
	if len(missing) > 0 {
		msg := fmt.Sprintf("real OVN components missing (%s): install Debian's ovn-central and openvswitch-switch", strings.Join(missing, ", "))
		if os.Getenv("ARPF_REQUIRE_OVN") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
}

// Python is Debian's interpreter: the one on PATH may be another (pyenv)
// that does not see Debian's python3-ovsdbapp.
const Python = "/usr/bin/python3"

// NeedOvsdbapp skips (or fails, under ARPF_REQUIRE_OVN) unless Debian's
// Python can import ovsdbapp.
func NeedOvsdbapp(t testing.TB) {
	t.Helper()
	out, err := exec.Command(Python, "-c", "import ovsdbapp.backend.ovs_idl, ovsdbapp.schema.ovn_northbound.impl_idl").CombinedOutput()
	if err != nil {
		msg := fmt.Sprintf("python3-ovsdbapp missing (%s -c 'import ovsdbapp': %v: %s)", Python, err, bytes.TrimSpace(out))
		if os.Getenv("ARPF_REQUIRE_OVN") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
}

// Lab is one running ovsdb-server holding an NB and an SB database.
type Lab struct {
	t         testing.TB
	Dir       string
	Clustered bool
	NBFile    string // the database files the server writes
	SBFile    string
	Sock      string // unix socket both databases are served on
	ctl       string
	northdCtl string
	server    *exec.Cmd
	northd    *exec.Cmd
	stopped   bool
}

// Start creates both databases from the real schemas and starts a server on
// them; it is stopped when the test ends.
func Start(t testing.TB, clustered bool) *Lab {
	t.Helper()
	Need(t)
	// Unix socket paths are limited to 107 bytes; test temp dirs can be long.
	dir, err := os.MkdirTemp("", "ovnlab")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	l := &Lab{t: t, Dir: dir, Clustered: clustered, NBFile: filepath.Join(dir, "ovnnb_db.db"),
		SBFile: filepath.Join(dir, "ovnsb_db.db"), Sock: filepath.Join(dir, "db.sock"), ctl: filepath.Join(dir, "ovsdb.ctl")}
	for _, db := range []struct{ file, schema, raft string }{
		{l.NBFile, NBSchema, filepath.Join(dir, "nb.raft")}, {l.SBFile, SBSchema, filepath.Join(dir, "sb.raft")},
	} {
		if clustered {
			l.run("ovsdb-tool", "create-cluster", db.file, db.schema, "unix:"+db.raft)
		} else {
			l.run("ovsdb-tool", "create", db.file, db.schema)
		}
	}
	l.server = l.daemon("ovsdb-server", "--no-chdir", "--pidfile="+filepath.Join(dir, "ovsdb.pid"),
		"--log-file="+filepath.Join(dir, "ovsdb-server.log"), "--unixctl="+l.ctl,
		"--remote=punix:"+l.Sock, l.NBFile, l.SBFile)
	t.Cleanup(l.Stop)
	// A clustered database answers once it has elected itself.
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, errNB := l.try("ovn-nbctl", "--db=unix:"+l.Sock, "--timeout=5", "show")
		_, errSB := l.try("ovn-sbctl", "--db=unix:"+l.Sock, "--timeout=5", "show")
		if errNB == nil && errSB == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("ovsdb-server did not answer: %v / %v\n%s", errNB, errSB, l.Log())
		}
		time.Sleep(100 * time.Millisecond)
	}
	return l
}

// Remote is the server's address in ovsdb form.
func (l *Lab) Remote() string { return "unix:" + l.Sock }

// Nbctl runs ovn-nbctl against the lab and returns its output.
func (l *Lab) Nbctl(args ...string) string {
	l.t.Helper()
	return l.run("ovn-nbctl", append([]string{"--db=" + l.Remote(), "--timeout=10"}, args...)...)
}

// Sbctl runs ovn-sbctl against the lab and returns its output.
func (l *Lab) Sbctl(args ...string) string {
	l.t.Helper()
	return l.run("ovn-sbctl", append([]string{"--db=" + l.Remote(), "--timeout=10"}, args...)...)
}

// StartNorthd runs ovn-northd between the lab's databases, so the
// Southbound is filled from the Northbound as in a deployment.
func (l *Lab) StartNorthd() {
	l.t.Helper()
	Need(l.t, "ovn-northd")
	l.northdCtl = filepath.Join(l.Dir, "northd.ctl")
	l.northd = l.daemon("ovn-northd", "--no-chdir", "--pidfile="+filepath.Join(l.Dir, "northd.pid"),
		"--log-file="+filepath.Join(l.Dir, "northd.log"), "--unixctl="+l.northdCtl,
		"--ovnnb-db="+l.Remote(), "--ovnsb-db="+l.Remote())
}

// WaitSB waits until an ovn-sbctl query prints something containing want
// (northd works asynchronously).
func (l *Lab) WaitSB(want string, args ...string) {
	l.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		out, err := l.try("ovn-sbctl", append([]string{"--db=" + l.Remote(), "--timeout=5"}, args...)...)
		if err == nil && strings.Contains(out, want) {
			return
		}
		if time.Now().After(deadline) {
			l.t.Fatalf("southbound never showed %q for %v: last output %q (%v)\n%s", want, args, out, err, l.readFile("northd.log"))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Stop shuts northd and the server down cleanly (the database files are
// complete afterwards). It is idempotent.
func (l *Lab) Stop() {
	if l.stopped {
		return
	}
	l.stopped = true
	if l.northd != nil {
		exec.Command("ovs-appctl", "-t", l.northdCtl, "exit").Run()
		stopDaemon(l.northd)
	}
	exec.Command("ovs-appctl", "-t", l.ctl, "exit").Run()
	stopDaemon(l.server)
}

// daemon starts a server as a child of the test process (not detached): it
// dies with the test binary even when that is killed.
func (l *Lab) daemon(prog string, args ...string) *exec.Cmd {
	l.t.Helper()
	cmd := l.command(prog, args...)
	cmd.SysProcAttr = dieWithParent()
	if err := cmd.Start(); err != nil {
		l.t.Fatalf("starting %s: %v", prog, err)
	}
	return cmd
}

// stopDaemon waits for a daemon asked to exit, killing it after a while.
func stopDaemon(cmd *exec.Cmd) {
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		cmd.Process.Kill()
		<-done
	}
}

// Log is the server's log.
func (l *Lab) Log() string { return l.readFile("ovsdb-server.log") }

func (l *Lab) readFile(name string) string {
	b, _ := os.ReadFile(filepath.Join(l.Dir, name))
	return string(b)
}

func (l *Lab) run(prog string, args ...string) string {
	l.t.Helper()
	out, err := l.try(prog, args...)
	if err != nil {
		l.t.Fatalf("%s %s: %v\n%s", prog, strings.Join(args, " "), err, out)
	}
	return out
}

func (l *Lab) try(prog string, args ...string) (string, error) {
	cmd := l.command(prog, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// command is prog (from PATH, else /usr/sbin, where Debian puts the
// servers) run in the lab's directory, with OVS's run, log and database
// directories there too.
func (l *Lab) command(prog string, args ...string) *exec.Cmd {
	path, err := exec.LookPath(prog)
	if err != nil {
		path = "/usr/sbin/" + prog
	}
	cmd := exec.Command(path, args...)
	cmd.Dir = l.Dir
	cmd.Env = append(os.Environ(), "OVS_RUNDIR="+l.Dir, "OVS_LOGDIR="+l.Dir, "OVS_DBDIR="+l.Dir)
	return cmd
}

// Python runs a script with Debian's python3 (ovsdbapp) and returns its
// standard output and error together.
func (l *Lab) Python(script string, args ...string) string {
	l.t.Helper()
	NeedOvsdbapp(l.t)
	f := filepath.Join(l.Dir, fmt.Sprintf("script%d.py", time.Now().UnixNano()))
	if err := os.WriteFile(f, []byte(script), 0o644); err != nil {
		l.t.Fatal(err)
	}
	out, err := l.try(Python, append([]string{f}, args...)...)
	if err != nil {
		l.t.Fatalf("python %v: %v\n%s", args, err, out)
	}
	return out
}

// Copy copies a database file out of the lab (for a sample or a test's
// own temp dir) once the server has stopped.
func (l *Lab) Copy(from, to string) {
	l.t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		l.t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		l.t.Fatal(err)
	}
}

// Appctl sends a command to the server (ovs-appctl -t …).
func (l *Lab) Appctl(args ...string) string {
	l.t.Helper()
	return l.run("ovs-appctl", append([]string{"-t", l.ctl}, args...)...)
}
