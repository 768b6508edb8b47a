package html

import (
	"math"
	"strconv"
	"strings"
)

// A finding diagram drawn 1200 units wide shrinks on a phone until its
// 11-unit labels are 4 px high. So each gets a second drawing for narrow
// screens (the page's CSS shows one or the other): the same shapes laid out
// again over narrowW units — the label column and the plot re-proportioned,
// text kept at its size and shortened to the room it now has (the full text
// stays in its tooltip), axis labels thinned to those that fit side by side.

const (
	narrowW      = 360.0
	narrowLabelR = 104.0
	narrowPlotX0 = 110.0
	narrowPlotX1 = 350.0
)

// narrowX maps an x of the wide layout onto the narrow one, piecewise: the
// label column, the plot and the right margin each keep their place.
func narrowX(x float64) float64 {
	switch {
	case x <= plotX0:
		return x * narrowPlotX0 / plotX0
	case x <= plotX1:
		return narrowPlotX0 + (x-plotX0)*(narrowPlotX1-narrowPlotX0)/(plotX1-plotX0)
	default:
		return narrowPlotX1 + (x-plotX1)*(narrowW-narrowPlotX1)/(diagramW-plotX1)
	}
}

// narrowOf is d laid out for a narrow screen, or nil for diagrams whose
// layout is not label column + time plot (the transaction ladder).
func narrowOf(d *Diagram) *Diagram {
	if d == nil || d.W != diagramW || d.Kind == "txn-ladder" {
		return nil
	}
	n := &Diagram{Kind: d.Kind, W: narrowW, H: d.H, Label: d.Label, Caption: d.Caption}
	if d.Plot != nil {
		p := *d.Plot
		p.X0, p.X1 = narrowX(p.X0), narrowX(p.X1)
		if p.Segs != nil {
			segs := make(gapScale, len(p.Segs))
			for i, sg := range p.Segs {
				sg.X0, sg.X1 = narrowX(sg.X0), narrowX(sg.X1)
				segs[i] = sg
			}
			p.Segs = segs
		}
		n.Plot = &p
	}
	shapes, ok := narrowShapes(d.Shapes)
	if !ok {
		return nil
	}
	n.Shapes = shapes
	return n
}

func narrowShapes(in []Shape) ([]Shape, bool) {
	out := make([]Shape, 0, len(in))
	tickEnd := math.Inf(-1) // right end of the last axis label kept
	for _, s := range in {
		switch s.Kind {
		case ShapeRect:
			x0, x1 := narrowX(s.X), narrowX(s.X+s.W)
			s.X, s.W = x0, math.Max(x1-x0, math.Min(s.W, 1.5))
		case ShapeLine:
			s.X, s.X2 = narrowX(s.X), narrowX(s.X2)
		case ShapeCircle:
			s.X = narrowX(s.X)
		case ShapePath:
			// A path tied to an instant is a glyph (▼): it moves with its
			// time and keeps its shape, as the brush's zoom treats it.
			dd, ok := narrowPath(s.D, s.Z != "")
			if !ok {
				return nil, false
			}
			s.D = dd
		case ShapeGroup:
			kids, ok := narrowShapes(s.Children)
			if !ok {
				return nil, false
			}
			s.Children = kids
		case ShapeText:
			// A spacing label sits over the line it measures (the
			// announcement inset): it gets that line's room, not the
			// picture's, so neighbouring spacings do not run together.
			between := 0.0
			if n := len(out); n > 0 && strings.Contains(s.Class, "spacing") && out[n-1].Kind == ShapeLine && strings.Contains(out[n-1].Class, "spacing") {
				between = math.Abs(out[n-1].X2-out[n-1].X) - 4
			}
			if !narrowText(&s, &tickEnd, between) {
				continue
			}
		}
		out = append(out, s)
	}
	return out, true
}

// narrowText places a text shape and shortens it to the room it has;
// false drops it (an axis label that would overlap the previous one).
func narrowText(s *Shape, tickEnd *float64, between float64) bool {
	size := fontSize
	if strings.Contains(s.Class, "tick") || strings.Contains(s.Class, "flabel") || strings.Contains(s.Class, "note") {
		size = 10
	}
	if strings.Contains(s.Class, "strong") || strings.Contains(s.Class, "on-bar") {
		size = 12 // bold runs wider than the estimate for regular text
	}
	wide := s.X
	s.X = narrowX(s.X)
	var room float64
	switch {
	case wide <= labelRight+1 && s.Anchor == "end":
		s.X = narrowLabelR
		room = narrowLabelR - 4
	case s.Anchor == "end":
		room = s.X - 2
	case s.Anchor == "middle":
		room = 2 * math.Min(s.X-2, narrowW-2-s.X)
	default:
		room = narrowW - 2 - s.X
	}
	if between > 0 {
		room = math.Min(room, between)
	}
	if s.Class == "flabel" {
		return true // the swimlane lays its band's labels out itself (placeBandLabels)
	}
	if strings.Contains(s.Class, "tick") {
		w := textWidth(s.Text, size)
		left := s.X - w/2
		switch {
		case left+w > narrowW-2:
			s.Anchor, left = "end", s.X-w
		case left < 2:
			s.Anchor, left = "", s.X
		}
		if left < *tickEnd+6 {
			return false
		}
		*tickEnd = left + w
		return true
	}
	if short := fit(s.Text, room, size); short != s.Text {
		if s.Tip == "" {
			s.Tip = s.Text
		}
		s.Text = short
	}
	return s.Text != ""
}

// narrowPath maps the x coordinates of path data written by the diagrams
// (M, L, H, V, h, v, l, m, Z); any other command makes it give up. A glyph
// only moves: its relative steps keep their length.
func narrowPath(d string, glyph bool) (string, bool) {
	toks := strings.FieldsFunc(d, func(r rune) bool { return r == ' ' || r == ',' })
	// Split letters glued to numbers ("M12" → "M", "12").
	var ts []string
	for _, t := range toks {
		for len(t) > 0 {
			i := strings.IndexFunc(t[1:], func(r rune) bool { return strings.ContainsRune("MLHVZmlhvz", r) })
			if strings.ContainsRune("MLHVZmlhvz", rune(t[0])) {
				ts = append(ts, t[:1])
				t = t[1:]
				continue
			}
			if i < 0 {
				ts = append(ts, t)
				break
			}
			ts = append(ts, t[:i+1])
			t = t[i+1:]
		}
	}
	var b strings.Builder
	var cmd byte
	cx := 0.0
	argi := 0
	for _, t := range ts {
		if len(t) == 1 && strings.ContainsRune("MLHVZmlhvz", rune(t[0])) {
			cmd, argi = t[0], 0
			b.WriteString(t)
			continue
		}
		v, err := strconv.ParseFloat(t, 64)
		if err != nil {
			return "", false
		}
		out := v
		switch cmd {
		case 'M', 'L':
			if argi%2 == 0 {
				cx, out = v, narrowX(v)
			}
		case 'H':
			cx, out = v, narrowX(v)
		case 'm', 'l':
			if argi%2 == 0 && !glyph {
				out = narrowX(cx+v) - narrowX(cx)
				cx += v
			}
		case 'h':
			if !glyph {
				out = narrowX(cx+v) - narrowX(cx)
			}
			cx += v
		case 'V', 'v':
		default:
			return "", false
		}
		argi++
		if !strings.HasSuffix(b.String(), string(cmd)) {
			b.WriteByte(' ')
		}
		b.WriteString(num(out))
	}
	return b.String(), true
}
