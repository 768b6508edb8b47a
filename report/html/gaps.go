package html

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/arpforensics/arpforensics/detect"
	"github.com/arpforensics/arpforensics/timeline"
)

// When the sources of a run lie far apart — two CI jobs months apart, a
// capture from another day — a linear axis squeezes each into a sliver.
// The swimlane then compresses every long empty stretch into a fixed-width
// break marked with its length, and gives the rest of the plot to the
// stretches that have events.

// gapBreakW is the width a compressed gap takes.
const gapBreakW = 34.0

// segment is one linear piece of a piecewise time axis.
type segment struct {
	T0, T1 time.Time
	X0, X1 float64
}

// gapScale maps time to x over segments separated by compressed gaps.
type gapScale []segment

// X is t's position: inside a segment linearly, inside a gap at its middle.
func (g gapScale) X(t time.Time) float64 {
	for i, s := range g {
		if !t.After(s.T1) {
			if t.Before(s.T0) { // in the gap before s
				if i == 0 {
					return s.X0
				}
				return (g[i-1].X1 + s.X0) / 2
			}
			return Scale{T0: s.T0, T1: s.T1, X0: s.X0, X1: s.X1}.X(t)
		}
	}
	return g[len(g)-1].X1
}

// Attr is the segments for the page script: "x0,x1,t0,t1;…", times in µs.
func (g gapScale) Attr() string {
	var parts []string
	for _, s := range g {
		parts = append(parts, fmt.Sprintf("%s,%s,%d,%d", num(s.X0), num(s.X1), micros(s.T0), micros(s.T1)))
	}
	return strings.Join(parts, ";")
}

// compressGaps returns the piecewise axis over t0..t1, or nil when no empty
// stretch is long enough to be worth a break: one longer than a quarter of
// the whole span. Stretches are the sources' spans and the findings'.
func compressGaps(tl *timeline.Timeline, findings []detect.Finding, t0, t1 time.Time) gapScale {
	type iv struct{ a, b time.Time }
	var ivs []iv
	clamp := func(t time.Time) time.Time {
		if t.Before(t0) {
			return t0
		}
		if t.After(t1) {
			return t1
		}
		return t
	}
	for _, s := range tl.Sources {
		if s.Analysed() && !s.First.IsZero() {
			ivs = append(ivs, iv{clamp(s.First), clamp(s.Last)})
		}
	}
	for _, f := range findings {
		if !f.Start.IsZero() {
			end := f.End
			if end.Before(f.Start) {
				end = f.Start
			}
			ivs = append(ivs, iv{clamp(f.Start), clamp(end)})
		}
	}
	if len(ivs) < 2 {
		return nil
	}
	slices.SortFunc(ivs, func(x, y iv) int { return x.a.Compare(y.a) })
	// Split at empty stretches longer than a quarter of what they split,
	// then split each piece the same way (two days among sixteen months
	// are one piece at first, two at the next level).
	var split func(ivs []iv, depth int) []iv
	split = func(ivs []iv, depth int) []iv {
		a, b := ivs[0].a, ivs[0].b
		for _, v := range ivs {
			if v.b.After(b) {
				b = v.b
			}
		}
		var groups [][]iv
		end := a
		for _, v := range ivs {
			if len(groups) > 0 && v.a.Sub(end) <= b.Sub(a)/4 {
				groups[len(groups)-1] = append(groups[len(groups)-1], v)
			} else {
				groups = append(groups, []iv{v})
			}
			if v.b.After(end) {
				end = v.b
			}
		}
		if len(groups) < 2 || depth == 3 {
			return []iv{{a, b}}
		}
		var out []iv
		for _, g := range groups {
			out = append(out, split(g, depth+1)...)
		}
		return out
	}
	clusters := split(ivs, 0)
	if len(clusters) < 2 {
		return nil
	}
	// Pad each stretch a little, and give each at least a tenth of the
	// active time, so a lone short source is still readable.
	var total time.Duration
	for i := range clusters {
		pad := max(clusters[i].b.Sub(clusters[i].a)/20, time.Second)
		clusters[i].a, clusters[i].b = clusters[i].a.Add(-pad), clusters[i].b.Add(pad)
		total += clusters[i].b.Sub(clusters[i].a)
	}
	weights := make([]float64, len(clusters))
	sum := 0.0
	for i, c := range clusters {
		weights[i] = max(float64(c.b.Sub(c.a)), float64(total)/10)
		sum += weights[i]
	}
	avail := plotX1 - plotX0 - gapBreakW*float64(len(clusters)-1)
	var g gapScale
	x := plotX0
	for i, c := range clusters {
		w := avail * weights[i] / sum
		g = append(g, segment{T0: c.a, T1: c.b, X0: x, X1: x + w})
		x += w + gapBreakW
	}
	return g
}

// gapAxis draws a piecewise axis: each segment's ticks (the first dated)
// and, between segments, a break mark naming the time left out.
func (d *Diagram) gapAxis(g gapScale, y, top float64) {
	for i, s := range g {
		sc := Scale{T0: s.T0, T1: s.T1, X0: s.X0, X1: s.X1}
		want := max(2, int(10*(s.X1-s.X0)/(plotX1-plotX0)))
		d.axisDated(sc, y, top, want)
		if i > 0 {
			mid := (g[i-1].X1 + s.X0) / 2
			gap := s.T0.Sub(g[i-1].T1)
			d.path(fmt.Sprintf("M%s %sl4 -6M%s %sl4 -6", num(mid-5), num(y+3), num(mid+1), num(y+3)), "axis", "")
			d.rect(g[i-1].X1+2, top, s.X0-g[i-1].X1-4, y-top, "gap", fmt.Sprintf("%s without events left out", duration(gap)))
			d.text(mid, top-3, "≈"+duration(gap), "gap-label", "middle")
		}
	}
}
