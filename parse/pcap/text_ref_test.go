package pcap

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/arpforensics/arpforensics/timeline"
)

// The capture reader of this package may register -update too; share it.
func init() {
	if flag.Lookup("update") == nil {
		flag.Bool("update", false, "rewrite golden files")
	}
}

func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// captureEvents decodes a capture with gopacket and feeds the frames to a
// Folder the way a capture reader does: it is the reference the text
// renderings of the same capture are compared with.
func captureEvents(t *testing.T, path string) []timeline.Event {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	r, err := pcapgo.NewReader(fh)
	if err != nil {
		t.Fatal(err)
	}
	f := NewFolder()
	for n := int64(1); ; n++ {
		data, ci, err := r.ReadPacketData()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		pkt := gopacket.NewPacket(data, r.LinkType(), gopacket.Default)
		var link timeline.Link
		switch l := pkt.LinkLayer().(type) {
		case *layers.Ethernet:
			link.Src, _ = timeline.MACFrom(l.SrcMAC)
			link.Dst, _ = timeline.MACFrom(l.DstMAC)
			link.DstKnown = true
		case *layers.LinuxSLL:
			link.Src, _ = timeline.MACFrom(l.Addr)
			link.Direction = sllDirection(uint8(l.PacketType))
		case *layers.LinuxSLL2:
			link.Src, _ = timeline.MACFrom(l.Addr)
			link.Direction = sllDirection(uint8(l.PacketType))
		default:
			t.Fatalf("%s frame %d: link layer %T", path, n, l)
		}
		if d, ok := pkt.Layer(layers.LayerTypeDot1Q).(*layers.Dot1Q); ok {
			link.VLAN = d.VLANIdentifier
		}
		pos := timeline.Pos{Frame: n}
		ts := ci.Timestamp.UTC()
		if a, ok := pkt.Layer(layers.LayerTypeARP).(*layers.ARP); ok {
			sha, _ := timeline.MACFrom(a.SourceHwAddress)
			tha, _ := timeline.MACFrom(a.DstHwAddress)
			spa, _ := netip.AddrFromSlice(a.SourceProtAddress)
			tpa, _ := netip.AddrFromSlice(a.DstProtAddress)
			f.ARP(ts, pos, link, a.Operation, sha, tha, spa, tpa, nil)
			continue
		}
		ip, ok := pkt.Layer(layers.LayerTypeIPv4).(*layers.IPv4)
		if !ok {
			continue
		}
		src, _ := netip.AddrFromSlice(ip.SrcIP.To4())
		dst, _ := netip.AddrFromSlice(ip.DstIP.To4())
		var info *TCPInfo
		if tc, ok := pkt.Layer(layers.LayerTypeTCP).(*layers.TCP); ok {
			info = &TCPInfo{SrcPort: uint16(tc.SrcPort), DstPort: uint16(tc.DstPort), Seq: tc.Seq, SYN: tc.SYN, ACK: tc.ACK}
		}
		f.IPv4(ts, pos, link, src, dst, info, nil)
	}
	return f.Events()
}

func sllDirection(pt uint8) timeline.Direction {
	switch pt {
	case 4:
		return timeline.DirOutgoing
	case 0, 1, 2, 3:
		return timeline.DirIncoming
	}
	return timeline.DirUnknown
}

// describe renders an event as one canonical line for comparisons: every
// field a detector reads, nothing about where it was read from.
func describe(e *timeline.Event) string {
	switch d := e.Data.(type) {
	case *timeline.ARP:
		tpa := "?"
		if d.TPA.IsValid() {
			tpa = d.TPA.String()
		}
		s := fmt.Sprintf("arp %s op=%d %s sha=%s spa=%s tha=%s tpa=%s", d.Class, d.Op, linkText(&d.Link), d.SHA, d.SPA, d.THA, tpa)
		if d.SenderMismatch {
			s += " mismatch"
		}
		return s
	case *timeline.TCP:
		return fmt.Sprintf("tcp %s %s:%d>%s:%d seq=%d attempt=%d %s", d.What, d.SrcIP, d.SrcPort, d.DstIP, d.DstPort, d.Seq, d.Attempt, linkText(&d.Link))
	case *timeline.UsageRun:
		via := d.Dst.String()
		if d.DstInferred {
			via += "(inferred)"
		}
		return fmt.Sprintf("usage %s>%s via=%s frames=%d syns=%d until=%s %s", d.SrcIP, d.DstIP, via, d.Frames, d.SYNs,
			e.End.Format("15:04:05.000000"), linkText(&d.Link))
	}
	return fmt.Sprintf("%T", e.Data)
}

func linkText(l *timeline.Link) string {
	var b strings.Builder
	switch {
	case l.Src.IsZero() && !l.DstKnown:
		b.WriteString("link=-")
	case l.DstKnown:
		fmt.Fprintf(&b, "link=%s>%s", l.Src, l.Dst)
	default:
		fmt.Fprintf(&b, "link=%s>?", l.Src)
	}
	if l.VLAN != 0 {
		fmt.Fprintf(&b, " vlan=%d", l.VLAN)
	}
	if l.Direction != timeline.DirUnknown {
		fmt.Fprintf(&b, " dir=%s", l.Direction)
	}
	if l.Iface != "" {
		fmt.Fprintf(&b, " if=%s", l.Iface)
	}
	return b.String()
}

func timed(e *timeline.Event) string {
	return e.Time.Format("2006-01-02T15:04:05.000000000Z07:00") + " " + describe(e)
}
