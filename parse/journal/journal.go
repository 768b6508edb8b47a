// Package journal reads systemd journal exports — `journalctl -o export`
// (the binary-safe serialisation: KEY=value lines, or KEY, a 64-bit
// little-endian length and the raw bytes) and `journalctl -o json` (one
// object per line) — into entries: the few fields that say when, where and
// who logged a message, and the message. It knows nothing of what the
// messages mean; ingest splits a journal by unit and hands each unit's
// messages to the parser of their kind.
package journal

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/arpforensics/arpforensics/timeline"
)

// Entry is one journal entry. Its byte slices are valid until the next call
// to Next.
type Entry struct {
	Time    time.Time // __REALTIME_TIMESTAMP (UTC); zero when the entry has none
	Host    []byte    // _HOSTNAME
	Unit    []byte    // _SYSTEMD_UNIT
	Ident   []byte    // SYSLOG_IDENTIFIER
	Comm    []byte    // _COMM
	PID     []byte    // SYSLOG_PID, else _PID
	Message []byte    // MESSAGE: may hold several lines
	Pos     timeline.Pos
}

// Stream is the name of the stream an entry belongs to: its unit, else its
// syslog identifier, else its command, else "journal".
func (e *Entry) Stream() []byte {
	switch {
	case len(e.Unit) > 0:
		return e.Unit
	case len(e.Ident) > 0:
		return e.Ident
	case len(e.Comm) > 0:
		return e.Comm
	}
	return []byte("journal")
}

// Name is the identifier a short-format line would show.
func (e *Entry) Name() []byte {
	switch {
	case len(e.Ident) > 0:
		return e.Ident
	case len(e.Comm) > 0:
		return e.Comm
	}
	return e.Stream()
}

// MaxField is the most of one field's value kept; the rest is skipped and
// the entry's message marked cut.
const MaxField = 1 << 20

// SniffExport recognises `journalctl -o export`: a first line assigning an
// upper-case field and a realtime timestamp within the first entry.
func SniffExport(head []byte) bool {
	nl := bytes.IndexByte(head, '\n')
	if nl < 0 {
		return false
	}
	eq := bytes.IndexByte(head[:nl], '=')
	if eq <= 0 || !fieldName(head[:eq]) {
		return false
	}
	end := bytes.Index(head, []byte("\n\n"))
	if end < 0 {
		end = len(head)
	}
	first := head[:end]
	return bytes.HasPrefix(first, []byte("__REALTIME_TIMESTAMP=")) || bytes.Contains(first, []byte("\n__REALTIME_TIMESTAMP="))
}

// SniffJSON recognises `journalctl -o json`: a first line that is an object
// with a realtime timestamp and a message.
func SniffJSON(head []byte) bool {
	line := head
	if nl := bytes.IndexByte(head, '\n'); nl >= 0 {
		line = head[:nl]
	}
	return bytes.HasPrefix(line, []byte(`{"`)) && bytes.Contains(line, []byte(`"__REALTIME_TIMESTAMP"`)) &&
		bytes.Contains(line, []byte(`"MESSAGE"`))
}

func fieldName(b []byte) bool {
	if len(b) == 0 || len(b) > 64 {
		return false
	}
	for _, c := range b {
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// Reader yields the entries of an export or JSON stream.
type Reader struct {
	r     *bufio.Reader
	json  bool
	line  int64 // lines read (export: counting a binary field's own lines)
	off   int64
	e     Entry
	store [8][]byte // backing of e's fields
	name  []byte    // a binary field's name
	err   error

	// the export entry being read
	fields    int   // its fields so far
	syslogPID bool  // its PID is SYSLOG_PID's
	loose     uint8 // slots whose field still points into r's buffer
}

// NewExportReader reads `journalctl -o export` from r.
func NewExportReader(r io.Reader) *Reader { return &Reader{r: buffered(r)} }

// buffered is r read through a large buffer: r itself when it already is
// one (a second would copy every byte once more).
func buffered(r io.Reader) *bufio.Reader {
	if b, ok := r.(*bufio.Reader); ok && b.Size() >= 256<<10 {
		return b
	}
	return bufio.NewReaderSize(r, 256<<10)
}

// NewJSONReader reads `journalctl -o json` from r.
func NewJSONReader(r io.Reader) *Reader {
	return &Reader{r: bufio.NewReaderSize(r, 256<<10), json: true}
}

// Next returns the next entry, or nil at the end of the stream or on an
// error (see Err). A malformed entry ends the stream: the export format has
// no way to resynchronise after a bad binary length.
func (r *Reader) Next() *Entry {
	if r.err != nil {
		return nil
	}
	if r.json {
		return r.nextJSON()
	}
	return r.nextExport()
}

// Err is the error that ended the stream, with its position; nil at a
// clean end.
func (r *Reader) Err() error { return r.err }

func (r *Reader) reset() {
	for i := range r.store {
		r.store[i] = r.store[i][:0]
	}
	r.e = Entry{Pos: timeline.Pos{Line: r.line + 1, Offset: r.off}}
}

// readLine reads one line without its newline; long lines are read whole
// up to MaxField and the rest dropped.
func (r *Reader) readLine() ([]byte, error) {
	// Most lines fit the reader's buffer: returned in place, not copied
	// (valid until the next read; fields worth keeping are copied).
	chunk, err := r.r.ReadSlice('\n')
	if err == nil {
		r.off += int64(len(chunk))
		r.line++
		return chunk[:len(chunk)-1], nil
	}
	buf := r.store[slotLine][:0]
	defer func() { r.store[slotLine] = buf[:0] }()
	for first := true; ; first = false {
		if !first {
			chunk, err = r.r.ReadSlice('\n')
		}
		r.off += int64(len(chunk))
		if len(buf)+len(chunk) <= MaxField+1 {
			buf = append(buf, chunk...)
		}
		switch {
		case err == nil:
			r.line++
			return bytes.TrimSuffix(buf, []byte{'\n'}), nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case err == io.EOF && len(buf) > 0:
			r.line++
			return buf, nil
		default:
			return buf, err
		}
	}
}

// field slots in store
const (
	slotHost = iota
	slotUnit
	slotIdent
	slotComm
	slotPID
	slotMsg
	slotLine
	slotBin
)

func (r *Reader) nextExport() *Entry {
	r.reset()
	r.fields, r.syslogPID, r.loose = 0, false, 0
	for {
		// Fast path: the lines already buffered are scanned in place, one
		// IndexByte each, and kept fields point into the buffer until it
		// must move (loose marks them; pin copies them out first).
		win, _ := r.r.Peek(r.r.Buffered())
		used, done := r.scan(win)
		r.r.Discard(used)
		if r.err != nil {
			return nil
		}
		if done {
			return &r.e
		}
		// A line not wholly buffered, or a binary field: the general path.
		r.pin()
		line, err := r.readLine()
		if err != nil {
			if err == io.EOF {
				if r.fields > 0 {
					return &r.e
				}
				return nil
			}
			r.err = fmt.Errorf("line %d: reading: %w", r.line+1, err)
			if r.fields > 0 {
				return &r.e
			}
			return nil
		}
		if len(line) == 0 {
			if r.fields == 0 {
				r.e.Pos = timeline.Pos{Line: r.line + 1, Offset: r.off}
				continue // blank lines between entries
			}
			return &r.e
		}
		r.fields++
		var name, value []byte
		if eq := bytes.IndexByte(line, '='); eq >= 0 {
			name, value = line[:eq], line[eq+1:]
		} else {
			// Binary-safe form: the name alone, then the length and the data.
			// The name is copied: reading the data moves the buffer under it.
			r.name = append(r.name[:0], line...)
			name = r.name
			if !fieldName(name) {
				r.err = fmt.Errorf("line %d: %q is neither FIELD=value nor a binary field's name", r.line, clip(line))
				return nil
			}
			v, err := r.binary(name)
			if err != nil {
				r.err = err
				return nil
			}
			value = v
		}
		if !r.field(name, value, false) {
			return nil
		}
	}
}

// scan reads the complete text-form lines at the start of win: used is how
// many bytes it consumed, done whether they ended the entry. It stops
// before a line that is not wholly in win or is a binary field's name.
func (r *Reader) scan(win []byte) (used int, done bool) {
	for used < len(win) {
		rest := win[used:]
		nl := bytes.IndexByte(rest, '\n')
		if nl < 0 {
			return used, false
		}
		line := rest[:nl]
		if nl == 0 {
			used++
			r.off++
			r.line++
			if r.fields == 0 {
				r.e.Pos = timeline.Pos{Line: r.line + 1, Offset: r.off}
				continue // blank lines between entries
			}
			return used, true
		}
		eq := bytes.IndexByte(line, '=')
		if eq < 0 {
			return used, false // a binary field: read through the general path
		}
		used += nl + 1
		r.off += int64(nl + 1)
		r.line++
		r.fields++
		if !r.field(line[:eq], line[eq+1:], true) {
			return used, false
		}
	}
	return used, false
}

// field records one field of the entry; inBuf says value lies in the
// reader's buffer (kept by reference until pin). False when the entry is
// malformed (r.err set).
func (r *Reader) field(name, value []byte, inBuf bool) bool {
	switch string(name) {
	case "__REALTIME_TIMESTAMP":
		us, ok := micros(value)
		if !ok {
			r.err = fmt.Errorf("line %d: __REALTIME_TIMESTAMP %q: not microseconds", r.line, clip(value))
			return false
		}
		r.e.Time = time.UnixMicro(us).UTC()
	case "_HOSTNAME":
		r.e.Host = r.set(slotHost, value, inBuf)
	case "_SYSTEMD_UNIT":
		r.e.Unit = r.set(slotUnit, value, inBuf)
	case "SYSLOG_IDENTIFIER":
		r.e.Ident = r.set(slotIdent, value, inBuf)
	case "_COMM":
		r.e.Comm = r.set(slotComm, value, inBuf)
	case "SYSLOG_PID":
		r.e.PID, r.syslogPID = r.set(slotPID, value, inBuf), true
	case "_PID":
		if !r.syslogPID {
			r.e.PID = r.set(slotPID, value, inBuf)
		}
	case "MESSAGE":
		r.e.Message = r.set(slotMsg, value, inBuf)
	}
	return true
}

// set is the value a field slot holds: v itself while it lies in the
// buffer (until pin), else a copy in the slot's store.
func (r *Reader) set(slot int, v []byte, inBuf bool) []byte {
	if inBuf {
		r.loose |= 1 << slot
		return v
	}
	r.loose &^= 1 << slot
	return r.keep(slot, v)
}

// pin copies the fields still pointing into the buffer to their stores,
// before a read moves the buffer.
func (r *Reader) pin() {
	if r.loose == 0 {
		return
	}
	for slot, f := range [...]*[]byte{slotHost: &r.e.Host, slotUnit: &r.e.Unit, slotIdent: &r.e.Ident,
		slotComm: &r.e.Comm, slotPID: &r.e.PID, slotMsg: &r.e.Message} {
		if r.loose&(1<<slot) != 0 {
			*f = r.keep(slot, *f)
		}
	}
	r.loose = 0
}

// micros parses a decimal count of microseconds as strconv.ParseInt does,
// without its string: plain digits by hand, anything else through it.
func micros(b []byte) (int64, bool) {
	if len(b) > 0 && len(b) <= 18 {
		var n int64
		for _, c := range b {
			if c < '0' || c > '9' {
				goto general
			}
			n = n*10 + int64(c-'0')
		}
		return n, true
	}
general:
	n, err := strconv.ParseInt(string(b), 10, 64)
	return n, err == nil
}

// binary reads a binary field's length, data and closing newline. Data
// beyond MaxField is skipped.
func (r *Reader) binary(name []byte) ([]byte, error) {
	var n [8]byte
	if _, err := io.ReadFull(r.r, n[:]); err != nil {
		return nil, fmt.Errorf("line %d: binary field %s: length cut short: %w", r.line, name, err)
	}
	size := binary.LittleEndian.Uint64(n[:])
	r.off += 8
	keep := min(size, MaxField)
	buf := r.store[slotBin]
	if uint64(cap(buf)) < keep {
		buf = make([]byte, keep)
	}
	buf = buf[:keep]
	r.store[slotBin] = buf
	if _, err := io.ReadFull(r.r, buf); err != nil {
		return nil, fmt.Errorf("line %d: binary field %s of %d bytes: cut short: %w", r.line, name, size, err)
	}
	if size > keep {
		if _, err := io.CopyN(io.Discard, r.r, int64(size-keep)); err != nil {
			return nil, fmt.Errorf("line %d: binary field %s of %d bytes: cut short: %w", r.line, name, size, err)
		}
	}
	r.off += int64(size)
	r.line += int64(bytes.Count(buf, []byte{'\n'}))
	c, err := r.r.ReadByte()
	if err != nil || c != '\n' {
		return nil, fmt.Errorf("line %d: binary field %s of %d bytes: no newline after its data", r.line, name, size)
	}
	r.off++
	r.line++
	return buf, nil
}

func (r *Reader) keep(slot int, v []byte) []byte {
	r.store[slot] = append(r.store[slot][:0], v...)
	return r.store[slot]
}

// jsonEntry holds the fields read from a JSON entry. A value is a string,
// an array of byte values (binary data), an array of either (a field with
// several values: the first is taken) or null (too large for journalctl).
type jsonEntry struct {
	Realtime  json.RawMessage `json:"__REALTIME_TIMESTAMP"`
	Host      json.RawMessage `json:"_HOSTNAME"`
	Unit      json.RawMessage `json:"_SYSTEMD_UNIT"`
	Ident     json.RawMessage `json:"SYSLOG_IDENTIFIER"`
	Comm      json.RawMessage `json:"_COMM"`
	SyslogPID json.RawMessage `json:"SYSLOG_PID"`
	PID       json.RawMessage `json:"_PID"`
	Message   json.RawMessage `json:"MESSAGE"`
}

func (r *Reader) nextJSON() *Entry {
	for {
		r.reset()
		line, err := r.readLine()
		if err != nil {
			if err != io.EOF {
				r.err = fmt.Errorf("line %d: reading: %w", r.line+1, err)
			}
			return nil
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var je jsonEntry
		if err := json.Unmarshal(line, &je); err != nil {
			r.err = fmt.Errorf("line %d: not a journal JSON entry: %v", r.line, err)
			return nil
		}
		if ts := jsonValue(je.Realtime); len(ts) > 0 {
			us, err := strconv.ParseInt(string(ts), 10, 64)
			if err != nil {
				r.err = fmt.Errorf("line %d: __REALTIME_TIMESTAMP %q: not microseconds", r.line, clip(ts))
				return nil
			}
			r.e.Time = time.UnixMicro(us).UTC()
		}
		r.e.Host = r.keep(slotHost, jsonValue(je.Host))
		r.e.Unit = r.keep(slotUnit, jsonValue(je.Unit))
		r.e.Ident = r.keep(slotIdent, jsonValue(je.Ident))
		r.e.Comm = r.keep(slotComm, jsonValue(je.Comm))
		pid := jsonValue(je.SyslogPID)
		if len(pid) == 0 {
			pid = jsonValue(je.PID)
		}
		r.e.PID = r.keep(slotPID, pid)
		r.e.Message = r.keep(slotMsg, jsonValue(je.Message))
		return &r.e
	}
}

// jsonValue decodes one field value; nil for null or an unknown shape.
func jsonValue(raw json.RawMessage) []byte {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil
	}
	switch raw[0] {
	case '"':
		if len(raw) >= 2 && raw[len(raw)-1] == '"' && plainJSON(raw[1:len(raw)-1]) {
			return raw[1 : len(raw)-1] // what Unmarshal would give, without its copies (the caller copies)
		}
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil
		}
		return []byte(s)
	case '[':
		var bs []byte
		var nums []int
		if json.Unmarshal(raw, &nums) == nil {
			for _, n := range nums {
				bs = append(bs, byte(n))
			}
			return bs
		}
		var many []json.RawMessage
		if json.Unmarshal(raw, &many) == nil && len(many) > 0 {
			return jsonValue(many[0])
		}
	}
	return nil
}

// plainJSON reports whether b, the inside of a JSON string, means its own
// bytes: no escapes, no control bytes, no quote, valid UTF-8 (which
// Unmarshal would replace).
func plainJSON(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c == '\\' || c == '"' {
			return false
		}
	}
	return utf8.Valid(b)
}

func clip(b []byte) string {
	if len(b) > 60 {
		return string(b[:60]) + "…"
	}
	return string(b)
}
