package pcap

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/arpforensics/arpforensics/parse"
	"github.com/arpforensics/arpforensics/timeline"
)

// captureEvents reads a capture with the capture reader: the events its
// tcpdump renderings must reproduce.
func captureEvents(t *testing.T, path string) []timeline.Event {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	src := &timeline.Source{Path: path}
	evs, err := parse.Collect(ReadPcap, fh, src, parse.Options{})
	if err != nil || len(src.Problems) != 0 {
		t.Fatalf("%s: %v %v", path, err, src.Problems)
	}
	return evs
}

// describe renders an event as one canonical line for comparisons: every
// field a detector reads, nothing about where it was read from.
func describe(e *timeline.Event) string {
	switch d := e.Data.(type) {
	case *timeline.ARP:
		tpa := "?"
		if d.TPA.IsValid() {
			tpa = d.TPA.String()
		}
		s := fmt.Sprintf("arp %s op=%d %s sha=%s spa=%s tha=%s tpa=%s", d.Class, d.Op, linkText(&d.Link), d.SHA, d.SPA, d.THA, tpa)
		if d.SenderMismatch {
			s += " mismatch"
		}
		return s
	case *timeline.TCP:
		return fmt.Sprintf("tcp %s %s:%d>%s:%d seq=%d attempt=%d %s", d.What, d.SrcIP, d.SrcPort, d.DstIP, d.DstPort, d.Seq, d.Attempt, linkText(&d.Link))
	case *timeline.UsageRun:
		via := d.Dst.String()
		if d.DstInferred {
			via += "(inferred)"
		}
		return fmt.Sprintf("usage %s>%s via=%s frames=%d syns=%d until=%s %s", d.SrcIP, d.DstIP, via, d.Frames, d.SYNs,
			e.End.Format("15:04:05.000000"), linkText(&d.Link))
	}
	return fmt.Sprintf("%T", e.Data)
}

func linkText(l *timeline.Link) string {
	var b strings.Builder
	switch {
	case l.Src.IsZero() && !l.DstKnown:
		b.WriteString("link=-")
	case l.DstKnown:
		fmt.Fprintf(&b, "link=%s>%s", l.Src, l.Dst)
	default:
		fmt.Fprintf(&b, "link=%s>?", l.Src)
	}
	if l.VLAN != 0 {
		fmt.Fprintf(&b, " vlan=%d", l.VLAN)
	}
	if l.Direction != timeline.DirUnknown {
		fmt.Fprintf(&b, " dir=%s", l.Direction)
	}
	if l.Iface != "" {
		fmt.Fprintf(&b, " if=%s", l.Iface)
	}
	return b.String()
}

func timed(e *timeline.Event) string {
	return e.Time.Format("2006-01-02T15:04:05.000000000Z07:00") + " " + describe(e)
}
