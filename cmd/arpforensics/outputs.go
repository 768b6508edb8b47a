package main

import (
	"bufio"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/arpforensics/arpforensics/analysis"
)

// Output files are written to temporary files beside them and renamed into
// place only once every output of the run has been written, so a run that
// fails writing one output replaces none, and the outputs of one run are
// replaced together (one rename each: if a rename fails, the error names
// the outputs replaced and those not).
//
// A temporary file's name carries the writing process's id,
// ".<name>.arpf-tmp-<pid>-<random>". SIGINT and SIGTERM remove the run's
// own; what SIGKILL or a crash leaves behind, the next run writing the same
// output removes, once no process of that id is running.

const tmpMark = ".arpf-tmp-"

// staged is an output rendered to its temporary file, not yet in place.
type staged struct {
	path, tmp string
}

// temps are the temporary files this process has open, for the signal
// handler.
var temps struct {
	sync.Mutex
	names map[string]bool
	once  sync.Once
}

func trackTemp(name string) {
	temps.once.Do(func() {
		temps.names = map[string]bool{}
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
		go func() {
			s := <-ch
			removeTemps()
			signal.Reset(s)
			dieOf(s) // as without the handler
		}()
	})
	temps.Lock()
	temps.names[name] = true
	temps.Unlock()
}

func untrackTemp(name string) {
	temps.Lock()
	delete(temps.names, name)
	temps.Unlock()
}

func removeTemps() {
	temps.Lock()
	defer temps.Unlock()
	for n := range temps.names {
		os.Remove(n)
	}
}

// removeStaleTemps removes the temporary files of out left by processes
// that are gone (killed while writing).
func removeStaleTemps(out string) {
	dir, base := filepath.Split(out)
	if dir == "" {
		dir = "."
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "."+globEscape(base)+tmpMark+"*"))
	for _, m := range matches {
		rest := strings.TrimPrefix(filepath.Base(m), "."+base+tmpMark)
		pidText, _, ok := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if !ok || err != nil || pid <= 0 || pid == os.Getpid() {
			continue
		}
		if processGone(pid) {
			os.Remove(m)
		}
	}
}

func globEscape(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`, `[`, `\[`)
	return r.Replace(s)
}

// stage renders o into a temporary file beside o.path.
func stage(o output, res *analysis.Result, ro renderOpts) (*staged, error) {
	removeStaleTemps(o.path)
	tmp, err := os.CreateTemp(filepath.Dir(o.path), "."+filepath.Base(o.path)+tmpMark+strconv.Itoa(os.Getpid())+"-*")
	if err != nil {
		return nil, err
	}
	trackTemp(tmp.Name())
	fail := func(err error) (*staged, error) {
		tmp.Close()
		os.Remove(tmp.Name())
		untrackTemp(tmp.Name())
		return nil, fmt.Errorf("%s: %w", o.path, err)
	}
	bw := bufio.NewWriterSize(tmp, 1<<20)
	if err := renderers[o.format](bw, res, ro); err != nil {
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
		untrackTemp(s.tmp)
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
		untrackTemp(s.tmp)
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
