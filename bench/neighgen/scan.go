package main

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"time"
)

// The -scan mode: `ip -ts monitor neigh` on a host sweeping address space
// nobody answers in (a port scan, a misconfigured route): every address is
// new, asked for (miss … INCOMPLETE), given up on (FAILED) and collected
// (Deleted) a few seconds later, IPv4 through 10.0.0.0/8 and one IPv6 /64
// in turn. Nothing repeats, so the number of distinct entries grows with
// the file: a reader that keeps state per entry without a bound grows
// with it too.
func writeScan(bw *bufio.Writer, rng *rand.Rand, t0 time.Time, limit int64) (int64, error) {
	type pending struct {
		at   int64 // microseconds after t0
		text string
	}
	var (
		written      int64
		failed, gone []pending // lines to come, each in time order
		now          int64
		i            uint32
	)
	stamp := func(at int64) string {
		return t0.Add(time.Duration(at) * time.Microsecond).Format("2006-01-02T15:04:05.000000")
	}
	emit := func(at int64, text string) error {
		n, err := fmt.Fprintf(bw, "[%s] %s \n", stamp(at), text)
		written += int64(n)
		return err
	}
	for written < limit {
		now += 20 + rng.Int64N(60) // about 25,000 new addresses a second
		for {
			q := &failed
			if len(gone) > 0 && (len(failed) == 0 || gone[0].at < failed[0].at) {
				q = &gone
			}
			if len(*q) == 0 || (*q)[0].at > now {
				break
			}
			if err := emit((*q)[0].at, (*q)[0].text); err != nil {
				return written, err
			}
			*q = (*q)[1:]
		}
		var ip, dev string
		if i%4 == 3 {
			ip, dev = fmt.Sprintf("2001:db8:5ca::%x:%x", i>>16, i&0xffff), "eth1"
		} else {
			ip, dev = fmt.Sprintf("10.%d.%d.%d", i>>16&0xff, i>>8&0xff, i&0xff), "eth0"
		}
		i++
		if err := emit(now, "miss "+ip+" dev "+dev+"  INCOMPLETE"); err != nil {
			return written, err
		}
		// The kernel gives up after its 3 probes a second apart, and
		// garbage collection drops the entry a few seconds later.
		failed = append(failed, pending{now + 3_000_000, ip + " dev " + dev + "  FAILED"})
		gone = append(gone, pending{now + 8_000_000, "Deleted " + ip + " dev " + dev + "  FAILED"})
	}
	return written, nil
}
