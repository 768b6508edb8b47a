package html

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// Every shape a finding diagram places by time on its main axis carries
// that time (Shape.Z), and the time puts it where it was drawn: otherwise
// the brush would leave it behind when it zooms the diagram. Fixed shapes
// (row labels, backgrounds, the axis, notes at the plot's left edge, boxes
// over the whole plot) need none; the binding lane's inset below the main
// plot has its own axis and is left alone.
func TestDiagramShapesCarryTheirTime(t *testing.T) {
	r := allSamples(t)
	o := Options{}.withDefaults()
	ctx := &diagramCtx{tl: r.Timeline, o: &o}
	moveTo := regexp.MustCompile(`^M\s*(-?[\d.]+)`)
	checked := 0
	for i := range r.Findings {
		f := &r.Findings[i]
		d := diagramFor(ctx, f)
		if d == nil || d.Plot == nil {
			continue
		}
		p := d.Plot
		xOf := func(us int64) float64 {
			fr := float64(us) / float64(p.T1-p.T0)
			return p.X0 + (p.X1-p.X0)*math.Max(0, math.Min(1, fr))
		}
		for _, s := range d.Shapes {
			if s.Y > p.Y1 || s.Y < p.Y0-12 {
				continue // the axis's labels, an inset
			}
			switch {
			case strings.Contains(s.Class, "lane-bg"), strings.Contains(s.Class, "grid"), strings.Contains(s.Class, "axis"), strings.Contains(s.Class, "tick"):
				continue
			case s.Kind == ShapeText && (s.X <= p.X0+8.5 || s.Anchor == "end" && s.X <= labelRight+1):
				continue
			case s.Kind == ShapeRect && math.Abs(s.X-p.X0) < 0.01 && math.Abs(s.X+s.W-p.X1) < 0.01 && s.Z == "":
				continue
			}
			if s.Z == "" {
				t.Errorf("%s (%s): a %s of class %q at x=%.1f has no time", f.ID, d.Kind, s.Tag(), s.Class, s.X)
				continue
			}
			z := strings.Fields(s.Z)
			a, err := strconv.ParseInt(z[0], 10, 64)
			if err != nil {
				t.Fatalf("%s: Z %q", f.ID, s.Z)
			}
			checked++
			x := s.X
			if s.Kind == ShapePath {
				m := moveTo.FindStringSubmatch(s.D)
				if m == nil {
					t.Errorf("%s: path %q", f.ID, s.D)
					continue
				}
				x, _ = strconv.ParseFloat(m[1], 64)
			}
			if s.Kind != ShapeText && math.Abs(x-xOf(a)) > 0.6 {
				t.Errorf("%s (%s): a %s of class %q is at x=%.1f, its time says %.1f", f.ID, d.Kind, s.Tag(), s.Class, x, xOf(a))
			}
		}
	}
	if checked < 100 {
		t.Errorf("only %d timed shapes checked", checked)
	}
}
