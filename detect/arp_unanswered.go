package detect

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/arpforensics/arpforensics/timeline"
)

// arpUnanswered finds hosts whose ARP requests for an address got no reply:
// the symptom of an IP nobody answers for — in OVN, a floating IP whose
// router has no gateway port, so no ARP responder flow exists for it.
type arpUnanswered struct{}

func (arpUnanswered) Name() string { return "arp-unanswered" }

func (arpUnanswered) Describe() string {
	return "ARP requests for an IP got no reply in the capture"
}

// episodeGap splits one requester's requests for one IP into separate
// attempts: the kernel retries a failed resolution on the next packet, and
// a pause longer than this starts a new attempt.
const episodeGap = 60 * time.Second

type episode struct {
	requester timeline.MAC
	key       ipKey
	reqs      []int
	last      time.Time // the last request's time
	answered  bool
}

func (arpUnanswered) Detect(tl *timeline.Timeline, cfg *Config) []Finding {
	type rk struct {
		mac timeline.MAC
		key ipKey
	}
	open := map[rk]*episode{}
	var done []*episode
	// replies[ipKey] = times the IP's binding was announced (replies, GARPs).
	replies := map[ipKey][]time.Time{}
	repliesTo := map[timeline.MAC]int{} // replies seen addressed to a MAC: proof the capture shows them
	for i, rec := range tl.Records(0, -1) {
		a, ok := rec.ARPRec()
		if !ok {
			continue
		}
		t := rec.Time()
		if a.Class.Announces() && a.SPA.Is4() {
			k := ipKey{a.SPA, a.VLAN}
			replies[k] = append(replies[k], t)
			if a.Class == timeline.ARPReply {
				repliesTo[a.THA]++
			}
			continue
		}
		if a.Class != timeline.ARPRequest || !a.TPA.Is4() || a.TPA.IsUnspecified() {
			continue
		}
		r := rk{a.SHA, ipKey{a.TPA, a.VLAN}}
		ep := open[r]
		if ep != nil && t.Sub(ep.last) > episodeGap {
			done = append(done, ep)
			ep = nil
		}
		if ep == nil {
			ep = &episode{requester: a.SHA, key: r.key}
			open[r] = ep
		}
		ep.reqs = append(ep.reqs, i)
		ep.last = t
	}
	for _, ep := range open {
		done = append(done, ep)
	}

	var out []Finding
	for _, ep := range done {
		first := eventTime(tl, ep.reqs[0])
		if answeredWithin(replies[ep.key], first, ep.last.Add(cfg.UnansweredWait)) {
			continue
		}
		// Requests so close to the end of their capture that a reply could
		// still have come after it are not judged.
		judged := 0
		for _, i := range ep.reqs {
			if !eventTime(tl, i).Add(cfg.UnansweredWait).After(tl.Source(i).Last) {
				judged++
			}
		}
		if judged == 0 {
			continue
		}
		out = append(out, unansweredFinding(tl, ep, repliesTo[ep.requester] > 0))
	}
	slices.SortFunc(out, func(a, b Finding) int { return cmp.Compare(a.Start.UnixNano(), b.Start.UnixNano()) })
	return out
}

func answeredWithin(ts []time.Time, from, to time.Time) bool {
	i, _ := slices.BinarySearchFunc(ts, from, func(t, x time.Time) int { return t.Compare(x) })
	return i < len(ts) && !ts[i].After(to)
}

func unansweredFinding(tl *timeline.Timeline, ep *episode, repliesVisible bool) Finding {
	n := int64(len(ep.reqs))
	first := tl.Record(ep.reqs[0])
	req, _ := first.ARPRec()
	sev := Low
	if n >= 3 {
		sev = Medium // a whole resolution (3 broadcast requests) failed at least once
	}
	conf := ConfMedium
	if repliesVisible {
		conf = ConfHigh // the capture does show replies to this requester, just none for this IP
	}
	span := ep.last.Sub(first.Time())
	f := Finding{
		Severity: sev, Confidence: conf, Start: first.Time(), End: ep.last,
		Title: fmt.Sprintf("ARP for %s from %s (%s) went unanswered: %s over %s", ep.key, req.SPA, ep.requester,
			plural(n, "request", "requests"), fmtDur(span)),
	}
	f.Subject.Set("ip", ep.key.ip.String())
	f.Subject.Set("requester_mac", ep.requester.String())
	f.Subject.Set("requests", n)
	f.Explanation = unansweredExplanation(ep, req.SPA, n, span, repliesVisible)
	for _, i := range capEvidence(ep.reqs, 3, 1) {
		f.Evidence = append(f.Evidence, EventEvidence(tl, i))
	}
	return f
}

func unansweredExplanation(ep *episode, from netip.Addr, n int64, span time.Duration, repliesVisible bool) string {
	s := fmt.Sprintf("%s (%s) asked who has %s %s over %s and nothing answered, so it could not send anything to that address: every connection attempt to it fails before a packet leaves. A Linux host sends 3 broadcast requests, 1 s apart, per failed resolution, and tries again on the next packet it has to send.",
		from, ep.requester, ep.key, plural(n, "time", "times"), fmtDur(span))
	if repliesVisible {
		s += " The capture does show ARP replies reaching this host for other addresses, so the missing replies are not a capture artifact."
	} else {
		s += " The capture shows no ARP reply to this host at all; if it was filtered (e.g. on the requester's source address) replies would not appear — confidence is medium."
	}
	s += fmt.Sprintf("\n\nNext: find who should own %s. For an OpenStack floating IP on OVN, the router's gateway port answers ARP for it through an ARP responder flow: check `ovn-nbctl show` for the router's gateway port and its NAT entry for %s, and `ovs-ofctl dump-flows br-int | grep arp_tpa=%s` for a responder flow (n_packets=0 means requests never matched it). For a plain host, check that it is up, on this VLAN, and not filtered by port security.",
		ep.key.ip, ep.key.ip, ep.key.ip)
	return s
}
