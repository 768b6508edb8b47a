package ovsdb

import (
	"bytes"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// A small pull scanner over one record's JSON. Database records are mostly
// tables nobody asks about (a Southbound history is Logical_Flow rows above
// all): those are skipped by bracket counting without building values, and
// only the rows of the tables that matter are decoded.

type scanner struct {
	b   []byte
	i   int
	err error
}

func (s *scanner) fail(format string, args ...any) {
	if s.err == nil {
		s.err = fmt.Errorf("JSON at byte %d of the record: %s", s.i, fmt.Sprintf(format, args...))
	}
	s.i = len(s.b)
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// peek is the next non-space byte, or 0 at the end.
func (s *scanner) peek() byte {
	s.ws()
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

func (s *scanner) expect(c byte) bool {
	if s.peek() != c {
		if s.i < len(s.b) {
			s.fail("want %q, have %q", c, s.b[s.i])
		} else {
			s.fail("want %q, have the end", c)
		}
		return false
	}
	s.i++
	return true
}

// more is for loops over object members and array elements: after the
// opening bracket it reports whether another element follows, consuming
// the comma between elements and the closing bracket at the end.
func (s *scanner) more(close byte, first *bool) bool {
	c := s.peek()
	if c == close {
		s.i++
		return false
	}
	if !*first {
		if c != ',' {
			s.fail("want ',' or %q", close)
			return false
		}
		s.i++
	}
	*first = false
	return s.err == nil
}

// str reads a string. Strings without escapes are returned as a view of the
// record (valid until the next record); others are unescaped into a copy.
func (s *scanner) str() []byte {
	if !s.expect('"') {
		return nil
	}
	start := s.i
	for s.i < len(s.b) {
		c := s.b[s.i]
		if c == '"' {
			out := s.b[start:s.i]
			s.i++
			return out
		}
		if c == '\\' {
			return s.strEscaped(start)
		}
		s.i++
	}
	s.fail("unterminated string")
	return nil
}

func (s *scanner) strEscaped(start int) []byte {
	out := append([]byte(nil), s.b[start:s.i]...)
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			return out
		case c != '\\':
			out = append(out, c)
			s.i++
			continue
		}
		if s.i+1 >= len(s.b) {
			break
		}
		e := s.b[s.i+1]
		s.i += 2
		switch e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := s.hex4()
			if !ok {
				s.fail("bad \\u escape")
				return nil
			}
			if r >= 0xd800 && r < 0xdc00 && s.i+6 <= len(s.b) && s.b[s.i] == '\\' && s.b[s.i+1] == 'u' {
				s.i += 2
				r2, ok := s.hex4()
				if ok && r2 >= 0xdc00 && r2 < 0xe000 {
					r = (r-0xd800)<<10 + (r2 - 0xdc00) + 0x10000
				} else {
					r = utf8.RuneError
				}
			}
			out = utf8.AppendRune(out, r)
		default:
			s.fail("bad escape \\%c", e)
			return nil
		}
	}
	s.fail("unterminated string")
	return nil
}

func (s *scanner) hex4() (rune, bool) {
	if s.i+4 > len(s.b) {
		return 0, false
	}
	v, err := strconv.ParseUint(string(s.b[s.i:s.i+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	s.i += 4
	return rune(v), true
}

// structural marks the bytes skip stops at inside containers.
var structural = [256]bool{'"': true, '{': true, '}': true, '[': true, ']': true}

// skip passes over one value of any type without decoding it.
func (s *scanner) skip() {
	switch c := s.peek(); c {
	case '"':
		s.skipString()
	case '{', '[':
		depth := 0
		b := s.b
		for i := s.i; i < len(b); i++ {
			if !structural[b[i]] {
				continue
			}
			switch b[i] {
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					s.i = i + 1
					return
				}
			case '"':
				s.i = i
				s.skipString()
				if s.err != nil {
					return
				}
				i = s.i - 1
			}
		}
		s.i = len(b)
		s.fail("unterminated %q", c)
	case 0:
		s.fail("value expected, have the end")
	default:
		s.scalar()
	}
}

// raw passes over one value and returns its text, with any space before it.
func (s *scanner) raw() []byte {
	st := s.i
	s.skip()
	return s.b[st:s.i]
}

// rawUnlessNull is raw, but nil for null.
func (s *scanner) rawUnlessNull() []byte {
	if s.peek() == 'n' {
		s.scalar()
		return nil
	}
	return s.raw()
}

// skipString passes over a string, finding its closing quote by a fast
// search and counting the backslashes before a candidate.
func (s *scanner) skipString() {
	i := s.i + 1 // past the opening quote
	for {
		j := bytes.IndexByte(s.b[i:], '"')
		if j < 0 {
			s.i = len(s.b)
			s.fail("unterminated string")
			return
		}
		k := i + j
		bs := 0
		for m := k - 1; m > s.i && s.b[m] == '\\'; m-- {
			bs++
		}
		i = k + 1
		if bs%2 == 0 {
			s.i = i
			return
		}
	}
}

// scalar reads a number, true, false or null as its text.
func (s *scanner) scalar() []byte {
	s.ws()
	start := s.i
	for s.i < len(s.b) {
		c := s.b[s.i]
		if c == ',' || c == '}' || c == ']' || c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == ':' {
			break
		}
		s.i++
	}
	if s.i == start {
		s.fail("value expected")
		return nil
	}
	out := s.b[start:s.i]
	switch string(out) {
	case "true", "false", "null":
		return out
	}
	if _, err := strconv.ParseFloat(string(out), 64); err != nil {
		s.fail("bad value %q", out)
		return nil
	}
	return out
}

// atom reads an OVSDB atom: a string, number or boolean, or ["uuid", u] /
// ["named-uuid", u] (given as the bare uuid).
func (s *scanner) atom() string {
	switch s.peek() {
	case '"':
		return string(s.str())
	case '[':
		s.i++
		tag := s.str()
		if !s.expect(',') {
			return ""
		}
		v := s.str()
		s.expect(']')
		if string(tag) != "uuid" && string(tag) != "named-uuid" {
			s.fail("unknown atom type %q", tag)
		}
		return string(v)
	default:
		return string(s.scalar())
	}
}

// datum reads an OVSDB value: an atom, ["set", [atoms]] or ["map", [[k, v],
// …]]. Map entries come back as keys and values side by side.
func (s *scanner) datum() (d datum) {
	if s.peek() != '[' {
		d.keys = []string{s.atom()}
		return d
	}
	// Peek at the tag without consuming: ["uuid", …] is an atom.
	save := s.i
	s.i++
	tag := string(s.str())
	switch tag {
	case "uuid", "named-uuid":
		s.i = save
		d.keys = []string{s.atom()}
		return d
	case "set":
		s.expect(',')
		s.expect('[')
		first := true
		for s.more(']', &first) {
			d.keys = append(d.keys, s.atom())
		}
	case "map":
		d.isMap = true
		s.expect(',')
		s.expect('[')
		first := true
		for s.more(']', &first) {
			s.expect('[')
			d.keys = append(d.keys, s.atom())
			s.expect(',')
			d.vals = append(d.vals, s.atom())
			s.expect(']')
		}
	default:
		s.fail("unknown value type %q", tag)
	}
	s.expect(']')
	return d
}

// datum is a column's value: keys (the elements of a set, the atom of a
// scalar) and, for maps, the values beside them.
type datum struct {
	keys, vals []string
	isMap      bool
}

// find is the index of key k, or -1.
func (d *datum) find(k string) int {
	for i, x := range d.keys {
		if x == k {
			return i
		}
	}
	return -1
}

// applyDiff applies a column diff as ovsdb-server writes them for composite
// columns (ovsdb(5) files with "_is_diff": true; OVS lib/ovsdb-data.c
// ovsdb_datum_apply_diff): each key of the diff is added when absent,
// removed when present (with an equal value, for maps), and for maps its
// value replaced when present with another value.
func (d *datum) applyDiff(diff datum) {
	for i, k := range diff.keys {
		j := d.find(k)
		switch {
		case j < 0:
			d.keys = append(d.keys, k)
			if diff.isMap {
				d.vals = append(d.vals, diff.vals[i])
			}
		case diff.isMap && d.vals[j] != diff.vals[i]:
			d.vals[j] = diff.vals[i]
		default:
			d.keys = append(d.keys[:j], d.keys[j+1:]...)
			if diff.isMap {
				d.vals = append(d.vals[:j], d.vals[j+1:]...)
			}
		}
	}
	d.isMap = d.isMap || diff.isMap
}

// strings renders the datum for a payload: set elements, or "key=value".
func (d *datum) strings() []string {
	if len(d.keys) == 0 {
		return nil
	}
	if !d.isMap {
		return append([]string(nil), d.keys...)
	}
	out := make([]string, len(d.keys))
	for i := range d.keys {
		out[i] = d.keys[i] + "=" + d.vals[i]
	}
	return out
}

func (d *datum) clone() datum {
	return datum{keys: append([]string(nil), d.keys...), vals: append([]string(nil), d.vals...), isMap: d.isMap}
}

func (d *datum) equal(o *datum) bool {
	if len(d.keys) != len(o.keys) {
		return false
	}
	for i, k := range d.keys {
		j := o.find(k)
		if j < 0 || d.isMap && (j >= len(o.vals) || o.vals[j] != d.vals[i]) {
			return false
		}
	}
	return true
}
