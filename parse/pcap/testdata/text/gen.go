//go:build ignore

// gen writes the capture the tcpdump-text tests compare against and renders
// it with the real tcpdump in every form the text reader supports:
//
//	cd parse/pcap/testdata/text && go run gen.go
//
// The frames tell a small floating-IP story on one segment (an observer
// resolves 10.0.0.100 to host A, talks TCP to it, host B announces the IP
// with every GARP flavour, the observer moves to B), plus VLAN and QinQ
// tagged ARP, a probe, a proxy reply, broadcast and IPv6 frames. The same
// frames are written three times: as Ethernet (the observer's NIC in
// promiscuous mode) and as Linux cooked v1 and v2 captures from the
// observer (tcpdump -i any). tcpdump runs with TZ=UTC so the text carries
// UTC times, except the -tttt rendering made in America/New_York. The
// outputs are committed; the tests never run tcpdump.
package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

var (
	obs   = mac("02:00:00:00:00:01")
	hostA = mac("02:00:00:00:00:0a")
	hostB = mac("02:00:00:00:00:0b")
	hostC = mac("02:00:00:00:00:0c")
	proxy = mac("02:00:00:00:00:0d")
	bcast = mac("ff:ff:ff:ff:ff:ff")
	zero  = mac("00:00:00:00:00:00")

	obsIP = ip("10.0.0.1")
	fip   = ip("10.0.0.100")
)

func mac(s string) net.HardwareAddr { m, _ := net.ParseMAC(s); return m }
func ip(s string) net.IP            { return net.ParseIP(s).To4() }

// start puts the capture across midnight, to exercise date roll-over.
var start = time.Date(2024, 3, 10, 23, 59, 58, 500_000_000, time.UTC)

type frame struct {
	at   time.Duration
	data []byte
}

func main() {
	var fs []frame
	t := time.Duration(0)
	add := func(d time.Duration, ls ...gopacket.SerializableLayer) {
		t += d
		var net4 *layers.IPv4
		var net6 *layers.IPv6
		for _, l := range ls {
			switch l := l.(type) {
			case *layers.IPv4:
				net4 = l
			case *layers.IPv6:
				net6 = l
			case *layers.ICMPv6:
				must(l.SetNetworkLayerForChecksum(net6))
			case *layers.TCP:
				must(l.SetNetworkLayerForChecksum(net4))
			case *layers.UDP:
				must(l.SetNetworkLayerForChecksum(net4))
			}
		}
		buf := gopacket.NewSerializeBuffer()
		must(gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ls...))
		fs = append(fs, frame{t, append([]byte(nil), buf.Bytes()...)})
	}
	ms := time.Millisecond

	// Resolution and a handshake with A.
	add(0, eth(obs, bcast, layers.EthernetTypeARP), arp(1, obs, obsIP, zero, fip))
	add(ms/10, eth(hostA, obs, layers.EthernetTypeARP), arp(2, hostA, fip, obs, obsIP))
	add(ms, eth(obs, hostA, layers.EthernetTypeIPv4), ip4(obsIP, fip, layers.IPProtocolTCP), tcp(40000, 22, 1000, 0, true, false), gopacket.Payload(nil))
	add(ms, eth(hostA, obs, layers.EthernetTypeIPv4), ip4(fip, obsIP, layers.IPProtocolTCP), tcp(22, 40000, 5000, 1001, true, true), gopacket.Payload(nil))
	add(ms, eth(obs, hostA, layers.EthernetTypeIPv4), ip4(obsIP, fip, layers.IPProtocolTCP), tcp(40000, 22, 1001, 5001, false, true), gopacket.Payload(nil))
	add(ms, eth(obs, hostA, layers.EthernetTypeIPv4), ip4(obsIP, fip, layers.IPProtocolTCP), tcp(40000, 22, 1001, 5001, false, true), gopacket.Payload(bytes.Repeat([]byte{'x'}, 100)))
	add(ms, eth(obs, hostA, layers.EthernetTypeIPv4), ip4(obsIP, fip, layers.IPProtocolUDP), udp(5000, 53), gopacket.Payload([]byte{0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0}))
	add(ms, eth(obs, hostA, layers.EthernetTypeIPv4), ip4(obsIP, fip, layers.IPProtocolICMPv4), icmp(), gopacket.Payload([]byte("ping")))
	// A broadcast datagram: not a usage run.
	add(ms, eth(obs, bcast, layers.EthernetTypeIPv4), ip4(obsIP, ip("10.0.0.255"), layers.IPProtocolUDP), udp(68, 67), gopacket.Payload([]byte{1}))

	// Midnight passes. B takes the floating IP: a GARP of each flavour.
	add(1500*ms, eth(hostB, bcast, layers.EthernetTypeARP), arp(1, hostB, fip, bcast, fip))        // arping -U
	add(1000*ms, eth(hostB, bcast, layers.EthernetTypeARP), arp(2, hostB, fip, hostB, fip))        // arping -A: tha == sha
	add(1000*ms, eth(hostB, bcast, layers.EthernetTypeARP), arp(2, hostB, fip, bcast, fip))        // tha = broadcast: no GARP to Linux
	add(10*ms, eth(hostB, bcast, layers.EthernetTypeARP), arp(1, hostB, ip("0.0.0.0"), zero, fip)) // RFC 5227 probe

	// The observer keeps using A, retransmits a SYN, probes A (unicast)
	// and finally moves to B.
	add(ms, eth(obs, hostA, layers.EthernetTypeIPv4), ip4(obsIP, fip, layers.IPProtocolTCP), tcp(40001, 22, 2000, 0, true, false), gopacket.Payload(nil))
	add(1000*ms, eth(obs, hostA, layers.EthernetTypeIPv4), ip4(obsIP, fip, layers.IPProtocolTCP), tcp(40001, 22, 2000, 0, true, false), gopacket.Payload(nil))
	add(ms, eth(obs, hostA, layers.EthernetTypeARP), arp(1, obs, obsIP, zero, fip))
	add(ms, eth(hostB, obs, layers.EthernetTypeARP), arp(2, hostB, fip, obs, obsIP))
	add(ms, eth(obs, hostB, layers.EthernetTypeIPv4), ip4(obsIP, fip, layers.IPProtocolTCP), tcp(40002, 22, 3000, 0, true, false), gopacket.Payload(nil))
	add(ms, eth(obs, hostB, layers.EthernetTypeIPv4), ip4(obsIP, fip, layers.IPProtocolICMPv4), icmp(), gopacket.Payload([]byte("ping")))

	// Tagged ARP: 802.1Q and 802.1ad (QinQ).
	add(ms, eth(hostC, bcast, layers.EthernetTypeDot1Q), dot1q(10, layers.EthernetTypeARP), arp(1, hostC, ip("10.0.10.5"), zero, ip("10.0.10.1")))
	add(ms, eth(hostC, bcast, layers.EthernetTypeQinQ), dot1q(100, layers.EthernetTypeDot1Q), dot1q(20, layers.EthernetTypeARP), arp(1, hostC, ip("10.0.20.5"), zero, ip("10.0.20.1")))
	// A proxy answering for C: sender MAC differs from the Ethernet source.
	add(ms, eth(proxy, obs, layers.EthernetTypeARP), arp(2, hostC, ip("10.0.0.50"), obs, obsIP))
	// Irrelevant: IPv6.
	add(ms, eth(obs, mac("33:33:00:00:00:01"), layers.EthernetTypeIPv6), ip6(), icmp6(), gopacket.Payload([]byte{0, 0, 0, 0}))

	must(writeEther("ether.pcap", fs))
	must(writeCooked("sll.pcap", layers.LinkTypeLinuxSLL, fs))
	must(writeCooked("sll2.pcap", layers.LinkType(276), fs))

	render("ether.pcap", "ether.e-nn.txt", "UTC", "-e", "-nn")
	render("ether.pcap", "ether.nn.txt", "UTC", "-nn")
	render("ether.pcap", "ether.e-n.txt", "UTC", "-e", "-n")
	render("ether.pcap", "ether.e-nn-tt.txt", "UTC", "-e", "-nn", "-tt")
	render("ether.pcap", "ether.e-nn-tttt-newyork.txt", "America/New_York", "-e", "-nn", "-tttt")
	render("ether.pcap", "ether.e-nn-v.txt", "UTC", "-e", "-nn", "-v")
	render("ether.pcap", "ether.nn-nano.txt", "UTC", "-nn", "--time-stamp-precision=nano")
	render("ether.pcap", "ether.e-nn-q.txt", "UTC", "-e", "-nn", "-q")
	render("ether.pcap", "ether.nn-ttt.txt", "UTC", "-nn", "-ttt")
	render("sll.pcap", "sll.e-nn.txt", "UTC", "-e", "-nn")
	render("sll.pcap", "sll.e-nn-q.txt", "UTC", "-e", "-nn", "-q")
	render("sll2.pcap", "sll2.e-nn-v.txt", "UTC", "-e", "-nn", "-v")
	render("sll.pcap", "sll.nn.txt", "UTC", "-nn")
	render("sll2.pcap", "sll2.e-nn.txt", "UTC", "-e", "-nn")
	render("sll2.pcap", "sll2.nn.txt", "UTC", "-nn")

	must(journal("ether.e-nn.txt", "journal.txt"))
}

// journal wraps a rendering in a journalctl -o short-precise export, as a
// devstack job saves it: the capture unit's start, tcpdump's banners,
// another unit's lines in between, tcpdump's closing counts, and one line
// cut short. The journal stamps each line when tcpdump flushed it, after its
// capture time: the lines captured before midnight are flushed after it, so
// the journal's date is not theirs.
func journal(in, out string) error {
	b, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	const host = "devstack-node"
	var w bytes.Buffer
	stamp := func(t time.Time) string { return t.Format("Jan _2 15:04:05.000000") }
	first := start.Add(-2 * time.Second)
	fmt.Fprintf(&w, "%s %s systemd[1]: Started tcpdump capture on br-ex.\n", stamp(first), host)
	fmt.Fprintf(&w, "%s %s tcpdump[4242]: tcpdump: verbose output suppressed, use -v[v]... for full protocol decode\n", stamp(first.Add(10*time.Millisecond)), host)
	fmt.Fprintf(&w, "%s %s tcpdump[4242]: listening on br-ex, link-type EN10MB (Ethernet), snapshot length 262144 bytes\n", stamp(first.Add(11*time.Millisecond)), host)
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	var last time.Time
	for i, l := range lines {
		tod, err := time.Parse("15:04:05.000000", l[:15])
		if err != nil {
			return err
		}
		day := start
		if tod.Hour() == 0 {
			day = start.Add(24 * time.Hour)
		}
		y, m, d := day.Date()
		at := time.Date(y, m, d, tod.Hour(), tod.Minute(), tod.Second(), tod.Nanosecond(), time.UTC).Add(370 * time.Millisecond)
		if tod.Hour() == 23 {
			// tcpdump writing to a pipe buffers its output: the lines
			// captured before midnight reach the journal after it.
			at = start.Add(1600 * time.Millisecond).Add(time.Duration(i) * time.Microsecond)
		}
		last = at
		if i == 4 {
			fmt.Fprintf(&w, "%s %s neutron-server[777]: DEBUG ovsdbapp.backend.ovs_idl.transaction [-] Running txn n=1 command(idx=0): LrpAddCommand(lrouter=neutron-1, port=lrp-2) {{(pid=777) do_commit}}\n", stamp(at), host)
		}
		fmt.Fprintf(&w, "%s %s tcpdump[4242]: %s\n", stamp(at), host, l)
	}
	// A line cut in the middle, as a journal rotated mid-write leaves it.
	cut := lines[1][:60]
	fmt.Fprintf(&w, "%s %s tcpdump[4242]: %s\n", stamp(last.Add(time.Millisecond)), host, cut)
	fmt.Fprintf(&w, "%s %s tcpdump[4242]: %d packets captured\n", stamp(last.Add(time.Second)), host, len(lines))
	fmt.Fprintf(&w, "%s %s systemd[1]: tcpdump.service: Deactivated successfully.\n", stamp(last.Add(time.Second)), host)
	fmt.Printf("%-32s journal export of %s\n", out, in)
	return os.WriteFile(out, w.Bytes(), 0o644)
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

func render(pcap, out, tz string, args ...string) {
	cmd := exec.Command("tcpdump", append(append([]string{}, args...), "-r", pcap)...)
	cmd.Env = append(os.Environ(), "TZ="+tz)
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	must(cmd.Run())
	must(os.WriteFile(out, stdout.Bytes(), 0o644))
	fmt.Printf("%-32s tcpdump %s\n", out, strings.Join(args, " "))
}

func eth(src, dst net.HardwareAddr, typ layers.EthernetType) *layers.Ethernet {
	return &layers.Ethernet{SrcMAC: src, DstMAC: dst, EthernetType: typ}
}

func dot1q(id uint16, typ layers.EthernetType) *layers.Dot1Q {
	return &layers.Dot1Q{VLANIdentifier: id, Type: typ}
}

func arp(op uint16, sha net.HardwareAddr, spa net.IP, tha net.HardwareAddr, tpa net.IP) *layers.ARP {
	return &layers.ARP{
		AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4,
		HwAddressSize: 6, ProtAddressSize: 4, Operation: op,
		SourceHwAddress: sha, SourceProtAddress: spa, DstHwAddress: tha, DstProtAddress: tpa,
	}
}

func ip4(src, dst net.IP, proto layers.IPProtocol) *layers.IPv4 {
	return &layers.IPv4{Version: 4, IHL: 5, TTL: 64, Protocol: proto, SrcIP: src, DstIP: dst, Flags: layers.IPv4DontFragment}
}

func tcp(sport, dport uint16, seq, ack uint32, syn, isAck bool) *layers.TCP {
	t := &layers.TCP{SrcPort: layers.TCPPort(sport), DstPort: layers.TCPPort(dport), Seq: seq, Ack: ack, SYN: syn, ACK: isAck, Window: 64240}
	return t
}

func udp(sport, dport uint16) *layers.UDP {
	return &layers.UDP{SrcPort: layers.UDPPort(sport), DstPort: layers.UDPPort(dport)}
}

func icmp() *layers.ICMPv4 {
	return &layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(layers.ICMPv4TypeEchoRequest, 0), Id: 7, Seq: 1}
}

func ip6() *layers.IPv6 {
	return &layers.IPv6{Version: 6, NextHeader: layers.IPProtocolICMPv6, HopLimit: 255,
		SrcIP: net.ParseIP("fe80::1"), DstIP: net.ParseIP("ff02::1")}
}

func icmp6() *layers.ICMPv6 {
	return &layers.ICMPv6{TypeCode: layers.CreateICMPv6TypeCode(layers.ICMPv6TypeRouterSolicitation, 0)}
}

func writeEther(name string, fs []frame) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	defer f.Close()
	w := pcapgo.NewWriter(f)
	if err := w.WriteFileHeader(65535, layers.LinkTypeEthernet); err != nil {
		return err
	}
	for _, fr := range fs {
		ci := gopacket.CaptureInfo{Timestamp: start.Add(fr.at), CaptureLength: len(fr.data), Length: len(fr.data)}
		if err := w.WritePacket(ci, fr.data); err != nil {
			return err
		}
	}
	return nil
}

// writeCooked writes the frames as the observer's tcpdump -i any sees them:
// its own frames as outgoing, the rest by destination. Frames between other
// hosts are kept as "P" (promiscuous), as a bridge port would show them.
func writeCooked(name string, lt layers.LinkType, fs []frame) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	defer f.Close()
	w := pcapgo.NewWriter(f)
	if err := w.WriteFileHeader(65535, lt); err != nil {
		return err
	}
	for _, fr := range fs {
		dst, src := net.HardwareAddr(fr.data[0:6]), net.HardwareAddr(fr.data[6:12])
		proto := binary.BigEndian.Uint16(fr.data[12:14])
		var pkt uint8
		switch {
		case bytes.Equal(src, obs):
			pkt = 4 // outgoing
		case bytes.Equal(dst, bcast):
			pkt = 1
		case dst[0]&1 == 1:
			pkt = 2
		case bytes.Equal(dst, obs):
			pkt = 0
		default:
			pkt = 3
		}
		var hdr []byte
		if lt == layers.LinkTypeLinuxSLL {
			hdr = make([]byte, 16)
			binary.BigEndian.PutUint16(hdr[0:], uint16(pkt))
			binary.BigEndian.PutUint16(hdr[2:], 1) // ARPHRD_ETHER
			binary.BigEndian.PutUint16(hdr[4:], 6)
			copy(hdr[6:], src)
			binary.BigEndian.PutUint16(hdr[14:], proto)
		} else {
			hdr = make([]byte, 20)
			binary.BigEndian.PutUint16(hdr[0:], proto)
			binary.BigEndian.PutUint32(hdr[4:], 2) // ifindex 2
			binary.BigEndian.PutUint16(hdr[8:], 1)
			hdr[10] = pkt
			hdr[11] = 6
			copy(hdr[12:], src)
		}
		data := append(hdr, fr.data[14:]...)
		ci := gopacket.CaptureInfo{Timestamp: start.Add(fr.at), CaptureLength: len(data), Length: len(data)}
		if err := w.WritePacket(ci, data); err != nil {
			return err
		}
	}
	return nil
}
