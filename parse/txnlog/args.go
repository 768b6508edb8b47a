package txnlog

import "bytes"

// ovsdbapp prints a command as BaseCommand.__str__ does:
//
//	Class(key=str(value), key=str(value), ...)
//
// The values are Python str()s: bare text at the top level (a name, a
// number, True), reprs inside containers (nested dicts, lists, tuples,
// quoted strings with escapes and u''/b'' prefixes). Commas, '=' and
// brackets occur inside values, so the arguments are split on ", " only at
// bracket depth 0 and outside quotes, and only where the text after the
// comma starts a new "identifier=" (a bare top-level value such as a
// description may itself contain ", ").

// Span is a half-open byte range [Start, End) of the text split.
type Span struct{ Start, End int32 }

// Of returns the bytes of sp in b.
func (sp Span) Of(b []byte) []byte { return b[sp.Start:sp.End] }

// Arg is one top-level argument. A positional argument (no "identifier=")
// has an empty Key span.
type Arg struct {
	Key, Value Span
}

// Ref is a quoted dict entry found anywhere inside the arguments whose key
// is one of the reference keys (see refKeys): an identifier a command
// carries in external_ids or a similar column.
type Ref struct {
	Key, Value Span // both without their quotes
}

// splitter holds the reusable results of one split, so splitting a line
// allocates nothing once the slices have grown.
type splitter struct {
	Args []Arg
	Refs []Ref
	ids  []int8 // scratch for collectEntities: each argument's key id
}

// Split splits args (the text between a command's parentheses) into its
// top-level arguments and collects the reference entries inside them.
// Offsets are relative to args. It never fails: when brackets or quotes are
// still open at the end (a cut line, a bare value with a stray bracket or
// apostrophe) it splits again, flat: ignoring brackets and quotes, at every
// ", identifier=". That keeps the naming arguments of a damaged line.
func (s *splitter) Split(args []byte) {
	s.Args, s.Refs = s.Args[:0], s.Refs[:0]
	if len(args) == 0 {
		return
	}
	if !s.split(args) {
		s.Args = s.Args[:0]
		s.splitFlat(args)
	}
}

// Byte classes of the splitter: everything else is ordinary text and is
// skipped by a tight loop.
const (
	clsOrdinary = iota
	clsQuote
	clsOpen
	clsClose
	clsColon
	clsComma
	clsEquals
)

var splitClass = func() (t [256]uint8) {
	t['\''], t['"'] = clsQuote, clsQuote
	t['('], t['['], t['{'] = clsOpen, clsOpen, clsOpen
	t[')'], t[']'], t['}'] = clsClose, clsClose, clsClose
	t[':'], t[','], t['='] = clsColon, clsComma, clsEquals
	return t
}()

// split walks args once, tracking bracket depth and Python strings. It
// returns false when a bracket or a string was still open at the end.
func (s *splitter) split(b []byte) bool {
	var (
		depth    int
		start    int  // start of the current argument
		tok      int  // start of the current token (where a quote may open a string)
		lastStr  Span // the last quoted string closed at depth >= 1
		lastEnd  = -1 // index just past it
		keyStr   Span // a reference key waiting for its value
		keyDepth int
		wantVal  bool // "'refkey': " seen at keyDepth
	)
	n := len(b)
	for i := 0; i < n; i++ {
		cls := splitClass[b[i]]
		for cls == clsOrdinary {
			i++
			if i == n {
				s.finish(b, start, n)
				return depth == 0
			}
			cls = splitClass[b[i]]
		}
		switch cls {
		case clsQuote:
			if !atToken(b, tok, i) {
				continue
			}
			j := closeQuote(b, i+1, b[i])
			if j < 0 {
				s.finish(b, start, n)
				return false
			}
			if depth >= 1 {
				str := Span{int32(i + 1), int32(j)}
				if wantVal && depth == keyDepth {
					s.Refs = append(s.Refs, Ref{Key: keyStr, Value: str})
				}
				lastStr, lastEnd = str, j+1
			}
			wantVal = false
			i = j
			tok = j + 1
		case clsOpen:
			depth++
			tok = i + 1
			wantVal = false
		case clsClose:
			if depth > 0 {
				depth--
			}
			tok = i + 1
			wantVal = false
		case clsColon:
			// "'key': value" inside a dict: remember reference keys.
			if depth >= 1 && lastEnd == i && isRefKey(lastStr.Of(b)) {
				keyStr, keyDepth, wantVal = lastStr, depth, true
			}
			if i+1 < n && b[i+1] == ' ' {
				i++
			}
			tok = i + 1
		case clsComma:
			wantVal = false
			if i+1 < n && b[i+1] == ' ' {
				if depth == 0 && identEq(b, i+2) {
					s.finish(b, start, i)
					start = i + 2
				}
				i++
			}
			tok = i + 1
		case clsEquals:
			tok = i + 1
		}
	}
	s.finish(b, start, n)
	return depth == 0
}

// splitFlat splits at every ", identifier=" whatever the brackets say.
func (s *splitter) splitFlat(b []byte) {
	start := 0
	for i := 0; i+1 < len(b); i++ {
		if b[i] == ',' && b[i+1] == ' ' && identEq(b, i+2) {
			s.finish(b, start, i)
			start = i + 2
			i++
		}
	}
	s.finish(b, start, len(b))
}

// finish records the argument b[start:end].
func (s *splitter) finish(b []byte, start, end int) {
	if start >= end {
		return
	}
	a := Arg{Value: Span{int32(start), int32(end)}}
	if k := identEqLen(b, start); k > 0 {
		a.Key = Span{int32(start), int32(start + k)}
		a.Value.Start = int32(start + k + 1)
	}
	s.Args = append(s.Args, a)
}

// atToken reports whether a quote at i opens a Python string: it stands at
// the start of a token, possibly after a string prefix (u”, b”, r”, rb”).
// A quote inside a bare word (O'Brien) is just a character.
func atToken(b []byte, tok, i int) bool {
	if i == tok {
		return true
	}
	if i-tok > 2 || tok > i {
		return false
	}
	for _, c := range b[tok:i] {
		switch c {
		case 'u', 'U', 'b', 'B', 'r', 'R':
		default:
			return false
		}
	}
	return true
}

// closeQuote finds the quote q that ends a string whose text starts at i,
// honouring backslash escapes; -1 when the text ends first. Most strings
// in a repr are short, so the first bytes are looked at directly.
func closeQuote(b []byte, i int, q byte) int {
	for end := min(len(b), i+24); i < end; i++ {
		switch b[i] {
		case q:
			return i
		case '\\':
			i++
		}
	}
	for i < len(b) {
		j := bytes.IndexByte(b[i:], q)
		if j < 0 {
			return -1
		}
		j += i
		// The quote is escaped when an odd number of backslashes precede it.
		k := j
		for k > i && b[k-1] == '\\' {
			k--
		}
		if (j-k)%2 == 0 {
			return j
		}
		i = j + 1
	}
	return -1
}

// identEq reports whether b[i:] starts with "identifier=".
func identEq(b []byte, i int) bool { return identEqLen(b, i) > 0 }

// identEqLen returns the length of the identifier when b[i:] starts with
// "identifier=", else 0.
func identEqLen(b []byte, i int) int {
	j := i
	for j < len(b) && isIdent(b[j], j == i) {
		j++
	}
	if j == i || j >= len(b) || b[j] != '=' {
		return 0
	}
	return j - i
}

func isIdent(c byte, first bool) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || !first && '0' <= c && c <= '9'
}
