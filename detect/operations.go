package detect

import (
	_ "embed"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/arpforensics/arpforensics/internal/yamlconf"
)

// The known-operations catalog: which command sequences one neutron API
// call adds to one ovsdbapp transaction. The interleaved-txn detector
// matches the parts of a transaction against it. The embedded catalog
// (catalog/operations.yaml, which documents the format) covers neutron's
// router, floating IP, network and port operations; a user's YAML can add
// or replace operations: an "operations:" list in the --config file
// (interleaved-txn's config section), or DecodeOperations and
// MergeOperations for callers of their own.

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
	// On names the entity a later command must act on to count as this
	// step done: "subject" or a key of the first command (its value's
	// entity). Empty: any entity of the operation.
	On       string
	Optional bool   // may be absent without the operation being incomplete
	Done     string // first step: what the operation did
	Lost     string // what is missing when the step never ran
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
// "operations", holds a list of operations (the format catalog/
// operations.yaml documents). Every error names file, line and column, and
// all of them are returned at once; unknown keys are errors, so a typo
// cannot silently disable a step.
func DecodeOperations(file string, data []byte) ([]Operation, error) {
	doc, err := yamlconf.Parse(file, data)
	if err != nil {
		return nil, err
	}
	if doc.Root == nil {
		doc.Errorf(nil, "empty document")
		return nil, doc.Err()
	}
	top, _ := doc.Map(doc.Root, "the operations catalog", "operations")
	if top["operations"] == nil && doc.Err() == nil {
		doc.Errorf(doc.Root, "no \"operations\" key")
	}
	var ops []Operation
	if n := top["operations"]; n != nil {
		ops = decodeOperations(doc, n)
	}
	if err := doc.Err(); err != nil {
		return nil, err
	}
	return ops, nil
}

// decodeOperations reads the value of an "operations" key: a list of
// operations. Errors go to doc.
func decodeOperations(doc *yamlconf.Doc, n *yaml.Node) []Operation {
	if n.Kind != yaml.SequenceNode {
		doc.Errorf(n, "operations: want a list")
		return nil
	}
	var ops []Operation
	lines := map[string]int{}
	for _, item := range n.Content {
		op, ok := decodeOperation(doc, item)
		if !ok {
			continue
		}
		if line, dup := lines[op.Name]; dup {
			doc.Errorf(item, "operation %q is defined twice (first at line %d)", op.Name, line)
			continue
		}
		lines[op.Name] = item.Line
		ops = append(ops, op)
	}
	return ops
}

func decodeOperation(doc *yamlconf.Doc, n *yaml.Node) (Operation, bool) {
	var op Operation
	m, _ := doc.Map(n, "an operation", "name", "description", "subject", "steps")
	if n.Kind != yaml.MappingNode {
		return op, false
	}
	if v := m["name"]; v != nil {
		op.Name = doc.String(v, "name")
	}
	if op.Name == "" {
		doc.Errorf(n, "an operation needs a name")
		return op, false
	}
	if v := m["description"]; v != nil {
		op.Description = doc.String(v, "description")
	}
	if v := m["subject"]; v != nil {
		op.Subject = doc.Strings(v, "subject")
	}
	steps := m["steps"]
	if steps == nil || steps.Kind != yaml.SequenceNode || len(steps.Content) == 0 {
		at := n
		if steps != nil {
			at = steps
		}
		doc.Errorf(at, "operation %q: steps: want a non-empty list", op.Name)
		return op, false
	}
	ok := true
	for i, sn := range steps.Content {
		st, good := decodeStep(doc, sn, op.Name)
		if good && i == 0 && (st.Optional || st.When != "") {
			doc.Errorf(sn, "operation %q: the first step opens the operation and cannot be optional or conditional", op.Name)
			good = false
		}
		ok = ok && good
		op.Steps = append(op.Steps, st)
	}
	return op, ok
}

func decodeStep(doc *yamlconf.Doc, n *yaml.Node, op string) (Step, bool) {
	var st Step
	before := len(doc.Errs)
	m, _ := doc.Map(n, "a step of "+op, "commands", "args", "when", "on", "optional", "done", "lost")
	if v := m["commands"]; v != nil {
		st.Commands = doc.Strings(v, "commands")
	}
	if v := m["args"]; v != nil {
		args, order := doc.Map(v, "args")
		st.Args = map[string]string{}
		for _, k := range order {
			st.Args[k] = doc.String(args[k], "args "+k)
		}
	}
	if v := m["when"]; v != nil {
		st.When = doc.String(v, "when")
	}
	if v := m["on"]; v != nil {
		st.On = doc.String(v, "on")
	}
	if v := m["optional"]; v != nil {
		st.Optional = doc.Bool(v, "optional")
	}
	if v := m["done"]; v != nil {
		st.Done = doc.String(v, "done")
	}
	if v := m["lost"]; v != nil {
		st.Lost = doc.String(v, "lost")
	}
	if len(st.Commands) == 0 && n.Kind == yaml.MappingNode {
		doc.Errorf(n, "a step of %s without commands", op)
	}
	return st, len(doc.Errs) == before
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
