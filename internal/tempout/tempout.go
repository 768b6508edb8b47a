// Package tempout holds the temporary files outputs are written to before
// they are renamed into place, beside the file they will become:
// ".<name>.arpf-tmp-<pid>-<random>". SIGINT and SIGTERM remove the
// process's own; what SIGKILL or a crash leaves behind, the next process
// writing the same output removes, once no process of that id is running.
// The CLI's reports and the evidence export both write through it.
package tempout

import (
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
)

// Mark is in every temporary file's name, after the output's.
const Mark = ".arpf-tmp-"

// Create removes the temporary files of path that gone processes left,
// then creates this process's one beside path, removed on SIGINT or
// SIGTERM until Done is called for it.
func Create(path string) (*os.File, error) {
	removeStale(path)
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+Mark+strconv.Itoa(os.Getpid())+"-*")
	if err != nil {
		return nil, err
	}
	track(tmp.Name())
	return tmp, nil
}

// Done forgets a temporary file that was renamed into place or removed.
func Done(name string) {
	temps.Lock()
	delete(temps.names, name)
	temps.Unlock()
}

// temps are the temporary files this process has open, for the signal
// handler.
var temps struct {
	sync.Mutex
	names map[string]bool
	once  sync.Once
}

func track(name string) {
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

func removeTemps() {
	temps.Lock()
	defer temps.Unlock()
	for n := range temps.names {
		os.Remove(n)
	}
}

// removeStale removes the temporary files of out left by processes
// that are gone (killed while writing).
func removeStale(out string) {
	dir, base := filepath.Split(out)
	if dir == "" {
		dir = "."
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "."+globEscape(base)+Mark+"*"))
	for _, m := range matches {
		rest := strings.TrimPrefix(filepath.Base(m), "."+base+Mark)
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
