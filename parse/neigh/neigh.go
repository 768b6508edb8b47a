// Package neigh reads Linux neighbour-table artifacts into timeline events:
// `ip neigh` / `ip -s neigh` listings, usually repeated under `date` lines by
// a polling loop; `ip monitor neigh` output with `-ts` or `-t` timestamps and
// `[NEIGH]` labels; `ip -j neigh` JSON; `ip -s -s neigh flush` echoes; and the
// net-tools `arp -an` / `arp -n` and /proc/net/arp tables. Every spacing
// variant iproute2 has printed is accepted (see testdata/corpus/neigh).
//
// Listings are folded: per (IP, device) only changes of state, lladdr or
// flags become events, each spanning the listings that showed it, so memory
// grows with state changes, not with the size of the dump.
package neigh

import (
	"io"
	"slices"
	"time"

	"github.com/arpforensics/arpforensics/parse"
	"github.com/arpforensics/arpforensics/timeline"
)

// Format is every neighbour-table artifact: one kind for all of them.
var Format = parse.Format{
	Name:     "neigh",
	Describe: "ip neigh loops, ip monitor neigh, ip -j neigh, arp -an",
	Sniff:    Sniff, Parse: Parse, Text: true, Snapshot: true,
}

// Parse reads one neighbour artifact. It is a parse.Func.
func Parse(r io.Reader, src *timeline.Source, opts parse.Options, out *timeline.Sink) error {
	p := newParser(src, opts, out)
	lr := parse.NewLineReader(r)
	for {
		line, ok := lr.Next()
		if !ok {
			break
		}
		p.line(line, lr.Pos(), lr.Cut())
	}
	if err := lr.Err(); err != nil {
		p.src.Problemf(lr.Pos(), "reading stopped: %v", err)
	}
	return p.finish()
}

// noFastPath turns off the folding of repeated lines without parsing them;
// tests use it to check that the fast path changes nothing.
var noFastPath = false

// maxUnknownWords bounds the distinct unknown words reported.
const maxUnknownWords = 32

type parser struct {
	src    *timeline.Source
	opts   parse.Options
	lp     *lineParser
	rec    record
	f      *folder
	keybuf []byte
	json   *jsonBlock

	// time context
	pendingTS    time.Time // from a "Timestamp:" line, for the next entry
	hasPendingTS bool
	timed        bool // some line carried a time
	untimedFrom  timeline.Pos
	untimedTo    timeline.Pos
	untimed      bool // events were made before any time was known

	lastDate     time.Time
	lastTime     time.Time // the latest time any line carried
	zonesNoted   map[string]bool
	zonelessNote bool

	recognised int64 // lines that were entries, dates or timestamps

	problems                *parse.Problems
	unknown                 map[string]*wordCount
	unknownOrder            []string
	unknownDropped          int
	emptyBlocks             int
	firstEmpty              timeline.Pos
	flushMismatchReported   bool
	cutLines                int
	firstCut                timeline.Pos
	monitorLines, snapLines int64
}

type wordCount struct {
	n     int64
	first timeline.Pos
}

func newParser(src *timeline.Source, opts parse.Options, out *timeline.Sink) *parser {
	src.Basis = timeline.TimeFull
	p := &parser{
		src: src, opts: opts, lp: newLineParser(opts.Loc()), problems: parse.NewProblems(src, 0),
		zonesNoted: map[string]bool{}, unknown: map[string]*wordCount{},
	}
	p.problems.Limit("time goes back", 3)
	p.f = newFolder(p, out)
	return p
}

func (p *parser) line(b []byte, pos timeline.Pos, cut bool) {
	p.src.Records++
	if cut {
		if p.cutLines == 0 {
			p.firstCut = pos
		}
		p.cutLines++
	}
	if p.json != nil {
		p.jsonLine(b, pos)
		return
	}
	if !p.hasPendingTS && !noFastPath {
		key, ages := maskAges(b, p.keybuf)
		if ages != nil {
			p.keybuf = key[:0] // key is our buffer, not the line
		}
		if t, ok := p.f.byLine[string(key)]; ok && p.f.listedAgain(t, ages, pos) {
			p.recognised++
			p.snapLines++
			if !p.timed {
				p.markUntimed(pos)
			}
			return
		}
	}
	rec := &p.rec
	if err := p.lp.parseLine(b, rec); err != nil {
		if err == errNotEntry {
			p.problems.Errorf(pos, "unreadable line", "%v: %q", err, clip(trimSpace(b)))
		} else {
			p.problems.Errorf(pos, "unreadable line", "%v", err)
		}
		return
	}
	switch rec.kind {
	case recBlank, recComment, recHeader, recFlushDone, recOther:
		p.src.Skipped++
	case recDate:
		p.recognised++
		p.src.Skipped++
		p.dateLine(rec, pos)
	case recTimestamp:
		p.recognised++
		p.src.Skipped++
		p.noteZoneless(pos, "ip -t monitor timestamps")
		p.setTime(rec.ts, pos)
		p.pendingTS, p.hasPendingTS = rec.ts, true
	case recFlushRound:
		p.src.Skipped++
		if missing := p.f.flushRound(rec.count, pos); missing > 0 && !p.flushMismatchReported {
			p.flushMismatchReported = true
			p.problems.Errorf(pos, "flush round", "flush round says %d entries were deleted, but only %d were echoed before it", rec.count, rec.count-missing)
		}
	case recJSON:
		p.recognised++
		p.json = newJSONBlock(pos)
		p.jsonLine(b, pos)
	case recEntry:
		p.recognised++
		p.entry(&rec.ent, rec, pos, b)
	}
}

// entry hands a parsed entry line to the folder with its time.
func (p *parser) entry(e *entry, rec *record, pos timeline.Pos, raw []byte) {
	if e.unknown != nil {
		p.unknownWord(e.unknown, pos)
	}
	monitor := rec.monitor
	var t time.Time
	switch {
	case rec.hasTS:
		p.noteZoneless(pos, "ip -ts monitor timestamps")
		p.setTime(rec.ts, pos)
		t, monitor = rec.ts, true
	case p.hasPendingTS:
		t, monitor = p.pendingTS, true
	}
	p.hasPendingTS = false
	if monitor {
		e.form = timeline.NeighMonitor
		p.monitorLines++
		if t.IsZero() {
			t = p.lastTime // an untimed notification: the latest time known
		}
		if t.IsZero() {
			p.markUntimed(pos)
		}
		p.f.monitor(e, t, pos, raw)
		return
	}
	p.snapLines++
	if !p.timed {
		p.markUntimed(pos)
	}
	p.f.listed(e, pos, raw)
}

func (p *parser) markUntimed(pos timeline.Pos) {
	if p.timed {
		return
	}
	if !p.untimed {
		p.untimedFrom = pos
	}
	p.untimed = true
	p.untimedTo = pos
}

// setTime records that the source now has a time, and times the events
// made before it.
func (p *parser) setTime(t time.Time, pos timeline.Pos) {
	p.lastTime = t
	if p.timed {
		return
	}
	p.timed = true
	if p.untimed {
		p.f.timeUntimed(t)
		p.src.Notef(p.untimedFrom, "entries on %s come before the first date line or timestamp: timed at %s's time (%s)",
			lineRange(p.untimedFrom, p.untimedTo), pos, t.UTC().Format(time.RFC3339))
	}
}

func (p *parser) dateLine(rec *record, pos timeline.Pos) {
	z := rec.zone
	switch {
	case z.text == "":
		p.noteZoneless(pos, "date lines")
	case !z.exact && !p.zonesNoted[z.text]:
		p.zonesNoted[z.text] = true
		p.noteAbbreviation(z.text, rec.ts, pos)
	}
	if !p.lastDate.IsZero() && rec.ts.Before(p.lastDate.Add(-time.Second)) {
		p.problems.Notef(pos, "time goes back", "time goes back from %s to %s (clock step, or concatenated dumps)",
			p.lastDate.UTC().Format(time.RFC3339), rec.ts.UTC().Format(time.RFC3339))
	}
	p.lastDate = rec.ts
	p.setTime(rec.ts, pos)
	p.hasPendingTS = false
	if empty := p.f.newBlock(rec.ts); empty {
		if p.emptyBlocks == 0 {
			p.firstEmpty = pos
		}
		p.emptyBlocks++
	}
}

// noteAbbreviation explains how a zone abbreviation was read.
func (p *parser) noteAbbreviation(abbr string, t time.Time, pos timeline.Pos) {
	loc := p.opts.Loc()
	name, _ := t.In(loc).Zone()
	ambiguous := ""
	switch abbr {
	case "CST":
		ambiguous = " (CST is US Central, China Standard or Cuba Standard Time)"
	case "IST":
		ambiguous = " (IST is India, Irish or Israel Standard Time)"
	case "BST":
		ambiguous = " (BST is British Summer or Bangladesh Standard Time)"
	}
	if name == abbr && p.opts.Location != nil {
		p.src.Notef(pos, "date lines name the zone %q, an abbreviation%s: read in %s (--tz), which uses it at that date", abbr, ambiguous, loc)
		return
	}
	p.src.Notef(pos, "date lines name the zone %q, an abbreviation, which is ambiguous%s: read in %s instead; set --tz to the zone the host used", abbr, ambiguous, loc)
}

// noteZoneless notes once that zone-less times were read in UTC because no
// --tz was given.
func (p *parser) noteZoneless(pos timeline.Pos, what string) {
	if p.zonelessNote || p.opts.Location != nil {
		return
	}
	p.zonelessNote = true
	p.src.Notef(pos, "%s carry no zone: read as UTC; set --tz to the host's zone if it was not UTC", what)
}

func (p *parser) unknownWord(w []byte, pos timeline.Pos) {
	if c, ok := p.unknown[string(w)]; ok {
		c.n++
		return
	}
	if len(p.unknown) >= maxUnknownWords {
		p.unknownDropped++
		return
	}
	s := string(w)
	p.unknown[s] = &wordCount{n: 1, first: pos}
	p.unknownOrder = append(p.unknownOrder, s)
}

func (p *parser) finish() error {
	if p.json != nil {
		p.json.unterminated(p)
		p.json = nil
	}
	if p.untimed && !p.timed {
		t := p.opts.ModTime.UTC()
		p.f.timeUntimed(t)
		if t.IsZero() {
			p.src.Notef(p.untimedFrom, "no date lines or timestamps, and no file time: entries carry no time")
		} else {
			p.src.Notef(p.untimedFrom, "no date lines or timestamps: every entry is timed at the file's modification time (%s)", t.Format(time.RFC3339))
		}
	}
	for _, w := range p.unknownOrder {
		c := p.unknown[w]
		p.problems.Errorf(c.first, "unknown word", "unknown word %q in %d entry line(s); the entries were read without it", clip([]byte(w)), c.n)
	}
	if p.unknownDropped > 0 {
		p.problems.Errorf(timeline.Pos{}, "unknown word", "%d entry line(s) held further unknown words (more than %d distinct ones)", p.unknownDropped, maxUnknownWords)
	}
	if p.cutLines > 0 {
		p.src.Problemf(p.firstCut, "%d line(s) longer than %d bytes were cut", p.cutLines, parse.MaxLine)
	}
	if p.emptyBlocks > 0 {
		p.src.Notef(p.firstEmpty, "%d date line(s) were followed by no entry (first here): read as gaps in polling, not as an emptied table", p.emptyBlocks)
	}
	p.problems.Close()
	// Problems found at the end (unknown words, summaries) go in line order.
	slices.SortStableFunc(p.src.Problems, func(a, b timeline.Problem) int {
		if a.Pos.Less(b.Pos) {
			return -1
		}
		if b.Pos.Less(a.Pos) {
			return 1
		}
		return 0
	})
	p.f.finish()
	// Every line was skipped, a problem, or an entry: the entries that
	// made no event of their own were folded into one (listed again).
	p.src.Derived = p.f.derived
	p.src.BadRecords = p.problems.Errors()
	p.src.Folded = p.src.Records - p.src.Skipped - p.src.BadRecords - (p.f.out.Len() - p.src.Derived)
	if p.recognised == 0 && p.src.Records > p.src.Skipped {
		return errNoNeighbourData(p.src.Records)
	}
	return nil
}

type errNoNeighbourData int64

func (e errNoNeighbourData) Error() string {
	return "no neighbour entry, date line or timestamp in " + itoa(int64(e)) + " line(s)"
}

func lineRange(a, b timeline.Pos) string {
	if a.Line == b.Line {
		return "line " + itoa(a.Line)
	}
	return "lines " + itoa(a.Line) + "–" + itoa(b.Line)
}
