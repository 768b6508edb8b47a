package detect

// The neighbour-table half of missing-probe: each entry's STALE → (DELAY →)
// REACHABLE cycles, found in one pass over the neighbour records.

import (
	"net/netip"
	"slices"
	"time"

	"github.com/arpforensics/arpforensics/internal/evict"
	"github.com/arpforensics/arpforensics/timeline"
)

// neighSeq is one neighbour entry (IP, device) as one source shows it. The
// pass keeps only the entry's last two observations, the cycles found so
// far and its resets, so a monitor flood over many addresses costs a few
// dozen bytes an entry, not a copy of every line.
type neighSeq struct {
	src    int32
	dev    string
	ip     netip.Addr
	last   [2]neighStep // the latest observations, newest last
	n      int          // observations so far
	found  []neighCycle
	resets []int // *timeline.NeighReset events
	used   int   // the last event of the entry
	gone   bool  // forgotten to stay bounded (see maxNeighEntries)
}

// The pass's memory is bounded whatever the number of entries a source
// names (a monitor log over an address scan names millions): past
// maxNeighEntries, the entries without a cycle found that were seen the
// longest ago are forgotten (a cycle of theirs still to come is missed),
// and past maxNeighIPs a host's further addresses are not kept for telling
// its capture by the ARP requests it sends.
// Variables so that tests can lower them.
var (
	maxNeighEntries = 256 << 10
	maxNeighIPs     = 256 << 10
)

// neighStep is what cycle detection needs of one observation, its times as
// the record holds them (a monitor flood keeps two per entry over hundreds
// of thousands of entries: three time.Time were two thirds of the pass's
// memory).
type neighStep struct {
	idx      int
	at, end  int64         // the event's time and the last listing it spans (Record.T, Record.LastNano)
	gap      time.Duration // how long before at the state began, from `ip -s` ages, when gapKnown
	op       timeline.NeighOp
	state    timeline.NUD
	form     timeline.NeighForm
	hasLL    bool
	gapKnown bool
	ll       timeline.MAC
}

func (x *neighStep) atTime() time.Time  { return timeline.NanoTime(x.at) }
func (x *neighStep) endTime() time.Time { return timeline.NanoTime(x.end) }

// since is when the state began (timeline.Neigh.Since); zero if unknown.
func (x *neighStep) since() time.Time {
	if !x.gapKnown {
		return time.Time{}
	}
	return x.atTime().Add(-x.gap)
}

// mpNeigh is the first pass's result: the sequences in the order the
// entries first appear, and what it learnt of the sources on the way.
type mpNeigh struct {
	seqs      []*neighSeq
	probeSeen []bool // per source: it shows a PROBE state somewhere
	neighIPs  map[string]map[netip.Addr]bool
}

// neighSequences reads the timeline's neighbour events once, per source,
// device and IP, finding each entry's cycles as its observations arrive.
func neighSequences(tl *timeline.Timeline, facts *runFacts) mpNeigh {
	// An entry is found by its source, device id and address as the
	// record holds them: a key of plain bytes, hashed as such, where the
	// device's name and a netip.Addr made every lookup hash a string and
	// the map a thing for the collector to scan.
	type key struct {
		src int32
		dev uint32
		ip  [16]byte
		is4 bool // 10.0.0.1 and ::ffff:10.0.0.1 are two entries
	}
	res := mpNeigh{probeSeen: make([]bool, len(tl.Sources)), neighIPs: map[string]map[netip.Addr]bool{}}
	byKey := map[key]*neighSeq{}
	ipsOf := make([]map[netip.Addr]bool, len(tl.Sources)) // res.neighIPs of each source's vantage point
	var forgotten int
	limit := maxNeighEntries // raised when entries with cycles fill it
	forget := func() {
		// Entries with a cycle found are what the pass is for: they stay.
		age := func(s *neighSeq) (int64, bool) { return int64(s.used), len(s.found) == 0 }
		forgotten += evict.OlderHalf(byKey, age, func(_ key, s *neighSeq) { s.gone = true })
		res.seqs = slices.DeleteFunc(res.seqs, func(s *neighSeq) bool { return s.gone })
		limit = max(maxNeighEntries, 2*len(byKey))
	}
	get := func(k key, r *timeline.Record, i int) *neighSeq {
		s := byKey[k]
		if s == nil {
			if len(byKey) >= limit {
				forget()
			}
			s = &neighSeq{src: k.src, dev: tl.NeighDev(r), ip: r.NeighIP()}
			byKey[k] = s
			res.seqs = append(res.seqs, s)
			ips := ipsOf[k.src]
			if ips == nil {
				h := tl.Sources[k.src].VantageKey()
				if ips = res.neighIPs[h]; ips == nil {
					ips = map[netip.Addr]bool{}
					res.neighIPs[h] = ips
				}
				ipsOf[k.src] = ips
			}
			if len(ips) < maxNeighIPs {
				ips[s.ip] = true
			}
		}
		s.used = i
		return s
	}
	for i, r := range tl.RecordsOf(timeline.Kinds(timeline.KindNeigh)) {
		o, ok := r.NeighObs()
		if !ok {
			continue
		}
		s := get(key{r.Src, o.Dev, o.IP, o.Is4}, r, i)
		if o.Reset {
			s.resets = append(s.resets, i)
			continue
		}
		if o.State&timeline.NUDProbe != 0 {
			res.probeSeen[r.Src] = true
		}
		s.observe(neighStep{idx: i, op: o.Op, state: o.State, form: o.Form,
			hasLL: o.HasLL, ll: o.LL, at: r.T, end: r.LastNano(), gap: o.Gap, gapKnown: o.GapKnown})
	}
	if forgotten > 0 && facts != nil {
		facts.note("missing-probe: more than %d neighbour entries at once; the %d without a STALE → REACHABLE cycle that were seen the longest ago were forgotten, so a cycle of one of them completed later is not counted", maxNeighEntries, forgotten)
	}
	return res
}

// observe adds the entry's next observation c and records the cycle it
// completes: STALE → DELAY → REACHABLE in listings, STALE → REACHABLE in
// monitor output (which never reports DELAY), all on one MAC. Anything else
// in between — a PROBE, a deletion, a `miss` (the kernel asking user space
// to resolve) — breaks the pattern: the kernel did try.
func (s *neighSeq) observe(c neighStep) {
	listedLL := func(x *neighStep, form timeline.NeighForm, state timeline.NUD, mac timeline.MAC) bool {
		return x.op == timeline.NeighListed && x.form == form && x.state == state && x.hasLL && x.ll == mac
	}
	if s.n >= 2 {
		a, b := &s.last[0], &s.last[1]
		if a.form == timeline.NeighSnapshot && listedLL(a, a.form, timeline.NUDStale, a.ll) &&
			listedLL(b, a.form, timeline.NUDDelay, a.ll) && listedLL(&c, a.form, timeline.NUDReachable, a.ll) {
			cy := neighCycle{seq: s, stale: a.idx, delay: b.idx, reach: c.idx, mac: a.ll,
				from: a.atTime(), to: c.atTime(), useFrom: b.since(), confirmed: c.since()}
			if cy.useFrom.IsZero() {
				cy.useFrom = cy.from
			}
			if cy.confirmed.IsZero() {
				cy.confirmed = b.endTime()
			}
			s.found = append(s.found, cy)
		}
	}
	if s.n >= 1 {
		a := &s.last[1]
		if a.form == timeline.NeighMonitor && listedLL(a, a.form, timeline.NUDStale, a.ll) && listedLL(&c, a.form, timeline.NUDReachable, a.ll) {
			s.found = append(s.found, neighCycle{seq: s, stale: a.idx, delay: -1, reach: c.idx, mac: a.ll, monitor: true,
				from: a.atTime(), to: c.atTime(), useFrom: a.atTime(), confirmed: c.atTime()})
		}
	}
	s.last[0], s.last[1] = s.last[1], c
	s.n++
}

// neighCycle is one trip of an entry from STALE back to REACHABLE on the
// same MAC without a PROBE.
type neighCycle struct {
	seq                 *neighSeq
	stale, delay, reach int // event indices; delay is -1 for monitor output
	mac                 timeline.MAC
	monitor             bool
	from, to            time.Time // STALE first shown … REACHABLE first shown
	// useFrom is the earliest the entry can have entered DELAY (the first
	// packet after STALE): the last listing still showing STALE, or the
	// STALE notification.
	useFrom time.Time
	// confirmed is when the entry had surely not yet gone back to
	// REACHABLE: the last listing before it showed REACHABLE (the change
	// lies after it), or the exact notification time.
	confirmed time.Time
}
