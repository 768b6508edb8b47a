package txnlog

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/arpforensics/arpforensics/internal/golden"
	"github.com/arpforensics/arpforensics/parse"
	"github.com/arpforensics/arpforensics/timeline"
)

// dump renders everything a source and its events say, for golden files:
// accounting, problems, and each event's summary, fields, keys and raw text.
var dump = golden.Dump{Basis: true, End: true, Keys: true, Raw: true}

var nonWord = regexp.MustCompile(`[^a-z0-9]+`)

// TestGolden reads every corpus group and the Octavia console log.
func TestGolden(t *testing.T) {
	opts := parse.Options{ModTime: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	for i, g := range readCorpus(t) {
		name := fmt.Sprintf("corpus-%02d-%s", i, strings.Trim(nonWord.ReplaceAllString(strings.ToLower(g.source), "-"), "-"))
		if len(name) > 60 {
			name = name[:60]
		}
		t.Run(name, func(t *testing.T) {
			src, evs := parseString(t, g.text(), opts)
			golden.Check(t, filepath.Join("testdata", "golden", name+".golden"), dump.Of(src, evs))
		})
	}
	t.Run("octavia-sync", func(t *testing.T) {
		data, err := os.ReadFile("testdata/octavia-sync.log")
		if err != nil {
			t.Fatal(err)
		}
		src, evs := parseString(t, string(data), opts)
		for _, e := range evs {
			if tx, ok := e.Data.(*timeline.Txn); ok && tx.Parts != 1 {
				t.Errorf("%s: %d parts, want 1", e.Pos, tx.Parts)
			}
		}
		if n := len(txns(evs)); n != 10 {
			t.Errorf("%d transactions, want 10", n)
		}
		golden.Check(t, filepath.Join("testdata", "golden", "octavia-sync.golden"), dump.Of(src, evs))
	})
}

// FuzzParse feeds arbitrary text to the whole reader: it must not panic,
// and what it returns must be consistent with the input.
func FuzzParse(f *testing.F) {
	// Seeds are kept small (a few lines each): larger ones are minimised
	// for the first minute before fuzzing starts.
	for _, g := range readCorpus(f) {
		if t := g.text(); len(t) <= 2048 {
			f.Add(t)
		}
		for _, l := range g.lines {
			f.Add(l.text + "\n")
		}
	}
	if data, err := os.ReadFile("testdata/octavia-sync.log"); err == nil {
		f.Add(string(data[:min(len(data), 2048)]))
	}
	f.Add(cmdLine("17:09:17.276", 32314, 1, 0, addPort) + "\n" + cmdLine("17:09:17.277", 32314, 1, 1, setPort) + "\n" +
		cmdLine("17:09:17.278", 32314, 1, 2, addR2) + "\n" + cmdLine("17:09:17.279", 32314, 1, 3, addNAT))
	f.Fuzz(func(t *testing.T, input string) {
		src := &timeline.Source{Path: "fuzz", Host: "h"}
		var left int // events made but never handed to the sink
		evs, err := parse.Collect(func(r io.Reader, src *timeline.Source, opts parse.Options, out *timeline.Sink) error {
			p := newParser(src, opts, out)
			p.run(r, 0)
			err := p.finish()
			left = p.events.live
			return err
		}, strings.NewReader(input), src, parse.Options{ModTime: time.Unix(0, 0)})
		if err != nil {
			t.Fatal(err)
		}
		if left != 0 {
			t.Fatalf("%d event(s) never handed to the sink", left)
		}
		lines := int64(strings.Count(input, "\n"))
		if input != "" && !strings.HasSuffix(input, "\n") {
			lines++
		}
		if src.Records != lines {
			t.Fatalf("records %d, input has %d lines", src.Records, lines)
		}
		if src.Skipped < 0 || src.Skipped > src.Records {
			t.Fatalf("skipped %d of %d", src.Skipped, src.Records)
		}
		for i, e := range evs {
			if e.Pos.Line < 1 || e.Pos.Line > src.Records || e.Pos.Offset < 0 || e.Pos.Offset > int64(len(input)) {
				t.Fatalf("event %d at %+v outside the input", i, e.Pos)
			}
			if i > 0 && cmpEvents(evs[i-1], e) > 0 {
				t.Fatalf("events %d and %d out of order", i-1, i)
			}
			if e.End.Before(e.Time) && !e.End.IsZero() {
				t.Fatalf("event %d ends before it starts", i)
			}
			_ = e.Data.Summary()
			_ = e.Data.Fields()
			var k timeline.Keys
			e.Data.AppendKeys(&k)
			if tx, ok := e.Data.(*timeline.Txn); ok {
				if tx.Len() == 0 || tx.Parts < 1 {
					t.Fatalf("transaction with %d commands, %d parts", tx.Len(), tx.Parts)
				}
				for _, c := range tx.Cmds() {
					if c.Line < e.Pos.Line || c.Line > src.Records {
						t.Fatalf("command at line %d, transaction at %s", c.Line, e.Pos)
					}
				}
				if tx.Detail != nil && len(tx.Detail.Raw) != tx.Len() {
					t.Fatalf("detail for %d of %d commands", len(tx.Detail.Raw), tx.Len())
				}
			}
		}
	})
}

func TestSniff(t *testing.T) {
	yes := map[string]string{
		"oslo.log file":       "2022-02-10 16:09:19.398 1591 INFO neutron.agent.l3.agent [-] Agent has just been revived.\n",
		"command line only":   "garbage\nRunning txn n=1 command(idx=0): X()\n",
		"devstack journal":    "Jul 02 21:41:47 central neutron-server[92593]: INFO neutron.wsgi [None req-f7c03e90-84c2-4851-8ffc-35bdfc7f417c admin admin] 192.168.150.100 \"POST /v2.0/floatingips HTTP/1.1\" status: 201\n",
		"pebble":              "2025-05-14T04:32:56.290Z [neutron-server] 2025-05-14 04:32:56.286 29 INFO ovsdbapp.backend.ovs_idl.vlog [-] ssl:10.1.0.67:6641: connecting...\x1b[00m\n",
		"console, colours":    "\x1b[00;32mDEBUG neutron.wsgi [\x1b[00;36m-\x1b[00;32m] hello\x1b[00m\n",
		"octavia provider":    "INFO ovn_octavia_provider.driver [-] Starting sync OVN DB with Loadbalancer lb1\n",
		"networking-ovn 2018": "2018-09-18 17:09:17.276 32314 INFO networking_ovn.common.ovn_client [-] x\n",
	}
	no := map[string]string{
		"tempest":                    "2018-09-18 17:09:17,276 13788 ERROR [tempest.lib.common.ssh] Failed to establish authenticated ssh connection to cirros@172.24.5.13 after 15 attempts\n",
		"tcpdump in journal":         "Sep 18 17:09:17.644405 ubuntu-xenial-ovh-bhs1-0002095917 tcpdump[28445]: 17:09:17.275597 1e:d5:ec:49:df:4f > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 172.24.5.13 tell 172.24.5.1, length 28\n",
		"nova":                       "2018-09-18 17:09:17.276 3 INFO nova.compute.manager [-] x\n",
		"ip neigh":                   "10.0.0.1 dev eth0 lladdr fa:16:3e:11:11:11 REACHABLE\n",
		"nbctl show":                 "router 25ee01 (neutron-aa4793) (aka router1)\n    port lrp-a01c3b\n",
		"a report quoting txn lines": "{\n  \"evidence\": [\n    {\"text\": \"2018-09-18 17:06:05.276 32314 DEBUG ovsdbapp.backend.ovs_idl.transaction [-] Running txn n=1 command(idx=0): AddLRouterPortCommand(name=lrp-0b6d)\"}\n",
		"a document quoting one":     "The line\n\n    2018-09-18 17:06:05.276 32314 DEBUG ovsdbapp.backend.ovs_idl.transaction [-] Running txn n=1 command(idx=2): AddLRouterCommand(name=x)\n\nshows it.\n",
	}
	for name, head := range yes {
		if !Sniff([]byte(head)) {
			t.Errorf("%s: not recognised", name)
		}
	}
	for name, head := range no {
		if Sniff([]byte(head)) {
			t.Errorf("%s: recognised", name)
		}
	}
}

func cmpEvents(a, b timeline.Event) int {
	if c := a.Time.Compare(b.Time); c != 0 {
		return c
	}
	switch {
	case a.Pos.Less(b.Pos):
		return -1
	case b.Pos.Less(a.Pos):
		return 1
	}
	return 0
}
