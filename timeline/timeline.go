package timeline

import (
	"cmp"
	"container/heap"
	"net/netip"
	"slices"
	"time"
)

// Timeline is every analysed source's events merged by time, with indexes by
// IP, MAC and OVSDB entity. It is built once and then only read: detectors,
// reports and the TUI share it.
type Timeline struct {
	Sources []*Source
	Events  []Event

	byIP     map[netip.Addr][]int32
	byMAC    map[MAC][]int32
	byEntity map[string][]int32
}

// SortEvents orders one source's events by time, keeping their record order
// for equal times. Parsers call it before handing events over.
func SortEvents(evs []Event) {
	slices.SortStableFunc(evs, func(a, b Event) int { return cmpEvent(&a, &b) })
}

// Build merges per-source event lists (perSource[i] belongs to sources[i]) into
// one timeline. The merge is stable: equal times keep source order, then
// record order. Each list is sorted first if it is not already. Build takes
// the lists over: a lone non-empty list becomes the timeline without a copy,
// and the others are released as the merge consumes them.
func Build(sources []*Source, perSource [][]Event) *Timeline {
	total, nonEmpty, only := 0, 0, -1
	for i, evs := range perSource {
		if !slices.IsSortedFunc(evs, func(a, b Event) int { return cmpEvent(&a, &b) }) {
			SortEvents(evs)
		}
		for j := range evs {
			evs[j].Source = int32(i)
		}
		total += len(evs)
		if len(evs) > 0 {
			nonEmpty, only = nonEmpty+1, i
		}
	}
	t := &Timeline{Sources: sources}
	switch nonEmpty {
	case 0:
		t.Events = []Event{}
	case 1:
		t.Events, perSource[only] = perSource[only], nil
	default:
		t.Events = merge(perSource, total)
	}
	t.index()
	return t
}

// merge is a k-way merge of sorted lists by time, ties broken by list order.
func merge(perSource [][]Event, total int) []Event {
	out := make([]Event, 0, total)
	h := make(mergeHeap, 0, len(perSource))
	for i, evs := range perSource {
		if len(evs) > 0 {
			h = append(h, cursor{evs: evs, src: i})
		}
	}
	heap.Init(&h)
	for h.Len() > 0 {
		c := &h[0]
		out = append(out, c.evs[0])
		c.evs = c.evs[1:]
		if len(c.evs) == 0 {
			perSource[c.src] = nil // its events are all in out now
			heap.Pop(&h)
		} else {
			heap.Fix(&h, 0)
		}
	}
	return out
}

func cmpEvent(a, b *Event) int {
	if c := a.Time.Compare(b.Time); c != 0 {
		return c
	}
	if a.Pos.Less(b.Pos) {
		return -1
	}
	if b.Pos.Less(a.Pos) {
		return 1
	}
	return 0
}

type cursor struct {
	evs []Event
	src int
}

type mergeHeap []cursor

func (h mergeHeap) Len() int { return len(h) }
func (h mergeHeap) Less(i, j int) bool {
	a, b := &h[i].evs[0], &h[j].evs[0]
	if c := a.Time.Compare(b.Time); c != 0 {
		return c < 0
	}
	return h[i].src < h[j].src
}
func (h mergeHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *mergeHeap) Push(x any)   { *h = append(*h, x.(cursor)) }
func (h *mergeHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

func (t *Timeline) index() {
	t.byIP = map[netip.Addr][]int32{}
	t.byMAC = map[MAC][]int32{}
	t.byEntity = map[string][]int32{}
	var k Keys
	for i := range t.Events {
		k.reset()
		t.Events[i].Data.AppendKeys(&k)
		for _, ip := range dedup(k.IPs) {
			t.byIP[ip] = append(t.byIP[ip], int32(i))
		}
		for _, m := range dedup(k.MACs) {
			t.byMAC[m] = append(t.byMAC[m], int32(i))
		}
		for _, e := range dedup(k.Entities) {
			t.byEntity[e] = append(t.byEntity[e], int32(i))
		}
	}
}

// dedup removes repeats from a short key list in place, keeping order.
func dedup[T comparable](xs []T) []T {
	out := xs[:0]
	for _, x := range xs {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// ByIP lists the indexes (into Events, ascending) of events concerning ip.
func (t *Timeline) ByIP(ip netip.Addr) []int32 { return t.byIP[ip] }

// ByMAC lists the indexes of events concerning m.
func (t *Timeline) ByMAC(m MAC) []int32 { return t.byMAC[m] }

// ByEntity lists the indexes of events concerning an OVSDB entity.
func (t *Timeline) ByEntity(e string) []int32 { return t.byEntity[e] }

// Source returns the source of event i.
func (t *Timeline) Source(i int) *Source { return t.Sources[t.Events[i].Source] }

// Search returns the index of the first event at or after tm.
func (t *Timeline) Search(tm time.Time) int {
	i, _ := slices.BinarySearchFunc(t.Events, tm, func(e Event, tm time.Time) int {
		return cmp.Compare(e.Time.UnixNano(), tm.UnixNano())
	})
	return i
}

// Span is the time of the first and last event.
func (t *Timeline) Span() (first, last time.Time) {
	if len(t.Events) == 0 {
		return
	}
	first = t.Events[0].Time
	for i := range t.Events {
		if l := t.Events[i].Last(); l.After(last) {
			last = l
		}
	}
	return first, last
}
