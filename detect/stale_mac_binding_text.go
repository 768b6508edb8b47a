package detect

// stale-mac-binding's explanation: which row kept the old MAC and for how
// long, what the wire showed meanwhile, why OVN keeps it, and what next.

import (
	"fmt"
	"strings"
	"time"
)

// bindingExplanation tells of binding b during episode ep (dur long, grace
// allowed), with what the capture showed after the move: frames to the old
// MAC, the new owner's announcements and ARP requests for the address.
func bindingExplanation(b *mbRow, ep *mbEpisode, dur, grace time.Duration, framesOld int64, fromNew, asks int) string {
	state := "still holds it at the end of the database history"
	if ep.endEv >= 0 {
		state = "held it until it was corrected"
		if ep.deleted {
			state = "held it until the row was deleted"
		}
	}
	var story strings.Builder
	fmt.Fprintf(&story, "The Southbound MAC_Binding row %s (datapath %s", b.uuid, b.datapath)
	if b.port != "" {
		fmt.Fprintf(&story, ", learned on %s", b.port)
	}
	fmt.Fprintf(&story, ") binds %s to %s. At %s the databases gave %s to %s (%s; before that its owner was %s), and the row %s: %s past the move (grace %s). The router behind that datapath resolves %s through this row, so it kept sending to %s.",
		b.ip, b.mac, ep.since.UTC().Format("2006-01-02 15:04:05.000"), b.ip, ep.newMAC, ep.what, ep.oldMAC, state, fmtSpan(dur), fmtSpan(grace), b.ip, b.mac)
	if framesOld > 0 {
		fmt.Fprintf(&story, " The capture shows %d frame(s) to %s at the old MAC after the move.", framesOld, b.ip)
	}
	if fromNew > 0 {
		fmt.Fprintf(&story, " The new owner %s announced itself %d time(s) on the wire and the row still did not change.", ep.newMAC, fromNew)
	}
	if asks > 0 {
		fmt.Fprintf(&story, " %d ARP request(s) for %s were seen after the move.", asks, b.ip)
	}
	fmt.Fprintf(&story, " This rests on the databases' own record (the row changes cited, with their record numbers and _date).")
	fmt.Fprintf(&story, "\n\nWhy: before OVN %s MAC_Binding rows never age; from %s they age only on routers with options:mac_binding_age_threshold set, and only from OVN %s (also %s) does ovn-controller re-ARP for entries idle past that threshold. A binding learned for an address that is later reused stays until it is refreshed by a GARP or ARP reply the router accepts, or deleted.",
		ovnAging.aging, ovnAging.aging, ovnAging.rearp, joinAnd(ovnAging.rearpBackports))
	fmt.Fprintf(&story, "\n\nNext: `ovn-sbctl find MAC_Binding ip=%s` (is it still %s?); on OVN ≥ %s set aging on the router, `ovn-nbctl set Logical_Router <router> options:mac_binding_age_threshold=<seconds>`; as a workaround delete the row, `ovn-sbctl destroy MAC_Binding %s`, and ovn-controller learns the new MAC on the next ARP.", b.ip, b.mac, ovnAging.aging, b.uuid)
	return story.String()
}
