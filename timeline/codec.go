package timeline

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/netip"
	"reflect"
	"sync"
	"time"
)

// fFrame marks a record whose own bytes (at Pos.Offset, or in the heap) are
// a captured frame rather than a line of text. It is the one flag every
// kind shares.
const fFrame uint16 = 1 << 15

// Rich payloads — those that do not fit a record's body — are encoded into
// the source's heap. Each registered type has a code (Record.Sub); the
// timeline's own are registered here, and tests may add theirs.
var registry struct {
	sync.RWMutex
	types []reflect.Type // by code-1
	codes map[reflect.Type]uint8
}

// RegisterPayload lets a payload type outside this package (a test's) be
// kept in a timeline: it is stored as JSON, so its exported fields must
// hold everything it needs. p is a pointer to a zero value of the type.
func RegisterPayload(p Payload) {
	t := reflect.TypeOf(p)
	registry.Lock()
	defer registry.Unlock()
	if registry.codes == nil {
		registry.codes = map[reflect.Type]uint8{}
	}
	if _, ok := registry.codes[t]; ok {
		return
	}
	if len(registry.types) == 255 {
		panic("timeline: too many payload types")
	}
	registry.types = append(registry.types, t)
	registry.codes[t] = uint8(len(registry.types))
}

func init() {
	for _, p := range []Payload{&Txn{}, &TxnStatus{}, &OVNRouter{}, &OVNSwitch{}, &OVNFlow{}, &Symptom{}} {
		RegisterPayload(p)
	}
}

func payloadCode(p Payload) (uint8, bool) {
	registry.RLock()
	defer registry.RUnlock()
	c, ok := registry.codes[reflect.TypeOf(p)]
	return c, ok
}

func payloadType(code uint8) reflect.Type {
	registry.RLock()
	defer registry.RUnlock()
	if code == 0 || int(code) > len(registry.types) {
		return nil
	}
	return registry.types[code-1]
}

// encode fills r from e (time, position, kind and body) and appends the
// payload's heap encoding to blob for rich kinds. It reports whether the
// payload is rich (blob holds it).
func (s *Sink) encode(e *Event, r *Record, blob []byte) ([]byte, bool, error) {
	r.T, r.End, r.Pos = nanos(e.Time), nanos(e.End), e.Pos
	r.Kind = e.Data.Kind()
	switch p := e.Data.(type) {
	case *ARP:
		s.encodeARP(p, r)
	case *UsageRun:
		s.encodeUsage(p, r)
	case *TCP:
		s.encodeTCP(p, r)
	case *Neigh:
		s.encodeNeigh(p, r)
	case *NeighReset:
		s.encodeReset(p, r)
	default:
		code, ok := payloadCode(e.Data)
		if !ok {
			return blob, false, fmt.Errorf("timeline: payload type %T is not registered", e.Data)
		}
		switch r.Kind {
		case KindARP, KindUsage, KindTCP, KindNeigh:
			// Readers take these kinds' fields from the record's body.
			return blob, false, fmt.Errorf("timeline: payload type %T cannot be of kind %v, whose events are stored as records", e.Data, r.Kind)
		}
		r.Sub = code
		if t, ok := p.(*Txn); ok {
			if s.txnStore == nil {
				s.txnStore = t.Store
			}
			b := r.txn()
			b.Parts, b.Detail = uint32(min(max(t.Parts, 0), 1<<32-1)), t.Detail != nil
			return appendTxn(blob, t), true, nil
		}
		// Through the sink's own buffer: json.Marshal's fresh result per
		// event (a status line each transaction) was garbage in
		// proportion to the input.
		s.json.Reset()
		if s.jsonEnc == nil {
			s.jsonEnc = json.NewEncoder(&s.json)
		}
		if err := s.jsonEnc.Encode(p); err != nil {
			return blob, false, fmt.Errorf("timeline: encoding %T: %w", p, err)
		}
		return append(blob, bytes.TrimSuffix(s.json.Bytes(), []byte("\n"))...), true, nil
	}
	return blob, false, nil
}

// decode rebuilds an event's payload. blob is its heap encoding (rich kinds).
func (tl *Timeline) decode(r *Record, blob []byte) (Payload, error) {
	sd := tl.side[r.Src]
	switch r.Kind {
	case KindARP:
		a, _ := r.ARPRec()
		a.Iface = sd.strs.get(r.arp().Iface)
		return &a, nil
	case KindUsage:
		u, _ := r.UsageRec()
		u.Iface = sd.strs.get(r.usage().Iface)
		return &u, nil
	case KindTCP:
		t, _ := r.TCPRec()
		t.Iface = sd.strs.get(r.tcp().Iface)
		return &t, nil
	case KindNeigh:
		if r.Flags&fnReset != 0 {
			return decodeReset(r, &sd.strs), nil
		}
		return decodeNeigh(r, &sd.strs), nil
	}
	t := payloadType(r.Sub)
	if t == nil {
		return nil, fmt.Errorf("timeline: unknown payload code %d", r.Sub)
	}
	if t == reflect.TypeOf(&Txn{}) {
		txn, err := decodeTxn(blob)
		if err != nil {
			return nil, err
		}
		txn.Store = sd.txnStore
		return txn, nil
	}
	p := reflect.New(t.Elem()).Interface().(Payload)
	if err := json.Unmarshal(blob, p); err != nil {
		return nil, fmt.Errorf("timeline: decoding %v: %w", t, err)
	}
	return p, nil
}

func (s *Sink) encodeARP(a *ARP, r *Record) {
	b := r.arp()
	b.Src, b.Dst, b.SHA, b.THA = a.Src, a.Dst, a.SHA, a.THA
	b.Op, b.VLAN = a.Op, a.VLAN
	b.Iface = s.strs.id(a.Iface)
	r.Sub = uint8(a.Class)
	r.Flags |= linkFlags(&a.Link)
	if put4(&b.SPA, a.SPA) {
		r.Flags |= fAValid
	}
	if put4(&b.TPA, a.TPA) {
		r.Flags |= fBValid
	}
	if a.SenderMismatch {
		r.Flags |= fSenderMismatch
	}
	if a.FromText {
		r.Flags |= fFromText
	}
}

func (s *Sink) encodeUsage(u *UsageRun, r *Record) {
	b := r.usage()
	b.Src, b.Dst, b.VLAN = u.Src, u.Dst, u.VLAN
	b.Iface = s.strs.id(u.Iface)
	b.Frames, b.SYNs = u.Frames, u.SYNs
	r.Flags |= linkFlags(&u.Link)
	if put4(&b.SrcIP, u.SrcIP) {
		r.Flags |= fAValid
	}
	if put4(&b.DstIP, u.DstIP) {
		r.Flags |= fBValid
	}
	if u.DstInferred {
		r.Flags |= fDstInferred
	}
	r.Last = lastOf(u.Last)
}

func (s *Sink) encodeTCP(t *TCP, r *Record) {
	b := r.tcp()
	b.Src, b.Dst, b.VLAN = t.Src, t.Dst, t.VLAN
	b.Iface = s.strs.id(t.Iface)
	b.SrcPort, b.DstPort, b.Seq, b.Attempt = t.SrcPort, t.DstPort, t.Seq, int32(t.Attempt)
	r.Sub = uint8(t.What)
	r.Flags |= linkFlags(&t.Link)
	if put4(&b.SrcIP, t.SrcIP) {
		r.Flags |= fAValid
	}
	if put4(&b.DstIP, t.DstIP) {
		r.Flags |= fBValid
	}
}

// lastOf is a Last position's frame or line number.
func lastOf(p Pos) int64 {
	if p.Frame > 0 {
		return p.Frame
	}
	return p.Line
}

func putIP16(b *neighBody, a netip.Addr) {
	b.IP = a.As16()
	b.Is4 = a.Is4()
	if !a.IsValid() {
		b.IP = [16]byte{}
	}
}

func (s *Sink) encodeNeigh(n *Neigh, r *Record) {
	b := r.neigh()
	putIP16(b, n.IP)
	b.LL, b.PrevLL = n.LLAddr, n.PrevLL
	b.State, b.PrevState, b.NFlags, b.ATF, b.Form = n.State, n.PrevState, n.Flags, n.ATF, n.Form
	b.Dev, b.LLText, b.Proto = s.strs.id(n.Dev), s.strs.id(n.LLText), s.strs.id(n.Proto)
	b.Listings, b.Gap = n.Listings, int64(n.Gap)
	b.Used, b.Confirmed, b.Updated, b.Probes, b.Ref = n.Used, n.Confirmed, n.Updated, n.Probes, n.Ref
	b.UpdatedMin, b.UpdatedMax, b.ProbesMax = n.UpdatedMin, n.UpdatedMax, n.ProbesMax
	r.Sub = uint8(n.Op)
	if n.HasLL {
		r.Flags |= fnHasLL
	}
	if n.HasStats {
		r.Flags |= fnHasStats
	}
	if n.PrevKnown {
		r.Flags |= fnPrevKnown
	}
	if n.PrevHasLL {
		r.Flags |= fnPrevHasLL
	}
	if n.GapKnown {
		r.Flags |= fnGapKnown
	}
	r.Last = lastOf(n.Last)
	if !n.IP.IsValid() {
		b.Is4 = false
	}
	// A neighbour record with an invalid IP would read back as "::"; none
	// is ever made (the parser rejects such lines), so no flag is spent.
}

func decodeNeigh(r *Record, st *strtab) *Neigh {
	b := r.neigh()
	n := &Neigh{}
	n.IP = r.NeighIP()
	n.LLAddr, n.PrevLL = b.LL, b.PrevLL
	n.State, n.PrevState, n.Flags, n.ATF, n.Form = b.State, b.PrevState, b.NFlags, b.ATF, b.Form
	n.Dev, n.LLText, n.Proto = st.get(b.Dev), st.get(b.LLText), st.get(b.Proto)
	n.Listings, n.Gap = b.Listings, time.Duration(b.Gap)
	n.Used, n.Confirmed, n.Updated, n.Probes, n.Ref = b.Used, b.Confirmed, b.Updated, b.Probes, b.Ref
	n.UpdatedMin, n.UpdatedMax, n.ProbesMax = b.UpdatedMin, b.UpdatedMax, b.ProbesMax
	n.Op = NeighOp(r.Sub)
	n.HasLL = r.Flags&fnHasLL != 0
	n.HasStats = r.Flags&fnHasStats != 0
	n.PrevKnown = r.Flags&fnPrevKnown != 0
	n.PrevHasLL = r.Flags&fnPrevHasLL != 0
	n.GapKnown = r.Flags&fnGapKnown != 0
	n.Last = r.LastPos()
	if r.Last == 0 {
		n.Last = Pos{}
	}
	return n
}

func (s *Sink) encodeReset(n *NeighReset, r *Record) {
	b := r.neigh()
	putIP16(b, n.IP)
	b.LL = n.LLAddr
	b.State = n.State
	b.Dev = s.strs.id(n.Dev)
	*b.resets(), *b.maxUpdated() = n.Resets, n.MaxUpdated
	r.Flags |= fnReset
	if n.HasLL {
		r.Flags |= fnHasLL
	}
	r.Last = lastOf(n.Last)
}

func decodeReset(r *Record, st *strtab) *NeighReset {
	b := r.neigh()
	n := &NeighReset{IP: r.NeighIP(), Dev: st.get(b.Dev), LLAddr: b.LL, HasLL: r.Flags&fnHasLL != 0,
		State: b.State, Resets: *b.resets(), MaxUpdated: *b.maxUpdated()}
	if r.Last != 0 {
		n.Last = r.LastPos()
	}
	return n
}

// Transactions are the one rich kind that comes by the hundred thousand, so
// they get a binary encoding rather than JSON.
func appendTxn(b []byte, t *Txn) []byte {
	b = appendStr(b, t.Host)
	b = binary.AppendVarint(b, int64(t.PID))
	b = appendStr(b, t.ID)
	b = binary.AppendVarint(b, int64(t.FirstIdx))
	b = binary.AppendVarint(b, int64(t.Attempts))
	b = append(b, byte(t.Outcome))
	b = binary.AppendVarint(b, int64(t.Parts))
	b = binary.AppendUvarint(b, uint64(len(t.Commands)))
	var prevLine int64
	for _, c := range t.Commands {
		b = binary.AppendUvarint(b, uint64(c.Class))
		b = binary.AppendUvarint(b, uint64(c.E0))
		b = binary.AppendUvarint(b, uint64(c.NE))
		b = binary.AppendVarint(b, c.Line-prevLine)
		prevLine = c.Line
	}
	b = binary.AppendUvarint(b, uint64(len(t.Entities)))
	for _, e := range t.Entities {
		b = binary.AppendUvarint(b, uint64(e.ID))
		b = binary.AppendUvarint(b, uint64(e.Key))
		b = append(b, byte(e.Kind))
	}
	// The names, end to end, then each one's length.
	b = binary.AppendUvarint(b, uint64(len(t.Names.Text)))
	b = append(b, t.Names.Text...)
	b = binary.AppendUvarint(b, uint64(len(t.Names.Ends)))
	var prevEnd uint32
	for _, end := range t.Names.Ends {
		b = binary.AppendUvarint(b, uint64(end-prevEnd))
		prevEnd = end
	}
	if t.Detail == nil {
		return append(b, 0)
	}
	b = append(b, 1)
	d := t.Detail
	b = binary.AppendUvarint(b, uint64(len(d.Raw)))
	for _, s := range d.Raw {
		b = appendStr(b, s)
	}
	b = binary.AppendUvarint(b, uint64(len(d.Times)))
	for _, tm := range d.Times {
		b = binary.AppendVarint(b, nanos(tm))
	}
	b = binary.AppendUvarint(b, uint64(len(d.Args)))
	for _, args := range d.Args {
		b = binary.AppendUvarint(b, uint64(len(args)))
		for _, a := range args {
			b = appendStr(appendStr(b, a.Key), a.Value)
		}
	}
	return b
}

func appendStr(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// reader decodes what appendTxn wrote; the first error sticks.
type reader struct {
	b   []byte
	err error
}

func (r *reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) byte() byte {
	if len(r.b) == 0 {
		r.fail()
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *reader) str() string {
	n := r.count() // 0 once failed
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

// skip passes over a string.
func (r *reader) skip() { r.b = r.b[r.count():] }

// bytes reads n bytes into fresh memory.
func (r *reader) bytes(n int) []byte {
	if len(r.b) < n {
		r.fail()
		return nil
	}
	b := append([]byte(nil), r.b[:n]...)
	r.b = r.b[n:]
	return b
}

// count reads a length and checks it against what is left, so a damaged
// heap cannot ask for a huge allocation.
func (r *reader) count() int {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.fail()
		return 0
	}
	return int(n)
}

func (r *reader) fail() {
	if r.err == nil {
		r.err = fmt.Errorf("timeline: damaged heap record")
	}
	r.b = nil
}

func decodeTxn(b []byte) (*Txn, error) {
	r := &reader{b: b}
	t := &Txn{}
	t.Host = r.str()
	t.PID = int(r.varint())
	t.ID = r.str()
	t.FirstIdx = int(r.varint())
	t.Attempts = int(r.varint())
	t.Outcome = TxnStatusCode(r.byte())
	t.Parts = int(r.varint())
	if n := r.count(); n > 0 {
		t.Commands = make([]TxnCmd, n)
		var line int64
		for i := range t.Commands {
			c := &t.Commands[i]
			c.Class = uint32(r.uvarint())
			c.E0 = uint32(r.uvarint())
			c.NE = uint16(r.uvarint())
			line += r.varint()
			c.Line = line
		}
	}
	if n := r.count(); n > 0 {
		t.Entities = make([]TxnEnt, n)
		for i := range t.Entities {
			e := &t.Entities[i]
			e.ID = uint32(r.uvarint())
			e.Key = uint32(r.uvarint())
			e.Kind = EntKind(r.byte())
		}
	}
	if n := r.count(); n > 0 {
		t.Names.Text = r.bytes(n)
	}
	if n := r.count(); n > 0 {
		t.Names.Ends = make([]uint32, n)
		var end uint64
		for i := range t.Names.Ends {
			end += r.uvarint()
			if end > uint64(len(t.Names.Text)) {
				r.fail()
				break
			}
			t.Names.Ends[i] = uint32(end)
		}
	}
	if r.byte() == 1 {
		d := &TxnDetail{}
		if n := r.count(); n > 0 {
			d.Raw = make([]string, n)
			for i := range d.Raw {
				d.Raw[i] = r.str()
			}
		}
		if n := r.count(); n > 0 {
			d.Times = make([]time.Time, n)
			for i := range d.Times {
				d.Times[i] = unixUTC(r.varint())
			}
		}
		if n := r.count(); n > 0 {
			d.Args = make([][]TxnArg, n)
			for i := range d.Args {
				m := r.count()
				if m == 0 {
					continue
				}
				d.Args[i] = make([]TxnArg, m)
				for j := range d.Args[i] {
					d.Args[i][j] = TxnArg{Key: r.str(), Value: r.str()}
				}
			}
		}
		t.Detail = d
	}
	return t, r.err
}
