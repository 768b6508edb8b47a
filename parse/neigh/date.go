package neigh

import (
	"fmt"
	"time"

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

// dateLine reads a `date` line (lex.DateWords) that starts with a weekday.
func (lp *lineParser) dateLine(b []byte) (time.Time, zoneInfo, error) {
	d, err := lex.DateWords(b)
	if err != nil {
		return time.Time{}, zoneInfo{}, fmt.Errorf("unreadable date line %q: %w", clip(b), err)
	}
	return d.Time(lp.loc), zoneInfo{text: string(d.Zone), exact: d.Exact}, nil
}

// isoDateLine reads a line that is only an ISO 8601 / RFC 3339 date
// (lex.ISODateLine).
func (lp *lineParser) isoDateLine(b []byte) (time.Time, zoneInfo, bool) {
	d, ok := lex.ISODateLine(b)
	if !ok {
		return time.Time{}, zoneInfo{}, false
	}
	return d.Time(lp.loc), zoneInfo{text: string(d.Zone), exact: d.Exact}, true
}

// asctimeStamp reads the rest of `ip -t monitor`'s "Timestamp: Sat Nov 21
// 09:01:49 2026 408350 usec" (asctime, then microseconds not zero-padded;
// rtmon replays end in "us"). It is local time without a zone.
func (lp *lineParser) asctimeStamp(b []byte) (time.Time, error) {
	bad := func() (time.Time, error) {
		return time.Time{}, fmt.Errorf("unreadable Timestamp line: want \"Timestamp: Sat Nov 21 09:01:49 2026 408350 usec\"")
	}
	b = trimLeft(b)
	if !lex.IsWeekday(b) {
		return bad()
	}
	_, i := lex.Word(b, 0)
	var tok [6][]byte
	for k := range tok {
		tok[k], i = lex.Word(b, i)
	}
	if extra, _ := lex.Word(b, i); len(extra) > 0 {
		return bad()
	}
	mon, ok1 := lex.Month(tok[0])
	day, ok2 := lex.Number(tok[1])
	tod, n, ok3 := lex.Clock(tok[2])
	year, ok4 := lex.Number(tok[3])
	usec, ok5 := lex.Number(tok[4])
	if !ok1 || len(tok[0]) != 3 || !ok2 || day < 1 || day > 31 || !ok3 || n != len(tok[2]) ||
		!ok4 || len(tok[3]) != 4 || !lex.PlausibleYear(year) || !ok5 || usec > 999999 || (string(tok[5]) != "usec" && string(tok[5]) != "us") {
		return bad()
	}
	if time.Date(year, mon, day, 0, 0, 0, 0, time.UTC).Day() != day {
		return bad()
	}
	return lp.lastD.at(year, mon, day, tod+time.Duration(usec)*time.Microsecond, lp.loc), nil
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
	return lex.WallClock(y, m, d, tod, loc) // a daylight-saving change that day
}
