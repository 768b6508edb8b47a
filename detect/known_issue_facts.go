package detect

// The facts of the built-in known issues that the detectors' explanations
// cite (catalog/known_issues.yaml, each entry's "facts:"), read once at
// start so that the prose never repeats a version or a commit id.

// linuxFix is linux-garp-locktime's: the kernel release that fixed it and
// its two commits (stale-mac, garp-locktime, missing-probe).
var linuxFix = struct {
	version           string // "4.12"
	timestamps        string // the commit that bumps timestamps only on effective updates
	timestampsSubject string // its subject line
	garpReply         string // the commit that reads reply-type GARPs as gratuitous
}{
	fact(issueLinuxLocktime, "fixed"),
	fact(issueLinuxLocktime, "timestamps_fix"),
	fact(issueLinuxLocktime, "timestamps_fix_subject"),
	fact(issueLinuxLocktime, "garp_reply_fix"),
}

// ovsdbappFix is ovsdbapp-nested-transaction's (interleaved-txn).
var ovsdbappFix = struct {
	version   string   // "0.13.0"
	backports []string // the stable branches' releases
}{
	fact(issueOvsdbappNested, "fixed"),
	factList(issueOvsdbappNested, "backports"),
}

// ovnAging is ovn-mac-binding-no-aging's (stale-mac-binding).
var ovnAging = struct {
	aging          string   // the release whose northd ages MAC_Binding rows
	rearp          string   // the release whose ovn-controller re-ARPs idle entries
	rearpBackports []string // the stable releases that got that too
}{
	fact(issueMACBindingAging, "aging"),
	fact(issueMACBindingAging, "rearp"),
	factList(issueMACBindingAging, "rearp_backports"),
}
