package ovnlab_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/arpforensics/arpforensics/analysis"
	"github.com/arpforensics/arpforensics/detect"
	"github.com/arpforensics/arpforensics/internal/ovnlab"
)

func analyse(t *testing.T, cfg detect.Config, paths ...string) *analysis.Result {
	t.Helper()
	res := analysis.Run(analysis.Options{Paths: paths, Config: cfg})
	for _, s := range res.Timeline.Sources {
		if s.Errors() > 0 || !s.Analysed() {
			t.Errorf("%s (%s): %v %s", s.Path, s.Kind, s.Problems, s.SkipReason)
		}
	}
	return res
}

func findings(res *analysis.Result, det string) []detect.Finding {
	var out []detect.Finding
	for _, f := range res.Findings {
		if f.Detector == det {
			out = append(out, f)
		}
	}
	return out
}

// TestRealStaleMACBinding: a real northd fills the Southbound from the
// Northbound; the router's binding for a reused address keeps the old MAC
// (finding) or is updated to the new owner (no finding), in standalone and
// clustered databases.
func TestRealStaleMACBinding(t *testing.T) {
	cfg := detect.Defaults()
	// The healing update follows northd's Port_Binding, which a loaded
	// machine can delay: the grace leaves room for it.
	cfg.MACBindingGrace = 3 * time.Second
	for _, clustered := range []bool{false, true} {
		for _, heal := range []bool{false, true} {
			name := map[bool]string{false: "standalone", true: "clustered"}[clustered] + map[bool]string{false: "/stale", true: "/healed"}[heal]
			t.Run(name, func(t *testing.T) {
				t.Parallel() // each has its own server; most of the time is waiting
				l := ovnlab.Start(t, clustered)
				l.StaleBinding(heal, 4*time.Second)
				dir := t.TempDir()
				l.Save(dir)
				res := analyse(t, cfg, dir)
				fs := findings(res, "stale-mac-binding")
				if heal {
					if len(fs) != 0 {
						t.Fatalf("healed binding reported: %s", fs[0].Title)
					}
					if len(res.Findings) != 0 {
						t.Errorf("clean run has findings: %v", res.Findings[0].Title)
					}
					return
				}
				if len(fs) != 1 {
					t.Fatalf("%d stale-mac-binding findings, want 1: %+v", len(fs), res.Findings)
				}
				f := fs[0]
				want := map[string]string{"ip": ovnlab.StaleIP, "datapath": "neutron-r1", "old_mac": ovnlab.StaleOldMAC,
					"new_mac": ovnlab.StaleNewMAC, "logical_port": "lrp-gw1"}
				for k, v := range want {
					if got := f.Subject.String(k); got != v {
						t.Errorf("subject %s = %q, want %q", k, got, v)
					}
				}
				if f.Severity != detect.High || f.KnownIssue == nil || f.KnownIssue.ID != "ovn-mac-binding-no-aging" {
					t.Errorf("severity %v known issue %+v", f.Severity, f.KnownIssue)
				}
				// The binding, then the row that gave the IP to the new MAC
				// (the switch port in the NB or its Port_Binding in the SB).
				// The binding first; then the old port's withdrawal and the
				// row that gave the IP to the new MAC.
				var texts []string
				for _, e := range f.Evidence {
					texts = append(texts, e.Text)
				}
				all := strings.Join(texts, "\n")
				if len(f.Evidence) < 3 || !strings.Contains(f.Evidence[0].Text, "MAC_Binding") ||
					!strings.Contains(all, "delete port-a") || !strings.Contains(all, ovnlab.StaleNewMAC+" "+ovnlab.StaleIP) {
					t.Errorf("evidence: %+v", f.Evidence)
				}
				for _, e := range f.Evidence {
					if !strings.HasPrefix(e.Pos.String(), "byte ") || !strings.Contains(e.Text, "_date ") {
						t.Errorf("evidence without its record position and _date: %+v", e)
					}
				}
				if !strings.Contains(f.Explanation, "ovn-sbctl find MAC_Binding ip="+ovnlab.StaleIP) ||
					!strings.Contains(f.Explanation, "mac_binding_age_threshold") ||
					!strings.Contains(f.Explanation, "ovn-sbctl destroy MAC_Binding "+f.Subject.String("binding")) {
					t.Errorf("explanation lacks the next steps:\n%s", f.Explanation)
				}
				// Nothing else fires on the databases alone.
				if len(res.Findings) != 1 {
					t.Errorf("%d findings, want 1", len(res.Findings))
				}
				_ = filepath.Join
			})
		}
	}
}

// TestRealInterleavedTxn: two Python threads share one real ovsdbapp
// transaction; its genuine DEBUG log and the Northbound file it wrote are
// analysed. The shared run yields the interleaved-txn finding naming the
// intruder and what was lost; the clean run (a transaction each) yields
// nothing.
func TestRealInterleavedTxn(t *testing.T) {
	for _, mode := range []string{"shared", "clean"} {
		t.Run(mode, func(t *testing.T) {
			l := ovnlab.Start(t, false)
			dir := t.TempDir()
			l.Interleave(mode, ovnlab.NeutronLog(dir))
			l.SaveShow(dir)
			l.Save(dir)
			res := analyse(t, detect.Defaults(), dir)
			fs := findings(res, "interleaved-txn")
			if mode == "clean" {
				if len(res.Findings) != 0 {
					t.Fatalf("clean run has findings: %s", res.Findings[0].Title)
				}
				return
			}
			if len(fs) != 1 {
				t.Fatalf("%d interleaved-txn findings, want 1 (all: %d)", len(fs), len(res.Findings))
			}
			f := fs[0]
			if f.Subject.String("intruder") != "LrAddCommand" || f.Subject.String("intruder_entity") != ovnlab.RouterB ||
				!strings.Contains(f.Subject.String("lost"), "gateway port lrp-"+ovnlab.GatewayID) {
				t.Errorf("subject %v", f.Subject)
			}
			// The Northbound file corroborates: the router's commit, and no
			// gateway port up to the end of its history.
			if !strings.Contains(f.Explanation, "no Logical_Router_Port lrp-"+ovnlab.GatewayID+" appears") {
				t.Errorf("explanation lacks the database's record:\n%s", f.Explanation)
			}
			db := false
			for _, e := range f.Evidence {
				db = db || strings.HasSuffix(e.Source, "ovnnb_db.db") && strings.Contains(e.Text, "Logical_Router insert "+ovnlab.RouterB)
			}
			if !db {
				t.Errorf("no evidence from the Northbound file: %+v", f.Evidence)
			}
			// And the real `ovn-nbctl show` snapshot: the router without
			// its gateway port.
			if !strings.Contains(f.Explanation, "shows router "+ovnlab.RouterB+" with no gateway port") {
				t.Errorf("explanation lacks the snapshot:\n%s", f.Explanation)
			}
		})
	}
}
