package analysis

import (
	"fmt"
	"strings"

	"github.com/arpforensics/arpforensics/ingest"
	"github.com/arpforensics/arpforensics/parse/pcap"
	"github.com/arpforensics/arpforensics/timeline"
)

// A CI tree holds the same evidence several times: neutron's br-ex capture
// as tcpdump.pcap, as the tcpdump unit of devstack.journal.gz and as
// screen-br-ex-tcpdump.txt; neutron-server's log as its journal unit and as
// screen-q-svc.txt. Counting each would double every frame and every
// transaction (two interleaved-txn findings for one race, "135 requests"
// for 45). Sources of one host whose events are the same multiset — same
// count, same times of day, kinds and durations (timeline.Sink.Fingerprint)
// — are one source: the best copy is kept and the others listed as
// skipped duplicates naming it.

// family groups kinds that can hold the same events.
func family(kind string) string {
	if pcap.IsCapture(kind) {
		return "capture"
	}
	return kind
}

// rank orders copies: a capture's frames over its text, a file on disk (its
// text re-read by offset, a name the user knows) over a member of an
// archive or journal.
func rank(s *timeline.Source) int {
	// Each container level away from a plain file is a step down: a
	// screen file in a zipped tree beats the journal unit beside it.
	r := -strings.Count(s.Path, ingest.MemberSep)
	if pcap.IsCaptureFile(s.Kind) {
		r += 100
	}
	return r
}

// dedup marks duplicate sources skipped and drops their sinks.
func dedup(sources []*timeline.Source, sinks []*timeline.Sink) {
	type key struct {
		host, family string
		n            int64
		sum          uint64
	}
	best := map[key]int{}
	for i, s := range sources {
		if sinks[i] == nil || !s.Analysed() {
			continue
		}
		n, sum := sinks[i].Fingerprint()
		if n == 0 {
			continue
		}
		k := key{s.Host, family(s.Kind), n, sum}
		j, ok := best[k]
		if !ok {
			best[k] = i
			continue
		}
		if rank(s) > rank(sources[j]) {
			best[k] = i
		}
	}
	for i, s := range sources {
		if sinks[i] == nil || !s.Analysed() {
			continue
		}
		n, sum := sinks[i].Fingerprint()
		j, ok := best[key{s.Host, family(s.Kind), n, sum}]
		if !ok || j == i {
			continue
		}
		s.SkipReason = fmt.Sprintf("duplicate of %s: the same %d events (counted once)", sources[j].Path, n)
		sinks[i].Discard()
		sinks[i] = nil
	}
}
