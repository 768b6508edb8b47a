package neigh

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/arpforensics/arpforensics/parse"
	"github.com/arpforensics/arpforensics/timeline"
)

// benchDump is a `date; ip neigh` loop of 200 entries (a tenth IPv6), one
// listing a second, where every entry changes state now and then: the shape
// bench/neighgen writes at scale.
func benchDump(seconds int, stats bool) []byte {
	var b bytes.Buffer
	t0 := time.Date(2018, 9, 18, 17, 0, 0, 0, time.UTC)
	states := []string{"REACHABLE", "DELAY", "REACHABLE", "STALE"}
	for s := 0; s < seconds; s++ {
		b.WriteString(t0.Add(time.Duration(s) * time.Second).Format("Mon Jan _2 15:04:05 MST 2006\n"))
		for i := 0; i < 200; i++ {
			ip := fmt.Sprintf("10.10.%d.%d", i/250, i%250+2)
			if i%10 == 9 {
				ip = fmt.Sprintf("fd00:10::%x", i+1)
			}
			state := states[(s/(20+i%40)+i)%len(states)]
			if stats {
				fmt.Fprintf(&b, "%s dev eth0 lladdr fa:16:3e:00:%02x:%02x  used 0/%d/%dprobes 0 %s \n", ip, i>>8, i&0xff, s%40+7, s%40, state)
			} else {
				fmt.Fprintf(&b, "%s dev eth0 lladdr fa:16:3e:00:%02x:%02x %s \n", ip, i>>8, i&0xff, state)
			}
		}
	}
	return b.Bytes()
}

func benchmarkParse(b *testing.B, stats bool) {
	data := benchDump(2000, stats)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var events int64
	for b.Loop() {
		src := &timeline.Source{}
		sink := timeline.NewSpace().NewSink("")
		err := Parse(bytes.NewReader(data), src, parse.Options{}, sink)
		if err != nil || src.Errors() > 0 {
			b.Fatalf("%v %v", err, src.Problems)
		}
		events = sink.Len()
	}
	b.ReportMetric(float64(events), "events/op")
	b.ReportMetric(float64(bytes.Count(data, []byte{'\n'}))/float64(events), "lines/event")
}

// BenchmarkParse measures the listing path the issue budgets at ≥ 200 MB/s.
func BenchmarkParse(b *testing.B)      { benchmarkParse(b, false) }
func BenchmarkParseStats(b *testing.B) { benchmarkParse(b, true) }
