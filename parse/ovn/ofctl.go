package ovn

import (
	"bytes"
	"io"
	"net/netip"
	"strconv"
	"strings"

	"github.com/arpforensics/arpforensics/parse"
	"github.com/arpforensics/arpforensics/timeline"
)

// `ovs-ofctl dump-flows` (openvswitch/ovs lib/ofp-flow.c,
// ofputil_flow_stats_format) prints one flow per line:
//
//	 cookie=0x…, duration=1172.367s, table=29, n_packets=0, n_bytes=0,
//	 [idle_timeout=…, ][idle_age=…, ]priority=100,arp,…,arp_tpa=IP,arp_op=1 actions=…
//
// (one line; wrapped here). Older tools print a "NXST_FLOW reply" header.
// Only flows that match ARP for a target address matter here: OVN's ARP
// responder for a router or floating IP address (its actions turn the
// request into a reply, load:0x2->NXM_OF_ARP_OP[]) and the stages that
// steer requests to it. Table numbers move between OVN releases, so the
// match and the actions are what count, not the table. Other flows are
// counted as skipped.

// SniffOfctl recognises dump-flows output.
func SniffOfctl(head []byte) bool {
	return parse.AnyHeadLine(head, 200, func(line []byte) bool {
		l := bytes.TrimLeft(line, " ")
		// `| cut -d, -f3-` and --no-stats drop the cookie: a flow then
		// starts at its table or priority.
		return (bytes.HasPrefix(l, []byte("cookie=0x")) || numField(l, "table=") && bytes.Contains(l, []byte("priority=")) ||
			numField(l, "priority=")) && bytes.Contains(l, []byte(" actions=")) ||
			bytes.HasPrefix(l, []byte("NXST_FLOW reply")) || bytes.HasPrefix(l, []byte("OFPST_FLOW reply"))
	})
}

// numField reports whether l starts with key, a number and a comma.
func numField(l []byte, key string) bool {
	if !bytes.HasPrefix(l, []byte(key)) {
		return false
	}
	l = l[len(key):]
	n := 0
	for n < len(l) && l[n] >= '0' && l[n] <= '9' {
		n++
	}
	return n > 0 && n < len(l) && l[n] == ','
}

// ParseOfctl is the parse.Func for dump-flows output.
func ParseOfctl(r io.Reader, src *timeline.Source, opts parse.Options, out *timeline.Sink) error {
	lr := parse.NewLineReader(r)
	clock := &snapshotClock{src: src, opts: opts}
	problems := parse.NewProblems(src, 0)
	var events int64
	for {
		raw, ok := lr.Next()
		if !ok {
			break
		}
		src.Records++
		pos := lr.Pos()
		line := bytes.TrimSpace(raw)
		switch {
		case len(line) == 0:
			continue
		case bytes.HasPrefix(line, []byte("NXST_FLOW reply")) || bytes.HasPrefix(line, []byte("OFPST_FLOW reply")):
			continue
		case clock.date(line, pos):
			continue
		}
		if lr.Cut() {
			problems.Errorf(pos, "line cut", "line longer than %d bytes: cut", parse.MaxLine)
			continue
		}
		f, err := parseFlow(string(line))
		if err != "" {
			problems.Errorf(pos, err, "%s: %s", err, clip(string(line)))
			continue
		}
		if f == nil {
			continue // a flow, but not an ARP flow for an address
		}
		// The event cites the flow without its indentation: its text
		// starts where the trimmed line does.
		at := pos
		at.Offset += int64(len(raw) - len(bytes.TrimLeft(raw, " \t\n\v\f\r")))
		out.Add(&timeline.Event{Time: clock.now(pos), Pos: at, Data: f}, line)
		events++
	}
	if err := lr.Err(); err != nil {
		problems.Errorf(lr.Pos(), "reading stopped", "reading stopped: %v", err)
	}
	// Every line is an event (an ARP flow), a problem, or irrelevant
	// (other flows, headers, date lines, blank lines).
	problems.Close()
	src.Skipped = max(0, src.Records-events-problems.Errors())
	src.BadRecords = problems.Errors()
	return nil
}

// parseFlow reads one flow line. It returns (nil, "") for a valid flow
// that is not an ARP flow for an address, and an error text for a line
// that is not a flow.
func parseFlow(line string) (*timeline.OVNFlow, string) {
	head, actions, ok := strings.Cut(line, " actions=")
	if !ok {
		return nil, "not a flow (no actions=)"
	}
	f := &timeline.OVNFlow{Actions: actions}
	var match []string
	inMatch := false
	for _, field := range strings.Split(head, ",") {
		field = strings.TrimSpace(field)
		if field == "" {
			continue
		}
		k, v, _ := strings.Cut(field, "=")
		if !inMatch {
			switch k {
			case "cookie":
				f.Cookie = v
				continue
			case "duration":
				f.Duration = v
				continue
			case "table":
				f.Table = v
				continue
			case "n_packets":
				n, err := strconv.ParseInt(v, 10, 64)
				if err != nil {
					return nil, "bad n_packets"
				}
				f.NPackets = n
				continue
			case "n_bytes":
				n, err := strconv.ParseInt(v, 10, 64)
				if err != nil {
					return nil, "bad n_bytes"
				}
				f.NBytes = n
				continue
			case "idle_timeout", "hard_timeout", "idle_age", "hard_age", "importance",
				"send_flow_rem", "check_overlap", "reset_counts", "no_packet_counts", "no_byte_counts":
				continue
			}
			inMatch = true
		}
		if k == "priority" {
			p, err := strconv.Atoi(v)
			if err != nil {
				return nil, "bad priority"
			}
			f.Priority = p
			continue
		}
		match = append(match, field)
		if k == "arp_tpa" {
			// arp_tpa=IP or arp_tpa=IP/MASK: only whole addresses name one.
			if ip, err := netip.ParseAddr(v); err == nil {
				f.TPA = ip
			}
		}
	}
	if f.Cookie == "" && f.Table == "" && f.Duration == "" {
		return nil, "not a flow (no cookie, duration or table)"
	}
	if f.Priority == 0 {
		f.Priority = 32768 // ofctl omits the default priority
	}
	f.Match = strings.Join(match, ",")
	if !f.TPA.IsValid() {
		return nil, ""
	}
	f.Responder = strings.Contains(actions, "load:0x2->NXM_OF_ARP_OP[]") || strings.Contains(actions, "set_field:2->arp_op")
	return f, ""
}
