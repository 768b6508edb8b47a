package view

import (
	"fmt"
	"net/netip"
	"regexp"

	"github.com/arpforensics/arpforensics/detect"
	"github.com/arpforensics/arpforensics/timeline"
	"github.com/arpforensics/arpforensics/tui/model"
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
		a.searchDone(re, row, wrapped, ok)
		return
	}
	a.searching = true
	a.flash(fmt.Sprintf("searching /%s/ in %s rows… (Esc cancels)", re, thousands(rows.Len())), false)
	go func() {
		row, wrapped, ok := model.Scan(tl, rows, re, from, dir, func() bool { return a.searchGen.Load() != gen })
		a.app.QueueUpdateDraw(func() {
			if a.searchGen.Load() != gen {
				return // cancelled, or the rows changed under it
			}
			a.searching = false
			a.searchDone(re, row, wrapped, ok)
			a.refresh()
		})
	}()
}

func (a *App) searchDone(re *regexp.Regexp, row int, wrapped, ok bool) {
	if !ok {
		a.flash(fmt.Sprintf("no match for /%s/", re), true)
		return
	}
	a.tl.MoveTo(row)
	a.center = true
	a.setFocus(paneTimeline)
	msg := fmt.Sprintf("/%s/: match at %s (n/N: next/previous)", re, a.formatTime(a.tl.Time(row)))
	if wrapped {
		msg += ", search wrapped"
	}
	a.flash(msg, false)
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
