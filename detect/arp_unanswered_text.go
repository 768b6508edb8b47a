package detect

// arp-unanswered's explanation: who asked and how often, whether they still
// had a MAC for the address, how sure, and what next.

import (
	"fmt"
	"strings"
	"time"
)

// unansweredExplanation tells of episode ep and its top requesters; visible
// says the capture shows replies reaching them for other addresses.
func unansweredExplanation(ep *episode, top []requester, visible bool) string {
	var b strings.Builder
	span := fmtDur(time.Duration(ep.last - ep.first))
	if ep.count() == 1 {
		r := top[0]
		fmt.Fprintf(&b, "%s (%s) asked who has %s %s over %s and nothing answered.", r.addr(), r.mac, ep.ipKey(), plural(r.n, "time", "times"), span)
	} else {
		var who []string
		for _, r := range top {
			who = append(who, fmt.Sprintf("%s (%s) %s", r.addr(), r.mac, plural(r.n, "time", "times")))
		}
		if more := int64(ep.count()-len(top)) + ep.overflow(); more > 0 {
			who = append(who, fmt.Sprintf("and others %d times", ep.n-sumRequests(top)))
		}
		fmt.Fprintf(&b, "%s hosts asked who has %s, %s in all over %s, and nothing answered: %s.", ep.distinct(), ep.ipKey(), plural(ep.n, "time", "times"), span, strings.Join(who, ", "))
	}
	var talking []string
	for _, r := range top {
		switch {
		case r.unicast > 0 && r.probes > 0:
			talking = append(talking, fmt.Sprintf("%s sent %s to it unicast and %d of its requests went to a MAC (probes)", r.addr(), plural(r.unicast, "frame", "frames"), r.probes))
		case r.unicast > 0:
			talking = append(talking, fmt.Sprintf("%s sent %s to it unicast", r.addr(), plural(r.unicast, "frame", "frames")))
		case r.probes > 0:
			talking = append(talking, fmt.Sprintf("%s sent %s to a MAC (probes)", r.addr(), plural(r.probes, "of its requests", "of its requests")))
		}
	}
	if len(talking) > 0 {
		fmt.Fprintf(&b, " Not a host that never reached it: %s while asking, so it still had a MAC for %s — an entry being re-validated whose owner stopped answering, as when the address moved or its port went down.", strings.Join(talking, "; "), ep.ipKey().ip)
	} else {
		b.WriteString(" Its requests were all broadcast and it sent no unicast frame to that address while asking: it had no MAC for it, so nothing it had to send there left the host — every connection attempt to it fails before a packet leaves.")
	}
	b.WriteString(" A Linux host sends 3 broadcast requests, 1 s apart, per failed resolution, and tries again on the next packet it has to send.")
	if visible {
		b.WriteString(" The capture does show ARP replies reaching this host for other addresses, so the missing replies are not a capture artifact.")
	} else {
		b.WriteString(" The capture shows no ARP reply to this host at all; if it was filtered (e.g. on the requester's source address) replies would not appear — confidence is medium.")
	}
	fmt.Fprintf(&b, "\n\nNext: find who should own %s. For an OpenStack floating IP on OVN, the router's gateway port answers ARP for it through an ARP responder flow: check `ovn-nbctl show` for the router's gateway port and its NAT entry for %s, and `ovs-ofctl dump-flows br-int | grep arp_tpa=%s` for a responder flow (n_packets=0 means requests never matched it). For a plain host, check that it is up, on this VLAN, and not filtered by port security.",
		ep.ipKey().ip, ep.ipKey().ip, ep.ipKey().ip)
	return b.String()
}

func sumRequests(rs []requester) int64 {
	var n int64
	for _, r := range rs {
		n += r.n
	}
	return n
}
