package report

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/arpforensics/arpforensics/analysis"
	"github.com/arpforensics/arpforensics/detect"
	"github.com/arpforensics/arpforensics/timeline"
)

// TestHTMLEmbedsTheJSONReport: the HTML report carries the JSON contract
// (Build) once, so a script can pull the machine-readable result out of the
// file someone attached to a bug.
func TestHTMLEmbedsTheJSONReport(t *testing.T) {
	ip := netip.MustParseAddr("10.0.0.218")
	mac, _ := timeline.ParseMAC("fa:16:3e:22:22:22")
	at := time.Date(2018, 9, 18, 17, 9, 17, 0, time.UTC)
	a := &timeline.ARP{Link: timeline.Link{Src: mac, Dst: timeline.Broadcast, DstKnown: true}, Op: 2, SHA: mac, THA: timeline.Broadcast, SPA: ip, TPA: ip}
	a.Class = timeline.ClassifyARP(a.Op, a.SHA, a.THA, a.SPA, a.TPA)
	src := &timeline.Source{Path: "capture </script>.pcap", Kind: "pcap", Host: "node", Records: 1, Events: 1, First: at, Last: at}
	tl := timeline.Build([]*timeline.Source{src}, [][]timeline.Event{{{Time: at, Pos: timeline.Pos{Frame: 1}, Data: a}}})
	f := detect.Finding{ID: "garp-locktime-x", Detector: "garp-locktime", Severity: detect.Medium, Title: "GARPs </script> too close",
		Start: at, End: at, Evidence: []detect.Evidence{detect.EventEvidence(tl, 0)}}
	f.Subject.Set("ip", ip.String())
	f.Subject.Set("mac", mac.String())
	f.Subject.Set("min_spacing_ms", 1000)
	r := &analysis.Result{Timeline: tl, Findings: []detect.Finding{f}}

	var buf bytes.Buffer
	if err := HTML(&buf, r, HTMLOptions{}); err != nil {
		t.Fatal(err)
	}
	doc := buf.String()
	blocks := regexp.MustCompile(`(?s)<script type="application/json" id="arpf-data">(.*?)</script>`).FindAllStringSubmatch(doc, -1)
	if len(blocks) != 1 || strings.Count(doc, `type="application/json"`) != 1 {
		t.Fatalf("want exactly one JSON block, found %d", len(blocks))
	}
	var data struct {
		Report json.RawMessage `json:"report"`
	}
	if err := json.Unmarshal([]byte(blocks[0][1]), &data); err != nil {
		t.Fatal(err)
	}
	var got, want any
	if err := json.Unmarshal(data.Report, &got); err != nil {
		t.Fatal(err)
	}
	wantJSON, _ := json.Marshal(Build(r))
	json.Unmarshal(wantJSON, &want)
	gotJSON, _ := json.Marshal(got)
	wantJSON, _ = json.Marshal(want)
	if !bytes.Equal(gotJSON, wantJSON) {
		t.Errorf("embedded report differs from Build:\n got %s\nwant %s", gotJSON, wantJSON)
	}
	if strings.Contains(doc, "</script>.pcap") || strings.Contains(doc, "GARPs </script>") {
		t.Errorf("artifact text closed a script element")
	}
}
