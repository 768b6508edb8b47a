// Package tui is the interactive view of one analysed result: the merged
// timeline of every source, the findings beside it, and one key from a
// finding to the frames and lines that prove it. It never analyses; it reads
// the same *analysis.Result the reports render.
//
// The work is split as in k9s: package model holds state without drawing
// (rows as index slices over the shared events, filters, cursor, mark,
// search, density), package ui reusable widgets and the key registry, and
// package view the screen itself.
package tui

import (
	"github.com/arpforensics/arpforensics/analysis"
	"github.com/arpforensics/arpforensics/tui/internal/view"
)

// Options shape the TUI; the zero value shows UTC on the terminal, with
// colours as the terminal and NO_COLOR allow.
type Options = view.Options

// Run shows res until the user quits.
func Run(res *analysis.Result, opts Options) error {
	app, err := view.New(res, opts)
	if err != nil {
		return err
	}
	return app.Run()
}
