package main

import (
	"net"
	"net/netip"
	"os"
	"slices"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// host is one station on the simulated segment.
type host struct {
	name string
	mac  net.HardwareAddr
	ip   netip.Addr
}

func newHost(name, mac, ip string) host {
	m, err := net.ParseMAC(mac)
	if err != nil {
		panic(err)
	}
	return host{name: name, mac: m, ip: netip.MustParseAddr(ip)}
}

var broadcast = net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}

// frame is one packet on the wire at a time.
type frame struct {
	t    time.Time
	data []byte
}

// capture collects frames in any order and writes them sorted by time, as a
// capture on one interface would hold them.
type capture struct{ frames []frame }

func (c *capture) add(t time.Time, data []byte) { c.frames = append(c.frames, frame{t, data}) }

func (c *capture) sorted() []frame {
	slices.SortStableFunc(c.frames, func(a, b frame) int { return a.t.Compare(b.t) })
	return c.frames
}

// writeFrames writes the frames in time order through a pcap or pcapng
// writer.
func (c *capture) writeFrames(w interface {
	WritePacket(gopacket.CaptureInfo, []byte) error
}) error {
	for _, fr := range c.sorted() {
		ci := gopacket.CaptureInfo{Timestamp: fr.t, CaptureLength: len(fr.data), Length: len(fr.data)}
		if err := w.WritePacket(ci, fr.data); err != nil {
			return err
		}
	}
	return nil
}

// writePcap writes a classic little-endian microsecond pcap (what tcpdump -w writes).
func (c *capture) writePcap(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := pcapgo.NewWriter(f)
	if err := w.WriteFileHeader(262144, layers.LinkTypeEthernet); err != nil {
		f.Close()
		return err
	}
	if err := c.writeFrames(w); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// writePcapNG writes a pcapng file with one named Ethernet interface.
func (c *capture) writePcapNG(path, ifname string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w, err := pcapgo.NewNgWriterInterface(f, pcapgo.NgInterface{
		Name: ifname, LinkType: layers.LinkTypeEthernet, SnapLength: 262144,
		TimestampResolution: 6,
	}, pcapgo.NgWriterOptions{SectionInfo: pcapgo.NgSectionInfo{Application: "arpforensics samples/gen"}})
	if err != nil {
		f.Close()
		return err
	}
	if err := c.writeFrames(w); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func serialize(ls ...gopacket.SerializableLayer) []byte {
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ls...); err != nil {
		panic(err)
	}
	return append([]byte(nil), buf.Bytes()...)
}

// arpFrame builds an Ethernet/ARP frame; every field is explicit because
// GARP flavours differ only in op, tha and the Ethernet destination.
func arpFrame(op uint16, ethSrc, ethDst, sha net.HardwareAddr, spa netip.Addr, tha net.HardwareAddr, tpa netip.Addr) []byte {
	if tha == nil {
		tha = net.HardwareAddr{0, 0, 0, 0, 0, 0}
	}
	return serialize(
		&layers.Ethernet{SrcMAC: ethSrc, DstMAC: ethDst, EthernetType: layers.EthernetTypeARP},
		&layers.ARP{
			AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4,
			HwAddressSize: 6, ProtAddressSize: 4, Operation: op,
			SourceHwAddress: sha, SourceProtAddress: spa.AsSlice(),
			DstHwAddress: tha, DstProtAddress: tpa.AsSlice(),
		},
	)
}

// whoHas is an ordinary request, broadcast unless dst is given (a NUD probe
// is unicast to the cached MAC).
func whoHas(from host, target netip.Addr, dst net.HardwareAddr) []byte {
	if dst == nil {
		dst = broadcast
	}
	return arpFrame(layers.ARPRequest, from.mac, dst, from.mac, from.ip, nil, target)
}

// isAt is an ordinary reply from owner (answering for addr) to asker.
func isAt(owner host, addr netip.Addr, asker host) []byte {
	return arpFrame(layers.ARPReply, owner.mac, asker.mac, owner.mac, addr, asker.mac, asker.ip)
}

// garpReply is what iputils `arping -A` sends: a broadcast reply with
// spa == tpa and tha == sha.
func garpReply(owner host, addr netip.Addr) []byte {
	return arpFrame(layers.ARPReply, owner.mac, broadcast, owner.mac, addr, owner.mac, addr)
}

func ipv4(src, dst host, srcIP, dstIP netip.Addr, ttl uint8, proto layers.IPProtocol, id uint16) (*layers.Ethernet, *layers.IPv4) {
	return &layers.Ethernet{SrcMAC: src.mac, DstMAC: dst.mac, EthernetType: layers.EthernetTypeIPv4},
		&layers.IPv4{Version: 4, IHL: 5, TTL: ttl, Protocol: proto, SrcIP: srcIP.AsSlice(), DstIP: dstIP.AsSlice(), Id: id, Flags: layers.IPv4DontFragment}
}

// tcpSeg is one TCP segment from src (at srcIP) to dstIP via dst's MAC.
type tcpSeg struct {
	srcIP, dstIP   netip.Addr
	sport, dport   uint16
	seq, ack       uint32
	syn, ackf, psh bool
	fin            bool
	payload        int
	tsval, tsecr   uint32
	ipid           uint16
}

func tcpFrame(src, dst host, s tcpSeg) []byte {
	eth, ip := ipv4(src, dst, s.srcIP, s.dstIP, 64, layers.IPProtocolTCP, s.ipid)
	tcp := &layers.TCP{SrcPort: layers.TCPPort(s.sport), DstPort: layers.TCPPort(s.dport), Seq: s.seq, Ack: s.ack,
		SYN: s.syn, ACK: s.ackf, PSH: s.psh, FIN: s.fin, Window: 64240}
	if s.syn {
		tcp.Options = []layers.TCPOption{
			{OptionType: layers.TCPOptionKindMSS, OptionLength: 4, OptionData: []byte{0x05, 0xb4}},
			{OptionType: layers.TCPOptionKindSACKPermitted, OptionLength: 2},
			{OptionType: layers.TCPOptionKindTimestamps, OptionLength: 10, OptionData: tsOpt(s.tsval, s.tsecr)},
			{OptionType: layers.TCPOptionKindNop},
			{OptionType: layers.TCPOptionKindWindowScale, OptionLength: 3, OptionData: []byte{7}},
		}
	}
	tcp.SetNetworkLayerForChecksum(ip)
	return serialize(eth, ip, tcp, gopacket.Payload(make([]byte, s.payload)))
}

func tsOpt(val, ecr uint32) []byte {
	return []byte{byte(val >> 24), byte(val >> 16), byte(val >> 8), byte(val), byte(ecr >> 24), byte(ecr >> 16), byte(ecr >> 8), byte(ecr)}
}

// icmpEcho is a ping (reply=false) or its answer, 64 bytes of ICMP.
func icmpEcho(src, dst host, srcIP, dstIP netip.Addr, id, seq uint16, reply bool) []byte {
	eth, ip := ipv4(src, dst, srcIP, dstIP, 64, layers.IPProtocolICMPv4, seq)
	typ := uint8(layers.ICMPv4TypeEchoRequest)
	if reply {
		typ = uint8(layers.ICMPv4TypeEchoReply)
	}
	return serialize(eth, ip, &layers.ICMPv4{TypeCode: layers.CreateICMPv4TypeCode(typ, 0), Id: id, Seq: seq}, gopacket.Payload(make([]byte, 56)))
}
