package ovsdb_test

import (
	"bytes"
	"fmt"
	"os"
	"testing"

	"github.com/arpforensics/arpforensics/bench/ovsdbgen"
	"github.com/arpforensics/arpforensics/internal/ovnlab"
	"github.com/arpforensics/arpforensics/parse"
	"github.com/arpforensics/arpforensics/parse/ovsdb"
	"github.com/arpforensics/arpforensics/timeline"
)

// BenchmarkParse reads a generated 64 MB Southbound history (see
// bench/ovsdb.sh for the whole program on 500 MB).
func BenchmarkParse(b *testing.B) {
	sc, err := os.ReadFile(ovnlab.SBSchema)
	if err != nil {
		b.Skip("no OVN_Southbound schema: ", err)
	}
	var buf bytes.Buffer
	if _, err := ovsdbgen.Write(&buf, ovsdbgen.Options{Size: 64 << 20, Seed: 1, Schema: sc}); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	for _, threads := range []int{1, 2} {
		b.Run(fmt.Sprintf("threads=%d", threads), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for range b.N {
				src := &timeline.Source{}
				sink := timeline.NewSpace().NewSink("")
				if err := ovsdb.Parse(bytes.NewReader(data), src, parse.Options{Threads: threads}, sink); err != nil {
					b.Fatal(err)
				}
				if len(src.Problems) > 0 {
					b.Fatal(src.Problems)
				}
			}
		})
	}
}
