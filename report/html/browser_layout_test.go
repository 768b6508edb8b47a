package html

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/arpforensics/arpforensics/analysis"
	"github.com/arpforensics/arpforensics/detect"
	"github.com/arpforensics/arpforensics/internal/synth"
)

// allSamples is every bundled sample analysed together: sources months
// apart, so the run spans days and the swimlane has far-apart sources.
func allSamples(t *testing.T) *analysis.Result {
	t.Helper()
	var paths []string
	for _, d := range []string{"fip-reuse", "fip-reuse-healthy", "arp-unanswered", "neigh-monitor", "txn-race"} {
		paths = append(paths, filepath.Join("..", "..", "samples", d))
	}
	res := analysis.Run(analysis.Options{Paths: paths, Config: detect.Defaults()})
	if !res.Readable() {
		t.Fatal("samples: nothing readable")
	}
	return res
}

// setWidth gives the tab a viewport width CSS pixels wide (a phone at 360).
func (s *session) setWidth(w int) {
	s.t.Helper()
	if _, err := chromedp.Call(s.ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
		Width: int64(w), Height: 900, DeviceScaleFactor: 1, Mobile: w <= 420,
	}); err != nil {
		s.t.Fatal(err)
	}
}

// overflowJS lists the elements that reach past the page's right edge.
const overflowJS = `(() => {
  const cw = document.documentElement.clientWidth, out = [];
  for (const el of document.querySelectorAll('body *')) {
    if (el.closest('[hidden]') || el.closest('.scroll-x')) continue;
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > cw + 0.5) out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && el.className.baseVal === undefined ? '.' + String(el.className).split(' ').join('.') : '') + ' right=' + Math.round(r.right));
    if (out.length > 12) break;
  }
  return out;
})()`

// No width from a phone to a wide monitor scrolls the page sideways: the
// document is never wider than the viewport, whatever the report holds.
func TestBrowserNoHorizontalOverflow(t *testing.T) {
	requireBrowser(t)
	for name, r := range map[string]*analysis.Result{"fip-reuse": synth.FIPReuseLocktime(), "all-samples": allSamples(t)} {
		doc := render(t, r, Options{Export: func(id string) string {
			return "arpforensics export " + id + " samples/fip-reuse samples/fip-reuse-healthy samples/arp-unanswered -o " + id + ".pcapng"
		}})
		for _, w := range []int{360, 420, 1400, 2560} {
			t.Run(fmt.Sprintf("%s/%d", name, w), func(t *testing.T) {
				s := newSession(t)
				s.setWidth(w)
				u := s.open(doc, name+".html")
				sw := s.evalInt(`document.documentElement.scrollWidth`)
				cw := s.evalInt(`document.documentElement.clientWidth`)
				if sw > cw {
					var els []string
					s.eval(overflowJS, &els)
					t.Errorf("at %d px the page is %d px wide (viewport %d): %v", w, sw, cw, els)
				}
				// Diagrams are redrawn, not shrunk: on a phone the narrow
				// drawing shows, and its labels stay readable.
				s.do(visibleJS)
				var diag struct {
					Wide, Narrow, Small int
					MinPx               float64
				}
				s.eval(`(() => {
				  const svgs = [...document.querySelectorAll('article.finding figure.diagram svg')].filter(visible);
				  let small = 0, min = 1e9;
				  for (const svg of svgs) for (const t of svg.querySelectorAll('text')) {
				    const h = t.getBoundingClientRect().height; if (h === 0) continue;
				    min = Math.min(min, h); if (h < 9) small++;
				  }
				  return {Wide: svgs.filter(s => !s.classList.contains('narrow')).length, Narrow: svgs.filter(s => s.classList.contains('narrow')).length, Small: small, MinPx: min};
				})()`, &diag)
				if w <= 420 && (diag.Wide > diag.Narrow/4 || diag.Small > 0) {
					t.Errorf("at %d px: %d wide and %d narrow diagrams shown, %d labels under 9 px (smallest %.1f px)", w, diag.Wide, diag.Narrow, diag.Small, diag.MinPx)
				}
				if w >= 1400 && diag.Narrow > 0 {
					t.Errorf("at %d px %d narrow diagrams shown", w, diag.Narrow)
				}
				if w == 360 {
					// The narrow swimlane is the one shown, and it brushes.
					var box struct{ X, W, Y float64 }
					s.eval(`(() => { const svg = [...document.querySelectorAll('svg.d-swimlane')].find(visible); svg.scrollIntoView({block: 'center'}); const r = svg.getBoundingClientRect(); const k = r.width / svg.viewBox.baseVal.width; return {X: r.left + (+svg.dataset.x0) * k, W: (svg.dataset.x1 - svg.dataset.x0) * k, Y: r.top + ((+svg.dataset.y0 + +svg.dataset.y1) / 2) * k}; })()`, &box)
					if !s.evalBool(`[...document.querySelectorAll('svg.d-swimlane')].find(visible).classList.contains('narrow')`) {
						t.Errorf("at 360 px the wide swimlane is shown")
					}
					if err := chromedp.Do(s.ctx,
						chromedp.MouseEvent(chromedp.MousePressed, box.X+box.W*0.2, box.Y, chromedp.ButtonLeft),
						chromedp.MouseEvent(chromedp.MouseMoved, box.X+box.W*0.6, box.Y, chromedp.ButtonLeft),
						chromedp.MouseEvent(chromedp.MouseReleased, box.X+box.W*0.6, box.Y, chromedp.ButtonLeft),
					); err != nil {
						t.Fatal(err)
					}
					if s.evalString(`document.getElementById('f-from').value`) == "" || !s.evalBool(`visible(document.getElementById('zoom'))`) {
						t.Errorf("dragging on the narrow swimlane set no range or drew no zoom")
					}
					if sw, cw := s.evalInt(`document.documentElement.scrollWidth`), s.evalInt(`document.documentElement.clientWidth`); sw > cw {
						t.Errorf("with the zoom shown at 360 px the page is %d px wide", sw)
					}
					s.elementShot(fmt.Sprintf("width-%s-360-timeline", name), "#timeline")
					s.do(`document.getElementById('f-reset').click()`)
					s.elementShot(fmt.Sprintf("width-%s-360-diagram", name), "article.finding figure.diagram")
					if name == "all-samples" {
						s.elementShot("width-all-samples-360-ladder", "figure.fig-txn-ladder")
					}
				}
				// The chip naming the finding whose evidence is shown.
				s.do(`document.querySelector('article.finding button.show-evidence').click()`)
				if sw, cw := s.evalInt(`document.documentElement.scrollWidth`), s.evalInt(`document.documentElement.clientWidth`); sw > cw {
					var els []string
					s.eval(overflowJS, &els)
					t.Errorf("at %d px, with a finding's evidence shown, the page is %d px wide (viewport %d): %v", w, sw, cw, els)
				}
				s.do(`window.scrollTo(0, 0)`)
				s.viewShot(fmt.Sprintf("width-%s-%d", name, w))
				s.checkClean(u)
			})
		}
	}
}

// viewShot saves the viewport only (a full-page picture of a long report
// at phone width is too tall for the browser to take).
func (s *session) viewShot(name string) {
	s.t.Helper()
	png, err := chromedp.Run(s.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		s.t.Fatal(err)
	}
	s.save(name, png)
}

// All the samples together span 16 months: the swimlane's axis says so
// with dated, year-bearing labels, compresses the empty months into a
// marked break so the incidents get room, and the header counts days.
func TestBrowserMultiDayAxis(t *testing.T) {
	requireBrowser(t)
	s := newSession(t)
	u := s.open(render(t, allSamples(t), Options{}), "all.html")
	var labels []string
	s.eval(`[...document.querySelectorAll('svg.d-swimlane text.tick')].filter(e => e.getBoundingClientRect().width > 0).map(e => e.textContent)`, &labels)
	if len(labels) < 2 || !strings.HasPrefix(labels[0], "2017-") || !slices.ContainsFunc(labels, func(l string) bool { return strings.HasPrefix(l, "2018-") }) {
		t.Errorf("swimlane axis labels %v: want dates with years from 2017 to 2018", labels)
	}
	// The 16 months between the two groups of samples are a break, not
	// the whole axis: both groups get room.
	var gaps []string
	s.eval(`[...document.querySelectorAll('svg.d-swimlane text.gap-label')].map(e => e.textContent)`, &gaps)
	if !slices.ContainsFunc(gaps, func(g string) bool { return strings.HasPrefix(g, "≈48") }) {
		t.Errorf("no compressed gap of 16 months marked on the swimlane (labels %q)", gaps)
	}
	var widths []float64
	s.eval(`[...document.querySelectorAll('svg.d-swimlane rect.fbar')].map(r => r.getBoundingClientRect().width)`, &widths)
	if slices.Max(widths) < 100 {
		t.Errorf("the widest finding span is %.0f px: the incidents are still slivers", slices.Max(widths))
	}
	if head := s.evalString(`document.querySelector('.analysed').textContent`); !strings.Contains(head, "490d") {
		t.Errorf("header %q does not give the span in days", head)
	}
	s.elementShot("all-samples-timeline", "#timeline")
	s.checkClean(u)
}

// Brushing zooms: the range dragged across the overview is drawn again at
// full width, and the zoom is brushed again, so after a few drags the
// 5-minute stale-MAC incident of a 16-month run fills it (the overview,
// with its gaps compressed, gives it a fifth); clicking without dragging
// clears it.
func TestBrowserBrushZooms(t *testing.T) {
	requireBrowser(t)
	s := newSession(t)
	r := allSamples(t)
	u := s.open(render(t, r, Options{}), "all.html")
	s.do(visibleJS)
	if s.evalInt(`visible(document.getElementById('zoom')) ? 1 : 0`) != 0 {
		t.Fatal("a zoom is shown before any brushing")
	}
	var sm *detect.Finding
	for i := range r.Findings {
		if r.Findings[i].Detector == "stale-mac" && r.Findings[i].End.Sub(r.Findings[i].Start) > time.Minute {
			sm = &r.Findings[i]
			break
		}
	}
	if sm == nil {
		t.Fatal("no stale-mac finding lasting minutes in the samples")
	}
	// Drag on the overview from just before to just after the incident.
	var pt struct{ A, B, Y float64 }
	s.eval(fmt.Sprintf(`(() => { const svg = document.querySelector('svg.d-swimlane'); svg.scrollIntoView({block: 'center'}); const r = svg.getBoundingClientRect(); const vb = svg.viewBox.baseVal; const k = r.width / vb.width;
	  const bar = svg.querySelector('[data-finding=%q] rect.fbar').getBoundingClientRect();
	  return {A: bar.left - 3, B: bar.right + 3, Y: r.top + (+svg.dataset.y0 + 10) * k}; })()`, sm.ID), &pt)
	if err := chromedp.Do(s.ctx,
		chromedp.MouseEvent(chromedp.MousePressed, pt.A, pt.Y, chromedp.ButtonLeft),
		chromedp.MouseEvent(chromedp.MouseMoved, pt.B, pt.Y, chromedp.ButtonLeft),
		chromedp.MouseEvent(chromedp.MouseReleased, pt.B, pt.Y, chromedp.ButtonLeft),
	); err != nil {
		t.Fatal(err)
	}
	if s.evalInt(`visible(document.getElementById('zoom')) ? 1 : 0`) != 1 {
		t.Fatalf("no zoom after brushing (range %q – %q)", s.evalString(`document.getElementById('f-from').value`), s.evalString(`document.getElementById('f-to').value`))
	}
	// Drag again, on the zoom, around it.
	var zp struct{ A, B, Y float64 }
	s.eval(fmt.Sprintf(`(() => { const svg = document.querySelector('svg.d-zoom'); svg.scrollIntoView({block: 'center'}); const r = svg.getBoundingClientRect(); const vb = svg.viewBox.baseVal; const k = r.width / vb.width;
	  const bar = svg.querySelector('[data-finding=%q] rect.fbar').getBoundingClientRect();
	  return {A: bar.left - 2, B: bar.right + 2, Y: r.top + 8 * k}; })()`, sm.ID), &zp)
	if err := chromedp.Do(s.ctx,
		chromedp.MouseEvent(chromedp.MousePressed, zp.A, zp.Y, chromedp.ButtonLeft),
		chromedp.MouseEvent(chromedp.MouseMoved, zp.B, zp.Y, chromedp.ButtonLeft),
		chromedp.MouseEvent(chromedp.MouseReleased, zp.B, zp.Y, chromedp.ButtonLeft),
	); err != nil {
		t.Fatal(err)
	}
	// Once more: the second zoom is a few hours wide.
	s.eval(fmt.Sprintf(`(() => { const svg = document.querySelector('svg.d-zoom'); svg.scrollIntoView({block: 'center'}); const r = svg.getBoundingClientRect(); const vb = svg.viewBox.baseVal; const k = r.width / vb.width;
	  const bar = svg.querySelector('[data-finding=%q] rect.fbar').getBoundingClientRect();
	  return {A: bar.left - 2, B: bar.right + 2, Y: r.top + 8 * k}; })()`, sm.ID), &zp)
	if err := chromedp.Do(s.ctx,
		chromedp.MouseEvent(chromedp.MousePressed, zp.A, zp.Y, chromedp.ButtonLeft),
		chromedp.MouseEvent(chromedp.MouseMoved, zp.B, zp.Y, chromedp.ButtonLeft),
		chromedp.MouseEvent(chromedp.MouseReleased, zp.B, zp.Y, chromedp.ButtonLeft),
	); err != nil {
		t.Fatal(err)
	}
	var frac struct{ Over, Zoom float64 }
	s.eval(fmt.Sprintf(`(() => {
	  const w = el => el ? el.getBoundingClientRect().width : 0;
	  const over = document.querySelector('svg.d-swimlane [data-finding=%[1]q] rect.fbar'), zoom = document.querySelector('svg.d-zoom [data-finding=%[1]q] rect.fbar');
	  const ow = w(document.querySelector('svg.d-swimlane .lane-bg')), zw = w(document.querySelector('svg.d-zoom .lane-bg'));
	  return {Over: w(over) / ow, Zoom: w(zoom) / zw}; })()`, sm.ID), &frac)
	if frac.Zoom < 0.4 || frac.Zoom < 2*frac.Over {
		t.Errorf("the incident spans %.3f of the overview and %.3f of the zoom (range %s – %s, finding %s – %s): want it to fill the zoom", frac.Over, frac.Zoom,
			s.evalString(`document.getElementById('f-from').value`), s.evalString(`document.getElementById('f-to').value`), sm.Start, sm.End)
	}
	if n := s.evalInt(`document.querySelectorAll('svg.d-zoom path.density').length`); n == 0 {
		t.Errorf("the zoom draws no event density")
	}
	if n := s.evalInt(`document.querySelectorAll('svg.d-zoom path.emark').length`); n == 0 {
		t.Errorf("the zoom draws no evidence marks")
	}
	var ticks []string
	s.eval(`[...document.querySelectorAll('svg.d-zoom text.tick')].map(e => e.textContent)`, &ticks)
	if len(ticks) < 3 {
		t.Errorf("zoom axis %v: want several ticks", ticks)
	}
	s.elementShot("all-samples-zoom", "#timeline")
	// A click on the zoom without dragging clears the range and the zoom.
	s.eval(`(() => { const svg = document.querySelector('svg.d-zoom'); svg.scrollIntoView({block: 'center'}); const r = svg.getBoundingClientRect(); return {A: r.left + r.width / 2, B: 0, Y: r.top + r.height / 2}; })()`, &zp)
	if err := chromedp.Do(s.ctx,
		chromedp.MouseEvent(chromedp.MousePressed, zp.A, zp.Y, chromedp.ButtonLeft),
		chromedp.MouseEvent(chromedp.MouseReleased, zp.A, zp.Y, chromedp.ButtonLeft),
	); err != nil {
		t.Fatal(err)
	}
	if s.evalInt(`visible(document.getElementById('zoom')) ? 1 : 0`) != 0 {
		t.Errorf("the zoom stays after clearing the range")
	}
	s.checkClean(u)
}

func (s *session) evalBool(js string) bool {
	var v bool
	s.eval(js, &v)
	return v
}
