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
// tell: the same address on two VLANs is two bindings.
type ipKey struct {
	ip   netip.Addr
	vlan uint16
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
// Probes carry none (spa 0.0.0.0); other opcodes are not IPv4 ARP.
func bindingSender(a *timeline.ARP) bool {
	if a.Class == timeline.ARPProbe || a.Class == timeline.ARPOther {
		return false
	}
	return a.SPA.Is4() && !a.SPA.IsUnspecified() && !a.SHA.IsZero() && !a.SHA.IsMulticast()
}

// moves walks the timeline's ARP frames and returns every binding change, in
// time order.
func moves(tl *timeline.Timeline) []move {
	type state struct {
		mac     timeline.MAC
		last    int // last event showing mac
		history []timeline.MAC
		open    int // index in out of the move that set mac; -1 for none
	}
	st := map[ipKey]*state{}
	var out []move
	for i, r := range tl.Records(0, -1) {
		a, ok := r.ARPRec()
		if !ok || !bindingSender(&a) {
			continue
		}
		k := ipKey{a.SPA, a.VLAN}
		s := st[k]
		if s == nil {
			st[k] = &state{mac: a.SHA, last: i, history: []timeline.MAC{a.SHA}, open: -1}
			continue
		}
		if s.mac == a.SHA {
			s.last = i
			if s.open >= 0 && a.Class.Announces() {
				out[s.open].announce = append(out[s.open].announce, i)
			}
			continue
		}
		t := r.Time()
		if s.open >= 0 {
			out[s.open].until = t
		}
		m := move{
			key: k, old: s.mac, new: a.SHA, at: t, lastOld: s.last, firstNew: i,
			flipFlop: slices.Contains(s.history, a.SHA),
			history:  slices.Clone(s.history),
		}
		if a.Class.Announces() {
			m.announce = append(m.announce, i)
		}
		out = append(out, m)
		s.open = len(out) - 1
		s.mac, s.last = a.SHA, i
		if !slices.Contains(s.history, a.SHA) {
			s.history = append(s.history, a.SHA)
		}
	}
	return out
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
