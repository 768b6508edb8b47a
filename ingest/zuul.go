package ingest

import (
	"path/filepath"

	"go.yaml.in/yaml/v3"
)

// A Zuul job's log root holds zuul-info/inventory.yaml, the Ansible
// inventory the job ran with: its hosts are the job's nodes (controller,
// compute1, …), and each node's logs sit in a directory named after it,
// wherever the download put that directory (<root>/<node>/logs/…, or
// <root>/logs/<node>/…). Labelling by the first directory below the root
// would call every host "logs".

// zuulHosts reads the node names of a Zuul log root, or nil when root is
// not one.
func zuulHosts(root string) map[string]bool {
	// The root may be the job's, its logs/ download directory, or a node's
	// logs/ below either: look there and up to two levels up.
	abs, _ := filepath.Abs(root)
	var candidates []string
	for _, d := range []string{abs, filepath.Dir(abs), filepath.Dir(filepath.Dir(abs)), filepath.Dir(filepath.Dir(filepath.Dir(abs)))} {
		candidates = append(candidates, filepath.Join(d, "zuul-info", "inventory.yaml"), filepath.Join(d, "logs", "zuul-info", "inventory.yaml"))
	}
	for _, p := range candidates {
		data, err := readSmall(p, maxSmallFile)
		if err != nil {
			continue
		}
		var doc yaml.Node
		if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
			continue
		}
		hosts := map[string]bool{}
		inventoryHosts(doc.Content[0], hosts)
		if len(hosts) > 0 {
			return hosts
		}
	}
	return nil
}

// inventoryHosts collects the keys under every hosts: of an Ansible YAML
// inventory group, its children's included.
func inventoryHosts(n *yaml.Node, out map[string]bool) {
	if n.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i].Value, n.Content[i+1]
		switch k {
		case "hosts":
			if v.Kind == yaml.MappingNode {
				for j := 0; j+1 < len(v.Content); j += 2 {
					out[v.Content[j].Value] = true
				}
			}
		case "vars":
		default: // "all", "children" and the groups below them
			inventoryHosts(v, out)
		}
	}
}
