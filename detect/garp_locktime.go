package detect

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/arpforensics/arpforensics/timeline"
)

// garpLocktime flags bursts of gratuitous ARPs for one IP and MAC spaced
// within ARP locktime: a Linux peer before 4.12 can ignore every one of them
// (each ignored update re-arms locktime for the next), which is how a
// floating IP move goes unnoticed.
type garpLocktime struct{}

func (garpLocktime) Name() string { return "garp-locktime" }

func (garpLocktime) Describe() string {
	return "consecutive GARPs for the same IP and MAC are spaced within ARP locktime (1 s), so Linux peers before " + linuxFix.version + " may ignore them all"
}

// burstGap separates bursts: GARPs further apart than this are separate
// announcements (arping -c N sends one a second).
const burstGap = 10 * time.Second

// sameFrame is how close two copies of one GARP can be (a frame seen on the
// bridge and on the physical port by tcpdump -i any).
const sameFrame = 2 * time.Millisecond

type garpKey struct {
	ip  ipKey
	mac timeline.MAC
}

// garpAt is one GARP of a key: its event, time (Unix ns) and class, kept
// together so that cutting and describing bursts reads no record again.
type garpAt struct {
	ev    int
	t     int64
	class timeline.ARPClass
}

func (garpLocktime) Detect(tl *timeline.Timeline, cfg *Config, out *Findings) {
	// The GARPs first: their pass needs no moves, so it runs while
	// another detector computes them.
	byKey := map[garpKey][]garpAt{}
	var keys []garpKey
	segs := segmentIDs(tl)
	for i, r := range tl.RecordsOf(timeline.Kinds(timeline.KindARP)) {
		if !timeline.ARPClass(r.Sub).IsGARP() {
			continue // the class is in the record's header: most ARP is not read further
		}
		a, ok := r.ARPRec()
		if !ok || !bindingSender(&a) {
			continue
		}
		k := garpKey{ipKey{a.SPA, a.VLAN, segs[r.Src]}, a.SHA}
		if byKey[k] == nil {
			keys = append(keys, k)
		}
		byKey[k] = append(byKey[k], garpAt{i, r.T, a.Class})
	}
	ms := movesOf(tl, cfg)
	if len(ms) == 0 {
		return // nothing moved: boot announcements and refreshes, whatever their spacing
	}
	uses, _ := staleUsesOf(tl, cfg, ms)
	// ignoredUntil: per move, the latest a peer still used the old MAC.
	ignoredUntil := make([]time.Time, len(ms))
	for _, u := range uses {
		if u.lastStale.After(ignoredUntil[u.move]) {
			ignoredUntil[u.move] = u.lastStale
		}
	}
	byMove := movesByIP(ms)
	// matters reports whether a burst's spacing could do harm: it announced
	// a move, and a peer kept using the old MAC after the burst — the
	// capture shows it ignoring the GARPs. A burst every peer followed at
	// once, or one that changed nothing, is no finding.
	matters := func(k garpKey, burst []garpAt) bool {
		first, last := timeline.NanoTime(burst[0].t), timeline.NanoTime(burst[len(burst)-1].t)
		for _, mi := range byMove.of(segIP{k.ip.ip.As4(), k.ip.seg}) {
			m := &ms[mi]
			// A move the database dated first is matched by when the wire
			// first showed it.
			if at := m.wireAt; m.key != k.ip || m.new != k.mac || at.IsZero() || at.Before(first.Add(-sameFrame)) || at.After(last) {
				continue
			}
			if ignoredUntil[mi].After(last) {
				return true
			}
		}
		return false
	}
	for _, k := range keys {
		var burst []garpAt
		flush := func() {
			if len(burst) < 2 || !matters(k, burst) {
				burst = burst[:0]
				return
			}
			if f, ok := locktimeFinding(tl, cfg, k, burst); ok {
				out.Add(f, int64(len(burst)))
			}
			burst = burst[:0]
		}
		for _, g := range byKey[k] {
			if len(burst) > 0 {
				prev := burst[len(burst)-1].t
				if time.Duration(g.t-prev) < sameFrame {
					continue // another copy of the same frame
				}
				if time.Duration(g.t-prev) > burstGap {
					flush()
				}
			}
			burst = append(burst, g)
		}
		flush()
	}
}

func (garpLocktime) Instances() string { return "GARP bursts inside locktime" }

func (garpLocktime) Identity() []string { return []string{"ip", "mac"} }

func locktimeFinding(tl *timeline.Timeline, cfg *Config, k garpKey, burst []garpAt) (Finding, bool) {
	if len(burst) < 2 {
		return Finding{}, false
	}
	minGap := time.Duration(math.MaxInt64)
	var inside []int // indexes (into burst) of GARPs within locktime of the previous one
	for n := 1; n < len(burst); n++ {
		d := time.Duration(burst[n].t - burst[n-1].t)
		minGap = min(minGap, d)
		if d <= cfg.Locktime+cfg.LocktimeSlack {
			inside = append(inside, n)
		}
	}
	if len(inside) == 0 {
		return Finding{}, false
	}
	first, last := timeline.NanoTime(burst[0].t), timeline.NanoTime(burst[len(burst)-1].t)
	classes := map[timeline.ARPClass]int{}
	evs := make([]int, len(burst))
	for n, g := range burst {
		classes[g.class]++
		evs[n] = g.ev
	}
	f := Finding{
		Severity: Low, Confidence: ConfHigh, Start: first, End: last,
		Title: fmt.Sprintf("%d GARPs for %s at %s came %s apart, inside ARP locktime (%s)",
			len(burst), k.ip, k.mac, fmtDur(minGap), fmtDur(cfg.Locktime)),
	}
	f.Subject.Set("ip", k.ip.ip.String())
	f.Subject.Set("mac", k.mac.String())
	f.Subject.Set("min_spacing_ms", math.Round(float64(minGap.Microseconds()))/1000)

	f.Explanation = locktimeExplanation(k, evs, classes, first, last, len(inside), cfg)
	ev := []int{burst[0].ev}
	for _, n := range inside {
		ev = append(ev, burst[n].ev)
	}
	for _, i := range capEvidence(slices.Compact(ev), 5, 1) {
		f.Evidence = append(f.Evidence, EventEvidence(tl, i))
	}
	return f, true
}
