package lex

import (
	"strconv"
	"testing"
	"time"
)

func TestHexTable(t *testing.T) {
	for i := 0; i < 256; i++ {
		c := byte(i)
		want, err := strconv.ParseUint(string(c), 16, 8)
		v, ok := Unhex(c)
		if ok != (err == nil) || ok && uint64(v) != want || IsHex(c) != ok {
			t.Errorf("Unhex(%q) = %d, %v", c, v, ok)
		}
		if IsDigit(c) != ('0' <= c && c <= '9') {
			t.Errorf("IsDigit(%q)", c)
		}
	}
}

func TestIntegers(t *testing.T) {
	for _, c := range []struct {
		in  string
		max int
		v   uint64
		n   int
	}{
		{"", 9, 0, 0}, {"x1", 9, 0, 0}, {"0", 9, 0, 1}, {"42 entries", 9, 42, 2},
		{"1234567890", 9, 123456789, 9}, {"18446744073709551615", 19, 1844674407370955161, 19},
		{"007", 9, 7, 3},
	} {
		if v, n := Uint([]byte(c.in), c.max); v != c.v || n != c.n {
			t.Errorf("Uint(%q, %d) = %d, %d, want %d, %d", c.in, c.max, v, n, c.v, c.n)
		}
	}
	for _, c := range []struct {
		in string
		v  int
		ok bool
	}{
		{"", 0, false}, {"7", 7, true}, {"2018", 2018, true}, {"999999999", 999999999, true},
		{"1000000000", 0, false}, {"12a", 0, false}, {"-1", 0, false}, {" 1", 0, false},
	} {
		if v, ok := Number([]byte(c.in)); ok != c.ok || ok && v != c.v {
			t.Errorf("Number(%q) = %d, %v", c.in, v, ok)
		}
	}
	for _, c := range []struct {
		in string
		v  int32
		ok bool
	}{
		{"", 0, false}, {"-", 0, false}, {"0", 0, true}, {"-7", -7, true}, {"2147483647", 2147483647, true},
		{"-2147483648", -2147483648, true}, {"2147483648", 0, false}, {"12345678901", 0, false}, {"1/2", 0, false},
	} {
		if v, ok := Int32([]byte(c.in)); ok != c.ok || ok && v != c.v {
			t.Errorf("Int32(%q) = %d, %v", c.in, v, ok)
		}
	}
	for in, want := range map[string]bool{"": false, "0": true, "0123": true, "12a": false, " 1": false} {
		if AllDigits([]byte(in)) != want {
			t.Errorf("AllDigits(%q) != %v", in, want)
		}
	}
	for _, c := range []struct {
		in string
		v  int
		ok bool
	}{{"", 0, false}, {"7", 0, false}, {"07", 7, true}, {"99x", 99, true}, {"a1", 0, false}} {
		if v, ok := Digits2([]byte(c.in)); ok != c.ok || ok && v != c.v {
			t.Errorf("Digits2(%q) = %d, %v", c.in, v, ok)
		}
	}
	for _, c := range []struct {
		in string
		v  uint16
		ok bool
	}{{"0806", 0x0806, true}, {"88A8)", 0x88a8, true}, {"080", 0, false}, {"08g6", 0, false}, {"ffff", 0xffff, true}} {
		if v, ok := Hex16([]byte(c.in)); ok != c.ok || ok && v != c.v {
			t.Errorf("Hex16(%q) = %#x, %v", c.in, v, ok)
		}
	}
}

func TestMAC(t *testing.T) {
	for _, c := range []struct {
		in   string
		want [6]byte
		n    int
		ok   bool
	}{
		{"02:00:00:00:00:0b", [6]byte{2, 0, 0, 0, 0, 0xb}, 17, true},
		{"FA:16:3E:aa:Bb:cC, length 42", [6]byte{0xfa, 0x16, 0x3e, 0xaa, 0xbb, 0xcc}, 17, true},
		{"0:1:2:a:b:c", [6]byte{0, 1, 2, 0xa, 0xb, 0xc}, 11, true},
		{"2:00:0:00:0:b0", [6]byte{2, 0, 0, 0, 0, 0xb0}, 14, true},
		{"02:00:00:00:00:0b:01", [6]byte{2, 0, 0, 0, 0, 0xb}, 17, true}, // the caller judges what follows
		{"02:00:00:00:00:0b0", [6]byte{2, 0, 0, 0, 0, 0xb}, 17, true},
		{"02:00:00:00:00", [6]byte{}, 0, false},
		{"02-00-00-00-00-0b", [6]byte{}, 0, false}, // dashes are timeline.ParseMAC's to map
		{"02:00:00:00:00:", [6]byte{}, 0, false},
		{"02::00:00:00:00:0b", [6]byte{}, 0, false},
		{"g2:00:00:00:00:0b", [6]byte{}, 0, false},
		{"002:00:00:00:00:0b", [6]byte{}, 0, false},
		{"", [6]byte{}, 0, false},
	} {
		m, n, ok := MAC([]byte(c.in))
		if ok != c.ok || m != c.want || n != c.n {
			t.Errorf("MAC(%q) = %x, %d, %v; want %x, %d, %v", c.in, m, n, ok, c.want, c.n, c.ok)
		}
		whole := ok && n == len(c.in)
		if _, ok := ParseMAC([]byte(c.in)); ok != whole {
			t.Errorf("ParseMAC(%q) = %v", c.in, ok)
		}
	}
}

func TestIPv4(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string
		n    int
	}{
		{"10.0.0.1", "10.0.0.1", 8},
		{"0.0.0.0", "0.0.0.0", 7},
		{"255.255.255.255", "255.255.255.255", 15},
		{"10.0.0.1.22 > ", "10.0.0.1", 8}, // tcpdump's address.port
		{"192.168.1.10)", "192.168.1.10", 12},
		{"010.0.0.1", "", 0}, // leading zeros: inet_aton would read 010 as octal
		{"10.0.0.01", "", 0},
		{"10.00.0.1", "", 0},
		{"10.0.0.1234", "", 0}, // a digit after the quad
		{"10.0.0.256", "", 0},
		{"10.0.0", "", 0},
		{"10.0.0.", "", 0},
		{"10..0.1", "", 0},
		{"a.b.c.d", "", 0},
		{"", "", 0},
	} {
		a, n, ok := IPv4([]byte(c.in))
		if ok != (c.want != "") || ok && (a.String() != c.want || n != c.n) {
			t.Errorf("IPv4(%q) = %v, %d, %v; want %q, %d", c.in, a, n, ok, c.want, c.n)
		}
		if _, ok := ParseIPv4([]byte(c.in)); ok != (c.want != "" && c.n == len(c.in)) {
			t.Errorf("ParseIPv4(%q) = %v", c.in, ok)
		}
	}
}

func TestClockDate(t *testing.T) {
	for _, c := range []struct {
		in  string
		tod time.Duration
		n   int
		ok  bool
	}{
		{"17:09:17", 17*time.Hour + 9*time.Minute + 17*time.Second, 8, true},
		{"17:09:17.644405 host", 17*time.Hour + 9*time.Minute + 17*time.Second + 644405*time.Microsecond, 15, true},
		{"00:00:00,276 ", 276 * time.Millisecond, 12, true}, // Python logging's comma
		{"23:59:60", 23*time.Hour + 59*time.Minute + 60*time.Second, 8, true},
		{"00:00:00.123456789123", 123456789 * time.Nanosecond, 21, true},
		{"00:00:00. ", 0, 8, true}, // a dot with no digit is not a fraction
		{"24:00:00", 0, 0, false},
		{"12:60:00", 0, 0, false},
		{"12:00:61", 0, 0, false},
		{"1:00:00", 0, 0, false},
		{"12-00-00", 0, 0, false},
	} {
		tod, n, ok := Clock([]byte(c.in))
		if ok != c.ok || ok && (tod != c.tod || n != c.n) {
			t.Errorf("Clock(%q) = %v, %d, %v", c.in, tod, n, ok)
		}
	}
	for _, c := range []struct {
		in      string
		y, m, d int
		ok      bool
	}{
		{"2018-09-18", 2018, 9, 18, true}, {"0001-01-01T", 1, 1, 1, true}, {"2018-02-31", 2018, 2, 31, true},
		{"2018-13-01", 0, 0, 0, false}, {"2018-00-01", 0, 0, 0, false}, {"2018-01-00", 0, 0, 0, false},
		{"2018-01-32", 0, 0, 0, false}, {"2018/01/01", 0, 0, 0, false}, {"18-01-01", 0, 0, 0, false},
	} {
		y, m, d, ok := Date([]byte(c.in))
		if ok != c.ok || ok && (y != c.y || int(m) != c.m || d != c.d) {
			t.Errorf("Date(%q) = %d %d %d %v", c.in, y, m, d, ok)
		}
	}
	for i, name := range []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"} {
		if m, ok := Month([]byte(name + " 18")); !ok || int(m) != i+1 {
			t.Errorf("Month(%q) = %v, %v", name, m, ok)
		}
	}
	for _, in := range []string{"", "Ja", "jan", "JAN", "Sept"[:2]} {
		if _, ok := Month([]byte(in)); ok {
			t.Errorf("Month(%q) accepted", in)
		}
	}
}

func TestStamps(t *testing.T) {
	for _, c := range []struct {
		in   string
		utc  string // RFC 3339 in UTC, "" for rejected
		n    int
		zone int
	}{
		{"2018-09-18T17:09:17Z host", "2018-09-18T17:09:17Z", 20, 0},
		{"2018-09-18T17:09:17.644405+00:00 host", "2018-09-18T17:09:17.644405Z", 32, 0},
		{"2018-09-18T17:09:17+0200 host", "2018-09-18T15:09:17Z", 24, 7200},
		{"2018-09-18T17:09:17-05:30", "2018-09-18T22:39:17Z", 25, -19800},
		{"2018-09-18T23:59:60Z", "2018-09-19T00:00:00Z", 20, 0},
		{"2018-09-18T17:09:17+15:00", "", 0, 0},
		{"2018-09-18T17:09:17+02:60", "", 0, 0},
		{"2018-09-18T17:09:17+02", "", 0, 0},
		{"2018-09-18T17:09:17", "", 0, 0},
		{"2018-09-18 17:09:17Z", "", 0, 0},
		{"2018-09-18T17:09:17z", "", 0, 0},
	} {
		s, n, ok := RFC3339([]byte(c.in))
		if ok != (c.utc != "") {
			t.Errorf("RFC3339(%q): ok %v", c.in, ok)
			continue
		}
		if !ok {
			continue
		}
		if got := s.UTC().Format(time.RFC3339Nano); got != c.utc || n != c.n || s.Offset != c.zone {
			t.Errorf("RFC3339(%q) = %s, %d, offset %d", c.in, got, n, s.Offset)
		}
		if in := s.InOffset(); !in.Equal(s.UTC()) {
			t.Errorf("RFC3339(%q): InOffset %v != UTC %v", c.in, in, s.UTC())
		} else if _, off := in.Zone(); off != c.zone {
			t.Errorf("RFC3339(%q): InOffset zone %d", c.in, off)
		}
	}
	for _, c := range []struct {
		in string
		n  int
		ok bool
	}{
		{"2018-09-18 17:09:17.276 32314 INFO", 23, true},
		{"2022-02-10T16:09:19.398Z|00012", 23, true},
		{"2018-09-18_17:09:17", 0, false},
		{"2018-09-18 17:09", 0, false},
	} {
		_, n, ok := DateTime([]byte(c.in))
		if ok != c.ok || n != c.n {
			t.Errorf("DateTime(%q) = %d, %v", c.in, n, ok)
		}
	}
}

func TestJournalPrefixes(t *testing.T) {
	for _, c := range []struct {
		in                    string
		host, ident, pid, msg string
		ok                    bool
	}{
		{"Sep 18 17:09:17 node1 tcpdump[123]: 17:09:17.1 ARP", "node1", "tcpdump", "123", "17:09:17.1 ARP", true},
		{"Sep  8 17:09:17.644405 node1 kernel: hello", "node1", "kernel", "", "hello", true},
		{"Sep 18 17:09:17 node1 neutron-server[7]:msg", "node1", "neutron-server", "7", "msg", true},
		{"Sep 18 17:09:17 node1 a:b: msg", "node1", "a", "", "b: msg", true},
		{"Sep 18 17:09:17 node1 tcpdump[12x]: msg", "", "", "", "", false},
		{"Sep 18 17:09:17 node1 tcpdump msg", "", "", "", "", false},
		{"Sep 18 17:09:17 node1", "", "", "", "", false},
		{"Sep 32 17:09:17 node1 k: m", "", "", "", "", false},
		{"Sept 18 17:09:17 node1 k: m", "", "", "", "", false},
		{"Sep 18 17:09 node1 k: m", "", "", "", "", false},
	} {
		p, msg, ok := CutJournalPrefix([]byte(c.in))
		if ok != c.ok || ok && (string(p.Host) != c.host || string(p.Ident) != c.ident || string(p.PID) != c.pid || string(msg) != c.msg) {
			t.Errorf("CutJournalPrefix(%q) = %q %q %q %q %v", c.in, p.Host, p.Ident, p.PID, msg, ok)
		}
	}
	p, msg, ok := CutISOJournalPrefix([]byte("2018-09-18T17:09:17.644405+0000 node1 tcpdump[9]: x"))
	if !ok || string(p.Host) != "node1" || string(p.Ident) != "tcpdump" || string(p.PID) != "9" || string(msg) != "x" ||
		p.Stamp.UTC() != time.Date(2018, 9, 18, 17, 9, 17, 644405000, time.UTC) {
		t.Errorf("CutISOJournalPrefix = %+v %q %v", p, msg, ok)
	}
	if _, _, ok := CutISOJournalPrefix([]byte("2018-09-18T17:09:17Z stdout F msg")); ok {
		t.Error("CutISOJournalPrefix accepted a CRI line")
	}
	for _, in := range []string{"", "host", "host ", " ident: m", "host [1]: m", "host ident[1: m", "host ident"} {
		if _, _, _, _, ok := HostIdent([]byte(in)); ok {
			t.Errorf("HostIdent(%q) accepted", in)
		}
	}
}

func TestIPv6(t *testing.T) {
	for in, want := range map[string]string{
		"::": "::", "::1": "::1", "fe80::1": "fe80::1", "2001:DB8:0:0:0:0:0:1": "2001:db8::1", "2001:db8::": "2001:db8::",
		"::ffff:192.0.2.1": "::ffff:192.0.2.1", "1:2:3:4:5:6:7:8": "1:2:3:4:5:6:7:8",
		"1:2:3:4:5:6:7::8": "", "1::2::3": "", "12345::": "", "fe80::1%eth0": "", "::ffff:01.2.3.4": "",
		":1": "", "1:": "", "1.2.3.4": "", "": "", "fe80::1 ": "",
	} {
		a, ok := ParseIPv6([]byte(in))
		if ok != (want != "") || ok && a.String() != want {
			t.Errorf("ParseIPv6(%q) = %v, %v; want %q", in, a, ok, want)
		}
	}
}
