package timeline

import (
	"net/netip"
	"time"
)

// Kind names what an event records. The set is closed so that views can colour
// and filter by it. A kind may have several payload types: KindNeigh has
// *Neigh and *NeighReset; KindOVN has the snapshot facts *OVNRouter,
// *OVNSwitch and *OVNFlow and the database history's *OVSDBRow and
// *OVSDBLog. An event of any kind whose stored payload cannot be read
// decodes as *Damaged.
type Kind uint8

const (
	KindARP       Kind = iota + 1 // an ARP frame (*ARP)
	KindUsage                     // a run of unicast IPv4 frames from one sender to one IP via one MAC (*UsageRun)
	KindTCP                       // a TCP handshake frame: SYN, SYN retransmission, SYN/ACK (*TCP)
	KindNeigh                     // a neighbour-table observation or state change (parse/neigh)
	KindTxn                       // an ovsdbapp transaction command line (parse/txnlog)
	KindTxnStatus                 // an ovsdbapp status line: TRY_AGAIN, no change, error, timeout (parse/txnlog)
	KindOVN                       // an ovn-nbctl / ovs-ofctl snapshot fact (parse/ovn) or an OVSDB row change (parse/ovsdb)
	KindSymptom                   // a test-harness symptom line, e.g. tempest's SSH failure (parse/ovn)
	KindLog                       // any other log line worth showing: an OVS/OVN daemon's vlog line (*LogLine, parse/vlog)
)

var kindNames = [...]string{
	KindARP: "arp", KindUsage: "usage", KindTCP: "tcp", KindNeigh: "neigh",
	KindTxn: "txn", KindTxnStatus: "txn-status", KindOVN: "ovn", KindSymptom: "symptom", KindLog: "log",
}

// KindSet is a set of kinds; the zero set, for Timeline's passes, is every
// kind.
type KindSet uint32

// Kinds is the set of ks.
func Kinds(ks ...Kind) KindSet {
	var s KindSet
	for _, k := range ks {
		s |= 1 << k
	}
	return s
}

// Has reports whether k is in s; every kind is in the zero set.
func (s KindSet) Has(k Kind) bool { return s == 0 || s&(1<<k) != 0 }

func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return "unknown"
}

// MarshalText renders the kind by name in JSON.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Payload is the kind-specific part of an event.
type Payload interface {
	Kind() Kind
	// Summary is one line for timeline views. It may contain artifact text:
	// views sanitise it before drawing (see package safetext).
	Summary() string
	// AppendKeys adds the addresses and entities the event concerns, which
	// feed the indexes and the "follow" filter.
	AppendKeys(k *Keys)
	// Fields lists decoded fields for detail views and exports, in display order.
	Fields() []Field
}

// Field is one decoded name/value pair of an event.
type Field struct{ Name, Value string }

// Keys are what an event can be found by.
type Keys struct {
	IPs      []netip.Addr
	MACs     []MAC
	Entities []string // OVSDB entities, normalised (router/port UUIDs)
}

func (k *Keys) reset() {
	k.IPs, k.MACs, k.Entities = k.IPs[:0], k.MACs[:0], k.Entities[:0]
}

// Event is one thing that happened, at one time, read from one place, as
// views and detectors read it: decoded from its Record (Timeline.Event), or
// as a parser or a test hands it to a Sink.
type Event struct {
	Time   time.Time // UTC, clock offset applied
	End    time.Time // last time for events that span (usage runs); zero otherwise
	Source int32     // index into Timeline.Sources
	Pos    Pos       // first record of the event in its source
	Data   Payload
	// Raw is the artifact's own text for events read from a text line (the
	// log or neighbour line, without its line ending). Empty for frames.
	// Timeline.Event re-reads it from the source; Build takes it as given.
	Raw string
}

// Kind is the payload's kind.
func (e *Event) Kind() Kind { return e.Data.Kind() }

// Last is End for spanning events and Time otherwise.
func (e *Event) Last() time.Time {
	if e.End.IsZero() {
		return e.Time
	}
	return e.End
}
