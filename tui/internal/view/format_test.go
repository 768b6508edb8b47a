package view

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestClip(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly", 7, "exactly"},
		{"truncated", 5, "trunc…"},
		{"ééé", 3, "é…"}, // never inside a character
		{"", 0, ""},
	} {
		if got := clip(tc.in, tc.n); got != tc.want || !utf8.ValidString(got) {
			t.Errorf("clip(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
	if got := clip(strings.Repeat("x", 1<<20), maxSummary); len(got) != maxSummary+len("…") {
		t.Errorf("a megabyte summary clipped to %d bytes", len(got))
	}
}

func TestFormatDelta(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                                           "+0.000000",
		1500 * time.Microsecond:                     "+0.001500",
		-4999914 * time.Microsecond:                 "-4.999914",
		59*time.Second + 999*time.Millisecond:       "+59.999000",
		61*time.Second + 500*time.Millisecond:       "+1m01.500",
		-(12*time.Minute + 3*time.Second):           "-12m03.000",
		2*time.Hour + 3*time.Minute + 4*time.Second: "+2h03m04s",
	} {
		if got := formatDelta(d); got != want {
			t.Errorf("formatDelta(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestHexDump(t *testing.T) {
	b := []byte("\xff\xff\xff\xff\xff\xff\xfa\x16\x3e\x22\x22\x22\x08\x06\x00\x01ARP!")
	got := strings.Join(hexDump(b), "\n")
	want := "0000  ff ff ff ff ff ff fa 16  3e 22 22 22 08 06 00 01  |......\x2e.>\"\"\"....|\n" +
		"0010  41 52 50 21                                       |ARP!|"
	want = strings.Replace(want, "\x2e", ".", 1)
	if got != want {
		t.Errorf("hexDump:\n%s\nwant:\n%s", got, want)
	}
	if hexDump(nil) != nil {
		t.Error("hexDump(nil)")
	}
}
