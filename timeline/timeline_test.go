package timeline

import (
	"net/netip"
	"reflect"
	"sync"
	"testing"
	"time"
)

func ev(sec int, frame int64) Event {
	return Event{Time: time.Unix(int64(sec), 0).UTC(), Pos: Pos{Frame: frame}, Data: &TCP{What: TCPSyn,
		SrcIP: netip.MustParseAddr("10.0.0.1"), DstIP: netip.MustParseAddr("10.0.0.2")}}
}

func TestBuildMergesStablyAndIndexes(t *testing.T) {
	a := []Event{ev(1, 1), ev(3, 2), ev(3, 3)}
	b := []Event{ev(2, 1), ev(3, 1)} // the same second as a's last two: a comes first
	c := []Event{ev(0, 2), ev(0, 1)} // unsorted: Build sorts it (by position within a time)
	srcs := []*Source{{Path: "a"}, {Path: "b"}, {Path: "c"}}
	tl := Build(srcs, [][]Event{a, b, c})
	want := []struct {
		src   int32
		sec   int64
		frame int64
	}{{2, 0, 1}, {2, 0, 2}, {0, 1, 1}, {1, 2, 1}, {0, 3, 2}, {0, 3, 3}, {1, 3, 1}}
	if tl.Len() != len(want) {
		t.Fatalf("%d events, want %d", tl.Len(), len(want))
	}
	for i, w := range want {
		e := tl.Event(i)
		if e.Source != w.src || e.Time.Unix() != w.sec || e.Pos.Frame != w.frame {
			t.Errorf("event %d = source %d second %d frame %d, want %+v", i, e.Source, e.Time.Unix(), e.Pos.Frame, w)
		}
	}
	if n := len(tl.ByIP(netip.MustParseAddr("10.0.0.2"))); n != 7 {
		t.Errorf("ByIP found %d events, want 7", n)
	}
	if got := tl.Search(time.Unix(3, 0)); got != 4 {
		t.Errorf("Search(3 s) = %d, want 4", got)
	}
	if srcs[0].Events != 3 || !srcs[2].First.Equal(time.Unix(0, 1).UTC()) && !srcs[2].First.Equal(time.Unix(0, 0).UTC()) {
		t.Errorf("source counters: %+v %+v", srcs[0], srcs[2])
	}
	if tl := Build(nil, nil); tl.Len() != 0 {
		t.Error("an empty timeline has events")
	}
}

// ByIPs gives what ByIP gives, whether the timeline is indexed whole or
// looked up by scanning.
func TestByIPsMatchesByIP(t *testing.T) {
	build := func() *Timeline {
		var evs []Event
		for i := 0; i < 50; i++ {
			e := ev(i, int64(i+1))
			tc := e.Data.(*TCP)
			tc.DstIP = netip.AddrFrom4([4]byte{10, 0, 1, byte(i % 7)})
			evs = append(evs, e)
		}
		return Build([]*Source{{Path: "a"}}, [][]Event{evs})
	}
	ips := []netip.Addr{netip.MustParseAddr("10.0.1.3"), netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("192.0.2.1")}
	for _, whole := range []bool{true, false} {
		func() {
			if !whole {
				defer func(n int) { fullIndexMax = n }(fullIndexMax)
				fullIndexMax = 0
			}
			tl := build()
			got := tl.ByIPs(ips)
			for _, ip := range ips {
				want := tl.ByIP(ip)
				if len(got[ip]) != len(want) {
					t.Fatalf("whole index %v: ByIPs(%s) has %d events, ByIP %d", whole, ip, len(got[ip]), len(want))
				}
				for i := range want {
					if got[ip][i] != want[i] {
						t.Fatalf("whole index %v: ByIPs(%s) = %v, ByIP = %v", whole, ip, got[ip], want)
					}
				}
			}
			if len(got[ips[0]]) != 7 || len(got[ips[1]]) != 50 || len(got[ips[2]]) != 0 {
				t.Errorf("whole index %v: counts %d %d %d", whole, len(got[ips[0]]), len(got[ips[1]]), len(got[ips[2]]))
			}
		}()
	}
}

// Lookups of one key asked at once on a timeline too long for the whole
// index scan it once and all get the same answer.
func TestConcurrentLookupsScanOnce(t *testing.T) {
	defer func(n int) { fullIndexMax = n }(fullIndexMax)
	fullIndexMax = 0
	_, tl := buildMixed()
	ip := netip.MustParseAddr("10.0.0.3")
	want := tl.ByIP(ip) // the answer, now cached
	tl.idx.recent = nil // forget it: the next lookups scan
	var wg sync.WaitGroup
	got := make([][]int32, 8)
	for i := range got {
		wg.Add(1)
		go func() { defer wg.Done(); got[i] = tl.ByIP(ip) }()
	}
	wg.Wait()
	for i := range got {
		if !reflect.DeepEqual(got[i], want) || len(want) == 0 {
			t.Fatalf("lookup %d: %d events, want %d", i, len(got[i]), len(want))
		}
	}
	if n := len(tl.idx.recent); n != 1 {
		t.Errorf("%d scans for one key asked 8 times at once, want 1", n)
	}
	if len(tl.idx.running) != 0 {
		t.Errorf("%d scans still listed as running", len(tl.idx.running))
	}
}
