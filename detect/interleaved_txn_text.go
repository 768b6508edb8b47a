package detect

// interleaved-txn's explanation: the transaction's parts, the race that
// merged them, what stayed lost, and what to check.

import (
	"fmt"
	"strings"

	"github.com/arpforensics/arpforensics/timeline"
)

// txnExplanation tells the story of transaction tx (its record e): its
// parts, the intruder's operation, what stayed lost and how to fix it.
func txnExplanation(tl *timeline.Timeline, e *timeline.Record, tx *timeline.Txn, in *txnPart, parts []*txnPart, intruderEntity string, loss txnLoss, corr corroboration) string {
	src := tl.Sources[e.Src].Path
	first := in.cmds[0]
	opName := "a command of another request"
	if in.op != nil {
		opName = in.op.Name
	}
	var b strings.Builder
	idxs := func(p *txnPart) string {
		var s []string
		for _, c := range p.cmds {
			s = append(s, fmt.Sprintf("%d", tx.FirstIdx+c))
		}
		return strings.Join(s, ", ")
	}
	fmt.Fprintf(&b, "In process %d on %s, the ovsdbapp transaction logged at %s of %s (%d commands) holds commands of %d unrelated operations: ",
		tx.PID, tx.Host, e.Pos, src, tx.Len(), len(parts))
	var descr []string
	for _, p := range parts {
		name := "commands of an unknown operation"
		if p.op != nil {
			name = p.op.Name
			if len(p.missing) > 0 {
				name += " (incomplete)"
			}
		}
		subj := tx.Primary(p.cmds[0])
		if p.op != nil {
			if s := lookup(tx, p.op, p.cmds[0], "subject"); s != "" {
				subj = s
			}
		}
		descr = append(descr, fmt.Sprintf("%s of %s at idx %s", name, subj, idxs(p)))
	}
	b.WriteString(strings.Join(descr, "; ") + ". ")
	fmt.Fprintf(&b, "%s of %s (%s) does not belong to the transaction it was committed in. ", tx.Class(first), intruderEntity, opName)
	b.WriteString("ovsdbapp before " + ovsdbappFix.version + " (" + joinAnd(ovsdbappFix.backports) + " on stable branches) shared one nested transaction between the greenthreads of a process: a request that entered api.transaction() while another was inside its block added its commands to that block's transaction, which committed them, and whatever it added after that commit was never sent to OVSDB.")
	switch {
	case loss.lost != "":
		fmt.Fprintf(&b, "\n\nLost: %s; no later transaction of %s added %s.", loss.lost, tx.Host, pronoun(len(loss.lostItems)))
	case len(in.missing) > 0:
		fmt.Fprintf(&b, "\n\nThe operation was cut short, but later transactions of %s added what it lacked (%s), so nothing stayed lost.", tx.Host, joinAnd(loss.repaired))
	default:
		b.WriteString("\n\nBoth operations were complete in this transaction, so nothing was lost this time; the race that merged them can lose commands the next time.")
	}
	if len(loss.repaired) > 0 && loss.lost != "" {
		fmt.Fprintf(&b, " (Later transactions did add: %s.)", joinAnd(loss.repaired))
	}
	if corr.story != "" {
		b.WriteString("\n\n" + corr.story)
	}
	fmt.Fprintf(&b, "\n\nCheck the ovsdbapp version the neutron server ran (pip show ovsdbapp); upgrade to %s or later (%s), then recreate or repair what was lost.",
		ovsdbappFix.version, strings.Join(ovsdbappFix.backports, ", "))
	return b.String()
}
