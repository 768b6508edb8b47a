package timeline

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Snapshot facts from OVN tooling (ovn-nbctl show, ovs-ofctl dump-flows) and
// symptom lines from test harnesses (tempest). Entities are normalised the
// way transaction entities are (see TxnEnt): "neutron-<uuid>" and
// "lrp-<uuid>" index as "<uuid>", so a router in a snapshot and the
// transactions that built it meet in Timeline.ByEntity.

// NormaliseEntity strips neutron's naming prefixes from an OVN row name:
// "neutron-<id>" (routers, networks), "lrp-<id>" and "cr-lrp-<id>" (router
// ports) become "<id>". Other names are returned unchanged.
func NormaliseEntity(s string) string {
	for _, p := range [...]string{"cr-lrp-", "lrp-", "neutron-"} {
		if len(s) > len(p) && strings.HasPrefix(s, p) {
			return s[len(p):]
		}
	}
	return s
}

// OVNRouter is one logical router block of an `ovn-nbctl show` snapshot.
type OVNRouter struct {
	UUID  string // the row's uuid as printed (may be abbreviated)
	Name  string // "neutron-<router id>" under neutron
	Alias string // "(aka …)": neutron's router name
	Ports []OVNRouterPort
	NATs  []OVNNAT
}

// OVNRouterPort is a router port inside a router block.
type OVNRouterPort struct {
	Name           string // "lrp-<port id>"
	MAC            string
	Networks       []string
	GatewayChassis []string // "gateway chassis: [...]": set only on gateway ports
	Peer           string
}

// OVNNAT is a NAT entry inside a router block.
type OVNNAT struct {
	UUID       string
	ExternalIP string
	LogicalIP  string
	Type       string // snat, dnat_and_snat, dnat
}

// GatewayPort returns the router's gateway port (one with gateway chassis),
// or nil. Neutron ≥ 29 schedules gateways through HA_Chassis_Group, which
// `show` does not print: an SNAT entry then still marks a gateway.
func (r *OVNRouter) GatewayPort() *OVNRouterPort {
	for i := range r.Ports {
		if len(r.Ports[i].GatewayChassis) > 0 {
			return &r.Ports[i]
		}
	}
	return nil
}

// HasPort reports whether a port with this name (or normalised id) exists.
func (r *OVNRouter) HasPort(name string) bool {
	id := NormaliseEntity(name)
	for _, p := range r.Ports {
		if p.Name == name || NormaliseEntity(p.Name) == id {
			return true
		}
	}
	return false
}

// FloatingIPs lists the external IPs of dnat_and_snat entries.
func (r *OVNRouter) FloatingIPs() []string {
	var out []string
	for _, n := range r.NATs {
		if n.Type == "dnat_and_snat" {
			out = append(out, n.ExternalIP)
		}
	}
	return out
}

func (r *OVNRouter) Kind() Kind { return KindOVN }

func (r *OVNRouter) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "ovn-nbctl show: router %s", r.Name)
	if r.Alias != "" {
		fmt.Fprintf(&b, " (aka %s)", r.Alias)
	}
	fmt.Fprintf(&b, ": %d port(s), %d NAT entr", len(r.Ports), len(r.NATs))
	if len(r.NATs) == 1 {
		b.WriteString("y")
	} else {
		b.WriteString("ies")
	}
	if gw := r.GatewayPort(); gw != nil {
		fmt.Fprintf(&b, ", gateway port %s", gw.Name)
	} else {
		b.WriteString(", no gateway port")
	}
	if fips := r.FloatingIPs(); len(fips) > 0 {
		fmt.Fprintf(&b, ", floating IP(s) %s", strings.Join(fips, " "))
	}
	return b.String()
}

func (r *OVNRouter) AppendKeys(k *Keys) {
	if r.Name != "" {
		k.Entities = append(k.Entities, NormaliseEntity(r.Name))
	}
	for _, p := range r.Ports {
		k.Entities = append(k.Entities, NormaliseEntity(p.Name))
		for _, n := range p.Networks {
			if pfx, err := netip.ParsePrefix(n); err == nil {
				k.IPs = append(k.IPs, pfx.Addr())
			}
		}
	}
	for _, n := range r.NATs {
		if ip, err := netip.ParseAddr(n.ExternalIP); err == nil {
			k.IPs = append(k.IPs, ip)
		}
	}
}

func (r *OVNRouter) Fields() []Field {
	fs := []Field{{"router", r.Name}, {"uuid", r.UUID}}
	if r.Alias != "" {
		fs = append(fs, Field{"aka", r.Alias})
	}
	for _, p := range r.Ports {
		v := fmt.Sprintf("mac %s networks %s", p.MAC, strings.Join(p.Networks, " "))
		if len(p.GatewayChassis) > 0 {
			v += " gateway chassis " + strings.Join(p.GatewayChassis, " ")
		}
		if p.Peer != "" {
			v += " peer " + p.Peer
		}
		fs = append(fs, Field{"port " + p.Name, v})
	}
	for _, n := range r.NATs {
		fs = append(fs, Field{"nat " + n.UUID, fmt.Sprintf("%s external %s logical %s", n.Type, n.ExternalIP, n.LogicalIP)})
	}
	return fs
}

// OVNSwitch is one logical switch block of an `ovn-nbctl show` snapshot.
type OVNSwitch struct {
	UUID  string
	Name  string // "neutron-<network id>" under neutron
	Alias string
	Ports []OVNSwitchPort
}

// OVNSwitchPort is a switch port inside a switch block.
type OVNSwitchPort struct {
	Name       string // the neutron port id
	Alias      string
	Type       string // "", router, localnet, localport, …
	Addresses  []string
	RouterPort string // "router-port: lrp-…" on type router ports
}

func (s *OVNSwitch) Kind() Kind { return KindOVN }

func (s *OVNSwitch) Summary() string {
	out := fmt.Sprintf("ovn-nbctl show: switch %s", s.Name)
	if s.Alias != "" {
		out += " (aka " + s.Alias + ")"
	}
	return out + fmt.Sprintf(": %d port(s)", len(s.Ports))
}

func (s *OVNSwitch) AppendKeys(k *Keys) {
	if s.Name != "" {
		k.Entities = append(k.Entities, NormaliseEntity(s.Name))
	}
	for _, p := range s.Ports {
		k.Entities = append(k.Entities, NormaliseEntity(p.Name))
	}
}

func (s *OVNSwitch) Fields() []Field {
	fs := []Field{{"switch", s.Name}, {"uuid", s.UUID}}
	if s.Alias != "" {
		fs = append(fs, Field{"aka", s.Alias})
	}
	for _, p := range s.Ports {
		v := p.Type
		if p.RouterPort != "" {
			v += " router-port " + p.RouterPort
		}
		if len(p.Addresses) > 0 {
			v += " addresses " + strings.Join(p.Addresses, "; ")
		}
		fs = append(fs, Field{"port " + p.Name, strings.TrimSpace(v)})
	}
	return fs
}

// OVNFlow is an OpenFlow flow from `ovs-ofctl dump-flows` that matches ARP
// for one target address: OVN's ARP responder (answers in place) or the
// stage that forwards the request to it.
type OVNFlow struct {
	Cookie    string
	Table     string
	Priority  int
	NPackets  int64
	NBytes    int64
	Duration  string // as printed, e.g. "1172.367s"
	Match     string
	Actions   string
	TPA       netip.Addr // arp_tpa of the match
	Responder bool       // the actions answer the request (load:0x2->NXM_OF_ARP_OP[])
}

func (f *OVNFlow) Kind() Kind { return KindOVN }

func (f *OVNFlow) Summary() string {
	what := "ARP flow"
	if f.Responder {
		what = "ARP responder flow"
	}
	return fmt.Sprintf("ovs-ofctl: %s for %s table=%s priority=%d n_packets=%d", what, f.TPA, f.Table, f.Priority, f.NPackets)
}

func (f *OVNFlow) AppendKeys(k *Keys) {
	if f.TPA.IsValid() {
		k.IPs = append(k.IPs, f.TPA)
	}
}

func (f *OVNFlow) Fields() []Field {
	return []Field{
		{"cookie", f.Cookie}, {"table", f.Table}, {"priority", strconv.Itoa(f.Priority)},
		{"n_packets", strconv.FormatInt(f.NPackets, 10)}, {"n_bytes", strconv.FormatInt(f.NBytes, 10)},
		{"duration", f.Duration}, {"arp_tpa", f.TPA.String()}, {"responder", strconv.FormatBool(f.Responder)},
		{"match", f.Match}, {"actions", f.Actions},
	}
}

// SymptomKind is which failure a harness line reports.
type SymptomKind uint8

const (
	SymptomSSHFailed    SymptomKind = iota + 1 // "Failed to establish authenticated ssh connection to U@IP after N attempts"
	SymptomSSHTimeout                          // "Connection to the IP via SSH timed out."
	SymptomUnreachable                         // "Timed out waiting for IP to become reachable"
	SymptomPingFailed                          // "… ping … IP … failed / unreachable"
	SymptomOtherFailure                        // anything else the reader recognised as a failure
	SymptomTestFailed                          // a test result line: "{0} tempest.… [12.3s] ... FAILED"
)

var symptomNames = [...]string{
	SymptomSSHFailed: "ssh-failed", SymptomSSHTimeout: "ssh-timeout", SymptomUnreachable: "unreachable",
	SymptomPingFailed: "ping-failed", SymptomOtherFailure: "failure", SymptomTestFailed: "test-failed",
}

func (k SymptomKind) String() string {
	if int(k) < len(symptomNames) && symptomNames[k] != "" {
		return symptomNames[k]
	}
	return "unknown"
}

// Symptom is a test-harness line that names a failure and the address it
// concerns.
type Symptom struct {
	What     SymptomKind
	IP       netip.Addr
	User     string // ssh user, when named
	Attempts int    // ssh attempts, when named
	Logger   string // e.g. "tempest.lib.common.ssh"
	Test     string // the failed test a test-result line names (job-output.txt)
	Message  string
}

func (s *Symptom) Kind() Kind { return KindSymptom }

func (s *Symptom) Summary() string { return s.What.String() + ": " + s.Message }

func (s *Symptom) AppendKeys(k *Keys) {
	if s.IP.IsValid() {
		k.IPs = append(k.IPs, s.IP)
	}
}

func (s *Symptom) Fields() []Field {
	fs := []Field{{"symptom", s.What.String()}, {"ip", s.IP.String()}}
	if s.User != "" {
		fs = append(fs, Field{"user", s.User})
	}
	if s.Attempts > 0 {
		fs = append(fs, Field{"attempts", strconv.Itoa(s.Attempts)})
	}
	if s.Logger != "" {
		fs = append(fs, Field{"logger", s.Logger})
	}
	if s.Test != "" {
		fs = append(fs, Field{"test", s.Test})
	}
	return append(fs, Field{"message", s.Message})
}
