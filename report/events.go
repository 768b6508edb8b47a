package report

import (
	"bufio"
	"encoding/json"
	"io"

	"github.com/arpforensics/arpforensics/analysis"
	"github.com/arpforensics/arpforensics/timeline"
)

// eventLine is one timeline event as Timesketch imports JSON lines: its three
// required fields (datetime, timestamp_desc, message) and the rest as
// attributes to search on.
type eventLine struct {
	Datetime      string            `json:"datetime"`
	TimestampDesc string            `json:"timestamp_desc"`
	Message       string            `json:"message"`
	End           string            `json:"end,omitempty"`
	Kind          string            `json:"kind"`
	Source        string            `json:"source"`
	Host          string            `json:"hostname"`
	Pos           string            `json:"pos"`
	Raw           string            `json:"raw,omitempty"`
	Fields        map[string]string `json:"fields,omitempty"`
}

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

// Events writes the merged timeline as JSON lines.
func Events(w io.Writer, r *analysis.Result) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	enc := json.NewEncoder(bw)
	tl := r.Timeline
	for i, rec := range tl.Records(0, -1) {
		ev := tl.EventOf(i, rec)
		e := &ev
		src := tl.Sources[e.Source]
		l := eventLine{
			Datetime: Time(e.Time), TimestampDesc: timestampDesc(e.Kind()), Message: e.Data.Summary(),
			Kind: e.Kind().String(), Source: src.Path, Host: src.Host, Pos: e.Pos.String(), Raw: e.Raw,
		}
		if !e.End.IsZero() {
			l.End = Time(e.End)
		}
		if fs := e.Data.Fields(); len(fs) > 0 {
			l.Fields = make(map[string]string, len(fs))
			for _, f := range fs {
				l.Fields[f.Name] = f.Value
			}
		}
		if err := enc.Encode(&l); err != nil {
			return err
		}
	}
	return bw.Flush()
}
