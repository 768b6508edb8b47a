package lex

import (
	"testing"
	"time"
)

func TestDateLines(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip(err)
	}
	for _, c := range []struct {
		in    string
		utc   string // in UTC when read with loc Berlin; "" rejected
		zone  string
		exact bool
	}{
		{"Tue Sep 18 17:09:17 UTC 2018", "2018-09-18T17:09:17Z", "UTC", true},
		{"Tue Sep  8 17:09:17 GMT 2018", "2018-09-08T17:09:17Z", "GMT", true},
		{"Tue 18 Sep 2018 05:09:17 PM UTC", "2018-09-18T17:09:17Z", "UTC", true},
		{"Tue 18 Sep 2018 12:09:17 AM UTC", "2018-09-18T00:09:17Z", "UTC", true},
		{"Tue, 18 Sep 2018 17:09:17 +0200", "2018-09-18T15:09:17Z", "+0200", true},
		{"Tue Sep 18 17:09:17 CEST 2018", "2018-09-18T15:09:17Z", "CEST", false}, // read in loc
		{"Tue Sep 18 17:09:17 2018", "2018-09-18T15:09:17Z", "", false},
		{"Tue Sep 18 17:09:17 UTC 2018 // now I ping", "2018-09-18T17:09:17Z", "UTC", true},
		{"Tue Sep 18 17:09:17 UTC", "", "", false},
		{"Tue Sep 31 17:09:17 UTC 2018", "", "", false},
		{"Tue Sep 18 17:09:17 UTC 1900", "", "", false},
		{"Tue Sep 18 13:09:17 PM UTC 2018", "", "", false},
		{"Tue Sep 18 17:09:17 utc 2018", "", "", false},
	} {
		d, err := DateWords([]byte(c.in))
		if (err == nil) != (c.utc != "") {
			t.Errorf("DateWords(%q): %v", c.in, err)
			continue
		}
		if err != nil {
			continue
		}
		if got := d.Time(berlin).UTC().Format(time.RFC3339Nano); got != c.utc || string(d.Zone) != c.zone || d.Exact != c.exact {
			t.Errorf("DateWords(%q) = %s zone %q exact %v", c.in, got, d.Zone, d.Exact)
		}
	}
	for _, c := range []struct {
		in    string
		utc   string
		zone  string
		exact bool
	}{
		{"2018-09-18T17:09:17+00:00", "2018-09-18T17:09:17Z", "+00:00", true},
		{"2018-09-18 17:09:17.123456789-07:00", "2018-09-19T00:09:17.123456789Z", "-07:00", true},
		{"2018-09-18T17:09:17Z", "2018-09-18T17:09:17Z", "Z", true},
		{"2018-09-18 17:09:17 UTC", "2018-09-18T17:09:17Z", "UTC", true},
		{"2018-09-18T17:09:17-0700", "2018-09-19T00:09:17Z", "-0700", true},
		{"2018-09-18 17:09:17", "2018-09-18T15:09:17Z", "", false},
		{"2018-09-18 17:09:17.276 32314 INFO x", "", "", false}, // a log line
		{"2018-02-30 17:09:17", "", "", false},
		{"1960-09-18 17:09:17", "", "", false},
		{"2018-09-18 17:09:17+15:00", "", "", false},
	} {
		d, ok := ISODateLine([]byte(c.in))
		if ok != (c.utc != "") {
			t.Errorf("ISODateLine(%q): %v", c.in, ok)
			continue
		}
		if !ok {
			continue
		}
		if got := d.Time(berlin).UTC().Format(time.RFC3339Nano); got != c.utc || string(d.Zone) != c.zone || d.Exact != c.exact {
			t.Errorf("ISODateLine(%q) = %s zone %q exact %v", c.in, got, d.Zone, d.Exact)
		}
	}
	for in, want := range map[string]bool{"Tue ": true, "Sun, 1": true, "Tue": false, "tue ": false, "Tues ": false, "Xyz ": false} {
		if IsWeekday([]byte(in)) != want {
			t.Errorf("IsWeekday(%q) != %v", in, want)
		}
	}
	// 02:30 does not exist in Berlin on 2024-03-31: WallClock moves on as time.Date does.
	if got := WallClock(2024, 3, 31, 3*time.Hour+30*time.Minute, berlin).UTC(); got != time.Date(2024, 3, 31, 1, 30, 0, 0, time.UTC) {
		t.Errorf("WallClock after the DST change = %v", got)
	}
}

func TestParseDateLine(t *testing.T) {
	for in, want := range map[string]bool{
		"  Tue Sep 18 17:09:17 UTC 2018 \r": true, "2018-09-18T17:09:17Z\t": true, "Tue Sep 18": false,
		"2018-09-18 17:09:17 INFO x": false, "router 1234": false, "": false,
	} {
		if _, ok := ParseDateLine([]byte(in)); ok != want {
			t.Errorf("ParseDateLine(%q) = %v", in, ok)
		}
	}
}

func TestWord(t *testing.T) {
	b := []byte(" \t10.0.0.1  dev\teth0 ")
	var got []string
	for w, i := Word(b, 0); len(w) > 0; w, i = Word(b, i) {
		got = append(got, string(w))
	}
	if len(got) != 3 || got[0] != "10.0.0.1" || got[1] != "dev" || got[2] != "eth0" {
		t.Errorf("words %q", got)
	}
}

func FuzzDateWords(f *testing.F) {
	for _, s := range []string{"Tue Sep 18 17:09:17 UTC 2018", "Tue 18 Sep 2018 05:09:17 PM UTC", "Tue, 18 Sep 2018 17:09:17 +0200",
		"Tue Sep 18 17:09:17 2018 // x", "Tue Sep 31 17:09:17 UTC 2018", "Tue Sep 18 13:09:17 PM UTC 2018"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := DateWords([]byte(s))
		if err != nil {
			return
		}
		if !PlausibleYear(d.Year) || d.TOD < 0 || d.TOD >= 24*time.Hour+time.Minute ||
			time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Day() != d.Day {
			t.Fatalf("DateWords(%q) = %+v", s, d)
		}
		if d.TOD >= 24*time.Hour {
			return // 23:59:60 prints back as 24:00:00
		}
		// The fields, printed in the C locale, read back the same.
		back := "Mon " + d.Month.String()[:3] + " " + itoa(d.Day) + " " + clockText(d.TOD) + " " + string(d.Zone) + " " + itoa(d.Year)
		d2, err := DateWords([]byte(back))
		if err != nil || d2.Stamp != d.Stamp || d2.Exact != d.Exact {
			t.Fatalf("DateWords(%q) = %+v; %q reads %+v, %v", s, d, back, d2, err)
		}
	})
}

func FuzzISODateLine(f *testing.F) {
	for _, s := range []string{"2018-09-18T17:09:17+00:00", "2018-09-18 17:09:17.5 UTC", "2018-09-18 17:09:17", "2018-09-18 17:09:17 INFO"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := ISODateLine([]byte(s))
		if !ok {
			return
		}
		st, n, _ := DateTime([]byte(s))
		if st.Year != d.Year || st.TOD != d.TOD || n > len(s) || d.Zone == nil && n != len(s) && s[n:] != " " {
			t.Fatalf("ISODateLine(%q) = %+v", s, d)
		}
		if d.Exact && d.Zone != nil && d.Zone[0] != '+' && d.Zone[0] != '-' && d.Offset != 0 {
			t.Fatalf("ISODateLine(%q): offset %d for %q", s, d.Offset, d.Zone)
		}
	})
}

func FuzzWord(f *testing.F) {
	for _, s := range []string{"", " a b", "\t\tx\ty ", "abc"} {
		f.Add(s, 0)
	}
	f.Fuzz(func(t *testing.T, s string, i int) {
		if i < 0 || i > len(s) {
			return
		}
		w, j := Word([]byte(s), i)
		if j < i || j > len(s) || string(w) != s[j-len(w):j] {
			t.Fatalf("Word(%q, %d) = %q, %d", s, i, w, j)
		}
		for _, c := range w {
			if c == ' ' || c == '\t' {
				t.Fatalf("Word(%q, %d) = %q", s, i, w)
			}
		}
		if j < len(s) && s[j] != ' ' && s[j] != '\t' {
			t.Fatalf("Word(%q, %d) stopped inside a word at %d", s, i, j)
		}
	})
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

func clockText(tod time.Duration) string {
	h, m, s := int(tod/time.Hour), int(tod%time.Hour/time.Minute), int(tod%time.Minute/time.Second)
	two := func(v int) string { return string(rune('0'+v/10)) + string(rune('0'+v%10)) }
	out := two(h) + ":" + two(m) + ":" + two(s)
	if ns := int(tod % time.Second); ns > 0 {
		frac := []byte("000000000")
		for k := 8; k >= 0; k-- {
			frac[k] = byte('0' + ns%10)
			ns /= 10
		}
		out += "." + string(frac)
	}
	return out
}
