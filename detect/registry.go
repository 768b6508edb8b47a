package detect

import (
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/arpforensics/arpforensics/timeline"
)

// Detector reads the whole timeline and names what went wrong in it.
type Detector interface {
	Name() string
	// Describe is one sentence on what the detector checks, for help texts
	// and for the passing test case CI dashboards show.
	Describe() string
	// Detect adds its findings to out, which keeps a bounded number.
	Detect(tl *timeline.Timeline, cfg *Config, out *Findings)
	// Instances names what one finding of this detector is about, plural,
	// for the summary of those beyond the cap ("unanswered ARP episodes").
	Instances() string
	// Identity lists the subject keys that name the thing a finding is
	// about, the same across runs on the same incident (counts and times
	// are not): CI dashboards key a test's history on it.
	Identity() []string
}

// Tuned is a detector with thresholds of its own, settable under
// thresholds: in a config file; Thresholds lists them after the shared ones.
type Tuned interface {
	Thresholds() []Threshold
}

// Sectioned is a detector that owns a top-level key of the config file
// (interleaved-txn's operations:).
type Sectioned interface {
	ConfigSection() ConfigSection
}

// All lists every detector in the order reports present them when they tie.
func All() []Detector {
	return []Detector{
		staleMAC{},
		macChange{},
		arpUnanswered{},
		garpLocktime{},
		missingProbe{},
		interleavedTxn{},
		staleMACBinding{},
	}
}

// Names lists the detectors' names.
func Names() []string {
	var ns []string
	for _, d := range All() {
		ns = append(ns, d.Name())
	}
	return ns
}

// Run runs every enabled detector and returns their findings with stable IDs,
// ordered by severity (highest first), then start time, detector and ID, and
// notes on what the detectors had to leave out to stay bounded.
func Run(tl *timeline.Timeline, cfg Config) Outcome {
	sem := make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))
	cfg.facts = &runFacts{slots: sem}
	// Detectors only read the timeline: run them side by side, each with
	// its own collector, and gather in registry order. They start in that
	// order (the slot is taken before the goroutine starts), so the first
	// ones — stale-mac computing the moves everything after waits for —
	// start first.
	dets := All()
	lists := make([][]Finding, len(dets))
	took := make([]time.Duration, len(dets))
	var wg sync.WaitGroup
	for i, d := range dets {
		if cfg.Disabled[d.Name()] {
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			t0 := time.Now()
			col := NewFindings(cfg.MaxFindings)
			d.Detect(tl, &cfg, col)
			lists[i] = col.List(d.Name(), d.Instances())
			took[i] = time.Since(t0)
		}()
	}
	wg.Wait()
	var out []Finding
	for i, d := range dets {
		for _, f := range lists[i] {
			f.Detector = d.Name()
			if s, ok := cfg.Severity[d.Name()]; ok {
				f.Severity = s
			}
			f.ID = stableID(&f)
			out = append(out, f)
		}
	}
	applyCatalog(out, cfg.Catalog)
	Sort(out)
	notes := cfg.facts.notes
	slices.Sort(notes)
	o := Outcome{Findings: out, Notes: notes, Took: map[string]time.Duration{}}
	for i, d := range dets {
		if !cfg.Disabled[d.Name()] {
			o.Took[d.Name()] = took[i]
		}
	}
	return o
}

// Outcome is what Run found: the findings, notes on what the detectors had
// to leave out to stay bounded, and how long each detector took.
type Outcome struct {
	Findings []Finding
	Notes    []string
	Took     map[string]time.Duration
}

// IdentityOf is the detector's identity keys of f as "value value …", or ""
// for a summary finding or a detector that names none.
func IdentityOf(f *Finding) string {
	if f.Omitted() > 0 {
		return ""
	}
	for _, d := range All() {
		if d.Name() != f.Detector {
			continue
		}
		var vs []string
		for _, k := range d.Identity() {
			if v := f.Subject.String(k); v != "" {
				vs = append(vs, v)
			}
		}
		return strings.Join(vs, " ")
	}
	return ""
}

// Sort orders findings as reports show them.
func Sort(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		if a.Severity != b.Severity {
			return int(b.Severity) - int(a.Severity)
		}
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		if c := strings.Compare(a.Detector, b.Detector); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}
