package samples

import (
	"encoding/json"
	"testing"
)

// The neighbour-table acceptance: the looping arptable of fip-reuse yields
// missing-probe for the FIP with the stale and the new MAC at high
// confidence (the host's capture shows it never asked); the healthy twin,
// which probes, yields none; the monitor scenario, with no capture of the
// host, rests on neighbour data (medium).
func TestMissingProbeScenarios(t *testing.T) {
	type finding struct {
		Detector   string         `json:"detector"`
		Confidence string         `json:"confidence"`
		Severity   string         `json:"severity"`
		Subject    map[string]any `json:"subject"`
	}
	cases := []struct {
		scenario   string
		want       bool
		host       string
		confidence string
		cycles     float64
	}{
		{"fip-reuse", true, "default", "high", 16},
		{"fip-reuse-healthy", false, "", "", 0},
		{"neigh-monitor", true, "tempest", "medium", 15},
	}
	for _, c := range cases {
		t.Run(c.scenario, func(t *testing.T) {
			var rep struct {
				Findings []finding `json:"findings"`
			}
			if err := json.Unmarshal(analyse(t, c.scenario), &rep); err != nil {
				t.Fatal(err)
			}
			var got []finding
			for _, f := range rep.Findings {
				if f.Detector == "missing-probe" {
					got = append(got, f)
				}
			}
			if !c.want {
				if len(got) != 0 {
					t.Fatalf("missing-probe fired: %+v", got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("%d missing-probe findings, want 1", len(got))
			}
			f := got[0]
			want := map[string]any{
				"ip": "172.24.5.11", "host": c.host, "mac": "fa:16:3e:4d:2a:91",
				"new_mac": "fa:16:3e:c7:05:3b", "cycles": c.cycles,
			}
			for k, v := range want {
				if f.Subject[k] != v {
					t.Errorf("subject %s = %v, want %v", k, f.Subject[k], v)
				}
			}
			if f.Severity != "high" || f.Confidence != c.confidence {
				t.Errorf("severity %s confidence %s, want high/%s", f.Severity, f.Confidence, c.confidence)
			}
		})
	}
}
