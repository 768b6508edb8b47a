package detect

// mac-change's explanations: a move, a flip-flop back, and a binding that
// keeps flapping.

import (
	"fmt"
	"strings"

	"github.com/arpforensics/arpforensics/timeline"
)

// changeExplanation tells how move m was seen and what it means.
func changeExplanation(tl *timeline.Timeline, m *move) string {
	how := "IPv4 frames it sent from the address"
	switch m.newBy {
	case witARP:
		a := arpAt(tl, m.firstNew)
		how = describeARP(&a)
	case witDatabase:
		how = "the database's own record: " + dbRecordText(tl, m.dbNew)
	}
	var s string
	if m.flipFlop {
		s = fmt.Sprintf("%s was bound to %s earlier, then to %s, and now to %s again (%s). An address that alternates between MACs is either a floating IP moved back and forth, an HA pair failing over (keepalived/VRRP), or two hosts claiming one address; a Linux peer that ignores the announcements keeps whichever MAC it learned first.",
			m.key, m.new, m.old, m.new, how)
	} else {
		gap := m.at.Sub(eventTime(tl, m.lastOld))
		s = fmt.Sprintf("%s was last seen at %s %s before it was seen at %s (%s). Floating IPs move like this when they are re-associated; every host that talks to the address must update its neighbour entry, which is what the stale-mac and missing-probe detectors check.",
			m.key, m.old, fmtDur(gap), m.new, how)
	}
	if m.oldSeen&witARP == 0 || m.newBy != witARP {
		s += fmt.Sprintf(" Witnesses: %s at %s showed by %s; at %s by %s.", m.key, m.old, m.oldSeen.describe(), m.new, m.newBy.describe())
	}
	return s
}

// flappingExplanation tells of the n changes after the reported ones, from
// move first to move last.
func flappingExplanation(first, last *move, n int) string {
	var list []string
	for _, h := range append(last.history, last.new) {
		list = append(list, h.String())
	}
	return fmt.Sprintf("After %d reported changes, %s kept changing MAC: %d more changes between %s and %s. MACs seen: %s. A binding that flaps this often points at duplicate addresses, a loop, ARP spoofing, or a malformed capture.",
		maxChangesPerIP, first.key, n, first.at.Format("15:04:05.000"), last.at.Format("15:04:05.000"), strings.Join(list, ", "))
}
