package html

import (
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/arpforensics/arpforensics/detect"
	"github.com/arpforensics/arpforensics/internal/safetext"
	"github.com/arpforensics/arpforensics/timeline"
)

// diagramCtx is what diagram builders read besides the finding: the
// timeline (for the events a finding cites and their neighbours by IP) and
// the kernel timings to draw against.
type diagramCtx struct {
	tl *timeline.Timeline
	o  *Options
	// ips holds ByIP of the findings' addresses, looked up in one scan
	// (see prefetch); others fall back to tl.ByIP.
	ips map[netip.Addr][]int32
}

// byIP is tl.ByIP through the prefetched lookups.
func (ctx *diagramCtx) byIP(ip netip.Addr) []int32 {
	if idx, ok := ctx.ips[ip]; ok {
		return idx
	}
	return ctx.tl.ByIP(ip)
}

// prefetch looks up the addresses the diagrams of fs will ask for, all in
// one scan of the timeline.
func (ctx *diagramCtx) prefetch(fs []detect.Finding) {
	var ips []netip.Addr
	seen := map[netip.Addr]bool{}
	for i := range fs {
		if ip, err := netip.ParseAddr(fs[i].Subject.String("ip")); err == nil && !seen[ip] {
			seen[ip] = true
			ips = append(ips, ip)
		}
	}
	ctx.ips = ctx.tl.ByIPs(ips)
}

// diagramBuilders picks the picture for a detector. A builder returns nil
// when the finding lacks what its picture needs (a subject key, the events);
// the finding then gets the generic evidence strip.
var diagramBuilders = map[string]func(*diagramCtx, *detect.Finding) *Diagram{
	"stale-mac":       bindingLane,
	"mac-change":      bindingLane,
	"garp-locktime":   bindingLane,
	"arp-unanswered":  unansweredLane,
	"missing-probe":   missingProbeStrip,
	"interleaved-txn": txnLadder,
}

func diagramFor(ctx *diagramCtx, f *detect.Finding) *Diagram {
	var dg *Diagram
	if b := diagramBuilders[f.Detector]; b != nil {
		dg = b(ctx, f)
	}
	if dg == nil {
		dg = evidenceStrip(ctx, f)
	}
	if dg != nil && dg.Narrow == nil {
		dg.Narrow = narrowOf(dg)
	}
	return dg
}

// Diagram layout shared by the finding diagrams: labels on the left, the
// time plot on the right, in a 1200-unit-wide viewBox.
const (
	diagramW   = 1200.0
	labelRight = 200.0
	plotX0     = 212.0
	plotX1     = 1180.0
	fontSize   = 11.0
)

// cited lists the timeline indexes a finding's evidence names, ascending.
func cited(ctx *diagramCtx, f *detect.Finding) []int {
	var idx []int
	for _, e := range f.Evidence {
		if e.Event >= 0 && e.Event < ctx.tl.Len() {
			idx = append(idx, e.Event)
		}
	}
	slices.Sort(idx)
	return slices.Compact(idx)
}

// padded widens t0..t1 by a tenth on each side (at least min).
func padded(t0, t1 time.Time, min time.Duration) (time.Time, time.Time) {
	pad := t1.Sub(t0) / 10
	if pad < min {
		pad = min
	}
	return t0.Add(-pad), t1.Add(pad)
}

// summary is an event's one-line text for tooltips.
func summary(e *timeline.Event) string {
	if e.Raw != "" {
		return safetext.Terminal(e.Raw)
	}
	return safetext.Terminal(e.Data.Summary())
}

// evidenceStrip draws the events a finding cites on a time axis, one row per
// source, coloured by kind: the picture for detectors without their own.
func evidenceStrip(ctx *diagramCtx, f *detect.Finding) *Diagram {
	idx := cited(ctx, f)
	if len(idx) == 0 {
		return nil
	}
	tl := ctx.tl
	t0, t1 := f.Start, f.End
	if t1.Before(t0) {
		t1 = t0
	}
	var srcs []int32
	for _, i := range idx {
		ev := tl.Event(i)
		e := &ev
		if e.Time.Before(t0) {
			t0 = e.Time
		}
		if e.Last().After(t1) {
			t1 = e.Last()
		}
		if !slices.Contains(srcs, e.Source) {
			srcs = append(srcs, e.Source)
		}
	}
	const maxRows = 8
	if len(srcs) > maxRows {
		srcs = srcs[:maxRows]
	}
	t0, t1 = padded(t0, t1, 500*time.Millisecond)
	sc := NewScale(t0, t1, plotX0, plotX1)
	const top, rowH = 10.0, 30.0
	d := &Diagram{Kind: "evidence-strip", W: diagramW, H: top + rowH*float64(len(srcs)) + 30,
		Label:   "Events cited by this finding over time, one row per source",
		Caption: "Each mark is an event this finding cites, placed in time on the row of the file it was read from; hover a mark for its text."}
	axisY := top + rowH*float64(len(srcs)) + 4
	d.Plot = sc.plot(top, axisY-4)
	d.axis(sc, axisY, top, 8)
	for r, s := range srcs {
		y := top + rowH*float64(r)
		d.rect(plotX0, y+4, plotX1-plotX0, rowH-8, "lane-bg", "")
		d.text(labelRight, y+rowH/2+4, fit(sourceLabel(tl.Sources[s]), labelRight-4, fontSize), "label", "end").Tip = safetext.Terminal(tl.Sources[s].Path)
	}
	drawn := map[[2]int]bool{}
	for _, i := range idx {
		ev := tl.Event(i)
		e := &ev
		r := slices.Index(srcs, e.Source)
		if r < 0 {
			continue
		}
		y := top + rowH*float64(r)
		x := sc.X(e.Time)
		key := [2]int{r, int(x * 2)}
		if drawn[key] && e.End.IsZero() {
			continue
		}
		drawn[key] = true
		class := "ev k-" + e.Kind().String()
		if !e.End.IsZero() && e.End.After(e.Time) {
			d.at(d.rect(x, y+9, maxf(sc.X(e.End)-x, 2), rowH-18, class, summary(e)), e.Time, e.End)
		} else {
			d.at(d.line(x, y+6, x, y+rowH-6, class, summary(e)), e.Time, e.Time)
		}
	}
	return d
}

func maxf(a, b float64) float64 {
	if a > b {
		return a
	}
	return b
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
