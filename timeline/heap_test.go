package timeline

import (
	"bytes"
	"testing"
)

// Entries of every size, some larger than a block, read back the same from
// the heap's blocks in memory and from its file once it outgrew memory; a
// block in memory is never moved once entries point into it.
func TestHeapEntriesReadBack(t *testing.T) {
	defer func(h int, d string) { heapMemBytes, SpillDir = h, d }(heapMemBytes, SpillDir)
	SpillDir = t.TempDir()
	sizes := []int{0, 1, 7, 300, 511, 512, 4000, heapBlock - 3, heapBlock, 3 * heapBlock, 20, 0, 90000, 5}
	for _, limit := range []int{1 << 30, 100_000} {
		heapMemBytes = limit
		var h heap
		var refs []uint64
		var firsts []*byte
		for i, n := range sizes {
			blob := bytes.Repeat([]byte{byte(i)}, n%97)
			raw := bytes.Repeat([]byte{byte(i + 100)}, n)
			refs = append(refs, h.put(blob, raw))
			for k, b := range h.blocks {
				if k < len(firsts) && &b[0] != firsts[k] {
					t.Fatalf("limit %d: block %d moved after entry %d", limit, k, i)
				}
			}
			firsts = firsts[:0]
			for _, b := range h.blocks {
				firsts = append(firsts, &b[0])
			}
		}
		if err := h.seal(); err != nil {
			t.Fatal(err)
		}
		if h.big != (limit < 1<<30) {
			t.Fatalf("limit %d: big %v", limit, h.big)
		}
		for i, n := range sizes {
			blob, raw, err := h.get(refs[i])
			if err != nil {
				t.Fatalf("limit %d, entry %d: %v", limit, i, err)
			}
			if !bytes.Equal(blob, bytes.Repeat([]byte{byte(i)}, n%97)) || !bytes.Equal(raw, bytes.Repeat([]byte{byte(i + 100)}, n)) {
				t.Fatalf("limit %d, entry %d: read back %d+%d bytes, want %d+%d", limit, i, len(blob), len(raw), n%97, n)
			}
		}
		if _, _, err := h.get(uint64(h.n) + 1); err == nil {
			t.Errorf("limit %d: a reference past the end was read", limit)
		}
		h.file.close()
	}
}
