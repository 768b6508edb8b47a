package golden

import (
	"fmt"
	"strings"
	"time"

	"github.com/arpforensics/arpforensics/timeline"
)

// Dump renders what a parse produced, for a golden file: the source's
// accounting and problems, then each event's time, position and summary
// and its payload's fields (Payload.Fields), one a line. The zero Dump is
// the plain form; each option adds a line or a column.
type Dump struct {
	Basis bool // the header gives the source's time basis
	End   bool // each event gives its end beside its time
	Keys  bool // and the entities and IPs it is looked up by, when it has any
	Raw   bool // and its raw text, quoted, when it has any
}

// Of renders src and the events read from it.
func (d Dump) Of(src *timeline.Source, evs []timeline.Event) string {
	var b strings.Builder
	fmt.Fprintf(&b, "records %d events %d skipped %d", src.Records, len(evs), src.Skipped)
	if d.Basis {
		fmt.Fprintf(&b, " basis %d", src.Basis)
	}
	b.WriteByte('\n')
	for _, p := range src.Problems {
		fmt.Fprintf(&b, "%s: %s\n", p.Level, p)
	}
	for _, e := range evs {
		b.WriteString("\n" + e.Time.Format(time.RFC3339Nano))
		if d.End {
			b.WriteString(" – " + e.End.Format(time.RFC3339Nano))
		}
		fmt.Fprintf(&b, " %s\n  %s\n", e.Pos, e.Data.Summary())
		for _, f := range e.Data.Fields() {
			fmt.Fprintf(&b, "  %s = %s\n", f.Name, f.Value)
		}
		if d.Keys {
			var k timeline.Keys
			e.Data.AppendKeys(&k)
			if len(k.Entities)+len(k.IPs) > 0 {
				fmt.Fprintf(&b, "  keys = %v %v\n", k.Entities, k.IPs)
			}
		}
		if d.Raw && e.Raw != "" {
			fmt.Fprintf(&b, "  raw = %q\n", e.Raw)
		}
	}
	return b.String()
}
