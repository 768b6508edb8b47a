// Command genovsdb writes a synthetic OVN Southbound database history for
// the database-file benchmark (see bench/ovsdb.sh).
//
//	go run ./bench/ovsdbgen/cmd/genovsdb -size 500M -o bench/out/ovnsb_db.db
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/arpforensics/arpforensics/bench/internal/size"
	"github.com/arpforensics/arpforensics/bench/ovsdbgen"
)

func main() {
	sz := flag.String("size", "500M", "bytes to write (suffix K, M or G)")
	out := flag.String("o", "", "output file (default stdout)")
	seed := flag.Uint64("seed", 1, "PRNG seed")
	schema := flag.String("schema", "/usr/share/ovn/ovn-sb.ovsschema", "the OVN_Southbound schema (Debian's ovn-common installs it)")
	flag.Parse()
	n, err := size.Parse(*sz)
	if err != nil {
		fmt.Fprintln(os.Stderr, "genovsdb:", err)
		os.Exit(2)
	}
	sc, err := os.ReadFile(*schema)
	if err != nil {
		fmt.Fprintln(os.Stderr, "genovsdb:", err)
		os.Exit(2)
	}
	w := os.Stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			fmt.Fprintln(os.Stderr, "genovsdb:", err)
			os.Exit(1)
		}
		defer f.Close()
		w = f
	}
	st, err := ovsdbgen.Write(w, ovsdbgen.Options{Size: n, Seed: *seed, Schema: sc})
	if err != nil {
		fmt.Fprintln(os.Stderr, "genovsdb:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "genovsdb: %d bytes, %d records, %d logical flows, %d port bindings, %d MAC bindings\n",
		st.Bytes, st.Records, st.Flows, st.PortBindings, st.MACBindings)
}
