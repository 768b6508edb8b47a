package parse

import (
	"fmt"
	"slices"

	"github.com/arpforensics/arpforensics/timeline"
)

// DefaultProblemCap is how many problems of one kind a parser lists in full
// unless it keeps a cap of its own.
const DefaultProblemCap = 100

// Problems is the one way a parser reports what it could not read, as
// go/parser funnels every error through one method: each problem names its
// position and its kind (a short class such as "malformed ARP"). The first
// problems of each kind, up to its cap, go to the source as they come, in
// full; the rest are only counted, and Close sums each kind's up in one
// closing problem that names how many there were and the positions they
// span. A damaged or hostile file thus lists a bounded number of problems
// however long it is, and still says where all of them are.
//
// Problems only reports: whether a problem is also a bad record (see
// timeline.Source.BadRecords) is the parser's call; Errors gives the count
// for parsers whose every error is one.
type Problems struct {
	src    *timeline.Source
	cap    int
	kinds  []problemKind // in the order first reported
	errors int64
	closed bool
}

type problemKind struct {
	name        string
	level       timeline.Level
	cap         int
	n           int64        // reported, listed or not
	first, last timeline.Pos // of the unlisted ones
}

// NewProblems reports src's problems, listing at most limit of each kind
// (DefaultProblemCap when limit < 1) unless Limit sets a kind's own.
func NewProblems(src *timeline.Source, limit int) *Problems {
	if limit < 1 {
		limit = DefaultProblemCap
	}
	return &Problems{src: src, cap: limit}
}

// Errorf reports an error of kind at pos: a record that could not be read.
func (p *Problems) Errorf(pos timeline.Pos, kind, format string, args ...any) {
	p.errors++
	if p.count(pos, kind, timeline.LevelError) {
		p.src.Problemf(pos, format, args...)
	}
}

// Notef reports a note of kind at pos: a choice made while reading that
// the user may want to know of, capped like errors.
func (p *Problems) Notef(pos timeline.Pos, kind, format string, args ...any) {
	if p.count(pos, kind, timeline.LevelNote) {
		p.src.Notef(pos, format, args...)
	}
}

// Limit sets how many problems of kind are listed (at least one), for a
// kind that says all it needs to in fewer than the others.
func (p *Problems) Limit(kind string, n int) {
	p.kind(kind).cap = max(n, 1)
}

// Errors is the number of errors reported, listed or only counted.
func (p *Problems) Errors() int64 { return p.errors }

// kind finds or adds kind.
func (p *Problems) kind(name string) *problemKind {
	// Kinds are few (a handful per parser): a scan beats a map.
	i := slices.IndexFunc(p.kinds, func(k problemKind) bool { return k.name == name })
	if i < 0 {
		p.kinds = append(p.kinds, problemKind{name: name, cap: p.cap})
		i = len(p.kinds) - 1
	}
	return &p.kinds[i]
}

// count counts one problem of kind and says whether it is to be listed.
func (p *Problems) count(pos timeline.Pos, kind string, level timeline.Level) bool {
	k := p.kind(kind)
	if k.n == 0 {
		k.level = level
	}
	k.n++
	if k.n <= int64(k.cap) {
		return true
	}
	if k.n == int64(k.cap)+1 {
		k.first = pos
	}
	k.last = pos
	return false
}

// Close adds one summary for each kind that went past the cap, in the
// order of their first unlisted problem, each at that problem's position.
// A second call adds nothing.
func (p *Problems) Close() {
	if p.closed {
		return
	}
	p.closed = true
	var over []problemKind
	for _, k := range p.kinds {
		if k.n > int64(k.cap) {
			over = append(over, k)
		}
	}
	slices.SortStableFunc(over, func(a, b problemKind) int {
		switch {
		case a.first.Less(b.first):
			return -1
		case b.first.Less(a.first):
			return 1
		}
		return 0
	})
	for _, k := range over {
		p.src.Problems = append(p.src.Problems, timeline.Problem{Pos: k.first, Message: k.summary(), Level: k.level})
	}
}

// summary is "4512 more lines like the above (kind), not listed after the
// first 100: line 120 to line 99812".
func (k *problemKind) summary() string {
	n := k.n - int64(k.cap)
	unit := "record"
	switch {
	case k.first.Frame > 0:
		unit = "frame"
	case k.first.Line > 0:
		unit = "line"
	}
	if n != 1 {
		unit += "s"
	}
	at := k.first.String()
	if k.last != k.first && at != "" {
		at += " to " + k.last.String()
	}
	if at != "" {
		at = ": " + at
	}
	return fmt.Sprintf("%d more %s like the above (%s), not listed after the first %d%s", n, unit, k.name, k.cap, at)
}
