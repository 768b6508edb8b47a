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
	"github.com/arpforensics/arpforensics/internal/safetext"
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
	lanes := analysedLanes(tl)
	if len(lanes) == 0 || first.IsZero() {
		return nil
	}
	first, last, strays := swimRange(tl, findings, first, last)
	t0, t1 := padded(first, last, 100*time.Millisecond)
	sc := NewScale(t0, t1, plotX0, plotX1)
	s := &swim{tl: tl, lanes: lanes, laneOf: make(map[int32]int, len(lanes)), X: sc.X}
	for r, src := range lanes {
		s.laneOf[int32(src)] = r
	}
	gaps := compressGaps(tl, findings, sc.T0, sc.T1)
	if gaps != nil {
		s.X = gaps.X
	}

	bars, bandRows := packBand(findings, s.X)
	s.top = swimTop + findRowH*float64(bandRows) + 6
	if bandRows > 0 {
		s.top += 14
	}
	hostRows := s.layLanes()
	d := &Diagram{Kind: "swimlane", W: diagramW, H: s.bottom + 28,
		Label:   "Timeline: one lane per source with its event density; findings as spans above",
		Caption: "Each lane is one input file, grouped by host; the grey bars show how many events it has over time. Findings are the coloured spans on top and the marks on the lanes their evidence comes from. Drag across the lanes to filter by time; click without dragging to clear."}
	if strays > 0 {
		what := "1 event lies far outside the rest of the run (a clock or year gone wrong?) and is drawn at its edge"
		if strays > 1 {
			what = fmt.Sprintf("%d events lie far outside the rest of the run (a clock or year gone wrong?) and are drawn at its edges", strays)
		}
		d.Caption += " " + what + "; the header's span includes them."
	}
	d.Plot = sc.plot(s.top, s.bottom)
	if gaps != nil {
		d.Plot.Segs = gaps
		d.gapAxis(gaps, s.bottom+4, s.top)
		d.Caption += " Long stretches without events are compressed into the marked breaks."
	} else {
		d.axis(sc, s.bottom+4, s.top, 10)
	}

	if bandRows > 0 {
		d.text(labelRight, swimTop+11, "findings", "label strong", "end")
	}
	hostHeaders(d, hostRows)
	s.density(d)
	for _, bp := range bars {
		s.finding(d, bp, len(bars) <= maxColumns)
	}

	// The brush's selection, drawn by the script; the script listens on the
	// whole picture so the marks below keep their tooltips.
	d.rect(plotX0, s.top, 0, s.bottom-s.top, "brush-sel", "")
	d.Narrow = narrowOf(d)
	placeBandLabels(d)
	placeBandLabels(d.Narrow)
	return d
}

// swim is the timeline being drawn: its lanes and where they are.
type swim struct {
	tl          *timeline.Timeline
	lanes       []int         // each lane's source, top to bottom
	laneOf      map[int32]int // source → lane
	ys          []float64     // each lane's top
	X           func(time.Time) float64
	top, bottom float64 // the lanes' extent
}

// analysedLanes are the sources that get a lane, grouped by host.
func analysedLanes(tl *timeline.Timeline) []int {
	var lanes []int
	for i, s := range tl.Sources {
		if s.Analysed() {
			lanes = append(lanes, i)
		}
	}
	slices.SortStableFunc(lanes, func(a, b int) int {
		return strings.Compare(tl.Sources[a].Host, tl.Sources[b].Host)
	})
	return lanes
}

// swimRange is the range drawn: the run's, past stray events (focus), and
// widened to every finding's span; and how many strays it leaves out.
func swimRange(tl *timeline.Timeline, findings []detect.Finding, first, last time.Time) (time.Time, time.Time, int) {
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
	return first, last, strays
}

// bandBar is a finding's span in the findings band.
type bandBar struct {
	f      *detect.Finding
	row    int
	x0, x1 float64
	label  string
}

// packBand places the findings' spans in the band above the lanes: greedy
// packing into rows (at most maxFRows) so spans and their labels do not
// overlap. It returns the bars and how many rows they take.
func packBand(findings []detect.Finding, X func(time.Time) float64) ([]bandBar, int) {
	var bars []bandBar
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
		bars = append(bars, bandBar{f, row, x0, x1, label})
	}
	return bars, len(rowEnd)
}

// hostRow is a host's header above its lanes.
type hostRow struct {
	y    float64
	host string
}

// layLanes places the lanes from s.top down, with a header row before each
// host's, setting s.ys and s.bottom; it returns the headers.
func (s *swim) layLanes() []hostRow {
	s.ys = make([]float64, len(s.lanes))
	y := s.top
	host := "\x00"
	var rows []hostRow
	for r, src := range s.lanes {
		if h := s.tl.Sources[src].Host; h != host {
			host = h
			rows = append(rows, hostRow{y, h})
			y += laneGapHd
		}
		s.ys[r] = y
		y += laneH
	}
	s.bottom = y
	return rows
}

// hostHeaders draws each host's name and rule above its lanes.
func hostHeaders(d *Diagram, rows []hostRow) {
	for _, h := range rows {
		label := "host " + safetext.Terminal(h.host)
		if h.host == timeline.DefaultHost {
			label = hostLabel(h.host)
		}
		d.text(8, h.y+12, label, "host-label", "")
		d.line(8, h.y+15, plotX1, h.y+15, "host-rule", "")
	}
}

// density draws each lane: its background, its source's name and counts,
// and its events binned over time (log-scaled against the busiest bin of
// any lane), over every event.
func (s *swim) density(d *Diagram) {
	tl, X := s.tl, s.X
	counts := make([][laneBins]int, len(s.lanes))
	binOf := func(t time.Time) int {
		b := int((X(t) - plotX0) / (plotX1 - plotX0) * laneBins)
		return max(0, min(laneBins-1, b))
	}
	for _, e := range tl.Records(0, -1) {
		r, ok := s.laneOf[e.Src]
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
	for r, si := range s.lanes {
		src := tl.Sources[si]
		ly := s.ys[r]
		ss := strconv.Itoa(si)
		bg := d.rect(plotX0, ly+2, plotX1-plotX0, laneH-4, "lane-bg", "")
		bg.Src = ss
		lbl := d.text(labelRight, ly+laneH/2-1, fit(sourceLabel(src), labelRight-12, fontSize), "label", "end")
		lbl.Src, lbl.Tip = ss, safetext.Terminal(src.Path)
		kind := d.text(labelRight, ly+laneH/2+11, fmt.Sprintf("%s · %s events", src.Kind, thousands(int(src.Events))), "label dim", "end")
		kind.Src = ss
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
			dens.Src = ss
		}
	}
}

// finding draws one finding as a group with one tooltip: its span in the
// band, a faint column across the lanes (when column is set), and marks
// where its evidence sits.
func (s *swim) finding(d *Diagram, bp bandBar, column bool) {
	f := bp.f
	sev := f.Severity.String()
	g := &Diagram{}
	if column {
		g.rect(bp.x0, s.top, bp.x1-bp.x0, s.bottom-s.top, "fcol sev-"+sev, "")
	}
	by := swimTop + findRowH*float64(bp.row)
	br := g.rect(bp.x0, by+2, bp.x1-bp.x0, findRowH-5, "fbar sev-"+sev, "")
	br.Href = "#f-" + f.ID
	if bp.label != "" {
		// placeBandLabels places it (and shortens or drops it).
		g.text(bp.x1+4, by+findRowH-6, bp.label, "flabel", "").Href = "#f-" + f.ID
	}
	s.evidenceMarks(g, f, "emark sev-"+sev)
	tip := fmt.Sprintf("%s: %s (%s – %s)", strings.ToUpper(sev), safetext.Terminal(f.Title), clockOf(f.Start), clockOf(f.End))
	grp := Shape{Kind: ShapeGroup, Children: g.Shapes, Tip: tip}
	hook(&grp, f)
	d.add(grp)
}

// evidenceMarks draws, on each lane, one path of ticks where f's evidence
// sits (one tick a pixel column).
func (s *swim) evidenceMarks(g *Diagram, f *detect.Finding, class string) {
	tl := s.tl
	marks := map[int]map[int]bool{}
	for _, ev := range f.Evidence {
		if ev.Event < 0 || ev.Event >= tl.Len() {
			continue
		}
		e := tl.Record(ev.Event)
		r, ok := s.laneOf[e.Src]
		if !ok {
			continue
		}
		if marks[r] == nil {
			marks[r] = map[int]bool{}
		}
		marks[r][int(s.X(e.Time()))] = true
	}
	for r := range s.lanes {
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
			fmt.Fprintf(&p, "M%d %sv%s", x, num(s.ys[r]+2), num(laneH-4))
		}
		g.path(p.String(), class, "").Src = strconv.Itoa(s.lanes[r])
	}
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
