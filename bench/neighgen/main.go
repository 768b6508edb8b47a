// Command neighgen writes a synthetic `while true; do date; ip neigh; sleep 1;
// done` dump for benchmarking parse/neigh: one listing a second of a
// neighbour table of -entries entries whose states change the way a busy
// host's do, in iproute2 ≥ 5.16 spacing (`-stats` adds `ip -s` ages).
// Output is deterministic for a given -seed.
//
// With -monitor it writes an `ip -ts monitor neigh` flood instead: every
// entry's notifications (REACHABLE, STALE, PROBE, FAILED, DELAY, PERMANENT,
// "miss … INCOMPLETE", "Deleted …") on its own schedule, about one per
// entry every half minute, so with many entries (-entries 200000) a
// reader's per-IP state cannot fold (see monitor.go). With -scan it writes
// the monitor stream of an address scan, every entry new (see scan.go).
//
//	go run ./bench/neighgen -size 500M -o bench/out/neigh/host1/arptable
//	go run ./bench/neighgen -monitor -entries 200000 -size 256M -o bench/out/neigh-monitor/host1/neigh.log
package main

import (
	"bufio"
	"encoding/binary"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"time"

	bytesize "github.com/arpforensics/arpforensics/bench/internal/size"
)

// role is how an entry behaves over time.
type role uint8

const (
	roleStatic role = iota // PERMANENT / NOARP: never changes
	roleBusy               // in constant use: REACHABLE (15–45 s) ⇄ DELAY (5 s)
	roleIdle               // mostly STALE, used every few minutes: STALE → DELAY → REACHABLE → STALE
	roleFlaky              // an address that stops answering: INCOMPLETE → FAILED → gone → back
)

type entry struct {
	ip      string
	mac     string
	dev     string
	router  bool
	role    role
	state   string
	hasLL   bool
	listed  bool
	until   int64 // second at which the current state ends
	updated int64 // second the state was entered
	probes  int
}

func main() {
	size := flag.String("size", "500M", "stop after writing this many bytes (K, M, G suffixes)")
	out := flag.String("o", "", "output file (default stdout)")
	n := flag.Int("entries", 200, "neighbour entries")
	seed := flag.Uint64("seed", 1, "random seed")
	stats := flag.Bool("stats", false, "write `ip -s neigh` lines (ages, probes)")
	start := flag.String("start", "2018-09-18T17:00:00Z", "time of the first listing")
	monitor := flag.Bool("monitor", false, "write an `ip -ts monitor neigh` event stream instead of listings")
	scan := flag.Bool("scan", false, "write the `ip -ts monitor neigh` stream of an address scan: every entry new")
	flag.Parse()
	limit, err := bytesize.Parse(*size)
	if err != nil {
		fail(err)
	}
	t0, err := time.Parse(time.RFC3339, *start)
	if err != nil {
		fail(err)
	}
	w := os.Stdout
	if *out != "" {
		if err := os.MkdirAll(filepath.Dir(*out), 0o755); err != nil {
			fail(err)
		}
		f, err := os.Create(*out)
		if err != nil {
			fail(err)
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	rng := rand.New(rand.NewPCG(*seed, 0x6e656967))
	if *scan {
		if _, err := writeScan(bw, rng, t0, limit); err != nil {
			fail(err)
		}
		if err := bw.Flush(); err != nil {
			fail(err)
		}
		return
	}
	if *monitor {
		if _, err := writeMonitor(bw, *n, rng, t0, limit); err != nil {
			fail(err)
		}
		if err := bw.Flush(); err != nil {
			fail(err)
		}
		return
	}
	entries := table(*n, rng)
	var written int64
	var line []byte
	for sec := int64(0); written < limit; sec++ {
		now := t0.Add(time.Duration(sec) * time.Second)
		line = now.AppendFormat(line[:0], "Mon Jan _2 15:04:05 MST 2006\n")
		for i := range entries {
			e := &entries[i]
			step(e, sec, rng)
			if e.listed {
				line = e.appendLine(line, sec, *stats)
			}
		}
		n, err := bw.Write(line)
		if err != nil {
			fail(err)
		}
		written += int64(n)
	}
	if err := bw.Flush(); err != nil {
		fail(err)
	}
}

// table lays out the entries: a few static, some busy, most idle, some flaky,
// a tenth of them IPv6.
func table(n int, rng *rand.Rand) []entry {
	es := make([]entry, n)
	for i := range es {
		e := &es[i]
		e.dev = "eth0"
		if i%17 == 3 {
			e.dev = "br-ex"
		}
		e.mac = fmt.Sprintf("fa:16:3e:%02x:%02x:%02x", (i>>16)&0xff, (i>>8)&0xff, i&0xff)
		if i%10 == 9 {
			e.ip = v6(i + 1)
			e.router = i%20 == 19
		} else {
			e.ip = fmt.Sprintf("10.%d.%d.%d", 10+i/60000, (i/250)%240, i%250+2)
		}
		switch r := i % 20; {
		case r == 0:
			e.role, e.state = roleStatic, "PERMANENT"
		case r < 3:
			e.role, e.state = roleBusy, "REACHABLE"
		case r < 18:
			e.role, e.state = roleIdle, "STALE"
		default:
			e.role, e.state = roleFlaky, "REACHABLE"
		}
		e.hasLL, e.listed = true, true
		e.until = rng.Int64N(60) + 1
		e.updated = -rng.Int64N(120)
	}
	return es
}

// step advances one entry to second sec.
func step(e *entry, sec int64, rng *rand.Rand) {
	if e.role == roleStatic || sec < e.until {
		if e.state == "INCOMPLETE" || e.state == "PROBE" {
			e.probes = min(e.probes+1, 6)
		}
		return
	}
	set := func(state string, hold int64) {
		e.state, e.updated, e.until = state, sec, sec+hold
	}
	switch e.role {
	case roleBusy:
		if e.state == "REACHABLE" {
			set("DELAY", 5)
		} else {
			set("REACHABLE", 15+rng.Int64N(30))
		}
	case roleIdle:
		switch e.state {
		case "STALE":
			set("DELAY", 5)
		case "DELAY":
			set("REACHABLE", 15+rng.Int64N(30))
		default:
			set("STALE", 120+rng.Int64N(900))
		}
	case roleFlaky:
		switch {
		case !e.listed:
			e.listed, e.hasLL, e.probes = true, false, 3
			set("INCOMPLETE", 3)
		case e.state == "INCOMPLETE":
			set("FAILED", 60)
		case e.state == "FAILED" || e.state == "STALE":
			e.listed = false // garbage-collected
			e.until = sec + 120 + rng.Int64N(600)
		default:
			set("STALE", 60+rng.Int64N(300))
		}
	}
}

// appendLine writes the entry as iproute2 ≥ 5.16 prints it: one space after
// every token, two before the ages, "probes" glued to them.
func (e *entry) appendLine(b []byte, sec int64, stats bool) []byte {
	b = append(b, e.ip...)
	b = append(b, " dev "...)
	b = append(b, e.dev...)
	b = append(b, ' ')
	if e.hasLL {
		b = append(b, "lladdr "...)
		b = append(b, e.mac...)
		b = append(b, ' ')
	}
	if e.router {
		b = append(b, "router "...)
	}
	if stats {
		age := max(sec-e.updated, 0)
		b = append(b, " used "...)
		b = strconv.AppendInt(b, min(age, 3), 10)
		b = append(b, '/')
		b = strconv.AppendInt(b, age+7, 10)
		b = append(b, '/')
		b = strconv.AppendInt(b, age, 10)
		b = append(b, "probes "...)
		b = strconv.AppendInt(b, int64(e.probes), 10)
		b = append(b, ' ')
	}
	b = append(b, e.state...)
	b = append(b, " \n"...)
	return b
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "neighgen:", err)
	os.Exit(2)
}

// v6 is fd00:10::n as ip(8) prints it (RFC 5952 text).
func v6(n int) string {
	a := [16]byte{0xfd, 0x00, 0x00, 0x10}
	binary.BigEndian.PutUint32(a[12:], uint32(n))
	return netip.AddrFrom16(a).String()
}
