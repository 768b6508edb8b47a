package pcap

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/arpforensics/arpforensics/parse"
	"github.com/arpforensics/arpforensics/timeline"
)

// parseOpts reads with the pipeline (reading and decoding overlapped), as a
// lone capture is read given three cores or more; TestSerialAndPipelinedReadsAgree
// covers the other path.
var parseOpts = parse.Options{Threads: pipelineThreads}

// corpusDir is the vendored real-format corpus, relative to this package.
const corpusDir = "../../testdata/corpus/pcap"

// manifestRow is one capture's ground truth from MANIFEST.tsv.
type manifestRow map[string]string

// readManifest parses MANIFEST.tsv: comment lines start with '#', the
// first other line names the columns.
func readManifest(t testing.TB) map[string]manifestRow {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(corpusDir, "MANIFEST.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	var cols []string
	rows := map[string]manifestRow{}
	for _, line := range strings.Split(string(b), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Split(line, "\t")
		if cols == nil {
			cols = fields
			continue
		}
		if len(fields) != len(cols) {
			t.Fatalf("MANIFEST.tsv: row %q has %d fields, want %d", fields[0], len(fields), len(cols))
		}
		r := manifestRow{}
		for i, c := range cols {
			r[c] = fields[i]
		}
		rows[r["filename"]] = r
	}
	return rows
}

// num reads a count column; ok is false for "ERR…" or "-".
func (r manifestRow) num(col string) (int64, bool) {
	n, err := strconv.ParseInt(r[col], 10, 64)
	return n, err == nil
}

// readCapture reads a capture as ingest would: sniffed by content, through
// a 1 MiB buffered reader.
func readCapture(t testing.TB, data []byte) (*timeline.Source, []timeline.Event, error) {
	t.Helper()
	src := &timeline.Source{Path: "test"}
	br := bufio.NewReaderSize(bytes.NewReader(data), 1<<20)
	switch {
	case SniffPcap(data):
		src.Kind = "pcap"
		evs, err := parse.Collect(ReadPcap, br, src, parseOpts)
		return src, evs, err
	case SniffPcapNG(data):
		src.Kind = "pcapng"
		evs, err := parse.Collect(ReadPcapNG, br, src, parseOpts)
		return src, evs, err
	}
	t.Fatalf("neither pcap nor pcapng (starts % x)", data[:min(len(data), 8)])
	return nil, nil, nil
}

// tallyEvents counts what a capture's events account for.
type eventTally struct {
	arp, runs, runFrames, tcp int64
	byClass                   map[timeline.ARPClass]int64
}

func tallyOf(evs []timeline.Event) eventTally {
	t := eventTally{byClass: map[timeline.ARPClass]int64{}}
	for _, e := range evs {
		switch d := e.Data.(type) {
		case *timeline.ARP:
			t.arp++
			t.byClass[d.Class]++
		case *timeline.UsageRun:
			t.runs++
			t.runFrames += d.Frames
		case *timeline.TCP:
			t.tcp++
		}
	}
	return t
}

// problemFrames counts the frames recorded as error problems.
func problemFrames(src *timeline.Source) int64 {
	var n int64
	for _, p := range src.Problems {
		if p.Level == timeline.LevelError && p.Pos.Frame > 0 && strings.HasPrefix(p.Message, "malformed ARP:") {
			n++
		}
	}
	return n
}

// corpusExpect states, per capture, what this reader must find where it
// differs from tshark's count in MANIFEST.tsv, and why. Captures not listed
// must match tshark's ts_pkts and ts_arp exactly.
var corpusExpect = map[string]struct {
	pkts, arp int64 // -1: take the manifest's ts_pkts / ts_arp
	why       string
}{
	"arp-oobr.pcap": {-1, 2023, "fuzzed ARP: of 2282 frames, 175 carry non-Ethernet hardware or non-IPv4 protocol types " +
		"(skipped) and 84 have address lengths that do not fit IPv4 over Ethernet (problems); tshark's arp dissector counts 2281 of them"},
	"arp-too-long-tha.pcap":                 {-1, 0, "hardware type 0x3030 with 14-byte addresses is not IPv4-over-Ethernet ARP (skipped)"},
	"arcnet-rfc1201-arp-icmp-http.pcap":     {-1, 0, "link type ARCNET_LINUX: ARP with 1-byte ARCNET addresses; the link type is read but not analysed"},
	"ipoib.pcap":                            {-1, 0, "link type IPOIB: ARP with 20-byte InfiniBand addresses; the link type is read but not analysed"},
	"linux_dlt_sll2.pcap":                   {-1, 1, "tshark's arp dissector also counts the RARP request (ethertype 0x8035)"},
	"rarp_req_reply.pcapng":                 {-1, 0, "RARP (ethertype 0x8035), counted by tshark's arp dissector, is not ARP"},
	"rarp_req_reply.trunc-mid-block.pcapng": {-1, 0, "RARP (ethertype 0x8035), counted by tshark's arp dissector, is not ARP"},
	"vxlan.pcap":                            {-1, 0, "tunnelled ARP inside VXLAN is deliberately not decoded (see isTunnel): overlay bindings would mix with the underlay's"},
	"ntg-le-test102.pcapng":                 {5, -1, "4 EPB + 1 SPB: tshark 4.0 also lists the file's 3 custom blocks (CB, DCB) as frames"},
	"ntg-le-test202.pcapng":                 {8, -1, "6 EPB + 2 SPB: tshark 4.0 also lists the file's 3 custom blocks (CB, DCB) as frames"},
}

// corpusTruncated are the captures cut mid-record: every complete frame
// before the cut is kept, and one problem gives the byte offset of the cut.
var corpusTruncated = map[string]struct {
	cut  int64
	text string
}{
	"dhcp-rfc4388.trunc-mid-record.pcap":    {1752, "record 8 at byte 1716 declares 42 captured bytes but the file ends at byte 1752, after 20 of them"},
	"rarp_req_reply.trunc-mid-block.pcapng": {252, "the block at byte 212 declares 76 bytes but the file ends at byte 252, after 40 of them"},
}

// corpusInvalid are the captures that must be refused as a whole.
var corpusInvalid = map[string]string{
	"pcap-invalid-version-1.pcap":           "unsupported pcap version 1.4",
	"pcapng-invalid-vers-2.pcapng":          "unsupported pcapng version 1.1",
	"shb-option-too-long.pcapng":            "damaged pcapng section header block: total length is 52 at its start but 808464432 at its end",
	"linktype-reserved-field-not-zero.pcap": "link-type field 0x00300000 has reserved bits set",
}

// TestCorpusConformance reads every capture in the corpus and checks the
// frames read and ARP frames found against MANIFEST.tsv, and that every
// frame is accounted for: in an event, skipped, or a problem.
func TestCorpusConformance(t *testing.T) {
	manifest := readManifest(t)
	files, err := filepath.Glob(filepath.Join(corpusDir, "*.pcap*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no captures in %s (%v)", corpusDir, err)
	}
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			row, ok := manifest[name]
			if !ok {
				t.Fatalf("%s is not in MANIFEST.tsv", name)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			src, evs, err := readCapture(t, data)
			if want, invalid := corpusInvalid[name]; invalid {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Fatalf("error = %v, want one containing %q", err, want)
				}
				if len(evs) != 0 || src.Records != 0 {
					t.Errorf("refused capture still gave %d events, %d records", len(evs), src.Records)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			exp := corpusExpect[name]
			wantPkts, wantARP := exp.pkts, exp.arp
			if wantPkts < 0 || exp.why == "" {
				wantPkts = mustNum(t, row, "ts_pkts")
			}
			if wantARP < 0 || exp.why == "" {
				wantARP = mustNum(t, row, "ts_arp")
			}
			tl := tallyOf(evs)
			if src.Records != wantPkts {
				t.Errorf("frames read = %d, want %d %s", src.Records, wantPkts, exp.why)
			}
			if tl.arp != wantARP {
				t.Errorf("ARP frames = %d, want %d %s", tl.arp, wantARP, exp.why)
			}
			if got := tl.arp + tl.runFrames + src.Skipped + problemFrames(src); got != src.Records {
				t.Errorf("accounting: %d ARP + %d frames in usage runs + %d skipped + %d malformed = %d, want %d frames read",
					tl.arp, tl.runFrames, src.Skipped, problemFrames(src), got, src.Records)
			}
			if !slices.IsSortedFunc(evs, func(a, b timeline.Event) int { return a.Time.Compare(b.Time) }) {
				t.Error("events are not sorted by time")
			}
			cut, truncated := corpusTruncated[name]
			var cuts []timeline.Problem
			for _, p := range src.Problems {
				if strings.HasPrefix(p.Message, "capture cut short") || strings.HasPrefix(p.Message, "damaged") {
					cuts = append(cuts, p)
				}
			}
			switch {
			case truncated && (len(cuts) != 1 || cuts[0].Pos != timeline.Pos{Offset: cut.cut} || !strings.Contains(cuts[0].Message, cut.text)):
				t.Errorf("problems = %v, want one at byte %d saying %q", src.Problems, cut.cut, cut.text)
			case !truncated && len(cuts) > 0:
				t.Errorf("unexpected problems %v", cuts)
			}
		})
	}
}

func mustNum(t *testing.T, row manifestRow, col string) int64 {
	t.Helper()
	n, ok := row.num(col)
	if !ok {
		t.Fatalf("MANIFEST.tsv %s: %s = %q is not a count", row["filename"], col, row[col])
	}
	return n
}
