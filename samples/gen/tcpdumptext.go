package main

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"
)

// tcpdumpText renders frames the way `tcpdump -e -n` prints them, behind the
// systemd-journal prefix devstack's CI exports carry (journalctl -o
// short-precise): "Sep 18 17:09:17.644405 host tcpdump[28445]: 17:09:17.275597 …".
// tcpdump's stdout is block-buffered when it goes to the journal, so the
// journal stamps lines later than tcpdump's own capture time, in batches.
type tcpdumpText struct {
	host  string
	pid   int
	lines []textLine
}

type textLine struct {
	t    time.Time // capture time
	text string    // tcpdump's line without its timestamp
}

func (w *tcpdumpText) add(t time.Time, format string, args ...any) {
	w.lines = append(w.lines, textLine{t, fmt.Sprintf(format, args...)})
}

func (w *tcpdumpText) arpRequest(t time.Time, from host, target netip.Addr) {
	w.add(t, "%s > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has %s tell %s, length 28", from.mac, target, from.ip)
}

func (w *tcpdumpText) arpReply(t time.Time, owner host, to net.HardwareAddr) {
	w.add(t, "%s > %s, ethertype ARP (0x0806), length 42: Reply %s is-at %s, length 28", owner.mac, to, owner.ip, owner.mac)
}

func (w *tcpdumpText) echo(t time.Time, src, dst host, srcIP, dstIP netip.Addr, id, seq int, reply bool) {
	kind := "request"
	if reply {
		kind = "reply"
	}
	w.add(t, "%s > %s, ethertype IPv4 (0x0800), length 98: %s > %s: ICMP echo %s, id %d, seq %d, length 64", src.mac, dst.mac, srcIP, dstIP, kind, id, seq)
}

// render writes the journal export. flush is how long tcpdump's buffer
// holds lines before the journal receives them.
func (w *tcpdumpText) render(banner []string, start time.Time, flush time.Duration) string {
	var b strings.Builder
	stamp := start
	for _, l := range banner {
		fmt.Fprintf(&b, "%s %s tcpdump[%d]: %s\n", stamp.Format("Jan 02 15:04:05.000000"), w.host, w.pid, l)
	}
	sortLines(w.lines)
	for i := 0; i < len(w.lines); {
		// A batch: every line captured before the next flush boundary.
		boundary := w.lines[i].t.Truncate(flush).Add(flush)
		j := i
		for j < len(w.lines) && w.lines[j].t.Before(boundary) {
			j++
		}
		journal := boundary.Add(time.Duration(37+i%50) * time.Millisecond)
		for k := i; k < j; k++ {
			fmt.Fprintf(&b, "%s %s tcpdump[%d]: %s %s\n", journal.Add(time.Duration(k-i)*7*time.Microsecond).Format("Jan 02 15:04:05.000000"),
				w.host, w.pid, w.lines[k].t.Format("15:04:05.000000"), w.lines[k].text)
		}
		i = j
	}
	return b.String()
}

func sortLines(ls []textLine) {
	for i := 1; i < len(ls); i++ { // insertion sort: stable, and the lines are nearly sorted
		for j := i; j > 0 && ls[j].t.Before(ls[j-1].t); j-- {
			ls[j], ls[j-1] = ls[j-1], ls[j]
		}
	}
}
