package main

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/gopacket/gopacket/pcapgo"
)

// The synflood shape: TCP SYNs to a few servers from spoofed sources, each
// SYN from a random MAC, IPv4 address, port and ISN. One in 50 is answered
// with a SYN/ACK; the servers and the gateway re-resolve each other every
// minute, and a server asks (in vain) for the MAC of a spoofed source on its
// own subnet.
const (
	floodGap      = 10 * time.Microsecond // about 100,000 SYNs a second
	floodServers  = 3
	floodAnswer   = 50
	floodLocal    = 100 // one spoofed source in this many is on the servers' subnet
	floodARPTTL   = time.Minute
	floodVLAN     = 100
	floodWindowLo = 1024
)

type synFlood struct {
	frameWriter
	rnd     *rand.Rand
	servers []endpoint
	gw      endpoint
	gwAt    []time.Time // per server: the last ARP exchange with the gateway
	asked   int64       // ARP requests for spoofed sources
}

func newSYNFlood(seed uint64, w *pcapgo.Writer) *synFlood {
	g := &synFlood{
		frameWriter: frameWriter{w: w, now: start, buf: make([]byte, 0, 256)},
		rnd:         rand.New(rand.NewPCG(seed, 0x73796e666c6f6f64)),
		gw:          endpoint{mac: [6]byte{0xfa, 0x16, 0x3e, 0xee, 0, 1}, ip: [4]byte{10, 11, 0, 1}, vlan: floodVLAN},
	}
	for k := 0; k < floodServers; k++ {
		g.servers = append(g.servers, endpoint{mac: [6]byte{0xfa, 0x16, 0x3e, 0x30, 0, byte(k)}, ip: [4]byte{10, 11, 0, byte(10 + k)}, vlan: floodVLAN})
		g.gwAt = append(g.gwAt, start.Add(-time.Duration(g.rnd.Int64N(int64(floodARPTTL)))))
	}
	return g
}

func (g *synFlood) summary() string {
	return fmt.Sprintf("%d SYN (%.1f%% of frames), %d SYN/ACK, %d requests for spoofed sources",
		g.syns, 100*float64(g.syns)/float64(g.frames), g.synAcks, g.asked)
}

func (g *synFlood) step() error {
	g.now = g.now.Add(time.Duration(g.rnd.ExpFloat64() * float64(floodGap)))
	k := g.rnd.IntN(floodServers)
	s := &g.servers[k]
	if g.now.Sub(g.gwAt[k]) >= floodARPTTL {
		// The gateway asks for the server (it has SYN/ACKs to route)
		// and the server answers.
		g.gwAt[k] = g.now
		if err := g.arp(bcast, g.gw.mac, floodVLAN, 1, g.gw.mac, g.gw.ip, [6]byte{}, s.ip); err != nil {
			return err
		}
		g.now = g.now.Add(time.Duration(50+g.rnd.IntN(400)) * time.Microsecond)
		return g.arp(g.gw.mac, s.mac, floodVLAN, 2, s.mac, s.ip, g.gw.mac, g.gw.ip)
	}
	local := g.rnd.IntN(floodLocal) == 0
	var src [4]byte
	if v := g.rnd.Uint32(); local {
		src = [4]byte{10, 11, byte(1 + v>>8%254), 1 + byte(v)%254}
	} else {
		src = [4]byte{byte(20 + g.rnd.IntN(80)), byte(v >> 16), byte(v >> 8), 1 + byte(v)%254}
	}
	smac := macOf(g.rnd.Uint64())
	sport := uint16(1024 + g.rnd.IntN(64512))
	dport := [...]uint16{80, 443, 443}[g.rnd.IntN(3)]
	isn := g.rnd.Uint32()
	opt := optNone // flood tools mostly send bare SYNs
	if g.rnd.IntN(4) == 0 {
		opt = optSYN
	}
	g.ipID = uint16(g.rnd.Uint32())
	g.eth(s.mac, smac, floodVLAN, 0x0800)
	if err := g.tcp4(src, s.ip, sport, dport, isn, 0, synFlag, uint16(floodWindowLo+g.rnd.IntN(65536-floodWindowLo)), opt, nil); err != nil {
		return err
	}
	switch {
	case local && g.rnd.IntN(2) == 0:
		g.asked++
		return g.arp(bcast, s.mac, floodVLAN, 1, s.mac, s.ip, [6]byte{}, src)
	case !local && g.rnd.IntN(floodAnswer) == 0:
		g.now = g.now.Add(time.Duration(20+g.rnd.IntN(200)) * time.Microsecond)
		g.eth(g.gw.mac, s.mac, floodVLAN, 0x0800)
		return g.tcp4(s.ip, src, dport, sport, g.rnd.Uint32(), isn+1, synFlag|ackFlag, 65160, optSYN, nil)
	}
	return nil
}
