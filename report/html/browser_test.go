package html

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/arpforensics/arpforensics/analysis"
	"github.com/arpforensics/arpforensics/detect"
	"github.com/arpforensics/arpforensics/internal/synth"
)

// The browser tests open rendered reports from file:// in Debian's chromium
// (headless, no network, a fresh profile) and check what a reader gets: the
// findings and their diagrams visible, filters that hide rows, no console
// error, no request beyond the file itself, and artifact text that never
// runs as script. Without chromium they skip, unless ARPF_REQUIRE_BROWSER=1
// (CI sets it) makes that a failure.

const chromiumPath = "/usr/bin/chromium"

func requireBrowser(t *testing.T) string {
	t.Helper()
	path := chromiumPath
	if p := os.Getenv("ARPF_CHROMIUM"); p != "" {
		path = p
	}
	if fi, err := os.Stat(path); err != nil || fi.IsDir() || fi.Mode()&0o111 == 0 {
		msg := fmt.Sprintf("browser test needs chromium at %s (apt-get install -y chromium, or set ARPF_CHROMIUM)", path)
		if os.Getenv("ARPF_REQUIRE_BROWSER") == "1" {
			t.Fatal(msg + "; ARPF_REQUIRE_BROWSER=1 makes its absence a failure")
		}
		t.Skip(msg + "; skipping")
	}
	if testing.Short() {
		t.Skip("browser test: skipped in -short")
	}
	return path
}

// session is one browser tab with everything it reported recorded.
type session struct {
	t   *testing.T
	ctx context.Context

	mu       sync.Mutex
	errors   []string // console errors, uncaught exceptions, error log entries
	requests []string // every URL the page asked for
	dialogs  []string
}

// theBrowser is one chromium for the whole test binary (started on first
// use, with a fresh profile, stopped by TestMain); each session is a new tab
// in it. Starting one browser per test made the machine fork a dozen
// processes each time, which a loaded CI box sometimes refused.
var theBrowser struct {
	sync.Mutex
	ctx  context.Context
	stop func()
}

func browserContext(t *testing.T) context.Context {
	path := requireBrowser(t)
	theBrowser.Lock()
	defer theBrowser.Unlock()
	if theBrowser.ctx != nil {
		return theBrowser.ctx
	}
	var lastErr error
	for attempt := 1; attempt <= 3; attempt++ {
		dir, err := os.MkdirTemp("", "arpf-chromium-")
		if err != nil {
			t.Fatal(err)
		}
		allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
			chromedp.ExecPath(path),
			chromedp.Flag("headless", true),
			chromedp.NoSandbox,
			chromedp.Flag("disable-gpu", true),
			chromedp.Flag("disable-quic", true),
			chromedp.NoFirstRun,
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.Flag("hide-scrollbars", true),
			chromedp.UserDataDir(dir),
			chromedp.WindowSize(1280, 1000),
		)
		ctx, cancelCtx := chromedp.NewContext(allocCtx)
		stop := func() {
			cancelCtx()
			cancelAlloc()
			// Chromium's helpers may still write to the profile briefly.
			for i := 0; i < 20 && os.RemoveAll(dir) != nil; i++ {
				time.Sleep(100 * time.Millisecond)
			}
		}
		if lastErr = chromedp.Do(ctx); lastErr == nil { // start it
			theBrowser.ctx, theBrowser.stop = ctx, stop
			return ctx
		}
		stop()
		t.Logf("starting chromium (attempt %d): %v", attempt, lastErr)
		time.Sleep(time.Duration(attempt) * time.Second)
	}
	t.Fatalf("starting chromium: %v", lastErr)
	return nil
}

func TestMain(m *testing.M) {
	code := m.Run()
	if theBrowser.stop != nil {
		theBrowser.stop()
	}
	os.Exit(code)
}

func newSession(t *testing.T) *session {
	bctx := browserContext(t)
	ctx, cancelTab := chromedp.NewContext(bctx) // a new tab
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelTab() })
	s := &session{t: t, ctx: ctx}
	if err := chromedp.Do(ctx); err != nil { // open the tab
		t.Fatalf("opening a tab: %v", err)
	}
	err := chromedp.Listen(ctx, func(ev any) {
		s.mu.Lock()
		defer s.mu.Unlock()
		switch e := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeAssert {
				var parts []string
				for _, a := range e.Args {
					parts = append(parts, string(a.Value)+a.Description)
				}
				s.errors = append(s.errors, "console."+string(e.Type)+": "+strings.Join(parts, " "))
			}
		case *runtime.EventExceptionThrown:
			d := e.ExceptionDetails
			msg := d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
			s.errors = append(s.errors, "exception: "+msg)
		case *cdplog.EventEntryAdded:
			if e.Entry.Level == cdplog.EntryLevelError {
				s.errors = append(s.errors, "log ("+string(e.Entry.Source)+"): "+e.Entry.Text)
			}
		case *network.EventRequestWillBeSent:
			s.requests = append(s.requests, e.Request.URL)
		case *cdppage.EventJavascriptDialogOpening:
			s.dialogs = append(s.dialogs, string(e.Type)+": "+e.Message)
			go chromedp.Call(ctx, cdppage.HandleJavaScriptDialog, cdppage.HandleJavaScriptDialogParams{Accept: false})
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	// Count alert() calls: the injection lines would call it if they ever ran.
	if _, err := chromedp.Call(ctx, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{
		Source: `window.__alerts = 0; window.alert = function () { window.__alerts++; };`,
	}); err != nil {
		t.Fatal(err)
	}
	return s
}

// open writes the report to a file and loads it from file://, waiting for
// the page script to finish (the event table may inflate asynchronously).
func (s *session) open(doc, name string) string {
	s.t.Helper()
	path := filepath.Join(s.t.TempDir(), name)
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		s.t.Fatal(err)
	}
	u := (&url.URL{Scheme: "file", Path: path}).String()
	if err := chromedp.Do(s.ctx, chromedp.Navigate(u)); err != nil {
		s.t.Fatalf("opening %s: %v", u, err)
	}
	if _, err := chromedp.Run(s.ctx, chromedp.Poll[bool](`document.documentElement.dataset.ready === 'true'`, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		s.t.Fatalf("page script never finished: %v (errors: %v)", err, s.errors)
	}
	return u
}

func (s *session) eval(js string, out any) {
	s.t.Helper()
	raw, err := chromedp.Run(s.ctx, chromedp.Evaluate[[]byte](js))
	if err != nil {
		s.t.Fatalf("evaluating %s: %v", js, err)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		s.t.Fatalf("evaluating %s: result %s: %v", js, raw, err)
	}
}

func (s *session) evalInt(js string) int {
	var n int
	s.eval(js, &n)
	return n
}

func (s *session) evalString(js string) string {
	var v string
	s.eval(js, &v)
	return v
}

// do runs page script for its effect, then lets the page settle.
func (s *session) do(js string) {
	s.t.Helper()
	if _, err := chromedp.Run(s.ctx, chromedp.Evaluate[chromedp.Void](js)); err != nil {
		s.t.Fatalf("running %s: %v", js, err)
	}
}

// checkClean asserts no console error, no request but the page itself, and
// no dialog or alert.
func (s *session) checkClean(pageURL string) {
	s.t.Helper()
	alerts := s.evalInt(`window.__alerts`)
	s.mu.Lock()
	errs, reqs, dialogs := slices.Clone(s.errors), slices.Clone(s.requests), slices.Clone(s.dialogs)
	s.mu.Unlock()
	for _, e := range errs {
		s.t.Errorf("browser reported an error: %s", e)
	}
	for _, r := range reqs {
		if r != pageURL {
			s.t.Errorf("page made a request: %s", r)
		}
	}
	for _, d := range dialogs {
		s.t.Errorf("a dialog opened: %s", d)
	}
	if alerts != 0 {
		s.t.Errorf("alert() ran %d time(s)", alerts)
	}
}

// visible is page script testing that an element is rendered with an area.
const visibleJS = `function visible(el) { if (!el) return false; const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden' && el.closest('[hidden]') === null; }`

// elementShot saves one element's picture next to the screenshots.
func (s *session) elementShot(name, css string) {
	s.t.Helper()
	png, err := chromedp.Run(s.ctx, chromedp.Screenshot(chromedp.CSS(css)))
	if err != nil {
		s.t.Fatal(err)
	}
	s.save(name, png)
}

func (s *session) save(name string, png []byte) {
	s.t.Helper()
	dir := os.Getenv("ARPF_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join("..", "..", "bench", "out", "html")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		s.t.Logf("no screenshot: %v", err)
		return
	}
	p := filepath.Join(dir, name+".png")
	if err := os.WriteFile(p, png, 0o644); err != nil {
		s.t.Fatal(err)
	}
	abs, _ := filepath.Abs(p)
	s.t.Logf("screenshot: %s", abs)
}

// screenshot saves the viewport (and the whole page) as PNGs for people to
// look at: under $ARPF_SCREENSHOTS, else bench/out/html (git-ignored).
func (s *session) screenshot(name string) {
	s.t.Helper()
	view, err := chromedp.Run(s.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		s.t.Fatal(err)
	}
	full, err := chromedp.Run(s.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		s.t.Fatal(err)
	}
	s.save(name, view)
	s.save(name+"-full", full)
}

func TestBrowserReport(t *testing.T) {
	requireBrowser(t)
	s := newSession(t)
	r := synth.FIPReuseLocktime()
	u := s.open(render(t, r, Options{}), "fip-reuse.html")
	s.do(visibleJS)

	// Verdict first: the top finding's title is the page's headline.
	if got, want := s.evalString(`document.getElementById('verdict-lead').textContent`), r.Findings[0].Title; got != want {
		t.Errorf("verdict headline %q, want the top finding %q", got, want)
	}
	// Every finding is visible with its diagram.
	if n := s.evalInt(`[...document.querySelectorAll('article.finding')].filter(a => visible(a) && visible(a.querySelector('figure.diagram svg'))).length`); n != len(r.Findings) {
		t.Errorf("%d findings visible with a diagram, want %d", n, len(r.Findings))
	}
	if n := s.evalInt(`[...document.querySelectorAll('svg.d-binding-lane .garp')].filter(visible).length`); n != 6 {
		t.Errorf("%d GARP ticks visible in the binding lanes, want 3 in each of 2 lanes", n)
	}
	if n := s.evalInt(`[...document.querySelectorAll('svg.d-swimlane .fbar')].filter(visible).length`); n != len(r.Findings) {
		t.Errorf("%d finding spans on the timeline, want %d", n, len(r.Findings))
	}
	total := r.Timeline.Len()
	if n := s.evalInt(`document.querySelectorAll('#ev-body tr').length`); n != min(total, 100) {
		t.Errorf("event table shows %d rows, want %d", n, min(total, 100))
	}
	s.screenshot("fip-reuse")
	s.elementShot("fip-reuse-finding", "article.finding")

	// Severity filter: hiding "high" hides the stale-MAC finding.
	s.do(`document.querySelector('input[name=severity][value=high]').click()`)
	if n := s.evalInt(`[...document.querySelectorAll('article.finding')].filter(visible).length`); n != len(r.Findings)-1 {
		t.Errorf("after unticking high: %d findings visible, want %d", n, len(r.Findings)-1)
	}
	s.do(`document.querySelector('input[name=severity][value=high]').click()`)

	// Source filter: unticking the capture leaves only the log's rows.
	logRows := 0
	for _, e := range r.Timeline.Records(0, -1) {
		if r.Timeline.Sources[e.Src].Kind == "txnlog" {
			logRows++
		}
	}
	s.do(`document.querySelector('input[name=source][value="0"]').click()`)
	if n := s.evalInt(`document.querySelectorAll('#ev-body tr').length`); n != logRows {
		t.Errorf("after unticking the capture: %d rows, want the log's %d", n, logRows)
	}
	if n := s.evalInt(`+document.getElementById('ev-table').dataset.rows`); n != logRows {
		t.Errorf("after unticking the capture: %d matching rows, want %d", n, logRows)
	}
	s.do(`document.querySelector('input[name=source][value="0"]').click()`)

	// Search: the injection line is found, and shows as the text it is.
	s.do(`const q = document.getElementById('ev-search'); q.value = 'onerror'; q.dispatchEvent(new Event('input'))`)
	if _, err := chromedp.Run(s.ctx, chromedp.Poll[bool](`document.getElementById('ev-table').dataset.rows === '1'`, chromedp.WithPollingTimeout(5*time.Second))); err != nil {
		t.Errorf("search for 'onerror' did not narrow the table to the one line: %v", err)
	}
	text := s.evalString(`document.querySelector('#ev-body td.x').textContent`)
	if !strings.Contains(text, synth.InjectScript) || !strings.Contains(text, synth.InjectImg) {
		t.Errorf("the injection line shows as %q, want its text verbatim", text)
	}
	s.do(`document.getElementById('f-reset').click()`)

	// The brush: dragging across the timeline's middle narrows time.
	var box struct{ X, Y, W, H float64 }
	s.eval(`(() => { const svg = document.querySelector('svg.d-swimlane'); svg.scrollIntoView(); const r = svg.getBoundingClientRect(); const vb = svg.viewBox.baseVal; const k = r.width / vb.width; return {X: r.left + (+svg.dataset.x0) * k, W: (svg.dataset.x1 - svg.dataset.x0) * k, Y: r.top + (+svg.dataset.y0) * k, H: (svg.dataset.y1 - svg.dataset.y0) * k}; })()`, &box)
	y := box.Y + box.H/2
	if err := chromedp.Do(s.ctx,
		chromedp.MouseEvent(chromedp.MousePressed, box.X+box.W*0.55, y, chromedp.ButtonLeft),
		chromedp.MouseEvent(chromedp.MouseMoved, box.X+box.W*0.7, y, chromedp.ButtonLeft),
		chromedp.MouseEvent(chromedp.MouseReleased, box.X+box.W*0.9, y, chromedp.ButtonLeft),
	); err != nil {
		t.Fatal(err)
	}
	if from := s.evalString(`document.getElementById('f-from').value`); from == "" {
		t.Errorf("dragging on the timeline set no time range")
	}
	if n := s.evalInt(`+document.getElementById('ev-table').dataset.rows`); n == 0 || n >= total {
		t.Errorf("after brushing: %d matching rows, want some but fewer than %d", n, total)
	}
	if n := s.evalInt(`[...document.querySelectorAll('article.finding')].filter(visible).length`); n != 1 {
		t.Errorf("after brushing the end of the run: %d findings visible, want only the 5-minute stale-MAC one", n)
	}
	s.do(`document.getElementById('f-reset').click()`)

	// Evidence of one finding, on demand.
	s.do(`document.querySelector('article.finding button.show-evidence').click()`)
	if n, want := s.evalInt(`+document.getElementById('ev-table').dataset.rows`), len(r.Findings[0].Evidence); n != want {
		t.Errorf("'show in the event table' lists %d rows, want the finding's %d cited events", n, want)
	}

	// Nothing was injected into the DOM.
	if n := s.evalInt(`document.querySelectorAll('img, iframe, object, embed').length + document.scripts.length`); n != 2 {
		t.Errorf("the page has %d img/iframe/object/embed/script elements, want only its 2 scripts", n)
	}
	s.checkClean(u)
}

// TestBrowserInjectionWithoutCSP loads the report with the page's
// Content-Security-Policy switched off: escaping alone must keep the
// injection lines from running.
func TestBrowserInjectionWithoutCSP(t *testing.T) {
	s := newSession(t)
	if _, err := chromedp.Call(s.ctx, cdppage.SetBypassCSP, cdppage.SetBypassCSPParams{Enabled: true}); err != nil {
		t.Fatal(err)
	}
	u := s.open(render(t, synth.FIPReuseLocktime(), Options{}), "inject.html")
	s.do(`const q = document.getElementById('ev-search'); q.value = 'alert'; q.dispatchEvent(new Event('input'))`)
	if _, err := chromedp.Run(s.ctx, chromedp.Poll[bool](`+document.getElementById('ev-table').dataset.rows >= 1`, chromedp.WithPollingTimeout(5*time.Second))); err != nil {
		t.Fatal(err)
	}
	if n := s.evalInt(`document.querySelectorAll('img').length`); n != 0 {
		t.Errorf("%d img elements: artifact text became markup", n)
	}
	s.checkClean(u)
}

// TestBrowserLargeReport opens 100 k events (the gzipped table) and times a
// search and a page turn; the numbers are logged, not asserted.
func TestBrowserLargeReport(t *testing.T) {
	s := newSession(t)
	start := time.Now()
	u := s.open(render(t, synth.Bulk(100_000), Options{}), "bulk.html")
	t.Logf("100k events: page ready in %v", time.Since(start).Round(time.Millisecond))
	if n := s.evalInt(`+document.getElementById('ev-table').dataset.rows`); n != 100_000 {
		t.Fatalf("table has %d rows, want 100000", n)
	}
	s.do(`window.__t0 = performance.now(); const q = document.getElementById('ev-search'); q.value = 'setlswitchport 2'; q.dispatchEvent(new Event('input'))`)
	if _, err := chromedp.Run(s.ctx, chromedp.Poll[bool](`+document.getElementById('ev-table').dataset.rows < 100000`, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Fatalf("search never narrowed the table: %v", err)
	}
	var searched float64
	s.eval(`performance.now() - window.__t0`, &searched)
	t.Logf("100k events: a two-word search took %.0f ms in the page, its 120 ms debounce included", searched)
	var took float64
	s.eval(`(() => { const t0 = performance.now(); document.getElementById('ev-last').click(); document.getElementById('ev-first').click(); const q = document.getElementById('ev-search'); q.value = ''; document.querySelector('input[name=source][value="1"]').click(); return performance.now() - t0; })()`, &took)
	t.Logf("100k events: two page turns and a source filter took %.1f ms in the page", took)
	s.checkClean(u)
}

// TestBrowserDarkAndPrint checks the colour scheme follows the system and
// that print hides the interactive parts.
func TestBrowserDarkAndPrint(t *testing.T) {
	s := newSession(t)
	if _, err := chromedp.Call(s.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}},
	}); err != nil {
		t.Fatal(err)
	}
	u := s.open(render(t, synth.FIPReuseLocktime(), Options{}), "dark.html")
	if bg := s.evalString(`getComputedStyle(document.documentElement).backgroundColor`); bg != "rgb(15, 20, 25)" {
		t.Errorf("dark scheme background %s, want rgb(15, 20, 25)", bg)
	}
	s.screenshot("fip-reuse-dark")
	if _, err := chromedp.Call(s.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	if d := s.evalString(`getComputedStyle(document.getElementById('filters')).display`); d != "none" {
		t.Errorf("print shows the filters (display %s)", d)
	}
	if bg := s.evalString(`getComputedStyle(document.documentElement).backgroundColor`); bg != "rgb(255, 255, 255)" {
		t.Errorf("print background %s, want white even in dark mode", bg)
	}
	if n := s.evalInt(`[...document.querySelectorAll('article.finding figure.diagram svg')].filter(e => e.getBoundingClientRect().height > 0).length`); n != 3 {
		t.Errorf("print shows %d finding diagrams, want 3", n)
	}
	s.screenshot("fip-reuse-print")
	s.checkClean(u)
}

// TestBrowserManyFindings: findings shown one row each filter like the
// full ones, and their evidence opens in the event table.
func TestBrowserManyFindings(t *testing.T) {
	s := newSession(t)
	r := synth.ManyFindings(synth.Bulk(5000), 400)
	u := s.open(render(t, r, Options{}), "many.html")
	s.do(visibleJS)
	shown := `[...document.querySelectorAll('article.finding, tr.finding-row')].filter(visible).length`
	if n := s.evalInt(shown); n != len(r.Findings) {
		t.Fatalf("%d findings visible, want %d", n, len(r.Findings))
	}
	info := 0
	for _, f := range r.Findings {
		if f.Severity.String() == "info" {
			info++
		}
	}
	s.do(`document.querySelector('input[name=severity][value=info]').click()`)
	if n := s.evalInt(shown); n != len(r.Findings)-info {
		t.Errorf("after unticking info: %d findings visible, want %d", n, len(r.Findings)-info)
	}
	if n := s.evalInt(`[...document.querySelectorAll('tr.finding-row[data-severity=info]')].filter(visible).length`); n != 0 {
		t.Errorf("%d info rows still visible", n)
	}
	s.do(`document.getElementById('f-reset').click()`)
	s.do(`document.querySelector('tr.finding-row button.show-evidence').click()`)
	id := s.evalString(`document.querySelector('tr.finding-row').dataset.finding`)
	want := 0
	for _, f := range r.Findings {
		if f.ID == id {
			seen := map[int]bool{}
			for _, e := range f.Evidence {
				seen[e.Event] = true
			}
			want = len(seen)
		}
	}
	if n := s.evalInt(`+document.getElementById('ev-table').dataset.rows`); n != want || want == 0 {
		t.Errorf("a row's 'show' lists %d events, want its %d cited ones", n, want)
	}
	s.checkClean(u)
}

// TestBrowserSamples opens the reports of the bundled samples as analyze
// writes them and checks what a reader gets from each.
func TestBrowserSamples(t *testing.T) {
	requireBrowser(t)
	samples := []struct {
		dir     string
		diagram map[string]string // detector → diagram kind its finding must show
	}{
		{"fip-reuse", map[string]string{"stale-mac": "binding-lane", "garp-locktime": "binding-lane", "missing-probe": "state-strip"}},
		{"fip-reuse-healthy", nil},
		{"arp-unanswered", map[string]string{"arp-unanswered": "unanswered-lane"}},
		{"neigh-monitor", map[string]string{"missing-probe": "state-strip", "stale-mac": "binding-lane"}},
		{"txn-race", map[string]string{"interleaved-txn": "txn-ladder", "arp-unanswered": "unanswered-lane"}},
	}
	for _, sm := range samples {
		t.Run(sm.dir, func(t *testing.T) {
			dir := filepath.Join("..", "..", "samples", sm.dir)
			if _, err := os.Stat(dir); err != nil {
				t.Fatalf("sample %s: %v", sm.dir, err)
			}
			res := analysis.Run(analysis.Options{Paths: []string{dir}, Config: detect.Defaults()})
			if !res.Readable() {
				t.Fatalf("samples/%s: nothing readable", sm.dir)
			}
			s := newSession(t)
			u := s.open(render(t, res, Options{}), sm.dir+".html")
			s.do(visibleJS)

			lead := s.evalString(`document.getElementById('verdict-lead').textContent`)
			if len(res.Findings) > 0 && lead != res.Findings[0].Title {
				t.Errorf("verdict headline %q, want the top finding %q", lead, res.Findings[0].Title)
			}
			if len(res.Findings) == 0 && !strings.HasPrefix(lead, fmt.Sprintf("%d detector", len(detect.All()))) {
				t.Errorf("a clean run's headline is %q", lead)
			}
			if n := s.evalInt(`[...document.querySelectorAll('article.finding')].filter(a => visible(a) && visible(a.querySelector('figure.diagram svg'))).length`); n != len(res.Findings) {
				t.Errorf("%d findings visible with a diagram, want %d", n, len(res.Findings))
			}
			for det, kind := range sm.diagram {
				js := fmt.Sprintf(`[...document.querySelectorAll('article.finding[data-detector=%q] svg.d-%s')].filter(visible).length`, det, kind)
				if s.evalInt(js) == 0 {
					t.Errorf("no visible %s diagram for a %s finding", kind, det)
				}
			}
			s.screenshot("sample-" + sm.dir)
			s.elementShot("sample-"+sm.dir+"-timeline", "#timeline")
			if sm.dir == "fip-reuse" {
				s.elementShot("sample-fip-reuse-finding", "article.finding")
			}
			for det := range sm.diagram {
				s.elementShot("sample-"+sm.dir+"-"+det, fmt.Sprintf("article.finding[data-detector=%q] figure", det))
			}

			// Filter: untick the first source; its rows leave the table.
			first := s.evalInt(`+document.querySelector('input[name=source]').value`)
			others := 0
			for _, e := range res.Timeline.Records(0, -1) {
				if int(e.Src) != first {
					others++
				}
			}
			before := s.evalInt(`+document.getElementById('ev-table').dataset.rows`)
			s.do(`document.querySelector('input[name=source]').click()`)
			if n := s.evalInt(`+document.getElementById('ev-table').dataset.rows`); n != others || n >= before {
				t.Errorf("after unticking %s: %d matching rows (from %d), want %d", res.Timeline.Sources[first].Path, n, before, others)
			}
			if n := s.evalInt(`document.querySelectorAll('#ev-body tr').length`); n != min(others, 100) {
				t.Errorf("after unticking a source the table shows %d rows, want %d", n, min(others, 100))
			}
			s.checkClean(u)
		})
	}
}
