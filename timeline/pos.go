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
