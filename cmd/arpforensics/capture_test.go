package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"

	"github.com/arpforensics/arpforensics/analysis"
	"github.com/arpforensics/arpforensics/detect"
)

// A lone capture that cannot be read at all (damaged header, unsupported
// version) makes analyze exit 2 and say why on stderr; the pipeline marks
// the source unreadable with the reader's message.
func TestAnalyzeLoneUnreadableCaptureExits2(t *testing.T) {
	for name, reason := range map[string]string{
		"pcap-invalid-version-1.pcap":           "unsupported pcap version 1.4",
		"pcapng-invalid-vers-2.pcapng":          "unsupported pcapng version 1.1",
		"shb-option-too-long.pcapng":            "damaged pcapng section header block",
		"linktype-reserved-field-not-zero.pcap": "reserved bits set",
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("..", "..", "testdata", "corpus", "pcap", name)
			res := analysis.Run(analysis.Options{Paths: []string{path}, Config: detect.Defaults()})
			if res.Readable() || len(res.Timeline.Sources) != 1 {
				t.Fatalf("readable=%v with %d sources, want one unreadable source", res.Readable(), len(res.Timeline.Sources))
			}
			s := res.Timeline.Sources[0]
			if !s.Unreadable || len(s.Problems) != 1 || !strings.Contains(s.Problems[0].Message, reason) {
				t.Errorf("source unreadable=%v problems=%v, want unreadable saying %q", s.Unreadable, s.Problems, reason)
			}

			code, _, stderr := runCLI(t, "analyze", "--format", "json", path)
			if code != exitUsage {
				t.Errorf("exit code %d, want %d", code, exitUsage)
			}
			if !strings.Contains(stderr, reason) {
				t.Errorf("stderr %q does not say %q", stderr, reason)
			}
		})
	}
}

// Compressed captures are read through ingest's decompression: the kind is
// still sniffed from the content, and every frame is read.
func TestAnalyzeCompressedCapture(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "testdata", "corpus", "pcap", "eapon1.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(raw)
	zw.Close()
	path := filepath.Join(t.TempDir(), "capture.bin") // no telling extension
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	res := analysis.Run(analysis.Options{Paths: []string{path}, Config: detect.Defaults()})
	s := res.Timeline.Sources[0]
	if s.Kind != "pcap" || s.Compression != "gzip" || s.Records != 114 || s.Unreadable {
		t.Errorf("source = kind %q compression %q records %d unreadable %v, want pcap, gzip, 114, readable", s.Kind, s.Compression, s.Records, s.Unreadable)
	}
}
