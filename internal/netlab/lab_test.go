package netlab_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/arpforensics/arpforensics/analysis"
	"github.com/arpforensics/arpforensics/detect"
	"github.com/arpforensics/arpforensics/internal/netlab"
)

func TestMain(m *testing.M) {
	netlab.ServeHelper() // the frame-sending helper runs this binary
	os.Exit(m.Run())
}

// record records m, skipping with the reason where a lab cannot run. The
// artifacts land in $ARPF_LAB_DIR/<name> when set (to look at them), else in
// a temporary directory.
func record(t *testing.T, name string, m netlab.Move) string {
	t.Helper()
	if err := netlab.Available(); err != nil {
		if os.Getenv("ARPF_REQUIRE_LAB") != "" {
			t.Fatalf("ARPF_REQUIRE_LAB is set but the real-kernel lab cannot run: %v", err)
		}
		t.Skipf("no real-kernel lab here: %v", err)
	}
	dir := t.TempDir()
	if d := os.Getenv("ARPF_LAB_DIR"); d != "" {
		dir = filepath.Join(d, name)
		os.RemoveAll(dir)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	if err := m.Record(ctx, dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

// vantage analyses one capture with the host's listing and monitor log, as
// a CI job's log folder for the observer would hold them.
func vantage(t *testing.T, dir, capture string) []detect.Finding {
	t.Helper()
	v := filepath.Join(t.TempDir(), strings.TrimSuffix(capture, ".pcap"))
	if err := os.MkdirAll(v, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{capture, netlab.Listing, netlab.Monitor} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(v, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res := analysis.Run(analysis.Options{Paths: []string{v}, Config: detect.Defaults()})
	for _, s := range res.Timeline.Sources {
		if s.Errors() > 0 {
			t.Errorf("%s: %v", s.Path, s.Problems)
		}
	}
	return res.Findings
}

func byDetector(fs []detect.Finding, name string) []detect.Finding {
	var out []detect.Finding
	for _, f := range fs {
		if f.Detector == name {
			out = append(out, f)
		}
	}
	return out
}

// staleTruth reads the Ethernet capture with tcpdump, independently of
// our parser: the frames the observer sent to the IP's old MAC after the new
// owner's first reply, and how long after it the last one went.
func staleTruth(t *testing.T, m netlab.Move, eth string) (frames int64, dur float64) {
	t.Helper()
	out, err := exec.Command("tcpdump", "-nn", "-e", "-tt", "-r", eth).Output()
	if err != nil {
		t.Fatalf("tcpdump -r %s: %v", eth, err)
	}
	var moved, last float64
	for _, line := range strings.Split(string(out), "\n") {
		ts, _ := strconv.ParseFloat(strings.Fields(line + " 0")[0], 64)
		switch {
		case moved == 0 && strings.Contains(line, "Reply "+m.IP()+" is-at "+m.NewMAC()):
			moved = ts
		case moved != 0 && strings.Contains(line, m.ObserverMAC()+" > "+m.OldMAC()+", ethertype IPv4") &&
			(strings.Contains(line, " > "+m.IP()+".") || strings.Contains(line, " > "+m.IP()+":")):
			frames++
			last = ts
		}
	}
	if moved == 0 || frames == 0 {
		t.Fatalf("tcpdump shows no move or no stale frames in %s", eth)
	}
	return frames, float64(int((last-moved)*1000+0.5)) / 1000
}

// The new owner announces the IP with unicast ARP replies to the observer,
// not gratuitous, inside a raised locktime: the real kernel ignores them,
// its entry goes STALE → DELAY → PROBE, the three unicast probes to the old
// MAC fail, a broadcast finds the new MAC. Recorded with tcpdump -i any
// (SLL2) and tcpdump -i obs0 (Ethernet), the listing loop and ip monitor.
// Both vantage points: stale-mac medium with the probes cited, the frames
// and duration exactly those before the re-resolution (as tcpdump counts
// them), no missing-probe (the kernel did probe); and the address nobody
// holds is arp-unanswered.
func TestLabMoveIgnoredInsideLocktime(t *testing.T) {
	t.Parallel()
	m := netlab.Move{Prefix: "arpf-lock", Net: 91, Announce: netlab.UnicastReplies, Unanswered: true}
	dir := record(t, "locktime", m)
	frames, dur := staleTruth(t, m, filepath.Join(dir, netlab.EtherCapture))
	for _, capture := range []string{netlab.AnyCapture, netlab.EtherCapture} {
		t.Run(capture, func(t *testing.T) {
			fs := vantage(t, dir, capture)
			stale := byDetector(fs, "stale-mac")
			if len(stale) != 1 {
				t.Fatalf("%d stale-mac findings, want 1: %v", len(stale), titles(fs))
			}
			f := stale[0]
			if f.Severity != detect.Medium {
				t.Errorf("stale-mac %s, want medium (the observer probed)", f.Severity)
			}
			want := map[string]any{"ip": m.IP(), "old_mac": m.OldMAC(), "new_mac": m.NewMAC(), "observer_mac": m.ObserverMAC(),
				"frames_to_old_mac": frames, "duration_s": dur}
			for k, v := range want {
				if got := f.Subject.Get(k); fmt.Sprint(got) != fmt.Sprint(v) {
					t.Errorf("subject %s = %v, want %v (tcpdump's count)", k, got, v)
				}
			}
			if n, _ := f.Subject.Get("observer_arp_requests").(int); n < 3 {
				t.Errorf("observer_arp_requests %v, want the 3 probes", f.Subject.Get("observer_arp_requests"))
			}
			probes := 0
			for _, e := range f.Evidence {
				if strings.Contains(e.Text, "Request who-has "+m.IP()) {
					probes++
				}
			}
			if probes < 2 {
				t.Errorf("the probes are not cited: %d requests in the evidence", probes)
			}
			if mp := byDetector(fs, "missing-probe"); len(mp) != 0 {
				t.Errorf("missing-probe on a host that probed: %s", mp[0].Title)
			}
			un := byDetector(fs, "arp-unanswered")
			if len(un) != 1 || un[0].Subject.Get("ip") != m.NobodyIP() || un[0].Severity != detect.Medium {
				t.Errorf("arp-unanswered: %v, want one medium for %s", titles(un), m.NobodyIP())
			}
			for _, f := range fs {
				if f.Severity == detect.High {
					t.Errorf("high finding: %s", f.Title)
				}
			}
		})
	}
}

// The same move announced the way Neutron does (arping -U, then -A): this
// kernel applies gratuitous ARPs whatever locktime says, the observer
// switches at once, and nothing but the move itself is reported.
func TestLabHealthyMoveIsQuiet(t *testing.T) {
	t.Parallel()
	m := netlab.Move{Prefix: "arpf-ok", Net: 92, Announce: netlab.GARPs}
	dir := record(t, "healthy", m)
	for _, capture := range []string{netlab.AnyCapture, netlab.EtherCapture} {
		t.Run(capture, func(t *testing.T) {
			fs := vantage(t, dir, capture)
			for _, f := range fs {
				if f.Detector != "mac-change" {
					t.Errorf("%s %s on a healthy move: %s", f.Severity, f.Detector, f.Title)
				}
			}
			if mc := byDetector(fs, "mac-change"); len(mc) != 1 || mc[0].Subject.Get("new_mac") != m.NewMAC() {
				t.Errorf("mac-change: %v, want the move to %s", titles(mc), m.NewMAC())
			}
		})
	}
}

func titles(fs []detect.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Severity.String()+" "+f.Detector+": "+f.Title)
	}
	return out
}
