package detect

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/arpforensics/arpforensics/timeline"
)

// missingProbe reads neighbour-table evidence (the `date; ip neigh` loop,
// `ip monitor neigh`) for the kernel half of the floating-IP failure: a
// host's entry for an IP keeps the old MAC through STALE → DELAY → REACHABLE
// cycles and never reaches PROBE — the state that would send unicast
// requests to the old MAC, fail and re-resolve — while the IP has been
// announced at another MAC or the host's traffic to it goes unanswered.
//
// DELAY → REACHABLE without a probe is by itself normal: TCP's forward
// progress confirms the entry (dst_confirm), so a working flow never probes.
// Only together with the IP having moved, or the flow getting no answers,
// does the pattern mean the entry is being confirmed by something that is
// not its owner.
//
// Severity is high: the pattern is the hard connectivity failure of the
// incident — every packet to the IP goes to a MAC that no longer owns it,
// for as long as the loop lasts (minutes, or hours on the kernels that had
// the bug), and nothing in the host recovers from it by itself.
type missingProbe struct{}

func (missingProbe) Name() string { return "missing-probe" }

func (missingProbe) Describe() string {
	return "a host's neighbour entry cycles STALE → DELAY → REACHABLE on an IP's old MAC without ever probing, while the IP was announced at another MAC or the host's traffic to it went unanswered"
}

func (missingProbe) Thresholds() []Threshold {
	return []Threshold{
		{Name: "neigh_slack", Help: "missing-probe: slack around a neighbour cycle when looking for the host's ARP requests and traffic",
			Duration: func(c *Config) *time.Duration { return &c.NeighSlack }},
		{Name: "pinned_updated", Help: "missing-probe: the largest `ip -s` updated age read as pinned by ignored ARP updates",
			Duration: func(c *Config) *time.Duration { return &c.PinnedUpdated }},
	}
}

// delayFirstProbe is the kernel's delay_first_probe_time: how long an entry
// sits in DELAY, and how far back a SYN can have triggered it.
const delayFirstProbe = 5 * time.Second

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
}

// neighStep is what cycle detection needs of one observation.
type neighStep struct {
	idx   int
	op    timeline.NeighOp
	state timeline.NUD
	form  timeline.NeighForm
	hasLL bool
	ll    timeline.MAC
	at    time.Time // the event's time
	since time.Time // when the state began, from `ip -s` ages; zero if unknown
	end   time.Time // the last listing the event spans
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
func neighSequences(tl *timeline.Timeline) mpNeigh {
	type key struct {
		src int32
		dev string
		ip  netip.Addr
	}
	res := mpNeigh{probeSeen: make([]bool, len(tl.Sources)), neighIPs: map[string]map[netip.Addr]bool{}}
	byKey := map[key]*neighSeq{}
	get := func(k key) *neighSeq {
		s := byKey[k]
		if s == nil {
			s = &neighSeq{src: k.src, dev: k.dev, ip: k.ip}
			byKey[k] = s
			res.seqs = append(res.seqs, s)
			h := tl.Sources[k.src].VantageKey()
			if res.neighIPs[h] == nil {
				res.neighIPs[h] = map[netip.Addr]bool{}
			}
			res.neighIPs[h][k.ip] = true
		}
		return s
	}
	for i, r := range tl.RecordsOf(timeline.Kinds(timeline.KindNeigh)) {
		switch d := tl.PayloadOf(r).(type) {
		case *timeline.Neigh:
			if d.State&timeline.NUDProbe != 0 {
				res.probeSeen[r.Src] = true
			}
			t := r.Time()
			get(key{r.Src, d.Dev, d.IP}).observe(neighStep{idx: i, op: d.Op, state: d.State, form: d.Form,
				hasLL: d.HasLL, ll: d.LLAddr, at: t, since: d.Since(t), end: r.LastTime()})
		case *timeline.NeighReset:
			s := get(key{r.Src, d.Dev, d.IP})
			s.resets = append(s.resets, i)
		}
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
				from: a.at, to: c.at, useFrom: b.since, confirmed: c.since}
			if cy.useFrom.IsZero() {
				cy.useFrom = cy.from
			}
			if cy.confirmed.IsZero() {
				cy.confirmed = b.end
			}
			s.found = append(s.found, cy)
		}
	}
	if s.n >= 1 {
		a := &s.last[1]
		if a.form == timeline.NeighMonitor && listedLL(a, a.form, timeline.NUDStale, a.ll) && listedLL(&c, a.form, timeline.NUDReachable, a.ll) {
			s.found = append(s.found, neighCycle{seq: s, stale: a.idx, delay: -1, reach: c.idx, mac: a.ll, monitor: true,
				from: a.at, to: c.at, useFrom: a.at, confirmed: c.at})
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

// mpWorld is what the detector learns about the timeline once and shares
// across entries.
type mpWorld struct {
	tl        *timeline.Timeline
	cfg       *Config
	capture   []bool           // per source: it holds capture events (ARP, usage, TCP)
	segs      []uint16         // per source: its segment
	wit       map[int32][]bool // per neighbour source: the captures that answer for it (witnesses)
	probeSeen []bool           // per source: it shows a PROBE state somewhere
	neighIPs  map[string]map[netip.Addr]bool
	ids       map[hostIP]*hostIdentity
	// hostFrames and hostRules cache, per host, its capture frame events
	// and the results of identity's host-only rules.
	hostFrames map[string][]int32
	hostRules  map[hostRuleKey]*hostIdentity
	ipIdx      map[netip.Addr][]int32  // ByIP of the addresses judged
	dbHist     map[netip.Addr][]dbStep // the databases' owner history of the addresses judged, read on first use
}

type hostIP struct {
	host string
	ip   netip.Addr
}

func newMPWorld(tl *timeline.Timeline, cfg *Config, nb mpNeigh) *mpWorld {
	w := &mpWorld{
		tl: tl, cfg: cfg,
		capture:    make([]bool, len(tl.Sources)),
		segs:       segmentIDs(tl),
		wit:        map[int32][]bool{},
		probeSeen:  nb.probeSeen,
		neighIPs:   nb.neighIPs,
		ids:        map[hostIP]*hostIdentity{},
		hostFrames: map[string][]int32{},
		hostRules:  map[hostRuleKey]*hostIdentity{},
	}
	for _, r := range tl.RecordsOf(frameKinds) {
		w.capture[r.Src] = true
	}
	// The addresses whose cycles will be judged, looked up in one scan.
	var ips []netip.Addr
	seen := map[netip.Addr]bool{}
	for _, s := range nb.seqs {
		if len(s.found) > 0 && !seen[s.ip] {
			seen[s.ip] = true
			ips = append(ips, s.ip)
		}
	}
	w.ipIdx = tl.ByIPs(ips)
	return w
}

// byIP is tl.ByIP for the addresses judged, from the one scan.
func (w *mpWorld) byIP(x netip.Addr) []int32 {
	if idx, ok := w.ipIdx[x]; ok {
		return idx
	}
	return w.tl.ByIP(x)
}

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

// ipFacts is what the captures say about an IP: every frame that shows its
// binding (in time order), and the TCP connection attempts to it.
type ipFacts struct {
	bindings []int // ARP frames whose sender pair is the IP and a MAC
	flows    map[flowKey]*synFlow
	flowList []*synFlow
}

type flowKey struct {
	src   netip.Addr
	sport uint16
	dport uint16
}

type synFlow struct {
	syns     []int // SYN and retransmission events
	answered bool
}

// witnesses says which captures answer for the entries of neighbour source
// src: those of its own segment; when that segment has no capture at all,
// the captures of other hosts recorded at the same time (cross-host
// evidence, which the finding's confidence already discounts). One host's
// capture never mixes with another's when the host has its own.
func (w *mpWorld) witnesses(src int32) []bool {
	if ok := w.wit[src]; ok != nil {
		return ok
	}
	seg := w.segs[src]
	ok := make([]bool, len(w.tl.Sources))
	own := false
	for i := range w.tl.Sources {
		if w.capture[i] && w.segs[i] == seg {
			ok[i], own = true, true
		}
	}
	if !own {
		n := w.tl.Sources[src]
		for i, c := range w.tl.Sources {
			if w.capture[i] && !c.First.IsZero() && !c.First.After(n.Last) && !c.Last.Before(n.First) {
				ok[i] = true
			}
		}
	}
	w.wit[src] = ok
	return ok
}

func (w *mpWorld) facts(x netip.Addr, wit []bool) *ipFacts {
	f := &ipFacts{flows: map[flowKey]*synFlow{}}
	for _, j := range w.byIP(x) {
		r := w.tl.Record(int(j))
		if !wit[r.Src] {
			continue
		}
		switch r.Kind {
		case timeline.KindARP:
			if d, _ := r.ARPRec(); bindingSender(&d) && d.SPA == x {
				f.bindings = append(f.bindings, int(j))
			}
		case timeline.KindTCP:
			d, _ := r.TCPRec()
			switch {
			case d.DstIP == x && (d.What == timeline.TCPSyn || d.What == timeline.TCPSynRetrans):
				k := flowKey{d.SrcIP, d.SrcPort, d.DstPort}
				fl := f.flows[k]
				if fl == nil {
					fl = &synFlow{}
					f.flows[k] = fl
					f.flowList = append(f.flowList, fl)
				}
				fl.syns = append(fl.syns, int(j))
			case d.SrcIP == x && d.What == timeline.TCPSynAck:
				if fl := f.flows[flowKey{d.DstIP, d.DstPort, d.SrcPort}]; fl != nil {
					fl.answered = true
				}
			}
		}
	}
	return f
}

// bindingAt is the last ARP frame at or before t that showed the IP's MAC,
// or -1.
func (f *ipFacts) bindingAt(tl *timeline.Timeline, t time.Time) int {
	k, _ := slices.BinarySearchFunc(f.bindings, t, func(i int, t time.Time) int {
		if eventTime(tl, i).After(t) {
			return 1
		}
		return -1
	})
	return k - 1
}

// mpGroup gathers the qualifying cycles of one host, IP and MAC.
type mpGroup struct {
	host   string // as the finding names it
	wit    []bool // the captures that answer for it (mpWorld.witnesses)
	ip     netip.Addr
	mac    timeline.MAC
	cycles []neighCycle
	newMAC timeline.MAC // the MAC the IP was announced at, when any
	moved  bool
	moveAt int   // the first frame showing the IP at newMAC (-1 if none)
	moveTo []int // the frames showing newMAC before the cycles, for evidence
	// moveDB and dbGone: the database row changes that gave the IP to
	// newMAC and withdrew the old owner's claim (-1 when none).
	moveDB, dbGone int
	syns           []int // the host's unanswered SYNs during the cycles
	dropped        int   // cycles dropped because the host's capture shows it did ask
	// confirmed: a capture of the host covers a qualifying cycle and shows
	// no ARP request from it for the IP.
	confirmed bool
	capSrc    int32
	capFrom   time.Time
	capTo     time.Time
	// coveredCycles counts the qualifying cycles the host's capture spans.
	coveredCycles int
	monitorOK     bool // some qualifying cycle is from monitor output that shows PROBE elsewhere
	snapshotOK    bool // some qualifying cycle is from listings
	resets        []int
	id            *hostIdentity
}

func (missingProbe) Detect(tl *timeline.Timeline, cfg *Config, out *Findings) {
	nb := neighSequences(tl)
	if len(nb.seqs) == 0 {
		return
	}
	w := newMPWorld(tl, cfg, nb)
	type gkey struct {
		vantage string
		ip      netip.Addr
		mac     timeline.MAC
	}
	groups := map[gkey]*mpGroup{}
	var order []gkey
	type fkey struct {
		ip  netip.Addr
		src int32
	}
	factsOf := map[fkey]*ipFacts{}
	for _, s := range nb.seqs {
		cycles := s.found
		if len(cycles) == 0 {
			continue
		}
		src := tl.Sources[s.src]
		wit := w.witnesses(s.src)
		f := factsOf[fkey{s.ip, s.src}]
		if f == nil {
			f = w.facts(s.ip, wit)
			factsOf[fkey{s.ip, s.src}] = f
		}
		id := w.identity(src.VantageKey(), s.ip)
		for _, c := range cycles {
			k := gkey{src.VantageKey(), s.ip, c.mac}
			g := groups[k]
			if g == nil {
				g = &mpGroup{host: src.Host, wit: wit, ip: s.ip, mac: c.mac, moveAt: -1, moveDB: -1, dbGone: -1, capSrc: -1, id: id}
				groups[k] = g
				order = append(order, k)
			}
			w.judge(g, f, c)
		}
	}
	for _, k := range order {
		g := groups[k]
		if len(g.cycles) == 0 {
			continue
		}
		out.Add(w.finding(g), int64(len(g.cycles)))
	}
}

func (missingProbe) Instances() string { return "neighbour entries kept without a probe" }

func (missingProbe) Identity() []string { return []string{"host", "ip", "mac"} }

// judge adds cycle c to its group if it qualifies: the host did not ask for
// the IP during it (as far as its capture shows), and by then the IP had
// been announced at another MAC or the host's connection attempts to it went
// unanswered.
func (w *mpWorld) judge(g *mpGroup, f *ipFacts, c neighCycle) {
	tl, slack := w.tl, w.cfg.NeighSlack
	from, to := c.useFrom.Add(-slack), c.to.Add(slack)
	// Did the host send an ARP request for the IP in the cycle? Then the
	// kernel probed or re-resolved, and the listings just missed it.
	var asked []int
	for _, j := range within(tl, w.byIP(g.ip), from, to) {
		r := tl.Record(int(j))
		if !g.wit[r.Src] {
			continue
		}
		if a, ok := r.ARPRec(); ok && a.Op == 1 && a.Class == timeline.ARPRequest && a.TPA == g.ip && w.sentBy(g.id, &r) {
			asked = append(asked, int(j))
		}
	}
	if len(asked) > 0 {
		g.dropped++
		return
	}

	// Where did the captures say the IP lived when the entry was confirmed
	// on the old MAC?
	moved := false
	b := f.bindingAt(tl, c.confirmed)
	if b >= 0 {
		at := arpAt(tl, f.bindings[b]).SHA
		if at != g.mac && (!g.moved || at == g.newMAC) {
			moved = true
			run := firstOfRun(tl, f.bindings[:b+1], at)
			if !g.moved {
				g.newMAC, g.moveAt = at, f.bindings[run]
			}
			for _, i := range f.bindings[run : b+1] {
				if !slices.Contains(g.moveTo, i) {
					g.moveTo = append(g.moveTo, i)
				}
			}
		}
	}
	if st, ok := w.dbOwnerAt(g.ip, c.confirmed); ok && st.mac != g.mac {
		switch {
		case moved || g.moved:
			if st.mac != g.newMAC {
				break
			}
			if g.moveDB < 0 {
				g.moveDB, g.dbGone = st.ev, st.gone // the database's record of the move
			}
			if b < 0 || eventTime(tl, f.bindings[b]).Before(st.t) {
				moved = true
			}
		case b < 0 || eventTime(tl, f.bindings[b]).Before(st.t):
			// No capture shows a later binding: the database's record
			// is the move.
			moved = true
			g.newMAC, g.moveDB, g.dbGone = st.mac, st.ev, st.gone
		}
	}
	var syns []int
	for _, fl := range f.flowList {
		if fl.answered || len(fl.syns) < 2 {
			continue
		}
		if r := tl.Record(fl.syns[0]); !w.sentBy(g.id, &r) {
			continue
		}
		for _, j := range fl.syns {
			t := eventTime(tl, j)
			if !t.Before(c.useFrom.Add(-delayFirstProbe-slack)) && !t.After(to) {
				syns = append(syns, j)
			}
		}
	}
	if !moved && len(syns) == 0 {
		return // DELAY → REACHABLE without a probe is what a working flow does
	}
	g.moved = g.moved || moved
	// Two artifacts of one host (a listing loop and ip monitor) show the
	// same trips: count each once.
	dup := slices.ContainsFunc(g.cycles, func(o neighCycle) bool {
		return o.seq.src != c.seq.src && !o.from.After(c.to) && !c.from.After(o.to)
	})
	if !dup {
		g.cycles = append(g.cycles, c)
	}
	for _, j := range syns {
		if !slices.Contains(g.syns, j) {
			g.syns = append(g.syns, j)
		}
	}
	if c.monitor {
		g.monitorOK = g.monitorOK || w.probeSeen[c.seq.src]
	} else {
		g.snapshotOK = true
	}
	if s := w.covered(g.id, c.useFrom, c.to); s >= 0 && !dup {
		if !g.confirmed {
			g.capSrc, g.capFrom = s, c.from
		}
		g.confirmed = true
		g.capTo = c.to
		g.coveredCycles++
	}
	for _, r := range c.seq.resets {
		if !slices.Contains(g.resets, r) {
			g.resets = append(g.resets, r)
		}
	}
}

// firstOfRun is the position in idx of the first frame of the run of frames
// showing mac that ends idx.
func firstOfRun(tl *timeline.Timeline, idx []int, mac timeline.MAC) int {
	k := len(idx)
	for k > 0 && arpAt(tl, idx[k-1]).SHA == mac {
		k--
	}
	return k
}

// confidence: high when the host's own capture covers the cycles and shows
// it never asked; from neighbour data alone, medium — a one-second listing
// cannot see a PROBE answered within the same second; low when the only
// cycles come from `ip monitor` output that never shows PROBE at all, which
// is what kernels before 4.2 print even when they do probe.
func (g *mpGroup) confidence() Confidence {
	switch {
	case g.confirmed:
		return ConfHigh
	case g.snapshotOK || g.monitorOK:
		return ConfMedium
	}
	return ConfLow
}

// pinned reports the reset runs that overlap the GARPs announcing the new
// MAC: `updated` kept being reset while the GARPs arrived and the MAC did
// not change. It also returns the largest updated age those runs showed.
func (w *mpWorld) pinned(g *mpGroup) (runs []int, garps []int, maxAge int32) {
	tl := w.tl
	for _, i := range g.moveTo {
		if a := arpAt(tl, i); a.Class.IsGARP() && a.SHA == g.newMAC {
			garps = append(garps, i)
		}
	}
	for _, r := range g.resets {
		e := tl.Event(r)
		rr, ok := e.Data.(*timeline.NeighReset)
		if !ok || !rr.HasLL || rr.LLAddr != g.mac || time.Duration(rr.MaxUpdated)*time.Second > w.cfg.PinnedUpdated {
			continue
		}
		if len(garps) > 0 {
			first, last := eventTime(tl, garps[0]), eventTime(tl, garps[len(garps)-1])
			if e.Last().Before(first.Add(-time.Second)) || e.Time.After(last.Add(2*time.Second+w.cfg.NeighSlack)) {
				continue
			}
		}
		runs = append(runs, r)
		maxAge = max(maxAge, rr.MaxUpdated)
	}
	return runs, garps, maxAge
}

func (w *mpWorld) finding(g *mpGroup) Finding {
	first, last := g.cycles[0], g.cycles[len(g.cycles)-1]
	runs, garps, maxAge := w.pinned(g)
	fi := Finding{
		Severity:   High,
		Confidence: g.confidence(),
		Start:      first.from,
		End:        last.to,
	}
	loop := "STALE → DELAY → REACHABLE"
	if first.monitor {
		loop = "STALE → REACHABLE"
	}
	fi.Title = fmt.Sprintf("%s: %s neighbour entry stayed at %s through %s without a PROBE", g.ip, hostPossessive(g.host), g.mac,
		plural(int64(len(g.cycles)), loop+" cycle", loop+" cycles"))
	if g.moved {
		fi.Title += fmt.Sprintf(" after the IP moved to %s", g.newMAC)
	}
	fi.Subject.Set("ip", g.ip.String())
	fi.Subject.Set("host", g.host)
	fi.Subject.Set("mac", g.mac.String())
	newMAC := ""
	if g.moved {
		newMAC = g.newMAC.String()
	}
	fi.Subject.Set("new_mac", newMAC)
	fi.Subject.Set("cycles", len(g.cycles))

	fi.Explanation = w.explain(g, runs, garps, maxAge)
	if len(runs) > 0 || w.garpsInsideLocktime(garps) {
		fi.KnownIssue = w.cfg.IssueByID(issueLinuxLocktime)
	}
	fi.Evidence = w.evidence(g, runs)
	if g.moveDB >= 0 {
		fi.Witnesses = []string{"new:database"}
	}
	return fi
}

// hostPossessive and onHost name a host in prose; artifacts no case file or
// directory assigned (the default host) are just "the host".
func hostPossessive(h string) string {
	if h == timeline.DefaultHost {
		return "the host's"
	}
	return "host " + h + "'s"
}

func onHost(h string) string {
	if h == timeline.DefaultHost {
		return "On the host"
	}
	return "On host " + h
}

// garpsInsideLocktime reports GARPs spaced within locktime.
func (w *mpWorld) garpsInsideLocktime(garps []int) bool {
	for k := 1; k < len(garps); k++ {
		d := eventTime(w.tl, garps[k]).Sub(eventTime(w.tl, garps[k-1]))
		if d > sameFrame && d <= w.cfg.Locktime+w.cfg.LocktimeSlack {
			return true
		}
	}
	return false
}

func (w *mpWorld) explain(g *mpGroup, runs, garps []int, maxAge int32) string {
	tl := w.tl
	first, last := g.cycles[0], g.cycles[len(g.cycles)-1]
	clock := func(t time.Time) string { return t.UTC().Format("15:04:05") }
	var b strings.Builder

	// What happened.
	dev := ""
	if first.seq.dev != "" {
		dev = " on " + first.seq.dev
	}
	src := tl.Sources[first.seq.src]
	if first.monitor {
		fmt.Fprintf(&b, "%s, `ip monitor` (%s) shows the neighbour entry for %s%s going STALE and back to REACHABLE on %s %s between %s and %s with no PROBE in between (ip monitor never reports DELAY).",
			onHost(g.host), src.Path, g.ip, dev, g.mac, times(len(g.cycles)), clock(first.from), clock(last.to))
	} else {
		fmt.Fprintf(&b, "%s, the neighbour listings (%s) show the entry for %s%s cycling STALE → DELAY → REACHABLE on %s %s between %s and %s, never entering PROBE.",
			onHost(g.host), src.Path, g.ip, dev, g.mac, times(len(g.cycles)), clock(first.from), clock(last.to))
	}
	switch {
	case g.moved && g.moveDB >= 0 && (g.moveAt < 0 || !eventTime(tl, g.moveAt).Before(eventTime(tl, g.moveDB))):
		fmt.Fprintf(&b, " By then %s had moved, and the move time comes from the database's own record: %s gave it to %s at %s",
			g.ip, dbRecordText(tl, g.moveDB), g.newMAC, eventTime(tl, g.moveDB).UTC().Format("15:04:05.000"))
		if g.dbGone >= 0 && g.dbGone != g.moveDB {
			fmt.Fprintf(&b, " (the old owner's claim withdrawn by %s)", dbRecordText(tl, g.dbGone))
		}
		if g.moveAt >= 0 {
			r := tl.Record(g.moveAt)
			fmt.Fprintf(&b, "; %s shows %s announcing it from %s", tl.Sources[r.Src].Path, g.newMAC, r.Time().UTC().Format("15:04:05.000"))
		}
		if len(g.syns) > 0 {
			fmt.Fprintf(&b, ", and the host's %s to it went unanswered.", plural(int64(len(g.syns)), "TCP SYN", "TCP SYNs"))
		} else {
			b.WriteString(".")
		}
	case g.moved && g.moveAt >= 0:
		r := tl.Record(g.moveAt)
		a, _ := r.ARPRec()
		fmt.Fprintf(&b, " By then %s had moved: %s announced it at %s (%s, first at %s)",
			g.ip, tl.Sources[r.Src].Path, g.newMAC, describeAnnouncers(tl, g.moveTo, &a), r.Time().UTC().Format("15:04:05.000"))
		if len(g.syns) > 0 {
			fmt.Fprintf(&b, ", and the host's %s to it went unanswered.", plural(int64(len(g.syns)), "TCP SYN", "TCP SYNs"))
		} else {
			b.WriteString(".")
		}
		if g.moveDB >= 0 {
			fmt.Fprintf(&b, " The database's own record agrees: %s gave it to %s at %s.", dbRecordText(tl, g.moveDB), g.newMAC, eventTime(tl, g.moveDB).UTC().Format("15:04:05.000"))
		}
	case len(g.syns) > 0:
		fmt.Fprintf(&b, " Meanwhile the host's %s to %s (%s) went unanswered: no SYN/ACK came back.",
			plural(int64(len(g.syns)), "TCP SYN", "TCP SYNs"), g.ip, synPorts(tl, g.syns))
	}

	// How sure.
	switch {
	case g.confirmed:
		which := "these cycles"
		if g.coveredCycles < len(g.cycles) {
			which = fmt.Sprintf("%d of these cycles", g.coveredCycles)
		}
		fmt.Fprintf(&b, " The host's own capture (%s) covers %s and shows no ARP request for %s from it (%s, which %s): the kernel never re-validated the entry, and every packet for %s went to %s.",
			tl.Sources[g.capSrc].Path, which, g.ip, orUnknown(g.id.macList()), g.id.how, g.ip, g.mac)
	default:
		if len(g.id.captures) > 0 {
			b.WriteString(" The host's capture does not cover these cycles, so this rests on the neighbour data")
		} else {
			b.WriteString(" There is no capture of this host, so this rests on the neighbour data")
		}
		switch {
		case g.snapshotOK:
			b.WriteString(": listings a second apart cannot see a PROBE that was answered within the same second, and only a capture of the host would show whether it sent ARP requests.")
		case g.monitorOK:
			b.WriteString(": this monitor output does report PROBE — it shows it for other entries — but never for this one; a capture of the host would show whether it sent ARP requests.")
		default:
			b.WriteString(".")
		}
	}
	if g.dropped > 0 {
		fmt.Fprintf(&b, " (%s not counted: the host's capture shows it did ask for %s during them.)", plural(int64(g.dropped), "other cycle was", "other cycles were"), g.ip)
	}
	if first.monitor && !g.monitorOK && !g.confirmed {
		b.WriteString(" This monitor output shows no PROBE for any entry; kernels before 4.2 never report PROBE to ip monitor, so its absence here proves little.")
	}

	// Why it matters and why it happens.
	fmt.Fprintf(&b, "\n\nWhy: a DELAY entry goes back to REACHABLE without sending anything only when its `confirmed` timestamp was refreshed within delay_first_probe_time (5 s) — by TCP making progress, or by an ARP packet from the neighbour. With %s no longer behind %s, something kept confirming a dead entry, so the kernel never reached PROBE, which would have sent unicast requests to %s, failed and broadcast for the new owner.",
		g.ip, g.mac, g.mac)
	b.WriteString(" On Linux before 4.12 an ARP update the kernel ignored — a gratuitous ARP arriving within the 1 s locktime of the entry's last update — still bumped the entry's timestamps (fixed by 77d7123342dc, \"neighbour: update neigh timestamps iff update is effective\", Linux 4.12), so a burst of GARPs spaced 1 s or less could be ignored in its entirety while keeping the old entry fresh.")
	if len(runs) > 0 {
		r := tl.Record(runs[0])
		if len(garps) > 0 {
			fmt.Fprintf(&b, " The `ip -s` ages show exactly that: while %s's gratuitous ARPs kept arriving (%d between %s and %s), the entry's `updated` age %s although its state and MAC stayed the same (reset from %s to %s) — the pre-4.12 fingerprint of ignored updates bumping the timestamps.",
				g.newMAC, len(garps), clock(eventTime(tl, garps[0])), clock(eventTime(tl, garps[len(garps)-1])), ageBound(maxAge), clock(r.Time()), clock(r.LastTime()))
		} else {
			fmt.Fprintf(&b, " The `ip -s` ages show the entry's `updated` timestamp being reset with no change of state or MAC (from %s; its age %s); since Linux 4.12 `updated` moves only when an update takes effect, so this is the pre-4.12 fingerprint of ignored updates bumping the timestamps.",
				clock(r.Time()), ageBound(maxAge))
		}
	}

	// What next.
	fmt.Fprintf(&b, "\n\nNext: check the kernel %s (`uname -r`: before 4.12, or a distribution kernel without 77d7123342dc and 7d472a59c0e5 — RHEL 7 needed arp_accept=1); its net.ipv4.conf.%s.arp_accept (with 0, GARPs inside locktime are ignored, and kernels before 4.12 ignored reply-type GARPs whatever it says) and net.ipv4.neigh.%s.locktime; and how the L3 agent spaced its GARPs (`arping -A -c 3` sends them 1 s apart, inside locktime; Neutron's fix sends a request and a reply GARP 2 s apart). `ip -s neigh show %s` on the host shows whether `updated` keeps resetting; `ip neigh flush to %s` restores connectivity.",
		strings.ToLower(onHost(g.host)), devOr(first.seq.dev), devOr(first.seq.dev), g.ip, g.ip)
	return b.String()
}

// ageBound says how far an `ip -s` age got.
func ageBound(max int32) string {
	if max == 0 {
		return "stayed at 0 s"
	}
	return fmt.Sprintf("never grew past %d s", max)
}

func times(n int) string {
	if n == 1 {
		return "once"
	}
	return fmt.Sprintf("%d times", n)
}

func devOr(dev string) string {
	if dev == "" {
		return "<dev>"
	}
	return dev
}

func orUnknown(s string) string {
	if s == "" {
		return "MAC unknown"
	}
	return s
}

// describeAnnouncers summarises the frames that showed the new binding.
func describeAnnouncers(tl *timeline.Timeline, idx []int, first *timeline.ARP) string {
	counts := map[timeline.ARPClass]int{}
	for _, i := range idx {
		counts[arpAt(tl, i).Class]++
	}
	var parts []string
	for _, c := range []struct {
		class      timeline.ARPClass
		one, other string
	}{
		{timeline.ARPGarpReply, "reply-type GARP", "reply-type GARPs"},
		{timeline.ARPGarpReplyOtherTHA, "reply-type GARP with a foreign tha", "reply-type GARPs with a foreign tha"},
		{timeline.ARPGarpRequest, "request-type GARP", "request-type GARPs"},
		{timeline.ARPReply, "ARP reply", "ARP replies"},
		{timeline.ARPRequest, "ARP request it sent", "ARP requests it sent"},
	} {
		if n := counts[c.class]; n > 0 {
			parts = append(parts, plural(int64(n), c.one, c.other))
		}
	}
	if len(parts) == 0 {
		return first.Class.String()
	}
	return strings.Join(parts, " and ")
}

// synPorts names the destination ports of the SYNs.
func synPorts(tl *timeline.Timeline, syns []int) string {
	var ports []int
	for _, j := range syns {
		r := tl.Record(j)
		t, _ := r.TCPRec()
		p := int(t.DstPort)
		if !slices.Contains(ports, p) {
			ports = append(ports, p)
		}
	}
	slices.Sort(ports)
	var ps []string
	for _, p := range ports {
		ps = append(ps, fmt.Sprintf("port %d", p))
	}
	return strings.Join(ps, ", ")
}

func (w *mpWorld) evidence(g *mpGroup, runs []int) []Evidence {
	tl := w.tl
	var ev []Evidence
	cite := func(i int) { ev = append(ev, EventEvidence(tl, i)) }
	for _, i := range capEvidence(g.moveTo, 3, 1) {
		cite(i)
	}
	for _, i := range []int{g.dbGone, g.moveDB} {
		if i >= 0 {
			cite(i)
		}
	}
	first := g.cycles[0]
	for _, i := range []int{first.stale, first.delay, first.reach} {
		if i >= 0 {
			cite(i)
		}
	}
	if len(g.cycles) > 1 {
		last := g.cycles[len(g.cycles)-1]
		src := tl.Sources[first.seq.src]
		stale, reach := tl.Record(first.stale), tl.Record(last.reach)
		ev = append(ev, Evidence{
			Source: src.Path,
			Pos:    timeline.Span{First: stale.Pos, Last: reach.Pos},
			Time:   first.from,
			Text: fmt.Sprintf("%d cycles back to REACHABLE on %s between %s and %s, none through PROBE",
				len(g.cycles), g.mac, first.from.UTC().Format("15:04:05"), last.to.UTC().Format("15:04:05")),
			Event: -1,
		})
		cite(last.reach)
	}
	for _, i := range capEvidence(g.syns, 2, 1) {
		cite(i)
	}
	for _, i := range capEvidence(runs, 2, 0) {
		cite(i)
	}
	if g.confirmed {
		src := tl.Sources[g.capSrc]
		who := g.id.macList()
		if who == "" {
			who = "the host"
		}
		var pos timeline.Span // the whole capture
		if src.Records > 0 {
			pos = timeline.Span{First: timeline.Pos{Frame: 1}, Last: timeline.Pos{Frame: src.Records}}
		}
		ev = append(ev, Evidence{
			Source: src.Path,
			Pos:    pos,
			Time:   g.capFrom,
			Text: fmt.Sprintf("no ARP request from %s for %s during %s between %s and %s (the capture covers %s to %s)",
				who, g.ip, plural(int64(g.coveredCycles), "cycle", "cycles"), g.capFrom.UTC().Format("15:04:05"), g.capTo.UTC().Format("15:04:05"),
				src.First.UTC().Format("15:04:05"), src.Last.UTC().Format("15:04:05")),
			Event: -1,
		})
	}
	slices.SortStableFunc(ev, func(a, b Evidence) int { return cmp.Compare(a.Time.UnixNano(), b.Time.UnixNano()) })
	return dedupEvidence(ev)
}
