package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAnalyzeTxnRace is the first incident's acceptance test: the bundled
// scenario yields exactly one interleaved-txn finding that names the
// intruding command, both routers and what was lost, and cites the
// symptom (tempest), the unanswered ARP, the missing gateway port and the
// transaction's lines; the run exits 1.
func TestAnalyzeTxnRace(t *testing.T) {
	code, out, stderr := runCLI(t, "analyze", "--format", "json", "../../samples/txn-race")
	if code != exitFindings {
		t.Fatalf("exit %d, want 1 (stderr %q)", code, stderr)
	}
	var rep struct {
		Findings []struct {
			Detector string         `json:"detector"`
			Severity string         `json:"severity"`
			Subject  map[string]any `json:"subject"`
			Evidence []struct {
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
	n := 0
	for _, f := range rep.Findings {
		if f.Detector != "interleaved-txn" {
			continue
		}
		n++
		want := map[string]any{
			"pid": 32314.0, "intruder": "AddLRouterCommand",
			"intruder_entity": "neutron-cc163b42-1fdf-4cfa-a2ff-50c521f04222",
			"txn_entity":      "neutron-d1d3b2f2-71e6-4c0b-9d2a-5d1b0f6c2c11",
			"lost":            "router neutron-cc163b42-1fdf-4cfa-a2ff-50c521f04222 created; gateway port lrp-8dc49792-b37a-48be-926a-af2c8e17ad3f and default route never added",
		}
		for k, v := range want {
			if f.Subject[k] != v {
				t.Errorf("subject %s = %v, want %v", k, f.Subject[k], v)
			}
		}
		if f.Severity != "high" || f.KnownIssue == nil || !strings.Contains(f.KnownIssue.FixedIn, "0.13.0") {
			t.Errorf("severity %s known issue %+v", f.Severity, f.KnownIssue)
		}
		// The story in order: symptom, unanswered ARP, the missing port,
		// then the transaction.
		var order []string
		for _, e := range f.Evidence {
			switch {
			case strings.HasSuffix(e.Source, "tempest.log") && strings.Contains(e.Text, "after 15 attempts"):
				order = append(order, "tempest")
			case strings.HasSuffix(e.Source, "tcpdump-br-ex.txt") && strings.Contains(e.Text, "Request who-has 172.24.5.13"):
				order = appendOnce(order, "arp")
			case strings.HasSuffix(e.Source, "ovs-ofctl-dump-flows.txt") && strings.Contains(e.Text, "n_packets=0"):
				order = append(order, "flow")
			case strings.HasSuffix(e.Source, "ovn-nbctl-show.txt") && strings.Contains(e.Text, "no gateway port"):
				order = append(order, "nbctl")
			case strings.HasSuffix(e.Source, "neutron-server.log") && strings.Contains(e.Text, "Running txn n=1 command(idx=2): AddLRouterCommand"):
				order = append(order, "intruder")
			}
		}
		if strings.Join(order, " ") != "tempest arp flow nbctl intruder" {
			t.Errorf("evidence order %q", order)
		}
	}
	if n != 1 {
		t.Errorf("%d interleaved-txn findings, want exactly 1", n)
	}
}

func appendOnce(xs []string, x string) []string {
	if len(xs) > 0 && xs[len(xs)-1] == x {
		return xs
	}
	return append(xs, x)
}

// TestConfigOperations checks --config's operations: section reaches the
// detector: an operation redefined without its gateway steps makes the
// scenario's create-router complete, so nothing is lost any more.
func TestConfigOperations(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "ops.yaml")
	os.WriteFile(cfg, []byte("operations:\n  - name: create-router\n    subject: [name]\n    steps:\n      - commands: [AddLRouterCommand]\n        done: router {subject} created\n"), 0o644)
	if code, _, stderr := runCLI(t, "config", "check", cfg); code != exitOK {
		t.Fatalf("config check: exit %d: %s", code, stderr)
	}
	code, out, _ := runCLI(t, "analyze", "--format", "json", "--fail-on", "high", "--config", cfg, "../../samples/txn-race")
	if code != exitOK || !strings.Contains(out, `"detector": "interleaved-txn"`) || !strings.Contains(out, `"lost": ""`) {
		t.Errorf("exit %d; want 0 and an interleaved-txn finding with nothing lost", code)
	}
}
