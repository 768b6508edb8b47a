package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/arpforensics/arpforensics/export"
	"github.com/arpforensics/arpforensics/ingest"
)

// Outputs are evidence's neighbours: `--json copy/arptable copy/x.pcap`
// reads --json as a switch to a user of restic or kubectl, and would replace
// the neighbour dump with a report. So before anything is analysed, every
// output path is checked: never an input named on the command line, never
// an existing file that is not a report of ours (inside an analysed tree or
// not), unless --force.

// guardOutputs refuses outputs that would overwrite evidence.
func guardOutputs(outs []output, paths []string, force bool) error {
	if force {
		return nil
	}
	for _, o := range outs {
		if o.path == "" {
			continue
		}
		if err := guardOutput(o, paths); err != nil {
			return err
		}
	}
	return nil
}

func guardOutput(o output, paths []string) error {
	flag := "--" + o.format.name
	if o.viaO {
		flag = "-o"
	}
	st, err := os.Stat(o.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		// A new file overwrites nothing; its directory must be there, or
		// the failure would come after the whole analysis.
		dir := filepath.Dir(o.path)
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return usageErr("%s %s: no directory %s to write it in", flag, o.path, dir)
		}
		return nil
	case err != nil:
		return usageErr("%s %s: %v", flag, o.path, ingest.UnwrapPath(err))
	case st.IsDir():
		return usageErr("%s %s: is a directory (want a file to write the %s report to)", flag, o.path, o.format.name)
	}
	for _, p := range paths {
		in, err := os.Stat(p)
		if err != nil || in.IsDir() {
			continue
		}
		if os.SameFile(st, in) {
			return usageErr("%s %s: refusing to write the %s report over %s, an input of this run (%s takes a FILE to write; pass --force to overwrite anyway)",
				flag, o.path, o.format.name, p, flag)
		}
	}
	if ours, err := isReport(o.path); err != nil {
		return usageErr("%s %s: %v", flag, o.path, ingest.UnwrapPath(err))
	} else if !ours {
		where := ""
		if dir := export.InsideDir(o.path, dirsOf(paths)); dir != "" {
			where = " inside the analysed directory " + dir + ","
		}
		return usageErr("%s %s: refusing to write the %s report over an existing file%s which is not an arpforensics report (pass --force to overwrite it)",
			flag, o.path, o.format.name, where)
	}
	return nil
}

// isReport reports whether the file at path is one of our reports (as
// ingest recognises them when a tree is analysed again), or empty.
func isReport(path string) (bool, error) {
	head, err := ingest.ReadHead(path, 4096)
	if err != nil {
		return false, err
	}
	return len(head) == 0 || ingest.OwnOutput(head) != "", nil
}
