// Package export writes one finding's evidence out for other tools: the
// frames it cites, with a context window from each capture involved, as one
// pcapng file Wireshark opens (a comment on every cited frame names the
// finding), and the log lines it cites as a text file beside it. Frames are
// read again from their captures by position, since the timeline keeps only
// where each frame is.
package export

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
	"github.com/gopacket/gopacket/pcapgo"

	"github.com/arpforensics/arpforensics/detect"
	"github.com/arpforensics/arpforensics/ingest"
	"github.com/arpforensics/arpforensics/internal/safetext"
	"github.com/arpforensics/arpforensics/internal/tempout"
	"github.com/arpforensics/arpforensics/parse/pcap"
	"github.com/arpforensics/arpforensics/timeline"
)

// Application is the section header's application option of the files
// export writes; Check recognises an earlier export by it.
const Application = ingest.ExportApplication

// logHeader starts the log evidence file; Check recognises it.
const logHeader = ingest.ExportLogHeader

// DefaultContext is how many frames before and after each cited frame the
// CLI's --context and the TUI's export keep unless told otherwise.
const DefaultContext = 5

// Options shape an export.
type Options struct {
	// Context is how many frames before and after each cited frame of a
	// capture are written too; 0 (or less) writes the cited frames alone,
	// as --context 0 does.
	Context int
}

func (o Options) context() int64 { return int64(max(o.Context, 0)) }

// Frame is one frame to write.
type Frame struct {
	Source   int   // index into the timeline's sources
	N        int64 // frame number in its capture, from 1
	CI       gopacket.CaptureInfo
	Link     layers.LinkType
	Data     []byte
	Comments []string // on cited frames: what cites them
}

// Line is one piece of evidence that is not a capture frame: a log line, a
// neighbour listing, a fact the detector states.
type Line struct {
	Source, Pos string
	Time        time.Time
	Text        string
}

// Plan is what an export of one finding writes.
type Plan struct {
	Finding  *detect.Finding
	Frames   []Frame  // in time order
	Cited    int      // frames that are cited (the rest are context)
	Captures []string // the captures the frames come from, in source order
	Lines    []Line
}

// cite is a frame a finding's evidence names.
type cite struct {
	n       int64
	t       int64 // the timeline's time of the frame (0: not known)
	comment string
}

// Collect works out what an export of f writes, reading the cited frames
// and their context again from the captures.
func Collect(tl *timeline.Timeline, f *detect.Finding, o Options) (*Plan, error) {
	p := &Plan{Finding: f}
	cites := map[int][]cite{} // source → frames it cites
	for k, e := range f.Evidence {
		if e.Event >= 0 && e.Event < tl.Len() {
			r := tl.Record(e.Event)
			src := tl.Sources[r.Src]
			if isCapture(src) && r.Pos.Frame > 0 {
				// "arpforensics finding ID, evidence 4/13 (x.pcap frame 534): title"
				label := func(n int64, what string) string {
					return fmt.Sprintf("arpforensics finding %s, evidence %d/%d (%s frame %d%s): %s",
						f.ID, k+1, len(f.Evidence), filepath.Base(src.Path), n, what, f.Title)
				}
				if r.Last > r.Pos.Frame {
					run := ", first of " + r.Span().String()
					cites[int(r.Src)] = append(cites[int(r.Src)],
						cite{n: r.Pos.Frame, t: r.T, comment: label(r.Pos.Frame, run)},
						cite{n: r.Last, comment: label(r.Last, strings.Replace(run, "first", "last", 1))})
				} else {
					cites[int(r.Src)] = append(cites[int(r.Src)], cite{n: r.Pos.Frame, t: r.T, comment: label(r.Pos.Frame, "")})
				}
				continue
			}
		}
		p.Lines = append(p.Lines, Line{Source: e.Source, Pos: e.Pos.String(), Time: e.Time, Text: e.Text})
	}
	srcs := make([]int, 0, len(cites))
	for s := range cites {
		srcs = append(srcs, s)
	}
	slices.Sort(srcs)
	for _, s := range srcs {
		src := tl.Sources[s]
		frames, err := readFrames(src, s, cites[s], o.context())
		if err != nil {
			return nil, err
		}
		for _, fr := range frames {
			if len(fr.Comments) > 0 {
				p.Cited++
			}
		}
		p.Frames = append(p.Frames, frames...)
		p.Captures = append(p.Captures, src.Path)
	}
	// Time order across captures; frames of one capture at the same
	// instant keep their order (the sort is stable, sources in order).
	slices.SortStableFunc(p.Frames, func(a, b Frame) int { return a.CI.Timestamp.Compare(b.CI.Timestamp) })
	return p, nil
}

func isCapture(s *timeline.Source) bool { return pcap.IsCaptureFile(s.Kind) }

// span is a closed range of frame numbers.
type span struct{ from, to int64 }

// readFrames reads the frames of src that cs cite, with ctx frames either
// side, in file order. The timestamps get the source's clock offset, as
// the timeline has them.
func readFrames(src *timeline.Source, si int, cs []cite, ctx int64) ([]Frame, error) {
	comments := map[int64][]string{}
	times := map[int64]int64{}
	var spans []span
	for _, c := range cs {
		if !slices.Contains(comments[c.n], c.comment) {
			comments[c.n] = append(comments[c.n], c.comment)
		}
		if c.t != 0 {
			times[c.n] = c.t
		}
		spans = append(spans, span{max(1, c.n-ctx), c.n + ctx})
	}
	slices.SortFunc(spans, func(a, b span) int { return int(a.from - b.from) })
	merged := spans[:1]
	for _, s := range spans[1:] {
		last := &merged[len(merged)-1]
		if s.from <= last.to+1 {
			last.to = max(last.to, s.to)
		} else {
			merged = append(merged, s)
		}
	}

	rc, err := ingest.Reopen(src.Path)
	if err != nil {
		return nil, fmt.Errorf("%s: reading the frames again: %w", src.Path, ingest.UnwrapPath(err))
	}
	defer rc.Close()
	next, err := packetReader(rc)
	if err != nil {
		return nil, fmt.Errorf("%s: reading the frames again: %w", src.Path, err)
	}
	var out []Frame
	var n int64
	for k := 0; k < len(merged); {
		data, ci, link, err := next()
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			break // the check below names cited frames the file no longer holds
		}
		if err != nil {
			return nil, fmt.Errorf("%s: frame %d: %w", src.Path, n+1, err)
		}
		n++
		for k < len(merged) && n > merged[k].to {
			k++
		}
		if k == len(merged) || n < merged[k].from {
			continue
		}
		ci.Timestamp = ci.Timestamp.Add(src.Offset).UTC()
		if t, ok := times[n]; ok && t != ci.Timestamp.UnixNano() && !ci.Timestamp.IsZero() {
			return nil, fmt.Errorf("%s: frame %d is stamped %s, but the analysis read it at %s: the file changed since it was analysed",
				src.Path, n, ci.Timestamp.Format(time.RFC3339Nano), time.Unix(0, t).UTC().Format(time.RFC3339Nano))
		}
		out = append(out, Frame{Source: si, N: n, CI: ci, Link: link, Data: bytes.Clone(data), Comments: comments[n]})
	}
	for fn := range comments {
		if fn > n {
			return nil, fmt.Errorf("%s: the finding cites frame %d but the capture now has %d frames: the file changed since it was analysed", src.Path, fn, n)
		}
	}
	return out, nil
}

// packetReader reads pcap or pcapng by its magic, as the parser did, and
// yields frames with their link type.
func packetReader(r io.Reader) (func() ([]byte, gopacket.CaptureInfo, layers.LinkType, error), error) {
	br := bufio.NewReaderSize(r, 1<<20)
	magic, err := br.Peek(4)
	if err != nil {
		return nil, fmt.Errorf("no capture header: %w", err)
	}
	if bytes.Equal(magic, []byte{0x0a, 0x0d, 0x0d, 0x0a}) {
		ng, err := pcapgo.NewNgReader(br, pcapgo.NgReaderOptions{WantMixedLinkType: true})
		if err != nil {
			return nil, err
		}
		return func() ([]byte, gopacket.CaptureInfo, layers.LinkType, error) {
			data, ci, err := ng.ZeroCopyReadPacketData()
			lt := ng.LinkType()
			if len(ci.AncillaryData) > 0 {
				if l, ok := ci.AncillaryData[0].(layers.LinkType); ok {
					lt = l
				}
			}
			ci.AncillaryData = nil
			return data, ci, lt, err
		}, nil
	}
	pr, err := pcapgo.NewReader(br)
	if err != nil {
		return nil, err
	}
	return func() ([]byte, gopacket.CaptureInfo, layers.LinkType, error) {
		data, ci, err := pr.ZeroCopyReadPacketData()
		return data, ci, pr.LinkType(), err
	}, nil
}

// WritePcapng writes the plan's frames: one interface per link type, named
// for it and describing the captures its frames come from.
func (p *Plan) WritePcapng(w io.Writer, tl *timeline.Timeline) error {
	if len(p.Frames) == 0 {
		return errors.New("no frames to write")
	}
	var links []layers.LinkType
	from := map[layers.LinkType][]string{}
	for _, fr := range p.Frames {
		if !slices.Contains(links, fr.Link) {
			links = append(links, fr.Link)
		}
		path := tl.Sources[fr.Source].Path
		if !slices.Contains(from[fr.Link], path) {
			from[fr.Link] = append(from[fr.Link], path)
		}
	}
	iface := func(lt layers.LinkType) pcapgo.NgInterface {
		return pcapgo.NgInterface{
			Name:                lt.String(),
			Description:         "frames from " + strings.Join(from[lt], ", "),
			LinkType:            lt,
			TimestampResolution: 9,
		}
	}
	comment := fmt.Sprintf("evidence of arpforensics finding %s (%s): %s", p.Finding.ID, p.Finding.Detector, p.Finding.Title)
	var offs []string
	for _, c := range p.Captures {
		for _, s := range tl.Sources {
			if s.Path == c && s.Offset != 0 {
				offs = append(offs, fmt.Sprintf("%s %+v", c, s.Offset))
			}
		}
	}
	if len(offs) > 0 {
		comment += "; clock offsets applied to timestamps: " + strings.Join(offs, ", ")
	}
	nw, err := pcapgo.NewNgWriterInterface(w, iface(links[0]), pcapgo.NgWriterOptions{SectionInfo: pcapgo.NgSectionInfo{
		Application: Application, Comment: comment,
	}})
	if err != nil {
		return err
	}
	ids := map[layers.LinkType]int{links[0]: 0}
	for _, lt := range links[1:] {
		id, err := nw.AddInterface(iface(lt))
		if err != nil {
			return err
		}
		ids[lt] = id
	}
	for _, fr := range p.Frames {
		ci := fr.CI
		ci.InterfaceIndex = ids[fr.Link]
		if err := nw.WritePacketWithOptions(ci, fr.Data, pcapgo.NgPacketOptions{Comments: fr.Comments}); err != nil {
			return fmt.Errorf("%s frame %d: %w", tl.Sources[fr.Source].Path, fr.N, err)
		}
	}
	return nw.Flush()
}

// WriteLog writes the evidence that is not frames, one line each:
// SOURCE:POS TIME TEXT, the text made inert for terminals.
func (p *Plan) WriteLog(w io.Writer, pcapName string) error {
	bw := bufio.NewWriter(w)
	f := p.Finding
	fmt.Fprintf(bw, "%s%s (%s): %s\n", logHeader, f.ID, f.Detector, safetext.Terminal(f.Title))
	if pcapName != "" {
		fmt.Fprintf(bw, "# its %d cited frame(s), with context, are in %s\n", p.Cited, safetext.Terminal(pcapName))
	}
	for _, l := range p.Lines {
		where := safetext.Terminal(l.Source)
		if l.Pos != "" {
			where += ":" + l.Pos
		}
		ts := ""
		if !l.Time.IsZero() {
			ts = l.Time.UTC().Format("2006-01-02T15:04:05.999999Z07:00") + " "
		}
		fmt.Fprintf(bw, "%s %s%s\n", where, ts, safetext.Terminal(l.Text))
	}
	return bw.Flush()
}

// LogPath is where the log evidence of an export to pcapPath goes: beside
// it, the extension replaced by .txt.
func LogPath(pcapPath string) string {
	ext := filepath.Ext(pcapPath)
	if ext == ".txt" {
		ext = ""
	}
	return strings.TrimSuffix(pcapPath, ext) + ".txt"
}

// Written says what ToFiles wrote.
type Written struct {
	Pcap, Log     string // paths; "" when not written
	Frames, Cited int
	Lines         int
	Captures      []string
}

// ToFiles collects f's evidence and writes it to pcapPath (when it cites
// frames) and LogPath(pcapPath) (when it cites anything else). Each file
// is written whole or not at all. Check the paths first.
func ToFiles(tl *timeline.Timeline, f *detect.Finding, pcapPath string, o Options) (Written, error) {
	p, err := Collect(tl, f, o)
	if err != nil {
		return Written{}, err
	}
	w := Written{Frames: len(p.Frames), Cited: p.Cited, Lines: len(p.Lines), Captures: p.Captures}
	if len(p.Frames) == 0 && len(p.Lines) == 0 {
		return w, fmt.Errorf("finding %s cites no evidence to export", f.ID)
	}
	pcapName := ""
	if len(p.Frames) > 0 {
		if err := writeFile(pcapPath, func(out io.Writer) error { return p.WritePcapng(out, tl) }); err != nil {
			return w, err
		}
		w.Pcap, pcapName = pcapPath, filepath.Base(pcapPath)
	}
	if len(p.Lines) > 0 {
		lp := LogPath(pcapPath)
		if err := writeFile(lp, func(out io.Writer) error { return p.WriteLog(out, pcapName) }); err != nil {
			return w, err
		}
		w.Log = lp
	}
	return w, nil
}

// writeFile writes path through a temporary file renamed over it at the end.
func writeFile(path string, write func(io.Writer) error) error {
	tmp, err := tempout.Create(path)
	if err != nil {
		return err
	}
	defer func() {
		os.Remove(tmp.Name()) // no-op after the rename
		tempout.Done(tmp.Name())
	}()
	bw := bufio.NewWriterSize(tmp, 1<<20)
	if err := write(bw); err != nil {
		tmp.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		tmp.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// Check refuses an export to pcapPath (and its log file beside it) that
// would overwrite an input of the run — never allowed, whatever force says
// — or an existing file that is not an earlier export (unless force), or
// that would land inside an analysed directory (unless force), where the
// next analysis would read it as one more capture. dirs are the analysed
// directories.
func Check(tl *timeline.Timeline, dirs []string, pcapPath string, force bool) error {
	for _, path := range []string{pcapPath, LogPath(pcapPath)} {
		if err := check(tl, dirs, path, force); err != nil {
			return err
		}
	}
	return nil
}

func check(tl *timeline.Timeline, dirs []string, path string, force bool) error {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		dir := filepath.Dir(path)
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return fmt.Errorf("%s: no directory %s to write it in", path, dir)
		}
	case err != nil:
		return fmt.Errorf("%s: %w", path, ingest.UnwrapPath(err))
	case st.IsDir():
		return fmt.Errorf("%s: is a directory (want a file to write the evidence to)", path)
	default:
		for _, s := range tl.Sources {
			if in, err := os.Stat(s.Path); err == nil && os.SameFile(st, in) {
				return fmt.Errorf("%s: refusing to write evidence over %s, an input of this run (even with --force)", path, s.Path)
			}
		}
		if !force {
			if ours, err := isExport(path); err != nil {
				return fmt.Errorf("%s: %w", path, ingest.UnwrapPath(err))
			} else if !ours {
				return fmt.Errorf("%s: refusing to overwrite an existing file that is not an arpforensics export (pass --force to overwrite it)", path)
			}
		}
	}
	if force {
		return nil
	}
	if d := InsideDir(path, dirs); d != "" {
		return fmt.Errorf("%s: refusing to write evidence inside the analysed directory %s, where the next analysis would read it as one more input (pass --force to write it there anyway)", path, d)
	}
	return nil
}

// InsideDir is the first of dirs that holds path (at any depth), or "".
// The report outputs' guard asks it too.
func InsideDir(path string, dirs []string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return ""
	}
	for _, d := range dirs {
		da, err := filepath.Abs(d)
		if err != nil {
			continue
		}
		if rel, err := filepath.Rel(da, abs); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return d
		}
	}
	return ""
}

// isExport reports whether path holds an earlier export (or nothing).
func isExport(path string) (bool, error) {
	head, err := ingest.ReadHead(path, 4096)
	if err != nil {
		return false, err
	}
	return len(head) == 0 || strings.HasPrefix(ingest.OwnOutput(head), "an arpforensics evidence export"), nil
}
