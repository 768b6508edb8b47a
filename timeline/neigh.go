package timeline

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// NUD is a set of kernel neighbour-unreachability-detection states, with the
// kernel's bit values (include/uapi/linux/neighbour.h). iproute2 prints every
// set bit; the kernel sets one in practice. Zero is NUD_NONE, which iproute2
// does not print at all (proxy entries, and net-tools tables, which carry no
// NUD state).
type NUD uint8

const (
	NUDIncomplete NUD = 0x01 // resolving: broadcast requests, no lladdr yet
	NUDReachable  NUD = 0x02 // confirmed within reachable_time
	NUDStale      NUD = 0x04 // usable, unconfirmed; the next packet moves it to DELAY
	NUDDelay      NUD = 0x08 // waiting delay_first_probe_time (5 s) for an upper-layer confirmation
	NUDProbe      NUD = 0x10 // sending unicast requests to the cached lladdr
	NUDFailed     NUD = 0x20 // resolution or probing gave up
	NUDNoARP      NUD = 0x40 // never resolved (loopback, multicast, point-to-point)
	NUDPermanent  NUD = 0x80 // administratively static
)

// nudOrder is iproute2's printing order, which is also the bit order.
var nudOrder = [...]struct {
	bit  NUD
	name string
}{
	{NUDIncomplete, "INCOMPLETE"}, {NUDReachable, "REACHABLE"}, {NUDStale, "STALE"},
	{NUDDelay, "DELAY"}, {NUDProbe, "PROBE"}, {NUDFailed, "FAILED"},
	{NUDNoARP, "NOARP"}, {NUDPermanent, "PERMANENT"},
}

// String names the states the way iproute2 ≥ 4.17 prints them (space-joined
// in bit order); "NONE" for the empty set.
func (n NUD) String() string {
	if n == 0 {
		return "NONE"
	}
	for _, s := range nudOrder { // the common single-state case allocates nothing
		if n == s.bit {
			return s.name
		}
	}
	var parts []string
	for _, s := range nudOrder {
		if n&s.bit != 0 {
			parts = append(parts, s.name)
		}
	}
	return strings.Join(parts, " ")
}

// ParseNUD reads one state name as iproute2 prints it ("STALE") or as its
// JSON and the `nud` argument spell it ("stale"). "NONE" is the empty set.
func ParseNUD(s string) (NUD, bool) {
	for _, st := range nudOrder {
		if s == st.name || strings.EqualFold(s, st.name) {
			return st.bit, true
		}
	}
	if strings.EqualFold(s, "NONE") {
		return 0, true
	}
	return 0, false
}

// NUDNamed reads one state name spelled exactly as iproute2's text output
// prints it ("STALE", "NONE"), without allocating: the neighbour parser's
// hot path. ParseNUD also accepts other spellings.
func NUDNamed(name []byte) (NUD, bool) {
	for _, st := range nudOrder {
		if string(name) == st.name {
			return st.bit, true
		}
	}
	return 0, string(name) == "NONE"
}

// Valid reports states with a usable lladdr (the kernel's NUD_VALID).
func (n NUD) Valid() bool {
	return n&(NUDPermanent|NUDNoARP|NUDReachable|NUDProbe|NUDStale|NUDDelay) != 0
}

// NeighFlag is a neighbour entry's flags as iproute2 prints them.
type NeighFlag uint8

const (
	NeighRouter      NeighFlag = 1 << iota // NTF_ROUTER (IPv6 routers)
	NeighProxy                             // NTF_PROXY (proxy entries: `ip neigh show proxy`)
	NeighManaged                           // NTF_MANAGED
	NeighExternLearn                       // NTF_EXT_LEARNED
	NeighOffload                           // NTF_OFFLOADED
	NeighExternValid                       // NTF_EXT_VALIDATED
)

var neighFlagNames = [...]string{"router", "proxy", "managed", "extern_learn", "offload", "extern_valid"}

// ParseNeighFlag reads one flag word as iproute2 prints it.
func ParseNeighFlag(s string) (NeighFlag, bool) {
	for i, n := range neighFlagNames {
		if s == n {
			return 1 << i, true
		}
	}
	return 0, false
}

// String lists the flags space-separated in iproute2's order.
func (f NeighFlag) String() string {
	var parts []string
	for i, n := range neighFlagNames {
		if f&(1<<i) != 0 {
			parts = append(parts, n)
		}
	}
	return strings.Join(parts, " ")
}

// NeighOp is what kind of report a neighbour line was.
type NeighOp uint8

const (
	NeighListed  NeighOp = iota // a snapshot line, or a monitor RTM_NEWNEIGH
	NeighDeleted                // monitor RTM_DELNEIGH ("Deleted ", "delete "), or echoed by `ip -s -s neigh flush`
	NeighMiss                   // monitor RTM_GETNEIGH ("miss "): the kernel asked user space to resolve (app_solicit)
	NeighGone                   // a snapshot stopped listing an entry the previous snapshot listed
)

var neighOpNames = [...]string{NeighListed: "listed", NeighDeleted: "deleted", NeighMiss: "miss", NeighGone: "gone"}

func (o NeighOp) String() string {
	if int(o) < len(neighOpNames) {
		return neighOpNames[o]
	}
	return "unknown"
}

// NeighForm is how the artifact recorded the entry, which decides what its
// silence means.
type NeighForm uint8

const (
	// NeighSnapshot: a listing (`ip neigh`, `ip -s neigh`, `ip -j neigh`),
	// usually repeated under `date` lines. A change happened somewhere
	// between two listings; short states can fall between them.
	NeighSnapshot NeighForm = iota
	// NeighMonitor: `ip monitor neigh` notifications. Exact times, but the
	// kernel never notifies DELAY or INCOMPLETE, and notifies PROBE only
	// since Linux 4.2.
	NeighMonitor
	// NeighARPTable: net-tools `arp -an`/`arp -n` or /proc/net/arp listings:
	// no NUD state, only the ATF flags.
	NeighARPTable
)

var neighFormNames = [...]string{NeighSnapshot: "snapshot", NeighMonitor: "monitor", NeighARPTable: "arp-table"}

func (f NeighForm) String() string {
	if int(f) < len(neighFormNames) {
		return neighFormNames[f]
	}
	return "unknown"
}

// ATF flags of net-tools / procfs ARP tables (include/uapi/linux/if_arp.h).
const (
	ATFComplete  = 0x02 // ATF_COM: lladdr valid
	ATFPermanent = 0x04 // ATF_PERM
	ATFPublished = 0x08 // ATF_PUBL: proxy ("PUB")
)

// NeighEntry is one neighbour entry as one line (or JSON object) shows it.
type NeighEntry struct {
	IP  netip.Addr
	Dev string // "" when the listing was filtered by device
	// LLAddr is the link-layer address when the line carried an Ethernet
	// MAC (HasLL). A non-Ethernet address (IPoIB, a tunnel's IP) is kept as
	// printed in LLText instead. Entries that are not NUD_VALID
	// (INCOMPLETE, FAILED) carry neither.
	LLAddr MAC
	HasLL  bool
	LLText string
	State  NUD
	Flags  NeighFlag
	ATF    uint8 // NeighARPTable only: ATF flags (ATFComplete …)
	// Stats are present with `ip -s` (HasStats): ages in seconds since
	// neigh->used, ->confirmed and ->updated, the probe counter, and the
	// reference count (printed only when non-zero).
	HasStats                 bool
	Used, Confirmed, Updated int32
	Probes                   int32
	Ref                      int32
	Proto                    string // routing protocol that installed it (`proto static`); "" when not printed
	Op                       NeighOp
}

// LL is the link-layer address as text: the MAC, LLText, or "".
func (e *NeighEntry) LL() string {
	switch {
	case e.LLText != "":
		return e.LLText
	case e.HasLL:
		return e.LLAddr.String()
	}
	return ""
}

// Line renders the entry in iproute2's (≥ 4.17) text form.
func (e *NeighEntry) Line() string {
	var b strings.Builder
	switch e.Op {
	case NeighDeleted:
		b.WriteString("Deleted ")
	case NeighMiss:
		b.WriteString("miss ")
	}
	b.WriteString(e.IP.String())
	if e.Dev != "" {
		b.WriteString(" dev ")
		b.WriteString(e.Dev)
	}
	if ll := e.LL(); ll != "" {
		b.WriteString(" lladdr ")
		b.WriteString(ll)
	}
	if e.Flags != 0 {
		b.WriteString(" ")
		b.WriteString(e.Flags.String())
	}
	if e.HasStats {
		if e.Ref != 0 {
			fmt.Fprintf(&b, " ref %d", e.Ref)
		}
		fmt.Fprintf(&b, " used %d/%d/%d probes %d", e.Used, e.Confirmed, e.Updated, e.Probes)
	}
	if e.State != 0 {
		b.WriteString(" ")
		b.WriteString(e.State.String())
	}
	if e.ATF != 0 {
		fmt.Fprintf(&b, " [atf %#x]", e.ATF)
	}
	if e.Proto != "" {
		b.WriteString(" proto ")
		b.WriteString(e.Proto)
	}
	if e.Op == NeighGone {
		b.WriteString(" (no longer listed)")
	}
	return b.String()
}

// Neigh is a neighbour-table observation: a change of one entry (IP, dev) in
// one source. Snapshot listings are folded: an event is made only when the
// entry's state, lladdr or flags differ from the previous listing, and the
// event then spans every listing that still showed the same thing — Event.Time
// is the first listing showing it, Event.End the last. Monitor lines are one
// event each, at their exact time.
type Neigh struct {
	NeighEntry
	Form NeighForm
	// Prev is the entry as the source last showed it before this event
	// (PrevKnown false at the first sighting).
	PrevKnown bool
	PrevState NUD
	PrevLL    MAC
	PrevHasLL bool
	// Gap is, for snapshots, how long before Time the previous listing was
	// taken (which still showed Prev, or did not list the entry): the change
	// happened in (Time−Gap, Time]. GapKnown is false for monitor events
	// (exact times) and first sightings. It is a duration, not a time, so
	// the clock offsets the pipeline applies to Time carry over.
	Gap      time.Duration
	GapKnown bool
	// Listings is how many snapshot listings showed this state (1 for
	// monitor events); UpdatedMin/Max and ProbesMax summarise their
	// `ip -s` numbers when HasStats.
	Listings               int32
	UpdatedMin, UpdatedMax int32
	ProbesMax              int32
	// Last is the position of the last listing folded into the event.
	Last Pos
}

func (n *Neigh) Kind() Kind { return KindNeigh }

// Since is the time of the listing before an event at t of this payload
// (t − Gap), or zero when unknown.
func (n *Neigh) Since(t time.Time) time.Time {
	if !n.GapKnown {
		return time.Time{}
	}
	return t.Add(-n.Gap)
}

// Summary is the entry in iproute2's form, with the previous state when it
// changed.
func (n *Neigh) Summary() string {
	s := n.Line()
	if n.PrevKnown && n.Op != NeighGone {
		prev := n.PrevState.String()
		if n.PrevHasLL && (!n.HasLL || n.PrevLL != n.LLAddr) {
			prev += " " + n.PrevLL.String()
		}
		s += " (was " + prev + ")"
	}
	if n.Listings > 1 {
		s += fmt.Sprintf(" ×%d listings", n.Listings)
	}
	return s
}

func (n *Neigh) AppendKeys(k *Keys) {
	k.IPs = append(k.IPs, n.IP)
	if n.HasLL {
		k.MACs = append(k.MACs, n.LLAddr)
	}
	if n.PrevHasLL && n.PrevLL != n.LLAddr {
		k.MACs = append(k.MACs, n.PrevLL)
	}
}

func (n *Neigh) Fields() []Field {
	fs := []Field{
		{"form", n.Form.String()},
		{"op", n.Op.String()},
		{"ip", n.IP.String()},
		{"dev", n.Dev},
		{"lladdr", n.LL()},
		{"state", n.State.String()},
	}
	if n.Flags != 0 {
		fs = append(fs, Field{"flags", n.Flags.String()})
	}
	if n.ATF != 0 {
		fs = append(fs, Field{"atf", fmt.Sprintf("%#x", n.ATF)})
	}
	if n.HasStats {
		fs = append(fs,
			Field{"used/confirmed/updated", fmt.Sprintf("%d/%d/%d s", n.Used, n.Confirmed, n.Updated)},
			Field{"probes", strconv.Itoa(int(n.Probes))},
			Field{"ref", strconv.Itoa(int(n.Ref))})
		if n.Listings > 1 {
			fs = append(fs,
				Field{"updated age range", fmt.Sprintf("%d–%d s", n.UpdatedMin, n.UpdatedMax)},
				Field{"probes max", strconv.Itoa(int(n.ProbesMax))})
		}
	}
	if n.Proto != "" {
		fs = append(fs, Field{"proto", n.Proto})
	}
	if n.PrevKnown {
		prev := n.PrevState.String()
		if n.PrevHasLL {
			prev += " " + n.PrevLL.String()
		}
		fs = append(fs, Field{"previous", prev})
	}
	if n.GapKnown {
		fs = append(fs, Field{"changed within", n.Gap.String() + " before this listing"})
	}
	if n.Form != NeighMonitor {
		fs = append(fs, Field{"listings", strconv.Itoa(int(n.Listings))}, Field{"last listing", n.Last.String()})
	}
	return fs
}

// NeighReset is a run of snapshot listings in which an entry's `updated`
// timestamp moved forward although neither its state nor its lladdr
// changed. Linux ≥ 4.12 moves `updated` only when an update takes effect
// (commit 77d7123342dc); older kernels also bumped it for ARP updates they
// ignored, which is what kept the 1 s locktime window re-armed against a
// burst of gratuitous ARPs. Event.Time is the first listing showing a reset,
// Event.End the last.
type NeighReset struct {
	IP     netip.Addr
	Dev    string
	LLAddr MAC
	HasLL  bool
	State  NUD // the state at the last reset
	Resets int32
	// MaxUpdated is the largest `updated` age the run's listings showed.
	MaxUpdated int32
	Last       Pos
}

func (r *NeighReset) Kind() Kind { return KindNeigh }

func (r *NeighReset) Summary() string {
	ll := ""
	if r.HasLL {
		ll = " lladdr " + r.LLAddr.String()
	}
	dev := ""
	if r.Dev != "" {
		dev = " dev " + r.Dev
	}
	return fmt.Sprintf("%s%s%s %s: updated timestamp reset %d time(s) with no state or lladdr change (updated age ≤ %d s)",
		r.IP, dev, ll, r.State, r.Resets, r.MaxUpdated)
}

func (r *NeighReset) AppendKeys(k *Keys) {
	k.IPs = append(k.IPs, r.IP)
	if r.HasLL {
		k.MACs = append(k.MACs, r.LLAddr)
	}
}

func (r *NeighReset) Fields() []Field {
	ll := ""
	if r.HasLL {
		ll = r.LLAddr.String()
	}
	return []Field{
		{"ip", r.IP.String()},
		{"dev", r.Dev},
		{"lladdr", ll},
		{"state", r.State.String()},
		{"resets", strconv.Itoa(int(r.Resets))},
		{"max updated age", strconv.Itoa(int(r.MaxUpdated)) + " s"},
		{"last listing", r.Last.String()},
	}
}

// NeighView is what a host's neighbour data says an entry held at one moment.
type NeighView struct {
	Event int    // index into Timeline.Events of the observation in force
	Entry *Neigh // that event's payload
	// Covered: an observation covers the moment — it lies within the span of
	// listings that showed the entry (with a second of slack for the polling
	// jitter), or after a monitor notification with none following it. When
	// false the moment falls in a gap after the last listing that showed
	// the entry, and the entry may have changed in between.
	Covered bool
}

// NeighAt reports the lladdr and state that host's neighbour entry for ip
// held at t, per the neighbour data of that host's sources (host is a
// vantage point: Source.VantageKey) (snapshots and
// monitor output; entries on any device). ok is false when no neighbour
// data of host shows the entry at or before t, or the latest observation
// is a deletion. Detectors use it to confirm a MAC a cooked capture could
// only infer.
func (tl *Timeline) NeighAt(host string, ip netip.Addr, t time.Time) (v NeighView, ok bool) {
	const slack = time.Second
	idx := tl.ByIP(ip)
	best := -1
	var bestAt int64
	tn := t.UnixNano()
	for _, i := range idx {
		r := tl.st.at(int(i))
		if r.T > tn {
			break // ByIP lists events in time order
		}
		if r.Kind != KindNeigh || r.IsNeighReset() || r.NeighIP() != ip || NeighOp(r.Sub) == NeighMiss || tl.Sources[r.Src].VantageKey() != host {
			continue // a miss is the kernel asking, not the entry changing
		}
		if best < 0 || r.T >= bestAt {
			best, bestAt = int(i), r.T
		}
	}
	if best < 0 {
		return v, false
	}
	r := tl.st.at(best)
	if op := NeighOp(r.Sub); op == NeighDeleted || op == NeighGone {
		return v, false
	}
	n := decodeNeigh(&r, &tl.side[r.Src].strs)
	v = NeighView{Event: best, Entry: n}
	switch n.Form {
	case NeighMonitor:
		v.Covered = true
	default:
		v.Covered = !t.After(r.LastTime().Add(slack))
	}
	return v, true
}
