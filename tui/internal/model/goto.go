package model

import (
	"fmt"
	"strings"
	"time"
)

// ParseGoto reads the argument of ":goto":
//
//	17:09:17, 17:09, 17:09:17.2755     a time of day on ref's date, in loc
//	2024-09-18 17:09:17[.frac]          a date and time in loc ("T" works too)
//	2024-09-18T17:09:17Z, …+02:00       a time with its own zone
//	2024-09-18                          midnight in loc
//	+30s, -2m, +1h30m                   relative to ref
//
// ref is the time of the event under the cursor.
func ParseGoto(arg string, loc *time.Location, ref time.Time) (time.Time, error) {
	arg = strings.TrimSpace(arg)
	if arg == "" {
		return time.Time{}, fmt.Errorf("goto where? e.g. :goto 17:09:17, :goto 2024-09-18 17:09, :goto +30s")
	}
	if loc == nil {
		loc = time.UTC
	}
	if arg[0] == '+' || arg[0] == '-' {
		d, err := time.ParseDuration(arg)
		if err != nil {
			return time.Time{}, fmt.Errorf("%q: not a duration like +30s or -2m", arg)
		}
		return ref.Add(d), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, arg); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02 15:04:05.999999999", "2006-01-02T15:04:05.999999999", "2006-01-02 15:04", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, arg, loc); err == nil {
			return t, nil
		}
	}
	for _, layout := range []string{"15:04:05.999999999", "15:04"} {
		if t, err := time.ParseInLocation(layout, arg, loc); err == nil {
			y, mo, d := ref.In(loc).Date()
			return time.Date(y, mo, d, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), loc), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q: not a time (want 17:09:17, 2024-09-18 17:09:17, RFC 3339, or +30s)", arg)
}
