package parse

import (
	"bytes"
	"iter"
)

// HeadLines yields the lines of head, a file's first bytes as a sniffer
// gets them, each as its parser will read it (without "\n" or "\r\n"), and
// the part of head after it. The head may end inside its last line: then
// head has no final newline, and that line comes with an empty rest.
// Sniffers keep their own counts and limits; only the walk is shared.
func HeadLines(head []byte) iter.Seq2[[]byte, []byte] {
	return func(yield func(line, rest []byte) bool) {
		for len(head) > 0 {
			line := head
			if i := bytes.IndexByte(head, '\n'); i >= 0 {
				line, head = head[:i], head[i+1:]
			} else {
				head = nil
			}
			if !yield(bytes.TrimSuffix(line, []byte{'\r'}), head) {
				return
			}
		}
	}
}

// AnyHeadLine reports whether match accepts one of head's first max lines,
// as HeadLines yields them: the sniff of a format one telling line shows.
func AnyHeadLine(head []byte, max int, match func(line []byte) bool) bool {
	n := 0
	for line := range HeadLines(head) {
		if n++; n > max {
			break
		}
		if match(line) {
			return true
		}
	}
	return false
}
