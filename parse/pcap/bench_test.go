package pcap

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"io"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/arpforensics/arpforensics/parse"
	"github.com/arpforensics/arpforensics/timeline"
)

// mixedCapture builds a deterministic Ethernet capture of about size
// bytes: 2,000 conversations among 500 hosts, TCP segments with 0–1400 byte payloads (a SYN and
// SYN/ACK every 200 frames), 1% ARP, some UDP and IPv6. bench/gencap
// writes the full-size benchmark input; this is its in-memory cousin for
// go test -bench.
func mixedCapture(size int) []byte {
	rnd := rand.New(rand.NewPCG(7, 7))
	var buf bytes.Buffer
	buf.Grow(size + 2048)
	w := pcapgo.NewWriter(&buf)
	w.WriteFileHeader(262144, layers.LinkTypeEthernet)
	host := func(i int) ([6]byte, [4]byte) {
		return [6]byte{0xfa, 0x16, 0x3e, 0, byte(i >> 8), byte(i)}, [4]byte{10, 0, byte(i >> 8), byte(i)}
	}
	payload := make([]byte, 1500)
	for i := range payload {
		payload[i] = byte(rnd.Uint32())
	}
	ts := time.Date(2017, 5, 10, 10, 0, 0, 0, time.UTC)
	frame := make([]byte, 0, 1600)
	var flows [][2]int // 2,000 conversations between the hosts
	for len(flows) < 2000 {
		flows = append(flows, [2]int{rnd.IntN(500), rnd.IntN(500)})
	}
	for n := 0; buf.Len() < size; n++ {
		ts = ts.Add(time.Duration(rnd.IntN(2000)) * time.Microsecond)
		fl := flows[rnd.IntN(len(flows))]
		if rnd.IntN(2) == 0 {
			fl[0], fl[1] = fl[1], fl[0]
		}
		smac, sip := host(fl[0])
		dmac, dip := host(fl[1])
		frame = append(frame[:0], dmac[:]...)
		frame = append(frame, smac[:]...)
		switch r := rnd.IntN(100); {
		case r == 0: // ARP request or reply
			frame = append(frame, 8, 6, 0, 1, 8, 0, 6, 4, 0, byte(1+rnd.IntN(2)))
			frame = append(frame, smac[:]...)
			frame = append(frame, sip[:]...)
			frame = append(frame, dmac[:]...)
			frame = append(frame, dip[:]...)
			frame = append(frame, make([]byte, 18)...)
		case r < 4: // IPv6 multicast
			frame = append(frame, 0x86, 0xdd)
			frame = append(frame, payload[:72]...)
		default:
			proto, l4 := byte(6), 32
			if r < 8 {
				proto, l4 = 17, 8
			}
			pl := rnd.IntN(1401)
			frame = append(frame, 8, 0, 0x45, 0)
			frame = binary.BigEndian.AppendUint16(frame, uint16(20+l4+pl))
			frame = append(frame, 0, 0, 0x40, 0, 64, proto, 0, 0)
			frame = append(frame, sip[:]...)
			frame = append(frame, dip[:]...)
			frame = binary.BigEndian.AppendUint16(frame, uint16(30000+rnd.IntN(1000)))
			frame = binary.BigEndian.AppendUint16(frame, 443)
			if proto == 6 {
				flags := byte(0x18)
				switch n % 200 {
				case 0:
					flags = 0x02
				case 1:
					flags = 0x12
				}
				frame = binary.BigEndian.AppendUint32(frame, rnd.Uint32())
				frame = binary.BigEndian.AppendUint32(frame, rnd.Uint32())
				frame = append(frame, 0x80, flags, 0xff, 0xff, 0, 0, 0, 0)
				frame = append(frame, 1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2)
			} else {
				frame = binary.BigEndian.AppendUint16(frame, uint16(8+pl))
				frame = append(frame, 0, 0)
			}
			frame = append(frame, payload[:pl]...)
		}
		w.WritePacket(gopacket.CaptureInfo{Timestamp: ts, CaptureLength: len(frame), Length: len(frame)}, frame)
	}
	return buf.Bytes()
}

var benchCapture []byte

func benchData(b *testing.B) []byte {
	if benchCapture == nil {
		benchCapture = mixedCapture(64 << 20)
	}
	return benchCapture
}

// BenchmarkReadPcap measures the whole reader — pcapgo, batching,
// decoding, folding — over an in-memory capture. Its allocations are the
// per-capture setup and the events, none per frame: allocs/op stays flat
// as the capture grows.
func BenchmarkReadPcap(b *testing.B) {
	data := benchData(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		src := &timeline.Source{}
		if _, err := parse.Collect(ReadPcap, bufio.NewReaderSize(bytes.NewReader(data), 1<<20), src, parseOpts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeFrame measures decoding and folding alone, on frames
// that extend existing usage runs (the common case): zero allocations.
func BenchmarkDecodeFrame(b *testing.B) {
	data := benchData(b)
	r, err := pcapgo.NewReader(bytes.NewReader(data))
	if err != nil {
		b.Fatal(err)
	}
	var frames [][]byte
	var size int64
	for len(frames) < 4096 {
		f, _, err := r.ReadPacketData()
		if err == io.EOF {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		// Data segments only: SYNs and ARP become events, which allocate.
		if len(f) > 47 && f[12] == 8 && f[13] == 0 && f[23] == 6 && f[47] == 0x18 {
			frames = append(frames, f)
			size += int64(len(f))
		}
	}
	d := newDecoder(&timeline.Source{}, parse.Options{}, timeline.NewSpace().NewSink(""))
	m := &meta{ts: time.Date(2017, 5, 10, 10, 0, 0, 0, time.UTC), link: layers.LinkTypeEthernet}
	for _, f := range frames { // open every run once
		d.frame(f, m)
	}
	b.SetBytes(size / int64(len(frames)))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		d.frame(frames[i], m)
		if i++; i == len(frames) {
			i = 0
		}
	}
}

// BenchmarkReadPcapFile reads the capture named by $ARPF_BENCH_CAPTURE
// (e.g. the one bench/capture.sh generates with KEEP=1), for profiling the
// reader on the full benchmark input:
//
//	ARPF_BENCH_CAPTURE=$PWD/bench/out/mixed-2000000000.pcap \
//	  go test ./parse/pcap -run - -bench ReadPcapFile -cpuprofile cpu.prof
func BenchmarkReadPcapFile(b *testing.B) {
	path := os.Getenv("ARPF_BENCH_CAPTURE")
	if path == "" {
		b.Skip("set ARPF_BENCH_CAPTURE to a capture file")
	}
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(fi.Size())
	b.ReportAllocs()
	for b.Loop() {
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		src := &timeline.Source{}
		if _, err := parse.Collect(ReadPcap, bufio.NewReaderSize(f, 1<<20), src, parseOpts); err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
}

// BenchmarkReadPcapNG reads the same frames as BenchmarkReadPcap from a
// pcapng file. pcapgo allocates for some per-packet options (the flags
// word, comments) and for link types from 256 up (SLL2), which it boxes
// per packet; this file has neither, so allocs/op stays per capture.
func BenchmarkReadPcapNG(b *testing.B) {
	classic := benchData(b)
	r, err := pcapgo.NewReader(bytes.NewReader(classic))
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	w, err := pcapgo.NewNgWriter(&buf, layers.LinkTypeEthernet)
	if err != nil {
		b.Fatal(err)
	}
	for {
		data, ci, err := r.ZeroCopyReadPacketData()
		if err == io.EOF {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
		w.WritePacket(ci, data)
	}
	w.Flush()
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		src := &timeline.Source{}
		if _, err := parse.Collect(ReadPcapNG, bufio.NewReaderSize(bytes.NewReader(data), 1<<20), src, parseOpts); err != nil {
			b.Fatal(err)
		}
	}
}
