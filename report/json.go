// Package report renders one analysed result: text for people, JSON, JUnit
// XML and NDJSON for machines, and a self-contained HTML file to share. Every
// renderer reads the same analysis.Result; none analyses anything.
package report

import (
	"encoding/json"
	"io"
	"time"

	"github.com/arpforensics/arpforensics/analysis"
	"github.com/arpforensics/arpforensics/detect"
	"github.com/arpforensics/arpforensics/timeline"
)

// Schema names the JSON report's version. It changes only with a breaking
// change to the contract; additions keep it.
const Schema = "arpforensics.report/v1"

// Report is the JSON contract (ARCHITECTURE.md, "JSON report"). Fields
// beyond the contract are additions, never changes.
type Report struct {
	Schema   string    `json:"schema"`
	Sources  []Source  `json:"sources"`
	Findings []Finding `json:"findings"`
	Summary  Summary   `json:"summary"`
	Notes    []string  `json:"notes,omitempty"`
}

type Source struct {
	Path        string    `json:"path"`
	Kind        string    `json:"kind"`
	Host        string    `json:"host"`
	Records     int64     `json:"records"`
	Events      int64     `json:"events"`
	Skipped     int64     `json:"skipped"`
	Folded      int64     `json:"folded"`
	Derived     int64     `json:"derived"`
	BadRecords  int64     `json:"bad_records"`
	First       *string   `json:"first"`
	Last        *string   `json:"last"`
	Problems    []Problem `json:"problems"`
	Compression string    `json:"compression,omitempty"`
	SkipReason  string    `json:"skip_reason,omitempty"`
	Unreadable  bool      `json:"unreadable,omitempty"`
	OffsetS     float64   `json:"offset_s,omitempty"`
}

type Problem struct {
	Pos     string `json:"pos"`
	Message string `json:"message"`
	Level   string `json:"level"`
}

type Finding struct {
	ID          string             `json:"id"`
	Detector    string             `json:"detector"`
	Severity    string             `json:"severity"`
	Confidence  string             `json:"confidence"`
	Title       string             `json:"title"`
	Start       string             `json:"start"`
	End         string             `json:"end"`
	Subject     detect.Subject     `json:"subject"`
	Evidence    []Evidence         `json:"evidence"`
	Explanation string             `json:"explanation"`
	KnownIssue  *detect.KnownIssue `json:"known_issue,omitempty"`
}

type Evidence struct {
	Source string `json:"source"`
	Pos    string `json:"pos"`
	Time   string `json:"time"`
	Text   string `json:"text"`
}

type Summary struct {
	Events     int            `json:"events"`
	Findings   int            `json:"findings"`
	BySeverity map[string]int `json:"by_severity"`
}

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
func Build(r *analysis.Result) *Report {
	rep := &Report{Schema: Schema, Sources: []Source{}, Findings: []Finding{}, Notes: r.Notes}
	for _, s := range r.Timeline.Sources {
		rep.Sources = append(rep.Sources, buildSource(s))
	}
	for i := range r.Findings {
		rep.Findings = append(rep.Findings, BuildFinding(&r.Findings[i]))
	}
	rep.Summary = Summary{
		Events:     r.Timeline.Len(),
		Findings:   len(r.Findings),
		BySeverity: map[string]int{"high": 0, "medium": 0, "low": 0, "info": 0},
	}
	for _, f := range r.Findings {
		rep.Summary.BySeverity[f.Severity.String()]++
	}
	return rep
}

func buildSource(s *timeline.Source) Source {
	out := Source{
		Path: s.Path, Kind: s.Kind, Host: s.Host,
		Records: s.Records, Events: s.Events, Skipped: s.Skipped,
		Folded: s.Folded, Derived: s.Derived, BadRecords: s.BadRecords,
		First: timePtr(s.First), Last: timePtr(s.Last),
		Problems:    []Problem{},
		Compression: s.Compression, SkipReason: s.SkipReason, Unreadable: s.Unreadable,
		OffsetS: s.Offset.Seconds(),
	}
	for _, p := range s.Problems {
		out.Problems = append(out.Problems, Problem{Pos: p.Pos.String(), Message: p.Message, Level: p.Level.String()})
	}
	return out
}

// BuildFinding converts one finding (also used by the NDJSON renderer).
func BuildFinding(f *detect.Finding) Finding {
	out := Finding{
		ID: f.ID, Detector: f.Detector, Severity: f.Severity.String(), Confidence: f.Confidence.String(),
		Title: f.Title, Start: Time(f.Start), End: Time(f.End), Subject: f.Subject,
		Evidence: []Evidence{}, Explanation: f.Explanation, KnownIssue: f.KnownIssue,
	}
	if out.Subject == nil {
		out.Subject = detect.Subject{}
	}
	for _, e := range f.Evidence {
		out.Evidence = append(out.Evidence, Evidence{Source: e.Source, Pos: e.Pos, Time: Time(e.Time), Text: e.Text})
	}
	return out
}

// JSON writes the report, indented, with a final newline.
func JSON(w io.Writer, r *analysis.Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(Build(r))
}
