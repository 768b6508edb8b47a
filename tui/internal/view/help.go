package view

import (
	"fmt"
	"strings"

	"github.com/arpforensics/arpforensics/tui/internal/ui"
)

// helpText is the help screen, written from the key registry and the
// command list themselves.
func (a *App) helpText() string {
	t := a.theme
	var m ui.Markup
	m.Add(t.Strong, "arpforensics tui").Add(t.Base, " — the merged timeline of every source, the findings, and the evidence between them.").Line().Line()
	w := 0
	for _, g := range a.keys.Help() {
		for _, l := range g.Lines {
			w = max(w, ui.Width(ui.Safe(l.Keys)))
		}
	}
	for _, g := range a.keys.Help() {
		m.Add(t.Strong, g.Name).Line()
		for _, l := range g.Lines {
			m.Add(t.HintKey, "  "+ui.Pad(l.Keys, w)+"  ").Add(t.Base, l.Help).Line()
		}
		m.Line()
	}
	m.Add(t.Strong, "Commands (type : then the command, Enter runs it, Esc cancels)").Line()
	for _, c := range a.cmds {
		syn := ":" + c.names[0]
		if c.args != "" {
			syn += " " + c.args
		}
		m.Add(t.HintKey, "  "+syn).Line()
		m.Add(t.Base, "      "+c.help).Line()
	}
	m.Line().Add(t.Strong, "Screen").Line()
	for _, l := range []string{
		"header: sources, hosts, time span and zone, events (shown / all), findings by severity, what is followed, filtered, hidden, searched, marked; the source colours",
		"findings: severity, start, detector, title, evidence count; ordered by severity, then time",
		"timeline: " + "* cites the selected finding, m the mark; time; Δ to the mark (once set); source; kind; summary (search matches highlighted)",
		"detail: the event's time, source and position, raw line, decoded fields and frame hex dump; or the finding's explanation and evidence",
		fmt.Sprintf("strip: events over the whole span, %c where a finding starts, %c the mark, reversed the cursor", ui.MarkerRune, ui.MarkRune),
	} {
		m.Add(t.Base, "  "+l).Line()
	}
	return strings.TrimRight(m.String(), "\n")
}
