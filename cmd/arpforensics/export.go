package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/arpforensics/arpforensics/analysis"
	"github.com/arpforensics/arpforensics/detect"
	"github.com/arpforensics/arpforensics/export"
	"github.com/arpforensics/arpforensics/internal/safetext"
)

type exportFlags struct {
	inputFlags
	output  string
	context int
	force   bool
}

func newExport() *cobra.Command {
	f := &exportFlags{}
	cmd := &cobra.Command{
		Use:   "export [flags] FINDING-ID PATH... -o EVIDENCE.pcapng",
		Short: "Write a finding's frames (with context) as pcapng for Wireshark, and its log lines beside it",
		Long: `Analyse the artifacts as analyze does (give the same paths and flags, so the
finding IDs are the same), then write the evidence of one finding out:

  - the frames it cites, with --context frames either side from each capture
    involved, in time order, as one pcapng file: one interface per link type,
    and a packet comment on every cited frame naming the finding (Wireshark:
    pkt_comment, or Statistics → Capture File Properties);
  - the log lines and listings it cites, as a text file beside it (the
    extension replaced by .txt).

FINDING-ID is an ID from any report (or a prefix naming one finding). The
frames are read again from the captures, so they must not have changed since.
An input is never overwritten, even with --force; an existing file that is not
an earlier export, or a path inside an analysed directory, needs --force.`,
		Example: `  arpforensics export missing-probe-55970c14539d samples/fip-reuse -o evidence.pcapng
  wireshark evidence.pcapng         # or: tshark -r evidence.pcapng -Y frame.comment
  arpforensics export stale-mac --context 20 logs/ -o /tmp/stale.pcapng`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error { return runExport(cmd, f, args[0], args[1:]) },
	}
	f.register(cmd)
	fl := cmd.Flags()
	fl.StringVarP(&f.output, "output", "o", "", "the pcapng file to write (required); log evidence goes beside it as .txt")
	fl.IntVar(&f.context, "context", export.DefaultContext, "frames written before and after each cited frame, from its capture (0: none)")
	fl.BoolVar(&f.force, "force", false, "overwrite an existing file that is not an earlier export, or write inside an analysed directory (inputs are never overwritten)")
	return cmd
}

func runExport(cmd *cobra.Command, f *exportFlags, id string, paths []string) error {
	stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
	if f.output == "" {
		return usageErr("export needs -o FILE: the pcapng file to write")
	}
	if f.context < 0 {
		return usageErr("--context %d: want a number of frames, 0 or more", f.context)
	}
	opts, err := f.options(paths, stderr)
	if err != nil {
		return err
	}
	res := analysis.Run(opts)
	defer res.Timeline.Close()
	if !res.Readable() {
		return unreadable(stderr, res, paths)
	}
	health(stderr, res)
	fd, err := findFinding(res, id)
	if err != nil {
		return err
	}
	if err := export.Check(res.Timeline, dirsOf(paths), f.output, f.force); err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	w, err := export.ToFiles(res.Timeline, fd, f.output, export.Options{Context: f.context})
	if err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	if !f.quiet {
		fmt.Fprint(stdout, describeExport(w))
	}
	return nil
}

// describeExport says what an export wrote, one line per file.
func describeExport(w export.Written) string {
	var b strings.Builder
	if w.Pcap != "" {
		fmt.Fprintf(&b, "%s: %d frame(s), %d cited and %d of context, from %s\n", safetext.Terminal(w.Pcap),
			w.Frames, w.Cited, w.Frames-w.Cited, safetext.Terminal(strings.Join(w.Captures, ", ")))
	}
	if w.Log != "" {
		fmt.Fprintf(&b, "%s: %d line(s) of evidence that are not frames\n", safetext.Terminal(w.Log), w.Lines)
	}
	return b.String()
}

// findFinding is the finding with this ID, or the only one it prefixes.
func findFinding(res *analysis.Result, id string) (*detect.Finding, error) {
	var match []*detect.Finding
	for i := range res.Findings {
		f := &res.Findings[i]
		if f.ID == id {
			return f, nil
		}
		if strings.HasPrefix(f.ID, id) {
			match = append(match, f)
		}
	}
	if len(match) == 1 {
		return match[0], nil
	}
	var ids []string
	list := match
	if len(list) == 0 {
		for i := range res.Findings {
			list = append(list, &res.Findings[i])
		}
	}
	for i, f := range list {
		if i == 10 {
			ids = append(ids, "… "+strconv.Itoa(len(list)-10)+" more")
			break
		}
		ids = append(ids, f.ID)
	}
	switch {
	case len(res.Findings) == 0:
		return nil, usageErr("no finding %q: these inputs give no findings at all (are the paths and flags those of the report?)", id)
	case len(match) > 1:
		return nil, usageErr("%q names %d findings: %s", id, len(match), strings.Join(ids, ", "))
	}
	return nil, usageErr("no finding %q in these inputs (give the paths and flags the report was made with); their findings: %s", id, strings.Join(ids, ", "))
}

// exportCommand is the command line that exports finding id from the inputs
// of this run: the report prints it beside each finding.
func (f *inputFlags) exportCommand(paths []string) func(id string) string {
	var args []string
	add := func(flag, v string) {
		if v != "" {
			args = append(args, flag, shellQuote(v))
		}
	}
	add("--tz", f.tz)
	if f.year != 0 {
		add("--year", strconv.Itoa(f.year))
	}
	add("--case", f.caseFile)
	add("--config", f.config)
	for _, o := range f.offsets {
		add("--offset", o)
	}
	add("--since", f.since)
	add("--until", f.until)
	for _, p := range paths {
		args = append(args, shellQuote(p))
	}
	tail := strings.Join(args, " ")
	return func(id string) string {
		return "arpforensics export " + id + " " + tail + " -o " + id + ".pcapng"
	}
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=+@%,", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// dirsOf is the directories among paths.
func dirsOf(paths []string) []string {
	var dirs []string
	for _, p := range paths {
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			dirs = append(dirs, p)
		}
	}
	return dirs
}
