package timeline

import "testing"

// Span.String is the one form reports print evidence positions in.
func TestSpanString(t *testing.T) {
	for _, c := range []struct {
		s    Span
		want string
	}{
		{Span{}, ""},
		{At(Pos{Frame: 12}), "frame 12"},
		{Span{First: Pos{Frame: 12}, Last: Pos{Frame: 12}}, "frame 12"},
		{Span{First: Pos{Frame: 12}, Last: Pos{Frame: 40}}, "frames 12–40"},
		{Span{First: Pos{Line: 3}, Last: Pos{Line: 9}}, "lines 3–9"},
		{Span{First: Pos{Line: 40}, Last: Pos{Line: 2}}, "line 40"},
		{At(Pos{Offset: 1024}), "byte 1024"},
	} {
		if got := c.s.String(); got != c.want {
			t.Errorf("%+v: %q, want %q", c.s, got, c.want)
		}
	}
	r := Record{Pos: Pos{Frame: 5, Offset: 99}, Last: 8}
	if got := r.Span().String(); got != "frames 5–8" {
		t.Errorf("a record folding frames 5 to 8 spans %q", got)
	}
}
