package main

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/gopacket/gopacket/pcapgo"
)

// The arpstorm shape: an ARP scan or storm. Every request comes from a
// sender (MAC and IP) no other request uses and asks for a target no other
// request asks for; one in 400 is answered.
const (
	stormGap     = 20 * time.Microsecond // about 50,000 requests a second
	stormAnswer  = 400
	stormSegs    = 4
	stormKeySMAC = 0x5eed_0001
	stormKeySIP  = 0x5eed_0002
	stormKeyTIP  = 0x5eed_0003
	stormKeyTMAC = 0x5eed_0004
)

type arpStorm struct {
	frameWriter
	rnd     *rand.Rand
	n       uint64 // requests sent
	replies int64
}

func newARPStorm(seed uint64, w *pcapgo.Writer) *arpStorm {
	return &arpStorm{
		frameWriter: frameWriter{w: w, now: start, buf: make([]byte, 0, 128)},
		rnd:         rand.New(rand.NewPCG(seed, 0x6172707374726d)),
	}
}

func (g *arpStorm) summary() string {
	return fmt.Sprintf("%d requests from distinct senders for distinct targets, %d replies", g.n, g.replies)
}

// stormIP is a distinct address for each i: 10.0.0.0/8 first, then the
// next /8s.
func stormIP(i, key uint64) [4]byte {
	v := scramble(i&(1<<24-1), 24, key)
	return [4]byte{10 + byte(i>>24), byte(v >> 16), byte(v >> 8), byte(v)}
}

func (g *arpStorm) step() error {
	g.now = g.now.Add(time.Duration(g.rnd.ExpFloat64() * float64(stormGap)))
	i := g.n
	g.n++
	vlan := uint16(100 * (i % stormSegs))
	sha := macOf(scramble(i, 40, stormKeySMAC))
	spa, tpa := stormIP(i, stormKeySIP), stormIP(i, stormKeyTIP)
	if err := g.arp(bcast, sha, vlan, 1, sha, spa, [6]byte{}, tpa); err != nil {
		return err
	}
	if g.rnd.IntN(stormAnswer) != 0 {
		return nil
	}
	g.replies++
	tha := macOf(scramble(i, 40, stormKeyTMAC))
	tha[0] |= 0x04 // apart from the senders' MACs
	g.now = g.now.Add(time.Duration(30+g.rnd.IntN(300)) * time.Microsecond)
	return g.arp(sha, tha, vlan, 2, tha, tpa, sha, spa)
}
