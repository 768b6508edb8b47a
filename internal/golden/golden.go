// Package golden is what golden-file tests share: the one -update flag, the
// comparison of a result with its file, and the dump of parsed events most
// parser goldens are written in.
//
// `go test ./pkg -update` rewrites the golden files of the packages named.
// Test binaries that do not import this package do not know the flag, so
// `go test ./... -update` fails in them; name the packages that use it:
//
//	go test $(go list -f '{{.ImportPath}} {{.TestImports}} {{.XTestImports}}' ./... | grep internal/golden | cut -d' ' -f1) -update
package golden

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files from the current output")

// Updating reports whether the tests run with -update.
func Updating() bool { return *update }

// Check compares got with the golden file at path. With -update it writes
// got there instead (creating the folder) and passes.
func Check(tb testing.TB, path, got string) {
	tb.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			tb.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("%v (go test -update creates it)", err)
	}
	if got != string(want) {
		tb.Errorf("the result differs from %s (go test -update rewrites it; review the diff):\n%s", path, Diff(string(want), got))
	}
}

// context is how many equal lines Diff shows before the first difference.
const context = 3

// clip is how much of a long line Diff shows on each side of where the
// two first differ: an HTML page's lines run to kilobytes.
const clip = 100

// Diff shows where got first departs from want: the line number, a few
// equal lines before it, and the two versions of the line, long lines cut
// around the first differing byte.
func Diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	i := 0
	for i < len(w) && i < len(g) && w[i] == g[i] {
		i++
	}
	if i == len(w) && i == len(g) {
		return "(no line differs)"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "first difference at line %d:\n", i+1)
	for k := max(0, i-context); k < i; k++ {
		fmt.Fprintf(&b, "       %s\n", cut(w[k], 0))
	}
	wl, gl := lineAt(w, i), lineAt(g, i)
	col := 0
	for col < len(wl) && col < len(gl) && wl[col] == gl[col] {
		col++
	}
	fmt.Fprintf(&b, "  want %s\n  got  %s\n", cut(wl, col), cut(gl, col))
	return b.String()
}

func lineAt(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return "(end of text)"
}

// cut shortens s to clip bytes either side of col, marking what it left out.
func cut(s string, col int) string {
	lo, hi := max(0, col-clip), min(len(s), col+clip)
	out := s[lo:hi]
	if lo > 0 {
		out = "…" + out
	}
	if hi < len(s) {
		out += "…"
	}
	return out
}
