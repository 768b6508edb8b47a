package netlab

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"time"
)

// Announce is how the new owner tells the segment that an IP moved to it.
type Announce int

const (
	// GARPs: arping -U (request-type) then -A (reply-type), as Neutron
	// sends them; this kernel applies them at once, whatever locktime says.
	GARPs Announce = iota
	// UnicastReplies: three ARP replies sent to the observer alone, not
	// gratuitous (tpa is the observer's address), inside a raised locktime:
	// the kernel ignores them, and the observer recovers only once its
	// entry goes STALE → DELAY → PROBE, the probes to the old MAC fail and
	// a broadcast finds the new MAC.
	UnicastReplies
)

// Move is one recording: an observer talking to an IP (ping and a TCP
// connect loop) while the IP moves from one host to another.
type Move struct {
	Prefix   string // namespace prefix, unique per concurrent recording
	Net      int    // third octet of the lab's 10.77.Net.0/24
	Announce Announce
	// Unanswered also pings an address nobody holds (.99).
	Unanswered bool
}

// Addresses of a Move's lab.
func (m Move) ObserverIP() string { return fmt.Sprintf("10.77.%d.1", m.Net) }
func (m Move) IP() string         { return fmt.Sprintf("10.77.%d.10", m.Net) }
func (m Move) NobodyIP() string   { return fmt.Sprintf("10.77.%d.99", m.Net) }
func (m Move) ObserverMAC() string {
	return fmt.Sprintf("02:77:%02x:00:00:01", m.Net)
}
func (m Move) OldMAC() string { return fmt.Sprintf("02:77:%02x:00:00:0a", m.Net) }
func (m Move) NewMAC() string { return fmt.Sprintf("02:77:%02x:00:00:0b", m.Net) }

// Files a recording writes into its directory.
const (
	AnyCapture   = "any.pcap"       // tcpdump -i any on the observer (LINUX_SLL2)
	EtherCapture = "eth.pcap"       // tcpdump -i obs0 on the observer (Ethernet)
	Listing      = "arptable"       // while true; do date; ip neigh; sleep 1; done
	Monitor      = "ip-monitor.log" // ip -ts monitor neigh
)

// Record builds the lab, records the move into dir and tears the lab down.
func (m Move) Record(ctx context.Context, dir string) error {
	l, err := New(m.Prefix)
	if err != nil {
		return err
	}
	defer l.Close()
	obs, old, nw := l.NS("obs"), l.NS("old"), l.NS("new")
	obsDev, err := l.Host("obs", m.ObserverMAC(), m.ObserverIP()+"/24")
	if err != nil {
		return err
	}
	oldDev, err := l.Host("old", m.OldMAC(), m.IP()+"/24")
	if err != nil {
		return err
	}
	newDev, err := l.Host("new", m.NewMAC(), "")
	if err != nil {
		return err
	}
	// A short reachable time keeps the recording short; a long DELAY (12 s
	// instead of 5) makes the stale stretch outlast stale-mac's 15 s grace
	// whatever the random reachable time. The states and their order are
	// the kernel's own. A raised locktime makes the kernel ignore
	// non-gratuitous updates of a recently updated entry.
	sys := []string{
		"net.ipv4.neigh." + obsDev + ".base_reachable_time_ms=2000",
		"net.ipv4.neigh." + obsDev + ".delay_first_probe_time=12",
	}
	if m.Announce == UnicastReplies {
		sys = append(sys, "net.ipv4.neigh."+obsDev+".locktime=6000") // 60 s, in USER_HZ
	}
	for _, s := range sys {
		if _, err := l.Exec(obs, "sysctl", "-q", "-w", s); err != nil {
			return err
		}
	}
	// The observer resolves the IP and talks to it before the captures
	// start, as a CI job's capture starts long after the first contact.
	ip := m.IP()
	if err := l.Start(obs, "", "ping", "-n", "-i", "0.2", ip); err != nil {
		return err
	}
	tcp := fmt.Sprintf("while true; do timeout 1 bash -c 'exec 3<>/dev/tcp/%s/22' 2>/dev/null; sleep 0.5; done", ip)
	if err := l.Start(obs, "", "bash", "-c", tcp); err != nil {
		return err
	}
	if err := l.WaitFor(ctx, obs, m.OldMAC(), "ip", "neigh", "show", ip); err != nil {
		return err
	}
	time.Sleep(500 * time.Millisecond)
	for _, c := range []struct {
		out  string
		args []string
	}{
		{AnyCapture, []string{"tcpdump", "-i", "any", "-y", "LINUX_SLL2", "-U", "-w", filepath.Join(dir, AnyCapture)}},
		{EtherCapture, []string{"tcpdump", "-i", obsDev, "-U", "-w", filepath.Join(dir, EtherCapture)}},
		{Monitor, []string{"ip", "-ts", "monitor", "neigh"}},
		{Listing, []string{"bash", "-c", "while true; do date; ip neigh; sleep 1; done"}},
	} {
		out := filepath.Join(dir, c.out)
		if c.out == AnyCapture || c.out == EtherCapture {
			out = filepath.Join(dir, c.out+".log")
		}
		if err := l.Start(obs, out, c.args...); err != nil {
			return err
		}
	}
	if m.Unanswered {
		if err := l.Start(obs, "", "ping", "-n", "-i", "1", m.NobodyIP()); err != nil {
			return err
		}
	}
	time.Sleep(2500 * time.Millisecond)

	// The move.
	if _, err := l.Exec(old, "ip", "addr", "del", ip+"/24", "dev", oldDev); err != nil {
		return err
	}
	if _, err := l.Exec(nw, "ip", "addr", "add", ip+"/24", "dev", newDev); err != nil {
		return err
	}
	switch m.Announce {
	case GARPs:
		if _, err := l.Exec(nw, "arping", "-q", "-U", "-c", "2", "-I", newDev, "-s", ip, ip); err != nil {
			return err
		}
		if _, err := l.Exec(nw, "arping", "-q", "-A", "-c", "2", "-I", newDev, "-s", ip, ip); err != nil {
			return err
		}
	case UnicastReplies:
		nm, _ := net.ParseMAC(m.NewMAC())
		om, _ := net.ParseMAC(m.ObserverMAC())
		frame := ARPFrame(om, nm, 2, nm, net.ParseIP(ip), om, net.ParseIP(m.ObserverIP()))
		for range 3 {
			if err := l.SendFrame(nw, newDev, frame); err != nil {
				return err
			}
			time.Sleep(500 * time.Millisecond)
		}
	}
	// Until the observer has the new MAC, and a while after.
	if err := l.WaitFor(ctx, obs, m.NewMAC(), "ip", "neigh", "show", ip); err != nil {
		return err
	}
	time.Sleep(3 * time.Second)
	l.Stop()
	return nil
}
