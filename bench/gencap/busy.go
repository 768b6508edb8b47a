package main

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/gopacket/gopacket/pcapgo"
)

// The busy shape: a segment where almost every unicast frame goes to a
// (sender MAC, destination IP) pair not seen before, so per-pair state
// cannot fold. See the package comment for the mix.
const (
	busySegs      = 4    // segment i is VLAN 100*i; segment 0 is untagged
	busyPerSeg    = 1000 // hosts per segment
	busyActive    = 100  // open east-west connections
	busyGap       = 220 * time.Microsecond
	busyARPTTL    = time.Minute // a host re-resolves a peer or its gateway after this
	busyMoveEvery = 1000        // frames between IP moves
	busyStaleFor  = 20_000      // frames a stale client keeps a moved IP's old MAC
	busyLearned   = 1 << 16     // slots of the direct-mapped ARP cache
)

// Step weights, per mille: an east-west connection's next frame, an
// outbound SYN answered by a reset, an outbound SYN left unanswered; the
// rest are single outbound UDP datagrams to addresses beyond the gateway.
const (
	busyWConn   = 262
	busyWSYNRST = 322
	busyWSYN    = 390
)

type busyHost struct {
	endpoint
	prevMAC [6]byte   // the MAC before the last move
	movedAt int64     // frame count at the last move; -1 never
	gwAt    time.Time // the last ARP exchange for the gateway
}

type busyConn struct {
	client, server int     // host indexes
	via            [6]byte // the MAC the client sends to
	resolve        bool    // the client asks for the server's MAC first
	cport, sport   uint16
	cseq, sseq     uint32
	step           int
	resp           int // response segments left
}

type learnSlot struct {
	key uint32 // client<<12 | server, plus one; 0 is an empty slot
	at  time.Time
}

type busyGarp struct {
	frame int64 // send once this many frames are written
	host  int
	reply bool
}

type busy struct {
	frameWriter
	rnd      *rand.Rand
	hosts    []busyHost
	gws      []endpoint // one per segment
	conns    []*busyConn
	learned  []learnSlot
	moved    []int // recently moved hosts, newest last
	moves    int64
	nextMove int64
	pend     []busyGarp
	random   []byte
	scratch  []byte
}

func newBusy(seed uint64, w *pcapgo.Writer) *busy {
	g := &busy{
		frameWriter: frameWriter{w: w, now: start, buf: make([]byte, 0, 2048)},
		rnd:         rand.New(rand.NewPCG(seed, 0x627573792d736567)),
		learned:     make([]learnSlot, busyLearned),
		nextMove:    busyMoveEvery,
	}
	for i := 0; i < busySegs*busyPerSeg; i++ {
		seg, n := i%busySegs, i/busySegs
		h := busyHost{movedAt: -1}
		h.mac = [6]byte{0xfa, 0x16, 0x3e, 0x20 + byte(seg), byte(n >> 8), byte(n)}
		h.ip = [4]byte{10, byte(20 + seg), byte(1 + n/250), byte(1 + n%250)}
		h.vlan = uint16(100 * seg)
		// Hosts resolved their gateway at random times in the last minute.
		h.gwAt = start.Add(-time.Duration(g.rnd.Int64N(int64(busyARPTTL))))
		g.hosts = append(g.hosts, h)
	}
	for s := 0; s < busySegs; s++ {
		g.gws = append(g.gws, endpoint{mac: [6]byte{0xfa, 0x16, 0x3e, 0xee, 0, byte(s)}, ip: [4]byte{10, byte(20 + s), 0, 1}, vlan: uint16(100 * s)})
	}
	g.random = make([]byte, 1<<20)
	for i := range g.random {
		g.random[i] = byte(g.rnd.Uint32())
	}
	for len(g.conns) < busyActive {
		g.conns = append(g.conns, g.newConn())
	}
	return g
}

func (g *busy) summary() string {
	return fmt.Sprintf("%d SYN (%.1f%% of frames), %d SYN/ACK, %d IP moves to a new MAC",
		g.syns, 100*float64(g.syns)/float64(g.frames), g.synAcks, g.moves)
}

func (g *busy) step() error {
	g.now = g.now.Add(time.Duration(g.rnd.ExpFloat64() * float64(busyGap)))
	if g.frames >= g.nextMove {
		g.move()
	}
	if len(g.pend) > 0 && g.frames >= g.pend[0].frame {
		p := g.pend[0]
		g.pend = g.pend[1:]
		h := &g.hosts[p.host]
		if p.reply {
			return g.arp(bcast, h.mac, h.vlan, 2, h.mac, h.ip, h.mac, h.ip)
		}
		return g.arp(bcast, h.mac, h.vlan, 1, h.mac, h.ip, [6]byte{}, h.ip)
	}
	switch r := g.rnd.IntN(1000); {
	case r < busyWConn:
		i := g.rnd.IntN(len(g.conns))
		done, err := g.advance(g.conns[i])
		if done {
			g.conns[i] = g.newConn()
		}
		return err
	case r < busyWSYNRST:
		return g.outboundSYN(true)
	case r < busyWSYN:
		return g.outboundSYN(false)
	}
	return g.outboundUDP()
}

// move gives a host's IP a new MAC (a VM rebuilt or failed over), announced
// by a gratuitous request now and a gratuitous reply a little later.
func (g *busy) move() {
	g.nextMove += busyMoveEvery
	g.moves++
	i := g.rnd.IntN(len(g.hosts))
	h := &g.hosts[i]
	h.prevMAC, h.movedAt = h.mac, g.frames
	h.mac = [6]byte{0xfa, 0x16, 0x3e, 0x80 | byte(g.moves>>16)&0x7f, byte(g.moves >> 8), byte(g.moves)}
	g.pend = append(g.pend, busyGarp{frame: g.frames, host: i}, busyGarp{frame: g.frames + 300, host: i, reply: true})
	g.moved = append(g.moved, i)
	if len(g.moved) > 8 {
		g.moved = g.moved[1:]
	}
}

// regular is the k-th of the four hosts that talk to host i all the time:
// they have its MAC cached, so they do not ask for it.
func regular(i, k int) int {
	seg, n := i%busySegs, i/busySegs
	m := (n*7 + k*13 + 1) % busyPerSeg
	if m == n {
		m = (m + 1) % busyPerSeg
	}
	return seg + busySegs*m
}

// newConn opens an east-west connection: mostly between two random hosts
// of a segment, which resolve each other first unless the ARP cache still
// holds the pair; one in eight from a regular client to a recently moved
// host, where the client of one move in two keeps the old MAC for a while.
func (g *busy) newConn() *busyConn {
	c := &busyConn{}
	if len(g.moved) > 0 && g.rnd.IntN(8) == 0 {
		c.server = g.moved[g.rnd.IntN(len(g.moved))]
		k := g.rnd.IntN(4)
		c.client = regular(c.server, k)
		s := &g.hosts[c.server]
		c.via = s.mac
		if k == 0 && s.movedAt%2 == 0 && g.frames-s.movedAt < busyStaleFor {
			c.via = s.prevMAC
		}
	} else {
		c.client = g.rnd.IntN(len(g.hosts))
		for {
			c.server = c.client%busySegs + busySegs*g.rnd.IntN(busyPerSeg)
			if c.server != c.client {
				break
			}
		}
		c.via = g.hosts[c.server].mac
		c.resolve = !g.isLearned(c.client, c.server)
	}
	c.cport = uint16(32768 + g.rnd.IntN(28000))
	c.sport = [...]uint16{22, 80, 443, 3306, 5432, 5672, 6379, 8080, 9696}[g.rnd.IntN(9)]
	c.cseq, c.sseq = g.rnd.Uint32(), g.rnd.Uint32()
	c.resp = 1 + g.rnd.IntN(3)
	return c
}

func (g *busy) slot(client, server int) *learnSlot {
	key := uint32(client)<<12 | uint32(server)
	return &g.learned[(key*0x9e3779b1)>>16%busyLearned]
}

func (g *busy) isLearned(client, server int) bool {
	s := g.slot(client, server)
	return s.key == uint32(client)<<12|uint32(server)+1 && g.now.Sub(s.at) < busyARPTTL
}

func (g *busy) learn(client, server int) {
	*g.slot(client, server) = learnSlot{key: uint32(client)<<12 | uint32(server) + 1, at: g.now}
}

// advance sends the connection's next frame (or ARP exchange); done when
// the connection has ended. A connection is a short request and response,
// closed by the client with a reset as load balancers' health checks and
// many HTTP clients do.
func (g *busy) advance(c *busyConn) (bool, error) {
	cl, sv := &g.hosts[c.client], &g.hosts[c.server]
	if c.resolve {
		c.resolve = false
		// The server learns the client from the request.
		g.learn(c.client, c.server)
		g.learn(c.server, c.client)
		if err := g.arp(bcast, cl.mac, cl.vlan, 1, cl.mac, cl.ip, [6]byte{}, sv.ip); err != nil {
			return false, err
		}
		g.now = g.now.Add(time.Duration(50+g.rnd.IntN(400)) * time.Microsecond)
		c.via = sv.mac
		return false, g.arp(cl.mac, sv.mac, cl.vlan, 2, sv.mac, sv.ip, cl.mac, cl.ip)
	}
	toServer := func(flags byte, opt int, payload []byte) error {
		g.eth(c.via, cl.mac, cl.vlan, 0x0800)
		return g.tcp4(cl.ip, sv.ip, c.cport, c.sport, c.cseq, c.sseq, flags, 502, opt, payload)
	}
	toClient := func(flags byte, opt int, payload []byte) error {
		g.eth(cl.mac, sv.mac, cl.vlan, 0x0800)
		return g.tcp4(sv.ip, cl.ip, c.sport, c.cport, c.sseq, c.cseq, flags, 509, opt, payload)
	}
	c.step++
	switch c.step {
	case 1:
		return false, toServer(synFlag, optSYN, nil)
	case 2:
		c.cseq++
		return false, toClient(synFlag|ackFlag, optSYN, nil)
	case 3:
		c.sseq++
		return false, toServer(ackFlag, optTS, nil)
	case 4:
		p := g.request(c)
		err := toServer(pshFlag|ackFlag, optTS, p)
		c.cseq += uint32(len(p))
		return false, err
	}
	if c.resp > 0 {
		c.resp--
		p := g.payload(200 + g.rnd.IntN(1249))
		err := toClient(pshFlag|ackFlag, optTS, p)
		c.sseq += uint32(len(p))
		return false, err
	}
	return true, toServer(rstFlag|ackFlag, optNone, nil)
}

const rstFlag = 4

// request is an HTTP-like request line and headers.
func (g *busy) request(c *busyConn) []byte {
	sv := &g.hosts[c.server]
	b := fmt.Appendf(g.scratch[:0], "GET /v2.0/ports/%08x-%04x-4%03x HTTP/1.1\r\nHost: %d.%d.%d.%d:%d\r\nUser-Agent: python-requests/2.25.1\r\nAccept: application/json\r\nX-Auth-Token: gAAAAA",
		g.rnd.Uint32(), g.rnd.IntN(1<<16), g.rnd.IntN(1<<12), sv.ip[0], sv.ip[1], sv.ip[2], sv.ip[3], c.sport)
	for n := g.rnd.IntN(300); n > 0; n-- {
		b = append(b, 'A'+byte(g.rnd.IntN(26)))
	}
	g.scratch = append(b, "\r\n\r\n"...)
	return g.scratch
}

func (g *busy) payload(n int) []byte {
	off := g.rnd.IntN(len(g.random) - n)
	return g.random[off : off+n]
}

// remote is an address beyond the gateway: one of about a billion, so each
// is new.
func (g *busy) remote() [4]byte {
	v := g.rnd.Uint32()
	return [4]byte{byte(20 + g.rnd.IntN(80)), byte(v >> 16), byte(v >> 8), 1 + byte(v)%254}
}

// gateway returns h's gateway, first re-resolving it (and returning true)
// when h's cache entry has expired.
func (g *busy) gateway(h *busyHost) (*endpoint, bool, error) {
	gw := &g.gws[int(h.vlan/100)]
	if g.now.Sub(h.gwAt) < busyARPTTL {
		return gw, false, nil
	}
	h.gwAt = g.now
	if err := g.arp(bcast, h.mac, h.vlan, 1, h.mac, h.ip, [6]byte{}, gw.ip); err != nil {
		return gw, true, err
	}
	g.now = g.now.Add(time.Duration(50+g.rnd.IntN(400)) * time.Microsecond)
	return gw, true, g.arp(h.mac, gw.mac, h.vlan, 2, gw.mac, gw.ip, h.mac, h.ip)
}

// outboundSYN opens a connection to a remote address; it is reset by the
// far end (rst) or gets no answer.
func (g *busy) outboundSYN(rst bool) error {
	h := &g.hosts[g.rnd.IntN(len(g.hosts))]
	gw, resolved, err := g.gateway(h)
	if resolved || err != nil {
		return err
	}
	dst := g.remote()
	sport := uint16(32768 + g.rnd.IntN(28000))
	dport := [...]uint16{80, 443, 443, 443, 22, 8443, 25}[g.rnd.IntN(7)]
	isn := g.rnd.Uint32()
	g.eth(gw.mac, h.mac, h.vlan, 0x0800)
	if err := g.tcp4(h.ip, dst, sport, dport, isn, 0, synFlag, 64240, optSYN, nil); err != nil || !rst {
		return err
	}
	g.now = g.now.Add(time.Duration(200+g.rnd.IntN(1800)) * time.Microsecond)
	g.eth(h.mac, gw.mac, h.vlan, 0x0800)
	return g.tcp4(dst, h.ip, dport, sport, 0, isn+1, rstFlag|ackFlag, 0, optNone, nil)
}

// outboundUDP sends one datagram to a remote address: small DNS queries
// and NTP requests, large QUIC and media datagrams.
func (g *busy) outboundUDP() error {
	h := &g.hosts[g.rnd.IntN(len(g.hosts))]
	gw, resolved, err := g.gateway(h)
	if resolved || err != nil {
		return err
	}
	var p []byte
	var dport uint16
	switch r := g.rnd.IntN(20); {
	case r < 6:
		dport, p = 53, g.dnsQuery()
	case r < 9:
		dport, p = 123, g.ntpRequest()
	default:
		dport, p = [...]uint16{443, 443, 3478, 5004}[g.rnd.IntN(4)], g.payload(700+g.rnd.IntN(650))
	}
	g.eth(gw.mac, h.mac, h.vlan, 0x0800)
	return g.udp4(h.ip, g.remote(), uint16(32768+g.rnd.IntN(28000)), dport, p)
}

// dnsQuery is a recursive A or AAAA query for a random name.
func (g *busy) dnsQuery() []byte {
	b := append(g.scratch[:0], byte(g.rnd.Uint32()), byte(g.rnd.Uint32()), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0)
	for _, l := range [...]string{"", "cdn", "example"} {
		if l == "" {
			n := 4 + g.rnd.IntN(12)
			b = append(b, byte(n))
			for ; n > 0; n-- {
				b = append(b, "abcdefghijklmnopqrstuvwxyz0123456789"[g.rnd.IntN(36)])
			}
			continue
		}
		b = append(b, byte(len(l)))
		b = append(b, l...)
	}
	b = append(b, 3, 'c', 'o', 'm', 0, 0, 1, 0, 1)
	if g.rnd.IntN(2) == 0 {
		b[len(b)-3] = 28 // AAAA
	}
	g.scratch = b
	return b
}

// ntpRequest is an NTPv4 client request.
func (g *busy) ntpRequest() []byte {
	b := append(g.scratch[:0], 0x23, 0, 6, 0xe9)
	b = append(b, make([]byte, 36)...)
	secs := uint32(g.now.Unix() + 2208988800) // NTP era 0
	b = append(b, byte(secs>>24), byte(secs>>16), byte(secs>>8), byte(secs))
	v := g.rnd.Uint32()
	b = append(b, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
	g.scratch = b
	return b
}
