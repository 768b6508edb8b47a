package detect

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/arpforensics/arpforensics/timeline"
)

// ipKey scopes an IP's binding to one broadcast domain as far as captures
// tell: the same address on two VLANs is two bindings, and so is the same
// address seen from two vantage points (segments, see segmentIDs).
type ipKey struct {
	ip   netip.Addr
	vlan uint16
	seg  uint16
}

// segmentIDs numbers the timeline's binding domains (Source.SegmentKey) and
// returns each source's: a capture point's frames and listings answer for
// its own bindings only, so two hosts' captures of the same addresses are
// two stories, unless a case file puts them on one segment.
func segmentIDs(tl *timeline.Timeline) []uint16 {
	ids := map[string]uint16{}
	out := make([]uint16, len(tl.Sources))
	for i, s := range tl.Sources {
		k := s.SegmentKey()
		id, ok := ids[k]
		if !ok {
			id = uint16(min(len(ids), 1<<16-1))
			ids[k] = id
		}
		out[i] = id
	}
	return out
}

func (k ipKey) String() string {
	if k.vlan != 0 {
		return fmt.Sprintf("%s (vlan %d)", k.ip, k.vlan)
	}
	return k.ip.String()
}

// move is an IP seen bound to a different MAC than before: the new MAC
// acting as the IP's owner (an ARP frame it sent claiming the IP, or IPv4
// frames it sent from the IP) while the binding was another MAC, however
// that one was seen (see witness).
type move struct {
	key      ipKey
	old, new timeline.MAC
	at       time.Time // the first frame showing the new binding
	lastOld  int       // event index of the last event showing the old binding (its owner's when any)
	firstNew int       // event index of that first frame
	// oldSeen is every kind of witness that showed the old binding; newBy
	// the kind of the first frame showing the new one.
	oldSeen witness
	newBy   witness
	// newSeen is every kind of witness that showed the new binding while
	// it held; wireAt is when a witness other than the database first did
	// (zero if none did).
	newSeen witness
	wireAt  time.Time
	// dbNew is the database row change that gave the IP to the new MAC and
	// dbGone the one that withdrew the old MAC's claim (event indexes, -1
	// when no database recorded them): the database's own record of the
	// move. When the database saw it first, at is its commit's _date.
	dbNew, dbGone int
	// announce lists the announcements (replies, GARPs) from the new MAC for
	// the IP while the new binding held, in time order.
	announce []int
	// until is when the binding changed again; zero if it never did.
	until time.Time
	// flipFlop: the new MAC is an earlier binding of the IP coming back.
	flipFlop bool
	// history is every MAC the IP had before this move, oldest first.
	history []timeline.MAC
}

// end is the end of the move's window: when the binding changed again, or
// far in the future.
func (m *move) end() time.Time {
	if m.until.IsZero() {
		return time.Unix(1<<40, 0)
	}
	return m.until
}

// bindingSender reports whether an ARP frame shows its sender's binding.
// Probes carry none (spa 0.0.0.0); other opcodes are not IPv4 ARP. A frame
// whose ARP sender MAC is not its Ethernet source (proxy ARP, spoofing, a
// bridge rewriting one of them, a corrupt frame) is evidence of its own
// kind, never the address's binding: the MAC it names did not send it, so
// it does not show that MAC acting as the IP's owner.
func bindingSender(a *timeline.ARP) bool {
	if a.Class == timeline.ARPProbe || a.Class == timeline.ARPOther || a.SenderMismatch {
		return false
	}
	return a.SPA.Is4() && !a.SPA.IsUnspecified() && !a.SHA.IsZero() && !a.SHA.IsMulticast()
}

// maxBindings is how many IPs' bindings the moves pass remembers: beyond, the
// least recently seen are forgotten (and a move of one of them after that
// goes unnoticed; the run's notes say how many). An ARP scan from millions of
// spoofed senders costs this much, not a table entry per sender.
const maxBindings = 1 << 20

// bindKey packs an IPv4 ipKey into one word: the table holds no pointers.
type bindKey uint64

func packKey(k ipKey) bindKey {
	a := k.ip.As4()
	return bindKey(uint64(k.seg)<<48 | uint64(a[0])<<40 | uint64(a[1])<<32 | uint64(a[2])<<24 | uint64(a[3])<<16 | uint64(k.vlan))
}

// binding is what the pass knows of one IP.
type binding struct {
	mac   timeline.MAC
	seen  witness
	last  int32 // last event showing mac
	owner int32 // last event of mac's owner showing it (ARP, own frames); -1 if none
	// ownerUntil is the latest time (Unix ns) mac's owner was seen acting
	// for the IP: a run of its own frames lasts past its first frame.
	ownerUntil int64
	open       int32 // index in the moves of the move that set mac; -1 for none
	hist       int32 // index into the pass's histories once the IP has moved; -1 before
}

// bindingTable keeps the latest bindings in two generations: lookups
// promote from the older one, and when the newer fills up the older is
// dropped. That is a least-recently-seen cache in two plain tables.
type bindingTable struct {
	cur, old  *keyTable[binding]
	forgotten int
}

func newBindingTable() *bindingTable {
	return &bindingTable{cur: &keyTable[binding]{}, old: &keyTable[binding]{}}
}

func (t *bindingTable) get(k bindKey) (binding, bool) {
	if b := t.cur.find(uint64(k)); b != nil {
		return *b, true
	}
	p := t.old.find(uint64(k))
	if p == nil {
		return binding{}, false
	}
	b := *p
	t.old.delete(uint64(k))
	t.put(k, b)
	return b, true
}

func (t *bindingTable) put(k bindKey, b binding) {
	p, _ := t.cur.insert(uint64(k))
	*p = b
	if t.cur.len() >= maxBindings/2 {
		t.forgotten += t.old.len()
		t.old.clear()
		t.old, t.cur = t.cur, t.old
	}
}

// movesResult is the moves pass's output.
type movesResult struct {
	moves     []move
	forgotten int // IPs whose binding was dropped to stay bounded
	// mismatched counts the ARP frames not read as bindings because their
	// sender MAC was not their Ethernet source; firstMismatch cites one.
	mismatched    int
	firstMismatch int
	// offLinkFull: the on-link address set filled up, so traffic to or from
	// addresses beyond it was not read as bindings.
	offLinkFull bool
}

// movesOf returns the timeline's binding changes, computed once per run when
// cfg carries the run's shared facts.
func movesOf(tl *timeline.Timeline, cfg *Config) []move {
	if cfg.facts == nil {
		return moves(tl).moves
	}
	f := cfg.facts
	f.do(&f.movesFact, func() {
		f.moves = moves(tl)
		if n := f.moves.mismatched; n > 0 {
			e := EventEvidence(tl, f.moves.firstMismatch)
			f.note("mac-change and stale-mac did not read %s as bindings: the ARP sender MAC differs from the frame's Ethernet source (proxy ARP, spoofing, a bridge rewriting one of them, or a corrupt frame), so the MAC it names did not itself claim the address (first: %s %s, %s)",
				plural(int64(n), "ARP frame", "ARP frames"), e.Source, e.Pos, e.Text)
		}
		if f.moves.offLinkFull {
			f.note("mac-change and stale-mac knew %d addresses to be on-link from ARP; traffic of addresses beyond those was not read as their bindings", maxOnLink)
		}
		if n := f.moves.forgotten; n > 0 {
			f.note("mac-change and stale-mac remembered the latest %d IP bindings: %d IPs seen earlier were forgotten, so a later move of one of them is not reported", maxBindings/2, n)
		}
	})
	return f.moves.moves
}

// witness is a kind of evidence that an IP is at a MAC. Owners' witnesses
// (ARP, own frames) can move a binding; the others only show it — they are
// some host's belief, which is what stale-mac and missing-probe judge, so
// a belief contradicting the binding is never a move.
type witness uint8

const (
	witARP      witness = 1 << iota // an ARP frame the MAC sent claiming the IP
	witOwn                          // IPv4 frames from the IP, sent by the MAC (an on-link IP)
	witTraffic                      // IPv4 frames others sent to the IP via the MAC (an on-link IP, not routed)
	witListing                      // the segment's host listing the IP at the MAC (ip neigh, ip monitor)
	witDatabase                     // a database row binding the IP to the MAC (OVN/OVSDB history; see observation)
)

func (w witness) owner() bool { return w&(witARP|witOwn|witDatabase) != 0 }

// names lists the kinds in w, as findings name them.
func (w witness) names() []string {
	var out []string
	for _, k := range []struct {
		w    witness
		name string
	}{{witARP, "arp"}, {witOwn, "own-frames"}, {witTraffic, "traffic"}, {witListing, "listing"}, {witDatabase, "database"}} {
		if w&k.w != 0 {
			out = append(out, k.name)
		}
	}
	return out
}

// describe says in prose what kinds of evidence w holds.
func (w witness) describe() string {
	var parts []string
	for _, k := range []struct {
		w    witness
		text string
	}{{witARP, "ARP frames it sent"}, {witOwn, "IPv4 frames it sent from the address"}, {witTraffic, "frames other hosts sent to the address through it"}, {witListing, "the host's neighbour listings"}, {witDatabase, "the database"}} {
		if w&k.w != 0 {
			parts = append(parts, k.text)
		}
	}
	return joinAnd(parts)
}

// observation is one witness of a binding at one event. The moves pass
// reads them from observationsOf (captures, listings) and dbWitness.observe
// (the OVSDB history); another source of bindings becomes one more such
// case, with its own witness kind, and every detector sharing the moves
// sees it.
type observation struct {
	key  ipKey
	mac  timeline.MAC
	kind witness
	ann  bool // an announcement (reply, GARP): kept for the move
	// weak: an owner's witness too thin to move a binding by itself (a
	// frame or two from a MAC: a corrupt or fuzzed source address looks
	// just like that); it still shows a binding nothing contradicts.
	weak bool
	// until is when the witnessing event ends (Unix ns): a usage run's last
	// frame.
	until int64
	// row and gone, for a database witness: the row change that declared
	// the binding, and the one that withdrew the IP's previous owner (-1).
	row, gone int
}

// minOwnFrames is how many frames from the IP a MAC must send in one run
// for its own frames to move the IP's binding.
const minOwnFrames = 3

// maxOnLink bounds the set of addresses known to be on-link.
const maxOnLink = 1 << 19

// onLinkSet is the addresses ARP shows on each segment (as a sender's
// binding or asked for): only those are on-link as far as the captures
// tell, so frames to or from them are not routed, and their MACs are
// their own. Routed traffic names a router's MAC for every remote address,
// and is never read as a binding.
type onLinkSet struct {
	set  keyTable[struct{}]
	full bool
	wire bool // the timeline holds any capture or neighbour evidence
}

func onLinkOf(tl *timeline.Timeline, segs []uint16) onLinkSet {
	var o onLinkSet
	add := func(ip netip.Addr, vlan, seg uint16) {
		if !ip.Is4() || ip.IsUnspecified() {
			return
		}
		if o.set.len() >= maxOnLink {
			o.full = true
			return
		}
		o.set.insert(uint64(packKey(ipKey{ip, vlan, seg})))
	}
	// Usage runs and listings only tell that the timeline holds wire
	// evidence, which its kinds do: the pass reads ARP alone.
	o.wire = tl.Kinds()&timeline.Kinds(timeline.KindARP, timeline.KindUsage, timeline.KindNeigh) != 0
	for _, r := range tl.RecordsOf(timeline.Kinds(timeline.KindARP)) {
		a, _ := r.ARPRec()
		if bindingSender(&a) {
			add(a.SPA, a.VLAN, segs[r.Src])
		}
		if a.Op == 1 && a.Class == timeline.ARPRequest {
			add(a.TPA, a.VLAN, segs[r.Src])
		}
	}
	return o
}

func (o *onLinkSet) has(k ipKey) bool {
	return o.set.find(uint64(packKey(k))) != nil
}

// dbWitness reads the OVN databases' rows (parse/ovsdb) as witnesses of
// bindings: an IP's declared owner (dbOwners: a NAT entry's external_ip →
// external_mac, a logical port's "MAC IP" addresses, …) is a binding from
// the commit that made it the only one, and a deleted or changed row ends
// it. The database is the owner's own record, so it moves a binding like
// the owner's ARP does, dated by the transaction's _date.
type dbWitness struct {
	owners *dbOwners
	seg    uint16 // the segment of the row being read
	out    []observation
}

func newDBWitness() *dbWitness {
	w := &dbWitness{owners: newDBOwners()}
	w.owners.moved = func(ip netip.Addr, t time.Time, prev timeline.MAC) {
		if !ip.Is4() {
			return
		}
		o := w.owners.owner[ip]
		w.out = append(w.out, observation{key: ipKey{ip, 0, w.seg}, mac: o.mac, kind: witDatabase, until: t.UnixNano(), row: o.ev, gone: w.owners.withdrawn(ip, prev)})
	}
	return w
}

// observe appends the bindings database record i (r) witnesses to obs.
func (w *dbWitness) observe(obs []observation, tl *timeline.Timeline, i int, r *timeline.Record, seg uint16) []observation {
	row, ok := tl.PayloadOf(r).(*timeline.OVSDBRow)
	if !ok {
		return obs
	}
	if !ownerTable(row.Table) {
		return obs
	}
	w.seg, w.out = seg, obs
	w.owners.row(i, r.Time(), row)
	obs, w.out = w.out, nil
	return obs
}

// observationsOf appends the bindings record r witnesses to obs.
func observationsOf(obs []observation, r *timeline.Record, segs []uint16, onLink *onLinkSet, mismatched func()) []observation {
	seg := segs[r.Src]
	switch r.Kind {
	case timeline.KindARP:
		a, _ := r.ARPRec()
		if !bindingSender(&a) {
			if a.SenderMismatch && a.Class != timeline.ARPProbe && a.Class != timeline.ARPOther {
				mismatched()
			}
			return obs
		}
		return append(obs, observation{key: ipKey{a.SPA, a.VLAN, seg}, mac: a.SHA, kind: witARP, ann: a.Class.Announces(), until: r.T, row: -1, gone: -1})
	case timeline.KindUsage:
		u, _ := r.UsageRec()
		if u.SrcIP.Is4() && !u.Src.IsZero() && !u.Src.IsMulticast() {
			if k := (ipKey{u.SrcIP, u.VLAN, seg}); onLink.has(k) {
				obs = append(obs, observation{key: k, mac: u.Src, kind: witOwn, weak: u.Frames < minOwnFrames, until: r.LastNano(), row: -1, gone: -1})
			}
		}
		// The MAC a sender used is its belief about the IP; an inferred one
		// (cooked capture) is ours, not the sender's, and says nothing.
		if u.DstKnown && u.DstIP.Is4() && !u.Dst.IsZero() && !u.Dst.IsMulticast() && !u.Group {
			if k := (ipKey{u.DstIP, u.VLAN, seg}); onLink.has(k) {
				obs = append(obs, observation{key: k, mac: u.Dst, kind: witTraffic, row: -1, gone: -1})
			}
		}
	case timeline.KindNeigh:
		if mac, _, ok := r.NeighLL(); ok && !mac.IsZero() && !mac.IsMulticast() {
			if ip := r.NeighIP(); ip.Is4() {
				obs = append(obs, observation{key: ipKey{ip, 0, seg}, mac: mac, kind: witListing, row: -1, gone: -1})
			}
		}
	}
	return obs
}

// moves walks the timeline's witnesses of bindings and returns every
// binding change, in time order.
func moves(tl *timeline.Timeline) movesResult {
	tab := newBindingTable()
	segs := segmentIDs(tl)
	onLink := onLinkOf(tl, segs)
	// The databases witness bindings only where something else on the
	// wire or in a listing does: alone they are stale-mac-binding's.
	var db *dbWitness
	if onLink.wire {
		db = newDBWitness()
	}
	var histories [][]timeline.MAC
	var out []move
	mismatched, firstMismatch := 0, -1
	var obs []observation
	kinds := timeline.Kinds(timeline.KindARP, timeline.KindUsage, timeline.KindNeigh)
	if db != nil {
		kinds |= timeline.Kinds(timeline.KindOVN)
	}
	for i, r := range tl.RecordsOf(kinds) {
		if r.Kind == timeline.KindOVN { // only passed when db is set
			obs = db.observe(obs[:0], tl, i, r, segs[r.Src])
		} else {
			obs = observationsOf(obs[:0], r, segs, &onLink, func() {
				if mismatched++; firstMismatch < 0 {
					firstMismatch = i
				}
			})
		}
		for _, o := range obs {
			pk := packKey(o.key)
			s, ok := tab.get(pk)
			if !ok {
				b := binding{mac: o.mac, seen: o.kind, last: int32(i), owner: -1, open: -1, hist: -1}
				if o.kind.owner() {
					b.owner, b.ownerUntil = int32(i), o.until
				}
				tab.put(pk, b)
				continue
			}
			if s.mac == o.mac {
				s.last, s.seen = int32(i), s.seen|o.kind
				if o.kind.owner() {
					s.owner = int32(i)
					s.ownerUntil = max(s.ownerUntil, o.until)
				}
				if s.open >= 0 {
					m := &out[s.open]
					if o.ann {
						m.announce = append(m.announce, i)
					}
					m.newSeen |= o.kind
					if o.kind != witDatabase && m.wireAt.IsZero() {
						m.wireAt = r.Time()
					}
					if o.kind == witDatabase && m.dbNew < 0 {
						m.dbNew, m.dbGone = o.row, o.gone // the database's record of a move the wire showed first
					}
				}
				tab.put(pk, s)
				continue
			}
			if !o.kind.owner() || o.weak {
				continue // a host's belief against the binding (what stale-mac judges), or too little to be a move
			}
			if o.kind == witOwn && s.ownerUntil > r.T {
				// The old MAC is still sending from the IP while the new one
				// starts: two interfaces of one device, or two claimants —
				// not a move, unless the new MAC announces it by ARP.
				continue
			}
			t := r.Time()
			if s.open >= 0 {
				out[s.open].until = t
			}
			if s.hist < 0 {
				histories = append(histories, []timeline.MAC{s.mac})
				s.hist = int32(len(histories) - 1)
			}
			h := histories[s.hist]
			lastOld := s.last
			if s.owner >= 0 {
				lastOld = s.owner
			}
			m := move{
				key: o.key, old: s.mac, new: o.mac, at: t, lastOld: int(lastOld), firstNew: i,
				oldSeen: s.seen, newBy: o.kind, newSeen: o.kind, dbNew: -1, dbGone: -1,
				flipFlop: slices.Contains(h, o.mac),
				history:  slices.Clone(h),
			}
			if o.ann {
				m.announce = append(m.announce, i)
			}
			if o.kind == witDatabase {
				m.dbNew, m.dbGone = o.row, o.gone
			} else {
				m.wireAt = t
			}
			out = append(out, m)
			s.open = int32(len(out) - 1)
			s.mac, s.last, s.owner, s.seen, s.ownerUntil = o.mac, int32(i), int32(i), o.kind, o.until
			if !slices.Contains(h, o.mac) {
				histories[s.hist] = append(h, o.mac)
			}
			tab.put(pk, s)
		}
	}
	return movesResult{moves: out, forgotten: tab.forgotten, mismatched: mismatched, firstMismatch: firstMismatch, offLinkFull: onLink.full}
}

// eventTime is event i's time.
func eventTime(tl *timeline.Timeline, i int) time.Time {
	r := tl.Record(i)
	return r.Time()
}

// within is the part of idx (event indexes, ascending: the timeline is in
// time order) whose events fall in [from, to], found by binary search so
// that a window's look-up does not walk an address's whole history.
func within(tl *timeline.Timeline, idx []int32, from, to time.Time) []int32 {
	at := func(t time.Time, after bool) int {
		k, _ := slices.BinarySearchFunc(idx, t, func(j int32, t time.Time) int {
			if e := tl.Time(int(j)); e.Before(t) || after && e.Equal(t) {
				return -1
			}
			return 1
		})
		return k
	}
	lo := at(from, false)
	return idx[lo:max(lo, at(to, true))]
}

// arpAt reads event i, an ARP frame (its Iface left empty).
func arpAt(tl *timeline.Timeline, i int) timeline.ARP {
	r := tl.Record(i)
	a, _ := r.ARPRec()
	return a
}

// fmtDur is a duration as an engineer says it: "412 ms", "12.4 s", "5 min 5 s".
func fmtDur(d time.Duration) string {
	switch {
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Round(time.Millisecond).Milliseconds())
	case d < time.Minute:
		d = d.Round(time.Millisecond)
		return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.3f", d.Seconds()), "0"), ".") + " s"
	case d < time.Hour:
		d = d.Round(time.Second)
		if sec := int(d.Seconds()) % 60; sec != 0 {
			return fmt.Sprintf("%d min %d s", int(d.Minutes()), sec)
		}
		return fmt.Sprintf("%d min", int(d.Minutes()))
	default:
		d = d.Round(time.Minute)
		return fmt.Sprintf("%d h %d min", int(d.Hours()), int(d.Minutes())%60)
	}
}

// plural is "1 frame" / "3 frames".
func plural(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// capEvidence keeps the first head and the last tail items of a long list,
// so a finding stays readable while its ends stay cited.
func capEvidence(idx []int, head, tail int) []int {
	if len(idx) <= head+tail {
		return idx
	}
	out := append([]int(nil), idx[:head]...)
	return append(out, idx[len(idx)-tail:]...)
}

func unpackKey(k bindKey) ipKey {
	return ipKey{netip.AddrFrom4([4]byte{byte(k >> 40), byte(k >> 32), byte(k >> 24), byte(k >> 16)}), uint16(k), uint16(k >> 48)}
}
