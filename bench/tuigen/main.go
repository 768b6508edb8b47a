// Command tuigen writes the TUI benchmark's input: a deterministic Ethernet
// capture in which every frame becomes a timeline event (ARP requests and
// replies, TCP SYNs and SYN/ACKs between 4,096 hosts) and most SYNs also
// start a usage run, so N frames give about 1.5 N events. The analysis of it
// is what bench/tui.sh opens in the TUI.
//
// Usage: tuigen -o FILE.pcap [-frames N]
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

func main() {
	out := flag.String("o", "", "capture to write")
	frames := flag.Int("frames", 1_000_000, "frames to write")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "usage: tuigen -o FILE.pcap [-frames N]")
		os.Exit(2)
	}
	if err := write(*out, *frames); err != nil {
		fmt.Fprintln(os.Stderr, "tuigen:", err)
		os.Exit(1)
	}
}

const nHosts = 4096

func mac(i int) []byte { return []byte{0xfa, 0x16, 0x3e, 0, byte(i >> 8), byte(i)} }
func ip(i int) []byte  { return []byte{10, 1, byte(i >> 8), byte(i)} }

func write(path string, frames int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	w := pcapgo.NewWriter(bw)
	if err := w.WriteFileHeader(65535, layers.LinkTypeEthernet); err != nil {
		return err
	}
	buf := gopacket.NewSerializeBuffer()
	opts := gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}
	t := time.Date(2017, 5, 16, 14, 0, 0, 0, time.UTC)
	emit := func(ls ...gopacket.SerializableLayer) error {
		if err := gopacket.SerializeLayers(buf, opts, ls...); err != nil {
			return err
		}
		t = t.Add(time.Millisecond)
		b := buf.Bytes()
		return w.WritePacket(gopacket.CaptureInfo{Timestamp: t, CaptureLength: len(b), Length: len(b)}, b)
	}
	broadcast := []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	// A linear congruential walk over host pairs: deterministic, spread out.
	x := uint32(12345)
	next := func() int { x = x*1664525 + 1013904223; return int(x>>8) % nHosts }
	for n := 0; n < frames; {
		a, b := next(), next()
		if a == b {
			continue
		}
		seq := uint32(n) * 2654435761
		steps := []func() error{
			func() error {
				return emit(&layers.Ethernet{SrcMAC: mac(a), DstMAC: broadcast, EthernetType: layers.EthernetTypeARP},
					&layers.ARP{AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4, HwAddressSize: 6, ProtAddressSize: 4,
						Operation: layers.ARPRequest, SourceHwAddress: mac(a), SourceProtAddress: ip(a), DstHwAddress: make([]byte, 6), DstProtAddress: ip(b)})
			},
			func() error {
				return emit(&layers.Ethernet{SrcMAC: mac(b), DstMAC: mac(a), EthernetType: layers.EthernetTypeARP},
					&layers.ARP{AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4, HwAddressSize: 6, ProtAddressSize: 4,
						Operation: layers.ARPReply, SourceHwAddress: mac(b), SourceProtAddress: ip(b), DstHwAddress: mac(a), DstProtAddress: ip(a)})
			},
			func() error {
				ipl := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolTCP, SrcIP: ip(a), DstIP: ip(b)}
				tcp := &layers.TCP{SrcPort: layers.TCPPort(30000 + n%30000), DstPort: 22, Seq: seq, SYN: true, Window: 64240}
				tcp.SetNetworkLayerForChecksum(ipl)
				return emit(&layers.Ethernet{SrcMAC: mac(a), DstMAC: mac(b), EthernetType: layers.EthernetTypeIPv4}, ipl, tcp)
			},
			func() error {
				ipl := &layers.IPv4{Version: 4, TTL: 64, Protocol: layers.IPProtocolTCP, SrcIP: ip(b), DstIP: ip(a)}
				tcp := &layers.TCP{SrcPort: 22, DstPort: layers.TCPPort(30000 + n%30000), Seq: ^seq, Ack: seq + 1, SYN: true, ACK: true, Window: 64240}
				tcp.SetNetworkLayerForChecksum(ipl)
				return emit(&layers.Ethernet{SrcMAC: mac(b), DstMAC: mac(a), EthernetType: layers.EthernetTypeIPv4}, ipl, tcp)
			},
		}
		for _, s := range steps {
			if n == frames {
				break
			}
			if err := s(); err != nil {
				return err
			}
			n++
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return f.Close()
}
