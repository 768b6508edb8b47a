package report

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/arpforensics/arpforensics/analysis"
	"github.com/arpforensics/arpforensics/timeline"
)

// Timesketch imports JSON lines with three required fields (message,
// datetime, timestamp_desc), an optional epoch timestamp in microseconds,
// any number of flat attributes, and a tag list. Every event is one line,
// its payload's fields flattened beside ours; events a finding cites carry
// its tags, and each finding is an event of its own, so a sketch can be
// searched for the evidence of one finding.

// eventAttrs are the attributes every line has; payload fields that would
// take one of these names get an "f_" prefix.
var eventAttrs = map[string]bool{"message": true, "datetime": true, "timestamp": true, "timestamp_desc": true,
	"end": true, "kind": true, "source": true, "hostname": true, "pos": true, "raw": true, "tag": true,
	"detector": true, "finding_id": true, "severity": true, "confidence": true}

// timestampDesc says what an event's time means, as plaso and Timesketch
// expect ("what this time is").
func timestampDesc(k timeline.Kind) string {
	switch k {
	case timeline.KindARP, timeline.KindTCP:
		return "Packet captured"
	case timeline.KindUsage:
		return "First frame of a usage run captured"
	case timeline.KindNeigh:
		return "Neighbour table observed"
	case timeline.KindTxn, timeline.KindTxnStatus, timeline.KindSymptom, timeline.KindLog:
		return "Log line written"
	case timeline.KindOVN:
		return "Snapshot taken"
	}
	return "Event time"
}

// Events writes the merged timeline as JSON lines, then one line per
// finding.
func Events(w io.Writer, r *analysis.Result) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	tl := r.Timeline
	tags := map[int][]string{}
	for i := range r.Findings {
		f := &r.Findings[i]
		for _, e := range f.Evidence {
			if e.Event >= 0 && !slices.Contains(tags[e.Event], f.ID) {
				tags[e.Event] = append(tags[e.Event], "arpforensics:"+f.Detector, f.ID)
			}
		}
	}
	var o jsonLine
	for i, rec := range tl.Records(0, -1) {
		ev := tl.ViewOf(i, rec) // a summary, not the frame's bytes
		e := &ev
		src := tl.Sources[e.Source]
		o.start(o.b, e.Time, timestampDesc(e.Kind()), e.Data.Summary())
		if !e.End.IsZero() {
			o.str("end", Time(e.End))
		}
		o.str("kind", e.Kind().String())
		o.str("source", src.Path)
		o.str("hostname", src.Host)
		o.str("pos", e.Pos.String())
		if e.Raw != "" {
			o.str("raw", e.Raw)
		}
		for _, f := range e.Data.Fields() {
			name := f.Name
			if eventAttrs[name] {
				name = "f_" + name
			}
			o.str(name, f.Value)
		}
		if t := tags[i]; len(t) > 0 {
			o.list("tag", compactTags(t))
		}
		if _, err := bw.Write(o.end()); err != nil {
			return err
		}
	}
	for i := range r.Findings {
		f := &r.Findings[i]
		o.start(o.b, f.Start, "Finding start", "["+f.Severity.String()+"] "+f.Title)
		o.str("end", Time(f.End))
		o.str("kind", "finding")
		o.str("detector", f.Detector)
		o.str("finding_id", f.ID)
		o.str("severity", f.Severity.String())
		o.str("confidence", f.Confidence.String())
		for _, kv := range f.Subject {
			o.str("subject_"+kv.Key, fmt.Sprint(kv.Value))
		}
		o.list("tag", []string{"arpforensics:" + f.Detector, f.ID, "arpforensics:finding"})
		if _, err := bw.Write(o.end()); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// compactTags drops repeated tags, keeping the first of each.
func compactTags(t []string) []string {
	out := t[:0:0]
	for _, s := range t {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// jsonLine builds one flat JSON object in the order its attributes are
// added (Timesketch shows them so). Attributes are written straight into
// the line's bytes: a million events are a million lines, and neither
// reflection nor a boxed value per attribute is paid for them.
type jsonLine struct{ b []byte }

// start begins a line in buf's storage with the attributes every line has.
func (o *jsonLine) start(buf []byte, at time.Time, desc, message string) {
	o.b = append(buf[:0], '{')
	o.str("message", message)
	o.key("timestamp")
	o.b = strconv.AppendInt(o.b, at.UnixMicro(), 10)
	o.str("datetime", Time(at))
	o.str("timestamp_desc", desc)
}

func (o *jsonLine) key(k string) {
	if len(o.b) > 1 {
		o.b = append(o.b, ',')
	}
	o.b = appendJSONString(o.b, k)
	o.b = append(o.b, ':')
}

func (o *jsonLine) str(k, v string) {
	o.key(k)
	o.b = appendJSONString(o.b, v)
}

func (o *jsonLine) list(k string, v []string) {
	o.key(k)
	o.b = append(o.b, '[')
	for j, s := range v {
		if j > 0 {
			o.b = append(o.b, ',')
		}
		o.b = appendJSONString(o.b, s)
	}
	o.b = append(o.b, ']')
}

// end closes the object and returns the line, newline included.
func (o *jsonLine) end() []byte {
	o.b = append(o.b, '}', '\n')
	return o.b
}

// appendJSONString appends s as a JSON string: quotes, backslashes and
// control characters escaped, invalid UTF-8 replaced by U+FFFD (as
// encoding/json does), U+2028/2029 escaped for JavaScript readers.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			if r == utf8.RuneError {
				b = append(b, `\ufffd`...)
			} else {
				b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			}
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
