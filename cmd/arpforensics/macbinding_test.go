package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestAnalyzeMACBindingStale is issue 17's acceptance test: the database
// files a real ovsdb-server wrote (samples/mac-binding-stale) yield one
// stale-mac-binding finding with the binding row and the row that gave the
// address away as evidence, its known issue and next steps; the run exits 1.
func TestAnalyzeMACBindingStale(t *testing.T) {
	code, out, stderr := runCLI(t, "analyze", "--format", "json", "../../samples/mac-binding-stale")
	if code != exitFindings {
		t.Fatalf("exit %d, want 1 (stderr %q)", code, stderr)
	}
	var rep struct {
		Sources []struct {
			Kind string `json:"kind"`
		} `json:"sources"`
		Findings []struct {
			Detector    string         `json:"detector"`
			Severity    string         `json:"severity"`
			Subject     map[string]any `json:"subject"`
			Explanation string         `json:"explanation"`
			Evidence    []struct {
				Source, Pos, Text string
			} `json:"evidence"`
			KnownIssue *struct {
				ID      string `json:"id"`
				FixedIn string `json:"fixed_in"`
			} `json:"known_issue"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	dbs := 0
	for _, s := range rep.Sources {
		if s.Kind == "ovsdb" {
			dbs++
		}
	}
	if dbs != 2 {
		t.Errorf("%d database files read, want 2 (sources %+v)", dbs, rep.Sources)
	}
	if len(rep.Findings) != 1 || rep.Findings[0].Detector != "stale-mac-binding" {
		t.Fatalf("findings %+v, want one stale-mac-binding", rep.Findings)
	}
	f := rep.Findings[0]
	for k, v := range map[string]any{"ip": "172.24.4.50", "datapath": "neutron-r1", "old_mac": "fa:16:3e:11:11:11", "new_mac": "fa:16:3e:22:22:22"} {
		if f.Subject[k] != v {
			t.Errorf("subject %s = %v, want %v", k, f.Subject[k], v)
		}
	}
	if f.Severity != "high" || f.KnownIssue == nil || !strings.Contains(f.KnownIssue.FixedIn, "22.09") {
		t.Errorf("severity %s known issue %+v", f.Severity, f.KnownIssue)
	}
	// The binding, the old port's withdrawal, the new port taking the address.
	var texts []string
	for _, e := range f.Evidence {
		texts = append(texts, e.Text)
	}
	all := strings.Join(texts, "\n")
	if len(f.Evidence) < 3 || !strings.HasSuffix(f.Evidence[0].Source, "ovnsb_db.db") || !strings.Contains(f.Evidence[0].Text, "MAC_Binding insert 172.24.4.50") ||
		!strings.Contains(all, "delete port-a") || !strings.Contains(all, "fa:16:3e:22:22:22 172.24.4.50") {
		t.Errorf("evidence %+v", f.Evidence)
	}
	if !strings.Contains(f.Explanation, "ovn-sbctl find MAC_Binding ip=172.24.4.50") {
		t.Errorf("explanation %q", f.Explanation)
	}
}
