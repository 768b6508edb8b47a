// Command gentxnlog writes a synthetic neutron-server DEBUG log for the
// transaction-log benchmark (see bench/txnlog.sh).
//
//	go run ./bench/txnloggen/cmd/gentxnlog -size 1G -o bench/out/neutron-server.log
//	go run ./bench/txnloggen/cmd/gentxnlog -size 1G -entities 1000000 -o bench/out/neutron-server-1M.log
package main

import (
	"flag"
	"fmt"
	bytesize "github.com/arpforensics/arpforensics/bench/internal/size"
	"os"

	"github.com/arpforensics/arpforensics/bench/txnloggen"
)

func main() {
	size := flag.String("size", "1G", "bytes to write (suffix K, M or G)")
	out := flag.String("o", "", "output file (default stdout)")
	seed := flag.Uint64("seed", 1, "PRNG seed")
	workers := flag.Int("workers", 4, "worker pids")
	entities := flag.Int("entities", 0, "spread about this many distinct port, network, router, security group and load balancer UUIDs over the transactions (0: fixed pools, 4,000 ports, 200 networks, ...)")
	flag.Parse()
	n, err := bytesize.Parse(*size)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gentxnlog:", err)
		os.Exit(2)
	}
	w := os.Stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			fmt.Fprintln(os.Stderr, "gentxnlog:", err)
			os.Exit(1)
		}
		defer f.Close()
		w = f
	}
	st, err := txnloggen.Write(w, txnloggen.Options{Size: n, Seed: *seed, Workers: *workers, Entities: *entities})
	if err != nil {
		fmt.Fprintln(os.Stderr, "gentxnlog:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "gentxnlog: %d bytes, %d lines, %d Running txn lines (1 in %.1f), %d transactions\n",
		st.Bytes, st.Lines, st.TxnLines, float64(st.Lines)/float64(max(st.TxnLines, 1)), st.Transactions)
	if *entities > 0 {
		fmt.Fprintf(os.Stderr, "gentxnlog: %d distinct port, network, router, security group and load balancer UUIDs introduced (asked for %d)\n", st.Entities, *entities)
	}
}
