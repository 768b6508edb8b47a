package view_test

import (
	"flag"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/arpforensics/arpforensics/analysis"
	"github.com/arpforensics/arpforensics/internal/synth"
	"github.com/arpforensics/arpforensics/tui/internal/drive"
	"github.com/arpforensics/arpforensics/tui/internal/view"
)

// The budget (ARCHITECTURE.md): on a 1 M-event timeline the first screen
// is drawn within 1 s of the analysis finishing, and a key press redraws
// within 50 ms. go test -run XXX -bench . ./tui/view/ measures both on a
// SimulationScreen; -bench.events changes the size.
var benchEvents = flag.Int("bench.events", 1_000_000, "events in the benchmark timeline")

var (
	benchOnce sync.Once
	benchRes  *analysis.Result
	benchHeap uint64 // live heap with only the result in it
)

func benchResult(b *testing.B) *analysis.Result {
	b.Helper()
	benchOnce.Do(func() {
		benchRes = synth.Large(*benchEvents)
		benchHeap = liveHeap()
	})
	return benchRes
}

// cpuTime is the process's user and system CPU time so far: on a shared
// machine wall times vary with the neighbours' load, CPU time much less.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// BenchmarkFirstScreen times building the app over an analysed result and
// drawing its first screen: what the user waits for after the analysis.
func BenchmarkFirstScreen(b *testing.B) {
	res := benchResult(b)
	for _, size := range []struct {
		name string
		w, h int
	}{{"80x24", 80, 24}, {"200x60", 200, 60}} {
		b.Run(size.name, func(b *testing.B) {
			b.ReportAllocs()
			var extra uint64
			for i := 0; i < b.N; i++ {
				d := drive.Start(b, res, view.Options{Colors: 256}, size.w, size.h)
				b.StopTimer()
				if i == 0 {
					if h := liveHeap(); h > benchHeap {
						extra = h - benchHeap
					}
				}
				d.App.Stop()
				d.WaitDone()
				b.StartTimer()
			}
			b.ReportMetric(float64(res.Timeline.Len()), "events")
			b.ReportMetric(float64(extra)/(1<<20), "tui-heap-MB")
			b.ReportMetric(float64(benchHeap)/(1<<20), "result-heap-MB")
		})
	}
}

// BenchmarkKey times key presses, from injection to the redrawn frame, at
// 80×24 and 200×60. Each iteration runs a cycle of keys that ends where it
// started; ms/key is the mean per key, worst-ms the slowest single key.
func BenchmarkKey(b *testing.B) {
	res := benchResult(b)
	for _, size := range []struct {
		name string
		w, h int
	}{{"80x24", 80, 24}, {"200x60", 200, 60}} {
		b.Run(size.name, func(b *testing.B) {
			d := drive.Start(b, res, view.Options{Colors: 256}, size.w, size.h)
			d.Press("Tab") // from the findings to the timeline
			for _, k := range []struct {
				name  string
				cycle []string
			}{
				{"j-k", []string{"j", "k"}},
				{"PgDn-PgUp", []string{"PgDn", "PgUp"}},
				{"G-g", []string{"G", "g"}},
				{"follow-unfollow", []string{"f", "f"}},
				{"mark-unmark", []string{"m", "m"}},
				{"finding-Enter-q", []string{"Backtab", "Enter", "q", "Tab"}}, // jump to evidence and back
				{"evidence-e-E", []string{"e", "E"}},
				{"help-open-close", []string{"?", "q"}},
			} {
				b.Run(k.name, func(b *testing.B) {
					var worst time.Duration
					cpu0 := cpuTime()
					for i := 0; i < b.N; i++ {
						for _, key := range k.cycle {
							t0 := time.Now()
							d.Press(key)
							worst = max(worst, time.Since(t0))
						}
					}
					keys := float64(b.N * len(k.cycle))
					if d.Done() {
						b.Fatal("the app quit during the cycle")
					}
					b.ReportMetric(float64(b.Elapsed())/keys/1e6, "ms/key")
					b.ReportMetric(float64(cpuTime()-cpu0)/keys/1e6, "cpu-ms/key")
					b.ReportMetric(float64(worst)/1e6, "worst-ms")
				})
			}
			// Commands that touch every event (a kind filter, a hidden
			// source) and a goto: the Enter that runs them is timed, not the
			// typing.
			for _, c := range []struct{ name, on, off string }{
				{"cmd-filter-kind", "filter kind=neigh", "filter"},
				{"cmd-source-hide", "source -neutron-server.log", "source"},
				{"cmd-goto", "goto 17:40", "goto 17:10"},
			} {
				b.Run(c.name, func(b *testing.B) {
					var worst, total time.Duration
					for i := 0; i < b.N; i++ {
						for _, cmd := range []string{c.on, c.off} {
							d.Press(":")
							d.Type(cmd)
							t0 := time.Now()
							d.Press("Enter")
							took := time.Since(t0)
							worst, total = max(worst, took), total+took
						}
					}
					b.ReportMetric(float64(total)/float64(2*b.N)/1e6, "ms/key")
					b.ReportMetric(float64(worst)/1e6, "worst-ms")
				})
			}
		})
	}
}
