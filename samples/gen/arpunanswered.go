package main

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"time"
)

// arpUnansweredStory is the first incident's symptom as CI recorded it: the
// devstack node's tcpdump on br-ex, exported from the journal, shows ARP
// requests for a floating IP that nothing answers — the router that should
// own it never got its gateway port — while tempest's SSH attempts fail.
type arpUnansweredStory struct {
	dir      string
	t0       time.Time
	node     string
	node0    host // br-ex of the devstack node
	gw       host // a working router gateway on the public network
	fip      netip.Addr
	otherFIP netip.Addr
	attempts int           // tempest SSH attempts
	every    time.Duration // between attempts
}

func arpUnansweredStories() []*arpUnansweredStory {
	return []*arpUnansweredStory{{
		dir:      "arp-unanswered",
		t0:       time.Date(2018, 9, 18, 17, 9, 17, 275597000, time.UTC),
		node:     "ubuntu-xenial-ovh-bhs1-0002095917",
		node0:    newHost("br-ex", "1e:d5:ec:49:df:4f", "172.24.5.1"),
		gw:       newHost("router-a qg-5b7e21c0-9d", "fa:16:3e:5b:7e:21", "172.24.5.8"),
		fip:      netip.MustParseAddr("172.24.5.11"),
		otherFIP: netip.MustParseAddr("172.24.5.13"),
		attempts: 15,
		every:    13 * time.Second,
	}}
}

func (s *arpUnansweredStory) write(out string) error {
	rng := rand.New(rand.NewPCG(1793499, 1735154))
	w := &tcpdumpText{host: s.node, pid: 28445}
	at := func(d time.Duration) time.Time { return s.t0.Add(d) }

	// Tempest: each SSH attempt makes the kernel resolve the FIP: three
	// broadcast requests a second apart (INCOMPLETE), then FAILED; the next
	// attempt starts it over. Nothing ever answers.
	for a := 0; a < s.attempts; a++ {
		base := time.Duration(a)*s.every + time.Duration(rng.IntN(900))*time.Millisecond
		if a == 0 {
			base = 0
		}
		for r := time.Duration(0); r < 3; r++ {
			jitter := time.Duration(rng.IntN(3000)) * time.Microsecond
			if a == 0 && r == 0 {
				jitter = 0 // the line quoted in the incident write-up
			}
			w.arpRequest(at(base+r*time.Second+jitter), s.node0, s.fip)
		}
	}
	// Meanwhile another test's FIP behind a router that is complete works:
	// resolved once, then pinged every two seconds.
	w.arpRequest(at(2*time.Second+140*time.Millisecond), s.node0, s.gw.ip)
	w.arpReply(at(2*time.Second+140*time.Millisecond+410*time.Microsecond), s.gw, s.node0.mac)
	end := time.Duration(s.attempts) * s.every
	for d, seq := 2200*time.Millisecond, 1; d < end; d, seq = d+2*time.Second, seq+1 {
		w.echo(at(d), s.node0, s.gw, s.node0.ip, s.otherFIP, 2573, seq, false)
		w.echo(at(d+time.Duration(500+rng.IntN(400))*time.Microsecond), s.gw, s.node0, s.otherFIP, s.node0.ip, 2573, seq, true)
	}

	dir := filepath.Join(out, s.dir)
	banner := []string{
		"tcpdump: verbose output suppressed, use -v or -vv for full protocol decode",
		"listening on br-ex, link-type EN10MB (Ethernet), capture size 262144 bytes",
	}
	journal := w.render(banner, s.t0.Add(-3*time.Minute), 500*time.Millisecond)
	if err := os.WriteFile(filepath.Join(dir, "tcpdump-br-ex.txt"), []byte(journal), 0o644); err != nil {
		return err
	}
	// Tempest's own verdict, with full dates (tempest.log).
	fail := at(end + 4*time.Second)
	tempest := fmt.Sprintf("%s %d INFO [tempest.lib.common.ssh] Creating ssh connection to '%s:22' as 'cirros' with public key authentication\n"+
		"%s %d WARNING [tempest.lib.common.ssh] Failed to establish authenticated ssh connection to cirros@%s ([Errno None] Unable to connect to port 22 on %s). Number attempts: 1. Retry after 2 seconds.\n"+
		"%s %d ERROR [tempest.lib.common.ssh] Failed to establish authenticated ssh connection to cirros@%s after %d attempts\n",
		tempestTime(at(-200*time.Millisecond)), 13788, s.fip,
		tempestTime(at(3200*time.Millisecond)), 13788, s.fip, s.fip,
		tempestTime(fail), 13788, s.fip, s.attempts)
	return os.WriteFile(filepath.Join(dir, "tempest.log"), []byte(tempest), 0o644)
}

// tempestTime is tempest's log timestamp: a comma before the milliseconds.
func tempestTime(t time.Time) string {
	return t.Format("2006-01-02 15:04:05") + fmt.Sprintf(",%03d", t.Nanosecond()/1e6)
}
