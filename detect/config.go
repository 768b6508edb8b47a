package detect

import "time"

// Config holds the detectors' thresholds and switches. The zero value is not
// useful; start from Defaults. Issue-specific knobs live next to the
// detector that reads them.
type Config struct {
	// Disabled turns detectors off by name.
	Disabled map[string]bool
	// Severity overrides a detector's severities (every finding of that
	// detector gets this severity).
	Severity map[string]Severity

	// Locktime is the kernel's neigh locktime (net.ipv4.neigh.*.locktime).
	Locktime time.Duration
	// LocktimeSlack widens the locktime comparison by one jiffy at HZ=100:
	// whether a GARP exactly one second after the last update is inside
	// locktime depends on jiffy rounding, so treat it as inside.
	LocktimeSlack time.Duration

	// A detector's own thresholds are the fields of its knobs struct,
	// declared beside it with their defaults in its Thresholds (Grace is
	// stale-mac's).
	staleMACKnobs
	arpUnansweredKnobs
	missingProbeKnobs
	staleMACBindingKnobs

	// MaxFindings caps each detector's findings: beyond it the least severe
	// and smallest are counted in one summary finding (see Findings). 0 is
	// no cap.
	MaxFindings int

	// Catalog names the known upstream bug behind a finding (the user's
	// entries first, then the built-in ones).
	Catalog []CatalogEntry
	// TxnOperations is the known-operations catalog interleaved-txn matches
	// transaction parts against: DefaultOperations, plus what --config
	// adds through MergeOperations. Nil means DefaultOperations.
	TxnOperations []Operation

	// facts is shared by the detectors of one Run; nil outside Run.
	facts *runFacts
}

// Defaults are the kernel's defaults and the contract's grace: every
// threshold's Default, shared or a detector's.
func Defaults() Config {
	c := Config{Catalog: BuiltinCatalog(), TxnOperations: DefaultOperations()}
	for _, t := range Thresholds() {
		t.reset(&c)
	}
	return c
}
