package lex

import "time"

// JournalPrefix is the part journalctl (-o short, -o short-precise) and
// syslog put before a message: "Sep 18 17:09:17.644405 host ident[pid]: ".
// The byte slices point into the line.
type JournalPrefix struct {
	Month time.Month
	Day   int
	TOD   time.Duration
	Host  []byte
	Ident []byte // "tcpdump", "neutron-server"
	PID   []byte // may be empty: "kernel: " has none
}

// CutJournalPrefix parses the prefix at the start of line and returns the
// message after it. Days may be space-padded ("Sep  8").
func CutJournalPrefix(line []byte) (p JournalPrefix, msg []byte, ok bool) {
	if len(line) < 16 || line[3] != ' ' {
		return p, nil, false
	}
	if p.Month, ok = Month(line); !ok {
		return p, nil, false
	}
	i := 4
	if line[i] == ' ' {
		i++
	}
	for ; i < len(line) && IsDigit(line[i]); i++ {
		p.Day = p.Day*10 + int(line[i]-'0')
	}
	if p.Day < 1 || p.Day > 31 || i >= len(line) || line[i] != ' ' {
		return p, nil, false
	}
	i++
	tod, n, ok := Clock(line[i:])
	if !ok {
		return p, nil, false
	}
	p.TOD = tod
	i += n
	if i >= len(line) || line[i] != ' ' {
		return p, nil, false
	}
	if p.Host, p.Ident, p.PID, msg, ok = HostIdent(line[i+1:]); !ok {
		return JournalPrefix{}, nil, false
	}
	return p, msg, true
}

// ISOJournalPrefix is the prefix `journalctl -o short-iso` /
// `short-iso-precise` and RFC 3339 syslog (rsyslog's default on recent
// distributions) put before a message: "2018-09-18T17:09:17.644405+00:00
// host ident[pid]: ". Unlike the short form it carries the year and zone.
type ISOJournalPrefix struct {
	Stamp Stamp
	Host  []byte
	Ident []byte
	PID   []byte
}

// CutISOJournalPrefix parses an ISO journal prefix at the start of line and
// returns the message after it.
func CutISOJournalPrefix(line []byte) (p ISOJournalPrefix, msg []byte, ok bool) {
	s, n, ok := RFC3339(line)
	if !ok || n >= len(line) || line[n] != ' ' {
		return p, nil, false
	}
	p.Stamp = s
	if p.Host, p.Ident, p.PID, msg, ok = HostIdent(line[n+1:]); !ok {
		return ISOJournalPrefix{}, nil, false
	}
	return p, msg, true
}

// HostIdent reads syslog's "host ident[pid]: " at the start of b and
// returns its parts and the message after it. The host is one word; the
// ident runs to '[', ':' or a space; the pid is digits (it and the space
// after the colon are optional).
func HostIdent(b []byte) (host, ident, pid, msg []byte, ok bool) {
	i := 0
	for i < len(b) && b[i] != ' ' {
		i++
	}
	if i == 0 || i >= len(b) {
		return nil, nil, nil, nil, false
	}
	host = b[:i]
	i++
	s := i
	for i < len(b) && b[i] != '[' && b[i] != ':' && b[i] != ' ' {
		i++
	}
	if i == s || i >= len(b) {
		return nil, nil, nil, nil, false
	}
	ident = b[s:i]
	if b[i] == '[' {
		j := i + 1
		for j < len(b) && IsDigit(b[j]) {
			j++
		}
		if j >= len(b) || b[j] != ']' {
			return nil, nil, nil, nil, false
		}
		pid = b[i+1 : j]
		i = j + 1
	}
	if i >= len(b) || b[i] != ':' {
		return nil, nil, nil, nil, false
	}
	i++
	if i < len(b) && b[i] == ' ' {
		i++
	}
	return host, ident, pid, b[i:], true
}
