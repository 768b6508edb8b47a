package view

import (
	"fmt"
	"net/netip"
	"regexp"

	"github.com/arpforensics/arpforensics/detect"
	"github.com/arpforensics/arpforensics/timeline"
	"github.com/arpforensics/arpforensics/tui/internal/model"
)

// syncSearchRows is how many rows a search scans on the key press itself;
// longer timelines are scanned in the background so the key still redraws
// at once (the match arrives a moment later, and any key cancels it).
const syncSearchRows = 20000

// findNext moves to the next (dir > 0) or previous match of the search.
// With here, the row under the cursor counts as a match too (a new search).
func (a *App) findNext(dir int, here bool) {
	re := a.search
	if re == nil {
		a.flash("no search yet: / starts one", true)
		return
	}
	from := a.tl.Cursor
	if here {
		from -= dir
	}
	gen := a.searchGen.Add(1)
	rows, tl := a.tl.Rows, a.res.Timeline
	if rows.Len() <= syncSearchRows {
		row, wrapped, ok := model.Scan(tl, rows, re, from, dir, nil)
		total, before, _ := model.Count(tl, rows, re, row, nil)
		a.searchDone(re, row, wrapped && !here, here && wrapped, ok, total, before)
		return
	}
	a.searching = true
	a.flash(fmt.Sprintf("searching /%s/ in %s rows… (Esc cancels)", re, thousands(rows.Len())), false)
	go func() {
		stop := func() bool { return a.searchGen.Load() != gen }
		row, wrapped, ok := model.Scan(tl, rows, re, from, dir, stop)
		total, before := 0, 0
		if ok {
			total, before, _ = model.Count(tl, rows, re, row, stop)
		}
		a.app.QueueUpdateDraw(func() {
			if a.searchGen.Load() != gen {
				return // cancelled, or the rows changed under it
			}
			a.searching = false
			a.searchDone(re, row, wrapped && !here, here && wrapped, ok, total, before)
			a.refresh()
		})
	}()
}

// searchDone reports a search: which match of how many the cursor is on.
// wrapped (n/N past an end) says so; fromTop is a new search whose only
// matches lie before the cursor.
func (a *App) searchDone(re *regexp.Regexp, row int, wrapped, fromTop, ok bool, total, before int) {
	if !ok {
		a.flash(fmt.Sprintf("no match for /%s/", re), true)
		return
	}
	a.tl.MoveTo(row)
	a.center = true
	a.setFocus(paneTimeline)
	count := ""
	if total > 0 {
		count = fmt.Sprintf("%d of %d; ", before+1, total)
	}
	msg := fmt.Sprintf("/%s/: match at %s", re, a.formatTime(a.tl.Time(row)))
	switch {
	case fromTop:
		msg += ", none after the cursor: first from the top"
	case wrapped:
		msg += ", search wrapped"
	}
	a.flash(msg+" ("+count+"n/N: next/previous)", false)
}

// matchesSearch tells the timeline which shown rows to highlight.
func (a *App) matchesSearch(e *timeline.Event) bool { return model.Matches(e, a.search) }

// subjectKeys lists the followable keys named in a finding's subject, in the
// subject's order: values that read as an IP or MAC, or that the timeline
// knows as an entity, and that some event concerns.
func subjectKeys(tl *timeline.Timeline, f *detect.Finding) []model.Key {
	if f == nil {
		return nil
	}
	var out []model.Key
	add := func(k model.Key) {
		if len(k.Events(tl)) == 0 {
			return
		}
		for _, o := range out {
			if o == k {
				return
			}
		}
		out = append(out, k)
	}
	for _, kv := range f.Subject {
		var s string
		switch v := kv.Value.(type) {
		case string:
			s = v
		case fmt.Stringer: // netip.Addr, timeline.MAC
			s = v.String()
		default:
			continue // counts and durations
		}
		if s == "" {
			continue
		}
		if ip, err := netip.ParseAddr(s); err == nil {
			add(model.IPKey(ip.Unmap()))
			continue
		}
		if m, err := timeline.ParseMAC(s); err == nil {
			add(model.MACKey(m))
			continue
		}
		add(model.EntityKey(s))
	}
	return out
}
