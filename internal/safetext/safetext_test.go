package safetext

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestTerminal(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text", "plain text"},
		{"red \x1b[31mALERT\x1b[0m", `red \x1b[31mALERT\x1b[0m`},
		{"title \x1b]0;pwned\x07", `title \x1b]0;pwned\x07`},
		{"tab\there", "tab here"},
		{"cr\rlf\n", `cr\x0dlf\x0a`},
		{"c1 \u009b31m", `c1 \x9b31m`},
		{"bidi \u202egnp.exe", `bidi \u202egnp.exe`},
		{"bad \xff utf8", `bad \xff utf8`},
		{"ünïcode ok", "ünïcode ok"},
		{"del\x7f", `del\x7f`},
	}
	for _, tt := range tests {
		if got := Terminal(tt.in); got != tt.want {
			t.Errorf("Terminal(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzTerminal(f *testing.F) {
	f.Add("\x1b[2J\x1b[H")
	f.Add("\u202e\xff\x00")
	f.Fuzz(func(t *testing.T, s string) {
		out := Terminal(s)
		for _, r := range out {
			if unsafe(r) || r == '\t' {
				t.Fatalf("Terminal(%q) kept %U", s, r)
			}
		}
	})
}

func TestJSONEscapesWhatTerminalsActOn(t *testing.T) {
	var b strings.Builder
	w := JSON(&b)
	doc := "{\"name\":\"evil\u202eport\u0085\x7f é\"}"
	// Written a byte at a time, so every sequence is split across writes.
	for i := 0; i < len(doc); i++ {
		w.Write([]byte{doc[i]})
	}
	want := `{"name":"evil\u202eport\u0085\u007f é"}`
	if b.String() != want {
		t.Errorf("got %s, want %s", b.String(), want)
	}
	var v map[string]string
	if err := json.Unmarshal([]byte(b.String()), &v); err != nil || v["name"] != "evil\u202eport\u0085\x7f é" {
		t.Errorf("does not decode to the same value: %q %v", v["name"], err)
	}
}
