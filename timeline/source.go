package timeline

import (
	"fmt"
	"time"
)

// Level says how much a problem matters. Errors are records that could not be
// read; notes record a choice the tool made for the user (an inferred year, an
// assumed time zone) that they may want to override.
type Level uint8

const (
	LevelError Level = iota
	LevelNote
)

func (l Level) String() string {
	if l == LevelNote {
		return "note"
	}
	return "error"
}

// MarshalText renders the level by name in JSON.
func (l Level) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// Problem is one input record that did not become an event and was not merely
// irrelevant, or a note about how the source was read. Nothing is dropped
// silently: every problem carries its position.
type Problem struct {
	Pos     Pos
	Message string
	Level   Level
}

func (p Problem) String() string {
	if pos := p.Pos.String(); pos != "" {
		return pos + ": " + p.Message
	}
	return p.Message
}

// TimeBasis records how complete the source's own timestamps were, so the
// pipeline can re-anchor sources that lacked a year or a date.
type TimeBasis uint8

const (
	TimeFull   TimeBasis = iota // every timestamp carries a full date (or is absolute, as in captures)
	TimeNoYear                  // month and day but no year (syslog, journal)
	TimeNoDate                  // time of day only (plain tcpdump text)
)

// DefaultHost labels artifacts that nothing (case file, directory) assigns
// to a host.
const DefaultHost = "default"

// Source is one artifact as read: where it came from, what kind it is, which
// host it belongs to and how every record in it was accounted for.
type Source struct {
	Path string // path as the user will recognise it
	Kind string // "pcap", "pcapng", "tcpdump-text", "neigh", "txnlog", … or "unknown"
	Host string
	// Vantage is the capture point the source was recorded at: its host
	// as named within the path argument it was found under, so two
	// arguments' "default" hosts stay apart. "" reads as Host.
	Vantage string
	// Segment is the binding domain: sources of one segment see one set of
	// IP→MAC bindings, moves and usage. A case file's segment: puts hosts
	// on one; "" reads as the vantage point.
	Segment     string
	Compression string // "", "gzip" or "zstd": how the bytes were stored
	SkipReason  string // why the file was not analysed (kind unknown, empty, …); "" when it was

	Records int64 // records read: frames, or lines of a text artifact
	Events  int64 // events produced
	Skipped int64 // records read but irrelevant to the analysis
	// Every record is accounted for: Records = Events − Derived + Folded
	// + Skipped + BadRecords.
	Folded     int64 // records merged into an event made from another record (a usage run's later frames, an unchanged listing, a transaction's command lines)
	Derived    int64 // events made from no record of their own (an entry's disappearance between listings, a handshake of frames counted in a usage run)
	BadRecords int64 // records that are problems (malformed lines or frames), listed or counted among Problems

	First, Last time.Time // span of the source's events (UTC, after Offset)

	Offset     time.Duration // clock offset added to every timestamp
	Basis      TimeBasis
	Location   *time.Location // zone zone-less timestamps were read in
	Problems   []Problem
	Unreadable bool // nothing at all could be read (bad header, not the claimed format)
}

// VantageKey is the source's capture point (its host unless the run set
// one).
func (s *Source) VantageKey() string {
	if s.Vantage != "" {
		return s.Vantage
	}
	return s.Host
}

// SegmentKey is the binding domain the source belongs to (its vantage
// point unless a case file put its host on a shared segment).
func (s *Source) SegmentKey() string {
	if s.Segment != "" {
		return s.Segment
	}
	return s.VantageKey()
}

// Problemf records a positioned error.
func (s *Source) Problemf(pos Pos, format string, args ...any) {
	s.Problems = append(s.Problems, Problem{Pos: pos, Message: fmt.Sprintf(format, args...)})
}

// Notef records a positioned note (a choice made while reading).
func (s *Source) Notef(pos Pos, format string, args ...any) {
	s.Problems = append(s.Problems, Problem{Pos: pos, Message: fmt.Sprintf(format, args...), Level: LevelNote})
}

// Errors counts the problems that are errors, not notes.
func (s *Source) Errors() int {
	n := 0
	for _, p := range s.Problems {
		if p.Level == LevelError {
			n++
		}
	}
	return n
}

// Analysed reports whether the source was parsed at all.
func (s *Source) Analysed() bool { return s.SkipReason == "" && !s.Unreadable }
