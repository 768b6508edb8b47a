package timeline

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAppendFileWritesInOrder: what is written through the background
// writer reads back byte for byte, at the offsets write returned.
func TestAppendFileWritesInOrder(t *testing.T) {
	defer func(d string) { SpillDir = d }(SpillDir)
	SpillDir = t.TempDir()
	var a appendFile
	defer a.close()
	rng := rand.New(rand.NewPCG(1, 2))
	var want bytes.Buffer
	var offs []int64
	var parts [][]byte
	for want.Len() < 5*spillBuf {
		p := make([]byte, rng.IntN(3*spillBuf/2)+1)
		for i := range p {
			p[i] = byte(rng.Uint32())
		}
		if at := a.write(p); at != int64(want.Len()) {
			t.Fatalf("write returned offset %d, want %d", at, want.Len())
		}
		offs, parts = append(offs, int64(want.Len())), append(parts, p)
		want.Write(p)
	}
	if err := a.seal(); err != nil {
		t.Fatal(err)
	}
	if a.size() != int64(want.Len()) {
		t.Fatalf("size %d, want %d", a.size(), want.Len())
	}
	for i, p := range parts {
		got := make([]byte, len(p))
		if err := a.readAt(got, offs[i]); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, p) {
			t.Fatalf("part %d at %d reads back different bytes", i, offs[i])
		}
	}
}

// TestAppendFileReportsWriteErrors: a failed write stops the writer and
// comes back from seal, and later writes are refused rather than lost
// silently.
func TestAppendFileReportsWriteErrors(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ro")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path) // read only: every write fails
	if err != nil {
		t.Fatal(err)
	}
	a := appendFile{f: f, buf: make([]byte, 0, spillBuf)}
	defer a.close()
	p := make([]byte, spillBuf)
	for i := 0; i < 4; i++ {
		a.write(p)
	}
	err = a.seal()
	if err == nil || !strings.Contains(err.Error(), "writing a spill file") {
		t.Fatalf("seal: %v, want the write's error", err)
	}
}
