package timeline

import (
	"encoding/hex"
	"fmt"

	"github.com/arpforensics/arpforensics/parse/lex"
)

// MAC is an Ethernet (EUI-48) address. A fixed-size array keeps it comparable
// and allocation-free, so it can key maps on the per-packet path.
type MAC [6]byte

// Broadcast is ff:ff:ff:ff:ff:ff.
var Broadcast = MAC{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}

// MACFrom copies a 6-byte slice into a MAC; ok is false for any other length.
func MACFrom(b []byte) (m MAC, ok bool) {
	if len(b) != 6 {
		return m, false
	}
	copy(m[:], b)
	return m, true
}

// ParseMAC reads the colon- or dash-separated hex form ("fa:16:3e:11:11:11",
// "fa-16-3e-11-11-11"), as users type it. Single-digit octets ("0:1:2:a:b:c",
// as some tools print) are accepted; the octets are lex.MAC's.
func ParseMAC(s string) (MAC, error) {
	var b [17]byte // the longest valid form
	if len(s) > len(b) {
		return MAC{}, fmt.Errorf("invalid MAC address %q", s)
	}
	n := copy(b[:], s)
	for i, c := range b[:n] {
		if c == '-' {
			b[i] = ':'
		}
	}
	m, ok := lex.ParseMAC(b[:n])
	if !ok {
		return MAC{}, fmt.Errorf("invalid MAC address %q", s)
	}
	return m, nil
}

// String is lowercase hex with colons, the form the JSON contract requires.
func (m MAC) String() string {
	var b [17]byte
	for i := 0; i < 6; i++ {
		if i > 0 {
			b[i*3-1] = ':'
		}
		hex.Encode(b[i*3:i*3+2], m[i:i+1])
	}
	return string(b[:])
}

// IsZero reports 00:00:00:00:00:00 (an unset or unknown address).
func (m MAC) IsZero() bool { return m == MAC{} }

// IsBroadcast reports ff:ff:ff:ff:ff:ff.
func (m MAC) IsBroadcast() bool { return m == Broadcast }

// IsMulticast reports the group bit (broadcast included).
func (m MAC) IsMulticast() bool { return m[0]&1 == 1 }

// MarshalText renders the canonical form in JSON.
func (m MAC) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalText parses the canonical form.
func (m *MAC) UnmarshalText(b []byte) error {
	v, err := ParseMAC(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}
