package analysis

import (
	"path/filepath"
	"strings"

	"github.com/arpforensics/arpforensics/ingest"
)

// caseTree is the case files found among the files read: a folder holding a
// case file is a case of its own wherever it sits (a directory of several
// cases, such as samples/), so its files are labelled as when the folder is
// analysed alone — hosts named below it, its globs and zones applied — and
// each case's hosts are vantage points apart from another case's.
type caseTree struct {
	byDir map[string]*ingest.Case // by the directory holding it
	bad   map[string]error        // case files that could not be loaded, by path
}

// findCases loads every case file among files except main (the run's own,
// from --case or the first directory argument, applied as before).
func findCases(files []ingest.File, main *ingest.Case) caseTree {
	ct := caseTree{byDir: map[string]*ingest.Case{}, bad: map[string]error{}}
	if main != nil {
		ct.byDir[filepath.Clean(main.Root)] = main
	}
	for _, f := range files {
		if filepath.Base(f.Path) != ingest.CaseFileName || (main != nil && filepath.Clean(f.Path) == filepath.Clean(main.Path)) {
			continue
		}
		c, err := ingest.LoadCase(f.Path)
		if err != nil {
			ct.bad[f.Path] = err
			continue
		}
		ct.byDir[filepath.Clean(filepath.Dir(f.Path))] = c
	}
	return ct
}

// caseOf is the case nearest above file f (nil if none), and f relabelled
// by it: a nested case's folder is the root its hosts are named below.
func (ct caseTree) caseOf(f ingest.File) (*ingest.Case, ingest.File) {
	if len(ct.byDir) == 0 || f.Path == ingest.Stdin {
		return nil, f
	}
	root := filepath.Clean(f.Root)
	for dir := filepath.Dir(filepath.Clean(f.Path)); ; dir = filepath.Dir(dir) {
		if c, ok := ct.byDir[dir]; ok {
			if dir != root && strings.HasPrefix(dir, root) {
				f.Root = dir
				f.Host = ingest.HostBelow(dir, f.Path)
			}
			return c, f
		}
		if dir == root || dir == "." || dir == string(filepath.Separator) || filepath.Dir(dir) == dir {
			return nil, f
		}
	}
}
