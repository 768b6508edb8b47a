package parse

import (
	"time"

	"github.com/arpforensics/arpforensics/parse/lex"
)

// Clocks that complete the partial timestamps text artifacts print (no year,
// no date); the timestamps themselves are read by package lex.

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
	return lex.WallClock(c.year, m, day, tod, loc)
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
	return lex.WallClock(y, m, d, tod, c.day.Location())
}
