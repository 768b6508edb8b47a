package html

import (
	"slices"
	"strings"
	"testing"
)

// TestTxnLadderOnSample builds the ladder from what the transaction reader
// and the interleaved-txn detector make of samples/txn-race.
func TestTxnLadderOnSample(t *testing.T) {
	_, d := sampleDiagram(t, "txn-race", "interleaved-txn", "txn-ladder")
	// Four rungs: three of the add-interface transaction (legend chip +3),
	// the intruding AddLRouterCommand (legend chip +1); two lost steps as
	// ghosts (a rung and its text each).
	for class, want := range map[string]int{"op-0": 4, "op-1": 2, "intruder": 1, "ghost": 4, "commit": 1} {
		if got := classCount(d, class); got != want {
			t.Errorf("%d %q shapes, want %d", got, class, want)
		}
	}
	l := labels(d)
	for _, want := range []string{"AddLRouterCommand  name=neutron-cc163b42", "◀ intruder", "never ran: gateway port lrp-8dc49792", "never ran: default route", "ovsdbapp transaction of pid 32314"} {
		if !strings.Contains(l, want) {
			t.Errorf("label %q missing; labels:\n%s", want, l)
		}
	}
	// The intruder is the rung at idx 2.
	lines := strings.Split(l, "\n")
	i := slices.IndexFunc(lines, func(s string) bool { return strings.HasPrefix(s, "AddLRouterCommand") })
	if i < 1 || lines[i-1] != "2" {
		t.Errorf("the intruding command is not at idx 2:\n%s", l)
	}
}

func TestLostItems(t *testing.T) {
	for _, tc := range []struct {
		lost string
		want []string
	}{
		{"router neutron-cc163b42 created; gateway port lrp-8dc49792 and default route never added", []string{"gateway port lrp-8dc49792", "default route"}},
		{"gateway port lrp-1, NAT rule and default route never added", []string{"gateway port lrp-1", "NAT rule", "default route"}},
		{"", nil},
		{"router X created; never added", nil},
	} {
		if got := lostItems(tc.lost); !slices.Equal(got, tc.want) {
			t.Errorf("lostItems(%q) = %q, want %q", tc.lost, got, tc.want)
		}
	}
}
