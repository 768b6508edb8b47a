package txnlog

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

type kv struct{ k, v string }

func splitPairs(args string) ([]kv, []kv) {
	var sp splitter
	b := []byte(args)
	sp.Split(b)
	var out, refs []kv
	for _, a := range sp.Args {
		out = append(out, kv{string(a.Key.Of(b)), string(a.Value.Of(b))})
	}
	for _, r := range sp.Refs {
		refs = append(refs, kv{string(r.Key.Of(b)), string(r.Value.Of(b))})
	}
	return out, refs
}

func TestSplit(t *testing.T) {
	tests := []struct {
		name string
		args string
		want []kv
		refs []kv
	}{
		{"empty", "", nil, nil},
		{"scalars", "port=ha-550dc175-c0, bridge=None, if_exists=True",
			[]kv{{"port", "ha-550dc175-c0"}, {"bridge", "None"}, {"if_exists", "True"}}, nil},
		{"tuple of tuples", "table=Port, record=ha-550dc175-c0, col_values=(('tag', 4095),)",
			[]kv{{"table", "Port"}, {"record", "ha-550dc175-c0"}, {"col_values", "(('tag', 4095),)"}}, nil},
		{"nested dict with refs",
			"table=Interface, record=x, col_values=(('type', 'internal'), ('external_ids', {'iface-id': '550dc175-c064-407a-9c95-d5b422b4e071', 'attached-mac': 'fa:16:3e:ad:25:90'}))",
			[]kv{{"table", "Interface"}, {"record", "x"}, {"col_values", "(('type', 'internal'), ('external_ids', {'iface-id': '550dc175-c064-407a-9c95-d5b422b4e071', 'attached-mac': 'fa:16:3e:ad:25:90'}))"}},
			[]kv{{"iface-id", "550dc175-c064-407a-9c95-d5b422b4e071"}}},
		{"py2 unicode strings and dict order",
			"may_exist=True, columns={'external_ids': {'neutron:gw_port_id': u'8dc49792-b37a-48be-926a-af2c8e17ad3f', 'neutron:router_name': u'tempest-router-1'}, 'enabled': True, 'options': {}}, name=neutron-cc163b42-1fdf-4cfa-a2ff-50c521f04222",
			[]kv{{"may_exist", "True"}, {"columns", "{'external_ids': {'neutron:gw_port_id': u'8dc49792-b37a-48be-926a-af2c8e17ad3f', 'neutron:router_name': u'tempest-router-1'}, 'enabled': True, 'options': {}}"}, {"name", "neutron-cc163b42-1fdf-4cfa-a2ff-50c521f04222"}},
			[]kv{{"neutron:gw_port_id", "8dc49792-b37a-48be-926a-af2c8e17ad3f"}, {"neutron:router_name", "tempest-router-1"}}},
		{"commas and = inside quoted values",
			"lport=p1, columns={'options': {'k': 'a, b=c'}, 'description': \"it's, x=1\"}",
			[]kv{{"lport", "p1"}, {"columns", "{'options': {'k': 'a, b=c'}, 'description': \"it's, x=1\"}"}}, nil},
		{"escaped quote", `name=x, columns={'description': 'it\'s, y=2', 'z': 1}`,
			[]kv{{"name", "x"}, {"columns", `{'description': 'it\'s, y=2', 'z': 1}`}}, nil},
		{"bare value with comma and apostrophe", "name=O'Brien, router, description=a, b, lb=lb1",
			[]kv{{"name", "O'Brien, router"}, {"description", "a, b"}, {"lb", "lb1"}}, nil},
		{"list value", "port_group=pg_x, lsp=['p1', 'p2'], if_exists=False",
			[]kv{{"port_group", "pg_x"}, {"lsp", "['p1', 'p2']"}, {"if_exists", "False"}}, nil},
		{"_result prefix", "_result=None, table=Load_Balancer, record=d69e, column=vips",
			[]kv{{"_result", "None"}, {"table", "Load_Balancer"}, {"record", "d69e"}, {"column", "vips"}}, nil},
		{"ls_refs json in a string", "table=Load_Balancer, record=d69e, col_values=(('external_ids', {'ls_refs': '{\"neutron-000a1a3e-edff-45ad-9241-5ab8894ac0e0\": 1}'}),), if_exists=True",
			[]kv{{"table", "Load_Balancer"}, {"record", "d69e"}, {"col_values", "(('external_ids', {'ls_refs': '{\"neutron-000a1a3e-edff-45ad-9241-5ab8894ac0e0\": 1}'}),)"}, {"if_exists", "True"}},
			[]kv{{"ls_refs", "{\"neutron-000a1a3e-edff-45ad-9241-5ab8894ac0e0\": 1}"}}},
		{"row repr value", "table=Logical_Router, record=Logical_Router(name=neutron-r1, uuid=abc), col_values=()",
			[]kv{{"table", "Logical_Router"}, {"record", "Logical_Router(name=neutron-r1, uuid=abc)"}, {"col_values", "()"}}, nil},
		{"object repr", "commands=[<ovsdbapp.schema.open_vswitch.commands.AddBridgeCommand object at 0x7f1790fa1940>], timeout=10",
			[]kv{{"commands", "[<ovsdbapp.schema.open_vswitch.commands.AddBridgeCommand object at 0x7f1790fa1940>]"}, {"timeout", "10"}}, nil},
		{"positional", "br-int, may_exist=True", []kv{{"", "br-int"}, {"may_exist", "True"}}, nil},
		{"unbalanced bracket falls back to a flat split", "match=(ip4.src == 10.0.0.1, lport=p1, lswitch=neutron-n1",
			[]kv{{"match", "(ip4.src == 10.0.0.1"}, {"lport", "p1"}, {"lswitch", "neutron-n1"}}, nil},
		{"unclosed quote falls back to a flat split", "name='x, lrouter=neutron-r1",
			[]kv{{"name", "'x"}, {"lrouter", "neutron-r1"}}, nil},
		{"cut line keeps what was read", "lport=p1, columns={'external_ids': {'neutron:device_id': 'a",
			[]kv{{"lport", "p1"}, {"columns", "{'external_ids': {'neutron:device_id': 'a"}}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, refs := splitPairs(tc.args)
			if !equalKV(got, tc.want) {
				t.Errorf("args\n got %q\nwant %q", got, tc.want)
			}
			if !equalKV(refs, tc.refs) {
				t.Errorf("refs\n got %q\nwant %q", refs, tc.refs)
			}
		})
	}
}

func equalKV(a, b []kv) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// corpusArgs returns the argument text of every command of the corpus.
func corpusArgs(t testing.TB) []string {
	f, err := os.Open(corpusPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		i := strings.Index(line, "Command(")
		if i < 0 || strings.HasPrefix(line, "#") {
			continue
		}
		args := line[i+len("Command("):]
		if j := strings.LastIndex(args, ")"); j >= 0 {
			args = args[:j]
		}
		out = append(out, args)
	}
	return out
}

// FuzzSplit checks the splitter on arbitrary text: no panic, spans inside
// the input, ascending and not overlapping, keys that are identifiers, and
// argument text that, joined back, covers the input.
func FuzzSplit(f *testing.F) {
	for _, a := range corpusArgs(f) {
		f.Add(a)
	}
	f.Add("name='x, lrouter=neutron-r1")
	f.Add(`a=1, b='\\', c="\"", d=(, e=)`)
	f.Fuzz(func(t *testing.T, args string) {
		var sp splitter
		b := []byte(args)
		sp.Split(b)
		prev := int32(0)
		for i, a := range sp.Args {
			if a.Key.Start > a.Key.End || a.Value.Start > a.Value.End || a.Value.End > int32(len(b)) {
				t.Fatalf("arg %d: bad spans %+v", i, a)
			}
			start := a.Value.Start
			if a.Key.Start != a.Key.End {
				start = a.Key.Start
				if !isWord(a.Key.Of(b)) || b[a.Key.End] != '=' || a.Value.Start != a.Key.End+1 {
					t.Fatalf("arg %d: key %q is not an identifier followed by '='", i, a.Key.Of(b))
				}
			}
			if start < prev {
				t.Fatalf("arg %d overlaps the previous one", i)
			}
			if i > 0 && string(b[prev:start]) != ", " {
				t.Fatalf("arg %d: separated by %q, want \", \"", i, b[prev:start])
			}
			prev = a.Value.End
		}
		if len(sp.Args) > 0 {
			// Only an empty first argument (a leading ", ") is dropped.
			first := sp.Args[0].Value.Start
			if sp.Args[0].Key.Start != sp.Args[0].Key.End {
				first = sp.Args[0].Key.Start
			}
			if lead := string(b[:first]); lead != "" && lead != ", " || int(prev) != len(b) {
				t.Fatalf("arguments do not cover the input: first %+v, last end %d of %d", sp.Args[0], prev, len(b))
			}
		}
		for _, r := range sp.Refs {
			if r.Key.Start > r.Key.End || r.Value.Start > r.Value.End || r.Value.End > int32(len(b)) || !isRefKey(r.Key.Of(b)) {
				t.Fatalf("bad ref %+v", r)
			}
		}
	})
}

func TestKeyIDMatchesTable(t *testing.T) {
	for i, k := range entityKeys {
		if got := keyID([]byte(k)); got != i {
			t.Errorf("keyID(%q) = %d, want %d", k, got, i)
		}
	}
	for _, k := range []string{"", "nam", "names", "neutron:gw_port", "table", "columns"} {
		if got := keyID([]byte(k)); got != -1 {
			t.Errorf("keyID(%q) = %d, want -1", k, got)
		}
	}
}
