package pcap

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/arpforensics/arpforensics/parse"
	"github.com/arpforensics/arpforensics/timeline"
)

// readBoth reads a capture with the fast path and without it.
func readBoth(t *testing.T, read parse.Func, data []byte) (fast, slow []timeline.Event, fsrc, ssrc *timeline.Source, ferr, serr error) {
	t.Helper()
	defer func() { fastPathOff = false }()
	fsrc, ssrc = &timeline.Source{}, &timeline.Source{}
	fastPathOff = false
	fast, ferr = parse.Collect(read, bytes.NewReader(data), fsrc, parseOpts)
	fastPathOff = true
	slow, serr = parse.Collect(read, bytes.NewReader(data), ssrc, parseOpts)
	return
}

// sameReading fails unless the two readings agree in every event, count,
// note and problem.
func sameReading(t *testing.T, name string, read parse.Func, data []byte) {
	t.Helper()
	fast, slow, fsrc, ssrc, ferr, serr := readBoth(t, read, data)
	if (ferr == nil) != (serr == nil) || ferr != nil && ferr.Error() != serr.Error() {
		t.Fatalf("%s: fast path error %v, parser's %v", name, ferr, serr)
	}
	if len(fast) != len(slow) {
		t.Fatalf("%s: fast path gave %d events, the parser %d", name, len(fast), len(slow))
	}
	for i := range fast {
		if !reflect.DeepEqual(fast[i], slow[i]) {
			t.Fatalf("%s: event %d differs:\nfast:   %+v %+v\nparser: %+v %+v", name, i, fast[i], fast[i].Data, slow[i], slow[i].Data)
		}
	}
	if !reflect.DeepEqual(fsrc, ssrc) {
		t.Fatalf("%s: sources differ:\nfast:   %+v\nparser: %+v", name, fsrc, ssrc)
	}
}

// TestFastPathMatchesParser reads every capture the tests and samples hold
// both ways.
func TestFastPathMatchesParser(t *testing.T) {
	var files []string
	for _, pat := range []string{corpusDir + "/*.pcap*", "../../samples/*/*.pcap*", "../../samples/*/*/*.pcap*", "../../testdata/*/*.pcap*", "../../testdata/*/*/*.pcap*"} {
		m, _ := filepath.Glob(pat)
		files = append(files, m...)
	}
	if len(files) < 20 {
		t.Fatalf("only %d captures found", len(files))
	}
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		read := ReadPcap
		if strings.Contains(p, ".pcapng") || len(data) >= 4 && binary.LittleEndian.Uint32(data) == 0x0a0d0d0a {
			read = ReadPcapNG
		}
		sameReading(t, p, read, data)
	}
}

// FuzzFastPath: whatever a frame holds, the fast path and the parser read
// it alike, alone and among frames that share its addresses.
func FuzzFastPath(f *testing.F) {
	arp := cat(ether(bcast, hostA, 0x0806), arpBody(1, hostA, ipA, zeroHW, ipB))
	f.Add(arp)
	f.Add(cat(ether(hostB, hostA, 0x0806, 0x8100, 7), arpBody(2, hostA, ipA, hostB, ipB)))
	f.Add(cat(ether(hostB, hostA, 0x0800), ipv4TCP(ipA, ipB, 40000, 443, 1, 0x02)))
	f.Add(cat(ether(hostB, hostA, 0x0800, 0x88a8, 300, 0x8100, 100), ipv4TCP(ipA, ipB, 40000, 443, 1, 0x12)))
	f.Add(cat(ether(hostB, hostA, 0x0800, 0x8100, 7, 0x8100, 8, 0x8100, 9), ipv4TCP(ipA, ipB, 1, 2, 3, 0x02)))
	f.Add(cat(ether(hostB, hostA, 0x0800), ipv4TCP(ipA, ipB, 40000, 443, 1, 0x18)[:30]))
	f.Fuzz(func(t *testing.T, frame []byte) {
		other := cat(ether(hostB, hostA, 0x0800), ipv4TCP(ipA, ipB, 40000, 443, 1, 0x18))
		data := classicCapture(binary.LittleEndian, false, 1,
			testFrame{tBase, frame}, testFrame{tBase.Add(1), other}, testFrame{tBase.Add(2), frame}, testFrame{tBase.Add(3), arp})
		sameReading(t, "fuzzed frame", ReadPcap, data)
	})
}
