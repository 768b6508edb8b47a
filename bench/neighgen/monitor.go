package main

import (
	"bufio"
	"container/heap"
	"fmt"
	"math/rand/v2"
	"time"
)

// The -monitor mode: an `ip -ts monitor neigh` stream (iproute2 ≥ 5.16
// spacing, as 6.1 prints it: a trailing space on every line) of a host
// whose neighbour table has -entries entries, every one of them changing
// state on its own schedule, so a reader's per-IP state cannot fold.
//
// Only what the kernel notifies is written: REACHABLE when an entry is
// resolved or confirmed, STALE when the reachable time runs out or a new
// lladdr is learned, PROBE after an unnotified DELAY, FAILED (without
// lladdr) when probes go unanswered, "miss … INCOMPLETE" when it asks user
// space to resolve (app_solicit), and "Deleted …" when garbage collection
// drops an entry. A few administrative `ip neigh replace … nud delay|
// permanent` changes add DELAY and PERMANENT lines.

// Monitor states of an entry.
const (
	monAbsent uint8 = iota
	monReachable
	monStale
	monDelay // unnotified (kernel) or set by an administrator
	monProbe
	monFailed
	monPermanent
)

type monEntry struct {
	ip, dev string
	mac     string
	router  bool
	role    role
	state   uint8
	missed  bool // a miss line was written for the resolution under way
}

type monEvent struct {
	at  int64 // microseconds after the start
	idx int32
}

type monQueue []monEvent

func (q monQueue) Len() int { return len(q) }
func (q monQueue) Less(i, j int) bool {
	return q[i].at < q[j].at || q[i].at == q[j].at && q[i].idx < q[j].idx
}
func (q monQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *monQueue) Push(x any)   { *q = append(*q, x.(monEvent)) }
func (q *monQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}

const sec = int64(time.Second / time.Microsecond)

// writeMonitor writes events until limit bytes are written.
func writeMonitor(bw *bufio.Writer, n int, rng *rand.Rand, t0 time.Time, limit int64) (int64, error) {
	base := table(n, rng)
	es := make([]monEntry, n)
	q := make(monQueue, 0, n)
	for i := range base {
		b := &base[i]
		e := &es[i]
		e.ip, e.dev, e.mac, e.router, e.role = b.ip, b.dev, b.mac, b.router, b.role
		if e.role == roleStatic {
			e.state = monPermanent // never notified unless changed by hand
			continue
		}
		// A third of the entries are not in the table yet; the rest
		// were resolved before the monitor started.
		if rng.IntN(3) == 0 {
			e.state = monAbsent
		} else {
			e.state = monStale
		}
		q = append(q, monEvent{at: rng.Int64N(30 * sec), idx: int32(i)})
	}
	heap.Init(&q)
	var (
		written  int64
		line     []byte
		lastSec  int64 = -1
		secStamp []byte
	)
	for written < limit && len(q) > 0 {
		ev := q[0]
		e := &es[ev.idx]
		// The second's part of the timestamp changes rarely: format it
		// once a second.
		if s := ev.at / sec; s != lastSec {
			lastSec = s
			secStamp = t0.Add(time.Duration(s)*time.Second).UTC().AppendFormat(secStamp[:0], "[2006-01-02T15:04:05.")
		}
		line = append(line[:0], secStamp...)
		line = appendMicros(line, ev.at%sec)
		line = append(line, "] "...)
		line, next, ok := e.event(line, rng)
		q[0].at = ev.at + next
		heap.Fix(&q, 0)
		if !ok {
			continue
		}
		k, err := bw.Write(line)
		if err != nil {
			return written, err
		}
		written += int64(k)
	}
	return written, nil
}

func appendMicros(b []byte, us int64) []byte {
	var d [6]byte
	for i := 5; i >= 0; i-- {
		d[i] = byte('0' + us%10)
		us /= 10
	}
	return append(b, d[:]...)
}

// event appends the entry's next notification to b (after the timestamp)
// and returns the time until the one after it, in microseconds; ok is
// false when the kernel notifies nothing this time (entry into DELAY).
func (e *monEntry) event(b []byte, rng *rand.Rand) (_ []byte, next int64, ok bool) {
	ms := func(lo, hi int64) int64 { return (lo + rng.Int64N(hi-lo+1)) * 1000 }
	s := func(lo, hi int64) int64 { return (lo + rng.Int64N(hi-lo+1)) * sec }
	// An administrator replaces an entry now and then.
	if e.state != monAbsent && rng.IntN(500) == 0 {
		if rng.IntN(2) == 0 {
			e.state = monDelay
			return e.appendLine(b, "", true, "DELAY"), s(5, 5), true
		}
		e.state = monPermanent
		return e.appendLine(b, "", true, "PERMANENT"), s(60, 600), true
	}
	switch e.state {
	case monAbsent:
		if !e.missed && rng.IntN(10) == 0 {
			// app_solicit: the kernel asks user space to resolve it.
			e.missed = true
			return e.appendLine(b, "miss ", false, "INCOMPLETE"), ms(1, 20), true
		}
		e.missed = false
		if e.role == roleFlaky && rng.IntN(3) == 0 {
			// Three unanswered requests, three seconds.
			e.state = monFailed
			return e.appendLine(b, "", false, "FAILED"), s(10, 60), true
		}
		e.state = monReachable
		return e.appendLine(b, "", true, "REACHABLE"), s(15, 45), true
	case monReachable:
		e.state = monStale
		hold := s(60, 600)
		if e.role == roleBusy {
			hold = s(1, 20)
		}
		return e.appendLine(b, "", true, "STALE"), hold, true
	case monStale:
		switch r := rng.IntN(100); {
		case r < 3: // another host answered for the IP: a new lladdr
			e.mac = fmt.Sprintf("fa:16:3e:%02x:%02x:%02x", 0x80|rng.IntN(128), rng.IntN(256), rng.IntN(256))
			return e.appendLine(b, "", true, "STALE"), s(30, 300), true
		case r < 25 && e.role != roleBusy: // unused: garbage-collected
			e.state = monAbsent
			return e.appendLine(b, "Deleted ", true, "STALE"), s(30, 900), true
		}
		// Used again: DELAY (not notified), then PROBE five seconds on.
		e.state = monDelay
		return b, s(5, 5), false
	case monDelay:
		e.state = monProbe
		return e.appendLine(b, "", true, "PROBE"), ms(1, 300), true
	case monProbe:
		if e.role == roleFlaky && rng.IntN(2) == 0 || rng.IntN(50) == 0 {
			e.state = monFailed
			return e.appendLine(b, "", false, "FAILED"), s(10, 60), true
		}
		e.state = monReachable
		return e.appendLine(b, "", true, "REACHABLE"), s(15, 45), true
	case monFailed:
		e.state = monAbsent
		return e.appendLine(b, "Deleted ", false, "FAILED"), s(30, 900), true
	default: // monPermanent, set by hand: until it is deleted by hand
		e.state = monAbsent
		return e.appendLine(b, "Deleted ", true, "PERMANENT"), s(1, 60), true
	}
}

// appendLine appends "[prefix]IP dev DEV [lladdr MAC ][router ]STATE \n".
func (e *monEntry) appendLine(b []byte, prefix string, ll bool, state string) []byte {
	b = append(b, prefix...)
	b = append(b, e.ip...)
	b = append(b, " dev "...)
	b = append(b, e.dev...)
	b = append(b, ' ')
	if ll {
		b = append(b, "lladdr "...)
		b = append(b, e.mac...)
		b = append(b, ' ')
	}
	if e.router {
		b = append(b, "router "...)
	}
	b = append(b, state...)
	return append(b, " \n"...)
}
