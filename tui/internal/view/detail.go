package view

import (
	"fmt"
	"strings"
	"time"

	"github.com/arpforensics/arpforensics/detect"
	"github.com/arpforensics/arpforensics/timeline"
	"github.com/arpforensics/arpforensics/tui/internal/ui"
)

// maxDetailLine bounds the raw line the detail pane shows (a megabyte-long
// log line would otherwise be wrapped on every move).
const maxDetailLine = 64 << 10

// frameBytes returns the captured frame of events that keep one.
func frameBytes(p timeline.Payload) []byte {
	switch v := p.(type) {
	case *timeline.ARP:
		return v.Bytes
	case *timeline.TCP:
		return v.Bytes
	}
	return nil
}

// eventDetail describes event ev: the raw line of a text source (or the
// frame's summary), when and where it was read, the findings that cite it,
// the decoded fields and a hex dump of a captured frame. The most telling
// lines come first: at 80×24 the pane shows four.
func (a *App) eventDetail(ev int) string {
	t := a.theme
	m := ui.Markup{Width: a.detailWidth()}
	if ev < 0 {
		m.Add(t.Dim, "no event: the timeline is empty")
		return m.String()
	}
	tl := a.res.Timeline
	e := a.rows.event(ev)
	src := tl.Sources[e.Source]
	// The record itself first: the bar above already names the kind, the
	// source and the position, and the row the time.
	if e.Raw != "" {
		m.Add(t.Strong, clip(e.Raw, maxDetailLine)).Line()
	} else {
		m.Add(t.Strong, clip(e.Data.Summary(), maxDetailLine)).Line()
	}
	m.Add(t.Base, a.fullTime(e.Time))
	if !e.End.IsZero() && !e.End.Equal(e.Time) {
		m.Add(t.Base, " – "+a.fullTime(e.End)).Add(t.Dim, " ("+e.End.Sub(e.Time).String()+")")
	}
	if d, ok := a.tl.SinceMark(ev); ok {
		m.Add(t.Mark, "  Δ "+formatDelta(d)+" s to the mark")
	}
	m.Line()
	m.Add(t.Source(int(e.Source)), src.Path).Add(t.Dim, " "+e.Pos.String()+" · "+src.Kind+" · host ").Add(t.Base, src.Host).
		Add(t.Dim, " · "+e.Data.Kind().String())
	m.Line()
	if fs := a.citedBy[ev]; len(fs) > 0 {
		m.Add(t.Dim, "cited by:")
		for _, fi := range fs {
			f := &a.fs.List[fi]
			m.Add(t.Base, " ").Add(t.SeverityStyle(int(f.Severity)), strings.ToUpper(f.Severity.String())).Add(t.Base, " "+f.Detector)
		}
		m.Line()
	}
	fields := e.Data.Fields()
	if len(fields) > 0 {
		w := 0
		for _, f := range fields {
			w = max(w, len(f.Name))
		}
		for _, f := range fields {
			m.Add(t.Dim, fmt.Sprintf("  %-*s ", w, f.Name)).Add(t.Base, f.Value).Line()
		}
	}
	if b := frameBytes(e.Data); len(b) > 0 {
		m.Add(t.Dim, fmt.Sprintf("frame, %d bytes captured:", len(b))).Line()
		for _, line := range hexDumpWidth(b, a.detailW) {
			m.Add(t.Base, line).Line()
		}
	}
	return m.String()
}

// fullTime is a time with its date, in UTC and, when the display zone is
// another, in that zone too.
func (a *App) fullTime(t time.Time) string {
	s := t.UTC().Format("2006-01-02 15:04:05.000000 UTC")
	if a.tl.Loc != time.UTC {
		s += " (" + t.In(a.tl.Loc).Format("15:04:05.000000 MST") + ")"
	}
	return s
}

// findingDetail describes finding i: the verdict, its subject, the
// explanation, the known issue and the evidence list, each evidence line
// with its source position.
func (a *App) findingDetail(i int) string {
	t := a.theme
	m := ui.Markup{Width: a.detailWidth()}
	if i < 0 || i >= len(a.fs.List) {
		m.Add(t.Dim, "no finding selected")
		return m.String()
	}
	f := &a.fs.List[i]
	m.Add(t.SeverityStyle(int(f.Severity)), strings.ToUpper(f.Severity.String())).
		Add(t.Strong, " "+f.Title).Line()
	m.Add(t.Dim, f.Detector+" · confidence "+f.Confidence.String()+" · "+a.spanText(f.Start, f.End)+" · "+f.ID).Line()
	if len(f.Subject) > 0 {
		var kv []string
		for _, s := range f.Subject {
			kv = append(kv, fmt.Sprintf("%s=%v", s.Key, s.Value))
		}
		m.Add(t.Base, strings.Join(kv, " ")).Line()
	}
	if f.Explanation != "" {
		m.Line()
		for _, para := range strings.Split(f.Explanation, "\n\n") {
			m.Add(t.Base, strings.ReplaceAll(para, "\n", " ")).Line()
		}
	}
	if k := f.KnownIssue; k != nil {
		m.Line().Add(t.Dim, "known issue: ").Add(t.Strong, k.Title)
		if k.FixedIn != "" {
			m.Add(t.Base, " (fixed in "+k.FixedIn+")")
		}
		if k.URL != "" {
			m.Add(t.Dim, " "+k.URL)
		}
		m.Line()
	}
	if len(f.Evidence) > 0 {
		m.Line().Add(t.Strong, fmt.Sprintf("evidence (%d) — Enter: first, e/E: next/previous", len(f.Evidence))).Line()
		for n, e := range f.Evidence {
			m.Add(t.Dim, fmt.Sprintf("%2d ", n+1))
			if e.Event >= 0 {
				m.Add(t.Evidence, "* ")
			} else {
				m.Add(t.Dim, "  ")
			}
			m.Add(t.Dim, e.Source+":"+e.Pos.String()+" ").Add(t.Base, a.formatTime(e.Time)+" ").Add(t.Base, e.Text).Line()
		}
	}
	return m.String()
}

func (a *App) spanText(start, end time.Time) string {
	if end.IsZero() || end.Equal(start) {
		return a.formatTime(start)
	}
	return a.formatTime(start) + " – " + a.formatTime(end) + " (" + end.Sub(start).Round(time.Millisecond).String() + ")"
}

// hexDump renders b as offset, 16 bytes in two groups of 8, and the
// printable ASCII, like tcpdump -XX and hexdump -C.
func hexDump(b []byte) []string { return hexDumpWidth(b, 0) }

// hexDumpLine is the width of a 16-byte hex dump line.
const hexDumpLine = 74

// hexDumpWidth is hexDump fitted to width cells (0: any): 16 bytes a line
// when they fit, else 8 or 4, so the dump never wraps.
func hexDumpWidth(b []byte, width int) []string {
	const hexdigits = "0123456789abcdef"
	per := 16
	for width > 0 && per > 4 && 6+per*4+3+boolInt(per == 16) > width {
		per /= 2
	}
	var out []string
	for off := 0; off < len(b); off += per {
		chunk := b[off:min(off+per, len(b))]
		var l strings.Builder
		fmt.Fprintf(&l, "%04x  ", off)
		for i := 0; i < per; i++ {
			if i == 8 {
				l.WriteByte(' ')
			}
			if i < len(chunk) {
				l.WriteByte(hexdigits[chunk[i]>>4])
				l.WriteByte(hexdigits[chunk[i]&0xf])
				l.WriteByte(' ')
			} else {
				l.WriteString("   ")
			}
		}
		l.WriteString(" |")
		for _, c := range chunk {
			if c >= 0x20 && c < 0x7f {
				l.WriteByte(c)
			} else {
				l.WriteByte('.')
			}
		}
		l.WriteByte('|')
		out = append(out, l.String())
	}
	return out
}

// severityCounts counts findings by severity, highest first.
func severityCounts(fs []detect.Finding) [4]int {
	var c [4]int
	for _, f := range fs {
		c[min(int(f.Severity), 3)]++
	}
	return c
}

// problemCount counts the sources' errors (not notes): records that could
// not be read, which the user should know were not analysed.
func (a *App) problemCount() int {
	n := 0
	for _, s := range a.res.Timeline.Sources {
		n += s.Errors()
	}
	return n
}

// maxProblemsShown bounds the problems :sources lists per source.
const maxProblemsShown = 50

// sourcesDetail lists every source as read: kind, host, counts, span, why
// it was skipped, and its problems and notes with their positions.
func (a *App) sourcesDetail() string {
	t := a.theme
	m := ui.Markup{Width: a.detailWidth()}
	for i, s := range a.res.Timeline.Sources {
		if i > 0 {
			m.Line()
		}
		m.Add(t.Source(i), s.Path).Line()
		switch {
		case s.SkipReason != "":
			m.Add(t.Dim, "  skipped: "+s.SkipReason).Line()
		case s.Unreadable:
			m.Add(t.Error, "  unreadable").Line()
		default:
			kind := s.Kind
			if s.Compression != "" {
				kind += "+" + s.Compression
			}
			m.Add(t.Base, fmt.Sprintf("  %s · host %s · %d records · %d events · %d irrelevant", kind, s.Host, s.Records, s.Events, s.Skipped)).Line()
			if !s.First.IsZero() {
				m.Add(t.Dim, "  "+a.fullTime(s.First)+" – "+a.fullTime(s.Last)).Line()
			}
			if s.Offset != 0 {
				m.Add(t.Dim, "  clock offset "+s.Offset.String()).Line()
			}
		}
		for j, p := range s.Problems {
			if j == maxProblemsShown {
				m.Add(t.Dim, fmt.Sprintf("  … %d more (see analyze --format json)", len(s.Problems)-j)).Line()
				break
			}
			st := t.Error
			if p.Level == timeline.LevelNote {
				st = t.Dim
			}
			pos := p.Pos.String()
			if pos != "" {
				pos += ":"
			}
			m.Add(st, "  "+p.Level.String()).Add(t.Dim, " "+pos+" ").Add(t.Base, p.Message).Line()
		}
	}
	return m.String()
}

// detailWidth is the detail pane's text width, for Markup's wrapping (0
// before the first layout: the widget wraps then).
func (a *App) detailWidth() int { return a.detailW }
