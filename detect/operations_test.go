package detect

import (
	"strings"
	"testing"
)

func TestDefaultOperations(t *testing.T) {
	ops := DefaultOperations()
	byName := map[string]Operation{}
	for _, op := range ops {
		byName[op.Name] = op
	}
	cr, ok := byName["create-router"]
	if !ok {
		t.Fatal("no create-router")
	}
	if cr.Steps[0].Commands[0] != "AddLRouterCommand" || cr.Steps[2].Args["is_gw_port"] != "True" || cr.Steps[1].When != "neutron:gw_port_id" || !cr.Steps[4].Optional {
		t.Errorf("create-router decoded as %+v", cr)
	}
	if _, ok := byName["add-interface"]; !ok {
		t.Error("no add-interface")
	}
	// Fresh copies: changing one does not change the next.
	ops[0].Name = "changed"
	if DefaultOperations()[0].Name == "changed" {
		t.Error("DefaultOperations shares its result")
	}
}

func TestDecodeOperationsErrors(t *testing.T) {
	tests := []struct{ doc, want string }{
		{"", "f.yaml: empty document"},
		{"[1]", "f.yaml:1:1: the operations catalog: want a mapping, got a list"},
		{"operation: []", `f.yaml:1:1: unknown key "operation" in the operations catalog (want operations)`},
		{"operations: {}", "f.yaml:1:13: operations: want a list"},
		{"operations:\n  - name: x\n    step: []", `f.yaml:3:5: unknown key "step" in an operation (want name, description, subject, steps)` + "\n" +
			`f.yaml:2:5: operation "x": steps: want a non-empty list`},
		{"operations:\n  - steps: [{commands: [A]}]", "f.yaml:2:5: an operation needs a name"},
		{"operations:\n  - name: x\n    steps: []", `f.yaml:3:12: operation "x": steps: want a non-empty list`},
		{"operations:\n  - name: x\n    steps:\n      - commands: [A]\n        optinal: true", `f.yaml:5:9: unknown key "optinal" in a step of x (want commands, args, when, on, optional, done, lost)`},
		{"operations:\n  - name: x\n    steps:\n      - commands: [A]\n      - commands: [B]\n        optional: perhaps", `f.yaml:6:19: optional: want true or false, got "perhaps"`},
		{"operations:\n  - name: x\n    steps:\n      - commands: [A]\n        optional: true", `f.yaml:4:9: operation "x": the first step opens the operation and cannot be optional or conditional`},
		{"operations:\n  - name: x\n    steps:\n      - lost: y", "f.yaml:4:9: a step of x without commands"},
		{"operations:\n  - name: x\n    steps: [{commands: [A]}]\n  - name: x\n    steps: [{commands: [B]}]", `f.yaml:4:5: operation "x" is defined twice (first at line 2)`},
		{"operations:\n  - name: x\n    steps: [{commands: [A], args: {k: [1]}}]", "f.yaml:3:39: args k: want a string, got a list"},
		{"operations: [", "f.yaml:1:1: did not find expected node content"},
	}
	for _, tc := range tests {
		_, err := DecodeOperations("f.yaml", []byte(tc.doc))
		if err == nil || err.Error() != tc.want {
			t.Errorf("%q:\n got %v\nwant %s", tc.doc, err, tc.want)
		}
	}
}

func TestConfigFileAddsOperations(t *testing.T) {
	// A --config file's operations: section extends the catalog; a wrong
	// one is reported with its position like every config error.
	p := writeConfig(t, "thresholds:\n  grace: 15s\noperations:\n  - name: mine\n    steps:\n      - commands: [X]\n  - name: add-interface\n    steps:\n      - commands: [Y]\n")
	cfg, err := LoadConfig(p)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, op := range cfg.TxnOperations {
		names = append(names, op.Name)
		if op.Name == "add-interface" && op.Steps[0].Commands[0] != "Y" {
			t.Errorf("add-interface not replaced: %+v", op)
		}
	}
	if len(names) != len(DefaultOperations())+1 || names[len(names)-1] != "mine" {
		t.Errorf("operations %q", names)
	}
	p = writeConfig(t, "operations:\n  - name: x\n    steps: [{comands: [A]}]\n")
	if _, err := LoadConfig(p); err == nil || !strings.Contains(err.Error(), p+`:3:14: unknown key "comands" in a step of x`) {
		t.Errorf("error %v", err)
	}
}

func TestMergeOperations(t *testing.T) {
	base := []Operation{{Name: "a", Description: "base a"}, {Name: "b"}}
	extra := []Operation{{Name: "c"}, {Name: "a", Description: "mine"}}
	got := MergeOperations(base, extra)
	var names []string
	for _, op := range got {
		names = append(names, op.Name+":"+op.Description)
	}
	if strings.Join(names, ",") != "a:mine,b:,c:" {
		t.Errorf("merged %q", names)
	}
	if base[0].Description != "base a" {
		t.Error("base changed")
	}
}

func TestFill(t *testing.T) {
	vals := map[string]string{"subject": "neutron-r", "neutron:gw_port_id": "g"}
	got := fill("router {subject}: port lrp-{neutron:gw_port_id}, {unknown} {", func(k string) string { return vals[k] })
	if got != "router neutron-r: port lrp-g, {unknown} {" {
		t.Errorf("fill: %q", got)
	}
}
