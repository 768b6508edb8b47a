package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/arpforensics/arpforensics/analysis"
	"github.com/arpforensics/arpforensics/detect"
)

// The events export is what Timesketch's JSONL import takes: message,
// datetime and timestamp_desc on every line, timestamp in microseconds,
// attributes flat (strings, numbers, the tag list), the events a finding
// cites tagged with it, and a line per finding.
func TestEventsAreTimesketchJSONL(t *testing.T) {
	r := analysis.Run(analysis.Options{Paths: []string{"../samples/fip-reuse"}, Config: detect.Defaults()})
	var b bytes.Buffer
	if err := Events(&b, r); err != nil {
		t.Fatal(err)
	}
	cited := map[int]bool{} // event indexes a finding cites
	for _, f := range r.Findings {
		for _, e := range f.Evidence {
			if e.Event >= 0 {
				cited[e.Event] = true
			}
		}
	}
	lines, findings, tagged := 0, 0, 0
	sc := bufio.NewScanner(&b)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		lines++
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %d: %v", lines, err)
		}
		for _, k := range []string{"message", "datetime", "timestamp_desc"} {
			if s, _ := m[k].(string); s == "" {
				t.Fatalf("line %d lacks %s: %s", lines, k, sc.Text())
			}
		}
		dt, err := time.Parse(time.RFC3339Nano, m["datetime"].(string))
		if err != nil {
			t.Fatalf("line %d: datetime: %v", lines, err)
		}
		if ts, _ := m["timestamp"].(float64); int64(ts) != dt.UnixMicro() {
			t.Fatalf("line %d: timestamp %v, want %d µs", lines, m["timestamp"], dt.UnixMicro())
		}
		for k, v := range m {
			switch v := v.(type) {
			case string, float64:
			case []any:
				if k != "tag" {
					t.Fatalf("line %d: %s is a list", lines, k)
				}
			default:
				t.Fatalf("line %d: %s is %T, not a flat attribute", lines, k, v)
			}
		}
		tags, _ := m["tag"].([]any)
		if m["kind"] == "finding" {
			findings++
			if !slices.Contains(tags, any(m["finding_id"])) {
				t.Errorf("finding line %q is not tagged with its id", m["message"])
			}
			continue
		}
		// Events come first, in timeline order: line n is event n-1.
		if cited[lines-1] {
			if len(tags) == 0 {
				t.Errorf("cited event %d has no tag", lines-1)
			}
			tagged++
		} else if len(tags) > 0 {
			t.Errorf("uncited event %d is tagged %v", lines-1, tags)
		}
	}
	if findings != len(r.Findings) || lines != r.Timeline.Len()+len(r.Findings) {
		t.Errorf("%d lines, %d findings: want %d events and %d findings", lines, findings, r.Timeline.Len(), len(r.Findings))
	}
	if tagged == 0 {
		t.Error("no event is tagged")
	}
}

// appendJSONString writes what encoding/json reads back as the same string,
// for any input, broken UTF-8 and control characters included.
func TestAppendJSONStringRoundTrips(t *testing.T) {
	for _, s := range []string{"", "plain", `quote " and \ backslash`, "tab\tnl\ncr\rnul\x00bell\x07", "ünï ✓ \u2028 \u2029", "bad \xff\xfe utf8", "<html>&"} {
		var got string
		b := appendJSONString(nil, s)
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("%q: %s: %v", s, b, err)
		}
		var want string
		m, _ := json.Marshal(s)
		json.Unmarshal(m, &want) // what encoding/json makes of it
		if got != want {
			t.Errorf("%q: read back %q", s, got)
		}
	}
}
