package main

import (
	"bytes"
	"fmt"
	"math"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
)

// The neighbour-table side of the scenarios: what the observer's kernel held
// for the floating IP while the captures were running, rendered as the
// `while true; do date; ip neigh; sleep 1; done` dump (arptable) CI kept, or
// as `ip -ts monitor neigh` output. The kernel's states are derived from the
// frames of the capture written for the same story (read back from the
// file, so the two agree to the microsecond), following the kernel's rules:
// an entry goes STALE when its reachable time runs out unused, DELAY on the
// next packet, and after delay_first_probe_time (5 s) either REACHABLE (if
// something confirmed it) or PROBE.

func neighScenarios() []scenario {
	var out []scenario
	for _, s := range fipStories() {
		s := s
		out = append(out, scenario{s.dir, func(dir string) error { return writeArptable(dir, s) }})
	}
	m := monitorStory()
	out = append(out, scenario{m.dir, m.write})
	return out
}

// seenFrame is one frame of a written capture, decoded as far as the
// neighbour model needs.
type seenFrame struct {
	t             time.Time
	src, dst      net.HardwareAddr
	arp           *layers.ARP
	srcIP, dstIP  netip.Addr
	tcp           *layers.TCP
	icmpEchoReply bool
}

// readCapture reads back a pcap or pcapng file the generator wrote.
func readCapture(path string) ([]seenFrame, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var src interface {
		ReadPacketData() ([]byte, gopacket.CaptureInfo, error)
	}
	if bytes.HasPrefix(data, []byte{0x0a, 0x0d, 0x0d, 0x0a}) {
		r, err := pcapgo.NewNgReader(bytes.NewReader(data), pcapgo.DefaultNgReaderOptions)
		if err != nil {
			return nil, err
		}
		src = r
	} else {
		r, err := pcapgo.NewReader(bytes.NewReader(data))
		if err != nil {
			return nil, err
		}
		src = r
	}
	var out []seenFrame
	for {
		b, ci, err := src.ReadPacketData()
		if err != nil {
			break
		}
		p := gopacket.NewPacket(b, layers.LayerTypeEthernet, gopacket.Default)
		eth, _ := p.Layer(layers.LayerTypeEthernet).(*layers.Ethernet)
		if eth == nil {
			continue
		}
		f := seenFrame{t: ci.Timestamp.UTC(), src: eth.SrcMAC, dst: eth.DstMAC}
		if a, ok := p.Layer(layers.LayerTypeARP).(*layers.ARP); ok {
			f.arp = a
		}
		if ip, ok := p.Layer(layers.LayerTypeIPv4).(*layers.IPv4); ok {
			f.srcIP, _ = netip.AddrFromSlice(ip.SrcIP.To4())
			f.dstIP, _ = netip.AddrFromSlice(ip.DstIP.To4())
		}
		if t, ok := p.Layer(layers.LayerTypeTCP).(*layers.TCP); ok {
			f.tcp = t
		}
		if ic, ok := p.Layer(layers.LayerTypeICMPv4).(*layers.ICMPv4); ok {
			f.icmpEchoReply = ic.TypeCode.Type() == layers.ICMPv4TypeEchoReply
		}
		out = append(out, f)
	}
	return out, nil
}

// span is the entry in one state from a time on.
type span struct {
	from   time.Time
	state  string
	mac    net.HardwareAddr // nil when the state has none (INCOMPLETE, FAILED)
	probes int
}

// entryModel is one neighbour entry over time: its states, and the moments
// that set its used / confirmed / updated timestamps (the `ip -s` ages).
type entryModel struct {
	ip       netip.Addr
	dev      string
	router   bool
	spans    []span
	uses     []time.Time // packets sent through the entry
	confirms []time.Time // upper-layer or ARP confirmations
	bumps    []time.Time // updates of `updated` without a state change (kernels before 4.12)
}

func (m *entryModel) add(t time.Time, state string, mac net.HardwareAddr, probes int) {
	m.spans = append(m.spans, span{t, state, mac, probes})
}

// at is the entry as a listing at t shows it; ok is false before it exists.
func (m *entryModel) at(t time.Time) (sp span, used, confirmed, updated time.Duration, ok bool) {
	k := -1
	for i, s := range m.spans {
		if !s.from.After(t) {
			k = i
		}
	}
	if k < 0 {
		return sp, 0, 0, 0, false
	}
	sp = m.spans[k]
	last := func(ts []time.Time, floor time.Time) time.Time {
		r := floor
		for _, x := range ts {
			if !x.After(t) && x.After(r) {
				r = x
			}
		}
		return r
	}
	created := m.spans[0].from
	updated = t.Sub(last(m.bumps, sp.from))
	used = t.Sub(last(m.uses, created))
	confirmed = t.Sub(last(m.confirms, created))
	return sp, used, confirmed, updated, true
}

// reachableExpiry picks when a REACHABLE entry confirmed at conf times out:
// reachable_time is drawn from [15 s, 45 s); the model takes the first value
// (in half seconds) at which the entry has been unused for
// delay_first_probe_time, so it goes STALE, and some packet follows to send
// it to DELAY. ok is false when no such moment exists.
func reachableExpiry(conf time.Time, uses []time.Time, until time.Time) (time.Time, bool) {
	for r := 15 * time.Second; r < 45*time.Second; r += 500 * time.Millisecond {
		t := conf.Add(r)
		if t.After(until) {
			return time.Time{}, false
		}
		idle := true
		next := false
		for _, u := range uses {
			if u.After(t.Add(-5*time.Second)) && !u.After(t) {
				idle = false
			}
			if u.After(t) {
				next = true
			}
		}
		if idle && next {
			return t, true
		}
	}
	return time.Time{}, false
}

func firstAfter(ts []time.Time, t time.Time) (time.Time, bool) {
	for _, x := range ts {
		if x.After(t) {
			return x, true
		}
	}
	return time.Time{}, false
}

func lastBefore(ts []time.Time, t time.Time) time.Time {
	var r time.Time
	for _, x := range ts {
		if !x.After(t) {
			r = x
		}
	}
	return r
}

// frameFacts sorts a capture's frames into what the observer's entry for ip
// saw: its own packets to ip (uses), the owner's TCP acknowledgements and
// ARP replies to it (confirmations), and every other ARP frame claiming ip
// (which pre-4.12 kernels let bump the entry's timestamps even when they
// ignored it).
func frameFacts(frames []seenFrame, observer host, ip netip.Addr) (uses, confirms, claims []time.Time) {
	for _, f := range frames {
		switch {
		case f.arp != nil:
			spa, _ := netip.AddrFromSlice(f.arp.SourceProtAddress)
			if spa != ip {
				continue
			}
			if f.arp.Operation == layers.ARPReply && bytes.Equal(f.dst, observer.mac) {
				confirms = append(confirms, f.t)
			} else {
				claims = append(claims, f.t)
			}
		case f.dstIP == ip && bytes.Equal(f.src, observer.mac):
			uses = append(uses, f.t)
		case f.srcIP == ip && f.dstIP == observer.ip && f.tcp != nil && f.tcp.ACK:
			confirms = append(confirms, f.t)
		}
	}
	return uses, confirms, claims
}

// loopingEntry models the broken kernel: every DELAY ends back in REACHABLE
// on the old MAC — something refreshes `confirmed` a second into DELAY, and
// nothing of it shows on the wire — so it never probes.
func loopingEntry(ip netip.Addr, dev string, owner host, frames []seenFrame, observer host, until time.Time) *entryModel {
	uses, confirms, claims := frameFacts(frames, observer, ip)
	m := &entryModel{ip: ip, dev: dev, uses: uses, bumps: claims}
	m.confirms = append(m.confirms, confirms...)
	m.add(confirms[0], "REACHABLE", owner.mac, 0)
	conf := lastBefore(confirms, until)
	if len(claims) > 0 {
		conf = lastBefore(confirms, claims[0])
	}
	for {
		t, ok := reachableExpiry(conf, uses, until)
		if !ok {
			break
		}
		m.add(t, "STALE", owner.mac, 0)
		u, _ := firstAfter(uses, t)
		m.add(u, "DELAY", owner.mac, 0)
		conf = u.Add(time.Second)
		m.confirms = append(m.confirms, conf)
		m.add(u.Add(5*time.Second), "REACHABLE", owner.mac, 0)
	}
	// After the last packet the entry times out for good.
	if t := conf.Add(15 * time.Second); t.Before(until) {
		if u, ok := firstAfter(uses, t.Add(-5*time.Second)); !ok || u.After(t) {
			m.add(t, "STALE", owner.mac, 0)
		}
	}
	slices.SortFunc(m.confirms, func(a, b time.Time) int { return a.Compare(b) })
	return m
}

// recoveringEntry models the healthy kernel: its entry's timestamps move
// only on effective updates, so DELAY runs out, the entry probes the old MAC
// three times, fails, and resolves the new owner by broadcast.
func recoveringEntry(s *fipStory, frames []seenFrame, until time.Time) *entryModel {
	uses, confirms, _ := frameFacts(frames, s.observer, s.fip)
	m := &entryModel{ip: s.fip, dev: "br-ex", uses: uses, confirms: confirms}
	m.add(confirms[0], "REACHABLE", s.oldGW.mac, 0)
	delay := s.at(s.probeAt - 5*time.Second)
	m.add(delay, "DELAY", s.oldGW.mac, 0)
	var bcast, answer time.Time
	probes := 0
	for _, f := range frames {
		if f.arp == nil || f.t.Before(s.at(s.probeAt)) {
			continue
		}
		tpa, _ := netip.AddrFromSlice(f.arp.DstProtAddress)
		spa, _ := netip.AddrFromSlice(f.arp.SourceProtAddress)
		switch {
		case f.arp.Operation == layers.ARPRequest && tpa == s.fip && bytes.Equal(f.dst, s.oldGW.mac):
			probes++
			m.add(f.t, "PROBE", s.oldGW.mac, probes)
		case f.arp.Operation == layers.ARPRequest && tpa == s.fip && bcast.IsZero():
			bcast = f.t
			m.add(f.t, "INCOMPLETE", nil, probes)
		case f.arp.Operation == layers.ARPReply && spa == s.fip && !bcast.IsZero() && answer.IsZero():
			answer = f.t
			m.add(f.t, "REACHABLE", s.newGW.mac, 0)
		}
	}
	// Unused after the session ends, the entry on the new MAC goes STALE.
	if last := lastBefore(confirms, until); !last.IsZero() {
		if t := last.Add(22 * time.Second); t.Before(until) {
			m.add(t, "STALE", s.newGW.mac, 0)
		}
	}
	return m
}

// steadyEntry is a neighbour the story does not touch: the host's
// management-network gateway and the like, on an interface the capture does
// not see.
func steadyEntry(ip, dev, mac, state string, router bool, since time.Time) *entryModel {
	hw, _ := net.ParseMAC(mac)
	m := &entryModel{ip: netip.MustParseAddr(ip), dev: dev, router: router}
	m.add(since, state, hw, 0)
	if state == "REACHABLE" {
		// An API client keeps it confirmed: a TCP ACK every few seconds.
		for t := since; t.Before(since.Add(time.Hour)); t = t.Add(3700 * time.Millisecond) {
			m.uses = append(m.uses, t)
			m.confirms = append(m.confirms, t.Add(900*time.Microsecond))
		}
	}
	return m
}

// pollLoop is the timing of `while true; do date; ip -s neigh; sleep 1;
// done`: date runs, the listing follows 1.3 ms later, and each turn takes
// one second plus the two commands' run time, so the phase drifts.
type pollLoop struct {
	first time.Time // the first date
	until time.Time
}

const (
	listingLag = 1300 * time.Microsecond
	pollPeriod = time.Second + 4200*time.Microsecond
)

// loopCatching is a loop whose k-th listing (counting from first) lands at
// target, starting within the second after from.
func loopCatching(from, target, until time.Time) pollLoop {
	k := int(math.Floor(float64(target.Sub(from)-listingLag) / float64(pollPeriod)))
	return pollLoop{first: target.Add(-listingLag - time.Duration(k)*pollPeriod), until: until}
}

// arptableFormat is how one iproute2 version prints an entry.
type arptableFormat struct {
	stats  bool // ip -s
	modern bool // iproute2 ≥ 5.16: a space after every token
}

func (f arptableFormat) line(m *entryModel, sp span, used, confirmed, updated time.Duration) string {
	var b strings.Builder
	tok := func(s string) {
		if b.Len() > 0 && !f.modern {
			b.WriteByte(' ')
		}
		b.WriteString(s)
		if f.modern {
			b.WriteByte(' ')
		}
	}
	tok(m.ip.String())
	tok("dev")
	tok(m.dev)
	if sp.mac != nil {
		tok("lladdr")
		tok(sp.mac.String())
	} else if !f.modern {
		b.WriteByte(' ') // "dev br-ex  INCOMPLETE": iproute2 < 5.16 leaves two spaces
	}
	if m.router {
		tok("router")
	}
	if f.stats {
		secs := func(d time.Duration) int { return int(d / time.Second) }
		if f.modern {
			fmt.Fprintf(&b, " used %d/%d/%dprobes %d ", secs(used), secs(confirmed), secs(updated), sp.probes)
		} else {
			tok(fmt.Sprintf("used %d/%d/%d", secs(used), secs(confirmed), secs(updated)))
			tok(fmt.Sprintf("probes %d", sp.probes))
		}
	}
	tok(sp.state)
	return b.String()
}

// render writes the loop's output: a date line, then every entry as the
// listing at that moment shows it.
func (l pollLoop) render(f arptableFormat, entries []*entryModel) string {
	var b strings.Builder
	for d := l.first; d.Before(l.until); d = d.Add(pollPeriod) {
		b.WriteString(d.Truncate(time.Second).Format("Mon Jan _2 15:04:05 MST 2006"))
		b.WriteByte('\n')
		t := d.Add(listingLag)
		for _, m := range entries {
			sp, used, conf, upd, ok := m.at(t)
			if !ok {
				continue
			}
			b.WriteString(f.line(m, sp, used, conf, upd))
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// writeArptable adds the observer's arptable to a fip story's folder. The
// broken node is a RHEL 7-era host (kernel 3.10, iproute2 4.x): `ip -s
// neigh`, no trailing spaces. The healthy one runs a current kernel and
// iproute2 ≥ 5.16: plain `ip neigh` with a space after every token.
func writeArptable(out string, s *fipStory) error {
	name := "tempest-br-ex.pcap"
	if s.healthy {
		name = "tempest-br-ex.pcapng"
	}
	frames, err := readCapture(filepath.Join(out, s.dir, name))
	if err != nil {
		return fmt.Errorf("reading the story's capture (write it first): %w", err)
	}
	mgmt := []*entryModel{
		steadyEntry("192.168.24.1", "eth0", "52:54:00:12:35:02", "REACHABLE", false, s.t0.Add(-40*time.Minute)),
		steadyEntry("192.168.24.3", "eth0", "52:54:00:8e:61:c4", "STALE", false, s.t0.Add(-25*time.Minute)),
		steadyEntry("fe80::5054:ff:fe12:3502", "eth0", "52:54:00:12:35:02", "STALE", true, s.t0.Add(-40*time.Minute)),
	}
	var text string
	if s.healthy {
		fipEntry := recoveringEntry(s, frames, s.at(420*time.Second))
		// The loop's phase happens to put one listing inside the half
		// millisecond the entry spent INCOMPLETE, resolving the new owner.
		var incomplete time.Time
		for _, sp := range fipEntry.spans {
			if sp.state == "INCOMPLETE" {
				incomplete = sp.from
			}
		}
		loop := loopCatching(s.at(30*time.Second), incomplete.Add(260*time.Microsecond), s.at(420*time.Second))
		text = loop.render(arptableFormat{modern: true}, append([]*entryModel{fipEntry}, mgmt...))
	} else {
		fipEntry := loopingEntry(s.fip, "br-ex", s.oldGW, frames, s.observer, s.at(s.end))
		loop := pollLoop{first: s.at(30*time.Second + 217200*time.Microsecond), until: s.at(s.end - 5*time.Second)}
		text = loop.render(arptableFormat{stats: true}, append([]*entryModel{fipEntry}, mgmt...))
	}
	return os.WriteFile(filepath.Join(out, s.dir, "arptable"), []byte(text), 0o644)
}

// monitorStoryT is the floating-IP failure seen through `ip -ts monitor neigh`
// on the tempest node (a 4.4 kernel: new enough to report PROBE, too old for
// the timestamp fix), with a capture from the network node's br-ex, where
// the routers live. The tempest node has no capture of its own, so the
// finding rests on its neighbour notifications and the routers' GARPs.
type monitorStoryT struct {
	dir string
	fipStory
}

func monitorStory() *monitorStoryT {
	base := *fipStories()[0]
	base.t0 = time.Date(2017, 5, 18, 9, 12, 0, 0, time.UTC)
	return &monitorStoryT{dir: "neigh-monitor", fipStory: base}
}

func (s *monitorStoryT) write(out string) error {
	dir := filepath.Join(out, s.dir)
	for _, h := range []string{"tempest", "network-node"} {
		if err := os.MkdirAll(filepath.Join(dir, h), 0o755); err != nil {
			return err
		}
	}
	var c capture
	o, f := s.observer, s.fip
	// The tempest node resolves both floating IPs.
	c.add(s.at(0), whoHas(o, f, nil))
	c.add(s.at(410*time.Microsecond), isAt(s.oldGW, f, o))
	c.add(s.at(time.Second), whoHas(o, s.otherFIP, nil))
	c.add(s.at(time.Second+380*time.Microsecond), isAt(s.otherGW, s.otherFIP, o))
	// An SSH session to the first FIP while router 1 still has it: a
	// request and its answer every two seconds.
	cs, ss := uint32(3_000_043_210), uint32(1_500_043_210)
	for d := 2 * time.Second; d < 58*time.Second; d += 2 * time.Second {
		c.add(s.at(d), tcpFrame(o, s.oldGW, tcpSeg{srcIP: o.ip, dstIP: f, sport: 43210, dport: 22, seq: cs, ack: ss, ackf: true, psh: true, payload: 52}))
		cs += 52
		c.add(s.at(d+700*time.Microsecond), tcpFrame(s.oldGW, o, tcpSeg{srcIP: f, dstIP: o.ip, sport: 22, dport: 43210, seq: ss, ack: cs, ackf: true, psh: true, payload: 116}))
		ss += 116
	}
	// Background: tempest pings the other FIP every second. Echo replies do
	// not confirm a neighbour entry, so the kernel probes it (unicast, and
	// answered) each time its reachable time runs out: PROBE shows in the
	// monitor output, proving the kernel reports it.
	var otherProbes []time.Duration
	for d, seq := 2*time.Second, uint16(1); d < s.end; d, seq = d+time.Second, seq+1 {
		c.add(s.at(d+120*time.Microsecond), icmpEcho(o, s.otherGW, o.ip, s.otherFIP, 4711, seq, false))
		c.add(s.at(d+640*time.Microsecond), icmpEcho(s.otherGW, o, s.otherFIP, o.ip, 4711, seq, true))
	}
	for p := 36 * time.Second; p < s.end; p += 35 * time.Second {
		otherProbes = append(otherProbes, p)
		c.add(s.at(p), whoHas(o, s.otherFIP, s.otherGW.mac))
		c.add(s.at(p+400*time.Microsecond), isAt(s.otherGW, s.otherFIP, o))
	}
	// The old owner's last word, then router 2's `arping -A -c 3`.
	c.add(s.at(s.oldConfirm), arpFrame(1, s.oldGW.mac, o.mac, s.oldGW.mac, f, nil, o.ip))
	c.add(s.at(s.oldConfirm+90*time.Microsecond), isAt(o, o.ip, host{mac: s.oldGW.mac, ip: f}))
	for _, g := range s.garps {
		c.add(s.at(g), garpReply(s.newGW, f))
	}
	// Tempest's SSH attempts still go to router 1's MAC (flooded by br-ex,
	// which no longer knows it) and are never answered.
	port, isn := uint16(47000), uint32(2_000_000_000)
	for d := 80 * time.Second; d < s.sshUntil; d += s.sshEvery {
		for n, back := range []time.Duration{0, time.Second, 3 * time.Second, 7 * time.Second, 15 * time.Second} {
			t := d + back + time.Duration(n*317)*time.Microsecond
			c.add(s.at(t), tcpFrame(o, s.oldGW, tcpSeg{srcIP: o.ip, dstIP: f, sport: port, dport: 22, seq: isn, syn: true, tsval: uint32(t / time.Millisecond), ipid: uint16(n)}))
		}
		port++
		isn += 1_234_567_891
	}
	capPath := filepath.Join(dir, "network-node", "br-ex.pcap")
	if err := c.writePcap(capPath); err != nil {
		return err
	}

	frames, err := readCapture(capPath)
	if err != nil {
		return err
	}
	fipEntry := loopingEntry(f, "br-ex", s.oldGW, frames, o, s.at(s.end))
	var b strings.Builder
	note := func(t time.Time, text string) {
		fmt.Fprintf(&b, "[%s] %s\n", t.Format("2006-01-02T15:04:05.000000"), text)
	}
	type event struct {
		t    time.Time
		text string
	}
	var evs []event
	fmtEntry := func(ip netip.Addr, sp span) string {
		if sp.mac == nil {
			return fmt.Sprintf("%s dev br-ex  %s", ip, sp.state)
		}
		return fmt.Sprintf("%s dev br-ex lladdr %s %s", ip, sp.mac, sp.state)
	}
	for _, sp := range fipEntry.spans {
		if sp.state == "DELAY" {
			continue // the kernel does not notify DELAY
		}
		evs = append(evs, event{sp.from.Add(35 * time.Microsecond), fmtEntry(f, sp)})
	}
	otherMAC := s.otherGW.mac
	evs = append(evs, event{s.at(time.Second + 415*time.Microsecond), fmtEntry(s.otherFIP, span{state: "REACHABLE", mac: otherMAC})})
	for _, p := range otherProbes {
		evs = append(evs, event{s.at(p - 20*time.Microsecond), fmtEntry(s.otherFIP, span{state: "PROBE", mac: otherMAC})})
		evs = append(evs, event{s.at(p + 430*time.Microsecond), fmtEntry(s.otherFIP, span{state: "REACHABLE", mac: otherMAC})})
	}
	slices.SortStableFunc(evs, func(a, b event) int { return a.t.Compare(b.t) })
	for _, e := range evs {
		note(e.t, e.text)
	}
	return os.WriteFile(filepath.Join(dir, "tempest", "ip-monitor-neigh.log"), []byte(b.String()), 0o644)
}
