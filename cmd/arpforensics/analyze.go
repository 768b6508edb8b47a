package main

import (
	"bufio"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/arpforensics/arpforensics/analysis"
	"github.com/arpforensics/arpforensics/detect"
	"github.com/arpforensics/arpforensics/internal/safetext"
	"github.com/arpforensics/arpforensics/timeline"
)

type analyzeFlags struct {
	inputFlags
	format string
	output string
	failOn string
	strict bool
	force  bool // write outputs over files that are not reports of ours
	// formatSet: --format was given, so it decides -o FILE's format.
	formatSet bool
	files     map[string]*string // --json FILE, --junit FILE, …: format name → path
}

func newAnalyze() *cobra.Command {
	f := &analyzeFlags{files: map[string]*string{}}
	cmd := &cobra.Command{
		Use:   "analyze [flags] PATH...",
		Short: "Analyse artifacts (files or directories, any mix of kinds) and report findings",
		Long: `Analyse artifacts and report findings.

One pass writes every output asked for: the report on stdout (--format, text
by default; -o FILE instead, format from the extension) and any of
` + fileFlagList() + ` FILE.

An output is never written over a file named as an input, nor over an
existing file that is not an arpforensics report, unless --force: the run
stops with exit 2 before reading anything.

Exit codes: 0 analysed, no finding at or above --fail-on; 1 analysed, at least
one such finding; 2 usage error, or no readable artifact at all; 3 (only with
--strict) no such finding, but some input was unreadable or had errors.
Unreadable inputs and inputs with errors are named on stderr, one line each,
before the report, even with --quiet.`,
		Example: `  arpforensics analyze samples/fip-reuse                 # the text report on stdout
  arpforensics analyze logs/ --json report.json --junit junit.xml --html report.html
  arpforensics analyze --format json -o report logs/     # JSON into a file named report
  arpforensics analyze --since 2017-05-16T14:30:00Z --until 2017-05-16T14:40:00Z capture.pcap
  arpforensics analyze --strict --fail-on medium logs/   # exit 3 when an input had errors`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runAnalyze(cmd, f, args) },
	}
	f.register(cmd)
	fl := cmd.Flags()
	fl.StringVar(&f.format, "format", "text", "report format on stdout: "+formatNames())
	fl.StringVarP(&f.output, "output", "o", "", "write the report to FILE instead of stdout (format from the extension)")
	fl.StringVar(&f.failOn, "fail-on", "high", "exit 1 when a finding has at least this severity: high|medium|low|info|none")
	fl.BoolVar(&f.strict, "strict", false, "exit 3 when no finding fails the run but an input was unreadable or had errors")
	fl.BoolVar(&f.force, "force", false, "write outputs over existing files that are not arpforensics reports (never needed for a new file or an earlier report)")
	for _, ff := range formats {
		if ff.usage != "" {
			f.files[ff.name] = fl.String(ff.name, "", ff.usage)
		}
	}
	return cmd
}

// output is one report to write.
type output struct {
	format *format
	path   string // "" is stdout
	viaO   bool   // named by -o, not by --FORMAT
}

func (f *analyzeFlags) outputs() ([]output, error) {
	named := reportFormat(f.format)
	if named == nil {
		return nil, usageErr("--format %q: want %s", f.format, formatNames())
	}
	var outs []output
	switch {
	case f.output != "" && f.formatSet:
		// An explicit --format says what to write, whatever the name.
		outs = append(outs, output{format: named, path: f.output, viaO: true})
	case f.output != "":
		ext := strings.ToLower(filepath.Ext(f.output))
		format := formatOfExt(ext)
		if format == nil {
			what := fmt.Sprintf("from %q", ext)
			if ext == "" {
				what = "of a name without an extension"
			}
			return nil, usageErr("-o %s: cannot tell the format %s (name the file with one of %s, or add --format)", f.output, what, extList())
		}
		outs = append(outs, output{format: format, path: f.output, viaO: true})
	case !(f.quiet && f.format == "text"):
		outs = append(outs, output{format: named})
	}
	for i, ff := range formats {
		if p := f.files[ff.name]; p != nil && *p != "" {
			outs = append(outs, output{format: &formats[i], path: *p})
		}
	}
	seen := map[string]bool{}
	for _, o := range outs {
		if o.path != "" && seen[o.path] {
			return nil, usageErr("%s is named for two outputs", o.path)
		}
		seen[o.path] = true
	}
	return outs, nil
}

func runAnalyze(cmd *cobra.Command, f *analyzeFlags, paths []string) error {
	stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
	f.formatSet = cmd.Flags().Changed("format")
	outs, err := f.outputs()
	if err != nil {
		return err
	}
	if err := guardOutputs(outs, paths, f.force); err != nil {
		return err
	}
	threshold, failNone, err := parseFailOn(f.failOn)
	if err != nil {
		return err
	}
	opts, err := f.options(paths, stderr)
	if err != nil {
		return err
	}

	res := analysis.Run(opts)
	if !res.Readable() {
		return unreadable(stderr, res, paths)
	}

	health(stderr, res)
	ro := renderOpts{threshold: threshold, failNone: failNone, disabled: opts.Config.Disabled, export: f.exportCommand(paths)}
	var st []*staged
	for _, o := range outs {
		if o.path == "" {
			if err := write(o, res, ro, stdout); err != nil {
				discard(st)
				return &exitError{code: exitUsage, err: err}
			}
			continue
		}
		s, err := stage(o, res, ro)
		if err != nil {
			discard(st)
			return &exitError{code: exitUsage, err: fmt.Errorf("%w; no output file was replaced", err)}
		}
		st = append(st, s)
	}
	if err := commit(st); err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	return &exitError{code: verdict(res, threshold, failNone, f.strict)}
}

// write renders one output to stdout (files are staged: outputs.go).
func write(o output, res *analysis.Result, ro renderOpts, stdout io.Writer) error {
	ro.color = o.format.color && colorFor(stdout)
	bw := bufio.NewWriterSize(stdout, 1<<16)
	if err := o.format.render(bw, res, ro); err != nil {
		return err
	}
	return bw.Flush()
}

// parseFailOn reads --fail-on; "none" never fails on findings.
func parseFailOn(s string) (detect.Severity, bool, error) {
	if strings.EqualFold(s, "none") {
		return 0, true, nil
	}
	sev, err := detect.ParseSeverity(s)
	if err != nil {
		return 0, false, usageErr("--fail-on: %v (or none)", err)
	}
	return sev, false, nil
}

// verdict is the exit code of an analysed run.
func verdict(r *analysis.Result, threshold detect.Severity, failNone, strict bool) int {
	if !failNone {
		for _, f := range r.Findings {
			if f.Severity >= threshold {
				return exitFindings
			}
		}
	}
	if strict && inputTrouble(r) > 0 {
		return exitInputs
	}
	return exitOK
}

// inputTrouble counts the sources that could not be read or had errors.
func inputTrouble(r *analysis.Result) int {
	n := 0
	for _, s := range r.Timeline.Sources {
		if s.Unreadable || s.Errors() > 0 {
			n++
		}
	}
	return n
}

// health names on stderr, one line each, the inputs that could not be read
// and those with errors: a CI log shows them even when the report goes to a
// file, and even with --quiet.
func health(stderr io.Writer, r *analysis.Result) {
	for _, s := range r.Timeline.Sources {
		errs := s.Errors()
		if !s.Unreadable && errs == 0 {
			continue
		}
		var first timeline.Problem
		for _, p := range s.Problems {
			if p.Level == timeline.LevelError {
				first = p
				break
			}
		}
		where := safetext.Terminal(s.Path)
		if pos := first.Pos.String(); pos != "" {
			where += ":" + pos
		}
		switch {
		case s.Unreadable:
			fmt.Fprintf(stderr, "arpforensics: %s: unreadable: %s\n", where, safetext.Terminal(first.Message))
		case errs == 1:
			fmt.Fprintf(stderr, "arpforensics: %s: %s\n", where, safetext.Terminal(first.Message))
		default:
			fmt.Fprintf(stderr, "arpforensics: %s: %s (and %d more problems: see the report)\n", where, safetext.Terminal(first.Message), errs-1)
		}
	}
}
