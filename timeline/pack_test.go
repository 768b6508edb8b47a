package timeline

import (
	"math/rand/v2"
	"testing"
)

func TestPackRecordsRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	recs := make([]Record, 3000)
	for i := range recs {
		r := &recs[i]
		w := recordWordsOf(r)
		switch i % 4 {
		case 0: // like the record before, a little later
			if i > 0 {
				*r = recs[i-1]
			}
			r.T += int64(rng.IntN(1000))
		case 1: // random words, some zero
			for j := range w {
				if rng.IntN(3) == 0 {
					w[j] = rng.Uint64()
				}
			}
		case 2: // all ones
			for j := range w {
				w[j] = ^uint64(0)
			}
		case 3: // zero
		}
	}
	for _, n := range []int{0, 1, 2, 128, len(recs)} {
		packed := packRecords(nil, recs[:n])
		if len(packed) > n*maxPackedRecord {
			t.Fatalf("%d records packed into %d bytes, more than %d", n, len(packed), n*maxPackedRecord)
		}
		got := make([]Record, n)
		used, err := unpackRecords(append(packed, 0xff), got)
		if err != nil || used != len(packed) {
			t.Fatalf("%d records: used %d of %d bytes, err %v", n, used, len(packed), err)
		}
		for i := range got {
			if got[i] != recs[i] {
				t.Fatalf("%d records: record %d differs after the round trip", n, i)
			}
		}
	}
	// Every cut of a packed block is an error, never a panic or a silent
	// short read.
	packed := packRecords(nil, recs[:50])
	for cut := range len(packed) {
		if _, err := unpackRecords(packed[:cut], make([]Record, 50)); err == nil {
			t.Fatalf("a block cut at %d of %d bytes decoded without an error", cut, len(packed))
		}
	}
}

func TestPackRecordsShrinksTypicalRuns(t *testing.T) {
	// Usage runs of one sender, as a busy capture spills them.
	recs := make([]Record, 1024)
	for i := range recs {
		r := &recs[i]
		r.T = 1_700_000_000_000_000_000 + int64(i)*37_000
		r.Pos = Pos{Frame: int64(1000 + i), Offset: int64(64_000 + 400*i)}
		r.Seq, r.Kind, r.Src = uint32(i), KindUsage, 3
		r.Body[0], r.Body[5], r.Body[12] = 0x52, byte(i), byte(i*7)
	}
	packed := packRecords(nil, recs)
	if per := float64(len(packed)) / float64(len(recs)); per > float64(RecordSize)/3 {
		t.Fatalf("packed %.1f bytes a record, want at most a third of %d", per, RecordSize)
	}
}

// benchRecords is a block of usage-like records for the benchmarks: one
// source, times and positions climbing, addresses varying.
func benchRecords() []Record {
	recs := make([]Record, 1024)
	for i := range recs {
		r := &recs[i]
		r.T = 1_700_000_000_000_000_000 + int64(i)*37_000
		r.Pos = Pos{Frame: int64(1000 + i), Offset: int64(64_000 + 400*i)}
		r.Seq, r.Kind, r.Src = uint32(i), KindUsage, 3
		for j := range 20 {
			r.Body[j] = byte(i * j)
		}
	}
	return recs
}

func BenchmarkPackRecords(b *testing.B) {
	recs := benchRecords()
	var packed []byte
	out := make([]Record, len(recs))
	b.SetBytes(int64(len(recs) * RecordSize))
	for b.Loop() {
		packed = packRecords(packed[:0], recs)
		if _, err := unpackRecords(packed, out); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnpackRecords(b *testing.B) {
	recs := benchRecords()
	packed := packRecords(nil, recs)
	out := make([]Record, len(recs))
	b.SetBytes(int64(len(recs) * RecordSize))
	for b.Loop() {
		if _, err := unpackRecords(packed, out); err != nil {
			b.Fatal(err)
		}
	}
}
