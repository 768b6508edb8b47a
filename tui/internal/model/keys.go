package model

import (
	"fmt"
	"net/netip"
	"slices"

	"github.com/arpforensics/arpforensics/timeline"
)

// KeyKind is what a followable key is.
type KeyKind uint8

const (
	KeyNone KeyKind = iota
	KeyIP
	KeyMAC
	KeyEntity
)

// Key is one address or entity an event can be followed by: what the
// timeline indexes ByIP, ByMAC and ByEntity look up.
type Key struct {
	Kind   KeyKind
	IP     netip.Addr
	MAC    timeline.MAC
	Entity string
}

// IPKey, MACKey and EntityKey build keys.
func IPKey(ip netip.Addr) Key     { return Key{Kind: KeyIP, IP: ip} }
func MACKey(m timeline.MAC) Key   { return Key{Kind: KeyMAC, MAC: m} }
func EntityKey(entity string) Key { return Key{Kind: KeyEntity, Entity: entity} }

// IsZero reports the absent key.
func (k Key) IsZero() bool { return k.Kind == KeyNone }

func (k Key) lookup(tl *timeline.Timeline) []int32 {
	switch k.Kind {
	case KeyIP:
		return tl.ByIP(k.IP)
	case KeyMAC:
		return tl.ByMAC(k.MAC)
	case KeyEntity:
		return tl.ByEntity(k.Entity)
	}
	return nil
}

// Events lists the indexes of the events concerning k (ascending, shared
// with the timeline: read only).
func (k Key) Events(tl *timeline.Timeline) []int32 { return k.lookup(tl) }

// Name is the key's kind as the ":filter" command spells it.
func (k Key) Name() string {
	switch k.Kind {
	case KeyIP:
		return "ip"
	case KeyMAC:
		return "mac"
	case KeyEntity:
		return "entity"
	}
	return ""
}

// Value is the key's value in canonical form.
func (k Key) Value() string {
	switch k.Kind {
	case KeyIP:
		return k.IP.String()
	case KeyMAC:
		return k.MAC.String()
	case KeyEntity:
		return k.Entity
	}
	return ""
}

// String reads "ip 10.0.0.218". Entities come from artifacts: sanitise
// before drawing.
func (k Key) String() string {
	if k.Kind == KeyNone {
		return ""
	}
	return k.Name() + " " + k.Value()
}

// KeysOf lists what event e can be followed by, without repeats: its IPs,
// then MACs, then entities, each in the payload's own order (the payload
// puts the most telling one first: an ARP frame's sender IP, a usage run's
// destination IP). Broadcast and zero MACs are left out.
func KeysOf(e *timeline.Event) []Key {
	var ks timeline.Keys
	e.Data.AppendKeys(&ks)
	return keyList(&ks)
}

// KeysAt is KeysOf for event ev of tl, read through the timeline's Keys
// (capture and neighbour events without decoding them).
func KeysAt(tl *timeline.Timeline, ev int) []Key {
	ks := tl.Keys(ev)
	return keyList(&ks)
}

func keyList(ks *timeline.Keys) []Key {
	var out []Key
	for _, ip := range ks.IPs {
		if ip.IsValid() && !ip.IsUnspecified() {
			out = appendKey(out, IPKey(ip))
		}
	}
	for _, m := range ks.MACs {
		if !m.IsZero() && !m.IsBroadcast() {
			out = appendKey(out, MACKey(m))
		}
	}
	for _, en := range ks.Entities {
		if en != "" {
			out = appendKey(out, EntityKey(en))
		}
	}
	return out
}

func appendKey(ks []Key, k Key) []Key {
	if slices.Contains(ks, k) {
		return ks
	}
	return append(ks, k)
}

// ParseKey reads "ip=10.0.0.218", "mac=fa:16:3e:11:11:11" or "entity=…".
func ParseKey(name, value string) (Key, error) {
	switch name {
	case "ip":
		ip, err := netip.ParseAddr(value)
		if err != nil {
			return Key{}, fmt.Errorf("ip=%s: not an IP address", value)
		}
		return IPKey(ip.Unmap()), nil
	case "mac":
		m, err := timeline.ParseMAC(value)
		if err != nil {
			return Key{}, fmt.Errorf("mac=%s: not a MAC address", value)
		}
		return MACKey(m), nil
	case "entity":
		if value == "" {
			return Key{}, fmt.Errorf("entity=: empty entity")
		}
		return EntityKey(value), nil
	}
	return Key{}, fmt.Errorf("unknown key %q", name)
}
