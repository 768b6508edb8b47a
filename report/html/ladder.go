package html

import (
	"fmt"
	"time"
)

// ladderCmd is one rung of a transaction ladder: a command by idx.
type ladderCmd struct {
	Idx      int
	Class    string
	Entity   string // the row it acts on, as logged
	Part     int    // which operation it belongs to: colours the rung
	Intruder bool   // the command that does not belong
	Ghost    bool   // a command the intruding operation never got to run
	Time     time.Time
	Tip      string
}

// ladderInput is what the transaction ladder draws, gathered from an
// interleaved-txn finding's subject and the transaction it cites.
type ladderInput struct {
	Title   string   // "neutron-server pid 32314 on controller, transaction n=1"
	Parts   []string // legend: what each Part is ("add router interface", …)
	Cmds    []ladderCmd
	Outcome string // how the transaction ended, shown where the real rungs stop
	Lost    string // what never happened, in words
}

// ladder draws a transaction as a ladder, one rung per command in idx
// order, coloured by the operation each belongs to; the intruding command
// stands out and the commands its operation lost are ghosts below the
// commit.
func ladder(in *ladderInput) *Diagram {
	d := ladderAt(in, false)
	if d != nil {
		d.Narrow = ladderAt(in, true)
	}
	return d
}

// ladderAt draws the ladder for the page's width, or for a narrow screen:
// there the rungs take the whole width, the time column goes (each rung's
// tooltip keeps it) and the notes beside the rungs move into or under them.
func ladderAt(in *ladderInput, narrow bool) *Diagram {
	if len(in.Cmds) == 0 {
		return nil
	}
	const (
		rungH  = 30.0
		legend = 14.0
	)
	diagramW, idxX, boxX, boxW, timeX, noteX := diagramW, 70.0, 86.0, 700.0, 800.0, 920.0
	if narrow {
		diagramW, idxX, boxX = narrowW, 24.0, 30.0
		boxW = diagramW - boxX - 6
	}
	d := &Diagram{Kind: "txn-ladder", W: diagramW, Label: "Transaction ladder: " + in.Title}
	if narrow {
		in2 := *in
		in2.Title = fit(in.Title, diagramW-12, fontSize)
		in = &in2
	}
	d.text(8, legend, in.Title, "label strong", "")
	// The legend: one line per few parts, wrapping at the picture's edge.
	x, ly := boxX, legend+6
	for i, p := range in.Parts {
		if p == "" {
			continue
		}
		w := 16 + textWidth(p, fontSize) + 18
		if x > boxX && x+w > diagramW-8 {
			x, ly = boxX, ly+18
		}
		d.rect(x, ly, 12, 12, fmt.Sprintf("cmd op-%d", i%6), "")
		d.text(x+16, ly+10, fit(p, diagramW-x-24, fontSize), "label", "")
		x += w
	}
	top := ly + 36
	y := top
	d.text(idxX, y-4, "idx", "label dim", "end")
	if !narrow {
		d.text(timeX, y-4, "logged at (UTC)", "label dim", "")
	}
	committed := false
	for _, c := range in.Cmds {
		if c.Ghost && !committed {
			committed = true
			d.line(boxX-20, y+2, boxX+boxW+10, y+2, "commit", "")
			outcome := in.Outcome
			if outcome == "" {
				outcome = "transaction committed here"
			}
			if narrow {
				d.text(boxX, y+16, fit(outcome, diagramW-boxX-6, fontSize), "label strong", "")
				y += 14
			} else {
				d.text(boxX+boxW+14, y+6, fit(outcome, diagramW-boxX-boxW-20, fontSize), "label strong", "")
			}
			y += 14
		}
		class := fmt.Sprintf("cmd op-%d", c.Part%6)
		label := c.Class
		if c.Entity != "" {
			label += "  " + c.Entity
		}
		switch {
		case c.Ghost:
			class = "cmd ghost"
			label = "never ran: " + label
		case c.Intruder:
			class += " intruder"
			if narrow {
				label = "◀ intruder: " + label
			}
		}
		d.rect(boxX, y+3, boxW, rungH-6, class, c.Tip)
		textClass := "cmd-text"
		if c.Ghost {
			textClass = "cmd-text ghost"
		} else {
			d.text(idxX, y+rungH/2+4, fmt.Sprintf("%d", c.Idx), "label mono", "end")
		}
		d.text(boxX+8, y+rungH/2+4, fit(label, boxW-16, 10.5), textClass, "")
		if !c.Time.IsZero() && !c.Ghost && !narrow {
			d.text(timeX, y+rungH/2+4, c.Time.UTC().Format("15:04:05.000"), "label mono", "")
		}
		if c.Intruder && !narrow {
			d.text(noteX, y+rungH/2+4, "◀ intruder: another request's command", "intruder-label", "")
		}
		y += rungH
	}
	if !committed {
		d.line(boxX-20, y+2, boxX+boxW+10, y+2, "commit", "")
		if in.Outcome != "" && narrow {
			d.text(boxX, y+16, fit(in.Outcome, diagramW-boxX-6, fontSize), "label strong", "")
			y += 14
		} else if in.Outcome != "" {
			d.text(boxX+boxW+14, y+6, fit(in.Outcome, diagramW-boxX-boxW-20, fontSize), "label strong", "")
		}
		y += 14
	}
	if in.Lost != "" {
		y += 6
		d.text(boxX, y+8, fit("Lost: "+in.Lost, diagramW-boxX-8, fontSize), "missing-label", "")
		y += 14
	}
	d.H = y + 8
	d.Caption = "Each rung is one command of the transaction, in the order ovsdbapp logged it (idx). Colours are operations: the rungs that belong together share one. The red-outlined rung is the intruder — a command of another request that landed inside this transaction; dashed rungs below the commit line are what that request still needed and never got."
	return d
}
