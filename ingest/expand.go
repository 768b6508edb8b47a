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
				files = append(files, File{Path: root, Root: root, Host: DefaultHost, Size: info.Size(), ModTime: info.ModTime()})
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
			host := hostOf(root, p)
			if zuul != nil {
				host = zuulHostOf(root, p, zuul)
			}
			files = append(files, File{Path: p, Root: root, Host: host, Size: fi.Size(), ModTime: fi.ModTime()})
			return nil
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("walking %s: %w", root, err))
		}
	}
	return files, errs
}

// hostOf is the first directory of p below root: CI log trees are laid out
// as logs/<node>/…, so that directory names the node.
func hostOf(root, p string) string {
	rel, err := filepath.Rel(root, p)
	if err != nil {
		return DefaultHost
	}
	parts := strings.Split(filepath.ToSlash(rel), "/")
	if len(parts) < 2 {
		return DefaultHost
	}
	return parts[0]
}

// SortFiles orders files by path; Expand already returns them so.
func SortFiles(fs []File) {
	slices.SortFunc(fs, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
}

// HostBelow is the host a file under root is labelled with: the first
// directory below root, or DefaultHost for a file directly in it.
func HostBelow(root, p string) string { return hostOf(root, p) }
