package pcap

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/arpforensics/arpforensics/parse"
	"github.com/arpforensics/arpforensics/timeline"
)

// FuzzReadCapture feeds arbitrary bytes to both capture readers, seeded
// with every corpus capture and a few built ones (cooked, QinQ, pcapng of
// two byte orders). Whatever the input: no panic; a refused file yields
// nothing; a read one accounts for every frame and returns sorted events.
func FuzzReadCapture(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(corpusDir, "*.pcap*"))
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		// The head only: a seed of megabytes is minimised for the
		// first minute before fuzzing starts; a cut capture is as good
		// a seed (and one more way to end).
		f.Add(b[:min(len(b), 2048)])
	}
	arp := arpBody(1, hostA, ipA, zeroHW, ipB)
	f.Add(classicCapture(binary.BigEndian, true, 276, testFrame{tBase, cat(sll2(0x0806, 3, 1, 4, hostA[:]), arp)}))
	f.Add(classicCapture(binary.LittleEndian, false, 113, testFrame{tBase, cat(sll(4, 1, hostA[:], 0x0800), ipv4TCP(ipA, ipB, 1, 22, 5, 0x02))}))
	f.Add(classicCapture(binary.LittleEndian, false, 1, testFrame{tBase, cat(ether(bcast, hostA, 0x0806, 0x88a8, 300, 0x8100, 100), arp)}))
	var w ngBuilder
	w.section(binary.LittleEndian)
	w.iface(1, "eth0")
	w.packet(0, tBase, cat(ether(bcast, hostA, 0x0806), arp), flagsWord(2))
	w.section(binary.BigEndian)
	w.iface(113, "any")
	w.packet(0, tBase, cat(sll(0, 1, hostB[:], 0x0806), arp), flagsWord(1))
	w.simplePacket(cat(sll(0, 1, hostB[:], 0x0806), arp))
	f.Add(w.b)

	f.Fuzz(func(t *testing.T, data []byte) {
		for _, read := range []parse.Func{ReadPcap, ReadPcapNG} {
			src := &timeline.Source{}
			evs, err := parse.Collect(read, bufio.NewReaderSize(bytes.NewReader(data), 4096), src, parseOpts)
			if err != nil {
				if evs != nil || src.Records != 0 || err.Error() == "" {
					t.Fatalf("refused input (%v) still gave %d events, %d records", err, len(evs), src.Records)
				}
				continue
			}
			if sum := int64(len(evs)) - src.Derived + src.Folded + src.Skipped + src.BadRecords; sum != src.Records {
				t.Fatalf("records %d ≠ events %d − derived %d + folded %d + skipped %d + bad %d",
					src.Records, len(evs), src.Derived, src.Folded, src.Skipped, src.BadRecords)
			}
			tl := tallyOf(evs)
			if got := tl.arp + tl.runFrames + src.Skipped + problemFrames(src); got != src.Records {
				t.Fatalf("accounting: %d ARP + %d in runs + %d skipped + %d malformed = %d, want %d frames",
					tl.arp, tl.runFrames, src.Skipped, problemFrames(src), got, src.Records)
			}
			if src.Records > int64(len(data)/8) {
				t.Fatalf("%d records from %d bytes", src.Records, len(data))
			}
			if !slices.IsSortedFunc(evs, func(a, b timeline.Event) int { return a.Time.Compare(b.Time) }) {
				t.Fatal("events not sorted by time")
			}
		}
	})
}
