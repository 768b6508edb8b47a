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
