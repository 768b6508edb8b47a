package ingest

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"time"

	"github.com/arpforensics/arpforensics/parse"
	"github.com/arpforensics/arpforensics/parse/journal"
	"github.com/arpforensics/arpforensics/parse/lex"
	"github.com/arpforensics/arpforensics/parse/neigh"
	"github.com/arpforensics/arpforensics/timeline"
)

// A whole journal (`journalctl -o export`, `-o json`: devstack.journal.gz,
// .xz) is a container of streams: every unit (else syslog identifier) is
// split out as a source of its own, "<journal>!/<unit>", and its messages
// go to the parser their content calls for — a tcpdump unit's to the
// tcpdump text parser, neutron-server's to txnlog, an `ovs-ofctl
// dump-flows` loop's to the flow snapshots — with the entry's real time
// (__REALTIME_TIMESTAMP: full date, UTC, no year to guess) and, when the
// tree names no host, its _HOSTNAME.
//
// Each unit's messages are rendered as the text its parser already reads:
// `journalctl -o short-iso-precise` lines ("2022-02-10T16:09:19.398123+00:00
// host ident[pid]: msg") for kinds that read journal prefixes, else the
// bare messages under a date line whenever the time moves on by a second
// (the `date` + dump loops snapshot parsers read). A unit's kind is sniffed
// from its own first 64 KiB of messages, and again from each later 64 KiB
// while none matches, so a unit that logs its first relevant line late is
// still read. Units of a known kind are parsed concurrently, each through a
// pipe; the journal is read once, as a stream.

func sniffJournalContainer(head []byte) *container {
	switch {
	case journal.SniffExport(head):
		return &container{name: "journal-export", walk: func(st *stream, in *input, src *timeline.Source) {
			walkEntries(st, journal.NewExportReader(in.forParsing(st.opts.Threads)), src, false)
		}}
	case journal.SniffJSON(head):
		return &container{name: "journal-json", walk: func(st *stream, in *input, src *timeline.Source) {
			walkEntries(st, journal.NewJSONReader(in.forParsing(st.opts.Threads)), src, false)
		}}
	}
	return nil
}

// jgroup is one unit of a journal being split.
type jgroup struct {
	key      string
	src      *timeline.Source
	kind     *parse.Format
	dated    bool         // the kind reads bare messages under date lines
	monitor  bool         // neighbour events, one per entry: "[time] msg" as `ip -ts monitor` prints
	ownDates bool         // the unit prints date lines itself (a `date; ip neigh` loop)
	pre, dat bytes.Buffer // while sniffing: the window in both renderings
	lines    int64        // lines in the window
	lastDate time.Time
	w        *bufio.Writer
	pw       *io.PipeWriter
	done     chan struct{}
	sink     *timeline.Sink
}

// entryReader is what walkEntries reads: journal.Reader, or the lines of a
// short-format journal text (shortJournal).
type entryReader interface {
	Next() *journal.Entry
	Err() error
}

// walkEntries splits entries by stream; noYear marks the units' sources as
// lacking a year of their own (short-format text), for the pipeline to
// anchor.
func walkEntries(st *stream, jr entryReader, src *timeline.Source, noYear bool) {
	groups := map[string]*jgroup{}
	var order []*jgroup
	var entries int64
	var last time.Time
	var line, vl, stamp, dateLine []byte
	var stamps isoStamps
	for e := jr.Next(); e != nil; e = jr.Next() {
		entries++
		if e.Time.IsZero() {
			e.Time = last // an entry without a timestamp: written as the one before it
		}
		last = e.Time
		g := groups[string(e.Stream())]
		if g == nil {
			g = st.newGroup(string(e.Stream()), e)
			groups[g.key] = g
			order = append(order, g)
		}
		msg := e.Message
		for len(msg) > 0 || msg != nil {
			part := msg
			if i := bytes.IndexByte(msg, '\n'); i >= 0 {
				part, msg = msg[:i], msg[i+1:]
				if len(msg) == 0 {
					msg = nil
				}
			} else {
				msg = nil
			}
			if g.kind == nil || !g.dated {
				line = stamps.append(line[:0], e.Time)
				line = append(line, e.Host...)
				if len(e.Host) == 0 {
					line = append(line, "localhost"...)
				}
				line = append(line, ' ')
				line = append(line, e.Name()...)
				if len(e.PID) > 0 {
					line = append(line, '[')
					line = append(line, e.PID...)
					line = append(line, ']')
				}
				line = append(line, ": "...)
				line = append(line, part...)
				line = append(line, '\n')
				if g.kind != nil {
					g.w.Write(line)
					continue
				}
				g.pre.Write(line)
			}
			// OVS/OVN daemons log to syslog as "ovs|00012|binding|INFO|…":
			// given the entry's time that is their log file's line.
			if bytes.HasPrefix(part, []byte("ovs|")) {
				vl = e.Time.UTC().AppendFormat(vl[:0], "2006-01-02T15:04:05.000Z")
				part = append(vl, part[3:]...)
				vl = part
			}
			dateLine = dateLine[:0]
			if g.lastDate.IsZero() || e.Time.Sub(g.lastDate) >= time.Second || e.Time.Before(g.lastDate) {
				g.lastDate = e.Time
				dateLine = e.Time.AppendFormat(dateLine, time.RFC3339Nano)
			}
			if g.kind != nil && g.monitor {
				stamp = stamps.append(stamp[:0], e.Time)
				line = append(append(line[:0], '['), stamp[:26]...)
				line = append(append(line, "] "...), part...)
				g.w.Write(append(line, '\n'))
				continue
			}
			if g.kind != nil { // dated
				if len(dateLine) > 0 {
					g.w.Write(dateLine)
					g.w.WriteByte('\n')
				}
				g.w.Write(part)
				g.w.WriteByte('\n')
				continue
			}
			if len(dateLine) > 0 {
				g.dat.Write(dateLine)
				g.dat.WriteByte('\n')
			}
			g.dat.Write(part)
			g.dat.WriteByte('\n')
			g.ownDates = g.ownDates || looksLikeDate(part)
			g.lines++
			if g.pre.Len() >= sniffLen {
				st.decide(g)
			}
		}
	}
	if err := jr.Err(); err != nil {
		src.Problemf(timeline.Pos{}, "%v", err)
	}
	found := false
	for _, g := range order {
		if g.kind == nil {
			st.decide(g)
		}
		found = found || g.kind != nil
	}
	if noYear && !found {
		// Journal text with nothing of interest: one skipped file, as any
		// other irrelevant text.
		src.Kind, src.SkipReason, src.Records = "unknown", "text of no known artifact kind", entries
		st.emit(src, nil)
		return
	}
	for _, g := range order {
		if g.kind == nil {
			g.src.Kind = "unknown"
			g.src.SkipReason = "journal unit with no known artifact kind"
			st.emit(g.src, nil)
			continue
		}
		g.w.Flush()
		g.pw.Close()
		<-g.done
		if noYear && g.src.Basis == timeline.TimeFull {
			g.src.Basis = timeline.TimeNoYear
		}
		finish(g.src, g.sink)
		st.emit(g.src, g.sink)
	}
	src.SkipReason = fmt.Sprintf("journal of %d entries in %d unit(s), read as %s%s<unit>", entries, len(order), st.path, MemberSep)
	if noYear {
		src.SkipReason = fmt.Sprintf("journal text of %d lines from %d program(s), read as %s%s<program>", entries, len(order), st.path, MemberSep)
	}
	st.emit(src, nil)
}

func (st *stream) newGroup(key string, e *journal.Entry) *jgroup {
	host := st.host
	if host == DefaultHost && len(e.Host) > 0 {
		host = string(e.Host)
	}
	return &jgroup{key: key, src: &timeline.Source{Path: st.path + MemberSep + key, Host: host, Location: time.UTC}}
}

// decide sniffs a unit's window; on a match it starts the unit's parser
// and hands it the window. Without one the window's lines are counted as
// skipped and dropped (the unit is sniffed again from its next window).
func (st *stream) decide(g *jgroup) {
	// Each rendering is sniffed only by the kinds that read it: sniffing
	// is most of what a unit of no interest costs.
	var data []byte
	if !looksLikeText(g.pre.Bytes()) {
		// binary messages: nothing a text kind reads
	} else if k := sniffWhere(g.pre.Bytes(), func(k *parse.Format) bool { return k.JournalPrefix }); k != nil {
		g.kind, data = k, g.pre.Bytes()
	} else if k := sniffWhere(g.dat.Bytes(), func(k *parse.Format) bool { return !k.JournalPrefix }); k != nil {
		g.kind, g.dated, data = k, true, g.dat.Bytes()
		if k.Name == neigh.Format.Name && !g.ownDates {
			// Entries without listings' date lines are events, one per
			// journal entry (an `ip monitor neigh` unit): read as
			// `ip -ts monitor` lines, not as listings each missing the
			// rest of the table.
			g.monitor, data = true, monitorLines(g.pre.Bytes())
		}
	}
	if g.kind == nil {
		g.src.Skipped += g.lines
		g.src.Records += g.lines
		g.lines = 0
		g.pre.Reset()
		g.dat.Reset()
		g.lastDate = time.Time{}
		return
	}
	g.src.Kind = g.kind.Name
	g.sink = st.sp.NewSink("")
	pr, pw := io.Pipe()
	g.pw, g.w, g.done = pw, bufio.NewWriterSize(pw, 64<<10), make(chan struct{})
	opts := st.opts
	opts.Threads = 1
	opts.Location = time.UTC // every rendered time is UTC
	go func(k *parse.Format) {
		defer close(g.done)
		if err := k.Parse(bufio.NewReaderSize(pr, 64<<10), g.src, opts, g.sink); err != nil {
			g.src.Unreadable = true
			g.src.Problemf(timeline.Pos{}, "%v", err)
		}
		io.Copy(io.Discard, pr) // a parser that stopped early must not block the journal
	}(g.kind)
	g.w.Write(data)
	g.pre, g.dat = bytes.Buffer{}, bytes.Buffer{}
}

// isoStamps formats "2006-01-02T15:04:05.000000+00:00 " fast: the date and
// second once per second, the microseconds by hand.
type isoStamps struct {
	sec  int64
	head []byte
}

func (c *isoStamps) append(b []byte, t time.Time) []byte {
	t = t.UTC()
	if s := t.Unix(); s != c.sec || c.head == nil {
		c.sec = s
		c.head = t.AppendFormat(c.head[:0], "2006-01-02T15:04:05")
	}
	b = append(b, c.head...)
	us := t.Nanosecond() / 1000
	var d [7]byte
	d[0] = '.'
	for i := 6; i >= 1; i-- {
		d[i] = byte('0' + us%10)
		us /= 10
	}
	b = append(b, d[:]...)
	return append(b, "+00:00 "...)
}

// sniffWhere is the first text kind that want accepts and whose sniffer
// recognises head.
func sniffWhere(head []byte, want func(*parse.Format) bool) *parse.Format {
	for i := range kinds {
		if k := &kinds[i]; k.Text && want(k) && k.Sniff(head) {
			return k
		}
	}
	return nil
}

// monitorLines turns the window's prefixed lines ("<time>+00:00 host
// ident[pid]: msg") into `ip -ts monitor` lines ("[<time>] msg").
func monitorLines(pre []byte) []byte {
	var out []byte
	for len(pre) > 0 {
		line := pre
		if i := bytes.IndexByte(pre, '\n'); i >= 0 {
			line, pre = pre[:i], pre[i+1:]
		} else {
			pre = nil
		}
		if len(line) < 33 {
			continue
		}
		msg := line[33:]
		if i := bytes.Index(msg, []byte(": ")); i >= 0 {
			msg = msg[i+2:]
		}
		out = append(append(append(append(out, '['), line[:26]...), "] "...), msg...)
		out = append(out, '\n')
	}
	return out
}

// looksLikeDate reports a message that is a `date` line: "Tue Sep 18
// 17:12:45 UTC 2018" or an ISO date alone.
func looksLikeDate(b []byte) bool {
	if len(b) < 19 || len(b) > 40 {
		return false
	}
	if _, _, ok := lex.DateTime(b); ok {
		return true
	}
	switch string(b[:4]) {
	case "Mon ", "Tue ", "Wed ", "Thu ", "Fri ", "Sat ", "Sun ":
		return bytes.Count(b, []byte{':'}) == 2
	}
	return false
}
