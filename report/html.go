package report

import (
	"io"

	"github.com/arpforensics/arpforensics/analysis"
	htmlreport "github.com/arpforensics/arpforensics/report/html"
)

// HTMLOptions tune the HTML report; the zero value is the default.
type HTMLOptions = htmlreport.Options

// HTML writes one self-contained HTML file: the verdict, each finding with
// its narrative, diagram and evidence, a swimlane timeline with a time-range
// brush, client-side filters, a paged event table and the sources read. The
// JSON report (Build) is embedded once in it, as the "report" member of the
// page's data block, with the events the table pages through.
func HTML(w io.Writer, r *analysis.Result, o HTMLOptions) error {
	return htmlreport.Render(w, r, Build(r), o)
}
