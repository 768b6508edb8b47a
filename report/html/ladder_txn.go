package html

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/arpforensics/arpforensics/detect"
	"github.com/arpforensics/arpforensics/internal/safetext"
	"github.com/arpforensics/arpforensics/timeline"
)

// txnLadder gathers an interleaved-txn finding's picture: the transaction
// it cites (the one of the subject's pid whose commands fall apart), its
// commands grouped into operations by the entities they share, the
// intruder's operation told apart, and what that operation lost (from the
// subject) as ghost rungs.
func txnLadder(ctx *diagramCtx, f *detect.Finding) *Diagram {
	tl := ctx.tl
	pid, _ := strconv.Atoi(f.Subject.String("pid"))
	var tx *timeline.Txn
	for _, i := range cited(ctx, f) {
		t, ok := tl.Payload(i).(*timeline.Txn)
		if !ok || t.Len() == 0 || (pid != 0 && t.PID != pid) {
			continue
		}
		if tx == nil || (tx.Parts <= 1 && t.Parts > 1) {
			tx = t
		}
	}
	if tx == nil {
		return nil
	}
	n := tx.Len()

	// Operations: the detector's own grouping of the commands by the
	// entities they share, so the picture shows exactly what it judged.
	// A command that names no entity is an operation of its own.
	part := make([]int, n)
	for i := range part {
		part[i] = -1 - i
	}
	for p, cmds := range detect.TxnParts(tx) {
		for _, c := range cmds {
			part[c] = p
		}
	}
	find := func(i int) int { return part[i] }
	has := func(i int, entity string) bool {
		entity = timeline.NormaliseEntity(entity)
		for _, e := range tx.Ents(i) {
			if tx.Entity(e) == entity {
				return true
			}
		}
		return false
	}

	// The intruder: the subject's command class on the subject's entity.
	intruderClass, intruderEnt := f.Subject.String("intruder"), f.Subject.String("intruder_entity")
	intruder := -1
	for i := 0; i < n && intruder < 0; i++ {
		if tx.Class(i) == intruderClass && (intruderEnt == "" || has(i, intruderEnt)) {
			intruder = i
		}
	}
	for i := 0; i < n && intruder < 0; i++ {
		if tx.Class(i) == intruderClass {
			intruder = i
		}
	}
	// Colours: the transaction's own operation 0, the intruder's 1, any
	// other part 2, 3, …
	txnEnt := f.Subject.String("txn_entity")
	ownRoot := -1
	for i := 0; i < n && ownRoot < 0; i++ {
		if txnEnt != "" && has(i, txnEnt) && (intruder < 0 || find(i) != find(intruder)) {
			ownRoot = find(i)
		}
	}
	for i := 0; i < n && ownRoot < 0; i++ {
		if intruder < 0 || find(i) != find(intruder) {
			ownRoot = find(i)
		}
	}
	colour := map[int]int{}
	if ownRoot >= 0 {
		colour[ownRoot] = 0
	}
	if intruder >= 0 {
		colour[find(intruder)] = 1
	}
	next := 2
	for i := 0; i < n; i++ {
		if _, ok := colour[find(i)]; !ok {
			colour[find(i)] = next
			next++
		}
	}

	in := &ladderInput{
		Title: fmt.Sprintf("ovsdbapp transaction of pid %d on %s", tx.PID, hostPhrase(tx.Host)),
		Parts: make([]string, max(next, 2)),
		Lost:  safetext.Terminal(f.Subject.String("lost")),
	}
	if tx.Attempts > 1 {
		in.Title += fmt.Sprintf(" (n=%d after TRY_AGAIN)", tx.Attempts)
	}
	in.Parts[0] = "this transaction's operation"
	if txnEnt != "" {
		in.Parts[0] += " on " + shortEntity(txnEnt)
	}
	if intruder >= 0 {
		in.Parts[1] = "another request's " + intruderClass
		if intruderEnt != "" {
			in.Parts[1] += " on " + shortEntity(intruderEnt)
		}
	}
	for k := 2; k < next; k++ {
		in.Parts[k] = "unrelated commands"
	}
	for i := 0; i < n; i++ {
		c := ladderCmd{Idx: tx.FirstIdx + i, Class: tx.Class(i), Entity: cmdEntity(tx, i), Part: colour[find(i)], Intruder: i == intruder}
		if d := tx.Detail; d != nil {
			if i < len(d.Times) {
				c.Time = d.Times[i]
			}
			if i < len(d.Raw) {
				c.Tip = safetext.Terminal(d.Raw[i])
			}
		}
		in.Cmds = append(in.Cmds, c)
	}
	for _, item := range lostItems(f.Subject.String("lost")) {
		in.Cmds = append(in.Cmds, ladderCmd{Class: safetext.Terminal(item), Part: 1, Ghost: true})
	}
	switch tx.Outcome {
	case timeline.TxnNoStatus:
		in.Outcome = "committed (ovsdbapp logs no status on success)"
	case timeline.TxnSucceeded:
		in.Outcome = "committed"
	default:
		in.Outcome = "ended: " + tx.Outcome.String()
	}
	return ladder(in)
}

// cmdEntity is what command i acts on, as key=value ("name=neutron-…"),
// the value as logged when the transaction kept its arguments.
func cmdEntity(tx *timeline.Txn, i int) string {
	for _, e := range tx.Ents(i) {
		if e.Kind == timeline.EntPrimary {
			key, val := tx.Name(e.Key), tx.Entity(e)
			if raw := tx.Detail.Arg(i, key); raw != "" { // as logged: neutron-…, lrp-…
				val = strings.Trim(raw, `'"`)
				val = strings.TrimPrefix(strings.TrimPrefix(val, "u'"), `u"`)
			}
			return safetext.Terminal(key + "=" + val)
		}
	}
	return ""
}

// lostItems splits the subject's lost ("router X created; gateway port Y
// and default route never added") into what never happened.
func lostItems(lost string) []string {
	if _, after, ok := strings.Cut(lost, "; "); ok {
		lost = after
	}
	lost = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(lost), "never added"))
	if lost == "" {
		return nil
	}
	var out []string
	for _, part := range strings.Split(lost, ", ") {
		for _, item := range strings.Split(part, " and ") {
			if item = strings.TrimSpace(item); item != "" {
				out = append(out, item)
			}
		}
	}
	return out
}

// shortEntity shortens a UUID-named entity for a legend: "neutron-cc163b42…".
func shortEntity(s string) string {
	s = safetext.Terminal(s)
	if r := []rune(s); len(r) > 22 {
		return string(r[:21]) + "…"
	}
	return s
}
