// Command gen writes the bundled sample scenarios: the artifacts a failed
// (or healthy) CI run would leave, reproducing the incidents arpforensics
// explains. Output is deterministic: the same program writes the same bytes.
//
//	go run ./samples/gen            # rewrite every scenario under samples/
//	go test ./samples -update       # then refresh each expected.json
//	go run ./samples/gen -lab DIR   # as root: record the real-kernel lab scenarios into DIR
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/arpforensics/arpforensics/internal/netlab"
)

// scenario writes one sample folder's artifacts under out/<name>.
type scenario struct {
	name  string
	write func(out string) error
}

func scenarios() []scenario {
	var all []scenario
	for _, s := range fipStories() {
		all = append(all, scenario{s.dir, s.write})
	}
	for _, s := range arpUnansweredStories() {
		all = append(all, scenario{s.dir, s.write})
	}
	for _, s := range txnRaceStories() {
		all = append(all, scenario{s.dir, s.write})
	}
	// After the captures they are derived from: the neighbour tables.
	all = append(all, neighScenarios()...)
	return all
}

func main() {
	netlab.ServeHelper() // the lab re-runs this program to send crafted frames
	out := flag.String("out", "samples", "directory to write the scenario folders into")
	only := flag.String("only", "", "write only this scenario")
	lab := flag.String("lab", "", "record the real-kernel lab scenarios (root, network namespaces) into this directory instead")
	flag.Parse()
	if *lab != "" {
		if err := recordLab(*lab); err != nil {
			fail(err)
		}
		return
	}
	for _, s := range scenarios() {
		if *only != "" && s.name != *only {
			continue
		}
		if err := os.MkdirAll(filepath.Join(*out, s.name), 0o755); err != nil {
			fail(err)
		}
		if err := s.write(*out); err != nil {
			fail(fmt.Errorf("%s: %w", s.name, err))
		}
		fmt.Println("wrote", filepath.Join(*out, s.name))
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "gen:", err)
	os.Exit(1)
}
