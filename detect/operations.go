package detect

import (
	_ "embed"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The known-operations catalog: which command sequences one neutron API
// call adds to one ovsdbapp transaction. The interleaved-txn detector
// matches the parts of a transaction against it. The embedded catalog
// (catalog/operations.yaml, which documents the format) covers neutron's
// router, floating IP, network and port operations; a user's YAML can add
// or replace operations (see DecodeOperations and MergeOperations).

//go:embed catalog/operations.yaml
var operationsYAML []byte

// Operation is one known operation.
type Operation struct {
	Name        string
	Description string
	// Subject lists the argument keys of the first command that name what
	// the operation is about; the first present one is used. Empty: the
	// first command's first naming argument.
	Subject []string
	Steps   []Step
}

// Step is one command of an operation.
type Step struct {
	Commands []string          // classes that perform the step
	Args     map[string]string // arguments that must print exactly so
	When     string            // expected only if the first command carries this key, non-empty
	Optional bool              // may be absent without the operation being incomplete
	Done     string            // first step: what the operation did
	Lost     string            // what is missing when the step never ran
}

// DefaultOperations returns the embedded catalog. Each call decodes a fresh
// copy, so callers may change what they get.
func DefaultOperations() []Operation {
	ops, err := DecodeOperations("catalog/operations.yaml", operationsYAML)
	if err != nil {
		panic("embedded operations catalog: " + err.Error()) // a build defect; TestDefaultOperations guards it
	}
	return ops
}

// DecodeOperations reads a catalog document: a mapping whose only key,
// "operations", holds a list of operations. name labels errors, which carry
// the position ("name:line:col: …"). Unknown keys are errors, so a typo
// cannot silently disable a step.
func DecodeOperations(name string, data []byte) ([]Operation, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, fmt.Errorf("%s: empty document", name)
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, posErr(name, root, "want a mapping with the key \"operations\"")
	}
	var ops []Operation
	seen := false
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if k.Value != "operations" {
			return nil, posErr(name, k, "unknown key %q (want \"operations\")", k.Value)
		}
		var err error
		if ops, err = DecodeOperationsNode(name, v); err != nil {
			return nil, err
		}
		seen = true
	}
	if !seen {
		return nil, posErr(name, root, "no \"operations\" key")
	}
	return ops, nil
}

// DecodeOperationsNode decodes the value of an "operations" key: a list of
// operations. A configuration file with other sections passes its
// operations node here.
func DecodeOperationsNode(name string, n *yaml.Node) ([]Operation, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, posErr(name, n, "operations: want a list")
	}
	var ops []Operation
	names := map[string]*yaml.Node{}
	for _, item := range n.Content {
		op, err := decodeOperation(name, item)
		if err != nil {
			return nil, err
		}
		if prev, dup := names[op.Name]; dup {
			return nil, posErr(name, item, "operation %q is defined twice (first at line %d)", op.Name, prev.Line)
		}
		names[op.Name] = item
		ops = append(ops, op)
	}
	return ops, nil
}

func decodeOperation(file string, n *yaml.Node) (Operation, error) {
	var op Operation
	if n.Kind != yaml.MappingNode {
		return op, posErr(file, n, "an operation: want a mapping")
	}
	var stepsNode *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		var err error
		switch k.Value {
		case "name":
			op.Name, err = scalar(file, v)
		case "description":
			op.Description, err = scalar(file, v)
		case "subject":
			op.Subject, err = stringList(file, v)
		case "steps":
			stepsNode = v
		default:
			err = posErr(file, k, "unknown operation key %q (want name, description, subject, steps)", k.Value)
		}
		if err != nil {
			return op, err
		}
	}
	if op.Name == "" {
		return op, posErr(file, n, "operation without a name")
	}
	if stepsNode == nil {
		return op, posErr(file, n, "operation %q has no steps", op.Name)
	}
	if stepsNode.Kind != yaml.SequenceNode || len(stepsNode.Content) == 0 {
		return op, posErr(file, stepsNode, "operation %q: steps: want a non-empty list", op.Name)
	}
	for i, sn := range stepsNode.Content {
		st, err := decodeStep(file, sn)
		if err != nil {
			return op, err
		}
		if i == 0 && (st.Optional || st.When != "") {
			return op, posErr(file, sn, "operation %q: the first step opens the operation and cannot be optional or conditional", op.Name)
		}
		op.Steps = append(op.Steps, st)
	}
	return op, nil
}

func decodeStep(file string, n *yaml.Node) (Step, error) {
	var st Step
	if n.Kind != yaml.MappingNode {
		return st, posErr(file, n, "a step: want a mapping")
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		var err error
		switch k.Value {
		case "commands":
			st.Commands, err = stringList(file, v)
		case "args":
			st.Args, err = stringMap(file, v)
		case "when":
			st.When, err = scalar(file, v)
		case "optional":
			var s string
			if s, err = scalar(file, v); err == nil {
				if st.Optional, err = strconv.ParseBool(s); err != nil {
					err = posErr(file, v, "optional: want true or false, not %q", s)
				}
			}
		case "done":
			st.Done, err = scalar(file, v)
		case "lost":
			st.Lost, err = scalar(file, v)
		default:
			err = posErr(file, k, "unknown step key %q (want commands, args, when, optional, done, lost)", k.Value)
		}
		if err != nil {
			return st, err
		}
	}
	if len(st.Commands) == 0 {
		return st, posErr(file, n, "a step without commands")
	}
	return st, nil
}

func scalar(file string, n *yaml.Node) (string, error) {
	if n.Kind != yaml.ScalarNode {
		return "", posErr(file, n, "want a single value")
	}
	return n.Value, nil
}

func stringList(file string, n *yaml.Node) ([]string, error) {
	if n.Kind == yaml.ScalarNode {
		return []string{n.Value}, nil
	}
	if n.Kind != yaml.SequenceNode {
		return nil, posErr(file, n, "want a list")
	}
	var out []string
	for _, c := range n.Content {
		s, err := scalar(file, c)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func stringMap(file string, n *yaml.Node) (map[string]string, error) {
	if n.Kind != yaml.MappingNode {
		return nil, posErr(file, n, "want a mapping")
	}
	out := map[string]string{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		v, err := scalar(file, n.Content[i+1])
		if err != nil {
			return nil, err
		}
		out[n.Content[i].Value] = v
	}
	return out, nil
}

func posErr(file string, n *yaml.Node, format string, args ...any) error {
	return fmt.Errorf("%s:%d:%d: %s", file, n.Line, n.Column, fmt.Sprintf(format, args...))
}

// MergeOperations returns base with extra's operations: one whose name is
// already in base replaces it where it stands, the others are appended in
// their order. Neither argument is changed.
func MergeOperations(base, extra []Operation) []Operation {
	out := slices.Clone(base)
	for _, op := range extra {
		if i := slices.IndexFunc(out, func(o Operation) bool { return o.Name == op.Name }); i >= 0 {
			out[i] = op
		} else {
			out = append(out, op)
		}
	}
	return out
}

// fill expands a step text's {subject} and {KEY} placeholders; lookup
// returns a key's value. Unknown keys stay as written.
func fill(text string, lookup func(key string) string) string {
	var b strings.Builder
	for {
		o := strings.IndexByte(text, '{')
		if o < 0 {
			break
		}
		c := strings.IndexByte(text[o:], '}')
		if c < 0 {
			break
		}
		b.WriteString(text[:o])
		key := text[o+1 : o+c]
		if v := lookup(key); v != "" {
			b.WriteString(v)
		} else {
			b.WriteString(text[o : o+c+1])
		}
		text = text[o+c+1:]
	}
	b.WriteString(text)
	return b.String()
}
