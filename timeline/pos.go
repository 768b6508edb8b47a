package timeline

import "strconv"

// Pos locates a record inside its source: a capture frame, a text line, or a
// byte offset in the decompressed stream. Zero fields are unknown; the most
// specific known one is what String prints.
type Pos struct {
	Frame  int64 // 1-based frame (packet record) number in a capture
	Line   int64 // 1-based line number in a text artifact
	Offset int64 // byte offset in the decompressed stream; 0 is "unknown" unless Frame and Line are too
}

// String gives the contract's position form: "frame 12", "line 40", "byte
// 1024", or "" for the zero Pos, which stands for the whole source.
func (p Pos) String() string {
	switch {
	case p == Pos{}:
		return ""
	case p.Frame > 0:
		return "frame " + strconv.FormatInt(p.Frame, 10)
	case p.Line > 0:
		return "line " + strconv.FormatInt(p.Line, 10)
	default:
		return "byte " + strconv.FormatInt(p.Offset, 10)
	}
}

// Span is where an event lies in its source: its first record and the last
// one folded into it (a usage run's frames, a run of unchanged listings), or
// a stretch a finding cites (a capture's frames 1–N). Last is in First's
// unit; a Last not past First (or zero) means one record.
type Span struct {
	First, Last Pos
}

// At is the span of the one record at p.
func At(p Pos) Span { return Span{First: p} }

// String gives the contract's evidence position: "frames 12–40" or "lines
// 3–9" for several records, else First's form ("frame 12", "line 40",
// "byte 1024", or "" for the whole source). Reports print spans only
// through it.
func (s Span) String() string {
	switch {
	case s.First.Frame > 0 && s.Last.Frame > s.First.Frame:
		return "frames " + strconv.FormatInt(s.First.Frame, 10) + "–" + strconv.FormatInt(s.Last.Frame, 10)
	case s.First.Line > 0 && s.Last.Line > s.First.Line:
		return "lines " + strconv.FormatInt(s.First.Line, 10) + "–" + strconv.FormatInt(s.Last.Line, 10)
	}
	return s.First.String()
}

// Less orders positions within one source.
func (p Pos) Less(q Pos) bool {
	if p.Frame != q.Frame {
		return p.Frame < q.Frame
	}
	if p.Line != q.Line {
		return p.Line < q.Line
	}
	return p.Offset < q.Offset
}
