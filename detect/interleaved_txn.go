package detect

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/arpforensics/arpforensics/internal/yamlconf"
	"github.com/arpforensics/arpforensics/timeline"
)

// interleavedTxn finds ovsdbapp transactions that committed commands of
// unrelated operations. Before the fix (the catalog's
// ovsdbapp-nested-transaction entry has the releases and bugs)
// API.transaction() kept one nested transaction per API object, not per
// greenthread: a second request entering transaction() while the first was
// inside its "with" block got the first one's transaction, its commands
// were committed with it, and whatever it added after that commit was never
// sent.
//
// In the log such a transaction's commands fall into parts that share no
// entity (after normalising neutron-<id> and lrp-<id> to <id>, and counting
// external_ids references as links). That alone is not enough — bulk
// updates batch unrelated rows on purpose — so a finding needs one part to
// be a known operation (catalog/operations.yaml) that is incomplete, or two
// parts to be different known operations. Parts that all run the same
// command classes (homogeneous bulk updates) never are.
type interleavedTxn struct{}

func (interleavedTxn) Name() string { return "interleaved-txn" }

func (interleavedTxn) Describe() string {
	return "one ovsdbapp transaction holds commands of unrelated operations, one of them cut short: a nested transaction shared between greenthreads"
}

// Evidence caps: a finding cites a few records of each kind, not all.
const (
	maxSymptoms = 2
	maxRepairs  = 3
)

func (d interleavedTxn) Detect(tl *timeline.Timeline, cfg *Config, out *Findings) {
	ops := cfg.TxnOperations
	if ops == nil {
		ops = DefaultOperations()
	}
	for i, r := range tl.RecordsOf(timeline.Kinds(timeline.KindTxn)) {
		// The record says whether the transaction is split: most are
		// not, and need not be read.
		if parts, detail, _ := r.TxnParts(); parts < 2 || !detail {
			continue
		}
		tx, ok := tl.PayloadOf(r).(*timeline.Txn)
		if !ok || tx.Parts < 2 || tx.Detail == nil {
			continue
		}
		if f, ok := examineTxn(tl, i, tx, ops); ok {
			out.Add(f, int64(len(f.Evidence)))
		}
	}
}

func (interleavedTxn) Instances() string { return "interleaved transactions" }

func (interleavedTxn) Identity() []string {
	return []string{"host", "intruder", "intruder_entity", "txn_entity"}
}

// ConfigSection: a config file's "operations:" adds to the catalog (and
// replaces operations of the same name).
func (interleavedTxn) ConfigSection() ConfigSection {
	return ConfigSection{Key: "operations", Decode: func(doc *yamlconf.Doc, n *yaml.Node, cfg *Config) {
		if ops := decodeOperations(doc, n); doc.Err() == nil {
			cfg.TxnOperations = MergeOperations(cfg.TxnOperations, ops)
		}
	}}
}

// txnPart is a group of a transaction's commands that share entities.
type txnPart struct {
	cmds    []int // command indexes, ascending
	op      *Operation
	missing []int // steps of op it needed and did not run
	ents    []string
}

// TxnParts groups a transaction's commands (indexes into tx) into the
// operations interleaved-txn sees: commands that act on or reference a
// common entity belong together. Commands that name no entity belong to no
// group. Views draw transactions with it so they show the detector's reading.
func TxnParts(tx *timeline.Txn) [][]int {
	var out [][]int
	for _, p := range partsOf(tx) {
		out = append(out, p.cmds)
	}
	return out
}

// partsOf groups a transaction's commands by shared primary or reference
// entities. Commands that name no entity belong to no part.
func partsOf(tx *timeline.Txn) []*txnPart {
	n := tx.Len()
	parent := make([]int, n)
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	owner := map[uint32]int{}
	named := make([]bool, n)
	for i := 0; i < n; i++ {
		for _, e := range tx.Ents(i) {
			if e.Kind == timeline.EntIP {
				continue
			}
			named[i] = true
			if j, ok := owner[e.ID]; ok {
				parent[find(i)] = find(j)
			} else {
				owner[e.ID] = i
			}
		}
	}
	byRoot := map[int]*txnPart{}
	var parts []*txnPart
	for i := 0; i < n; i++ {
		if !named[i] {
			continue
		}
		r := find(i)
		p := byRoot[r]
		if p == nil {
			p = &txnPart{}
			byRoot[r] = p
			parts = append(parts, p)
		}
		p.cmds = append(p.cmds, i)
		for _, e := range tx.Ents(i) {
			if e.Kind != timeline.EntIP && !slices.Contains(p.ents, tx.Entity(e)) {
				p.ents = append(p.ents, tx.Entity(e))
			}
		}
	}
	return parts
}

// homogeneous reports whether every part runs the same command classes in
// the same order: a bulk update, batched on purpose.
func homogeneous(tx *timeline.Txn, parts []*txnPart) bool {
	sig := func(p *txnPart) string {
		var b strings.Builder
		for _, c := range p.cmds {
			b.WriteString(tx.Class(c))
			b.WriteByte(' ')
		}
		return b.String()
	}
	first := sig(parts[0])
	for _, p := range parts[1:] {
		if sig(p) != first {
			return false
		}
	}
	return true
}

// lookup returns the value a step's placeholder or condition names, read
// from a part's first command: "subject", an argument as printed, or an
// external_ids reference (normalised). "" when absent or empty.
func lookup(tx *timeline.Txn, op *Operation, cmd int, key string) string {
	if key == "subject" {
		for _, k := range op.Subject {
			if v := argValue(tx, cmd, k); v != "" {
				return v
			}
		}
		for _, e := range tx.Ents(cmd) {
			if e.Kind == timeline.EntPrimary {
				if v := argValue(tx, cmd, tx.Name(e.Key)); v != "" {
					return v
				}
				return tx.Entity(e)
			}
		}
		return ""
	}
	if v := argValue(tx, cmd, key); v != "" {
		return v
	}
	for _, e := range tx.Ents(cmd) {
		if tx.Name(e.Key) == key {
			return tx.Entity(e)
		}
	}
	return ""
}

// argValue is a top-level argument as printed; empty values (None, an empty
// string, [], {}) count as absent.
func argValue(tx *timeline.Txn, cmd int, key string) string {
	v := tx.Detail.Arg(cmd, key)
	switch v {
	case "None", "''", `""`, "[]", "{}", "()":
		return ""
	}
	return v
}

// stepMatches reports whether command cmd performs step st.
func stepMatches(tx *timeline.Txn, cmd int, st *Step) bool {
	if !slices.Contains(st.Commands, tx.Class(cmd)) {
		return false
	}
	for k, v := range st.Args {
		if tx.Detail.Arg(cmd, k) != v {
			return false
		}
	}
	return true
}

// match tries op on a part: its first command must open op, and each
// following command must perform a later (or the same, repeated) step.
// It returns the steps op needed that the part did not run.
func match(tx *timeline.Txn, p *txnPart, op *Operation) (missing []int, ok bool) {
	if !stepMatches(tx, p.cmds[0], &op.Steps[0]) {
		return nil, false
	}
	ran := make([]bool, len(op.Steps))
	ran[0] = true
	s := 0
	for _, c := range p.cmds[1:] {
		j := s
		for j < len(op.Steps) && !stepMatches(tx, c, &op.Steps[j]) {
			j++
		}
		if j == len(op.Steps) {
			return nil, false
		}
		ran[j], s = true, j
	}
	for k := 1; k < len(op.Steps); k++ {
		st := &op.Steps[k]
		if ran[k] || st.Optional || (st.When != "" && lookup(tx, op, p.cmds[0], st.When) == "") {
			continue
		}
		missing = append(missing, k)
	}
	return missing, true
}

// classify gives a part its best known operation: the one it completes,
// else the one it misses fewest steps of; catalog order breaks ties.
func classify(tx *timeline.Txn, p *txnPart, ops []Operation) {
	for i := range ops {
		missing, ok := match(tx, p, &ops[i])
		if ok && (p.op == nil || len(missing) < len(p.missing)) {
			p.op, p.missing = &ops[i], missing
		}
	}
}

func examineTxn(tl *timeline.Timeline, ev int, tx *timeline.Txn, ops []Operation) (Finding, bool) {
	parts := partsOf(tx)
	if len(parts) < 2 || homogeneous(tx, parts) {
		return Finding{}, false
	}
	for _, p := range parts {
		classify(tx, p, ops)
	}
	// The intruder: an incomplete known operation, preferably not the
	// part that opened the transaction (its owner's commands come first).
	var intruder, owner *txnPart
	for _, p := range parts {
		if p.op != nil && len(p.missing) > 0 && (intruder == nil || intruder == parts[0]) {
			intruder = p
		}
	}
	if intruder == nil {
		// No operation cut short: still two requests in one transaction
		// when two parts are different known operations.
		for _, p := range parts[1:] {
			if p.op != nil && parts[0].op != nil && p.op.Name != parts[0].op.Name {
				intruder = p
				break
			}
		}
		if intruder == nil {
			return Finding{}, false
		}
	}
	for _, p := range parts {
		if p != intruder && (owner == nil || p.op != nil && owner.op == nil) {
			owner = p
		}
	}
	return buildFinding(tl, ev, tx, intruder, owner, parts), true
}

// txnCache decodes the transactions a finding reads, once each: the same
// later transactions are searched for every missing step and entity.
type txnCache struct {
	tl  *timeline.Timeline
	txn map[int]*timeline.Txn
}

func newTxnCache(tl *timeline.Timeline) *txnCache {
	return &txnCache{tl: tl, txn: map[int]*timeline.Txn{}}
}

// at is event j's transaction, or nil when it is none.
func (c *txnCache) at(j int) *timeline.Txn {
	if tx, ok := c.txn[j]; ok {
		return tx
	}
	var tx *timeline.Txn
	if r := c.tl.Record(j); r.Kind == timeline.KindTxn {
		tx, _ = c.tl.EventOf(j, &r).Data.(*timeline.Txn)
	}
	c.txn[j] = tx
	return tx
}

// stepDone searches the transactions of the same host after ev for a
// command performing step st on one of ents (the step's own entity when it
// names one). It returns the first such event, or -1.
func stepDone(tl *timeline.Timeline, txns *txnCache, ev int, tx *timeline.Txn, st *Step, ents []string) int {
	best := -1
	for _, name := range ents {
		for _, j := range tl.ByEntity(name) {
			if int(j) <= ev || best >= 0 && int(j) >= best {
				continue
			}
			later := txns.at(int(j))
			if later == nil || later.Host != tx.Host {
				continue
			}
			for c := 0; c < later.Len(); c++ {
				if !slices.Contains(st.Commands, later.Class(c)) {
					continue
				}
				for _, e := range later.Ents(c) {
					if e.Kind == timeline.EntPrimary && slices.Contains(ents, later.Entity(e)) {
						best = int(j)
					}
				}
			}
		}
	}
	return best
}

// stepEntities is what a later command must act on to perform step st of
// a part's operation: the entity its "on" names, else any of the part's
// entities (and what its conditions name).
func stepEntities(tx *timeline.Txn, p *txnPart, st *Step, all []string) []string {
	if st.On == "" {
		return all
	}
	if v := timeline.NormaliseEntity(lookup(tx, p.op, p.cmds[0], st.On)); v != "" {
		return []string{v}
	}
	return all
}

// buildFinding reports the intruding part in of transaction tx (event ev),
// committed inside owner's operation (nil when no part owns it).
func buildFinding(tl *timeline.Timeline, ev int, tx *timeline.Txn, in, owner *txnPart, parts []*txnPart) Finding {
	e := tl.Record(ev)
	txns := newTxnCache(tl)
	first := in.cmds[0]
	intruderEntity, ownerEntity, ownerOp := partSubjects(tx, in, owner)
	loss := lossOf(tl, txns, ev, tx, in)

	// The known issue (ovsdbapp's nested-transaction race) comes from
	// catalog/known_issues.yaml, which users may refine.
	f := Finding{Start: e.Time(), End: e.LastTime()}
	switch {
	case loss.lost != "":
		f.Severity, f.Confidence = High, ConfHigh
		if owner == nil || owner.op == nil {
			f.Confidence = ConfMedium
		}
	case len(in.missing) > 0:
		f.Severity, f.Confidence = Medium, ConfMedium // cut short, but repaired later
	default:
		f.Severity, f.Confidence = Medium, ConfMedium // two requests, both complete
	}
	f.Subject.Set("pid", tx.PID)
	f.Subject.Set("host", tx.Host)
	f.Subject.Set("intruder", tx.Class(first))
	f.Subject.Set("intruder_entity", intruderEntity)
	f.Subject.Set("txn_entity", ownerEntity)
	f.Subject.Set("lost", loss.lost)
	f.Title = fmt.Sprintf("ovsdbapp transaction of pid %d committed %s of %s inside %s of %s", tx.PID, tx.Class(first), intruderEntity, ownerOp, ownerEntity)
	if loss.lost != "" {
		f.Title += ": " + joinAnd(loss.lostItems) + " lost"
	}

	corr := corroborate(tl, txns, tx, in, intruderEntity)
	f.Evidence = txnEvidence(tl, ev, tx, corr, loss.repairs)
	f.Explanation = txnExplanation(tl, &e, tx, in, parts, intruderEntity, loss, corr)
	return f
}

// partSubjects names what the intruding part and the part that owns the
// transaction are about, and the owner's operation.
func partSubjects(tx *timeline.Txn, in, owner *txnPart) (intruderEntity, ownerEntity, ownerOp string) {
	first := in.cmds[0]
	if in.op != nil {
		intruderEntity = lookup(tx, in.op, first, "subject")
	}
	if intruderEntity == "" {
		intruderEntity = tx.Primary(first)
	}
	ownerOp = "an unknown operation"
	if owner != nil {
		if owner.op != nil {
			ownerEntity = lookup(tx, owner.op, owner.cmds[0], "subject")
			ownerOp = owner.op.Name
		}
		if ownerEntity == "" {
			ownerEntity = tx.Primary(owner.cmds[0])
		}
	}
	return intruderEntity, ownerEntity, ownerOp
}

// txnLoss is what the intruding operation needed and never got.
type txnLoss struct {
	lost      string   // what it did and what was never added; "" when nothing stayed lost
	lostItems []string // the steps never done
	repaired  []string // the steps later transactions did
	repairs   []int    // those transactions' events, at most maxRepairs
}

// lossOf checks the intruding part's missing steps against the host's later
// transactions, which may still have done them (a maintenance task repairs
// what it finds).
func lossOf(tl *timeline.Timeline, txns *txnCache, ev int, tx *timeline.Txn, in *txnPart) txnLoss {
	var l txnLoss
	if in.op == nil {
		return l
	}
	first := in.cmds[0]
	searchEnts := slices.Clone(in.ents)
	for _, k := range in.missing {
		st := &in.op.Steps[k]
		if st.When != "" {
			if v := timeline.NormaliseEntity(lookup(tx, in.op, first, st.When)); v != "" && !slices.Contains(searchEnts, v) {
				searchEnts = append(searchEnts, v)
			}
		}
	}
	for _, k := range in.missing {
		st := &in.op.Steps[k]
		text := fill(st.Lost, func(key string) string { return lookup(tx, in.op, first, key) })
		if text == "" {
			text = strings.Join(st.Commands, "/")
		}
		if j := stepDone(tl, txns, ev, tx, st, stepEntities(tx, in, st, searchEnts)); j >= 0 {
			if !slices.Contains(l.repaired, text) {
				l.repaired = append(l.repaired, text)
			}
			if len(l.repairs) < maxRepairs && !slices.Contains(l.repairs, j) {
				l.repairs = append(l.repairs, j)
			}
		} else if !slices.Contains(l.lostItems, text) {
			l.lostItems = append(l.lostItems, text)
		}
	}
	l.lostItems = slices.DeleteFunc(l.lostItems, func(s string) bool { return slices.Contains(l.repaired, s) })
	if len(l.lostItems) > 0 {
		did := fill(in.op.Steps[0].Done, func(key string) string { return lookup(tx, in.op, first, key) })
		l.lost = joinAnd(l.lostItems) + " never added"
		if did != "" {
			l.lost = did + "; " + l.lost
		}
	}
	return l
}

// txnEvidence cites what corroborates the race, every command line of the
// transaction, and the later transactions that repaired it.
func txnEvidence(tl *timeline.Timeline, ev int, tx *timeline.Txn, corr corroboration, repairs []int) []Evidence {
	src := tl.Sources[tl.Record(ev).Src].Path
	out := append([]Evidence(nil), corr.evidence...)
	for i := 0; i < tx.Len(); i++ {
		out = append(out, Evidence{
			Source: src, Pos: timeline.At(timeline.Pos{Line: tx.Cmds()[i].Line}),
			Time: tx.Detail.Times[i], Text: tx.Detail.Raw[i], Event: ev,
		})
	}
	for _, j := range repairs {
		out = append(out, EventEvidence(tl, j))
	}
	return out
}

func pronoun(n int) string {
	if n == 1 {
		return "it"
	}
	return "them"
}

// joinAnd joins "a", "a and b", "a, b and c".
func joinAnd(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// corroboration is what other artifacts say about the intruder's entities:
// the symptom (a test that could not reach a floating IP, unanswered ARP,
// an ARP responder never hit) and the missing port in an OVN snapshot.
type corroboration struct {
	evidence []Evidence
	story    string
}

func corroborate(tl *timeline.Timeline, txns *txnCache, tx *timeline.Txn, in *txnPart, intruderEntity string) corroboration {
	var c corroboration
	router := timeline.NormaliseEntity(intruderEntity)
	gw := ""
	if in.op != nil {
		for _, st := range in.op.Steps {
			if st.When != "" {
				gw = lookup(tx, in.op, in.cmds[0], st.When)
				break
			}
		}
	}
	// The addresses the intruder's entity answers for: NAT rules set on
	// it by any transaction, NAT entries of its OVN snapshot.
	var ips []netip.Addr
	addIP := func(s string) {
		if ip, err := netip.ParseAddr(s); err == nil && !slices.Contains(ips, ip.Unmap()) {
			ips = append(ips, ip.Unmap())
		}
	}
	type snapshot struct {
		ev int
		r  *timeline.OVNRouter
	}
	var snapshots []snapshot
	for _, j := range tl.ByEntity(router) {
		r := tl.Record(int(j))
		switch r.Kind {
		case timeline.KindTxn:
			d := txns.at(int(j))
			if d == nil || d.Host != tx.Host {
				continue
			}
			for ci := 0; ci < d.Len(); ci++ {
				onRouter := false
				for _, e := range d.Ents(ci) {
					if e.Kind == timeline.EntPrimary && d.Entity(e) == router {
						onRouter = true
					}
				}
				for _, e := range d.Ents(ci) {
					if onRouter && e.Kind == timeline.EntIP {
						addIP(d.Entity(e))
					}
				}
			}
		case timeline.KindOVN:
			d, ok := tl.EventOf(int(j), &r).Data.(*timeline.OVNRouter)
			if ok && timeline.NormaliseEntity(d.Name) == router {
				snapshots = append(snapshots, snapshot{int(j), d})
				for _, n := range d.NATs {
					addIP(n.ExternalIP)
				}
			}
		}
	}
	slices.SortFunc(ips, func(a, b netip.Addr) int { return a.Compare(b) })

	var symptoms, arps, flows []Evidence
	var symStory, arpStory, flowStory, story []string
	for _, ip := range ips {
		var reqs []int
		replies, nSym := 0, 0
		for _, j := range tl.ByIP(ip) {
			r := tl.Record(int(j))
			if d, ok := r.ARPRec(); ok {
				if d.Op == 1 && d.TPA == ip && d.Class == timeline.ARPRequest {
					reqs = append(reqs, int(j))
				}
				if d.Op == 2 && d.SPA == ip {
					replies++
				}
				continue
			}
			if r.Kind != timeline.KindSymptom && r.Kind != timeline.KindOVN {
				continue
			}
			e := tl.EventOf(int(j), &r)
			switch d := e.Data.(type) {
			case *timeline.Symptom:
				if d.IP == ip && nSym < maxSymptoms {
					symptoms = append(symptoms, evidenceOf(tl, int(j), &r, &e))
					nSym++
					symStory = append(symStory, fmt.Sprintf("the test failed on %s (%s)", ip, d.What))
				}
			case *timeline.OVNFlow:
				if d.TPA == ip && d.NPackets == 0 {
					flows = append(flows, evidenceOf(tl, int(j), &r, &e))
					flowStory = append(flowStory, fmt.Sprintf("the ARP flow for %s never matched a packet (n_packets=0)", ip))
				}
			}
		}
		if len(reqs) > 0 && replies == 0 {
			arps = append(arps, EventEvidence(tl, reqs[0]))
			if len(reqs) > 1 {
				arps = append(arps, EventEvidence(tl, reqs[len(reqs)-1]))
			}
			arpStory = append(arpStory, fmt.Sprintf("%d ARP request(s) for %s went unanswered", len(reqs), ip))
		}
	}
	// The story reads symptom → what the wire showed → OVN's state.
	story = append(append(append(story, symStory...), arpStory...), flowStory...)
	var snaps []Evidence
	for _, sn := range snapshots {
		r := sn.r
		// When the gateway port's name is known, its absence is what
		// counts: since neutron 29 gateway ports use HA_Chassis_Group,
		// which `show` does not print, so "gateway chassis" alone would
		// call a healthy gateway port missing.
		missing := r.GatewayPort() == nil
		if gw != "" {
			missing = !r.HasPort("lrp-" + gw)
		}
		if missing {
			snaps = append(snaps, EventEvidence(tl, sn.ev))
			what := "no gateway port"
			if gw != "" {
				what = "no gateway port lrp-" + gw
			}
			if len(r.NATs) > 0 {
				what += fmt.Sprintf(" although it has %d NAT entr%s", len(r.NATs), map[bool]string{true: "y", false: "ies"}[len(r.NATs) == 1])
			}
			story = append(story, fmt.Sprintf("OVN's northbound database shows router %s with %s", r.Name, what))
		}
	}
	// The Northbound database file's own record, where one was analysed.
	dbEv, dbStory := ovsdbRouterRecord(tl, router, gw)
	snaps, story = append(snaps, dbEv...), append(story, dbStory...)
	c.evidence = append(append(append(append(c.evidence, symptoms...), arps...), flows...), snaps...)
	if len(story) > 0 {
		c.story = "Corroboration: " + strings.Join(dedupStrings(story), "; ") + "."
	}
	return c
}

func dedupStrings(xs []string) []string {
	var out []string
	for _, x := range xs {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}
