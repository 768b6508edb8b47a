package pcap

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/arpforensics/arpforensics/parse"
	"github.com/arpforensics/arpforensics/timeline"
)

const timeARPBody = "02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 10.0.0.100 tell 10.0.0.1, length 28"

func journalLine(prefix, tod string) string {
	return prefix + " host tcpdump[1]: " + tod + " " + timeARPBody
}

func eventTimes(evs []timeline.Event) string {
	var s []string
	for _, e := range evs {
		s = append(s, e.Time.Format(time.RFC3339Nano))
	}
	return strings.Join(s, " ")
}

func TestTextTime(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip(err)
	}
	tests := []struct {
		name  string
		lines []string
		opts  parse.Options
		want  string
		basis timeline.TimeBasis
	}{
		{name: "journal: year from --year",
			lines: []string{journalLine("Sep 18 17:09:17.644405", "17:09:17.275597")},
			opts:  parse.Options{Year: 2017, ModTime: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)},
			want:  "2017-09-18T17:09:17.275597Z", basis: timeline.TimeNoYear},
		{name: "journal: year from the modification time",
			lines: []string{journalLine("Sep 18 17:09:17.644405", "17:09:17.275597")},
			opts:  parse.Options{ModTime: time.Date(2018, 9, 19, 0, 0, 0, 0, time.UTC)},
			want:  "2018-09-18T17:09:17.275597Z", basis: timeline.TimeNoYear},
		{name: "journal from December read in January: the year before",
			lines: []string{journalLine("Dec 31 23:59:59.900000", "23:59:59.500000"), journalLine("Jan  1 00:00:00.400000", "00:00:00.100000")},
			opts:  parse.Options{ModTime: time.Date(2019, 1, 2, 0, 0, 0, 0, time.UTC)},
			want:  "2018-12-31T23:59:59.5Z 2019-01-01T00:00:00.1Z", basis: timeline.TimeNoYear},
		{name: "journal just after midnight, capture just before",
			lines: []string{journalLine("Sep 19 00:00:00.100000", "23:59:59.950000")},
			opts:  parse.Options{Year: 2018},
			want:  "2018-09-18T23:59:59.95Z", basis: timeline.TimeNoYear},
		{name: "journal just before midnight, capture after (clock skew)",
			lines: []string{journalLine("Sep 18 23:59:59.990000", "00:00:00.010000")},
			opts:  parse.Options{Year: 2018},
			want:  "2018-09-19T00:00:00.01Z", basis: timeline.TimeNoYear},
		{name: "journal in a zone: both clocks read in it",
			lines: []string{journalLine("Sep 18 17:09:17.644405", "17:09:17.275597")},
			opts:  parse.Options{Year: 2018, Location: ny},
			want:  "2018-09-18T21:09:17.275597Z", basis: timeline.TimeNoYear},
		{name: "journal -o short, -tttt capture: the capture's date wins",
			lines: []string{"Sep 18 17:09:18 host tcpdump[1]: 2018-09-18 17:09:17.275597 " + timeARPBody},
			opts:  parse.Options{Year: 2001},
			want:  "2018-09-18T17:09:17.275597Z", basis: timeline.TimeFull},
		{name: "bare times of day: the modification date",
			lines: []string{"17:09:17.275597 " + timeARPBody, "17:09:18.000000 " + timeARPBody},
			opts:  parse.Options{ModTime: time.Date(2018, 9, 18, 20, 0, 0, 0, time.UTC)},
			want:  "2018-09-18T17:09:17.275597Z 2018-09-18T17:09:18Z", basis: timeline.TimeNoDate},
		{name: "bare times of day past midnight, written after it",
			lines: []string{"23:59:59.000000 " + timeARPBody, "00:00:01.000000 " + timeARPBody},
			opts:  parse.Options{ModTime: time.Date(2018, 9, 19, 0, 0, 5, 0, time.UTC)},
			want:  "2018-09-18T23:59:59Z 2018-09-19T00:00:01Z", basis: timeline.TimeNoDate},
		{name: "bare times of day in a zone across a DST change",
			lines: []string{"01:59:59.000000 " + timeARPBody, "03:00:01.000000 " + timeARPBody},
			opts:  parse.Options{ModTime: time.Date(2024, 3, 10, 12, 0, 0, 0, ny), Location: ny},
			want:  "2024-03-10T06:59:59Z 2024-03-10T07:00:01Z", basis: timeline.TimeNoDate},
		{name: "-tttt in a zone (EDT since that morning)",
			lines: []string{"2024-03-10 19:59:58.500000 " + timeARPBody},
			opts:  parse.Options{Location: ny},
			want:  "2024-03-10T23:59:58.5Z", basis: timeline.TimeFull},
		{name: "journal on a DST day, late evening",
			lines: []string{journalLine("Mar 10 23:30:00.100000", "23:30:00.000000")},
			opts:  parse.Options{Year: 2024, Location: ny},
			want:  "2024-03-11T03:30:00Z", basis: timeline.TimeNoYear},
		{name: "journalctl -o short-iso-precise: the prefix's date, year and offset",
			lines: []string{"2018-09-19T02:09:17.644405+09:00 host tcpdump[1]: 02:09:17.275597 " + timeARPBody},
			opts:  parse.Options{Year: 2001},
			want:  "2018-09-18T17:09:17.275597Z", basis: timeline.TimeFull},
		{name: "journalctl -o short-iso, flushed after midnight",
			lines: []string{"2018-09-19T00:00:01+0000 host tcpdump[1]: 23:59:59.500000 " + timeARPBody},
			want:  "2018-09-18T23:59:59.5Z", basis: timeline.TimeFull},
		{name: "RFC 3339 syslog in UTC",
			lines: []string{"2018-09-18T17:09:17.644405Z host tcpdump: 17:09:17.275597 " + timeARPBody},
			want:  "2018-09-18T17:09:17.275597Z", basis: timeline.TimeFull},
		{name: "-tt is absolute",
			lines: []string{"1710115198.500000 " + timeARPBody},
			opts:  parse.Options{Location: ny},
			want:  "2024-03-10T23:59:58.5Z", basis: timeline.TimeFull},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs, src := parseText(t, strings.Join(tt.lines, "\n"), tt.opts)
			if got := eventTimes(evs); got != tt.want {
				t.Errorf("times %s, want %s", got, tt.want)
			}
			if src.Basis != tt.basis {
				t.Errorf("basis %v, want %v", src.Basis, tt.basis)
			}
			for _, e := range evs {
				if e.Time.Location() != time.UTC {
					t.Errorf("event time %v not in UTC", e.Time)
				}
			}
		})
	}
}

// TestTextAccounting checks every line is an event, a fold, irrelevant or a
// positioned problem, and that a file of garbage cannot flood the problem
// list.
func TestTextAccounting(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 250; i++ {
		fmt.Fprintf(&b, "10:00:%02d.%06d ARP, Request who-has gw tell me, length 28\n", i%60, i)
	}
	b.WriteString("10:10:00.000000 ARP, Request who-has 10.0.0.100 tell 10.0.0.1, length 28\n")
	evs, src := parseText(t, b.String(), textOpts)
	if len(evs) != 1 || src.Records != 251 || src.Skipped != 0 {
		t.Errorf("events %d records %d skipped %d", len(evs), src.Records, src.Skipped)
	}
	if len(src.Problems) != parse.DefaultProblemCap+1 {
		t.Fatalf("%d problems, want %d listed and one count", len(src.Problems), parse.DefaultProblemCap)
	}
	last := src.Problems[parse.DefaultProblemCap]
	if last.Pos.Line != parse.DefaultProblemCap+1 || !strings.HasPrefix(last.Message, "150 more lines") {
		t.Errorf("closing problem %v", last)
	}
	for i, p := range src.Problems[:parse.DefaultProblemCap] {
		if p.Pos.Line != int64(i+1) {
			t.Errorf("problem %d at %v", i, p.Pos)
		}
	}
}

// TestTextPortNames checks the note for service names it cannot map.
func TestTextPortNames(t *testing.T) {
	evs, src := parseText(t, "10:00:00.000000 IP 10.0.0.1.40000 > 10.0.0.100.nosuchservice: Flags [S], seq 1, win 64240, length 0\n"+
		"10:00:01.000000 IP 10.0.0.1.40000 > 10.0.0.100.nosuchservice: Flags [S], seq 1, win 64240, length 0\n", textOpts)
	if len(evs) != 2 || describe(&evs[1]) != "tcp SYN (retransmission) 10.0.0.1:40000>10.0.0.100:0 seq=1 attempt=2 link=-" {
		for i := range evs {
			t.Log(describe(&evs[i]))
		}
		t.Error("unknown service name not read as port 0")
	}
	if len(src.Problems) != 1 || src.Problems[0].Level != timeline.LevelNote || !strings.Contains(src.Problems[0].Message, "-nn") {
		t.Errorf("problems %v, want one note", src.Problems)
	}
}
