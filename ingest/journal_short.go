package ingest

import (
	"bufio"
	"bytes"
	"io"
	"time"

	"github.com/arpforensics/arpforensics/parse"
	"github.com/arpforensics/arpforensics/parse/journal"
	"github.com/arpforensics/arpforensics/parse/lex"
	"github.com/arpforensics/arpforensics/timeline"
)

// A journal saved as text (`journalctl -o short`, `short-precise`:
// syslog.txt, or a screen-*.txt whose unit prints something our parsers
// read only bare, such as neutron's screen-br-int-flows.txt, an
// `ovs-ofctl dump-flows` loop) that no kind recognises as a whole is split
// by program like an export: each program's messages go to the parser
// their content calls for. The short format has no year: it is --year's,
// else the file's modification time's, and the units are marked for the
// pipeline to anchor it to the host's other sources.

// sniffShortJournal accepts a head whose lines nearly all carry a short
// journal prefix.
func sniffShortJournal(head []byte) bool {
	head = head[:bytes.LastIndexByte(head, '\n')+1] // not a partial last line
	seen, good := 0, 0
	for line := range parse.HeadLines(head) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		if seen == 200 {
			break
		}
		seen++
		if _, _, ok := lex.CutJournalPrefix(line); ok {
			good++
		}
	}
	return seen >= 2 && good*10 >= seen*9
}

// shortJournal reads short-format lines as entries.
type shortJournal struct {
	lr    *parse.LineReader
	clock *parse.YearClock
	loc   *time.Location
	e     journal.Entry
	err   error
}

func (s *shortJournal) Next() *journal.Entry {
	for {
		line, ok := s.lr.Next()
		if !ok {
			s.err = s.lr.Err()
			return nil
		}
		p, msg, ok := lex.CutJournalPrefix(line)
		if !ok {
			// journalctl indents a message's continuation lines; they
			// are dropped (not joined to the entry before), as is
			// anything else without a prefix.
			continue
		}
		s.e = journal.Entry{
			Time: s.clock.Time(p.Month, p.Day, p.TOD, s.loc), Host: p.Host, Ident: p.Ident, PID: p.PID,
			Message: msg, Pos: s.lr.Pos(),
		}
		return &s.e
	}
}

func (s *shortJournal) Err() error { return s.err }

func walkShortJournal(st *stream, in *input, src *timeline.Source) {
	year := st.opts.Year
	if year == 0 {
		year = st.opts.ModTime.Year()
		if st.opts.ModTime.IsZero() {
			year = time.Now().Year()
		}
	}
	r := io.Reader(in.forParsing(st.opts.Threads))
	sj := &shortJournal{lr: parse.NewLineReader(bufio.NewReaderSize(r, 256<<10)), clock: parse.NewYearClock(year), loc: st.opts.Loc()}
	src.Kind = "journal-text"
	walkEntries(st, sj, src, st.opts.Year == 0)
}
