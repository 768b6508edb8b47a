package pcap

import (
	"bytes"

	"github.com/arpforensics/arpforensics/parse"
	"github.com/arpforensics/arpforensics/parse/lex"
)

// sniffLines is how many telling lines of the head SniffText weighs.
const sniffLines = 64

// SniffText reports whether head (the start of a text file) is tcpdump's
// text output, bare or in a journal export. It weighs the first telling
// lines: a line that parses as a tcpdump frame counts for, one that looks
// like tcpdump output but does not parse counts against, and any other line
// (another program's journal lines, comments, `ip neigh` output) counts
// against too, so a neutron-server journal that happens to hold a tcpdump
// line is not claimed. Blank lines, tcpdump's banners and indented
// continuation lines are neutral.
func SniffText(head []byte) bool {
	var fr textFrame
	good, bad, foreign, seen := 0, 0, 0, 0
	cut := !bytes.HasSuffix(head, []byte{'\n'})
	for line, rest := range parse.HeadLines(head) {
		if seen == sniffLines {
			break
		}
		v := sniffLine(line, &fr)
		if cut && len(rest) == 0 && v != sniffGood {
			break // the head ends inside this line: it can only count for
		}
		switch v {
		case sniffGood:
			good++
		case sniffBad:
			bad++
		case sniffForeign:
			foreign++
		default:
			continue
		}
		seen++
	}
	return good > 0 && good >= 2*bad && good > foreign
}

type sniffVerdict uint8

const (
	sniffNeutral sniffVerdict = iota
	sniffGood
	sniffBad
	sniffForeign
)

func sniffLine(line []byte, fr *textFrame) sniffVerdict {
	if len(bytes.TrimSpace(line)) == 0 {
		return sniffNeutral
	}
	msg := line
	if p, m, ok := lex.CutJournalPrefix(line); ok {
		if string(p.Ident) != "tcpdump" {
			return sniffForeign
		}
		msg = m
	} else if p, m, ok := lex.CutISOJournalPrefix(line); ok && len(line) >= 26 {
		if string(p.Ident) != "tcpdump" {
			return sniffForeign
		}
		msg = m
	}
	if len(msg) == 0 {
		return sniffNeutral // a journal line with an empty message
	}
	_, body, ok := cutStamp(msg)
	if !ok {
		switch {
		case isDeltaStamp(msg):
			return sniffGood // tcpdump -ttt: claimed, so the parser can say why it is of no use
		case msg[0] == ' ' || msg[0] == '\t' || isBanner(msg):
			return sniffNeutral
		case parseFrame(msg, fr) == "" && fr.proto != protoOther:
			return sniffGood // tcpdump -t: claimed, so the parser can say why it is of no use
		}
		return sniffForeign
	}
	if parseFrame(body, fr) != "" {
		return sniffBad
	}
	if fr.known {
		return sniffGood
	}
	return sniffNeutral // a protocol this reader does not know, or not tcpdump at all
}

// isBanner recognises what tcpdump prints besides frames (on starting, on
// stopping, its warnings) and journalctl's own markers ("-- Logs begin at
// …", "-- Reboot --").
func isBanner(msg []byte) bool {
	for _, p := range []string{"listening on ", "reading from file ", "tcpdump: ", "Warning: ", "dropped privs", "-- "} {
		if hasPrefix(msg, p) {
			return true
		}
	}
	// "12 packets captured", "1 packet received by filter", "0 packets dropped by kernel"
	i := 0
	for i < len(msg) && lex.IsDigit(msg[i]) {
		i++
	}
	return i > 0 && hasPrefix(msg[i:], " packet")
}
