package lex

import "net/netip"

// MAC reads an Ethernet (EUI-48) address at the start of b: six octets of
// one or two hex digits (either case) separated by colons, as iproute2,
// tcpdump, net-tools, /proc/net/arp and OVN print it ("02:00:00:00:00:0b";
// some tools drop leading zeros: "2:0:0:0:0:b"). An octet takes at most two
// digits; n is the bytes used (17 for the two-digit form), so a caller that
// wants the whole token checks n == len(b). Dash-separated input is the
// caller's to map (timeline.ParseMAC, for what users type).
func MAC(b []byte) (m [6]byte, n int, ok bool) {
	if len(b) >= 17 && b[2] == ':' && b[5] == ':' && b[8] == ':' && b[11] == ':' && b[14] == ':' {
		// The two-digit form every tool prints, read without branches.
		bad := byte(0)
		for k := 0; k < 6; k++ {
			hi, lo := hexVal[b[3*k]], hexVal[b[3*k+1]]
			bad |= hi | lo
			m[k] = hi<<4 | lo
		}
		if bad&0xf0 == 0 {
			return m, 17, true
		}
		m = [6]byte{}
	}
	i := 0
	for k := 0; k < 6; k++ {
		if k > 0 {
			if i >= len(b) || b[i] != ':' {
				return [6]byte{}, 0, false
			}
			i++
		}
		s := i
		var v byte
		for i < len(b) && i-s < 2 {
			h := hexVal[b[i]]
			if h == 0xff {
				break
			}
			v = v<<4 | h
			i++
		}
		if i == s {
			return [6]byte{}, 0, false
		}
		m[k] = v
	}
	return m, i, true
}

// IPv4 reads a dotted-quad IPv4 address at the start of b and returns it
// with the bytes used; a port or other text may follow ("10.0.0.1.22"), but
// not another digit.
//
// The one rule for every parser: each of the four parts is decimal 0–255
// without leading zeros ("10.0.0.1", never "010.0.0.1"), as inet_pton(3)
// and net/netip read it. tcpdump, iproute2, net-tools and the kernel never
// print leading zeros, and the form is ambiguous: inet_aton(3) reads "010"
// as octal (8), so an address written that way is rejected, not guessed.
func IPv4(b []byte) (a netip.Addr, n int, ok bool) {
	var q [4]byte
	i := 0
	for k := 0; k < 4; k++ {
		if k > 0 {
			if i >= len(b) || b[i] != '.' {
				return netip.Addr{}, 0, false
			}
			i++
		}
		s, v := i, 0
		for i < len(b) && i-s < 3 && IsDigit(b[i]) {
			v = v*10 + int(b[i]-'0')
			i++
		}
		if i == s || v > 255 || i-s > 1 && b[s] == '0' {
			return netip.Addr{}, 0, false
		}
		q[k] = byte(v)
	}
	if i < len(b) && IsDigit(b[i]) {
		return netip.Addr{}, 0, false
	}
	return netip.AddrFrom4(q), i, true
}

// ParseMAC reads b as a whole as a MAC (see MAC).
func ParseMAC(b []byte) ([6]byte, bool) {
	m, n, ok := MAC(b)
	if !ok || n != len(b) {
		return [6]byte{}, false
	}
	return m, true
}

// ParseIPv4 reads b as a whole as an IPv4 address (see IPv4 for the rule).
func ParseIPv4(b []byte) (netip.Addr, bool) {
	a, n, ok := IPv4(b)
	return a, ok && n == len(b)
}

// ParseIPv6 reads b as a whole as an IPv6 address in RFC 4291's text forms
// ("fe80::1", "2001:db8:0:0:0:0:0:1", "::ffff:192.0.2.1", the embedded IPv4
// under IPv4's rule), without a zone, as net/netip reads it but without
// allocating.
func ParseIPv6(b []byte) (netip.Addr, bool) {
	var ip [16]byte
	ellipsis := -1 // where "::" stands, in bytes of ip
	i := 0
	if len(b) >= 2 && b[0] == ':' && b[1] == ':' {
		ellipsis, i = 0, 2
		if i == len(b) {
			return netip.IPv6Unspecified(), true
		}
	}
	k := 0 // bytes of ip filled
	for k < 16 {
		// A group of up to four hex digits, or the embedded IPv4 address.
		off, n := 0, 0
		for n < len(b)-i && n < 4 {
			h := hexVal[b[i+n]]
			if h == 0xff {
				break
			}
			off = off<<4 | int(h)
			n++
		}
		if n == 0 {
			return netip.Addr{}, false
		}
		if i+n < len(b) && (b[i+n] == '.' || IsDigit(b[i+n])) {
			if k > 12 {
				return netip.Addr{}, false
			}
			a, ok := ParseIPv4(b[i:])
			if !ok {
				return netip.Addr{}, false
			}
			q := a.As4()
			copy(ip[k:], q[:])
			k += 4
			i = len(b)
			break
		}
		ip[k], ip[k+1] = byte(off>>8), byte(off)
		k += 2
		i += n
		if i == len(b) {
			break
		}
		if b[i] != ':' || i+1 == len(b) {
			return netip.Addr{}, false
		}
		i++
		if b[i] == ':' {
			if ellipsis >= 0 {
				return netip.Addr{}, false
			}
			ellipsis = k
			i++
			if i == len(b) {
				break
			}
		}
	}
	if i != len(b) {
		return netip.Addr{}, false
	}
	if k < 16 {
		if ellipsis < 0 {
			return netip.Addr{}, false
		}
		n := 16 - k
		copy(ip[ellipsis+n:], ip[ellipsis:k])
		clear(ip[ellipsis : ellipsis+n])
	} else if ellipsis >= 0 {
		return netip.Addr{}, false // "::" must stand for at least one group
	}
	return netip.AddrFrom16(ip), true
}
