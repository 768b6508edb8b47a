package main

import (
	"bufio"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/arpforensics/arpforensics/analysis"
	"github.com/arpforensics/arpforensics/detect"
	"github.com/arpforensics/arpforensics/report"
	"github.com/arpforensics/arpforensics/safetext"
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
	files     map[string]*string // --json FILE, --junit FILE, …: format → path
}

// renderOpts is what renderers may need beyond the result.
type renderOpts struct {
	color     bool // text only
	threshold detect.Severity
	failNone  bool
	disabled  map[string]bool
	export    func(id string) string // the export command of a finding
}

// renderers maps format names to renderers.
var renderers = map[string]func(w io.Writer, r *analysis.Result, o renderOpts) error{
	"text": func(w io.Writer, r *analysis.Result, o renderOpts) error {
		return report.Text(w, r, report.TextOptions{Color: o.color, Export: o.export})
	},
	// JSON outputs escape what a terminal would act on (safetext.JSON):
	// someone will cat them.
	"json":   func(w io.Writer, r *analysis.Result, _ renderOpts) error { return report.JSON(safetext.JSON(w), r) },
	"ndjson": func(w io.Writer, r *analysis.Result, _ renderOpts) error { return report.NDJSON(safetext.JSON(w), r) },
	"junit": func(w io.Writer, r *analysis.Result, o renderOpts) error {
		return report.JUnit(w, r, report.JUnitOptions{FailOn: o.threshold, FailNone: o.failNone, Disabled: o.disabled})
	},
	"events": func(w io.Writer, r *analysis.Result, _ renderOpts) error { return report.Events(safetext.JSON(w), r) },
	"html": func(w io.Writer, r *analysis.Result, o renderOpts) error {
		return report.HTML(w, r, report.HTMLOptions{Export: o.export})
	},
}

// formatByExt picks the format of -o FILE from its extension.
var formatByExt = map[string]string{
	".txt": "text", ".text": "text", ".json": "json", ".ndjson": "ndjson", ".jsonl": "ndjson", ".xml": "junit",
	".html": "html", ".htm": "html",
}

// fileFlags are the --FORMAT FILE flags, in the order outputs are written.
var fileFlags = []struct{ format, help string }{
	{"json", "also write the JSON report to FILE"},
	{"junit", "also write JUnit XML (a suite per detector) to FILE"},
	{"ndjson", "also write the findings, one JSON object per line, to FILE"},
	{"events", "also write the merged timeline and the findings as Timesketch JSON lines (cited events tagged with their findings) to FILE"},
	{"html", "also write the self-contained HTML report (verdict, diagrams, filters, event table) to FILE"},
}

func formatNames() string {
	var ns []string
	for n := range renderers {
		if n != "events" {
			ns = append(ns, n)
		}
	}
	slices.Sort(ns)
	return strings.Join(ns, "|")
}

func newAnalyze() *cobra.Command {
	f := &analyzeFlags{files: map[string]*string{}}
	cmd := &cobra.Command{
		Use:   "analyze [flags] PATH...",
		Short: "Analyse artifacts (files or directories, any mix of kinds) and report findings",
		Long: `Analyse artifacts and report findings.

One pass writes every output asked for: the report on stdout (--format, text
by default; -o FILE instead, format from the extension) and any of --json,
--junit, --ndjson, --events, --html FILE. An output is never written over a
file named as an input, nor over an existing file that is not an arpforensics
report, unless --force: the run stops with exit 2 before reading anything.

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
	for _, ff := range fileFlags {
		f.files[ff.format] = fl.String(ff.format, "", ff.help)
	}
	return cmd
}

// output is one report to write.
type output struct {
	format string
	path   string // "" is stdout
	viaO   bool   // named by -o, not by --FORMAT
}

func (f *analyzeFlags) outputs() ([]output, error) {
	var outs []output
	switch {
	case f.output != "" && f.formatSet:
		// An explicit --format says what to write, whatever the name.
		if _, ok := renderers[f.format]; !ok || f.format == "events" {
			return nil, usageErr("--format %q: want %s", f.format, formatNames())
		}
		outs = append(outs, output{format: f.format, path: f.output, viaO: true})
	case f.output != "":
		ext := strings.ToLower(filepath.Ext(f.output))
		format, ok := formatByExt[ext]
		if !ok {
			what := fmt.Sprintf("from %q", ext)
			if ext == "" {
				what = "of a name without an extension"
			}
			return nil, usageErr("-o %s: cannot tell the format %s (name the file with one of %s, or add --format)", f.output, what, extList())
		}
		outs = append(outs, output{format: format, path: f.output, viaO: true})
	case !(f.quiet && f.format == "text"):
		if _, ok := renderers[f.format]; !ok || f.format == "events" {
			return nil, usageErr("--format %q: want %s", f.format, formatNames())
		}
		outs = append(outs, output{format: f.format})
	}
	for _, ff := range fileFlags {
		if p := *f.files[ff.format]; p != "" {
			outs = append(outs, output{format: ff.format, path: p})
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
	render := renderers[o.format]
	ro.color = o.format == "text" && colorFor(stdout)
	bw := bufio.NewWriterSize(stdout, 1<<16)
	if err := render(bw, res, ro); err != nil {
		return err
	}
	return bw.Flush()
}

func extList() string {
	var es []string
	for e := range formatByExt {
		es = append(es, e)
	}
	slices.Sort(es)
	return strings.Join(es, " ")
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
