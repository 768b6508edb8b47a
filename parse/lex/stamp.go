package lex

import "time"

// Readers for the timestamp pieces text artifacts use. time.Parse is an
// order of magnitude slower, and these run once per line.

// Clock reads "HH:MM:SS" with an optional fraction (any number of digits
// after '.' or ',') at the start of b. It returns the time of day and how
// many bytes it used. A leap second (":60") is accepted.
func Clock(b []byte) (tod time.Duration, n int, ok bool) {
	if len(b) < 8 || b[2] != ':' || b[5] != ':' {
		return 0, 0, false
	}
	h, ok1 := Digits2(b[0:2])
	m, ok2 := Digits2(b[3:5])
	s, ok3 := Digits2(b[6:8])
	if !ok1 || !ok2 || !ok3 || h > 23 || m > 59 || s > 60 {
		return 0, 0, false
	}
	tod = time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(s)*time.Second
	n = 8
	if n+1 < len(b) && (b[n] == '.' || b[n] == ',') && IsDigit(b[n+1]) {
		n++
		scale := time.Duration(100_000_000)
		for n < len(b) && IsDigit(b[n]) {
			tod += time.Duration(b[n]-'0') * scale
			scale /= 10
			n++
		}
	}
	return tod, n, true
}

// Date reads "YYYY-MM-DD" at the start of b. Days are checked against 31,
// not against the month; time.Date normalises the rest.
func Date(b []byte) (y int, m time.Month, d int, ok bool) {
	if len(b) < 10 || b[4] != '-' || b[7] != '-' {
		return 0, 0, 0, false
	}
	y1, ok1 := Digits2(b[0:2])
	y2, ok2 := Digits2(b[2:4])
	mm, ok3 := Digits2(b[5:7])
	dd, ok4 := Digits2(b[8:10])
	if !ok1 || !ok2 || !ok3 || !ok4 || mm < 1 || mm > 12 || dd < 1 || dd > 31 {
		return 0, 0, 0, false
	}
	return y1*100 + y2, time.Month(mm), dd, true
}

// Month reads a three-letter English month name ("Jan" … "Dec") at the
// start of b.
func Month(b []byte) (time.Month, bool) {
	if len(b) < 3 {
		return 0, false
	}
	switch string(b[:3]) { // no allocation: the compiler special-cases this
	case "Jan":
		return time.January, true
	case "Feb":
		return time.February, true
	case "Mar":
		return time.March, true
	case "Apr":
		return time.April, true
	case "May":
		return time.May, true
	case "Jun":
		return time.June, true
	case "Jul":
		return time.July, true
	case "Aug":
		return time.August, true
	case "Sep":
		return time.September, true
	case "Oct":
		return time.October, true
	case "Nov":
		return time.November, true
	case "Dec":
		return time.December, true
	}
	return 0, false
}

// Stamp is a date and time of day as printed, with the UTC offset an RFC
// 3339 stamp carries (0 for the zone-less forms).
type Stamp struct {
	Year   int
	Month  time.Month
	Day    int
	TOD    time.Duration
	Offset int // seconds east of UTC
}

// DateTime reads "YYYY-MM-DD HH:MM:SS[.frac]", or with 'T' between date and
// time, at the start of b (oslo.log, vlog, Zuul, `date --rfc-3339`): a
// zone-less stamp. The caller checks b[10] when only one separator is right.
func DateTime(b []byte) (s Stamp, n int, ok bool) {
	y, m, d, ok := Date(b)
	if !ok || len(b) < 19 || b[10] != 'T' && b[10] != ' ' {
		return s, 0, false
	}
	tod, n, ok := Clock(b[11:])
	if !ok {
		return s, 0, false
	}
	return Stamp{Year: y, Month: m, Day: d, TOD: tod}, 11 + n, true
}

// RFC3339 reads "YYYY-MM-DDTHH:MM:SS[.frac]" and a zone, 'Z' or a numeric
// offset "±hh:mm" (or "±hhmm", as journalctl -o short-iso prints it; hours
// up to 14), at the start of b.
func RFC3339(b []byte) (s Stamp, n int, ok bool) {
	if len(b) < 20 || b[10] != 'T' {
		return s, 0, false
	}
	s, n, ok = DateTime(b)
	if !ok || n >= len(b) {
		return Stamp{}, 0, false
	}
	switch b[n] {
	case 'Z':
		return s, n + 1, true
	case '+', '-':
		w := 6 // "+hh:mm"
		if n+5 <= len(b) && IsDigit(b[n+3]) {
			w = 5 // "+hhmm"
		} else if n+6 > len(b) || b[n+3] != ':' {
			return Stamp{}, 0, false
		}
		h, ok1 := Digits2(b[n+1:])
		m, ok2 := Digits2(b[n+w-2:])
		if !ok1 || !ok2 || h > 14 || m > 59 {
			return Stamp{}, 0, false
		}
		s.Offset = h*3600 + m*60
		if b[n] == '-' {
			s.Offset = -s.Offset
		}
		return s, n + w, true
	}
	return Stamp{}, 0, false
}

// UTC is the instant the stamp names, taking its offset as the zone.
func (s Stamp) UTC() time.Time {
	return time.Date(s.Year, s.Month, s.Day, 0, 0, 0, 0, time.UTC).Add(s.TOD - time.Duration(s.Offset)*time.Second)
}

// InOffset is the instant the stamp names, in a fixed zone of its offset.
func (s Stamp) InOffset() time.Time {
	return time.Date(s.Year, s.Month, s.Day, 0, 0, 0, 0, FixedZone(s.Offset)).Add(s.TOD)
}

// zones caches the fixed zones of quarter-hour offsets within ±14 h, so a
// line costs no allocation for its zone.
var zones = func() map[int]*time.Location {
	m := map[int]*time.Location{}
	for off := -14 * 3600; off <= 14*3600; off += 15 * 60 {
		m[off] = time.FixedZone("", off)
	}
	return m
}()

// FixedZone is an unnamed zone off seconds east of UTC (time.UTC for 0),
// shared between callers for the usual offsets.
func FixedZone(off int) *time.Location {
	if off == 0 {
		return time.UTC
	}
	if z, ok := zones[off]; ok {
		return z
	}
	return time.FixedZone("", off)
}
