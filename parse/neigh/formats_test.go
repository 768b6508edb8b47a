package neigh

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/arpforensics/arpforensics/parse"
	"github.com/arpforensics/arpforensics/timeline"
)

const corpusPath = "../../testdata/corpus/neigh/formats.txt"

// corpusRecord is one data record of the corpus: a line, or a JSON array
// spread over several lines (`ip -j -p`).
type corpusRecord struct {
	line int
	text string // the line, or the array's lines joined by "\n"
	json bool
}

// exampleInComment picks the source-derived example lines quoted inside
// comments ("#  < 4.17   : 10.0.0.7 dev eth0 lladdr … STALE,DELAY").
var exampleInComment = regexp.MustCompile(`^#  [<>=]*\s*[0-9][0-9.\-]*\s*: (.+)$`)

// readCorpus lists every data record of formats.txt: every line that is not
// a comment or blank, each multi-line JSON array as one record, and the
// example lines quoted in comments. Nothing else is skipped, so a line added
// to the corpus without an expectation fails the test.
func readCorpus(t testing.TB) []corpusRecord {
	t.Helper()
	f, err := os.Open(corpusPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []corpusRecord
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	n := 0
	var block *corpusRecord
	depth := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if block != nil {
			block.text += "\n" + line
			depth += strings.Count(line, "[") + strings.Count(line, "{") - strings.Count(line, "]") - strings.Count(line, "}")
			if depth == 0 {
				out = append(out, *block)
				block = nil
			}
			continue
		}
		if m := exampleInComment.FindStringSubmatch(line); m != nil {
			out = append(out, corpusRecord{line: n, text: m[1]})
			continue
		}
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		if strings.HasPrefix(line, "[ {") {
			block = &corpusRecord{line: n, text: line, json: true}
			depth = strings.Count(line, "[") + strings.Count(line, "{") - strings.Count(line, "]") - strings.Count(line, "}")
			continue
		}
		out = append(out, corpusRecord{line: n, text: line, json: strings.HasPrefix(line, "[{")})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if block != nil {
		t.Fatalf("line %d: JSON array not closed", block.line)
	}
	return out
}

// Expectations for every record of formats.txt, keyed by the exact text
// (trailing spaces included). The descriptions list every field the parser
// extracted; see describeEntry. Section 7 of the corpus is tcpdump output,
// shown there for reference: it must be refused, not misread.
var corpusWant = map[string]string{
	// §1 ip neigh, iproute2 ≥ 5.16 (trailing spaces)
	"10.0.0.100 dev eth0 lladdr 02:00:00:00:00:0a REACHABLE ":             "entry ip=10.0.0.100 dev=eth0 lladdr=02:00:00:00:00:0a state=REACHABLE",
	"10.0.0.100 dev eth0 lladdr 02:00:00:00:00:0b STALE ":                 "entry ip=10.0.0.100 dev=eth0 lladdr=02:00:00:00:00:0b state=STALE",
	"10.0.0.100 dev eth0 lladdr 02:00:00:00:00:0b DELAY ":                 "entry ip=10.0.0.100 dev=eth0 lladdr=02:00:00:00:00:0b state=DELAY",
	"10.0.0.100 dev eth0 lladdr 02:00:00:00:00:0b PROBE ":                 "entry ip=10.0.0.100 dev=eth0 lladdr=02:00:00:00:00:0b state=PROBE",
	"10.0.0.99 dev eth0 INCOMPLETE ":                                      "entry ip=10.0.0.99 dev=eth0 state=INCOMPLETE",
	"10.0.0.99 dev eth0 FAILED ":                                          "entry ip=10.0.0.99 dev=eth0 state=FAILED",
	"10.0.0.50 dev eth0 lladdr 02:00:00:00:00:50 PERMANENT ":              "entry ip=10.0.0.50 dev=eth0 lladdr=02:00:00:00:00:50 state=PERMANENT",
	"10.0.0.51 dev eth0 lladdr 02:00:00:00:00:51 NOARP ":                  "entry ip=10.0.0.51 dev=eth0 lladdr=02:00:00:00:00:51 state=NOARP",
	"10.0.0.52 dev eth0 lladdr 02:00:00:00:00:52 REACHABLE proto static ": "entry ip=10.0.0.52 dev=eth0 lladdr=02:00:00:00:00:52 state=REACHABLE proto=static",
	"10.0.0.52 dev eth0 FAILED proto static ":                             "entry ip=10.0.0.52 dev=eth0 state=FAILED proto=static",
	"fd00::2 dev eth0 lladdr 02:00:00:00:00:0a router REACHABLE ":         "entry ip=fd00::2 dev=eth0 lladdr=02:00:00:00:00:0a state=REACHABLE flags=router",
	"fd00::9 dev eth0 lladdr 02:00:00:00:00:09 router STALE ":             "entry ip=fd00::9 dev=eth0 lladdr=02:00:00:00:00:09 state=STALE flags=router",
	"fe80::ff:fe00:a dev eth0 lladdr 02:00:00:00:00:0a router DELAY ":     "entry ip=fe80::ff:fe00:a dev=eth0 lladdr=02:00:00:00:00:0a state=DELAY flags=router",
	"ff02::1:ff00:2 dev eth0 lladdr 33:33:ff:00:00:02 NOARP ":             "entry ip=ff02::1:ff00:2 dev=eth0 lladdr=33:33:ff:00:00:02 state=NOARP",
	"0.0.0.0 dev lo lladdr 00:00:00:00:00:00 NOARP ":                      "entry ip=0.0.0.0 dev=lo lladdr=00:00:00:00:00:00 state=NOARP",
	"192.0.2.1 dev eth0 lladdr 02:fc:00:00:00:05 DELAY ":                  "entry ip=192.0.2.1 dev=eth0 lladdr=02:fc:00:00:00:05 state=DELAY",
	"fd00::1 dev eth0 FAILED ":                                            "entry ip=fd00::1 dev=eth0 state=FAILED",
	// `ip neigh show dev eth0`: no dev token
	"10.0.0.100 lladdr 02:00:00:00:00:0a REACHABLE ": "entry ip=10.0.0.100 lladdr=02:00:00:00:00:0a state=REACHABLE",
	"10.0.0.2 lladdr 02:00:00:00:00:0a STALE ":       "entry ip=10.0.0.2 lladdr=02:00:00:00:00:0a state=STALE",
	"10.0.0.60 lladdr 02:00:00:00:00:60 PERMANENT ":  "entry ip=10.0.0.60 lladdr=02:00:00:00:00:60 state=PERMANENT",
	"10.0.0.77 dev eth0 proxy ":                      "entry ip=10.0.0.77 dev=eth0 state=NONE flags=proxy",
	// < 5.16: no trailing space, two spaces without lladdr
	"10.0.0.100 dev eth0 lladdr 02:00:00:00:00:0b STALE":      "entry ip=10.0.0.100 dev=eth0 lladdr=02:00:00:00:00:0b state=STALE",
	"10.0.0.100 dev eth0 lladdr 02:00:00:00:00:0a DELAY":      "entry ip=10.0.0.100 dev=eth0 lladdr=02:00:00:00:00:0a state=DELAY",
	"10.0.0.99 dev eth0  INCOMPLETE":                          "entry ip=10.0.0.99 dev=eth0 state=INCOMPLETE",
	"10.0.0.99 dev eth0  FAILED":                              "entry ip=10.0.0.99 dev=eth0 state=FAILED",
	"10.0.0.50 dev eth0 lladdr 02:00:00:00:00:50 PERMANENT":   "entry ip=10.0.0.50 dev=eth0 lladdr=02:00:00:00:00:50 state=PERMANENT",
	"10.0.0.61 dev eth0 lladdr 02:00:00:00:00:61 NOARP":       "entry ip=10.0.0.61 dev=eth0 lladdr=02:00:00:00:00:61 state=NOARP",
	"fd00::9 dev eth0 lladdr 02:00:00:00:00:09 router STALE":  "entry ip=fd00::9 dev=eth0 lladdr=02:00:00:00:00:09 state=STALE flags=router",
	"10.0.0.77 dev eth0  proxy":                               "entry ip=10.0.0.77 dev=eth0 state=NONE flags=proxy",
	"10.0.0.52 dev eth0 lladdr 02:00:00:00:00:52 REACHABLE":   "entry ip=10.0.0.52 dev=eth0 lladdr=02:00:00:00:00:52 state=REACHABLE",
	"10.0.0.100 lladdr 02:00:00:00:00:0a REACHABLE":           "entry ip=10.0.0.100 lladdr=02:00:00:00:00:0a state=REACHABLE",
	"2603:10e2:400:3::1 dev PortChannel19 router FAILED":      "entry ip=2603:10e2:400:3::1 dev=PortChannel19 state=FAILED flags=router",
	"10.0.0.1 dev eth2 lladdr 52:54:00:ac:fb:f4 STALE":        "entry ip=10.0.0.1 dev=eth2 lladdr=52:54:00:ac:fb:f4 state=STALE",
	"10.0.0.7 dev eth0 lladdr 02:00:00:00:00:07 STALE,DELAY":  "entry ip=10.0.0.7 dev=eth0 lladdr=02:00:00:00:00:07 state=STALE+DELAY",
	"10.0.0.7 dev eth0 lladdr 02:00:00:00:00:07 STALE DELAY":  "entry ip=10.0.0.7 dev=eth0 lladdr=02:00:00:00:00:07 state=STALE+DELAY",
	"10.0.0.7 dev eth0 lladdr 02:00:00:00:00:07 STALE DELAY ": "entry ip=10.0.0.7 dev=eth0 lladdr=02:00:00:00:00:07 state=STALE+DELAY",

	// §2 ip -s neigh, ≥ 5.16: "used A/B/Cprobes N"
	"10.0.0.100 dev eth0 lladdr 02:00:00:00:00:0b  used 3/11/3probes 1 STALE ":                      "entry ip=10.0.0.100 dev=eth0 lladdr=02:00:00:00:00:0b state=STALE used=3/11/3 probes=1 ref=0",
	"10.0.0.2 dev eth0 lladdr 02:00:00:00:00:0a  used 7/15/7probes 0 STALE ":                        "entry ip=10.0.0.2 dev=eth0 lladdr=02:00:00:00:00:0a state=STALE used=7/15/7 probes=0 ref=0",
	"10.0.0.100 dev eth0 lladdr 02:00:00:00:00:0b  ref 1 used 0/12/0probes 1 DELAY ":                "entry ip=10.0.0.100 dev=eth0 lladdr=02:00:00:00:00:0b state=DELAY used=0/12/0 probes=1 ref=1",
	"10.0.0.100 dev eth0 lladdr 02:00:00:00:00:0a  ref 1 used 0/7/3probes 4 DELAY ":                 "entry ip=10.0.0.100 dev=eth0 lladdr=02:00:00:00:00:0a state=DELAY used=0/7/3 probes=4 ref=1",
	"fd00::2 dev eth0 lladdr 02:00:00:00:00:0a router  ref 1 used 4/4/2probes 1 DELAY ":             "entry ip=fd00::2 dev=eth0 lladdr=02:00:00:00:00:0a state=DELAY flags=router used=4/4/2 probes=1 ref=1",
	"10.0.0.99 dev eth0  ref 1 used 1/9/1probes 4 INCOMPLETE ":                                      "entry ip=10.0.0.99 dev=eth0 state=INCOMPLETE used=1/9/1 probes=4 ref=1",
	"10.0.0.99 dev eth0  used 3/13/2probes 6 FAILED ":                                               "entry ip=10.0.0.99 dev=eth0 state=FAILED used=3/13/2 probes=6 ref=0",
	"10.0.0.50 dev eth0 lladdr 02:00:00:00:00:50  used 0/0/0probes 0 PERMANENT ":                    "entry ip=10.0.0.50 dev=eth0 lladdr=02:00:00:00:00:50 state=PERMANENT used=0/0/0 probes=0 ref=0",
	"10.0.0.52 dev eth0 lladdr 02:00:00:00:00:52  ref 1 used 0/0/0probes 0 REACHABLE proto static ": "entry ip=10.0.0.52 dev=eth0 lladdr=02:00:00:00:00:52 state=REACHABLE used=0/0/0 probes=0 ref=1 proto=static",
	"192.0.2.1 dev eth0 lladdr 02:fc:00:00:00:05  ref 1 used 0/0/1probes 4 DELAY ":                  "entry ip=192.0.2.1 dev=eth0 lladdr=02:fc:00:00:00:05 state=DELAY used=0/0/1 probes=4 ref=1",
	"fd00::1 dev eth0  used 293/353/290probes 6 FAILED ":                                            "entry ip=fd00::1 dev=eth0 state=FAILED used=293/353/290 probes=6 ref=0",
	"10.0.0.100 dev eth0 lladdr 02:00:00:00:00:0b used 3/11/3 probes 1 STALE":                       "entry ip=10.0.0.100 dev=eth0 lladdr=02:00:00:00:00:0b state=STALE used=3/11/3 probes=1 ref=0",
	"10.0.0.100 dev eth0 lladdr 02:00:00:00:00:0a ref 1 used 0/7/3 probes 4 DELAY":                  "entry ip=10.0.0.100 dev=eth0 lladdr=02:00:00:00:00:0a state=DELAY used=0/7/3 probes=4 ref=1",
	"fd00::2 dev eth0 lladdr 02:00:00:00:00:0a router ref 1 used 4/4/2 probes 1 DELAY":              "entry ip=fd00::2 dev=eth0 lladdr=02:00:00:00:00:0a state=DELAY flags=router used=4/4/2 probes=1 ref=1",
	"10.0.0.99 dev eth0  ref 1 used 0/9/1 probes 5 INCOMPLETE":                                      "entry ip=10.0.0.99 dev=eth0 state=INCOMPLETE used=0/9/1 probes=5 ref=1",
	"10.0.0.99 dev eth0  used 3/13/2 probes 6 FAILED":                                               "entry ip=10.0.0.99 dev=eth0 state=FAILED used=3/13/2 probes=6 ref=0",
	"10.0.0.50 dev eth0 lladdr 02:00:00:00:00:50 used 0/0/0 probes 0 PERMANENT":                     "entry ip=10.0.0.50 dev=eth0 lladdr=02:00:00:00:00:50 state=PERMANENT used=0/0/0 probes=0 ref=0",
	"fd00::1 dev eth0  used 393/453/390 probes 6 FAILED":                                            "entry ip=fd00::1 dev=eth0 state=FAILED used=393/453/390 probes=6 ref=0",
	"10.0.0.52 dev eth0 lladdr 02:00:00:00:00:52 ref 1 used 0/0/0 probes 0 REACHABLE proto static ": "entry ip=10.0.0.52 dev=eth0 lladdr=02:00:00:00:00:52 state=REACHABLE used=0/0/0 probes=0 ref=1 proto=static",
	"10.0.0.52  used 71/71/59probes 3 FAILED proto static ":                                         "entry ip=10.0.0.52 state=FAILED used=71/71/59 probes=3 ref=0 proto=static",
	"10.0.0.97  used 4/12/1probes 6 FAILED ":                                                        "entry ip=10.0.0.97 state=FAILED used=4/12/1 probes=6 ref=0",
	"*** Round 1, deleting 2 entries ***":                                                           "flush-round 2",
	"*** Flush is complete after 1 round ***":                                                       "flush-done",
	"Thu Jul  7 10:55:45 CST 2022":                                                                  "date 2022-07-07T10:55:45Z zone=CST",
	"172.20.0.139 dev cni0 lladdr 86:03:17:7a:eb:6e used 78/138/78 probes 0 STALE":                  "entry ip=172.20.0.139 dev=cni0 lladdr=86:03:17:7a:eb:6e state=STALE used=78/138/78 probes=0 ref=0",
	"Thu Jul  7 10:55:48 CST 2022 // at this time, I start to ping 172.20.0.139, the ping hangs":    "date 2022-07-07T10:55:48Z zone=CST",
	"172.20.0.139 dev cni0 lladdr 86:03:17:7a:eb:6e ref 1 used 0/141/0 probes 0 DELAY":              "entry ip=172.20.0.139 dev=cni0 lladdr=86:03:17:7a:eb:6e state=DELAY used=0/141/0 probes=0 ref=1",
	"172.20.0.139 dev cni0 lladdr 86:03:17:7a:eb:6e ref 1 used 0/146/0 probes 1 PROBE":              "entry ip=172.20.0.139 dev=cni0 lladdr=86:03:17:7a:eb:6e state=PROBE used=0/146/0 probes=1 ref=1",

	// §3 JSON (one description per entry, joined by " | ")
	`[{"dst":"10.0.0.100","dev":"eth0","lladdr":"02:00:00:00:00:0b","state":["STALE"]},{"dst":"10.0.0.2","dev":"eth0","lladdr":"02:00:00:00:00:0a","state":["STALE"]},{"dst":"fd00::2","dev":"eth0","lladdr":"02:00:00:00:00:0a","router":null,"state":["DELAY"]},{"dst":"fe80::ff:fe00:a","dev":"eth0","lladdr":"02:00:00:00:00:0a","router":null,"state":["REACHABLE"]}]`: "entry ip=10.0.0.100 dev=eth0 lladdr=02:00:00:00:00:0b state=STALE | " +
		"entry ip=10.0.0.2 dev=eth0 lladdr=02:00:00:00:00:0a state=STALE | " +
		"entry ip=fd00::2 dev=eth0 lladdr=02:00:00:00:00:0a state=DELAY flags=router | " +
		"entry ip=fe80::ff:fe00:a dev=eth0 lladdr=02:00:00:00:00:0a state=REACHABLE flags=router",
	`[{"dst":"10.0.0.100","dev":"eth0","lladdr":"02:00:00:00:00:0b","used":3,"confirmed":11,"updated":3,"probes":1,"state":["STALE"]},{"dst":"10.0.0.2","dev":"eth0","lladdr":"02:00:00:00:00:0a","used":7,"confirmed":15,"updated":7,"probes":0,"state":["STALE"]},{"dst":"fd00::2","dev":"eth0","lladdr":"02:00:00:00:00:0a","router":null,"refcnt":1,"used":4,"confirmed":4,"updated":2,"probes":1,"state":["DELAY"]},{"dst":"fe80::ff:fe00:a","dev":"eth0","lladdr":"02:00:00:00:00:0a","router":null,"refcnt":1,"used":2,"confirmed":2,"updated":2,"probes":1,"state":["REACHABLE"]}]`: "entry ip=10.0.0.100 dev=eth0 lladdr=02:00:00:00:00:0b state=STALE used=3/11/3 probes=1 ref=0 | " +
		"entry ip=10.0.0.2 dev=eth0 lladdr=02:00:00:00:00:0a state=STALE used=7/15/7 probes=0 ref=0 | " +
		"entry ip=fd00::2 dev=eth0 lladdr=02:00:00:00:00:0a state=DELAY flags=router used=4/4/2 probes=1 ref=1 | " +
		"entry ip=fe80::ff:fe00:a dev=eth0 lladdr=02:00:00:00:00:0a state=REACHABLE flags=router used=2/2/2 probes=1 ref=1",
	`[{"dst":"10.0.0.77","dev":"eth0","proxy":null}]`: "entry ip=10.0.0.77 dev=eth0 state=NONE flags=proxy",
	"[ {\n        \"dst\": \"10.0.0.52\",\n        \"dev\": \"eth0\",\n        \"state\": [ \"FAILED\" ],\n        \"protocol\": \"static\"\n    },{\n        \"dst\": \"10.0.0.97\",\n        \"dev\": \"eth0\",\n        \"state\": [ \"FAILED\" ]\n    },{\n        \"dst\": \"10.0.0.60\",\n        \"dev\": \"eth0\",\n        \"lladdr\": \"02:00:00:00:00:60\",\n        \"state\": [ \"PERMANENT\" ]\n    },{\n        \"dst\": \"fd00::9\",\n        \"dev\": \"eth0\",\n        \"lladdr\": \"02:00:00:00:00:09\",\n        \"router\": null,\n        \"state\": [ \"STALE\" ]\n    } ]": "entry ip=10.0.0.52 dev=eth0 state=FAILED proto=static | " +
		"entry ip=10.0.0.97 dev=eth0 state=FAILED | " +
		"entry ip=10.0.0.60 dev=eth0 lladdr=02:00:00:00:00:60 state=PERMANENT | " +
		"entry ip=fd00::9 dev=eth0 lladdr=02:00:00:00:00:09 state=STALE flags=router",

	// §4 ip monitor neigh
	"10.0.0.100 dev eth0 lladdr 02:00:00:00:00:0a PROBE ":                                              "entry ip=10.0.0.100 dev=eth0 lladdr=02:00:00:00:00:0a state=PROBE",
	"10.0.0.100 dev eth0 FAILED ":                                                                      "entry ip=10.0.0.100 dev=eth0 state=FAILED",
	"fe80::ff:fe00:a dev eth0 lladdr 02:00:00:00:00:0a PROBE ":                                         "entry ip=fe80::ff:fe00:a dev=eth0 lladdr=02:00:00:00:00:0a state=PROBE",
	"fe80::ff:fe00:a dev eth0 lladdr 02:00:00:00:00:0a router REACHABLE ":                              "entry ip=fe80::ff:fe00:a dev=eth0 lladdr=02:00:00:00:00:0a state=REACHABLE flags=router",
	"miss 10.0.0.98 dev eth0 INCOMPLETE ":                                                              "entry monitor op=miss ip=10.0.0.98 dev=eth0 state=INCOMPLETE",
	"10.0.0.50 dev eth0 FAILED ":                                                                       "entry ip=10.0.0.50 dev=eth0 state=FAILED",
	"Deleted 10.0.0.50 dev eth0 FAILED ":                                                               "entry monitor op=deleted ip=10.0.0.50 dev=eth0 state=FAILED",
	"[2026-11-21T09:01:49.408761] 10.0.0.100 dev eth0 lladdr 02:00:00:00:00:0a REACHABLE ":             "entry monitor ts=2026-11-21T09:01:49.408761Z ip=10.0.0.100 dev=eth0 lladdr=02:00:00:00:00:0a state=REACHABLE",
	"[2026-11-21T09:01:58.510275] 10.0.0.100 dev eth0 lladdr 02:00:00:00:00:0a PROBE ":                 "entry monitor ts=2026-11-21T09:01:58.510275Z ip=10.0.0.100 dev=eth0 lladdr=02:00:00:00:00:0a state=PROBE",
	"[2026-11-21T09:01:58.510308] 10.0.0.100 dev eth0 lladdr 02:00:00:00:00:0a REACHABLE ":             "entry monitor ts=2026-11-21T09:01:58.510308Z ip=10.0.0.100 dev=eth0 lladdr=02:00:00:00:00:0a state=REACHABLE",
	"[2026-11-21T09:01:58.545044] 10.0.0.100 dev eth0 lladdr 02:00:00:00:00:0b STALE ":                 "entry monitor ts=2026-11-21T09:01:58.545044Z ip=10.0.0.100 dev=eth0 lladdr=02:00:00:00:00:0b state=STALE",
	"[2026-11-21T09:02:07.470518] 10.0.0.100 dev eth0 lladdr 02:00:00:00:00:0b PROBE ":                 "entry monitor ts=2026-11-21T09:02:07.470518Z ip=10.0.0.100 dev=eth0 lladdr=02:00:00:00:00:0b state=PROBE",
	"[2026-11-21T09:02:10.542325] 10.0.0.100 dev eth0 FAILED ":                                         "entry monitor ts=2026-11-21T09:02:10.542325Z ip=10.0.0.100 dev=eth0 state=FAILED",
	"[2026-11-21T09:02:10.924284] 10.0.0.100 dev eth0 lladdr 02:00:00:00:00:0a REACHABLE ":             "entry monitor ts=2026-11-21T09:02:10.924284Z ip=10.0.0.100 dev=eth0 lladdr=02:00:00:00:00:0a state=REACHABLE",
	"[2026-11-21T09:02:35.501084] 10.0.0.52 dev eth0 lladdr 02:00:00:00:00:52 REACHABLE proto static ": "entry monitor ts=2026-11-21T09:02:35.501084Z ip=10.0.0.52 dev=eth0 lladdr=02:00:00:00:00:52 state=REACHABLE proto=static",
	"[2026-11-21T09:02:35.505576] fd00::9 dev eth0 lladdr 02:00:00:00:00:09 router STALE ":             "entry monitor ts=2026-11-21T09:02:35.505576Z ip=fd00::9 dev=eth0 lladdr=02:00:00:00:00:09 state=STALE flags=router",
	"[2026-11-21T09:02:35.544700] miss 10.0.0.98 dev eth0 INCOMPLETE ":                                 "entry monitor ts=2026-11-21T09:02:35.5447Z op=miss ip=10.0.0.98 dev=eth0 state=INCOMPLETE",
	"[2026-11-21T09:02:39.640553] Deleted 10.0.0.50 dev eth0 FAILED ":                                  "entry monitor ts=2026-11-21T09:02:39.640553Z op=deleted ip=10.0.0.50 dev=eth0 state=FAILED",
	"[2026-11-21T09:02:39.647083] Deleted 10.0.0.98 dev eth0 FAILED ":                                  "entry monitor ts=2026-11-21T09:02:39.647083Z op=deleted ip=10.0.0.98 dev=eth0 state=FAILED",
	"[2026-11-21T09:01:49.408290] 10.0.0.100 dev eth0 lladdr 02:00:00:00:00:0a REACHABLE":              "entry monitor ts=2026-11-21T09:01:49.40829Z ip=10.0.0.100 dev=eth0 lladdr=02:00:00:00:00:0a state=REACHABLE",
	"[2026-11-21T09:01:58.544923] 10.0.0.100 dev eth0 lladdr 02:00:00:00:00:0b STALE":                  "entry monitor ts=2026-11-21T09:01:58.544923Z ip=10.0.0.100 dev=eth0 lladdr=02:00:00:00:00:0b state=STALE",
	"[2026-11-21T09:02:35.544604] miss 10.0.0.98 dev eth0  INCOMPLETE":                                 "entry monitor ts=2026-11-21T09:02:35.544604Z op=miss ip=10.0.0.98 dev=eth0 state=INCOMPLETE",
	"[2026-11-21T09:02:39.640526] Deleted 10.0.0.50 dev eth0  FAILED":                                  "entry monitor ts=2026-11-21T09:02:39.640526Z op=deleted ip=10.0.0.50 dev=eth0 state=FAILED",
	"Timestamp: Sat Nov 21 09:01:49 2026 408350 usec":                                                  "timestamp 2026-11-21T09:01:49.40835Z",
	"Timestamp: Sat Nov 21 09:02:35 2026 544624 usec":                                                  "timestamp 2026-11-21T09:02:35.544624Z",
	"Timestamp: Sat Nov 21 09:02:39 2026 640495 usec":                                                  "timestamp 2026-11-21T09:02:39.640495Z",
	"Timestamp: Sat Nov 21 09:01:49 2026 408210 usec":                                                  "timestamp 2026-11-21T09:01:49.40821Z",
	"Timestamp: Sat Nov  7 09:01:49 2026 5123 usec":                                                    "timestamp 2026-11-07T09:01:49.005123Z",
	"Timestamp: Sat Nov 21 09:01:49 2026 408350 us":                                                    "timestamp 2026-11-21T09:01:49.40835Z",
	"10.0.0.100 dev eth0 lladdr 02:00:00:00:00:0a REACHABLE":                                           "entry ip=10.0.0.100 dev=eth0 lladdr=02:00:00:00:00:0a state=REACHABLE",
	"[NEIGH]10.0.0.100 dev eth0 lladdr 02:00:00:00:00:0a REACHABLE ":                                   "entry monitor ip=10.0.0.100 dev=eth0 lladdr=02:00:00:00:00:0a state=REACHABLE",
	"[NEIGH]miss 10.0.0.98 dev eth0 INCOMPLETE ":                                                       "entry monitor op=miss ip=10.0.0.98 dev=eth0 state=INCOMPLETE",
	"[NEIGH]Deleted 10.0.0.50 dev eth0 FAILED ":                                                        "entry monitor op=deleted ip=10.0.0.50 dev=eth0 state=FAILED",
	"[2026-11-21T09:01:49.408761] [NEIGH]10.0.0.100 dev eth0 lladdr 02:00:00:00:00:0a REACHABLE ":      "entry monitor ts=2026-11-21T09:01:49.408761Z ip=10.0.0.100 dev=eth0 lladdr=02:00:00:00:00:0a state=REACHABLE",
	"delete 10.0.0.50 dev eth0 lladdr 02:00:00:00:00:50 PERMANENT":                                     "entry monitor op=deleted ip=10.0.0.50 dev=eth0 lladdr=02:00:00:00:00:50 state=PERMANENT",

	// §5 date lines
	"Sat Nov 21 09:01:48 UTC 2026":                            "date 2026-11-21T09:01:48Z zone=UTC exact",
	"Tue Sep 18 17:09:17 UTC 2018":                            "date 2018-09-18T17:09:17Z zone=UTC exact",
	"Tue Sep 18 13:09:17 EDT 2018":                            "date 2018-09-18T13:09:17Z zone=EDT",
	"Sat Nov  7 09:00:00 UTC 2026":                            "date 2026-11-07T09:00:00Z zone=UTC exact",
	"Tue 18 Sep 2018 05:09:17 PM UTC":                         "date 2018-09-18T17:09:17Z zone=UTC exact",
	"Sat Nov 21 09:01:57 UTC 2026":                            "date 2026-11-21T09:01:57Z zone=UTC exact",
	"Sat Nov 21 09:01:58 UTC 2026":                            "date 2026-11-21T09:01:58Z zone=UTC exact",
	"fe80::ff:fe00:a dev eth0 lladdr 02:00:00:00:00:0a DELAY": "entry ip=fe80::ff:fe00:a dev=eth0 lladdr=02:00:00:00:00:0a state=DELAY",

	"10.0.0.100 dev eth0 lladdr 02:00:00:00:00:0a DELAY ": "entry ip=10.0.0.100 dev=eth0 lladdr=02:00:00:00:00:0a state=DELAY",
	"10.0.0.2 dev eth0 lladdr 02:00:00:00:00:0a STALE ":   "entry ip=10.0.0.2 dev=eth0 lladdr=02:00:00:00:00:0a state=STALE",

	// §6 net-tools and procfs
	"? (10.0.0.100) at 02:00:00:00:00:0b [ether] on eth0":                              "entry arp-table ip=10.0.0.100 dev=eth0 lladdr=02:00:00:00:00:0b state=NONE atf=0x2",
	"? (10.0.0.99) at <incomplete> on eth0":                                            "entry arp-table ip=10.0.0.99 dev=eth0 state=NONE",
	"? (10.0.0.60) at 02:00:00:00:00:60 [ether] PERM on eth0":                          "entry arp-table ip=10.0.0.60 dev=eth0 lladdr=02:00:00:00:00:60 state=PERMANENT atf=0x6",
	"? (10.0.0.77) at <from_interface> PERM PUB on eth0":                               "entry arp-table ip=10.0.0.77 dev=eth0 state=PERMANENT flags=proxy atf=0xc",
	"Address                  HWtype  HWaddress           Flags Mask            Iface": "header",
	"10.0.0.100               ether   02:00:00:00:00:0b   C                     eth0":  "entry arp-table ip=10.0.0.100 dev=eth0 lladdr=02:00:00:00:00:0b state=NONE atf=0x2",
	"10.0.0.99                        (incomplete)                              eth0":  "entry arp-table ip=10.0.0.99 dev=eth0 state=NONE",
	"IP address       HW type     Flags       HW address            Mask     Device":   "header",
	"10.0.0.100       0x1         0x2         02:00:00:00:00:0b     *        eth0":     "entry arp-table ip=10.0.0.100 dev=eth0 lladdr=02:00:00:00:00:0b state=NONE atf=0x2",
	"10.0.0.99        0x1         0x0         00:00:00:00:00:00     *        eth0":     "entry arp-table ip=10.0.0.99 dev=eth0 state=NONE",
	"10.0.0.60        0x1         0x6         02:00:00:00:00:60     *        eth0":     "entry arp-table ip=10.0.0.60 dev=eth0 lladdr=02:00:00:00:00:60 state=PERMANENT atf=0x6",
	"10.0.0.77        0x1         0xc         00:00:00:00:00:00     *        eth0":     "entry arp-table ip=10.0.0.77 dev=eth0 state=PERMANENT flags=proxy atf=0xc",

	// §7 tcpdump output, for reference only: not neighbour data
	"09:01:49.408016 02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 10.0.0.100 tell 10.0.0.1, length 28":                       "error",
	"09:01:49.408031 02:00:00:00:00:0a > 02:00:00:00:00:01, ethertype ARP (0x0806), length 42: Reply 10.0.0.100 is-at 02:00:00:00:00:0a, length 28":                       "error",
	"09:01:58.544850 02:00:00:00:00:0b > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 10.0.0.100 (ff:ff:ff:ff:ff:ff) tell 10.0.0.100, length 28": "error",
	"09:02:00.758900 02:00:00:00:00:0b > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Reply 10.0.0.100 is-at 02:00:00:00:00:0b, length 28":                       "error",
	"09:02:07.470347 02:00:00:00:00:01 > 02:00:00:00:00:0b, ethertype ARP (0x0806), length 42: Request who-has 10.0.0.100 tell 10.0.0.1, length 28":                       "error",
	"09:02:08.494274 02:00:00:00:00:01 > 02:00:00:00:00:0b, ethertype ARP (0x0806), length 42: Request who-has 10.0.0.100 tell 10.0.0.1, length 28":                       "error",
	"09:02:09.518377 02:00:00:00:00:01 > 02:00:00:00:00:0b, ethertype ARP (0x0806), length 42: Request who-has 10.0.0.100 tell 10.0.0.1, length 28":                       "error",
	"09:02:10.923877 02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 10.0.0.100 tell 10.0.0.1, length 28":                       "error",
	"09:02:10.923889 02:00:00:00:00:0a > 02:00:00:00:00:01, ethertype ARP (0x0806), length 42: Reply 10.0.0.100 is-at 02:00:00:00:00:0a, length 28":                       "error",
	"09:04:26.482418 02:00:00:00:00:0b > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 10.0.0.100 (ff:ff:ff:ff:ff:ff) tell 0.0.0.0, length 28":    "error",
	"09:01:49.408016 ARP, Request who-has 10.0.0.100 tell 10.0.0.1, length 28":                                                                                            "error",
	"09:01:49.408031 ARP, Reply 10.0.0.100 is-at 02:00:00:00:00:0a, length 28":                                                                                            "error",
	"2026-11-21 09:01:49.408016 ARP, Request who-has 10.0.0.100 tell 10.0.0.1, length 28":                                                                                 "error",
}

// describeRecord renders what the parser made of one line.
func describeRecord(rec *record) string {
	switch rec.kind {
	case recBlank:
		return "blank"
	case recComment:
		return "comment"
	case recHeader:
		return "header"
	case recFlushDone:
		return "flush-done"
	case recFlushRound:
		return fmt.Sprintf("flush-round %d", rec.count)
	case recOther:
		return "other"
	case recJSON:
		return "json"
	case recTimestamp:
		return "timestamp " + rec.ts.UTC().Format(time.RFC3339Nano)
	case recDate:
		s := "date " + rec.ts.UTC().Format(time.RFC3339Nano)
		if rec.zone.text != "" {
			s += " zone=" + rec.zone.text
		}
		if rec.zone.exact {
			s += " exact"
		}
		return s
	}
	var b strings.Builder
	b.WriteString("entry")
	if rec.monitor {
		b.WriteString(" monitor")
	}
	if rec.ent.form == timeline.NeighARPTable {
		b.WriteString(" arp-table")
	}
	if rec.hasTS {
		b.WriteString(" ts=" + rec.ts.UTC().Format(time.RFC3339Nano))
	}
	b.WriteString(" " + describeEntry(&rec.ent))
	return b.String()
}

func describeEntry(e *entry) string {
	var parts []string
	if e.op != timeline.NeighListed {
		parts = append(parts, "op="+e.op.String())
	}
	parts = append(parts, "ip="+e.ip.String())
	if len(e.dev) > 0 {
		parts = append(parts, "dev="+string(e.dev))
	}
	switch {
	case e.isMAC:
		parts = append(parts, "lladdr="+e.mac.String())
	case len(e.ll) > 0:
		parts = append(parts, "lltext="+string(e.ll))
	}
	parts = append(parts, "state="+strings.ReplaceAll(e.state.String(), " ", "+"))
	if e.flags != 0 {
		parts = append(parts, "flags="+strings.ReplaceAll(e.flags.String(), " ", "+"))
	}
	if e.hasStats {
		parts = append(parts, fmt.Sprintf("used=%d/%d/%d probes=%d ref=%d", e.used, e.confirmed, e.updated, e.probes, e.ref))
	}
	if e.atf != 0 {
		parts = append(parts, fmt.Sprintf("atf=%#x", e.atf))
	}
	if len(e.proto) > 0 {
		parts = append(parts, "proto="+string(e.proto))
	}
	if e.unknown != nil {
		parts = append(parts, "unknown="+string(e.unknown))
	}
	return strings.Join(parts, " ")
}

// describeJSON parses a JSON record through the real parser path and
// describes each entry.
func describeJSON(t *testing.T, text string) string {
	t.Helper()
	src := &timeline.Source{}
	evs, err := parse.Collect(Parse, strings.NewReader(text+"\n"), src, testOpts())
	if err != nil {
		return "error: " + err.Error()
	}
	if len(src.Problems) > 0 && src.Errors() > 0 {
		return "error: " + src.Problems[0].String()
	}
	var out []string
	for i := range evs {
		n, ok := evs[i].Data.(*timeline.Neigh)
		if !ok {
			continue
		}
		out = append(out, "entry "+describeNeigh(n))
	}
	return strings.Join(out, " | ")
}

// describeNeigh describes a folded payload in describeEntry's terms.
func describeNeigh(n *timeline.Neigh) string {
	e := entry{
		ip: n.IP, dev: []byte(n.Dev), mac: n.LLAddr, isMAC: n.HasLL, ll: []byte(n.LLText),
		state: n.State, flags: n.Flags, atf: n.ATF, op: n.Op, hasStats: n.HasStats,
		used: n.Used, confirmed: n.Confirmed, updated: n.Updated, probes: n.Probes, ref: n.Ref,
		proto: []byte(n.Proto),
	}
	if n.HasLL {
		e.ll = []byte(n.LLAddr.String())
	}
	return describeEntry(&e)
}

func testOpts() parse.Options { return parse.Options{} }

// TestCorpusEveryLine is the acceptance test: every data record of the
// corpus parses to the expected entry, and every expectation is used.
func TestCorpusEveryLine(t *testing.T) {
	recs := readCorpus(t)
	if len(recs) < 140 {
		t.Fatalf("read only %d records from %s", len(recs), corpusPath)
	}
	used := map[string]bool{}
	lp := newLineParser(time.UTC)
	for _, r := range recs {
		want, ok := corpusWant[r.text]
		if !ok {
			t.Errorf("formats.txt:%d has no expectation; add one for %q", r.line, r.text)
			continue
		}
		used[r.text] = true
		var got string
		if r.json {
			got = describeJSON(t, r.text)
		} else {
			var rec record
			if err := lp.parseLine([]byte(r.text), &rec); err != nil {
				got = "error"
				if want != "error" {
					got = "error: " + err.Error()
				}
			} else {
				got = describeRecord(&rec)
			}
		}
		if got != want {
			t.Errorf("formats.txt:%d %q\n got: %s\nwant: %s", r.line, r.text, got, want)
		}
	}
	for k := range corpusWant {
		if !used[k] {
			t.Errorf("expectation for %q matches no corpus line", k)
		}
	}
}
