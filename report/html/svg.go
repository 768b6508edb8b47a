package html

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Diagram is an SVG picture held as data: shapes with CSS classes (the page's
// stylesheet colours them for light, dark and print). One template renders
// every diagram, so each label passes through html/template's escaping and no
// diagram code ever writes markup.
type Diagram struct {
	Kind    string  // what it draws, for CSS and tests: "swimlane", "binding-lane", …
	W, H    float64 // viewBox size; the picture scales to the page width
	Label   string  // accessible name
	Caption string  // one sentence under the picture saying how to read it
	Shapes  []Shape
	// Plot is the time axis's placement, for the page script's brush and
	// filters (zero for diagrams without a time axis).
	Plot *Plot
	// Narrow is the same picture laid out for narrow screens (narrowOf);
	// nil when there is none.
	Narrow *Diagram
}

// Plot ties the x axis to time: X0..X1 in viewBox units is T0..T1.
type Plot struct {
	X0, X1, Y0, Y1 float64
	T0, T1         int64 // µs since the Unix epoch
	// Segs, when set, makes the axis piecewise (gaps between the pieces
	// are compressed; see gaps.go); the page script reads them as
	// data-segs (gapScale.Attr).
	Segs gapScale
}

// ShapeKind selects the SVG element a Shape becomes.
type ShapeKind uint8

const (
	ShapeRect ShapeKind = iota + 1
	ShapeLine
	ShapeText
	ShapePath
	ShapeCircle
	ShapeGroup // a <g> holding Children, hooks set once for all of them
)

// Shape is one SVG element. Fields a kind does not use stay zero.
type Shape struct {
	Kind       ShapeKind
	X, Y, W, H float64 // rect; text anchor point; circle centre (X, Y) and radius W
	X2, Y2     float64 // line end
	D          string  // path data
	Text       string  // text content (artifact text allowed: it is escaped)
	Class      string
	Anchor     string // text-anchor: "", "middle", "end"
	Tip        string // tooltip (<title>)
	Href       string // in-page link target ("#id"); nothing else is ever written
	// Filter hooks read by the page script: the source index, the finding
	// and the time span the shape stands for. Empty when not filterable.
	Src      string
	Finding  string
	Severity string
	Detector string
	T0, T1   int64   // µs; zero when the shape is not a time span
	Children []Shape // ShapeGroup only
	// Z is the time the shape stands for on its diagram's main axis, for
	// the brush to place it again when it zooms the diagram: "a" (an
	// instant) or "a b" (a span), µs after Plot.T0. Empty: the shape does
	// not move with time (labels, lane backgrounds, an inset's own axis).
	Z string
}

// at ties s to the time span a..b (an instant when equal) of d's axis.
func (d *Diagram) at(s *Shape, a, b time.Time) *Shape {
	if d.Plot == nil || s == nil {
		return s
	}
	za := a.UnixMicro() - d.Plot.T0
	if b.Equal(a) {
		s.Z = strconv.FormatInt(za, 10)
	} else {
		s.Z = strconv.FormatInt(za, 10) + " " + strconv.FormatInt(b.UnixMicro()-d.Plot.T0, 10)
	}
	return s
}

var shapeTags = [...]string{ShapeRect: "rect", ShapeLine: "line", ShapeText: "text", ShapePath: "path", ShapeCircle: "circle", ShapeGroup: "g"}

// Tag is the SVG element name.
func (s Shape) Tag() string {
	if int(s.Kind) < len(shapeTags) {
		return shapeTags[s.Kind]
	}
	return ""
}

func (d *Diagram) add(s Shape) { d.Shapes = append(d.Shapes, s) }

func (d *Diagram) rect(x, y, w, h float64, class, tip string) *Shape {
	d.add(Shape{Kind: ShapeRect, X: x, Y: y, W: math.Max(w, 0), H: math.Max(h, 0), Class: class, Tip: tip})
	return &d.Shapes[len(d.Shapes)-1]
}

func (d *Diagram) line(x1, y1, x2, y2 float64, class, tip string) *Shape {
	d.add(Shape{Kind: ShapeLine, X: x1, Y: y1, X2: x2, Y2: y2, Class: class, Tip: tip})
	return &d.Shapes[len(d.Shapes)-1]
}

func (d *Diagram) text(x, y float64, s, class, anchor string) *Shape {
	d.add(Shape{Kind: ShapeText, X: x, Y: y, Text: s, Class: class, Anchor: anchor})
	return &d.Shapes[len(d.Shapes)-1]
}

func (d *Diagram) path(p, class, tip string) *Shape {
	d.add(Shape{Kind: ShapePath, D: p, Class: class, Tip: tip})
	return &d.Shapes[len(d.Shapes)-1]
}

// num formats a coordinate with at most one decimal: diagrams are drawn in
// a ~1200-unit viewBox, where a tenth is below a pixel, and short numbers
// keep large diagrams small.
func num(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "0"
	}
	return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64)
}

// Scale maps time to x.
type Scale struct {
	T0, T1 time.Time
	X0, X1 float64
}

// NewScale spans t0..t1 over x0..x1; an empty span is widened to one second
// so a single instant still lands mid-plot.
func NewScale(t0, t1 time.Time, x0, x1 float64) Scale {
	if !t1.After(t0) {
		t0, t1 = t0.Add(-500*time.Millisecond), t0.Add(500*time.Millisecond)
	}
	return Scale{T0: t0, T1: t1, X0: x0, X1: x1}
}

// X is t's position, clamped to the plot.
func (s Scale) X(t time.Time) float64 {
	f := float64(t.Sub(s.T0)) / float64(s.T1.Sub(s.T0))
	return s.X0 + (s.X1-s.X0)*math.Max(0, math.Min(1, f))
}

// Width is the length of d on the axis.
func (s Scale) Width(d time.Duration) float64 {
	return (s.X1 - s.X0) * float64(d) / float64(s.T1.Sub(s.T0))
}

// Contains reports t within the scale's span.
func (s Scale) Contains(t time.Time) bool { return !t.Before(s.T0) && !t.After(s.T1) }

func (s Scale) plot(y0, y1 float64) *Plot {
	return &Plot{X0: s.X0, X1: s.X1, Y0: y0, Y1: y1, T0: micros(s.T0), T1: micros(s.T1)}
}

// micros is t in µs since the Unix epoch: exact in a JavaScript number.
func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// tickSteps are the axis intervals a time axis chooses from.
var tickSteps = []time.Duration{
	time.Microsecond, 2 * time.Microsecond, 5 * time.Microsecond,
	10 * time.Microsecond, 20 * time.Microsecond, 50 * time.Microsecond,
	100 * time.Microsecond, 200 * time.Microsecond, 500 * time.Microsecond,
	time.Millisecond, 2 * time.Millisecond, 5 * time.Millisecond,
	10 * time.Millisecond, 20 * time.Millisecond, 50 * time.Millisecond,
	100 * time.Millisecond, 200 * time.Millisecond, 500 * time.Millisecond,
	time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 30 * time.Second,
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour,
}

// Ticks picks round times for about want labels across the scale.
func (s Scale) Ticks(want int) (step time.Duration, ticks []time.Time) {
	span := s.T1.Sub(s.T0)
	step = tickSteps[len(tickSteps)-1]
	for _, st := range tickSteps {
		if span/st <= time.Duration(want) {
			step = st
			break
		}
	}
	for span/step > time.Duration(want)*2 { // spans beyond days
		step *= 2
	}
	first := s.T0.Truncate(step)
	if first.Before(s.T0) {
		first = first.Add(step)
	}
	for t := first; !t.After(s.T1); t = t.Add(step) {
		ticks = append(ticks, t)
	}
	return step, ticks
}

// tickLabel prints t as precisely as step needs.
func tickLabel(t time.Time, step time.Duration) string {
	t = t.UTC()
	switch {
	case step >= 24*time.Hour:
		return t.Format("2006-01-02")
	case step >= time.Minute:
		return t.Format("15:04")
	case step >= time.Second:
		return t.Format("15:04:05")
	case step >= time.Millisecond:
		return t.Format("15:04:05.000")
	default:
		return t.Format("15:04:05.000000")
	}
}

// tickLabels prints the ticks of one axis. When the axis spans several
// dates, the first tick and each tick on a new date carry the date too —
// with the year, so a run over months or years is never read as one day.
func tickLabels(ticks []time.Time, step time.Duration, s Scale) []string {
	out := make([]string, len(ticks))
	multiDay := s.T0.UTC().YearDay() != s.T1.UTC().YearDay() || s.T0.UTC().Year() != s.T1.UTC().Year()
	prev := ""
	for i, t := range ticks {
		out[i] = tickLabel(t, step)
		if !multiDay || step >= 24*time.Hour {
			continue
		}
		if date := t.UTC().Format("2006-01-02"); date != prev {
			out[i] = date + " " + out[i]
			prev = date
		}
	}
	return out
}

// axis draws a time axis at y with grid lines up to top.
func (d *Diagram) axis(s Scale, y, top float64, want int) { d.axisOf(s, y, top, want, false) }

// axisDated is axis with the date on its first tick whatever its span (a
// piece of a piecewise axis over several days).
func (d *Diagram) axisDated(s Scale, y, top float64, want int) { d.axisOf(s, y, top, want, true) }

func (d *Diagram) axisOf(s Scale, y, top float64, want int, dated bool) {
	step, ticks := s.Ticks(want)
	labels := tickLabels(ticks, step, s)
	if dated && len(ticks) > 0 && step < 24*time.Hour && !strings.Contains(labels[0], "-") {
		labels[0] = ticks[0].UTC().Format("2006-01-02") + " " + labels[0]
	}
	d.line(s.X0, y, s.X1, y, "axis", "")
	lastEnd := math.Inf(-1)
	for i, t := range ticks {
		x := s.X(t)
		d.line(x, top, x, y, "grid", "")
		d.line(x, y, x, y+4, "axis", "")
		// A dated label is wider: skip the next labels it would run into;
		// keep every label inside the picture (the last one is anchored at
		// its end when it would cross the right edge).
		w := textWidth(labels[i], 10)
		anchor, x0 := "middle", x-w/2
		if x+w/2 > d.W-2 {
			anchor, x0 = "end", x-w
		}
		if x0 < 2 {
			anchor, x0 = "", x
		}
		if x0 < lastEnd+6 {
			continue
		}
		lastEnd = x0 + w
		d.text(x, y+15, labels[i], "tick", anchor)
	}
}

// textWidth estimates the width of s in the diagrams' 11-unit font, enough
// to decide whether a label fits.
func textWidth(s string, size float64) float64 {
	n := 0
	for range s {
		n++
	}
	return float64(n) * size * 0.6
}

// fit shortens s to at most width units, ending it with "…".
func fit(s string, width, size float64) string {
	if textWidth(s, size) <= width {
		return s
	}
	max := int(width/(size*0.6)) - 1
	if max <= 0 {
		return ""
	}
	r := []rune(s)
	if len(r) > max {
		r = r[:max]
	}
	return string(r) + "…"
}

// duration prints d the way the page labels spans: "1.5 s", "250 ms",
// "5m2s".
func duration(d time.Duration) string {
	switch {
	case d < 0:
		return "-" + duration(-d)
	case d < time.Millisecond:
		return strconv.FormatInt(d.Microseconds(), 10) + " µs"
	case d < time.Second:
		return strconv.FormatFloat(math.Round(float64(d)/float64(time.Millisecond)*10)/10, 'f', -1, 64) + " ms"
	case d < time.Minute:
		return strconv.FormatFloat(math.Round(d.Seconds()*1000)/1000, 'f', -1, 64) + " s"
	case d < 24*time.Hour:
		return d.Round(time.Second).String()
	default:
		// "490d2h43m", not "11762h42m45s": days are what a reader counts.
		d = d.Round(time.Minute)
		days, rest := d/(24*time.Hour), d%(24*time.Hour)
		return fmt.Sprintf("%dd%dh%dm", days, rest/time.Hour, rest%time.Hour/time.Minute)
	}
}

// precise prints a spacing to the millisecond ("1.000 s", "999.5 ms"): next
// to a one-second locktime, "1 s" would hide the difference that matters.
func precise(d time.Duration) string {
	if d >= time.Second && d < time.Minute {
		return strconv.FormatFloat(d.Seconds(), 'f', 3, 64) + " s"
	}
	return duration(d)
}
