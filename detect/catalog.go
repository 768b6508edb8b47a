package detect

import (
	_ "embed"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/arpforensics/arpforensics/internal/yamlconf"
)

// CatalogEntry is one known upstream bug: which findings it explains.
type CatalogEntry struct {
	Issue    KnownIssue
	Detector string
	Match    []Predicate // all must hold
	// User marks an entry of the user's config file: it is tried first and
	// wins even over the known issue a detector names itself.
	User bool
	// facts are a built-in entry's fix versions and commits by name, which
	// the detectors' explanations cite (see fact).
	facts map[string][]string
}

// Predicate tests one subject key.
type Predicate struct {
	Key string
	re  *regexp.Regexp // nil for a numeric comparison
	op  string         // "<=", ">=", "<", ">", "=="
	num float64
	src string // as written, for messages
}

// Test reports whether the subject value satisfies the predicate.
func (p Predicate) Test(v any) bool {
	if v == nil {
		return false
	}
	if p.re != nil {
		return p.re.MatchString(fmt.Sprint(v))
	}
	var x float64
	switch n := v.(type) {
	case int:
		x = float64(n)
	case int64:
		x = float64(n)
	case float64:
		x = n
	default:
		f, err := strconv.ParseFloat(fmt.Sprint(v), 64)
		if err != nil {
			return false
		}
		x = f
	}
	switch p.op {
	case "<=":
		return x <= p.num
	case ">=":
		return x >= p.num
	case "<":
		return x < p.num
	case ">":
		return x > p.num
	}
	return x == p.num
}

// Matches reports whether the entry explains f.
func (e *CatalogEntry) Matches(f *Finding) bool {
	if e.Detector != f.Detector {
		return false
	}
	for _, p := range e.Match {
		if !p.Test(f.Subject.Get(p.Key)) {
			return false
		}
	}
	return true
}

//go:embed catalog/known_issues.yaml
var builtinCatalog []byte

// BuiltinCatalog is the catalog shipped with the tool.
func BuiltinCatalog() []CatalogEntry {
	doc, err := yamlconf.Parse("catalog/known_issues.yaml", builtinCatalog)
	if err != nil {
		panic(err) // the embedded file is tested
	}
	top, _ := doc.Map(doc.Root, "the catalog", "known_issues")
	var out []CatalogEntry
	if n := top["known_issues"]; n != nil {
		out = decodeCatalog(doc, n, true)
	}
	if err := doc.Err(); err != nil {
		panic(err)
	}
	return out
}

// decodeCatalog reads a list of catalog entries; only the built-in catalog's
// may carry facts.
func decodeCatalog(doc *yamlconf.Doc, n *yaml.Node, builtin bool) []CatalogEntry {
	if n.Kind != yaml.SequenceNode {
		doc.Errorf(n, "known_issues: want a list")
		return nil
	}
	names := map[string]bool{}
	for _, d := range All() {
		names[d.Name()] = true
	}
	var out []CatalogEntry
	for _, item := range n.Content {
		keys := []string{"id", "detector", "match", "title", "fixed_in", "url"}
		if builtin {
			keys = append(keys, "facts")
		}
		m, _ := doc.Map(item, "a known issue", keys...)
		var e CatalogEntry
		for _, req := range []string{"id", "detector", "title"} {
			if m[req] == nil {
				doc.Errorf(item, "a known issue needs %q", req)
			}
		}
		if v := m["id"]; v != nil {
			e.Issue.ID = doc.String(v, "id")
		}
		if v := m["detector"]; v != nil {
			if e.Detector = doc.String(v, "detector"); !names[e.Detector] {
				doc.Errorf(v, "detector: unknown detector %q (want one of %s)", e.Detector, strings.Join(Names(), ", "))
			}
		}
		if v := m["title"]; v != nil {
			e.Issue.Title = doc.String(v, "title")
		}
		if v := m["fixed_in"]; v != nil {
			e.Issue.FixedIn = doc.String(v, "fixed_in")
		}
		if v := m["url"]; v != nil {
			e.Issue.URL = doc.String(v, "url")
		}
		if v := m["facts"]; v != nil {
			fm, order := doc.Map(v, "facts")
			e.facts = map[string][]string{}
			for _, k := range order {
				e.facts[k] = doc.Strings(fm[k], "facts "+k)
			}
		}
		if v := m["match"]; v != nil {
			mm, order := doc.Map(v, "match")
			for _, k := range order {
				e.Match = append(e.Match, predicate(doc, k, mm[k]))
			}
		}
		out = append(out, e)
	}
	return out
}

func predicate(doc *yamlconf.Doc, key string, n *yaml.Node) Predicate {
	s := doc.String(n, "match "+key)
	p := Predicate{Key: key, src: s}
	for _, op := range []string{"<=", ">=", "==", "<", ">"} {
		if rest, ok := strings.CutPrefix(s, op); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
			if err != nil {
				doc.Errorf(n, "match %s: %q: want a number after %s", key, s, op)
			}
			p.op, p.num = op, f
			return p
		}
	}
	re, err := regexp.Compile(s)
	if err != nil {
		doc.Errorf(n, "match %s: %v", key, err)
		re = regexp.MustCompile(`\A\z.`) // matches nothing
	}
	p.re = re
	return p
}

// IssueByID returns the catalog's known issue with that ID, for detectors
// that decide on evidence beyond the subject (the GARP spacing a stale-mac
// finding saw) which bug explains a finding. Nil if the catalog lacks it.
func (c *Config) IssueByID(id string) *KnownIssue {
	for i := range c.Catalog {
		if c.Catalog[i].Issue.ID == id {
			ki := c.Catalog[i].Issue
			return &ki
		}
	}
	return nil
}

// Catalog IDs of the built-in entries detectors name or cite.
const (
	issueLinuxLocktime   = "linux-garp-locktime"         // the GARP/locktime kernel bug
	issueOvsdbappNested  = "ovsdbapp-nested-transaction" // ovsdbapp's shared nested transaction
	issueMACBindingAging = "ovn-mac-binding-no-aging"    // OVN's MAC_Binding rows that never age
)

// builtinFacts are the built-in catalog's facts by entry ID, decoded once.
var builtinFacts = sync.OnceValue(func() map[string]map[string][]string {
	out := map[string]map[string][]string{}
	for _, e := range BuiltinCatalog() {
		if e.facts != nil {
			out[e.Issue.ID] = e.facts
		}
	}
	return out
})

// factList is the fact key of the built-in catalog entry id (a fix version,
// a commit, a list of backports): explanations cite the catalog rather than
// repeat it. The detectors read their facts into package variables, so a
// fact the embedded catalog lacks stops the program at start, before any
// input is read — as a defect of the embedded file does in BuiltinCatalog.
func factList(id, key string) []string {
	v, ok := builtinFacts()[id][key]
	if !ok || len(v) == 0 {
		panic(fmt.Sprintf("catalog/known_issues.yaml: %s has no fact %q", id, key))
	}
	return v
}

// fact is a fact that is one value.
func fact(id, key string) string {
	v := factList(id, key)
	if len(v) != 1 {
		panic(fmt.Sprintf("catalog/known_issues.yaml: %s fact %q: want one value, got %d", id, key, len(v)))
	}
	return v[0]
}

// applyCatalog names the known issue of findings that have none yet: the
// first catalog entry that matches wins.
func applyCatalog(fs []Finding, cat []CatalogEntry) {
	match := func(f *Finding, user bool) bool {
		for j := range cat {
			if cat[j].User == user && cat[j].Matches(f) {
				ki := cat[j].Issue
				f.KnownIssue = &ki
				return true
			}
		}
		return false
	}
	for i := range fs {
		// The user's entries first, over whatever the detector named; the
		// built-in ones only for findings that name none.
		if match(&fs[i], true) || fs[i].KnownIssue != nil {
			continue
		}
		match(&fs[i], false)
	}
}
