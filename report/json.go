// Package report renders one analysed result: text for people, JSON, JUnit
// XML and NDJSON for machines, and a self-contained HTML file to share. Every
// renderer reads the same analysis.Result; none analyses anything.
package report

import (
	"bufio"
	"encoding/json"
	"io"
	"time"

	"github.com/arpforensics/arpforensics/analysis"
	"github.com/arpforensics/arpforensics/detect"
	"github.com/arpforensics/arpforensics/report/schema"
	"github.com/arpforensics/arpforensics/timeline"
)

// Time formats a timestamp as the contract wants: RFC 3339, UTC, "Z".
func Time(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func timePtr(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := Time(t)
	return &s
}

// Build converts a result to the contract's structure.
func Build(r *analysis.Result) *schema.Report {
	rep := &schema.Report{Schema: schema.Version, Sources: []schema.Source{}, Findings: []schema.Finding{}, Notes: r.Notes}
	for _, s := range r.Timeline.Sources {
		rep.Sources = append(rep.Sources, buildSource(s))
	}
	for i := range r.Findings {
		rep.Findings = append(rep.Findings, BuildFinding(&r.Findings[i]))
	}
	rep.Summary = buildSummary(r)
	return rep
}

func buildSummary(r *analysis.Result) schema.Summary {
	sum := schema.Summary{
		Events:     r.Timeline.Len(),
		Findings:   len(r.Findings),
		BySeverity: map[string]int{"high": 0, "medium": 0, "low": 0, "info": 0},
	}
	for _, f := range r.Findings {
		sum.BySeverity[f.Severity.String()]++
	}
	return sum
}

func buildSource(s *timeline.Source) schema.Source {
	out := schema.Source{
		Path: s.Path, Kind: s.Kind, Host: s.Host,
		Records: s.Records, Events: s.Events, Skipped: s.Skipped,
		Folded: s.Folded, Derived: s.Derived, BadRecords: s.BadRecords,
		First: timePtr(s.First), Last: timePtr(s.Last),
		Problems:    []schema.Problem{},
		Compression: s.Compression, SkipReason: s.SkipReason, Unreadable: s.Unreadable,
		OffsetS: s.Offset.Seconds(),
	}
	for _, p := range s.Problems {
		out.Problems = append(out.Problems, schema.Problem{Pos: p.Pos.String(), Message: p.Message, Level: p.Level.String()})
	}
	return out
}

// BuildFinding converts one finding (also used by the NDJSON renderer).
func BuildFinding(f *detect.Finding) schema.Finding {
	out := schema.Finding{
		ID: f.ID, Detector: f.Detector, Severity: f.Severity.String(), Confidence: f.Confidence.String(),
		Title: f.Title, Start: Time(f.Start), End: Time(f.End), Subject: f.Subject,
		Evidence: []schema.Evidence{}, Explanation: f.Explanation, KnownIssue: f.KnownIssue, Witnesses: f.Witnesses,
	}
	if out.Subject == nil {
		out.Subject = detect.Subject{}
	}
	for _, e := range f.Evidence {
		out.Evidence = append(out.Evidence, schema.Evidence{Source: e.Source, Pos: e.Pos.String(), Time: Time(e.Time), Text: e.Text})
	}
	return out
}

// JSON writes the report, indented, with a final newline: the document
// Build describes, byte for byte as encoding/json indents it, but written a
// source and a finding at a time, so that a tree of many thousand files
// costs one entry's memory rather than the whole document's.
func JSON(w io.Writer, r *analysis.Result) error {
	jw := &jsonWriter{w: bufio.NewWriterSize(w, 64<<10)}
	jw.raw("{\n  \"schema\": ")
	jw.value(schema.Version, "  ")
	jw.raw(",\n  \"sources\": ")
	srcs := r.Timeline.Sources
	jw.array(len(srcs), func(i int) any { return buildSource(srcs[i]) })
	jw.raw(",\n  \"findings\": ")
	jw.array(len(r.Findings), func(i int) any { return BuildFinding(&r.Findings[i]) })
	jw.raw(",\n  \"summary\": ")
	jw.value(buildSummary(r), "  ")
	if len(r.Notes) > 0 {
		jw.raw(",\n  \"notes\": ")
		jw.value(r.Notes, "  ")
	}
	jw.raw("\n}\n")
	if jw.err != nil {
		return jw.err
	}
	return jw.w.Flush()
}

// jsonWriter writes the pieces of an indented JSON document, keeping the
// first error.
type jsonWriter struct {
	w   *bufio.Writer
	err error
}

func (j *jsonWriter) raw(s string) {
	if j.err == nil {
		_, j.err = j.w.WriteString(s)
	}
}

// value writes v indented as it would be nested at prefix.
func (j *jsonWriter) value(v any, prefix string) {
	if j.err != nil {
		return
	}
	b, err := json.MarshalIndent(v, prefix, "  ")
	if err != nil {
		j.err = err
		return
	}
	_, j.err = j.w.Write(b)
}

// array writes a top-level member's array of n elements, element i made
// only when it is written.
func (j *jsonWriter) array(n int, elem func(i int) any) {
	if n == 0 {
		j.raw("[]")
		return
	}
	j.raw("[")
	for i := range n {
		if i > 0 {
			j.raw(",")
		}
		j.raw("\n    ")
		j.value(elem(i), "    ")
	}
	j.raw("\n  ]")
}
