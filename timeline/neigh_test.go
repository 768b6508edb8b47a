package timeline

import (
	"net/netip"
	"testing"
	"time"
)

func TestNeighAt(t *testing.T) {
	t0 := time.Date(2017, 5, 16, 14, 30, 0, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	fip := netip.MustParseAddr("172.24.5.11")
	oldMAC, _ := ParseMAC("fa:16:3e:4d:2a:91")
	newMAC, _ := ParseMAC("fa:16:3e:c7:05:3b")
	listing := func(s, end int, st NUD, m MAC, op NeighOp) Event {
		n := &Neigh{NeighEntry: NeighEntry{IP: fip, Dev: "br-ex", LLAddr: m, HasLL: !m.IsZero(), State: st, Op: op}, Form: NeighSnapshot, Listings: int32(end - s + 1)}
		e := Event{Time: at(s), Data: n}
		if end > s {
			e.End = at(end)
		}
		return e
	}
	node := []Event{
		listing(10, 20, NUDReachable, oldMAC, NeighListed),
		listing(25, 30, NUDStale, oldMAC, NeighListed),
		listing(40, 50, NUDReachable, newMAC, NeighListed),
		listing(60, 60, NUDReachable, newMAC, NeighGone),
	}
	other := []Event{{Time: at(0), Data: &Neigh{NeighEntry: NeighEntry{IP: fip, LLAddr: newMAC, HasLL: true, State: NUDStale}, Form: NeighMonitor}}}
	tl := Build([]*Source{{Host: "node"}, {Host: "router"}}, [][]Event{node, other})

	cases := []struct {
		host    string
		sec     int
		ok      bool
		mac     MAC
		state   NUD
		covered bool
	}{
		{"node", 5, false, MAC{}, 0, false},             // before any listing
		{"node", 15, true, oldMAC, NUDReachable, true},  // inside a stretch
		{"node", 21, true, oldMAC, NUDReachable, true},  // within a second of its last listing
		{"node", 23, true, oldMAC, NUDReachable, false}, // in the gap before the next listing
		{"node", 27, true, oldMAC, NUDStale, true},
		{"node", 45, true, newMAC, NUDReachable, true},
		{"node", 70, false, MAC{}, 0, false}, // no longer listed
		{"router", 100, true, newMAC, NUDStale, true},
		{"nobody", 15, false, MAC{}, 0, false},
	}
	for _, c := range cases {
		v, ok := tl.NeighAt(c.host, fip, at(c.sec))
		if ok != c.ok {
			t.Errorf("%s at %d s: ok=%v, want %v", c.host, c.sec, ok, c.ok)
			continue
		}
		if !ok {
			continue
		}
		if v.Entry.LLAddr != c.mac || v.Entry.State != c.state || v.Covered != c.covered {
			t.Errorf("%s at %d s: %s %s covered=%v, want %s %s covered=%v", c.host, c.sec, v.Entry.LLAddr, v.Entry.State, v.Covered, c.mac, c.state, c.covered)
		}
		if got := tl.Event(v.Event).Data.(*Neigh); *got != *v.Entry {
			t.Errorf("%s at %d s: Event does not point at the entry", c.host, c.sec)
		}
	}
}

func TestNUDNames(t *testing.T) {
	for _, s := range []string{"INCOMPLETE", "REACHABLE", "STALE", "DELAY", "PROBE", "FAILED", "NOARP", "PERMANENT"} {
		n, ok := ParseNUD(s)
		if !ok || n.String() != s {
			t.Errorf("%s: %v %v", s, n, ok)
		}
	}
	if (NUDStale|NUDDelay).String() != "STALE DELAY" || NUD(0).String() != "NONE" {
		t.Error("multi-state or empty names")
	}
	if _, ok := ParseNUD("BOGUS"); ok {
		t.Error("BOGUS parsed")
	}
}

// Since is kept as a gap before the event's time, so a clock offset applied
// to the event moves it too.
func TestNeighSinceFollowsTheEvent(t *testing.T) {
	n := &Neigh{Gap: 1500 * time.Millisecond, GapKnown: true}
	t0 := time.Date(2017, 5, 16, 14, 30, 0, 0, time.UTC)
	if got := n.Since(t0.Add(2 * time.Second)); !got.Equal(t0.Add(500 * time.Millisecond)) {
		t.Errorf("Since = %v", got)
	}
	if !(&Neigh{}).Since(t0).IsZero() {
		t.Error("unknown gap gives a time")
	}
}
