package html

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/arpforensics/arpforensics/detect"
	"github.com/arpforensics/arpforensics/timeline"
)

// unansweredLane draws an arp-unanswered finding: every request for the IP
// from the requester as a tick, and the replies for the IP that should have
// followed — none, in the finding's window.
func unansweredLane(ctx *diagramCtx, f *detect.Finding) *Diagram {
	ip, err := netip.ParseAddr(f.Subject.String("ip"))
	if err != nil {
		return nil
	}
	req, hasReq := timeline.MAC{}, false
	if m, err := timeline.ParseMAC(f.Subject.String("requester_mac")); err == nil {
		req, hasReq = m, true
	}
	tl := ctx.tl
	t0, t1 := f.Start, f.End
	if t1.Before(t0) {
		t1 = t0
	}
	lo, hi := padded(t0, t1, time.Second)
	var requests, replies []*timeline.Event
	for _, i := range ctx.byIP(ip) {
		if r := tl.Record(int(i)); r.Kind != timeline.KindARP || r.Time().Before(lo) || r.Time().After(hi) {
			continue
		}
		ev := tl.Event(int(i))
		e := &ev
		a, ok := e.Data.(*timeline.ARP)
		if !ok {
			continue
		}
		switch {
		case a.Op == 1 && a.TPA == ip && a.SPA != ip && (!hasReq || a.SHA == req || a.Src == req):
			requests = append(requests, e)
		case a.Op == 2 && a.SPA == ip:
			replies = append(replies, e)
		}
	}
	if len(requests) == 0 {
		return nil
	}
	sc := NewScale(lo, hi, plotX0, plotX1)
	const top, rowH = 10.0, 40.0
	who := plural(int64(len(requests)), "request", "requests")
	if hasReq {
		who = fmt.Sprintf("%d× from %s", len(requests), req)
	}
	d := &Diagram{Kind: "unanswered-lane", W: diagramW, H: top + 2*rowH + 30, Label: "ARP requests for " + ip.String() + " and their replies"}
	d.Plot = sc.plot(top, top+2*rowH)
	d.axis(sc, top+2*rowH+4, top, 8)
	rows := [][2]string{{"who-has " + ip.String(), who}, {"replies", ip.String() + " is-at …"}}
	for r, rw := range rows {
		y := top + rowH*float64(r)
		d.rect(plotX0, y+6, plotX1-plotX0, rowH-12, "lane-bg", "")
		d.text(labelRight, y+rowH/2-2, rw[0], "label strong", "end")
		d.text(labelRight, y+rowH/2+11, rw[1], "label mono", "end")
	}
	drawn := map[int]bool{}
	for _, e := range requests {
		x := sc.X(e.Time)
		if drawn[int(x*2)] {
			continue
		}
		drawn[int(x*2)] = true
		d.at(d.line(x, top+8, x, top+rowH-8, "arp-req", summary(e)), e.Time, e.Time)
	}
	y := top + rowH
	for _, e := range replies {
		x := sc.X(e.Time)
		d.at(d.line(x, y+8, x, y+rowH-8, "garp-tick", summary(e)), e.Time, e.Time)
	}
	if len(replies) == 0 {
		x0 := sc.X(requests[0].Time)
		d.at(d.rect(x0, y+10, maxf(sc.X1-x0, 2), rowH-20, "missing", "no ARP reply for "+ip.String()+" in the window"), requests[0].Time, sc.T1)
		span := duration(requests[len(requests)-1].Time.Sub(requests[0].Time))
		d.at(d.text(x0+8, y+rowH/2+4, fmt.Sprintf("none: nothing answered for %s in %s", ip, span), "missing-label", ""), requests[0].Time, sc.T1)
	}
	d.Caption = fmt.Sprintf("Each tick on the top row is an ARP request for %s; the row below holds the replies that should have followed. A Linux host broadcasts 3 requests a second apart per failed resolution and tries again on its next packet.", ip)
	return d
}
