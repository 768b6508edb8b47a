// Package ingest turns the paths a user names into readable inputs: it walks
// directories, labels each file with its host, undoes gzip and zstd by their
// magic bytes, sniffs the artifact kind from the content and hands the file
// to that kind's parser.
package ingest

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/arpforensics/arpforensics/timeline"
)

// DefaultHost labels artifacts that nothing else assigns to a host.
const DefaultHost = timeline.DefaultHost

// File is one file found under the analysed paths.
type File struct {
	Path    string // as the user will recognise it: the argument joined with the path below it
	Root    string // the argument it was found under
	Host    string // first directory below Root, or DefaultHost
	Size    int64
	ModTime time.Time
	// Skip, when set, says why the file is listed but not read: a FIFO,
	// socket or device (opening one could wait forever or never end), or
	// a link to a directory already walked.
	Skip string
}

// Stdin is the path that names standard input: read once, sniffed like any
// file, its text kept since it cannot be read again.
const Stdin = "-"

// Expand lists the files named by paths, walking directories recursively in
// lexical order so every run sees the same order. Paths that do not exist
// or cannot be listed are returned as errors alongside what could be listed.
// Symbolic links are followed, to files and to directories alike; each real
// directory is walked once, so a link back up the tree (a loop) is listed
// as skipped rather than walked again. FIFOs, sockets and devices are listed
// as skipped, never opened.
func Expand(paths []string) ([]File, []error) {
	w := &walker{seen: map[string]bool{}, dirs: map[fileID]string{}}
	for _, root := range paths {
		if root == Stdin {
			if !w.seen[root] {
				w.seen[root] = true
				w.files = append(w.files, File{Path: Stdin, Root: Stdin, Host: DefaultHost})
			}
			continue
		}
		info, err := os.Stat(root)
		if err != nil {
			w.errs = append(w.errs, err)
			continue
		}
		if !info.IsDir() {
			w.file(root, root, nodeOfLogsDir(filepath.Dir(root)), info)
			continue
		}
		w.root, w.tree = root, newTreeRoot(root, zuulHosts(root))
		w.dir(root, info)
	}
	return w.files, w.errs
}

// fileID names a real directory whatever the path it is reached by.
type fileID struct{ dev, ino uint64 }

type walker struct {
	files []File
	errs  []error
	seen  map[string]bool   // file paths listed
	dirs  map[fileID]string // real directories walked, with the path first walked
	root  string
	tree  *treeRoot // the root's part of naming hosts, found once per root
}

func (w *walker) host(p string) string { return w.tree.host(p) }

// file lists one non-directory (info is what the path leads to).
func (w *walker) file(p, root, host string, info fs.FileInfo) {
	if w.seen[p] {
		return
	}
	w.seen[p] = true
	f := File{Path: p, Root: root, Host: host, Size: info.Size(), ModTime: info.ModTime()}
	if !info.Mode().IsRegular() {
		f.Size = 0
		f.Skip = SpecialReason(info.Mode())
	}
	w.files = append(w.files, f)
}

// SpecialReason says why a file that is not regular is not read.
func SpecialReason(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO), not read: opening it would wait for a writer (pipe its content to - instead)"
	case m&fs.ModeSocket != 0:
		return "a socket, not read"
	case m&fs.ModeCharDevice != 0:
		return "a character device, not read"
	case m&fs.ModeDevice != 0:
		return "a block device, not read"
	case m.IsDir():
		return "a directory"
	}
	return "not a regular file, not read"
}

// dir walks directory p (info describes it), unless it was walked already.
func (w *walker) dir(p string, info fs.FileInfo) {
	if id, ok := idOf(info); ok {
		if first, done := w.dirs[id]; done {
			if p != first {
				w.seen[p] = true
				w.files = append(w.files, File{Path: p, Root: w.root, Host: w.host(p), ModTime: info.ModTime(),
					Skip: fmt.Sprintf("the same directory as %s (a link), already read there", first)})
			}
			return
		}
		w.dirs[id] = p
	}
	entries, err := os.ReadDir(p)
	if err != nil {
		w.errs = append(w.errs, err)
		// what could be listed is still walked
	}
	for _, e := range entries {
		c := filepath.Join(p, e.Name())
		if e.IsDir() {
			if !strings.HasPrefix(e.Name(), ".") { // .git and friends
				fi, err := e.Info()
				if err != nil {
					w.errs = append(w.errs, err)
					continue
				}
				w.dir(c, fi)
			}
			continue
		}
		fi, err := os.Stat(c) // follows a link
		if err != nil {
			w.errs = append(w.errs, err)
			continue
		}
		if fi.IsDir() {
			if !strings.HasPrefix(e.Name(), ".") {
				w.dir(c, fi)
			}
			continue
		}
		w.file(c, w.root, w.host(c), fi)
	}
}

// treeHost names the host a file of a CI log tree belongs to. A Zuul job
// leaves <job>/<node>/logs/… per node (devstack's fetch-devstack-log-dir),
// sometimes downloaded under another logs/ (<job>/logs/<node>/logs/…), and
// the job's own files (job-output.txt, zuul-info/) at the root. In order:
//   - a directory, below the root or the root itself or its parent, that
//     the job's inventory names as a node (with an inventory, nothing else
//     is a node);
//   - the directory holding a logs/ directory below the root;
//   - the root's parent when the root is a node's logs/ directory;
//   - the first directory below the root (logs/<node>/…, hand-made trees);
//
// never "zuul-info" or "logs" themselves; DefaultHost when nothing applies.
func treeHost(root, p string, zuul map[string]bool) string {
	return newTreeRoot(root, zuul).host(p)
}

// treeRoot holds what treeHost learns from the root alone (its absolute
// names, the file system stats of nodeOfLogsDir), so a walk learns it
// once, not once per file.
type treeRoot struct {
	root string
	zuul map[string]bool
	// rootHost is the host the root itself names (the inventory's node it
	// or its parent is; without an inventory, the node whose logs/ it is),
	// or DefaultHost.
	rootHost string
}

func newTreeRoot(root string, zuul map[string]bool) *treeRoot {
	t := &treeRoot{root: root, zuul: zuul, rootHost: DefaultHost}
	if zuul == nil {
		t.rootHost = nodeOfLogsDir(root)
		return t
	}
	abs, _ := filepath.Abs(root)
	if b := filepath.Base(abs); zuul[b] {
		t.rootHost = b
	} else if b := filepath.Base(filepath.Dir(abs)); zuul[b] {
		t.rootHost = b
	}
	return t
}

func (t *treeRoot) host(p string) string {
	rel, err := filepath.Rel(t.root, p)
	if err != nil {
		return DefaultHost
	}
	parts := strings.Split(filepath.ToSlash(rel), "/")
	dirs := parts[:len(parts)-1]
	if t.zuul != nil {
		for _, d := range dirs {
			if t.zuul[d] {
				return d
			}
		}
		return t.rootHost // the inventory is the list of nodes: the rest is the job's
	}
	if h, ok := nodeAboveLogs(dirs); ok {
		return h
	}
	if t.rootHost != DefaultHost {
		return t.rootHost
	}
	if len(dirs) > 0 && !notHost[dirs[0]] {
		return dirs[0]
	}
	return DefaultHost
}

// nodeAboveLogs is the directory above the first logs/ directory of dirs
// (a path's directories, outermost first) that is not itself a logs/ or
// zuul-info/; ok is false when there is none.
func nodeAboveLogs(dirs []string) (string, bool) {
	for j := 1; j < len(dirs); j++ {
		if dirs[j] == "logs" && !notHost[dirs[j-1]] {
			return dirs[j-1], true
		}
	}
	return "", false
}

// notHost are directory names of a log tree that are never a node's.
var notHost = map[string]bool{"zuul-info": true, "logs": true, ".": true, "": true}

// nodeOfLogsDir is the node dir names when it is a node's logs/ directory
// (<node>/logs), else DefaultHost. A logs/ directory at the top of a job's
// download (beside zuul-info/ or job-output.txt) is not one.
func nodeOfLogsDir(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil || filepath.Base(abs) != "logs" {
		return DefaultHost
	}
	parent := filepath.Dir(abs)
	name := filepath.Base(parent)
	if notHost[name] || name == "/" || isJobRoot(parent) || isJobRoot(abs) {
		return DefaultHost
	}
	return name
}

// isJobRoot reports whether dir holds a Zuul job's own files.
func isJobRoot(dir string) bool {
	for _, n := range []string{"zuul-info", "job-output.txt", "job-output.json"} {
		if _, err := os.Stat(filepath.Join(dir, n)); err == nil {
			return true
		}
	}
	return false
}

// HostBelow is the host a file under root is labelled with, as a walk of
// root without an inventory labels it (see treeHost).
func HostBelow(root, p string) string { return treeHost(root, p, nil) }
