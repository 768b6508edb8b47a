package neigh

import (
	"bytes"
	"fmt"
	"time"

	"github.com/arpforensics/arpforensics/parse"
	"github.com/arpforensics/arpforensics/parse/lex"
)

// zoneInfo is what a date line said about its zone.
type zoneInfo struct {
	text string // as printed: "UTC", "CST", "+0200"; "" when the line had none
	// exact: UTC/GMT or a numeric offset, so the line names one instant.
	// Abbreviations are ambiguous (CST is US Central or China Standard) and
	// are read in the user's --tz zone instead.
	exact bool
}

var weekdays = [...]string{"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"}

// isWeekday reports a line starting with an English weekday abbreviation
// and a space, as `date` prints in the C and en_US locales.
func isWeekday(b []byte) bool {
	if len(b) < 4 || b[3] != ' ' {
		return false
	}
	for _, w := range weekdays {
		if string(b[:3]) == w {
			return true
		}
	}
	return false
}

// dateLine reads a `date` line: C locale "Tue Sep 18 17:09:17 UTC 2018"
// ("%a %b %e %T %Z %Y", days space-padded), newer coreutils' en_US form
// "Tue 18 Sep 2018 05:09:17 PM UTC", or either without a zone. Text after
// the date ("// at this time I start to ping") is a comment.
func (lp *lineParser) dateLine(b []byte) (time.Time, zoneInfo, error) {
	var (
		mon       time.Month
		day, year = -1, -1
		tod       time.Duration
		haveTOD   bool
		ampm      byte
		zone      []byte
	)
	_, i := nextTok(b, 0) // the weekday
	for {
		tok, j := nextTok(b, i)
		if len(tok) == 0 {
			break
		}
		complete := mon != 0 && day >= 0 && year >= 0 && haveTOD
		if m, ok := lex.Month(tok); ok && len(tok) == 3 && mon == 0 {
			mon = m
		} else if n, ok := lex.Number(tok); ok && len(tok) <= 2 && day < 0 {
			day = n
		} else if ok && len(tok) == 4 && year < 0 {
			year = n
		} else if t, n, ok := lex.Clock(tok); ok && n == len(tok) && !haveTOD {
			tod, haveTOD = t, true
		} else if (string(tok) == "AM" || string(tok) == "PM") && ampm == 0 {
			ampm = tok[0]
		} else if zone == nil && isZoneWord(tok) {
			zone = tok
		} else if complete {
			break // a comment after the date
		} else {
			return time.Time{}, zoneInfo{}, fmt.Errorf("unreadable date line %q: unexpected %q", clip(b), clip(tok))
		}
		i = j
	}
	if mon == 0 || day < 0 || year < 0 || !haveTOD {
		return time.Time{}, zoneInfo{}, fmt.Errorf("unreadable date line %q: want weekday, month, day, time and year", clip(b))
	}
	if !plausibleYear(year) {
		return time.Time{}, zoneInfo{}, fmt.Errorf("unreadable date line %q: year %d", clip(b), year)
	}
	if ampm != 0 {
		h := tod / time.Hour
		if h < 1 || h > 12 {
			return time.Time{}, zoneInfo{}, fmt.Errorf("unreadable date line %q: hour %d with %cM", clip(b), h, ampm)
		}
		if h == 12 {
			tod -= 12 * time.Hour
		}
		if ampm == 'P' {
			tod += 12 * time.Hour
		}
	}
	loc, z, err := lp.zone(zone)
	if err != nil {
		return time.Time{}, zoneInfo{}, err
	}
	if day < 1 || time.Date(year, mon, day, 0, 0, 0, 0, time.UTC).Day() != day {
		return time.Time{}, zoneInfo{}, fmt.Errorf("unreadable date line %q: %s has no day %d", clip(b), mon, day)
	}
	return parse.WallClock(year, mon, day, tod, loc), z, nil
}

// isoDateLine reads a line that is only an ISO 8601 / RFC 3339 date, as
// `date -Is`, `date --rfc-3339=ns` or `date +%F\ %T` print it. Trailing
// text disqualifies the line, so log lines are never taken for dates.
func (lp *lineParser) isoDateLine(b []byte) (time.Time, zoneInfo, bool) {
	s, n, ok := lex.DateTime(b)
	if !ok || !plausibleYear(s.Year) {
		return time.Time{}, zoneInfo{}, false
	}
	y, m, d, tod := s.Year, s.Month, s.Day, s.TOD
	rest := b[n:]
	if len(rest) > 0 && rest[0] == ' ' {
		rest = rest[1:]
	}
	if len(rest) > 0 && !isZoneWord(rest) && string(rest) != "Z" {
		return time.Time{}, zoneInfo{}, false
	}
	var zone []byte
	if len(rest) > 0 {
		zone = rest
	}
	loc, z, err := lp.zone(zone)
	if err != nil {
		return time.Time{}, zoneInfo{}, false
	}
	if time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Day() != d {
		return time.Time{}, zoneInfo{}, false
	}
	return parse.WallClock(y, m, d, tod, loc), z, true
}

// asctimeStamp reads the rest of `ip -t monitor`'s "Timestamp: Sat Nov 21
// 09:01:49 2026 408350 usec" (asctime, then microseconds not zero-padded;
// rtmon replays end in "us"). It is local time without a zone.
func (lp *lineParser) asctimeStamp(b []byte) (time.Time, error) {
	bad := func() (time.Time, error) {
		return time.Time{}, fmt.Errorf("unreadable Timestamp line: want \"Timestamp: Sat Nov 21 09:01:49 2026 408350 usec\"")
	}
	b = trimLeft(b)
	if !isWeekday(b) {
		return bad()
	}
	_, i := nextTok(b, 0)
	var tok [6][]byte
	for k := range tok {
		tok[k], i = nextTok(b, i)
	}
	if extra, _ := nextTok(b, i); len(extra) > 0 {
		return bad()
	}
	mon, ok1 := lex.Month(tok[0])
	day, ok2 := lex.Number(tok[1])
	tod, n, ok3 := lex.Clock(tok[2])
	year, ok4 := lex.Number(tok[3])
	usec, ok5 := lex.Number(tok[4])
	if !ok1 || len(tok[0]) != 3 || !ok2 || day < 1 || day > 31 || !ok3 || n != len(tok[2]) ||
		!ok4 || len(tok[3]) != 4 || !plausibleYear(year) || !ok5 || usec > 999999 || (string(tok[5]) != "usec" && string(tok[5]) != "us") {
		return bad()
	}
	if time.Date(year, mon, day, 0, 0, 0, 0, time.UTC).Day() != day {
		return bad()
	}
	return lp.lastD.at(year, mon, day, tod+time.Duration(usec)*time.Microsecond, lp.loc), nil
}

// plausibleYear bounds years to what a neighbour dump can carry, so a
// garbled line cannot put events before the epoch.
func plausibleYear(y int) bool { return y >= 1970 && y <= 2200 }

// zone resolves a date line's zone word.
func (lp *lineParser) zone(w []byte) (*time.Location, zoneInfo, error) {
	switch {
	case w == nil:
		return lp.loc, zoneInfo{}, nil
	case string(w) == "UTC" || string(w) == "GMT" || string(w) == "UT" || string(w) == "Z":
		return time.UTC, zoneInfo{text: string(w), exact: true}, nil
	case w[0] == '+' || w[0] == '-':
		off, ok := numericOffset(w[1:])
		if !ok {
			return nil, zoneInfo{}, fmt.Errorf("unreadable zone offset %q", clip(w))
		}
		if w[0] == '-' {
			off = -off
		}
		return time.FixedZone(string(w), off), zoneInfo{text: string(w), exact: true}, nil
	}
	return lp.loc, zoneInfo{text: string(w)}, nil
}

// numericOffset reads "hh", "hhmm" or "hh:mm" into seconds.
func numericOffset(b []byte) (int, bool) {
	b = bytes.ReplaceAll(b, []byte(":"), nil)
	if len(b) != 2 && len(b) != 4 {
		return 0, false
	}
	h, ok := lex.Number(b[:2])
	if !ok || h > 14 {
		return 0, false
	}
	m := 0
	if len(b) == 4 {
		if m, ok = lex.Number(b[2:]); !ok || m > 59 {
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

// dateCache remembers the last midnight computed, since monitor lines come
// in runs on the same day and time.Date is comparatively slow.
type dateCache struct {
	y      int
	m      time.Month
	d      int
	loc    *time.Location
	t      time.Time // midnight
	steady bool      // the zone's offset is the same all day
}

// at is the instant whose wall clock in loc reads y-m-d plus tod.
func (c *dateCache) at(y int, m time.Month, d int, tod time.Duration, loc *time.Location) time.Time {
	if c.loc != loc || c.y != y || c.m != m || c.d != d {
		c.y, c.m, c.d, c.loc = y, m, d, loc
		c.t = time.Date(y, m, d, 0, 0, 0, 0, loc)
		_, off0 := c.t.Zone()
		_, off1 := c.t.Add(24*time.Hour - time.Nanosecond).Zone()
		c.steady = off0 == off1
	}
	if c.steady {
		return c.t.Add(tod)
	}
	return parse.WallClock(y, m, d, tod, loc) // a daylight-saving change that day
}
