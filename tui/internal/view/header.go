package view

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/arpforensics/arpforensics/detect"
	"github.com/arpforensics/arpforensics/tui/internal/model"
	"github.com/arpforensics/arpforensics/tui/internal/ui"
)

// headerText is the two header lines: what was read (sources, hosts, span,
// events) and what is on (findings by severity, follow, filters, hidden
// sources, search, mark, zone), then the source colour legend.
func (a *App) headerText() string {
	t := a.theme
	tl := a.res.Timeline
	var m ui.Markup
	hosts := map[string]bool{}
	analysed := 0
	for _, s := range tl.Sources {
		if s.Analysed() {
			analysed++
			hosts[s.Host] = true
		}
	}
	// Below 100 columns the first line drops the program's name, the
	// skipped count (the sources list has it), the spaces around the span's
	// dash and the duration's milliseconds, so the span is never cut
	// mid-time at 80.
	_, _, hw, _ := a.header.GetInnerRect()
	narrow := hw > 0 && hw < 100
	if !narrow {
		m.Add(t.Strong, "arpforensics").Add(t.Dim, " │ ")
	}
	m.Add(t.Base, fmt.Sprintf("%s events", thousands(tl.Len())))
	if !a.tl.Rows.All() {
		m.Add(t.Notice, fmt.Sprintf(" (%s shown)", thousands(a.tl.Rows.Len())))
	}
	m.Add(t.Base, fmt.Sprintf(" · %s · %s", plural(analysed, "source"), plural(len(hosts), "host")))
	if skipped := len(tl.Sources) - analysed; skipped > 0 && !narrow {
		m.Add(t.Dim, fmt.Sprintf(" (+%d skipped)", skipped))
	}
	if !a.first.IsZero() {
		m.Add(t.Dim, " │ ")
		loc := a.tl.Loc
		f, l := a.first.In(loc), a.last.In(loc)
		end := l.Format("15:04:05")
		if f.YearDay() != l.YearDay() || f.Year() != l.Year() {
			end = l.Format("2006-01-02 15:04:05")
		}
		if narrow {
			if end == l.Format("15:04:05") {
				m.Add(t.Base, f.Format("2006-01-02 15:04:05")+"–"+end+" "+zoneName(loc))
			} else {
				m.Add(t.Base, f.Format("2006-01-02")+"–"+l.Format("2006-01-02")+" "+zoneName(loc))
			}
			m.Add(t.Dim, " ("+a.last.Sub(a.first).Round(time.Second).String()+")")
		} else {
			m.Add(t.Base, f.Format("2006-01-02 15:04:05")+" – "+end+" "+zoneName(loc)).
				Add(t.Dim, " ("+a.last.Sub(a.first).Round(time.Millisecond).String()+")")
		}
	}
	m.Line()

	c := severityCounts(a.res.Findings)
	if len(a.res.Findings) == 0 {
		m.Add(t.Dim, "no findings")
	} else {
		m.Add(t.Base, "findings:")
		for sev := detect.High; ; sev-- {
			if c[sev] > 0 {
				m.Add(t.Base, " ").Add(t.SeverityStyle(int(sev)), fmt.Sprintf("%d %s", c[sev], sev))
			}
			if sev == detect.Info {
				break
			}
		}
	}
	for _, s := range a.activeState() {
		m.Add(t.Dim, " │ ").Add(t.Notice, s)
	}
	if n := a.problemCount(); n > 0 {
		m.Add(t.Dim, " │ ").Add(t.Error, plural(n, "problem")).Add(t.Dim, " (:sources)")
	}
	m.Add(t.Dim, " │")
	for i, l := range a.labels {
		if a.res.Timeline.Sources[i].Analysed() {
			m.Add(t.Base, " ").Add(t.Source(i), l)
		}
	}
	return m.String()
}

// activeState lists what narrows or changes the view, for the header.
func (a *App) activeState() []string {
	var out []string
	f := &a.tl.Filter
	if !f.Follow.IsZero() {
		out = append(out, "follow "+f.Follow.String())
	}
	if terms := f.Terms(); terms != "" {
		out = append(out, "filter "+terms)
	}
	if f.Hide != nil {
		out = append(out, "hide /"+f.Hide.String()+"/")
	}
	if f.From != 0 || f.To != 0 {
		r := "range "
		if f.From != 0 {
			r += a.formatTime(time.Unix(0, f.From))
		}
		r += "–"
		if f.To != 0 {
			r += a.formatTime(time.Unix(0, f.To))
		}
		out = append(out, r)
	}
	if len(f.Hidden) > 0 {
		var names []string
		for _, s := range f.Hidden {
			names = append(names, filepath.Base(a.res.Timeline.Sources[s].Path))
		}
		out = append(out, "hidden "+strings.Join(names, ","))
	}
	if a.search != nil {
		out = append(out, "search /"+a.search.String()+"/")
	}
	if a.tl.Mark >= 0 {
		out = append(out, "mark "+a.formatTime(a.res.Timeline.Time(a.tl.Mark)))
	}
	return out
}

func zoneName(loc interface{ String() string }) string {
	if n := loc.String(); n != "Local" {
		return n
	}
	return "local"
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// thousands writes n with thin separators: 1,000,000.
func thousands(n int) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

func (a *App) findingsTitle() string {
	if len(a.fs.List) == 0 {
		return "Findings"
	}
	return fmt.Sprintf("Findings %d/%d", a.fs.Cursor+1, len(a.fs.List))
}

func (a *App) timelineTitle() string {
	s := "Timeline"
	if !a.tl.Filter.Follow.IsZero() {
		s += " · follow " + a.tl.Filter.Follow.String()
	}
	if terms := a.tl.Filter.Terms(); terms != "" {
		s += " · " + terms
	}
	return s
}

// timelineInfo is the timeline bar's right side: the cursor's time and zone
// and its row.
func (a *App) timelineInfo() string {
	if a.tl.Rows.Len() == 0 {
		return "no events"
	}
	return fmt.Sprintf("%s %s · %s/%s", a.formatTime(a.tl.Time(a.tl.Cursor)), zoneName(a.tl.Loc),
		thousands(a.tl.Cursor+1), thousands(a.tl.Rows.Len()))
}

func (a *App) detailTitle() string {
	if a.histStep > 0 {
		return "Detail · histogram, " + histStepText(a.histStep) + " a row (z/Z: zoom, i: close)"
	}
	if a.sources {
		return "Detail · sources (q: back)"
	}
	if a.focus == paneFindings && len(a.fs.List) > 0 {
		return "Detail · finding " + a.fs.List[a.fs.Cursor].Detector
	}
	ev := a.tl.CursorEvent()
	if ev < 0 {
		return "Detail"
	}
	r := a.res.Timeline.Record(ev)
	return "Detail · " + r.Kind.String() + " · " + a.labels[r.Src] + " " + r.Pos.String()
}

// stripData is the density strip at width columns: the shown rows' events
// per time bucket over the whole span, each finding's start, the cursor and
// the mark.
func (a *App) stripData(width int) ui.StripData {
	d := ui.StripData{Cursor: -1, Mark: -1}
	if a.first.IsZero() || width <= 0 {
		return d
	}
	tl := a.res.Timeline
	// The density only changes with the rows, the width and the span: a
	// key that moves the cursor must not redo its binary searches, which
	// on a spilled timeline read records back from disk.
	dc := &a.density
	if !dc.rows.Same(a.tl.Rows) || dc.width != width || !dc.first.Equal(a.first) || !dc.last.Equal(a.last) {
		*dc = densityCache{rows: a.tl.Rows, width: width, first: a.first, last: a.last,
			counts: model.Density(tl, a.tl.Rows, a.first, a.last, width)}
	}
	d.Counts = dc.counts
	for i := len(a.fs.List) - 1; i >= 0; i-- { // highest severity drawn last, on top
		f := &a.fs.List[i]
		d.Markers = append(d.Markers, ui.Marker{Column: model.Bucket(f.Start, a.first, a.last, width), Style: a.theme.SeverityStyle(int(f.Severity))})
	}
	if ev := a.tl.CursorEvent(); ev >= 0 {
		d.Cursor = model.Bucket(tl.Time(ev), a.first, a.last, width)
	}
	if a.tl.Mark >= 0 {
		d.Mark = model.Bucket(tl.Time(a.tl.Mark), a.first, a.last, width)
	}
	return d
}

// densityCache is the last density strip computed, and what it was for.
type densityCache struct {
	rows        model.Rows
	width       int
	first, last time.Time
	counts      []int
}
