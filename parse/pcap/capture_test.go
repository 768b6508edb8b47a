package pcap

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/arpforensics/arpforensics/parse"
	"github.com/arpforensics/arpforensics/timeline"
)

var tBase = time.Date(2017, 5, 10, 10, 0, 0, 123456789, time.UTC)

func arpsOf(evs []timeline.Event) []*timeline.ARP {
	var as []*timeline.ARP
	for _, e := range evs {
		if a, ok := e.Data.(*timeline.ARP); ok {
			as = append(as, a)
		}
	}
	return as
}

func problemsOf(src *timeline.Source) []string {
	var ps []string
	for _, p := range src.Problems {
		ps = append(ps, fmt.Sprintf("%s %s: %s", p.Level, p.Pos, p.Message))
	}
	return ps
}

// TestClassicMagics reads the same reply-type GARP from the four classic
// variants: microsecond and nanosecond timestamps, either byte order.
func TestClassicMagics(t *testing.T) {
	frame := cat(ether(bcast, hostB, 0x0806), arpBody(2, hostB, ipB, hostB, ipB))
	for _, c := range []struct {
		name  string
		order byteOrder
		nanos bool
		want  time.Time
	}{
		{"little-endian µs", binary.LittleEndian, false, tBase.Truncate(time.Microsecond)},
		{"big-endian µs", binary.BigEndian, false, tBase.Truncate(time.Microsecond)},
		{"little-endian ns", binary.LittleEndian, true, tBase},
		{"big-endian ns", binary.BigEndian, true, tBase},
	} {
		t.Run(c.name, func(t *testing.T) {
			data := classicCapture(c.order, c.nanos, 1, testFrame{tBase, frame})
			if !SniffPcap(data) || SniffPcapNG(data) {
				t.Fatal("not sniffed as classic pcap")
			}
			src, evs, err := readCapture(t, data)
			if err != nil {
				t.Fatal(err)
			}
			as := arpsOf(evs)
			if len(as) != 1 || src.Records != 1 {
				t.Fatalf("%d ARP events from %d records, want 1 from 1", len(as), src.Records)
			}
			// The event's offset is where the frame's bytes start: after the
			// 24-byte file header and the 16-byte record header.
			if !evs[0].Time.Equal(c.want) || evs[0].Pos != (timeline.Pos{Frame: 1, Offset: 40}) {
				t.Errorf("event at %s %s, want %s frame 1", evs[0].Time.Format(time.RFC3339Nano), evs[0].Pos, c.want.Format(time.RFC3339Nano))
			}
			if a := as[0]; a.Class != timeline.ARPGarpReply || a.SHA != hostB || a.Src != hostB || a.Dst != bcast || !a.DstKnown {
				t.Errorf("ARP = %+v, want a garp-reply from %s", a, hostB)
			}
		})
	}
}

func flagsWord(v uint32) *uint32 { return &v }

// TestPcapNGSectionsInterfacesDirections reads a pcapng file of two
// sections of opposite byte orders, interfaces of different link types,
// names, enhanced and simple packet blocks and direction flags.
func TestPcapNGSectionsInterfacesDirections(t *testing.T) {
	garp := cat(ether(bcast, hostB, 0x0806), arpBody(1, hostB, ipB, zeroHW, ipB))
	syn := cat(ether(hostB, hostA, 0x0800), ipv4TCP(ipA, ipB, 40000, 22, 7, 0x02))
	synack := cat(ether(hostA, hostB, 0x0800), ipv4TCP(ipB, ipA, 22, 40000, 9, 0x12))
	var w ngBuilder
	w.section(binary.LittleEndian)
	w.iface(1, "br-ex")
	w.iface(228, "raw0")                  // raw IPv4: read, not analysed
	w.packet(0, tBase, syn, flagsWord(2)) // outbound
	w.packet(1, tBase, ipv4TCP(ipA, ipB, 1, 2, 3, 0x10), nil)
	w.packet(1, tBase, ipv4TCP(ipA, ipB, 1, 2, 3, 0x10), nil)
	w.section(binary.BigEndian)
	w.iface(1, "eth1")
	w.packet(0, tBase.Add(time.Second), synack, flagsWord(1)) // inbound, flags big-endian
	w.simplePacket(garp)                                      // no timestamp of its own
	data := w.b

	if !SniffPcapNG(data) || SniffPcap(data) {
		t.Fatal("not sniffed as pcapng")
	}
	src, evs, err := readCapture(t, data)
	if err != nil {
		t.Fatal(err)
	}
	if src.Records != 5 || src.Skipped != 2 {
		t.Errorf("records %d skipped %d, want 5 and 2", src.Records, src.Skipped)
	}
	var got []string
	for _, e := range evs {
		var l timeline.Link
		switch d := e.Data.(type) {
		case *timeline.ARP:
			l = d.Link
		case *timeline.TCP:
			l = d.Link
		case *timeline.UsageRun:
			l = d.Link
		}
		got = append(got, fmt.Sprintf("%s %s %s iface=%s dir=%s", e.Time.Format("15:04:05"), e.Pos, e.Kind(), l.Iface, l.Direction))
	}
	want := []string{
		"10:00:00 frame 1 tcp iface=br-ex dir=out",
		"10:00:00 frame 1 usage iface=br-ex dir=out",
		"10:00:01 frame 4 tcp iface=eth1 dir=in",
		"10:00:01 frame 4 usage iface=eth1 dir=in",
		"10:00:01 frame 5 arp iface=eth1 dir=",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	ps := problemsOf(src)
	wantPs := []string{
		"note frame 2: 2 frame(s) of link type 228 (IPV4, raw IPv4): not Ethernet or Linux cooked, so read but not analysed",
		"note frame 5: 1 frame(s) come from pcapng simple packet blocks, which carry no timestamp: each is placed at the time of the frame before it (the zero time when there is none)",
	}
	if strings.Join(ps, "\n") != strings.Join(wantPs, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(ps, "\n"), strings.Join(wantPs, "\n"))
	}
}

// TestCookedCaptures: SLL and SLL2 record only the sender's address; the
// direction comes from the packet type, SLL2 names the interface index,
// and frames of non-Ethernet devices are skipped with one note.
func TestCookedCaptures(t *testing.T) {
	req := arpBody(1, hostA, ipA, zeroHW, ipB)
	rep := arpBody(2, hostB, ipB, hostA, ipA)
	t.Run("SLL", func(t *testing.T) {
		data := classicCapture(binary.LittleEndian, false, 113,
			testFrame{tBase, cat(sll(4, 1, hostA[:], 0x0806), req)},
			testFrame{tBase, cat(sll(0, 1, hostB[:], 0x0806), rep)},
			testFrame{tBase, cat(sll(0, 772, make([]byte, 6), 0x0800), ipv4TCP(ipA, ipA, 1, 2, 3, 0x10))}, // loopback
		)
		src, evs, err := readCapture(t, data)
		if err != nil {
			t.Fatal(err)
		}
		as := arpsOf(evs)
		if len(as) != 2 || src.Skipped != 1 {
			t.Fatalf("%d ARP, %d skipped; want 2 and 1 (%v)", len(as), src.Skipped, problemsOf(src))
		}
		if as[0].Src != hostA || as[0].DstKnown || as[0].Direction != timeline.DirOutgoing {
			t.Errorf("request link = %+v, want from %s, dst unknown, outgoing", as[0].Link, hostA)
		}
		if as[1].Src != hostB || as[1].DstKnown || as[1].Direction != timeline.DirIncoming {
			t.Errorf("reply link = %+v, want from %s, dst unknown, incoming", as[1].Link, hostB)
		}
		if ps := problemsOf(src); len(ps) != 1 || !strings.Contains(ps[0], "frame 3: 1 frame(s) from non-Ethernet devices") {
			t.Errorf("problems = %q, want one note on the loopback frame", ps)
		}
	})
	t.Run("SLL2", func(t *testing.T) {
		data := classicCapture(binary.BigEndian, true, 276,
			testFrame{tBase, cat(sll2(0x0806, 3, 1, 4, hostA[:]), req)},
			testFrame{tBase, cat(sll2(0x0800, 3, 1, 4, hostA[:]), ipv4TCP(ipA, ipB, 40000, 22, 1, 0x02))},
		)
		src, evs, err := readCapture(t, data)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 3 || src.Skipped != 0 {
			t.Fatalf("%d events, %d skipped; want ARP, SYN and usage, 0 skipped", len(evs), src.Skipped)
		}
		for _, e := range evs {
			var l timeline.Link
			switch d := e.Data.(type) {
			case *timeline.ARP:
				l = d.Link
			case *timeline.TCP:
				l = d.Link
			case *timeline.UsageRun:
				l = d.Link
				// The host's own ARP request got no reply in this capture,
				// so the destination MAC cannot be inferred.
				if d.DstInferred || !d.Dst.IsZero() {
					t.Errorf("usage run dst %s inferred=%v, want unknown", d.Dst, d.DstInferred)
				}
			}
			if l.Src != hostA || l.DstKnown || l.Direction != timeline.DirOutgoing || l.Iface != "ifindex 3" {
				t.Errorf("%s link = %+v, want from %s, dst unknown, outgoing on ifindex 3", e.Kind(), l, hostA)
			}
		}
	})
}

// TestVLANTags keeps the outermost VLAN id, for 802.1Q and QinQ.
func TestVLANTags(t *testing.T) {
	arp := arpBody(1, hostA, ipA, zeroHW, ipB)
	data := classicCapture(binary.LittleEndian, false, 1,
		testFrame{tBase, cat(ether(bcast, hostA, 0x0806, 0x8100, 100), arp)},
		testFrame{tBase, cat(ether(bcast, hostA, 0x0806, 0x88a8, 0x2000|300, 0x8100, 100), arp)},
		testFrame{tBase, cat(ether(bcast, hostA, 0x0806), arp)},
	)
	_, evs, err := readCapture(t, data)
	if err != nil {
		t.Fatal(err)
	}
	as := arpsOf(evs)
	if len(as) != 3 || as[0].VLAN != 100 || as[1].VLAN != 300 || as[2].VLAN != 0 {
		t.Fatalf("VLANs = %v, want 100, 300 (outer tag of QinQ), 0", func() (v []uint16) {
			for _, a := range as {
				v = append(v, a.VLAN)
			}
			return
		}())
	}
}

// TestMalformedARP: ARP frames that claim IPv4 over Ethernet but do not fit
// it are problems at their frame; hardware type 6 (IEEE 802) counts as
// Ethernet, as Linux accepts it; ARP for other hardware or protocols is
// skipped, whole or cut; nothing panics and every frame is accounted for.
func TestMalformedARP(t *testing.T) {
	good := arpBody(1, hostA, ipA, zeroHW, ipB)
	ieee802 := append([]byte{0, 6}, good[2:]...)
	infiniband := append([]byte{0, 32}, good[2:]...)
	longHW := append([]byte{0, 1, 8, 0, 14, 4, 0, 1}, make([]byte, 36)...)
	frames := []testFrame{
		{tBase, cat(ether(bcast, hostA, 0x0806), good)},
		{tBase, cat(ether(bcast, hostA, 0x0806), good[:5])},  // not even the fixed header
		{tBase, cat(ether(bcast, hostA, 0x0806), good[:20])}, // cut inside the addresses
		{tBase, cat(ether(bcast, hostA, 0x0806), longHW)},    // hardware address length 14
		{tBase, cat(ether(bcast, hostA, 0x0806), ieee802)},
		{tBase, cat(ether(bcast, hostA, 0x0806), infiniband)},
		{tBase, cat(ether(bcast, hostA, 0x0806), infiniband[:12])}, // other hardware, cut: still skipped
		{tBase, cat(ether(bcast, hostA, 0x0806))},                  // no ARP bytes at all
		{tBase, hostA[:4]}, // not even an Ethernet header
	}
	src, evs, err := readCapture(t, classicCapture(binary.LittleEndian, false, 1, frames...))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"error frame 2: malformed ARP: 5 bytes captured, fewer than its 8-byte fixed header (ARP length 5 too short)",
		"error frame 3: malformed ARP: 20 bytes captured, its header declares 28 (hardware address length 6, protocol address length 4)",
		"error frame 4: malformed ARP: Ethernet/IPv4 ARP (hardware type 1) with hardware address length 14 and protocol address length 4 (want 6 and 4)",
		"note frame 9: 1 frame(s) with a link-layer header too short or invalid to decode, counted as skipped",
		"note frame 6: 2 ARP frame(s) for other hardware or protocols than IPv4 over Ethernet, read but not analysed",
	}
	if got := problemsOf(src); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Frame 8 (an Ethernet header announcing ARP and nothing after it) has
	// no ARP layer to decode: the parser stops there, so it is skipped.
	if as := arpsOf(evs); len(as) != 2 || src.Skipped != 4 || src.Records != 9 {
		t.Errorf("%d ARP events, %d skipped of %d; want 2 (types 1 and 6), 4 of 9", len(as), src.Skipped, src.Records)
	}
}

// TestMalformedARPCap: past parse.DefaultProblemCap malformed ARP frames,
// the rest are bad records summed up in one problem.
func TestMalformedARPCap(t *testing.T) {
	bad := cat(ether(bcast, hostA, 0x0806), arpBody(1, hostA, ipA, zeroHW, ipB)[:20])
	var frames []testFrame
	for i := 0; i < parse.DefaultProblemCap+50; i++ {
		frames = append(frames, testFrame{tBase, bad})
	}
	src, _, err := readCapture(t, classicCapture(binary.LittleEndian, false, 1, frames...))
	if err != nil {
		t.Fatal(err)
	}
	ps := problemsOf(src)
	if len(ps) != parse.DefaultProblemCap+1 || src.Skipped != 0 || src.BadRecords != parse.DefaultProblemCap+50 {
		t.Fatalf("%d problems, %d skipped, %d bad; want %d, 0 and %d", len(ps), src.Skipped, src.BadRecords, parse.DefaultProblemCap+1, parse.DefaultProblemCap+50)
	}
	if want := "error frame 101: 50 more frames like the above (malformed ARP), not listed after the first 100: frame 101 to frame 150"; ps[len(ps)-1] != want {
		t.Errorf("last problem %q, want %q", ps[len(ps)-1], want)
	}
}

// TestTunnelsAreUnderlay: VXLAN and Geneve frames count as underlay usage,
// with one note saying their inner frames are not analysed.
func TestTunnelsAreUnderlay(t *testing.T) {
	inner := cat(ether(bcast, hostB, 0x0806), arpBody(1, hostB, [4]byte{192, 168, 0, 5}, zeroHW, [4]byte{192, 168, 0, 1}))
	vxlan := cat(ether(hostB, hostA, 0x0800), ipv4UDP(ipA, ipB, 50000, 4789), make([]byte, 8), inner)
	geneve := cat(ether(hostB, hostA, 0x0800), ipv4UDP(ipA, ipB, 50001, 6081), make([]byte, 8), inner)
	src, evs, err := readCapture(t, classicCapture(binary.LittleEndian, false, 1, testFrame{tBase, vxlan}, testFrame{tBase, geneve}))
	if err != nil {
		t.Fatal(err)
	}
	if len(arpsOf(evs)) != 0 || len(evs) != 1 {
		t.Fatalf("events %d (ARP %d), want one usage run and no ARP", len(evs), len(arpsOf(evs)))
	}
	if r := evs[0].Data.(*timeline.UsageRun); r.Frames != 2 || r.Dst != hostB {
		t.Errorf("run = %+v, want 2 frames via %s", r, hostB)
	}
	if ps := problemsOf(src); len(ps) != 1 || !strings.HasPrefix(ps[0], "note frame 1: 2 frame(s) carry VXLAN, Geneve or GRE tunnels") {
		t.Errorf("problems = %q", ps)
	}
}

// Tenant ARP inside VXLAN, Geneve (with options) and GRE (transparent
// Ethernet bridging, and ARP carried directly) is counted and named in a
// note, never folded with the underlay's nor skipped without a word.
func TestTunnelledARPIsNamed(t *testing.T) {
	inner := cat(ether(bcast, hostB, 0x0806, 0x8100, 7), arpBody(1, hostB, [4]byte{192, 168, 0, 5}, zeroHW, [4]byte{192, 168, 0, 1}))
	geneveOpts := cat([]byte{0x01, 0, 0x65, 0x58, 0, 0, 1, 0}, make([]byte, 4)) // one 4-byte option
	frames := []testFrame{
		{tBase, cat(ether(hostB, hostA, 0x0800), ipv4Carrying(ipA, ipB, 17, udp(50000, 4789, cat(make([]byte, 8), inner))))},
		{tBase, cat(ether(hostB, hostA, 0x0800), ipv4Carrying(ipA, ipB, 17, udp(50001, 6081, cat(geneveOpts, inner))))},
		{tBase, cat(ether(hostB, hostA, 0x0800), ipv4Carrying(ipA, ipB, 47, cat([]byte{0x20, 0, 0x65, 0x58, 0, 0, 0, 9}, inner)))},
		{tBase, cat(ether(hostB, hostA, 0x0800), ipv4Carrying(ipA, ipB, 47, cat([]byte{0, 0, 0x08, 0x06}, inner[18:])))},
		{tBase, cat(ether(hostB, hostA, 0x0800), ipv4Carrying(ipA, ipB, 17, udp(50002, 4789, cat(make([]byte, 8), ether(hostB, hostA, 0x0800), ipv4TCP(ipA, ipB, 1, 2, 3, 0x02)))))},
	}
	src, evs, err := readCapture(t, classicCapture(binary.LittleEndian, false, 1, frames...))
	if err != nil {
		t.Fatal(err)
	}
	if len(arpsOf(evs)) != 0 {
		t.Fatalf("tenant ARP folded with the underlay's: %d ARP events", len(arpsOf(evs)))
	}
	ps := problemsOf(src)
	if len(ps) != 2 || !strings.Contains(ps[0], "5 frame(s) carry VXLAN, Geneve or GRE") || !strings.Contains(ps[1], "4 of the tunnelled frames carry ARP") {
		t.Errorf("problems = %q", ps)
	}
}

// ARP in LLC/SNAP framing (802.3 length, DSAP/SSAP 0xaa, OUI 0, type
// 0x0806) and ARP in an 802.1ah backbone frame (B-tag, I-TAG, the customer
// frame) are decoded as the ARP they are, and noted.
func TestSNAPAndPBBARP(t *testing.T) {
	arp := arpBody(2, hostB, ipB, hostA, ipA)
	snap := cat(ether(hostA, hostB, uint16(8+len(arp))), []byte{0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x06}, arp)
	pbb := cat(ether(timeline.MAC{2, 0, 0, 0, 0, 1}, timeline.MAC{2, 0, 0, 0, 0, 2}, 0x88e7, 0x88a8, 42), []byte{0, 0, 0x10, 0x01}, ether(hostA, hostB, 0x0806), arp)
	src, evs, err := readCapture(t, classicCapture(binary.LittleEndian, false, 1, testFrame{tBase, snap}, testFrame{tBase, pbb}))
	if err != nil {
		t.Fatal(err)
	}
	as := arpsOf(evs)
	if len(as) != 2 {
		t.Fatalf("%d ARP events, want 2; problems %q", len(as), problemsOf(src))
	}
	for i, a := range as {
		if a.SHA != hostB || a.Src != hostB || a.Dst != hostA || a.SenderMismatch || a.SPA != netip.AddrFrom4(ipB) {
			t.Errorf("ARP %d = %+v, want the customer's reply from %s", i, a, hostB)
		}
	}
	if as[1].VLAN != 42 {
		t.Errorf("PBB VLAN %d, want the backbone's 42", as[1].VLAN)
	}
	ps := problemsOf(src)
	if len(ps) != 2 || !strings.Contains(ps[0], "LLC/SNAP") || !strings.Contains(ps[1], "802.1ah") {
		t.Errorf("problems = %q", ps)
	}
}

// TestDamagedAndCutRecords: whatever ends a capture after its header keeps
// the frames before it and says where, as a byte offset.
func TestDamagedAndCutRecords(t *testing.T) {
	arp := cat(ether(bcast, hostA, 0x0806), arpBody(1, hostA, ipA, zeroHW, ipB))
	whole := classicCapture(binary.LittleEndian, false, 1, testFrame{tBase, arp}, testFrame{tBase, arp}, testFrame{tBase, arp})
	rec := 16 + len(arp) // bytes per record
	third := pcapHeaderLen + 2*rec

	// Record 3 claims more captured than original bytes.
	damaged := append([]byte(nil), whole...)
	binary.LittleEndian.PutUint32(damaged[third+12:], 10)

	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"cut inside a record header", whole[:third+7], fmt.Sprintf(
			"error byte %d: capture cut short: the file ends at byte %d inside the 16-byte header of record 3 (at byte %d); the 2 frame(s) before it were read",
			third+7, third+7, third)},
		{"cut inside a record's data", whole[:third+16+10], fmt.Sprintf(
			"error byte %d: capture cut short: record 3 at byte %d declares %d captured bytes but the file ends at byte %d, after 10 of them; the 2 frame(s) before it were read",
			third+26, third, len(arp), third+26)},
		{"damaged record", damaged, fmt.Sprintf(
			"error byte %d: damaged record 3 at byte %d: capture length exceeds original packet length: %d > 10; reading stopped there, the 2 frame(s) before it were read",
			third, third, len(arp))},
	} {
		t.Run(c.name, func(t *testing.T) {
			src, evs, err := readCapture(t, c.data)
			if err != nil {
				t.Fatal(err)
			}
			if len(arpsOf(evs)) != 2 || src.Records != 2 {
				t.Errorf("%d ARP events of %d records, want the 2 before the damage", len(arpsOf(evs)), src.Records)
			}
			if ps := problemsOf(src); len(ps) != 1 || ps[0] != c.want {
				t.Errorf("problems = %q\nwant %q", ps, c.want)
			}
		})
	}
}

// TestCutPcapNG: a pcapng file cut inside a block header or a block.
func TestCutPcapNG(t *testing.T) {
	arp := cat(ether(bcast, hostA, 0x0806), arpBody(1, hostA, ipA, zeroHW, ipB))
	var w ngBuilder
	w.section(binary.LittleEndian)
	w.iface(1, "eth0")
	w.packet(0, tBase, arp, nil)
	second := len(w.b)
	w.packet(0, tBase, arp, nil)
	for _, c := range []struct {
		n    int
		want string
	}{
		{second + 5, fmt.Sprintf("error byte %d: capture cut short: the file ends at byte %d inside the header of the block at byte %d; the 1 frame(s) before it were read", second+5, second+5, second)},
		{second + 30, fmt.Sprintf("error byte %d: capture cut short: the block at byte %d declares %d bytes but the file ends at byte %d, after 30 of them; the 1 frame(s) before it were read", second+30, second, len(w.b)-second, second+30)},
	} {
		src, evs, err := readCapture(t, w.b[:c.n])
		if err != nil {
			t.Fatal(err)
		}
		if len(arpsOf(evs)) != 1 {
			t.Errorf("cut at %d: %d ARP events, want the one before the cut", c.n, len(arpsOf(evs)))
		}
		if ps := problemsOf(src); len(ps) != 1 || ps[0] != c.want {
			t.Errorf("cut at %d: problems = %q\nwant %q", c.n, ps, c.want)
		}
	}
}

// TestRefusedHeaders: headers that are damaged or of an unsupported
// version make the whole file unreadable, with a message saying why.
func TestRefusedHeaders(t *testing.T) {
	pcap := classicCapture(binary.LittleEndian, false, 1)
	withVersion := func(major, minor uint16) []byte {
		b := append([]byte(nil), pcap...)
		binary.LittleEndian.PutUint16(b[4:], major)
		binary.LittleEndian.PutUint16(b[6:], minor)
		return b
	}
	var ng ngBuilder
	ng.section(binary.BigEndian)
	badBOM := append([]byte(nil), ng.b...)
	copy(badBOM[8:], []byte{1, 2, 3, 4})
	badLen := append([]byte(nil), ng.b...)
	binary.BigEndian.PutUint32(badLen[4:], 30)
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"pcap header cut", pcap[:20], "pcap file header cut short: 20 of 24 bytes"},
		{"pcap 2.3", withVersion(2, 3), "unsupported pcap version 2.3: only 2.4 is supported"},
		{"pcap 1.0", withVersion(1, 0), "unsupported pcap version 1.0: versions before 2.0 are an archaic format"},
		{"reserved link-type bits", classicCapture(binary.BigEndian, true, 0x00010001), "the link-type field 0x00010001 has reserved bits set (0x00010000)"},
		{"pcapng header cut", ng.b[:10], "pcapng section header block cut short: 10 of at least 28 bytes"},
		{"pcapng section header cut", ng.b[:27], "pcapng section header block cut short: 27 of 28 bytes"},
		{"pcapng bad byte-order magic", badBOM, "byte-order magic is 0x01020304"},
		{"pcapng bad length", badLen, "total length 30 is not a multiple of 4"},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := &timeline.Source{}
			read := ReadPcap
			if c.data[0] == 0x0a {
				read = ReadPcapNG // also when the sniffer would not pick it
			}
			evs, err := parse.Collect(read, bytes.NewReader(c.data), src, parseOpts)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
			if evs != nil || src.Records != 0 {
				t.Errorf("refused file gave %d events, %d records", len(evs), src.Records)
			}
		})
	}
	// The flags on a link-type field that are not reserved (the FCS
	// length, bits 26-31) are accepted, as libpcap does.
	data := classicCapture(binary.LittleEndian, false, 0x30000001, testFrame{tBase, cat(ether(bcast, hostA, 0x0806), arpBody(1, hostA, ipA, zeroHW, ipB))})
	if _, evs, err := readCapture(t, data); err != nil || len(evs) != 1 {
		t.Errorf("FCS bits in the link type: %d events, error %v; want the ARP event", len(evs), err)
	}
}

func TestSniffers(t *testing.T) {
	var ng ngBuilder
	ng.section(binary.LittleEndian)
	for _, c := range []struct {
		head     string
		pcap, ng bool
	}{
		{"\xd4\xc3\xb2\xa1\x02\x00", true, false},
		{"\xa1\xb2\xc3\xd4", true, false},
		{"\x4d\x3c\xb2\xa1", true, false},
		{"\xa1\xb2\x3c\x4d", true, false},
		{"\xa1\xb2\xc3", false, false},
		{string(ng.b), false, true},
		{string(ng.b[:6]), false, true}, // cut short: still pcapng, reading says what is wrong
		{"\n\r\r\n\x00\x00\x00\x00not a BOM", false, false},
		{"Sep 18 17:09:17 host tcpdump[1]: 17:09:17.275597 ARP, Request", false, false},
		{"", false, false},
	} {
		if got := SniffPcap([]byte(c.head)); got != c.pcap {
			t.Errorf("SniffPcap(%q) = %v", c.head, got)
		}
		if got := SniffPcapNG([]byte(c.head)); got != c.ng {
			t.Errorf("SniffPcapNG(%q) = %v", c.head, got)
		}
	}
}

// TestNoAllocationPerFrame: reading a capture allocates per capture and
// per event, never per frame. Two captures of the same conversation, one
// three times longer, cost the same number of allocations; and decoding a
// frame that extends a usage run allocates nothing.
func TestNoAllocationPerFrame(t *testing.T) {
	frame := cat(ether(hostB, hostA, 0x0800, 0x8100, 7), ipv4TCP(ipA, ipB, 40000, 443, 1, 0x18), make([]byte, 600))
	capture := func(n int) []byte {
		fs := make([]testFrame, n)
		for i := range fs {
			fs[i] = testFrame{tBase.Add(time.Duration(i) * time.Millisecond), frame}
		}
		return classicCapture(binary.LittleEndian, false, 1, fs...)
	}
	allocs := func(data []byte) float64 {
		return testing.AllocsPerRun(5, func() {
			src := &timeline.Source{}
			if _, err := parse.Collect(ReadPcap, bytes.NewReader(data), src, parseOpts); err != nil {
				t.Fatal(err)
			}
		})
	}
	// Both captures are long enough for the batch buffers to reach their
	// full size; nothing else may grow with the frame count.
	short, long := allocs(capture(20000)), allocs(capture(60000))
	if long > short {
		t.Errorf("%v allocations for 60000 frames, %v for 20000: something allocates per frame", long, short)
	}

	d := newDecoder(&timeline.Source{}, parse.Options{}, timeline.NewSpace().NewSink(""))
	m := &meta{ts: tBase, link: 1}
	d.frame(frame, m)
	if n := testing.AllocsPerRun(1000, func() { d.frame(frame, m) }); n != 0 {
		t.Errorf("decoding a frame allocates %v times", n)
	}
}

// TestDamagedPcapNGBlock: a packet naming an interface its section lacks
// stops reading there, keeping the frames before it; the problem sits at
// the byte where the reader gave up, inside that block.
func TestDamagedPcapNGBlock(t *testing.T) {
	arp := cat(ether(bcast, hostA, 0x0806), arpBody(1, hostA, ipA, zeroHW, ipB))
	var w ngBuilder
	w.section(binary.LittleEndian)
	w.iface(1, "eth0")
	w.packet(0, tBase, arp, nil)
	bad := len(w.b)
	w.packet(3, tBase, arp, nil) // no interface 3
	w.packet(0, tBase, arp, nil)
	src, evs, err := readCapture(t, w.b)
	if err != nil {
		t.Fatal(err)
	}
	stop := bad + 28 // block type and length, then the 20 bytes of fixed packet fields
	want := fmt.Sprintf("error byte %d: damaged pcapng block before byte %d (while looking for frame 2): "+
		"Interface id 3 not present in section (have only 1 interfaces); reading stopped there, the 1 frame(s) before it were read", stop, stop)
	if ps := problemsOf(src); len(arpsOf(evs)) != 1 || len(ps) != 1 || ps[0] != want {
		t.Errorf("%d ARP events, problems %q\nwant the first frame and %q", len(arpsOf(evs)), ps, want)
	}
}

// TestSecondSectionDamaged: a later section header with a bad byte-order
// magic ends the capture with a problem that says so in words.
func TestSecondSectionDamaged(t *testing.T) {
	arp := cat(ether(bcast, hostA, 0x0806), arpBody(1, hostA, ipA, zeroHW, ipB))
	var w ngBuilder
	w.section(binary.LittleEndian)
	w.iface(1, "eth0")
	w.packet(0, tBase, arp, nil)
	second := len(w.b)
	w.section(binary.LittleEndian)
	copy(w.b[second+8:], []byte{9, 9, 9, 9})
	src, evs, err := readCapture(t, w.b)
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("error byte %d: damaged pcapng block before byte %d (while looking for frame 2): "+
		"a section header block's byte-order magic is not 0x1a2b3c4d in either byte order; reading stopped there, the 1 frame(s) before it were read", second+12, second+12)
	if ps := problemsOf(src); len(arpsOf(evs)) != 1 || len(ps) != 1 || ps[0] != want {
		t.Errorf("%d ARP events, problems %q\nwant %q", len(arpsOf(evs)), ps, want)
	}
}
