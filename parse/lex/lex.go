// Package lex reads the low-level tokens of the text artifacts: digits and
// hex, integers, Ethernet and IP addresses, clock times, dates and RFC 3339
// stamps, syslog/journal prefixes. Every parser reads these through one set
// of rules, so a MAC or an address means the same in every format.
//
// The functions run once or more per line of multi-gigabyte inputs: they
// work on []byte, never allocate, and return how many bytes they used where
// a token may be followed by more text. The package imports only the
// standard library, so that timeline (which parse imports) may use it too.
package lex

// IsDigit reports an ASCII decimal digit.
func IsDigit(c byte) bool { return '0' <= c && c <= '9' }

// IsHex reports an ASCII hexadecimal digit (either case).
func IsHex(c byte) bool { return hexVal[c] != 0xff }

// Unhex is the value of a hex digit; ok is false for any other byte.
func Unhex(c byte) (v byte, ok bool) {
	v = hexVal[c]
	return v, v != 0xff
}

// hexVal maps a hex digit to its value and anything else to 0xff.
var hexVal = func() (t [256]byte) {
	for i := range t {
		switch c := byte(i); {
		case '0' <= c && c <= '9':
			t[i] = c - '0'
		case 'a' <= c && c <= 'f':
			t[i] = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			t[i] = c - 'A' + 10
		default:
			t[i] = 0xff
		}
	}
	return t
}()

// Digits2 reads the two decimal digits at the start of b ("07" is 7).
func Digits2(b []byte) (int, bool) {
	if len(b) < 2 || !IsDigit(b[0]) || !IsDigit(b[1]) {
		return 0, false
	}
	return int(b[0]-'0')*10 + int(b[1]-'0'), true
}

// Uint reads the decimal digits at the start of b, at most max of them
// (max ≤ 19, so the value cannot overflow), and returns the value and how
// many digits it used (0: b does not start with a digit).
func Uint(b []byte, max int) (v uint64, n int) {
	for n < len(b) && n < max && IsDigit(b[n]) {
		v = v*10 + uint64(b[n]-'0')
		n++
	}
	return v, n
}

// Number reads b as a whole as a decimal number of one to nine digits.
func Number(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 9 {
		return 0, false
	}
	v, n := Uint(b, 9)
	return int(v), n == len(b)
}

// Int32 reads b as a whole as an optionally negative decimal number in the
// int32 range.
func Int32(b []byte) (int32, bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 10 {
		return 0, false
	}
	u, n := Uint(b, 10)
	if n != len(b) {
		return 0, false
	}
	v := int64(u)
	if neg {
		v = -v
	}
	if v > 1<<31-1 || v < -1<<31 {
		return 0, false
	}
	return int32(v), true
}

// AllDigits reports a non-empty b made of decimal digits only.
func AllDigits(b []byte) bool {
	for _, c := range b {
		if !IsDigit(c) {
			return false
		}
	}
	return len(b) > 0
}

// Hex16 reads the four hex digits at the start of b ("0806").
func Hex16(b []byte) (uint16, bool) {
	if len(b) < 4 {
		return 0, false
	}
	a, b1, c, d := hexVal[b[0]], hexVal[b[1]], hexVal[b[2]], hexVal[b[3]]
	if (a|b1|c|d)&0xf0 != 0 {
		return 0, false
	}
	return uint16(a)<<12 | uint16(b1)<<8 | uint16(c)<<4 | uint16(d), true
}
