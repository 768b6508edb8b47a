package pcap

import (
	"io"

	"github.com/arpforensics/arpforensics/parse"
	"github.com/arpforensics/arpforensics/timeline"
)

// ReadPcap is the parse.Func for classic pcap files: any of the four
// magics (microsecond or nanosecond timestamps, either byte order), read
// with pcapgo.Reader. Link types other than Ethernet and Linux cooked (SLL,
// SLL2) are read but not analysed.
//
// A header that is damaged or of an unsupported version is an error (the
// source is unreadable). A capture cut short or damaged after its header
// keeps every frame before the damage and records a problem at the byte
// offset where it was cut.
func ReadPcap(r io.Reader, src *timeline.Source, opts parse.Options, out *timeline.Sink) error {
	s, err := newPcapSource(r)
	if err != nil {
		return err
	}
	read(s, src, opts, out)
	return nil
}

// Pcap and PcapNG are the capture files.
var (
	Pcap = parse.Format{
		Name:     "pcap",
		Describe: "pcap capture files: any byte order, Ethernet, VLAN, SLL",
		Sniff:    SniffPcap, Parse: ReadPcap,
	}
	PcapNG = parse.Format{
		Name:     "pcapng",
		Describe: "pcapng capture files: several interfaces, mixed link types",
		Sniff:    SniffPcapNG, Parse: ReadPcapNG,
	}
)

// IsCapture reports whether kind is one of this package's formats: frames
// of a capture, in a file or as tcpdump printed them.
func IsCapture(kind string) bool {
	return kind == Pcap.Name || kind == PcapNG.Name || kind == Text.Name
}

// IsCaptureFile reports whether kind is a capture file, whose frames can be
// read again by number.
func IsCaptureFile(kind string) bool { return kind == Pcap.Name || kind == PcapNG.Name }

// ReadPcapNG is the parse.Func for pcapng files: every section and
// interface, mixed link types, interface names (into Link.Iface) and
// packet directions from enhanced packet block flags, read with
// pcapgo.NgReader. Errors are handled as for ReadPcap.
func ReadPcapNG(r io.Reader, src *timeline.Source, opts parse.Options, out *timeline.Sink) error {
	s, err := newNgSource(r)
	if err != nil {
		return err
	}
	read(s, src, opts, out)
	return nil
}

var (
	_ parse.Func = ReadPcap
	_ parse.Func = ReadPcapNG
)

// pipelineThreads is the fewest threads a capture's reading and decoding
// overlap with. Given two (a 2-core machine) they take turns: the copy of
// every frame into a batch and its bytes crossing to the other core cost
// more than the overlap saves once that core is busy too (the spiller,
// the collector, other processes). Measured at load 2.8 on 2 cores, best
// of 3-5: the mixed shape 256M 0.20 -> 0.13 s, 1G 0.68 -> 0.48 s, the
// busy segment 256M 1.24 -> 1.20 s (RSS 157 -> 128 MB).
const pipelineThreads = 3

// read decodes every record; with pipelineThreads or more reading and
// decoding overlap (pipeline.go), with fewer they take turns on the
// caller's goroutine.
func read(s source, src *timeline.Source, opts parse.Options, out *timeline.Sink) {
	src.Basis = timeline.TimeFull
	d := newDecoder(src, parse.Options{Since: opts.Since, Until: opts.Until}, out)
	if opts.Threads >= pipelineThreads {
		readAll(s, d)
	} else {
		readSerial(s, d)
	}
	d.finish()
}
