package main

import (
	"io"
	"slices"
	"strings"

	"github.com/arpforensics/arpforensics/analysis"
	"github.com/arpforensics/arpforensics/detect"
	"github.com/arpforensics/arpforensics/internal/safetext"
	"github.com/arpforensics/arpforensics/report"
)

// format is one output analyze writes. The flags, their help, -o FILE's
// inference and --format's check all come from the list below, so a new
// output is one value in it.
type format struct {
	name string
	// exts name the format for -o FILE (lower case, with the dot).
	exts []string
	// side marks outputs written only as a file beside the report
	// (--events FILE): never --format, never inferred for -o.
	side bool
	// usage is the help of its --NAME FILE flag; "" for no such flag (the
	// text report, which is the default).
	usage string
	// color: rendered in colour when written to a terminal.
	color  bool
	render func(w io.Writer, r *analysis.Result, o renderOpts) error
}

// renderOpts is what renderers may need beyond the result.
type renderOpts struct {
	color     bool // formats with color only
	threshold detect.Severity
	failNone  bool
	disabled  map[string]bool
	export    func(id string) string // the export command of a finding
}

// formats is every output, file flags in the order outputs are written.
// JSON outputs escape what a terminal would act on (safetext.JSON):
// someone will cat them.
var formats = []format{
	{name: "text", exts: []string{".txt", ".text"}, color: true,
		render: func(w io.Writer, r *analysis.Result, o renderOpts) error {
			return report.Text(w, r, report.TextOptions{Color: o.color, Export: o.export})
		}},
	{name: "json", exts: []string{".json"}, usage: "also write the JSON report to FILE",
		render: func(w io.Writer, r *analysis.Result, _ renderOpts) error { return report.JSON(safetext.JSON(w), r) }},
	{name: "junit", exts: []string{".xml"}, usage: "also write JUnit XML (a suite per detector) to FILE",
		render: func(w io.Writer, r *analysis.Result, o renderOpts) error {
			return report.JUnit(w, r, report.JUnitOptions{FailOn: o.threshold, FailNone: o.failNone, Disabled: o.disabled})
		}},
	{name: "ndjson", exts: []string{".ndjson", ".jsonl"}, usage: "also write the findings, one JSON object per line, to FILE",
		render: func(w io.Writer, r *analysis.Result, _ renderOpts) error { return report.NDJSON(safetext.JSON(w), r) }},
	{name: "events", side: true,
		usage:  "also write the merged timeline and the findings as Timesketch JSON lines (cited events tagged with their findings) to FILE",
		render: func(w io.Writer, r *analysis.Result, _ renderOpts) error { return report.Events(safetext.JSON(w), r) }},
	{name: "html", exts: []string{".html", ".htm"}, usage: "also write the self-contained HTML report (verdict, diagrams, filters, event table) to FILE",
		render: func(w io.Writer, r *analysis.Result, o renderOpts) error {
			return report.HTML(w, r, report.HTMLOptions{Export: o.export})
		}},
}

// reportFormat is the format --format names, or nil: side outputs are no
// report.
func reportFormat(name string) *format {
	for i := range formats {
		if f := &formats[i]; f.name == name && !f.side {
			return f
		}
	}
	return nil
}

// formatOfExt is the format whose extensions include ext, or nil.
func formatOfExt(ext string) *format {
	for i := range formats {
		if f := &formats[i]; !f.side && slices.Contains(f.exts, ext) {
			return f
		}
	}
	return nil
}

// formatNames lists what --format takes.
func formatNames() string {
	var ns []string
	for _, f := range formats {
		if !f.side {
			ns = append(ns, f.name)
		}
	}
	slices.Sort(ns)
	return strings.Join(ns, "|")
}

// fileFlagList lists the --NAME FILE flags, in the order they are written.
func fileFlagList() string {
	var fs []string
	for _, f := range formats {
		if f.usage != "" {
			fs = append(fs, "--"+f.name)
		}
	}
	return strings.Join(fs, ", ")
}

// extList lists the extensions -o FILE understands.
func extList() string {
	var es []string
	for _, f := range formats {
		if !f.side {
			es = append(es, f.exts...)
		}
	}
	slices.Sort(es)
	return strings.Join(es, " ")
}
