package detect

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/arpforensics/arpforensics/timeline"
)

// dbOwners reads who the OVN databases say owns each IP, from the rows that
// declare it: NAT (external_ip → external_mac, or the router's port on that
// network), Logical_Router_Port networks, Logical_Switch_Port addresses,
// Port_Binding mac and nat_addresses, Static_MAC_Binding. An IP has an owner
// while exactly one MAC declares it; while two do (overlapping tenant
// networks, a port created before the old one is gone) it has none. Rows
// are keyed by table and UUID, so the members of a cluster count once.
// stale-mac-binding judges MAC_Binding rows against it; the moves pass
// (bindings.go) reads it as the database witness of bindings.
//
// Its tables hold the databases' live declaring rows and the pairs ever
// declared: the size of the databases' address plan, not of their history.
type dbOwners struct {
	claims  map[string][]claim // by table and row uuid
	count   map[claim]int      // rows declaring each pair
	claimEv map[claim]int
	claimBy map[claim]string
	goneEv  map[claim]int // the event that last withdrew a pair
	macsOf  map[netip.Addr][]timeline.MAC
	owner   map[netip.Addr]*ipOwner
	// Router structure, for NAT entries without external_mac (they answer
	// with the router's port on the external network).
	lrNAT   map[string]string // NAT uuid → router uuid
	lrPorts map[string][]string
	lrp     map[string]*timeline.OVSDBRow
	nat     map[string]*timeline.OVSDBRow
	natEv   map[string]int
	// moved, when set, hears of every owner change: prev is the owner
	// before, zero for an IP's first owner.
	moved func(ip netip.Addr, t time.Time, prev timeline.MAC)
}

func newDBOwners() *dbOwners {
	return &dbOwners{claims: map[string][]claim{}, count: map[claim]int{}, claimEv: map[claim]int{},
		claimBy: map[claim]string{}, goneEv: map[claim]int{}, macsOf: map[netip.Addr][]timeline.MAC{}, owner: map[netip.Addr]*ipOwner{},
		lrNAT: map[string]string{}, lrPorts: map[string][]string{}, lrp: map[string]*timeline.OVSDBRow{},
		nat: map[string]*timeline.OVSDBRow{}, natEv: map[string]int{}}
}

// claim is one IP→MAC a row declares.
type claim struct {
	ip  netip.Addr
	mac timeline.MAC
}

type ipOwner struct {
	mac   timeline.MAC
	ev    int // event of the row that made it the owner
	what  string
	moved bool // the IP has moved at least once (from an earlier owner)
}

// ownerTable reports whether rows of table bear on who owns an IP (the
// tables row reads); the others' rows need not be passed.
func ownerTable(table string) bool {
	switch table {
	case "NAT", "Logical_Router", "Logical_Router_Port", "Logical_Switch_Port", "Port_Binding", "Static_MAC_Binding":
		return true
	}
	return false
}

// row applies one database row change (event i at t); rows of tables that
// declare no owner (ownerTable) are ignored.
func (st *dbOwners) row(i int, t time.Time, r *timeline.OVSDBRow) {
	switch r.Table {
	default:
		if !ownerTable(r.Table) {
			return
		}
	case "Logical_Router":
		st.lrPorts[r.UUID] = r.Values("ports")
		if r.Op == timeline.OVSDBDelete {
			delete(st.lrPorts, r.UUID)
		}
		for _, n := range r.Values("nat") {
			if st.lrNAT[n] == r.UUID {
				continue
			}
			st.lrNAT[n] = r.UUID
			// A NAT entry and the router referring to it come in one
			// transaction, in either order: what the entry answers with
			// may only now be known.
			if nr := st.nat[n]; nr != nil {
				st.declare(st.natEv[n], t, nr)
			}
		}
		return
	case "Logical_Router_Port":
		if r.Op == timeline.OVSDBDelete {
			delete(st.lrp, r.UUID)
		} else {
			st.lrp[r.UUID] = r
		}
	case "NAT":
		if r.Op == timeline.OVSDBDelete {
			delete(st.nat, r.UUID)
			delete(st.natEv, r.UUID)
		} else {
			st.nat[r.UUID], st.natEv[r.UUID] = r, i
		}
	}
	st.declare(i, t, r)
}

// declare updates what a row declares and settles the IPs it touched.
func (st *dbOwners) declare(i int, t time.Time, r *timeline.OVSDBRow) {
	var cl []claim
	if r.Op != timeline.OVSDBDelete {
		cl = st.claimsOf(r)
	}
	key := r.Table + "/" + r.UUID
	old := st.claims[key]
	if len(cl) == 0 {
		delete(st.claims, key)
	} else {
		st.claims[key] = cl
	}
	var what string // what the row is, named once it declares a new pair
	var touched []netip.Addr
	for _, c := range old {
		if !slices.Contains(cl, c) {
			st.count[c]--
			st.goneEv[c] = i
			if st.count[c] <= 0 {
				// Nothing declares the pair now: only when it was last
				// withdrawn is worth keeping.
				delete(st.count, c)
				delete(st.claimEv, c)
				delete(st.claimBy, c)
				st.macsOf[c.ip] = slices.DeleteFunc(st.macsOf[c.ip], func(m timeline.MAC) bool { return m == c.mac })
			}
			touched = append(touched, c.ip)
		}
	}
	for _, c := range cl {
		if !slices.Contains(old, c) {
			if st.count[c] == 0 {
				st.macsOf[c.ip] = append(st.macsOf[c.ip], c.mac)
			}
			st.count[c]++
			if what == "" {
				what = fmt.Sprintf("%s %s %s", r.Table, r.Name(), r.Op)
			}
			st.claimEv[c], st.claimBy[c] = i, what
			touched = append(touched, c.ip)
		}
	}
	for _, ip := range slices.Compact(touched) {
		st.settle(ip, t)
	}
}

// settle names an IP's owner after its declarations changed and tells
// the reader (moved) when that owner is another MAC than before.
func (st *dbOwners) settle(ip netip.Addr, t time.Time) {
	macs := st.macsOf[ip]
	if len(macs) != 1 {
		return // no declared owner, or more than one: nothing to judge by
	}
	m := macs[0]
	o := st.owner[ip]
	c := claim{ip, m}
	if o == nil {
		st.owner[ip] = &ipOwner{mac: m, ev: st.claimEv[c], what: st.claimBy[c]}
		if st.moved != nil {
			st.moved(ip, t, timeline.MAC{})
		}
		return
	}
	if o.mac == m {
		return
	}
	prev := o.mac
	*o = ipOwner{mac: m, ev: st.claimEv[c], what: st.claimBy[c], moved: true}
	if st.moved != nil {
		st.moved(ip, t, prev)
	}
}

// withdrawn is the row change that last withdrew prev's claim on ip, -1
// when none did (or prev is zero, an IP's first owner).
func (st *dbOwners) withdrawn(ip netip.Addr, prev timeline.MAC) int {
	if g, ok := st.goneEv[claim{ip, prev}]; ok && !prev.IsZero() {
		return g
	}
	return -1
}

// claimsOf lists the IP→MAC pairs a row declares.
func (st *dbOwners) claimsOf(r *timeline.OVSDBRow) []claim {
	var out []claim
	add := func(ip netip.Addr, mac timeline.MAC) {
		if ip.IsValid() && !mac.IsZero() && !slices.Contains(out, claim{ip, mac}) {
			out = append(out, claim{ip, mac})
		}
	}
	switch r.Table {
	case "NAT":
		if t := r.Get("type"); t != "dnat_and_snat" && t != "dnat" {
			return nil
		}
		ip, err := netip.ParseAddr(r.Get("external_ip"))
		if err != nil {
			return nil
		}
		if m, err := timeline.ParseMAC(r.Get("external_mac")); err == nil {
			add(ip, m)
		} else if m, ok := st.routerMAC(r.UUID, ip); ok {
			add(ip, m)
		}
	case "Logical_Router_Port":
		m, err := timeline.ParseMAC(r.Get("mac"))
		if err != nil {
			return nil
		}
		for _, n := range r.Values("networks") {
			if p, err := netip.ParsePrefix(n); err == nil {
				add(p.Addr(), m)
			}
		}
	case "Logical_Switch_Port":
		for _, col := range [...]string{"addresses", "dynamic_addresses"} {
			for _, a := range r.Values(col) {
				addressList(a, add)
			}
		}
	case "Port_Binding":
		for _, col := range [...]string{"mac", "nat_addresses"} {
			for _, a := range r.Values(col) {
				addressList(a, add)
			}
		}
	case "Static_MAC_Binding":
		ip, err1 := netip.ParseAddr(r.Get("ip"))
		m, err2 := timeline.ParseMAC(r.Get("mac"))
		if err1 == nil && err2 == nil {
			add(ip, m)
		}
	}
	return out
}

// addressList reads "MAC IP [IP|CIDR …] [is_chassis_resident(…)]", the form
// of switch port addresses and port binding mac / nat_addresses; entries
// without a leading MAC ("router", "unknown", "dynamic") declare nothing.
func addressList(s string, add func(netip.Addr, timeline.MAC)) {
	f := strings.Fields(s)
	if len(f) < 2 {
		return
	}
	m, err := timeline.ParseMAC(f[0])
	if err != nil {
		return
	}
	for _, x := range f[1:] {
		if ip, err := netip.ParseAddr(x); err == nil {
			add(ip, m)
		} else if p, err := netip.ParsePrefix(x); err == nil {
			add(p.Addr(), m)
		}
	}
}

// routerMAC is the MAC a NAT entry without external_mac answers with: its
// router's port on the external address's network.
func (st *dbOwners) routerMAC(nat string, ip netip.Addr) (timeline.MAC, bool) {
	lr, ok := st.lrNAT[nat]
	if !ok {
		return timeline.MAC{}, false
	}
	for _, pu := range st.lrPorts[lr] {
		p := st.lrp[pu]
		if p == nil {
			continue
		}
		for _, n := range p.Values("networks") {
			if pfx, err := netip.ParsePrefix(n); err == nil && pfx.Contains(ip) {
				if m, err := timeline.ParseMAC(p.Get("mac")); err == nil {
					return m, true
				}
			}
		}
	}
	return timeline.MAC{}, false
}
