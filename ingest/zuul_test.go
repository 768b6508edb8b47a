package ingest

import (
	"os"
	"path/filepath"
	"testing"
)

// A Zuul log root names its nodes in zuul-info/inventory.yaml; files take
// the node whose directory holds them, wherever it sits below the root.
func TestZuulRootNamesHostsFromItsInventory(t *testing.T) {
	root := t.TempDir()
	write := func(rel, text string) {
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("zuul-info/inventory.yaml", `all:
  hosts:
    controller:
      ansible_connection: ssh
      ansible_host: 198.51.100.10
      nodepool: {label: ubuntu-jammy}
    compute1:
      ansible_host: 198.51.100.11
  vars:
    zuul: {job: neutron-ovn-tempest}
  children:
    subnode:
      hosts:
        compute2: {}
`)
	write("logs/controller/logs/arptable", "x\n")
	write("logs/compute1/logs/screen-neutron-api.txt", "x\n")
	write("compute2/logs/syslog.txt", "x\n")
	write("job-output.txt", "x\n")
	files, errs := Expand([]string{root})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	want := map[string]string{
		"logs/controller/logs/arptable":             "controller",
		"logs/compute1/logs/screen-neutron-api.txt": "compute1",
		"compute2/logs/syslog.txt":                  "compute2",
		"job-output.txt":                            DefaultHost,
		"zuul-info/inventory.yaml":                  DefaultHost,
	}
	for _, f := range files {
		rel, _ := filepath.Rel(root, f.Path)
		if w, ok := want[filepath.ToSlash(rel)]; !ok || f.Host != w {
			t.Errorf("%s: host %q, want %q", rel, f.Host, w)
		}
	}
	if len(files) != len(want) {
		t.Errorf("%d files, want %d", len(files), len(want))
	}
}
