package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAnalyzeHTML: the HTML report is reachable the three ways the CLI
// offers outputs — --html FILE next to another output, -o FILE.html|.htm,
// and --format html on stdout — and each is the same self-contained page.
func TestAnalyzeHTML(t *testing.T) {
	dir := t.TempDir()
	page := func(name, doc string) {
		t.Helper()
		for _, want := range []string{"<!DOCTYPE html>", `<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;;`, `<script type="application/json" id="arpf-data">`, `data-detector="stale-mac"`} {
			if !strings.Contains(doc, want) {
				t.Errorf("%s: no %q", name, want)
			}
		}
	}
	htmlPath, jsonPath := filepath.Join(dir, "report.html"), filepath.Join(dir, "report.json")
	code, out, stderr := runCLI(t, "analyze", "--quiet", "--html", htmlPath, "--json", jsonPath, "../../samples/fip-reuse")
	if code != exitFindings || out != "" || stderr != "" {
		t.Fatalf("--html: exit %d stdout %q stderr %q", code, out, stderr)
	}
	b, err := os.ReadFile(htmlPath)
	if err != nil {
		t.Fatal(err)
	}
	page("--html", string(b))
	if _, err := os.Stat(jsonPath); err != nil {
		t.Errorf("--json next to --html: %v", err)
	}

	htm := filepath.Join(dir, "report.htm")
	if code, _, stderr := runCLI(t, "analyze", "-o", htm, "../../samples/fip-reuse"); code != exitFindings {
		t.Fatalf("-o .htm: exit %d: %s", code, stderr)
	}
	b, _ = os.ReadFile(htm)
	page("-o .htm", string(b))

	code, out, _ = runCLI(t, "analyze", "--format", "html", "../../samples/fip-reuse")
	if code != exitFindings {
		t.Fatalf("--format html: exit %d", code)
	}
	page("--format html", out)
}
