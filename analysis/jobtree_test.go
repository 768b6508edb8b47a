package analysis

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/arpforensics/arpforensics/detect"
	"github.com/arpforensics/arpforensics/internal/jobtree"
	"github.com/arpforensics/arpforensics/timeline"
)

// A Zuul job tree of two nodes, as devstack and zuul-jobs leave it, built
// at test time with the real tools from the txn-race seeds, read from the
// job root and from the logs/ directory a download puts it in.
func TestJobTree(t *testing.T) {
	dl := t.TempDir()
	root := filepath.Join(dl, "logs")
	if _, err := jobtree.Build(root, "../samples/txn-race"); err != nil {
		if strings.Contains(err.Error(), "needed") {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	if d := os.Getenv("ARPF_KEEP_TREE"); d != "" {
		os.CopyFS(d, os.DirFS(dl))
	}
	// The same tree zipped whole, as a job's logs are often handed on:
	// walked like the directory, hosts from the members' paths.
	if _, err := exec.LookPath("zip"); err == nil {
		cmd := exec.Command("zip", "-qry", filepath.Join(dl, "job.zip"), "logs")
		cmd.Dir = dl
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("zip: %v %s", err, out)
		}
		t.Run("zipped", func(t *testing.T) {
			res := Run(Options{Paths: []string{filepath.Join(dl, "job.zip")}, Config: detect.Defaults()})
			count := map[string]int{}
			for _, f := range res.Findings {
				count[f.Detector]++
			}
			if count["interleaved-txn"] != 1 || count["arp-unanswered"] != 1 || len(res.Findings) != 2 {
				t.Errorf("findings %v, want interleaved-txn and arp-unanswered once each", count)
			}
			hosts := map[string]string{}
			for _, s := range res.Timeline.Sources {
				if s.Analysed() {
					hosts[s.Path[strings.Index(s.Path, "!/")+2:]] = s.Host
				}
			}
			for member, host := range map[string]string{
				"logs/controller/logs/tcpdump.pcap": "controller", "logs/controller/logs/screen-q-svc.txt": "controller",
				"logs/compute1/logs/ovn/ovn-controller.log": "compute1",
			} {
				if hosts[member] != host {
					t.Errorf("%s: host %q, want %q (hosts %v)", member, hosts[member], host, hosts)
				}
			}
		})
		os.Remove(filepath.Join(dl, "job.zip"))
	}
	for name, from := range map[string]string{"job-root": dl, "logs": root} {
		t.Run(name, func(t *testing.T) {
			res := Run(Options{Paths: []string{from}, Config: detect.Defaults()})
			src := map[string]*timeline.Source{}
			for _, s := range res.Timeline.Sources {
				rel, _ := filepath.Rel(root, s.Path)
				src[filepath.ToSlash(rel)] = s
				t.Logf("%-60s %-16s %-10s %5d events %v %s %v", rel, s.Kind, s.Host, s.Events, s.First.Format("2006-01-02T15:04:05Z"), s.SkipReason, s.Problems)
			}
			expect := func(rel, kind, host string, year int) {
				t.Helper()
				s := src[rel]
				switch {
				case s == nil:
					t.Errorf("%s: not listed", rel)
				case s.Kind != kind || s.Host != host:
					t.Errorf("%s: kind %s host %s, want %s on %s", rel, s.Kind, s.Host, kind, host)
				case year != 0 && (s.First.Year() != year || s.Events == 0):
					t.Errorf("%s: %d events from %v, want events in %d", rel, s.Events, s.First, year)
				}
			}
			expect("controller/logs/tcpdump.pcap", "pcap", "controller", 2018)
			expect("controller/logs/screen-q-svc.txt", "txnlog", "controller", 2018)
			expect("controller/logs/devstack.journal.gz!/devstack@q-svc.service", "txnlog", "controller", 2018)
			expect("controller/logs/devstack.journal.gz!/devstack@br-ex-tcpdump.service", "tcpdump-text", "controller", 2018)
			expect("controller/logs/screen-br-ex-tcpdump.txt", "tcpdump-text", "controller", 2018)
			expect("controller/logs/tempest_log.txt", "tempest-log", "controller", 2018)
			expect("compute1/logs/devstack.journal.xz", "journal-export", "compute1", 0)
			wd := "controller/logs/worlddump-2018-09-18-171245.txt!/"
			expect(wd+"ip neigh", "neigh", "controller", 2018)
			expect(wd+"sudo ovs-ofctl --protocols=OpenFlow10,OpenFlow11,OpenFlow12,OpenFlow13 dump-flows br-int", "ovs-ofctl-flows", "controller", 2018)
			expect(wd+"sudo ovn-nbctl show", "ovn-nbctl-show", "controller", 2018)
			if s := src[wd+"ip neigh"]; s != nil && !s.First.Equal(time.Date(2018, 9, 18, 17, 12, 45, 0, time.UTC)) {
				t.Errorf("worlddump snapshot at %v, want the dump's name's 17:12:45", s.First)
			}
			if s := src["controller/logs/worlddump-latest.txt"]; s == nil || !strings.Contains(s.SkipReason, "duplicate of") {
				t.Errorf("worlddump-latest: %+v", s)
			}
			sos := "compute1/logs/sosreport-compute1-2018-09-18-qwerty.tar.xz!/sosreport-compute1-2018-09-18-qwerty/sos_commands/"
			expect(sos+"networking/ip_-s_-s_neigh_show", "neigh", "compute1", 2018)
			expect(sos+"openvswitch/ovs-ofctl_-O_OpenFlow13_dump-flows_br-int", "ovs-ofctl-flows", "compute1", 2018)
			if s := src[sos+"networking/ip_-s_-s_neigh_show"]; s != nil && !s.First.Equal(time.Date(2018, 9, 18, 17, 20, 1, 0, time.UTC)) {
				t.Errorf("sosreport snapshot at %v, want its date's 17:20:01", s.First)
			}
			expect("job-output.txt", "test-results", "default", 2018)
			expect("controller/logs/screen-br-int-flows.txt!/ovs-ofctl", "ovs-ofctl-flows", "controller", 2018)
			if s := src["controller/logs/screen-br-int-flows.txt!/ovs-ofctl"]; s != nil && (!s.First.Equal(time.Date(2018, 9, 18, 17, 12, 15, 0, time.UTC)) || !s.Last.Equal(time.Date(2018, 9, 18, 17, 12, 45, 0, time.UTC))) {
				t.Errorf("br-int flows from %v to %v, want the two dumps' 17:12:15 and 17:12:45", s.First, s.Last)
			}
			expect("compute1/logs/ovn/ovn-controller.log", "ovs-vlog", "compute1", 2018)
			expect("controller/logs/openvswitch/ovs-vswitchd.log", "ovs-vlog", "controller", 2018)
			// The same traffic and log, three and two times over: counted once,
			// from the capture and the file on disk.
			for dup, of := range map[string]string{
				"controller/logs/screen-br-ex-tcpdump.txt":                            "controller/logs/tcpdump.pcap",
				"controller/logs/devstack.journal.gz!/devstack@br-ex-tcpdump.service": "controller/logs/tcpdump.pcap",
				"controller/logs/devstack.journal.gz!/devstack@q-svc.service":         "controller/logs/screen-q-svc.txt",
			} {
				if s := src[dup]; s == nil || s.Analysed() || !strings.Contains(s.SkipReason, "duplicate of "+filepath.Join(root, of)) {
					t.Errorf("%s: not a duplicate of %s: %+v", dup, of, s)
				}
			}
			// The screen file's year comes from its own host's sources.
			if s := src["controller/logs/screen-q-svc.txt"]; s != nil {
				note := ""
				for _, p := range s.Problems {
					note += p.Message
				}
				if !strings.Contains(note, "took 2018 from "+filepath.Join(root, "controller")) {
					t.Errorf("screen-q-svc.txt's year: %q, want it from a controller source", note)
				}
			}
			for _, s := range res.Timeline.Sources {
				if s.Host == "zuul-info" || s.Host == "logs" {
					t.Errorf("%s: host %q", s.Path, s.Host)
				}
			}
			count := map[string]int{}
			for _, f := range res.Findings {
				count[f.Detector]++
				t.Logf("finding %s %s %v", f.Detector, f.Severity, f.Subject)
			}
			if count["interleaved-txn"] != 1 || count["arp-unanswered"] != 1 || len(res.Findings) != 2 {
				t.Errorf("findings %v, want interleaved-txn and arp-unanswered once each", count)
			}
			for _, f := range res.Findings {
				if f.Detector == "arp-unanswered" && f.Subject.String("requests") != "45" {
					t.Errorf("arp-unanswered counts %v requests, want the seed's 45 (each frame once)", f.Subject.String("requests"))
				}
			}
		})
	}
}
