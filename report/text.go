package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/arpforensics/arpforensics/analysis"
	"github.com/arpforensics/arpforensics/detect"
	"github.com/arpforensics/arpforensics/internal/safetext"
	"github.com/arpforensics/arpforensics/timeline"
)

// TextOptions shape the text report.
type TextOptions struct {
	Color bool // ANSI colour: only for a terminal, never with NO_COLOR
	Width int  // wrap explanations at this many columns; 0 means 100
	// Export, when set, gives the command that writes a finding's evidence
	// out (arpforensics export); each finding with evidence shows it.
	Export func(id string) string
}

// maxProblems is how many problems per source the text report lists; the
// JSON report lists all of them.
const maxProblems = 10

type palette struct{ bold, dim, reset string }

var sevColor = map[detect.Severity]string{
	detect.High: "\x1b[1;31m", detect.Medium: "\x1b[1;33m", detect.Low: "\x1b[36m", detect.Info: "\x1b[2m",
}

// Text writes one readable block per finding (title, narrative, evidence as
// source:pos time text), then the sources and their problems. Artifact text
// is sanitised: nothing read from an input reaches the terminal as a control
// sequence.
func Text(w io.Writer, r *analysis.Result, o TextOptions) error {
	if o.Width <= 0 {
		o.Width = 100
	}
	bw := bufio.NewWriter(w)
	p := palette{}
	if o.Color {
		p = palette{bold: "\x1b[1m", dim: "\x1b[2m", reset: "\x1b[0m"}
	}
	tl := r.Timeline
	fmt.Fprintf(bw, "%sarpforensics%s: %s\n", p.bold, p.reset, headline(r))
	// The first few findings of a detector are shown whole; the rest of
	// them repeat the same mechanism for other addresses, so they show what
	// tells them apart and point back (the JSON report has everything).
	shown := map[string]int{}
	firstOf := map[string]string{}
	issues := map[string]bool{}
	for i := range r.Findings {
		f := &r.Findings[i]
		bw.WriteString("\n")
		if shown[f.Detector] < fullPerDetector || f.Omitted() > 0 {
			writeFinding(bw, f, o, p, issues)
		} else {
			writeBrief(bw, f, o, p, firstOf[f.Detector])
		}
		if shown[f.Detector] == 0 {
			firstOf[f.Detector] = f.ID
		}
		shown[f.Detector]++
	}
	if len(r.Findings) == 0 && r.Readable() {
		fmt.Fprintf(bw, "\nNo findings: %d detectors checked the timeline.\n", len(detect.All()))
	}
	if len(r.Notes) > 0 {
		fmt.Fprintf(bw, "\n%sNotes%s\n", p.bold, p.reset)
		for _, n := range r.Notes {
			for i, line := range wrap(safetext.Terminal(n), o.Width-4) {
				if i == 0 {
					fmt.Fprintf(bw, "  - %s\n", line)
				} else {
					fmt.Fprintf(bw, "    %s\n", line)
				}
			}
		}
	}
	bw.WriteString("\n")
	writeSources(bw, tl.Sources, p)
	return bw.Flush()
}

func headline(r *analysis.Result) string {
	analysed, skipped := 0, 0
	for _, s := range r.Timeline.Sources {
		if s.Analysed() {
			analysed++
		} else {
			skipped++
		}
	}
	counts := map[detect.Severity]int{}
	for _, f := range r.Findings {
		counts[f.Severity]++
	}
	var sev []string
	for s := detect.High; ; s-- {
		if counts[s] > 0 {
			sev = append(sev, fmt.Sprintf("%d %s", counts[s], s))
		}
		if s == detect.Info {
			break
		}
	}
	out := fmt.Sprintf("%d source(s) analysed", analysed)
	if skipped > 0 {
		out += fmt.Sprintf(", %d skipped", skipped)
	}
	unread, problems := 0, 0
	for _, s := range r.Timeline.Sources {
		if s.Unreadable {
			unread++
		} else {
			problems += s.Errors()
		}
	}
	if unread > 0 {
		out += fmt.Sprintf(", %d unreadable", unread)
	}
	if problems > 0 {
		out += fmt.Sprintf(", %d input problem(s)", problems)
	}
	out += fmt.Sprintf(", %d events, %d finding(s)", r.Timeline.Len(), len(r.Findings))
	if len(sev) > 0 {
		out += " (" + strings.Join(sev, ", ") + ")"
	}
	if first, last := r.Timeline.Span(); !first.IsZero() {
		out += fmt.Sprintf("\n  time span %s – %s (UTC)", Time(first), Time(last))
	}
	return out
}

// fullPerDetector is how many findings of one detector the text report
// shows whole.
const fullPerDetector = 5

// briefEvidence is how many evidence lines a brief finding shows.
const briefEvidence = 2

// writeHead writes a finding's title, confidence line and subject.
func writeHead(w *bufio.Writer, f *detect.Finding, o TextOptions, p palette) {
	sc := ""
	if o.Color {
		sc = sevColor[f.Severity]
	}
	fmt.Fprintf(w, "%s%-6s%s %s%s%s  %s\n", sc, strings.ToUpper(f.Severity.String()), p.reset,
		p.bold, safetext.Terminal(f.Title), p.reset, p.dim+f.Detector+p.reset)
	fmt.Fprintf(w, "       %sconfidence %s · %s · %s%s\n", p.dim, f.Confidence, spanText(f.Start, f.End), f.ID, p.reset)
	if len(f.Subject) > 0 {
		var kv []string
		for _, s := range f.Subject {
			kv = append(kv, fmt.Sprintf("%s=%v", s.Key, s.Value))
		}
		fmt.Fprintf(w, "       %s\n", safetext.Terminal(strings.Join(kv, " ")))
	}
}

// writeBrief writes a repeat of a detector's finding: its head, where the
// mechanism is explained, and its first evidence.
func writeBrief(w *bufio.Writer, f *detect.Finding, o TextOptions, p palette, first string) {
	writeHead(w, f, o, p)
	fmt.Fprintf(w, "       %sas explained for %s above", p.dim, first)
	if f.KnownIssue != nil {
		fmt.Fprintf(w, "; known issue %s", safetext.Terminal(f.KnownIssue.ID))
	}
	fmt.Fprintf(w, "%s\n", p.reset)
	for i, e := range f.Evidence {
		if i == briefEvidence {
			fmt.Fprintf(w, "         %s… %d more (see --format json)%s\n", p.dim, len(f.Evidence)-briefEvidence, p.reset)
			break
		}
		writeEvidence(w, e)
	}
	writeExport(w, f, o, p)
}

// writeFinding writes a finding whole. A known issue already described in
// full (issues) is named, not repeated.
func writeFinding(w *bufio.Writer, f *detect.Finding, o TextOptions, p palette, issues map[string]bool) {
	writeHead(w, f, o, p)
	if f.Explanation != "" {
		w.WriteString("\n")
		for _, para := range strings.Split(f.Explanation, "\n\n") {
			for _, line := range wrap(safetext.Terminal(strings.ReplaceAll(para, "\n", " ")), o.Width-7) {
				fmt.Fprintf(w, "       %s\n", line)
			}
			w.WriteString("\n")
		}
	}
	if f.KnownIssue != nil && issues[f.KnownIssue.ID] {
		fmt.Fprintf(w, "       known issue %s, as described above\n\n", safetext.Terminal(f.KnownIssue.ID))
	} else if f.KnownIssue != nil {
		issues[f.KnownIssue.ID] = true
		k := f.KnownIssue
		s := "known issue: " + k.Title
		if k.FixedIn != "" {
			s += " — fixed in " + k.FixedIn
		}
		if k.URL != "" {
			s += " — " + k.URL
		}
		for _, line := range wrap(safetext.Terminal(s), o.Width-7) {
			fmt.Fprintf(w, "       %s\n", line)
		}
		w.WriteString("\n")
	}
	if len(f.Evidence) > 0 {
		fmt.Fprintf(w, "       %sevidence:%s\n", p.bold, p.reset)
		for _, e := range f.Evidence {
			writeEvidence(w, e)
		}
		writeExport(w, f, o, p)
	}
}

// writeEvidence writes one evidence line of a finding, whole or brief.
func writeEvidence(w *bufio.Writer, e detect.Evidence) {
	fmt.Fprintf(w, "         %s:%s %s %s\n", safetext.Terminal(e.Source), e.Pos, Time(e.Time), safetext.Terminal(e.Text))
}

// writeExport gives the command that writes f's evidence out for Wireshark.
func writeExport(w *bufio.Writer, f *detect.Finding, o TextOptions, p palette) {
	if o.Export != nil && len(f.Evidence) > 0 {
		fmt.Fprintf(w, "       %sexport: %s%s\n", p.dim, safetext.Terminal(o.Export(f.ID)), p.reset)
	}
}

func spanText(start, end time.Time) string {
	if end.IsZero() || end.Equal(start) {
		return Time(start)
	}
	return fmt.Sprintf("%s – %s (%s)", Time(start), Time(end), end.Sub(start).Round(time.Millisecond))
}

func writeSources(w *bufio.Writer, sources []*timeline.Source, p palette) {
	fmt.Fprintf(w, "%sSources%s\n", p.bold, p.reset)
	for _, s := range sources {
		path := safetext.Terminal(s.Path)
		switch {
		case s.SkipReason != "":
			fmt.Fprintf(w, "  %s  %sskipped: %s%s\n", path, p.dim, safetext.Terminal(s.SkipReason), p.reset)
			continue
		case s.Unreadable:
			fmt.Fprintf(w, "  %s  unreadable\n", path)
		default:
			kind := s.Kind
			if s.Compression != "" {
				kind += "+" + s.Compression
			}
			fmt.Fprintf(w, "  %s  %s host=%s records=%d events=%d skipped=%d", path, kind, safetext.Terminal(s.Host), s.Records, s.Events, s.Skipped)
			if !s.First.IsZero() {
				fmt.Fprintf(w, " %s – %s", Time(s.First), Time(s.Last))
			}
			w.WriteString("\n")
		}
		for i, pr := range s.Problems {
			if i == maxProblems {
				fmt.Fprintf(w, "    … %d more problem(s) (see --format json)\n", len(s.Problems)-maxProblems)
				break
			}
			where := path
			if pos := pr.Pos.String(); pos != "" {
				where += ":" + pos
			}
			fmt.Fprintf(w, "    %s: %s: %s\n", where, pr.Level, safetext.Terminal(pr.Message))
		}
	}
}

// wrap breaks s into lines of at most width columns at spaces.
func wrap(s string, width int) []string {
	var lines []string
	for len(s) > width {
		cut := strings.LastIndexByte(s[:width+1], ' ')
		if cut <= 0 {
			cut = strings.IndexByte(s, ' ')
			if cut < 0 {
				break
			}
		}
		lines = append(lines, s[:cut])
		s = strings.TrimLeft(s[cut:], " ")
	}
	return append(lines, s)
}
