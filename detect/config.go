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

	// Grace is how long an observer may keep using an IP's old MAC after it
	// was announced at a new one before stale-mac fires: DELAY (5 s) + three
	// unicast probes (3 s) + resolution, with slack.
	Grace time.Duration
	// Locktime is the kernel's neigh locktime (net.ipv4.neigh.*.locktime).
	Locktime time.Duration
	// LocktimeSlack widens the locktime comparison by one jiffy at HZ=100:
	// whether a GARP exactly one second after the last update is inside
	// locktime depends on jiffy rounding, so treat it as inside.
	LocktimeSlack time.Duration
	// UnansweredWait is how long after an ARP request a reply may still
	// arrive; requests this close to the end of a capture are not judged.
	UnansweredWait time.Duration

	// NeighSlack widens a neighbour-table cycle's window when missing-probe
	// looks for the host's ARP requests and connection attempts: `date` and
	// `ip neigh` run a moment apart, and a capture and a dump come from
	// different programs' clocks.
	NeighSlack time.Duration
	// PinnedUpdated is the largest `ip -s` updated age missing-probe reads
	// as "pinned" by ignored ARP updates while GARPs arrive (the pre-4.12
	// fingerprint): ages are whole seconds, and GARPs come a second apart.
	PinnedUpdated time.Duration

	// MACBindingGrace is how long an OVN MAC_Binding may keep an IP's old
	// MAC after the databases moved the IP (stale-mac-binding).
	MACBindingGrace time.Duration

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

// Defaults are the kernel's defaults and the contract's grace.
func Defaults() Config {
	return Config{
		Grace:           15 * time.Second,
		Locktime:        time.Second,
		LocktimeSlack:   10 * time.Millisecond,
		UnansweredWait:  3 * time.Second,
		MaxFindings:     50,
		NeighSlack:      time.Second,
		PinnedUpdated:   time.Second,
		MACBindingGrace: DefaultMACBindingGrace,
		Catalog:         BuiltinCatalog(),
		TxnOperations:   DefaultOperations(),
	}
}
