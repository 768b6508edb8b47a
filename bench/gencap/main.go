// Command gencap writes the capture benchmarks' inputs: deterministic
// Ethernet captures of a cloud network segment, as a mirror port would
// record them. The same shape, seed and size always give the same bytes.
// -shape picks the traffic:
//
// mixed (the default; bench/capture.sh): 2,000 hosts on four segments (one
// untagged, three 802.1Q VLANs) and 20 floating IPs served by 10 routers on
// the external segment. About 200 TCP connections are open at any time,
// each preceded by an ARP exchange when the client has not resolved the
// server recently; a connection carries tens to thousands of segments with
// 0–1400 byte payloads (random bytes for encrypted flows, text for API and
// database flows, so the .gz compresses like a real capture). Every five
// minutes a floating IP moves to another router with three gratuitous ARPs
// a second apart; most clients switch within seconds, the client of one
// move in four keeps its old MAC until its connection ends. Some UDP, ICMP,
// broadcast and IPv6 frames complete the mix. About 1% of frames are ARP.
// TCP and UDP checksums are zero, as senders with checksum offload show
// them.
//
// The other shapes are built not to fold: per-pair or per-sender state
// grows with the capture. Their checksums are all filled in.
//
// busy (bench/shapes.sh): 4,000 hosts on the same four segments, each
// behind its segment's gateway. About 100 east-west TCP connections between
// random pairs of a segment are open at a time (an ARP request and reply
// first unless the pair resolved each other in the last minute; a short
// request and response, then a reset); hosts send single UDP datagrams and
// SYNs (some reset by the far end, most unanswered) to random addresses
// beyond the gateway, re-resolving the gateway every minute. Every 1,000
// frames a host's IP moves to a new MAC with a gratuitous request and,
// 300 frames later, a gratuitous reply; one in eight new connections goes
// from a regular client to a recently moved host, and the client of one
// move in two keeps sending to the old MAC for 20,000 frames. Per 1.85 GB:
// about 4.2 M frames (mean record 443 bytes), 2.9 M distinct (sender MAC,
// destination IP) pairs, 14% SYNs, 9% ARP.
//
// arpstorm: an ARP scan or storm, about 50,000 requests a second on the
// four segments, each from a sender MAC and IP no other request uses and
// for a target no other request asks for; one in 400 is answered. Frames
// are 60 bytes: 4.5 M requests per 342 MB.
//
// synflood: about 100,000 SYNs a second to three servers on VLAN 100, each
// from a random MAC, source address, port and ISN (a quarter with options);
// one in 50 is answered by a SYN/ACK through the gateway. The gateway and
// the servers re-resolve each other every minute, and for one spoofed
// source in 200 (those on the servers' subnet) a server asks for its MAC
// in vain.
//
// Usage: gencap -o FILE.pcap [-gz FILE.pcap.gz] [-size BYTES] [-seed N] [-shape SHAPE]
package main

import (
	"bufio"
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"time"

	bytesize "github.com/arpforensics/arpforensics/bench/internal/size"
	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"
	"github.com/klauspost/compress/gzip"
)

const (
	nHosts    = 2000
	nSegments = 4 // segment i is VLAN 100*i; segment 0 is untagged
	nRouters  = 10
	nFIPs     = 20
	nServers  = 200 // the first nServers hosts also serve
	active    = 200 // open TCP connections
	arpTTL    = 3 * time.Minute
	moveEvery = 5 * time.Minute
	meanGap   = 1400 * time.Microsecond
)

var start = time.Date(2017, 5, 10, 10, 0, 0, 0, time.UTC)

type endpoint struct {
	mac  [6]byte
	ip   [4]byte
	vlan uint16
}

type conn struct {
	client, server *endpoint
	// via is the MAC the client sends to: the server's own, or for a
	// floating IP the router that holds it as the client last learned.
	via        [6]byte
	fip        int // index into gen.fips, or -1
	switchAt   time.Time
	stale      bool // keeps via until the connection ends
	cport      uint16
	sport      uint16
	cseq, sseq uint32
	step       int // 0 SYN, 1 SYN/ACK, 2 ACK, then data
	left       int // data segments still to send
	retransmit bool
	text       bool
}

// frameWriter builds frames in buf and writes them as pcap records,
// counting what it wrote. Every shape's generator embeds one.
type frameWriter struct {
	w       *pcapgo.Writer
	now     time.Time
	written int64 // bytes of records (the 24-byte file header not included)
	frames  int64
	arps    int64
	syns    int64 // SYN without ACK (tcp4 only)
	synAcks int64 // SYN/ACK (tcp4 only)
	ipID    uint16
	buf     []byte
}

func (f *frameWriter) fw() *frameWriter { return f }

type gen struct {
	frameWriter
	rnd *rand.Rand

	hosts   []endpoint
	routers []endpoint
	fips    []endpoint // ip; mac = router currently holding it
	conns   []*conn
	learned map[[2][4]byte]time.Time // (client IP, server IP) -> last ARP exchange
	nextMov time.Time
	moves   int

	random   []byte // payload pool for encrypted flows
	text     []byte // payload pool for API/database flows
	pendGARP []garp
}

type garp struct {
	at   time.Time
	fip  int
	kind int // 0 request-type, 1 reply-type tha==sha, 2 reply-type tha=broadcast
}

// shape is one kind of traffic: step writes its next frame or frames.
type shape interface {
	step() error
	fw() *frameWriter
}

// summarizer is a shape that reports more than frames and ARP.
type summarizer interface{ summary() string }

// shapes are the generators -shape selects, by name.
var shapes = map[string]func(seed uint64, w *pcapgo.Writer) shape{
	"mixed":    func(seed uint64, w *pcapgo.Writer) shape { return newGen(seed, w) },
	"busy":     func(seed uint64, w *pcapgo.Writer) shape { return newBusy(seed, w) },
	"arpstorm": func(seed uint64, w *pcapgo.Writer) shape { return newARPStorm(seed, w) },
	"synflood": func(seed uint64, w *pcapgo.Writer) shape { return newSYNFlood(seed, w) },
}

const usage = "usage: gencap -o FILE.pcap [-gz FILE.pcap.gz] [-size BYTES] [-seed N] [-shape mixed|busy|arpstorm|synflood]"

func main() {
	out := flag.String("o", "", "pcap file to write")
	gzOut := flag.String("gz", "", "also write a gzip-compressed copy here")
	sizeArg := flag.String("size", "2000000000", "stop after this many bytes (K, M, G suffixes: powers of 1024)")
	seed := flag.Uint64("seed", 1, "random seed")
	kind := flag.String("shape", "mixed", "traffic: mixed, busy, arpstorm or synflood")
	flag.Parse()
	if *out == "" || shapes[*kind] == nil || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(2)
	}
	size, err := bytesize.Parse(*sizeArg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gencap:", err)
		os.Exit(2)
	}
	if err := run(*out, *gzOut, size, *seed, *kind); err != nil {
		fmt.Fprintln(os.Stderr, "gencap:", err)
		os.Exit(1)
	}
}

func run(out, gzOut string, size int64, seed uint64, kind string) error {
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	defer f.Close()
	fb := bufio.NewWriterSize(f, 1<<20)
	var w io.Writer = fb
	var zw *gzip.Writer
	var zb *bufio.Writer
	if gzOut != "" {
		zf, err := os.Create(gzOut)
		if err != nil {
			return err
		}
		defer zf.Close()
		zb = bufio.NewWriterSize(zf, 1<<20)
		zw = gzip.NewWriter(zb)
		w = io.MultiWriter(fb, zw)
	}
	pw := pcapgo.NewWriter(w)
	if err := pw.WriteFileHeader(262144, layers.LinkTypeEthernet); err != nil {
		return err
	}
	began := time.Now()
	s := shapes[kind](seed, pw)
	g := s.fw()
	for g.written < size {
		if err := s.step(); err != nil {
			return err
		}
	}
	if err := fb.Flush(); err != nil {
		return err
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			return err
		}
		if err := zb.Flush(); err != nil {
			return err
		}
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "gencap: %d frames, %d ARP (%.2f%%), %d bytes, %s of traffic\n",
		g.frames, g.arps, 100*float64(g.arps)/float64(g.frames), g.written+24, g.now.Sub(start).Round(time.Second))
	if sm, ok := s.(summarizer); ok {
		fmt.Fprintf(os.Stderr, "gencap: %s: %s\n", kind, sm.summary())
	}
	el := time.Since(began).Seconds()
	fmt.Fprintf(os.Stderr, "gencap: wrote in %.1f s (%.0f MB/s)\n", el, float64(g.written+24)/el/1e6)
	return nil
}

func newGen(seed uint64, w *pcapgo.Writer) *gen {
	g := &gen{
		frameWriter: frameWriter{w: w, now: start, buf: make([]byte, 0, 2048)},
		rnd:         rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15)),
		learned:     map[[2][4]byte]time.Time{},
		nextMov:     start.Add(moveEvery),
	}
	for i := 0; i < nHosts; i++ {
		seg := i % nSegments
		g.hosts = append(g.hosts, endpoint{
			mac:  [6]byte{0xfa, 0x16, 0x3e, 0x10 + byte(seg), byte(i >> 8), byte(i)},
			ip:   [4]byte{10, byte(10 + seg), byte(i >> 8), byte(i)},
			vlan: uint16(100 * seg),
		})
	}
	for i := 0; i < nRouters; i++ {
		g.routers = append(g.routers, endpoint{mac: [6]byte{0xfa, 0x16, 0x3e, 0xaa, 0, byte(i)}, ip: [4]byte{172, 24, 5, byte(1 + i)}})
	}
	for i := 0; i < nFIPs; i++ {
		g.fips = append(g.fips, endpoint{mac: g.routers[i%nRouters].mac, ip: [4]byte{172, 24, 5, byte(100 + i)}})
	}
	g.random = make([]byte, 1<<20)
	for i := range g.random {
		g.random[i] = byte(g.rnd.Uint32())
	}
	words := []string{`{"id": "`, `", "status": "ACTIVE", `, `"network_id": `, `"fixed_ips": [`, `"subnet_id": "`,
		`SELECT * FROM ports WHERE `, `device_owner = 'network:router_gateway'`, ` AND `, `HTTP/1.1 200 OK\r\n`,
		`Content-Type: application/json\r\n`, `X-Openstack-Request-Id: req-`, `"floating_ip_address": "172.24.5.`,
		`"mac_address": "fa:16:3e:`, `"admin_state_up": true, `, `}, `, "\n"}
	for len(g.text) < 1<<20 {
		g.text = append(g.text, words[g.rnd.IntN(len(words))]...)
		if g.rnd.IntN(3) == 0 {
			g.text = fmt.Appendf(g.text, "%08x-%04x", g.rnd.Uint32(), g.rnd.Uint32()&0xffff)
		}
	}
	for len(g.conns) < active {
		g.conns = append(g.conns, g.newConn())
	}
	return g
}

// newConn picks a client and a server (a host on the client's segment, or
// a floating IP for clients on the untagged segment).
func (g *gen) newConn() *conn {
	c := &conn{fip: -1}
	c.client = &g.hosts[g.rnd.IntN(nHosts)]
	seg := int(c.client.vlan / 100)
	if seg == 0 && g.rnd.IntN(4) == 0 {
		c.fip = g.rnd.IntN(nFIPs)
		c.server = &g.fips[c.fip]
	} else {
		// Each client talks to three servers of its segment, as a VM
		// talks to its few services.
		ci := (int(c.client.ip[2])<<8 | int(c.client.ip[3])) / nSegments
		for k := g.rnd.IntN(3); ; k++ {
			c.server = &g.hosts[seg+nSegments*((ci*7+k*13)%(nServers/nSegments))]
			if c.server != c.client {
				break
			}
		}
	}
	c.via = c.server.mac
	c.cport = uint16(32768 + g.rnd.IntN(28000))
	c.sport = [...]uint16{22, 443, 80, 3306, 5672, 9696}[g.rnd.IntN(6)]
	c.text = c.sport != 22 && c.sport != 443
	c.cseq, c.sseq = g.rnd.Uint32(), g.rnd.Uint32()
	// Heavy-tailed lengths: most connections are short API calls, a few
	// are bulk transfers.
	c.left = 10 + int(g.rnd.ExpFloat64()*150)
	if g.rnd.IntN(50) == 0 {
		c.left += 2000 + g.rnd.IntN(8000)
	}
	c.retransmit = g.rnd.IntN(50) == 0
	return c
}

func (g *gen) step() error {
	g.now = g.now.Add(time.Duration(g.rnd.ExpFloat64() * float64(meanGap)))
	if !g.now.Before(g.nextMov) {
		g.moveFIP()
	}
	if len(g.pendGARP) > 0 && !g.now.Before(g.pendGARP[0].at) {
		p := g.pendGARP[0]
		g.pendGARP = g.pendGARP[1:]
		return g.sendGARP(p)
	}
	switch r := g.rnd.IntN(1000); {
	case r < 1: // an ARP refresh: Linux re-confirms a stale entry with a unicast probe
		return g.arpRefresh()
	case r < 23:
		return g.udp()
	case r < 33:
		return g.icmp()
	case r < 38:
		return g.broadcast()
	case r < 43:
		return g.ipv6()
	}
	i := g.rnd.IntN(len(g.conns))
	c := g.conns[i]
	done, err := g.advance(c)
	if done {
		g.conns[i] = g.newConn()
	}
	return err
}

func (g *gen) moveFIP() {
	g.nextMov = g.nextMov.Add(moveEvery)
	g.moves++
	i := g.rnd.IntN(nFIPs)
	old := g.fips[i].mac
	for g.fips[i].mac == old {
		g.fips[i].mac = g.routers[g.rnd.IntN(nRouters)].mac
	}
	kind := g.moves % 3
	for k := 0; k < 3; k++ {
		g.pendGARP = append(g.pendGARP, garp{at: g.now.Add(time.Duration(k) * time.Second), fip: i, kind: kind})
	}
	first := true
	for _, c := range g.conns {
		if c.fip != i {
			continue
		}
		if first && g.moves%4 == 0 {
			c.stale = true // this client never takes the update
		} else {
			c.switchAt = g.now.Add(time.Duration(500+g.rnd.IntN(4000)) * time.Millisecond)
		}
		first = false
	}
}

func (g *gen) sendGARP(p garp) error {
	f := &g.fips[p.fip]
	switch p.kind {
	case 0:
		return g.arp(bcast, f.mac, 0, 1, f.mac, f.ip, [6]byte{}, f.ip)
	case 1:
		return g.arp(bcast, f.mac, 0, 2, f.mac, f.ip, f.mac, f.ip)
	default:
		return g.arp(bcast, f.mac, 0, 2, f.mac, f.ip, bcast, f.ip)
	}
}

var bcast = [6]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}

// resolve emits the client's ARP exchange for the server unless it has one
// younger than arpTTL. It reports whether it emitted a frame (the request;
// the reply follows on the next call).
func (g *gen) resolve(c *conn) (bool, error) {
	k := [2][4]byte{c.client.ip, c.server.ip}
	if t, ok := g.learned[k]; ok && g.now.Sub(t) < arpTTL {
		return false, nil
	}
	g.learned[k] = g.now
	if err := g.arp(bcast, c.client.mac, c.client.vlan, 1, c.client.mac, c.client.ip, [6]byte{}, c.server.ip); err != nil {
		return true, err
	}
	g.now = g.now.Add(time.Duration(50+g.rnd.IntN(400)) * time.Microsecond)
	return true, g.arp(c.client.mac, c.server.mac, c.client.vlan, 2, c.server.mac, c.server.ip, c.client.mac, c.client.ip)
}

func (g *gen) arpRefresh() error {
	c := g.conns[g.rnd.IntN(len(g.conns))]
	if c.fip >= 0 {
		return g.udp()
	}
	if err := g.arp(c.server.mac, c.client.mac, c.client.vlan, 1, c.client.mac, c.client.ip, [6]byte{}, c.server.ip); err != nil {
		return err
	}
	return g.arp(c.client.mac, c.server.mac, c.client.vlan, 2, c.server.mac, c.server.ip, c.client.mac, c.client.ip)
}

const (
	finFlag = 1
	synFlag = 2
	pshFlag = 8
	ackFlag = 16
)

// advance sends the connection's next frame; done when it has ended.
func (g *gen) advance(c *conn) (bool, error) {
	if !c.stale && !c.switchAt.IsZero() && !g.now.Before(c.switchAt) {
		c.via, c.switchAt = c.server.mac, time.Time{}
	}
	switch c.step {
	case 0:
		if sent, err := g.resolve(c); sent || err != nil {
			return false, err
		}
		c.step = 1
		if c.retransmit {
			if err := g.tcp(c, true, c.cseq, 0, synFlag, 0); err != nil {
				return false, err
			}
			g.now = g.now.Add(time.Second)
		}
		return false, g.tcp(c, true, c.cseq, 0, synFlag, 0)
	case 1:
		c.step = 2
		return false, g.tcp(c, false, c.sseq, c.cseq+1, synFlag|ackFlag, 0)
	case 2:
		c.cseq++
		c.sseq++
		c.step = 3
		return false, g.tcp(c, true, c.cseq, c.sseq, ackFlag, 0)
	}
	if c.left == 0 {
		if err := g.tcp(c, true, c.cseq, c.sseq, finFlag|ackFlag, 0); err != nil {
			return true, err
		}
		return true, g.tcp(c, false, c.sseq, c.cseq+1, finFlag|ackFlag, 0)
	}
	c.left--
	n := g.rnd.IntN(1401)
	if g.rnd.IntN(3) == 0 {
		err := g.tcp(c, true, c.cseq, c.sseq, pshFlag|ackFlag, n)
		c.cseq += uint32(n)
		return false, err
	}
	err := g.tcp(c, false, c.sseq, c.cseq, pshFlag|ackFlag, n)
	c.sseq += uint32(n)
	return false, err
}

// eth starts a frame in g.buf.
func (g *frameWriter) eth(dst, src [6]byte, vlan uint16, typ uint16) {
	b := append(g.buf[:0], dst[:]...)
	b = append(b, src[:]...)
	if vlan != 0 {
		b = binary.BigEndian.AppendUint16(b, 0x8100)
		b = binary.BigEndian.AppendUint16(b, vlan)
	}
	g.buf = binary.BigEndian.AppendUint16(b, typ)
}

func (g *frameWriter) arp(dst, src [6]byte, vlan uint16, op uint16, sha [6]byte, spa [4]byte, tha [6]byte, tpa [4]byte) error {
	g.eth(dst, src, vlan, 0x0806)
	b := append(g.buf, 0, 1, 8, 0, 6, 4)
	b = binary.BigEndian.AppendUint16(b, op)
	b = append(b, sha[:]...)
	b = append(b, spa[:]...)
	b = append(b, tha[:]...)
	b = append(b, tpa[:]...)
	for len(b) < 60 { // padded to the Ethernet minimum, as a receiver records it
		b = append(b, 0)
	}
	g.buf = b
	g.arps++
	return g.emit()
}

// ip4 appends an IPv4 header for a payload of n bytes.
func (g *frameWriter) ip4(src, dst [4]byte, proto byte, n int) {
	g.ipID++
	h := len(g.buf)
	b := append(g.buf, 0x45, 0)
	b = binary.BigEndian.AppendUint16(b, uint16(20+n))
	b = binary.BigEndian.AppendUint16(b, g.ipID)
	b = append(b, 0x40, 0, 64, proto, 0, 0)
	b = append(b, src[:]...)
	b = append(b, dst[:]...)
	var sum uint32
	for i := h; i < h+20; i += 2 {
		sum += uint32(b[i])<<8 | uint32(b[i+1])
	}
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	binary.BigEndian.PutUint16(b[h+10:], ^uint16(sum))
	g.buf = b
}

// tcp sends one segment with n payload bytes. Checksums are left zero, as
// captures of senders with checksum offload show them.
func (g *gen) tcp(c *conn, fromClient bool, seq, ack uint32, flags byte, n int) error {
	src, dst := c.client, c.server
	sport, dport := c.cport, c.sport
	dmac, smac := c.via, c.client.mac
	if !fromClient {
		src, dst = dst, src
		sport, dport = dport, sport
		dmac, smac = c.client.mac, c.server.mac
	}
	opts := 12 // timestamps
	if flags&synFlag != 0 {
		opts = 20 // MSS, SACK permitted, timestamps, window scale
	}
	g.eth(dmac, smac, c.client.vlan, 0x0800)
	g.ip4(src.ip, dst.ip, 6, 20+opts+n)
	b := binary.BigEndian.AppendUint16(g.buf, sport)
	b = binary.BigEndian.AppendUint16(b, dport)
	b = binary.BigEndian.AppendUint32(b, seq)
	b = binary.BigEndian.AppendUint32(b, ack)
	b = append(b, byte((20+opts)/4)<<4, flags, 0xfa, 0xf0, 0, 0, 0, 0)
	if opts == 20 {
		b = append(b, 2, 4, 0x05, 0xb4, 4, 2)
	} else {
		b = append(b, 1, 1)
	}
	b = append(b, 8, 10)
	b = binary.BigEndian.AppendUint32(b, uint32(g.now.UnixMilli()))
	b = binary.BigEndian.AppendUint32(b, uint32(g.now.UnixMilli()-40))
	if opts == 20 {
		b = append(b, 1, 3, 3, 7)
	}
	g.buf = g.payload(b, n, c.text)
	return g.emit()
}

func (g *gen) payload(b []byte, n int, text bool) []byte {
	pool := g.random
	if text {
		pool = g.text
	}
	off := g.rnd.IntN(len(pool) - n)
	return append(b, pool[off:off+n]...)
}

func (g *gen) udp() error {
	c := g.conns[g.rnd.IntN(len(g.conns))]
	dns := g.hosts[nSegments*3+int(c.client.vlan/100)] // a resolver on the client's segment
	n := 40 + g.rnd.IntN(400)
	g.eth(dns.mac, c.client.mac, c.client.vlan, 0x0800)
	g.ip4(c.client.ip, dns.ip, 17, 8+n)
	b := binary.BigEndian.AppendUint16(g.buf, c.cport)
	b = binary.BigEndian.AppendUint16(b, 53)
	b = binary.BigEndian.AppendUint16(b, uint16(8+n))
	b = append(b, 0, 0)
	g.buf = g.payload(b, n, true)
	return g.emit()
}

func (g *gen) icmp() error {
	c := g.conns[g.rnd.IntN(len(g.conns))]
	g.eth(c.via, c.client.mac, c.client.vlan, 0x0800)
	g.ip4(c.client.ip, c.server.ip, 1, 64)
	b := append(g.buf, 8, 0, 0, 0)
	b = binary.BigEndian.AppendUint32(b, g.rnd.Uint32())
	g.buf = g.payload(b, 56, false)
	return g.emit()
}

// broadcast sends a DHCP-like UDP broadcast: not unicast, so not folded.
func (g *gen) broadcast() error {
	h := &g.hosts[g.rnd.IntN(nHosts)]
	g.eth(bcast, h.mac, h.vlan, 0x0800)
	g.ip4([4]byte{}, [4]byte{255, 255, 255, 255}, 17, 8+300)
	b := append(g.buf, 0, 68, 0, 67, 0x01, 0x34, 0, 0)
	g.buf = g.payload(b, 300, true)
	return g.emit()
}

func (g *gen) ipv6() error {
	h := &g.hosts[g.rnd.IntN(nHosts)]
	g.eth([6]byte{0x33, 0x33, 0, 0, 0, 1}, h.mac, h.vlan, 0x86dd)
	b := append(g.buf, 0x60, 0, 0, 0, 0, 32, 58, 255)
	b = append(b, 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0xf8, 0x16, 0x3e, 0xff, 0xfe, h.mac[3], h.mac[4], h.mac[5])
	b = append(b, 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1)
	g.buf = g.payload(b, 32, false)
	return g.emit()
}

func (g *frameWriter) emit() error {
	n := len(g.buf)
	ci := gopacket.CaptureInfo{Timestamp: g.now, CaptureLength: n, Length: n}
	g.written += int64(16 + n)
	g.frames++
	return g.w.WritePacket(ci, g.buf)
}
