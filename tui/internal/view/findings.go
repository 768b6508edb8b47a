package view

import (
	"fmt"
	"strings"

	"github.com/rivo/tview"

	"github.com/arpforensics/arpforensics/detect"
	"github.com/arpforensics/arpforensics/internal/safetext"
	"github.com/arpforensics/arpforensics/tui/internal/ui"
)

// findingsContent is the findings pane's table: one row per finding, in the
// result's order (severity, then time), the severity in its colour.
type findingsContent struct {
	tview.TableContentReadOnly
	a *App
}

const (
	fcolSeverity = iota
	fcolTime
	fcolDetector
	fcolTitle
	fcolEvidence
	fcolCount
)

func (c *findingsContent) GetRowCount() int {
	if len(c.a.fs.List) == 0 {
		return 1 // "no findings"
	}
	return len(c.a.fs.List)
}

func (c *findingsContent) GetColumnCount() int { return fcolCount }

func (c *findingsContent) GetCell(row, col int) *tview.TableCell {
	a := c.a
	t := a.theme
	if len(a.fs.List) == 0 {
		if row == 0 && col == fcolTitle {
			n := len(detect.All())
			return tview.NewTableCell(fmt.Sprintf("no findings: %d detector(s) checked the timeline", n)).SetStyle(t.Dim).SetSelectable(false)
		}
		return tview.NewTableCell("").SetStyle(t.Base).SetSelectable(false)
	}
	if row < 0 || row >= len(a.fs.List) {
		return nil
	}
	f := &a.fs.List[row]
	cell := tview.NewTableCell("").SetStyle(t.Base)
	switch col {
	case fcolSeverity:
		cell.SetText(fmt.Sprintf("%-6s", strings.ToUpper(f.Severity.String()))).SetStyle(t.SeverityStyle(int(f.Severity)))
	case fcolTime:
		cell.SetText(f.Start.In(a.tl.Loc).Format("15:04:05")).SetStyle(t.Dim)
	case fcolDetector:
		cell.SetText(ui.Safe(f.Detector)).SetMaxWidth(16)
	case fcolTitle:
		// Cut here, to the room the other columns leave: the evidence
		// count after it is never the column tview cuts.
		cell.SetText(ui.Escape(fitCells(safetext.Terminal(f.Title), a.findingTitleWidth()))).SetExpansion(1).SetStyle(t.Strong)
	case fcolEvidence:
		cell.SetText(fmt.Sprintf("%*s", a.evidenceWidth(), evidenceCount(f))).SetStyle(t.Dim)
	}
	return cell
}

func evidenceCount(f *detect.Finding) string { return fmt.Sprintf("%d ev", len(f.Evidence)) }

// evidenceWidth is the evidence column's width: its widest count.
func (a *App) evidenceWidth() int {
	w := 4
	for i := range a.fs.List {
		w = max(w, len(evidenceCount(&a.fs.List[i])))
	}
	return w
}

// findingTitleWidth is the cells the title column has: the pane less the
// severity (6), time (8), detector (at most 16) and evidence columns and
// the space after each.
func (a *App) findingTitleWidth() int {
	_, _, w, _ := a.fTable.GetInnerRect()
	det := 0
	for i := range a.fs.List {
		det = max(det, ui.Width(ui.Safe(a.fs.List[i].Detector)))
	}
	return max(w-(6+1)-(8+1)-(min(det, 16)+1)-(a.evidenceWidth()+1), 8)
}
