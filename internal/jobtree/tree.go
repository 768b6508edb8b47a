package jobtree

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// Tree is a Zuul job's log tree built at Root: <Root>/<node>/logs/… for
// controller and compute1, job-output.txt and zuul-info/ beside them.
type Tree struct {
	Root string
	// Seeds is the sample scenario the artifacts carry (samples/txn-race):
	// its two findings, interleaved-txn and arp-unanswered, must come out
	// once each however many copies of the evidence the tree holds.
	Seeds string
}

// Tools the tree is built with; Build fails naming the first one missing.
var Tools = []string{"tcpdump", "xz", "gzip", "tar", "journalctl"}

// Build writes the tree under root from the scenario in seeds. Everything
// is written by the tool that writes it in a real job where that tool can
// run here: tcpdump prints the capture's text, systemd-journal-remote and
// journalctl store and print the journals, xz/gzip/tar pack them.
func Build(root, seeds string) (*Tree, error) {
	for _, tool := range Tools {
		if _, err := exec.LookPath(tool); err != nil {
			return nil, fmt.Errorf("%s is needed to build the job tree: %w", tool, err)
		}
	}
	if _, err := journalRemote(); err != nil {
		return nil, err
	}
	t := &Tree{Root: root, Seeds: seeds}
	ctl := filepath.Join(root, "controller", "logs")
	cmp := filepath.Join(root, "compute1", "logs")
	for _, d := range []string{ctl, cmp, filepath.Join(root, "zuul-info")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(seeds, name))
		if err != nil {
			panic(err)
		}
		return b
	}
	if err := os.WriteFile(filepath.Join(root, "zuul-info", "inventory.yaml"), []byte(inventory), 0o644); err != nil {
		return nil, err
	}

	// The capture on the controller's br-ex, and the same traffic as
	// neutron's tcpdump unit prints it into the journal.
	frames, err := framesFromText(read("tcpdump-br-ex.txt"))
	if err != nil {
		return nil, err
	}
	pcap := filepath.Join(ctl, "tcpdump.pcap")
	if err := writePcap(pcap, frames); err != nil {
		return nil, err
	}
	text, err := exec.Command("tcpdump", "-enl", "-r", pcap).Output()
	if err != nil {
		return nil, fmt.Errorf("tcpdump -r: %w", err)
	}
	host := "ubuntu-bionic-rax-dfw-0001"
	var tcpdump []Entry
	tcpdump = append(tcpdump, entry(frames[0].t.Add(-3*time.Minute), host, "devstack@br-ex-tcpdump.service", "tcpdump", "28445",
		"listening on br-ex, link-type EN10MB (Ethernet), snapshot length 262144 bytes"))
	sc := bufio.NewScanner(bytes.NewReader(text))
	for i := 0; sc.Scan(); i++ {
		// tcpdump -l writes each line as it captures it: the journal
		// stamps it a little later.
		tcpdump = append(tcpdump, entry(frames[min(i, len(frames)-1)].t.Add(700*time.Microsecond), host, "devstack@br-ex-tcpdump.service", "tcpdump", "28445", sc.Text()))
	}
	neutron, err := FromOslo(read("neutron-server.log"), host, "devstack@q-svc.service", "neutron-server")
	if err != nil {
		return nil, err
	}
	noise := noiseEntries(host, frames[0].t.Add(-4*time.Minute), 400)
	all := slices.Concat(neutron, tcpdump, noise)
	slices.SortStableFunc(all, func(a, b Entry) int { return a.Time.Compare(b.Time) })

	export, err := Journalctl(all, "export")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(ctl, "devstack.journal"), export, 0o644); err != nil {
		return nil, err
	}
	if err := run(ctl, "gzip", "devstack.journal"); err != nil {
		return nil, err
	}
	// screen-<svc>.txt: journalctl -o short-precise --unit devstack@<svc>.
	for unit, name := range map[string]string{"devstack@q-svc.service": "screen-q-svc.txt", "devstack@br-ex-tcpdump.service": "screen-br-ex-tcpdump.txt"} {
		var sel []Entry
		for _, e := range all {
			if unitOf(e) == unit {
				sel = append(sel, e)
			}
		}
		out, err := Journalctl(sel, "short-precise")
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(filepath.Join(ctl, name), out, 0o644); err != nil {
			return nil, err
		}
	}
	// neutron's br-int-flows unit: `ovs-ofctl dump-flows br-int` every 30 s,
	// saved as screen-br-int-flows.txt by journalctl -o short-precise.
	var flowEntries []Entry
	flows := strings.Split(strings.TrimSpace(dropDateLine(read("ovs-ofctl-dump-flows.txt"))), "\n")
	for i, at := range []time.Time{time.Date(2018, 9, 18, 17, 12, 15, 0, time.UTC), time.Date(2018, 9, 18, 17, 12, 45, 0, time.UTC)} {
		for j, f := range flows {
			flowEntries = append(flowEntries, entry(at.Add(time.Duration(j)*time.Millisecond), host, "devstack@br-int-flows.service", "ovs-ofctl", fmt.Sprint(4000+i), f))
		}
	}
	brint, err := Journalctl(flowEntries, "short-precise")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(ctl, "screen-br-int-flows.txt"), brint, 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(ctl, "tempest_log.txt"), read("tempest.log"), 0o644); err != nil {
		return nil, err
	}
	// worlddump at the end of the run, and devstack's -latest copy of it.
	dump := Worlddump(dropDateLine(read("ovs-ofctl-dump-flows.txt")), dropDateLine(read("ovn-nbctl-show.txt")))
	for _, name := range []string{"worlddump-2018-09-18-171245.txt", "worlddump-latest.txt"} {
		if err := os.WriteFile(filepath.Join(ctl, name), []byte(dump), 0o644); err != nil {
			return nil, err
		}
	}

	// compute1: its own journal, as .xz (devstack between 2017-10 and
	// 2021-04), with nothing of the seed's in it.
	cnoise := noiseEntries("ubuntu-bionic-rax-dfw-0002", frames[0].t.Add(-5*time.Minute), 300)
	cexport, err := Journalctl(cnoise, "export")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(cmp, "devstack.journal"), cexport, 0o644); err != nil {
		return nil, err
	}
	if err := run(cmp, "xz", "devstack.journal"); err != nil {
		return nil, err
	}

	// OVS/OVN daemon logs (vlog file format) on both nodes.
	for p, text := range map[string]string{
		filepath.Join(cmp, "ovn", "ovn-controller.log"): "2018-09-18T17:04:58.120Z|00001|vlog|INFO|opened log file /var/log/ovn/ovn-controller.log\n" +
			"2018-09-18T17:04:58.125Z|00002|reconnect|INFO|tcp:198.51.100.10:6642: connecting...\n" +
			"2018-09-18T17:06:02.311Z|00031|binding|INFO|Claiming lport ea2f4a7c-a903-46fa-899f-325f11f40d7e for this chassis.\n" +
			"2018-09-18T17:06:02.311Z|00032|binding|INFO|ea2f4a7c-a903-46fa-899f-325f11f40d7e: Claiming fa:16:3e:5a:6b:7c 10.1.0.5\n",
		filepath.Join(ctl, "openvswitch", "ovs-vswitchd.log"): "2018-09-18T17:04:10.000Z|00001|vlog|INFO|opened log file /var/log/openvswitch/ovs-vswitchd.log\n" +
			"2018-09-18T17:04:10.002Z|00002|ovs_numa|INFO|Discovered 8 CPU cores on NUMA node 0\n" +
			"2018-09-18T17:09:16.500Z|00120|bridge|WARN|could not open network device tap0bad (No such device)\n",
	} {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			return nil, err
		}
	}

	// compute1's sosreport, packed by tar and xz, its date last.
	sos := "sosreport-compute1-2018-09-18-qwerty"
	for rel, text := range map[string]string{
		"sos_commands/networking/ip_-s_-s_neigh_show": "172.24.5.1 dev br-ex lladdr 1e:d5:ec:49:df:4f ref 1 used 12/7/5 probes 1 REACHABLE\n10.209.32.1 dev ens3 lladdr 00:00:0c:9f:f0:01 used 3/3/3 probes 0 STALE\n",
		"sos_commands/openvswitch/ovs-ofctl_-O_OpenFlow13_dump-flows_br-int": "OFPST_FLOW reply (OF1.3) (xid=0x2):\n cookie=0x0, duration=905.113s, table=0, n_packets=10321, n_bytes=998412, priority=100,in_port=1 actions=resubmit(,8)\n" +
			" cookie=0x0, duration=905.113s, table=29, n_packets=7, n_bytes=294, priority=100,arp,reg15=0x1,metadata=0x5,arp_tpa=10.1.0.1,arp_op=1 actions=move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],load:0x2->NXM_OF_ARP_OP[],move:NXM_NX_ARP_SHA[]->NXM_NX_ARP_THA[],load:0xfa163e112233->NXM_NX_ARP_SHA[],move:NXM_OF_ARP_SPA[]->NXM_OF_ARP_TPA[],load:0xa010001->NXM_OF_ARP_SPA[],load:0x1->NXM_NX_REG10[0],resubmit(,32)\n",
		"sos_commands/date/date": "Tue Sep 18 17:20:01 UTC 2018\n",
	} {
		p := filepath.Join(cmp, sos, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			return nil, err
		}
	}
	if err := run(cmp, "tar", "cJf", sos+".tar.xz", sos+"/sos_commands/networking", sos+"/sos_commands/openvswitch", sos+"/sos_commands/date"); err != nil {
		return nil, err
	}
	if err := os.RemoveAll(filepath.Join(cmp, sos)); err != nil {
		return nil, err
	}

	if err := os.WriteFile(filepath.Join(root, "job-output.txt"), []byte(jobOutput), 0o644); err != nil {
		return nil, err
	}
	return t, nil
}

func unitOf(e Entry) string {
	for _, f := range e.Fields {
		if f[0] == "_SYSTEMD_UNIT" {
			return f[1]
		}
	}
	return ""
}

// noiseEntries are what else a devstack journal holds: sudo, the kernel.
func noiseEntries(host string, start time.Time, n int) []Entry {
	var out []Entry
	for i := range n {
		t := start.Add(time.Duration(i) * 750 * time.Millisecond)
		if i%2 == 0 {
			out = append(out, entry(t, host, "session-1.scope", "sudo", "1201", fmt.Sprintf("   stack : PWD=/opt/stack/devstack ; USER=root ; COMMAND=/usr/bin/ovs-vsctl --timeout=%d show", i)))
		} else {
			e := entry(t, host, "", "kernel", "", fmt.Sprintf("[ %d.%06d] device tap%04x entered promiscuous mode", 300+i, i*7, i))
			out = append(out, e)
		}
	}
	return out
}

func run(dir, name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s %v: %v: %s", name, args, err, out)
	}
	return nil
}

type frame struct {
	t    time.Time
	data []byte
}

var (
	reARP  = regexp.MustCompile(`^(\d\d:\d\d:\d\d\.\d{6}) ([0-9a-f:]{17}) > ([0-9a-f:]{17}), ethertype ARP \(0x0806\), length 42: (?:Request who-has (\S+) tell (\S+)|Reply (\S+) is-at ([0-9a-f:]{17})), length 28$`)
	reICMP = regexp.MustCompile(`^(\d\d:\d\d:\d\d\.\d{6}) ([0-9a-f:]{17}) > ([0-9a-f:]{17}), ethertype IPv4 \(0x0800\), length 98: (\S+) > (\S+): ICMP echo (request|reply), id (\d+), seq (\d+), length 64$`)
)

// framesFromText rebuilds the frames of `tcpdump -e -n` journal lines (the
// seed's ARP and ICMP echo lines), timed by tcpdump's own stamps on the
// journal line's day.
func framesFromText(text []byte) ([]frame, error) {
	var out []frame
	sc := bufio.NewScanner(bytes.NewReader(text))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		i := strings.Index(line, "]: ")
		if i < 0 || len(line) < 16 {
			continue
		}
		day, err := time.Parse("Jan _2 2006", line[:6]+" 2018")
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", n, err)
		}
		msg := line[i+3:]
		stamp := func(s string) time.Time {
			c, _ := time.Parse("15:04:05.000000", s)
			return day.Add(time.Duration(c.Hour())*time.Hour + time.Duration(c.Minute())*time.Minute + time.Duration(c.Second())*time.Second + time.Duration(c.Nanosecond()))
		}
		if m := reARP.FindStringSubmatch(msg); m != nil {
			src, dst := mac(m[2]), mac(m[3])
			if m[4] != "" {
				out = append(out, frame{stamp(m[1]), arpFrame(layers.ARPRequest, src, dst, src, ip(m[5]), nil, ip(m[4]))})
			} else {
				out = append(out, frame{stamp(m[1]), arpFrame(layers.ARPReply, src, dst, mac(m[7]), ip(m[6]), dst, netip.IPv4Unspecified())})
			}
			continue
		}
		if m := reICMP.FindStringSubmatch(msg); m != nil {
			var id, seq uint16
			fmt.Sscan(m[7], &id)
			fmt.Sscan(m[8], &seq)
			typ := uint8(layers.ICMPv4TypeEchoRequest)
			if m[6] == "reply" {
				typ = layers.ICMPv4TypeEchoReply
			}
			out = append(out, frame{stamp(m[1]), serialize(
				&layers.Ethernet{SrcMAC: mac(m[2]), DstMAC: mac(m[3]), EthernetType: layers.EthernetTypeIPv4},
				&layers.IPv4{Version: 4, IHL: 5, TTL: 64, Protocol: layers.IPProtocolICMPv4, SrcIP: ip(m[4]).AsSlice(), DstIP: ip(m[5]).AsSlice(), Flags: layers.IPv4DontFragment},
				&layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(typ, 0), Id: id, Seq: seq},
				gopacket.Payload(make([]byte, 56)),
			)})
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no frames in the seed's tcpdump text")
	}
	slices.SortStableFunc(out, func(a, b frame) int { return a.t.Compare(b.t) })
	return out, sc.Err()
}

func mac(s string) net.HardwareAddr { m, _ := net.ParseMAC(s); return m }
func ip(s string) netip.Addr        { return netip.MustParseAddr(s) }

func arpFrame(op uint16, ethSrc, ethDst, sha net.HardwareAddr, spa netip.Addr, tha net.HardwareAddr, tpa netip.Addr) []byte {
	if tha == nil {
		tha = net.HardwareAddr{0, 0, 0, 0, 0, 0}
	}
	return serialize(
		&layers.Ethernet{SrcMAC: ethSrc, DstMAC: ethDst, EthernetType: layers.EthernetTypeARP},
		&layers.ARP{AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4, HwAddressSize: 6, ProtAddressSize: 4,
			Operation: op, SourceHwAddress: sha, SourceProtAddress: spa.AsSlice(), DstHwAddress: tha, DstProtAddress: tpa.AsSlice()},
	)
}

func serialize(ls ...gopacket.SerializableLayer) []byte {
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ls...); err != nil {
		panic(err)
	}
	return append([]byte(nil), buf.Bytes()...)
}

func writePcap(path string, frames []frame) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := pcapgo.NewWriter(f)
	if err := w.WriteFileHeader(262144, layers.LinkTypeEthernet); err != nil {
		f.Close()
		return err
	}
	for _, fr := range frames {
		if err := w.WritePacket(gopacket.CaptureInfo{Timestamp: fr.t, CaptureLength: len(fr.data), Length: len(fr.data)}, fr.data); err != nil {
			f.Close()
			return err
		}
	}
	return f.Close()
}

const inventory = `all:
  hosts:
    controller:
      ansible_host: 198.51.100.10
      nodepool: {label: ubuntu-bionic}
    compute1:
      ansible_host: 198.51.100.11
  vars:
    zuul: {job: neutron-tempest-plugin-scenario-ovn}
`

const jobOutput = `2018-09-18 17:00:01.000000 | Job console starting...
2018-09-18 17:00:02.000000 | Running Ansible setup...
2018-09-18 17:00:05.104821 | PRE-RUN START: [trusted : opendev.org/zuul/base/playbooks/base/pre.yaml@master]
2018-09-18 17:08:12.551023 | controller | {0} tempest.api.network.test_ports.PortsTestJSON.test_list_ports [0.412881s] ... ok
2018-09-18 17:08:13.002114 | controller | {1} setUpClass (tempest.api.network.test_routers.RoutersIpV6Test) ... SKIPPED: IPv6 not enabled
2018-09-18 17:12:37.318442 | controller | {1} tempest.scenario.test_network_basic_ops.TestNetworkBasicOps.test_network_basic_ops [203.186734s] ... FAILED
2018-09-18 17:12:37.320001 | controller |
2018-09-18 17:12:37.320112 | controller | ==============================
2018-09-18 17:12:37.320150 | controller | Failed 1 tests - output below:
2018-09-18 17:12:37.320190 | controller | ==============================
`

// Worlddump renders a worlddump as devstack's tools/worlddump.py writes
// it: section headers underlined with "=", each command underlined with
// "-" and followed by its output and a blank line. flows and nbctl are the
// output of `ovs-ofctl dump-flows br-int` and `ovn-nbctl show`.
func Worlddump(flows, nbctl string) string {
	var b strings.Builder
	header := func(name string) { fmt.Fprintf(&b, "\n%s\n%s\n\n", name, strings.Repeat("=", len(name))) }
	cmd := func(c, out string) { fmt.Fprintf(&b, "%s\n%s\n\n%s\n", c, strings.Repeat("-", len(c)), out) }
	header("File System Summary")
	b.WriteString("Filesystem      Size  Used Avail Use% Mounted on\n/dev/xvda1       78G   21G   54G  28% /\n\n")
	header("Process Listing")
	cmd("ps axo user,ppid,pid,pcpu,pmem,vsz,rss,tty,stat,start,time,args", "USER      PPID   PID %CPU %MEM    VSZ   RSS TT       STAT  STARTED     TIME COMMAND\nroot         0     1  0.0  0.1 225508  9320 ?        Ss   16:41:02 00:00:03 /sbin/init\n")
	header("Network Dump")
	cmd("brctl show", "bridge name\tbridge id\t\tSTP enabled\tinterfaces\n")
	cmd("arp -n", "Address                  HWtype  HWaddress           Flags Mask            Iface\n10.209.32.1              ether   00:00:0c:9f:f0:01   C                     ens3\n")
	cmd("ip neigh", "10.209.32.1 dev ens3 lladdr 00:00:0c:9f:f0:01 REACHABLE\n172.24.5.1 dev br-ex lladdr 1e:d5:ec:49:df:4f REACHABLE\n")
	cmd("ip netns", "ovnmeta-0f7e6a4b-2c1d-4e8f-9a0b-1c2d3e4f5a6b (id: 0)\n")
	cmd("sudo ip netns exec ovnmeta-0f7e6a4b-2c1d-4e8f-9a0b-1c2d3e4f5a6b ip neigh", "10.1.0.5 dev tap0f7e6a4b-20 lladdr fa:16:3e:11:22:33 STALE\n")
	header("Open vSwitch Dump")
	cmd("sudo ovs-vsctl show", "6b3e2c1d-0000-4000-8000-000000000001\n    Bridge br-int\n        fail_mode: secure\n    ovs_version: \"2.9.0\"\n")
	cmd("sudo ovs-ofctl --protocols=OpenFlow10,OpenFlow11,OpenFlow12,OpenFlow13 dump-flows br-int", flows)
	cmd("sudo ovn-nbctl show", nbctl)
	header("IP Tables Dump")
	cmd("sudo iptables --line-numbers -L -nv -t filter", "Chain INPUT (policy ACCEPT 0 packets, 0 bytes)\n")
	return b.String()
}

// dropDateLine removes a seed's leading `date` line.
func dropDateLine(b []byte) string {
	s := string(b)
	if i := strings.IndexByte(s, '\n'); i >= 0 && strings.Contains(s[:i], " UTC ") {
		return s[i+1:]
	}
	return s
}
