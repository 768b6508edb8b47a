package safetext

import (
	"io"
	"unicode/utf8"
)

// JSON wraps a writer of JSON so that the characters Terminal makes inert
// and encoding/json leaves as they are (DEL, C1 controls, bidirectional
// overrides and isolates: a U+202E in a port name reorders what `cat`
// shows) are written as \u escapes instead. The document decodes to the
// same values; only its bytes change. Such characters can only occur
// inside strings, so escaping them byte-wise is safe.
func JSON(w io.Writer) io.Writer { return &jsonWriter{w: w} }

type jsonWriter struct {
	w     io.Writer
	carry [utf8.UTFMax]byte // an incomplete sequence at the end of the last Write
	nc    int
	buf   []byte
}

func (j *jsonWriter) Write(p []byte) (int, error) {
	in := p
	if j.nc > 0 {
		in = append(append(j.buf[:0:0], j.carry[:j.nc]...), p...)
		j.nc = 0
	}
	out := j.buf[:0]
	start := 0
	for i := 0; i < len(in); {
		c := in[i]
		if c < utf8.RuneSelf {
			if c == 0x7f {
				out = append(out, in[start:i]...)
				out = append(out, `\u007f`...)
				start = i + 1
			}
			i++
			continue
		}
		if !utf8.FullRune(in[i:]) {
			out = append(out, in[start:i]...)
			j.nc = copy(j.carry[:], in[i:])
			start = len(in)
			break
		}
		r, n := utf8.DecodeRune(in[i:])
		if r != utf8.RuneError && unsafe(r) {
			out = append(out, in[start:i]...)
			out = appendU(out, r)
			start = i + n
		}
		i += n
	}
	out = append(out, in[start:]...)
	j.buf = out[:0]
	if _, err := j.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}

func appendU(b []byte, r rune) []byte {
	const digits = "0123456789abcdef"
	return append(b, '\\', 'u', digits[r>>12&0xf], digits[r>>8&0xf], digits[r>>4&0xf], digits[r&0xf])
}
