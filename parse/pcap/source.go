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

	"github.com/arpforensics/arpforensics/parse"
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

// pcapSource reads classic pcap through pcapgo.Reader.
type pcapSource struct {
	r      *pcapgo.Reader
	cnt    *parse.CountingReader // for byte offsets
	br     *bufio.Reader
	link   layers.LinkType
	off    int64 // offset of the next record: records are laid end to end
	caplen int   // captured length the failed record declared
	// What the file header says, for records read without pcapgo (next).
	big     bool   // big-endian fields
	nanos   uint32 // nanoseconds per unit of the timestamp's fraction
	snaplen int
}

func newPcapSource(in io.Reader) (*pcapSource, error) {
	cnt := &parse.CountingReader{R: in}
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
	// The header's snap length is the writer's word: records up to the
	// link type's maximum are read whatever it says (as tcpdump does), and
	// none beyond, so no record can size a buffer past it.
	r.SetSnaplen(uint32(snaplenFor(lt)))
	m := [4]byte(head)
	big := m == magicMicroBE || m == magicNanoBE
	nanos := uint32(1000)
	if r.Resolution().Exponent == -9 {
		nanos = 1
	}
	return &pcapSource{r: r, cnt: cnt, br: br, link: lt, off: pcapHeaderLen,
		big: big, nanos: nanos, snaplen: snaplenFor(lt)}, nil
}

// next returns a record's bytes where they lie in the read buffer: pcapgo
// would copy each frame out of it first (a third copy of every byte, with
// the batch pump's). A record it would refuse, or one not wholly in the
// buffer (the end of the file, a cut one), is left to pcapgo, which reads
// it from the same place and says what is wrong as before.
func (s *pcapSource) next(m *meta) ([]byte, error) {
	if h, err := s.br.Peek(16); err == nil {
		caplen := int(s.u32(h[8:12]))
		if caplen <= s.snaplen && caplen <= int(s.u32(h[12:16])) && 16+caplen <= s.br.Size() {
			sec, frac := s.u32(h[0:4]), s.u32(h[4:8])
			if rec, err := s.br.Peek(16 + caplen); err == nil {
				m.ts = time.Unix(int64(sec), int64(frac*s.nanos)).UTC() // as pcapgo computes it, overflow and all
				m.off, m.offKnown = s.off+16, true
				s.off += 16 + int64(caplen)
				m.link = s.link
				s.br.Discard(16 + caplen)
				return rec[16 : 16+caplen : 16+caplen], nil
			}
		}
	}
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

// u32 reads a header field in the file's byte order (a call through
// binary.ByteOrder costs a few percent of reading).
func (s *pcapSource) u32(b []byte) uint32 {
	if s.big {
		return binary.BigEndian.Uint32(b)
	}
	return binary.LittleEndian.Uint32(b)
}

func (s *pcapSource) failure(err error, frames int64) (timeline.Pos, string) {
	end := s.cnt.N - int64(s.br.Buffered())
	n := frames + 1
	if s.caplen > snaplenFor(s.link) {
		c := snaplenCap(fmt.Sprintf("record %d", n), s.off, uint64(s.caplen), s.link)
		return timeline.Pos{Offset: s.off}, fmt.Sprintf("%s; reading stopped there, the %d frame(s) before it were read", c.msg, frames)
	}
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
	if b.stop != nil && end >= b.stop.at {
		return timeline.Pos{Offset: b.stop.at}, fmt.Sprintf("%s; reading stopped there, the %d frame(s) before it were read", b.stop.msg, frames)
	}
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
	hdr      [28]byte
	have     int    // bytes of the next block's header seen so far
	need     int    // bytes of it to see before judging it: 12, more for some types
	typ      uint32 // type and length of that block, once its first 12 bytes are seen
	length   uint32
	big      bool   // byte order of the current section
	sections []bool // byte order of each section header seen (true = big-endian)
	lost     bool   // the structure stopped making sense; no more tracking
	// The caps (caps.go) per section: its interfaces' link types and
	// snap lengths, the bytes of its interface blocks; and per file, the
	// bytes of name resolution blocks. stop is the first cap exceeded:
	// no byte from its block on reaches pcapgo.
	links    []layers.LinkType
	snaps    []uint32
	idbBytes int64
	nrbBytes int64
	stop     *capExceeded
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
	if b.stop != nil {
		return 0, b.stop
	}
	n, err := b.r.Read(p)
	b.walk(p[:n])
	if b.stop != nil {
		// Hand over only what precedes the offending block; the next
		// read fails with the cap.
		n = int(min(max(b.stop.at-b.n, 0), int64(n)))
		err = nil
	}
	b.n += int64(n)
	return n, err
}

// walk follows blocks across buf, which starts at offset b.n.
func (b *ngBlocks) walk(buf []byte) {
	pos := b.n
	for len(buf) > 0 && !b.lost && b.stop == nil {
		if pos < b.end {
			skip := min(b.end-pos, int64(len(buf)))
			buf, pos = buf[skip:], pos+skip
			continue
		}
		if b.have == 0 {
			b.start, b.need = pos, 12
		}
		k := copy(b.hdr[b.have:b.need], buf)
		b.have += k
		buf, pos = buf[k:], pos+int64(k)
		if b.have < b.need {
			return
		}
		if b.need == 12 {
			if !b.typeAndLength() {
				b.lost = true
				return
			}
			// Packet and interface blocks are judged on fields past
			// the first 12 bytes: see those first.
			switch more := b.headerLen(); {
			case more > 12 && int(b.length) >= more:
				b.need = more
				continue
			}
		}
		b.have = 0
		b.end = b.start + int64(b.length)
		if b.stop = b.check(); b.stop != nil {
			return
		}
		if b.head > 0 && b.head == len(b.ahead) {
			b.ahead, b.head = b.ahead[:0], 0
		}
		b.ahead = append(b.ahead, ngBlock{b.start, b.end, b.typ})
	}
}

// typeAndLength reads the first 12 bytes of a block: a section header
// sets the byte order (and starts a new section). It reports false when
// they make no sense.
func (b *ngBlocks) typeAndLength() bool {
	if binary.LittleEndian.Uint32(b.hdr[:4]) == ngBlockSHB {
		order, ok := ngOrder(b.hdr[8:12])
		if !ok {
			return false
		}
		b.big = order == binary.BigEndian
		b.sections = append(b.sections, b.big)
		b.links, b.snaps, b.idbBytes = b.links[:0], b.snaps[:0], 0
	}
	b.length = b.u32(4)
	b.typ = b.u32(0)
	return b.length >= 12 && b.length%4 == 0
}

func (b *ngBlocks) u32(at int) uint32 {
	if b.big {
		return binary.BigEndian.Uint32(b.hdr[at:])
	}
	return binary.LittleEndian.Uint32(b.hdr[at:])
}

func (b *ngBlocks) u16(at int) uint16 {
	if b.big {
		return binary.BigEndian.Uint16(b.hdr[at:])
	}
	return binary.LittleEndian.Uint16(b.hdr[at:])
}

// headerLen is how many bytes of a block of type b.typ check needs.
func (b *ngBlocks) headerLen() int {
	switch b.typ {
	case ngBlockEPB, ngBlockPB:
		return 28 // interface id, timestamp, captured length
	case ngBlockIDB:
		return 16 // link type, snap length
	}
	return 12
}

const ngBlockIDB = 1
const ngBlockNRB = 4

// check applies the caps to the block whose header was just seen, and
// refuses packet blocks whose captured length does not fit in them (pcapgo
// would read on into the following blocks for it).
func (b *ngBlocks) check() *capExceeded {
	at, length := b.start, int64(b.length)
	limit := int64(maxBlockLen)
	var lt layers.LinkType
	ifc := -1
	switch b.typ {
	case ngBlockEPB:
		ifc = int(b.u32(8))
	case ngBlockPB:
		ifc = int(b.u16(8))
	case ngBlockSPB:
		ifc = 0
	}
	if ifc >= 0 && ifc < len(b.links) {
		lt = b.links[ifc]
		limit = blockLenFor(lt)
	}
	if length > limit {
		return &capExceeded{at: at, msg: fmt.Sprintf("pcapng %s at byte %d declares %d bytes, more than the %d-byte maximum block length",
			ngBlockName(b.typ), at, length, limit)}
	}
	switch b.typ {
	case ngBlockIDB:
		if len(b.links) == maxInterfaces {
			return &capExceeded{at: at, msg: fmt.Sprintf("pcapng interface description block at byte %d is one more than the %d interfaces a section may have",
				at, maxInterfaces)}
		}
		if b.idbBytes += length; b.idbBytes > maxIDBBytes {
			return &capExceeded{at: at, msg: fmt.Sprintf("pcapng interface description block at byte %d takes the section's interface blocks past %d bytes, the most read",
				at, maxIDBBytes)}
		}
		b.links = append(b.links, layers.LinkType(b.u16(8)))
		b.snaps = append(b.snaps, b.u32(12))
	case ngBlockNRB:
		if b.nrbBytes += length; b.nrbBytes > maxNRBBytes {
			return &capExceeded{at: at, msg: fmt.Sprintf("pcapng name resolution block at byte %d takes the file's name resolution blocks past %d bytes, the most read",
				at, maxNRBBytes)}
		}
	case ngBlockEPB, ngBlockPB:
		if length < 32 {
			return nil // pcapgo says what is wrong with it
		}
		caplen := uint64(b.u32(20))
		if room := uint64(length - 32); caplen > room {
			return &capExceeded{at: at, msg: fmt.Sprintf("damaged pcapng %s at byte %d: it declares %d captured bytes but holds only %d",
				ngBlockName(b.typ), at, caplen, room)}
		}
		if ifc < len(b.links) && caplen > uint64(snaplenFor(lt)) {
			return snaplenCap("pcapng "+ngBlockName(b.typ), at, caplen, lt)
		}
	case ngBlockSPB:
		caplen := uint64(b.u32(8))
		if len(b.snaps) > 0 && b.snaps[0] != 0 {
			caplen = min(caplen, uint64(b.snaps[0])) // as pcapgo reads it
		}
		if room := uint64(max(length-16, 0)); caplen > room {
			return &capExceeded{at: at, msg: fmt.Sprintf("damaged pcapng simple packet block at byte %d: its packet of %d bytes does not fit in the %d it holds",
				at, caplen, room)}
		}
		if len(b.links) > 0 && caplen > uint64(snaplenFor(lt)) {
			return snaplenCap("pcapng simple packet block", at, caplen, lt)
		}
	}
	return nil
}

func ngBlockName(typ uint32) string {
	switch typ {
	case ngBlockSHB:
		return "section header block"
	case ngBlockIDB:
		return "interface description block"
	case ngBlockEPB:
		return "enhanced packet block"
	case ngBlockPB:
		return "packet block"
	case ngBlockSPB:
		return "simple packet block"
	case ngBlockNRB:
		return "name resolution block"
	}
	return fmt.Sprintf("block of type 0x%08x", typ)
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
