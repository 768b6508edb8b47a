package view

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/arpforensics/arpforensics/tui/internal/model"
)

// command is one ":" command. The list is the dispatcher and the help
// screen's command section at once.
type command struct {
	names []string // first is the name help shows
	args  string   // synopsis of the arguments
	help  string
	run   func(args string) error
}

func (a *App) commands() []command {
	return []command{
		{[]string{"goto", "g"}, "TIME", "go to the first event at or after TIME: 17:09:17, 17:09:17.275, 2024-09-18 17:09, RFC 3339, or +30s / -2m from the cursor", a.cmdGoto},
		{[]string{"filter"}, "[ip=A,B] [mac=M] [entity=E] [kind=arp,tcp] [host=H]", "show only events matching every term (values of one term are alternatives); no terms: drop the filter", a.cmdFilter},
		{[]string{"hide"}, "[REGEX]", "hide the events whose line or summary matches REGEX (filter-out); no REGEX: show them again", a.cmdHide},
		{[]string{"range"}, "[FROM [TO]]", "show only the events between FROM and TO (the times :goto takes; TO open when left out, FROM may be -): no times: every time", a.cmdRange},
		{[]string{"tz"}, "[ZONE]", "show times in ZONE (Europe/Prague, UTC, Local); no zone: UTC", a.cmdTZ},
		{[]string{"source"}, "[-NAME|+NAME|NAME]", "hide a source, show it again, or show only it (NAME: path, file name or path suffix); no name: show all", a.cmdSource},
		{[]string{"sources"}, "", "list the sources in the detail pane: kind, host, counts, span, and every problem with its position", a.cmdSources},
		{[]string{"clear"}, "", "drop follow, filter, hidden sources, search and mark", a.cmdClear},
		{[]string{"mark"}, "", "set or clear the mark, like m", func(string) error { a.mark(); return nil }},
		{[]string{"help", "h"}, "", "this help", func(string) error { a.openHelp(); return nil }},
		{[]string{"quit", "q"}, "", "quit", func(string) error { a.app.Stop(); return nil }},
	}
}

// runCommand runs one ":" line and shows its error, if any.
func (a *App) runCommand(line string) {
	line = strings.TrimSpace(line)
	name, args, _ := strings.Cut(line, " ")
	for _, c := range a.cmds {
		for _, n := range c.names {
			if n == name {
				if err := c.run(strings.TrimSpace(args)); err != nil {
					a.flash(":"+c.names[0]+": "+err.Error(), true)
				}
				return
			}
		}
	}
	a.flash(fmt.Sprintf(":%s: no such command (? lists them)", name), true)
}

func (a *App) cmdGoto(args string) error {
	if a.tl.Rows.Len() == 0 {
		return errors.New("the timeline is empty")
	}
	ref := a.tl.Time(a.tl.Cursor)
	t, err := model.ParseGoto(args, a.tl.Loc, ref)
	if err != nil {
		return err
	}
	row := a.tl.RowAtTime(t)
	a.tl.MoveTo(row)
	a.center = true
	a.setFocus(paneTimeline)
	if last := a.tl.Time(a.tl.Rows.Len() - 1); t.After(last) {
		a.flash(fmt.Sprintf("%s is after the last event shown: at the last one", a.formatTime(t)), false)
	} else {
		a.flash("at "+a.formatTime(a.tl.Time(row)), false)
	}
	return nil
}

func (a *App) cmdFilter(args string) error {
	terms, err := model.ParseFilter(args)
	if err != nil {
		return err
	}
	f := a.filter().Clone()
	f.Keys, f.Kinds, f.Hosts = terms.Keys, terms.Kinds, terms.Hosts
	a.setFilter(f, func(err error) {
		switch {
		case errors.Is(err, model.ErrNoMatch):
			a.flash(fmt.Sprintf("no event matches %s (with the other filters); nothing changed", args), true)
		case err != nil:
			a.flash(err.Error(), true)
		case args == "":
			a.flash("filter dropped", false)
		default:
			a.flash(fmt.Sprintf("filter %s: %s events", f.Terms(), thousands(a.tl.Rows.Len())), false)
		}
	})
	return nil
}

func (a *App) cmdTZ(args string) error {
	loc := time.UTC
	if args != "" {
		l, err := time.LoadLocation(args)
		if err != nil {
			return fmt.Errorf("unknown time zone %q", args)
		}
		loc = l
	}
	a.tl.Loc = loc
	a.zoneChanged()
	a.flash("times shown in "+zoneName(loc), false)
	return nil
}

func (a *App) cmdSource(args string) error {
	f := a.filter().Clone()
	if err := f.ApplySource(a.res.Timeline, args); err != nil {
		var names []string
		for _, l := range a.labels {
			names = append(names, l)
		}
		return fmt.Errorf("%v (sources: %s)", err, strings.Join(names, ", "))
	}
	a.setFilter(f, func(err error) {
		switch {
		case errors.Is(err, model.ErrNoMatch):
			a.flash("that would hide every event; nothing changed", true)
		case err != nil:
			a.flash(err.Error(), true)
		default:
			a.flash(fmt.Sprintf("%s events shown", thousands(a.tl.Rows.Len())), false)
		}
	})
	return nil
}

func (a *App) cmdClear(string) error {
	a.setFilter(model.Filter{}, func(err error) {
		if err != nil {
			a.flash(err.Error(), true)
			return
		}
		a.search = nil
		a.tl.ClearMarks()
		a.flash("cleared: every event shown", false)
	})
	return nil
}

func (a *App) cmdSources(string) error {
	prev := a.focus
	a.pushBack(func() { a.setFocus(prev) })
	a.setFocus(paneDetail)
	a.sources = true
	a.detailKey = ""
	return nil
}

func (a *App) cmdHide(args string) error {
	f := a.filter().Clone()
	f.Hide = nil
	if args != "" {
		re, err := regexp.Compile(args)
		if err != nil {
			return fmt.Errorf("%q: %v", args, err)
		}
		f.Hide = re
	}
	a.setFilter(f, func(err error) {
		switch {
		case errors.Is(err, model.ErrNoMatch):
			a.flash(fmt.Sprintf("/%s/ matches every event shown; nothing hidden", args), true)
		case err != nil:
			a.flash(err.Error(), true)
		case args == "":
			a.flash("nothing hidden", false)
		default:
			a.flash(fmt.Sprintf("hiding /%s/: %s events left", args, thousands(a.tl.Rows.Len())), false)
		}
	})
	return nil
}

func (a *App) cmdRange(args string) error {
	f := a.filter().Clone()
	f.From, f.To = 0, 0
	fields := strings.Fields(args)
	if len(fields) > 2 {
		// A date and a time are two fields: "2024-09-18 17:09 2024-09-18 17:10".
		if len(fields) != 4 {
			return fmt.Errorf("%q: want FROM [TO]", args)
		}
		fields = []string{fields[0] + " " + fields[1], fields[2] + " " + fields[3]}
	}
	ref := a.first
	if a.tl.Rows.Len() > 0 {
		ref = a.tl.Time(a.tl.Cursor)
	}
	var from, to time.Time
	for i, v := range fields {
		if v == "-" {
			continue
		}
		t, err := model.ParseGoto(v, a.tl.Loc, ref)
		if err != nil {
			return err
		}
		if i == 0 {
			from, f.From = t, t.UnixNano()
		} else {
			to, f.To = t, t.UnixNano()
		}
	}
	if f.To != 0 && f.To < f.From {
		return fmt.Errorf("%s is before %s", a.formatTime(to), a.formatTime(from))
	}
	a.setFilter(f, func(err error) {
		switch {
		case errors.Is(err, model.ErrNoMatch):
			a.flash(fmt.Sprintf("no event shown lies in %s; nothing changed", args), true)
		case err != nil:
			a.flash(err.Error(), true)
		case args == "":
			a.flash("every time shown", false)
		default:
			a.flash(fmt.Sprintf("range %s: %s events", args, thousands(a.tl.Rows.Len())), false)
		}
	})
	return nil
}
