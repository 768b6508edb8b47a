package detect

import (
	"runtime"
	"slices"
	"strings"
	"sync"

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
func Run(tl *timeline.Timeline, cfg Config) ([]Finding, []string) {
	cfg.facts = &runFacts{}
	// Detectors only read the timeline: run them side by side, each with
	// its own collector, and gather in registry order.
	dets := All()
	lists := make([][]Finding, len(dets))
	var wg sync.WaitGroup
	sem := make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))
	for i, d := range dets {
		if cfg.Disabled[d.Name()] {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			col := NewFindings(cfg.MaxFindings)
			d.Detect(tl, &cfg, col)
			lists[i] = col.List(d.Name(), d.Instances())
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
	return out, notes
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
