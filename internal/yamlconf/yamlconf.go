// Package yamlconf reads small YAML configuration files through yaml.Node so
// that every error names the file, line and column, and unknown keys are
// errors rather than silently ignored typos. It is shared by the case file
// and the detector configuration.
package yamlconf

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Error is one problem at a position in a file.
type Error struct {
	File      string
	Line, Col int
	Msg       string
}

func (e *Error) Error() string {
	if e.Line == 0 {
		return e.File + ": " + e.Msg
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
}

// ErrorList collects errors, as go/scanner's does.
type ErrorList []*Error

func (l ErrorList) Error() string {
	switch len(l) {
	case 0:
		return "no errors"
	case 1:
		return l[0].Error()
	}
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Err is nil for an empty list (avoiding a typed nil error).
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	return l
}

// Doc is one file being decoded; it collects errors instead of stopping at
// the first, so a user fixes them all in one go.
type Doc struct {
	File string
	Root *yaml.Node // the document's top node; nil for an empty file
	Errs ErrorList
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// Parse reads data as one YAML document.
func Parse(file string, data []byte) (*Doc, error) {
	var n yaml.Node
	if err := yaml.Unmarshal(data, &n); err != nil {
		msg := err.Error()
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			line, _ := strconv.Atoi(m[1])
			col := 1
			if l, c := errorLine(data, m[2]); l > 0 {
				line, col = l, c
			}
			return nil, &Error{File: file, Line: line, Col: col, Msg: m[2]}
		}
		return nil, &Error{File: file, Msg: strings.TrimPrefix(msg, "yaml: ")}
	}
	d := &Doc{File: file}
	if len(n.Content) > 0 {
		d.Root = n.Content[0]
	}
	return d, nil
}

// Errorf records an error at n.
func (d *Doc) Errorf(n *yaml.Node, format string, args ...any) {
	e := &Error{File: d.File, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Col = n.Line, n.Column
	}
	d.Errs = append(d.Errs, e)
}

// Err is the collected errors, or nil.
func (d *Doc) Err() error { return d.Errs.Err() }

// Map checks that n is a mapping whose keys are all among known and
// returns key → value node, in file order via the second result. Unknown and
// repeated keys are errors.
func (d *Doc) Map(n *yaml.Node, what string, known ...string) (map[string]*yaml.Node, []string) {
	if n == nil {
		return map[string]*yaml.Node{}, nil
	}
	if n.Kind != yaml.MappingNode {
		d.Errorf(n, "%s: want a mapping, got %s", what, kindName(n))
		return map[string]*yaml.Node{}, nil
	}
	out := map[string]*yaml.Node{}
	var order []string
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		key := k.Value
		if known != nil && !slices.Contains(known, key) {
			d.Errorf(k, "unknown key %q in %s (want %s)", key, what, strings.Join(known, ", "))
			continue
		}
		if _, dup := out[key]; dup {
			d.Errorf(k, "%s: key %q given twice", what, key)
			continue
		}
		out[key] = v
		order = append(order, key)
	}
	return out, order
}

// String reads a scalar.
func (d *Doc) String(n *yaml.Node, what string) string {
	if n.Kind != yaml.ScalarNode {
		d.Errorf(n, "%s: want a string, got %s", what, kindName(n))
		return ""
	}
	return n.Value
}

// Strings reads a scalar or a sequence of scalars.
func (d *Doc) Strings(n *yaml.Node, what string) []string {
	if n.Kind == yaml.ScalarNode {
		return []string{n.Value}
	}
	if n.Kind != yaml.SequenceNode {
		d.Errorf(n, "%s: want a list of strings, got %s", what, kindName(n))
		return nil
	}
	var out []string
	for _, c := range n.Content {
		out = append(out, d.String(c, what))
	}
	return out
}

// Int reads an integer.
func (d *Doc) Int(n *yaml.Node, what string) int {
	v, err := strconv.Atoi(d.String(n, what))
	if err != nil && n.Kind == yaml.ScalarNode {
		d.Errorf(n, "%s: want a whole number, got %q", what, n.Value)
	}
	return v
}

// Bool reads true or false.
func (d *Doc) Bool(n *yaml.Node, what string) bool {
	switch d.String(n, what) {
	case "true", "yes", "on":
		return true
	case "false", "no", "off":
		return false
	}
	if n.Kind == yaml.ScalarNode {
		d.Errorf(n, "%s: want true or false, got %q", what, n.Value)
	}
	return false
}

// Duration reads a Go duration ("15s", "1.5s", "-300ms", "+2.5s").
func (d *Doc) Duration(n *yaml.Node, what string) time.Duration {
	s := d.String(n, what)
	v, err := ParseDuration(s)
	if err != nil && n.Kind == yaml.ScalarNode {
		d.Errorf(n, "%s: %v", what, err)
	}
	return v
}

// ParseDuration is time.ParseDuration that also accepts a leading '+' and
// a bare number of seconds.
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return time.Duration(f * float64(time.Second)), nil
	}
	v, err := time.ParseDuration(strings.TrimPrefix(s, "+"))
	if err != nil {
		return 0, fmt.Errorf("want a duration like 1.5s, 300ms or -2s, got %q", s)
	}
	return v, nil
}

// Location reads a time zone name ("UTC", "Europe/Prague").
func (d *Doc) Location(n *yaml.Node, what string) *time.Location {
	s := d.String(n, what)
	loc, err := time.LoadLocation(s)
	if err != nil && n.Kind == yaml.ScalarNode {
		d.Errorf(n, "%s: unknown time zone %q", what, s)
		return nil
	}
	return loc
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("%q", n.Value)
	case yaml.AliasNode:
		return "an alias"
	}
	return "nothing"
}

// errorLine finds where a syntax error starts: the YAML parser reports the
// line of the enclosing block (an unclosed "[" on line 2 is reported at
// line 1), so the document is cut after each line in turn, and the first
// cut that fails with the same message names the line that broke it, at
// its first non-blank column. 0 when no cut reproduces the message (the
// parser's line then stands).
func errorLine(data []byte, msg string) (line, col int) {
	if len(data) > 1<<20 {
		return 0, 0 // quadratic: for config files, not for data
	}
	lines := strings.SplitAfter(string(data), "\n")
	prefix := ""
	for i, l := range lines {
		prefix += l
		var n yaml.Node
		err := yaml.Unmarshal([]byte(prefix), &n)
		if err == nil {
			continue
		}
		if m := yamlLine.FindStringSubmatch(err.Error()); m != nil && m[2] == msg {
			return i + 1, len(l) - len(strings.TrimLeft(l, " ")) + 1
		}
	}
	return 0, 0
}
