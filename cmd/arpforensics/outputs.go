package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"github.com/arpforensics/arpforensics/analysis"
	"github.com/arpforensics/arpforensics/internal/tempout"
)

// Output files are written to temporary files beside them (package
// tempout) and renamed into place only once every output of the run has
// been written, so a run that fails writing one output replaces none, and
// the outputs of one run are replaced together (one rename each: if a
// rename fails, the error names the outputs replaced and those not).

// staged is an output rendered to its temporary file, not yet in place.
type staged struct {
	path, tmp string
}

// stage renders o into a temporary file beside o.path.
func stage(o output, res *analysis.Result, ro renderOpts) (*staged, error) {
	tmp, err := tempout.Create(o.path)
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*staged, error) {
		tmp.Close()
		os.Remove(tmp.Name())
		tempout.Done(tmp.Name())
		return nil, fmt.Errorf("%s: %w", o.path, err)
	}
	bw := bufio.NewWriterSize(tmp, 1<<20)
	if err := o.format.render(bw, res, ro); err != nil {
		return fail(err)
	}
	if err := bw.Flush(); err != nil {
		return fail(err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		return fail(err)
	}
	return &staged{path: o.path, tmp: tmp.Name()}, nil
}

// discard removes staged outputs that will not be put in place.
func discard(st []*staged) {
	for _, s := range st {
		os.Remove(s.tmp)
		tempout.Done(s.tmp)
	}
}

// commit puts every staged output in place.
func commit(st []*staged) error {
	var done, failed []string
	var first error
	for _, s := range st {
		if err := os.Rename(s.tmp, s.path); err != nil {
			os.Remove(s.tmp)
			failed = append(failed, s.path)
			if first == nil {
				first = err
			}
		} else {
			done = append(done, s.path)
		}
		tempout.Done(s.tmp)
	}
	if first == nil {
		return nil
	}
	return fmt.Errorf("%v; replaced: %s; not replaced: %s", first, orNone(done), strings.Join(failed, " "))
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, " ")
}
