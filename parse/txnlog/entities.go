package txnlog

import (
	"bytes"

	"github.com/arpforensics/arpforensics/parse/lex"
	"github.com/arpforensics/arpforensics/timeline"
)

// The arguments that name the row a command acts on (primary keys) come
// from the class tables of neutron/networking-ovn's commands.py and
// ovsdbapp's schema commands (ovsdbapp-logs.md, section 4). The reference
// keys are dict keys (quoted, inside columns/external_ids/col_values) whose
// values identify other entities: secondary edges. external_ip is
// collected the same way but becomes an address.
var entityKeys = [...]string{
	"name",
	"router",
	"lrouter",
	"switch",
	"lswitch",
	"port",
	"lport",
	"lswitch_port",
	"lrouter_port",
	"lb",
	"record",
	"lrouter_name",
	"network_uuid",
	"ls_name",
	"port_group",
	"lsp",
	"bridge",
	"address_set",
	"g_name",
	"subnet_id",
	"port_id",
	"row_uuid",
	"nat_rule_uuid",
	"sroute",
	"entity",
	"parent",
	"hcg",
	"lswitch_name",
	"neutron:gw_port_id", // reference keys from here
	"neutron:router_name",
	"neutron:fip_id",
	"neutron:fip_port_id",
	"neutron:device_id",
	"neutron:network_name",
	"neutron:vip_port_id",
	"lr_ref",
	"ls_refs",
	"iface-id",
	"logical_port",
	"external_ip",
}

// Indexes of the reference keys collectEntities treats specially.
var (
	keyIDExternalIP  = int8(keyID([]byte("external_ip")))
	keyIDLogicalPort = int8(keyID([]byte("logical_port")))
	keyIDLsRefs      = int8(keyID([]byte("ls_refs")))
	keyIDRecord      = keyID([]byte("record"))
)

// numPrimaryKeys is how many of entityKeys are primary.
const numPrimaryKeys = 28

// keyID is k's index in entityKeys, or -1. It switches on the length
// first and compares whole strings after, which costs no hashing and no
// allocation: it runs for every argument and every dict key of every
// command. TestKeyIDMatchesTable keeps it in step with entityKeys.
func keyID(k []byte) int {
	switch len(k) {
	case 2:
		switch string(k) {
		case "lb":
			return 9
		}
	case 3:
		switch string(k) {
		case "lsp":
			return 15
		case "hcg":
			return 26
		}
	case 4:
		switch string(k) {
		case "name":
			return 0
		case "port":
			return 5
		}
	case 5:
		switch string(k) {
		case "lport":
			return 6
		}
	case 6:
		switch string(k) {
		case "router":
			return 1
		case "switch":
			return 3
		case "record":
			return 10
		case "bridge":
			return 16
		case "g_name":
			return 18
		case "sroute":
			return 23
		case "entity":
			return 24
		case "parent":
			return 25
		case "lr_ref":
			return 35
		}
	case 7:
		switch string(k) {
		case "lrouter":
			return 2
		case "lswitch":
			return 4
		case "ls_name":
			return 13
		case "port_id":
			return 20
		case "ls_refs":
			return 36
		}
	case 8:
		switch string(k) {
		case "row_uuid":
			return 21
		case "iface-id":
			return 37
		}
	case 9:
		switch string(k) {
		case "subnet_id":
			return 19
		}
	case 10:
		switch string(k) {
		case "port_group":
			return 14
		}
	case 11:
		switch string(k) {
		case "address_set":
			return 17
		case "external_ip":
			return 39
		}
	case 12:
		switch string(k) {
		case "lswitch_port":
			return 7
		case "lrouter_port":
			return 8
		case "lrouter_name":
			return 11
		case "network_uuid":
			return 12
		case "lswitch_name":
			return 27
		case "logical_port":
			return 38
		}
	case 13:
		switch string(k) {
		case "nat_rule_uuid":
			return 22
		}
	case 14:
		switch string(k) {
		case "neutron:fip_id":
			return 30
		}
	case 17:
		switch string(k) {
		case "neutron:device_id":
			return 32
		}
	case 18:
		switch string(k) {
		case "neutron:gw_port_id":
			return 28
		}
	case 19:
		switch string(k) {
		case "neutron:router_name":
			return 29
		case "neutron:fip_port_id":
			return 31
		case "neutron:vip_port_id":
			return 34
		}
	case 20:
		switch string(k) {
		case "neutron:network_name":
			return 33
		}
	}
	return -1
}

func isRefKey(k []byte) bool { return keyID(k) >= numPrimaryKeys }

// add appends an entity unless the command already named it
// (lswitch_port=P and lrouter_port=lrp-P are one entity).
func add(dst []entRec, from int, key int8, text, name []byte, kind timeline.EntKind) []entRec {
	if len(name) == 0 {
		return dst
	}
	for _, x := range dst[from:] {
		if bytes.Equal(x.name, name) {
			return dst
		}
	}
	return append(dst, entRec{key: key, text: text, name: name, kind: kind})
}

// collectEntities appends the entities of a split command to dst: primary
// entities first (in argument order), then references, then addresses.
func collectEntities(dst []entRec, args []byte, sp *splitter) []entRec {
	from := len(dst)
	var table []byte
	sp.ids = sp.ids[:0]
	for _, a := range sp.Args {
		k := a.Key.Of(args)
		sp.ids = append(sp.ids, int8(keyID(k)))
		if len(k) == 5 && string(k) == "table" {
			table = a.Value.Of(args)
		}
	}
	for i, a := range sp.Args {
		id := sp.ids[i]
		if id < 0 || id >= numPrimaryKeys {
			continue
		}
		key, text := id, []byte(nil)
		if int(id) == keyIDRecord && len(table) > 0 && isWord(table) {
			key, text = -1, table // "Port", "Load_Balancer": the row's table names it
		}
		v := a.Value.Of(args)
		if len(v) > 0 && v[0] == '[' {
			// A list of names (PgAddPortCommand's lsp=['<port>', …]).
			for n := 0; n < maxListed; n++ {
				x, rest, ok := nextQuoted(v)
				if !ok {
					break
				}
				dst = add(dst, from, key, text, normalise(x), timeline.EntPrimary)
				v = rest
			}
			continue
		}
		dst = add(dst, from, key, text, primaryValue(v), timeline.EntPrimary)
	}
	// Bare top-level references (LrNatAddCommand prints external_ip= and
	// logical_port= as arguments, not inside columns).
	for i, a := range sp.Args {
		switch id := sp.ids[i]; id {
		case keyIDExternalIP:
			if v := a.Value.Of(args); looksIP(v) {
				dst = add(dst, from, id, nil, v, timeline.EntIP)
			}
		case keyIDLogicalPort:
			if v := normalise(a.Value.Of(args)); isUUID(v) {
				dst = add(dst, from, id, nil, v, timeline.EntRef)
			}
		}
	}
	for _, r := range sp.Refs {
		k, v := r.Key.Of(args), r.Value.Of(args)
		id := int8(keyID(k))
		switch id {
		case keyIDExternalIP:
			if looksIP(v) {
				dst = add(dst, from, id, nil, v, timeline.EntIP)
			}
		case keyIDLsRefs:
			// A JSON object in a string: {"neutron-<net>": 1, …}.
			for len(v) > 0 {
				o := bytes.IndexByte(v, '"')
				if o < 0 {
					break
				}
				c := bytes.IndexByte(v[o+1:], '"')
				if c < 0 {
					break
				}
				if name := normalise(v[o+1 : o+1+c]); isUUID(name) {
					dst = add(dst, from, id, nil, name, timeline.EntRef)
				}
				v = v[o+1+c+1:]
			}
		default:
			// Only identifiers: neutron:router_name is a human name on
			// routers, and equal names must not join unrelated commands.
			if name := normalise(v); isUUID(name) {
				dst = add(dst, from, id, nil, name, timeline.EntRef)
			}
		}
	}
	return dst
}

// primaryValue turns a naming argument's printed value into an entity
// name: None, empty and container values name nothing; an OVSDB row repr
// ("Logical_Router(uuid=…, name=…)") names its name (else its uuid); quotes
// are dropped; neutron's prefixes are normalised away.
func primaryValue(v []byte) []byte {
	v = bytes.TrimSpace(v)
	if len(v) == 0 || string(v) == "None" {
		return nil
	}
	switch v[0] {
	case '<', '[', '{', '(':
		return nil // an object repr or a container
	case '\'', '"':
		if len(v) >= 2 && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		}
	}
	if o := bytes.IndexByte(v, '('); o > 0 && v[len(v)-1] == ')' && isWord(v[:o]) {
		inner := v[o+1 : len(v)-1]
		for _, key := range []string{"name=", "uuid=", "_uuid="} {
			if i := bytes.Index(inner, []byte(key)); i >= 0 && (i == 0 || inner[i-1] == ' ' || inner[i-1] == '(') {
				val := inner[i+len(key):]
				if e := bytes.Index(val, []byte(", ")); e >= 0 {
					val = val[:e]
				}
				return normalise(bytes.Trim(val, `'"`))
			}
		}
		return nil
	}
	return normalise(v)
}

// maxListed is how many names of a list argument are taken.
const maxListed = 64

// nextQuoted is the first quoted string of a flat list repr and what
// follows it; ok is false when there is none. (One at a time: a slice of
// them per command was garbage in proportion to the log.)
func nextQuoted(v []byte) (s, rest []byte, ok bool) {
	o := bytes.IndexAny(v, `'"`)
	if o < 0 {
		return nil, nil, false
	}
	c := closeQuote(v, o+1, v[o])
	if c < 0 {
		return nil, nil, false
	}
	return v[o+1 : c], v[c+1:], true
}

var entityPrefixes = [][]byte{[]byte("cr-lrp-"), []byte("lrp-"), []byte("neutron-")}

// normalise strips neutron's naming prefixes (see timeline.NormaliseEntity).
func normalise(v []byte) []byte {
	for _, p := range entityPrefixes {
		if len(v) > len(p) && bytes.HasPrefix(v, p) {
			return v[len(p):]
		}
	}
	return v
}

// isUUID accepts the canonical 8-4-4-4-12 hex form.
func isUUID(b []byte) bool {
	if len(b) != 36 || b[8] != '-' || b[13] != '-' || b[18] != '-' || b[23] != '-' {
		return false
	}
	for i, c := range b {
		if !hexDigit[c] && i != 8 && i != 13 && i != 18 && i != 23 {
			return false
		}
	}
	return true
}

var hexDigit = func() (t [256]bool) {
	for _, c := range []byte("0123456789abcdefABCDEF") {
		t[c] = true
	}
	return t
}()

// looksIP accepts the characters of an IPv4 or IPv6 address; the address
// itself is parsed when the event is indexed.
func looksIP(b []byte) bool {
	if len(b) < 2 || len(b) > 45 {
		return false
	}
	dots, colons := 0, 0
	for _, c := range b {
		switch {
		case c == '.':
			dots++
		case c == ':':
			colons++
		case lex.IsHex(c):
		default:
			return false
		}
	}
	return dots == 3 || colons >= 2
}

func isWord(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for i, c := range b {
		if !isIdent(c, i == 0) {
			return false
		}
	}
	return true
}
