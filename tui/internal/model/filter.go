package model

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/arpforensics/arpforensics/timeline"
)

// Filter is every condition that narrows the timeline. Conditions of
// different kinds must all hold; the values of one kind are alternatives
// (":filter kind=arp,tcp" shows either). The zero Filter shows everything.
type Filter struct {
	Follow Key   // the key "f" follows; zero when not following
	Keys   []Key // ":filter ip=… mac=… entity=…": alternatives per key kind
	Kinds  []timeline.Kind
	Hosts  []string
	Hidden []int32 // sources hidden with ":source -NAME"
	// Hide drops the events it matches (":hide REGEX", lnav's filter-out):
	// in the raw line or the summary, as search matches.
	Hide *regexp.Regexp
	// From and To keep the events that overlap a time range (":range"),
	// Unix ns; 0 leaves that end open.
	From, To int64
}

// Empty reports a filter that shows every event.
func (f *Filter) Empty() bool {
	return f.Follow.IsZero() && len(f.Keys) == 0 && len(f.Kinds) == 0 && len(f.Hosts) == 0 && len(f.Hidden) == 0 &&
		f.Hide == nil && f.From == 0 && f.To == 0
}

// Clone returns a copy that shares nothing mutable with f.
func (f Filter) Clone() Filter {
	f.Keys = slices.Clone(f.Keys)
	f.Kinds = slices.Clone(f.Kinds)
	f.Hosts = slices.Clone(f.Hosts)
	f.Hidden = slices.Clone(f.Hidden)
	return f // Hide is immutable
}

// Terms describes the ":filter" part (not follow, not hidden sources) in the
// command's own syntax, for the header. Values come from user input and
// artifacts: sanitise before drawing.
func (f *Filter) Terms() string {
	var parts []string
	for _, kind := range []KeyKind{KeyIP, KeyMAC, KeyEntity} {
		var vs []string
		name := ""
		for _, k := range f.Keys {
			if k.Kind == kind {
				vs = append(vs, k.Value())
				name = k.Name()
			}
		}
		if len(vs) > 0 {
			parts = append(parts, name+"="+strings.Join(vs, ","))
		}
	}
	if len(f.Kinds) > 0 {
		var vs []string
		for _, k := range f.Kinds {
			vs = append(vs, k.String())
		}
		parts = append(parts, "kind="+strings.Join(vs, ","))
	}
	if len(f.Hosts) > 0 {
		parts = append(parts, "host="+strings.Join(f.Hosts, ","))
	}
	return strings.Join(parts, " ")
}

// Apply computes the rows the filter lets through. Key conditions start from
// the timeline's indexes (so following an IP among a million events touches
// only that IP's events); the other conditions are checked per event.
func (f *Filter) Apply(tl *timeline.Timeline) Rows {
	if f.Empty() {
		return AllRows(tl.Len())
	}
	var lists [][]int32
	if !f.Follow.IsZero() {
		lists = append(lists, f.Follow.lookup(tl))
	}
	for _, kind := range []KeyKind{KeyIP, KeyMAC, KeyEntity} {
		var alt [][]int32
		for _, k := range f.Keys {
			if k.Kind == kind {
				alt = append(alt, k.lookup(tl))
			}
		}
		if len(alt) > 0 {
			lists = append(lists, unionAll(alt))
		}
	}
	keep := f.predicate(tl)
	if f.Hide != nil {
		// Filter-out reads each remaining event's text: after the cheap
		// conditions, so it decodes only what they let through.
		cheap := keep
		keep = func(r *timeline.Record) bool {
			if cheap != nil && !cheap(r) {
				return false
			}
			e := tl.ViewOf(0, r)
			return !Matches(&e, f.Hide)
		}
	}
	if len(lists) == 0 {
		var out []int32
		for i, r := range tl.Records(0, -1) {
			if keep(r) {
				out = append(out, int32(i))
			}
		}
		return IndexRows(out)
	}
	base := lists[0]
	for _, l := range lists[1:] {
		base = intersect(base, l)
	}
	if keep == nil {
		// base may be the timeline's own index: shared, never written.
		return IndexRows(base)
	}
	out := make([]int32, 0, len(base))
	for _, i := range base {
		if r := tl.Record(int(i)); keep(&r) {
			out = append(out, i)
		}
	}
	return IndexRows(out)
}

// predicate is the per-event part of the filter, or nil when there is none.
// It reads only the event's record.
func (f *Filter) predicate(tl *timeline.Timeline) func(r *timeline.Record) bool {
	if len(f.Kinds) == 0 && len(f.Hosts) == 0 && len(f.Hidden) == 0 && f.From == 0 && f.To == 0 {
		return nil
	}
	from, to := f.From, f.To
	if to == 0 {
		to = 1<<63 - 1
	}
	// Per-source verdicts for host and hidden: one lookup per event.
	srcOK := make([]bool, len(tl.Sources))
	for i, s := range tl.Sources {
		srcOK[i] = !slices.Contains(f.Hidden, int32(i)) &&
			(len(f.Hosts) == 0 || slices.Contains(f.Hosts, s.Host))
	}
	var kindOK [256]bool
	for k := range kindOK {
		kindOK[k] = len(f.Kinds) == 0
	}
	for _, k := range f.Kinds {
		kindOK[k] = true
	}
	return func(r *timeline.Record) bool {
		return r.Src >= 0 && int(r.Src) < len(srcOK) && srcOK[r.Src] && kindOK[r.Kind] &&
			r.LastNano() >= from && r.T <= to
	}
}

// intersect returns the indexes in both ascending lists, in a new slice.
func intersect(a, b []int32) []int32 {
	out := make([]int32, 0, min(len(a), len(b)))
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			out = append(out, a[i])
			i++
			j++
		}
	}
	return out
}

// unionAll merges ascending lists into one without repeats. A single list is
// returned as it is.
func unionAll(lists [][]int32) []int32 {
	if len(lists) == 1 {
		return lists[0]
	}
	var out []int32
	for _, l := range lists {
		out = union(out, l)
	}
	return out
}

func union(a, b []int32) []int32 {
	out := make([]int32, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			out = append(out, a[i])
			i++
		case a[i] > b[j]:
			out = append(out, b[j])
			j++
		default:
			out = append(out, a[i])
			i++
			j++
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...)
}

// ParseFilter reads the arguments of ":filter": space-separated terms
// "ip=A[,B…]", "mac=…", "entity=…", "kind=arp,tcp", "host=NAME". It returns a
// filter holding only those terms.
func ParseFilter(args string) (Filter, error) {
	var f Filter
	for _, term := range strings.Fields(args) {
		name, value, ok := strings.Cut(term, "=")
		if !ok || value == "" {
			return Filter{}, fmt.Errorf("%q: want key=value (ip, mac, entity, kind, host)", term)
		}
		name = strings.ToLower(name)
		for _, v := range strings.Split(value, ",") {
			if v == "" {
				continue
			}
			switch name {
			case "ip", "mac", "entity":
				k, err := ParseKey(name, v)
				if err != nil {
					return Filter{}, err
				}
				f.Keys = appendKey(f.Keys, k)
			case "kind":
				k, ok := parseKind(v)
				if !ok {
					return Filter{}, fmt.Errorf("kind=%s: unknown kind (want %s)", v, kindList())
				}
				if !slices.Contains(f.Kinds, k) {
					f.Kinds = append(f.Kinds, k)
				}
			case "host":
				if !slices.Contains(f.Hosts, v) {
					f.Hosts = append(f.Hosts, v)
				}
			default:
				return Filter{}, fmt.Errorf("%q: unknown filter key %q (want ip, mac, entity, kind, host)", term, name)
			}
		}
	}
	return f, nil
}

// KindLabel is a kind as the timeline's kind column shows it (7 cells):
// the kind's name, "txn-st" for txn-status. ":filter kind=" takes it as
// well as the full name, so what the screen shows can be typed back.
func KindLabel(k timeline.Kind) string {
	if k == timeline.KindTxnStatus {
		return "txn-st"
	}
	return k.String()
}

func parseKind(s string) (timeline.Kind, bool) {
	for k := timeline.KindARP; k <= timeline.KindLog; k++ {
		if strings.EqualFold(k.String(), s) || strings.EqualFold(KindLabel(k), s) {
			return k, true
		}
	}
	return 0, false
}

func kindList() string {
	var ns []string
	for k := timeline.KindARP; k <= timeline.KindLog; k++ {
		n := k.String()
		if l := KindLabel(k); l != n {
			n += " (" + l + ")"
		}
		ns = append(ns, n)
	}
	return strings.Join(ns, ", ")
}

// MatchSources returns the sources a ":source" argument names: its full
// path, its base name, or a path suffix at a "/" boundary.
func MatchSources(tl *timeline.Timeline, name string) []int32 {
	var out []int32
	for i, s := range tl.Sources {
		p := s.Path
		if p == name || filepath.Base(p) == name || strings.HasSuffix(p, "/"+strings.TrimPrefix(name, "/")) {
			out = append(out, int32(i))
		}
	}
	return out
}

// SourceOp is what ":source" does.
type SourceOp uint8

const (
	SourceShowAll SourceOp = iota // ":source": show every source again
	SourceHide                    // ":source -NAME"
	SourceShow                    // ":source +NAME"
	SourceOnly                    // ":source NAME": show only it
)

// ApplySource changes the hidden set for a ":source" command.
func (f *Filter) ApplySource(tl *timeline.Timeline, arg string) error {
	arg = strings.TrimSpace(arg)
	op := SourceOnly
	switch {
	case arg == "":
		f.Hidden = nil
		return nil
	case strings.HasPrefix(arg, "-"):
		op, arg = SourceHide, strings.TrimSpace(arg[1:])
	case strings.HasPrefix(arg, "+"):
		op, arg = SourceShow, strings.TrimSpace(arg[1:])
	}
	match := MatchSources(tl, arg)
	if len(match) == 0 {
		return fmt.Errorf("no source is named %q", arg)
	}
	switch op {
	case SourceHide:
		for _, s := range match {
			if !slices.Contains(f.Hidden, s) {
				f.Hidden = append(f.Hidden, s)
			}
		}
	case SourceShow:
		f.Hidden = slices.DeleteFunc(f.Hidden, func(s int32) bool { return slices.Contains(match, s) })
	case SourceOnly:
		f.Hidden = nil
		for i := range tl.Sources {
			if !slices.Contains(match, int32(i)) {
				f.Hidden = append(f.Hidden, int32(i))
			}
		}
	}
	slices.Sort(f.Hidden)
	return nil
}
