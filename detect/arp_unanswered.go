package detect

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/arpforensics/arpforensics/timeline"
)

// arpUnanswered finds addresses whose ARP requests got no reply: the symptom
// of an IP nobody answers for — in OVN, a floating IP whose router has no
// gateway port, so no ARP responder flow exists for it.
//
// It is one pass in time order with state per (IP, VLAN) only while that
// address is being asked for: an episode closes once no request for it has
// come for episodeGap, and is judged then, so memory follows the addresses
// asked for within a minute, not the capture's length (an ARP scan of
// millions of targets keeps a few thousand open).
type arpUnanswered struct{}

func (arpUnanswered) Name() string { return "arp-unanswered" }

func (arpUnanswered) Describe() string {
	return "ARP requests for an IP got no reply in the capture"
}

func (arpUnanswered) Instances() string { return "unanswered ARP episodes" }

func (arpUnanswered) Identity() []string { return []string{"ip", "vlan"} }

// arpUnansweredKnobs are arp-unanswered's thresholds, part of Config.
type arpUnansweredKnobs struct {
	// UnansweredWait is how long after an ARP request a reply may still
	// arrive; requests this close to the end of a capture are not judged.
	UnansweredWait time.Duration
}

func (arpUnanswered) Thresholds() []Threshold {
	return []Threshold{{Name: "unanswered_wait", Help: "arp-unanswered: how long after a request a reply may still come",
		Duration: func(c *Config) *time.Duration { return &c.UnansweredWait }, Default: 3 * time.Second}}
}

// episodeGap splits the requests for one IP into separate attempts: the
// kernel retries a failed resolution on the next packet, and a pause longer
// than this starts a new attempt.
const episodeGap = 60 * time.Second

// Bounds on what one pass keeps, whatever the capture holds.
const (
	maxRequesters   = 4096    // distinct requesters counted per episode; beyond, "more than"
	maxRepliedTo    = 1 << 16 // requesters proven to receive replies
	shownRequesters = 5       // requesters a finding names
)

// maxOpen is how many episodes stay open at once; beyond, the oldest past
// the reply wait are judged early. A variable for tests.
var maxOpen = 1 << 18

// requester is one host asking in an episode.
type requester struct {
	mac     timeline.MAC
	spa     [4]byte
	first   int32 // its first request's event
	n       int64 // its requests
	probes  int64 // of which unicast: probes of an entry it still had
	unicast int64 // frames it sent unicast to the IP during the episode
	last    int64 // Unix ns of its latest request
	// answered: a reply addressed to it came within the reply wait of one
	// of its requests. Requesters are judged each on its own: another
	// host's answer says nothing of this one's resolution.
	answered bool
}

func (r *requester) addr() netip.Addr { return netip.AddrFrom4(r.spa) }

// episode is one IP's run of requests with no pause over episodeGap. An ARP
// scan keeps hundreds of thousands open, so it is kept small and in a slab:
// the key packed, the usual single requester inline, times as Unix
// nanoseconds, and of the requests only those a finding cites (the first
// three and the last).
type episode struct {
	key         bindKey
	cite        [4]int32 // first three requests, then the latest
	n           int64
	judged      int64 // requests a reply could have followed inside the capture
	first, last int64 // Unix ns of the first and latest request
	answered    bool
	pending     bool // an announcement came after last+wait: a later request makes it count
	req0        requester
	more        *requesters // the second requester on

	prev, next int32 // open episodes (slab indexes), least recently asked for first; -1 at the ends
}

func (ep *episode) ipKey() ipKey { return unpackKey(ep.key) }

// requesters is an episode's requesters after the first.
type requesters struct {
	list     []requester
	index    map[timeline.MAC]int // into list, once it is long
	overflow int64                // requests from requesters beyond maxRequesters
}

func (ep *episode) cited() []int {
	n := min(ep.n, 4)
	out := make([]int, n)
	for i := range out {
		out[i] = int(ep.cite[i])
	}
	return out
}

// all is every requester kept, the first one first.
func (ep *episode) all() []requester {
	out := []requester{ep.req0}
	if ep.more != nil {
		out = append(out, ep.more.list...)
	}
	return out
}

func (ep *episode) count() int {
	if ep.more == nil {
		return 1
	}
	return 1 + len(ep.more.list)
}

func (ep *episode) overflow() int64 {
	if ep.more == nil {
		return 0
	}
	return ep.more.overflow
}

// requester finds mac among the episode's requesters, adding it if there is
// room; nil when there is not.
func (ep *episode) requester(mac timeline.MAC, spa netip.Addr, i int) *requester {
	if r := ep.find(mac); r != nil {
		return r
	}
	if ep.more == nil {
		ep.more = &requesters{}
	}
	m := ep.more
	if m.index == nil && len(m.list) >= 8 {
		m.index = make(map[timeline.MAC]int, 16)
		for j := range m.list {
			m.index[m.list[j].mac] = j
		}
	}
	if 1+len(m.list) >= maxRequesters {
		m.overflow++
		return nil
	}
	m.list = append(m.list, requester{mac: mac, spa: spa.As4(), first: int32(i)})
	if m.index != nil {
		m.index[mac] = len(m.list) - 1
	}
	return &m.list[len(m.list)-1]
}

// find is the episode's requester mac, nil when it is not one.
func (ep *episode) find(mac timeline.MAC) *requester {
	if ep.req0.mac == mac {
		return &ep.req0
	}
	if ep.more == nil {
		return nil
	}
	if ep.more.index != nil {
		if j, ok := ep.more.index[mac]; ok {
			return &ep.more.list[j]
		}
		return nil
	}
	for j := range ep.more.list {
		if ep.more.list[j].mac == mac {
			return &ep.more.list[j]
		}
	}
	return nil
}

// unansweredPass is the detector's state while it reads the timeline.
type unansweredPass struct {
	tl   *timeline.Timeline
	segs []uint16 // per source: its segment
	cfg  *Config
	out  *Findings
	open keyTable[int32] // by bindKey: into slab
	slab [][]episode     // slabChunk episodes each: growing never copies them, nor doubles the memory
	used int32           // slots handed out of slab
	free []int32
	head int32 // least recently asked for; -1 when none is open
	tail int32
	// repliedTo counts the replies seen addressed to a MAC: proof that the
	// capture shows replies reaching it.
	repliedTo map[timeline.MAC]int32
	peak      int // most episodes open at once
	early     int // episodes judged before their gap was over, to stay under maxOpen
	noise     int // single requests answered a moment too late: not findings
}

func (arpUnanswered) Detect(tl *timeline.Timeline, cfg *Config, out *Findings) {
	newUnansweredPass(tl, cfg, out).run()
}

func newUnansweredPass(tl *timeline.Timeline, cfg *Config, out *Findings) *unansweredPass {
	return &unansweredPass{tl: tl, segs: segmentIDs(tl), cfg: cfg, out: out, head: -1, tail: -1,
		repliedTo: map[timeline.MAC]int32{}}
}

func (p *unansweredPass) run() {
	tl, out := p.tl, p.out
	horizon := max(episodeGap, p.cfg.UnansweredWait)
	for i, rec := range tl.RecordsOf(timeline.Kinds(timeline.KindARP, timeline.KindUsage)) {
		for p.head >= 0 && rec.T-p.ep(p.head).last > int64(horizon) {
			p.close(p.head)
		}
		switch rec.Kind {
		case timeline.KindARP:
			a, _ := rec.ARPRec()
			p.arp(i, rec, &a)
		case timeline.KindUsage:
			u, _ := rec.UsageRec()
			if !u.Group && u.Dst != timeline.Broadcast {
				p.sent(u.Src, ipKey{u.DstIP, u.VLAN, p.segs[rec.Src]}, u.Frames)
			}
		}
	}
	for p.head >= 0 {
		p.close(p.head)
	}
	if p.early > 0 && p.cfg.facts != nil {
		p.cfg.facts.note("arp-unanswered judged %d episodes before their %s gap was over, to keep at most %d addresses open at once (an ARP scan or storm): a later request for one of them made a separate episode", p.early, fmtDur(episodeGap), maxOpen)
	}
	if p.noise > 0 && p.cfg.facts != nil {
		p.cfg.facts.note("arp-unanswered did not report %s: a single request each, and the address answered within a minute after it (late or crossing replies, not an address nobody holds)", plural(int64(p.noise), "episode", "episodes"))
	}
	// Whether the capture shows replies reaching a requester is known only
	// at the end: settle it for the findings kept.
	out.Revise(func(f *Finding) {
		if ep, ok := f.private.(*episode); ok {
			p.explain(f, ep)
			f.private = nil
		}
	})
}

func (p *unansweredPass) arp(i int, rec *timeline.Record, a *timeline.ARP) {
	now := rec.T
	if a.Class.Announces() && a.SPA.Is4() {
		if e := p.open.find(uint64(packKey(ipKey{a.SPA, a.VLAN, p.segs[rec.Src]}))); e != nil {
			ep := p.ep(*e)
			if r := ep.find(a.THA); a.Class == timeline.ARPReply && r != nil {
				// A reply to one requester answers that one only.
				if now-r.last <= int64(p.cfg.UnansweredWait) {
					r.answered = true
				} else {
					ep.pending = true
				}
			} else if now-ep.last <= int64(p.cfg.UnansweredWait) {
				ep.answered = true
			} else {
				ep.pending = true
			}
		}
		if a.Class == timeline.ARPReply {
			if n, ok := p.repliedTo[a.THA]; ok || len(p.repliedTo) < maxRepliedTo {
				p.repliedTo[a.THA] = n + 1
			}
		}
		return
	}
	if a.Class != timeline.ARPRequest || !a.TPA.Is4() || a.TPA.IsUnspecified() {
		return
	}
	k := packKey(ipKey{a.TPA, a.VLAN, p.segs[rec.Src]})
	var e int32
	var ep *episode
	var r *requester
	if at := p.open.find(uint64(k)); at != nil {
		e = *at
		p.unlink(e)
		ep = p.ep(e)
		r = ep.requester(a.SHA, a.SPA, i)
	} else {
		e = p.alloc()
		ep = p.ep(e)
		*ep = episode{key: k, first: now, req0: requester{mac: a.SHA, spa: a.SPA.As4(), first: int32(i)}, prev: -1, next: -1}
		at, _ := p.open.insert(uint64(k))
		*at = e
		// An ARP scan asks for more addresses a minute than are worth
		// remembering: judge the oldest early once their reply wait is over
		// (a later request for one of them starts a new episode).
		for p.open.len() > maxOpen && p.head >= 0 && now-p.ep(p.head).last > int64(p.cfg.UnansweredWait) {
			p.close(p.head)
			p.early++
		}
		p.peak = max(p.peak, p.open.len())
		r = &ep.req0
	}
	p.append(e)
	if ep.pending {
		ep.answered = true // the announcement fell between two requests of the episode
	}
	if ep.n < 3 {
		ep.cite[ep.n] = int32(i)
	} else {
		ep.cite[3] = int32(i)
	}
	ep.n++
	ep.last = now
	if now+int64(p.cfg.UnansweredWait) <= p.tl.Sources[rec.Src].Last.UnixNano() {
		ep.judged++
	}
	if r == nil {
		return
	}
	r.n++
	r.last = now
	if a.DstKnown && !a.Group && a.Dst != timeline.Broadcast {
		r.probes++ // sent to a MAC: the host still had one for the address
	}
}

// alloc takes a free slab slot.
func (p *unansweredPass) alloc() int32 {
	if n := len(p.free); n > 0 {
		e := p.free[n-1]
		p.free = p.free[:n-1]
		return e
	}
	if p.used%slabChunk == 0 {
		p.slab = append(p.slab, make([]episode, slabChunk))
	}
	p.used++
	return p.used - 1
}

// slabChunk is the episodes allocated at a time.
const slabChunk = 4096

// ep is slab slot i.
func (p *unansweredPass) ep(i int32) *episode { return &p.slab[i/slabChunk][i%slabChunk] }

// sent notes unicast traffic from mac to an IP while the IP is asked for.
func (p *unansweredPass) sent(mac timeline.MAC, k ipKey, frames int64) {
	if !k.ip.Is4() || p.open.len() == 0 {
		return
	}
	if e := p.open.find(uint64(packKey(k))); e != nil {
		if r := p.ep(*e).find(mac); r != nil {
			r.unicast += frames
		}
	}
}

func (p *unansweredPass) append(e int32) {
	ep := p.ep(e)
	ep.prev, ep.next = p.tail, -1
	if p.tail >= 0 {
		p.ep(p.tail).next = e
	} else {
		p.head = e
	}
	p.tail = e
}

func (p *unansweredPass) unlink(e int32) {
	ep := p.ep(e)
	if ep.prev >= 0 {
		p.ep(ep.prev).next = ep.next
	} else {
		p.head = ep.next
	}
	if ep.next >= 0 {
		p.ep(ep.next).prev = ep.prev
	} else {
		p.tail = ep.prev
	}
	ep.prev, ep.next = -1, -1
}

// close judges an episode whose requests are over and frees its slot.
func (p *unansweredPass) close(e int32) {
	p.unlink(e)
	ep := p.ep(e)
	p.open.delete(uint64(ep.key))
	defer func() {
		*p.ep(e) = episode{}
		p.free = append(p.free, e)
	}()
	// Requests so close to the end of their capture that a reply could
	// still have come after it are not judged.
	if ep.answered || ep.judged == 0 {
		return
	}
	sev := Low
	var open int64 // requests of the requesters nobody answered
	for _, r := range ep.all() {
		if r.answered {
			continue
		}
		open += r.n
		if r.n >= 3 {
			sev = Medium // a whole resolution (3 broadcast requests) failed at least once
		}
	}
	if open == 0 && ep.overflow() == 0 {
		return // every requester got its answer
	}
	// One unanswered request, and the address answering a moment later
	// (past the reply wait) or answering others: a reply lost or late, or
	// a request crossing the owner's own announcement — noise, not an
	// address nobody answers for.
	if open <= 1 && ep.overflow() == 0 && (ep.pending || open < ep.n) {
		p.noise++
		return
	}
	if open < ep.n-ep.overflow() {
		ep.keepUnanswered(open)
	}
	first, last := time.Unix(0, ep.first).UTC(), time.Unix(0, ep.last).UTC()
	if !p.out.Wants(sev, ep.n, first) {
		p.out.Omit(sev, ep.n, first, last)
		return
	}
	p.out.Add(p.finding(ep, sev), ep.n)
}

// keepUnanswered drops the requesters that got their answer, so the
// finding names and counts only the hosts nobody answered (open requests
// of theirs, plus those of requesters beyond the cap, unjudged).
func (ep *episode) keepUnanswered(open int64) {
	var rs []requester
	for _, r := range ep.all() {
		if !r.answered {
			rs = append(rs, r)
		}
	}
	over := ep.overflow()
	ep.n = open + over
	if len(rs) == 0 {
		return // only requesters beyond the cap are left: keep what is known
	}
	ep.req0 = rs[0]
	ep.more = nil
	if len(rs) > 1 || over > 0 {
		ep.more = &requesters{list: rs[1:], overflow: over}
	}
}

// top is the episode's most insistent requesters, at most shownRequesters.
func (ep *episode) top() []requester {
	rs := ep.all()
	// Most requests first; the first to ask breaks ties.
	slices.SortFunc(rs, func(a, b requester) int {
		if a.n != b.n {
			return cmp.Compare(b.n, a.n)
		}
		return cmp.Compare(a.first, b.first)
	})
	return rs[:min(len(rs), shownRequesters)]
}

func (ep *episode) distinct() string {
	if ep.overflow() > 0 {
		return fmt.Sprintf("more than %d", ep.count())
	}
	return fmt.Sprint(ep.count())
}

func (p *unansweredPass) finding(ep *episode, sev Severity) Finding {
	first, last := time.Unix(0, ep.first).UTC(), time.Unix(0, ep.last).UTC()
	span := last.Sub(first)
	top := ep.top()
	f := Finding{Severity: sev, Start: first, End: last}
	if ep.count() == 1 {
		r := ep.req0
		f.Title = fmt.Sprintf("ARP for %s from %s (%s) went unanswered: %s over %s", ep.ipKey(), r.addr(), r.mac,
			plural(ep.n, "request", "requests"), fmtDur(span))
	} else {
		f.Title = fmt.Sprintf("ARP for %s went unanswered: %s from %s hosts over %s", ep.ipKey(),
			plural(ep.n, "request", "requests"), ep.distinct(), fmtDur(span))
	}
	f.Subject.Set("ip", ep.ipKey().ip.String())
	f.Subject.Set("requester_mac", top[0].mac.String())
	f.Subject.Set("requests", ep.n)
	if ep.count() > 1 {
		f.Subject.Set("requesters", int64(ep.count())+min(ep.overflow(), 1))
	}
	if ep.ipKey().vlan != 0 {
		f.Subject.Set("vlan", int64(ep.ipKey().vlan))
	}
	for _, i := range ep.cited() {
		f.Evidence = append(f.Evidence, EventEvidence(p.tl, i))
	}
	kept := *ep
	f.private = &kept
	return f
}

// explain sets a kept finding's confidence and explanation, once the whole
// capture has shown whether replies reach its requesters.
func (p *unansweredPass) explain(f *Finding, ep *episode) {
	top := ep.top()
	visible := false
	for _, r := range top {
		visible = visible || p.repliedTo[r.mac] > 0
	}
	f.Confidence = ConfMedium
	if visible {
		f.Confidence = ConfHigh // the capture does show replies to this requester, just none for this IP
	}
	f.Explanation = unansweredExplanation(ep, top, visible)
}
