package detect

// stale-mac's explanation: who kept the old MAC, how the move was
// announced, why the observer ignored it, and what next.

import (
	"fmt"
	"strings"
	"time"

	"github.com/arpforensics/arpforensics/timeline"
)

// observerName names the observer by address and MAC, or MAC alone.
func observerName(u *staleUse) string {
	if u.observIP.IsValid() {
		return fmt.Sprintf("%s (%s)", u.observIP, u.observer)
	}
	return u.observer.String()
}

// describe says how the move was announced.
func (a announcements) describe() string {
	var parts []string
	if a.garpReply > 0 {
		how := " with tha == sha (arping -A)"
		if a.assumedTHA == a.garpReply {
			how = " (broadcast replies; tcpdump does not print tha, taken to be sha as arping -A sends)"
		}
		parts = append(parts, plural(int64(a.garpReply), "reply-type GARP", "reply-type GARPs")+how)
	}
	if a.garpReplyOther > 0 {
		parts = append(parts, plural(int64(a.garpReplyOther), "reply-type GARP", "reply-type GARPs")+" with tha "+a.otherTHA.String())
	}
	if a.garpReq > 0 {
		parts = append(parts, plural(int64(a.garpReq), "request-type GARP", "request-type GARPs")+" (arping -U)")
	}
	if a.replies > 0 {
		parts = append(parts, plural(int64(a.replies), "ARP reply", "ARP replies"))
	}
	if len(parts) == 0 {
		switch a.by {
		case witOwn:
			return "IPv4 frames it sent from the address through that MAC, with no ARP"
		case witDatabase:
			return "no ARP from the new MAC on the wire: the database's record of the change"
		}
		return "an ARP request it sent from that MAC"
	}
	s := strings.Join(parts, " and ")
	if a.minSpacing >= 0 {
		s += ", " + fmtDur(a.minSpacing) + " apart at the closest"
	}
	return s
}

// staleExplanation tells what the observer kept doing after the move, why
// a Linux peer does so, and what to check next.
func staleExplanation(tl *timeline.Timeline, cfg *Config, m *move, u *staleUse, a announcements, dur time.Duration) string {
	var b strings.Builder
	ip := m.key.String()
	from := eventTime(tl, m.firstNew)
	if m.newBy == witDatabase && !a.first.IsZero() {
		from = a.first // the first announcement on the wire; the database's commit is told below
	}
	fmt.Fprintf(&b, "%s kept sending unicast IPv4 to %s via %s — the MAC the address had before it moved — for %s after %s was announced at %s (%s, from %s).",
		observerName(u), ip, m.old, fmtDur(dur), ip, m.new, a.describe(), from.Format("15:04:05.000 UTC"))
	b.WriteString(staleDBStory(tl, m))
	fmt.Fprintf(&b, " It sent %s to the stale MAC", plural(u.frames, "frame", "frames"))
	if u.straddle {
		b.WriteString(" (counting a run that began before the move)")
	}
	if n := u.syns.n; n > 0 {
		retrans := u.retrans
		fmt.Fprintf(&b, ", among them %s (%d retransmissions)", plural(int64(n), "TCP SYN", "TCP SYNs"), retrans)
		if u.synAcks == 0 {
			b.WriteString(", none of them answered")
		}
	}
	if u.requests.n == 0 {
		fmt.Fprintf(&b, ", and not one ARP request for %s: its neighbour entry kept the old MAC and never reached PROBE.", ip)
	} else {
		fmt.Fprintf(&b, ", although it sent %s for %s.", plural(int64(u.requests.n), "ARP request", "ARP requests"), ip)
	}
	if u.switched >= 0 {
		at := eventTime(tl, u.switched)
		fmt.Fprintf(&b, " It switched to %s at %s, %s after the move.", m.new, at.Format("15:04:05.000"), fmtDur(at.Sub(m.at)))
	} else if !m.until.IsZero() {
		fmt.Fprintf(&b, " It never switched before the binding changed again at %s.", m.until.Format("15:04:05.000"))
	} else {
		b.WriteString(" It was still using the stale MAC when the evidence ends.")
	}
	if m.oldSeen&witARP == 0 {
		fmt.Fprintf(&b, " The old binding is shown by %s, never by ARP: the evidence begins after the address was resolved.", m.oldSeen.describe())
	}
	if u.neigh.n > 0 {
		b.WriteString(" The capture is a Linux cooked capture (tcpdump -i any), which does not record the destination MAC of the host's own frames; the host's own neighbour listings show its entry for the address holding the old MAC while it sent them.")
	}
	if u.inferred {
		b.WriteString(" The capture is a Linux cooked capture (tcpdump -i any), which does not record the destination MAC of the host's own frames: the stale MAC is inferred from the host's last accepted ARP exchange for the address and no neighbour listing confirms it, so confidence is lower.")
	}

	b.WriteString("\n\nWhy: Linux keeps a neighbour entry's MAC unless an ARP packet overrides it, and it applies a packet that would change the MAC only when the entry was last updated more than locktime ago (net.ipv4.neigh.*.locktime, 1 s by default) — unless it recognises the packet as a gratuitous ARP.")
	switch {
	case a.garpReplyOther > 0:
		fmt.Fprintf(&b, " Reply-type GARPs whose target hardware address is not the sender's own (here tha %s) are not gratuitous to any Linux kernel — arp_is_garp() requires tha == sha for replies — so locktime applies to them on every version.", a.otherTHA)
	case a.garpReply > 0:
		fmt.Fprintf(&b, " Kernels before %s never treated a reply as gratuitous (is_garp was computed only for requests, and only with arp_accept=1), so each of these reply-type GARPs was subject to locktime; since %s (%s) a reply with tha == sha overrides an existing entry, while a reply whose tha is not the sender's own MAC is still no GARP to Linux.",
			linuxFix.version, linuxFix.version, linuxFix.garpReply)
	case a.garpReq > 0:
		b.WriteString(" Kernels before " + linuxFix.version + " treated request-type GARPs as gratuitous only with arp_accept=1; with the default arp_accept=0 they were subject to locktime.")
	default:
		b.WriteString(" The new binding was never announced with a gratuitous ARP, so every update was subject to locktime.")
	}
	if a.insideLocktime {
		fmt.Fprintf(&b, " These announcements came %s apart, inside the %s locktime. Before Linux %s an ignored update still bumped the entry's timestamps (fixed by %s, \"%s\"), so each ignored GARP re-armed locktime for the next one and the whole burst could be ignored. The refreshed timestamps also let the DELAY timer promote the entry straight back to REACHABLE without sending anything, so it cycles STALE → DELAY → REACHABLE on the old MAC and never reaches PROBE — the state that would have sent unicast requests to %s, failed, broadcast, and found %s.",
			fmtDur(a.minSpacing), fmtDur(cfg.Locktime), linuxFix.version, linuxFix.timestamps, linuxFix.timestampsSubject, m.old, m.new)
	} else if a.garps > 1 {
		b.WriteString(" These announcements were spaced more than locktime apart, so even a kernel before " + linuxFix.version + " should have applied one of them to an existing entry: check whether they reached the observer at all (capture point, VLAN, port security) and what kept re-confirming the old binding.")
	}
	if u.requests.n > 0 {
		b.WriteString(" The observer did send ARP requests, so its neighbour machinery ran; look at what answered them, and at which MAC.")
	}

	fmt.Fprintf(&b, "\n\nNext: check the observer's kernel (before %s, or a distribution kernel without the fixes — RHEL 7 needed net.ipv4.conf.*.arp_accept=1), its arp_accept and locktime sysctls, and its entry for %s (`ip -s neigh show %s`: an updated age that never grows past 1 s while GARPs arrive is the pre-%s fingerprint). On the announcing side, space GARPs more than 1 s apart and send both flavours, as Neutron's fix does (arping -U then -A, 2 s apart). `ip neigh flush to %s` on the observer restores connectivity.",
		linuxFix.version, m.key.ip, m.key.ip, linuxFix.version, m.key.ip)
	return b.String()
}

// staleDBStory says what the databases' own record adds to a move: when
// they dated it, the move time is their commit's; when the wire showed it
// first, they confirm it.
func staleDBStory(tl *timeline.Timeline, m *move) string {
	if m.dbNew < 0 {
		return ""
	}
	var b strings.Builder
	ip := m.key.String()
	if m.newBy == witDatabase {
		fmt.Fprintf(&b, " The move time comes from the database's own record: %s gave %s to %s at %s.",
			dbRecordText(tl, m.dbNew), ip, m.new, m.at.UTC().Format("15:04:05.000 UTC"))
		if m.wireAt.IsZero() {
			fmt.Fprintf(&b, " The capture never shows %s claiming the address.", m.new)
		} else {
			fmt.Fprintf(&b, " The capture first shows the new binding %s later.", fmtDur(m.wireAt.Sub(m.at)))
		}
	} else {
		at := eventTime(tl, m.dbNew)
		fmt.Fprintf(&b, " The database's own record agrees: %s gave %s to %s at %s, %s after the capture first showed it, so the move time is the capture's.",
			dbRecordText(tl, m.dbNew), ip, m.new, at.UTC().Format("15:04:05.000 UTC"), fmtDur(at.Sub(m.at)))
	}
	if m.dbGone >= 0 && m.dbGone != m.dbNew {
		fmt.Fprintf(&b, " The claim of the old MAC %s was withdrawn by %s.", m.old, dbRecordText(tl, m.dbGone))
	}
	return b.String()
}
