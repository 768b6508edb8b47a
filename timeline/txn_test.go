package timeline

import (
	"fmt"
	"reflect"
	"testing"
)

// TestTxnKeysFromEncoding: the index's reading of an encoded transaction's
// keys is what the decoded transaction gives, and a damaged encoding adds
// nothing.
func TestTxnKeysFromEncoding(t *testing.T) {
	store := newTxnStore("AddNATRuleInLRouterCommand", "lrouter", "external_ip", "neutron:gw_port_id")
	var names TxnNames
	id := func(s string) uint32 {
		for i := 1; i <= names.Len(); i++ {
			if names.Name(uint32(i)) == s {
				return uint32(i)
			}
		}
		return names.Add([]byte(s))
	}
	var ents []TxnEnt
	var cmds []TxnCmd
	for c := 0; c < 40; c++ { // more than appendTxnKeys' buffers hold
		e0 := len(ents)
		ents = append(ents,
			TxnEnt{ID: id(fmt.Sprintf("router-%d", c%7)), Key: 2, Kind: EntPrimary},
			TxnEnt{ID: id(fmt.Sprintf("172.24.5.%d", c)), Key: 3, Kind: EntIP},
			TxnEnt{ID: id("port-1"), Key: 4, Kind: EntRef},
			TxnEnt{ID: id("not an address"), Key: 3, Kind: EntIP})
		cmds = append(cmds, TxnCmd{Class: 1, E0: uint32(e0), NE: 4, Line: int64(c + 1)})
	}
	for _, n := range []int{0, 1, 3, 40} {
		tx := &Txn{Store: store, Host: "ctl", PID: 7, ID: "abcd0123", Attempts: 1, Parts: 2,
			Commands: cmds[:n], Entities: ents, Names: names,
			Detail: &TxnDetail{Raw: []string{"a"}, Args: [][]TxnArg{{{"k", "v"}}}}}
		var want, got Keys
		tx.AppendKeys(&want)
		b := appendTxn(nil, tx)
		if !appendTxnKeys(b, &got) {
			t.Fatalf("%d commands: not read back", n)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%d commands: keys %+v, want %+v", n, got, want)
		}
		for cut := 0; cut < len(b)-len("\x01\x01\x01a\x00\x01\x01\x01k\x01v"); cut += 7 {
			var k Keys
			if appendTxnKeys(b[:cut], &k) || len(k.IPs)+len(k.Entities) > 0 {
				t.Fatalf("%d commands, cut at %d of %d: read as a transaction (%+v)", n, cut, len(b), k)
			}
		}
	}
}
