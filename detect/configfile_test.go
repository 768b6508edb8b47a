package detect

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "arpforensics.yaml")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadConfig(t *testing.T) {
	cfg, err := LoadConfig(writeConfig(t, `
detectors:
  mac-change: {enabled: false}
  arp-unanswered:
    severity: high
thresholds:
  grace: 20s
  locktime: 1.5
known_issues:
  - id: site-1
    detector: stale-mac
    match: {ip: '^172\.24\.5\.', duration_s: '>= 60'}
    title: our lab's old kernel
    fixed_in: kernel-4.18.0-80
`))
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.Disabled["mac-change"] || cfg.Severity["arp-unanswered"] != High {
		t.Errorf("detectors: disabled %v severity %v", cfg.Disabled, cfg.Severity)
	}
	if cfg.Grace != 20*time.Second || cfg.Locktime != 1500*time.Millisecond || cfg.UnansweredWait != Defaults().UnansweredWait {
		t.Errorf("thresholds: grace %s locktime %s wait %s", cfg.Grace, cfg.Locktime, cfg.UnansweredWait)
	}
	if len(cfg.Catalog) != len(BuiltinCatalog())+1 || cfg.Catalog[0].Issue.ID != "site-1" {
		t.Fatalf("catalog: %d entries, first %q; want the user's first", len(cfg.Catalog), cfg.Catalog[0].Issue.ID)
	}
	f := Finding{Detector: "stale-mac"}
	f.Subject.Set("ip", "172.24.5.11")
	f.Subject.Set("duration_s", 299.0)
	if !cfg.Catalog[0].Matches(&f) {
		t.Error("the user's entry does not match a finding it describes")
	}
	f.Subject.Set("duration_s", 30.0)
	if cfg.Catalog[0].Matches(&f) {
		t.Error("numeric predicate >= 60 matched 30")
	}
}

func TestLoadConfigErrorsNamePositions(t *testing.T) {
	tests := []struct{ body, want string }{
		{"detector: {}\n", ":1:1: unknown key \"detector\" in the config file (want detectors, thresholds, known_issues"},
		{"detectors:\n  stale-mc: {}\n", ":2:3: unknown key \"stale-mc\" in detectors (want stale-mac,"},
		{"detectors:\n  stale-mac: {severity: urgent}\n", ":2:25: stale-mac severity: unknown severity \"urgent\""},
		{"detectors:\n  stale-mac: {enabled: maybe}\n", ":2:24: stale-mac enabled: want true or false, got \"maybe\""},
		{"thresholds:\n  grace: soon\n", ":2:10: grace: want a duration like 1.5s, 300ms or -2s, got \"soon\""},
		{"thresholds:\n  grace: -1s\n", ":2:10: grace: want a positive duration"},
		{"thresholds:\n  gracee: 1s\n", ":2:3: unknown key \"gracee\" in thresholds"},
		{"known_issues:\n  - {id: x, detector: nope, title: t}\n", ":2:23: detector: unknown detector \"nope\""},
		{"known_issues:\n  - {id: x, detector: stale-mac}\n", ":2:5: a known issue needs \"title\""},
		{"known_issues:\n  - {id: x, detector: stale-mac, title: t, match: {ip: '('}}\n", ":2:56: match ip: error parsing regexp"},
		{"known_issues:\n  - {id: x, detector: stale-mac, title: t, match: {duration_s: '>= soon'}}\n", ":2:64: match duration_s: \">= soon\": want a number after >="},
	}
	for _, tt := range tests {
		p := writeConfig(t, tt.body)
		_, err := LoadConfig(p)
		if err == nil || !strings.Contains(err.Error(), p+tt.want) {
			t.Errorf("LoadConfig(%q)\n error %v\n want  %s%s", tt.body, err, p, tt.want)
		}
	}
}

func TestBuiltinCatalogNamesTheLocktimeBug(t *testing.T) {
	s := newScene()
	ignoredBurst(s, []float64{0, 1, 2})
	fs := Run(s.timeline(), Defaults()).Findings
	var hit bool
	for _, f := range fs {
		if f.Detector == "garp-locktime" {
			hit = f.KnownIssue != nil && f.KnownIssue.ID == "linux-garp-locktime" && strings.Contains(f.KnownIssue.FixedIn, "4.12")
		}
	}
	if !hit {
		t.Errorf("garp-locktime finding without the built-in known issue: %+v", fs)
	}
}

func TestDescribeConfigLoads(t *testing.T) {
	// The documented example is itself a valid config (apart from the
	// placeholder catalog entry).
	ex := DescribeConfig()
	ex = ex[:strings.Index(ex, "known_issues:")]
	if _, err := LoadConfig(writeConfig(t, ex)); err != nil {
		t.Fatalf("the documented example does not load: %v\n%s", err, ex)
	}
}

// The README's configuration reference names every key a config file takes.
func TestREADMEDocumentsEveryConfigKey(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(readme, []byte("#### Configuration reference"))
	if i < 0 {
		t.Fatal("the README has no configuration reference")
	}
	ref := string(readme[i:])
	keys := []string{"enabled", "severity", "id", "detector", "match", "title", "fixed_in", "url",
		"name", "description", "subject", "steps", "commands", "args", "when", "on", "optional", "done", "lost"}
	keys = append(keys, configKeys()...)
	keys = append(keys, Names()...)
	for _, th := range Thresholds() {
		keys = append(keys, th.Name)
	}
	for _, k := range keys {
		if !strings.Contains(ref, "`"+k+"`") && !strings.Contains(ref, "`"+k+":`") {
			t.Errorf("the configuration reference does not document %q", k)
		}
	}
	// Each threshold's default, declared beside its detector, is the one
	// the reference gives: "`grace` (15s)".
	d := Defaults()
	for _, th := range Thresholds() {
		var def string
		switch {
		case th.Duration != nil:
			def = th.Duration(&d).String()
		case th.Int != nil:
			def = fmt.Sprint(*th.Int(&d))
		}
		if want := "`" + th.Name + "` (" + def + ")"; !strings.Contains(ref, want) {
			t.Errorf("the configuration reference does not say %s", want)
		}
	}
}

// Detectors carry their own knobs and sections; no two may claim one name.
func TestConfigNamesAreUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, th := range Thresholds() {
		if seen[th.Name] {
			t.Errorf("threshold %q is declared twice", th.Name)
		}
		seen[th.Name] = true
		if (th.Duration == nil) == (th.Int == nil) {
			t.Errorf("threshold %q: want exactly one of Duration and Int", th.Name)
		}
		if th.Duration != nil && th.DefaultInt != 0 || th.Int != nil && th.Default != 0 {
			t.Errorf("threshold %q: its default is of the other type", th.Name)
		}
	}
	keys := map[string]bool{}
	for _, k := range configKeys() {
		if keys[k] {
			t.Errorf("config key %q is claimed twice", k)
		}
		keys[k] = true
	}
}

// The built-in catalog's facts, which the explanations cite, agree with the
// entry's own title and fixed_in; a user's config file cannot set facts.
func TestCatalogFactsAgreeWithTheirEntry(t *testing.T) {
	n := 0
	for _, e := range BuiltinCatalog() {
		for k, vs := range e.facts {
			if strings.HasSuffix(k, "_subject") {
				continue // a commit's subject line, which the entry does not quote
			}
			for _, v := range vs {
				n++
				if !strings.Contains(e.Issue.Title, v) && !strings.Contains(e.Issue.FixedIn, v) {
					t.Errorf("%s: fact %s = %q is in neither its title nor fixed_in", e.Issue.ID, k, v)
				}
			}
		}
	}
	if n == 0 {
		t.Error("the built-in catalog has no facts")
	}
	cfg := "known_issues:\n  - {id: x, detector: stale-mac, title: t, facts: {fixed: '1'}}\n"
	if _, err := LoadConfig(writeConfig(t, cfg)); err == nil || !strings.Contains(err.Error(), "facts") {
		t.Errorf("a user's known issue with facts: %v", err)
	}
}
