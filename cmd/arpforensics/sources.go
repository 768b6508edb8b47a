package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/arpforensics/arpforensics/analysis"
	"github.com/arpforensics/arpforensics/detect"
	"github.com/arpforensics/arpforensics/ingest"
	"github.com/arpforensics/arpforensics/internal/safetext"
	"github.com/arpforensics/arpforensics/report"
)

func newSources() *cobra.Command {
	f := &inputFlags{}
	var format string
	cmd := &cobra.Command{
		Use:   "sources [flags] PATH...",
		Short: "List what was found: each file's kind, host, time span, records and problems",
		Long: `List what was found: each file's kind, host, time span, records and problems.

Kinds are recognised from content, never from names; the first that matches,
in this order, is the file's:

` + kindsHelp(),
		Example: `  arpforensics sources logs/                 # what each file was read as, and its problems
  arpforensics sources --format json logs/   # the same as the JSON report's "sources"`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return usageErr("--format %q: want text|json", format)
			}
			opts, err := f.options(args, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			opts.Config.Disabled = allDetectors() // sources only lists; detecting would be wasted work
			res := analysis.Run(opts)
			if format == "json" {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				if err := enc.Encode(report.Build(res).Sources); err != nil {
					return &exitError{code: exitUsage, err: err}
				}
			} else {
				writeSourcesTable(cmd.OutOrStdout(), res)
			}
			if !res.Readable() {
				return &exitError{code: exitUsage}
			}
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&format, "format", "text", "text|json")
	return cmd
}

// kindsHelp lists the kinds ingest reads, one a line, as help text.
func kindsHelp() string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	for _, k := range ingest.Kinds() {
		fmt.Fprintf(tw, "  %s\t%s\n", k.Name, k.Describe)
	}
	tw.Flush()
	return strings.TrimSuffix(b.String(), "\n")
}

func writeSourcesTable(w io.Writer, res *analysis.Result) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PATH\tKIND\tHOST\tFIRST\tLAST\tRECORDS\tEVENTS\tSKIPPED\tPROBLEMS")
	for _, s := range res.Timeline.Sources {
		kind := s.Kind
		if s.Compression != "" {
			kind += "+" + s.Compression
		}
		first, last := "-", "-"
		if !s.First.IsZero() {
			first, last = report.Time(s.First), report.Time(s.Last)
		}
		probs := fmt.Sprint(len(s.Problems))
		if s.SkipReason != "" {
			probs = "skipped: " + safetext.Terminal(s.SkipReason)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%s\n", safetext.Terminal(s.Path), kind, safetext.Terminal(s.Host),
			first, last, s.Records, s.Events, s.Skipped, probs)
	}
	tw.Flush()
	for _, s := range res.Timeline.Sources {
		for _, p := range s.Problems {
			where := safetext.Terminal(s.Path)
			if pos := p.Pos.String(); pos != "" {
				where += ":" + pos
			}
			fmt.Fprintf(w, "%s: %s: %s\n", where, p.Level, safetext.Terminal(p.Message))
		}
	}
}

func allDetectors() map[string]bool {
	m := map[string]bool{}
	for _, n := range detect.Names() {
		m[n] = true
	}
	return m
}
