package html

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	bits2 "math/bits"
	"slices"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/arpforensics/arpforensics/analysis"
	"github.com/arpforensics/arpforensics/internal/safetext"
	"github.com/arpforensics/arpforensics/timeline"
)

// EventTable is the event list the page script pages, searches and filters.
// It is columnar (one array per field) with times as deltas, which keeps
// 100 k events small; past gzipThreshold bytes the columns travel gzipped
// and base64-encoded inside the same JSON block, and the script inflates
// them with the browser's DecompressionStream.
type EventTable struct {
	Total    int      `json:"total"`    // events in the timeline
	Embedded int      `json:"embedded"` // rows in this table
	Cap      int      `json:"cap"`      // most rows a table holds
	Clipped  int      `json:"clipped"`  // rows whose text was shortened to TextCap
	BaseUS   int64    `json:"base_us"`  // time the first delta counts from, µs since the epoch
	Kinds    []string `json:"kinds"`    // kind names, indexed by Cols.K
	// Cols holds the rows in the clear; GZ holds the same JSON gzipped and
	// base64-encoded when it is large. Exactly one is set.
	Cols *EventCols `json:"cols,omitempty"`
	GZ   string     `json:"gz,omitempty"`
	// Evidence maps a finding ID to the rows of the events it cites.
	Evidence map[string][]int `json:"evidence"`

	// PerSource counts every event of each source, embedded or not, by
	// kind: the summary that stands in for rows beyond the cap.
	PerSource []SourceCount `json:"-"`
	// BySize is set when the text budget, not the row cap, ended the table.
	BySize bool `json:"by_size,omitempty"`
}

// EventCols are the table's columns, one entry per row.
type EventCols struct {
	T []int64 `json:"t"` // µs since the previous row (the first: since BaseUS)
	D []int64 `json:"d"` // span in µs (usage runs); 0 for instants
	S []int32 `json:"s"` // source index
	K []int   `json:"k"` // index into Kinds
	// P is the position, packed as n*4 + 0 frame, 1 line, 2 byte offset,
	// and stored as the difference from the previous row of the same
	// source: consecutive frames and lines then cost a digit or two.
	P []int64  `json:"p"`
	X []string `json:"x"` // the artifact's line, or the decoded summary for frames
}

// SourceCount is one source's events by kind.
type SourceCount struct {
	Total    int
	Embedded int
	ByKind   map[string]int
}

const gzipThreshold = 256 << 10

// maxEvidenceRows bounds one finding's list of cited rows in the table.
const maxEvidenceRows = 5000

// posCode packs a position into one number for the table.
func posCode(p timeline.Pos) int64 {
	switch {
	case p.Frame > 0:
		return p.Frame * 4
	case p.Line > 0:
		return p.Line*4 + 1
	default:
		return p.Offset*4 + 2
	}
}

// eventText is what the table shows for an event: the artifact's own line
// when there is one (as evidence cites it), else the decoded summary; inert
// for display (no controls, no bidi overrides) and at most limit runes.
func eventText(e *timeline.Event, limit int) (string, bool) {
	s := e.Raw
	if s == "" {
		s = e.Data.Summary()
	}
	clipped := false
	if len(s) > limit { // bytes bound runes from above: only then count runes
		n := 0
		for i := range s {
			if n == limit {
				s, clipped = s[:i]+"…", true
				break
			}
			n++
		}
	}
	return safetext.Terminal(s), clipped
}

// eventTables builds the event table for one result and one set of
// options but MaxEventBytes, and keeps every table it encodes by its row
// limit: when the page is over its budget the table is built again for a
// smaller byte budget, and the limits tried on the way repeat.
type eventTables struct {
	base    *EventTable // the totals, without rows
	byLimit map[int]*EventTable
}

// build selects and encodes the table. Every event a finding cites is kept;
// past the cap, events inside findings' time windows come next, then the
// earliest others, until the cap, the text budget or the byte budget is
// reached.
func (m *eventTables) build(r *analysis.Result, o *Options) (*EventTable, error) {
	if m.base == nil {
		m.base = countEvents(r, o)
		m.byLimit = map[int]*EventTable{}
	}
	// Encode, and if the result is over the byte budget, shrink the cap in
	// proportion and try again: the page's size is bounded whatever the
	// lines look like.
	limit, shrunk := o.EventCap, false
	for attempt := 0; ; attempt++ {
		t, err := m.at(r, o, limit)
		if err != nil {
			return nil, err
		}
		size := len(t.GZ) // 0 when small enough to travel in the clear
		if size <= o.MaxEventBytes || attempt == 4 || t.Embedded == 0 {
			out := *t
			out.BySize = out.BySize || shrunk
			return &out, nil
		}
		limit = int(float64(t.Embedded) * float64(o.MaxEventBytes) / float64(size) * 0.95)
		shrunk = true
	}
}

// at is the table of at most limit rows.
func (m *eventTables) at(r *analysis.Result, o *Options, limit int) (*EventTable, error) {
	if t := m.byLimit[limit]; t != nil {
		return t, nil
	}
	t := *m.base
	t.PerSource = slices.Clone(m.base.PerSource)
	if err := t.encode(r, selectRows(r, o, limit), o); err != nil {
		return nil, err
	}
	m.byLimit[limit] = &t
	return &t, nil
}

// countEvents is the table's totals: every event of each source by kind.
func countEvents(r *analysis.Result, o *Options) *EventTable {
	tl := r.Timeline
	t := &EventTable{Total: tl.Len(), Cap: o.EventCap, Evidence: map[string][]int{}}
	for k := timeline.Kind(1); k.String() != "unknown"; k++ {
		t.Kinds = append(t.Kinds, k.String())
	}
	t.Kinds = append(t.Kinds, "unknown")

	t.PerSource = make([]SourceCount, len(tl.Sources))
	for i := range t.PerSource {
		t.PerSource[i].ByKind = map[string]int{}
	}
	for _, e := range tl.Records(0, -1) {
		if int(e.Src) < len(t.PerSource) {
			c := &t.PerSource[e.Src]
			c.Total++
			c.ByKind[e.Kind.String()]++
		}
	}
	return t
}

// encode fills the table's columns from the selected rows.
func (t *EventTable) encode(r *analysis.Result, rows selection, o *Options) error {
	tl := r.Timeline
	kindIndex := func(k timeline.Kind) int {
		if int(k) >= 1 && int(k) <= len(t.Kinds)-1 {
			return int(k) - 1
		}
		return len(t.Kinds) - 1
	}
	t.BySize = t.BySize || rows.bySize
	t.Embedded = len(rows.idx)
	t.Clipped = 0
	t.Cols, t.GZ = nil, ""
	t.Evidence = map[string][]int{}
	for i := range t.PerSource {
		t.PerSource[i].Embedded = 0
	}

	cols := &EventCols{
		T: make([]int64, 0, len(rows.idx)), D: make([]int64, 0, len(rows.idx)),
		S: make([]int32, 0, len(rows.idx)), K: make([]int, 0, len(rows.idx)),
		P: make([]int64, 0, len(rows.idx)), X: make([]string, 0, len(rows.idx)),
	}
	var prev int64
	if len(rows.idx) > 0 {
		prev = micros(tl.Time(rows.idx[0]))
		t.BaseUS = prev
	}
	rowOf := make(map[int]int, len(rows.idx))
	lastPos := make([]int64, len(tl.Sources))
	for row, i := range rows.idx {
		ev := tl.View(i)
		e := &ev
		rowOf[i] = row
		at := micros(e.Time)
		cols.T = append(cols.T, at-prev)
		prev = at
		var d int64
		if !e.End.IsZero() && e.End.After(e.Time) {
			d = e.End.Sub(e.Time).Microseconds()
		}
		cols.D = append(cols.D, d)
		cols.S = append(cols.S, e.Source)
		cols.K = append(cols.K, kindIndex(e.Kind()))
		pc := posCode(e.Pos)
		if int(e.Source) < len(lastPos) {
			cols.P = append(cols.P, pc-lastPos[e.Source])
			lastPos[e.Source] = pc
		} else {
			cols.P = append(cols.P, pc)
		}
		x, clipped := eventText(e, o.TextCap)
		if clipped {
			t.Clipped++
		}
		cols.X = append(cols.X, x)
	}
	for fi := range r.Findings {
		f := &r.Findings[fi]
		list := []int{}
		for _, ev := range f.Evidence {
			if row, ok := rowOf[ev.Event]; ok && ev.Event >= 0 {
				list = append(list, row)
			}
		}
		slices.Sort(list)
		list = slices.Compact(list)
		if len(list) > maxEvidenceRows {
			list = list[:maxEvidenceRows]
		}
		t.Evidence[f.ID] = list
	}

	for _, s := range cols.S {
		if int(s) < len(t.PerSource) {
			t.PerSource[s].Embedded++
		}
	}

	plain, err := json.Marshal(cols)
	if err != nil {
		return err
	}
	if len(plain) <= gzipThreshold {
		t.Cols = cols
		return nil
	}
	// Best compression: 100 k events' 13 MB of columns become 1.9 MB in
	// about 0.7 s (klauspost's deflate; the standard library's takes 1 s
	// for the same size, and the default levels miss the size budget).
	var z bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
	zw.Write(plain)
	if err := zw.Close(); err != nil {
		return err
	}
	t.GZ = base64.StdEncoding.EncodeToString(z.Bytes())
	return nil
}

type selection struct {
	idx    []int // timeline indexes, ascending
	bySize bool
}

// selectRows picks the events the table holds (see buildEvents).
func selectRows(r *analysis.Result, o *Options, limit int) selection {
	tl := r.Timeline
	n := tl.Len()
	if n <= limit && textBytes(tl, 0, n, o) <= o.TextBudget {
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		return selection{idx: idx}
	}
	chosen := make([]uint64, (n+63)/64) // a bit per event: 4 M events cost 500 KB
	count, budget := 0, o.TextBudget
	var sel selection
	take := func(i int) bool {
		if i < 0 || i >= n || chosen[i/64]&(1<<(i%64)) != 0 {
			return true
		}
		if count >= limit {
			return false
		}
		r := tl.Record(i)
		b := textLen(&r, o)
		if b > budget {
			sel.bySize = true
			return false
		}
		chosen[i/64] |= 1 << (i % 64)
		count++
		budget -= b
		return true
	}
	// 1. Cited events: the findings' evidence must always be there.
	for fi := range r.Findings {
		for _, ev := range r.Findings[fi].Evidence {
			take(ev.Event)
		}
	}
	// 2. Whatever happened during the findings, with a margin.
	const margin = 30 * time.Second
	for fi := range r.Findings {
		f := &r.Findings[fi]
		end := f.End
		if end.Before(f.Start) {
			end = f.Start
		}
		scanWindow(tl, chosen, tl.Search(f.Start.Add(-margin)), end.Add(margin), take)
	}
	// 3. The earliest of the rest.
	for i := 0; i < n; i++ {
		if !take(i) {
			break
		}
	}
	for w, bits := range chosen {
		for ; bits != 0; bits &= bits - 1 {
			sel.idx = append(sel.idx, w*64+bits2.TrailingZeros64(bits))
		}
	}
	return sel
}

// scanWindow takes the events from index from on until one starts after
// stop or take refuses one. Events already chosen are passed over without
// being read: a word of 64 chosen ones is skipped whole. That changes
// nothing taken (take of a chosen event does nothing, and times ascend, so
// the first unchosen event past stop still ends the scan), but the windows
// of findings about one move, which coincide, are read once, not once per
// finding.
func scanWindow(tl *timeline.Timeline, chosen []uint64, from int, stop time.Time, take func(int) bool) {
	n := tl.Len()
	for i := from; i < n; {
		for i < n && i%64 == 0 && chosen[i/64] == ^uint64(0) {
			i += 64
		}
		for i < n && chosen[i/64]&(1<<(i%64)) != 0 && i%64 != 0 {
			i++
		}
		if i >= n || (i%64 == 0 && chosen[i/64] == ^uint64(0)) {
			continue
		}
		resume := -1
		for j, rec := range tl.Records(i, -1) {
			if j%64 == 0 && chosen[j/64] == ^uint64(0) {
				resume = j
				break
			}
			if chosen[j/64]&(1<<(j%64)) != 0 {
				continue
			}
			if rec.Time().After(stop) || !take(j) {
				return
			}
		}
		if resume < 0 {
			return
		}
		i = resume
	}
}

func textLen(r *timeline.Record, o *Options) int {
	l := r.TextLen()
	if l == 0 {
		l = 80 // a summary; computing it only to measure would double the work
	}
	return min(l, o.TextCap*4) + 24 // the numeric columns
}

func textBytes(tl *timeline.Timeline, from, to int, o *Options) int {
	total := 0
	for _, r := range tl.Records(from, to) {
		total += textLen(r, o)
	}
	return total
}
