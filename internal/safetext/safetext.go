// Package safetext makes artifact text (log lines, packet payloads, file
// names) safe to put on a terminal: nothing in it can become an escape
// sequence, move the cursor, or reorder text. HTML output relies on
// html/template's escaping instead.
package safetext

import (
	"strings"
	"unicode/utf8"
)

// Terminal returns s with every control character, escape sequence
// introducer, bidirectional override and invalid UTF-8 byte replaced by a
// visible, inert spelling: ESC becomes "\x1b", U+202E becomes "\u202e". Tabs
// become a space. Strings that need no change are returned as they are.
func Terminal(s string) string {
	if clean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			writeHex(&b, `\x`, uint32(s[i]), 2)
		case r == '\t':
			b.WriteByte(' ')
		case unsafe(r):
			if r < 0x100 {
				writeHex(&b, `\x`, uint32(r), 2)
			} else {
				writeHex(&b, `\u`, uint32(r), 4)
			}
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// clean is the fast path: printable ASCII only.
func clean(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// unsafe reports runes a terminal may act on: C0 and C1 controls, DEL, and
// the bidirectional embedding, override and isolate controls.
func unsafe(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069, r == 0x200e, r == 0x200f, r == 0x061c:
		return true
	}
	return false
}

func writeHex(b *strings.Builder, prefix string, v uint32, width int) {
	const digits = "0123456789abcdef"
	b.WriteString(prefix)
	for i := width - 1; i >= 0; i-- {
		b.WriteByte(digits[(v>>(4*uint(i)))&0xf])
	}
}

// Lines is Terminal applied to each line of s: the line breaks of a
// multi-line text (an error list, a finding's body) stay, everything else
// is made inert as Terminal does.
func Lines(s string) string {
	if clean(strings.ReplaceAll(s, "\n", " ")) {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = Terminal(l)
	}
	return strings.Join(lines, "\n")
}
