package lex

import (
	"bytes"
	"errors"
	"fmt"
	"time"
)

// A `date` line is how shell-driven dumps (CI jobs, sosreports, `while
// true; do date; ip neigh; done` loops) say when the text after it was
// taken. Every parser that reads such dumps reads the line here.

// DateLine is a line of `date` output as read.
type DateLine struct {
	Stamp        // the wall clock; Offset is set for a numeric zone
	Zone  []byte // the zone word as printed ("UTC", "CST", "+0200"); nil when the line has none
	// Exact: UTC, GMT, UT, Z or a numeric offset, so the line names one
	// instant. Abbreviations are ambiguous (CST is US Central or China
	// Standard) and are for the caller to read in the user's zone.
	Exact bool
}

// Time is the instant the line names: its own for an exact zone, else its
// wall clock read in loc.
func (d DateLine) Time(loc *time.Location) time.Time {
	if d.Exact {
		return d.InOffset()
	}
	return WallClock(d.Year, d.Month, d.Day, d.TOD, loc)
}

// WallClock is the instant a clock in loc shows tod on the given day. Adding
// tod to midnight instead would be an hour off after a DST change.
func WallClock(y int, m time.Month, d int, tod time.Duration, loc *time.Location) time.Time {
	h := tod / time.Hour
	tod -= h * time.Hour
	mi := tod / time.Minute
	tod -= mi * time.Minute
	s := tod / time.Second
	tod -= s * time.Second
	return time.Date(y, m, d, int(h), int(mi), int(s), int(tod), loc)
}

var weekdays = [...]string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}

// IsWeekday reports b starting with an English weekday abbreviation and a
// space ("Tue "), as `date` prints in the C and en_US locales, or a comma
// ("Tue, ", `date -R`).
func IsWeekday(b []byte) bool {
	if len(b) < 4 || b[3] != ' ' && b[3] != ',' {
		return false
	}
	for _, w := range weekdays {
		if string(b[:3]) == w {
			return true
		}
	}
	return false
}

// PlausibleYear bounds the years a dump's own clock can carry, so that a
// garbled line cannot put events before the epoch.
func PlausibleYear(y int) bool { return y >= 1970 && y <= 2200 }

// ErrDateFields is DateWords' complaint about a line that lacks a field.
var ErrDateFields = errors.New("want weekday, month, day, time and year")

// DateWords reads a `date` line that starts with its weekday (see
// IsWeekday): C locale "Tue Sep 18 17:09:17 UTC 2018" ("%a %b %e %T %Z
// %Y", days space-padded), newer coreutils' en_US "Tue 18 Sep 2018
// 05:09:17 PM UTC", `date -R` "Tue, 18 Sep 2018 17:09:17 +0000", or any of
// them without a zone. Text after a complete date ("// now I ping") is a
// comment. The error says what is wrong with a line that starts like one.
func DateWords(b []byte) (DateLine, error) {
	var (
		d         DateLine
		day, year = -1, -1
		haveTOD   bool
		ampm      byte
	)
	_, i := Word(b, 0) // the weekday
	for {
		tok, j := Word(b, i)
		if len(tok) == 0 {
			break
		}
		complete := d.Month != 0 && day >= 0 && year >= 0 && haveTOD
		if m, ok := Month(tok); ok && len(tok) == 3 && d.Month == 0 {
			d.Month = m
		} else if n, ok := Number(tok); ok && len(tok) <= 2 && day < 0 {
			day = n
		} else if ok && len(tok) == 4 && year < 0 {
			year = n
		} else if t, n, ok := Clock(tok); ok && n == len(tok) && !haveTOD {
			d.TOD, haveTOD = t, true
		} else if (string(tok) == "AM" || string(tok) == "PM") && ampm == 0 {
			ampm = tok[0]
		} else if d.Zone == nil && isZoneWord(tok) {
			d.Zone = tok
		} else if complete {
			break // a comment after the date
		} else {
			if len(tok) > 60 {
				return DateLine{}, fmt.Errorf("unexpected %q", string(tok[:60])+"…")
			}
			return DateLine{}, fmt.Errorf("unexpected %q", tok)
		}
		i = j
	}
	if d.Month == 0 || day < 0 || year < 0 || !haveTOD {
		return DateLine{}, ErrDateFields
	}
	if !PlausibleYear(year) {
		return DateLine{}, fmt.Errorf("year %d", year)
	}
	if ampm != 0 {
		h := d.TOD / time.Hour
		if h < 1 || h > 12 {
			return DateLine{}, fmt.Errorf("hour %d with %cM", h, ampm)
		}
		if h == 12 {
			d.TOD -= 12 * time.Hour
		}
		if ampm == 'P' {
			d.TOD += 12 * time.Hour
		}
	}
	d.zone()
	if day < 1 || time.Date(year, d.Month, day, 0, 0, 0, 0, time.UTC).Day() != day {
		return DateLine{}, fmt.Errorf("%s has no day %d", d.Month, day)
	}
	d.Year, d.Day = year, day
	return d, nil
}

// ParseDateLine reads b, spaces around it ignored, as a `date` line of
// either form (DateWords, ISODateLine), for callers that need no reason
// why a line is not one.
func ParseDateLine(b []byte) (DateLine, bool) {
	b = bytes.TrimSpace(b)
	if IsWeekday(b) {
		d, err := DateWords(b)
		return d, err == nil
	}
	return ISODateLine(b)
}

// ISODateLine reads a line that is only an ISO 8601 / RFC 3339 date, as
// `date -Is`, `date --rfc-3339=ns` or `date +%F\ %T` print it, the zone
// optional and after an optional space. Trailing text disqualifies the
// line, so log lines are never taken for dates.
func ISODateLine(b []byte) (DateLine, bool) {
	s, n, ok := DateTime(b)
	if !ok || !PlausibleYear(s.Year) {
		return DateLine{}, false
	}
	rest := b[n:]
	if len(rest) > 0 && rest[0] == ' ' {
		rest = rest[1:]
	}
	if len(rest) > 0 && !isZoneWord(rest) && string(rest) != "Z" {
		return DateLine{}, false
	}
	d := DateLine{Stamp: s}
	if len(rest) > 0 {
		d.Zone = rest
	}
	d.zone()
	if time.Date(s.Year, s.Month, s.Day, 0, 0, 0, 0, time.UTC).Day() != s.Day {
		return DateLine{}, false
	}
	return d, true
}

// zone sets Exact and Offset from the zone word (one isZoneWord accepted).
func (d *DateLine) zone() {
	switch w := d.Zone; {
	case w == nil:
	case string(w) == "UTC" || string(w) == "GMT" || string(w) == "UT" || string(w) == "Z":
		d.Exact = true
	case w[0] == '+' || w[0] == '-':
		d.Offset, _ = numericOffset(w[1:])
		if w[0] == '-' {
			d.Offset = -d.Offset
		}
		d.Exact = true
	}
}

// numericOffset reads "hh", "hhmm" or "hh:mm" into seconds.
func numericOffset(b []byte) (int, bool) {
	if len(b) == 5 && b[2] == ':' {
		b = []byte{b[0], b[1], b[3], b[4]}
	}
	if len(b) != 2 && len(b) != 4 {
		return 0, false
	}
	h, ok := Number(b[:2])
	if !ok || h > 14 {
		return 0, false
	}
	m := 0
	if len(b) == 4 {
		if m, ok = Number(b[2:]); !ok || m > 59 {
			return 0, false
		}
	}
	return h*3600 + m*60, true
}

// isZoneWord: an abbreviation ("UTC", "CEST") or a numeric offset.
func isZoneWord(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	if b[0] == '+' || b[0] == '-' {
		_, ok := numericOffset(b[1:])
		return ok
	}
	if len(b) > 6 {
		return false
	}
	for _, c := range b {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}

// Word returns the next space- or tab-separated word of b at or after i,
// and the index after it (an empty word at the end of b).
func Word(b []byte, i int) ([]byte, int) {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
		i++
	}
	s := i
	for i < len(b) && b[i] != ' ' && b[i] != '\t' {
		i++
	}
	return b[s:i], i
}
