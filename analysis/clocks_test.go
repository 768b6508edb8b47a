package analysis

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/arpforensics/arpforensics/timeline"
)

var t0 = time.Date(2018, 9, 18, 17, 9, 17, 0, time.UTC)

func syn(at time.Duration, port uint16, attempt int) timeline.Event {
	return timeline.Event{Time: t0.Add(at), Pos: timeline.Pos{Frame: int64(port)}, Data: &timeline.TCP{
		What: timeline.TCPSyn, SrcIP: netip.MustParseAddr("10.0.0.1"), DstIP: netip.MustParseAddr("10.0.0.2"),
		SrcPort: port, DstPort: 22, Seq: 42, Attempt: attempt,
	}}
}

func source(host string, evs []timeline.Event) *timeline.Source {
	return &timeline.Source{Path: host + ".pcap", Kind: "pcap", Host: host}
}

func TestSkewNoteNamesTheHostAheadAndTheFix(t *testing.T) {
	var a, b []timeline.Event
	for i := 0; i < 5; i++ {
		a = append(a, syn(time.Duration(i)*time.Second, uint16(40000+i), 1))
		b = append(b, syn(time.Duration(i)*time.Second+2500*time.Millisecond, uint16(40000+i), 1))
	}
	tl := timeline.Build([]*timeline.Source{source("compute", a), source("controller", b)}, [][]timeline.Event{a, b})
	notes := clockNotes(tl)
	if len(notes) != 1 || !strings.Contains(notes[0], "host controller's clock runs about 2.5s ahead of host compute's") ||
		!strings.Contains(notes[0], "--offset controller=-2.5s") || !strings.Contains(notes[0], "5 TCP handshake frame(s)") {
		t.Fatalf("notes = %q", notes)
	}
}

func TestNoSkewNoteWithinASecond(t *testing.T) {
	a := []timeline.Event{syn(0, 40000, 1)}
	b := []timeline.Event{syn(300*time.Millisecond, 40000, 1)}
	tl := timeline.Build([]*timeline.Source{source("a", a), source("b", b)}, [][]timeline.Event{a, b})
	if notes := clockNotes(tl); len(notes) != 0 {
		t.Fatalf("notes = %q", notes)
	}
}

func TestDisjointHostsAreNoted(t *testing.T) {
	a := []timeline.Event{syn(0, 40000, 1), syn(time.Minute, 40001, 1)}
	b := []timeline.Event{syn(time.Hour, 40002, 1)}
	tl := timeline.Build([]*timeline.Source{source("a", a), source("b", b)}, [][]timeline.Event{a, b})
	notes := clockNotes(tl)
	if len(notes) != 1 || !strings.Contains(notes[0], "hosts a (2018-09-18T17:09:17Z – 2018-09-18T17:10:17Z) and b") {
		t.Fatalf("notes = %q", notes)
	}
}
