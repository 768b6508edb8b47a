// Package html renders one analysed result as a single self-contained HTML
// file: inline CSS, JavaScript and server-drawn SVG, the result embedded once
// as JSON in a <script type="application/json"> block, and a
// Content-Security-Policy that forbids loading anything. It works from
// file:// with no network, with scripts disabled (everything but the event
// table and the filters), and on paper.
//
// Every piece of artifact text reaches the page through html/template (which
// escapes it for the context it lands in: element text, attribute, or the
// JSON block) or through the page script's textContent; neither ever treats
// it as markup.
package html

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/arpforensics/arpforensics/analysis"
	"github.com/arpforensics/arpforensics/detect"
	"github.com/arpforensics/arpforensics/internal/safetext"
	"github.com/arpforensics/arpforensics/report/schema"
	"github.com/arpforensics/arpforensics/timeline"
)

//go:embed page.tmpl
var pageTemplate string

//go:embed report.css
var pageCSS string

//go:embed report.js
var pageJS string

var tmpl = template.Must(template.New("page").Funcs(template.FuncMap{
	"n":     num,
	"thous": thousands,
	"upper": strings.ToUpper,
}).Parse(pageTemplate))

// csp allows exactly the page's own stylesheet and script (by hash) and
// nothing else: no fetch, no image, no font, no frame, no form target. The
// hashes change only when report.css or report.js change.
var csp = "default-src 'none'; script-src " + hashSource(pageJS) + "; style-src " + hashSource(pageCSS) +
	"; img-src 'none'; base-uri 'none'; form-action 'none'"

func hashSource(s string) string {
	h := sha256.Sum256([]byte(s))
	return "'sha256-" + base64.StdEncoding.EncodeToString(h[:]) + "'"
}

// Options tune the page. The zero value takes the defaults.
type Options struct {
	// EventCap is the most events the event table embeds (default 100 000).
	// Past it the table keeps every cited event, then events during the
	// findings, then the earliest others, and the page says so; per-source
	// counts always cover every event.
	EventCap int
	// TextCap shortens one event's text to this many characters (default 400).
	TextCap int
	// TextBudget bounds the table's text bytes before compression
	// (default 24 MiB), so pathological lines cannot blow up the file.
	TextBudget int
	// MaxEventBytes bounds the encoded table (default 2.6 MB): past it the
	// table is cut down until it fits. MaxPageBytes (default 3 MB) bounds
	// the whole page: when findings and diagrams take more room, the event
	// table gets less.
	MaxEventBytes, MaxPageBytes int
	// Grace and Locktime are the kernel timings the stale-MAC diagram
	// draws against (defaults: detect.Defaults()).
	Grace, Locktime time.Duration
	// EvidenceRows is how many evidence rows a finding shows before "more"
	// (default 8); EvidenceMax how many it renders at all (default 200; the
	// event table holds the rest).
	EvidenceRows, EvidenceMax int
	// Runs with thousands of findings stay readable and small. Findings
	// come highest severity first; the first MaxFindings (default 100) are
	// shown in full, the next MaxFindingRows (default 1000) as one table
	// row each, the rest only in the JSON block. Past MaxDiagrams (default
	// 40) findings get no diagram, past MaxEvidenceTotal rendered evidence
	// rows (default 3000) findings list only their first EvidenceRows, and
	// the swimlane draws at most MaxLaneFindings spans (default 200). The
	// page says what it cut.
	MaxFindings, MaxFindingRows, MaxDiagrams, MaxEvidenceTotal, MaxLaneFindings int
	// Export, when set, gives the command that writes a finding's evidence
	// out (arpforensics export); each finding with evidence shows it.
	Export func(id string) string
}

func (o Options) withDefaults() Options {
	d := detect.Defaults()
	orDefault(&o.EventCap, 100_000)
	orDefault(&o.MaxEventBytes, 2_600_000)
	orDefault(&o.MaxPageBytes, 3_000_000)
	orDefault(&o.TextCap, 400)
	orDefault(&o.TextBudget, 24<<20)
	orDefault(&o.Grace, d.Grace)
	orDefault(&o.Locktime, d.Locktime)
	orDefault(&o.EvidenceRows, 8)
	orDefault(&o.EvidenceMax, 200)
	orDefault(&o.MaxFindings, 100)
	orDefault(&o.MaxDiagrams, 40)
	orDefault(&o.MaxEvidenceTotal, 3000)
	orDefault(&o.MaxLaneFindings, 200)
	orDefault(&o.MaxFindingRows, 1000)
	return o
}

// orDefault sets *v to def unless *v is positive (set by the caller).
func orDefault[T int | time.Duration](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}

// Render writes the page for r. contract is the JSON report of r
// (report.Build), embedded as the "report" member of the data block so a
// script can pull the machine-readable result out of the HTML.
func Render(w io.Writer, r *analysis.Result, contract *schema.Report, o Options) error {
	o = o.withDefaults()
	p := buildPage(r, &o)
	tables := eventTables{}
	var buf bytes.Buffer
	for attempt := 0; ; attempt++ {
		events, err := tables.build(r, &o)
		if err != nil {
			return err
		}
		if err := p.setEvents(r, contract, events); err != nil {
			return err
		}
		buf.Reset()
		if err := tmpl.Execute(&buf, p); err != nil {
			return fmt.Errorf("html report: %w", err)
		}
		// Over the page budget with a compressed event table: give the
		// table what the rest of the page leaves, and build it again. The
		// rest of the page does not change, and a table tried before is not
		// built twice.
		excess := buf.Len() - o.MaxPageBytes
		gz := len(p.events.GZ)
		if excess <= 0 || gz == 0 || attempt == 2 {
			break
		}
		o.MaxEventBytes = max(gz-excess-32<<10, 64<<10)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

type page struct {
	CSP      string
	CSS      template.CSS
	JS       template.JS
	Title    string
	Data     encodedJSON
	Analysed analysedView
	Verdict  verdictView
	Timeline *Diagram
	Filters  filtersView
	Findings []*findingView
	// MoreFindings are the findings past MaxFindings, one row each.
	MoreFindings []*findingView
	Events       eventsView
	Sources      []sourceView
	Detector     []detectorView
	Cut          cutView

	events  *EventTable // the table the data block carries
	tf      timeFormatter
	multi   bool // the run spans more than one day
	textCap int
}

// cutView counts what the page left out to stay readable.
type cutView struct {
	NoDiagram, NotInLane, Unlisted int
	Diagrams, InLane               int // the limits that cut
}

type pageData struct {
	Report *schema.Report `json:"report"`
	Events *EventTable    `json:"events"`
	Multi  bool           `json:"multiday"` // the span crosses midnight UTC: show dates
}

// encodedJSON is data marshalled once, up front, so a value JSON cannot
// represent (a NaN in a subject) is an error here rather than a broken
// page; html/template still escapes the bytes for the script element.
type encodedJSON []byte

func (e encodedJSON) MarshalJSON() ([]byte, error) { return e, nil }

type analysedView struct {
	Sources, Skipped, Hosts, Events int
	Errors, Notes                   int
	Kinds                           string // "pcap, neigh"
	HostList                        []string
	First, Last, Span               string
	Empty                           bool
}

type verdictView struct {
	Level    string // high, medium, low, info, clean, unreadable
	Headline string // "3 findings: 1 high, 2 info"
	Lead     string // the top finding's title
	Gist     string // the first sentence of its explanation
	Items    []*findingView
	More     int // findings not listed in Items
	Count    int // every finding
}

// maxVerdictItems is how many findings the verdict lists by title.
const maxVerdictItems = 10

type filtersView struct {
	Sources    []filterSource
	Detectors  []filterCount
	Severities []filterCount
	From, To   string
}

type filterSource struct {
	Index       int
	Label, Path string
	Host        string
}

type filterCount struct {
	Name  string
	Count int
}

type findingView struct {
	ID, Anchor           string
	Detector             string
	Severity, Confidence string
	Title                string
	When, Duration       string
	StartUS, EndUS       int64
	Subject              []kv
	Paragraphs           []string
	KnownIssue           *detect.KnownIssue
	IssueLink            bool   // KnownIssue.URL is https: and becomes a link
	Export               string // the command that exports its evidence
	Diagram              *Diagram
	Evidence             []evidenceRow
	MoreEvidence         []evidenceRow
	OmittedEvidence      int
	EvidenceTotal        int
	Sources              string // source indexes its evidence comes from, space-separated
}

type kv struct{ Key, Value string }

type evidenceRow struct {
	Source, Path, Pos, Time, FullTime, Text string
}

type eventsView struct {
	Total, Embedded, Cap, Clipped int
	Capped, BySize                bool
	PerSource                     []sourceCountView
	TextCap                       int
}

type sourceCountView struct {
	Label          string
	Total, InTable int
	Kinds          string
}

type sourceView struct {
	Index                       int
	Path, Kind, Host            string
	Records, Events, Skipped    int64
	First, Last                 string
	SkipReason                  string
	Unreadable                  bool
	Offset                      string
	Problems                    []problemView
	MoreProblems, Errors, Notes int
	InTable                     int
}

type problemView struct{ Pos, Level, Message string }

type detectorView struct{ Name, Describe string }

// maxProblemsShown per source; the JSON block lists all of them.
const maxProblemsShown = 50

// buildPage builds everything but the event table (setEvents).
func buildPage(r *analysis.Result, o *Options) *page {
	tl := r.Timeline
	first, last := tl.Span()
	multi := !first.IsZero() && first.UTC().YearDay() != last.UTC().YearDay()
	tf := timeFormatter{multi: multi}
	p := &page{CSP: csp, CSS: template.CSS(pageCSS), JS: template.JS(pageJS), tf: tf, multi: multi, textCap: o.TextCap}
	p.Analysed = buildAnalysed(r, first, last)
	p.Title = "arpforensics: " + verdictTitle(r)

	ctx := &diagramCtx{tl: tl, o: o}
	ctx.prefetch(r.Findings[:min(len(r.Findings), o.MaxFindings+o.MaxFindingRows)])
	rowsLeft := o.MaxEvidenceTotal
	for i := range r.Findings {
		if i >= o.MaxFindings+o.MaxFindingRows {
			p.Cut.Unlisted++
			continue
		}
		if i >= o.MaxFindings {
			p.MoreFindings = append(p.MoreFindings, buildFindingRow(ctx, &r.Findings[i], tf))
			continue
		}
		fv := buildFinding(ctx, &r.Findings[i], tf, o, i < o.MaxDiagrams, rowsLeft)
		rowsLeft -= len(fv.Evidence) + len(fv.MoreEvidence)
		p.Findings = append(p.Findings, fv)
	}
	p.Cut.NoDiagram = max(0, min(len(r.Findings), o.MaxFindings)-o.MaxDiagrams)
	p.Cut.NotInLane = max(0, len(r.Findings)-o.MaxLaneFindings)
	p.Cut.Diagrams, p.Cut.InLane = o.MaxDiagrams, o.MaxLaneFindings
	p.Verdict = buildVerdict(r, p.Findings)
	p.Timeline = swimlane(tl, r.Findings[:min(len(r.Findings), o.MaxLaneFindings)], first, last)
	p.Filters = buildFilters(r, tf, first, last)
	for _, d := range detect.All() {
		p.Detector = append(p.Detector, detectorView{Name: d.Name(), Describe: d.Describe()})
	}
	return p
}

// setEvents puts the event table on the page: the data block that carries
// it, its summary and the sources' counts.
func (p *page) setEvents(r *analysis.Result, contract *schema.Report, events *EventTable) error {
	data, err := json.Marshal(pageData{Report: contract, Events: events, Multi: p.multi})
	if err != nil {
		return fmt.Errorf("html report: encoding the data block: %w", err)
	}
	p.Data, p.events = data, events
	p.Events = eventsView{
		Total: events.Total, Embedded: events.Embedded, Cap: events.Cap, Clipped: events.Clipped,
		Capped: events.Embedded < events.Total, BySize: events.BySize, TextCap: p.textCap,
	}
	p.Sources = p.Sources[:0]
	for i, s := range r.Timeline.Sources {
		c := events.PerSource[i]
		p.Events.PerSource = append(p.Events.PerSource, sourceCountView{
			Label: safetext.Terminal(s.Path), Total: c.Total, InTable: c.Embedded, Kinds: kindCounts(c.ByKind),
		})
		p.Sources = append(p.Sources, buildSource(i, s, c, p.tf))
	}
	return nil
}

func verdictTitle(r *analysis.Result) string {
	if len(r.Findings) == 0 {
		return "no findings"
	}
	return safetext.Terminal(r.Findings[0].Title)
}

func buildAnalysed(r *analysis.Result, first, last time.Time) analysedView {
	a := analysedView{Events: r.Timeline.Len()}
	hosts := map[string]bool{}
	kinds := map[string]bool{}
	var kindList []string
	for _, s := range r.Timeline.Sources {
		if !s.Analysed() {
			a.Skipped++
		} else {
			a.Sources++
			hosts[s.Host] = true
			if !kinds[s.Kind] {
				kinds[s.Kind] = true
				kindList = append(kindList, s.Kind)
			}
		}
		for _, pr := range s.Problems {
			if pr.Level == timeline.LevelNote {
				a.Notes++
			} else {
				a.Errors++
			}
		}
	}
	for h := range hosts {
		a.HostList = append(a.HostList, hostLabel(h))
	}
	slices.Sort(a.HostList)
	a.Hosts = len(a.HostList)
	a.Kinds = strings.Join(kindList, ", ")
	if first.IsZero() {
		a.Empty = true
		return a
	}
	a.First = first.UTC().Format("2006-01-02 15:04:05.000000")
	if first.UTC().YearDay() == last.UTC().YearDay() && first.Year() == last.Year() {
		a.Last = last.UTC().Format("15:04:05.000000")
	} else {
		a.Last = last.UTC().Format("2006-01-02 15:04:05.000000")
	}
	a.Span = duration(last.Sub(first))
	return a
}

func buildVerdict(r *analysis.Result, fs []*findingView) verdictView {
	v := verdictView{Items: fs[:min(len(fs), maxVerdictItems)], Count: len(r.Findings)}
	v.More = v.Count - len(v.Items)
	switch {
	case !r.Readable():
		v.Level, v.Headline = "unreadable", "Nothing could be analysed"
		v.Lead = "None of the inputs could be read; the sources below say why."
		return v
	case v.Count == 0:
		v.Level, v.Headline = "clean", "No findings"
		v.Lead = fmt.Sprintf("%d detector(s) checked %s event(s) and found nothing wrong.",
			len(detect.All()), thousands(r.Timeline.Len()))
		return v
	}
	counts := map[string]int{}
	for i := range r.Findings {
		counts[r.Findings[i].Severity.String()]++
	}
	var parts []string
	for _, s := range []string{"high", "medium", "low", "info"} {
		if c := counts[s]; c > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c, s))
		}
	}
	if v.Count == 1 {
		v.Headline = "1 finding: " + parts[0]
	} else {
		v.Headline = fmt.Sprintf("%d findings: %s", v.Count, strings.Join(parts, ", "))
	}
	top := fs[0]
	v.Level = top.Severity
	v.Lead = top.Title
	if len(top.Paragraphs) > 0 {
		v.Gist = firstSentence(top.Paragraphs[0])
	}
	return v
}

// firstSentence cuts s after its first full stop followed by a space, or at
// 300 characters when no sentence ends within 420.
func firstSentence(s string) string {
	if i := strings.Index(s, ". "); i >= 0 && i < 420 {
		return s[:i+1]
	}
	if r := []rune(s); len(r) > 300 {
		return string(r[:300]) + "…"
	}
	return s
}

func buildFilters(r *analysis.Result, tf timeFormatter, first, last time.Time) filtersView {
	var f filtersView
	for i, s := range r.Timeline.Sources {
		if !s.Analysed() {
			continue
		}
		f.Sources = append(f.Sources, filterSource{Index: i, Label: sourceLabel(s), Path: safetext.Terminal(s.Path), Host: safetext.Terminal(s.Host)})
	}
	det := map[string]int{}
	sev := map[string]int{}
	for _, fd := range r.Findings {
		det[fd.Detector]++
		sev[fd.Severity.String()]++
	}
	for _, d := range sortedKeys(det) {
		f.Detectors = append(f.Detectors, filterCount{d, det[d]})
	}
	for _, s := range []string{"high", "medium", "low", "info"} {
		f.Severities = append(f.Severities, filterCount{s, sev[s]})
	}
	if !first.IsZero() {
		f.From, f.To = tf.full(first), tf.full(last)
	}
	return f
}

// buildFindingRow prepares a finding shown as one table row: what the
// filters need, its title, when, and how much evidence it cites.
func buildFindingRow(ctx *diagramCtx, f *detect.Finding, tf timeFormatter) *findingView {
	o := Options{EvidenceRows: 1, EvidenceMax: 1}
	v := buildFinding(ctx, f, tf, &o, false, 0)
	v.Evidence, v.MoreEvidence, v.Paragraphs = nil, nil, nil
	return v
}

// buildFinding prepares one finding. Without withDiagram it gets none; it
// renders at most rowsLeft evidence rows beyond its first EvidenceRows.
func buildFinding(ctx *diagramCtx, f *detect.Finding, tf timeFormatter, o *Options, withDiagram bool, rowsLeft int) *findingView {
	v := &findingView{
		ID: f.ID, Anchor: "f-" + f.ID, Detector: f.Detector,
		Severity: f.Severity.String(), Confidence: f.Confidence.String(),
		Title:   safetext.Terminal(f.Title),
		StartUS: micros(f.Start), EndUS: micros(f.End),
		KnownIssue: f.KnownIssue,
	}
	if v.EndUS < v.StartUS {
		v.EndUS = v.StartUS
	}
	v.When = tf.full(f.Start)
	if f.End.After(f.Start) {
		v.When += " – " + tf.clock(f.End)
		v.Duration = duration(f.End.Sub(f.Start))
	}
	for _, s := range f.Subject {
		v.Subject = append(v.Subject, kv{s.Key, safetext.Terminal(fmt.Sprint(s.Value))})
	}
	for _, para := range strings.Split(strings.TrimSpace(f.Explanation), "\n\n") {
		if para = strings.TrimSpace(para); para != "" {
			v.Paragraphs = append(v.Paragraphs, safetext.Terminal(strings.ReplaceAll(para, "\n", " ")))
		}
	}
	if f.KnownIssue != nil {
		k := *f.KnownIssue
		k.ID, k.Title, k.FixedIn, k.URL = safetext.Terminal(k.ID), safetext.Terminal(k.Title), safetext.Terminal(k.FixedIn), safetext.Terminal(k.URL)
		v.KnownIssue = &k
		// Only https: links: a catalog is user-supplied, and javascript:,
		// data: or plain http: URLs stay text.
		if u, err := url.Parse(f.KnownIssue.URL); err == nil && u.Scheme == "https" && u.Host != "" {
			v.IssueLink = true
		}
	}
	if o.Export != nil && len(f.Evidence) > 0 {
		v.Export = safetext.Terminal(o.Export(f.ID))
	}
	srcs := map[int32]bool{}
	v.EvidenceTotal = len(f.Evidence)
	for i, e := range f.Evidence {
		if e.Event >= 0 && e.Event < ctx.tl.Len() {
			srcs[ctx.tl.Record(e.Event).Src] = true
		}
		if i >= o.EvidenceMax || (i >= o.EvidenceRows && i >= rowsLeft) {
			v.OmittedEvidence++
			continue
		}
		row := evidenceRow{
			Source: shortPath(e.Source), Path: e.Source,
			Pos: e.Pos.String(), Time: tf.clock(e.Time), FullTime: tf.full(e.Time), Text: e.Text,
		}
		row.Source, row.Path, row.Pos, row.Text = safetext.Terminal(row.Source), safetext.Terminal(row.Path), safetext.Terminal(row.Pos), safetext.Terminal(row.Text)
		if i < o.EvidenceRows {
			v.Evidence = append(v.Evidence, row)
		} else {
			v.MoreEvidence = append(v.MoreEvidence, row)
		}
	}
	var ids []string
	for s := range srcs {
		ids = append(ids, strconv.Itoa(int(s)))
	}
	slices.Sort(ids)
	v.Sources = strings.Join(ids, " ")
	if withDiagram {
		v.Diagram = diagramFor(ctx, f)
	}
	return v
}

func buildSource(i int, s *timeline.Source, c SourceCount, tf timeFormatter) sourceView {
	kind := s.Kind
	if s.Compression != "" {
		kind += " (" + s.Compression + ")"
	}
	v := sourceView{
		Index: i, Path: safetext.Terminal(s.Path), Kind: safetext.Terminal(kind), Host: safetext.Terminal(s.Host),
		Records: s.Records, Events: int64(c.Total), Skipped: s.Skipped,
		SkipReason: safetext.Terminal(s.SkipReason), Unreadable: s.Unreadable, InTable: c.Embedded,
	}
	if !s.First.IsZero() {
		v.First, v.Last = tf.full(s.First), tf.full(s.Last)
	}
	if s.Offset != 0 {
		v.Offset = s.Offset.String()
	}
	for j, pr := range s.Problems {
		if pr.Level == timeline.LevelNote {
			v.Notes++
		} else {
			v.Errors++
		}
		if j >= maxProblemsShown {
			v.MoreProblems++
			continue
		}
		v.Problems = append(v.Problems, problemView{Pos: pr.Pos.String(), Level: pr.Level.String(), Message: safetext.Terminal(pr.Message)})
	}
	return v
}

// hostLabel names a host for the page: artifacts nothing assigned to a host
// (timeline.DefaultHost) belong to "no host label".
func hostLabel(h string) string {
	if h == timeline.DefaultHost {
		return "no host label"
	}
	return safetext.Terminal(h)
}

// hostPhrase is a host as prose says it: "the host" for the default one.
func hostPhrase(h string) string {
	if h == timeline.DefaultHost {
		return "the host"
	}
	return safetext.Terminal(h)
}

// sourceLabel is the short name a lane or filter shows: the file name, with
// its parent directory when that is all that tells two captures apart.
func sourceLabel(s *timeline.Source) string { return shortPath(s.Path) }

// shortPath is a path's file name with its parent directory (CI trees name
// the node in the directory: logs/compute-1/tcpdump.pcap).
func shortPath(p string) string {
	p = strings.ReplaceAll(p, "\\", "/")
	base := path.Base(p)
	if dir := path.Base(path.Dir(p)); dir != "." && dir != "/" && dir != "" {
		base = dir + "/" + base
	}
	return safetext.Terminal(base)
}

func kindCounts(m map[string]int) string {
	var parts []string
	for _, k := range sortedKeys(m) {
		parts = append(parts, fmt.Sprintf("%s %s", k, thousands(m[k])))
	}
	return strings.Join(parts, ", ")
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// thousands groups digits with thin spaces: 100 000.
func thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString("\u202f")
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// timeFormatter prints times as the page shows them: UTC time of day with
// µs, and the date too when the analysed span crosses midnight.
type timeFormatter struct{ multi bool }

func (f timeFormatter) clock(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	if f.multi {
		return t.UTC().Format("01-02 15:04:05.000000")
	}
	return t.UTC().Format("15:04:05.000000")
}

func (f timeFormatter) full(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05.000000")
}
