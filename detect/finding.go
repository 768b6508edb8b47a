// Package detect holds the detectors, one file each, the registry that runs
// them, their thresholds, and the Finding they produce. Detectors read a
// timeline and know nothing of how findings are shown.
package detect

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/arpforensics/arpforensics/timeline"
)

// Severity is how much a finding matters to a CI run.
type Severity uint8

const (
	Info Severity = iota
	Low
	Medium
	High
)

var severityNames = [...]string{Info: "info", Low: "low", Medium: "medium", High: "high"}

func (s Severity) String() string {
	if int(s) < len(severityNames) {
		return severityNames[s]
	}
	return "unknown"
}

func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	*s = v
	return err
}

// ParseSeverity reads "high", "medium", "low" or "info".
func ParseSeverity(s string) (Severity, error) {
	for i, n := range severityNames {
		if strings.EqualFold(s, n) {
			return Severity(i), nil
		}
	}
	return Info, fmt.Errorf("unknown severity %q (want high, medium, low or info)", s)
}

// Confidence is how sure the detector is of its reading of the evidence.
type Confidence uint8

const (
	ConfLow Confidence = iota
	ConfMedium
	ConfHigh
)

var confidenceNames = [...]string{ConfLow: "low", ConfMedium: "medium", ConfHigh: "high"}

func (c Confidence) String() string {
	if int(c) < len(confidenceNames) {
		return confidenceNames[c]
	}
	return "unknown"
}

func (c Confidence) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// Finding is one thing that went wrong, with the evidence that shows it.
type Finding struct {
	ID          string // stable across runs on the same input
	Detector    string
	Severity    Severity
	Confidence  Confidence
	Title       string
	Start, End  time.Time
	Subject     Subject
	Evidence    []Evidence
	Explanation string
	KnownIssue  *KnownIssue
	// Witnesses names the kinds of evidence the finding's bindings rest on
	// ("old:arp", "old:listing", "new:arp", …); empty for detectors that do
	// not read bindings.
	Witnesses []string

	// private is the detector's own note on a kept finding, for Revise;
	// reports never see it.
	private any
}

// Evidence cites one event, or a fact without an event, that supports a finding.
type Evidence struct {
	Source string        // the source's path
	Pos    timeline.Span // the event's frames or lines; reports print it (Span.String: "frame 181869", "frames 12–40", "line 40")
	Time   time.Time     // UTC
	Text   string        // the record as the artifact shows it, or its decoded summary
	Event  int           // the event's index in the timeline (Timeline.Event); -1 when the evidence is not one event
}

// KnownIssue ties a finding to an upstream bug.
type KnownIssue struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	FixedIn string `json:"fixed_in,omitempty"`
	URL     string `json:"url,omitempty"`
}

// Subject is a finding's subject keys in the detector's order (the contract
// lists them per detector). Values are strings, integers or floats.
type Subject []KV

// KV is one subject key.
type KV struct {
	Key   string
	Value any
}

// Set adds or replaces key.
func (s *Subject) Set(key string, v any) {
	for i := range *s {
		if (*s)[i].Key == key {
			(*s)[i].Value = v
			return
		}
	}
	*s = append(*s, KV{key, v})
}

// Get returns key's value, or nil.
func (s Subject) Get(key string) any {
	for _, kv := range s {
		if kv.Key == key {
			return kv.Value
		}
	}
	return nil
}

// String returns key's value formatted, or "".
func (s Subject) String(key string) string {
	if v := s.Get(key); v != nil {
		return fmt.Sprint(v)
	}
	return ""
}

// MarshalJSON writes an object with the keys in order.
func (s Subject) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, kv := range s {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(kv.Key)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(kv.Value)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// stableID derives the finding's ID from what it is about, not from the
// order detectors ran in, so the same input yields the same IDs.
func stableID(f *Finding) string {
	h := sha256.New()
	subj, _ := f.Subject.MarshalJSON()
	fmt.Fprintf(h, "%s\x00%d\x00%s", f.Detector, f.Start.UnixNano(), subj)
	return f.Detector + "-" + hex.EncodeToString(h.Sum(nil))[:12]
}

// EventEvidence cites event i of tl at its first record: its source,
// position, time and text (the raw line for text artifacts, the decoded
// summary for frames).
func EventEvidence(tl *timeline.Timeline, i int) Evidence {
	r := tl.Record(i)
	e := tl.EventOf(i, &r)
	return evidenceOf(tl, i, &r, &e)
}

// spanEvidence cites event i with the span the event itself records — a
// usage run's first and last frame, a run of folded listings' lines — so no
// detector works positions out.
func spanEvidence(tl *timeline.Timeline, i int) Evidence {
	r := tl.Record(i)
	e := tl.EventOf(i, &r)
	ev := evidenceOf(tl, i, &r, &e)
	ev.Pos = r.Span()
	return ev
}

// evidenceOf is EventEvidence for event i already read as r and decoded as e.
func evidenceOf(tl *timeline.Timeline, i int, r *timeline.Record, e *timeline.Event) Evidence {
	text := e.Raw
	if text == "" {
		text = e.Data.Summary()
	}
	return Evidence{Source: tl.Sources[e.Source].Path, Pos: timeline.At(r.Pos), Time: e.Time, Text: text, Event: i}
}
