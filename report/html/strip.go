package html

import (
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/arpforensics/arpforensics/detect"
	"github.com/arpforensics/arpforensics/parse/pcap"
	"github.com/arpforensics/arpforensics/timeline"
)

// neighSeg is one stretch of a neighbour entry's life as the host's data
// showed it: a state and an lladdr from From until the next change (or To,
// the last time the data still showed it).
type neighSeg struct {
	From, To time.Time
	// Since bounds a snapshot change from below: it happened in
	// (Since, From]. Zero for exact (monitor) times and first sightings.
	Since time.Time
	State string // "REACHABLE", "STALE", … as iproute2 prints it
	LL    string // lladdr, "" when the entry has none
	Tip   string
}

// mark is an instant on a diagram with its tooltip.
type mark struct {
	At  time.Time
	Tip string
}

// stripInput is what the neighbour state strip draws, gathered from a
// missing-probe finding's subject and events.
type stripInput struct {
	IP, Host     string
	OldLL, NewLL string // the MAC the entry kept, and the one the IP moved to
	Segs         []neighSeg
	Announces    []mark // the IP announced at NewLL (GARPs, replies)
	Requests     []mark // the host's ARP requests for the IP
	HaveCapture  bool   // a capture of the host exists, so no request means none sent
	Resets       []mark // `updated` reset with nothing changing (kernels < 4.12)
	Monitor      bool   // the data is `ip monitor` output: DELAY is never reported
	Start, End   time.Time
}

// neighStrip draws the entry's states over time (REACHABLE, STALE, DELAY,
// PROBE, … coloured), the lladdr it held (the stale MAC in blue, the new one
// in green), the announcements of the new MAC it did not take, and the ARP
// requests it should have sent; every confirmation of the old MAC without a
// PROBE before it is marked.
func neighStrip(in *stripInput) *Diagram {
	if len(in.Segs) == 0 {
		return nil
	}
	t0, t1 := in.Start, in.End
	if t0.IsZero() || !t1.After(t0) { // no window given: the segments'
		t0, t1 = in.Segs[0].From, in.Segs[0].To
		for _, s := range in.Segs {
			if s.From.Before(t0) {
				t0 = s.From
			}
			if s.To.After(t1) {
				t1 = s.To
			}
		}
		t0, t1 = padded(t0, t1, time.Second)
	}
	sc := NewScale(t0, t1, plotX0, plotX1)

	const top, rowH = 26.0, 40.0
	rows := []struct{ role, sub string }{
		{"neighbour entry", in.IP + " on " + in.Host},
		{"lladdr", "the MAC it sends to"},
		{"announcements", "at " + in.NewLL},
		{"ARP requests", "from " + in.Host + " for " + in.IP},
	}
	plotBottom := top + rowH*float64(len(rows))
	d := &Diagram{Kind: "state-strip", W: diagramW, H: plotBottom + 28, Label: "Neighbour entry of " + in.IP + " on " + in.Host + " over time"}
	d.Plot = sc.plot(top, plotBottom)
	d.axis(sc, plotBottom+4, top, 8)
	rowY := func(r int) float64 { return top + rowH*float64(r) }
	for r, rw := range rows {
		y := rowY(r)
		d.rect(plotX0, y+6, plotX1-plotX0, rowH-12, "lane-bg", "")
		d.text(labelRight, y+rowH/2-2, rw.role, "label strong", "end")
		d.text(labelRight, y+rowH/2+11, fit(rw.sub, labelRight-8, 10), "label mono", "end")
	}

	// States, and the lladdr under them.
	var reachableOld int
	for i, s := range in.Segs {
		end := s.To
		if i+1 < len(in.Segs) {
			end = in.Segs[i+1].From
		}
		x0, x1 := sc.X(s.From), sc.X(end)
		w := maxf(x1-x0, 1.5)
		state := stateClass(s.State)
		d.at(d.rect(x0, rowY(0)+10, w, rowH-20, "st-"+state, s.Tip), s.From, end)
		if textWidth(s.State, 10)+6 < w {
			d.at(d.text(x0+w/2, rowY(0)+rowH/2+4, s.State, "seg-label", "middle"), s.From, end)
		}
		if !s.Since.IsZero() && s.Since.Before(s.From) {
			// The change fell between two listings: show the uncertainty.
			xs := sc.X(s.Since)
			d.at(d.line(xs, rowY(0)+rowH-8, x0, rowY(0)+rowH-8, "spacing", "changed between "+clockOf(s.Since)+" and "+clockOf(s.From)), s.Since, s.From)
		}
		// A confirmation of the old MAC without a probe: the bug's signature.
		if i > 0 && s.State == "REACHABLE" && s.LL == in.OldLL && in.OldLL != "" {
			prev := in.Segs[i-1].State
			if prev == "DELAY" || (in.Monitor && prev == "STALE") {
				reachableOld++
				d.at(d.path(fmt.Sprintf("M%s %sl-4 -7h8z", num(x0), num(rowY(0)+9)), "noprobe", fmt.Sprintf("%s → REACHABLE on the old MAC at %s with no PROBE in between", prev, clockOf(s.From))), s.From, s.From)
			}
		}
	}
	// The lladdr: one bar and label per run of the same MAC.
	for i := 0; i < len(in.Segs); {
		j := i
		for j+1 < len(in.Segs) && in.Segs[j+1].LL == in.Segs[i].LL {
			j++
		}
		end := in.Segs[j].To
		if j+1 < len(in.Segs) {
			end = in.Segs[j+1].From
		}
		x0, x1 := sc.X(in.Segs[i].From), sc.X(end)
		if ll := in.Segs[i].LL; ll != "" {
			llClass := "use-unknown"
			switch ll {
			case in.OldLL:
				llClass = "bind-old"
			case in.NewLL:
				llClass = "bind-new"
			}
			d.at(d.rect(x0, rowY(1)+12, maxf(x1-x0, 1.5), rowH-24, llClass, ll), in.Segs[i].From, end)
			label := ll
			switch ll {
			case in.OldLL:
				label += " (old)"
			case in.NewLL:
				label += " (new)"
			}
			if textWidth(label, 10)+8 < x1-x0 {
				d.at(d.text(x0+6, rowY(1)+rowH/2+4, label, "on-bar", ""), in.Segs[i].From, end)
			}
		}
		i = j + 1
	}
	for _, r := range in.Resets {
		x := sc.X(r.At)
		d.at(d.line(x, rowY(0)+rowH-10, x, rowY(0)+rowH-4, "reset", r.Tip), r.At, r.At)
	}

	// Announcements the entry did not take.
	for _, a := range in.Announces {
		if sc.Contains(a.At) {
			d.at(d.path(fmt.Sprintf("M%s %sl-5 -8h10z", num(sc.X(a.At)), num(rowY(2)+rowH/2+4)), "garp", a.Tip), a.At, a.At)
		}
	}
	if n := len(in.Announces); n > 0 {
		x := sc.X(in.Announces[n-1].At) + 10
		last := in.Announces[n-1].At
		d.at(d.text(x, rowY(2)+rowH/2+4, fit(fmt.Sprintf("%s at the new MAC", plural(int64(n), "announcement", "announcements")), plotX1-x, fontSize), "note", ""), last, last)
	} else {
		d.text(plotX0+8, rowY(2)+rowH/2+4, "none in the data", "note", "")
	}

	// ARP requests: the probes that never came.
	for _, q := range in.Requests {
		if sc.Contains(q.At) {
			x := sc.X(q.At)
			d.at(d.line(x, rowY(3)+8, x, rowY(3)+rowH-8, "arp-req", q.Tip), q.At, q.At)
		}
	}
	switch {
	case len(in.Requests) > 0:
		d.at(d.text(sc.X(in.Requests[0].At)+6, rowY(3)+rowH/2+4, plural(int64(len(in.Requests)), "request", "requests"), "note", ""), in.Requests[0].At, in.Requests[len(in.Requests)-1].At)
	case in.HaveCapture:
		d.rect(plotX0, rowY(3)+10, plotX1-plotX0, rowH-20, "missing", "the host's capture has no ARP request for "+in.IP)
		d.text(plotX0+8, rowY(3)+rowH/2+4, "none in the host's capture: the entry never probed", "missing-label", "")
	default:
		d.text(plotX0+8, rowY(3)+rowH/2+4, "no capture of this host: requests unknown", "note", "")
	}

	var cap strings.Builder
	cap.WriteString("Time runs left to right. The top strip is the neighbour entry's state (green REACHABLE, orange STALE, yellow DELAY, purple PROBE, red FAILED/INCOMPLETE); under it, the MAC the entry held: blue the old one, green the new one. ")
	if in.Monitor {
		cap.WriteString("This is ip monitor output, which never reports DELAY. ")
	}
	cap.WriteString("A healthy entry goes STALE → DELAY → PROBE, sends an ARP request and learns the new MAC; ")
	if reachableOld > 0 {
		fmt.Fprintf(&cap, "this one was confirmed on the old MAC %s without a PROBE (▼ marks).", plural(int64(reachableOld), "time", "times"))
	} else {
		cap.WriteString("this one never reached PROBE.")
	}
	if len(in.Resets) > 0 {
		cap.WriteString(" Ticks under the states: the entry's `updated` age reset with nothing changing — the fingerprint of kernels before 4.12, where ignored ARP updates still refreshed the entry.")
	}
	d.Caption = cap.String()
	return d
}

// stateClass is the CSS class suffix for an iproute2 state word (the first
// of several, e.g. "STALE PROBE" is coloured as STALE).
func stateClass(s string) string {
	first, _, _ := strings.Cut(s, " ")
	switch first {
	case "REACHABLE", "STALE", "DELAY", "PROBE", "FAILED", "INCOMPLETE", "PERMANENT", "NOARP", "NONE":
		return first
	}
	return "other"
}

// maxSegs bounds the segments a strip draws: a folded neighbour log holds
// one event per change, so this is hours of one-second cycling.
const maxSegs = 3000

// missingProbeStrip gathers a missing-probe finding's picture: the entry
// (the source and device of the neighbour events it cites, else the host's
// first entry for the IP) over the finding's span, the IP's announcements
// at the new MAC, and the ARP requests for it in the host's captures.
func missingProbeStrip(ctx *diagramCtx, f *detect.Finding) *Diagram {
	ip, err := netip.ParseAddr(f.Subject.String("ip"))
	if err != nil {
		return nil
	}
	host := f.Subject.String("host")
	in := &stripInput{IP: ip.String(), Host: hostPhrase(host), OldLL: f.Subject.String("mac"), NewLL: f.Subject.String("new_mac")}
	newMAC, errNew := timeline.ParseMAC(in.NewLL)
	oldMAC, errOld := timeline.ParseMAC(in.OldLL)
	tl := ctx.tl

	// Which entry: a cited neighbour event names its source and device.
	src, dev, found := int32(-1), "", false
	for _, i := range cited(ctx, f) {
		if n, ok := tl.Payload(i).(*timeline.Neigh); ok && n.IP == ip {
			src, dev, found = tl.Record(i).Src, n.Dev, true
			break
		}
	}
	idx := ctx.byIP(ip)
	if !found {
		for _, i := range idx {
			r := tl.Record(int(i))
			if r.Kind != timeline.KindNeigh || tl.Sources[r.Src].Host != host {
				continue
			}
			if n, ok := tl.PayloadOf(&r).(*timeline.Neigh); ok && n.IP == ip {
				src, dev, found = r.Src, n.Dev, true
				break
			}
		}
	}
	if !found {
		return nil
	}
	end := f.End
	if end.Before(f.Start) {
		end = f.Start
	}
	lo, hi := padded(f.Start, end, 10*time.Second)
	in.Start, in.End = lo, hi

	var before *timeline.Event // the entry as it stood when the window opens
	for _, i := range idx {
		r := tl.Record(int(i))
		if r.Time().After(hi) {
			break
		}
		switch r.Kind {
		case timeline.KindNeigh, timeline.KindARP:
		default:
			continue
		}
		ev := tl.EventOf(int(i), &r)
		e := &ev
		inWindow := !e.Last().Before(lo)
		switch p := e.Data.(type) {
		case *timeline.Neigh:
			if e.Source != src || p.Dev != dev || p.IP != ip || p.Op == timeline.NeighMiss {
				continue
			}
			if !inWindow {
				before = e
				continue
			}
			if before != nil {
				in.Segs = append(in.Segs, neighSegOf(before))
				before = nil
			}
			if len(in.Segs) < maxSegs {
				in.Segs = append(in.Segs, neighSegOf(e))
			}
			in.Monitor = in.Monitor || p.Form == timeline.NeighMonitor
		case *timeline.NeighReset:
			if e.Source == src && p.Dev == dev && p.IP == ip && inWindow {
				in.Resets = append(in.Resets, mark{e.Time, summary(e)})
			}
		case *timeline.ARP:
			if !inWindow {
				continue
			}
			switch {
			case errNew == nil && p.SPA == ip && p.SHA == newMAC && p.Class.Announces():
				in.Announces = append(in.Announces, mark{e.Time, summary(e)})
			case p.Op == 1 && p.TPA == ip && p.SPA != ip && tl.Sources[e.Source].Host == host &&
				(errNew != nil || p.SHA != newMAC) && (errOld != nil || p.SHA != oldMAC):
				in.Requests = append(in.Requests, mark{e.Time, summary(e)})
			}
		}
	}
	if before != nil && len(in.Segs) == 0 {
		in.Segs = append(in.Segs, neighSegOf(before))
	}
	for _, s := range tl.Sources {
		if s.Host == host && pcap.IsCapture(s.Kind) && !s.First.After(hi) && !s.Last.Before(lo) {
			in.HaveCapture = true
		}
	}
	return neighStrip(in)
}

func neighSegOf(e *timeline.Event) neighSeg {
	n := e.Data.(*timeline.Neigh)
	state := n.State.String()
	switch n.Op {
	case timeline.NeighDeleted:
		state = "deleted"
	case timeline.NeighGone:
		state = "gone"
	}
	return neighSeg{From: e.Time, To: e.Last(), Since: n.Since(e.Time), State: state, LL: n.LL(), Tip: summary(e)}
}
