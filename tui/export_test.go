package tui_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/arpforensics/arpforensics/analysis"
	"github.com/arpforensics/arpforensics/detect"
	"github.com/arpforensics/arpforensics/tui/internal/drive"
	"github.com/arpforensics/arpforensics/tui/internal/view"
	"github.com/gopacket/gopacket/pcapgo"
)

// x on a finding writes its evidence as `arpforensics export` does: the
// pcapng (read back here with pcapgo: the commented frames are the cited
// ones) and the log lines beside it; the status line says where. Pressed
// again it overwrites its own export; inside an analysed directory it
// refuses. At every size the help lists the key.
func TestExportKey(t *testing.T) {
	res := analysis.Run(analysis.Options{Paths: []string{"../samples/fip-reuse"}, Config: detect.Defaults()})
	defer res.Timeline.Close()
	f := res.Findings[0]
	for _, size := range [][2]int{{80, 24}, {120, 40}, {200, 60}} {
		out := t.TempDir()
		d := drive.Start(t, res, view.Options{Colors: 256, ExportDir: out, AnalysedDirs: []string{"../samples/fip-reuse"}}, size[0], size[1])
		d.Press("x")
		d.WaitFor("the export message", func(s string) bool { return strings.Contains(s, "exported") })
		pcap := filepath.Join(out, f.ID+".pcapng")
		fh, err := os.Open(pcap)
		if err != nil {
			t.Fatalf("%dx%d: %v\n%s", size[0], size[1], err, d.Text())
		}
		r, err := pcapgo.NewNgReader(fh, pcapgo.DefaultNgReaderOptions)
		if err != nil {
			t.Fatal(err)
		}
		frames, commented := 0, 0
		for {
			_, _, opts, err := r.ReadPacketDataWithOptions()
			if err != nil {
				break
			}
			frames++
			if len(opts.Comments) > 0 && strings.Contains(opts.Comments[0], f.ID) {
				commented++
			}
		}
		fh.Close()
		if frames == 0 || commented == 0 || commented >= frames {
			t.Errorf("%dx%d: %d frames, %d commented with the finding", size[0], size[1], frames, commented)
		}
		if _, err := os.Stat(filepath.Join(out, f.ID+".txt")); err != nil {
			t.Errorf("%dx%d: no log evidence: %v", size[0], size[1], err)
		}
		d.Press("x") // again: over its own export
		d.WaitFor("the second export", func(s string) bool { return strings.Contains(s, "exported") })
		d.Press("?")
		d.WaitFor("help listing x", func(s string) bool { return strings.Contains(s, "export the selected finding") })
		d.Press("q", "q")
		if err := d.WaitDone(); err != nil {
			t.Fatal(err)
		}
	}
	d := drive.Start(t, res, view.Options{Colors: 256, ExportDir: "../samples/fip-reuse", AnalysedDirs: []string{"../samples/fip-reuse"}}, 120, 40)
	d.Press("x")
	d.WaitFor("the refusal", func(s string) bool { return strings.Contains(s, "inside the analysed") })
	d.Press("q")
	d.WaitDone()
}
