package pcap

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arpforensics/arpforensics/internal/golden"
	"github.com/arpforensics/arpforensics/timeline"
)

// captureGoldens are representative corpus captures whose events are kept
// under testdata/capture: Ethernet with gratuitous ARP, Linux cooked v1
// with directions, SLL2 with an interface index, QinQ with the outer VLAN,
// pcapng mixing link types over several sections and interfaces, pcapng
// with packet flags in a big-endian section, and a capture cut short.
var captureGoldens = []string{
	"eapon1.pcap",
	"mptcp-v1.pcap",
	"linux_dlt_sll2.pcap",
	"802.1ad_QinQ.pcap",
	"ntg-le-test202.pcapng",
	"ntg-be-test009.pcapng",
	"dhcp-rfc4388.trunc-mid-record.pcap",
}

func TestCaptureGolden(t *testing.T) {
	for _, name := range captureGoldens {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(corpusDir, name))
			if err != nil {
				t.Fatal(err)
			}
			src, evs, err := readCapture(t, data)
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join("testdata", "capture", name+".golden"), captureGolden(src, evs))
		})
	}
}

// captureGolden renders a source's counters, problems and events, one per
// line, with every decoded field.
func captureGolden(src *timeline.Source, evs []timeline.Event) string {
	var b strings.Builder
	fmt.Fprintf(&b, "source kind=%s records=%d skipped=%d events=%d\n", src.Kind, src.Records, src.Skipped, len(evs))
	for _, p := range src.Problems {
		fmt.Fprintf(&b, "problem %s %s: %s\n", p.Level, p.Pos, p.Message)
	}
	for _, e := range evs {
		fmt.Fprintf(&b, "%s %s %s: %s\n", e.Time.Format("2006-01-02T15:04:05.000000000Z07:00"), e.Pos, e.Kind(), e.Data.Summary())
		if !e.End.IsZero() {
			fmt.Fprintf(&b, "\tend=%s\n", e.End.Format("2006-01-02T15:04:05.000000000Z07:00"))
		}
		for _, f := range e.Data.Fields() {
			fmt.Fprintf(&b, "\t%s=%s\n", f.Name, f.Value)
		}
		switch d := e.Data.(type) {
		case *timeline.ARP:
			fmt.Fprintf(&b, "\tbytes=%x\n", d.Bytes)
		case *timeline.TCP:
			fmt.Fprintf(&b, "\tbytes=%d\n", len(d.Bytes))
		}
	}
	return b.String()
}
