package main

import (
	"github.com/spf13/cobra"

	"github.com/arpforensics/arpforensics/analysis"
	"github.com/arpforensics/arpforensics/tui"
)

func newTUI() *cobra.Command {
	f := &inputFlags{}
	cmd := &cobra.Command{
		Use:   "tui [flags] PATH...",
		Short: "Analyse artifacts, then browse the timeline and findings interactively",
		Long: `Analyse artifacts as analyze does, then show the merged timeline of every
source beside the findings: Enter on a finding jumps to its evidence, f follows
an IP, MAC or OVSDB entity, / searches, m marks, : runs commands, ? lists every
key. Times are shown in UTC, or in --tz.

NO_COLOR turns colours off. Exit codes: 0 after quitting; 2 usage error, no
readable artifact, or no terminal.`,
		Example: `  arpforensics tui samples/fip-reuse
  arpforensics tui --tz Europe/Prague --since -10m logs/`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runTUI(cmd, f, args) },
	}
	f.register(cmd)
	return cmd
}

func runTUI(cmd *cobra.Command, f *inputFlags, paths []string) error {
	stderr := cmd.ErrOrStderr()
	opts, err := f.options(paths, stderr)
	if err != nil {
		return err
	}
	res := analysis.Run(opts)
	if !res.Readable() {
		return unreadable(stderr, res, paths)
	}
	if err := tui.Run(res, tui.Options{Location: opts.Location, AnalysedDirs: dirsOf(paths)}); err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	return nil
}
