package txnloggen

import (
	"bytes"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/arpforensics/arpforensics/parse"
	"github.com/arpforensics/arpforensics/parse/txnlog"
	"github.com/arpforensics/arpforensics/timeline"
)

// BenchmarkTxnlogParse measures the transaction-log reader alone on a
// generated 64 MiB neutron-server log held in memory. The whole-program
// figure against grep is bench/txnlog.sh's job.
func BenchmarkTxnlogParse(b *testing.B) {
	data := benchData(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	var events int
	for i := 0; i < b.N; i++ {
		src := &timeline.Source{Host: "bench"}
		sink := timeline.NewSpace().NewSink("")
		if err := txnlog.Parse(bytes.NewReader(data), src, parse.Options{Threads: runtime.GOMAXPROCS(0)}, sink); err != nil {
			b.Fatal(err)
		}
		events = int(sink.Len())
	}
	b.StopTimer()
	// CPU time is a steadier figure than wall time on a shared machine.
	cpu := cpuTime() - cpu0
	b.ReportMetric(float64(len(data))*float64(b.N)/cpu.Seconds()/1e6, "cpu-MB/s")
	b.ReportMetric(float64(events), "events")
}

var (
	benchOnce sync.Once
	benchLog  []byte
)

// benchData generates the benchmark's input once per process: the
// benchmark function runs several times while b.N is calibrated.
func benchData(b *testing.B) []byte {
	benchOnce.Do(func() {
		var buf bytes.Buffer
		buf.Grow(65 << 20)
		if _, err := Write(&buf, Options{Size: 64 << 20, Seed: 1}); err != nil {
			b.Fatal(err)
		}
		benchLog = buf.Bytes()
	})
	return benchLog
}

// cpuTime is the process's user plus system time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestGeneratedLogParses checks the generator writes what the reader
// understands: every transaction becomes an event and no problem is
// reported.
func TestGeneratedLogParses(t *testing.T) {
	var buf bytes.Buffer
	st, err := Write(&buf, Options{Size: 4 << 20, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	src := &timeline.Source{Host: "gen"}
	evs, err := parse.Collect(txnlog.Parse, bytes.NewReader(buf.Bytes()), src, parse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range src.Problems {
		t.Errorf("problem: %s", p)
	}
	txns := 0
	for _, e := range evs {
		if _, ok := e.Data.(*timeline.Txn); ok {
			txns++
		}
	}
	// The last transaction may be cut by the size limit.
	if int64(txns) < st.Transactions-int64(4) || int64(txns) > st.Transactions {
		t.Errorf("%d transaction events, generator wrote %d transactions", txns, st.Transactions)
	}
	if src.Records != st.Lines {
		t.Errorf("records %d, generator wrote %d lines", src.Records, st.Lines)
	}
	ratio := float64(st.Lines) / float64(st.TxnLines)
	if ratio < 4.5 || ratio > 5.5 {
		t.Errorf("one line in %.1f is a txn line; want about 5", ratio)
	}
}

// TestEntities checks Options.Entities spreads the asked-for number of
// distinct entities over the log and the reader still understands it.
func TestEntities(t *testing.T) {
	var buf bytes.Buffer
	st, err := Write(&buf, Options{Size: 4 << 20, Seed: 7, Entities: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if st.Entities < 950 || st.Entities > 1000 {
		t.Errorf("%d entities introduced, want about 1000", st.Entities)
	}
	src := &timeline.Source{Host: "gen"}
	if _, err := parse.Collect(txnlog.Parse, bytes.NewReader(buf.Bytes()), src, parse.Options{}); err != nil {
		t.Fatal(err)
	}
	for _, p := range src.Problems {
		t.Errorf("problem: %s", p)
	}
	var plain bytes.Buffer
	if _, err := Write(&plain, Options{Size: 4 << 20, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(plain.Bytes(), buf.Bytes()) {
		t.Error("Entities changed nothing")
	}
}
