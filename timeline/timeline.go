package timeline

import (
	"cmp"
	"fmt"
	"hash/maphash"
	"iter"
	"net/netip"
	"os"
	"reflect"
	"slices"
	"sort"
	"sync"
	"time"
)

// Timeline is every analysed source's events merged by time. It is built
// once (Merge, Build) and then only read, by many goroutines at once:
// detectors, reports and the TUI share it. Records stay in memory while they
// are few and are read back from a spill file otherwise; an event's text or
// frame bytes are read again from its source when asked for.
type Timeline struct {
	Sources []*Source

	st          store
	side        []*side
	n           int
	first, last int64

	idxOnce sync.Once
	idx     *index
}

// side is what a source keeps beside its records.
type side struct {
	heap     heap
	strs     strtab
	txnStore *TxnStore
	reread   string

	once sync.Once
	f    *os.File
	ferr error
}

// Len is the number of events.
func (t *Timeline) Len() int { return t.n }

// Record returns event i's record.
func (t *Timeline) Record(i int) Record { return t.st.at(i) }

// Kinds is the set of kinds the timeline holds, known without a pass. An
// empty timeline's is the zero set, which Has reads as every kind: test it
// with &.
func (t *Timeline) Kinds() KindSet { return t.st.all }

// Records yields the records from..to-1 in order (to < 0: to the end). The
// record pointer is valid until the next iteration only: copy what you keep.
func (t *Timeline) Records(from, to int) iter.Seq2[int, *Record] {
	if to < 0 || to > t.n {
		to = t.n
	}
	return func(yield func(int, *Record) bool) { t.st.scan(from, to, 0, yield) }
}

// RecordsOf yields the records of the kinds in ks, in order, as Records
// does. On a spilled timeline the stretches that hold none of them are not
// read at all: a pass over transactions costs nothing on a capture.
func (t *Timeline) RecordsOf(ks KindSet) iter.Seq2[int, *Record] {
	return func(yield func(int, *Record) bool) { t.st.scan(0, t.n, ks, yield) }
}

// Event decodes event i: its payload, and its text for text sources.
func (t *Timeline) Event(i int) Event {
	r := t.st.at(i)
	return t.eventOf(i, &r)
}

// EventOf decodes a record already read (from Records) as event i.
func (t *Timeline) EventOf(i int, r *Record) Event { return t.eventOf(i, r) }

func (t *Timeline) eventOf(i int, r *Record) Event {
	e := Event{Time: r.Time(), End: r.EndTime(), Source: r.Src, Pos: r.Pos}
	blob, raw, err := t.extra(r)
	if err == nil {
		e.Data, err = t.decode(r, blob)
	}
	if err != nil {
		e.Data = &Damaged{K: r.Kind, Err: err.Error()}
		return e
	}
	if r.Flags&fFrame != 0 {
		switch p := e.Data.(type) {
		case *ARP:
			p.Bytes = raw
		case *TCP:
			p.Bytes = raw
		}
	} else if len(raw) > 0 {
		e.Raw = string(raw)
	}
	return e
}

// View decodes event i for display: its payload and its text, without
// reading a frame's bytes (Event fills ARP and TCP Bytes; a table of
// summaries does not need them).
func (t *Timeline) View(i int) Event {
	r := t.st.at(i)
	return t.ViewOf(i, &r)
}

// ViewOf is View for a record already read (from Records).
func (t *Timeline) ViewOf(i int, r *Record) Event {
	if r.Flags&fFrame == 0 {
		return t.eventOf(i, r)
	}
	return Event{Time: r.Time(), End: r.EndTime(), Source: r.Src, Pos: r.Pos, Data: t.PayloadOf(r)}
}

// Payload decodes event i's payload, without reading its text.
func (t *Timeline) Payload(i int) Payload {
	r := t.st.at(i)
	return t.PayloadOf(&r)
}

// NeighDev is the device a neighbour record names (Neigh.Dev,
// NeighReset.Dev), without decoding the rest.
func (t *Timeline) NeighDev(r *Record) string {
	if r.Kind != KindNeigh {
		return ""
	}
	return t.side[r.Src].strs.get(r.neigh().Dev)
}

// PayloadOf decodes a record's payload, without reading its text.
func (t *Timeline) PayloadOf(r *Record) Payload {
	var blob []byte
	var err error
	if r.Ref != 0 {
		blob, _, err = t.side[r.Src].heap.get(r.Ref)
	}
	var p Payload
	if err == nil {
		p, err = t.decode(r, blob)
	}
	if err != nil {
		return &Damaged{K: r.Kind, Err: err.Error()}
	}
	return p
}

// Time is event i's time.
func (t *Timeline) Time(i int) time.Time {
	r := t.st.at(i)
	return r.Time()
}

// Raw is event i's own text (its line), or "" for frames and events without.
func (t *Timeline) Raw(i int) string {
	r := t.st.at(i)
	if r.Flags&fFrame != 0 || r.Len == 0 {
		return ""
	}
	_, raw, err := t.extra(&r)
	if err != nil {
		return ""
	}
	return string(raw)
}

// extra reads a record's heap entry and its own bytes: from the heap, or
// again from the source file.
func (t *Timeline) extra(r *Record) (blob, raw []byte, err error) {
	sd := t.side[r.Src]
	if r.Ref != 0 {
		if blob, raw, err = sd.heap.get(r.Ref); err != nil {
			return nil, nil, err
		}
	}
	if r.Len > 0 && len(raw) == 0 && sd.reread != "" {
		raw, err = sd.readAt(r.Pos.Offset, int(r.Len)) // not kept: read again
	}
	return blob, raw, err
}

func (sd *side) readAt(off int64, n int) ([]byte, error) {
	sd.once.Do(func() { sd.f, sd.ferr = os.Open(sd.reread) })
	if sd.ferr != nil {
		return nil, fmt.Errorf("re-reading the source: %w", sd.ferr)
	}
	b := make([]byte, n)
	if _, err := sd.f.ReadAt(b, off); err != nil {
		return nil, fmt.Errorf("re-reading %s at byte %d: %w", sd.reread, off, err)
	}
	return b, nil
}

// Close releases the timeline's spill and source files. Reading it
// afterwards is an error.
func (t *Timeline) Close() {
	t.st.close()
	for _, sd := range t.side {
		sd.heap.file.close()
		if sd.f != nil {
			sd.f.Close()
		}
	}
}

// Damaged stands in for a payload that could not be read back (a spill file
// error): views show the error instead of the event.
type Damaged struct {
	K   Kind
	Err string
}

func (d *Damaged) Kind() Kind         { return d.K }
func (d *Damaged) Summary() string    { return "(event unreadable: " + d.Err + ")" }
func (d *Damaged) AppendKeys(k *Keys) {}
func (d *Damaged) Fields() []Field    { return []Field{{"error", d.Err}} }

// Source returns the source of event i.
func (t *Timeline) Source(i int) *Source {
	r := t.st.at(i)
	return t.Sources[r.Src]
}

// NanoTime is the time a record's nanoseconds (Record.T, End) stand for, as
// Record.Time gives it: for detectors that keep times as nanoseconds.
func NanoTime(ns int64) time.Time { return unixUTC(ns) }

// Search returns the index of the first event at or after tm.
func (t *Timeline) Search(tm time.Time) int {
	ns := tm.UnixNano()
	return sort.Search(t.n, func(i int) bool { r := t.st.at(i); return r.T >= ns })
}

// Span is the time of the first event and the last moment any covers.
func (t *Timeline) Span() (first, last time.Time) {
	if t.n == 0 {
		return
	}
	return unixUTC(t.first), unixUTC(t.last)
}

// Keys of one record, as its payload's AppendKeys gives them. Capture and
// neighbour records are read without decoding.
func (t *Timeline) keysOf(i int, r *Record, k *Keys) {
	k.reset()
	switch r.Kind {
	case KindARP:
		a, _ := r.ARPRec()
		a.AppendKeys(k)
	case KindUsage:
		u, _ := r.UsageRec()
		u.AppendKeys(k)
	case KindTCP:
		tc, _ := r.TCPRec()
		tc.AppendKeys(k)
	case KindNeigh:
		ip := r.NeighIP()
		b := r.neigh()
		k.IPs = append(k.IPs, ip)
		hasLL := r.Flags&fnHasLL != 0
		if hasLL {
			k.MACs = append(k.MACs, b.LL)
		}
		if r.Flags&fnReset == 0 && r.Flags&fnPrevHasLL != 0 && b.PrevLL != b.LL {
			k.MACs = append(k.MACs, b.PrevLL)
		}
	case KindTxn:
		// The index reads every transaction: its keys without the rest.
		if r.Ref != 0 && payloadType(r.Sub) == reflect.TypeOf(&Txn{}) {
			if blob, _, err := t.side[r.Src].heap.get(r.Ref); err == nil && appendTxnKeys(blob, k) {
				return
			}
		}
		t.PayloadOf(r).AppendKeys(k)
	default:
		t.PayloadOf(r).AppendKeys(k)
	}
}

// Up to this many events the indexes are built whole, in memory, on first
// use. Past it each lookup scans the timeline (and the last few are kept):
// lookups are then for views and for detectors' final evidence, not per
// event.
var fullIndexMax = 1 << 20 // a variable for tests

// index maps keys to the events concerning them.
type index struct {
	full  bool
	byIP  map[netip.Addr][]int32
	byMAC map[MAC][]int32
	// byEntity is every (entity, event) pair as the hash of the entity's
	// name and the event, sorted: a log may name a million entities, and
	// a map by name would keep each name and a slice for it besides.
	byEntity   []entityPosting
	entitySeed maphash.Seed

	mu     sync.Mutex
	recent []lookup
	// running are the scans under way: a second lookup of the same key
	// waits for the first instead of scanning again (a TUI key pressed
	// twice while its filter is computed in the background).
	running map[lookupKey]*scanCall
}

type entityPosting struct {
	hash uint64
	ev   int32
}

type lookupKey struct {
	ip     netip.Addr
	mac    MAC
	entity string
	which  int
}

type lookup struct {
	lookupKey
	idx []int32
}

type scanCall struct {
	done chan struct{}
	idx  []int32
}

func (t *Timeline) index() *index {
	t.idxOnce.Do(func() {
		x := &index{}
		if t.n <= fullIndexMax {
			x.full = true
			x.byIP = map[netip.Addr][]int32{}
			x.byMAC = map[MAC][]int32{}
			x.entitySeed = maphash.MakeSeed()
			var k Keys
			for i, r := range t.Records(0, -1) {
				t.keysOf(i, r, &k)
				for _, ip := range dedup(k.IPs) {
					x.byIP[ip] = append(x.byIP[ip], int32(i))
				}
				for _, m := range dedup(k.MACs) {
					x.byMAC[m] = append(x.byMAC[m], int32(i))
				}
				for _, e := range dedup(k.Entities) {
					x.byEntity = append(x.byEntity, entityPosting{maphash.String(x.entitySeed, e), int32(i)})
				}
			}
			slices.SortFunc(x.byEntity, func(a, b entityPosting) int {
				if c := cmp.Compare(a.hash, b.hash); c != 0 {
					return c
				}
				return cmp.Compare(a.ev, b.ev)
			})
			x.byEntity = slices.Clip(slices.Compact(x.byEntity))
		}
		t.idx = x
	})
	return t.idx
}

// scanFor lists the events whose keys match, scanning the whole timeline.
func (t *Timeline) scanFor(l lookup) []int32 {
	x := t.idx
	x.mu.Lock()
	for _, r := range x.recent {
		if r.lookupKey == l.lookupKey {
			x.mu.Unlock()
			return r.idx
		}
	}
	if c := x.running[l.lookupKey]; c != nil {
		x.mu.Unlock()
		<-c.done
		return c.idx
	}
	if x.running == nil {
		x.running = map[lookupKey]*scanCall{}
	}
	call := &scanCall{done: make(chan struct{})}
	x.running[l.lookupKey] = call
	x.mu.Unlock()
	var out []int32
	var k Keys
	for i, r := range t.Records(0, -1) {
		// Skip kinds that cannot hold the key without decoding them.
		switch {
		case l.which == 2 && (r.Kind == KindARP || r.Kind == KindUsage || r.Kind == KindTCP || r.Kind == KindNeigh):
			continue
		}
		t.keysOf(i, r, &k)
		hit := false
		switch l.which {
		case 0:
			hit = slices.Contains(k.IPs, l.ip)
		case 1:
			hit = slices.Contains(k.MACs, l.mac)
		case 2:
			hit = slices.Contains(k.Entities, l.entity)
		}
		if hit {
			out = append(out, int32(i))
		}
	}
	l.idx = out
	x.mu.Lock()
	x.recent = append(x.recent, l)
	if len(x.recent) > 8 {
		x.recent = x.recent[1:]
	}
	delete(x.running, l.lookupKey)
	x.mu.Unlock()
	call.idx = out
	close(call.done)
	return out
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

// ByIP lists the indexes of events concerning ip, ascending. The slice is
// shared: do not modify it.
func (t *Timeline) ByIP(ip netip.Addr) []int32 {
	if x := t.index(); x.full {
		return x.byIP[ip]
	}
	return t.scanFor(lookup{lookupKey: lookupKey{which: 0, ip: ip}})
}

// ByMAC lists the indexes of events concerning m.
func (t *Timeline) ByMAC(m MAC) []int32 {
	if x := t.index(); x.full {
		return x.byMAC[m]
	}
	return t.scanFor(lookup{lookupKey: lookupKey{which: 1, mac: m}})
}

// ByEntity lists the indexes of events concerning an OVSDB entity.
func (t *Timeline) ByEntity(e string) []int32 {
	if x := t.index(); x.full {
		return t.entityEvents(x, e)
	}
	return t.scanFor(lookup{lookupKey: lookupKey{which: 2, entity: e}})
}

// entityEvents looks e up in the full index: the events whose entities'
// hashes match, each checked against its keys (two names may share a hash).
func (t *Timeline) entityEvents(x *index, e string) []int32 {
	h := maphash.String(x.entitySeed, e)
	from, _ := slices.BinarySearchFunc(x.byEntity, h, func(p entityPosting, h uint64) int { return cmp.Compare(p.hash, h) })
	var out []int32
	var k Keys
	for _, p := range x.byEntity[from:] {
		if p.hash != h {
			break
		}
		r := t.st.at(int(p.ev))
		t.keysOf(int(p.ev), &r, &k)
		if slices.Contains(k.Entities, e) {
			out = append(out, p.ev)
		}
	}
	return out
}

// Keys lists what event i can be found by.
func (t *Timeline) Keys(i int) Keys {
	r := t.st.at(i)
	var k Keys
	t.keysOf(i, &r, &k)
	return k
}

// ByIPs answers ByIP for many addresses at once: from the index while the
// timeline has one, else in one scan for all of them instead of one each.
func (t *Timeline) ByIPs(ips []netip.Addr) map[netip.Addr][]int32 {
	out := make(map[netip.Addr][]int32, len(ips))
	if len(ips) == 0 {
		return out
	}
	if x := t.index(); x.full {
		for _, ip := range ips {
			out[ip] = x.byIP[ip]
		}
		return out
	}
	for _, ip := range ips {
		out[ip] = nil
	}
	var k Keys
	for i, r := range t.Records(0, -1) {
		t.keysOf(i, r, &k)
		for _, ip := range dedup(k.IPs) {
			if list, ok := out[ip]; ok {
				out[ip] = append(list, int32(i))
			}
		}
	}
	return out
}
