package parse

import (
	"testing"
	"time"
)

// Times of day are wall-clock readings: across a DST change they must not
// be counted from midnight.
func TestClocksAcrossDST(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip(err)
	}
	dc := NewDayClock(time.Date(2024, 3, 10, 12, 0, 0, 0, ny))
	if got, want := dc.Time(3*time.Hour+time.Second), time.Date(2024, 3, 10, 7, 0, 1, 0, time.UTC); !got.Equal(want) {
		t.Errorf("DayClock 03:00:01 on the spring-forward day = %v, want %v", got.UTC(), want)
	}
	yc := NewYearClock(2024)
	if got, want := yc.Time(time.March, 10, 23*time.Hour+30*time.Minute, ny), time.Date(2024, 3, 11, 3, 30, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("YearClock Mar 10 23:30 = %v, want %v", got.UTC(), want)
	}
}
