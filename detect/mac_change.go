package detect

import (
	"fmt"

	"github.com/arpforensics/arpforensics/timeline"
)

// macChange reports every change of an IP's MAC binding, as arpwatch's
// "changed ethernet address" and "flip flop" do. Moves are normal for
// floating IPs, so these are informational: they anchor the other findings
// and show a binding that keeps flapping.
type macChange struct{}

func (macChange) Name() string { return "mac-change" }

func (macChange) Describe() string {
	return "an IP is seen bound to a different MAC than before (flip-flop when it moves back)"
}

// maxChangesPerIP bounds the findings for one IP; a binding that flaps more
// often than this gets one summary finding for the rest.
const maxChangesPerIP = 20

func (macChange) Detect(tl *timeline.Timeline, cfg *Config, out *Findings) {
	ms := movesOf(tl, cfg)
	perIP := map[ipKey][]int{}
	var keys []ipKey
	for i := range ms {
		if (ms[i].oldSeen|ms[i].newSeen)&^witDatabase == 0 {
			continue // only the databases saw it: stale-mac-binding reads those
		}
		k := ms[i].key
		if perIP[k] == nil {
			keys = append(keys, k)
		}
		perIP[k] = append(perIP[k], i)
	}
	for _, k := range keys {
		idx := perIP[k]
		for n, i := range idx {
			if n == maxChangesPerIP && len(idx) > maxChangesPerIP+1 {
				out.Add(flappingFinding(tl, ms, idx[n:]), int64(len(idx)-n))
				break
			}
			out.Add(changeFinding(tl, &ms[i]), 1)
		}
	}
}

func (macChange) Instances() string { return "MAC changes" }

func (macChange) Identity() []string { return []string{"ip", "old_mac", "new_mac"} }

func changeFinding(tl *timeline.Timeline, m *move) Finding {
	f := Finding{Severity: Info, Confidence: ConfHigh, Start: m.at, End: m.at}
	f.Subject.Set("ip", m.key.ip.String())
	f.Subject.Set("old_mac", m.old.String())
	f.Subject.Set("new_mac", m.new.String())
	if m.flipFlop {
		f.Title = fmt.Sprintf("flip-flop: %s moved back to %s from %s", m.key, m.new, m.old)
	} else {
		f.Title = fmt.Sprintf("%s moved from %s to %s", m.key, m.old, m.new)
	}
	f.Explanation = changeExplanation(tl, m)
	f.Witnesses = witnessList(m)
	f.Evidence = []Evidence{EventEvidence(tl, m.lastOld), EventEvidence(tl, m.firstNew)}
	if m.dbNew >= 0 && m.dbNew != m.firstNew {
		f.Evidence = append(f.Evidence, EventEvidence(tl, m.dbNew))
	}
	return f
}

// witnessList names a move's witnesses for the report: "old:arp",
// "old:listing", "new:arp", ….
func witnessList(m *move) []string {
	var out []string
	for _, n := range m.oldSeen.names() {
		out = append(out, "old:"+n)
	}
	for _, n := range m.newBy.names() {
		out = append(out, "new:"+n)
	}
	if m.dbNew >= 0 && m.newBy != witDatabase {
		out = append(out, "new:database") // the database recorded the move the wire showed first
	}
	return out
}

func flappingFinding(tl *timeline.Timeline, ms []move, idx []int) Finding {
	first, last := &ms[idx[0]], &ms[idx[len(idx)-1]]
	macs := map[timeline.MAC]bool{}
	for _, i := range idx {
		macs[ms[i].old], macs[ms[i].new] = true, true
	}
	f := Finding{
		Severity: Info, Confidence: ConfHigh, Start: first.at, End: last.at,
		Title: fmt.Sprintf("%s changed MAC %d more times among %d MACs", first.key, len(idx), len(macs)),
	}
	f.Subject.Set("ip", first.key.ip.String())
	f.Subject.Set("old_mac", first.old.String())
	f.Subject.Set("new_mac", last.new.String())
	f.Explanation = flappingExplanation(first, last, len(idx))
	f.Evidence = []Evidence{EventEvidence(tl, first.firstNew), EventEvidence(tl, last.firstNew)}
	return f
}

// describeARP names how a frame showed a binding.
func describeARP(a *timeline.ARP) string {
	switch a.Class {
	case timeline.ARPGarpRequest:
		return "gratuitous ARP request"
	case timeline.ARPGarpReply:
		return "gratuitous ARP reply"
	case timeline.ARPGarpReplyOtherTHA:
		return "gratuitous ARP reply with tha " + a.THA.String()
	case timeline.ARPReply:
		return "ARP reply"
	case timeline.ARPRequest:
		return "ARP request sent from that MAC"
	}
	return a.Class.String()
}
