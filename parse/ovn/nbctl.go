package ovn

import (
	"bytes"
	"io"
	"strings"

	"github.com/arpforensics/arpforensics/parse"
	"github.com/arpforensics/arpforensics/timeline"
)

// `ovn-nbctl show` (ovn-org/ovn utilities/ovn-nbctl.c, print_ls and
// print_lr) prints every switch, then every router, as indented blocks:
//
//	router <uuid> (<name>)[ (aka <neutron router name>)]
//	    port <lrp name>
//	        mac: "<mac>"
//	        networks: ["<cidr>", …]
//	        [gateway chassis: [<chassis> …]]
//	    nat <uuid>
//	        external ip: "<ip>"
//	        logical ip: "<ip or cidr>"
//	        type: "snat" | "dnat_and_snat" | "dnat"
//
// Each switch and router block becomes one event. Keys the reader does not
// know (OVN adds some over releases) are passed over.

// SniffNbctl recognises a `show` snapshot: a switch or router header line.
func SniffNbctl(head []byte) bool {
	return parse.AnyHeadLine(head, 200, func(line []byte) bool {
		_, _, _, _, ok := blockHeader(string(line))
		return ok
	})
}

// blockHeader reads "switch|router <uuid> (<name>)[ (aka <alias>)]".
func blockHeader(line string) (kind, uuid, name, alias string, ok bool) {
	kind, rest, found := strings.Cut(line, " ")
	if !found || kind != "switch" && kind != "router" {
		return "", "", "", "", false
	}
	uuid, rest, found = strings.Cut(rest, " ")
	if !found || !isRowID(uuid) || !strings.HasPrefix(rest, "(") {
		return "", "", "", "", false
	}
	e := strings.IndexByte(rest, ')')
	if e < 0 {
		return "", "", "", "", false
	}
	name, rest = rest[1:e], strings.TrimSpace(rest[e+1:])
	if strings.HasPrefix(rest, "(aka ") && strings.HasSuffix(rest, ")") {
		alias = rest[len("(aka ") : len(rest)-1]
	} else if rest != "" {
		return "", "", "", "", false
	}
	return kind, uuid, name, alias, true
}

// isRowID accepts an OVSDB row uuid, whole or abbreviated (hex and dashes).
func isRowID(s string) bool {
	if len(s) < 4 || len(s) > 36 {
		return false
	}
	for _, c := range []byte(s) {
		if !(c == '-' || '0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// nameAka splits "<name> (aka <alias>)".
func nameAka(s string) (string, string) {
	if i := strings.Index(s, " (aka "); i >= 0 && strings.HasSuffix(s, ")") {
		return s[:i], s[i+len(" (aka ") : len(s)-1]
	}
	return s, ""
}

// ParseNbctl is the parse.Func for `ovn-nbctl show` snapshots.
func ParseNbctl(r io.Reader, src *timeline.Source, opts parse.Options, out *timeline.Sink) error {
	lr := parse.NewLineReader(r)
	clock := &snapshotClock{src: src, opts: opts}
	problems := parse.NewProblems(src, 0)
	var (
		router *timeline.OVNRouter
		sw     *timeline.OVNSwitch
		rport  *timeline.OVNRouterPort
		sport  *timeline.OVNSwitchPort
		nat    *timeline.OVNNAT
		at     timeline.Pos
		used   int64
	)
	flush := func() {
		switch {
		case router != nil:
			out.Add(&timeline.Event{Time: clock.now(at), Pos: at, Data: router}, nil)
		case sw != nil:
			out.Add(&timeline.Event{Time: clock.now(at), Pos: at, Data: sw}, nil)
		}
		router, sw, rport, sport, nat = nil, nil, nil, nil, nil
	}
	for {
		raw, ok := lr.Next()
		if !ok {
			break
		}
		src.Records++
		pos := lr.Pos()
		if lr.Cut() {
			problems.Errorf(pos, "line cut", "line longer than %d bytes: cut", parse.MaxLine)
		}
		trimmed := bytes.TrimLeft(raw, " ")
		indent := len(raw) - len(trimmed)
		line := strings.TrimRight(string(trimmed), " \t")
		if line == "" {
			continue
		}
		switch {
		case indent == 0:
			flush()
			if clock.date(trimmed, pos) {
				continue
			}
			kind, uuid, name, alias, ok := blockHeader(line)
			if !ok {
				problems.Errorf(pos, "not nbctl show", "not a line of ovn-nbctl show: %s", clip(line))
				continue
			}
			at = pos
			if kind == "router" {
				router = &timeline.OVNRouter{UUID: uuid, Name: name, Alias: alias}
			} else {
				sw = &timeline.OVNSwitch{UUID: uuid, Name: name, Alias: alias}
			}
		case indent == 4 && (router != nil || sw != nil):
			word, rest, _ := strings.Cut(line, " ")
			rport, sport, nat = nil, nil, nil
			switch {
			case word == "port" && router != nil:
				name, _ := nameAka(rest)
				router.Ports = append(router.Ports, timeline.OVNRouterPort{Name: name})
				rport = &router.Ports[len(router.Ports)-1]
			case word == "port" && sw != nil:
				name, alias := nameAka(rest)
				sw.Ports = append(sw.Ports, timeline.OVNSwitchPort{Name: name, Alias: alias})
				sport = &sw.Ports[len(sw.Ports)-1]
			case word == "nat" && router != nil:
				router.NATs = append(router.NATs, timeline.OVNNAT{UUID: rest})
				nat = &router.NATs[len(router.NATs)-1]
			default:
				// Other sub-blocks (load balancers, policies in newer
				// releases) are read past.
			}
		case indent >= 8 && (router != nil || sw != nil):
			key, val, found := strings.Cut(line, ": ")
			if !found {
				key, val = strings.TrimSuffix(line, ":"), ""
			}
			switch {
			case rport != nil:
				switch key {
				case "mac":
					rport.MAC = unquote(val)
				case "networks":
					rport.Networks = list(val)
				case "gateway chassis":
					rport.GatewayChassis = list(val)
				case "peer":
					rport.Peer = val
				}
			case sport != nil:
				switch key {
				case "type":
					sport.Type = val
				case "addresses":
					sport.Addresses = list(val)
				case "router-port":
					sport.RouterPort = val
				}
			case nat != nil:
				switch key {
				case "external ip":
					nat.ExternalIP = unquote(val)
				case "logical ip":
					nat.LogicalIP = unquote(val)
				case "type":
					nat.Type = unquote(val)
				}
			}
		default:
			problems.Errorf(pos, "outside a block", "indented line outside a switch or router block: %s", clip(line))
			continue
		}
		used++
	}
	flush()
	if err := lr.Err(); err != nil {
		problems.Errorf(lr.Pos(), "reading stopped", "reading stopped: %v", err)
	}
	// Lines of a block belong to its event; date lines, blank lines and
	// unknown sub-blocks' lines are irrelevant; the rest are problems.
	problems.Close()
	src.Skipped = max(0, src.Records-used-problems.Errors())
	src.BadRecords = problems.Errors()
	src.Folded = used - out.Len() // a block's lines make one event
	return nil
}

// clip shortens quoted artifact text in problem messages.
func clip(s string) string {
	const max = 120
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}
