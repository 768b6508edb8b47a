package pcap

import (
	"bytes"
	"encoding/binary"
	"io"
	"strings"
	"testing"
)

// The pcapng caps stop reading at the block that goes over them, before
// pcapgo sees its body, however the stream is cut into reads.
func TestNgCaps(t *testing.T) {
	le := binary.LittleEndian
	shb := func() []byte {
		b := le.AppendUint32(nil, ngBlockSHB)
		b = le.AppendUint32(b, 28)
		b = le.AppendUint32(b, ngByteOrderMagic)
		b = le.AppendUint16(b, 1)
		b = le.AppendUint16(b, 0)
		b = le.AppendUint64(b, ^uint64(0))
		return le.AppendUint32(b, 28)
	}
	block := func(typ uint32, body []byte) []byte {
		n := uint32(12 + len(body))
		b := le.AppendUint32(nil, typ)
		b = le.AppendUint32(b, n)
		b = append(b, body...)
		return le.AppendUint32(b, n)
	}
	idb := func(optBytes int) []byte {
		body := []byte{1, 0, 0, 0, 0, 0, 0, 0}
		if optBytes > 0 {
			opt := le.AppendUint16(nil, 1) // comment
			opt = le.AppendUint16(opt, uint16(optBytes))
			body = append(append(body, opt...), make([]byte, (optBytes+3)&^3)...)
		}
		return block(ngBlockIDB, body)
	}
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"interfaces", append(shb(), bytes.Repeat(idb(0), maxInterfaces+1)...),
			"is one more than the 4096 interfaces a section may have"},
		{"interface bytes", append(shb(), bytes.Repeat(idb(60000), 200)...),
			"takes the section's interface blocks past 8388608 bytes"},
		{"name blocks", append(append(shb(), idb(0)...), bytes.Repeat(block(ngBlockNRB, make([]byte, 60000)), 300)...),
			"takes the file's name resolution blocks past 16777216 bytes"},
	}
	for _, tt := range tests {
		for _, chunk := range []int{7, 4096, 1 << 20} {
			b := &ngBlocks{r: &chunked{r: bytes.NewReader(tt.in), n: chunk}}
			n, err := io.Copy(io.Discard, b)
			if b.stop == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%s, reads of %d: err %v, want %q", tt.name, chunk, err, tt.want)
				continue
			}
			// Reads that cut the block's header hand on its first bytes
			// before it can be judged; never its body.
			if n < b.stop.at || n > b.stop.at+int64(len(b.hdr)) {
				t.Errorf("%s, reads of %d: %d bytes handed on, want %d (up to the block's header)", tt.name, chunk, n, b.stop.at)
			}
		}
	}
	// A new section starts the interface count again.
	var in []byte
	for i := 0; i < 3; i++ {
		in = append(append(in, shb()...), bytes.Repeat(idb(0), maxInterfaces)...)
	}
	b := &ngBlocks{r: bytes.NewReader(in)}
	if _, err := io.Copy(io.Discard, b); err != nil {
		t.Errorf("three sections of %d interfaces: %v", maxInterfaces, err)
	}
}

type chunked struct {
	r io.Reader
	n int
}

func (c *chunked) Read(p []byte) (int, error) { return c.r.Read(p[:min(len(p), c.n)]) }
