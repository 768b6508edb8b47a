package pcap

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/arpforensics/arpforensics/timeline"
)

// readBufSize is the buffer pcapgo reads through. It exceeds the 1 MiB
// buffer ingest hands over by more than the largest record pcapgo reads
// eagerly (256 KiB), so that once the sniffed head is used up every refill
// asks for more than ingest's buffer holds and bufio reads straight into
// ours: the file's bytes are copied once, not twice.
const readBufSize = 1<<20 + 256<<10

// newReadBuf wraps in for pcapgo, counting the bytes read. An input that
// ingest's buffer holds whole gets a buffer just big enough for it, so a
// directory of small captures does not allocate megabytes each.
func newReadBuf(in io.Reader, cnt io.Reader) *bufio.Reader {
	size := readBufSize
	if br, ok := in.(*bufio.Reader); ok {
		if all, err := br.Peek(br.Size()); err != nil && len(all) < size {
			size = max(len(all)+16, 4096) // pcapgo rewraps anything smaller than 4 KiB
		}
	}
	return bufio.NewReaderSize(cnt, size)
}

// meta is what a capture record says about its frame besides its bytes.
type meta struct {
	ts    time.Time
	link  layers.LinkType
	dir   timeline.Direction
	iface string
	// noTime: the record carries no timestamp (pcapng simple packet block).
	noTime bool
	// off is where the frame's bytes start in the stream; offKnown is false
	// when the reader could not tell.
	off      int64
	offKnown bool
}

// source yields a capture's records in file order.
type source interface {
	// next returns the next record's bytes, valid until the following
	// call, and fills m. At the end of the capture it returns io.EOF;
	// any other error ends the capture too.
	next(m *meta) ([]byte, error)
	// failure turns the error that ended the capture, after frames
	// complete records, into a positioned problem.
	failure(err error, frames int64) (timeline.Pos, string)
}

// countingReader counts the bytes read through it, for byte offsets.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// pcapSource reads classic pcap through pcapgo.Reader.
type pcapSource struct {
	r      *pcapgo.Reader
	cnt    *countingReader
	br     *bufio.Reader
	link   layers.LinkType
	off    int64 // offset of the next record: records are laid end to end
	caplen int   // captured length the failed record declared
}

func newPcapSource(in io.Reader) (*pcapSource, error) {
	cnt := &countingReader{r: in}
	br := newReadBuf(in, cnt)
	head, _ := br.Peek(pcapHeaderLen)
	if err := checkPcapHeader(head); err != nil {
		return nil, err
	}
	r, err := pcapgo.NewReader(br)
	if err != nil {
		return nil, fmt.Errorf("reading the pcap file header: %w", err)
	}
	lt := r.LinkType()
	return &pcapSource{r: r, cnt: cnt, br: br, link: lt, off: pcapHeaderLen}, nil
}

func (s *pcapSource) next(m *meta) ([]byte, error) {
	data, ci, err := s.r.ZeroCopyReadPacketData()
	if err != nil {
		s.caplen = ci.CaptureLength
		return nil, err
	}
	m.off, m.offKnown = s.off+16, true
	s.off += 16 + int64(len(data))
	m.ts, m.link = ci.Timestamp, s.link
	return data, nil
}

func (s *pcapSource) failure(err error, frames int64) (timeline.Pos, string) {
	end := s.cnt.n - int64(s.br.Buffered())
	n := frames + 1
	if errors.Is(err, io.ErrUnexpectedEOF) {
		have := end - s.off
		if have < 16 {
			return timeline.Pos{Offset: end}, fmt.Sprintf(
				"capture cut short: the file ends at byte %d inside the 16-byte header of record %d (at byte %d); the %d frame(s) before it were read",
				end, n, s.off, frames)
		}
		return timeline.Pos{Offset: end}, fmt.Sprintf(
			"capture cut short: record %d at byte %d declares %d captured bytes but the file ends at byte %d, after %d of them; the %d frame(s) before it were read",
			n, s.off, s.caplen, end, have-16, frames)
	}
	return timeline.Pos{Offset: s.off}, fmt.Sprintf(
		"damaged record %d at byte %d: %s; reading stopped there, the %d frame(s) before it were read",
		n, s.off, describePcapgo(err), frames)
}

// ngSource reads pcapng through pcapgo.NgReader, with the link type of
// each packet's interface, so files mixing link types are read whole.
type ngSource struct {
	r       *pcapgo.NgReader
	blocks  *ngBlocks
	br      *bufio.Reader
	section int // index of the current section header block
}

func newNgSource(in io.Reader) (*ngSource, error) {
	blocks := &ngBlocks{r: in}
	br := newReadBuf(in, blocks)
	head, _ := br.Peek(sniffSHB)
	if err := checkSHB(head); err != nil {
		return nil, err
	}
	s := &ngSource{blocks: blocks, br: br}
	r, err := pcapgo.NewNgReader(br, pcapgo.NgReaderOptions{
		WantMixedLinkType: true,
		// Called when the next section starts: interface ids restart.
		SectionEndCallback: func([]pcapgo.NgInterface, pcapgo.NgSectionInfo) { s.section++ },
	})
	if err != nil {
		return nil, fmt.Errorf("reading the pcapng section header: %s", describePcapgo(err))
	}
	s.r = r
	return s, nil
}

// sniffSHB is how much of the file's start checkSHB sees: section header
// blocks are small (a few options naming the OS and the application).
const sniffSHB = 64 << 10

func (s *ngSource) next(m *meta) ([]byte, error) {
	data, ci, opts, err := s.r.ZeroCopyReadPacketDataWithOptions()
	if err != nil {
		return nil, err
	}
	if len(ci.AncillaryData) > 0 {
		m.link, _ = ci.AncillaryData[0].(layers.LinkType)
	}
	m.ts = ci.Timestamp
	m.noTime = ci.Timestamp.IsZero()
	m.off, m.offKnown = s.blocks.dataOffset(s.blocks.n-int64(s.br.Buffered()), len(data))
	if ifc, err := s.r.Interface(ci.InterfaceIndex); err == nil {
		m.iface = ifc.Name
	}
	m.dir = timeline.DirUnknown
	if opts.Flags != nil {
		// pcapgo reads the flags word little-endian whatever the section's
		// byte order; in a big-endian section the direction bits land in
		// bits 24-25 of what it read.
		dir := uint32(opts.Flags.Direction)
		if s.blocks.bigEndian(s.section) {
			dir = opts.Flags.ToUint32() >> 24
		}
		switch pcapgo.NgEpbFlag(dir) & pcapgo.NgEpbFlagDirectionMask {
		case pcapgo.NgEpbFlagDirectionInbound:
			m.dir = timeline.DirIncoming
		case pcapgo.NgEpbFlagDirectionOutbound:
			m.dir = timeline.DirOutgoing
		}
	}
	return data, nil
}

func (s *ngSource) failure(err error, frames int64) (timeline.Pos, string) {
	b := s.blocks
	end := b.n - int64(s.br.Buffered())
	n := frames + 1
	if errors.Is(err, io.ErrUnexpectedEOF) {
		switch {
		case b.lost:
		case b.have > 0:
			return timeline.Pos{Offset: end}, fmt.Sprintf(
				"capture cut short: the file ends at byte %d inside the header of the block at byte %d; the %d frame(s) before it were read",
				end, b.start, frames)
		case b.end > end:
			return timeline.Pos{Offset: end}, fmt.Sprintf(
				"capture cut short: the block at byte %d declares %d bytes but the file ends at byte %d, after %d of them; the %d frame(s) before it were read",
				b.start, b.end-b.start, end, end-b.start, frames)
		}
		return timeline.Pos{Offset: end}, fmt.Sprintf(
			"capture cut short: the file ends at byte %d inside a block; the %d frame(s) before it were read", end, frames)
	}
	// The block walker reads ahead of pcapgo, so only the bytes pcapgo
	// consumed say where the damage is: in the block that ends there.
	return timeline.Pos{Offset: end}, fmt.Sprintf(
		"damaged pcapng block before byte %d (while looking for frame %d): %s; reading stopped there, the %d frame(s) before it were read",
		end, n, describePcapgo(err), frames)
}

// describePcapgo words pcapgo's terse errors for a user.
func describePcapgo(err error) string {
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the file ends inside it"
	case errors.Is(err, pcapgo.ErrNgVersionMismatch):
		return "a section header declares a pcapng version other than 1.0"
	}
	switch msg := err.Error(); msg {
	case "Wrong byte order value in Section Header":
		return "a section header block's byte-order magic is not 0x1a2b3c4d in either byte order"
	case "End of Options must be zero length":
		return "an options list ends with an end-of-options marker that is not empty"
	default:
		return msg
	}
}

// ngBlocks follows the pcapng block structure in the bytes flowing to
// pcapgo, which keeps it to itself: where the block being read started and
// how long it said it was (for precise "cut short" problems), and the byte
// order of every section (pcapgo reads packet flags little-endian even in
// big-endian sections). It sees the bytes when the buffer is filled, so it
// is ahead of the reader, never behind.
type ngBlocks struct {
	r        io.Reader
	n        int64 // bytes read through it
	start    int64 // offset of the block being crossed
	end      int64 // offset just past that block, once its header is complete
	hdr      [12]byte
	have     int    // bytes of the next block's header seen so far
	big      bool   // byte order of the current section
	sections []bool // byte order of each section header seen (true = big-endian)
	lost     bool   // the structure stopped making sense; no more tracking
	// ahead are the blocks walked that pcapgo has not finished reading,
	// oldest first, so that a packet pcapgo returns can be placed: its
	// block is the one ending where pcapgo stopped reading. The walker is
	// at most a read buffer ahead, so the queue stays that small.
	ahead []ngBlock
	head  int
}

type ngBlock struct {
	start, end int64
	typ        uint32
}

func (b *ngBlocks) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.walk(p[:n])
	b.n += int64(n)
	return n, err
}

// walk follows blocks across buf, which starts at offset b.n.
func (b *ngBlocks) walk(buf []byte) {
	pos := b.n
	for len(buf) > 0 && !b.lost {
		if pos < b.end {
			skip := min(b.end-pos, int64(len(buf)))
			buf, pos = buf[skip:], pos+skip
			continue
		}
		if b.have == 0 {
			b.start = pos
		}
		k := copy(b.hdr[b.have:], buf)
		b.have += k
		buf, pos = buf[k:], pos+int64(k)
		if b.have < len(b.hdr) {
			return
		}
		b.have = 0
		if binary.LittleEndian.Uint32(b.hdr[:4]) == ngBlockSHB {
			order, ok := ngOrder(b.hdr[8:12])
			if !ok {
				b.lost = true
				return
			}
			b.big = order == binary.BigEndian
			b.sections = append(b.sections, b.big)
		}
		var length uint32
		if b.big {
			length = binary.BigEndian.Uint32(b.hdr[4:8])
		} else {
			length = binary.LittleEndian.Uint32(b.hdr[4:8])
		}
		if length < 12 || length%4 != 0 {
			b.lost = true
			return
		}
		b.end = b.start + int64(length)
		typ := binary.LittleEndian.Uint32(b.hdr[:4])
		if b.big {
			typ = binary.BigEndian.Uint32(b.hdr[:4])
		}
		if b.head > 0 && b.head == len(b.ahead) {
			b.ahead, b.head = b.ahead[:0], 0
		}
		b.ahead = append(b.ahead, ngBlock{b.start, b.end, typ})
	}
}

// Block types whose packet data sits at a fixed offset from the block start.
const (
	ngBlockEPB = 6 // enhanced packet block: data after 28 bytes
	ngBlockSPB = 3 // simple packet block: data after 12 bytes
	ngBlockPB  = 2 // obsolete packet block: data after 28 bytes
)

// dataOffset places the packet pcapgo just returned: its block ends at end
// (where pcapgo stopped reading) and its data starts at a fixed offset from
// the block's start. ok is false when the block is not among the recent ones.
func (b *ngBlocks) dataOffset(end int64, n int) (int64, bool) {
	for b.head < len(b.ahead) && b.ahead[b.head].end < end {
		b.head++ // blocks pcapgo has read past: headers, statistics, other packets
	}
	if b.head > 4096 && b.head*2 > len(b.ahead) {
		b.ahead, b.head = append(b.ahead[:0], b.ahead[b.head:]...), 0
	}
	if b.head < len(b.ahead) {
		blk := b.ahead[b.head]
		if blk.end != end {
			return 0, false
		}
		var at int64
		switch blk.typ {
		case ngBlockEPB, ngBlockPB:
			at = blk.start + 28
		case ngBlockSPB:
			at = blk.start + 12
		default:
			return 0, false
		}
		if at+int64(n) > blk.end {
			return 0, false
		}
		return at, true
	}
	return 0, false
}

// bigEndian reports the byte order of section i (0-based), false when
// unknown.
func (b *ngBlocks) bigEndian(i int) bool {
	return i < len(b.sections) && b.sections[i]
}
