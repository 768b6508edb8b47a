package ingest

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/bzip2"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/arpforensics/arpforensics/timeline"
)

// Archives are walked like directories: every regular member is sniffed
// and parsed as a file would be, as a source named
// "<archive>!/<path in archive>" (nested archives add another "!/"). tar
// (also under any compression open undoes) is read as a stream, one member
// after the other; zip needs its central directory, so a zip that is not a
// plain file on disk (compressed, stdin, a member of another archive) is
// first copied to an unnamed temporary file that vanishes with the process.
// Nothing is extracted into memory: each member streams into its parser.

// maxContainerDepth is how many archives (or journals) deep a member may be
// and still be opened: a sosreport inside a zipped job tree is two.
const maxContainerDepth = 3

// MemberSep joins an archive's path and a member's path inside it.
const MemberSep = "!/"

// container is a file holding other artifacts.
type container struct {
	name string
	walk func(st *stream, in *input, src *timeline.Source)
}

// sniffContainer recognises a container by its (decompressed) head.
func sniffContainer(head []byte) *container {
	switch {
	case isTar(head):
		return &container{name: "tar", walk: walkTar}
	case bytes.HasPrefix(head, []byte("PK\x03\x04")) || bytes.HasPrefix(head, []byte("PK\x05\x06")):
		return &container{name: "zip", walk: walkZip}
	}
	if sniffWorlddump(head) {
		return &container{name: "worlddump", walk: walkWorlddump}
	}
	return sniffJournalContainer(head)
}

// isTar checks the ustar magic of the first header (POSIX "ustar\x00" and
// GNU "ustar  \x00") and its header check sum.
func isTar(head []byte) bool {
	if len(head) < 512 {
		return false
	}
	h := head[:512]
	if !bytes.Equal(h[257:262], []byte("ustar")) {
		return false
	}
	var sum int64
	for i, c := range h {
		if i >= 148 && i < 156 {
			c = ' '
		}
		sum += int64(c)
	}
	field := strings.TrimRight(strings.TrimSpace(string(h[148:156])), "\x00 ")
	var want int64
	if _, err := fmt.Sscanf(field, "%o", &want); err != nil {
		return false
	}
	return want == sum
}

// member reads one member of the container st is reading.
func (st *stream) member(name string, mod time.Time, r io.Reader) {
	m := *st
	m.path = st.path + MemberSep + strings.TrimPrefix(path.Clean("/"+name), "/")
	m.reread, m.file, m.reopen, m.kind = "", nil, nil, nil // the sink keeps a member's text; it cannot be reopened
	m.depth++
	m.opts.ModTime = mod
	if m.host == DefaultHost {
		// A job tree packed whole: <node>/logs/… inside names the node.
		m.host = nodeOfMember(name)
	}
	src := &timeline.Source{Path: m.path, Host: m.host, Location: st.opts.Loc()}
	m.read(r, src)
}

// nodeOfMember is the directory above the first logs/ directory of an
// archive member's path, or DefaultHost.
func nodeOfMember(name string) string {
	dirs := strings.Split(strings.Trim(path.Clean("/"+name), "/"), "/")
	if h, ok := nodeAboveLogs(dirs[:len(dirs)-1]); ok {
		return h
	}
	return DefaultHost
}

// done emits the container's own source: skipped (its members are the
// artifacts), with the problems met walking it.
func (st *stream) done(src *timeline.Source, members int) {
	src.SkipReason = fmt.Sprintf("%s archive of %d member(s), read as %s%s…", src.Kind, members, st.path, MemberSep)
	st.emit(src, nil)
}

func walkTar(st *stream, in *input, src *timeline.Source) {
	if st.host == DefaultHost {
		// sosreport-<host>-<date>-<id>.tar.xz names its host.
		if m := sosName.FindStringSubmatch(path.Base(st.path)); m != nil {
			st.host, src.Host = m[1], m[1]
		}
	}
	tr := tar.NewReader(in.forParsing(st.opts.Threads))
	n := 0
	var sos sosState
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			src.Problemf(timeline.Pos{Line: int64(n + 1)}, "tar: reading member %d: %v", n+1, err)
			break
		}
		n++
		if hdr.Typeflag != tar.TypeReg && hdr.Typeflag != '\x00' {
			continue // directories, links, devices: nothing to read
		}
		sos.next(st, hdr, tr)
	}
	sos.end(st)
	st.done(src, n)
}

var sosName = regexp.MustCompile(`^sosreport-(.+?)-(?:\d+-)?\d{4}-\d\d-\d\d-[0-9a-z]+\.tar`)

// sosState times a sosreport's snapshots by its sos_commands/date/date,
// wherever that member comes in the archive: snapshot members before it
// are held (small files, within a budget) until it is read.
type sosState struct {
	at      time.Time
	pending []heldMember
	held    int
}

type heldMember struct {
	name string
	mod  time.Time
	data []byte
}

const sosHoldFile, sosHoldAll = 4 << 20, 64 << 20

func (s *sosState) next(st *stream, hdr *tar.Header, r io.Reader) {
	switch {
	case sosDate.MatchString(hdr.Name) && hdr.Size < 4096:
		data, _ := io.ReadAll(io.LimitReader(r, 4096))
		if t, ok := sosDateOf(data); ok && s.at.IsZero() {
			s.at = t
			for _, h := range s.pending {
				st.memberAt(h.name, h.mod, bytes.NewReader(h.data), s.at, "sos_commands/date/date")
			}
			s.pending, s.held = nil, 0
		}
		st.member(hdr.Name, hdr.ModTime, bytes.NewReader(data))
	case isSosSnapshot(hdr.Name) && !s.at.IsZero():
		st.memberAt(hdr.Name, hdr.ModTime, r, s.at, "sos_commands/date/date")
	case isSosSnapshot(hdr.Name) && hdr.Size <= sosHoldFile && s.held+int(hdr.Size) <= sosHoldAll:
		data, err := io.ReadAll(r)
		if err != nil {
			st.member(hdr.Name, hdr.ModTime, io.MultiReader(bytes.NewReader(data), errReader{err}))
			return
		}
		s.pending = append(s.pending, heldMember{hdr.Name, hdr.ModTime, data})
		s.held += len(data)
	default:
		st.member(hdr.Name, hdr.ModTime, r)
	}
}

// end reads the held members of a sosreport without a date: at their
// modification times.
func (s *sosState) end(st *stream) {
	for _, h := range s.pending {
		st.member(h.name, h.mod, bytes.NewReader(h.data))
	}
	s.pending = nil
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// memberAt is member for a snapshot taken at a known time.
func (st *stream) memberAt(name string, mod time.Time, r io.Reader, at time.Time, how string) {
	saved, savedHow := st.snapshotAt, st.snapshotHow
	st.snapshotAt, st.snapshotHow = at, how
	st.member(name, mod, r)
	st.snapshotAt, st.snapshotHow = saved, savedHow
}

func walkZip(st *stream, in *input, src *timeline.Source) {
	ra, size := io.ReaderAt(st.file), st.size
	if st.file == nil {
		tmp, err := timeline.TempFile()
		if err != nil {
			src.Unreadable = true
			src.Problemf(timeline.Pos{}, "zip: %v", err)
			st.emit(src, nil)
			return
		}
		defer tmp.Close()
		if size, err = io.Copy(tmp, in.r); err != nil {
			src.Unreadable = true
			src.Problemf(timeline.Pos{}, "zip: copying to a temporary file: %v", UnwrapPath(err))
			st.emit(src, nil)
			return
		}
		ra = tmp
	}
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		src.Unreadable = true
		src.Problemf(timeline.Pos{}, "zip: %v", err)
		st.emit(src, nil)
		return
	}
	// `zip -Z bzip2` members (method 12); xz and zstd methods stay
	// unsupported and are reported per member.
	zr.RegisterDecompressor(12, func(r io.Reader) io.ReadCloser { return io.NopCloser(bzip2.NewReader(r)) })
	for i, f := range zr.File {
		if f.FileInfo().IsDir() || f.Mode()&(fs.ModeSymlink|fs.ModeDevice|fs.ModeNamedPipe|fs.ModeSocket) != 0 {
			continue
		}
		r, err := f.Open()
		if err != nil {
			m := &timeline.Source{Path: st.path + MemberSep + f.Name, Host: st.host, Kind: "unknown", Unreadable: true}
			m.Problemf(timeline.Pos{Line: int64(i + 1)}, "zip member: %v", err)
			st.emit(m, nil)
			continue
		}
		st.member(f.Name, f.Modified, r)
		r.Close()
	}
	st.done(src, len(zr.File))
}
