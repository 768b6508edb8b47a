package timeline

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Row changes read from OVSDB database files (parse/ovsdb): the database's
// own record of what was committed, one event per changed row of the tables
// that matter for ARP and routing (routers, their ports and NAT entries,
// switch ports, port and MAC bindings, chassis, datapaths).

// OVSDBOp is what a transaction did to a row.
type OVSDBOp uint8

const (
	OVSDBInsert   OVSDBOp = iota + 1 // the row was created
	OVSDBModify                      // columns of an existing row changed
	OVSDBDelete                      // the row was deleted (Cols hold its last values)
	OVSDBSnapshot                    // the row existed when the file was compacted or the cluster snapshotted (not a change)
)

var ovsdbOpNames = [...]string{OVSDBInsert: "insert", OVSDBModify: "modify", OVSDBDelete: "delete", OVSDBSnapshot: "snapshot"}

func (o OVSDBOp) String() string {
	if int(o) < len(ovsdbOpNames) && ovsdbOpNames[o] != "" {
		return ovsdbOpNames[o]
	}
	return "unknown"
}

// MarshalText renders the operation by name in JSON.
func (o OVSDBOp) MarshalText() ([]byte, error) { return []byte(o.String()), nil }

// UnmarshalText reads an operation by name.
func (o *OVSDBOp) UnmarshalText(b []byte) error {
	for i, n := range ovsdbOpNames {
		if n != "" && n == string(b) {
			*o = OVSDBOp(i)
			return nil
		}
	}
	return fmt.Errorf("unknown OVSDB operation %q", b)
}

// OVSDBCol is one column of a changed row: its value after the transaction
// (before it, for deletes) and, when the transaction changed it, the value
// before. Sets list their elements; maps list "key=value" entries; UUIDs are
// given bare.
type OVSDBCol struct {
	Name    string
	Val     []string `json:",omitempty"`
	Old     []string `json:",omitempty"`
	Changed bool     `json:",omitempty"`
}

// OVSDBRow is one row a committed transaction inserted, modified or
// deleted, as the database file records it.
type OVSDBRow struct {
	DB      string // schema name: OVN_Northbound, OVN_Southbound, …
	Table   string
	UUID    string
	Op      OVSDBOp
	Record  int64  // 1-based record number in the file (the schema or cluster header is 1)
	Index   uint64 `json:",omitempty"` // Raft log index, clustered databases
	DateMS  int64  // the transaction's _date, ms since the epoch (0: none)
	Comment string `json:",omitempty"` // the transaction's _comment, shortened
	Cols    []OVSDBCol
	// DatapathName is the name of the Datapath_Binding a Southbound row's
	// datapath column refers to (its external_ids:name, e.g.
	// "neutron-<router id>"), when the file defined it.
	DatapathName string `json:",omitempty"`
}

func (r *OVSDBRow) Kind() Kind { return KindOVN }

// Col returns the named column, or nil.
func (r *OVSDBRow) Col(name string) *OVSDBCol {
	for i := range r.Cols {
		if r.Cols[i].Name == name {
			return &r.Cols[i]
		}
	}
	return nil
}

// Get is the first value of a column ("" when absent or empty).
func (r *OVSDBRow) Get(name string) string {
	if c := r.Col(name); c != nil && len(c.Val) > 0 {
		return c.Val[0]
	}
	return ""
}

// Was is the first value a changed column had before the transaction
// ("" when it did not change or was empty).
func (r *OVSDBRow) Was(name string) string {
	if c := r.Col(name); c != nil && c.Changed && len(c.Old) > 0 {
		return c.Old[0]
	}
	return ""
}

// Changed reports whether the transaction changed the column.
func (r *OVSDBRow) Changed(name string) bool {
	c := r.Col(name)
	return c != nil && c.Changed
}

// Values are a column's elements.
func (r *OVSDBRow) Values(name string) []string {
	if c := r.Col(name); c != nil {
		return c.Val
	}
	return nil
}

// MapValue is the value of key in a map column.
func (r *OVSDBRow) MapValue(col, key string) string {
	for _, kv := range r.Values(col) {
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			return v
		}
	}
	return ""
}

// Date is the transaction's time (zero when the record had none).
func (r *OVSDBRow) Date() time.Time {
	if r.DateMS == 0 {
		return time.Time{}
	}
	return time.UnixMilli(r.DateMS).UTC()
}

// Name is what the row is called: its name or logical_port column, else its
// uuid.
func (r *OVSDBRow) Name() string {
	for _, c := range [...]string{"name", "external_ip", "ip", "logical_port"} {
		if v := r.Get(c); v != "" {
			return v
		}
	}
	return r.UUID
}

func (r *OVSDBRow) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s %s", shortDB(r.DB), r.Table, r.Op, r.Name())
	for _, c := range r.Cols {
		if c.Changed || r.Op != OVSDBModify {
			if len(c.Val) == 0 && !c.Changed {
				continue
			}
			b.WriteString(" ")
			b.WriteString(c.Name)
			b.WriteString("=")
			if c.Changed && r.Op == OVSDBModify {
				b.WriteString(strings.Join(c.Old, ","))
				b.WriteString("→")
			}
			b.WriteString(strings.Join(c.Val, ","))
		}
	}
	if r.DatapathName != "" {
		b.WriteString(" datapath-name=")
		b.WriteString(r.DatapathName)
	}
	fmt.Fprintf(&b, " (record %d", r.Record)
	if r.Index > 0 {
		fmt.Fprintf(&b, ", raft index %d", r.Index)
	}
	if r.DateMS != 0 {
		fmt.Fprintf(&b, ", _date %d", r.DateMS)
	}
	b.WriteString(")")
	return b.String()
}

func shortDB(db string) string {
	switch db {
	case "OVN_Northbound":
		return "NB"
	case "OVN_Southbound":
		return "SB"
	case "":
		return "OVSDB"
	}
	return db
}

func (r *OVSDBRow) AppendKeys(k *Keys) {
	k.Entities = append(k.Entities, r.UUID)
	for _, c := range r.Cols {
		for _, vals := range [2][]string{c.Val, c.Old} {
			for _, v := range vals {
				appendValueKeys(k, c.Name, v)
			}
		}
	}
	if r.DatapathName != "" {
		k.Entities = append(k.Entities, NormaliseEntity(r.DatapathName))
	}
}

// appendValueKeys indexes the addresses and names inside one value: "mac
// ip ip" address lists, CIDRs, bare addresses, names with neutron's
// prefixes.
func appendValueKeys(k *Keys, col, v string) {
	switch col {
	case "name", "logical_port", "peer", "chassis_name", "hostname":
		if v != "" {
			k.Entities = append(k.Entities, NormaliseEntity(v))
		}
		return
	case "external_ids", "options":
		if _, val, ok := strings.Cut(v, "="); ok && strings.HasPrefix(val, "neutron-") {
			k.Entities = append(k.Entities, NormaliseEntity(val))
		}
		return
	}
	for _, f := range strings.Fields(v) {
		if m, err := ParseMAC(f); err == nil {
			k.MACs = append(k.MACs, m)
			continue
		}
		if pfx, err := netip.ParsePrefix(f); err == nil {
			k.IPs = append(k.IPs, pfx.Addr())
			continue
		}
		if ip, err := netip.ParseAddr(f); err == nil {
			k.IPs = append(k.IPs, ip)
		}
	}
}

func (r *OVSDBRow) Fields() []Field {
	fs := []Field{{"database", r.DB}, {"table", r.Table}, {"uuid", r.UUID}, {"op", r.Op.String()},
		{"record", strconv.FormatInt(r.Record, 10)}}
	if r.Index > 0 {
		fs = append(fs, Field{"raft_index", strconv.FormatUint(r.Index, 10)})
	}
	if r.DateMS != 0 {
		fs = append(fs, Field{"_date", strconv.FormatInt(r.DateMS, 10)})
	}
	if r.Comment != "" {
		fs = append(fs, Field{"_comment", r.Comment})
	}
	if r.DatapathName != "" {
		fs = append(fs, Field{"datapath_name", r.DatapathName})
	}
	for _, c := range r.Cols {
		v := strings.Join(c.Val, " ")
		if c.Changed && r.Op == OVSDBModify {
			v = strings.Join(c.Old, " ") + " → " + v
		}
		fs = append(fs, Field{c.Name, v})
	}
	return fs
}

// OVSDBLog summarises one database file's history; it is placed at the
// file's last transaction, so a detector knows how long the history runs
// (a row unchanged until then held its value until then).
type OVSDBLog struct {
	DB        string
	Version   string
	Clustered bool
	Txns      int64 // committed transactions read
	FirstMS   int64 // _date of the first transaction
	LastMS    int64 // _date of the last transaction
	Records   int64 // records in the file, the header or schema included
}

func (l *OVSDBLog) Kind() Kind { return KindOVN }

func (l *OVSDBLog) Summary() string {
	form := "standalone"
	if l.Clustered {
		form = "clustered"
	}
	return fmt.Sprintf("%s database %s (%s, schema %s): %d transaction(s) from %s to %s", shortDB(l.DB), l.DB, form, l.Version,
		l.Txns, time.UnixMilli(l.FirstMS).UTC().Format(time.RFC3339Nano), time.UnixMilli(l.LastMS).UTC().Format(time.RFC3339Nano))
}

func (l *OVSDBLog) AppendKeys(*Keys) {}

func (l *OVSDBLog) Fields() []Field {
	return []Field{{"database", l.DB}, {"version", l.Version}, {"clustered", strconv.FormatBool(l.Clustered)},
		{"transactions", strconv.FormatInt(l.Txns, 10)}, {"records", strconv.FormatInt(l.Records, 10)},
		{"first_date", strconv.FormatInt(l.FirstMS, 10)}, {"last_date", strconv.FormatInt(l.LastMS, 10)}}
}

func init() {
	RegisterPayload(&OVSDBRow{})
	RegisterPayload(&OVSDBLog{})
}
