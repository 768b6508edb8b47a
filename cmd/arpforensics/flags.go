package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/arpforensics/arpforensics/analysis"
	"github.com/arpforensics/arpforensics/detect"
	"github.com/arpforensics/arpforensics/ingest"
	"github.com/arpforensics/arpforensics/internal/safetext"
	"github.com/arpforensics/arpforensics/internal/yamlconf"
)

// inputFlags are the flags every command that reads artifacts shares.
type inputFlags struct {
	tz         string
	year       int
	caseFile   string
	config     string
	offsets    []string
	since      string
	until      string
	workers    int
	noProgress bool
	quiet      bool
}

func (f *inputFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.tz, "tz", "", "time zone of timestamps that carry none (oslo.log, ip -ts, journal), e.g. Europe/Prague; default UTC")
	fl.IntVar(&f.year, "year", 0, "year of timestamps that carry none (journal, syslog); default: from another source, else the file's modification time")
	fl.StringVar(&f.caseFile, "case", "", "case file: hosts by path glob, time zones, year, clock offsets (default: case.yaml in the first directory analysed)")
	fl.StringVar(&f.config, "config", "", "detector configuration: on/off, severities, thresholds, known-issue catalog (see 'arpforensics config example')")
	fl.StringArrayVar(&f.offsets, "offset", nil, "clock offset added to one host's timestamps, HOST=+2.5s (repeatable; overrides the case file)")
	fl.StringVar(&f.since, "since", "", "analyse only what happened at or after this time: RFC 3339, \"2006-01-02 15:04:05\" in --tz, +DUR after the data's first event or -DUR before its last (-5m)")
	fl.StringVar(&f.until, "until", "", "analyse only what happened at or before this time (the same forms)")
	fl.IntVar(&f.workers, "workers", 0, "files parsed at once (default: one per core)")
	fl.BoolVar(&f.noProgress, "no-progress", false, "never show a progress bar")
	fl.BoolVar(&f.quiet, "quiet", false, "print nothing but errors on the terminal")
}

// options turns the flags into analysis options, or a usage error.
func (f *inputFlags) options(paths []string, stderr io.Writer) (analysis.Options, error) {
	o := analysis.Options{Paths: paths, Year: f.year, Config: detect.Defaults(), Workers: f.workers}
	if f.tz != "" {
		loc, err := time.LoadLocation(f.tz)
		if err != nil {
			return o, usageErr("--tz %q: %v", f.tz, err)
		}
		o.Location = loc
	}
	if f.workers < 0 {
		return o, usageErr("--workers %d: want a number of files parsed at once, 1 or more (0: one per core)", f.workers)
	}
	if f.year != 0 && (f.year < 1970 || f.year > 9999) {
		return o, usageErr("--year %d: want a four-digit year", f.year)
	}
	var err error
	if o.SinceRel, err = parseRel(f.since); err != nil {
		return o, usageErr("--since: %v", err)
	} else if o.SinceRel == nil {
		if o.Since, err = parseWhen(f.since, o.Location); err != nil {
			return o, usageErr("--since: %v", err)
		}
	}
	if o.UntilRel, err = parseRel(f.until); err != nil {
		return o, usageErr("--until: %v", err)
	} else if o.UntilRel == nil {
		if o.Until, err = parseWhen(f.until, o.Location); err != nil {
			return o, usageErr("--until: %v", err)
		}
	}
	if !o.Since.IsZero() && !o.Until.IsZero() && o.Until.Before(o.Since) {
		return o, usageErr("--until %s is before --since %s", f.until, f.since)
	}
	if f.config != "" {
		cfg, err := detect.LoadConfig(f.config)
		if err != nil {
			return o, &exitError{code: exitUsage, err: err}
		}
		o.Config = cfg
	}
	caseFile := f.caseFile
	if caseFile == "" {
		caseFile = ingest.FindCase(paths)
	}
	if caseFile != "" {
		c, err := ingest.LoadCase(caseFile)
		switch {
		case err != nil && f.caseFile != "":
			return o, &exitError{code: exitUsage, err: err}
		case err != nil:
			// Found in a tree: it may be anybody's; a problem on its
			// source, not the end of the run.
			o.CasePath, o.CaseError = caseFile, err
		default:
			o.Case = c
		}
	}
	for _, kv := range f.offsets {
		host, dur, ok := strings.Cut(kv, "=")
		d, err := yamlconf.ParseDuration(dur)
		if !ok || host == "" || err != nil {
			return o, usageErr("--offset %q: want HOST=DURATION, e.g. controller=+2.5s", kv)
		}
		if o.Offsets == nil {
			o.Offsets = map[string]time.Duration{}
		}
		o.Offsets[host] = d
	}
	if !f.noProgress && !f.quiet && isTerminal(stderr) {
		var bar *progressbar.ProgressBar
		o.Progress = func(done, total int64) {
			if bar == nil {
				bar = progressbar.NewOptions64(total,
					progressbar.OptionSetWriter(stderr),
					progressbar.OptionShowBytes(true),
					progressbar.OptionSetDescription("reading"),
					progressbar.OptionClearOnFinish(),
					progressbar.OptionThrottle(100*time.Millisecond))
			}
			bar.Set64(done)
			if done >= total {
				bar.Finish()
			}
		}
	}
	return o, nil
}

// unreadable explains on stderr why a run had nothing to analyse — each
// input's problems and skip reasons, since a report would only list them —
// and returns the usage exit.
func unreadable(stderr io.Writer, res *analysis.Result, paths []string) error {
	for _, s := range res.Timeline.Sources {
		for _, p := range s.Problems {
			fmt.Fprintf(stderr, "arpforensics: %s: %s\n", safetext.Terminal(s.Path), safetext.Terminal(p.Message))
		}
		if s.SkipReason != "" {
			fmt.Fprintf(stderr, "arpforensics: %s: skipped: %s\n", safetext.Terminal(s.Path), safetext.Terminal(s.SkipReason))
		}
	}
	return &exitError{code: exitUsage, err: fmt.Errorf("no readable artifact in %s", safetext.Terminal(strings.Join(paths, " ")))}
}

// parseRel reads a relative --since/--until ("+30s", "-5m"), or nil when s
// is not one.
func parseRel(s string) (*analysis.RelTime, error) {
	if len(s) < 2 || s[0] != '+' && s[0] != '-' {
		return nil, nil
	}
	d, err := time.ParseDuration(s[1:])
	if err != nil || d < 0 {
		return nil, fmt.Errorf("%q: want +DURATION after the data's first event or -DURATION before its last (+30s, -5m, -1h30m)", s)
	}
	return &analysis.RelTime{FromEnd: s[0] == '-', D: d}, nil
}

// parseWhen reads a --since/--until time: RFC 3339, or a date and time
// without zone read in loc (UTC when nil).
func parseWhen(s string, loc *time.Location) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if loc == nil {
		loc = time.UTC
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	for _, layout := range []string{"2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q: want RFC 3339 (2018-09-18T17:09:17Z) or \"2018-09-18 17:09:17\"", s)
}

// isTerminal reports a character device: a terminal, not a file or pipe.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// colorFor decides colour for output written to w: only on a terminal and
// never when NO_COLOR is set (https://no-color.org).
func colorFor(w io.Writer) bool {
	if _, ok := os.LookupEnv("NO_COLOR"); ok {
		return false
	}
	return isTerminal(w)
}
