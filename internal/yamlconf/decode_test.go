package yamlconf

import (
	"errors"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// parse reads text that must be valid YAML.
func parse(t *testing.T, text string) *Doc {
	t.Helper()
	d, err := Parse("c.yaml", []byte(text))
	if err != nil {
		t.Fatalf("%q: %v", text, err)
	}
	return d
}

// errs lists a document's errors as "line:col: message".
func errs(d *Doc) []string {
	var out []string
	for _, e := range d.Errs {
		out = append(out, strings.TrimPrefix(e.Error(), d.File+":"))
	}
	return out
}

func TestErrorText(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{&Error{File: "c.yaml", Line: 3, Col: 5, Msg: "bad"}, "c.yaml:3:5: bad"},
		{&Error{File: "c.yaml", Msg: "no position"}, "c.yaml: no position"},
		{ErrorList{}, "no errors"},
		{ErrorList{{File: "a", Line: 1, Col: 2, Msg: "x"}}, "a:1:2: x"},
		{ErrorList{{File: "a", Line: 1, Col: 2, Msg: "x"}, {File: "a", Line: 4, Col: 1, Msg: "y"}}, "a:1:2: x\na:4:1: y"},
	} {
		if got := c.err.Error(); got != c.want {
			t.Errorf("%#v: %q, want %q", c.err, got, c.want)
		}
	}
}

// Err is a nil error for no errors (not an empty list in an interface, which
// would read as a failure), and the list itself otherwise.
func TestErrorListErr(t *testing.T) {
	if err := (ErrorList{}).Err(); err != nil {
		t.Errorf("empty list: %v", err)
	}
	if err := (&Doc{}).Err(); err != nil {
		t.Errorf("document without errors: %v", err)
	}
	d := parse(t, "a: 1\nb: 2\n")
	d.Errorf(d.Root.Content[1], "first")
	d.Errorf(nil, "second, nowhere")
	var list ErrorList
	if err := d.Err(); !errors.As(err, &list) || len(list) != 2 {
		t.Fatalf("Err = %v, want the list of two", err)
	}
	if list[0].Line != 1 || list[0].Col != 4 || list[1].Line != 0 {
		t.Errorf("positions: %v", list)
	}
	if got := d.Err().Error(); got != "c.yaml:1:4: first\nc.yaml: second, nowhere" {
		t.Errorf("text: %q", got)
	}
}

func TestParse(t *testing.T) {
	for _, text := range []string{"", "# only a comment\n", "\n\n"} {
		if d := parse(t, text); d.Root != nil || d.Err() != nil {
			t.Errorf("%q: root %v, errors %v", text, d.Root, d.Err())
		}
	}
	d := parse(t, "a: 1\n")
	if d.File != "c.yaml" || d.Root == nil || d.Root.Kind != yaml.MappingNode {
		t.Errorf("root: %+v", d.Root)
	}
	// Errors the parser gives with a line keep it; those without carry the
	// file alone.
	for _, c := range []struct{ text, want string }{
		{"- a\n- b\nc: d\n", "c.yaml:3:1: did not find expected '-' indicator"},
		{"a:\n  b: 1\n   c: 2\n", "c.yaml:3:4: mapping values are not allowed in this context"},
		{"a: *nowhere\n", "c.yaml: unknown anchor 'nowhere' referenced"},
	} {
		_, err := Parse("c.yaml", []byte(c.text))
		if err == nil || err.Error() != c.want {
			t.Errorf("%q: %v, want %s", c.text, err, c.want)
		}
	}
}

// mapping reads the document's top node with Map.
func mapping(d *Doc, known ...string) (map[string]*yaml.Node, []string) {
	return d.Map(d.Root, "top", known...)
}

func TestMap(t *testing.T) {
	for _, c := range []struct {
		name, text string
		known      []string
		keys       []string // in file order
		errs       []string
	}{
		{"known keys in file order", "b: 1\na: 2\n", []string{"a", "b"}, []string{"b", "a"}, nil},
		{"any key when none are named", "x: 1\ny: 2\n", nil, []string{"x", "y"}, nil},
		{"unknown key at its position", "a: 1\nbogus: 2\n", []string{"a", "b"}, []string{"a"},
			[]string{`2:1: unknown key "bogus" in top (want a, b)`}},
		{"duplicate key: the first stands", "a: 1\nb: 2\n  # comment\na: 3\n", []string{"a", "b"}, []string{"a", "b"},
			[]string{`4:1: top: key "a" given twice`}},
		{"a list is not a mapping", "- a\n- b\n", nil, nil, []string{"1:1: top: want a mapping, got a list"}},
		{"a scalar is not a mapping", "just text\n", nil, nil, []string{`1:1: top: want a mapping, got "just text"`}},
		{"every error in one pass", "z: 1\na: 1\na: 2\ny: 3\n", []string{"a"}, []string{"a"},
			[]string{`1:1: unknown key "z" in top (want a)`, `3:1: top: key "a" given twice`, `4:1: unknown key "y" in top (want a)`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := parse(t, c.text)
			m, order := mapping(d, c.known...)
			if strings.Join(order, ",") != strings.Join(c.keys, ",") || len(m) != len(c.keys) {
				t.Errorf("keys %v (%d in the map), want %v", order, len(m), c.keys)
			}
			if got := errs(d); strings.Join(got, "\n") != strings.Join(c.errs, "\n") {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.errs, "\n"))
			}
		})
	}
	// The first of repeated keys keeps its value.
	d := parse(t, "a: first\na: second\n")
	if m, _ := mapping(d); m["a"].Value != "first" {
		t.Errorf("a = %q, want the first", m["a"].Value)
	}
	// An absent section is an empty mapping, not an error (the one error
	// is the repeated key above).
	if m, order := d.Map(nil, "absent", "a"); len(m) != 0 || order != nil || len(d.Errs) != 1 {
		t.Errorf("nil node: %v %v %v", m, order, d.Errs)
	}
}

// TestScalars reads each value of a one-key mapping through one reader;
// wrong types are errors at the value's position, and a reader returns its
// zero value for them.
func TestScalars(t *testing.T) {
	prague, err := time.LoadLocation("Europe/Prague")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	type reader func(d *Doc, n *yaml.Node) any
	str := func(d *Doc, n *yaml.Node) any { return d.String(n, "v") }
	strs := func(d *Doc, n *yaml.Node) any { return strings.Join(d.Strings(n, "v"), "|") }
	integer := func(d *Doc, n *yaml.Node) any { return d.Int(n, "v") }
	boolean := func(d *Doc, n *yaml.Node) any { return d.Bool(n, "v") }
	dur := func(d *Doc, n *yaml.Node) any { return d.Duration(n, "v") }
	loc := func(d *Doc, n *yaml.Node) any {
		if l := d.Location(n, "v"); l != nil {
			return l.String()
		}
		return "<nil>"
	}
	for _, c := range []struct {
		name string
		read reader
		text string
		want any
		err  string
	}{
		{"string", str, "v: hello\n", "hello", ""},
		{"quoted string", str, "v: \"15\"\n", "15", ""},
		{"string from a list", str, "v: [a, b]\n", "", "1:4: v: want a string, got a list"},
		{"string from a mapping", str, "v:\n  x: 1\n", "", "2:3: v: want a string, got a mapping"},
		{"string from an alias", str, "a: &x 1\nv: *x\n", "", "2:4: v: want a string, got an alias"},
		{"strings from one", strs, "v: one\n", "one", ""},
		{"strings from a block list", strs, "v:\n  - one\n  - two\n", "one|two", ""},
		{"strings from a flow list", strs, "v: [one, two]\n", "one|two", ""},
		{"strings: a mapping inside", strs, "v:\n  - one\n  - {x: 1}\n", "one|", "3:5: v: want a string, got a mapping"},
		{"strings from a mapping", strs, "v: {x: 1}\n", "", "1:4: v: want a list of strings, got a mapping"},
		{"int", integer, "v: 42\n", 42, ""},
		{"negative int", integer, "v: -7\n", -7, ""},
		{"int from a fraction", integer, "v: 1.5\n", 0, `1:4: v: want a whole number, got "1.5"`},
		{"int from a list: one error", integer, "v: [1]\n", 0, "1:4: v: want a string, got a list"},
		{"bool true", boolean, "v: true\n", true, ""},
		{"bool yes", boolean, "v: yes\n", true, ""},
		{"bool on", boolean, "v: on\n", true, ""},
		{"bool off", boolean, "v: off\n", false, ""},
		{"bool no", boolean, "v: no\n", false, ""},
		{"bool from a word", boolean, "v: maybe\n", false, `1:4: v: want true or false, got "maybe"`},
		{"bool from a mapping: one error", boolean, "v: {a: 1}\n", false, "1:4: v: want a string, got a mapping"},
		{"duration", dur, "v: 15s\n", 15 * time.Second, ""},
		{"fractional duration", dur, "v: 1.5s\n", 1500 * time.Millisecond, ""},
		{"negative duration", dur, "v: -300ms\n", -300 * time.Millisecond, ""},
		{"signed duration", dur, "v: +2.5s\n", 2500 * time.Millisecond, ""},
		{"bare seconds", dur, "v: 2\n", 2 * time.Second, ""},
		{"bad duration", dur, "v: soon\n", time.Duration(0), `1:4: v: want a duration like 1.5s, 300ms or -2s, got "soon"`},
		{"duration from a list: one error", dur, "v: [1s]\n", time.Duration(0), "1:4: v: want a string, got a list"},
		{"UTC", loc, "v: UTC\n", "UTC", ""},
		{"zone name", loc, "v: Europe/Prague\n", prague.String(), ""},
		{"unknown zone", loc, "v: Mars/Olympus\n", "<nil>", `1:4: v: unknown time zone "Mars/Olympus"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := parse(t, c.text)
			m, _ := mapping(d)
			if got := c.read(d, m["v"]); got != c.want {
				t.Errorf("read %v (%T), want %v (%T)", got, got, c.want, c.want)
			}
			if got := strings.Join(errs(d), "\n"); got != c.err {
				t.Errorf("errors %q, want %q", got, c.err)
			}
		})
	}
}

func TestParseDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"15s": 15 * time.Second, " 15s ": 15 * time.Second, "+1m": time.Minute, "-2s": -2 * time.Second,
		"0.25": 250 * time.Millisecond, "-1": -time.Second, "1h30m": 90 * time.Minute,
	} {
		if got, err := ParseDuration(in); err != nil || got != want {
			t.Errorf("%q: %v %v, want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "s", "15 s", "1d", "1.5.2s"} {
		if _, err := ParseDuration(in); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}

// TestNestedDocument decodes a configuration the way the detector config
// does, section by section: every error of the file comes back at once, in
// the order the decoder met them, each at its own line and column.
func TestNestedDocument(t *testing.T) {
	text := `thresholds:
  grace: 15s
  locktime: soon
detectors:
  stale-mac: {enabled: maybe}
  bogus: {}
  mac-change:
    enabled: false
    enabled: true
`
	d := parse(t, text)
	top, _ := mapping(d, "thresholds", "detectors")
	th, _ := d.Map(top["thresholds"], "thresholds", "grace", "locktime")
	if g := d.Duration(th["grace"], "grace"); g != 15*time.Second {
		t.Errorf("grace %v", g)
	}
	d.Duration(th["locktime"], "locktime")
	dets, order := d.Map(top["detectors"], "detectors", "stale-mac", "mac-change")
	for _, name := range order {
		m, _ := d.Map(dets[name], name, "enabled")
		d.Bool(m["enabled"], name+".enabled")
	}
	want := []string{
		`3:13: locktime: want a duration like 1.5s, 300ms or -2s, got "soon"`,
		`6:3: unknown key "bogus" in detectors (want stale-mac, mac-change)`,
		`5:24: stale-mac.enabled: want true or false, got "maybe"`,
		`9:5: mac-change: key "enabled" given twice`,
	}
	if got := errs(d); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var list ErrorList
	if !errors.As(d.Err(), &list) || len(list) != len(want) || list[0].File != "c.yaml" {
		t.Errorf("Err: %v", d.Err())
	}
}
