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
	"slices"
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
}

// Stdin is the path that names standard input: read once, sniffed like any
// file, its text kept since it cannot be read again.
const Stdin = "-"

// Expand lists the files named by paths, walking directories recursively in
// lexical order so every run sees the same order. Paths that do not exist
// or cannot be listed are returned as errors alongside what could be listed.
// Symbolic links to files are followed; links to directories are not, so a
// log tree with a loop cannot trap the walk.
func Expand(paths []string) ([]File, []error) {
	var files []File
	var errs []error
	seen := map[string]bool{}
	for _, root := range paths {
		if root == Stdin {
			if !seen[root] {
				seen[root] = true
				files = append(files, File{Path: Stdin, Root: Stdin, Host: DefaultHost})
			}
			continue
		}
		info, err := os.Stat(root)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !info.IsDir() {
			if !seen[root] {
				seen[root] = true
				files = append(files, File{Path: root, Root: root, Host: nodeOfLogsDir(filepath.Dir(root)), Size: info.Size(), ModTime: info.ModTime()})
			}
			continue
		}
		zuul := zuulHosts(root)
		err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				errs = append(errs, err)
				if d != nil && d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if d.IsDir() {
				if p != root && strings.HasPrefix(d.Name(), ".") {
					return fs.SkipDir // .git and friends
				}
				return nil
			}
			fi, err := os.Stat(p) // follows a link to a file
			if err != nil {
				errs = append(errs, err)
				return nil
			}
			if !fi.Mode().IsRegular() || seen[p] {
				return nil
			}
			seen[p] = true
			host := treeHost(root, p, zuul)
			files = append(files, File{Path: p, Root: root, Host: host, Size: fi.Size(), ModTime: fi.ModTime()})
			return nil
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("walking %s: %w", root, err))
		}
	}
	return files, errs
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
	rel, err := filepath.Rel(root, p)
	if err != nil {
		return DefaultHost
	}
	parts := strings.Split(filepath.ToSlash(rel), "/")
	dirs := parts[:len(parts)-1]
	if zuul != nil {
		for _, d := range dirs {
			if zuul[d] {
				return d
			}
		}
		abs, _ := filepath.Abs(root)
		if b := filepath.Base(abs); zuul[b] {
			return b
		}
		if b := filepath.Base(filepath.Dir(abs)); zuul[b] {
			return b
		}
		return DefaultHost // the inventory is the list of nodes: the rest is the job's
	}
	for j := 1; j < len(dirs); j++ {
		if dirs[j] == "logs" && !notHost[dirs[j-1]] {
			return dirs[j-1]
		}
	}
	if h := nodeOfLogsDir(root); h != DefaultHost {
		return h
	}
	if len(dirs) > 0 && !notHost[dirs[0]] {
		return dirs[0]
	}
	return DefaultHost
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

// SortFiles orders files by path; Expand already returns them so.
func SortFiles(fs []File) {
	slices.SortFunc(fs, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
}
