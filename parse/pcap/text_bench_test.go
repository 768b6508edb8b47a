package pcap

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/arpforensics/arpforensics/parse"
	"github.com/arpforensics/arpforensics/timeline"
)

// benchInput repeats a rendering to about 8 MB. Its frames are mostly
// irrelevant or folded lines, as in a real capture, with the ARP and
// handshake lines that become events.
func benchInput(b *testing.B, file string) []byte {
	b.Helper()
	one, err := os.ReadFile(filepath.Join(textData, file))
	if err != nil {
		b.Fatal(err)
	}
	return bytes.Repeat(one, 8<<20/len(one)+1)
}

func benchParse(b *testing.B, file string) {
	in := benchInput(b, file)
	opts := parse.Options{Year: 2024, ModTime: time.Date(2024, 3, 11, 0, 0, 10, 0, time.UTC)}
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		src := &timeline.Source{}
		if _, err := parse.Collect(ParseText, bytes.NewReader(in), src, opts); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseTextEthernet(b *testing.B) { benchParse(b, "ether.e-nn.txt") }
func BenchmarkParseTextJournal(b *testing.B)  { benchParse(b, "journal.txt") }
func BenchmarkParseTextCooked(b *testing.B)   { benchParse(b, "sll2.e-nn.txt") }

// BenchmarkTextIrrelevantLines measures the path most lines of a busy
// capture take: a data frame folded into an open run, an IPv6 frame, and
// another unit's journal line. None may allocate.
func BenchmarkTextIrrelevantLines(b *testing.B) {
	lines := [][]byte{
		[]byte("23:59:58.504100 02:00:00:00:00:01 > 02:00:00:00:00:0a, ethertype IPv4 (0x0800), length 154: 10.0.0.1.40000 > 10.0.0.100.22: Flags [.], seq 1:101, ack 1, win 64240, length 100"),
		[]byte("00:00:03.026100 02:00:00:00:00:01 > 33:33:00:00:00:01, ethertype IPv6 (0x86dd), length 62: fe80::1 > ff02::1: ICMP6, router solicitation, length 8"),
		[]byte("Mar 11 00:00:03.397100 devstack-node neutron-server[777]: DEBUG ovsdbapp.backend.ovs_idl.transaction [-] Running txn n=1 command(idx=0): LrpAddCommand(lrouter=neutron-1)"),
		[]byte("Mar 11 00:00:03.397100 devstack-node tcpdump[4242]: 00:00:03.022100 02:00:00:00:00:01 > 02:00:00:00:00:0b, ethertype IPv4 (0x0800), length 60: 10.0.0.1 > 10.0.0.200: ICMP echo request, id 7, seq 1, length 12"),
		[]byte("23:59:58.504100 ifb0  Out ifindex 2 02:00:00:00:00:05 ethertype IPv4 (0x0800), length 160: 10.0.0.1.40000 > 10.0.0.100.22: Flags [.], seq 1:101, ack 1, win 64240, length 100"),
	}
	src := &timeline.Source{}
	r := newTextReader(src, parse.Options{ModTime: time.Date(2024, 3, 11, 0, 0, 10, 0, time.UTC)}, timeline.NewSpace().NewSink(""))
	var n int64
	for _, l := range lines {
		n += int64(len(l) + 1)
	}
	r.line(lines[0], timeline.Pos{Line: 1}, false) // open the runs
	r.line(lines[3], timeline.Pos{Line: 2}, false)
	r.line(lines[4], timeline.Pos{Line: 3}, false)
	b.SetBytes(n)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j, l := range lines {
			r.line(l, timeline.Pos{Line: int64(i*len(lines) + j + 4)}, false)
		}
	}
}
