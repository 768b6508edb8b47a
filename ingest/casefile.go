package ingest

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/arpforensics/arpforensics/internal/yamlconf"
)

// CaseFileName is looked for in each directory given to analyze.
const CaseFileName = "case.yaml"

// Case is what the user knows about the artifacts and the files do not say:
// which host each belongs to, the zone of zone-less timestamps, the year of
// year-less ones, and each host's clock offset.
//
//	timezone: UTC              # zone of zone-less timestamps (default UTC)
//	year: 2018                 # year of year-less timestamps
//	hosts:
//	  controller:
//	    paths: ["controller/**", "neutron-server*.txt*"]
//	    timezone: America/New_York
//	    offset: +2.5s          # added to every timestamp of this host
//	    segment: br-ex         # hosts naming one segment share their IP→MAC bindings
type Case struct {
	Path     string // the case file
	Root     string // directory its path globs are relative to
	Location *time.Location
	Year     int
	Hosts    []CaseHost // in file order; the first host with a matching glob wins
}

// CaseHost is one host of a case.
type CaseHost struct {
	Name     string
	Paths    []string // globs relative to Root; "**" spans directories; a glob without "/" matches the base name
	Location *time.Location
	Offset   time.Duration
	// Segment names the broadcast domain the host's captures and neighbour
	// tables see: hosts naming the same one are read as one set of
	// bindings, moves and usage; without it each host is its own.
	Segment string
}

// FindCase returns the case file of the first directory among paths that
// has one, or "".
func FindCase(paths []string) string {
	for _, p := range paths {
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			c := filepath.Join(p, CaseFileName)
			if fi, err := os.Stat(c); err == nil && fi.Mode().IsRegular() {
				return c
			}
		}
	}
	return ""
}

// LoadCase reads and checks a case file. Every error names the file, line
// and column; unknown keys are errors.
func LoadCase(file string) (*Case, error) {
	data, err := readSmall(file, maxSmallFile)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, UnwrapPath(err))
	}
	return ParseCase(file, data)
}

// ParseCase checks the content of case file file (LoadCase without the
// reading).
func ParseCase(file string, data []byte) (*Case, error) {
	doc, err := yamlconf.Parse(file, data)
	if err != nil {
		return nil, err
	}
	c := &Case{Path: file, Root: filepath.Dir(file)}
	top, _ := doc.Map(doc.Root, "the case file", "timezone", "year", "hosts")
	if n := top["timezone"]; n != nil {
		c.Location = doc.Location(n, "timezone")
	}
	if n := top["year"]; n != nil {
		if c.Year = doc.Int(n, "year"); c.Year != 0 && (c.Year < 1970 || c.Year > 9999) {
			doc.Errorf(n, "year: want a four-digit year, got %d", c.Year)
		}
	}
	hosts, order := doc.Map(top["hosts"], "hosts")
	for _, name := range order {
		hn := hosts[name]
		h := CaseHost{Name: name}
		fields, _ := doc.Map(hn, "host "+name, "paths", "timezone", "offset", "segment")
		if n := fields["paths"]; n != nil {
			h.Paths = doc.Strings(n, "paths of host "+name)
			for _, g := range h.Paths {
				if _, err := path.Match(strings.ReplaceAll(g, "**", "*"), ""); err != nil {
					doc.Errorf(n, "paths of host %s: bad glob %q", name, g)
				}
			}
		}
		if n := fields["timezone"]; n != nil {
			h.Location = doc.Location(n, "timezone of host "+name)
		}
		if n := fields["offset"]; n != nil {
			h.Offset = doc.Duration(n, "offset of host "+name)
		}
		if n := fields["segment"]; n != nil {
			h.Segment = doc.String(n, "segment of host "+name)
		}
		c.Hosts = append(c.Hosts, h)
	}
	if err := doc.Err(); err != nil {
		return nil, err
	}
	return c, nil
}

// HostFor returns the host whose globs match file, if any.
func (c *Case) HostFor(file string) (*CaseHost, bool) {
	rel, err := filepath.Rel(c.Root, file)
	if err != nil || strings.HasPrefix(rel, "..") {
		rel = file
	}
	rel = filepath.ToSlash(rel)
	for i := range c.Hosts {
		for _, g := range c.Hosts[i].Paths {
			if matchGlob(g, rel) {
				return &c.Hosts[i], true
			}
		}
	}
	return nil, false
}

// matchGlob matches a slash-separated path against a glob where "**" is any
// number of directories. A glob without "/" matches the base name only.
func matchGlob(glob, p string) bool {
	if !strings.Contains(glob, "/") {
		ok, _ := path.Match(glob, path.Base(p))
		return ok
	}
	return matchParts(strings.Split(glob, "/"), strings.Split(p, "/"))
}

// matchParts matches path segments p against glob segments g. It is the
// classic wildcard algorithm with "**" as the star over segments: on a
// mismatch only the most recent "**" is retried one segment further, so the
// time is at most len(g)·len(p) segment matches however many "**" a
// (possibly hostile) case file holds; backtracking into every "**" took
// exponential time.
func matchParts(g, p []string) bool {
	gi, pi := 0, 0
	star, resume := -1, 0 // the last "**" seen and the path segment it resumes at
	for pi < len(p) {
		switch {
		case gi < len(g) && g[gi] == "**":
			star, resume = gi, pi
			gi++
		case gi < len(g) && segMatch(g[gi], p[pi]):
			gi++
			pi++
		case star >= 0:
			resume++
			gi, pi = star+1, resume
		default:
			return false
		}
	}
	for gi < len(g) && g[gi] == "**" {
		gi++
	}
	return gi == len(g)
}

func segMatch(g, p string) bool {
	ok, _ := path.Match(g, p)
	return ok
}
