package html

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/arpforensics/arpforensics/detect"
)

// drag presses at (a, y), moves and releases at (b, y), in CSS pixels.
func (s *session) drag(a, b, y float64) {
	s.t.Helper()
	if err := chromedp.Do(s.ctx,
		chromedp.MouseEvent(chromedp.MousePressed, a, y, chromedp.ButtonLeft),
		chromedp.MouseEvent(chromedp.MouseMoved, (a+b)/2, y, chromedp.ButtonLeft),
		chromedp.MouseEvent(chromedp.MouseMoved, b, y, chromedp.ButtonLeft),
		chromedp.MouseEvent(chromedp.MouseReleased, b, y, chromedp.ButtonLeft),
	); err != nil {
		s.t.Fatal(err)
	}
}

// brushRange reads the range the brush set, from the filter fields.
func (s *session) brushRange() (time.Time, time.Time) {
	s.t.Helper()
	const layout = "2006-01-02 15:04:05.000000"
	from, err1 := time.Parse(layout, s.evalString(`document.getElementById('f-from').value`))
	to, err2 := time.Parse(layout, s.evalString(`document.getElementById('f-to').value`))
	if err1 != nil || err2 != nil {
		s.t.Fatalf("brushed range unreadable: %v %v", err1, err2)
	}
	return from, to
}

// The brush zooms the finding diagrams too. On all samples together (a
// 16-month run), a 2-second GARP burst is brushed in two drags (the
// overview, then the zoom panel from its first evidence mark to its
// last); the stale-MAC binding lane around it, drawn over 7½ minutes, is
// then drawn over those 2 seconds: its announcement glyphs, a few pixels
// apart before, now span its width, each where its time puts it (times
// from the analysis, not from the page). Clearing the brush restores the
// diagram exactly, and nothing overflows the page at 360 or 1400 px.
func TestBrowserBrushZoomsDiagrams(t *testing.T) {
	requireBrowser(t)
	r := allSamples(t)
	var g *detect.Finding
	for i := range r.Findings {
		if r.Findings[i].Detector == "garp-locktime" {
			g = &r.Findings[i]
			break
		}
	}
	if g == nil {
		t.Fatal("no garp-locktime finding in the samples")
	}
	var cited []time.Time
	for _, e := range g.Evidence {
		if e.Event >= 0 {
			cited = append(cited, r.Timeline.Event(e.Event).Time)
		}
	}
	doc := render(t, r, Options{})
	for _, w := range []int{1400, 360} {
		t.Run(fmt.Sprint(w), func(t *testing.T) {
			s := newSession(t)
			s.setWidth(w)
			u := s.open(doc, "zoom.html")
			s.do(visibleJS)
			// The stale-MAC binding lane whose axis holds the burst (the copy
			// shown at this width).
			s.do(fmt.Sprintf(`window.__lane = [...document.querySelectorAll('article.finding[data-detector=stale-mac] svg.d-binding-lane')].find(svg => visible(svg) && +svg.dataset.t0 <= %d && +svg.dataset.t1 >= %d) || null`,
				g.Start.UnixMicro(), g.End.UnixMicro()))
			if !s.evalBool(`window.__lane !== null`) {
				t.Fatal("no visible stale-mac binding lane around the garp-locktime finding")
			}
			original := s.evalString(`window.__lane.outerHTML`)
			s.do(`window.__lane.scrollIntoView({block: 'center'})`)
			s.elementShot(fmt.Sprintf("zoom-diagram-%d-before", w), `article.finding[data-detector=stale-mac] figure.diagram`)
			// The glyphs' x as a fraction of the plot, at this moment.
			glyphs := func() []float64 {
				var xs []float64
				s.eval(`(() => { const svg = window.__lane, r = svg.getBoundingClientRect(), k = r.width / svg.viewBox.baseVal.width;
				  const x0 = r.left + (+svg.dataset.x0) * k, pw = (svg.dataset.x1 - svg.dataset.x0) * k;
				  return [...svg.querySelectorAll('path.garp')].filter(p => p.getBoundingClientRect().width > 0).map(p => { const b = p.getBoundingClientRect(); return ((b.left + b.right) / 2 - x0) / pw; }); })()`, &xs)
				return xs
			}
			spread := func(xs []float64) float64 {
				if len(xs) == 0 {
					return 0
				}
				lo, hi := xs[0], xs[0]
				for _, x := range xs {
					lo, hi = math.Min(lo, x), math.Max(hi, x)
				}
				return hi - lo
			}
			before := spread(glyphs())
			// A glyph keeps its shape on the narrow drawing too.
			var gw float64
			s.eval(`Math.min(...[...window.__lane.querySelectorAll('path.garp')].map(p => p.getBoundingClientRect().width).filter(w => w > 0))`, &gw)
			if gw < 6 {
				t.Errorf("announcement glyphs %.1f px wide at %d px: want them readable", gw, w)
			}

			// Drag on the overview around the finding's span.
			var pt struct{ A, B, Y float64 }
			s.eval(fmt.Sprintf(`(() => { const svg = [...document.querySelectorAll('svg.d-swimlane')].find(visible); let r = svg.getBoundingClientRect(); const k = r.width / svg.viewBox.baseVal.width;
			  window.scrollBy(0, r.top + (+svg.dataset.y0 + 10) * k - innerHeight * 0.7); r = svg.getBoundingClientRect();
			  const bar = svg.querySelector('[data-finding=%q] rect.fbar').getBoundingClientRect();
			  return {A: bar.left - 3, B: bar.right + 3, Y: r.top + (+svg.dataset.y0 + 10) * k}; })()`, g.ID), &pt)
			s.drag(pt.A, pt.B, pt.Y)
			if !s.evalBool(`visible(document.getElementById('zoom'))`) {
				t.Fatalf("no zoom panel after brushing the overview (drag %+v, range %q)", pt, s.evalString(`document.getElementById('f-from').value`))
			}
			// Then on the zoom panel, from the burst's first evidence mark to
			// its last.
			s.eval(fmt.Sprintf(`(() => { const svg = document.querySelector('svg.d-zoom'); let r = svg.getBoundingClientRect(); const k = r.width / svg.viewBox.baseVal.width;
			  window.scrollBy(0, r.top + 8 * k - innerHeight * 0.7); r = svg.getBoundingClientRect();
			  const xs = [...svg.querySelector('[data-finding=%q] path.emark').getAttribute('d').matchAll(/M([-\d.]+)/g)].map(m => +m[1]);
			  return {A: r.left + Math.min(...xs) * k - 1, B: r.left + Math.max(...xs) * k + 1, Y: r.top + 8 * k}; })()`, g.ID), &pt)
			s.drag(pt.A, pt.B, pt.Y)
			from, to := s.brushRange()
			if !from.Before(g.Start.Add(time.Millisecond)) || !to.After(g.End.Add(-time.Millisecond)) || to.Sub(from) > 10*g.End.Sub(g.Start)+time.Second {
				t.Fatalf("brushed %s – %s, want about the burst %s – %s", from, to, g.Start, g.End)
			}
			if !s.evalBool(`window.__lane.classList.contains('zoomed')`) {
				t.Fatal("the binding lane was not zoomed")
			}
			s.do(`window.__lane.scrollIntoView({block: 'center'})`)
			after := glyphs()
			if spread(after) < 0.6 || spread(after) < 5*before {
				t.Errorf("the announcement glyphs span %.3f of the plot after zooming (%.3f before): want most of it", spread(after), before)
			}
			// Each cited announcement is drawn where its time puts it.
			for _, c := range cited {
				if c.Before(from) || c.After(to) {
					continue
				}
				want := float64(c.Sub(from)) / float64(to.Sub(from))
				best := math.Inf(1)
				for _, x := range after {
					best = math.Min(best, math.Abs(x-want))
				}
				if best > 0.015 {
					t.Errorf("announcement at %s: nearest glyph is %.3f of the plot away from %.3f", c.Format("15:04:05.000000"), best, want)
				}
			}
			// The axis is the range's, and no label the zoom moved leaves the picture.
			var ticks []string
			s.eval(`[...window.__lane.querySelectorAll('text.tick')].filter(t => t.getBoundingClientRect().width > 0 && t.getAttribute('display') !== 'none' && t.closest('.zoom-axis')).map(t => t.textContent)`, &ticks)
			if len(ticks) < 2 {
				t.Errorf("zoomed axis labels %v: want at least 2", ticks)
			}
			var out []string
			s.eval(`(() => { const svg = window.__lane, r = svg.getBoundingClientRect(); return [...svg.querySelectorAll('text[data-z], .zoom-axis text')].filter(t => { const b = t.getBoundingClientRect(); return b.width > 0 && (b.left < r.left - 0.5 || b.right > r.right + 0.5); }).map(t => t.textContent); })()`, &out)
			if len(out) > 0 {
				t.Errorf("labels outside the zoomed diagram: %q", out)
			}
			if sw, cw := s.evalInt(`document.documentElement.scrollWidth`), s.evalInt(`document.documentElement.clientWidth`); sw > cw {
				var els []string
				s.eval(overflowJS, &els)
				t.Errorf("at %d px with the diagrams zoomed the page is %d px wide (viewport %d): %v", w, sw, cw, els)
			}
			s.elementShot(fmt.Sprintf("zoom-diagram-%d-after", w), `article.finding[data-detector=stale-mac] figure.diagram`)
			s.do(`document.getElementById('timeline').scrollIntoView()`)
			s.viewShot(fmt.Sprintf("zoom-timeline-%d", w))

			// A click on the zoom panel clears the brush: the drawing is back
			// as it came, byte for byte.
			s.eval(`(() => { const svg = document.querySelector('svg.d-zoom'); svg.scrollIntoView({block: 'center'}); const r = svg.getBoundingClientRect(); return {A: r.left + r.width / 2, B: 0, Y: r.top + r.height / 2}; })()`, &pt)
			s.drag(pt.A, pt.A, pt.Y)
			if got := s.evalString(`window.__lane.outerHTML`); got != original {
				t.Errorf("after clearing the brush the diagram differs from the original (%d bytes, want %d)", len(got), len(original))
			}
			if n := s.evalInt(`document.querySelectorAll('.zoom-note, svg .zoom-axis').length`); n != 0 {
				t.Errorf("%d zoom notes or axes left after clearing", n)
			}
			s.checkClean(u)
		})
	}
}

// The labels of the swimlane's findings band never overlap, on the wide
// drawing or the narrow one: measured as the browser draws them, on all
// samples together, at a phone's width, a small tablet's and a desktop's.
func TestBrowserSwimlaneLabelsApart(t *testing.T) {
	requireBrowser(t)
	doc := render(t, allSamples(t), Options{})
	for _, w := range []int{360, 420, 1400} {
		t.Run(fmt.Sprint(w), func(t *testing.T) {
			s := newSession(t)
			s.setWidth(w)
			u := s.open(doc, "labels.html")
			s.do(visibleJS)
			var res struct {
				Labels, Bars int
				Overlaps     []string
				Outside      []string
			}
			s.eval(`(() => {
			  const svg = [...document.querySelectorAll('svg.d-swimlane')].find(visible), sr = svg.getBoundingClientRect();
			  const boxes = [...svg.querySelectorAll('text.flabel')].map(t => ({t: t.textContent.replace(t.querySelector('title') ? t.querySelector('title').textContent : '', ''), r: t.getBoundingClientRect()})).filter(b => b.r.width > 0);
			  const bars = [...svg.querySelectorAll('rect.fbar')].map(r => r.getBoundingClientRect());
			  const hit = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
			  const overlaps = [], outside = [];
			  boxes.forEach((a, i) => {
			    boxes.slice(i + 1).forEach(b => { if (hit(a.r, b.r)) overlaps.push(a.t + ' × ' + b.t); });
			    bars.forEach(b => { if (hit(a.r, b)) overlaps.push(a.t + ' × a bar'); });
			    if (a.r.left < sr.left - 0.5 || a.r.right > sr.right + 0.5) outside.push(a.t);
			  });
			  return {Labels: boxes.length, Bars: bars.length, Overlaps: overlaps, Outside: outside};
			})()`, &res)
			t.Logf("at %d px: %d labels for %d finding spans", w, res.Labels, res.Bars)
			if len(res.Overlaps) > 0 {
				t.Errorf("at %d px, overlapping labels in the findings band: %q", w, res.Overlaps)
			}
			if len(res.Outside) > 0 {
				t.Errorf("at %d px, labels past the swimlane's edge: %q", w, res.Outside)
			}
			if res.Labels < min(res.Bars, 3) {
				t.Errorf("at %d px only %d of %d finding spans keep a label", w, res.Labels, res.Bars)
			}
			s.do(`[...document.querySelectorAll('svg.d-swimlane')].find(visible).scrollIntoView()`)
			s.elementShot(fmt.Sprintf("swimlane-labels-%d", w), "#timeline")
			s.checkClean(u)
		})
	}
}
