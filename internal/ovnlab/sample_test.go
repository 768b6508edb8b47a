package ovnlab_test

import (
	"flag"
	"testing"
	"time"

	"github.com/arpforensics/arpforensics/internal/ovnlab"
)

var writeSample = flag.String("write-sample", "", "write the mac-binding-stale sample's database files into this directory (samples/mac-binding-stale), then run go test ./samples -update")

// TestWriteMACBindingSample rewrites samples/mac-binding-stale from a real
// run: northd between real databases, the router's binding for a reused
// address left at the old MAC for longer than the default grace.
//
//	go test ./ovnlab -run TestWriteMACBindingSample -write-sample ../samples/mac-binding-stale
func TestWriteMACBindingSample(t *testing.T) {
	if *writeSample == "" {
		t.Skip("only with -write-sample DIR")
	}
	l := ovnlab.Start(t, false)
	l.StaleBinding(false, 35*time.Second)
	l.Save(*writeSample)
}
