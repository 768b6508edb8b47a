package ingest

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
)

// ExportApplication is the application option (shb_userappl) in the section
// header of the pcapng files `arpforensics export` writes: how a later run
// knows them from captures.
const ExportApplication = "arpforensics export"

// ExportLogHeader starts the text file of log evidence an export writes
// beside its pcapng.
const ExportLogHeader = "# arpforensics evidence of finding "

// pcapngApplication is the shb_userappl option of the section header block
// that head starts with, or "" (not pcapng, no such option, or a header
// longer than head).
func pcapngApplication(head []byte) string {
	if len(head) < 28 || !bytes.HasPrefix(head, []byte{0x0a, 0x0d, 0x0d, 0x0a}) {
		return ""
	}
	var bo binary.ByteOrder = binary.LittleEndian
	switch binary.LittleEndian.Uint32(head[8:]) {
	case 0x1a2b3c4d:
	case 0x4d3c2b1a:
		bo = binary.BigEndian
	default:
		return ""
	}
	total := int(bo.Uint32(head[4:]))
	if total < 28 || total > len(head) {
		return ""
	}
	opts := head[24 : total-4]
	for len(opts) >= 4 {
		code, n := bo.Uint16(opts), int(bo.Uint16(opts[2:]))
		if code == 0 || 4+n > len(opts) {
			return ""
		}
		if code == 4 { // shb_userappl
			return string(opts[4 : 4+n])
		}
		opts = opts[min(len(opts), 4+(n+3)&^3):]
	}
	return ""
}

// ReadHead reads up to n bytes from the start of the file at path.
func ReadHead(path string, n int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	head := make([]byte, n)
	k, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return head[:k], nil
}
