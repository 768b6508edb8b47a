package parse

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
	for ; i < len(line) && isDigit(line[i]); i++ {
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
	i++
	h := i
	for i < len(line) && line[i] != ' ' {
		i++
	}
	if i == h || i >= len(line) {
		return p, nil, false
	}
	p.Host = line[h:i]
	i++
	// ident[pid]: or ident:
	s := i
	for i < len(line) && line[i] != '[' && line[i] != ':' && line[i] != ' ' {
		i++
	}
	if i == s || i >= len(line) {
		return p, nil, false
	}
	p.Ident = line[s:i]
	if line[i] == '[' {
		j := i + 1
		for j < len(line) && isDigit(line[j]) {
			j++
		}
		if j >= len(line) || line[j] != ']' {
			return p, nil, false
		}
		p.PID = line[i+1 : j]
		i = j + 1
	}
	if i >= len(line) || line[i] != ':' {
		return p, nil, false
	}
	i++
	if i < len(line) && line[i] == ' ' {
		i++
	}
	return p, line[i:], true
}
