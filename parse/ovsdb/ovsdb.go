// Package ovsdb reads OVSDB database files (ovsdb(5)): the standalone
// format (`OVSDB JSON <length> <sha1>` records: the schema, then one record
// per committed transaction) and the clustered one (`OVSDB CLUSTER …`: a
// Raft header with a snapshot, then log entries whose data hold the same
// transactions). A database file is its database's complete change
// history: every transaction with its _date (ms since the epoch) and
// _comment and the rows it inserted, modified and deleted. The rows of the
// tables that matter for ARP and routing (see selected) become
// timeline.OVSDBRow events at their transaction's time; one
// timeline.OVSDBLog event at the last transaction says how far the history
// runs.
//
// Every record's length and SHA-1 are checked. A record cut short (a file
// copied while the server was writing it) is a problem with its byte
// offset, and every record before it stays.
package ovsdb

import (
	"bufio"
	"bytes"
	"cmp"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/arpforensics/arpforensics/parse"
	"github.com/arpforensics/arpforensics/timeline"
)

// Format is OVSDB database files, standalone and clustered: one kind for
// both, told apart by their first line.
var Format = parse.Format{
	Name:     "ovsdb",
	Describe: "OVSDB database files, standalone or clustered: their history",
	Sniff:    Sniff, Parse: Parse, Text: true,
}

var (
	magicJSON    = []byte("OVSDB JSON ")
	magicCluster = []byte("OVSDB CLUSTER ")
)

// Sniff recognises a database file by its first record's header line,
// whatever the file is called (CI jobs store them as ovnsb_db.db.txt).
func Sniff(head []byte) bool {
	line := head
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	_, _, _, ok := header(line)
	return ok
}

// header reads "OVSDB JSON|CLUSTER <length> <40 hex digits>" (one space
// between words, as ovsdb(5) requires).
func header(line []byte) (clustered bool, length int, sum [20]byte, ok bool) {
	var rest []byte
	switch {
	case bytes.HasPrefix(line, magicJSON):
		rest = line[len(magicJSON):]
	case bytes.HasPrefix(line, magicCluster):
		clustered, rest = true, line[len(magicCluster):]
	default:
		return false, 0, sum, false
	}
	n, h, found := bytes.Cut(rest, []byte{' '})
	if !found || len(h) != 40 || len(n) == 0 || len(n) > 12 {
		return false, 0, sum, false
	}
	v, err := strconv.ParseInt(string(n), 10, 64)
	if err != nil || v <= 0 || v > 1<<40 {
		return false, 0, sum, false
	}
	if _, err := hex.Decode(sum[:], h); err != nil {
		return false, 0, sum, false
	}
	return clustered, int(v), sum, true
}

// maxRecord bounds one record: a compacted database is one record, so this
// is large, but a corrupt length must not make us allocate terabytes.
const maxRecord = 4 << 30

type parser struct {
	src      *timeline.Source
	opts     parse.Options
	out      *timeline.Sink
	problems *parse.Problems

	clustered bool
	sc        *schema
	tables    map[string]*table

	rec    int64 // current record number
	off    int64 // current record's offset
	txns   int64
	first  int64 // _date of the first transaction
	last   int64 // _date of the last one
	lastAt int64 // offset of the last transaction record

	// Raft bookkeeping (clustered files).
	raftIndex   uint64 // last entry index read
	commitIndex uint64 // last commit index recorded

	// Rows of a snapshot without a _date (a clustered file's header) wait
	// for the first dated transaction to get a time.
	pending []*timeline.OVSDBRow

	rows       int // rows followed
	rowsNoted  bool
	unknownDel int64

	changes []change
	evs     []*timeline.OVSDBRow
}

// change is one row of a transaction, kept as a view of the record until
// the transaction's _date and _is_diff are known (they may come last).
type change struct {
	t    *table
	uuid string
	val  []byte
}

// table is a selected table as the file's schema has it, and the rows of it
// the parser follows.
type table struct {
	name string
	cols []string // selected columns present in the schema
	idx  map[string]int
	comp []bool // composite columns
	rows map[string][]datum
}

// Parse is the parse.Func for database files. With more than one thread,
// reading and checking records (their framing and SHA-1) runs beside
// decoding them.
func Parse(r io.Reader, src *timeline.Source, opts parse.Options, out *timeline.Sink) error {
	p := &parser{src: src, opts: opts, out: out, problems: parse.NewProblems(src, 0)}
	fr := &framer{br: bufio.NewReaderSize(r, 1<<20)}
	handle := func(f *frame) (stop bool, err error) {
		p.rec, p.off = f.rec, f.off
		switch {
		case f.notOVSDB:
			return true, fmt.Errorf("not an OVSDB database file: the first line is not an OVSDB JSON or OVSDB CLUSTER record header")
		case f.stop != "":
			p.problem("damaged", "%s", f.stop)
			if f.torn {
				p.src.Records++
				p.src.BadRecords++
			}
			return true, nil
		}
		p.src.Records++
		if f.rec == 1 {
			p.clustered = f.clustered
		}
		if !f.hashOK {
			p.problem("SHA-1 mismatch", "record %d: SHA-1 of its %d bytes does not match its header: the record is skipped", f.rec, len(f.body))
			p.src.Skipped++
		} else if err := p.record(f.body); err != nil {
			if f.rec == 1 {
				return true, fmt.Errorf("byte 0: %w", err)
			}
			p.problem("unreadable record", "record %d: %v", f.rec, err)
			p.src.BadRecords++
		}
		return false, nil
	}
	var err error
	if opts.Threads > 1 {
		err = pipelined(fr, handle)
	} else {
		var f frame
		for fr.next(&f) {
			var stop bool
			if stop, err = handle(&f); stop {
				break
			}
		}
	}
	if err != nil {
		return err
	}
	p.finish()
	return p.out.Err()
}

// pipelined runs the framer on its own goroutine, handing records over in
// buffers that come back when handled.
func pipelined(fr *framer, handle func(*frame) (bool, error)) error {
	const depth = 8
	frames := make(chan *frame, depth)
	free := make(chan []byte, depth+2)
	quit := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(frames)
		for {
			f := &frame{}
			select {
			case f.body = <-free:
			default:
			}
			if !fr.next(f) {
				return
			}
			select {
			case frames <- f:
			case <-quit:
				return
			}
		}
	}()
	var err error
	for f := range frames {
		var stop bool
		if stop, err = handle(f); stop {
			break
		}
		select {
		case free <- f.body[:0]:
		default:
		}
	}
	close(quit)
	for range frames {
	}
	<-done
	return err
}

// frame is one record as read: its bytes and whether they check out, or
// why reading stops at it.
type frame struct {
	rec, off  int64
	clustered bool
	body      []byte
	hashOK    bool
	notOVSDB  bool   // the first line is not a record header
	stop      string // a problem that ends reading here (torn record, bad header)
	torn      bool   // stop is a record cut short: a record read, and bad
}

// framer cuts the stream into records and checks their lengths and hashes.
type framer struct {
	br        *bufio.Reader
	rec, off  int64
	clustered bool
	ended     bool
}

// next reads the next record into f (reusing f.body's storage); false at the
// end of the file or after a frame that stops reading.
func (fr *framer) next(f *frame) bool {
	if fr.ended {
		return false
	}
	fr.rec++
	buf := f.body
	*f = frame{rec: fr.rec, off: fr.off}
	stop := func(format string, args ...any) bool {
		f.stop = fmt.Sprintf(format, args...)
		fr.ended = true
		return true
	}
	line, err := fr.br.ReadSlice('\n')
	if len(line) == 0 && err == io.EOF {
		fr.ended = true
		return false
	}
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return stop("record %d: reading the header: %v", fr.rec, err)
	}
	hdr := bytes.TrimSuffix(line, []byte{'\n'})
	clustered, length, sum, ok := header(hdr)
	if !ok || err != nil {
		if fr.rec == 1 {
			f.notOVSDB, fr.ended = true, true
			return true
		}
		if errors.Is(err, io.EOF) {
			return stop("record %d is torn: the file ends inside its header line (%d bytes): the file was probably copied while being written; the %d record(s) before it were read", fr.rec, len(line), fr.rec-1)
		}
		return stop("record %d: bad record header %q: reading stops here; the %d record(s) before it were read", fr.rec, trimForMsg(hdr), fr.rec-1)
	}
	hdrLen := len(line)
	if fr.rec == 1 {
		fr.clustered = clustered
	} else if clustered != fr.clustered {
		return stop("record %d: %s header in a %s file: reading stops here", fr.rec,
			map[bool]string{true: "OVSDB CLUSTER", false: "OVSDB JSON"}[clustered], map[bool]string{true: "clustered", false: "standalone"}[fr.clustered])
	}
	if length > maxRecord {
		return stop("record %d: length %d is beyond what this reader accepts (%d): reading stops here", fr.rec, length, maxRecord)
	}
	f.clustered = fr.clustered
	buf, body, n, err := readBody(fr.br, buf, length)
	f.body = body
	if err != nil {
		f.torn = true
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return stop("record %d is torn: its header promises %d bytes, the file ends after %d: the file was probably copied while being written; the %d record(s) before it were read", fr.rec, length, n, fr.rec-1)
		}
		return stop("record %d: reading %d bytes: %v", fr.rec, length, err)
	}
	_ = buf
	f.hashOK = sha1.Sum(body) == sum
	fr.off += int64(hdrLen) + int64(length)
	return true
}

func trimForMsg(b []byte) string {
	if len(b) > 80 {
		return string(b[:80]) + "…"
	}
	return string(b)
}

func (p *parser) form() string {
	if p.clustered {
		return "clustered"
	}
	return "standalone"
}

// problem and note report at the current record.
func (p *parser) problem(kind, format string, args ...any) {
	p.problems.Errorf(timeline.Pos{Offset: p.off}, kind, format, args...)
}

func (p *parser) note(kind, format string, args ...any) {
	p.problems.Notef(timeline.Pos{Offset: p.off}, kind, format, args...)
}

// record handles one verified record.
func (p *parser) record(body []byte) error {
	switch {
	case p.rec == 1 && !p.clustered:
		p.src.Skipped++ // the schema: what the rest is read by, no event itself
		return p.useSchema(body)
	case p.rec == 1:
		return p.clusterHeader(body)
	case !p.clustered:
		return p.txn(body, false)
	}
	return p.raftRecord(body)
}

func (p *parser) useSchema(b []byte) error {
	sc, err := parseSchema(b)
	if err != nil {
		return err
	}
	p.sc = sc
	p.tables = map[string]*table{}
	for name, want := range selected {
		cols, ok := sc.tables[name]
		if !ok {
			continue
		}
		t := &table{name: name, idx: map[string]int{}, rows: map[string][]datum{}}
		for _, c := range want {
			ct, ok := cols[c]
			if !ok {
				continue
			}
			t.idx[c] = len(t.cols)
			t.cols = append(t.cols, c)
			t.comp = append(t.comp, ct.composite)
		}
		p.tables[name] = t
	}
	p.rows = 0
	return nil
}

// clusterHeader reads a clustered file's first record: the database name
// and the snapshot (schema and data) the log starts from.
func (p *parser) clusterHeader(b []byte) error {
	var h struct {
		Name      string          `json:"name"`
		PrevData  json.RawMessage `json:"prev_data"`
		PrevIndex uint64          `json:"prev_index"`
		Remotes   json.RawMessage `json:"remote_addresses"`
	}
	if err := json.Unmarshal(b, &h); err != nil {
		return fmt.Errorf("cluster header: %w", err)
	}
	if len(h.PrevData) == 0 {
		if len(h.Remotes) > 0 {
			p.note("joining", "the file is a server joining a cluster (ovsdb-tool join-cluster): it holds no data until it joins")
			p.src.Skipped++
			return nil
		}
		return fmt.Errorf("cluster header without prev_data")
	}
	p.raftIndex, p.commitIndex = h.PrevIndex, h.PrevIndex
	return p.clusterData(h.PrevData, true)
}

// clusterData handles a [schema-or-null, txn-or-null] pair. A schema resets
// the database: the transaction beside it is the whole contents.
func (p *parser) clusterData(b []byte, header bool) error {
	s := scanner{b: b}
	if !s.expect('[') {
		return s.err
	}
	schemaRaw := s.rawUnlessNull()
	s.expect(',')
	txnRaw := s.rawUnlessNull()
	s.expect(']')
	if s.err != nil {
		return s.err
	}
	if schemaRaw != nil {
		if p.sc != nil {
			p.note("schema change", "record %d changes the schema: the database is reset to the contents it gives", p.rec)
		}
		if err := p.useSchema(schemaRaw); err != nil {
			return err
		}
	}
	if txnRaw != nil {
		return p.txn(txnRaw, schemaRaw != nil)
	}
	p.src.Skipped++ // a schema alone, or nothing: no event
	return nil
}

// raftRecord reads one record after a clustered file's header: log entries
// carry data; term, vote, leader and note records do not.
func (p *parser) raftRecord(b []byte) error {
	s := scanner{b: b}
	if !s.expect('{') {
		return s.err
	}
	var (
		data          []byte
		index, commit uint64
		haveIndex     bool
		haveCommit    bool
	)
	first := true
	for s.more('}', &first) {
		key := string(s.str())
		s.expect(':')
		switch key {
		case "data":
			data = s.raw()
		case "index":
			v, err := strconv.ParseUint(string(s.scalar()), 10, 64)
			if err != nil {
				return fmt.Errorf("raft index: %w", err)
			}
			index, haveIndex = v, true
		case "commit_index":
			v, err := strconv.ParseUint(string(s.scalar()), 10, 64)
			if err != nil {
				return fmt.Errorf("raft commit_index: %w", err)
			}
			commit, haveCommit = v, true
		default:
			s.skip()
		}
	}
	if s.err != nil {
		return s.err
	}
	if haveCommit && commit > p.commitIndex {
		p.commitIndex = commit
	}
	if !haveIndex {
		p.src.Skipped++
		return nil
	}
	if p.raftIndex > 0 && index <= p.raftIndex {
		p.note("log rewrite", "record %d rewrites the Raft log from index %d (the log held up to %d): entries from %d read earlier were replaced, never committed, but stay on the timeline", p.rec, index, p.raftIndex, index)
	}
	p.raftIndex = index
	if data == nil {
		p.src.Skipped++
		return nil
	}
	return p.clusterData(data, false)
}

// txn reads one transaction record. snapshot marks a record that is the
// whole database (a compacted file's first transaction, a clustered
// snapshot): its rows existed, they were not changed then.
func (p *parser) txn(b []byte, snapshot bool) error {
	if p.sc == nil {
		return fmt.Errorf("transaction before any schema")
	}
	s := scanner{b: b}
	if !s.expect('{') {
		return s.err
	}
	var (
		dateMS  int64
		comment []byte
		isDiff  bool
	)
	p.changes = p.changes[:0]
	first := true
	for s.more('}', &first) {
		key := s.str()
		s.expect(':')
		if len(key) > 0 && key[0] == '_' {
			switch string(key) {
			case "_date":
				v, err := strconv.ParseFloat(string(s.scalar()), 64)
				if err != nil {
					return fmt.Errorf("_date: %w", err)
				}
				dateMS = int64(v)
				continue
			case "_comment":
				comment = s.str()
				continue
			case "_is_diff":
				isDiff = string(s.scalar()) == "true"
				continue
			}
		}
		t := p.tables[string(key)]
		if t == nil {
			s.skip()
			continue
		}
		if !s.expect('{') {
			break
		}
		rfirst := true
		for s.more('}', &rfirst) {
			uuid := string(s.str())
			s.expect(':')
			p.changes = append(p.changes, change{t: t, uuid: uuid, val: s.raw()})
		}
	}
	if s.err != nil {
		return s.err
	}
	if !snapshot && p.txns == 0 && !p.clustered && bytes.HasPrefix(comment, []byte("compact")) {
		// "compacting database online", "compacted by ovsdb-tool …".
		snapshot = true
	}
	if dateMS > 0 && dateMS < 1<<32 {
		dateMS *= 1000 // early OVSDB wrote seconds (ovsdb(5))
	}
	if dateMS > 0 || !snapshot {
		p.txns++
	}
	if dateMS > 0 {
		if p.first == 0 {
			p.first = dateMS
			p.flushPending(dateMS)
		}
		p.last, p.lastAt = dateMS, p.off
	}
	if snapshot {
		for _, t := range p.tables {
			clear(t.rows)
		}
		p.rows = 0
	}
	// Datapaths first: a row's datapath name may come from a
	// Datapath_Binding the same transaction creates.
	slices.SortStableFunc(p.changes, func(a, b change) int {
		return cmp.Compare(b2i(a.t.name != "Datapath_Binding"), b2i(b.t.name != "Datapath_Binding"))
	})
	cm := string(comment)
	if len(cm) > maxComment {
		cm = cm[:maxComment] + "…"
	}
	// A record that does not decode to the end gives no event at all: it
	// is a bad record, not half a transaction.
	evs := p.evs[:0]
	for _, c := range p.changes {
		ev, err := p.apply(c, isDiff, snapshot)
		if err != nil {
			return fmt.Errorf("table %s row %s: %w", c.t.name, c.uuid, err)
		}
		if ev != nil {
			ev.DB, ev.Record, ev.Index, ev.DateMS, ev.Comment = p.sc.Name, p.rec, p.indexOf(), dateMS, cm
			evs = append(evs, ev)
		}
	}
	for _, ev := range evs {
		p.emit(ev, dateMS)
	}
	emitted := len(evs)
	clear(evs)
	p.evs = evs[:0]
	// One record, one event; the rest of a transaction's rows are derived
	// from the same record (records = events − derived + …).
	if emitted == 0 {
		p.src.Skipped++
	} else {
		p.src.Derived += int64(emitted - 1)
	}
	return nil
}

func (p *parser) indexOf() uint64 {
	if p.clustered && p.rec > 1 {
		return p.raftIndex
	}
	return 0
}

// apply applies one row change to the followed rows and returns its event,
// or nil when nothing that the events carry changed.
func (p *parser) apply(c change, isDiff, snapshot bool) (*timeline.OVSDBRow, error) {
	t := c.t
	old, exists := t.rows[c.uuid]
	s := scanner{b: c.val}
	if s.peek() == 'n' {
		s.scalar()
		if s.err != nil {
			return nil, s.err
		}
		ev := &timeline.OVSDBRow{Table: t.name, UUID: c.uuid, Op: timeline.OVSDBDelete}
		if exists {
			ev.Cols = t.render(old, nil)
			p.datapath(ev, t, old)
			delete(t.rows, c.uuid)
			p.rows--
		} else {
			p.unknownDel++
		}
		return ev, nil
	}
	if !s.expect('{') {
		return nil, s.err
	}
	var row []datum
	if exists {
		row = make([]datum, len(old))
		for i := range old {
			row[i] = old[i].clone()
		}
	} else {
		row = make([]datum, len(t.cols))
	}
	changed := make([]bool, len(t.cols))
	first := true
	for s.more('}', &first) {
		col := string(s.str())
		s.expect(':')
		i, ok := t.idx[col]
		if !ok {
			s.skip()
			continue
		}
		d := s.datum()
		if s.err != nil {
			break
		}
		if exists && isDiff && t.comp[i] {
			before := row[i].clone()
			row[i].applyDiff(d)
			changed[i] = !before.equal(&row[i])
		} else {
			changed[i] = !exists || !row[i].equal(&d)
			row[i] = d
		}
	}
	if s.err != nil {
		return nil, s.err
	}
	op := timeline.OVSDBInsert
	switch {
	case snapshot:
		op = timeline.OVSDBSnapshot
	case exists:
		op = timeline.OVSDBModify
		any := false
		for _, ch := range changed {
			any = any || ch
		}
		if !any {
			t.rows[c.uuid] = row
			return nil, nil
		}
	}
	if !exists {
		if p.rows >= maxRows {
			if !p.rowsNoted {
				p.rowsNoted = true
				p.note("rows cap", "more than %d rows of the followed tables: later new rows are reported but not followed (their later changes read as inserts)", maxRows)
			}
		} else {
			t.rows[c.uuid] = row
			p.rows++
		}
	} else {
		t.rows[c.uuid] = row
	}
	ev := &timeline.OVSDBRow{Table: t.name, UUID: c.uuid, Op: op}
	if op == timeline.OVSDBModify {
		ev.Cols = t.render(row, changedOld(old, changed))
	} else {
		ev.Cols = t.render(row, nil)
	}
	p.datapath(ev, t, row)
	return ev, nil
}

func changedOld(old []datum, changed []bool) []*datum {
	out := make([]*datum, len(changed))
	for i, c := range changed {
		if c {
			out[i] = &old[i]
		}
	}
	return out
}

// render lists a row's columns for an event; old (when given) marks the
// changed columns with their values before.
func (t *table) render(row []datum, old []*datum) []timeline.OVSDBCol {
	cols := make([]timeline.OVSDBCol, 0, len(t.cols))
	for i, name := range t.cols {
		c := timeline.OVSDBCol{Name: name, Val: row[i].strings()}
		if old != nil && old[i] != nil {
			c.Changed = true
			c.Old = old[i].strings()
		}
		if len(c.Val) == 0 && !c.Changed {
			continue
		}
		cols = append(cols, c)
	}
	return cols
}

// datapath names the Datapath_Binding a Southbound row refers to.
func (p *parser) datapath(ev *timeline.OVSDBRow, t *table, row []datum) {
	i, ok := t.idx["datapath"]
	if !ok || len(row[i].keys) == 0 {
		return
	}
	dp := p.tables["Datapath_Binding"]
	if dp == nil {
		return
	}
	dr, ok := dp.rows[row[i].keys[0]]
	if !ok {
		return
	}
	if j, ok := dp.idx["external_ids"]; ok {
		if k := dr[j].find("name"); k >= 0 && k < len(dr[j].vals) {
			ev.DatapathName = dr[j].vals[k]
		}
	}
}

func (p *parser) emit(ev *timeline.OVSDBRow, dateMS int64) {
	if dateMS == 0 {
		if len(p.pending) < maxPending {
			p.pending = append(p.pending, ev)
			return
		}
		dateMS = p.opts.ModTime.UnixMilli()
	}
	p.out.Add(&timeline.Event{Time: time.UnixMilli(dateMS).UTC(), Pos: timeline.Pos{Offset: p.off}, Data: ev}, nil)
}

// maxPending bounds the undated snapshot rows kept until a dated record.
const maxPending = 256 << 10

// flushPending dates the snapshot rows read before any dated record.
func (p *parser) flushPending(dateMS int64) {
	if len(p.pending) == 0 {
		return
	}
	p.src.Notef(timeline.Pos{}, "%d row(s) of the Raft snapshot carry no date: they are placed at the first transaction's (%s)",
		len(p.pending), time.UnixMilli(dateMS).UTC().Format(time.RFC3339Nano))
	for _, ev := range p.pending {
		p.out.Add(&timeline.Event{Time: time.UnixMilli(dateMS).UTC(), Pos: timeline.Pos{Offset: 0}, Data: ev}, nil)
	}
	p.pending = nil
}

func (p *parser) finish() {
	p.problems.Close()
	if len(p.pending) > 0 {
		mt := p.opts.ModTime.UTC()
		p.src.Notef(timeline.Pos{}, "the file has no dated transaction: the %d row(s) of its snapshot are placed at its modification time %s", len(p.pending), mt.Format(time.RFC3339))
		for _, ev := range p.pending {
			p.out.Add(&timeline.Event{Time: mt, Pos: timeline.Pos{Offset: 0}, Data: ev}, nil)
		}
		p.pending = nil
	}
	if p.unknownDel > 0 {
		p.src.Notef(timeline.Pos{}, "%d deletion(s) of rows the file never defined (reported without their columns)", p.unknownDel)
	}
	if p.clustered && p.raftIndex > p.commitIndex && p.commitIndex > 0 {
		p.src.Notef(timeline.Pos{}, "the log holds entries up to Raft index %d but records commits only up to %d: the entries after it may not have been committed", p.raftIndex, p.commitIndex)
	}
	if p.sc == nil || p.txns == 0 {
		return
	}
	if p.last == 0 {
		return
	}
	p.src.Derived++ // the summary is made of no record of its own
	p.out.Add(&timeline.Event{Time: time.UnixMilli(p.last).UTC(), Pos: timeline.Pos{Offset: p.lastAt},
		Data: &timeline.OVSDBLog{DB: p.sc.Name, Version: p.sc.Version, Clustered: p.clustered, Txns: p.txns,
			FirstMS: p.first, LastMS: p.last, Records: p.rec - 1}}, nil)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// readBody reads a record's length bytes into buf (grown as needed). A
// length beyond what is buffered is trusted only as far as the bytes
// arrive: a corrupt header must not allocate gigabytes up front.
func readBody(r io.Reader, buf []byte, length int) ([]byte, []byte, int, error) {
	const step = 64 << 20
	if length <= cap(buf) || length <= step {
		if cap(buf) < length {
			buf = make([]byte, length)
		}
		n, err := io.ReadFull(r, buf[:length])
		return buf, buf[:length], n, err
	}
	buf = buf[:0]
	for len(buf) < length {
		want := min(length-len(buf), step)
		buf = slices.Grow(buf, want)
		n, err := io.ReadFull(r, buf[len(buf):len(buf)+want])
		buf = buf[:len(buf)+n]
		if err != nil {
			return buf, buf, len(buf), err
		}
	}
	return buf, buf, len(buf), nil
}
