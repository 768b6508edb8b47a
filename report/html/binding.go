package html

import (
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/arpforensics/arpforensics/detect"
	"github.com/arpforensics/arpforensics/timeline"
)

// binding is what the capture shows about one IP's MAC binding around a
// finding: who announced it where, and which MAC an observer kept using.
type binding struct {
	ip                   netip.Addr
	oldMAC, newMAC, obs  timeline.MAC
	hasOld, hasObs       bool
	announces            []*timeline.Event // ARP binding ip to newMAC (GARPs, replies)
	oldSeen              []*timeline.Event // ARP binding ip to oldMAC
	requests             []*timeline.Event // observer's ARP requests for ip
	useOld, useNew, useX []*timeline.Event // observer's usage runs by destination MAC
	syns                 []*timeline.Event // observer's SYNs to ip
}

// readBinding gathers the binding's events from the finding's subject, the
// events it cites and every other event about the IP between from and to.
func readBinding(ctx *diagramCtx, f *detect.Finding) (*binding, bool) {
	b := &binding{}
	var err error
	if b.ip, err = netip.ParseAddr(f.Subject.String("ip")); err != nil {
		return nil, false
	}
	newKey := "new_mac"
	if f.Subject.Get(newKey) == nil {
		newKey = "mac" // garp-locktime names the one MAC it is about
	}
	if b.newMAC, err = timeline.ParseMAC(f.Subject.String(newKey)); err != nil {
		return nil, false
	}
	if m, err := timeline.ParseMAC(f.Subject.String("old_mac")); err == nil {
		b.oldMAC, b.hasOld = m, true
	}
	if m, err := timeline.ParseMAC(f.Subject.String("observer_mac")); err == nil {
		b.obs, b.hasObs = m, true
	}

	tl := ctx.tl
	idx := slices.Clone(ctx.byIP(b.ip))
	for _, i := range cited(ctx, f) {
		idx = append(idx, int32(i))
	}
	slices.Sort(idx)
	idx = slices.Compact(idx)
	// Context is bounded: the finding's span plus what led to it.
	lo, hi := f.Start.Add(-10*time.Minute), f.End.Add(10*time.Minute)
	for _, i := range idx {
		if r := tl.Record(int(i)); r.LastTime().Before(lo) || r.Time().After(hi) {
			continue
		}
		ev := tl.Event(int(i))
		e := &ev
		switch p := e.Data.(type) {
		case *timeline.ARP:
			switch {
			case p.SPA == b.ip && p.SHA == b.newMAC && (p.Class.Announces() || p.Class == timeline.ARPRequest):
				if p.Class.Announces() {
					b.announces = append(b.announces, e)
				}
			case b.hasOld && p.SPA == b.ip && p.SHA == b.oldMAC && p.Class != timeline.ARPProbe:
				b.oldSeen = append(b.oldSeen, e)
			case b.hasObs && p.Op == 1 && p.TPA == b.ip && (p.Src == b.obs || p.SHA == b.obs):
				b.requests = append(b.requests, e)
			}
		case *timeline.UsageRun:
			if p.DstIP != b.ip || (b.hasObs && p.Src != b.obs) {
				continue
			}
			switch {
			case b.hasOld && p.Dst == b.oldMAC:
				b.useOld = append(b.useOld, e)
			case p.Dst == b.newMAC:
				b.useNew = append(b.useNew, e)
			default:
				b.useX = append(b.useX, e)
			}
		case *timeline.TCP:
			if p.DstIP == b.ip && (p.What == timeline.TCPSyn || p.What == timeline.TCPSynRetrans) && (!b.hasObs || p.Src == b.obs) {
				b.syns = append(b.syns, e)
			}
		}
	}
	return b, true
}

// bindingLane draws an IP's binding lane: the old MAC's binding until the
// move, the new MAC's from its first announcement (GARP ticks), the
// observer's frames as bands coloured by the MAC they went to, where an ARP
// request should have been, and an inset with the announcements' spacing
// against the kernel's locktime.
func bindingLane(ctx *diagramCtx, f *detect.Finding) *Diagram {
	b, ok := readBinding(ctx, f)
	if !ok {
		return nil
	}
	o := ctx.o
	move, burst := moveOf(b, f, o.Locktime)
	sc := bindingWindow(b, f, move, burst, o)
	rows := bindingRows(b)
	plotBottom := bindTop + bindRowH*float64(len(rows))
	l := &bindLane{d: &Diagram{Kind: "binding-lane", W: diagramW, Label: "Binding lane of " + b.ip.String()}, sc: sc}
	d := l.d
	d.Plot = sc.plot(bindTop, plotBottom)
	d.axis(sc, plotBottom+4, bindTop, 8)
	for r, rw := range rows {
		y := l.rowY(r)
		d.rect(plotX0, y+6, plotX1-plotX0, bindRowH-12, "lane-bg", "")
		d.text(labelRight, y+bindRowH/2-2, rw.role, "label strong", "end")
		d.text(labelRight, y+bindRowH/2+11, rw.mac, "label mono", "end")
	}
	r := 0
	if b.hasOld {
		l.oldRow(r, b, move)
		r++
	}
	newRow := r
	l.newRow(r, b, move)
	r++
	if b.hasObs {
		l.observerUse(r, b, move)
		l.observerRequests(r, r+1, b, move, o.Grace)
	}
	l.moveLine(b, move, plotBottom)

	h := plotBottom + 26
	if len(b.announces) >= 2 {
		h = announceInset(d, b, move, h+10, o.Locktime, newRow)
	}
	d.H = h
	d.Caption = bindingCaption(b, o)
	return d
}

// moveOf finds the move: the start of the announcement burst at or before
// the finding's start (the first announcement when all come later), and
// the burst's announcements.
func moveOf(b *binding, f *detect.Finding, locktime time.Duration) (time.Time, []*timeline.Event) {
	if len(b.announces) == 0 {
		return f.Start, nil
	}
	k := 0
	for i, e := range b.announces {
		if !e.Time.After(f.Start) {
			k = i
		}
	}
	for k > 0 && b.announces[k].Time.Sub(b.announces[k-1].Time) <= 3*locktime {
		k--
	}
	burst := []*timeline.Event{b.announces[k]}
	for _, e := range b.announces[k+1:] {
		if e.Time.Sub(burst[len(burst)-1].Time) > 10*locktime {
			break
		}
		burst = append(burst, e)
	}
	return b.announces[k].Time, burst
}

// bindingWindow is the lane's time range: from the old binding's last sign
// (or a little before the move) to the end of the finding and of the
// observer's stale use.
func bindingWindow(b *binding, f *detect.Finding, move time.Time, burst []*timeline.Event, o *Options) Scale {
	t0, t1 := move, f.End
	if f.Start.Before(t0) {
		t0 = f.Start
	}
	extend := func(es []*timeline.Event) {
		for _, e := range es {
			if e.Time.Before(t0) {
				t0 = e.Time
			}
			if e.Last().After(t1) {
				t1 = e.Last()
			}
		}
	}
	extend(b.useOld)
	extend(burst) // later announcements show only if they fall in the window
	if n := len(b.oldSeen); n > 0 && b.oldSeen[n-1].Time.Before(t0) {
		t0 = b.oldSeen[n-1].Time
	}
	t0, t1 = padded(t0, t1, time.Second)
	if b.hasObs && t1.Before(move.Add(o.Grace+o.Grace/2)) {
		t1 = move.Add(o.Grace + o.Grace/2) // keep the grace marker in view
	}
	return NewScale(t0, t1, plotX0, plotX1)
}

// bindRow is a binding lane's row: what it stands for and its MAC.
type bindRow struct{ role, mac string }

// bindingRows are the lane's rows, top to bottom: the old MAC (when the
// finding names one), the new one, and the observer's frames and requests
// (when it names an observer).
func bindingRows(b *binding) []bindRow {
	var rows []bindRow
	if b.hasOld {
		rows = append(rows, bindRow{"old MAC", b.oldMAC.String()})
	}
	newRole := "new MAC"
	if !b.hasOld {
		newRole = "MAC"
	}
	rows = append(rows, bindRow{newRole, b.newMAC.String()})
	if b.hasObs {
		rows = append(rows, bindRow{"observer → " + b.ip.String(), b.obs.String()}, bindRow{"observer's ARP requests", "who-has " + b.ip.String()})
	}
	return rows
}

// The binding lane's rows start bindTop below the picture's top, bindRowH
// apart.
const bindTop, bindRowH = 26.0, 40.0

// bindLane is a binding lane being drawn.
type bindLane struct {
	d  *Diagram
	sc Scale
}

func (l *bindLane) rowY(r int) float64 { return bindTop + bindRowH*float64(r) }

// bar draws a span of row r.
func (l *bindLane) bar(r int, from, to time.Time, class, tip string) *Shape {
	y, sc := l.rowY(r), l.sc
	return l.d.at(l.d.rect(sc.X(from), y+12, maxf(sc.X(to)-sc.X(from), 2), bindRowH-24, class, tip), from, to)
}

// oldRow draws the old MAC bound until the move, with the ARP that showed it.
func (l *bindLane) oldRow(r int, b *binding, move time.Time) {
	d, sc, y := l.d, l.sc, l.rowY(r)
	from := sc.T0
	tip := fmt.Sprintf("%s was at %s until %s", b.ip, b.oldMAC, clockOf(move))
	l.bar(r, from, move, "bind-old", tip)
	for _, e := range b.oldSeen {
		if sc.Contains(e.Time) {
			x := sc.X(e.Time)
			d.at(d.line(x, y+8, x, y+bindRowH-8, "tick-old", summary(e)), e.Time, e.Time)
		}
	}
	d.at(d.text(sc.X(move)-4, y+bindRowH/2+4, "bound", "on-bar", "end"), from, move)
}

// newRow draws the new MAC from the move, its announcements as ticks.
func (l *bindLane) newRow(r int, b *binding, move time.Time) {
	d, sc, y := l.d, l.sc, l.rowY(r)
	l.bar(r, move, sc.T1, "bind-new", fmt.Sprintf("%s announced at %s from %s", b.ip, b.newMAC, clockOf(move)))
	var shown []*timeline.Event
	for _, e := range b.announces {
		if !sc.Contains(e.Time) {
			continue
		}
		shown = append(shown, e)
		x := sc.X(e.Time)
		d.at(d.path(fmt.Sprintf("M%s %sl-5 -8h10z", num(x), num(y+12)), "garp", summary(e)), e.Time, e.Time)
	}
	if n := len(shown); n > 0 {
		label := fmt.Sprintf("%s (%s)", plural(int64(n), "announcement", "announcements"), garpKinds(shown))
		d.at(d.text(sc.X(move)+8, y+bindRowH/2+4, label, "on-bar", ""), move, sc.T1)
	}
}

// observerUse draws the observer's frames on row r: bands by the MAC they
// went to, SYN ticks, and how much went to the old MAC after the move.
func (l *bindLane) observerUse(r int, b *binding, move time.Time) {
	d, sc, y := l.d, l.sc, l.rowY(r)
	var oldFrames, newFrames, syns int64
	var stale []*timeline.Event
	for _, e := range b.useOld {
		if !e.Last().After(move) { // before the move the old MAC was right
			l.bar(r, e.Time, e.Last(), "use-before", summary(e))
			continue
		}
		u := e.Data.(*timeline.UsageRun)
		oldFrames += u.Frames
		syns += u.SYNs
		stale = append(stale, e)
		l.bar(r, e.Time, e.Last(), "use-old", summary(e))
	}
	for _, e := range b.useNew {
		u := e.Data.(*timeline.UsageRun)
		newFrames += u.Frames
		l.bar(r, e.Time, e.Last(), "use-new", summary(e))
	}
	for _, e := range b.useX {
		l.bar(r, e.Time, e.Last(), "use-unknown", summary(e))
	}
	for _, e := range b.syns {
		x := sc.X(e.Time)
		d.at(d.line(x, y+8, x, y+12, "syn", summary(e)), e.Time, e.Time)
	}
	if len(stale) > 0 {
		first, last := stale[0].Time, stale[0].Last()
		for _, e := range stale {
			if e.Last().After(last) {
				last = e.Last()
			}
		}
		label := fmt.Sprintf("%s to the OLD MAC after the move", plural(oldFrames, "frame", "frames"))
		if syns > 0 {
			label += fmt.Sprintf(" (%s)", plural(syns, "SYN", "SYNs"))
		}
		label += " over " + duration(last.Sub(first))
		from := first
		if move.After(from) {
			from = move
		}
		x := sc.X(from) + 8
		d.at(d.text(x, y+bindRowH/2+4, fit(label, plotX1-x, fontSize), "on-bar strong", ""), from, last)
	}
	if newFrames > 0 {
		first, last := b.useNew[0].Time, b.useNew[len(b.useNew)-1].Last()
		d.at(d.text(sc.X(first)+4, y+bindRowH-2, plural(newFrames, "frame", "frames")+" to the new MAC", "note", ""), first, last)
	}
}

// observerRequests draws where an ARP request from the observer was due
// (from the observer's row obsRow down through the requests' row reqRow),
// the requests it sent, or the gap where none came.
func (l *bindLane) observerRequests(obsRow, reqRow int, b *binding, move time.Time, grace time.Duration) {
	d, sc, y := l.d, l.sc, l.rowY(reqRow)
	due := move.Add(grace)
	x := sc.X(due)
	d.at(d.line(x, l.rowY(obsRow)+4, x, y+bindRowH-4, "due", fmt.Sprintf("an ARP request from the observer was due by %s (move + %s)", clockOf(due), duration(grace))), due, due)
	var after []*timeline.Event
	for _, e := range b.requests {
		if !e.Time.Before(move) {
			after = append(after, e)
		}
		if sc.Contains(e.Time) {
			xr := sc.X(e.Time)
			d.at(d.line(xr, y+8, xr, y+bindRowH-8, "arp-req", summary(e)), e.Time, e.Time)
		}
	}
	dueLabel := fmt.Sprintf("due by move + %s", duration(grace))
	if len(after) == 0 {
		d.at(d.rect(sc.X(move), y+10, maxf(sc.X1-sc.X(move), 2), bindRowH-20, "missing", "no ARP request for "+b.ip.String()+" from the observer after the move"), move, sc.T1)
		d.at(d.text(x+6, y+bindRowH/2+4, fit(dueLabel+" — none sent: the observer never asked who has "+b.ip.String(), plotX1-x-8, fontSize), "missing-label", ""), due, sc.T1)
	} else {
		d.at(d.text(x+6, y+bindRowH/2+4, dueLabel, "due-label", ""), due, due)
		d.at(d.text(sc.X(after[0].Time)+6, y+bindRowH-4, fmt.Sprintf("%s, first at %s", plural(int64(len(after)), "request", "requests"), clockOf(after[0].Time)), "note", ""), after[0].Time, after[len(after)-1].Time)
	}
}

// moveLine draws the move across every row, labelled with its time.
func (l *bindLane) moveLine(b *binding, move time.Time, plotBottom float64) {
	d := l.d
	mx := l.sc.X(move)
	d.at(d.line(mx, bindTop-4, mx, plotBottom, "move", ""), move, move)
	moveLabel := "moved "
	if !b.hasOld {
		moveLabel = "first announcement "
	}
	d.at(d.text(mx, bindTop-8, moveLabel+clockOf(move), "move-label", "middle"), move, move)
}

// announceInset zooms into the announcement burst at the move: each
// announcement as a tick, the spacing between them, and the kernel's
// locktime after each one, inside which Linux before 4.12 ignored the next.
func announceInset(d *Diagram, b *binding, move time.Time, top float64, lock time.Duration, _ int) float64 {
	var burst []*timeline.Event
	for _, e := range b.announces {
		if e.Time.Before(move) {
			continue
		}
		if len(burst) > 0 && e.Time.Sub(burst[len(burst)-1].Time) > 10*lock {
			break
		}
		burst = append(burst, e)
		if len(burst) == 20 {
			break
		}
	}
	if len(burst) < 2 {
		return top - 10
	}
	t0, t1 := burst[0].Time, burst[len(burst)-1].Time.Add(lock)
	t0, t1 = padded(t0, t1, 200*time.Millisecond)
	sc := NewScale(t0, t1, plotX0, plotX1)
	const h = 56.0
	d.text(labelRight, top+18, "announcements", "label strong", "end")
	d.text(labelRight, top+31, "(zoomed in)", "label", "end")
	d.text(labelRight, top+44, "shaded: locktime "+duration(lock), "label", "end")
	d.rect(plotX0, top, plotX1-plotX0, h, "lane-bg", "")
	for i, e := range burst {
		x := sc.X(e.Time)
		d.rect(x, top+2, sc.Width(lock), h-4, "locktime", fmt.Sprintf("locktime after %s: Linux < 4.12 ignores further updates until %s", clockOf(e.Time), clockOf(e.Time.Add(lock))))
		d.line(x, top+2, x, top+h-2, "garp-tick", summary(e))
		if i > 0 {
			prev := sc.X(burst[i-1].Time)
			gap := e.Time.Sub(burst[i-1].Time)
			class := "spacing"
			if gap <= lock {
				class = "spacing bad"
			}
			d.line(prev, top+h/2, x, top+h/2, class, "")
			label := precise(gap)
			if gap <= lock {
				label += " ≤ locktime"
			}
			d.text((prev+x)/2, top+h/2-4, fit(label, x-prev-4, fontSize), class, "middle")
		}
	}
	d.axis(sc, top+h+4, top, 8)
	return top + h + 28
}

// garpKinds names the announcement classes seen, e.g. "garp-reply-other-tha".
func garpKinds(es []*timeline.Event) string {
	var kinds []string
	for _, e := range es {
		k := e.Data.(*timeline.ARP).Class.String()
		if !slices.Contains(kinds, k) {
			kinds = append(kinds, k)
		}
	}
	out := ""
	for i, k := range kinds {
		if i > 0 {
			out += ", "
		}
		out += k
	}
	return out
}

func bindingCaption(b *binding, o *Options) string {
	s := "Time runs left to right. "
	if b.hasOld {
		s += fmt.Sprintf("%s was bound to the old MAC (blue) until it was announced at the new MAC (green, ▼ = announcement). ", b.ip)
	} else {
		s += fmt.Sprintf("%s's announcements at this MAC (▼). ", b.ip)
	}
	if b.hasObs {
		s += fmt.Sprintf("The observer's frames to %s are the band: blue to the old MAC while it was right, red to the old MAC after the move, green to the new one. ", b.ip) +
			fmt.Sprintf("A Linux neighbour entry that stops being confirmed goes STALE, then DELAY (5 s), then PROBE, so an ARP request from the observer was due within %s of the move. ", duration(o.Grace))
	}
	if len(b.announces) >= 2 {
		s += fmt.Sprintf("The zoomed strip shows the announcements' spacing against the %s locktime: Linux before 4.12 ignores an ARP update inside locktime of the last one.", duration(o.Locktime))
	}
	return s
}

func clockOf(t time.Time) string { return t.UTC().Format("15:04:05.000") }
