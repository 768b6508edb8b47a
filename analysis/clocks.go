package analysis

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/arpforensics/arpforensics/parse/pcap"
	"github.com/arpforensics/arpforensics/timeline"
)

// maxSkew is how far two hosts' clocks may disagree before the report says
// so: beyond it, an effect on one host can appear before its cause on another.
const maxSkew = time.Second

// minGap is how far apart two hosts' spans must be to call them disjoint:
// short artifacts of one run legitimately end a little before others begin.
const minGap = time.Minute

// clockNotes compares hosts' clocks: hosts whose sources share no time at
// all, and TCP handshake frames captured on two hosts whose timestamps
// disagree by more than maxSkew (the same frame cannot arrive before it was
// sent). It returns notes for the report, each naming the fix.
func clockNotes(tl *timeline.Timeline) []string {
	var notes []string
	notes = append(notes, overlapNotes(tl)...)
	notes = append(notes, skewNotes(tl)...)
	return notes
}

type hostSpan struct {
	host        string
	first, last time.Time
}

func overlapNotes(tl *timeline.Timeline) []string {
	spans := map[string]*hostSpan{}
	for _, s := range tl.Sources {
		if !s.Analysed() || s.First.IsZero() {
			continue
		}
		h := spans[s.Host]
		if h == nil {
			spans[s.Host] = &hostSpan{s.Host, s.First, s.Last}
			continue
		}
		if s.First.Before(h.first) {
			h.first = s.First
		}
		if s.Last.After(h.last) {
			h.last = s.Last
		}
	}
	var hs []*hostSpan
	for _, h := range spans {
		hs = append(hs, h)
	}
	slices.SortFunc(hs, func(a, b *hostSpan) int { return strings.Compare(a.host, b.host) })
	var notes []string
	for i, a := range hs {
		for _, b := range hs[i+1:] {
			if b.first.Sub(a.last) > minGap || a.first.Sub(b.last) > minGap {
				notes = append(notes, fmt.Sprintf("hosts %s (%s – %s) and %s (%s – %s) share no time at all: if they recorded the same run, one clock is off (set --offset HOST=… or offsets in the case file)",
					a.host, stamp(a.first), stamp(a.last), b.host, stamp(b.first), stamp(b.last)))
			}
		}
	}
	return notes
}

// synKey identifies one handshake frame wherever it was captured.
type synKey struct {
	src, dst   netip.Addr
	sport, dpt uint16
	seq        uint32
	what       timeline.TCPKind
	attempt    int
}

// maxSkewFrames bounds the handshake frames compared across hosts: a few
// hundred thousand estimate any skew, and a SYN flood must not cost memory.
const maxSkewFrames = 200_000

func skewNotes(tl *timeline.Timeline) []string {
	// Only captures of two hosts or more can disagree.
	hosts := map[string]bool{}
	for _, s := range tl.Sources {
		if s.Analysed() && pcap.IsCapture(s.Kind) {
			hosts[s.Host] = true
		}
	}
	if len(hosts) < 2 {
		return nil
	}
	// First sighting of each frame per host.
	seen := map[synKey]map[string]time.Time{}
	for _, r := range tl.Records(0, -1) {
		t, ok := r.TCPRec()
		if !ok {
			continue
		}
		k := synKey{t.SrcIP, t.DstIP, t.SrcPort, t.DstPort, t.Seq, t.What, t.Attempt}
		host := tl.Sources[r.Src].Host
		m := seen[k]
		if m == nil {
			if len(seen) >= maxSkewFrames {
				continue
			}
			m = map[string]time.Time{}
			seen[k] = m
		}
		if _, ok := m[host]; !ok {
			m[host] = r.Time()
		}
	}
	// Per pair of hosts, the differences between their copies of a frame.
	type pair struct{ a, b string }
	deltas := map[pair][]time.Duration{}
	for _, m := range seen {
		if len(m) < 2 {
			continue
		}
		var hosts []string
		for h := range m {
			hosts = append(hosts, h)
		}
		slices.Sort(hosts)
		for i, a := range hosts {
			for _, b := range hosts[i+1:] {
				deltas[pair{a, b}] = append(deltas[pair{a, b}], m[b].Sub(m[a]))
			}
		}
	}
	var pairs []pair
	for p := range deltas {
		pairs = append(pairs, p)
	}
	slices.SortFunc(pairs, func(x, y pair) int { return strings.Compare(x.a+"\x00"+x.b, y.a+"\x00"+y.b) })
	var notes []string
	for _, p := range pairs {
		ds := deltas[p]
		slices.Sort(ds)
		med := ds[len(ds)/2]
		if med > -maxSkew && med < maxSkew {
			continue
		}
		ahead, behind, d := p.b, p.a, med
		if med < 0 {
			ahead, behind, d = p.a, p.b, -med
		}
		notes = append(notes, fmt.Sprintf("host %s's clock runs about %s ahead of host %s's: %d TCP handshake frame(s) captured on both hosts carry timestamps that far apart (median); correct it with --offset %s=-%s (or an offset in the case file)",
			ahead, d.Round(time.Millisecond), behind, len(ds), ahead, d.Round(time.Millisecond)))
	}
	return notes
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }
