package parse

import "time"

// Fast, allocation-free readers for the timestamp pieces text artifacts use.
// time.Parse is an order of magnitude slower and these run once per line.

// Clock reads "HH:MM:SS" with an optional ".fraction" (any number of digits)
// at the start of b. It returns the time of day and how many bytes it used.
func Clock(b []byte) (tod time.Duration, n int, ok bool) {
	if len(b) < 8 || b[2] != ':' || b[5] != ':' {
		return 0, 0, false
	}
	h, ok1 := two(b[0:2])
	m, ok2 := two(b[3:5])
	s, ok3 := two(b[6:8])
	if !ok1 || !ok2 || !ok3 || h > 23 || m > 59 || s > 60 {
		return 0, 0, false
	}
	tod = time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(s)*time.Second
	n = 8
	if n < len(b) && (b[n] == '.' || b[n] == ',') && n+1 < len(b) && isDigit(b[n+1]) {
		n++
		scale := time.Duration(100_000_000)
		for n < len(b) && isDigit(b[n]) {
			tod += time.Duration(b[n]-'0') * scale
			scale /= 10
			n++
		}
	}
	return tod, n, true
}

// Date reads "YYYY-MM-DD" at the start of b.
func Date(b []byte) (y int, m time.Month, d int, ok bool) {
	if len(b) < 10 || b[4] != '-' || b[7] != '-' {
		return 0, 0, 0, false
	}
	y1, ok1 := two(b[0:2])
	y2, ok2 := two(b[2:4])
	mm, ok3 := two(b[5:7])
	dd, ok4 := two(b[8:10])
	if !ok1 || !ok2 || !ok3 || !ok4 || mm < 1 || mm > 12 || dd < 1 || dd > 31 {
		return 0, 0, 0, false
	}
	return y1*100 + y2, time.Month(mm), dd, true
}

// Month reads a three-letter English month name ("Jan" … "Dec").
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

func two(b []byte) (int, bool) {
	if !isDigit(b[0]) || !isDigit(b[1]) {
		return 0, false
	}
	return int(b[0]-'0')*10 + int(b[1]-'0'), true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// YearClock completes month-and-day timestamps with a year. It starts at a
// given year and moves to the next one when the month goes backwards by more
// than six months (a journal running from December into January).
type YearClock struct {
	year int
	last time.Month
}

// NewYearClock starts a clock in year.
func NewYearClock(year int) *YearClock { return &YearClock{year: year} }

// Time is month/day/time-of-day in loc, in the clock's current year.
func (c *YearClock) Time(m time.Month, day int, tod time.Duration, loc *time.Location) time.Time {
	if c.last != 0 && m < c.last && c.last-m > 6 {
		c.year++
	}
	c.last = m
	return WallClock(c.year, m, day, tod, loc)
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

// DayClock completes time-of-day timestamps with a date. It starts on a given
// day and moves to the next one when the clock goes backwards by more than
// twelve hours (a capture running past midnight).
type DayClock struct {
	day  time.Time // midnight of the current day, in its zone
	last time.Duration
	seen bool
}

// NewDayClock starts a clock on the date of t (in t's zone).
func NewDayClock(t time.Time) *DayClock {
	y, m, d := t.Date()
	return &DayClock{day: time.Date(y, m, d, 0, 0, 0, 0, t.Location())}
}

// Rebase moves the clock to the date of t, as when a line carries its date.
func (c *DayClock) Rebase(t time.Time) {
	y, m, d := t.Date()
	c.day = time.Date(y, m, d, 0, 0, 0, 0, t.Location())
	c.seen = false
}

// Time is tod on the clock's current day.
func (c *DayClock) Time(tod time.Duration) time.Time {
	if c.seen && tod < c.last && c.last-tod > 12*time.Hour {
		c.day = c.day.AddDate(0, 0, 1)
	}
	c.last, c.seen = tod, true
	y, m, d := c.day.Date()
	return WallClock(y, m, d, tod, c.day.Location())
}
