package pcap

import (
	"time"
)

// isoPrefix is the prefix `journalctl -o short-iso` / `short-iso-precise`
// and RFC 3339 syslog (rsyslog's default on recent distributions) put
// before a message: "2018-09-18T17:09:17.644405+00:00 host ident[pid]: ".
// Unlike the short form it carries the date, year and UTC offset.
type isoPrefix struct {
	at    time.Time // in the prefix's own offset
	ident []byte
}

// cutISOPrefix parses an ISO journal prefix and returns the message after it.
func cutISOPrefix(line []byte) (p isoPrefix, msg []byte, ok bool) {
	if len(line) < 26 || line[10] != 'T' {
		return p, nil, false
	}
	y, m, d, ok := dateOf(line)
	if !ok {
		return p, nil, false
	}
	b := line[11:]
	if len(b) < 8 || b[2] != ':' || b[5] != ':' {
		return p, nil, false
	}
	h, ok1 := two(b[0:])
	mi, ok2 := two(b[3:])
	s, ok3 := two(b[6:])
	if !ok1 || !ok2 || !ok3 || h > 23 || mi > 59 || s > 60 {
		return p, nil, false
	}
	i := 8
	ns := 0
	if i < len(b) && b[i] == '.' {
		i++
		scale := 100_000_000
		for i < len(b) && isDigit(b[i]) {
			ns += int(b[i]-'0') * scale
			scale /= 10
			i++
		}
	}
	if i >= len(b) {
		return p, nil, false
	}
	var off int
	switch b[i] {
	case 'Z':
		i++
	case '+', '-':
		sign := 1
		if b[i] == '-' {
			sign = -1
		}
		i++
		if i+2 > len(b) {
			return p, nil, false
		}
		oh, ok := two(b[i:])
		if !ok {
			return p, nil, false
		}
		i += 2
		if i < len(b) && b[i] == ':' {
			i++
		}
		if i+2 > len(b) {
			return p, nil, false
		}
		om, ok := two(b[i:])
		if !ok || oh > 14 || om > 59 {
			return p, nil, false
		}
		i += 2
		off = sign * (oh*3600 + om*60)
	default:
		return p, nil, false
	}
	ident, msg, ok := cutHostIdent(b[i:])
	if !ok {
		return p, nil, false
	}
	p.at = time.Date(y, m, d, h, mi, s, ns, fixedZone(off))
	p.ident = ident
	return p, msg, true
}

// cutHostIdent reads " host ident[pid]: " (the pid and the space after the
// colon optional) and returns the ident and the message.
func cutHostIdent(b []byte) (ident, msg []byte, ok bool) {
	if len(b) == 0 || b[0] != ' ' {
		return nil, nil, false
	}
	i := 1
	for i < len(b) && b[i] != ' ' {
		i++
	}
	if i == 1 || i >= len(b) {
		return nil, nil, false
	}
	i++
	s := i
	for i < len(b) && b[i] != '[' && b[i] != ':' && b[i] != ' ' {
		i++
	}
	if i == s || i >= len(b) {
		return nil, nil, false
	}
	ident = b[s:i]
	if b[i] == '[' {
		j := i + 1
		for j < len(b) && isDigit(b[j]) {
			j++
		}
		if j >= len(b) || b[j] != ']' {
			return nil, nil, false
		}
		i = j + 1
	}
	if i >= len(b) || b[i] != ':' {
		return nil, nil, false
	}
	i++
	if i < len(b) && b[i] == ' ' {
		i++
	}
	return ident, b[i:], true
}

// zones caches the fixed zones of the offsets seen, so a line costs no
// allocation for its zone. Offsets are whole minutes within ±14 h.
var zones = func() map[int]*time.Location {
	m := map[int]*time.Location{}
	for off := -14 * 3600; off <= 14*3600; off += 15 * 60 {
		m[off] = time.FixedZone("", off)
	}
	return m
}()

func fixedZone(off int) *time.Location {
	if off == 0 {
		return time.UTC
	}
	if z, ok := zones[off]; ok {
		return z
	}
	return time.FixedZone("", off)
}
