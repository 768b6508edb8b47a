package detect

import (
	"cmp"
	"container/heap"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Findings collects one detector's findings as it makes them, keeping at
// most a cap of them: the most severe, and among equals the heaviest (most
// evidence behind them), then the earliest. The rest are only counted, and
// List adds one summary finding that says how many were left out, so a
// capture with a million unanswered targets costs a bounded report and
// bounded memory however many instances it holds.
type Findings struct {
	max  int // 0: keep all
	kept rankHeap

	omitted   int64
	bySev     [High + 1]int64
	worst     Severity
	first     time.Time
	last      time.Time
	weightSum int64
}

// NewFindings returns a collector keeping at most max findings (0: all).
func NewFindings(max int) *Findings { return &Findings{max: max} }

// ranked is a kept finding and the weight it was offered with.
type ranked struct {
	f      Finding
	weight int64
}

// less orders by how much a finding deserves a place, least first.
func less(a, b *ranked) bool {
	if a.f.Severity != b.f.Severity {
		return a.f.Severity < b.f.Severity
	}
	if a.weight != b.weight {
		return a.weight < b.weight
	}
	if c := a.f.Start.Compare(b.f.Start); c != 0 {
		return c > 0 // later is worth less
	}
	return a.f.Title > b.f.Title
}

// rankHeap is a min-heap: its root is the kept finding to evict first.
type rankHeap []ranked

func (h rankHeap) Len() int           { return len(h) }
func (h rankHeap) Less(i, j int) bool { return less(&h[i], &h[j]) }
func (h rankHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *rankHeap) Push(x any)        { *h = append(*h, x.(ranked)) }
func (h *rankHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// Wants reports whether a finding of this severity, weight and start would
// be kept. A detector that makes many findings asks first, and calls Omit
// instead of building the finding (its explanation, its evidence) when not.
func (o *Findings) Wants(sev Severity, weight int64, start time.Time) bool {
	if o.max <= 0 || len(o.kept) < o.max {
		return true
	}
	probe := ranked{f: Finding{Severity: sev, Start: start}, weight: weight}
	return less(&o.kept[0], &probe)
}

// Add offers a finding of the given weight (the events or requests behind
// it: what makes one instance worse than another of the same severity).
func (o *Findings) Add(f Finding, weight int64) {
	r := ranked{f: f, weight: weight}
	if o.max <= 0 || len(o.kept) < o.max {
		heap.Push(&o.kept, r)
		return
	}
	if !less(&o.kept[0], &r) {
		o.Omit(f.Severity, weight, f.Start, f.End)
		return
	}
	out := o.kept[0]
	o.kept[0] = r
	heap.Fix(&o.kept, 0)
	o.Omit(out.f.Severity, out.weight, out.f.Start, out.f.End)
}

// Omit counts a finding that is not kept.
func (o *Findings) Omit(sev Severity, weight int64, start, end time.Time) {
	if sev > High {
		sev = High
	}
	o.omitted++
	o.bySev[sev]++
	o.worst = max(o.worst, sev)
	o.weightSum += weight
	if end.Before(start) {
		end = start
	}
	if o.first.IsZero() || start.Before(o.first) {
		o.first = start
	}
	if end.After(o.last) {
		o.last = end
	}
}

// Revise lets the detector amend the findings it kept, once its pass is
// over (what only the whole input tells, such as a confidence).
func (o *Findings) Revise(f func(*Finding)) {
	for i := range o.kept {
		f(&o.kept[i].f)
	}
}

// Len is how many findings were offered, kept or not.
func (o *Findings) Len() int64 { return int64(len(o.kept)) + o.omitted }

// List is the kept findings by start time, then the summary of the omitted
// ones, if any. what names the detector's instances in the summary
// ("unanswered ARP episodes").
func (o *Findings) List(detector, what string) []Finding {
	out := make([]Finding, 0, len(o.kept)+1)
	for _, r := range o.kept {
		out = append(out, r.f)
	}
	slices.SortStableFunc(out, func(a, b Finding) int {
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return cmp.Compare(a.Title, b.Title)
	})
	if o.omitted > 0 {
		out = append(out, o.summary(detector, what))
	}
	return out
}

// Omitted is how many findings a summary finding stands for; 0 for any
// other finding.
func (f *Finding) Omitted() int64 {
	n, _ := f.Subject.Get("omitted").(int64)
	return n
}

// summary is the finding that stands for the omitted ones: it carries their
// worst severity, so --fail-on judges the run as if they were all shown.
func (o *Findings) summary(detector, what string) Finding {
	var parts []string
	for s := High; ; s-- {
		if n := o.bySev[s]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, s))
		}
		if s == Info {
			break
		}
	}
	f := Finding{
		Severity: o.worst, Confidence: ConfHigh, Start: o.first, End: o.last,
		Title: fmt.Sprintf("%d more %s not shown (%s), %s – %s", o.omitted, what, strings.Join(parts, ", "),
			o.first.UTC().Format("2006-01-02 15:04:05"), o.last.UTC().Format("15:04:05")),
	}
	f.Subject.Set("omitted", o.omitted)
	for s := High; ; s-- {
		if n := o.bySev[s]; n > 0 {
			f.Subject.Set(s.String(), n)
		}
		if s == Info {
			break
		}
	}
	f.Subject.Set("weight", o.weightSum)
	f.Explanation = fmt.Sprintf("%s found %d %s in all; the report shows the %d most severe and largest of them (the cap is %d per detector: max_findings under thresholds: in a config file) and counts the rest here. Together the ones not shown rest on %d events. To see them, narrow the run with --since/--until around the times that matter, or raise the cap.",
		detector, o.Len(), what, len(o.kept), o.max, o.weightSum)
	return f
}
