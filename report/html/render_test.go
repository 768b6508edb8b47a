package html

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"io"
	"math"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/arpforensics/arpforensics/analysis"
	"github.com/arpforensics/arpforensics/detect"
	"github.com/arpforensics/arpforensics/internal/golden"
	"github.com/arpforensics/arpforensics/internal/synth"
	"github.com/arpforensics/arpforensics/report/schema"
	"github.com/arpforensics/arpforensics/timeline"
)

// contractOf stands in for report.Build in this package's tests (the
// report package imports this one): the findings' IDs and titles and the
// sources' paths; report/html_test.go checks the real thing.
func contractOf(r *analysis.Result) *schema.Report {
	c := &schema.Report{Schema: "test"}
	for _, f := range r.Findings {
		c.Findings = append(c.Findings, schema.Finding{ID: f.ID, Title: f.Title})
	}
	for _, s := range r.Timeline.Sources {
		c.Sources = append(c.Sources, schema.Source{Path: s.Path})
	}
	return c
}

func render(tb testing.TB, r *analysis.Result, o Options) string {
	tb.Helper()
	var buf bytes.Buffer
	if err := Render(&buf, r, contractOf(r), o); err != nil {
		tb.Fatal(err)
	}
	return buf.String()
}

// pageData reads the JSON block back.
type testData struct {
	Report struct {
		Findings []struct{ ID, Title string } `json:"findings"`
	} `json:"report"`
	Events struct {
		Total, Embedded, Cap int
		BaseUS               int64 `json:"base_us"`
		Cols                 *EventCols
		GZ                   string
		Evidence             map[string][]int
		Kinds                []string
	} `json:"events"`
}

var dataBlock = regexp.MustCompile(`(?s)<script type="application/json" id="arpf-data">(.*?)</script>`)

func readData(tb testing.TB, doc string) (testData, *EventCols) {
	tb.Helper()
	m := dataBlock.FindAllStringSubmatch(doc, -1)
	if len(m) != 1 {
		tb.Fatalf("want exactly one JSON data block, found %d", len(m))
	}
	var d testData
	if err := json.Unmarshal([]byte(m[0][1]), &d); err != nil {
		tb.Fatalf("data block is not JSON: %v", err)
	}
	cols := d.Events.Cols
	if d.Events.GZ != "" {
		if cols != nil {
			tb.Fatal("events both in the clear and gzipped")
		}
		z, err := base64.StdEncoding.DecodeString(d.Events.GZ)
		if err != nil {
			tb.Fatal(err)
		}
		zr, err := gzip.NewReader(bytes.NewReader(z))
		if err != nil {
			tb.Fatal(err)
		}
		raw, err := io.ReadAll(zr)
		if err != nil {
			tb.Fatal(err)
		}
		cols = &EventCols{}
		if err := json.Unmarshal(raw, cols); err != nil {
			tb.Fatal(err)
		}
	}
	if cols == nil {
		tb.Fatal("no events in the data block")
	}
	return d, cols
}

func TestRenderNoRemoteReferences(t *testing.T) {
	for name, r := range map[string]*analysis.Result{"fip-reuse": synth.FIPReuseLocktime(), "bulk": synth.Bulk(5000)} {
		t.Run(name, func(t *testing.T) {
			doc := render(t, r, Options{})
			for _, p := range remoteRefs(t, doc) {
				t.Errorf("remote reference: %s", p)
			}
			if !strings.Contains(doc, `<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;;`) {
				t.Errorf("no Content-Security-Policy meta forbidding everything by default")
			}
			// ingest recognises a previous run's report by this mark in
			// its first 4 KB, so a CI tree analysed twice skips it.
			if i := strings.Index(doc, `<meta name="generator" content="arpforensics">`); i < 0 || i > 1024 {
				t.Errorf("the generator mark is at byte %d, want within the first 1 KB", i)
			}
		})
	}
	// The scanner itself must see what it is looking for.
	bad := []string{
		`<img src="https://example.com/x.png">`,
		`<a href="//cdn.example.com/">x</a>`,
		`<link rel=stylesheet href=http://x/y.css>`,
		`<style>body{background:url(https://x/y.png)}</style>`,
		`<style>@import "x.css";</style>`,
		`<script>fetch("/data.json")</script>`,
		`<script src="report.js"></script>`,
		`<svg><use href="sprites.svg#a"/></svg>`,
		`<form action="https://x/"></form>`,
		`<meta http-equiv="refresh" content="0; url=https://x/">`,
	}
	for _, doc := range bad {
		if len(remoteRefs(t, doc)) == 0 {
			t.Errorf("scanner missed the reference in %s", doc)
		}
	}
}

// remoteRefs parses an HTML document just enough to list everything in it
// that would make a browser load something: URL attributes other than
// in-page fragments, CSS url()/@import, script sources and network calls in
// inline scripts, meta refreshes. URLs in text (a known issue's link shown as
// text) are not references.
func remoteRefs(tb testing.TB, doc string) []string {
	tb.Helper()
	var found []string
	urlAttrs := map[string]bool{"href": true, "src": true, "srcset": true, "action": true, "formaction": true,
		"poster": true, "data": true, "xlink:href": true, "background": true, "cite": true, "longdesc": true,
		"manifest": true, "ping": true, "codebase": true, "icon": true}
	jsNet := regexp.MustCompile(`\b(fetch|XMLHttpRequest|WebSocket|EventSource|sendBeacon|importScripts|import)\s*\(|https?:|\bsrc\s*=|\.src\b|location\s*=|\bopen\s*\(`)
	cssNet := regexp.MustCompile(`(?i)url\s*\(|@import|image-set|src\s*:`)
	i := 0
	for {
		j := strings.IndexByte(doc[i:], '<')
		if j < 0 {
			break
		}
		i += j
		switch {
		case strings.HasPrefix(doc[i:], "<!--"):
			k := strings.Index(doc[i:], "-->")
			if k < 0 {
				return append(found, "unterminated comment")
			}
			i += k + 3
			continue
		case strings.HasPrefix(doc[i:], "<!"), strings.HasPrefix(doc[i:], "</"):
			k := strings.IndexByte(doc[i:], '>')
			if k < 0 {
				return found
			}
			i += k + 1
			continue
		}
		name, attrs, end := parseTag(doc, i+1)
		i = end
		for _, a := range attrs {
			v := strings.TrimSpace(a[1])
			switch {
			case name == "a" && a[0] == "href" && strings.HasPrefix(v, "https://"):
				// A link the reader may follow (a known issue's tracker):
				// navigation, not something the page loads.
			case urlAttrs[a[0]] && !strings.HasPrefix(v, "#"):
				found = append(found, name+" "+a[0]+"="+v)
			case strings.Contains(v, "://") || strings.HasPrefix(v, "//"):
				if !(name == "meta" && a[0] == "content" && !strings.Contains(strings.ToLower(v), "url=")) {
					found = append(found, name+" "+a[0]+"="+v)
				}
			case name == "meta" && a[0] == "content" && strings.Contains(strings.ToLower(v), "url="):
				found = append(found, "meta refresh "+v)
			}
		}
		if name == "script" || name == "style" {
			k := strings.Index(strings.ToLower(doc[i:]), "</"+name)
			if k < 0 {
				return append(found, "unterminated "+name)
			}
			body := doc[i : i+k]
			i += k
			typ := ""
			for _, a := range attrs {
				if a[0] == "type" {
					typ = a[1]
				}
			}
			switch {
			case name == "script" && typ == "application/json":
				// Data, never executed: URLs in it are text.
			case name == "script" && jsNet.MatchString(body):
				found = append(found, "script: "+jsNet.FindString(body))
			case name == "style" && cssNet.MatchString(body):
				found = append(found, "style: "+cssNet.FindString(body))
			}
		}
	}
	return found
}

// parseTag reads a start tag's name and attributes from doc[i:], returning
// the index after its '>'.
func parseTag(doc string, i int) (string, [][2]string, int) {
	isSpace := func(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '/' }
	start := i
	for i < len(doc) && !isSpace(doc[i]) && doc[i] != '>' {
		i++
	}
	name := strings.ToLower(doc[start:i])
	var attrs [][2]string
	for i < len(doc) {
		for i < len(doc) && isSpace(doc[i]) {
			i++
		}
		if i >= len(doc) || doc[i] == '>' {
			return name, attrs, i + 1
		}
		s := i
		for i < len(doc) && !isSpace(doc[i]) && doc[i] != '=' && doc[i] != '>' {
			i++
		}
		an := strings.ToLower(doc[s:i])
		val := ""
		if i < len(doc) && doc[i] == '=' {
			i++
			if i < len(doc) && (doc[i] == '"' || doc[i] == '\'') {
				q := doc[i]
				k := strings.IndexByte(doc[i+1:], q)
				if k < 0 {
					return name, attrs, len(doc)
				}
				val = doc[i+1 : i+1+k]
				i += k + 2
			} else {
				s := i
				for i < len(doc) && !isSpace(doc[i]) && doc[i] != '>' {
					i++
				}
				val = doc[s:i]
			}
		}
		attrs = append(attrs, [2]string{an, unescapeAttr(val)})
	}
	return name, attrs, i
}

func unescapeAttr(s string) string {
	return strings.NewReplacer("&#39;", "'", "&#34;", `"`, "&quot;", `"`, "&amp;", "&", "&lt;", "<", "&gt;", ">", "&#43;", "+").Replace(s)
}

func TestRenderEscapesArtifactText(t *testing.T) {
	doc := render(t, synth.FIPReuseLocktime(), Options{})
	for _, raw := range []string{synth.InjectScript, synth.InjectImg, "<script>alert", "<img src=x", "<b>ctl</b>", "\u202e"} {
		if strings.Contains(doc, raw) {
			t.Errorf("artifact text %q reached the page unescaped", raw)
		}
	}
	if n := strings.Count(strings.ToLower(doc), "<script"); n != 2 {
		t.Errorf("want 2 script elements (data and code), found %d", n)
	}
	// Escaped, the lines are still there as text: in the finding's evidence
	// and title (HTML-escaped), and in the data block (JSON-escaped).
	for _, want := range []string{
		"&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;",
		"&lt;img src=x onerror=alert(1)&gt;",
		`\u003c/script\u003e\u003cscript\u003ealert(1)\u003c/script\u003e`,
		`\\u202e`, // bidi override made visible (safetext), then JSON-escaped
	} {
		if !strings.Contains(doc, want) {
			t.Errorf("page lacks the escaped form %q", want)
		}
	}
	_, cols := readData(t, doc)
	seen := false
	for _, x := range cols.X {
		if strings.Contains(x, synth.InjectScript) && strings.Contains(x, synth.InjectImg) {
			seen = true
		}
	}
	if !seen {
		t.Errorf("the event table lost the injection line's text")
	}
}

func TestRenderEmbedsResultOnce(t *testing.T) {
	r := synth.FIPReuseLocktime()
	doc := render(t, r, Options{})
	d, cols := readData(t, doc)
	if len(d.Report.Findings) != len(r.Findings) {
		t.Fatalf("report block has %d findings, want %d", len(d.Report.Findings), len(r.Findings))
	}
	if d.Events.Total != r.Timeline.Len() || d.Events.Embedded != d.Events.Total || len(cols.X) != d.Events.Total {
		t.Fatalf("events: total %d embedded %d rows %d, want all %d", d.Events.Total, d.Events.Embedded, len(cols.X), r.Timeline.Len())
	}
	// Times are deltas from base_us; they must rebuild every event's time.
	at := d.Events.BaseUS
	for i := range cols.T {
		at += cols.T[i]
		if want := r.Timeline.Time(i).UnixMicro(); at != want {
			t.Fatalf("row %d: time %d, want %d", i, at, want)
		}
		if cols.T[i] < 0 {
			t.Fatalf("row %d: negative delta", i)
		}
	}
	// Positions are deltas within a source; they must rebuild every one.
	last := map[int32]int64{}
	for i := range cols.P {
		last[cols.S[i]] += cols.P[i]
		if want := posCode(r.Timeline.Record(i).Pos); last[cols.S[i]] != want {
			t.Fatalf("row %d: position code %d, want %d", i, last[cols.S[i]], want)
		}
	}
	// Each finding's evidence rows point at the events it cites.
	for _, f := range r.Findings {
		rows := d.Events.Evidence[f.ID]
		if len(rows) == 0 {
			t.Errorf("%s: no evidence rows", f.ID)
		}
		for _, row := range rows {
			if cols.X[row] != eventTextOf(r, f.ID, row) {
				t.Errorf("%s: row %d is not cited", f.ID, row)
			}
		}
	}
	// Every finding is on the page, with a diagram.
	for _, f := range r.Findings {
		if !strings.Contains(doc, `id="f-`+f.ID+`"`) {
			t.Errorf("finding %s not rendered", f.ID)
		}
	}
	if n := strings.Count(doc, `<figure class="diagram`); n != len(r.Findings)+1 {
		t.Errorf("%d diagrams, want one per finding plus the timeline (%d)", n, len(r.Findings)+1)
	}
}

func eventTextOf(r *analysis.Result, id string, row int) string {
	for _, f := range r.Findings {
		if f.ID != id {
			continue
		}
		for _, e := range f.Evidence {
			if e.Event == row { // every event is embedded: rows are timeline indexes
				ev := r.Timeline.Event(e.Event)
				x, _ := eventText(&ev, 400)
				return x
			}
		}
	}
	return "(not cited)"
}

func TestRenderCapsEvents(t *testing.T) {
	r := synth.Bulk(20000)
	doc := render(t, r, Options{EventCap: 1000})
	d, cols := readData(t, doc)
	if d.Events.Embedded != 1000 || len(cols.X) != 1000 || d.Events.Total != 20000 {
		t.Fatalf("embedded %d (rows %d) of %d, want 1000 of 20000", d.Events.Embedded, len(cols.X), d.Events.Total)
	}
	if got := len(d.Events.Evidence["test-bulk-0123456789ab"]); got != len(r.Findings[0].Evidence) {
		t.Errorf("capped table kept %d of %d cited events", got, len(r.Findings[0].Evidence))
	}
	if !strings.Contains(doc, `id="ev-capped"`) || !strings.Contains(doc, "Events per source") {
		t.Errorf("a capped table must say so and summarise per source")
	}
	// Per-source totals count every event, not only the embedded ones.
	if !strings.Contains(doc, thousands(20000)+" events") {
		t.Errorf("page does not state the full event count")
	}
}

func TestRenderEventByteBudget(t *testing.T) {
	r := synth.Bulk(30000)
	const budget = 300_000
	doc := render(t, r, Options{MaxEventBytes: budget})
	d, cols := readData(t, doc)
	if len(d.Events.GZ) > budget || len(d.Events.GZ) < budget/2 {
		t.Errorf("encoded table is %d bytes, want at most %d and not far below", len(d.Events.GZ), budget)
	}
	if d.Events.Embedded >= 30000 || len(cols.X) != d.Events.Embedded {
		t.Errorf("embedded %d (rows %d): the budget should have cut the table", d.Events.Embedded, len(cols.X))
	}
	if got := len(d.Events.Evidence["test-bulk-0123456789ab"]); got != len(r.Findings[0].Evidence) {
		t.Errorf("cut table kept %d of %d cited events", got, len(r.Findings[0].Evidence))
	}
	if !strings.Contains(doc, "their text reached the size budget") {
		t.Errorf("page does not say the table was cut by size")
	}
}

// TestRenderManyFindings: thousands of findings keep the page readable and
// within budget: the first ones in full, the rest a row each, a bounded
// number of diagrams and evidence rows.
func TestRenderManyFindings(t *testing.T) {
	r := synth.ManyFindings(synth.Bulk(20000), 3000)
	o := Options{}.withDefaults()
	doc := render(t, r, Options{})
	if n := strings.Count(doc, `<article class="finding`); n != o.MaxFindings {
		t.Errorf("%d findings in full, want %d", n, o.MaxFindings)
	}
	if n := strings.Count(doc, `<tr class="finding-row"`); n != o.MaxFindingRows {
		t.Errorf("%d findings as rows, want %d", n, o.MaxFindingRows)
	}
	if n := strings.Count(doc, `<figure class="diagram`); n > o.MaxDiagrams+1 {
		t.Errorf("%d diagrams, want at most %d and the timeline", n, o.MaxDiagrams)
	}
	if n := strings.Count(doc, `<td class="src"`); n > o.MaxEvidenceTotal+o.MaxFindings*o.EvidenceRows {
		t.Errorf("%d evidence rows rendered", n)
	}
	if n := strings.Count(doc, `<li data-finding=`); n != maxVerdictItems {
		t.Errorf("verdict lists %d findings, want %d", n, maxVerdictItems)
	}
	for _, want := range []string{"… and 2\u202f991 more findings below.", "1\u202f000 more findings</h3>", "1\u202f901 further findings are not listed", "are shown without a diagram", "The timeline draws the 200 most severe findings"} {
		if !strings.Contains(doc, want) {
			t.Errorf("page does not say %q", want)
		}
	}
	if len(doc) > 3_000_000 {
		t.Errorf("page is %d bytes", len(doc))
	}
	t.Logf("%d findings, 20k events: %d bytes", len(r.Findings), len(doc))

	// With 100 k events as well, the event table gives way.
	if testing.Short() {
		return
	}
	r = synth.ManyFindings(synth.Bulk(100_000), 3000)
	doc = render(t, r, Options{})
	d, _ := readData(t, doc)
	t.Logf("%d findings, 100k events: %d bytes, %d events in the table", len(r.Findings), len(doc), d.Events.Embedded)
	if len(doc) > 3_000_000 {
		t.Errorf("page is %d bytes, budget 3 MB", len(doc))
	}
	if d.Events.Embedded >= 100_000 || d.Events.Embedded < 20_000 {
		t.Errorf("%d events in the table: want the table cut, not emptied", d.Events.Embedded)
	}
}

// TestRender100kSize holds the size budget: 100 000 events in at most 3 MB.
func TestRender100kSize(t *testing.T) {
	if testing.Short() {
		t.Skip("100 k events: skipped in -short")
	}
	r := synth.Bulk(100_000)
	doc := render(t, r, Options{})
	d, cols := readData(t, doc)
	if d.Events.Embedded != 100_000 || len(cols.X) != 100_000 {
		t.Fatalf("embedded %d events, want all 100000", d.Events.Embedded)
	}
	const budget = 3_000_000
	t.Logf("100k events: %d bytes (%.2f MB), %.1f bytes/event", len(doc), float64(len(doc))/(1<<20), float64(len(doc))/100_000)
	if len(doc) > budget {
		t.Fatalf("page is %d bytes, budget %d", len(doc), budget)
	}
}

func TestBindingLane(t *testing.T) {
	r := synth.FIPReuseLocktime()
	o := Options{}.withDefaults()
	ctx := &diagramCtx{tl: r.Timeline, o: &o}
	var stale, lock *Diagram
	for i := range r.Findings {
		switch r.Findings[i].Detector {
		case "stale-mac":
			stale = diagramFor(ctx, &r.Findings[i])
		case "garp-locktime":
			lock = diagramFor(ctx, &r.Findings[i])
		}
	}
	if stale == nil || stale.Kind != "binding-lane" {
		t.Fatalf("stale-mac diagram: %+v", stale)
	}
	for class, want := range map[string]int{"garp": 3, "garp-tick": 3, "locktime": 3, "bind-old": 1, "bind-new": 1, "use-old": 1, "use-before": 1, "syn": 16, "missing": 1, "due": 1, "move": 1} {
		if got := classCount(stale, class); got != want {
			t.Errorf("stale-mac lane: %d %q shapes, want %d", got, class, want)
		}
	}
	tx := labels(stale)
	for _, want := range []string{"old MAC", "fa:16:3e:11:11:11", "new MAC", "fa:16:3e:22:22:22", "observer → 172.24.5.11",
		"312 frames to the OLD MAC after the move (45 SYNs)", "none sent", "due by move + 15 s — none sent", "moved 17:09:10.000", "1.000 s", "3 announcements (garp-reply-other-tha)"} {
		if !strings.Contains(tx, want) {
			t.Errorf("stale-mac lane lacks the label %q; labels:\n%s", want, tx)
		}
	}
	if classCount(stale, "bad") != 4 { // two spacings, each a line and a label, both ≤ locktime
		t.Errorf("spacings ≤ locktime not marked: %d", classCount(stale, "bad"))
	}
	if lock == nil || lock.Kind != "binding-lane" || classCount(lock, "garp") != 3 || classCount(lock, "use-old") != 0 {
		t.Errorf("garp-locktime diagram: %+v", lock)
	}
}

func TestGenericDiagramFallback(t *testing.T) {
	r := synth.FIPReuseLocktime()
	o := Options{}.withDefaults()
	ctx := &diagramCtx{tl: r.Timeline, o: &o}
	for i := range r.Findings {
		f := r.Findings[i]
		if f.Detector != "test-log" {
			continue
		}
		d := diagramFor(ctx, &f)
		if d == nil || d.Kind != "evidence-strip" {
			t.Fatalf("unknown detector: got %+v, want the evidence strip", d)
		}
		// A stale-mac finding without its subject falls back too.
		f.Detector, f.Subject = "stale-mac", nil
		if d := diagramFor(ctx, &f); d == nil || d.Kind != "evidence-strip" {
			t.Fatalf("stale-mac without a subject: got %+v", d)
		}
		// And a finding citing nothing gets no picture rather than an empty one.
		f.Evidence = nil
		if d := diagramFor(ctx, &f); d != nil {
			t.Fatalf("finding without evidence: got a %s diagram", d.Kind)
		}
	}
}

// TestRenderGolden pins the page's markup (the stylesheet and script bodies
// left out: they are checked in the browser). Rewrite with -update.
func TestRenderGolden(t *testing.T) {
	doc := render(t, synth.FIPReuseLocktime(), Options{})
	doc = regexp.MustCompile(`(?s)<style>.*?</style>`).ReplaceAllString(doc, "<style>…</style>")
	doc = regexp.MustCompile(`(?s)<script>.*?</script>`).ReplaceAllString(doc, "<script>…</script>")
	doc = regexp.MustCompile(`sha256-[^&]+`).ReplaceAllString(doc, "sha256-…")
	golden.Check(t, filepath.Join("testdata", "fip-reuse.golden.html"), doc)
}

func BenchmarkRender100k(b *testing.B) {
	r := synth.Bulk(100_000)
	c := contractOf(r)
	b.ReportAllocs()
	var size int
	for b.Loop() {
		var buf bytes.Buffer
		if err := Render(&buf, r, c, Options{}); err != nil {
			b.Fatal(err)
		}
		size = buf.Len()
	}
	b.SetBytes(int64(size))
	b.ReportMetric(float64(size), "page-bytes")
}

// TestRenderEdgeCases: odd results render (or fail with an error), never
// panic: nothing read, nothing readable, findings with no times or
// evidence, evidence pointing nowhere, text that is not UTF-8.
func TestRenderEdgeCases(t *testing.T) {
	empty := &analysis.Result{Timeline: timeline.Build(nil, nil)}
	unreadable := func() *analysis.Result {
		s := &timeline.Source{Path: "bad\xff.pcap", Kind: "unknown", Unreadable: true}
		s.Problemf(timeline.Pos{Offset: 24}, "truncated header \x1b[31m")
		return &analysis.Result{Timeline: timeline.Build([]*timeline.Source{s}, [][]timeline.Event{nil})}
	}
	odd := func() *analysis.Result {
		r := synth.FIPReuseLocktime()
		r.Findings = append(r.Findings,
			detect.Finding{ID: "odd-1", Detector: "stale-mac", Title: "no times, no evidence"},
			detect.Finding{ID: "odd-2", Detector: "mac-change", Title: "end before start", Start: synth.LocktimeStart, End: synth.LocktimeStart.Add(-time.Hour),
				Evidence: []detect.Evidence{{Source: "x", Pos: timeline.At(timeline.Pos{Line: 1}), Event: -1, Text: "a fact"}, {Source: "y", Pos: timeline.At(timeline.Pos{Frame: 9}), Event: 1 << 30, Text: "out of range"}}},
			detect.Finding{ID: "odd-3", Detector: "garp-locktime", Title: "bad subject", Start: synth.LocktimeStart, End: synth.LocktimeStart,
				Subject: synth.Subject("ip", "not an ip", "mac", "zz:zz"), Evidence: []detect.Evidence{detect.EventEvidence(r.Timeline, 0)}},
		)
		return r
	}
	for name, r := range map[string]*analysis.Result{"empty": empty, "unreadable": unreadable(), "odd": odd()} {
		t.Run(name, func(t *testing.T) {
			doc := render(t, r, Options{})
			readData(t, doc)
			if len(remoteRefs(t, doc)) > 0 {
				t.Errorf("remote references: %v", remoteRefs(t, doc))
			}
			if strings.Contains(doc, "\x1b") {
				t.Errorf("an escape character reached the page")
			}
		})
	}
	if !strings.Contains(render(t, empty, Options{}), "Nothing could be analysed") {
		t.Errorf("an empty run does not say nothing was analysed")
	}
	r := synth.FIPReuseLocktime()
	r.Findings[0].Subject.Set("duration_s", math.NaN())
	if err := Render(io.Discard, r, &schema.Report{Findings: []schema.Finding{{Subject: r.Findings[0].Subject}}}, Options{}); err == nil {
		t.Errorf("a NaN in a subject rendered without error")
	}
}

// Known-issue URLs become links only when they are https: a user catalog's
// javascript:, data: or http: URL stays text.
func TestKnownIssueLinksOnlyHTTPS(t *testing.T) {
	for url, link := range map[string]bool{
		"https://bugs.launchpad.net/neutron/+bug/1690165": true,
		"http://example.com/bug/1":                        false,
		"javascript:alert(1)":                             false,
		"data:text/html,<b>x</b>":                         false,
		"https:no-host":                                   false,
	} {
		r := synth.FIPReuseLocktime()
		r.Findings = append([]detect.Finding(nil), r.Findings...)
		r.Findings[0].KnownIssue = &detect.KnownIssue{ID: "k1", Title: "a known issue", URL: url}
		doc := render(t, r, Options{})
		i := strings.Index(doc, `<aside class="known-issue">`)
		if i < 0 {
			t.Fatalf("%s: no known-issue aside", url)
		}
		aside := doc[i : i+strings.Index(doc[i:], "</aside>")]
		if got := strings.Contains(aside, "<a class=\"url\" href="); got != link {
			t.Errorf("%s: link %v, want %v: %s", url, got, link, aside)
		}
		if strings.Contains(aside, "javascript:") && strings.Contains(aside, "href") {
			t.Errorf("javascript: URL in an href: %s", aside)
		}
	}
}

// Each finding with evidence gives the command that exports it.
func TestFindingsGiveTheExportCommand(t *testing.T) {
	r := synth.FIPReuseLocktime()
	doc := render(t, r, Options{Export: func(id string) string { return "arpforensics export " + id + " dir -o " + id + ".pcapng" }})
	for _, f := range r.Findings {
		if len(f.Evidence) > 0 && !strings.Contains(doc, "<code>arpforensics export "+f.ID+" dir -o "+f.ID+".pcapng</code>") {
			t.Errorf("no export command for %s", f.ID)
		}
	}
}
