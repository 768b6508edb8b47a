package parse

import (
	"slices"
	"testing"
)

func TestHeadLines(t *testing.T) {
	for _, c := range []struct {
		head  string
		lines []string
		rests []string
	}{
		{"", nil, nil},
		{"a\n", []string{"a"}, []string{""}},
		{"a\r\n\nb", []string{"a", "", "b"}, []string{"\nb", "b", ""}},
		{"a\nb\r", []string{"a", "b"}, []string{"b\r", ""}},
	} {
		var lines, rests []string
		for line, rest := range HeadLines([]byte(c.head)) {
			lines, rests = append(lines, string(line)), append(rests, string(rest))
		}
		if !slices.Equal(lines, c.lines) || !slices.Equal(rests, c.rests) {
			t.Errorf("HeadLines(%q) = %q, %q; want %q, %q", c.head, lines, rests, c.lines, c.rests)
		}
	}
	// A sniffer may stop early.
	n := 0
	for range HeadLines([]byte("a\nb\nc\n")) {
		if n++; n == 2 {
			break
		}
	}
	if n != 2 {
		t.Errorf("stopped after %d lines, want 2", n)
	}
}

func TestAnyHeadLine(t *testing.T) {
	head := []byte("a\nb\r\nc\n")
	is := func(want string) func([]byte) bool {
		return func(line []byte) bool { return string(line) == want }
	}
	if !AnyHeadLine(head, 2, is("b")) {
		t.Error("line 2 of 2 not found")
	}
	if AnyHeadLine(head, 2, is("c")) {
		t.Error("line 3 found among the first 2")
	}
}
