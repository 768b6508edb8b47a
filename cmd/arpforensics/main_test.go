package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// The tests run the built program, as CI and users do: built once per test
// binary, into a temporary directory.
var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

func builtProgram(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "arpforensics-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "arpforensics")
		goTool, err := exec.LookPath("go")
		if err != nil {
			goTool = filepath.Join(runtime.GOROOT(), "bin", "go") // go test runs with the toolchain it came from
		}
		out, err := exec.Command(goTool, "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// runCLI runs the built program with args and returns its exit code and
// output.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	return runCLIWith(t, nil, args...)
}

// runCLIWith is runCLI with stdin.
func runCLIWith(t *testing.T, stdin io.Reader, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	cmd := exec.Command(builtProgram(t), args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, out.String(), errb.String()
	case errors.As(err, &ee):
		return ee.ExitCode(), out.String(), errb.String()
	}
	t.Fatalf("running %v: %v", args, err)
	return -1, "", ""
}

// TestMain removes the built program after the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
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

func TestAnalyzeSamplesExitCodes(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	code, out, _ := runCLI(t, "analyze", "../../samples/fip-reuse")
	if code != exitFindings {
		t.Errorf("fip-reuse: exit %d, want 1", code)
	}
	for _, want := range []string{"HIGH", "stale-mac", "kept sending to 172.24.5.11 via its old MAC fa:16:3e:4d:2a:91",
		"never reached PROBE", "4.12", "tempest-br-ex.pcap:frame 534", "[gratuitous]"} {
		if !strings.Contains(out, want) {
			t.Errorf("fip-reuse report lacks %q", want)
		}
	}
	if strings.Contains(out, "\x1b[") {
		t.Error("colour codes with NO_COLOR set (and not a terminal)")
	}

	code, out, _ = runCLI(t, "analyze", "--format", "json", "../../samples/fip-reuse-healthy")
	if code != exitOK || strings.Contains(out, `"detector": "stale-mac"`) || !strings.Contains(out, `"detector": "mac-change"`) {
		t.Errorf("healthy: exit %d, want 0 and no stale-mac finding:\n%s", code, out)
	}

	for _, tt := range []struct {
		failOn string
		want   int
	}{{"high", 0}, {"medium", 0}, {"low", 1}, {"info", 1}, {"none", 0}} {
		if code, _, _ := runCLI(t, "analyze", "--quiet", "--fail-on", tt.failOn, "../../samples/fip-reuse-healthy"); code != tt.want {
			t.Errorf("healthy --fail-on %s: exit %d, want %d", tt.failOn, code, tt.want)
		}
	}
	if code, _, _ := runCLI(t, "analyze", "--quiet", "--fail-on", "none", "../../samples/fip-reuse"); code != exitOK {
		t.Errorf("--fail-on none: exit %d, want 0", code)
	}
}

func TestAnalyzeWritesEveryOutputInOnePass(t *testing.T) {
	dir := t.TempDir()
	paths := map[string]string{}
	args := []string{"analyze", "--quiet"}
	for _, f := range []string{"json", "junit", "ndjson", "events"} {
		paths[f] = filepath.Join(dir, "out."+f)
		args = append(args, "--"+f, paths[f])
	}
	code, out, stderr := runCLI(t, append(args, "../../samples/fip-reuse")...)
	if code != exitFindings || out != "" || stderr != "" {
		t.Fatalf("exit %d stdout %q stderr %q", code, out, stderr)
	}
	for f, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil || len(b) == 0 {
			t.Errorf("%s: %v (%d bytes)", f, err, len(b))
		}
	}
	nd, _ := os.ReadFile(paths["ndjson"])
	// stale-mac, missing-probe (from the arptable), garp-locktime, mac-change
	if n := bytes.Count(nd, []byte("\n")); n != 4 {
		t.Errorf("ndjson has %d lines, want one per finding (4)", n)
	}
	ev, _ := os.ReadFile(paths["events"])
	if !bytes.Contains(ev, []byte(`"timestamp_desc":"Packet captured"`)) || !bytes.Contains(ev, []byte(`"datetime":"2017-05-16T14:31:15Z"`)) {
		t.Errorf("events lack Timesketch fields")
	}
}

func TestStrictFailsOnInputProblems(t *testing.T) {
	cut := "../../testdata/corpus/pcap/dhcp-rfc4388.trunc-mid-record.pcap" // cut mid-record: a problem, no finding
	if code, _, _ := runCLI(t, "analyze", "--quiet", cut); code != exitOK {
		t.Errorf("without --strict: exit %d, want 0 (problems alone do not fail a run)", code)
	}
	if code, _, _ := runCLI(t, "analyze", "--quiet", "--strict", cut); code != exitInputs {
		t.Errorf("with --strict: exit %d, want %d (an input problem, told apart from findings)", code, exitInputs)
	}
	// Findings that fail the run still say so first.
	if code, _, _ := runCLI(t, "analyze", "--quiet", "--strict", cut, "../../samples/fip-reuse"); code != exitFindings {
		t.Errorf("with --strict and findings: exit %d, want %d", code, exitFindings)
	}
	// Notes are not problems: a clean capture passes --strict.
	if code, _, _ := runCLI(t, "analyze", "--quiet", "--strict", "../../samples/fip-reuse-healthy"); code != exitOK {
		t.Errorf("clean input with --strict: exit %d, want 0", code)
	}
}

// What could not be read, or was read with errors, is named on stderr one
// line each before the report, with --quiet too, and counted in the text
// report's first line.
func TestRunHealthOnStderr(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "nope", "x")
	cut := "../../testdata/corpus/pcap/dhcp-rfc4388.trunc-mid-record.pcap"
	code, stdout, stderr := runCLI(t, "analyze", "--quiet", missing, cut, "../../samples/fip-reuse")
	if code != exitFindings {
		t.Errorf("exit %d, want %d", code, exitFindings)
	}
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if len(lines) != 2 {
		t.Fatalf("stderr has %d lines, want one per troubled input:\n%s", len(lines), stderr)
	}
	if !strings.HasPrefix(lines[0], "arpforensics: "+missing+": unreadable: ") {
		t.Errorf("first line %q does not name the unreadable path", lines[0])
	}
	if !strings.HasPrefix(lines[1], "arpforensics: "+cut+":") || !strings.Contains(lines[1], "byte") && !strings.Contains(lines[1], "frame") {
		t.Errorf("second line %q does not name the damaged file and where", lines[1])
	}
	if stdout != "" {
		t.Errorf("--quiet printed a report: %q", stdout)
	}
	_, stdout, _ = runCLI(t, "analyze", missing, cut, "../../samples/fip-reuse")
	if first := strings.SplitN(stdout, "\n", 2)[0]; !strings.Contains(first, "1 unreadable") || !strings.Contains(first, "1 input problem(s)") {
		t.Errorf("the report's first line does not count the trouble: %q", first)
	}
}

// `config example` writes a file `config check` accepts, and the README's
// known_issues example really names the bug behind the stale-mac finding,
// over the built-in issue the detector names itself.
func TestConfigExampleChecksAndUserCatalogWins(t *testing.T) {
	dir := t.TempDir()
	code, example, stderr := runCLI(t, "config", "example")
	if code != exitOK {
		t.Fatalf("config example: exit %d: %s", code, stderr)
	}
	ex := filepath.Join(dir, "example.yaml")
	os.WriteFile(ex, []byte(example), 0o644)
	if code, _, stderr := runCLI(t, "config", "check", ex); code != exitOK {
		t.Errorf("config check of config example's output: exit %d: %s", code, stderr)
	}

	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	start := bytes.Index(readme, []byte("```yaml\ndetectors:"))
	if start < 0 {
		t.Fatal("the README's config example is gone")
	}
	yamlText := readme[start+len("```yaml\n"):]
	yamlText = yamlText[:bytes.Index(yamlText, []byte("```"))]
	cfg := filepath.Join(dir, "readme.yaml")
	os.WriteFile(cfg, yamlText, 0o644)
	out := filepath.Join(dir, "r.json")
	if code, _, stderr := runCLI(t, "analyze", "--quiet", "--config", cfg, "--json", out, "../../samples/fip-reuse"); code != exitFindings {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep struct {
		Findings []struct {
			Detector   string
			KnownIssue *struct{ ID string } `json:"known_issue"`
		}
	}
	b, _ := os.ReadFile(out)
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	seen := false
	for _, f := range rep.Findings {
		switch f.Detector {
		case "stale-mac":
			seen = true
			if f.KnownIssue == nil || f.KnownIssue.ID != "lp-1690165" {
				t.Errorf("stale-mac's known issue is %+v, want the README's lp-1690165", f.KnownIssue)
			}
		case "garp-locktime":
			if f.KnownIssue == nil || f.KnownIssue.ID != "linux-garp-locktime" {
				t.Errorf("garp-locktime lost its built-in known issue: %+v", f.KnownIssue)
			}
		case "mac-change":
			t.Errorf("mac-change ran though the README's example disables it")
		}
	}
	if !seen {
		t.Error("no stale-mac finding")
	}
}

// Conventions a CLI user expects: --version, an explicit --format deciding
// what -o writes, bad values refused, outputs into missing directories
// refused up front by the user's path.
func TestCLIConventions(t *testing.T) {
	code, out, _ := runCLI(t, "--version")
	if code != exitOK || !strings.HasPrefix(out, "arpforensics ") {
		t.Errorf("--version: exit %d, %q", code, out)
	}
	dir := t.TempDir()
	o := filepath.Join(dir, "o.txt")
	if code, _, stderr := runCLI(t, "analyze", "--quiet", "-o", o, "--format", "json", "../../samples/fip-reuse"); code != exitFindings {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if b, _ := os.ReadFile(o); !bytes.HasPrefix(b, []byte("{\n  \"schema\"")) {
		t.Errorf("-o o.txt --format json wrote %.40q, want JSON", b)
	}
	noext := filepath.Join(dir, "report")
	if code, _, stderr := runCLI(t, "analyze", "-o", noext, "../../samples/fip-reuse"); code != exitUsage || !strings.Contains(stderr, "a name without an extension") || !strings.Contains(stderr, "--format") {
		t.Errorf("-o without an extension: exit %d, %q", code, stderr)
	}
	if code, _, stderr := runCLI(t, "analyze", "--workers", "-1", "../../samples/fip-reuse"); code != exitUsage || !strings.Contains(stderr, "--workers -1") {
		t.Errorf("--workers -1: exit %d, %q", code, stderr)
	}
	missing := filepath.Join(dir, "no", "dir", "r.html")
	code, stdout, stderr := runCLI(t, "analyze", "--html", missing, "../../samples/fip-reuse")
	if code != exitUsage || !strings.Contains(stderr, "--html "+missing+": no directory "+filepath.Join(dir, "no", "dir")) || stdout != "" {
		t.Errorf("--html into a missing directory: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if strings.Contains(stderr, ".r.html.") {
		t.Errorf("the error names a temporary file: %q", stderr)
	}
	_, help, _ := runCLI(t, "analyze", "--help")
	if !strings.Contains(help, "Examples:") || !strings.Contains(help, "arpforensics analyze samples/fip-reuse") {
		t.Errorf("analyze --help has no examples:\n%s", help)
	}
}

func TestRelativeSinceUntil(t *testing.T) {
	if code, _, stderr := runCLI(t, "analyze", "--quiet", "--since", "-2m", "../../samples/fip-reuse"); code != exitFindings && code != exitOK {
		t.Errorf("--since -2m: exit %d: %s", code, stderr)
	}
	if code, _, stderr := runCLI(t, "analyze", "--until", "+soon", "../../samples/fip-reuse"); code != exitUsage || !strings.Contains(stderr, "--until: \"+soon\": want +DURATION") {
		t.Errorf("--until +soon: exit %d: %q", code, stderr)
	}
}

// "-" reads standard input, sniffed like any file, with its evidence kept.
func TestStdinIsAnInput(t *testing.T) {
	f, err := os.Open("../../samples/fip-reuse/tempest-br-ex.pcap")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	code, stdout, stderr := runCLIWith(t, f, "analyze", "-", "../../samples/fip-reuse/arptable")
	if code != exitFindings {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "  -  pcap host=") || !strings.Contains(stdout, "\n         -:frame ") {
		t.Errorf("the report does not list stdin as a pcap source with its evidence:\n%s", stdout)
	}
}
