package detect

// missing-probe's explanation: what happened, how sure, why, and what next.

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/arpforensics/arpforensics/timeline"
)

// hostPossessive and onHost name a host in prose; artifacts no case file or
// directory assigned (the default host) are just "the host".
func hostPossessive(h string) string {
	if h == timeline.DefaultHost {
		return "the host's"
	}
	return "host " + h + "'s"
}

func onHost(h string) string {
	if h == timeline.DefaultHost {
		return "On the host"
	}
	return "On host " + h
}

func (w *mpWorld) explain(g *mpGroup, runs, garps []int, maxAge int32) string {
	tl := w.tl
	first, last := g.cycles[0], g.cycles[len(g.cycles)-1]
	clock := func(t time.Time) string { return t.UTC().Format("15:04:05") }
	var b strings.Builder

	// What happened.
	dev := ""
	if first.seq.dev != "" {
		dev = " on " + first.seq.dev
	}
	src := tl.Sources[first.seq.src]
	if first.monitor {
		fmt.Fprintf(&b, "%s, `ip monitor` (%s) shows the neighbour entry for %s%s going STALE and back to REACHABLE on %s %s between %s and %s with no PROBE in between (ip monitor never reports DELAY).",
			onHost(g.host), src.Path, g.ip, dev, g.mac, times(len(g.cycles)), clock(first.from), clock(last.to))
	} else {
		fmt.Fprintf(&b, "%s, the neighbour listings (%s) show the entry for %s%s cycling STALE → DELAY → REACHABLE on %s %s between %s and %s, never entering PROBE.",
			onHost(g.host), src.Path, g.ip, dev, g.mac, times(len(g.cycles)), clock(first.from), clock(last.to))
	}
	switch {
	case g.moved && g.moveDB >= 0 && (g.moveAt < 0 || !eventTime(tl, g.moveAt).Before(eventTime(tl, g.moveDB))):
		fmt.Fprintf(&b, " By then %s had moved, and the move time comes from the database's own record: %s gave it to %s at %s",
			g.ip, dbRecordText(tl, g.moveDB), g.newMAC, eventTime(tl, g.moveDB).UTC().Format("15:04:05.000"))
		if g.dbGone >= 0 && g.dbGone != g.moveDB {
			fmt.Fprintf(&b, " (the old owner's claim withdrawn by %s)", dbRecordText(tl, g.dbGone))
		}
		if g.moveAt >= 0 {
			r := tl.Record(g.moveAt)
			fmt.Fprintf(&b, "; %s shows %s announcing it from %s", tl.Sources[r.Src].Path, g.newMAC, r.Time().UTC().Format("15:04:05.000"))
		}
		if len(g.syns) > 0 {
			fmt.Fprintf(&b, ", and the host's %s to it went unanswered.", plural(int64(len(g.syns)), "TCP SYN", "TCP SYNs"))
		} else {
			b.WriteString(".")
		}
	case g.moved && g.moveAt >= 0:
		r := tl.Record(g.moveAt)
		a, _ := r.ARPRec()
		fmt.Fprintf(&b, " By then %s had moved: %s announced it at %s (%s, first at %s)",
			g.ip, tl.Sources[r.Src].Path, g.newMAC, describeAnnouncers(tl, g.moveTo, &a), r.Time().UTC().Format("15:04:05.000"))
		if len(g.syns) > 0 {
			fmt.Fprintf(&b, ", and the host's %s to it went unanswered.", plural(int64(len(g.syns)), "TCP SYN", "TCP SYNs"))
		} else {
			b.WriteString(".")
		}
		if g.moveDB >= 0 {
			fmt.Fprintf(&b, " The database's own record agrees: %s gave it to %s at %s.", dbRecordText(tl, g.moveDB), g.newMAC, eventTime(tl, g.moveDB).UTC().Format("15:04:05.000"))
		}
	case len(g.syns) > 0:
		fmt.Fprintf(&b, " Meanwhile the host's %s to %s (%s) went unanswered: no SYN/ACK came back.",
			plural(int64(len(g.syns)), "TCP SYN", "TCP SYNs"), g.ip, synPorts(tl, g.syns))
	}

	// How sure.
	switch {
	case g.confirmed:
		which := "these cycles"
		if g.coveredCycles < len(g.cycles) {
			which = fmt.Sprintf("%d of these cycles", g.coveredCycles)
		}
		fmt.Fprintf(&b, " The host's own capture (%s) covers %s and shows no ARP request for %s from it (%s, which %s): the kernel never re-validated the entry, and every packet for %s went to %s.",
			tl.Sources[g.capSrc].Path, which, g.ip, orUnknown(g.id.macList()), g.id.how, g.ip, g.mac)
	default:
		if len(g.id.captures) > 0 {
			b.WriteString(" The host's capture does not cover these cycles, so this rests on the neighbour data")
		} else {
			b.WriteString(" There is no capture of this host, so this rests on the neighbour data")
		}
		switch {
		case g.snapshotOK:
			b.WriteString(": listings a second apart cannot see a PROBE that was answered within the same second, and only a capture of the host would show whether it sent ARP requests.")
		case g.monitorOK:
			b.WriteString(": this monitor output does report PROBE — it shows it for other entries — but never for this one; a capture of the host would show whether it sent ARP requests.")
		default:
			b.WriteString(".")
		}
	}
	if g.dropped > 0 {
		fmt.Fprintf(&b, " (%s not counted: the host's capture shows it did ask for %s during them.)", plural(int64(g.dropped), "other cycle was", "other cycles were"), g.ip)
	}
	if first.monitor && !g.monitorOK && !g.confirmed {
		b.WriteString(" This monitor output shows no PROBE for any entry; kernels before 4.2 never report PROBE to ip monitor, so its absence here proves little.")
	}

	// Why it matters and why it happens.
	fmt.Fprintf(&b, "\n\nWhy: a DELAY entry goes back to REACHABLE without sending anything only when its `confirmed` timestamp was refreshed within delay_first_probe_time (5 s) — by TCP making progress, or by an ARP packet from the neighbour. With %s no longer behind %s, something kept confirming a dead entry, so the kernel never reached PROBE, which would have sent unicast requests to %s, failed and broadcast for the new owner.",
		g.ip, g.mac, g.mac)
	fmt.Fprintf(&b, " On Linux before %s an ARP update the kernel ignored — a gratuitous ARP arriving within the 1 s locktime of the entry's last update — still bumped the entry's timestamps (fixed by %s, \"%s\", Linux %s), so a burst of GARPs spaced 1 s or less could be ignored in its entirety while keeping the old entry fresh.",
		linuxFix.version, linuxFix.timestamps, linuxFix.timestampsSubject, linuxFix.version)
	if len(runs) > 0 {
		r := tl.Record(runs[0])
		if len(garps) > 0 {
			fmt.Fprintf(&b, " The `ip -s` ages show exactly that: while %s's gratuitous ARPs kept arriving (%d between %s and %s), the entry's `updated` age %s although its state and MAC stayed the same (reset from %s to %s) — the pre-%s fingerprint of ignored updates bumping the timestamps.",
				g.newMAC, len(garps), clock(eventTime(tl, garps[0])), clock(eventTime(tl, garps[len(garps)-1])), ageBound(maxAge), clock(r.Time()), clock(r.LastTime()), linuxFix.version)
		} else {
			fmt.Fprintf(&b, " The `ip -s` ages show the entry's `updated` timestamp being reset with no change of state or MAC (from %s; its age %s); since Linux %s `updated` moves only when an update takes effect, so this is the pre-%s fingerprint of ignored updates bumping the timestamps.",
				clock(r.Time()), ageBound(maxAge), linuxFix.version, linuxFix.version)
		}
	}

	// What next.
	fmt.Fprintf(&b, "\n\nNext: check the kernel %s (`uname -r`: before %s, or a distribution kernel without %s and %s — RHEL 7 needed arp_accept=1); its net.ipv4.conf.%s.arp_accept (with 0, GARPs inside locktime are ignored, and kernels before %s ignored reply-type GARPs whatever it says) and net.ipv4.neigh.%s.locktime; and how the L3 agent spaced its GARPs (`arping -A -c 3` sends them 1 s apart, inside locktime; Neutron's fix sends a request and a reply GARP 2 s apart). `ip -s neigh show %s` on the host shows whether `updated` keeps resetting; `ip neigh flush to %s` restores connectivity.",
		strings.ToLower(onHost(g.host)), linuxFix.version, linuxFix.timestamps, linuxFix.garpReply, devOr(first.seq.dev), linuxFix.version, devOr(first.seq.dev), g.ip, g.ip)
	return b.String()
}

// ageBound says how far an `ip -s` age got.
func ageBound(max int32) string {
	if max == 0 {
		return "stayed at 0 s"
	}
	return fmt.Sprintf("never grew past %d s", max)
}

func times(n int) string {
	if n == 1 {
		return "once"
	}
	return fmt.Sprintf("%d times", n)
}

func devOr(dev string) string {
	if dev == "" {
		return "<dev>"
	}
	return dev
}

func orUnknown(s string) string {
	if s == "" {
		return "MAC unknown"
	}
	return s
}

// describeAnnouncers summarises the frames that showed the new binding.
func describeAnnouncers(tl *timeline.Timeline, idx []int, first *timeline.ARP) string {
	counts := map[timeline.ARPClass]int{}
	for _, i := range idx {
		counts[arpAt(tl, i).Class]++
	}
	var parts []string
	for _, c := range []struct {
		class      timeline.ARPClass
		one, other string
	}{
		{timeline.ARPGarpReply, "reply-type GARP", "reply-type GARPs"},
		{timeline.ARPGarpReplyOtherTHA, "reply-type GARP with a foreign tha", "reply-type GARPs with a foreign tha"},
		{timeline.ARPGarpRequest, "request-type GARP", "request-type GARPs"},
		{timeline.ARPReply, "ARP reply", "ARP replies"},
		{timeline.ARPRequest, "ARP request it sent", "ARP requests it sent"},
	} {
		if n := counts[c.class]; n > 0 {
			parts = append(parts, plural(int64(n), c.one, c.other))
		}
	}
	if len(parts) == 0 {
		return first.Class.String()
	}
	return strings.Join(parts, " and ")
}

// synPorts names the destination ports of the SYNs.
func synPorts(tl *timeline.Timeline, syns []int) string {
	var ports []int
	for _, j := range syns {
		r := tl.Record(j)
		t, _ := r.TCPRec()
		p := int(t.DstPort)
		if !slices.Contains(ports, p) {
			ports = append(ports, p)
		}
	}
	slices.Sort(ports)
	var ps []string
	for _, p := range ports {
		ps = append(ps, fmt.Sprintf("port %d", p))
	}
	return strings.Join(ps, ", ")
}
