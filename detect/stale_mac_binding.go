package detect

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/arpforensics/arpforensics/timeline"
)

// staleMACBinding reads OVSDB database histories (parse/ovsdb) for OVN's own
// ARP cache going stale: a Southbound MAC_Binding row keeps an IP's MAC
// after the databases gave that IP to a different MAC — a NAT entry's
// external_mac changed, a port was deleted and its address reused, a port's
// MAC changed — for longer than a grace. Before OVN 22.09 those rows never
// aged, so the router keeps sending to the old MAC until someone deletes
// the row.
//
// Who owns an IP is read from the rows that declare it: NAT (external_ip →
// external_mac, or the router's port on that network), Logical_Router_Port
// networks, Logical_Switch_Port addresses, Port_Binding mac and
// nat_addresses, Static_MAC_Binding. An IP moves when its one declared
// owner becomes another MAC; while two MACs declare it at once (overlapping
// tenant networks, a port created before the old one is gone) it has no
// single owner and nothing is judged. Rows are keyed by their UUID across
// files, so the three members of a cluster count once.
type staleMACBinding struct{}

func (staleMACBinding) Name() string { return "stale-mac-binding" }

func (staleMACBinding) Describe() string {
	return "an OVN MAC_Binding row keeps an IP's old MAC after the databases gave the IP to a different MAC (NAT external_mac or port MAC change, address reused) past a grace"
}

func (staleMACBinding) Instances() string { return "stale MAC_Binding rows" }

func (staleMACBinding) Identity() []string { return []string{"ip", "datapath", "old_mac", "new_mac"} }

// DefaultMACBindingGrace is how long a MAC_Binding may keep an IP's old MAC
// after the move: ovn-controller updates the row within a round trip of the
// new owner's first GARP or ARP reply, so half a minute is generous.
const DefaultMACBindingGrace = 30 * time.Second

// staleMACBindingKnobs are stale-mac-binding's thresholds, part of Config.
type staleMACBindingKnobs struct {
	// MACBindingGrace is how long an OVN MAC_Binding may keep an IP's old
	// MAC after the databases moved the IP.
	MACBindingGrace time.Duration
}

func (staleMACBinding) Thresholds() []Threshold {
	return []Threshold{{Name: "mac_binding_grace",
		Help:     "stale-mac-binding: how long a MAC_Binding may keep an IP's old MAC after the databases moved the IP",
		Duration: func(c *Config) *time.Duration { return &c.MACBindingGrace }, Default: DefaultMACBindingGrace}}
}

type mbRow struct {
	uuid     string
	ip       netip.Addr
	mac      timeline.MAC
	datapath string // name, else uuid
	port     string // the router port it was learned on
	ev       int    // event that set the MAC
	set      time.Time
	db       int32 // source
	ep       *mbEpisode
}

// mbEpisode is one stretch in which a binding disagreed with its IP's owner.
type mbEpisode struct {
	since   time.Time
	newMAC  timeline.MAC
	oldMAC  timeline.MAC // the owner before the move
	moveEv  int
	goneEv  int // the row change that withdrew the old owner's claim, -1 if none
	what    string
	bindEv  int
	endEv   int // event that ended it (binding corrected or deleted), -1 when open
	end     time.Time
	deleted bool
}

type mbState struct {
	*dbOwners
	tl       *timeline.Timeline
	bindings map[string]*mbRow
	byIP     map[netip.Addr]map[string]*mbRow
	closed   []*mbEpisode
	closedB  []*mbRow
	ends     map[int32]time.Time // last transaction of each database file
}

func (staleMACBinding) Detect(tl *timeline.Timeline, cfg *Config, out *Findings) {
	st := &mbState{dbOwners: newDBOwners(), tl: tl,
		bindings: map[string]*mbRow{}, byIP: map[netip.Addr]map[string]*mbRow{}, ends: map[int32]time.Time{}}
	st.moved = st.ownerMoved
	for i, r := range tl.RecordsOf(timeline.Kinds(timeline.KindOVN)) {
		switch p := tl.PayloadOf(r).(type) {
		case *timeline.OVSDBRow:
			st.row(i, r.Time(), r.Src, p)
		case *timeline.OVSDBLog:
			// A binding's state is known up to its own file's last
			// transaction (another file may have been copied later).
			if t := time.UnixMilli(p.LastMS).UTC(); t.After(st.ends[r.Src]) {
				st.ends[r.Src] = t
			}
		}
	}
	grace := cfg.MACBindingGrace
	if grace <= 0 {
		grace = DefaultMACBindingGrace
	}
	type judged struct {
		b  *mbRow
		ep *mbEpisode
	}
	var todo []judged
	for i, ep := range st.closed {
		if ep.end.Sub(ep.since) > grace {
			todo = append(todo, judged{st.closedB[i], ep})
		}
	}
	for _, b := range st.bindings {
		end, ok := st.ends[b.db]
		if !ok {
			end = tl.Sources[b.db].Last
		}
		if b.ep != nil && end.Sub(b.ep.since) > grace {
			b.ep.end, b.ep.endEv = end, -1
			todo = append(todo, judged{b, b.ep})
		}
	}
	if len(todo) == 0 {
		return
	}
	slices.SortFunc(todo, func(a, b judged) int {
		if c := a.ep.since.Compare(b.ep.since); c != 0 {
			return c
		}
		return strings.Compare(a.b.uuid, b.b.uuid)
	})
	var ips []netip.Addr
	for _, j := range todo {
		ips = append(ips, j.b.ip)
	}
	wire := tl.ByIPs(slices.Compact(slices.SortedFunc(slices.Values(ips), netip.Addr.Compare)))
	for _, j := range todo {
		sev := Medium
		if j.ep.endEv < 0 {
			sev = High
		}
		weight := int64(j.ep.end.Sub(j.ep.since) / time.Second)
		if !out.Wants(sev, weight, j.ep.since) {
			out.Omit(sev, weight, j.ep.since, j.ep.end)
			continue
		}
		out.Add(st.finding(cfg, j.b, j.ep, sev, grace, wire[j.b.ip]), weight)
	}
}

// row applies one database row change: MAC_Binding rows are the bindings
// judged, every other table's rows say who owns an address.
func (st *mbState) row(i int, t time.Time, src int32, r *timeline.OVSDBRow) {
	if r.Table == "MAC_Binding" {
		st.binding(i, t, src, r)
		return
	}
	st.dbOwners.row(i, t, r)
}

// ownerMoved opens an episode on every binding of ip that disagrees with
// its new owner.
func (st *mbState) ownerMoved(ip netip.Addr, t time.Time, prev timeline.MAC) {
	if prev.IsZero() {
		return // a first owner: nothing moved
	}
	for _, b := range st.byIP[ip] {
		st.judge(b, t, prev)
		if b.ep != nil && b.ep.goneEv < 0 {
			b.ep.goneEv = st.withdrawn(ip, prev)
		}
	}
}

// judge opens or closes a binding's episode against its IP's owner.
func (st *mbState) judge(b *mbRow, t time.Time, prevOwner timeline.MAC) {
	o := st.owner[b.ip]
	if o == nil || !o.moved {
		return
	}
	if b.mac == o.mac {
		if b.ep != nil {
			b.ep.end, b.ep.endEv = t, b.ev
			st.close(b)
		}
		return
	}
	if b.ep != nil && b.ep.newMAC == o.mac {
		return // still the same disagreement
	}
	if b.ep != nil {
		b.ep.end, b.ep.endEv = t, b.ev
		st.close(b)
	}
	since := t
	if b.set.After(since) {
		since = b.set
	}
	if prevOwner.IsZero() {
		prevOwner = b.mac
	}
	b.ep = &mbEpisode{since: since, newMAC: o.mac, oldMAC: prevOwner, moveEv: o.ev, goneEv: -1, what: o.what, bindEv: b.ev, endEv: -1}
}

func (st *mbState) close(b *mbRow) {
	st.closed = append(st.closed, b.ep)
	st.closedB = append(st.closedB, b)
	b.ep = nil
}

func (st *mbState) binding(i int, t time.Time, src int32, r *timeline.OVSDBRow) {
	b := st.bindings[r.UUID]
	if r.Op == timeline.OVSDBDelete {
		if b != nil {
			if b.ep != nil {
				b.ep.end, b.ep.endEv, b.ep.deleted = t, i, true
				st.close(b)
			}
			delete(st.bindings, r.UUID)
			delete(st.byIP[b.ip], r.UUID)
		}
		return
	}
	ip, err := netip.ParseAddr(r.Get("ip"))
	if err != nil {
		return
	}
	mac, err := timeline.ParseMAC(r.Get("mac"))
	if err != nil {
		return
	}
	if b == nil {
		b = &mbRow{uuid: r.UUID}
		st.bindings[r.UUID] = b
	}
	if b.ip != ip && b.ip.IsValid() {
		delete(st.byIP[b.ip], r.UUID)
	}
	if b.mac != mac || b.ip != ip {
		b.ev, b.set = i, t
	}
	b.ip, b.mac, b.port, b.db = ip, mac, r.Get("logical_port"), src
	b.datapath = r.DatapathName
	if b.datapath == "" {
		b.datapath = r.Get("datapath")
	}
	if st.byIP[ip] == nil {
		st.byIP[ip] = map[string]*mbRow{}
	}
	st.byIP[ip][r.UUID] = b
	var prev timeline.MAC
	if b.ep != nil {
		prev = b.ep.oldMAC
	}
	st.judge(b, t, prev)
}

func (st *mbState) finding(cfg *Config, b *mbRow, ep *mbEpisode, sev Severity, grace time.Duration, wire []int32) Finding {
	tl := st.tl
	dur := ep.end.Sub(ep.since)
	f := Finding{Severity: sev, Confidence: ConfHigh, Start: ep.since, End: ep.end}
	f.Subject.Set("ip", b.ip.String())
	f.Subject.Set("datapath", b.datapath)
	f.Subject.Set("old_mac", b.mac.String())
	f.Subject.Set("new_mac", ep.newMAC.String())
	f.Subject.Set("since", ep.since.UTC().Format(time.RFC3339Nano))
	f.Subject.Set("duration_s", float64(dur.Milliseconds())/1000)
	f.Subject.Set("binding", b.uuid)
	if b.port != "" {
		f.Subject.Set("logical_port", b.port)
	}
	f.Subject.Set("new_owner", ep.what)

	// What the wire shows after the move: frames still sent to the old MAC,
	// the new owner announcing itself, ARP requests for the address.
	var toOld, fromNew, asks []int
	var framesOld int64
	for _, j := range within(tl, wire, ep.since, ep.end) {
		r := tl.Record(int(j))
		if u, ok := r.UsageRec(); ok && u.DstIP == b.ip && u.Dst == b.mac {
			toOld = append(toOld, int(j))
			framesOld += u.Frames
			continue
		}
		if a, ok := r.ARPRec(); ok {
			switch {
			case a.SPA == b.ip && a.SHA == ep.newMAC:
				fromNew = append(fromNew, int(j))
			case a.Op == 1 && a.TPA == b.ip && a.SPA != b.ip:
				asks = append(asks, int(j))
			}
		}
	}
	if framesOld > 0 {
		f.Subject.Set("frames_to_old_mac", framesOld)
	}

	f.Title = fmt.Sprintf("OVN MAC_Binding for %s on %s kept %s for %s after the IP moved to %s", b.ip, b.datapath, b.mac, fmtSpan(dur), ep.newMAC)
	f.Explanation = bindingExplanation(b, ep, dur, grace, framesOld, len(fromNew), len(asks))

	evs := []int{ep.bindEv, ep.goneEv, ep.moveEv}
	evs = append(evs, capEvidence(toOld, 2, 1)...)
	evs = append(evs, capEvidence(fromNew, 1, 1)...)
	evs = append(evs, capEvidence(asks, 1, 1)...)
	if ep.endEv >= 0 {
		evs = append(evs, ep.endEv)
	}
	seen := map[int]bool{}
	for _, i := range evs {
		if i >= 0 && !seen[i] {
			seen[i] = true
			f.Evidence = append(f.Evidence, EventEvidence(tl, i))
		}
	}
	slices.SortStableFunc(f.Evidence, func(a, b Evidence) int { return a.Time.Compare(b.Time) })
	f.KnownIssue = cfg.IssueByID(issueMACBindingAging)
	return f
}

// fmtSpan prints a duration the way findings read: "850 ms", "42.3 s",
// "12 min 5 s".
func fmtSpan(d time.Duration) string {
	switch {
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.1f s", d.Seconds())
	case d < time.Hour:
		return fmt.Sprintf("%d min %d s", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%d h %d min", int(d.Hours()), int(d.Minutes())%60)
}
