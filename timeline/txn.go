package timeline

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
	"unsafe"
)

// A neutron-server DEBUG log carries hundreds of thousands of ovsdbapp
// "Running txn" lines. Keeping an event with its raw line per command would
// cost more than a gigabyte per gigabyte of log, so the transaction is the
// event: one Txn per do_commit call, whose commands and entities are compact
// records. Command classes and argument names, a few dozen per log, are
// interned once per source in a TxnStore; entity names, of which a log may
// hold a million, are not: each transaction carries the names it mentions
// (TxnNames), and so they go wherever its record goes, spilled with it,
// and memory does not grow with the number of entities a log names. Only
// transactions worth citing line by line — those whose commands touch
// unrelated entities — keep their raw lines and arguments, in TxnDetail.

// TxnStore holds the strings one source's transactions refer to by id,
// each once: command classes, argument names, hosts. They live in an arena
// of blocks that are never moved or changed, 12 bytes an id beside the
// string's own bytes. It is filled by one parser and only read afterwards.
type TxnStore struct {
	blocks [][]byte
	refs   []nameRef // by id; id 0 is ""
}

type nameRef struct{ block, off, n uint32 }

// nameBlock is the arena's block size; longer strings get a block each.
const nameBlock = 64 << 10

// newTxnStore returns a store holding names in order, with ids from 1 (for tests).
func newTxnStore(names ...string) *TxnStore {
	s := &TxnStore{}
	for _, n := range names {
		s.Add([]byte(n))
	}
	return s
}

// Add stores b and returns its id (a new one even if b is already stored:
// interning is the caller's).
func (s *TxnStore) Add(b []byte) uint32 {
	if len(s.refs) == 0 {
		s.refs = append(s.refs, nameRef{})
	}
	last := len(s.blocks) - 1
	if last < 0 || len(s.blocks[last])+len(b) > cap(s.blocks[last]) {
		s.blocks = append(s.blocks, make([]byte, 0, max(nameBlock, len(b))))
		last++
	}
	blk := &s.blocks[last]
	s.refs = append(s.refs, nameRef{uint32(last), uint32(len(*blk)), uint32(len(b))})
	*blk = append(*blk, b...)
	return uint32(len(s.refs) - 1)
}

// Len is the number of ids, counting id 0.
func (s *TxnStore) Len() int { return max(len(s.refs), 1) }

// Name is the string with id. It shares the arena's bytes, which are never
// written again.
func (s *TxnStore) Name(id uint32) string {
	if id == 0 || int(id) >= len(s.refs) {
		return ""
	}
	r := s.refs[id]
	if r.n == 0 {
		return ""
	}
	return unsafe.String(&s.blocks[r.block][r.off], int(r.n))
}

// TxnNames is the entity names one transaction mentions, each once, in
// order of first mention: id i (from 1) is the i-th. A TxnEnt's ID is
// such an id, so entities compare by id within a transaction and by name
// across transactions.
type TxnNames struct {
	Text []byte   // the names end to end
	Ends []uint32 // where each ends in Text
}

// Add appends b as a new name and returns its id (interning is the
// caller's).
func (n *TxnNames) Add(b []byte) uint32 {
	n.Text = append(n.Text, b...)
	n.Ends = append(n.Ends, uint32(len(n.Text)))
	return uint32(len(n.Ends))
}

// Reset empties n, keeping its memory.
func (n *TxnNames) Reset() { n.Text, n.Ends = n.Text[:0], n.Ends[:0] }

// Len is the number of names.
func (n *TxnNames) Len() int { return len(n.Ends) }

// Name is the name with id, "" for 0 or an id out of range. It shares
// n's bytes: valid while n is not changed (a decoded transaction's never
// are).
func (n *TxnNames) Name(id uint32) string {
	if id == 0 || int(id) > len(n.Ends) {
		return ""
	}
	var start uint32
	if id > 1 {
		start = n.Ends[id-2]
	}
	end := n.Ends[id-1]
	if end <= start || int(end) > len(n.Text) {
		return ""
	}
	return unsafe.String(&n.Text[start], int(end-start))
}

// TxnCmd is one command of a transaction: one "Running txn … command(idx=I):
// Class(args)" line.
type TxnCmd struct {
	Class uint32 // TxnStore name id of the command class, e.g. "AddLRouterCommand"
	E0    uint32 // index of its first entity in its transaction's Entities
	NE    uint16 // number of entities
	Line  int64  // line of the command in its source
}

// EntKind says how a command names an entity.
type EntKind uint8

const (
	// EntPrimary: an argument that says which row the command acts on
	// (name, router, lrouter, lswitch_port, table+record, …).
	EntPrimary EntKind = iota
	// EntRef: an identifier inside a value, e.g. external_ids'
	// neutron:gw_port_id. A secondary edge: it links commands that belong
	// together, but the command does not act on it.
	EntRef
	// EntIP: an address the command sets, e.g. a NAT rule's external_ip.
	// Not a graph edge; it feeds the IP index so symptoms can be tied in.
	EntIP
)

func (k EntKind) String() string {
	switch k {
	case EntPrimary:
		return "primary"
	case EntRef:
		return "ref"
	case EntIP:
		return "ip"
	}
	return "unknown"
}

// TxnEnt is one entity a command names. Its name is normalised: neutron's
// "neutron-<uuid>" (routers, networks), "lrp-<uuid>" and "cr-lrp-<uuid>"
// (router ports) all become "<uuid>", so a router port and the switch port
// it is bound to are one entity.
type TxnEnt struct {
	ID   uint32 // the normalised entity's id in its transaction's Names (Txn.Entity gives the name)
	Key  uint32 // TxnStore name id of the argument that named it: "lrouter", "neutron:gw_port_id", …
	Kind EntKind
}

// TxnStatusCode is what an ovsdbapp status line says, and how a transaction
// ended when one followed it.
type TxnStatusCode uint8

const (
	TxnNoStatus      TxnStatusCode = iota // no status line: ovsdbapp before master logs nothing on success
	TxnTryAgain                           // "OVSDB transaction returned TRY_AGAIN, retrying"
	TxnNoChange                           // "Transaction caused no change"
	TxnAborted                            // "Transaction aborted" (ovsdbapp, or neutron's revision conflict)
	TxnError                              // "OVSDB Error: …"
	TxnTimeout                            // "Commands […] exceeded timeout N seconds", "OVS transaction timed out"
	TxnSucceeded                          // master: "txn <id> succeeded"
	TxnNoCommands                         // "There are no commands to commit"
	TxnUnknownStatus                      // "Transaction returned an unknown status: …"
	TxnCommandError                       // "txn n=N command(idx=I): … aborted due to error: …"
	TxnCommitError                        // a traceback logged by the transaction module
)

var txnStatusNames = [...]string{
	TxnNoStatus: "none", TxnTryAgain: "try-again", TxnNoChange: "no-change", TxnAborted: "aborted",
	TxnError: "ovsdb-error", TxnTimeout: "timeout", TxnSucceeded: "succeeded", TxnNoCommands: "no-commands",
	TxnUnknownStatus: "unknown-status", TxnCommandError: "command-error", TxnCommitError: "commit-error",
}

func (c TxnStatusCode) String() string {
	if int(c) < len(txnStatusNames) {
		return txnStatusNames[c]
	}
	return "unknown"
}

// MarshalText renders the code by name in JSON.
func (c TxnStatusCode) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText reads a code's name back.
func (c *TxnStatusCode) UnmarshalText(b []byte) error {
	for i, n := range txnStatusNames {
		if n == string(b) {
			*c = TxnStatusCode(i)
			return nil
		}
	}
	return fmt.Errorf("unknown transaction status %q", b)
}

// Txn is one ovsdbapp transaction as one neutron (or agent) process ran it:
// the commands of one do_commit call, idx 0…N-1. A TRY_AGAIN retry (the same
// command list logged again with n+1) is the same Txn with more Attempts.
// The event's Time is the first command's; End the last line's.
type Txn struct {
	Store *TxnStore
	Host  string // journal host of the lines, else the source's host
	PID   int    // the worker's pid: (pid=N) of the debug suffix, else the line's pid
	ID    string // ovsdbapp master's 8-hex transaction id of the first attempt; "" before
	// Commands in idx order, and their entities (each command's are
	// Entities[E0:E0+NE], primary ones first).
	Commands []TxnCmd
	Entities []TxnEnt
	Names    TxnNames // the entities' names
	// FirstIdx is the idx of the first command seen: 0 unless the log
	// starts in the middle of the transaction.
	FirstIdx int
	Attempts int           // the highest n= seen (1 when the format has no n=)
	Outcome  TxnStatusCode // from the status line that ended it; TxnNoStatus when none did
	// Parts is how many groups of commands share no entity: 1 for a
	// coherent transaction, more when unrelated commands were committed
	// together (bulk updates, or interleaving).
	Parts  int
	Detail *TxnDetail // kept only when Parts > 1
}

// txnBody is what a transaction's record says of it, laid over
// Record.Body, so that a pass over every transaction picks the few worth
// decoding without reading the others' payloads. It starts past the 22
// bytes recordPrint hashes, which rich kinds leave zero.
type txnBody struct {
	_      [24]byte
	Parts  uint32
	Detail bool
}

var _ [bodySize - unsafe.Sizeof(txnBody{})]byte

func (r *Record) txn() *txnBody { return (*txnBody)(unsafe.Pointer(&r.Body)) }

// TxnParts reads a transaction's record without its payload: how many
// parts its commands fall into (Txn.Parts) and whether it kept their
// detail (Txn.Detail). ok is false for other records.
func (r *Record) TxnParts() (parts int, detail, ok bool) {
	if r.Kind != KindTxn {
		return 0, false, false
	}
	b := r.txn()
	return int(b.Parts), b.Detail, true
}

// TxnDetail is what a transaction worth citing keeps, per command in idx
// order: its line as logged (continuation lines joined with a space), its
// time and its top-level arguments.
type TxnDetail struct {
	Raw   []string
	Times []time.Time
	Args  [][]TxnArg
}

// TxnArg is one key=value argument of a command, as printed.
type TxnArg struct{ Key, Value string }

// Arg returns command i's argument key ("" when absent or not kept).
func (d *TxnDetail) Arg(i int, key string) string {
	if d == nil || i >= len(d.Args) {
		return ""
	}
	for _, a := range d.Args[i] {
		if a.Key == key {
			return a.Value
		}
	}
	return ""
}

// Cmds is the transaction's commands in idx order.
func (t *Txn) Cmds() []TxnCmd { return t.Commands }

// Len is the number of commands.
func (t *Txn) Len() int { return len(t.Commands) }

// Class is command i's class name.
func (t *Txn) Class(i int) string { return t.Store.Name(t.Commands[i].Class) }

// Ents is command i's entities: primary ones first, then references and IPs.
func (t *Txn) Ents(i int) []TxnEnt {
	c := &t.Commands[i]
	return t.Entities[c.E0 : c.E0+uint32(c.NE)]
}

// Name is the string of an id in the source's store: a command class or an
// argument name (TxnEnt.Key).
func (t *Txn) Name(id uint32) string { return t.Store.Name(id) }

// Entity is e's name.
func (t *Txn) Entity(e TxnEnt) string { return t.Names.Name(e.ID) }

// Primary is command i's first primary entity, or "".
func (t *Txn) Primary(i int) string {
	for _, e := range t.Ents(i) {
		if e.Kind == EntPrimary {
			return t.Entity(e)
		}
	}
	return ""
}

// LastLine is the line of the last command.
func (t *Txn) LastLine() int64 {
	if len(t.Commands) == 0 {
		return 0
	}
	return t.Commands[len(t.Commands)-1].Line
}

func (t *Txn) Kind() Kind { return KindTxn }

// maxSummaryCmds caps how many commands a one-line summary lists.
const maxSummaryCmds = 6

func (t *Txn) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "ovsdbapp txn pid %d", t.PID)
	if t.ID != "" {
		b.WriteString(" " + t.ID)
	}
	if t.Attempts > 1 {
		fmt.Fprintf(&b, " n=%d", t.Attempts)
	}
	fmt.Fprintf(&b, ", %d command(s)", len(t.Commands))
	if t.Parts > 1 {
		fmt.Fprintf(&b, " in %d unrelated parts", t.Parts)
	}
	b.WriteString(":")
	for i := 0; i < t.Len(); i++ {
		if i == maxSummaryCmds {
			fmt.Fprintf(&b, " … +%d more", t.Len()-i)
			break
		}
		if i > 0 {
			b.WriteString(" ·")
		}
		b.WriteString(" " + t.Class(i))
		if p := t.Primary(i); p != "" {
			b.WriteString(" " + p)
		}
	}
	if t.Outcome != TxnNoStatus {
		b.WriteString(" → " + t.Outcome.String())
	}
	return b.String()
}

// AppendKeys indexes the entities the commands act on and the addresses
// they set. References (external_ids values) only link commands within the
// transaction: indexing them too would cost more than they are looked up.
func (t *Txn) AppendKeys(k *Keys) {
	for i := 0; i < t.Len(); i++ {
		for _, e := range t.Ents(i) {
			switch e.Kind {
			case EntIP:
				if ip, err := netip.ParseAddr(t.Entity(e)); err == nil {
					k.IPs = append(k.IPs, ip.Unmap())
				}
			case EntPrimary:
				k.Entities = append(k.Entities, t.Entity(e))
			}
		}
	}
}

// appendTxnKeys adds the keys of the transaction appendTxn encoded in b,
// as Txn.AppendKeys would, without building the transaction: indexing
// reads every transaction's keys and needs nothing else of it. It reports
// false, having added nothing, when b does not read back as a transaction.
func appendTxnKeys(b []byte, k *Keys) bool {
	r := &reader{b: b}
	r.skip() // host
	r.varint()
	r.skip() // id
	r.varint()
	r.varint()
	r.byte()
	r.varint()
	type span struct{ e0, ne uint32 }
	var spans [16]span
	cmds := spans[:0]
	for n := r.count(); n > 0; n-- {
		r.uvarint()
		e0, ne := uint32(r.uvarint()), uint32(uint16(r.uvarint()))
		r.varint()
		cmds = append(cmds, span{e0, ne})
	}
	type ent struct {
		id   uint32
		kind EntKind
	}
	var entBuf [32]ent
	ents := entBuf[:0]
	for n := r.count(); n > 0; n-- {
		id := uint32(r.uvarint())
		r.uvarint()
		ents = append(ents, ent{id, EntKind(r.byte())})
	}
	var names TxnNames
	if n := r.count(); n > 0 && r.err == nil {
		names.Text, r.b = r.b[:n], r.b[n:]
	}
	var ends [32]uint32
	names.Ends = ends[:0]
	var end uint64
	for n := r.count(); n > 0; n-- {
		if end += r.uvarint(); end > uint64(len(names.Text)) {
			r.fail()
		}
		names.Ends = append(names.Ends, uint32(end))
	}
	if r.err != nil {
		return false
	}
	for _, c := range cmds {
		if uint64(c.e0)+uint64(c.ne) > uint64(len(ents)) {
			return false
		}
	}
	for _, c := range cmds {
		for _, e := range ents[c.e0 : c.e0+c.ne] {
			switch e.kind {
			case EntIP:
				if ip, err := netip.ParseAddr(names.Name(e.id)); err == nil {
					k.IPs = append(k.IPs, ip.Unmap())
				}
			case EntPrimary:
				// A copy: the name shares b's bytes.
				k.Entities = append(k.Entities, strings.Clone(names.Name(e.id)))
			}
		}
	}
	return true
}

func (t *Txn) Fields() []Field {
	fs := []Field{
		{"host", t.Host},
		{"pid", strconv.Itoa(t.PID)},
	}
	if t.ID != "" {
		fs = append(fs, Field{"txn", t.ID})
	}
	fs = append(fs,
		Field{"attempts", strconv.Itoa(t.Attempts)},
		Field{"outcome", t.Outcome.String()},
		Field{"parts", strconv.Itoa(t.Parts)},
	)
	for i := 0; i < t.Len(); i++ {
		var b strings.Builder
		b.WriteString(t.Class(i))
		for _, e := range t.Ents(i) {
			fmt.Fprintf(&b, " %s=%s", t.Name(e.Key), t.Entity(e))
			if e.Kind == EntRef {
				b.WriteString(" (ref)")
			}
		}
		fmt.Fprintf(&b, " [line %d]", t.Commands[i].Line)
		fs = append(fs, Field{fmt.Sprintf("command(idx=%d)", t.FirstIdx+i), b.String()})
	}
	return fs
}

// TxnStatus is one ovsdbapp status line: a retry, an outcome, an error or
// a timeout.
type TxnStatus struct {
	Code TxnStatusCode
	Host string
	PID  int
	ID   string // master's transaction id, when the line names one
	// Detail is what the line adds: the OVSDB error, the abort reason, the
	// unknown status, the exception ending a traceback, the timeout's cause.
	Detail string
	// Commands are the command classes a timeout or command error names.
	Commands []string
	Timeout  int // seconds, for "exceeded timeout N seconds"
	// Txn is the position of the first command of the transaction the
	// line belongs to; zero when no open transaction of the process matched.
	Txn Pos
}

func (s *TxnStatus) Kind() Kind { return KindTxnStatus }

func (s *TxnStatus) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "ovsdbapp %s pid %d", s.Code, s.PID)
	if s.ID != "" {
		b.WriteString(" txn " + s.ID)
	}
	if len(s.Commands) > 0 {
		b.WriteString(": " + strings.Join(s.Commands, ", "))
	}
	if s.Timeout > 0 {
		fmt.Fprintf(&b, " exceeded %d s", s.Timeout)
	}
	if s.Detail != "" {
		b.WriteString(": " + s.Detail)
	}
	return b.String()
}

func (s *TxnStatus) AppendKeys(k *Keys) {}

func (s *TxnStatus) Fields() []Field {
	fs := []Field{{"status", s.Code.String()}, {"host", s.Host}, {"pid", strconv.Itoa(s.PID)}}
	if s.ID != "" {
		fs = append(fs, Field{"txn", s.ID})
	}
	if s.Txn.Line > 0 {
		fs = append(fs, Field{"transaction", s.Txn.String()})
	}
	if len(s.Commands) > 0 {
		fs = append(fs, Field{"commands", strings.Join(s.Commands, ", ")})
	}
	if s.Timeout > 0 {
		fs = append(fs, Field{"timeout_s", strconv.Itoa(s.Timeout)})
	}
	if s.Detail != "" {
		fs = append(fs, Field{"detail", s.Detail})
	}
	return fs
}
