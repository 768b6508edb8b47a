package golden

import (
	"strings"
	"testing"
	"time"

	"github.com/arpforensics/arpforensics/timeline"
)

func TestDiff(t *testing.T) {
	long := strings.Repeat("x", 500)
	for _, c := range []struct{ name, want, got, says string }{
		{"equal", "a\nb\n", "a\nb\n", "(no line differs)"},
		{"changed line", "a\nb\nc\nd\ne\n", "a\nb\nc\nd\nE\n", "first difference at line 5:\n       b\n       c\n       d\n  want e\n  got  E\n"},
		{"got shorter", "a\nb\n", "a\n", "first difference at line 2:\n       a\n  want b\n  got  \n"},
		{"got longer", "a", "a\nb", "first difference at line 2:\n       a\n  want (end of text)\n  got  b\n"},
		{"long line cut around the change", long + "A" + long, long + "B" + long,
			"first difference at line 1:\n  want …" + long[:100] + "A" + long[:99] + "…\n  got  …" + long[:100] + "B" + long[:99] + "…\n"},
	} {
		if got := Diff(c.want, c.got); got != c.says {
			t.Errorf("%s: Diff says\n%s\nwant\n%s", c.name, got, c.says)
		}
	}
}

func TestCheck(t *testing.T) {
	path := t.TempDir() + "/sub/x.golden"
	*update = true
	Check(t, path, "one\ntwo\n")
	*update = false
	Check(t, path, "one\ntwo\n") // what -update wrote passes
	if Updating() {
		t.Error("Updating after the flag was cleared")
	}
}

func TestDump(t *testing.T) {
	at := time.Date(2018, 9, 18, 17, 9, 17, 500, time.UTC)
	src := &timeline.Source{Records: 3, Skipped: 1, Basis: timeline.TimeNoYear}
	src.Problemf(timeline.Pos{Line: 2}, "bad line")
	a := &timeline.ARP{Op: 1}
	evs := []timeline.Event{{Time: at, End: at.Add(time.Second), Pos: timeline.Pos{Frame: 1}, Data: a, Raw: "raw\ttext"}}
	head := "records 3 events 1 skipped 1"
	plain := Dump{}.Of(src, evs)
	if !strings.HasPrefix(plain, head+"\n") || !strings.Contains(plain, "line 2: bad line\n") ||
		!strings.Contains(plain, "\n2018-09-18T17:09:17.0000005Z frame 1\n  "+a.Summary()+"\n") {
		t.Errorf("plain dump:\n%s", plain)
	}
	for _, f := range a.Fields() {
		if !strings.Contains(plain, "  "+f.Name+" = "+f.Value+"\n") {
			t.Errorf("field %s missing:\n%s", f.Name, plain)
		}
	}
	full := Dump{Basis: true, End: true, Raw: true}.Of(src, evs)
	for _, want := range []string{head + " basis 1\n", "17:09:17.0000005Z – 2018-09-18T17:09:18.0000005Z frame 1\n", `  raw = "raw\ttext"` + "\n"} {
		if !strings.Contains(full, want) {
			t.Errorf("full dump lacks %q:\n%s", want, full)
		}
	}
}
