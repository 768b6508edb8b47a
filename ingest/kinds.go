package ingest

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"

	"github.com/arpforensics/arpforensics/parse"
	"github.com/arpforensics/arpforensics/parse/neigh"
	"github.com/arpforensics/arpforensics/parse/ovn"
	"github.com/arpforensics/arpforensics/parse/ovsdb"
	"github.com/arpforensics/arpforensics/parse/pcap"
	"github.com/arpforensics/arpforensics/parse/txnlog"
	"github.com/arpforensics/arpforensics/parse/vlog"
)

// kinds is every artifact format ingest reads, tried in this order: the
// first whose Sniff accepts the head wins. Binary formats come first: their
// magic numbers are unambiguous. A new format is its parser package plus
// one line here.
var kinds = []parse.Format{
	pcap.Pcap,
	pcap.PcapNG,
	// Text formats after the binary ones.
	ovsdb.Format, // first line "OVSDB JSON|CLUSTER <len> <sha1>"
	pcap.Text,
	neigh.Format,
	vlog.Format,
	txnlog.Format,
	ovn.Nbctl,
	ovn.Ofctl,
	ovn.Tempest,
	ovn.TestResults,
}

// Kinds lists the formats ingest recognises, in sniffing order.
func Kinds() []parse.Format { return kinds }

// sniff picks the kind of a file from its head, or says why it has none.
func sniff(head []byte) (*parse.Format, string) {
	if len(head) == 0 {
		return nil, "empty file"
	}
	if what := OwnOutput(head); what != "" {
		return nil, what
	}
	text := looksLikeText(head)
	for i := range kinds {
		k := &kinds[i]
		if k.Text && !text {
			continue
		}
		if k.Sniff(head) {
			return k, ""
		}
	}
	if !text {
		return nil, fmt.Sprintf("binary data of no known format (starts %s)", hexStart(head))
	}
	return nil, "text of no known artifact kind"
}

// looksLikeText accepts heads without NUL bytes and with few control bytes
// other than tab, CR, LF and ESC (colour codes in logs).
func looksLikeText(head []byte) bool {
	if bytes.IndexByte(head, 0) >= 0 {
		return false
	}
	ctl := 0
	for _, c := range head {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != 0x1b && c != '\f' {
			ctl++
		}
	}
	return ctl*100 <= len(head)
}

func hexStart(b []byte) string {
	n := min(len(b), 4)
	var x [4]byte
	copy(x[:], b[:n])
	return fmt.Sprintf("%0*x", n*2, binary.BigEndian.Uint32(x[:])>>(8*(4-n)))
}

// OwnOutput names the arpforensics output head starts, or "". A CI tree
// analysed twice holds the first run's outputs, which quote artifact lines
// in their evidence: they are reports, not artifacts. Each is recognised by
// its shape at the start of the file, never by text found anywhere in it
// (a tenant can put any text into a log line, a port name for one): the
// JSON report by its document's first key, "schema"; JUnit by its root
// element; HTML by the generator meta element among the head's first
// elements; NDJSON findings and timeline events by their first object's
// keys; the text report by its first line; an evidence export by its
// pcapng section header's application, its log file by its first line.
func OwnOutput(head []byte) string {
	start := head[:min(len(head), 4096)]
	switch {
	case jsonSchema(start) == "arpforensics.report/v1":
		return "an arpforensics JSON report"
	case junitRoot(start):
		return "an arpforensics JUnit report"
	case htmlGenerator(start):
		return "an arpforensics HTML report"
	case pcapngApplication(start) == ExportApplication:
		return "an arpforensics evidence export (its frames are copies of a capture's)"
	case bytes.HasPrefix(start, []byte(ExportLogHeader)):
		return "an arpforensics evidence export's log evidence"
	}
	first := start
	if i := bytes.IndexByte(first, '\n'); i >= 0 {
		first = first[:i]
	}
	switch {
	case bytes.HasPrefix(first, []byte(`{"id":"`)) && bytes.Contains(first, []byte(`"detector":"`)) && bytes.Contains(first, []byte(`"subject":`)):
		return "arpforensics findings (NDJSON)"
	case bytes.HasPrefix(first, []byte(`{"message":`)) && bytes.Contains(first, []byte(`,"timestamp_desc":"`)) &&
		(bytes.Contains(first, []byte(`,"pos":"`)) || bytes.Contains(first, []byte(`,"finding_id":"`))):
		return "an arpforensics timeline export (JSON lines)"
	case bytes.HasPrefix(first, []byte("arpforensics: ")) && bytes.Contains(first, []byte(" source(s) analysed")):
		return "an arpforensics text report"
	}
	return ""
}

// jsonSchema is the value of a JSON document's first key when that key is
// "schema", else "".
func jsonSchema(head []byte) string {
	dec := json.NewDecoder(bytes.NewReader(head))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return ""
	}
	if key, err := dec.Token(); err != nil || key != "schema" {
		return ""
	}
	if v, err := dec.Token(); err == nil {
		if s, ok := v.(string); ok {
			return s
		}
	}
	return ""
}

// junitRoot reports whether head is an XML document whose root element is
// our testsuites.
func junitRoot(head []byte) bool {
	rest := bytes.TrimLeft(head, " \t\r\n")
	if bytes.HasPrefix(rest, []byte("<?xml")) {
		end := bytes.Index(rest, []byte("?>"))
		if end < 0 {
			return false
		}
		rest = bytes.TrimLeft(rest[end+2:], " \t\r\n")
	}
	return bytes.HasPrefix(rest, []byte(`<testsuites name="arpforensics"`))
}

// htmlGenerator reports whether head is an HTML document with our
// generator mark in its head, before any element a page's content could
// put there: only the doctype, html, head, meta and title elements written
// before it may precede it.
func htmlGenerator(head []byte) bool {
	rest := bytes.TrimLeft(head, " \t\r\n")
	if !bytes.HasPrefix(bytes.ToLower(rest[:min(len(rest), 15)]), []byte("<!doctype html>")) {
		return false
	}
	rest = rest[15:]
	for {
		rest = bytes.TrimLeft(rest, " \t\r\n")
		if bytes.HasPrefix(rest, []byte(`<meta name="generator" content="arpforensics`)) {
			return true
		}
		ok := false
		for _, tag := range []string{"<html", "<head>", "<meta "} {
			if bytes.HasPrefix(rest, []byte(tag)) {
				ok = true
			}
		}
		end := bytes.IndexByte(rest, '>')
		if !ok || end < 0 {
			return false
		}
		rest = rest[end+1:]
	}
}
