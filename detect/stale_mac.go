package detect

import (
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/arpforensics/arpforensics/timeline"
)

// staleMAC finds observers that kept sending unicast IPv4 to an IP's old MAC
// long after the IP was announced at a new one: the floating-IP-reuse failure
// where a Linux host ignores the new owner's gratuitous ARPs and never probes.
type staleMAC struct{}

func (staleMAC) Name() string { return "stale-mac" }

func (staleMAC) Describe() string {
	return "an observer kept sending unicast IPv4 to an IP's old MAC past the grace after the IP was announced at a new MAC"
}

// staleMACKnobs are stale-mac's thresholds, part of Config.
type staleMACKnobs struct {
	// Grace is how long an observer may keep using an IP's old MAC after it
	// was announced at a new one before stale-mac fires: DELAY (5 s) + three
	// unicast probes (3 s) + resolution, with slack.
	Grace time.Duration
}

func (staleMAC) Thresholds() []Threshold {
	return []Threshold{{Name: "grace", Help: "stale-mac: how long an observer may keep using an IP's old MAC after it moved",
		Duration: func(c *Config) *time.Duration { return &c.Grace }, Default: 15 * time.Second}}
}

// staleUse is one observer's use of the old MAC after one move.
type staleUse struct {
	move      int32 // index in the run's moves
	observer  timeline.MAC
	observIP  netip.Addr
	runs      trail // usage runs to the old MAC overlapping the move's window
	frames    int64
	straddle  bool  // a run began before the move: its frames before the move are counted too
	inferred  bool  // some destination MACs were inferred from ARP exchanges and nothing confirmed them
	neigh     trail // neighbour observations that gave or confirmed a cooked capture's destination MAC
	lastStale time.Time
	requests  trail // ARP requests from the observer for the IP, in the window
	switched  int   // first run via the new MAC after the move; -1 if none
	syns      trail // SYN events from the observer to the IP in the window
	retrans   int   // of which retransmissions
	synAcks   int   // SYN/ACKs from the IP back to the observer in the window
}

// maxStaleUses bounds the (move, observer) pairs the first pass keeps: past
// it, new pairs are dropped and the run's notes say so.
const maxStaleUses = 1 << 18

func (staleMAC) Detect(tl *timeline.Timeline, cfg *Config, out *Findings) {
	ms := movesOf(tl, cfg)
	if len(ms) == 0 {
		return
	}
	uses, dropped := staleUsesOf(tl, cfg, ms)
	var bad []*staleUse
	for _, u := range uses {
		if u.lastStale.Sub(ms[u.move].at) > cfg.Grace {
			bad = append(bad, u) // past the grace: not a healthy move that probed and switched
		}
	}
	observe(tl, ms, bad)
	for _, u := range bad {
		out.Add(staleFinding(tl, cfg, &ms[u.move], u), u.frames)
	}
	if dropped > 0 && cfg.facts != nil {
		cfg.facts.note("stale-mac followed %d (move, observer) pairs and dropped %d more: their findings are missing", maxStaleUses, dropped)
	}
}

func (staleMAC) Instances() string { return "observers using an old MAC" }

func (staleMAC) Identity() []string { return []string{"ip", "old_mac", "new_mac", "observer_mac"} }

// segIP is an address seen from one segment.
type segIP struct {
	ip  [4]byte
	seg uint16
}

func (k segIP) packed() uint64 {
	return uint64(k.seg)<<32 | uint64(k.ip[0])<<24 | uint64(k.ip[1])<<16 | uint64(k.ip[2])<<8 | uint64(k.ip[3])
}

// movesIndex is moves by address and segment (any VLAN), in time order:
// looked up for every usage run a pass reads.
type movesIndex struct{ t keyTable[[]int32] }

func movesByIP(ms []move) *movesIndex {
	by := &movesIndex{}
	for i := range ms {
		l, _ := by.t.insert(segIP{ms[i].key.ip.As4(), ms[i].key.seg}.packed())
		*l = append(*l, int32(i))
	}
	return by
}

// of is the moves of k; nil when it has none.
func (by *movesIndex) of(k segIP) []int32 {
	if l := by.t.find(k.packed()); l != nil {
		return *l
	}
	return nil
}

// movesCovering calls f for the moves of one address whose window
// [at, end) overlaps [from, to]. The windows of one (IP, VLAN) follow each
// other, so only the latest few before to can still be open; looking back
// 16 covers that many VLANs sharing an address.
func movesCovering(ms []move, list []int32, from, to time.Time, f func(int32)) {
	hi, _ := slices.BinarySearchFunc(list, to, func(i int32, t time.Time) int {
		if ms[i].at.After(t) {
			return 1
		}
		return -1
	})
	for k := hi - 1; k >= 0 && k >= hi-16; k-- {
		if m := &ms[list[k]]; !m.end().Before(from) {
			f(list[k])
		}
	}
}

// staleUses is the first pass: per move and observer, the usage of the old
// MAC inside the move's window, in one scan of the timeline for all moves.
// Uses come out in move order, then observer order.
func staleUses(tl *timeline.Timeline, ms []move) ([]*staleUse, int) {
	type uk struct {
		move int32
		obs  timeline.MAC
	}
	by := movesByIP(ms)
	segs := segmentIDs(tl)
	byUse := map[uk]*staleUse{}
	dropped := 0
	for j, r := range tl.RecordsOf(timeline.Kinds(timeline.KindUsage)) {
		u, _ := r.UsageRec()
		list := by.of(segIP{u.DstIP.As4(), segs[r.Src]})
		if len(list) == 0 || !u.DstIP.Is4() {
			continue
		}
		first, last := r.Time(), r.LastTime()
		resolved, dst, inferred, nv := false, timeline.MAC{}, false, -1
		movesCovering(ms, list, first, last, func(mi int32) {
			m := &ms[mi]
			if u.VLAN != m.key.vlan || u.Src == m.new || u.Src == m.old || last.Before(m.at) || !first.Before(m.end()) {
				return
			}
			if !resolved {
				dst, inferred, nv = runDestination(tl, r, &u)
				resolved = true
			}
			if dst != m.old {
				return
			}
			k := uk{mi, u.Src}
			s := byUse[k]
			if s == nil {
				if len(byUse) >= maxStaleUses {
					dropped++
					return
				}
				s = &staleUse{move: mi, observer: u.Src, observIP: u.SrcIP, switched: -1}
				byUse[k] = s
			}
			s.runs.add(j)
			s.frames += u.Frames
			s.straddle = s.straddle || first.Before(m.at)
			s.inferred = s.inferred || inferred
			if nv >= 0 {
				s.neigh.add(nv)
			}
			l := last
			if end := m.end(); l.After(end) {
				l = end
			}
			if l.After(s.lastStale) {
				s.lastStale = l
			}
		})
	}
	uses := make([]*staleUse, 0, len(byUse))
	for _, s := range byUse {
		uses = append(uses, s)
	}
	slices.SortFunc(uses, func(a, b *staleUse) int {
		if a.move != b.move {
			return int(a.move - b.move)
		}
		return strings.Compare(a.observer.String(), b.observer.String())
	})
	return uses, dropped
}

// staleUsesOf is staleUses, computed once per run when cfg carries the
// run's shared facts (garp-locktime asks whether anyone ignored a burst).
// Callers read the uses' first-pass fields only; stale-mac's second pass
// (observe) writes the others.
func staleUsesOf(tl *timeline.Timeline, cfg *Config, ms []move) ([]*staleUse, int) {
	if cfg.facts == nil {
		return staleUses(tl, ms)
	}
	f := cfg.facts
	f.do(&f.usesFact, func() { f.uses, f.usesDropped = staleUses(tl, ms) })
	return f.uses, f.usesDropped
}

// observe is the second pass, over the uses past the grace only: what each
// observer did about the move — its ARP requests for the IP, SYNs and the
// answers to them while it used the old MAC, and its first run via the new
// MAC.
func observe(tl *timeline.Timeline, ms []move, uses []*staleUse) {
	if len(uses) == 0 {
		return
	}
	perMove := map[int32][]*staleUse{}
	var qm []move // the moves with uses, for the address index
	var back []int32
	for _, u := range uses {
		if perMove[u.move] == nil {
			qm = append(qm, ms[u.move])
			back = append(back, u.move)
		}
		perMove[u.move] = append(perMove[u.move], u)
	}
	by := movesByIP(qm)
	segs := segmentIDs(tl)
	var seg uint16 // the segment of the record being read
	visit := func(ip netip.Addr, t time.Time, f func(m *move, u *staleUse)) {
		if !ip.Is4() {
			return
		}
		list := by.of(segIP{ip.As4(), seg})
		if len(list) == 0 {
			return
		}
		movesCovering(qm, list, t, t, func(qi int32) {
			m := &qm[qi]
			if t.Before(m.at) || t.After(m.end()) {
				return
			}
			for _, u := range perMove[back[qi]] {
				f(m, u)
			}
		})
	}
	for j, r := range tl.RecordsOf(frameKinds) {
		t := r.Time()
		seg = segs[r.Src]
		switch r.Kind {
		case timeline.KindARP:
			d, _ := r.ARPRec()
			if d.Op != 1 || d.Class != timeline.ARPRequest {
				continue
			}
			visit(d.TPA, t, func(m *move, s *staleUse) {
				if (d.SHA == s.observer || d.Src == s.observer) && !t.After(s.lastStale) {
					s.requests.add(j)
				}
			})
		case timeline.KindUsage:
			d, _ := r.UsageRec()
			visit(d.DstIP, t, func(m *move, s *staleUse) {
				if s.switched < 0 && d.Src == s.observer && d.Dst == m.new {
					s.switched = j
				}
			})
		case timeline.KindTCP:
			d, _ := r.TCPRec()
			if d.What == timeline.TCPSyn || d.What == timeline.TCPSynRetrans {
				visit(d.DstIP, t, func(m *move, s *staleUse) {
					if d.Src == s.observer && !t.After(s.lastStale) {
						s.syns.add(j)
						if d.What == timeline.TCPSynRetrans {
							s.retrans++
						}
					}
				})
			}
			if d.What == timeline.TCPSynAck {
				visit(d.SrcIP, t, func(m *move, s *staleUse) {
					if d.DstIP == s.observIP && !t.After(s.lastStale) {
						s.synAcks++
					}
				})
			}
		}
	}
}

// runDestination is the MAC a usage run went to. On the wire it is recorded;
// a cooked capture does not record it for the host's own frames, so it
// comes from the host's neighbour data when that covers the run (neigh is
// the observation's event, and it wins over inference), else from the
// host's last ARP exchange (inferred true), else it is unknown. r is the
// run's record, u what it reads as.
func runDestination(tl *timeline.Timeline, r *timeline.Record, u *timeline.UsageRun) (dst timeline.MAC, inferred bool, neigh int) {
	if u.DstKnown {
		return u.Dst, false, -1
	}
	host := tl.Sources[r.Src].VantageKey()
	// A MAC inferred from the host's own answered request holds from that
	// exchange on; a listing at either end agreeing with it confirms it
	// (the listing just before the run may predate the exchange by a
	// polling interval).
	if u.DstInferred && !u.Dst.IsZero() {
		for _, at := range []time.Time{r.Time(), r.LastTime()} {
			if v, ok := tl.NeighAt(host, u.DstIP, at); ok && v.Covered && v.Entry.HasLL && v.Entry.LLAddr == u.Dst {
				return u.Dst, false, v.Event
			}
		}
	}
	for _, at := range []time.Time{r.Time(), r.LastTime()} {
		if v, ok := tl.NeighAt(host, u.DstIP, at); ok && v.Covered && v.Entry.HasLL {
			return v.Entry.LLAddr, false, v.Event
		}
	}
	return u.Dst, u.DstInferred, -1
}

func staleFinding(tl *timeline.Timeline, cfg *Config, m *move, u *staleUse) Finding {
	dur := u.lastStale.Sub(m.at)
	sev, conf := High, ConfHigh
	if u.requests.n > 0 {
		sev = Medium // it did ask: something else kept the old binding
	}
	if u.inferred {
		conf = ConfMedium
	}
	f := Finding{
		Severity:   sev,
		Confidence: conf,
		Title: fmt.Sprintf("%s kept sending to %s via its old MAC %s for %s after it moved to %s",
			observerName(u), m.key, m.old, fmtDur(dur), m.new),
		Start: m.at,
		End:   u.lastStale,
	}
	f.Subject.Set("ip", m.key.ip.String())
	f.Subject.Set("old_mac", m.old.String())
	f.Subject.Set("new_mac", m.new.String())
	f.Subject.Set("observer_mac", u.observer.String())
	f.Subject.Set("frames_to_old_mac", u.frames)
	f.Subject.Set("observer_arp_requests", u.requests.n)
	f.Subject.Set("duration_s", math.Round(dur.Seconds()*1000)/1000)

	ann := announceStats(tl, m, cfg, u.lastStale)
	f.Explanation = staleExplanation(tl, cfg, m, u, ann, dur)
	if ann.insideLocktime && ann.garps > 0 {
		f.KnownIssue = cfg.IssueByID(issueLinuxLocktime)
	}
	f.Witnesses = witnessList(m)
	if u.neigh.n > 0 {
		f.Witnesses = append(f.Witnesses, "use:listing")
	}
	f.Evidence = staleEvidence(tl, m, u)
	return f
}

// announcements summarises how the new binding was announced.
type announcements struct {
	garpReq, garpReply, garpReplyOther, replies int
	garps                                       int
	assumedTHA                                  int // reply GARPs read from tcpdump text, which does not print tha
	otherTHA                                    timeline.MAC
	minSpacing                                  time.Duration // between consecutive announcements; -1 if fewer than two
	insideLocktime                              bool
	first                                       time.Time
	by                                          witness // what first showed the new binding
}

// announceStats summarises the announcements of m up to until (the
// observer's last use of the old MAC): a reply answering its own
// re-resolution afterwards is how it recovered, not an announcement it
// ignored.
func announceStats(tl *timeline.Timeline, m *move, cfg *Config, until time.Time) announcements {
	a := announcements{minSpacing: -1, by: m.newBy}
	var prev time.Time
	n := -1
	for _, i := range m.announce {
		r := tl.Record(i)
		arp, _ := r.ARPRec()
		t := r.Time()
		if t.After(until) && n >= 0 {
			break
		}
		n++
		switch arp.Class {
		case timeline.ARPGarpRequest:
			a.garpReq++
		case timeline.ARPGarpReply:
			a.garpReply++
			if arp.FromText {
				a.assumedTHA++
			}
		case timeline.ARPGarpReplyOtherTHA:
			a.garpReplyOther++
			a.otherTHA = arp.THA
		default:
			a.replies++
		}
		if n == 0 {
			a.first = t
		} else if d := t.Sub(prev); d > 2*time.Millisecond && (a.minSpacing < 0 || d < a.minSpacing) {
			// Copies of one frame seen on two interfaces (tcpdump -i any)
			// are not two announcements.
			a.minSpacing = d
		}
		prev = t
	}
	a.garps = a.garpReq + a.garpReply + a.garpReplyOther
	a.insideLocktime = a.minSpacing >= 0 && a.minSpacing <= cfg.Locktime+cfg.LocktimeSlack
	return a
}

func staleEvidence(tl *timeline.Timeline, m *move, u *staleUse) []Evidence {
	var ev []Evidence
	ev = append(ev, EventEvidence(tl, m.lastOld))
	for _, i := range capEvidence(m.announce, 4, 1) {
		ev = append(ev, EventEvidence(tl, i))
	}
	for _, i := range capEvidence(u.runs.list(), 2, 1) {
		ev = append(ev, spanEvidence(tl, i))
	}
	for _, i := range capEvidence(u.syns.list(), 2, 2) {
		ev = append(ev, EventEvidence(tl, i))
	}
	for _, i := range capEvidence(u.requests.list(), 2, 1) {
		ev = append(ev, EventEvidence(tl, i))
	}
	if u.switched >= 0 {
		ev = append(ev, spanEvidence(tl, u.switched))
	}
	for _, i := range []int{m.dbGone, m.dbNew} {
		if i >= 0 {
			ev = append(ev, EventEvidence(tl, i))
		}
	}
	for _, i := range capEvidence(slices.Compact(slices.Sorted(slices.Values(u.neigh.list()))), 2, 1) {
		ev = append(ev, EventEvidence(tl, i))
	}
	slices.SortStableFunc(ev, func(a, b Evidence) int { return a.Time.Compare(b.Time) })
	return dedupEvidence(ev)
}

// dedupEvidence drops repeated citations of one event.
func dedupEvidence(ev []Evidence) []Evidence {
	seen := map[int]bool{}
	out := ev[:0]
	for _, e := range ev {
		if e.Event >= 0 {
			if seen[e.Event] {
				continue
			}
			seen[e.Event] = true
		}
		out = append(out, e)
	}
	return out
}
