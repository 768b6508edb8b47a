package ingest

import (
	"bytes"
	"io"

	"github.com/arpforensics/arpforensics/parse"
	"github.com/arpforensics/arpforensics/timeline"
)

// Sniffing beyond the head. A rotated log (neutron-l3-agent.log.1 whose
// first `Running txn` is 5,000 lines in) or a dump pasted after a long
// session shows nothing of its kind in its first 64 KiB. Text whose head
// matched no kind is therefore sniffed again window by window (16 KiB to
// a line's end, starting every 16 KiB on a line boundary) to its end; the
// first window that matches decides the kind. A file on disk is then parsed from its start, so positions stay
// those of the file; a stream that cannot be read again (stdin, an archive
// member) is parsed from that window, with a note saying so.

// deepStep is how far each further window starts after the one before.
const deepStep = 16 << 10

// deepSniff scans in past its head for a text kind. It reports whether it
// found one (and then read and emitted the source).
func (st *stream) deepSniff(in *input, src *timeline.Source, reason string) bool {
	if reason != "text of no known artifact kind" {
		return false // empty, binary, or one of our own reports
	}
	var lines, bytesBefore int64
	head := in.head
	for {
		// Step by deepStep, not a whole window: sniffers judge a window by
		// its first few hundred lines, so a window must start near
		// wherever the artifact does.
		cut := bytes.LastIndexByte(head[:min(len(head), deepStep)], '\n') + 1
		if cut == 0 {
			cut = bytes.LastIndexByte(head, '\n') + 1
		}
		if cut == 0 {
			if len(head) < sniffLen {
				return false // the last line, seen whole already
			}
			cut = len(head) // a line longer than a window: step over it
		}
		lines += int64(bytes.Count(head[:cut], []byte{'\n'}))
		bytesBefore += int64(cut)
		if _, err := in.r.Discard(cut); err != nil {
			return false
		}
		next, err := in.r.Peek(sniffLen)
		if len(next) == 0 || err != nil && err != io.EOF {
			return false // the end, or a damaged stream: it stays unrecognised
		}
		head = next
		if !looksLikeText(head) {
			return false
		}
		// Each byte is judged about once: the window is the next 16 KiB
		// (to a line's end), which is as far as it stays the front.
		win := head
		if len(win) > 2*deepStep {
			if e := bytes.IndexByte(win[deepStep:], '\n'); e >= 0 {
				win = win[:deepStep+e+1]
			}
		}
		k := sniffText(win)
		if k == nil {
			if len(head) < sniffLen && bytes.LastIndexByte(head[:min(len(head), deepStep)], '\n')+1 >= len(head) {
				return false // that was the end
			}
			continue
		}
		comp := src.Compression
		if st.reopen != nil {
			if r, err := st.reopen(); err == nil {
				defer r.Close()
				again := *st
				again.kind, again.reopen = k, nil
				src.Compression = ""
				src.Notef(timeline.Pos{Line: lines + 1, Offset: bytesBefore}, "nothing of a known kind in the first %d lines: recognised as %s in the 64 KiB from line %d", lines, k.Name, lines+1)
				again.read(r, src)
				if src.Compression == "" {
					src.Compression = comp
				}
				return true
			}
		}
		// Parse the rest of the stream from this window.
		src.Notef(timeline.Pos{}, "nothing of a known kind in the first %d lines: recognised as %s in the 64 KiB from line %d (byte %d); it is read from there, the lines before skipped, and positions count from there", lines, k.Name, lines+1, bytesBefore)
		src.Skipped += lines
		src.Records += lines
		src.Kind = k.Name
		sink := st.sp.NewSink("") // offsets are no longer the stream's: keep the text
		if err := k.Parse(in.forParsing(st.opts.Threads), src, st.opts, sink); err != nil {
			src.Unreadable = true
			src.Problemf(timeline.Pos{}, "%v", err)
		}
		finish(src, sink)
		st.emit(src, sink)
		return true
	}
}

// sniffText is sniff for a window in the middle of a text: only text kinds,
// no reasons.
func sniffText(head []byte) *parse.Format {
	return sniffWhere(head, func(*parse.Format) bool { return true })
}
