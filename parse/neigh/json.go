package neigh

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/arpforensics/arpforensics/parse/lex"
	"github.com/arpforensics/arpforensics/timeline"
)

// maxJSON bounds one `ip -j neigh` array; a table of 100 000 entries is
// about 10 MB.
const maxJSON = 64 << 20

// jsonBlock gathers the lines of one JSON array (`ip -j -p` spreads it over
// many) until its brackets balance.
type jsonBlock struct {
	start timeline.Pos
	buf   []byte
	depth int
	inStr bool
	esc   bool
	end   int // offset just past the closing bracket, once seen
}

func newJSONBlock(start timeline.Pos) *jsonBlock { return &jsonBlock{start: start, end: -1} }

// scan tracks bracket depth outside strings over b, which starts at off in
// buf, and reports whether the array closed.
func (j *jsonBlock) scan(b []byte, off int) bool {
	for i, c := range b {
		switch {
		case j.inStr:
			switch {
			case j.esc:
				j.esc = false
			case c == '\\':
				j.esc = true
			case c == '"':
				j.inStr = false
			}
		case c == '"':
			j.inStr = true
		case c == '[' || c == '{':
			j.depth++
		case c == ']' || c == '}':
			j.depth--
			if j.depth == 0 {
				j.end = off + i + 1
				return true
			}
		}
	}
	return false
}

func (p *parser) jsonLine(b []byte, pos timeline.Pos) {
	j := p.json
	off := len(j.buf)
	j.buf = append(j.buf, b...)
	j.buf = append(j.buf, '\n')
	if len(j.buf) > maxJSON {
		p.problems.Errorf(j.start, "JSON", "JSON array longer than %d bytes: not read", maxJSON)
		p.json = nil
		return
	}
	if !j.scan(b, off) {
		return
	}
	p.json = nil
	if rest := bytes.TrimSpace(j.buf[j.end:]); len(rest) > 0 {
		p.problems.Errorf(pos, "JSON", "text after the end of the JSON array: %q", clip(rest))
	}
	p.decodeJSON(j, j.buf[:j.end])
}

// unterminated reports an array still open at the end of the input.
func (j *jsonBlock) unterminated(p *parser) {
	p.problems.Errorf(j.start, "JSON", "JSON array starting here is not closed before the end of the input")
}

// jsonNeigh is one object of `ip -j neigh` (iproute2 ≥ 4.17): flags are
// keys with null values whose presence means "set".
type jsonNeigh struct {
	Dst         *string  `json:"dst"`
	Dev         string   `json:"dev"`
	LLAddr      string   `json:"lladdr"`
	Router      present  `json:"router"`
	Proxy       present  `json:"proxy"`
	Managed     present  `json:"managed"`
	ExternLearn present  `json:"extern_learn"`
	Offload     present  `json:"offload"`
	ExternValid present  `json:"extern_valid"`
	Refcnt      *int64   `json:"refcnt"`
	Used        *int64   `json:"used"`
	Confirmed   *int64   `json:"confirmed"`
	Updated     *int64   `json:"updated"`
	Probes      *int64   `json:"probes"`
	State       []string `json:"state"`
	Protocol    string   `json:"protocol"`
	Deleted     *bool    `json:"deleted"`
	Miss        present  `json:"miss"`
}

// present is set when its key appears, whatever the value (null included).
type present bool

func (p *present) UnmarshalJSON([]byte) error { *p = true; return nil }

// decodeJSON reads one array as a listing block.
func (p *parser) decodeJSON(j *jsonBlock, buf []byte) {
	p.f.beginArray()
	dec := json.NewDecoder(bytes.NewReader(buf))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		p.problems.Errorf(j.start, "JSON", "not a JSON array of neighbour entries")
		return
	}
	var rec record
	for dec.More() {
		off := int(dec.InputOffset())
		for off < len(buf) && (buf[off] == ',' || buf[off] == ' ' || buf[off] == '\n' || buf[off] == '\t' || buf[off] == '\r') {
			off++
		}
		pos := j.posAt(buf, off)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			at := off
			var se *json.SyntaxError
			if errors.As(err, &se) {
				at = int(se.Offset)
			}
			p.problems.Errorf(j.posAt(buf, at), "JSON", "JSON: %v", err)
			return
		}
		var jn jsonNeigh
		if err := json.Unmarshal(raw, &jn); err != nil {
			p.problems.Errorf(pos, "JSON", "JSON entry: %v", err)
			continue
		}
		rec.ent.reset()
		rec.monitor, rec.hasTS = false, false
		if err := p.jsonEntry(&jn, &rec); err != nil {
			p.problems.Errorf(pos, "JSON", "JSON entry: %v", err)
			continue
		}
		var compact bytes.Buffer
		if json.Compact(&compact, raw) != nil {
			compact.Reset()
			compact.Write(raw)
		}
		p.f.rawKept = true // cited compacted, not as the file holds it
		p.entry(&rec.ent, &rec, pos, compact.Bytes())
		p.f.rawKept = false
	}
	if _, err := dec.Token(); err != nil && !errors.Is(err, io.EOF) {
		p.problems.Errorf(j.start, "JSON", "JSON: %v", err)
	}
}

// posAt is the position of byte off of the array.
func (j *jsonBlock) posAt(buf []byte, off int) timeline.Pos {
	off = min(off, len(buf))
	return timeline.Pos{
		Line:   j.start.Line + int64(bytes.Count(buf[:off], []byte{'\n'})),
		Offset: j.start.Offset + int64(off),
	}
}

func (p *parser) jsonEntry(jn *jsonNeigh, rec *record) error {
	e := &rec.ent
	if jn.Dst == nil {
		return fmt.Errorf(`no "dst"`)
	}
	e.ipTxt = []byte(*jn.Dst)
	ip, err := p.lp.addr(e.ipTxt)
	if err != nil {
		return err
	}
	e.ip, e.form = ip, timeline.NeighSnapshot
	e.dev = []byte(jn.Dev)
	if jn.LLAddr != "" {
		e.ll = []byte(jn.LLAddr)
		e.mac, e.isMAC = lex.ParseMAC(e.ll)
	}
	for _, fl := range [...]struct {
		set  present
		flag timeline.NeighFlag
	}{
		{jn.Router, timeline.NeighRouter}, {jn.Proxy, timeline.NeighProxy}, {jn.Managed, timeline.NeighManaged},
		{jn.ExternLearn, timeline.NeighExternLearn}, {jn.Offload, timeline.NeighOffload}, {jn.ExternValid, timeline.NeighExternValid},
	} {
		if fl.set {
			e.flags |= fl.flag
		}
	}
	num := func(v *int64, name string) (int32, error) {
		if v == nil {
			return 0, nil
		}
		if *v < -1<<31 || *v > 1<<31-1 {
			return 0, fmt.Errorf("%q %d out of range", name, *v)
		}
		return int32(*v), nil
	}
	if e.ref, err = num(jn.Refcnt, "refcnt"); err != nil {
		return err
	}
	if jn.Used != nil || jn.Confirmed != nil || jn.Updated != nil || jn.Probes != nil {
		e.hasStats = true
	}
	if jn.Refcnt != nil {
		e.hasStats = true
	}
	if e.used, err = num(jn.Used, "used"); err != nil {
		return err
	}
	if e.confirmed, err = num(jn.Confirmed, "confirmed"); err != nil {
		return err
	}
	if e.updated, err = num(jn.Updated, "updated"); err != nil {
		return err
	}
	if e.probes, err = num(jn.Probes, "probes"); err != nil {
		return err
	}
	for _, s := range jn.State {
		st, ok := timeline.ParseNUD(s)
		if !ok {
			if e.unknown == nil {
				e.unknown = []byte(s)
			}
			continue
		}
		e.state |= st
	}
	if jn.Protocol != "" {
		e.proto = []byte(jn.Protocol)
	}
	switch {
	case jn.Deleted != nil && *jn.Deleted:
		e.op, rec.monitor = timeline.NeighDeleted, true
	case bool(jn.Miss):
		e.op, rec.monitor = timeline.NeighMiss, true
	}
	return nil
}
