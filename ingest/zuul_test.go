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

// Without an inventory the tree's layout names the nodes: <node>/logs/… from
// the job root, from a logs/ download directory, or from the node's logs/
// itself; zuul-info/ and logs/ are never hosts.
func TestTreeNamesHostsWithoutInventory(t *testing.T) {
	base := t.TempDir()
	write := func(rel string) {
		p := filepath.Join(base, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, rel := range []string{
		"job/controller/logs/screen-q-svc.txt", "job/controller/logs/openvswitch/ovs-vswitchd.log",
		"job/compute1/logs/syslog.txt", "job/zuul-info/zuul-info.controller.txt", "job/job-output.txt",
		"dl/logs/controller/logs/tcpdump.pcap", "dl/logs/job-output.txt", "dl/logs/zuul-info/host-info.controller.yaml",
	} {
		write(rel)
	}
	cases := []struct {
		root string
		want map[string]string
	}{
		{"job", map[string]string{
			"controller/logs/screen-q-svc.txt": "controller", "controller/logs/openvswitch/ovs-vswitchd.log": "controller",
			"compute1/logs/syslog.txt": "compute1", "zuul-info/zuul-info.controller.txt": DefaultHost, "job-output.txt": DefaultHost,
		}},
		{"job/controller/logs", map[string]string{"screen-q-svc.txt": "controller", "openvswitch/ovs-vswitchd.log": "controller"}},
		{"dl/logs", map[string]string{"controller/logs/tcpdump.pcap": "controller", "job-output.txt": DefaultHost, "zuul-info/host-info.controller.yaml": DefaultHost}},
		{"dl", map[string]string{"logs/controller/logs/tcpdump.pcap": "controller", "logs/job-output.txt": DefaultHost, "logs/zuul-info/host-info.controller.yaml": DefaultHost}},
		{"job/compute1/logs/syslog.txt", map[string]string{".": "compute1"}},
	}
	for _, c := range cases {
		root := filepath.Join(base, c.root)
		files, errs := Expand([]string{root})
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		if len(files) != len(c.want) {
			t.Errorf("%s: %d files, want %d", c.root, len(files), len(c.want))
		}
		for _, f := range files {
			rel, _ := filepath.Rel(root, f.Path)
			if w := c.want[filepath.ToSlash(rel)]; f.Host != w {
				t.Errorf("from %s: %s: host %q, want %q", c.root, rel, f.Host, w)
			}
		}
	}
}
