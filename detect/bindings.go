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

// move is an IP seen bound to a different MAC than before, by any ARP frame
// carrying its sender binding (replies, GARPs, requests).
type move struct {
	key      ipKey
	old, new timeline.MAC
	at       time.Time // the first frame showing the new binding
	lastOld  int       // event index of the last frame showing the old binding
	firstNew int       // event index of that first frame
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
	mac  timeline.MAC
	last int32 // last event showing mac
	open int32 // index in the moves of the move that set mac; -1 for none
	hist int32 // index into the pass's histories once the IP has moved; -1 before
}

// bindingTable keeps the latest bindings in two generations: lookups
// promote from the older one, and when the newer fills up the older is
// dropped. That is a least-recently-seen cache in two plain maps.
type bindingTable struct {
	cur, old  map[bindKey]binding
	forgotten int
}

func newBindingTable() *bindingTable {
	return &bindingTable{cur: map[bindKey]binding{}, old: map[bindKey]binding{}}
}

func (t *bindingTable) get(k bindKey) (binding, bool) {
	if b, ok := t.cur[k]; ok {
		return b, true
	}
	b, ok := t.old[k]
	if ok {
		delete(t.old, k)
		t.put(k, b)
	}
	return b, ok
}

func (t *bindingTable) put(k bindKey, b binding) {
	t.cur[k] = b
	if len(t.cur) >= maxBindings/2 {
		t.forgotten += len(t.old)
		t.old, t.cur = t.cur, make(map[bindKey]binding, len(t.cur))
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
}

// movesOf returns the timeline's binding changes, computed once per run when
// cfg carries the run's shared facts.
func movesOf(tl *timeline.Timeline, cfg *Config) []move {
	if cfg.facts == nil {
		return moves(tl).moves
	}
	f := cfg.facts
	f.movesOnce.Do(func() {
		f.moves = moves(tl)
		if n := f.moves.mismatched; n > 0 {
			e := EventEvidence(tl, f.moves.firstMismatch)
			f.note("mac-change and stale-mac did not read %s as bindings: the ARP sender MAC differs from the frame's Ethernet source (proxy ARP, spoofing, a bridge rewriting one of them, or a corrupt frame), so the MAC it names did not itself claim the address (first: %s %s, %s)",
				plural(int64(n), "ARP frame", "ARP frames"), e.Source, e.Pos, e.Text)
		}
		if n := f.moves.forgotten; n > 0 {
			f.note("mac-change and stale-mac remembered the latest %d IP bindings: %d IPs seen earlier were forgotten, so a later move of one of them is not reported", maxBindings/2, n)
		}
	})
	return f.moves.moves
}

// moves walks the timeline's ARP frames and returns every binding change, in
// time order.
func moves(tl *timeline.Timeline) movesResult {
	tab := newBindingTable()
	segs := segmentIDs(tl)
	var histories [][]timeline.MAC
	var out []move
	mismatched, firstMismatch := 0, -1
	for i, r := range tl.Records(0, -1) {
		if r.Kind != timeline.KindARP {
			continue
		}
		a, _ := r.ARPRec()
		if !bindingSender(&a) {
			if a.SenderMismatch && a.Class != timeline.ARPProbe && a.Class != timeline.ARPOther {
				if mismatched++; firstMismatch < 0 {
					firstMismatch = i
				}
			}
			continue
		}
		k := ipKey{a.SPA, a.VLAN, segs[r.Src]}
		pk := packKey(k)
		s, ok := tab.get(pk)
		if !ok {
			tab.put(pk, binding{mac: a.SHA, last: int32(i), open: -1, hist: -1})
			continue
		}
		if s.mac == a.SHA {
			s.last = int32(i)
			if s.open >= 0 && a.Class.Announces() {
				out[s.open].announce = append(out[s.open].announce, i)
			}
			tab.put(pk, s)
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
		m := move{
			key: k, old: s.mac, new: a.SHA, at: t, lastOld: int(s.last), firstNew: i,
			flipFlop: slices.Contains(h, a.SHA),
			history:  slices.Clone(h),
		}
		if a.Class.Announces() {
			m.announce = append(m.announce, i)
		}
		out = append(out, m)
		s.open = int32(len(out) - 1)
		s.mac, s.last = a.SHA, int32(i)
		if !slices.Contains(h, a.SHA) {
			histories[s.hist] = append(h, a.SHA)
		}
		tab.put(pk, s)
	}
	return movesResult{moves: out, forgotten: tab.forgotten, mismatched: mismatched, firstMismatch: firstMismatch}
}

// eventTime is event i's time.
func eventTime(tl *timeline.Timeline, i int) time.Time {
	r := tl.Record(i)
	return r.Time()
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

// spanEvidence cites a usage run: its first and last frame.
func spanEvidence(tl *timeline.Timeline, i int) Evidence {
	e := tl.Event(i)
	ev := evidenceOf(tl, i, &e)
	if u, ok := e.Data.(*timeline.UsageRun); ok && u.Frames > 1 {
		ev.Pos = rangePos(e.Pos, u.Last)
	}
	return ev
}

// rangePos renders "frames 12–40" or "lines 3–9".
func rangePos(first, last timeline.Pos) string {
	switch {
	case first.Frame > 0 && last.Frame > first.Frame:
		return fmt.Sprintf("frames %d–%d", first.Frame, last.Frame)
	case first.Line > 0 && last.Line > first.Line:
		return fmt.Sprintf("lines %d–%d", first.Line, last.Line)
	}
	return first.String()
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
