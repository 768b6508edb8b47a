package main

import (
	"math/rand/v2"
	"net/netip"
	"path/filepath"
	"time"
)

// fipStory is the second incident as facts: a tempest node keeps talking to
// a floating IP after it moved from one router's gateway port to another's.
// The capture and the neighbour dumps (written elsewhere in this package)
// are rendered from the same facts so they agree to the microsecond.
type fipStory struct {
	dir     string
	healthy bool // the observer's kernel probes and recovers
	t0      time.Time

	observer host // the tempest node (br-ex)
	oldGW    host // the old router's gateway port: owns the FIP until the move
	newGW    host // the new router's gateway port: owns the FIP after it
	otherGW  host // a third router whose FIP keeps working throughout
	fip      netip.Addr
	otherFIP netip.Addr

	// Offsets from t0.
	oldConfirm time.Duration   // the old owner's last ARP to the observer: refreshes the entry just before the move
	garps      []time.Duration // the new owner's reply-type GARPs (arping -A -c 3: one a second)
	sshStart   time.Duration   // tempest starts its ping check and SSH attempts
	pingFor    time.Duration   // how long tempest pings before trying SSH
	sshEvery   time.Duration   // a new SSH connection attempt this often
	sshUntil   time.Duration   // tempest gives up (ssh_timeout)
	end        time.Duration   // the capture stops

	// Healthy kernel only: DELAY → PROBE at probeAt, three unicast probes a
	// second apart, FAILED, then a broadcast request the new owner answers.
	probeAt    time.Duration
	resolvedAt time.Duration
}

func fipStories() []*fipStory {
	base := fipStory{
		t0:         time.Date(2017, 5, 16, 14, 30, 0, 0, time.UTC),
		observer:   newHost("tempest", "52:54:00:6b:1e:01", "172.24.5.1"),
		oldGW:      newHost("router-1 qg-4d2a91f3-0e", "fa:16:3e:4d:2a:91", "172.24.5.10"),
		newGW:      newHost("router-2 qg-c7053b88-41", "fa:16:3e:c7:05:3b", "172.24.5.20"),
		otherGW:    newHost("router-3 qg-085e1777-d2", "fa:16:3e:08:5e:17", "172.24.5.30"),
		fip:        netip.MustParseAddr("172.24.5.11"),
		otherFIP:   netip.MustParseAddr("172.24.5.12"),
		oldConfirm: 74600 * time.Millisecond,
		garps:      []time.Duration{75 * time.Second, 76 * time.Second, 77 * time.Second},
		sshStart:   78 * time.Second,
		pingFor:    2 * time.Second,
		sshEvery:   20 * time.Second,
		sshUntil:   378 * time.Second,
		end:        390 * time.Second,
	}
	broken := base
	broken.dir = "fip-reuse"
	healthy := base
	healthy.dir = "fip-reuse-healthy"
	healthy.healthy = true
	healthy.probeAt = 85 * time.Second
	healthy.resolvedAt = 88 * time.Second
	return []*fipStory{&broken, &healthy}
}

func (s *fipStory) at(d time.Duration) time.Time { return s.t0.Add(d) }

// macFor is the MAC the observer's kernel uses for the FIP at offset d.
func (s *fipStory) macFor(d time.Duration) host {
	if s.healthy && d >= s.resolvedAt {
		return s.newGW
	}
	return s.oldGW
}

// reachable reports whether a frame sent to the FIP at offset d arrives at
// its current owner (and so is answered).
func (s *fipStory) reachable(d time.Duration) bool {
	return d < s.garps[0] || s.macFor(d).ip == s.newGW.ip
}

func (s *fipStory) write(out string) error {
	rng := rand.New(rand.NewPCG(17, uint64(len(s.dir))))
	var c capture
	jit := func() time.Duration { return time.Duration(rng.IntN(400)) * time.Microsecond }

	// The observer resolves both FIPs at the start of the run.
	c.add(s.at(0), whoHas(s.observer, s.fip, nil))
	c.add(s.at(412*time.Microsecond), isAt(s.oldGW, s.fip, s.observer))
	c.add(s.at(time.Second), whoHas(s.observer, s.otherFIP, nil))
	c.add(s.at(time.Second+388*time.Microsecond), isAt(s.otherGW, s.otherFIP, s.observer))

	// A working SSH session to the FIP while it is still on router 1.
	s.session(&c, rng, 200*time.Millisecond, 58*time.Second, 43210, s.oldGW)

	// Background: a ping to the other FIP every second, always answered.
	for d, seq := 2*time.Second, uint16(1); d < s.end; d, seq = d+time.Second, seq+1 {
		c.add(s.at(d+jit()), icmpEcho(s.observer, s.otherGW, s.observer.ip, s.otherFIP, 4711, seq, false))
		c.add(s.at(d+600*time.Microsecond+jit()), icmpEcho(s.otherGW, s.observer, s.otherFIP, s.observer.ip, 4711, seq, true))
	}

	// Just before the move the old owner refreshes the observer's entry for
	// the FIP (its namespace probes its own neighbour and the observer answers):
	// the entry's timestamps are now fresh, so the GARPs land inside locktime.
	c.add(s.at(s.oldConfirm), arpFrame(1, s.oldGW.mac, s.observer.mac, s.oldGW.mac, s.fip, nil, s.observer.ip))
	c.add(s.at(s.oldConfirm+90*time.Microsecond), isAt(s.observer, s.observer.ip, host{mac: s.oldGW.mac, ip: s.fip}))

	// The FIP moves to router 2, whose L3 agent runs `arping -A -c 3`.
	for _, g := range s.garps {
		c.add(s.at(g), garpReply(s.newGW, s.fip))
	}

	// Tempest: a ping check, then SSH attempts until ssh_timeout.
	for d, seq := s.sshStart, uint16(1); d < s.sshStart+s.pingFor; d, seq = d+time.Second, seq+1 {
		s.ping(&c, rng, d, seq)
	}
	port, isn := uint16(47000), uint32(2_000_000_000)
	for d := s.sshStart + s.pingFor; d < s.sshUntil; d += s.sshEvery {
		if s.healthy && d > s.resolvedAt {
			// Connectivity is back: the next attempt logs in.
			s.session(&c, rng, d, s.end-time.Second, port, s.newGW)
			break
		}
		s.attempt(&c, rng, d, port, isn)
		port++
		isn += 1_234_567_891
	}

	if s.healthy {
		// DELAY → PROBE: three unicast requests to the cached (old) MAC, no
		// answer, FAILED, then INCOMPLETE broadcasts one and the new owner answers.
		for i := time.Duration(0); i < 3; i++ {
			c.add(s.at(s.probeAt+i*time.Second), whoHas(s.observer, s.fip, s.oldGW.mac))
		}
		c.add(s.at(s.resolvedAt), whoHas(s.observer, s.fip, nil))
		c.add(s.at(s.resolvedAt+520*time.Microsecond), isAt(s.newGW, s.fip, s.observer))
		return c.writePcapNG(filepath.Join(out, s.dir, "tempest-br-ex.pcapng"), "br-ex")
	}
	return c.writePcap(filepath.Join(out, s.dir, "tempest-br-ex.pcap"))
}

// ping sends one echo request to the FIP through whatever MAC the
// observer's kernel holds; it is answered only if that MAC is the owner's.
func (s *fipStory) ping(c *capture, rng *rand.Rand, d time.Duration, seq uint16) {
	gw := s.macFor(d)
	c.add(s.at(d), icmpEcho(s.observer, gw, s.observer.ip, s.fip, 5150, seq, false))
	if s.reachable(d) {
		c.add(s.at(d+700*time.Microsecond+time.Duration(rng.IntN(300))*time.Microsecond),
			icmpEcho(gw, s.observer, s.fip, s.observer.ip, 5150, seq, true))
	}
}

// attempt is one SSH connection attempt: a SYN and Linux's retransmissions
// (1, 2, 4, 8 s backoff) until tempest's connect timeout; answered only
// once the observer uses the owner's MAC.
func (s *fipStory) attempt(c *capture, rng *rand.Rand, d time.Duration, port uint16, isn uint32) {
	for n, back := range []time.Duration{0, time.Second, 3 * time.Second, 7 * time.Second, 15 * time.Second} {
		t := d + back + time.Duration(rng.IntN(2000))*time.Microsecond
		gw := s.macFor(t)
		c.add(s.at(t), tcpFrame(s.observer, gw, tcpSeg{srcIP: s.observer.ip, dstIP: s.fip, sport: port, dport: 22,
			seq: isn, syn: true, tsval: uint32(t/time.Millisecond) + 90210, ipid: uint16(n)}))
		if s.reachable(t) {
			c.add(s.at(t+800*time.Microsecond), tcpFrame(gw, s.observer, tcpSeg{srcIP: s.fip, dstIP: s.observer.ip, sport: 22, dport: port,
				seq: isn ^ 0x5a5a5a5a, ack: isn + 1, syn: true, ackf: true, tsval: 777, tsecr: uint32(t/time.Millisecond) + 90210}))
			return
		}
	}
}

// session is a working SSH session over [from, to): handshake, then
// request/response data every few hundred milliseconds, then FIN.
func (s *fipStory) session(c *capture, rng *rand.Rand, from, to time.Duration, port uint16, gw host) {
	cs, ss := uint32(3_000_000_000)+uint32(port), uint32(1_500_000_000)+uint32(port)
	o, f := s.observer, s.fip
	c.add(s.at(from), tcpFrame(o, gw, tcpSeg{srcIP: o.ip, dstIP: f, sport: port, dport: 22, seq: cs, syn: true, tsval: 1}))
	c.add(s.at(from+700*time.Microsecond), tcpFrame(gw, o, tcpSeg{srcIP: f, dstIP: o.ip, sport: 22, dport: port, seq: ss, ack: cs + 1, syn: true, ackf: true, tsval: 2, tsecr: 1}))
	cs++
	ss++
	c.add(s.at(from+900*time.Microsecond), tcpFrame(o, gw, tcpSeg{srcIP: o.ip, dstIP: f, sport: port, dport: 22, seq: cs, ack: ss, ackf: true}))
	for d := from + 50*time.Millisecond; d < to; d += time.Duration(150+rng.IntN(350)) * time.Millisecond {
		n := 36 + rng.IntN(200)
		c.add(s.at(d), tcpFrame(o, gw, tcpSeg{srcIP: o.ip, dstIP: f, sport: port, dport: 22, seq: cs, ack: ss, ackf: true, psh: true, payload: n}))
		cs += uint32(n)
		m := 36 + rng.IntN(400)
		c.add(s.at(d+time.Duration(600+rng.IntN(600))*time.Microsecond), tcpFrame(gw, o, tcpSeg{srcIP: f, dstIP: o.ip, sport: 22, dport: port, seq: ss, ack: cs, ackf: true, psh: true, payload: m}))
		ss += uint32(m)
	}
	c.add(s.at(to), tcpFrame(o, gw, tcpSeg{srcIP: o.ip, dstIP: f, sport: port, dport: 22, seq: cs, ack: ss, ackf: true, fin: true}))
	c.add(s.at(to+600*time.Microsecond), tcpFrame(gw, o, tcpSeg{srcIP: f, dstIP: o.ip, sport: 22, dport: port, seq: ss, ack: cs + 1, ackf: true, fin: true}))
}
