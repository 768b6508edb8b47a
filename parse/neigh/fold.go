package neigh

import (
	"bytes"
	"net/netip"
	"strconv"
	"time"

	"github.com/arpforensics/arpforensics/internal/evict"
	"github.com/arpforensics/arpforensics/parse/lex"
	"github.com/arpforensics/arpforensics/timeline"
)

// Thresholds of the `updated`-reset detection (see folder.ages).
const (
	// resetJump: `ip -s` ages are whole seconds read a few milliseconds
	// after a whole-second `date`, so the estimate "listing time − updated
	// age" of one unchanged timestamp wobbles by one second. A move of two
	// seconds or more means the timestamp itself moved.
	resetJump = 2
	// resetMaxGap: only consecutive listings this close are compared; with
	// slower polling an unseen state change could explain the move.
	resetMaxGap = 3 * time.Second
	// resetRunGap joins resets this close into one run.
	resetRunGap = 5 * time.Second
)

// folder turns entries into events. Listings are folded per (IP, device):
// an event is made when an entry's state, lladdr, flags or form differ from
// what the source last showed, and it then spans every listing that still
// shows the same. Monitor lines are events of their own.
type folder struct {
	p       *parser
	derived int64 // events of no line of their own: disappearances, a flush round's deletions
	out     *timeline.Sink
	tracks  map[trackKey]*track
	devs    map[string]string // each device's name once: the tracks' keys share it
	lastDev string
	protos  map[string]string
	// held are finished events still without a time (before the source's
	// first date line or timestamp): they go to the sink once timed.
	held []*openEvent
	// rawKept: the text the current entry cites is not a verbatim line of
	// the source (JSON objects are cited compacted), so the sink keeps a copy.
	rawKept bool
	ending  bool // the input has ended: nothing more is held

	// Listing blocks: the entries between two date lines (or one JSON
	// array). An entry listed in one block and missing from the next is
	// gone.
	block      int64
	blockTime  time.Time
	blockOpen  bool      // a date line or an array started the current block
	blockTimed bool      // the current block has a time of its own
	prevTime   time.Time // time of the last non-empty block before the current one
	hadBlock   bool
	listedNow  []*track // listed in the current block, in order
	listedPrev []*track // listed in the last non-empty block

	// byLine maps the text of a listing line, with its `ip -s` ages cut out
	// (maskAges), to the track whose current stretch it shows. A polling
	// loop prints most entries the same every second, so those lines are
	// folded without being tokenised at all.
	byLine   map[string]*track
	keybuf   []byte
	scratch  entry          // the fast path's entry
	monNeigh timeline.Neigh // a monitor line's payload, reused (monitor)

	// tick numbers the track lookups: a track's used is its last, and
	// eviction forgets the tracks used the longest ago.
	tick    uint64
	evicted int64
	// trackLimit is the tracks at which the next eviction runs: maxTracks,
	// or twice what the last one kept when the listings in play hold more.
	trackLimit int
}

// maxTracks bounds the entries the folder remembers. A kernel's table
// holds at most gc_thresh3 entries (1024 by default, rarely above 100 k),
// but a monitor log over a scan or over days names addresses without end:
// past the bound the entries used the longest ago are forgotten, their
// open events handed over first. A variable so that tests can lower it.
var maxTracks = 256 << 10

// track is what the folder knows of one (IP, device) entry.
type track struct {
	ip         netip.Addr
	dev        string
	lastBlock  int64
	present    bool // listed, or last notified as existing
	known      bool // state/mac below are the last ones seen
	state      timeline.NUD
	mac        timeline.MAC
	hasLL      bool
	open       *openEvent      // the current stretch's event, until it ends
	n          *timeline.Neigh // the current stretch (listings only); nil otherwise
	line       string          // this track's byLine key; "" when none
	lineProbes int32           // the probe count that key shows
	lastSeen   time.Time       // time of the last listing that showed the entry
	used       uint64          // folder.tick when the entry was last looked up

	// `updated` tracking for ip -s listings
	anchor     int64 // listing time − updated age, in Unix seconds
	hasAnchor  bool
	statsAt    time.Time
	pendingMax int32 // largest updated age since the last reset
	reset      *timeline.NeighReset
	openReset  *openEvent
	lastReset  time.Time
}

// openEvent is an event that later lines may still extend: a listing
// stretch or a run of resets. Its creation number is reserved in the sink
// when it starts, so it keeps its place whenever it is handed over.
type openEvent struct {
	seq  uint32
	ev   timeline.Event
	raw  []byte
	kept bool // raw is not verbatim at ev.Pos.Offset
}

// start opens an event.
func (f *folder) start(e timeline.Event, raw []byte) *openEvent {
	o := &openEvent{seq: f.out.Reserve(), ev: e, kept: f.rawKept}
	if len(raw) > 0 {
		o.raw = append([]byte(nil), raw...)
	}
	return o
}

// finish hands a finished event to the sink, or holds it while it has no time.
func (f *folder) done(o *openEvent) {
	if o == nil {
		return
	}
	if o.ev.Time.IsZero() && !f.p.timed && !f.ending {
		f.held = append(f.held, o)
		return
	}
	if o.kept {
		f.out.AddReservedText(o.seq, &o.ev, o.raw)
	} else {
		f.out.AddReserved(o.seq, &o.ev, o.raw)
	}
}

// holds reports that an event at t would be held until the source has a
// time (emit keeps it, not only the sink's copy).
func (f *folder) holds(t time.Time) bool { return t.IsZero() && !f.p.timed && !f.ending }

// emit hands over an event that is final as it is made: straight to the
// sink (which copies what it keeps) unless it must wait for a time.
func (f *folder) emit(e timeline.Event, raw []byte) {
	if f.holds(e.Time) {
		f.done(f.start(e, raw))
		return
	}
	seq := f.out.Reserve()
	if f.rawKept {
		f.out.AddReservedText(seq, &e, raw)
	} else {
		f.out.AddReserved(seq, &e, raw)
	}
}

// endStretch ends t's current stretch.
func (f *folder) endStretch(t *track) {
	f.done(t.open)
	t.open, t.n = nil, nil
}

// endReset ends t's current run of resets.
func (f *folder) endReset(t *track) {
	f.done(t.openReset)
	t.openReset, t.reset = nil, nil
}

func newFolder(p *parser, out *timeline.Sink) *folder {
	return &folder{p: p, out: out, tracks: map[trackKey]*track{}, devs: map[string]string{}, protos: map[string]string{}, byLine: map[string]*track{}}
}

// trackKey is what an entry's track is found by: its address and device.
// The device's name is interned (folder.devs), so comparing keys touches
// no memory of their own: keyed by the entry's text, a lookup on a flood
// of 200,000 addresses missed the cache for the key's bytes after the
// map's own.
type trackKey struct {
	ip  netip.Addr
	dev string
}

// track finds or creates the entry's track.
func (f *folder) track(e *entry) *track {
	f.tick++
	k := trackKey{e.ip, f.dev(e.dev)}
	if t, ok := f.tracks[k]; ok {
		t.used = f.tick
		return t
	}
	if len(f.tracks) >= max(maxTracks, f.trackLimit) {
		f.evictTracks()
		f.trackLimit = 2 * len(f.tracks)
	}
	t := &track{ip: e.ip, dev: k.dev, lastBlock: -1, used: f.tick}
	f.tracks[k] = t
	return t
}

// dev is the interned name of device b: most lines name the device the
// line before did. Past maxDevs names (no host has that many; hostile
// input may) the rest are not interned, so the table stays bounded.
func (f *folder) dev(b []byte) string {
	if string(b) == f.lastDev {
		return f.lastDev
	}
	d, ok := f.devs[string(b)]
	if !ok {
		d = string(b)
		if len(f.devs) < maxDevs {
			f.devs[d] = d
		}
	}
	f.lastDev = d
	return d
}

const maxDevs = 4096

// evictTracks forgets the older half (by last use) of the tracks neither
// block in play lists: those the current and the previous listing show are
// kept, since the next block decides whether they are gone (when one
// listing holds them all, nothing goes: it is what the input shows). Their
// open events are handed over as they stand.
func (f *folder) evictTracks() {
	age := func(t *track) (int64, bool) {
		return int64(t.used), t.lastBlock < 0 || t.lastBlock < f.block-1
	}
	f.evicted += int64(evict.OlderHalf(f.tracks, age, func(_ trackKey, t *track) {
		f.endStretch(t)
		f.endReset(t)
		f.forgetLine(t)
	}))
}

// newBlock starts a listing block at t (a date line). It reports whether the
// block it ends was opened by a date line and listed nothing.
func (f *folder) newBlock(t time.Time) (emptyEnded bool) {
	emptyEnded = f.endBlock()
	f.block++
	f.blockTime, f.blockOpen, f.blockTimed = t, true, !t.IsZero()
	return emptyEnded
}

// beginArray starts a block for a JSON array unless a date line just did.
func (f *folder) beginArray() {
	if f.blockOpen && len(f.listedNow) == 0 {
		return
	}
	f.newBlock(f.blockTime)
}

// endBlock closes the current block: entries the previous block listed and
// this one did not are gone. An empty block is a gap in the polling, not an
// emptied table, and changes nothing.
func (f *folder) endBlock() (empty bool) {
	if len(f.listedNow) == 0 {
		return f.blockOpen
	}
	for _, t := range f.listedPrev {
		if t.lastBlock != f.block && t.present && t.n != nil {
			f.gone(t)
		}
	}
	f.listedPrev, f.listedNow = f.listedNow, f.listedPrev[:0]
	// An untimed block (lines before the first date) bounds nothing.
	f.prevTime, f.hadBlock = f.blockTime, f.blockTimed
	return false
}

// listed folds one listing line.
func (f *folder) listed(e *entry, pos timeline.Pos, raw []byte) {
	t := f.track(e)
	now := f.blockTime
	if !f.blockTimed && !f.p.lastTime.IsZero() {
		now = f.p.lastTime // listings after monitor timestamps, before any date line
	}
	if t.lastBlock != f.block {
		t.lastBlock = f.block
		f.listedNow = append(f.listedNow, t)
	}
	if t.present && t.n != nil && t.n.Form == e.form && f.same(t.n, e) {
		f.fold(t, e, now, pos)
		f.remember(t, e, raw, "") // e.g. the probe count moved: the next identical line is fast
	} else {
		f.stretch(t, e, now, pos, raw)
	}
	t.lastSeen = now
}

// same reports whether e shows what stretch n shows (ages aside).
func (f *folder) same(n *timeline.Neigh, e *entry) bool {
	if n.State != e.state || n.Flags != e.flags || n.ATF != e.atf || n.Op != e.op || n.Proto != string(e.proto) {
		return false
	}
	switch {
	case e.isMAC:
		return n.HasLL && n.LLAddr == e.mac
	case len(e.ll) > 0:
		return !n.HasLL && n.LLText == string(e.ll)
	}
	return !n.HasLL && n.LLText == ""
}

// stretch starts a new event for a listing that differs from the last.
func (f *folder) stretch(t *track, e *entry, now time.Time, pos timeline.Pos, raw []byte) {
	n := &timeline.Neigh{NeighEntry: f.toEntry(t, e), Form: e.form, Listings: 1, Last: pos}
	f.setPrev(n, t)
	switch {
	case t.present && t.known:
		setGap(n, now, t.lastSeen)
	case f.hadBlock:
		setGap(n, now, f.prevTime)
	}
	if e.hasStats {
		n.UpdatedMin, n.UpdatedMax, n.ProbesMax = e.updated, e.updated, e.probes
	}
	f.endStretch(t)
	t.open, t.n = f.start(timeline.Event{Time: now, Pos: pos, Data: n}, raw), n
	t.present = true
	f.remember(t, e, raw, "")
	f.setKnown(t, e)
	f.endReset(t) // a state change ends a run of resets
	f.ages(t, e, now, pos, true)
}

// maskAges cuts the used/confirmed/updated ages out of an `ip -s` line
// ("…  used 3/11/3probes 1 STALE " → "…  used probes 1 STALE "), the only part
// that changes every second, and returns the key and the ages. Lines
// without ages are their own key.
func maskAges(line, buf []byte) (key, ages []byte) {
	i := bytes.Index(line, []byte(" used "))
	if i < 0 {
		return line, nil
	}
	j := i + len(" used ")
	k := j
	for k < len(line) && (lex.IsDigit(line[k]) || line[k] == '/' || line[k] == '-') {
		k++
	}
	if k == j {
		return line, nil
	}
	return append(append(buf[:0], line[:j]...), line[k:]...), line[j:k]
}

// remember makes raw's masked text t's byLine key, so the next listing
// that reads the same is folded on the fast path. rawText, when not "", is
// raw as a string already allocated.
func (f *folder) remember(t *track, e *entry, raw []byte, rawText string) {
	if e.unknown != nil || e.form != timeline.NeighSnapshot {
		f.forgetLine(t)
		return
	}
	key, ages := maskAges(raw, f.keybuf)
	if ages != nil {
		f.keybuf = key[:0] // key is our buffer, not raw
	}
	if t.line == string(key) {
		return
	}
	f.forgetLine(t)
	if ages != nil || rawText == "" {
		rawText = string(key)
	}
	t.line, t.lineProbes = rawText, e.probes
	if old, ok := f.byLine[rawText]; ok {
		old.line = "" // two entries printed alike (cannot happen within one dump, but be safe)
	}
	f.byLine[rawText] = t
}

// listedAgain folds a line whose masked text is t's byLine key without
// tokenising it: only the ages, if any, are read. It reports false when
// the fast path does not apply, and the caller parses the line in full.
func (f *folder) listedAgain(t *track, ages []byte, pos timeline.Pos) bool {
	if !t.present || t.n == nil || t.line == "" {
		return false
	}
	e := &f.scratch
	e.reset()
	if ages != nil {
		if glued, err := e.parseUsed(ages); err != nil || glued {
			return false
		}
		e.probes = t.lineProbes
	}
	e.state, e.mac, e.isMAC = t.n.State, t.n.LLAddr, t.n.HasLL
	now := f.blockTime
	if !f.blockTimed && !f.p.lastTime.IsZero() {
		now = f.p.lastTime
	}
	if t.lastBlock != f.block {
		t.lastBlock = f.block
		f.listedNow = append(f.listedNow, t)
	}
	f.fold(t, e, now, pos)
	t.lastSeen = now
	return true
}

func (f *folder) forgetLine(t *track) {
	if t.line != "" {
		delete(f.byLine, t.line)
		t.line = ""
	}
}

// fold adds a listing that shows the same as the current stretch.
func (f *folder) fold(t *track, e *entry, now time.Time, pos timeline.Pos) {
	n := t.n
	ev := &t.open.ev
	n.Listings++
	n.Last = pos
	if now.After(ev.Time) && now.After(ev.End) {
		ev.End = now
	}
	if e.hasStats {
		if !n.HasStats {
			n.HasStats, n.UpdatedMin, n.UpdatedMax, n.ProbesMax = true, e.updated, e.updated, e.probes
		}
		n.UpdatedMin = min(n.UpdatedMin, e.updated)
		n.UpdatedMax = max(n.UpdatedMax, e.updated)
		n.ProbesMax = max(n.ProbesMax, e.probes)
	}
	f.ages(t, e, now, pos, false)
}

// ages watches the `updated` age across listings of one stretch. The
// estimate listing time − updated age is when `updated` was last set; if it
// jumps forward while state and lladdr stay the same, the kernel moved the
// timestamp without changing the entry — which Linux ≥ 4.12 never does
// (77d7123342dc) and older kernels did for every ARP update they ignored.
func (f *folder) ages(t *track, e *entry, now time.Time, pos timeline.Pos, first bool) {
	const dynamic = timeline.NUDReachable | timeline.NUDStale | timeline.NUDDelay | timeline.NUDProbe
	if !e.hasStats || e.state&dynamic == 0 || now.IsZero() {
		t.hasAnchor = false
		return
	}
	anchor := now.Unix() - int64(e.updated)
	if first || !t.hasAnchor || now.Sub(t.statsAt) > resetMaxGap || now.Before(t.statsAt) {
		t.anchor, t.hasAnchor = anchor, true
		t.statsAt, t.pendingMax = now, e.updated
		return
	}
	if anchor < t.anchor+resetJump {
		t.pendingMax = max(t.pendingMax, e.updated)
		t.statsAt = now
		return
	}
	t.anchor = anchor
	if t.reset != nil && now.Sub(t.lastReset) <= resetRunGap {
		r := t.reset
		r.Resets++
		r.State = e.state
		r.Last = pos
		r.MaxUpdated = max(r.MaxUpdated, t.pendingMax, e.updated)
		t.openReset.ev.End = now
	} else {
		f.endReset(t)
		r := &timeline.NeighReset{
			IP: t.ip, Dev: t.dev, LLAddr: e.mac, HasLL: e.isMAC, State: e.state,
			Resets: 1, MaxUpdated: e.updated, Last: pos,
		}
		t.reset, t.openReset = r, f.start(timeline.Event{Time: now, Pos: pos, Data: r}, nil)
	}
	t.lastReset = now
	t.statsAt, t.pendingMax = now, e.updated
}

// gone records that a listing no longer shows an entry.
func (f *folder) gone(t *track) {
	prev := t.n
	n := &timeline.Neigh{NeighEntry: prev.NeighEntry, Form: prev.Form, Listings: 1}
	setGap(n, f.blockTime, t.lastSeen)
	n.Op = timeline.NeighGone
	n.HasStats = false
	f.setPrev(n, t)
	n.Last = prev.Last
	f.derived++
	f.emit(timeline.Event{Time: f.blockTime, Pos: prev.Last, Data: n}, nil)
	f.endStretch(t)
	f.endReset(t)
	t.present = false
	f.forgetLine(t)
}

// flushRound turns the last k entries listed into deletions: they were the
// echo of `ip -s -s neigh flush`. It returns how many it could not find.
func (f *folder) flushRound(k int, pos timeline.Pos) (missing int) {
	n := min(k, len(f.listedNow))
	for _, t := range f.listedNow[len(f.listedNow)-n:] {
		if t.n == nil {
			continue
		}
		d := &timeline.Neigh{NeighEntry: t.n.NeighEntry, Form: t.n.Form, Listings: 1, Last: pos}
		d.Op = timeline.NeighDeleted
		d.UpdatedMin, d.UpdatedMax, d.ProbesMax = d.Updated, d.Updated, d.Probes
		f.setPrev(d, t)
		f.derived++
		f.emit(timeline.Event{Time: f.blockTime, Pos: pos, Data: d}, nil)
		f.endStretch(t)
		f.endReset(t)
		t.present = false
		f.forgetLine(t)
	}
	f.listedNow = f.listedNow[:len(f.listedNow)-n]
	return k - n
}

// monitor records one `ip monitor` notification at its time.
func (f *folder) monitor(e *entry, at time.Time, pos timeline.Pos, raw []byte) {
	t := f.track(e)
	// The sink copies an event it is handed into its record, so a monitor
	// line's payload is the folder's own, reused; only one held for a time
	// to come needs one of its own.
	n := &f.monNeigh
	if f.holds(at) {
		n = new(timeline.Neigh)
	}
	*n = timeline.Neigh{NeighEntry: f.toEntry(t, e), Form: timeline.NeighMonitor, Listings: 1, Last: pos}
	f.setPrev(n, t)
	if e.hasStats {
		n.UpdatedMin, n.UpdatedMax, n.ProbesMax = e.updated, e.updated, e.probes
	}
	f.emit(timeline.Event{Time: at, Pos: pos, Data: n}, raw)
	f.endStretch(t)
	f.endReset(t)
	t.hasAnchor = false
	f.forgetLine(t)
	switch e.op {
	case timeline.NeighMiss: // the kernel asking for a resolution changes nothing
	case timeline.NeighDeleted:
		t.present = false
		f.setKnown(t, e)
	default:
		t.present = true
		f.setKnown(t, e)
	}
}

// setGap records that the listing before one at now was taken at prev.
func setGap(n *timeline.Neigh, now, prev time.Time) {
	if !now.IsZero() && !prev.IsZero() && !prev.After(now) {
		n.Gap, n.GapKnown = now.Sub(prev), true
	}
}

func (f *folder) setPrev(n *timeline.Neigh, t *track) {
	if t.known {
		n.PrevKnown, n.PrevState, n.PrevLL, n.PrevHasLL = true, t.state, t.mac, t.hasLL
	}
}

func (f *folder) setKnown(t *track, e *entry) {
	t.known, t.state, t.mac, t.hasLL = true, e.state, e.mac, e.isMAC
}

func (f *folder) toEntry(t *track, e *entry) timeline.NeighEntry {
	ne := timeline.NeighEntry{
		IP: t.ip, Dev: t.dev, State: e.state, Flags: e.flags, ATF: e.atf, Op: e.op,
		HasStats: e.hasStats, Used: e.used, Confirmed: e.confirmed, Updated: e.updated,
		Probes: e.probes, Ref: e.ref,
	}
	switch {
	case e.isMAC:
		ne.LLAddr, ne.HasLL = e.mac, true
	case len(e.ll) > 0:
		ne.LLText = string(e.ll)
	}
	if len(e.proto) > 0 {
		p, ok := f.protos[string(e.proto)]
		if !ok {
			p = string(e.proto)
			f.protos[p] = p
		}
		ne.Proto = p
	}
	return ne
}

// timeUntimed gives events made before the source had any time the first
// time it got.
func (f *folder) timeUntimed(at time.Time) {
	for _, t := range f.tracks {
		for _, o := range [...]*openEvent{t.open, t.openReset} {
			if o != nil && o.ev.Time.IsZero() {
				o.ev.Time = at
			}
		}
	}
	held := f.held
	f.held = nil
	for _, o := range held {
		if o.ev.Time.IsZero() {
			o.ev.Time = at
		}
		f.done(o)
	}
	if f.blockTime.IsZero() {
		f.blockTime = at
	}
}

// finish hands over every event still open or held.
func (f *folder) finish() {
	f.ending = true
	if f.evicted > 0 {
		f.p.src.Notef(timeline.Pos{}, "more than %d neighbour entries (IP, device) at once: the %d used the longest ago were forgotten, so a later line for one of them shows no previous state", maxTracks, f.evicted)
	}
	for _, t := range f.tracks {
		f.endStretch(t)
		f.endReset(t)
	}
	for _, o := range f.held {
		f.done(o)
	}
	f.held = nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
