package html

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/arpforensics/arpforensics/detect"
	"github.com/arpforensics/arpforensics/safetext"
	"github.com/arpforensics/arpforensics/timeline"
)

const (
	laneBins  = 240 // density bins across the plot
	laneH     = 30.0
	findRowH  = 18.0
	maxFRows  = 6
	swimTop   = 8.0
	laneGapHd = 16.0
	// maxColumns: past this many findings the faint columns they cast
	// across the lanes are noise, and are not drawn.
	maxColumns = 40
)

// swimlane draws the whole run: one lane per analysed source (grouped by
// host) with its event density over time, every finding as a span in a band
// above the lanes and as marks on the lanes its evidence came from, and a
// time axis. The page script adds the time-range brush over the lanes.
// Density is binned here over every event, so the picture is complete even
// when the event table is capped.
func swimlane(tl *timeline.Timeline, findings []detect.Finding, first, last time.Time) *Diagram {
	var lanes []int
	for i, s := range tl.Sources {
		if s.Analysed() {
			lanes = append(lanes, i)
		}
	}
	if len(lanes) == 0 || first.IsZero() {
		return nil
	}
	slices.SortStableFunc(lanes, func(a, b int) int {
		return strings.Compare(tl.Sources[a].Host, tl.Sources[b].Host)
	})
	laneOf := make(map[int32]int, len(lanes))
	for r, s := range lanes {
		laneOf[int32(s)] = r
	}
	first, last, strays := focus(tl, first, last)
	for _, f := range findings {
		if f.Start.IsZero() {
			continue
		}
		if f.Start.Before(first) {
			first = f.Start
		}
		if f.End.After(last) {
			last = f.End
		}
	}
	t0, t1 := padded(first, last, 100*time.Millisecond)
	sc := NewScale(t0, t1, plotX0, plotX1)
	X := sc.X
	gaps := compressGaps(tl, findings, sc.T0, sc.T1)
	if gaps != nil {
		X = gaps.X
	}

	// Findings band: greedy packing into rows so spans and their labels do
	// not overlap.
	type placed struct {
		f      *detect.Finding
		row    int
		x0, x1 float64
		label  string
	}
	var bars []placed
	var rowEnd []float64
	for i := range findings {
		f := &findings[i]
		x0 := X(f.Start)
		x1 := maxf(X(f.End), x0+3)
		label := safetext.Terminal(f.Detector)
		need := x1 + 4 + bandLabelWidth(label)
		row := -1
		for r, end := range rowEnd {
			if x0 > end+4 {
				row = r
				break
			}
		}
		if row < 0 {
			if len(rowEnd) < maxFRows {
				rowEnd = append(rowEnd, 0)
				row = len(rowEnd) - 1
			} else {
				row, label = len(rowEnd)-1, "" // crowded: the bar alone
			}
		}
		rowEnd[row] = math.Max(rowEnd[row], need)
		bars = append(bars, placed{f, row, x0, x1, label})
	}
	bandH := findRowH * float64(len(rowEnd))
	lanesTop := swimTop + bandH + 6
	if len(rowEnd) > 0 {
		lanesTop += 14
	}

	// Lanes, with a header row per host.
	ys := make([]float64, len(lanes))
	y := lanesTop
	host := "\x00"
	var hostRows []struct {
		y    float64
		host string
	}
	for r, s := range lanes {
		if h := tl.Sources[s].Host; h != host {
			host = h
			hostRows = append(hostRows, struct {
				y    float64
				host string
			}{y, h})
			y += laneGapHd
		}
		ys[r] = y
		y += laneH
	}
	lanesBottom := y
	d := &Diagram{Kind: "swimlane", W: diagramW, H: lanesBottom + 28,
		Label:   "Timeline: one lane per source with its event density; findings as spans above",
		Caption: "Each lane is one input file, grouped by host; the grey bars show how many events it has over time. Findings are the coloured spans on top and the marks on the lanes their evidence comes from. Drag across the lanes to filter by time; click without dragging to clear."}
	if strays > 0 {
		what := "1 event lies far outside the rest of the run (a clock or year gone wrong?) and is drawn at its edge"
		if strays > 1 {
			what = fmt.Sprintf("%d events lie far outside the rest of the run (a clock or year gone wrong?) and are drawn at its edges", strays)
		}
		d.Caption += " " + what + "; the header's span includes them."
	}
	d.Plot = sc.plot(lanesTop, lanesBottom)
	if gaps != nil {
		d.Plot.Segs = gaps
		d.gapAxis(gaps, lanesBottom+4, lanesTop)
		d.Caption += " Long stretches without events are compressed into the marked breaks."
	} else {
		d.axis(sc, lanesBottom+4, lanesTop, 10)
	}

	if len(rowEnd) > 0 {
		d.text(labelRight, swimTop+11, "findings", "label strong", "end")
	}
	for _, h := range hostRows {
		label := "host " + safetext.Terminal(h.host)
		if h.host == timeline.DefaultHost {
			label = hostLabel(h.host)
		}
		d.text(8, h.y+12, label, "host-label", "")
		d.line(8, h.y+15, plotX1, h.y+15, "host-rule", "")
	}

	// Density per lane, over every event.
	counts := make([][laneBins]int, len(lanes))
	binOf := func(t time.Time) int {
		b := int((X(t) - plotX0) / (plotX1 - plotX0) * laneBins)
		return max(0, min(laneBins-1, b))
	}
	for _, e := range tl.Records(0, -1) {
		r, ok := laneOf[e.Src]
		if !ok {
			continue
		}
		b0, b1 := binOf(e.Time()), binOf(e.LastTime())
		for b := b0; b <= b1; b++ {
			counts[r][b]++
		}
	}
	maxCount := 1
	for r := range counts {
		for _, c := range counts[r] {
			maxCount = max(maxCount, c)
		}
	}
	binW := (plotX1 - plotX0) / laneBins
	for r, s := range lanes {
		src := tl.Sources[s]
		ly := ys[r]
		si := strconv.Itoa(s)
		bg := d.rect(plotX0, ly+2, plotX1-plotX0, laneH-4, "lane-bg", "")
		bg.Src = si
		lbl := d.text(labelRight, ly+laneH/2-1, fit(sourceLabel(src), labelRight-12, fontSize), "label", "end")
		lbl.Src, lbl.Tip = si, safetext.Terminal(src.Path)
		kind := d.text(labelRight, ly+laneH/2+11, fmt.Sprintf("%s · %s events", src.Kind, thousands(int(src.Events))), "label dim", "end")
		kind.Src = si
		var p strings.Builder
		total := 0
		for b, c := range counts[r] {
			if c == 0 {
				continue
			}
			total += c
			h := (laneH - 8) * math.Log1p(float64(c)) / math.Log1p(float64(maxCount))
			h = math.Max(h, 1.5)
			fmt.Fprintf(&p, "M%s %sh%sv%sh-%sz", num(plotX0+float64(b)*binW), num(ly+laneH-4), num(binW), num(-h), num(binW))
		}
		if p.Len() > 0 {
			dens := d.path(p.String(), "density", fmt.Sprintf("%s: %s events", safetext.Terminal(src.Path), thousands(total)))
			dens.Src = si
		}
	}

	// Findings: spans in the band, faint columns across the lanes, and
	// marks where their evidence sits.
	for _, bp := range bars {
		f := bp.f
		sev := f.Severity.String()
		g := &Diagram{}
		if len(bars) <= maxColumns {
			g.rect(bp.x0, lanesTop, bp.x1-bp.x0, lanesBottom-lanesTop, "fcol sev-"+sev, "")
		}
		by := swimTop + findRowH*float64(bp.row)
		br := g.rect(bp.x0, by+2, bp.x1-bp.x0, findRowH-5, "fbar sev-"+sev, "")
		br.Href = "#f-" + f.ID
		if bp.label != "" {
			// placeBandLabels places it (and shortens or drops it).
			g.text(bp.x1+4, by+findRowH-6, bp.label, "flabel", "").Href = "#f-" + f.ID
		}
		marks := map[int]map[int]bool{}
		for _, ev := range f.Evidence {
			if ev.Event < 0 || ev.Event >= tl.Len() {
				continue
			}
			e := tl.Record(ev.Event)
			r, ok := laneOf[e.Src]
			if !ok {
				continue
			}
			if marks[r] == nil {
				marks[r] = map[int]bool{}
			}
			marks[r][int(X(e.Time()))] = true
		}
		for r := range lanes {
			xs := marks[r]
			if len(xs) == 0 {
				continue
			}
			var p strings.Builder
			keys := make([]int, 0, len(xs))
			for x := range xs {
				keys = append(keys, x)
			}
			slices.Sort(keys)
			for _, x := range keys {
				fmt.Fprintf(&p, "M%d %sv%s", x, num(ys[r]+2), num(laneH-4))
			}
			g.path(p.String(), "emark sev-"+sev, "").Src = strconv.Itoa(lanes[r])
		}
		// One tooltip for the span and its marks.
		tip := fmt.Sprintf("%s: %s (%s – %s)", strings.ToUpper(sev), safetext.Terminal(f.Title), clockOf(f.Start), clockOf(f.End))
		grp := Shape{Kind: ShapeGroup, Children: g.Shapes, Tip: tip}
		hook(&grp, f)
		d.add(grp)
	}

	// The brush's selection, drawn by the script; the script listens on the
	// whole picture so the marks below keep their tooltips.
	d.rect(plotX0, lanesTop, 0, lanesBottom-lanesTop, "brush-sel", "")
	d.Narrow = narrowOf(d)
	placeBandLabels(d)
	placeBandLabels(d.Narrow)
	return d
}

// hook tags a shape with the finding it stands for, for the filters.
func hook(s *Shape, f *detect.Finding) {
	s.Finding, s.Severity, s.Detector = f.ID, f.Severity.String(), f.Detector
	s.T0, s.T1 = micros(f.Start), micros(f.End)
	if s.T1 < s.T0 {
		s.T1 = s.T0
	}
}

// focus narrows the drawn range past stray events: a few events (at most
// 1%, and no more than 10) separated from all the others by a gap longer
// than the rest of the run — a source whose clock or inferred year is
// wrong — would otherwise squeeze the whole story into one pixel. It
// returns the range and how many events fall outside it.
func focus(tl *timeline.Timeline, first, last time.Time) (time.Time, time.Time, int) {
	n := tl.Len()
	at := tl.Time
	maxStray := 0
	if n >= 10 {
		maxStray = min(10, max(1, n/100))
	}
	lo, hi := 0, n // events[lo:hi] are kept
	for changed := true; changed && hi-lo > 2; {
		changed = false
		span := at(hi - 1).Sub(at(lo))
		for k := 1; k <= maxStray-(lo+n-hi) && lo+k < hi-1; k++ {
			if gap := at(lo + k).Sub(at(lo + k - 1)); gap > span-gap {
				lo, changed = lo+k, true
				break
			}
		}
		span = at(hi - 1).Sub(at(lo))
		for k := 1; k <= maxStray-(lo+n-hi) && hi-k-1 > lo; k++ {
			if gap := at(hi - k).Sub(at(hi - k - 1)); gap > span-gap {
				hi, changed = hi-k, true
				break
			}
		}
	}
	if lo == 0 && hi == n {
		return first, last, 0
	}
	first = at(lo)
	last = first
	for _, r := range tl.Records(lo, hi) {
		if l := r.LastTime(); l.After(last) {
			last = l
		}
	}
	return first, last, lo + n - hi
}

// placeBandLabels lays out the findings band's labels of d (the wide
// drawing or the narrow one) so that no two overlap, nor a label a bar:
// row by row, left to right, each label goes right of its bar when the room
// up to the next bar holds it, else left of it, else it is shortened to the
// larger room (the full name in its tooltip), else dropped — the bar keeps
// the finding's tooltip and link.
func placeBandLabels(d *Diagram) {
	if d == nil || d.Plot == nil {
		return
	}
	type item struct {
		x0, x1, y float64
		g         *Shape // the finding's group
		label     int    // index of the label in g.Children, -1 if none
	}
	var items []item
	for i := range d.Shapes {
		g := &d.Shapes[i]
		if g.Kind != ShapeGroup || g.Finding == "" {
			continue
		}
		it := item{g: g, label: -1}
		bar := false
		for k, c := range g.Children {
			switch {
			case c.Kind == ShapeRect && strings.HasPrefix(c.Class, "fbar"):
				it.x0, it.x1, it.y, bar = c.X, c.X+c.W, c.Y, true
			case c.Kind == ShapeText && c.Class == "flabel":
				it.label = k
			}
		}
		if bar {
			items = append(items, it)
		}
	}
	slices.SortStableFunc(items, func(a, b item) int {
		if a.y != b.y {
			return cmp.Compare(a.y, b.y)
		}
		return cmp.Compare(a.x0, b.x0)
	})
	const gap = 4.0
	width := bandLabelWidth
	for i := 0; i < len(items); {
		j := i
		for j < len(items) && items[j].y == items[i].y {
			j++
		}
		used := d.Plot.X0 // right end of what is already placed in this row
		for k := i; k < j; k++ {
			it := items[k]
			if it.label < 0 {
				used = math.Max(used, it.x1)
				continue
			}
			lbl := &it.g.Children[it.label]
			full := lbl.Text
			if lbl.Tip != "" {
				full = lbl.Tip
			}
			next := d.W - 2
			if k+1 < j {
				next = items[k+1].x0
			}
			rightRoom := next - gap - (it.x1 + gap)
			leftRoom := it.x0 - gap - (used + gap)
			text, right := full, true
			switch w := width(full); {
			case w <= rightRoom:
			case w <= leftRoom:
				right = false
			default:
				room := math.Max(rightRoom, leftRoom)
				right = rightRoom >= leftRoom
				n := int(room/bandLabelCell) - 1
				if n < 3 {
					text = ""
				} else {
					text = string([]rune(full)[:n]) + "…"
				}
			}
			if text == "" {
				it.g.Children = slices.Delete(it.g.Children, it.label, it.label+1)
				used = math.Max(used, it.x1)
				continue
			}
			if text != full {
				lbl.Tip = full
			}
			lbl.Text = text
			if right {
				lbl.X, lbl.Anchor = it.x1+gap, ""
				used = it.x1 + gap + width(text)
			} else {
				lbl.X, lbl.Anchor = it.x0-gap, "end"
				used = math.Max(used, it.x1)
			}
		}
		i = j
	}
}

// bandLabelCell is the width the findings band gives a label's character
// (10-unit text): generous, since labels must not touch.
const bandLabelCell = 10 * 0.68

// bandLabelWidth is a band label's width, as both the band's row packing
// and placeBandLabels count it (bandLabelCell a character).
func bandLabelWidth(s string) float64 {
	return float64(utf8.RuneCountInString(s)) * 10 * 0.68 // bandLabelCell, multiplied in this order as before
}
