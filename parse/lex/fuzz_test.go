package lex

import (
	"bytes"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The fuzzers check each reader against the standard library where it has
// the same grammar, and for consistency (bytes used, round trips)
// elsewhere. Run one for a while with
//
//	go test -run XXX -fuzz '^FuzzMAC$' -fuzztime 10s ./parse/lex

func FuzzUint(f *testing.F) {
	for _, s := range []string{"", "0", "42 x", "007", "18446744073709551615", "99999999999999999999"} {
		f.Add(s, 19)
	}
	f.Fuzz(func(t *testing.T, s string, max int) {
		if max = max % 20; max < 0 {
			max = -max
		}
		v, n := Uint([]byte(s), max)
		if n > max || n > len(s) || n < len(s) && n < max && IsDigit(s[n]) {
			t.Fatalf("Uint(%q, %d) used %d", s, max, n)
		}
		if n == 0 {
			return
		}
		want, err := strconv.ParseUint(s[:n], 10, 64)
		if err != nil || want != v {
			t.Fatalf("Uint(%q, %d) = %d, strconv %d %v", s, max, v, want, err)
		}
	})
}

func FuzzNumber(f *testing.F) {
	for _, s := range []string{"", "0", "2018", "999999999", "1000000000", "+1", "-1", "1 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := Number([]byte(s))
		want, err := strconv.ParseUint(s, 10, 64)
		agree := err == nil && len(s) <= 9 && s[0] != '+'
		if ok != agree || ok && uint64(v) != want {
			t.Fatalf("Number(%q) = %d, %v; strconv %d %v", s, v, ok, want, err)
		}
	})
}

func FuzzInt32(f *testing.F) {
	for _, s := range []string{"", "-", "0", "-7", "2147483647", "-2147483648", "2147483648", "+1", "-0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := Int32([]byte(s))
		want, err := strconv.ParseInt(s, 10, 32)
		agree := err == nil && s[0] != '+' && len(strings.TrimPrefix(s, "-")) <= 10
		if ok != agree || ok && int64(v) != want {
			t.Fatalf("Int32(%q) = %d, %v; strconv %d %v", s, v, ok, want, err)
		}
	})
}

func FuzzDigits2(f *testing.F) {
	for _, s := range []string{"", "1", "07", "99x", "a1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := Digits2([]byte(s))
		agree := len(s) >= 2 && AllDigits([]byte(s[:2]))
		if ok != agree {
			t.Fatalf("Digits2(%q) = %v", s, ok)
		}
		if ok {
			if want, _ := strconv.Atoi(s[:2]); v != want {
				t.Fatalf("Digits2(%q) = %d", s, v)
			}
		}
	})
}

func FuzzHex16(f *testing.F) {
	for _, s := range []string{"", "0806", "88A8)", "080", "08g6", "+123", "0x12"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := Hex16([]byte(s))
		agree := len(s) >= 4
		if agree {
			for _, c := range []byte(s[:4]) {
				agree = agree && IsHex(c)
			}
		}
		if ok != agree {
			t.Fatalf("Hex16(%q) = %v", s, ok)
		}
		if ok {
			if want, _ := strconv.ParseUint(s[:4], 16, 16); uint64(v) != want {
				t.Fatalf("Hex16(%q) = %#x, want %#x", s, v, want)
			}
		}
	})
}

func FuzzMAC(f *testing.F) {
	for _, s := range []string{"02:00:00:00:00:0b", "FA:16:3E:aa:Bb:cC, length", "0:1:2:a:b:c", "02:00:00:00:00",
		"02-00-00-00-00-0b", "02::00:00:00:00:0b", "02:00:00:00:00:0b:01", "g2:00:00:00:00:0b", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, n, ok := MAC([]byte(s))
		if !ok {
			if n != 0 || m != [6]byte{} {
				t.Fatalf("MAC(%q) failed but returned %x, %d", s, m, n)
			}
			if hw, err := net.ParseMAC(s); err == nil && len(hw) == 6 && strings.Count(s, ":") == 5 {
				t.Fatalf("MAC(%q) rejected what net.ParseMAC reads", s)
			}
			return
		}
		if n < 11 || n > 17 || n > len(s) {
			t.Fatalf("MAC(%q) used %d bytes", s, n)
		}
		if whole, ok := ParseMAC([]byte(s[:n])); !ok || whole != m {
			t.Fatalf("ParseMAC(%q) disagrees with MAC", s[:n])
		}
		if n == 17 {
			hw, err := net.ParseMAC(s[:17])
			if err != nil || !bytes.Equal(hw, m[:]) {
				t.Fatalf("MAC(%q) = %x, net.ParseMAC %v %v", s, m, hw, err)
			}
		}
		canon := fmt.Sprintf("%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5])
		if back, k, ok := MAC([]byte(canon)); !ok || k != 17 || back != m {
			t.Fatalf("MAC(%q) does not read back %q", s, canon)
		}
	})
}

func FuzzIPv4(f *testing.F) {
	for _, s := range []string{"10.0.0.1", "0.0.0.0", "10.0.0.1.22 >", "010.0.0.1", "10.0.0.01", "10.0.0.1234",
		"10.0.0.256", "1.2.3", "1.2.3.4%eth0", "::ffff:1.2.3.4", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, n, ok := IPv4([]byte(s))
		if ok {
			if n < 7 || n > 15 || n > len(s) || n < len(s) && IsDigit(s[n]) {
				t.Fatalf("IPv4(%q) used %d", s, n)
			}
			if want, err := netip.ParseAddr(s[:n]); err != nil || want != a {
				t.Fatalf("IPv4(%q) = %v, netip %v %v", s, a, want, err)
			}
		}
		p, whole := ParseIPv4([]byte(s))
		want, err := netip.ParseAddr(s)
		if agree := err == nil && want.Is4(); whole != agree || whole && p != want {
			t.Fatalf("ParseIPv4(%q) = %v %v; netip %v %v", s, p, whole, want, err)
		}
	})
}

func FuzzClock(f *testing.F) {
	for _, s := range []string{"17:09:17", "17:09:17.644405 h", "00:00:00,276", "23:59:60", "24:00:00", "1:00:00", "00:00:00."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tod, n, ok := Clock([]byte(s))
		if !ok {
			if _, err := time.Parse("15:04:05", s); err == nil && s[2] == ':' && s[5] == ':' {
				t.Fatalf("Clock(%q) rejected what time.Parse reads", s)
			}
			return
		}
		if n < 8 || n > len(s) || n == 9 {
			t.Fatalf("Clock(%q) used %d", s, n)
		}
		if tod < 0 || tod >= 24*time.Hour+time.Minute {
			t.Fatalf("Clock(%q) = %v", s, tod)
		}
		// time.Parse takes no leap second and no comma; compare the rest.
		if s[6:8] == "60" || n > 8 && s[8] == ',' || n > 18 {
			return
		}
		layout := "15:04:05"
		if n > 8 {
			layout += "." + strings.Repeat("0", n-9)
		}
		want, err := time.Parse(layout, s[:n])
		if err != nil {
			t.Fatalf("time.Parse(%q, %q): %v", layout, s[:n], err)
		}
		if got := want.Sub(want.Truncate(24 * time.Hour)); got != tod {
			t.Fatalf("Clock(%q) = %v, time.Parse %v", s, tod, got)
		}
	})
}

func FuzzDate(f *testing.F) {
	for _, s := range []string{"2018-09-18", "0001-01-01T", "2018-02-31", "2018-13-01", "2018-01-00", "2018/01/01", "18-01-01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		y, m, d, ok := Date([]byte(s))
		var want time.Time
		var err error = fmt.Errorf("short")
		if len(s) >= 10 {
			want, err = time.Parse("2006-01-02", s[:10])
		}
		if err == nil && (!ok || want.Year() != y || want.Month() != m || want.Day() != d) {
			t.Fatalf("Date(%q) = %d %v %d %v; time.Parse %v", s, y, m, d, ok, want)
		}
		// Days past the month's end are left to time.Date to normalise.
		if ok && err != nil && time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Day() == d {
			t.Fatalf("Date(%q) accepted what time.Parse rejects: %v", s, err)
		}
	})
}

func FuzzDateTime(f *testing.F) {
	for _, s := range []string{"2018-09-18 17:09:17.276 32314", "2022-02-10T16:09:19.398Z|", "2018-09-18_17:09:17", "2018-09-18 17:09"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		st, n, ok := DateTime([]byte(s))
		if !ok {
			return
		}
		y, m, d, _ := Date([]byte(s))
		tod, k, _ := Clock([]byte(s[11:]))
		if st != (Stamp{Year: y, Month: m, Day: d, TOD: tod}) || n != 11+k || s[10] != 'T' && s[10] != ' ' {
			t.Fatalf("DateTime(%q) = %+v, %d", s, st, n)
		}
	})
}

func FuzzRFC3339(f *testing.F) {
	for _, s := range []string{"2018-09-18T17:09:17Z host", "2018-09-18T17:09:17.644405+00:00 h", "2018-09-18T17:09:17+0200",
		"2018-09-18T17:09:17-05:30", "2018-09-18T23:59:60Z", "2018-09-18T17:09:17+15:00", "2018-09-18T17:09:17+02"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		st, n, ok := RFC3339([]byte(s))
		if !ok {
			// time.Parse also takes one-digit hours and offset minutes
			// past 59; lex does not.
			if tm, err := time.Parse(time.RFC3339Nano, s); err == nil && s[13] == ':' && s[16] == ':' && offsetMinutesOK(s) {
				if _, off := tm.Zone(); off/3600 <= 14 && off/3600 >= -14 {
					t.Fatalf("RFC3339(%q) rejected what time.Parse reads", s)
				}
			}
			return
		}
		if n > len(s) || !st.UTC().Equal(st.InOffset()) {
			t.Fatalf("RFC3339(%q) used %d, %v", s, n, st)
		}
		// time.Parse wants a colon in the offset, a dot before the
		// fraction, no leap second and days within the month.
		p := s[:n]
		if strings.Contains(p, ",") || p[17:19] == "60" || p[n-1] != 'Z' && p[n-3] != ':' ||
			time.Date(st.Year, st.Month, st.Day, 0, 0, 0, 0, time.UTC).Day() != st.Day {
			return
		}
		want, err := time.Parse(time.RFC3339Nano, p)
		if err != nil || !want.Equal(st.UTC()) {
			t.Fatalf("RFC3339(%q) = %v, time.Parse %v %v", s, st.UTC(), want, err)
		}
		if _, off := want.Zone(); off != st.Offset {
			t.Fatalf("RFC3339(%q) offset %d, time.Parse %d", s, st.Offset, off)
		}
	})
}

// checkHostIdent checks what HostIdent's grammar promises of its parts.
func checkHostIdent(t *testing.T, in, host, ident, pid, msg []byte) {
	t.Helper()
	if len(host) == 0 || bytes.IndexByte(host, ' ') >= 0 || len(ident) == 0 || bytes.IndexAny(ident, "[: ") >= 0 ||
		!AllDigits(pid) && len(pid) > 0 || !bytes.HasSuffix(in, msg) {
		t.Fatalf("%q: host %q ident %q pid %q msg %q", in, host, ident, pid, msg)
	}
	line := string(host) + " " + string(ident)
	if pid != nil {
		line += "[" + string(pid) + "]"
	}
	line += ": " + string(msg)
	h2, i2, p2, m2, ok := HostIdent([]byte(line))
	if !ok || !bytes.Equal(h2, host) || !bytes.Equal(i2, ident) || !bytes.Equal(p2, pid) || !bytes.Equal(m2, msg) {
		if len(msg) > 0 && msg[0] == ' ' {
			return // the optional space after the colon took the message's own
		}
		t.Fatalf("%q does not read back from %q", in, line)
	}
}

func FuzzHostIdent(f *testing.F) {
	for _, s := range []string{"node1 tcpdump[123]: x", "node1 kernel: x", "h a:b: m", "h i[12x]: m", "h i", "host [1]: m"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if host, ident, pid, msg, ok := HostIdent([]byte(s)); ok {
			checkHostIdent(t, []byte(s), host, ident, pid, msg)
		}
	})
}

func FuzzCutJournalPrefix(f *testing.F) {
	for _, s := range []string{"Sep 18 17:09:17 node1 tcpdump[123]: 17:09:17.1 ARP", "Sep  8 17:09:17.644405 node1 kernel: hello",
		"Sep 32 17:09:17 node1 k: m", "Sep 18 17:09 node1 k: m"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, msg, ok := CutJournalPrefix([]byte(s))
		if !ok {
			return
		}
		if p.Day < 1 || p.Day > 31 || p.TOD < 0 || p.TOD > 24*time.Hour {
			t.Fatalf("CutJournalPrefix(%q) = %+v", s, p)
		}
		checkHostIdent(t, []byte(s), p.Host, p.Ident, p.PID, msg)
	})
}

func FuzzCutISOJournalPrefix(f *testing.F) {
	for _, s := range []string{"2018-09-18T17:09:17.644405+0000 node1 tcpdump[9]: x", "2018-09-18T17:09:17Z stdout F msg",
		"2018-09-18T17:09:17+02:00 h k:m"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, msg, ok := CutISOJournalPrefix([]byte(s))
		if !ok {
			return
		}
		st, n, _ := RFC3339([]byte(s))
		if st != p.Stamp || s[n] != ' ' {
			t.Fatalf("CutISOJournalPrefix(%q) stamp %+v", s, p.Stamp)
		}
		checkHostIdent(t, []byte(s), p.Host, p.Ident, p.PID, msg)
	})
}

// offsetMinutesOK reports an RFC 3339 text whose numeric offset, if any,
// has minutes up to 59.
func offsetMinutesOK(s string) bool {
	i := 19
	for i < len(s) && (s[i] == '.' || IsDigit(s[i])) {
		i++
	}
	return i >= len(s) || s[i] == 'Z' || i+6 > len(s) || s[i+4:i+6] <= "59"
}

func FuzzParseIPv6(f *testing.F) {
	for _, s := range []string{"::", "::1", "fe80::1", "2001:db8:0:0:0:0:0:1", "2001:db8::", "::ffff:192.0.2.1", "1:2:3:4:5:6:7::8",
		"1:2:3:4:5:6:7:8", "1::2::3", "12345::", "fe80::1%eth0", "::ffff:01.2.3.4", ":1", "1:", "1.2.3.4", "1:2:3:4:5:6:1.2.3.4"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, ok := ParseIPv6([]byte(s))
		want, err := netip.ParseAddr(s)
		agree := err == nil && want.Is6() && want.Zone() == ""
		if ok != agree || ok && a != want {
			t.Fatalf("ParseIPv6(%q) = %v %v; netip %v %v", s, a, ok, want, err)
		}
	})
}
