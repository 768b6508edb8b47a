package main

import (
	"os"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/arpforensics/arpforensics/analysis"
	"github.com/arpforensics/arpforensics/detect"
	"github.com/arpforensics/arpforensics/ingest"
	"github.com/arpforensics/arpforensics/yamlconf"
)

// inputFlags are the flags every command that reads artifacts shares.
type inputFlags struct {
	tz         string
	year       int
	caseFile   string
	offsets    []string
	noProgress bool
	quiet      bool
}

func (f *inputFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.tz, "tz", "", "time zone of timestamps that carry none (oslo.log, ip -ts, journal), e.g. Europe/Prague; default UTC")
	fl.IntVar(&f.year, "year", 0, "year of timestamps that carry none (journal, syslog); default: from another source, else the file's modification time")
	fl.StringVar(&f.caseFile, "case", "", "case file: hosts by path glob, time zones, year, clock offsets (default: case.yaml in the first directory analysed)")
	fl.StringArrayVar(&f.offsets, "offset", nil, "clock offset added to one host's timestamps, HOST=+2.5s (repeatable; overrides the case file)")
	fl.BoolVar(&f.noProgress, "no-progress", false, "never show a progress bar")
	fl.BoolVar(&f.quiet, "quiet", false, "print nothing but errors on the terminal")
}

// options turns the flags into analysis options, or a usage error.
func (f *inputFlags) options(paths []string) (analysis.Options, error) {
	o := analysis.Options{Paths: paths, Year: f.year, Config: detect.Defaults()}
	if f.tz != "" {
		loc, err := time.LoadLocation(f.tz)
		if err != nil {
			return o, usageErr("--tz %q: %v", f.tz, err)
		}
		o.Location = loc
	}
	if f.year != 0 && (f.year < 1970 || f.year > 9999) {
		return o, usageErr("--year %d: want a four-digit year", f.year)
	}
	caseFile := f.caseFile
	if caseFile == "" {
		caseFile = ingest.FindCase(paths)
	}
	if caseFile != "" {
		c, err := ingest.LoadCase(caseFile)
		if err != nil {
			return o, &exitError{code: exitUsage, err: err}
		}
		o.Case = c
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
	if !f.noProgress && !f.quiet && isTerminal(os.Stderr) {
		var bar *progressbar.ProgressBar
		o.Progress = func(done, total int64) {
			if bar == nil {
				bar = progressbar.NewOptions64(total,
					progressbar.OptionSetWriter(os.Stderr),
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

// isTerminal reports a character device: a terminal, not a file or pipe.
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// colorFor decides colour for output written to f: only on a terminal and
// never when NO_COLOR is set (https://no-color.org).
func colorFor(f *os.File) bool {
	if _, ok := os.LookupEnv("NO_COLOR"); ok {
		return false
	}
	return isTerminal(f)
}
