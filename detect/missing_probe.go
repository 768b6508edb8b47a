package detect

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
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

func (missingProbe) Instances() string { return "neighbour entries kept without a probe" }

func (missingProbe) Identity() []string { return []string{"host", "ip", "mac"} }

// missingProbeKnobs are missing-probe's thresholds, part of Config.
type missingProbeKnobs struct {
	// NeighSlack widens a neighbour-table cycle's window when missing-probe
	// looks for the host's ARP requests and connection attempts: `date` and
	// `ip neigh` run a moment apart, and a capture and a dump come from
	// different programs' clocks.
	NeighSlack time.Duration
	// PinnedUpdated is the largest `ip -s` updated age missing-probe reads
	// as "pinned" by ignored ARP updates while GARPs arrive (the pre-4.12
	// fingerprint): ages are whole seconds, and GARPs come a second apart.
	PinnedUpdated time.Duration
}

func (missingProbe) Thresholds() []Threshold {
	return []Threshold{
		{Name: "neigh_slack", Help: "missing-probe: slack around a neighbour cycle when looking for the host's ARP requests and traffic",
			Duration: func(c *Config) *time.Duration { return &c.NeighSlack }, Default: time.Second},
		{Name: "pinned_updated", Help: "missing-probe: the largest `ip -s` updated age read as pinned by ignored ARP updates",
			Duration: func(c *Config) *time.Duration { return &c.PinnedUpdated }, Default: time.Second},
	}
}

// delayFirstProbe is the kernel's delay_first_probe_time: how long an entry
// sits in DELAY, and how far back a SYN can have triggered it.
const delayFirstProbe = 5 * time.Second

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
	nb := neighSequences(tl, cfg.facts)
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

func (w *mpWorld) evidence(g *mpGroup, runs []int) []Evidence {
	tl := w.tl
	var ev []Evidence
	cite := func(i int) { ev = append(ev, spanEvidence(tl, i)) }
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
