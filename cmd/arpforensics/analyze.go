package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/arpforensics/arpforensics/analysis"
	"github.com/arpforensics/arpforensics/detect"
	"github.com/arpforensics/arpforensics/report"
)

type analyzeFlags struct {
	inputFlags
	format string
	output string
	failOn string
	strict bool
	html   string // --html FILE: also write the HTML report there
}

// renderers maps --format names to renderers. color applies to text only.
var renderers = map[string]func(w io.Writer, r *analysis.Result, color bool) error{
	"text": func(w io.Writer, r *analysis.Result, color bool) error {
		return report.Text(w, r, report.TextOptions{Color: color})
	},
	"json": func(w io.Writer, r *analysis.Result, _ bool) error { return report.JSON(w, r) },
	"html": func(w io.Writer, r *analysis.Result, _ bool) error { return report.HTML(w, r, report.HTMLOptions{}) },
}

// formatByExt picks the format of -o FILE from its extension.
var formatByExt = map[string]string{
	".txt": "text", ".text": "text", ".json": "json",
	".html": "html", ".htm": "html",
}

func formatNames() string {
	var ns []string
	for _, n := range []string{"text", "json", "junit", "ndjson", "html"} {
		if _, ok := renderers[n]; ok {
			ns = append(ns, n)
		}
	}
	return strings.Join(ns, "|")
}

func newAnalyze() *cobra.Command {
	f := &analyzeFlags{}
	cmd := &cobra.Command{
		Use:   "analyze [flags] PATH...",
		Short: "Analyse artifacts (files or directories, any mix of kinds) and report findings",
		Long: `Analyse artifacts and report findings.

Exit codes: 0 analysed, no finding at or above --fail-on; 1 analysed, at least
one such finding; 2 usage error, or no readable artifact at all.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runAnalyze(f, args) },
	}
	f.register(cmd)
	fl := cmd.Flags()
	fl.StringVar(&f.format, "format", "text", "report format on stdout: "+formatNames())
	fl.StringVarP(&f.output, "output", "o", "", "write the report to FILE instead of stdout (format from the extension)")
	fl.StringVar(&f.failOn, "fail-on", "high", "exit 1 when a finding has at least this severity: high|medium|low|info|none")
	fl.BoolVar(&f.strict, "strict", false, "exit 1 when any input had problems, even with no finding")
	fl.StringVar(&f.html, "html", "", "also write the self-contained HTML report to FILE")
	return cmd
}

func runAnalyze(f *analyzeFlags, paths []string) error {
	format := f.format
	if f.output != "" {
		ext := strings.ToLower(filepath.Ext(f.output))
		byExt, ok := formatByExt[ext]
		if !ok {
			return usageErr("-o %s: cannot tell the format from %q (want one of %s)", f.output, ext, extList())
		}
		format = byExt
	}
	render, ok := renderers[format]
	if !ok {
		return usageErr("--format %q: want %s", format, formatNames())
	}
	threshold, failNone, err := parseFailOn(f.failOn)
	if err != nil {
		return err
	}
	opts, err := f.options(paths)
	if err != nil {
		return err
	}

	res := analysis.Run(opts)
	if !res.Readable() {
		// Say why on stderr: the report would only list unreadable inputs.
		for _, s := range res.Timeline.Sources {
			for _, p := range s.Problems {
				fmt.Fprintf(os.Stderr, "arpforensics: %s: %s\n", s.Path, p.Message)
			}
			if s.SkipReason != "" {
				fmt.Fprintf(os.Stderr, "arpforensics: %s: skipped: %s\n", s.Path, s.SkipReason)
			}
		}
		return &exitError{code: exitUsage, err: fmt.Errorf("no readable artifact in %s", strings.Join(paths, " "))}
	}

	if f.html != "" {
		if err := writeReport(f.html, renderers["html"], res); err != nil {
			return err
		}
	}
	if f.output != "" {
		var buf bytes.Buffer
		if err := render(&buf, res, false); err != nil {
			return &exitError{code: exitUsage, err: err}
		}
		if err := os.WriteFile(f.output, buf.Bytes(), 0o644); err != nil {
			return &exitError{code: exitUsage, err: err}
		}
	} else if !(f.quiet && format == "text") {
		if err := render(os.Stdout, res, format == "text" && colorFor(os.Stdout)); err != nil {
			return &exitError{code: exitUsage, err: err}
		}
	}
	return &exitError{code: verdict(res, threshold, failNone, f.strict)}
}

// writeReport renders res into path in one write, so a failed render leaves
// no half-written file behind.
func writeReport(path string, render func(io.Writer, *analysis.Result, bool) error, res *analysis.Result) error {
	var buf bytes.Buffer
	if err := render(&buf, res, false); err != nil {
		return &exitError{code: exitUsage, err: fmt.Errorf("%s: %w", path, err)}
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	return nil
}

func extList() string {
	var es []string
	for e := range formatByExt {
		es = append(es, e)
	}
	return strings.Join(sortedStrings(es), " ")
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
	if strict {
		for _, s := range r.Timeline.Sources {
			if s.Errors() > 0 {
				return exitFindings
			}
		}
	}
	return exitOK
}
