// Package netlab builds small real networks in Linux network namespaces —
// hosts on veth pairs joined by a bridge — and runs the real tools in them
// (ping, tcpdump, ip neigh, ip monitor, arping), so tests and the samples'
// generator record artifacts the way a CI job would, from a real kernel.
// It needs root; Available says why it cannot run otherwise.
package netlab

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Available reports why a lab cannot be built here, or nil: the tools must
// be installed and network namespaces creatable (root, and a sandbox that
// allows them).
func Available() error {
	availableOnce.Do(func() { availableErr = available() })
	return availableErr
}

var (
	availableOnce sync.Once
	availableErr  error
)

func available() error {
	for _, tool := range []string{"ip", "tcpdump", "arping", "ping", "bash"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%s is not installed (apt-get install iproute2 tcpdump iputils-arping iputils-ping)", tool)
		}
	}
	if os.Geteuid() != 0 {
		return errors.New("network namespaces need root")
	}
	name := fmt.Sprintf("arpf-probe-%d", os.Getpid())
	if out, err := exec.Command("ip", "netns", "add", name).CombinedOutput(); err != nil {
		return fmt.Errorf("ip netns add refused: %v: %s", err, bytes.TrimSpace(out))
	}
	exec.Command("ip", "netns", "del", name).Run()
	return nil
}

// Lab is a set of namespaces: one switch (a bridge) and the hosts on it.
type Lab struct {
	prefix string
	ns     string // prefix of its namespaces: prefix and this process's id
	nss    []string
	mu     sync.Mutex
	procs  []*proc
}

type proc struct {
	cmd  *exec.Cmd
	out  *os.File
	done chan struct{}
}

// New creates the lab's switch namespace with its bridge. prefix keeps
// concurrent labs of one process apart (namespace and interface names);
// the process id keeps those of two processes apart — namespace names are
// the machine's, and two test runs at once must not delete each other's.
func New(prefix string) (*Lab, error) {
	sweepDead(prefix)
	l := &Lab{prefix: prefix, ns: fmt.Sprintf("%s-%d", prefix, os.Getpid())}
	sw := l.NS("sw")
	if err := l.addNS(sw); err != nil {
		return nil, err
	}
	for _, c := range [][]string{
		{"ip", "link", "add", "br0", "type", "bridge"},
		{"ip", "link", "set", "br0", "up"},
		{"ip", "link", "set", "lo", "up"},
	} {
		if _, err := l.Exec(sw, c...); err != nil {
			l.Close()
			return nil, err
		}
	}
	return l, nil
}

// sweepDead deletes the namespaces of labs named prefix whose process is
// gone (a killed test run): <prefix>-<pid>-<host>, pid no longer running.
func sweepDead(prefix string) {
	out, err := exec.Command("ip", "netns", "list").Output()
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(out), "\n") {
		name, _, _ := strings.Cut(strings.TrimSpace(line), " ")
		rest, ok := strings.CutPrefix(name, prefix+"-")
		if !ok {
			continue
		}
		pidText, _, ok := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if !ok || err != nil || pid == os.Getpid() {
			continue
		}
		if syscall.Kill(pid, 0) == syscall.ESRCH {
			exec.Command("ip", "netns", "del", name).Run()
		}
	}
}

// NS is the namespace name of lab host name.
func (l *Lab) NS(name string) string { return l.ns + "-" + name }

func (l *Lab) addNS(ns string) error {
	exec.Command("ip", "netns", "del", ns).Run() // a leftover of a killed run that had this process id
	if out, err := exec.Command("ip", "netns", "add", ns).CombinedOutput(); err != nil {
		return fmt.Errorf("ip netns add %s: %v: %s", ns, err, bytes.TrimSpace(out))
	}
	l.nss = append(l.nss, ns)
	return nil
}

// Host adds host name with interface dev (name+"0") at mac, plugged into
// the bridge, with addr (CIDR) if not empty. It returns the device name.
func (l *Lab) Host(name, mac, addr string) (string, error) {
	ns, dev := l.NS(name), name+"0"
	if err := l.addNS(ns); err != nil {
		return "", err
	}
	peer := "p" + strings.ReplaceAll(l.prefix, "-", "") + name
	if len(peer) > 15 {
		peer = peer[:15]
	}
	cmds := [][]string{
		{"ip", "link", "add", dev, "netns", ns, "address", mac, "type", "veth", "peer", "name", peer, "netns", l.NS("sw")},
	}
	for _, c := range cmds {
		if out, err := exec.Command(c[0], c[1:]...).CombinedOutput(); err != nil {
			return "", fmt.Errorf("%s: %v: %s", strings.Join(c, " "), err, bytes.TrimSpace(out))
		}
	}
	for _, c := range []struct {
		ns   string
		args []string
	}{
		{l.NS("sw"), []string{"ip", "link", "set", peer, "master", "br0", "up"}},
		{ns, []string{"ip", "link", "set", "lo", "up"}},
		{ns, []string{"ip", "link", "set", dev, "up"}},
	} {
		if _, err := l.Exec(c.ns, c.args...); err != nil {
			return "", err
		}
	}
	if addr != "" {
		if _, err := l.Exec(ns, "ip", "addr", "add", addr, "dev", dev); err != nil {
			return "", err
		}
	}
	return dev, nil
}

// Exec runs a command in namespace ns and returns its output.
func (l *Lab) Exec(ns string, args ...string) ([]byte, error) {
	cmd := exec.Command("ip", append([]string{"netns", "exec", ns}, args...)...)
	cmd.Env = append(os.Environ(), "TZ=UTC", "LC_ALL=C")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return out, fmt.Errorf("in %s: %s: %v: %s", ns, strings.Join(args, " "), err, bytes.TrimSpace(out))
	}
	return out, nil
}

// Start runs a command in ns in the background, its output (stdout and
// stderr) to file out ("" discards it), until Stop or Close.
func (l *Lab) Start(ns, out string, args ...string) error {
	cmd := exec.Command("ip", append([]string{"netns", "exec", ns}, args...)...)
	cmd.Env = append(os.Environ(), "TZ=UTC", "LC_ALL=C")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	p := &proc{cmd: cmd, done: make(chan struct{})}
	if out != "" {
		f, err := os.Create(out)
		if err != nil {
			return err
		}
		p.out = f
		cmd.Stdout, cmd.Stderr = f, f
	}
	if err := cmd.Start(); err != nil {
		if p.out != nil {
			p.out.Close()
		}
		return fmt.Errorf("in %s: %s: %w", ns, strings.Join(args, " "), err)
	}
	go func() { cmd.Wait(); close(p.done) }()
	l.mu.Lock()
	l.procs = append(l.procs, p)
	l.mu.Unlock()
	return nil
}

// Stop ends every background command, in the reverse order of their
// start (traffic before the captures recording it), each by SIGINT to its
// process group — tcpdump then writes out what it holds — and SIGKILL if
// it lingers.
func (l *Lab) Stop() {
	l.mu.Lock()
	procs := l.procs
	l.procs = nil
	l.mu.Unlock()
	for i := len(procs) - 1; i >= 0; i-- {
		p := procs[i]
		syscall.Kill(-p.cmd.Process.Pid, syscall.SIGINT)
		select {
		case <-p.done:
		case <-time.After(3 * time.Second):
			syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
			<-p.done
		}
		if p.out != nil {
			p.out.Close()
		}
	}
}

// Close stops everything and deletes the lab's namespaces (their
// interfaces go with them).
func (l *Lab) Close() {
	l.Stop()
	for _, ns := range l.nss {
		exec.Command("ip", "netns", "del", ns).Run()
	}
	l.nss = nil
}

// WaitFor polls cmd in ns until its output contains want, or the timeout.
func (l *Lab) WaitFor(ctx context.Context, ns, want string, args ...string) error {
	var last []byte
	for {
		out, _ := l.Exec(ns, args...)
		if bytes.Contains(out, []byte(want)) {
			return nil
		}
		last = out
		select {
		case <-ctx.Done():
			return fmt.Errorf("in %s: %s never showed %q (last: %s)", ns, strings.Join(args, " "), want, bytes.TrimSpace(last))
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// ARPFrame is an Ethernet ARP frame: op 1 request, 2 reply.
func ARPFrame(ethDst, ethSrc net.HardwareAddr, op uint16, sha net.HardwareAddr, spa net.IP, tha net.HardwareAddr, tpa net.IP) []byte {
	b := make([]byte, 60) // padded to the Ethernet minimum
	copy(b[0:6], ethDst)
	copy(b[6:12], ethSrc)
	b[12], b[13] = 0x08, 0x06
	b[14], b[15] = 0, 1 // Ethernet
	b[16], b[17] = 0x08, 0x00
	b[18], b[19] = 6, 4
	b[20], b[21] = byte(op>>8), byte(op)
	copy(b[22:28], sha)
	copy(b[28:32], spa.To4())
	copy(b[32:38], tha)
	copy(b[38:42], tpa.To4())
	return b
}

// helperEnv carries a frame to send to a re-executed helper (SendFrame).
const helperEnv = "ARPF_NETLAB_SEND"

// SendFrame sends frame out of dev in namespace ns, by running the current
// program there as a helper (the program's main or TestMain calls
// ServeHelper first): no other tool crafts an arbitrary ARP frame.
func (l *Lab) SendFrame(ns, dev string, frame []byte) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := exec.Command("ip", "netns", "exec", ns, self)
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s:%x", helperEnv, dev, frame))
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("in %s: sending a frame on %s: %v: %s", ns, dev, err, bytes.TrimSpace(out))
	}
	return nil
}

// ServeHelper does the helper's job and exits when the program was started
// as one (see SendFrame); otherwise it returns at once.
func ServeHelper() {
	v, ok := os.LookupEnv(helperEnv)
	if !ok {
		return
	}
	dev, hexFrame, _ := strings.Cut(v, ":")
	var frame []byte
	if _, err := fmt.Sscanf(hexFrame, "%x", &frame); err != nil {
		fmt.Fprintln(os.Stderr, "netlab helper: bad frame:", err)
		os.Exit(2)
	}
	if err := sendRaw(dev, frame); err != nil {
		fmt.Fprintln(os.Stderr, "netlab helper:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

func sendRaw(dev string, frame []byte) error {
	ifi, err := net.InterfaceByName(dev)
	if err != nil {
		return err
	}
	fd, err := syscall.Socket(syscall.AF_PACKET, syscall.SOCK_RAW, 0) // send only: no protocol to receive
	if err != nil {
		return fmt.Errorf("packet socket: %w", err)
	}
	defer syscall.Close(fd)
	sa := &syscall.SockaddrLinklayer{Ifindex: ifi.Index, Halen: 6}
	copy(sa.Addr[:], frame[0:6])
	if err := syscall.Sendto(fd, frame, 0, sa); err != nil {
		return fmt.Errorf("sending on %s: %w", dev, err)
	}
	return nil
}
