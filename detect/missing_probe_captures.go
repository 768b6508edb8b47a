package detect

// What missing-probe learns from the captures once and shares across
// entries: which captures answer for a neighbour source, and what they say
// about an IP (its bindings, the connection attempts to it).

import (
	"net/netip"
	"slices"
	"time"

	"github.com/arpforensics/arpforensics/timeline"
)

// mpWorld is what the detector learns about the timeline once and shares
// across entries.
type mpWorld struct {
	tl        *timeline.Timeline
	cfg       *Config
	capture   []bool           // per source: it holds capture events (ARP, usage, TCP)
	segs      []uint16         // per source: its segment
	wit       map[int32][]bool // per neighbour source: the captures that answer for it (witnesses)
	probeSeen []bool           // per source: it shows a PROBE state somewhere
	neighIPs  map[string]map[netip.Addr]bool
	ids       map[hostIP]*hostIdentity
	// hostFrames and hostRules cache, per host, its capture frame events
	// and the results of identity's host-only rules.
	hostFrames map[string][]int32
	hostRules  map[hostRuleKey]*hostIdentity
	ipIdx      map[netip.Addr][]int32  // ByIP of the addresses judged
	dbHist     map[netip.Addr][]dbStep // the databases' owner history of the addresses judged, read on first use
}

type hostIP struct {
	host string
	ip   netip.Addr
}

func newMPWorld(tl *timeline.Timeline, cfg *Config, nb mpNeigh) *mpWorld {
	w := &mpWorld{
		tl: tl, cfg: cfg,
		capture:    make([]bool, len(tl.Sources)),
		segs:       segmentIDs(tl),
		wit:        map[int32][]bool{},
		probeSeen:  nb.probeSeen,
		neighIPs:   nb.neighIPs,
		ids:        map[hostIP]*hostIdentity{},
		hostFrames: map[string][]int32{},
		hostRules:  map[hostRuleKey]*hostIdentity{},
	}
	for _, r := range tl.RecordsOf(frameKinds) {
		w.capture[r.Src] = true
	}
	// The addresses whose cycles will be judged, looked up in one scan.
	var ips []netip.Addr
	seen := map[netip.Addr]bool{}
	for _, s := range nb.seqs {
		if len(s.found) > 0 && !seen[s.ip] {
			seen[s.ip] = true
			ips = append(ips, s.ip)
		}
	}
	w.ipIdx = tl.ByIPs(ips)
	return w
}

// byIP is tl.ByIP for the addresses judged, from the one scan.
func (w *mpWorld) byIP(x netip.Addr) []int32 {
	if idx, ok := w.ipIdx[x]; ok {
		return idx
	}
	return w.tl.ByIP(x)
}

// ipFacts is what the captures say about an IP: every frame that shows its
// binding (in time order), and the TCP connection attempts to it.
type ipFacts struct {
	bindings []int // ARP frames whose sender pair is the IP and a MAC
	flows    map[flowKey]*synFlow
	flowList []*synFlow
}

type flowKey struct {
	src   netip.Addr
	sport uint16
	dport uint16
}

type synFlow struct {
	syns     []int // SYN and retransmission events
	answered bool
}

// witnesses says which captures answer for the entries of neighbour source
// src: those of its own segment; when that segment has no capture at all,
// the captures of other hosts recorded at the same time (cross-host
// evidence, which the finding's confidence already discounts). One host's
// capture never mixes with another's when the host has its own.
func (w *mpWorld) witnesses(src int32) []bool {
	if ok := w.wit[src]; ok != nil {
		return ok
	}
	seg := w.segs[src]
	ok := make([]bool, len(w.tl.Sources))
	own := false
	for i := range w.tl.Sources {
		if w.capture[i] && w.segs[i] == seg {
			ok[i], own = true, true
		}
	}
	if !own {
		n := w.tl.Sources[src]
		for i, c := range w.tl.Sources {
			if w.capture[i] && !c.First.IsZero() && !c.First.After(n.Last) && !c.Last.Before(n.First) {
				ok[i] = true
			}
		}
	}
	w.wit[src] = ok
	return ok
}

func (w *mpWorld) facts(x netip.Addr, wit []bool) *ipFacts {
	f := &ipFacts{flows: map[flowKey]*synFlow{}}
	for _, j := range w.byIP(x) {
		r := w.tl.Record(int(j))
		if !wit[r.Src] {
			continue
		}
		switch r.Kind {
		case timeline.KindARP:
			if d, _ := r.ARPRec(); bindingSender(&d) && d.SPA == x {
				f.bindings = append(f.bindings, int(j))
			}
		case timeline.KindTCP:
			d, _ := r.TCPRec()
			switch {
			case d.DstIP == x && (d.What == timeline.TCPSyn || d.What == timeline.TCPSynRetrans):
				k := flowKey{d.SrcIP, d.SrcPort, d.DstPort}
				fl := f.flows[k]
				if fl == nil {
					fl = &synFlow{}
					f.flows[k] = fl
					f.flowList = append(f.flowList, fl)
				}
				fl.syns = append(fl.syns, int(j))
			case d.SrcIP == x && d.What == timeline.TCPSynAck:
				if fl := f.flows[flowKey{d.DstIP, d.DstPort, d.SrcPort}]; fl != nil {
					fl.answered = true
				}
			}
		}
	}
	return f
}

// bindingAt is the last ARP frame at or before t that showed the IP's MAC,
// or -1.
func (f *ipFacts) bindingAt(tl *timeline.Timeline, t time.Time) int {
	k, _ := slices.BinarySearchFunc(f.bindings, t, func(i int, t time.Time) int {
		if eventTime(tl, i).After(t) {
			return 1
		}
		return -1
	})
	return k - 1
}

// firstOfRun is the position in idx of the first frame of the run of frames
// showing mac that ends idx.
func firstOfRun(tl *timeline.Timeline, idx []int, mac timeline.MAC) int {
	k := len(idx)
	for k > 0 && arpAt(tl, idx[k-1]).SHA == mac {
		k--
	}
	return k
}
