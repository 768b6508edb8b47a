// Package schema holds the JSON report's contract (ARCHITECTURE.md, "JSON
// report"): the types report.Build fills from a result, which the JSON and
// NDJSON renderers write and the HTML renderer embeds. It is a leaf below
// both renderers, so each takes the contract by its type.
package schema

import "github.com/arpforensics/arpforensics/detect"

// Version names the JSON report's version, its "schema" member. It
// changes only with a breaking change to the contract; additions keep it.
const Version = "arpforensics.report/v1"

// Report is the JSON contract (ARCHITECTURE.md, "JSON report"). Fields
// beyond the contract are additions, never changes.
type Report struct {
	Schema   string    `json:"schema"`
	Sources  []Source  `json:"sources"`
	Findings []Finding `json:"findings"`
	Summary  Summary   `json:"summary"`
	Notes    []string  `json:"notes,omitempty"`
}

// Source is one file or member read, and what became of it.
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

// Problem is one problem or note on a source, at its position.
type Problem struct {
	Pos     string `json:"pos"`
	Message string `json:"message"`
	Level   string `json:"level"`
}

// Finding is one finding of a detector, with the evidence it cites.
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
	Witnesses   []string           `json:"witnesses,omitempty"`
}

// Evidence is one record or fact a finding cites.
type Evidence struct {
	Source string `json:"source"`
	Pos    string `json:"pos"`
	Time   string `json:"time"`
	Text   string `json:"text"`
}

// Summary counts the events and the findings by severity.
type Summary struct {
	Events     int            `json:"events"`
	Findings   int            `json:"findings"`
	BySeverity map[string]int `json:"by_severity"`
}
