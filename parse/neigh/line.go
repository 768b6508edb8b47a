package neigh

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"time"

	"github.com/arpforensics/arpforensics/parse/lex"
	"github.com/arpforensics/arpforensics/timeline"
)

// recKind is what one line of a neighbour artifact is.
type recKind uint8

const (
	recBlank      recKind = iota
	recComment            // "# …", "$ …", "+ …": annotations, shell prompts and traces
	recEntry              // a neighbour entry: ip neigh / ip monitor text, arp -an, arp -n or /proc/net/arp row
	recDate               // a `date` line
	recTimestamp          // `ip -t monitor`'s "Timestamp: … usec" line, which times the next entry
	recFlushRound         // "*** Round N, deleting K entries ***" after `ip -s -s neigh flush` echoes
	recFlushDone          // "*** Flush is complete …", "Nothing to flush."
	recHeader             // the column header of `arp -n` or /proc/net/arp
	recOther              // an `ip monitor all` line of another object ([LINK], [ROUTE], …)
	recJSON               // the start of an `ip -j neigh` array
)

// record is one classified line. Byte slices point into the line.
type record struct {
	kind recKind
	ent  entry
	// ts is the line's own time: the `ip -ts` prefix of an entry, a date
	// line's time, or a Timestamp line's time. hasTS says it was present.
	ts    time.Time
	hasTS bool
	// monitor: the entry line carries a monitor marker (timestamp prefix,
	// [NEIGH] label, or a Deleted/delete/miss prefix).
	monitor bool
	zone    zoneInfo // recDate
	count   int      // recFlushRound: entries deleted
}

// entry is one neighbour entry as parsed, before it is folded.
type entry struct {
	ip    netip.Addr
	ipTxt []byte
	dev   []byte
	ll    []byte // lladdr as printed
	mac   timeline.MAC
	isMAC bool
	state timeline.NUD
	flags timeline.NeighFlag
	atf   uint8
	form  timeline.NeighForm
	op    timeline.NeighOp

	hasStats                 bool
	used, confirmed, updated int32
	probes, ref              int32
	proto                    []byte
	// unknown is the first word the grammar does not know; the entry is
	// kept and the word reported.
	unknown []byte
}

func (e *entry) reset() { *e = entry{} }

// errNotEntry marks lines that are not neighbour entries at all.
var errNotEntry = errors.New("not a neighbour entry, date line or timestamp")

// lineParser classifies lines.
type lineParser struct {
	loc   *time.Location
	lastD dateCache
}

func newLineParser(loc *time.Location) *lineParser {
	return &lineParser{loc: loc}
}

// parseLine classifies one line (without its line ending) into rec.
func (lp *lineParser) parseLine(b []byte, rec *record) error {
	rec.kind, rec.hasTS, rec.monitor, rec.count = recBlank, false, false, 0
	rec.ent.reset()
	b = trimSpace(b)
	if len(b) == 0 {
		return nil
	}
	switch c := b[0]; {
	case c == '#' || (c == '$' || c == '+') && (len(b) == 1 || b[1] == ' '):
		rec.kind = recComment
		return nil
	case c == '[':
		return lp.bracketed(b, rec)
	case c == '*':
		return lp.flushLine(b, rec)
	case c == '?':
		return lp.arpAn(b, rec)
	case c == 'T' && bytes.HasPrefix(b, []byte("Timestamp:")):
		t, err := lp.asctimeStamp(b[len("Timestamp:"):])
		if err != nil {
			return err
		}
		rec.kind, rec.ts, rec.hasTS = recTimestamp, t, true
		return nil
	case c == 'N' && bytes.HasPrefix(b, []byte("Nothing to flush")):
		rec.kind = recFlushDone
		return nil
	}
	if lex.IsWeekday(b) {
		t, z, err := lp.dateLine(b)
		if err != nil {
			return err
		}
		rec.kind, rec.ts, rec.hasTS, rec.zone = recDate, t, true, z
		return nil
	}
	if isHeader(b) {
		rec.kind = recHeader
		return nil
	}
	if t, z, ok := lp.isoDateLine(b); ok {
		rec.kind, rec.ts, rec.hasTS, rec.zone = recDate, t, true, z
		return nil
	}
	return lp.entryLine(b, rec)
}

// bracketed handles lines starting with '[': an `ip -ts` timestamp prefix,
// "[nsid …]" and "[NEIGH]" labels, or a JSON array.
func (lp *lineParser) bracketed(b []byte, rec *record) error {
	if isJSONStart(b) {
		rec.kind = recJSON
		return nil
	}
	if len(b) > 1 && lex.IsDigit(b[1]) {
		t, n, err := lp.tsPrefix(b)
		if err != nil {
			return err
		}
		rec.ts, rec.hasTS, rec.monitor = t, true, true
		b = trimLeft(b[n:])
	}
	if bytes.HasPrefix(b, []byte("[nsid ")) {
		end := bytes.IndexByte(b, ']')
		if end < 0 {
			return fmt.Errorf("unterminated [nsid …] label")
		}
		b = trimLeft(b[end+1:])
	}
	if len(b) > 0 && b[0] == '[' {
		end := bytes.IndexByte(b, ']')
		if end < 0 {
			return fmt.Errorf("unterminated label %q", clip(b))
		}
		if string(b[1:end]) != "NEIGH" {
			rec.kind = recOther // `ip monitor all`: another object's event
			return nil
		}
		rec.monitor = true
		b = trimLeft(b[end+1:])
	}
	if len(b) == 0 {
		return fmt.Errorf("timestamp or label with no entry after it")
	}
	return lp.entryLine(b, rec)
}

// tsPrefix reads "[YYYY-MM-DDTHH:MM:SS.ffffff]", iproute2's -ts (-tshort)
// prefix: local time without a zone. It returns the bytes used.
func (lp *lineParser) tsPrefix(b []byte) (time.Time, int, error) {
	s, n, ok := lex.DateTime(b[1:])
	if !ok || !lex.PlausibleYear(s.Year) || b[11] != 'T' || 1+n >= len(b) || b[1+n] != ']' {
		return time.Time{}, 0, fmt.Errorf("unreadable timestamp prefix %q", clip(b))
	}
	return lp.lastD.at(s.Year, s.Month, s.Day, s.TOD, lp.loc), 1 + n + 1, nil
}

// flushLine reads the summaries `ip -s -s neigh flush` prints.
func (lp *lineParser) flushLine(b []byte, rec *record) error {
	switch {
	case bytes.HasPrefix(b, []byte("*** Round ")):
		i := bytes.Index(b, []byte(", deleting "))
		if i < 0 {
			return fmt.Errorf("unreadable flush round line")
		}
		rest := b[i+len(", deleting "):]
		n, j := lex.Uint(rest, 18)
		if j == 0 || !bytes.HasPrefix(rest[j:], []byte(" entries")) {
			return fmt.Errorf("unreadable flush round line")
		}
		rec.kind, rec.count = recFlushRound, int(n)
		return nil
	case bytes.HasPrefix(b, []byte("*** Flush ")):
		rec.kind = recFlushDone
		return nil
	}
	return errNotEntry
}

// isHeader recognises the column headers of `arp -n` and /proc/net/arp.
func isHeader(b []byte) bool {
	return bytes.HasPrefix(b, []byte("Address ")) && bytes.Contains(b, []byte("HWtype")) ||
		bytes.HasPrefix(b, []byte("IP address ")) && bytes.Contains(b, []byte("HW type"))
}

// isJSONStart recognises the first line of an `ip -j neigh` array:
// "[{…", "[ {", "[]" or a lone "[".
func isJSONStart(b []byte) bool {
	rest := trimLeft(b[1:])
	return len(rest) == 0 || rest[0] == '{' || rest[0] == ']'
}

// entryLine parses an ip neigh / ip monitor entry, or one of the net-tools
// and procfs rows, after any timestamp and label.
func (lp *lineParser) entryLine(b []byte, rec *record) error {
	e := &rec.ent
	rec.kind = recEntry
	tok, i := lex.Word(b, 0)
	switch string(tok) {
	case "Deleted", "delete":
		e.op, rec.monitor = timeline.NeighDeleted, true
		tok, i = lex.Word(b, i)
	case "miss":
		e.op, rec.monitor = timeline.NeighMiss, true
		tok, i = lex.Word(b, i)
	}
	if len(tok) == 0 {
		return fmt.Errorf("%s line with no address", e.op)
	}
	// net-tools forms: "host (IP) at …" and the arp -n / procfs columns.
	second, _ := lex.Word(b, i)
	if len(second) > 1 && second[0] == '(' && second[len(second)-1] == ')' && rec.ent.op == timeline.NeighListed {
		if string(second) == "(incomplete)" {
			return lp.arpN(b, rec)
		}
		return lp.arpAn(b, rec)
	}
	ip, err := lp.addr(tok)
	if err != nil {
		if rec.monitor || looksLikeAddr(tok) {
			return err
		}
		return errNotEntry
	}
	e.ip, e.ipTxt, e.form = ip, tok, timeline.NeighSnapshot
	if rec.monitor {
		e.form = timeline.NeighMonitor
	}
	if len(second) > 0 && second[0] != 'd' && second[0] != 'l' { // not "dev"/"lladdr": maybe a net-tools row
		if len(second) > 2 && second[0] == '0' && second[1] == 'x' {
			return lp.procRow(b, i, rec)
		} else if isNetToolsType(second) {
			return lp.arpN(b, rec)
		}
	}
	for {
		tok, i = lex.Word(b, i)
		if len(tok) == 0 {
			return nil
		}
		switch string(tok) {
		case "dev":
			if e.dev, i = lex.Word(b, i); len(e.dev) == 0 {
				return fmt.Errorf(`"dev" with no device name`)
			}
		case "lladdr":
			if e.ll, i = lex.Word(b, i); len(e.ll) == 0 {
				return fmt.Errorf(`"lladdr" with no address`)
			}
			e.mac, e.isMAC = lex.ParseMAC(e.ll)
		case "router":
			e.flags |= timeline.NeighRouter
		case "proxy":
			e.flags |= timeline.NeighProxy
		case "managed":
			e.flags |= timeline.NeighManaged
		case "extern_learn":
			e.flags |= timeline.NeighExternLearn
		case "offload":
			e.flags |= timeline.NeighOffload
		case "extern_valid":
			e.flags |= timeline.NeighExternValid
		case "ref":
			var v []byte
			v, i = lex.Word(b, i)
			n, ok := lex.Int32(v)
			if !ok {
				return fmt.Errorf(`"ref" followed by %q, not a number`, clip(v))
			}
			e.ref, e.hasStats = n, true
		case "used":
			var v []byte
			v, i = lex.Word(b, i)
			glued, err := e.parseUsed(v)
			if err != nil {
				return err
			}
			if glued { // iproute2 ≥ 5.16: "used 3/11/3probes 1"
				v, i = lex.Word(b, i)
				if e.probes, err = probesValue(v); err != nil {
					return err
				}
			}
		case "probes":
			var v []byte
			v, i = lex.Word(b, i)
			var err error
			if e.probes, err = probesValue(v); err != nil {
				return err
			}
			e.hasStats = true
		case "proto":
			if e.proto, i = lex.Word(b, i); len(e.proto) == 0 {
				return fmt.Errorf(`"proto" with no protocol`)
			}
		default:
			st, ok := parseStates(tok)
			if !ok {
				if e.unknown == nil {
					e.unknown = tok
				}
				continue
			}
			e.state |= st
		}
	}
}

// parseUsed reads "A/B/C" (ages of used/confirmed/updated) and reports
// whether "probes" was glued to it.
func (e *entry) parseUsed(v []byte) (glued bool, err error) {
	var nums [3]int32
	j := 0
	for k := 0; k < 3; k++ {
		s := j
		if j < len(v) && v[j] == '-' {
			j++
		}
		for j < len(v) && lex.IsDigit(v[j]) {
			j++
		}
		n, ok := lex.Int32(v[s:j])
		if !ok {
			return false, fmt.Errorf(`"used" followed by %q, not used/confirmed/updated ages`, clip(v))
		}
		nums[k] = n
		if k < 2 {
			if j >= len(v) || v[j] != '/' {
				return false, fmt.Errorf(`"used" followed by %q, not used/confirmed/updated ages`, clip(v))
			}
			j++
		}
	}
	switch rest := v[j:]; string(rest) {
	case "":
	case "probes":
		glued = true
	default:
		return false, fmt.Errorf(`"used" followed by %q, not used/confirmed/updated ages`, clip(v))
	}
	e.used, e.confirmed, e.updated, e.hasStats = nums[0], nums[1], nums[2], true
	return glued, nil
}

func probesValue(v []byte) (int32, error) {
	n, ok := lex.Int32(v)
	if !ok || n < 0 {
		return 0, fmt.Errorf(`"probes" followed by %q, not a count`, clip(v))
	}
	return n, nil
}

// parseStates reads a state word: one NUD name, or several joined by ','
// (iproute2 < 4.17).
func parseStates(tok []byte) (timeline.NUD, bool) {
	var st timeline.NUD
	for len(tok) > 0 {
		part := tok
		if k := bytes.IndexByte(tok, ','); k >= 0 {
			part, tok = tok[:k], tok[k+1:]
		} else {
			tok = nil
		}
		s, ok := timeline.NUDNamed(part)
		if !ok {
			return 0, false
		}
		st |= s
	}
	return st, true
}

// isNetToolsType recognises the HWtype column of `arp -n` ("ether",
// "infiniband", …): a lowercase word that is not an ip-neigh keyword.
func isNetToolsType(tok []byte) bool {
	if len(tok) == 0 {
		return false
	}
	for _, c := range tok {
		if c < 'a' || c > 'z' {
			return false
		}
	}
	switch string(tok) {
	case "dev", "lladdr", "router", "proxy", "managed", "offload", "ref", "used", "probes", "proto":
		return false
	}
	return true
}

// arpAn reads `arp -an` / `arp -a`: "? (10.0.0.100) at 02:00:00:00:00:0b
// [ether] PERM PUB on eth0", with "<incomplete>" or "<from_interface>" for
// the address.
func (lp *lineParser) arpAn(b []byte, rec *record) error {
	e := &rec.ent
	rec.kind = recEntry
	e.form = timeline.NeighARPTable
	_, i := lex.Word(b, 0) // "?" or the host name
	tok, i := lex.Word(b, i)
	if len(tok) < 3 || tok[0] != '(' || tok[len(tok)-1] != ')' {
		return errNotEntry
	}
	ip, err := lp.addr(tok[1 : len(tok)-1])
	if err != nil {
		return err
	}
	e.ip, e.ipTxt = ip, tok[1:len(tok)-1]
	if tok, i = lex.Word(b, i); string(tok) != "at" {
		return fmt.Errorf(`arp line without "at"`)
	}
	tok, i = lex.Word(b, i)
	switch {
	case string(tok) == "<incomplete>":
	case string(tok) == "<from_interface>": // a published (proxy) entry without its own address
	case len(tok) > 0:
		e.ll = tok
		e.mac, e.isMAC = lex.ParseMAC(tok)
		e.atf |= timeline.ATFComplete
	default:
		return fmt.Errorf("arp line with no address after \"at\"")
	}
	for {
		tok, i = lex.Word(b, i)
		if len(tok) == 0 {
			return nil
		}
		switch {
		case string(tok) == "PERM":
			e.atf |= timeline.ATFPermanent
			e.state = timeline.NUDPermanent
		case string(tok) == "PUB":
			e.atf |= timeline.ATFPublished
			e.flags |= timeline.NeighProxy
		case string(tok) == "on":
			if e.dev, i = lex.Word(b, i); len(e.dev) == 0 {
				return fmt.Errorf(`"on" with no interface`)
			}
		case tok[0] == '[' && tok[len(tok)-1] == ']': // hardware type, "[ether]"
		case string(tok) == "netmask":
			_, i = lex.Word(b, i)
		default:
			if e.unknown == nil {
				e.unknown = tok
			}
		}
	}
}

// arpN reads an `arp -n` row: "IP HWtype HWaddress Flags [Mask] Iface", or
// "IP (incomplete) Iface".
func (lp *lineParser) arpN(b []byte, rec *record) error {
	e := &rec.ent
	e.form = timeline.NeighARPTable
	tok, i := lex.Word(b, 0)
	ip, err := lp.addr(tok)
	if err != nil {
		return err
	}
	e.ip, e.ipTxt = ip, tok
	var cols [5][]byte
	n := 0
	for {
		tok, i = lex.Word(b, i)
		if len(tok) == 0 {
			break
		}
		if n == len(cols) {
			return fmt.Errorf("arp -n row with too many columns")
		}
		cols[n] = tok
		n++
	}
	if n == 2 && string(cols[0]) == "(incomplete)" {
		e.dev = cols[1]
		return nil
	}
	if n < 4 {
		return fmt.Errorf("arp -n row with %d columns, want HWtype HWaddress Flags [Mask] Iface", n+1)
	}
	e.ll = cols[1]
	e.mac, e.isMAC = lex.ParseMAC(cols[1])
	for _, c := range cols[2] {
		switch c {
		case 'C':
			e.atf |= timeline.ATFComplete
		case 'M':
			e.atf |= timeline.ATFPermanent
			e.state = timeline.NUDPermanent
		case 'P':
			e.atf |= timeline.ATFPublished
			e.flags |= timeline.NeighProxy
		}
	}
	e.dev = cols[n-1]
	return nil
}

// procRow reads a /proc/net/arp row: "IP HWtype Flags HWaddress Mask Device".
func (lp *lineParser) procRow(b []byte, i int, rec *record) error {
	e := &rec.ent
	e.form = timeline.NeighARPTable
	var cols [5][]byte
	for k := range cols {
		cols[k], i = lex.Word(b, i)
		if len(cols[k]) == 0 {
			return fmt.Errorf("/proc/net/arp row with %d columns, want 6", k+1)
		}
	}
	if extra, _ := lex.Word(b, i); len(extra) > 0 {
		return fmt.Errorf("/proc/net/arp row with more than 6 columns")
	}
	if len(cols[1]) < 3 || cols[1][0] != '0' || cols[1][1] != 'x' {
		return fmt.Errorf("/proc/net/arp flags %q are not hexadecimal", clip(cols[1]))
	}
	flags, err := strconv.ParseUint(string(cols[1][2:]), 16, 8)
	if err != nil {
		return fmt.Errorf("/proc/net/arp flags %q are not hexadecimal", clip(cols[1]))
	}
	e.atf = uint8(flags)
	if e.atf&timeline.ATFPermanent != 0 {
		e.state = timeline.NUDPermanent
	}
	if e.atf&timeline.ATFPublished != 0 {
		e.flags |= timeline.NeighProxy
	}
	mac, ok := lex.ParseMAC(cols[2])
	if e.atf&timeline.ATFComplete != 0 || mac != [6]byte{} {
		e.ll, e.mac, e.isMAC = cols[2], mac, ok
	}
	e.dev = cols[4]
	return nil
}

// addr parses an IPv4 or IPv6 address (without a zone), allocating nothing.
func (lp *lineParser) addr(b []byte) (netip.Addr, error) {
	if a, ok := lex.ParseIPv4(b); ok {
		return a, nil
	}
	if a, ok := lex.ParseIPv6(b); ok {
		return a, nil
	}
	return netip.Addr{}, fmt.Errorf("%q is not an IP address", clip(b))
}

// looksLikeAddr: a word made of hex digits, dots, colons and a prefix
// length, which deserves a precise complaint rather than "not an entry".
func looksLikeAddr(b []byte) bool {
	if len(b) == 0 || bytes.IndexAny(b, ".:") < 0 {
		return false
	}
	for _, c := range b {
		if !lex.IsHex(c) && c != '.' && c != ':' && c != '/' {
			return false
		}
	}
	return true
}

func trimLeft(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	return b
}

func trimSpace(b []byte) []byte {
	b = trimLeft(b)
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

// clip shortens text quoted in a problem.
func clip(b []byte) string {
	const max = 60
	if len(b) > max {
		return string(b[:max]) + "…"
	}
	return string(b)
}
