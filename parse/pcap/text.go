package pcap

import (
	"fmt"
	"io"
	"net/netip"
	"time"

	"github.com/arpforensics/arpforensics/parse"
	"github.com/arpforensics/arpforensics/parse/lex"
	"github.com/arpforensics/arpforensics/timeline"
)

// Text is tcpdump's text output.
var Text = parse.Format{
	Name:     "tcpdump-text",
	Describe: "tcpdump -n / -e -n text output, alone or in a journal",
	Sniff:    SniffText, Parse: ParseText, Text: true, JournalPrefix: true,
}

// ParseText reads tcpdump's text output (tcpdump -n or -nn, with or without
// -e, any of the default, -tt and -tttt timestamps), alone or behind a
// systemd-journal prefix (journalctl -o short, short-precise, short-iso,
// short-iso-precise, or RFC 3339 syslog), into the
// same events the capture reader produces: it feeds one Folder per source.
//
// What the text cannot show, the events say so (timeline.ARP.FromText):
// tcpdump prints no sender MAC for ARP requests (the frame's Ethernet source
// stands for it) and neither target IP nor target MAC for replies (a reply
// to a broadcast or multicast destination is taken as gratuitous, with
// tpa = spa and tha = sha; an ordinary reply takes them from the request it
// answers when the text holds it). Without -e there is no sender MAC at all:
// ARP frames and TCP handshakes still become events, but other IPv4 frames
// cannot be folded into usage runs and are counted as irrelevant.
//
// Time: each event takes tcpdump's own timestamp (the capture time), never
// the journal's. A time of day takes its date from the journal prefix
// (an ISO prefix carries year and offset; a short one has no year, which
// comes from opts.Year or the file's modification time: the source is then
// TimeNoYear) or, with no prefix, from the file's
// modification date (TimeNoDate); the pipeline re-anchors both to sources
// with full dates. -tttt dates are local time in opts.Loc().
func ParseText(r io.Reader, src *timeline.Source, opts parse.Options, out *timeline.Sink) error {
	tr := newTextReader(src, opts, out)
	lr := parse.NewLineReader(r)
	var last timeline.Pos
	for {
		line, ok := lr.Next()
		if !ok {
			break
		}
		src.Records++
		last = lr.Pos()
		tr.line(line, last, lr.Cut())
	}
	if err := lr.Err(); err != nil {
		if src.Records == 0 {
			return fmt.Errorf("reading: %w", err)
		}
		src.Problemf(last, "reading stopped after this line: %v", err)
	}
	tr.finish(out)
	return nil
}

// askWindow is how long after a request a unicast reply is taken to answer it.
const askWindow = 5 * time.Second

type textReader struct {
	src  *timeline.Source
	opts parse.Options
	loc  *time.Location
	fold *Folder
	fr   textFrame

	years *parse.YearClock // journal prefixes without a year
	days  *parse.DayClock  // bare times of day
	basis timeline.TimeBasis

	// asked remembers the last request for each target IP, so a unicast
	// reply (whose target tcpdump does not print) can name whom it answers.
	asked  map[[4]byte]askedBy
	ifaces map[string]string // interned interface names

	// pend is a tcpdump -v IP header line waiting for its address line.
	pend    pendingHeader
	pendBuf []byte

	// stamped: a line with a tcpdump timestamp was seen.
	stamped bool
	// dated: some line carried a date (journal prefix, -tttt, -tt), so
	// the dates are not all taken from the file's modification time.
	dated bool

	problems  *parse.Problems // lines that look like tcpdump output but could not be read
	portNoted bool
}

type askedBy struct {
	spa netip.Addr
	sha timeline.MAC
	at  time.Time
}

type pendingHeader struct {
	ok   bool
	t    time.Time
	pos  timeline.Pos
	link timeline.Link
	macs bool
	pkt  pktType
}

func newTextReader(src *timeline.Source, opts parse.Options, out *timeline.Sink) *textReader {
	f := NewFolder(out)
	f.FromText = true
	return &textReader{
		src: src, opts: opts, loc: opts.Loc(), fold: f, problems: parse.NewProblems(src, 0),
		asked: map[[4]byte]askedBy{}, ifaces: map[string]string{},
	}
}

// line reads one line of the artifact.
func (r *textReader) line(line []byte, pos timeline.Pos, cut bool) {
	msg := line
	var jp lex.JournalPrefix
	var iso time.Time
	journal := false
	if p, m, ok := lex.CutJournalPrefix(line); ok {
		if string(p.Ident) != "tcpdump" {
			// Another unit's line in a journal export.
			r.src.Skipped++
			return
		}
		jp, msg, journal = p, m, true
	} else if p, m, ok := lex.CutISOJournalPrefix(line); ok && len(line) >= 26 { // 26: the shortest prefix with the space after its colon
		if string(p.Ident) != "tcpdump" {
			r.src.Skipped++
			return
		}
		iso, msg = p.Stamp.InOffset(), m
	}
	if r.pend.ok {
		if len(msg) > 0 && (msg[0] == ' ' || msg[0] == '\t') {
			r.continuation(msg, pos)
			return
		}
		r.orphanHeader()
	}
	st, body, ok := cutStamp(msg)
	if !ok && isDeltaStamp(msg) {
		r.stamped = true
		r.bad(pos, msg, errDeltaStamp)
		return
	}
	if !ok {
		// Banners ("listening on …"), -v/-X continuation lines and other
		// text are irrelevant. So is a frame on a line of its own once
		// stamped lines were seen: it is the inner frame of a tunnel
		// (VXLAN, GENEVE), which tcpdump prints on the next line, and
		// belongs to another segment. A file of such lines from the start
		// is tcpdump -t output, which cannot be placed in time.
		if !r.stamped && len(msg) > 0 && msg[0] != ' ' && msg[0] != '\t' && parseFrame(msg, &r.fr) == "" && r.fr.proto != protoOther {
			r.bad(pos, msg, errNoStamp)
			return
		}
		r.src.Skipped++
		return
	}
	r.stamped = true
	if reason := parseFrame(body, &r.fr); reason != "" {
		r.bad(pos, msg, reason)
		return
	}
	if cut {
		r.bad(pos, msg, "line longer than 1 MiB: cut")
		return
	}
	f := &r.fr
	if f.proto == protoOther {
		r.src.Skipped++
		return
	}
	if f.ifname != nil {
		f.link.Iface = r.intern(f.ifname)
	}
	var jpp *lex.JournalPrefix
	if journal {
		jpp = &jp
	}
	t := r.when(jpp, iso, st)
	if f.vHeader {
		r.pend = pendingHeader{ok: true, t: t, pos: pos, link: f.link, macs: f.macs, pkt: f.pkt}
		r.pendBuf = append(r.pendBuf[:0], line...)
		return
	}
	if !r.use(t, pos, line, nil, f) {
		r.src.Skipped++
	}
}

// intern returns the interface name as a string, allocating it once per
// source rather than once per line.
func (r *textReader) intern(b []byte) string {
	if s, ok := r.ifaces[string(b)]; ok {
		return s
	}
	s := string(b)
	r.ifaces[s] = s
	return s
}

// continuation completes a tcpdump -v IP header with its address line.
func (r *textReader) continuation(msg []byte, pos timeline.Pos) {
	p := r.pend
	r.pend.ok = false
	i := 0
	for i < len(msg) && (msg[i] == ' ' || msg[i] == '\t') {
		i++
	}
	f := &r.fr
	*f = textFrame{link: p.link, macs: p.macs, pkt: p.pkt, known: true}
	c := cursor{b: msg[i:]}
	if reason := parseIPv4Addrs(&c, f); reason != "" {
		r.bad(pos, msg, reason)
		return
	}
	// The frame is the header's; the address line is part of it.
	if f.proto != protoIPv4 || !r.use(p.t, p.pos, r.pendBuf, msg[i:], f) {
		r.src.Skipped += 2
	} else {
		r.src.Folded++
	}
}

// orphanHeader reports a -v IP header whose address line never came.
func (r *textReader) orphanHeader() {
	r.pend.ok = false
	r.bad(r.pend.pos, r.pendBuf, "tcpdump -v IP header without the line carrying its addresses")
}

// use feeds one frame to the folder and reports whether it was used. line
// (and, for -v, the address line more) becomes the Raw of an event it makes.
func (r *textReader) use(t time.Time, pos timeline.Pos, line, more []byte, f *textFrame) bool {
	switch f.proto {
	case protoARP:
		r.useARP(t, pos, line, f)
		return true
	case protoIPv4:
		if f.portNamed && !r.portNoted {
			r.portNoted = true
			r.src.Notef(pos, "ports are printed as service names (tcpdump -n without -nn); names this reader does not know read as port 0")
		}
		var tcp *TCPInfo
		if f.isTCP {
			tcp = &f.tcp
		}
		syn := tcp != nil && tcp.SYN
		r.fold.Line, r.fold.Keep = nil, false
		if syn {
			r.fold.Line, r.fold.Keep = rawText(line, more)
		}
		if !f.macs {
			// No sender MAC (no -e): a handshake is still an event, but
			// there is no run to fold the frame into.
			return syn && r.fold.Handshake(t, pos, f.link, f.src, f.dst, tcp)
		}
		return r.fold.IPv4(t, pos, f.link, f.src, f.dst, tcp, nil)
	}
	return false
}

// rawText is the text an event cites, and whether it is not the line as it
// stands in the source (so the sink must keep a copy).
func rawText(line, more []byte) ([]byte, bool) {
	if more == nil {
		return line, false
	}
	// tcpdump -v printed the frame on two lines; the event cites both, as
	// one line, so evidence stays one line per frame.
	b := make([]byte, 0, len(line)+1+len(more))
	b = append(append(append(b, line...), ' '), more...)
	return b, true
}

// useARP fills in what tcpdump does not print (see ParseText) and feeds the
// frame to the folder.
func (r *textReader) useARP(t time.Time, pos timeline.Pos, line []byte, f *textFrame) {
	link := f.link
	sha, tha, spa, tpa := f.sha, f.tha, f.spa, f.tpa
	switch f.op {
	case 1:
		// No sender MAC in a request line: the frame's source stands for
		// it, so a request still binds spa for the folder. A sender MAC
		// that differs from the Ethernet source (proxies, spoofing) shows
		// only in the capture itself.
		if f.macs {
			sha = link.Src
		}
		if spa.Is4() && !spa.IsUnspecified() && spa != tpa && tpa.Is4() {
			r.asked[tpa.As4()] = askedBy{spa: spa, sha: sha, at: t}
		}
	case 2:
		group := link.DstKnown && link.Dst.IsMulticast() || f.pkt == pktBroadcast || f.pkt == pktMulticast
		if group {
			// A reply to everyone announces spa: a reply-type GARP. tcpdump
			// prints neither its tpa nor its tha. tpa = spa is what makes
			// a broadcast reply gratuitous; tha is taken equal to sha, the
			// form iputils "arping -A" sends and the only reply flavour
			// Linux >= 4.12 treats as gratuitous. Whether this sender used
			// a broadcast or zero tha instead (which Linux does not treat
			// as a GARP) cannot be read from the text: the event carries
			// FromText so its summary says the tha was assumed.
			tpa, tha = spa, sha
			break
		}
		if q, ok := r.asked[spa.As4()]; ok && !t.Before(q.at) && t.Sub(q.at) <= askWindow &&
			(!link.DstKnown || q.sha.IsZero() || q.sha == link.Dst) {
			tpa, tha = q.spa, q.sha
		}
		if link.DstKnown {
			tha = link.Dst
		}
	}
	r.fold.Line, r.fold.Keep = line, false
	r.fold.ARP(t, pos, link, f.op, sha, tha, spa, tpa, nil)
}

// when places a timestamp in time (UTC), recording how complete it was.
// jp is the line's short journal prefix, iso the time of its ISO prefix;
// nil and zero without one.
func (r *textReader) when(jp *lex.JournalPrefix, iso time.Time, st textStamp) time.Time {
	if st.form != stampClock || jp != nil || !iso.IsZero() {
		r.dated = true
	}
	switch st.form {
	case stampEpoch:
		return time.Unix(st.sec, st.nsec).UTC()
	case stampDate:
		return lex.WallClock(st.year, st.month, st.day, st.tod, r.loc).UTC()
	}
	switch {
	case !iso.IsZero():
		// The prefix carries date, year and offset: tcpdump's time of day
		// is read on the same host's clock, in that offset.
		return logDate(iso, st.tod, iso.Location()).UTC()
	case jp != nil:
		r.raise(timeline.TimeNoYear)
		if r.years == nil {
			r.years = parse.NewYearClock(r.startYear(jp))
		}
		return logDate(r.years.Time(jp.Month, jp.Day, jp.TOD, r.loc), st.tod, r.loc).UTC()
	}
	r.raise(timeline.TimeNoDate)
	if r.days == nil {
		r.days = parse.NewDayClock(r.opts.ModTime.In(r.loc))
	}
	return r.days.Time(st.tod).UTC()
}

// startYear is the year of the first journal line: --year, else the file's
// modification year, one less when that line's month and day come after
// the modification date (a journal from December read in January).
func (r *textReader) startYear(jp *lex.JournalPrefix) int {
	if r.opts.Year != 0 {
		return r.opts.Year
	}
	mt := r.opts.ModTime.In(r.loc)
	y := mt.Year()
	if !r.opts.ModTime.IsZero() && (jp.Month > mt.Month() || jp.Month == mt.Month() && jp.Day > mt.Day()) {
		y--
	}
	return y
}

func (r *textReader) raise(b timeline.TimeBasis) {
	if b > r.basis {
		r.basis = b
	}
}

// logDate is the capture time tod on the date of logged, the time the
// journal stamped the line. tcpdump writes a line a little after it captured
// the frame (much later when its output is buffered), so around midnight the
// two fall on different dates: the capture time is the one within twelve
// hours of the log time.
func logDate(logged time.Time, tod time.Duration, loc *time.Location) time.Time {
	y, m, d := logged.In(loc).Date()
	t := lex.WallClock(y, m, d, tod, loc)
	switch {
	case t.Sub(logged) > 12*time.Hour:
		t = lex.WallClock(y, m, d-1, tod, loc)
	case logged.Sub(t) > 12*time.Hour:
		t = lex.WallClock(y, m, d+1, tod, loc)
	}
	return t
}

// bad records a line that looks like tcpdump output but could not be read.
func (r *textReader) bad(pos timeline.Pos, msg []byte, reason string) {
	r.problems.Errorf(pos, "tcpdump line not read", "%s: %q", reason, excerpt(msg))
}

// excerpt is a line as quoted in a problem: its String, cut to 160 bytes,
// is only made for the problems listed.
type excerpt []byte

func (b excerpt) String() string {
	const max = 160
	if len(b) <= max {
		return string(b)
	}
	return string(b[:max]) + "…"
}

// finish closes the source: the last pending header, the summary of unlisted
// problems, the open runs, and the time basis.
func (r *textReader) finish(out *timeline.Sink) {
	if r.pend.ok {
		r.orphanHeader()
	}
	r.problems.Close()
	r.src.BadRecords = r.problems.Errors()
	r.fold.Close(r.src)
	r.src.Folded += r.fold.Folded
	r.src.Derived = r.fold.Derived
	if r.basis == timeline.TimeNoDate && !r.dated && !r.opts.ModTime.IsZero() && out.Len() > 0 {
		r.pastMidnight(out)
	}
	r.src.Basis = r.basis
}

// pastMidnight corrects bare times of day that were dated from the file's
// modification time when the capture ran past midnight: a capture cannot
// end after its file was last written, so if it seems to, every date moves
// one day back.
func (r *textReader) pastMidnight(out *timeline.Sink) {
	if _, last := out.Span(); !last.After(r.opts.ModTime.Add(time.Minute)) {
		return
	}
	out.Shift(func(t time.Time) time.Time { return t.In(r.loc).AddDate(0, 0, -1).UTC() })
}
