package timeline

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// mixedEvents makes n events of every kind the store encodes, in shuffled
// order, with text for the text kinds and bytes for frames.
func mixedEvents(seed uint64, n int) []Event {
	rng := rand.New(rand.NewPCG(seed, 1))
	t0 := time.Date(2017, 5, 16, 14, 30, 0, 0, time.UTC)
	store := newTxnStore("AddLRouterCommand", "router-1")
	mac := func(i int) MAC { return MAC{0xfa, 0x16, 0x3e, 0, byte(i >> 8), byte(i)} }
	ip := func(i int) netip.Addr { return netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)}) }
	var out []Event
	for i := range n {
		at := t0.Add(time.Duration(rng.IntN(600_000)) * time.Millisecond)
		e := Event{Time: at, Pos: Pos{Frame: int64(i + 1), Offset: int64(i * 100)}}
		link := Link{Src: mac(i % 50), Dst: mac(i % 7), DstKnown: i%3 != 0, Direction: Direction(i % 3), VLAN: uint16(i % 4 * 100), Iface: []string{"", "eth0", "br-ex"}[i%3]}
		switch i % 9 {
		case 0:
			e.Data = &ARP{Link: link, Op: 2, Class: ARPGarpReply, SHA: mac(i), THA: mac(i), SPA: ip(i % 20), TPA: ip(i % 20), Bytes: []byte(fmt.Sprintf("frame %d", i))}
		case 1:
			e.Data = &UsageRun{Link: link, SrcIP: ip(i % 30), DstIP: ip(i % 20), Frames: int64(i), SYNs: 3, Last: Pos{Frame: int64(i + 5)}, DstInferred: i%2 == 0}
			e.End = at.Add(time.Second)
		case 2:
			e.Data = &TCP{Link: link, What: TCPSynRetrans, SrcIP: ip(i % 30), DstIP: ip(i % 20), SrcPort: 40000, DstPort: 22, Seq: uint32(i), Attempt: 2, Bytes: []byte{1, 2, 3}}
		case 3:
			e.Pos = Pos{Line: int64(i + 1), Offset: int64(i * 80)}
			e.Raw = fmt.Sprintf("%s dev br-ex lladdr %s STALE", ip(i%20), mac(i))
			e.Data = &Neigh{NeighEntry: NeighEntry{IP: ip(i % 20), Dev: "br-ex", LLAddr: mac(i), HasLL: true, State: NUDStale, HasStats: true, Used: 1, Confirmed: 2, Updated: 3, Probes: 4, Ref: 5, Proto: "static"},
				Form: NeighSnapshot, PrevKnown: true, PrevState: NUDReachable, PrevLL: mac(i + 1), PrevHasLL: true, Gap: time.Second, GapKnown: true, Listings: 4, UpdatedMin: 1, UpdatedMax: 9, ProbesMax: 2, Last: Pos{Line: int64(i + 9)}}
		case 4:
			e.Pos = Pos{Line: int64(i + 1)}
			e.Data = &NeighReset{IP: netip.MustParseAddr("fe80::1"), Dev: "eth0", LLAddr: mac(i), HasLL: true, State: NUDStale, Resets: 3, MaxUpdated: 7, Last: Pos{Line: int64(i + 3)}}
		case 5:
			e.Pos = Pos{Line: int64(i + 1)}
			e.Raw = "tempest: ssh failed to " + ip(i%20).String()
			e.Data = &Symptom{What: SymptomSSHFailed, IP: ip(i % 20), User: "cirros", Attempts: 3, Message: "Failed"}
		case 6:
			e.Pos = Pos{Line: int64(i + 1)}
			e.Data = &Txn{Store: store, Host: "ctl", PID: 7, FirstIdx: 0, Attempts: 1, Parts: 2,
				Commands: []TxnCmd{{Class: 1, E0: 0, NE: 1, Line: int64(i + 1)}, {Class: 1, E0: 1, NE: 1, Line: int64(i + 2)}},
				Entities: []TxnEnt{{ID: 1, Key: 2, Kind: EntPrimary}, {ID: 1, Key: 1, Kind: EntRef}},
				Names:    TxnNames{Text: []byte("router-1"), Ends: []uint32{8}},
				Detail:   &TxnDetail{Raw: []string{"a", "b"}, Times: []time.Time{at, at}, Args: [][]TxnArg{{{"k", "v"}}, nil}}}
			e.End = at.Add(time.Millisecond)
		case 7:
			e.Pos = Pos{Line: int64(i + 1)}
			e.Raw = "OVSDB transaction returned TRY_AGAIN"
			e.Data = &TxnStatus{Code: TxnTryAgain, Host: "ctl", PID: 7, Commands: []string{"x"}, Txn: Pos{Line: 3}}
		case 8:
			e.Pos = Pos{Line: int64(i + 1)}
			e.Data = &OVNFlow{Table: "27", Priority: 50, NPackets: int64(i), TPA: ip(i % 20), Responder: true}
		}
		out = append(out, e)
	}
	return out
}

func buildMixed() ([]*Source, *Timeline) {
	srcs := []*Source{{Path: "a"}, {Path: "b"}, {Path: "c"}}
	return srcs, Build(srcs, [][]Event{mixedEvents(1, 3000), mixedEvents(2, 500), mixedEvents(3, 1)})
}

// With every threshold at its smallest, everything goes through spill files
// and comes back the same as from memory.
func TestSpilledTimelineEqualsInMemory(t *testing.T) {
	_, mem := buildMixed()
	if mem.st.file != nil {
		t.Fatal("a small timeline was spilled")
	}
	dir := t.TempDir()
	defer func(c int, r, m int64, h int, d string) {
		chunkRecords, residentBytes, memTimelineSize, heapMemBytes, SpillDir = c, r, m, h, d
	}(chunkRecords, residentBytes, memTimelineSize, heapMemBytes, SpillDir)
	chunkRecords, residentBytes, memTimelineSize, heapMemBytes, SpillDir = 64, 0, 0, 100, dir
	srcs, disk := buildMixed()
	if disk.st.file == nil {
		t.Fatal("nothing was spilled")
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*")); len(left) > 0 {
		t.Errorf("spill files left in the directory: %v", left)
	}
	if mem.Len() != disk.Len() || disk.Len() != 3501 {
		t.Fatalf("%d events in memory, %d spilled", mem.Len(), disk.Len())
	}
	for i := range mem.Len() {
		a, b := mem.Event(i), disk.Event(i)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("event %d differs:\nmemory  %+v %+v\nspilled %+v %+v", i, a, a.Data, b, b.Data)
		}
		if i > 0 {
			p, q := disk.Record(i-1), disk.Record(i)
			if p.T > q.T {
				t.Fatalf("events %d and %d out of order", i-1, i)
			}
		}
	}
	n := 0
	for i, r := range disk.Records(0, -1) {
		if *r != disk.Record(i) {
			t.Fatalf("Records and Record disagree at %d", i)
		}
		n++
	}
	if n != disk.Len() {
		t.Errorf("Records yielded %d", n)
	}
	if srcs[0].Events != 3000 || srcs[2].Events != 1 {
		t.Errorf("source counts %d %d", srcs[0].Events, srcs[2].Events)
	}
	// A pass over some kinds yields exactly the records of those kinds,
	// spilled or not; kinds that are not there yield nothing.
	for _, ks := range []KindSet{Kinds(KindARP), Kinds(KindNeigh, KindTCP), Kinds(KindSymptom), Kinds(KindTxn)} {
		for _, tl := range []*Timeline{mem, disk} {
			var want, got []int
			for i, r := range tl.Records(0, -1) {
				if ks.Has(r.Kind) {
					want = append(want, i)
				}
			}
			for i, r := range tl.RecordsOf(ks) {
				if *r != tl.Record(i) {
					t.Fatalf("RecordsOf and Record disagree at %d", i)
				}
				got = append(got, i)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("kinds %b, spilled %v: RecordsOf yields %d records, want %d", ks, tl.st.file != nil, len(got), len(want))
			}
		}
	}
	// Kinds is the union of the records' kinds, spilled or not.
	var union KindSet
	for _, r := range mem.Records(0, -1) {
		union |= 1 << r.Kind
	}
	if mem.Kinds() != union || disk.Kinds() != union {
		t.Errorf("Kinds: %b in memory, %b spilled, want %b", mem.Kinds(), disk.Kinds(), union)
	}
	if k := Build(nil, nil).Kinds(); k != 0 {
		t.Errorf("an empty timeline holds kinds %b", k)
	}
	// A stretch that starts and ends inside chunks yields the same.
	for _, span := range [][2]int{{5, 300}, {129, 130}, {127, 1025}, {3000, 3501}} {
		var a, b []Record
		for _, r := range mem.Records(span[0], span[1]) {
			a = append(a, *r)
		}
		for _, r := range disk.Records(span[0], span[1]) {
			b = append(b, *r)
		}
		if len(a) != span[1]-span[0] || !reflect.DeepEqual(a, b) {
			t.Errorf("Records(%d, %d): %d records in memory, %d spilled, or they differ", span[0], span[1], len(a), len(b))
		}
	}
	ip := netip.MustParseAddr("10.0.0.3")
	if a, b := mem.ByIP(ip), disk.ByIP(ip); !reflect.DeepEqual(a, b) || len(a) == 0 {
		t.Errorf("ByIP: %d in memory, %d spilled", len(a), len(b))
	}
}

// Runs of several blocks, read back through the smallest buffers (a
// record's bytes cut at every refill), merge to what memory holds; chunks
// of a size that is no multiple of a segment spill whole.
func TestSpilledRunsReadInPiecesEqualInMemory(t *testing.T) {
	_, mem := buildMixed()
	defer func(c int, r, m int64, b int, d string) {
		chunkRecords, residentBytes, memTimelineSize, mergeReadBytes, SpillDir = c, r, m, b, d
	}(chunkRecords, residentBytes, memTimelineSize, mergeReadBytes, SpillDir)
	chunkRecords, residentBytes, memTimelineSize, mergeReadBytes, SpillDir = 2500, 0, 1<<30, 1, t.TempDir()
	_, disk := buildMixed()
	if disk.Len() != mem.Len() {
		t.Fatalf("%d events in memory, %d spilled", mem.Len(), disk.Len())
	}
	for i := range mem.Len() {
		if a, b := mem.Record(i), disk.Record(i); a != b {
			t.Fatalf("record %d differs:\nmemory  %+v\nspilled %+v", i, a, b)
		}
	}
}

// Every payload reads back as it went in.
func TestPayloadsRoundTrip(t *testing.T) {
	evs := mixedEvents(9, 9)
	in := make([]Event, len(evs))
	copy(in, evs)
	tl := Build([]*Source{{Path: "x"}}, [][]Event{evs})
	seen := 0
	for i := range tl.Len() {
		got := tl.Event(i)
		for _, w := range in {
			if w.Pos == got.Pos {
				seen++
				w.Source = got.Source
				if !reflect.DeepEqual(got, w) {
					t.Errorf("%T:\n got %+v %+v\nwant %+v %+v", w.Data, got, got.Data, w, w.Data)
				}
			}
		}
	}
	if seen != len(in) {
		t.Errorf("matched %d of %d", seen, len(in))
	}
}

// A source read from a plain file keeps no copy of its lines: they are read
// again from the file by position.
func TestRawIsReadAgainFromTheSource(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	lines := []string{"first line", "second: 10.0.0.1 dev eth0 lladdr fa:16:3e:00:00:01 STALE", "third"}
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sp := NewSpace()
	s := sp.NewSink(path)
	off := len(lines[0]) + 1
	e := Event{Time: time.Unix(100, 0), Pos: Pos{Line: 2, Offset: int64(off)},
		Data: &Neigh{NeighEntry: NeighEntry{IP: netip.MustParseAddr("10.0.0.1"), State: NUDStale}}}
	s.Add(&e, []byte(lines[1]))
	tl, err := Merge([]*Source{{Path: "log"}}, []*Sink{s}, Window{})
	if err != nil {
		t.Fatal(err)
	}
	if r := tl.Record(0); r.Ref != 0 {
		t.Error("the line was copied into the heap")
	}
	if got := tl.Raw(0); got != lines[1] {
		t.Errorf("Raw = %q", got)
	}
	if got := tl.Event(0).Raw; got != lines[1] {
		t.Errorf("Event.Raw = %q", got)
	}
}

func TestMergeWindowAndShift(t *testing.T) {
	sp := NewSpace()
	s := sp.NewSink("")
	for sec := 1; sec <= 10; sec++ {
		e := ev(sec, int64(sec))
		s.Add(&e, nil)
	}
	s.Shift(func(t time.Time) time.Time { return t.Add(time.Hour) })
	src := &Source{Path: "s"}
	tl, err := Merge([]*Source{src}, []*Sink{s}, Window{Since: time.Unix(3600+3, 0), Until: time.Unix(3600+5, 0)})
	if err != nil {
		t.Fatal(err)
	}
	if tl.Len() != 3 || src.Events != 3 || tl.Event(0).Time.Unix() != 3603 {
		t.Errorf("%d events, source says %d, first at %v", tl.Len(), src.Events, tl.Event(0).Time)
	}
	if len(src.Problems) != 1 || !strings.Contains(src.Problems[0].Message, "7 event(s) outside") {
		t.Errorf("problems %v", src.Problems)
	}
}

// kindedLine is a registered payload that claims whatever kind it is given.
type kindedLine struct{ K Kind }

func (l *kindedLine) Kind() Kind         { return l.K }
func (l *kindedLine) Summary() string    { return "line" }
func (l *kindedLine) AppendKeys(k *Keys) {}
func (l *kindedLine) Fields() []Field    { return nil }

// A registered payload may not pose as a kind whose readers take its fields
// from the record body: the sink refuses it instead of storing garbage.
func TestSinkRefusesStoredPayloadOfRecordKind(t *testing.T) {
	RegisterPayload(&kindedLine{})
	s := NewSpace().NewSink("")
	ok := Event{Time: time.Unix(1, 0), Data: &kindedLine{K: KindLog}}
	s.Add(&ok, nil)
	if s.Err() != nil || s.Len() != 1 {
		t.Fatalf("a log-kind payload: err %v, %d events", s.Err(), s.Len())
	}
	bad := Event{Time: time.Unix(2, 0), Data: &kindedLine{K: KindNeigh}}
	s.Add(&bad, nil)
	if s.Err() == nil || !strings.Contains(s.Err().Error(), "cannot be of kind") || s.Len() != 1 {
		t.Errorf("a neigh-kind payload: err %v, %d events", s.Err(), s.Len())
	}
}

// A pass over one kind skips the stretches of a spilled timeline that hold
// none of it, and still yields every record of it, in order.
func TestRecordsOfSkipsChunksWithoutTheKinds(t *testing.T) {
	dir := t.TempDir()
	defer func(c int, r, m int64, h int, d string) {
		chunkRecords, residentBytes, memTimelineSize, heapMemBytes, SpillDir = c, r, m, h, d
	}(chunkRecords, residentBytes, memTimelineSize, heapMemBytes, SpillDir)
	chunkRecords, residentBytes, memTimelineSize, heapMemBytes, SpillDir = 64, 0, 0, 100, dir
	t0 := time.Date(2017, 5, 16, 14, 30, 0, 0, time.UTC)
	var evs []Event
	for i := range 1300 {
		e := Event{Time: t0.Add(time.Duration(i) * time.Second), Pos: Pos{Line: int64(i + 1)}}
		if i >= 500 && i < 800 {
			e.Data = &Symptom{What: SymptomSSHFailed, IP: netip.MustParseAddr("10.0.0.1"), Message: "Failed"}
		} else {
			e.Data = &ARP{Op: 1, Class: ARPRequest, SPA: netip.MustParseAddr("10.0.0.2"), TPA: netip.MustParseAddr("10.0.0.1")}
		}
		evs = append(evs, e)
	}
	tl := Build([]*Source{{Path: "x", Kind: "test"}}, [][]Event{evs})
	if tl.st.file == nil {
		t.Fatal("nothing was spilled")
	}
	skippable := 0
	for _, ks := range tl.st.kinds {
		if ks&Kinds(KindSymptom) == 0 {
			skippable++
		}
	}
	if skippable < 5 {
		t.Fatalf("only %d of %d chunks hold no symptom: the test does not exercise skipping", skippable, len(tl.st.kinds))
	}
	for ks, want := range map[KindSet][2]int{Kinds(KindSymptom): {300, 500}, Kinds(KindARP): {1000, 0}} {
		n, first, prev := 0, -1, -1
		for i, r := range tl.RecordsOf(ks) {
			if !ks.Has(r.Kind) || i <= prev {
				t.Fatalf("kinds %b: record %d of kind %v out of place", ks, i, r.Kind)
			}
			if first < 0 {
				first = i
			}
			prev = i
			n++
		}
		if n != want[0] || first != want[1] {
			t.Errorf("kinds %b: %d records from %d, want %d from %d", ks, n, first, want[0], want[1])
		}
	}
}

// Random reads of a spilled timeline larger than the chunk cache evict and
// read chunks back, and every record read is the one memory holds.
func TestChunkCacheEvictsAndReadsBack(t *testing.T) {
	n := (cacheChunks + 100) * cacheChunkRecords
	defer func(m int64, d string) { memTimelineSize, SpillDir = m, d }(memTimelineSize, SpillDir)
	memTimelineSize = 1 << 40
	mem := Build([]*Source{{Path: "a"}}, [][]Event{mixedEvents(1, n)})
	memTimelineSize, SpillDir = 0, t.TempDir()
	disk := Build([]*Source{{Path: "a"}}, [][]Event{mixedEvents(1, n)})
	if disk.st.file == nil || mem.st.file != nil {
		t.Fatal("want one timeline in memory, one spilled")
	}
	rnd := rand.New(rand.NewPCG(1, 2))
	hot := rnd.IntN(n) // read again and again: it must stay cached, and right
	for k := range 20000 {
		i := rnd.IntN(n)
		if k%3 == 0 {
			i = hot
		}
		if a, b := mem.Record(i), disk.Record(i); a != b {
			t.Fatalf("read %d: record %d differs: %+v, spilled %+v", k, i, a, b)
		}
	}
	if got := len(disk.st.chunks); got != cacheChunks || len(disk.st.ring) != cacheChunks {
		t.Errorf("%d chunks cached (ring %d), want the cache full at %d", got, len(disk.st.ring), cacheChunks)
	}
	if disk.st.chunks[hot/cacheChunkRecords] == nil {
		t.Error("the chunk read every third time was evicted")
	}
}

// BenchmarkRandomRecord reads records of a spilled timeline larger than
// the chunk cache in random order, as a view's rows and evidence do.
func BenchmarkRandomRecord(b *testing.B) {
	n := 2 * cacheChunks * cacheChunkRecords
	defer func(m int64, d string) { memTimelineSize, SpillDir = m, d }(memTimelineSize, SpillDir)
	memTimelineSize, SpillDir = 0, b.TempDir()
	tl := Build([]*Source{{Path: "a"}}, [][]Event{mixedEvents(1, n)})
	rnd := rand.New(rand.NewPCG(1, 2))
	b.ResetTimer()
	for range b.N {
		tl.Record(rnd.IntN(n))
	}
}

// A sink's fingerprint is that of its events as a multiset: the same
// whether they stay in memory or are spilled in chunks of any size, and in
// any order; asked before and after the sink is closed; and another
// event's changes it.
func TestFingerprintIgnoresOrderAndSpilling(t *testing.T) {
	defer func(c int, r int64, d string) { chunkRecords, residentBytes, SpillDir = c, r, d }(chunkRecords, residentBytes, SpillDir)
	SpillDir = t.TempDir()
	evs := mixedEvents(7, 2500)
	print := func(chunk int, resident int64, order []int) (before, after [2]uint64) {
		chunkRecords, residentBytes = chunk, resident
		s := NewSpace().NewSink("")
		for _, i := range order {
			e := evs[i]
			s.AddText(&e, []byte(e.Raw))
		}
		n, sum := s.Fingerprint()
		before = [2]uint64{uint64(n), sum}
		if err := s.close(&segPool{}); err != nil {
			t.Fatal(err)
		}
		n, sum = s.Fingerprint()
		s.release()
		return before, [2]uint64{uint64(n), sum}
	}
	inOrder := make([]int, len(evs))
	for i := range inOrder {
		inOrder[i] = i
	}
	reversed := make([]int, len(evs))
	for i := range reversed {
		reversed[i] = len(evs) - 1 - i
	}
	want, _ := print(8<<10, 48<<20, inOrder)
	for _, c := range []struct {
		chunk    int
		resident int64
		order    []int
	}{{8 << 10, 48 << 20, reversed}, {64, 0, inOrder}, {100, 0, reversed}, {1000, 0, inOrder}, {2500, 48 << 20, reversed}} {
		before, after := print(c.chunk, c.resident, c.order)
		if before != want || after != want {
			t.Errorf("chunks of %d, resident %d: fingerprint %x before closing, %x after, want %x", c.chunk, c.resident, before, after, want)
		}
	}
	if other, _ := print(64, 0, inOrder[1:]); other == want {
		t.Error("one event fewer leaves the fingerprint as it was")
	}
}

// NeighObs and NeighDev read of a neighbour record what decoding it gives,
// spilled or not; other kinds are refused.
func TestNeighObsMatchesPayload(t *testing.T) {
	_, mem := buildMixed()
	defer func(c int, r, m int64, h int, d string) {
		chunkRecords, residentBytes, memTimelineSize, heapMemBytes, SpillDir = c, r, m, h, d
	}(chunkRecords, residentBytes, memTimelineSize, heapMemBytes, SpillDir)
	chunkRecords, residentBytes, memTimelineSize, heapMemBytes, SpillDir = 64, 0, 0, 100, t.TempDir()
	_, disk := buildMixed()
	if mem.st.file != nil || disk.st.file == nil {
		t.Fatal("want one timeline in memory and one spilled")
	}
	for _, tl := range []*Timeline{mem, disk} {
		checkNeighObs(t, tl)
	}
}

func checkNeighObs(t *testing.T, tl *Timeline) {
	t.Helper()
	n := 0
	for _, r := range tl.Records(0, -1) {
		o, ok := r.NeighObs()
		if ok != (r.Kind == KindNeigh) {
			t.Fatalf("kind %d: NeighObs ok = %v", r.Kind, ok)
		}
		if !ok {
			continue
		}
		n++
		ip := netip.AddrFrom16(o.IP)
		if o.Is4 {
			ip = ip.Unmap()
		}
		var want NeighObs
		var dev string
		switch p := tl.PayloadOf(r).(type) {
		case *Neigh:
			want = NeighObs{Op: p.Op, State: p.State, Form: p.Form, HasLL: p.HasLL, LL: p.LLAddr, Gap: p.Gap, GapKnown: p.GapKnown}
			dev = p.Dev
			if ip != p.IP {
				t.Fatalf("IP %v, want %v", ip, p.IP)
			}
		case *NeighReset:
			want = NeighObs{Reset: true, State: p.State, HasLL: p.HasLL, LL: p.LLAddr}
			dev = p.Dev
			if ip != p.IP {
				t.Fatalf("IP %v, want %v", ip, p.IP)
			}
		default:
			t.Fatalf("a neighbour record decodes to %T", p)
		}
		want.IP, want.Is4, want.Dev = o.IP, o.Is4, o.Dev
		if o != want {
			t.Errorf("NeighObs %+v, payload says %+v", o, want)
		}
		if got := tl.NeighDev(r); got != dev {
			t.Errorf("NeighDev %q, want %q", got, dev)
		}
	}
	if n == 0 {
		t.Fatal("no neighbour records")
	}
}
