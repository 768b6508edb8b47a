package detect

import (
	"net/netip"
	"testing"
	"time"

	"github.com/arpforensics/arpforensics/parse/pcap"
	"github.com/arpforensics/arpforensics/timeline"
)

// scene builds a one-capture timeline frame by frame through the same folder
// the capture readers use, so detectors see the events real input yields.
type scene struct {
	sink   *timeline.Sink
	f      *pcap.Folder
	evs    []timeline.Event // what the folder made, once closed
	frame  int64
	t0     time.Time
	cooked bool // Linux cooked capture: no destination MACs, directions known
	host   timeline.MAC
}

func newScene() *scene {
	sink := timeline.NewSpace().NewSink("")
	return &scene{sink: sink, f: pcap.NewFolder(sink), t0: time.Date(2017, 5, 16, 14, 30, 0, 0, time.UTC)}
}

func (s *scene) at(sec float64) time.Time {
	return s.t0.Add(time.Duration(sec * float64(time.Second)))
}

func (s *scene) pos() timeline.Pos { s.frame++; return timeline.Pos{Frame: s.frame} }

func (s *scene) link(src, dst timeline.MAC) timeline.Link {
	if s.cooked {
		dir := timeline.DirIncoming
		if src == s.host {
			dir = timeline.DirOutgoing
		}
		return timeline.Link{Src: src, Direction: dir}
	}
	return timeline.Link{Src: src, Dst: dst, DstKnown: true}
}

// request: sha asks who-has tpa; dst is broadcast unless given (a NUD probe).
func (s *scene) request(sec float64, sha timeline.MAC, spa, tpa string, dst timeline.MAC) {
	if dst.IsZero() {
		dst = timeline.Broadcast
	}
	s.f.ARP(s.at(sec), s.pos(), s.link(sha, dst), 1, sha, timeline.MAC{}, ip(spa), ip(tpa), nil)
}

func (s *scene) reply(sec float64, sha timeline.MAC, spa string, tha timeline.MAC, tpa string) {
	s.f.ARP(s.at(sec), s.pos(), s.link(sha, tha), 2, sha, tha, ip(spa), ip(tpa), nil)
}

// garpReply is arping -A: a broadcast reply with spa == tpa and tha == sha.
func (s *scene) garpReply(sec float64, sha timeline.MAC, addr string) {
	s.f.ARP(s.at(sec), s.pos(), s.link(sha, timeline.Broadcast), 2, sha, sha, ip(addr), ip(addr), nil)
}

func (s *scene) garpRequest(sec float64, sha timeline.MAC, addr string) {
	s.f.ARP(s.at(sec), s.pos(), s.link(sha, timeline.Broadcast), 1, sha, timeline.Broadcast, ip(addr), ip(addr), nil)
}

func (s *scene) send(sec float64, src, dst timeline.MAC, srcIP, dstIP string, tcp *pcap.TCPInfo) {
	s.f.IPv4(s.at(sec), s.pos(), s.link(src, dst), ip(srcIP), ip(dstIP), tcp, nil)
}

func (s *scene) syn(sec float64, src, dst timeline.MAC, srcIP, dstIP string, port uint16, seq uint32) {
	s.send(sec, src, dst, srcIP, dstIP, &pcap.TCPInfo{SrcPort: port, DstPort: 22, Seq: seq, SYN: true})
}

// events closes the folder on the first call and returns the events it
// made, in timeline order; a scene can be built into several timelines.
func (s *scene) events() []timeline.Event {
	if s.evs != nil {
		return s.evs
	}
	src := &timeline.Source{}
	s.f.Close(src)
	tl, err := timeline.Merge([]*timeline.Source{src}, []*timeline.Sink{s.sink}, timeline.Window{})
	if err != nil {
		panic(err)
	}
	s.evs = make([]timeline.Event, tl.Len())
	for i := range s.evs {
		s.evs[i] = tl.Event(i)
	}
	return s.evs
}

func (s *scene) timeline() *timeline.Timeline {
	src := &timeline.Source{Path: "scene.pcap", Kind: "pcap", Host: "default"}
	return timeline.Build([]*timeline.Source{src}, [][]timeline.Event{s.events()})
}

func ip(s string) netip.Addr { return netip.MustParseAddr(s) }

func mac(s string) timeline.MAC {
	m, err := timeline.ParseMAC(s)
	if err != nil {
		panic(err)
	}
	return m
}

var (
	observer = mac("52:54:00:6b:1e:01")
	oldMAC   = mac("fa:16:3e:4d:2a:91")
	newMAC   = mac("fa:16:3e:c7:05:3b")
	other    = mac("fa:16:3e:00:00:99")
)

const (
	obsIP = "172.24.5.1"
	fip   = "172.24.5.11"
)

// run runs one detector with the default config.
func run(t *testing.T, d Detector, tl *timeline.Timeline) []Finding {
	t.Helper()
	cfg := Defaults()
	return findingsOf(d, tl, &cfg)
}

func onlyFinding(t *testing.T, fs []Finding) Finding {
	t.Helper()
	if len(fs) != 1 {
		for _, f := range fs {
			t.Logf("finding: %s", f.Title)
		}
		t.Fatalf("got %d findings, want 1", len(fs))
	}
	return fs[0]
}

func wantSubject(t *testing.T, f Finding, want map[string]any) {
	t.Helper()
	for k, v := range want {
		if got := f.Subject.Get(k); got != v {
			t.Errorf("subject %s = %v (%T), want %v (%T)", k, got, got, v, v)
		}
	}
}

// findingsOf runs one detector with no cap and returns what it found.
func findingsOf(d Detector, tl *timeline.Timeline, cfg *Config) []Finding {
	out := NewFindings(0)
	d.Detect(tl, cfg, out)
	return out.List(d.Name(), d.Instances())
}
