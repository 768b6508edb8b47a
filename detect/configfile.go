package detect

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/arpforensics/arpforensics/internal/yamlconf"
)

// Threshold is one tunable number of the detectors, settable under
// thresholds: in a config file. A detector declares its own (Tuned), its
// default included, beside the code that reads it.
type Threshold struct {
	Name string
	Help string
	// Exactly one of Duration and Int points into the Config being loaded;
	// Default or DefaultInt beside it is its value in Defaults.
	Duration   func(*Config) *time.Duration
	Default    time.Duration
	Int        func(*Config) *int
	DefaultInt int
}

// reset sets t in c to its default.
func (t Threshold) reset(c *Config) {
	switch {
	case t.Duration != nil:
		*t.Duration(c) = t.Default
	case t.Int != nil:
		*t.Int(c) = t.DefaultInt
	}
}

// sharedThresholds are the knobs no single detector owns: the kernel's
// locktime (stale-mac, garp-locktime and missing-probe compare GARP spacing
// with it) and the findings cap of every detector. A detector's own knobs
// come from the detector (Tuned), beside the code that reads them.
var sharedThresholds = []Threshold{
	{Name: "locktime", Help: "the kernel's neigh locktime (net.ipv4.neigh.*.locktime)",
		Duration: func(c *Config) *time.Duration { return &c.Locktime }, Default: time.Second},
	{Name: "locktime_slack", Help: "how much later than locktime a GARP still counts as inside it (one jiffy)",
		Duration: func(c *Config) *time.Duration { return &c.LocktimeSlack }, Default: 10 * time.Millisecond},
	{Name: "max_findings", Help: "every detector: the most findings it reports; the rest become one summary finding (0: no cap)",
		Int: func(c *Config) *int { return &c.MaxFindings }, DefaultInt: 50},
}

// Thresholds lists what a config file may set under thresholds:, in
// documentation order: the shared knobs, then each detector's in the order
// of All.
func Thresholds() []Threshold {
	ts := slices.Clone(sharedThresholds)
	for _, d := range All() {
		if t, ok := d.(Tuned); ok {
			ts = append(ts, t.Thresholds()...)
		}
	}
	return ts
}

// ConfigSection is a top-level key of the config file that a detector owns
// (interleaved-txn's operations:), and how its value is decoded into a
// Config, reporting errors through doc (so they carry file, line and
// column).
type ConfigSection struct {
	Key    string
	Decode func(doc *yamlconf.Doc, n *yaml.Node, cfg *Config)
}

// configSections lists the detectors' config sections in the order of All.
func configSections() []ConfigSection {
	var ss []ConfigSection
	for _, d := range All() {
		if s, ok := d.(Sectioned); ok {
			ss = append(ss, s.ConfigSection())
		}
	}
	return ss
}

// configKeys are the top-level keys of a config file: the run's own, then
// the detectors' sections.
func configKeys() []string {
	keys := []string{"detectors", "thresholds", "known_issues"}
	for _, s := range configSections() {
		keys = append(keys, s.Key)
	}
	return keys
}

// LoadConfig reads a config file over Defaults. Every error names the file,
// line and column; unknown keys are errors; all errors are returned at once.
//
//	detectors:
//	  mac-change: {enabled: false}
//	  arp-unanswered: {severity: high}
//	thresholds:
//	  grace: 20s
//	known_issues:
//	  - id: lp-1234
//	    detector: stale-mac
//	    match: {ip: '^10\.0\.0\.'}
//	    title: …
//	    fixed_in: …
func LoadConfig(file string) (Config, error) {
	cfg := Defaults()
	data, err := os.ReadFile(file)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return cfg, fmt.Errorf("%s: %w", file, err)
	}
	doc, err := yamlconf.Parse(file, data)
	if err != nil {
		return cfg, err
	}
	top, order := doc.Map(doc.Root, "the config file", configKeys()...)
	if n := top["detectors"]; n != nil {
		decodeDetectors(doc, n, &cfg)
	}
	if n := top["thresholds"]; n != nil {
		decodeThresholds(doc, n, &cfg)
	}
	if n := top["known_issues"]; n != nil {
		// The user's entries come first: they may refine a built-in one.
		user := decodeCatalog(doc, n, false)
		for i := range user {
			user[i].User = true
		}
		cfg.Catalog = append(user, cfg.Catalog...)
	}
	sections := configSections()
	for _, k := range order {
		if i := slices.IndexFunc(sections, func(s ConfigSection) bool { return s.Key == k }); i >= 0 {
			sections[i].Decode(doc, top[k], &cfg)
		}
	}
	if err := doc.Err(); err != nil {
		return Defaults(), err
	}
	return cfg, nil
}

func decodeDetectors(doc *yamlconf.Doc, n *yaml.Node, cfg *Config) {
	dets, order := doc.Map(n, "detectors", Names()...)
	for _, name := range order {
		m, _ := doc.Map(dets[name], "detector "+name, "enabled", "severity")
		if v := m["enabled"]; v != nil && !doc.Bool(v, name+" enabled") {
			if cfg.Disabled == nil {
				cfg.Disabled = map[string]bool{}
			}
			cfg.Disabled[name] = true
		}
		if v := m["severity"]; v != nil {
			sev, err := ParseSeverity(doc.String(v, name+" severity"))
			if err != nil {
				doc.Errorf(v, "%s severity: %v", name, err)
				continue
			}
			if cfg.Severity == nil {
				cfg.Severity = map[string]Severity{}
			}
			cfg.Severity[name] = sev
		}
	}
}

func decodeThresholds(doc *yamlconf.Doc, n *yaml.Node, cfg *Config) {
	ts := Thresholds()
	var names []string
	for _, t := range ts {
		names = append(names, t.Name)
	}
	m, order := doc.Map(n, "thresholds", names...)
	for _, k := range order {
		t := ts[slices.IndexFunc(ts, func(t Threshold) bool { return t.Name == k })]
		switch {
		case t.Duration != nil:
			d := doc.Duration(m[k], k)
			if d < 0 {
				doc.Errorf(m[k], "%s: want a positive duration", k)
			}
			*t.Duration(cfg) = d
		case t.Int != nil:
			v := doc.Int(m[k], k)
			if v < 0 {
				doc.Errorf(m[k], "%s: want a positive number", k)
			}
			*t.Int(cfg) = v
		}
	}
}

// DescribeConfig is a commented example of every key, for help texts.
func DescribeConfig() string {
	var b strings.Builder
	b.WriteString("detectors:            # per detector: enabled (true/false), severity (high|medium|low|info)\n")
	for _, n := range Names() {
		fmt.Fprintf(&b, "  %s: {enabled: true}\n", n)
	}
	b.WriteString("thresholds:\n")
	d := Defaults()
	for _, t := range Thresholds() {
		switch {
		case t.Duration != nil:
			fmt.Fprintf(&b, "  %s: %s   # %s\n", t.Name, *t.Duration(&d), t.Help)
		case t.Int != nil:
			fmt.Fprintf(&b, "  %s: %d   # %s\n", t.Name, *t.Int(&d), t.Help)
		}
	}
	b.WriteString("known_issues: []      # yours, tried first: each names the upstream bug behind the findings it matches, e.g.\n" +
		"#  - {id: lp-1690165, detector: stale-mac, match: {ip: '^172\\.24\\.', duration_s: '>= 60'}, title: ..., fixed_in: ..., url: ...}\n" +
		"#    match: subject keys of the detector's findings, each a regular expression or a comparison (<=, >=, <, >, == N)\n")
	for _, s := range configSections() {
		fmt.Fprintf(&b, "# %s: see the README (a section of its own)\n", s.Key)
	}
	return b.String()
}
