package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runCLI runs one command line and returns its exit code and output.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestUsageErrorsExit2(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.bin")
	os.WriteFile(junk, []byte{0, 1, 2, 3}, 0o644)
	badCfg := filepath.Join(dir, "bad.yaml")
	os.WriteFile(badCfg, []byte("thresholds:\n  grace: soon\n"), 0o644)
	tests := []struct {
		name   string
		args   []string
		stderr string
	}{
		{"no paths", []string{"analyze"}, "requires at least 1 arg"},
		{"unknown flag", []string{"analyze", "--bogus", dir}, "unknown flag: --bogus"},
		{"bad fail-on", []string{"analyze", "--fail-on", "urgent", dir}, "--fail-on: unknown severity \"urgent\""},
		{"bad format", []string{"analyze", "--format", "yaml", dir}, "--format \"yaml\""},
		{"bad -o extension", []string{"analyze", "-o", filepath.Join(dir, "r.pdf"), dir}, "cannot tell the format from \".pdf\""},
		{"bad tz", []string{"analyze", "--tz", "Mars/Olympus", dir}, "--tz \"Mars/Olympus\""},
		{"bad since", []string{"analyze", "--since", "yesterday", dir}, "--since: \"yesterday\""},
		{"bad offset", []string{"analyze", "--offset", "nohost", dir}, "--offset \"nohost\""},
		{"config error names its position", []string{"analyze", "--config", badCfg, dir}, badCfg + ":2:10: grace:"},
		{"missing path", []string{"analyze", filepath.Join(dir, "nope")}, "no such file or directory"},
		{"nothing readable", []string{"analyze", junk}, "no readable artifact"},
		{"empty directory", []string{"analyze", t.TempDir()}, "no readable artifact"},
		{"same file twice", []string{"analyze", "--json", filepath.Join(dir, "a"), "--junit", filepath.Join(dir, "a"), dir}, "named for two outputs"},
		{"config check", []string{"config", "check", badCfg}, badCfg + ":2:10:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tt.args...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d", code, exitUsage)
			}
			if !strings.Contains(stderr, tt.stderr) {
				t.Errorf("stderr %q lacks %q", stderr, tt.stderr)
			}
		})
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := runCLI(t, "version")
	if code != 0 || !strings.HasPrefix(out, "arpforensics ") {
		t.Errorf("version: exit %d output %q", code, out)
	}
}
