package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The tui command analyses first; with nothing readable there is nothing
// to browse, and it says so with the usage exit code, before touching the
// terminal.
func TestTUIWithNothingReadable(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "notes.bin")
	if err := os.WriteFile(junk, []byte{0, 1, 2, 3, 0xff}, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"tui"},
		{"tui", filepath.Join(dir, "missing.pcap")},
		{"tui", "--no-progress", junk},
		{"tui", "--tz", "Mars/Olympus", junk},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(args, &stdout, &stderr); code != exitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, exitUsage)
		}
		if stdout.Len() > 0 {
			t.Errorf("%v: wrote to stdout: %q", args, stdout.String())
		}
		if len(args) > 1 && !strings.Contains(stderr.String(), "arpforensics: ") {
			t.Errorf("%v: stderr %q says nothing", args, stderr.String())
		}
	}
}
