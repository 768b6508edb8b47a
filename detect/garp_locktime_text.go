package detect

// garp-locktime's explanation: how the burst was spaced, why a Linux peer
// ignores it, and what next.

import (
	"fmt"
	"time"

	"github.com/arpforensics/arpforensics/timeline"
)

// locktimeExplanation tells of the burst of GARPs for k between first and
// last, inside of which came within locktime of the one before.
func locktimeExplanation(k garpKey, burst []int, classes map[timeline.ARPClass]int, first, last time.Time, inside int, cfg *Config) string {
	flavour := "request-type"
	switch {
	case classes[timeline.ARPGarpReplyOtherTHA] > 0:
		flavour = "reply-type (with a target hardware address that is not the sender's, which no Linux kernel treats as gratuitous)"
	case classes[timeline.ARPGarpReply] > 0 && classes[timeline.ARPGarpRequest] > 0:
		flavour = "request- and reply-type"
	case classes[timeline.ARPGarpReply] > 0:
		flavour = "reply-type"
	}
	return fmt.Sprintf("%s at %s announced itself with %d %s gratuitous ARPs between %s and %s; %d of them followed the previous one within %s. A Linux peer applies an ARP packet that changes a neighbour entry's MAC only if the entry was last updated more than locktime (net.ipv4.neigh.*.locktime, 1 s by default) ago, unless it treats the packet as gratuitous — before Linux %s only request-type GARPs with arp_accept=1. Worse, before %s an ignored update still bumped the entry's timestamps (fixed by %s), so a burst spaced within locktime can be ignored from the first GARP to the last, and peers keep the old MAC.\n\nNext: if a peer kept using an old MAC for %s (see stale-mac and missing-probe findings), this burst is why. Space announcements more than 1 s apart (iputils arping -i, or Neutron's fix: arping -U then -A with 2 s sleeps) and send both flavours.",
		k.ip, k.mac, len(burst), flavour, first.Format("15:04:05.000"), last.Format("15:04:05.000"),
		inside, fmtDur(cfg.Locktime+cfg.LocktimeSlack), linuxFix.version, linuxFix.version, linuxFix.timestamps, k.ip)
}
