// Package analysis runs the pipeline once: ingest every path, parse each file
// on its own core, re-anchor timestamps that lacked a year or a date, apply
// clock offsets, merge one timeline and run the detectors. Reports and the
// TUI read the Result it returns.
package analysis

import (
	"cmp"
	"errors"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/arpforensics/arpforensics/detect"
	"github.com/arpforensics/arpforensics/ingest"
	"github.com/arpforensics/arpforensics/internal/yamlconf"
	"github.com/arpforensics/arpforensics/parse"
	"github.com/arpforensics/arpforensics/timeline"
)

// Options is everything a run depends on.
type Options struct {
	Paths []string
	// Location is the zone for zone-less timestamps (--tz); nil is UTC.
	Location *time.Location
	// Year completes timestamps without a year (--year); 0 infers it.
	Year int
	// Offsets shifts every timestamp of a host's sources (clock skew). They
	// override the case file's.
	Offsets map[string]time.Duration
	// Case is the case file (hosts by path, zones, offsets), or nil.
	Case *ingest.Case
	// CasePath and CaseError, when set, are a case file found in an
	// analysed directory and why it could not be used: a problem on that
	// source, and the run goes on without it. (A case file named with
	// --case that is bad is a usage error before the run.)
	CasePath  string
	CaseError error
	// Since and Until limit the analysis to a window; zero is unbounded.
	Since, Until time.Time
	// SinceRel and UntilRel, when set, place the window relative to the
	// data itself once it is read (then Since/Until are ignored for that
	// end): "+30s" from the first event, "-5m" from the last.
	SinceRel, UntilRel *RelTime
	Config             detect.Config
	// Workers is how many files are parsed at once; 0 means one per core.
	Workers int
	// Progress, when set, is called as files are read (every few
	// megabytes, and when a file ends) with the bytes read so far and the
	// bytes of all files. It runs on the worker goroutines.
	Progress func(done, total int64)
}

// Result is one analysed run.
type Result struct {
	Timeline *timeline.Timeline
	Findings []detect.Finding
	// Notes are observations about the run as a whole, such as hosts whose
	// clocks disagree; each says how to correct what it notes.
	Notes []string
	// DetectorTime is how long each enabled detector took; Took is the
	// whole analysis.
	DetectorTime map[string]time.Duration
	Took         time.Duration
}

// Readable reports whether at least one artifact was analysed.
func (r *Result) Readable() bool {
	for _, s := range r.Timeline.Sources {
		if s.Analysed() {
			return true
		}
	}
	return false
}

// Run analyses opts.Paths. Paths that cannot be read become sources with a
// problem, so the caller decides what a run with nothing readable means.
func Run(opts Options) *Result {
	start := time.Now()
	files, errs := ingest.Expand(opts.Paths)
	var sources []*timeline.Source
	var sinks []*timeline.Sink
	for _, err := range errs {
		s := &timeline.Source{Path: errPath(err), Kind: "unknown", Host: ingest.DefaultHost, Unreadable: true}
		s.Problemf(timeline.Pos{}, "%v", ingest.UnwrapPath(err))
		sources = append(sources, s)
		sinks = append(sinks, nil)
	}
	if opts.Case != nil && opts.Year == 0 {
		opts.Year = opts.Case.Year
	}
	space := timeline.NewSpace()
	srcs, sks := readAll(files, opts, space)
	sources = append(sources, srcs...)
	sinks = append(sinks, sks...)
	dedup(sources, sinks)

	if opts.Year == 0 {
		anchorYears(sources, sinks)
	}
	anchorDates(sources, sinks)
	applyOffsets(sources, sinks, offsets(opts))
	splitSpans(sources)

	since, until := opts.Since, opts.Until
	if opts.SinceRel != nil || opts.UntilRel != nil {
		first, last := dataSpan(sinks)
		if opts.SinceRel != nil {
			since = opts.SinceRel.From(first, last)
		}
		if opts.UntilRel != nil {
			until = opts.UntilRel.From(first, last)
		}
	}
	// The readers' buffers and the folders' tables are garbage now. Collect
	// them before the merged timeline and the detectors allocate, so those
	// reuse their memory: left to its pacing, the collector waits for
	// garbage as large as the live heap, and on a large input reading's
	// leftovers and the timeline then add up in the peak.
	runtime.GC()
	tl, err := timeline.Merge(sources, sinks, timeline.Window{Since: since, Until: until})
	var notes []string
	if err != nil {
		notes = append(notes, "events were lost storing the timeline: "+err.Error())
	}
	notes = append(notes, clockNotes(tl)...)
	out := detect.Run(tl, opts.Config)
	return &Result{Timeline: tl, Findings: out.Findings, Notes: append(notes, out.Notes...), DetectorTime: out.Took, Took: time.Since(start)}
}

// readAll parses files concurrently and returns their sources and events in
// the order of files, whatever order the workers finish in.
func readAll(files []ingest.File, opts Options, space *timeline.Space) ([]*timeline.Source, []*timeline.Sink) {
	budget := opts.Workers
	if budget <= 0 {
		budget = runtime.GOMAXPROCS(0)
	}
	// Files are parsed budget at a time; when there are fewer files than
	// that, each gets the spare cores for its own goroutines (a capture
	// overlaps reading and decoding). --workers 1 means one core in all.
	n := min(budget, max(len(files), 1))
	popts := parse.Options{Location: opts.Location, Year: opts.Year, Since: opts.Since, Until: opts.Until, Threads: budget / n}
	offs := offsets(opts)
	cases := findCases(files, opts.Case)
	if opts.CaseError != nil {
		cases.bad[opts.CasePath] = opts.CaseError // the run's own case file, found in the first directory
	}
	// A file may hold several artifacts (an archive's members, a
	// journal's units): each file's sources, in the order read.
	sources := make([][]*timeline.Source, len(files))
	sinks := make([][]*timeline.Sink, len(files))
	var total int64
	for _, f := range files {
		total += f.Size
	}
	var (
		mu   sync.Mutex
		done int64
		wg   sync.WaitGroup
	)
	next := make(chan int)
	for w := 0; w < n; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				var read func(int64)
				var counted int64
				if opts.Progress != nil {
					read = func(n int64) {
						counted += n
						mu.Lock()
						done += n
						d := done
						mu.Unlock()
						opts.Progress(d, total)
					}
				}
				if err, bad := cases.bad[files[i].Path]; bad {
					sources[i] = []*timeline.Source{badCase(&timeline.Source{Path: files[i].Path, Host: files[i].Host}, err)}
					sinks[i] = []*timeline.Sink{nil}
				} else {
					c, f := cases.caseOf(files[i])
					readOne(f, popts, c, offs, space, read, func(src *timeline.Source, sink *timeline.Sink) {
						sources[i] = append(sources[i], src)
						sinks[i] = append(sinks[i], sink)
					})
				}
				if read != nil && counted < files[i].Size {
					read(files[i].Size - counted) // the rest was not read (a skipped kind)
				}
			}
		}()
	}
	// Largest first: a big file started last would leave the other cores
	// idle at the end. Results still land in path order.
	order := make([]int, len(files))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(files[b].Size, files[a].Size) })
	for _, i := range order {
		next <- i
	}
	close(next)
	wg.Wait()
	var srcs []*timeline.Source
	var sks []*timeline.Sink
	for i := range sources {
		srcs = append(srcs, sources[i]...)
		sks = append(sks, sinks[i]...)
	}
	return srcs, sks
}

// readOne reads one file (each artifact it holds to emit), with the host and zone the case file gives it.
// Parsers may skip records outside the window by their own timestamps, which
// the host's clock offset shifts later: they get the window in their terms.
func readOne(f ingest.File, popts parse.Options, c *ingest.Case, offs map[string]time.Duration, space *timeline.Space, read func(int64), emit func(*timeline.Source, *timeline.Sink)) {
	// The vantage point: a host is named within the path argument it was
	// found under, so two arguments' hosts of one name (two capture
	// folders, both "default") are two capture points; a case file's host
	// is one wherever its files are.
	vantage, segment := "", ""
	if c != nil {
		if f.Path == c.Path {
			emit(&timeline.Source{Path: f.Path, Kind: "case", Host: ingest.DefaultHost, SkipReason: "case file (hosts, zones, offsets)"}, nil)
			return
		}
		h, ok := c.HostFor(f.Path)
		switch {
		case ok && h.Location != nil:
			popts.Location = h.Location
		case popts.Location == nil:
			popts.Location = c.Location
		}
		if ok {
			f.Host = h.Name
			vantage, segment = "case\x00"+h.Name, h.Segment
		}
	}
	if off := offs[f.Host]; off != 0 {
		if !popts.Since.IsZero() {
			popts.Since = popts.Since.Add(-off)
		}
		if !popts.Until.IsZero() {
			popts.Until = popts.Until.Add(-off)
		}
	}
	ingest.ReadEach(f, popts, space, read, func(src *timeline.Source, sink *timeline.Sink) {
		src.Vantage = vantage
		if vantage == "" {
			// src.Host, not f.Host: a journal's entries name their own.
			src.Vantage = "root\x00" + f.Root + "\x00" + src.Host
		}
		if segment != "" {
			src.Segment = "segment\x00" + segment
		}
		emit(src, sink)
	})
}

// badCase is the source of a case file that could not be used: each of its
// errors a problem at its line.
func badCase(s *timeline.Source, err error) *timeline.Source {
	out := &timeline.Source{Path: s.Path, Kind: "case", Host: s.Host, Unreadable: true}
	var list yamlconf.ErrorList
	var one *yamlconf.Error
	switch {
	case errors.As(err, &list):
	case errors.As(err, &one):
		list = yamlconf.ErrorList{one}
	}
	for _, e := range list {
		out.Problemf(timeline.Pos{Line: int64(e.Line)}, "case file not used: column %d: %s", e.Col, e.Msg)
	}
	if len(list) == 0 {
		out.Problemf(timeline.Pos{}, "case file not used: %v", err)
	}
	return out
}

// offsets merges the case file's clock offsets with the command line's.
func offsets(opts Options) map[string]time.Duration {
	m := map[string]time.Duration{}
	if opts.Case != nil {
		for _, h := range opts.Case.Hosts {
			if h.Offset != 0 {
				m[h.Name] = h.Offset
			}
		}
	}
	for h, d := range opts.Offsets {
		m[h] = d
	}
	return m
}

func applyOffsets(sources []*timeline.Source, sinks []*timeline.Sink, offsets map[string]time.Duration) {
	for i, s := range sources {
		off, ok := offsets[s.Host]
		if !ok || off == 0 {
			continue
		}
		s.Offset = off
		shift(s, sinks[i], func(t time.Time) time.Time { return t.Add(off) })
	}
}

// shift rewrites every timestamp of one source: its span now, its events
// as they are merged.
func shift(s *timeline.Source, sink *timeline.Sink, f func(time.Time) time.Time) {
	if sink != nil {
		sink.Shift(f)
	}
	if !s.First.IsZero() {
		s.First, s.Last = f(s.First), f(s.Last)
	}
}

// RelTime is a time relative to the data read: D after its first event, or
// (FromEnd) D before its last.
type RelTime struct {
	FromEnd bool
	D       time.Duration
}

// From is the time r names for data spanning first..last.
func (r *RelTime) From(first, last time.Time) time.Time {
	if r.FromEnd {
		return last.Add(-r.D)
	}
	return first.Add(r.D)
}

// dataSpan is the time from the earliest event of any sink to the latest.
func dataSpan(sinks []*timeline.Sink) (first, last time.Time) {
	for _, s := range sinks {
		if s == nil {
			continue
		}
		f, l := s.Span()
		if f.IsZero() {
			continue
		}
		if first.IsZero() || f.Before(first) {
			first = f
		}
		if l.After(last) {
			last = l
		}
	}
	return first, last
}
