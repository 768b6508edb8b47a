package detect

// How missing-probe recognises a host in the captures: the MACs and IPs
// its own frames come from.

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/arpforensics/arpforensics/timeline"
)

// hostIdentity is how a host shows up in captures: the MACs that send its
// frames and the IPs they come from.
type hostIdentity struct {
	macs     map[timeline.MAC]bool
	ips      map[netip.Addr]bool
	how      string  // how the MACs were recognised, for the explanation
	captures []int32 // the host's own capture sources
}

func (id *hostIdentity) known() bool { return len(id.macs) > 0 }

func (id *hostIdentity) macList() string {
	var ms []string
	for m := range id.macs {
		ms = append(ms, m.String())
	}
	slices.Sort(ms)
	return strings.Join(ms, ", ")
}

// frameKinds are the kinds of capture events (ARP, usage, TCP).
var frameKinds = timeline.Kinds(timeline.KindARP, timeline.KindUsage, timeline.KindTCP)

// frameLink returns the link-layer facts and the sender IP of a capture
// event (Link.Iface left empty).
func frameLink(r *timeline.Record) (l timeline.Link, srcIP netip.Addr, ok bool) {
	switch r.Kind {
	case timeline.KindARP:
		d, _ := r.ARPRec()
		return d.Link, d.SPA, true
	case timeline.KindUsage:
		d, _ := r.UsageRec()
		return d.Link, d.SrcIP, true
	case timeline.KindTCP:
		d, _ := r.TCPRec()
		return d.Link, d.SrcIP, true
	}
	return l, srcIP, false
}

// identity finds the host's MACs in its own captures (sources with the same
// host label): the observer in a capture is the MAC that sends the host's
// frames. In order of strength: frames the capture marks outgoing (Linux
// cooked captures, pcapng flags); the senders of the frames addressed to
// the neighbour's IP (only the host itself sends its traffic to a
// neighbour, as far as the host's own capture shows); the senders of ARP
// requests for the IPs the host's neighbour table lists.
func (w *mpWorld) identity(host string, x netip.Addr) *hostIdentity {
	if id, ok := w.ids[hostIP{host, x}]; ok {
		return id
	}
	id := &hostIdentity{macs: map[timeline.MAC]bool{}, ips: map[netip.Addr]bool{}}
	w.ids[hostIP{host, x}] = id
	mine := make([]bool, len(w.tl.Sources))
	for i, s := range w.tl.Sources {
		if w.capture[i] && s.VantageKey() == host {
			mine[i] = true
			id.captures = append(id.captures, int32(i))
		}
	}
	if len(id.captures) == 0 {
		return id
	}
	// Rules in order of strength. The first and last depend on the host
	// alone, so their findings are computed once per host (hostRule); the
	// second reads only the events concerning x, from the timeline's
	// index. Scanning the timeline per (host, IP) pair was quadratic in the
	// neighbour entries a host lists.
	type found struct {
		macs map[timeline.MAC]bool
		ips  map[netip.Addr]bool
	}
	scan := func(events []int32, match func(r *timeline.Record, l *timeline.Link) bool) found {
		f := found{map[timeline.MAC]bool{}, map[netip.Addr]bool{}}
		for _, i := range events {
			r := w.tl.Record(int(i))
			if !mine[r.Src] {
				continue
			}
			if l, ip, ok := frameLink(&r); ok && !l.Src.IsZero() && match(&r, &l) {
				f.macs[l.Src] = true
				if ip.IsValid() && !ip.IsUnspecified() {
					f.ips[ip] = true
				}
			}
		}
		return f
	}
	perHost := func(rule int, match func(r *timeline.Record, l *timeline.Link) bool) found {
		k := hostRuleKey{host, rule}
		if f, ok := w.hostRules[k]; ok {
			return found{f.macs, f.ips}
		}
		f := scan(w.captureEvents(host, mine), match)
		w.hostRules[k] = &hostIdentity{macs: f.macs, ips: f.ips}
		return f
	}
	rules := []struct {
		how  string
		find func() found
	}{
		{"sends the frames its capture marks outgoing", func() found {
			return perHost(0, func(_ *timeline.Record, l *timeline.Link) bool { return l.Direction == timeline.DirOutgoing })
		}},
		{fmt.Sprintf("sends the frames addressed to %s in its capture", x), func() found {
			return scan(w.byIP(x), func(r *timeline.Record, _ *timeline.Link) bool {
				if d, ok := r.UsageRec(); ok {
					return d.DstIP == x
				}
				if d, ok := r.TCPRec(); ok {
					return d.DstIP == x && d.What != timeline.TCPSynAck
				}
				return false
			})
		}},
		{"sends ARP requests for its neighbours in its capture", func() found {
			return perHost(2, func(r *timeline.Record, _ *timeline.Link) bool {
				a, ok := r.ARPRec()
				return ok && a.Class == timeline.ARPRequest && w.neighIPs[host][a.TPA]
			})
		}},
	}
	for _, r := range rules {
		f := r.find()
		if len(f.macs) == 0 {
			continue
		}
		for m := range f.macs {
			id.macs[m] = true
		}
		for ip := range f.ips {
			id.ips[ip] = true
		}
		id.how = r.how
		break
	}
	return id
}

// hostRuleKey caches a host-only identity rule's result.
type hostRuleKey struct {
	host string
	rule int
}

// captureEvents lists, once per host, the indexes of the frame events in the
// host's own captures.
func (w *mpWorld) captureEvents(host string, mine []bool) []int32 {
	if evs, ok := w.hostFrames[host]; ok {
		return evs
	}
	var evs []int32
	for i, r := range w.tl.RecordsOf(frameKinds) {
		if mine[r.Src] {
			evs = append(evs, int32(i))
		}
	}
	w.hostFrames[host] = evs
	return evs
}

// sentBy reports whether the capture event r was sent by the host. Without
// a known MAC, frames in the host's own capture that are not marked incoming
// count as the host's.
func (w *mpWorld) sentBy(id *hostIdentity, r *timeline.Record) bool {
	l, ip, ok := frameLink(r)
	if !ok {
		return false
	}
	if id.known() {
		return id.macs[l.Src] || (ip.IsValid() && id.ips[ip])
	}
	return slices.Contains(id.captures, r.Src) && l.Direction != timeline.DirIncoming
}

// covered reports the host's capture source that spans [from, to], or -1.
func (w *mpWorld) covered(id *hostIdentity, from, to time.Time) int32 {
	slack := w.cfg.NeighSlack
	for _, s := range id.captures {
		src := w.tl.Sources[s]
		if !src.First.IsZero() && !src.First.After(from.Add(slack)) && !src.Last.Before(to.Add(-slack)) {
			return s
		}
	}
	return -1
}
