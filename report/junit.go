package report

import (
	"encoding/xml"
	"fmt"
	"hash/fnv"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/arpforensics/arpforensics/analysis"
	"github.com/arpforensics/arpforensics/detect"
	"github.com/arpforensics/arpforensics/internal/safetext"
)

// JUnit XML as Jenkins and Zuul read it: one test suite per detector, one
// test case per finding, and one passing case for a detector that found
// nothing, so dashboards show what was checked. Findings at or above the
// fail-on severity are failures; lower ones pass, with the finding in
// system-out, so the dashboard agrees with the exit code. A case is named
// by its detector and the subject values that identify what it is about
// (detect.IdentityOf), never by counts or times, so a dashboard's test
// history follows the same incident from run to run.

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name      string      `xml:"name,attr"`
	Tests     int         `xml:"tests,attr"`
	Failures  int         `xml:"failures,attr"`
	Errors    int         `xml:"errors,attr"`
	Skipped   int         `xml:"skipped,attr"`
	Time      string      `xml:"time,attr"`
	Timestamp string      `xml:"timestamp,attr,omitempty"`
	Cases     []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// JUnitOptions: FailOn is the lowest severity reported as a failure;
// FailNone reports no failures at all (--fail-on none). Disabled detectors
// get a skipped case.
type JUnitOptions struct {
	FailOn   detect.Severity
	FailNone bool
	Disabled map[string]bool
}

// JUnit writes the result as JUnit XML.
func JUnit(w io.Writer, r *analysis.Result, o JUnitOptions) error {
	byDet := map[string][]*detect.Finding{}
	for i := range r.Findings {
		f := &r.Findings[i]
		byDet[f.Detector] = append(byDet[f.Detector], f)
	}
	first, _ := r.Timeline.Span()
	ts := ""
	if !first.IsZero() {
		ts = first.UTC().Format("2006-01-02T15:04:05")
	}
	out := junitSuites{Name: "arpforensics", Time: seconds(r.Took)}
	for _, d := range detect.All() {
		name := d.Name()
		took := r.DetectorTime[name]
		s := junitSuite{Name: name, Time: seconds(took), Timestamp: ts}
		class := "arpforensics." + name
		switch fs := byDet[name]; {
		case o.Disabled[name]:
			s.Cases = append(s.Cases, junitCase{Name: name, Classname: class, Time: "0",
				Skipped: &junitSkipped{Message: "detector disabled by configuration"}})
			s.Skipped++
		case len(fs) == 0:
			s.Cases = append(s.Cases, junitCase{Name: "no " + name + " finding", Classname: class, Time: seconds(took),
				SystemOut: "Checked: " + d.Describe() + "."})
		default:
			names := map[string]int{}
			for _, f := range fs {
				// Artifact text (names, log lines) reaches CI dashboards
				// through these: made inert as for a terminal.
				c := junitCase{Name: safetext.Terminal(caseName(f, names)), Classname: class, Time: seconds(took / time.Duration(len(fs)))}
				body := safetext.Lines(findingBody(f))
				if !o.FailNone && f.Severity >= o.FailOn {
					c.Failure = &junitFailure{Message: safetext.Terminal(f.Title), Type: f.Severity.String(), Body: body}
					s.Failures++
				} else {
					c.SystemOut = body
				}
				s.Cases = append(s.Cases, c)
			}
		}
		s.Tests = len(s.Cases)
		out.Tests += s.Tests
		out.Failures += s.Failures
		out.Suites = append(out.Suites, s)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// maxCaseName bounds a testcase name: dashboards truncate long ones.
const maxCaseName = 100

// caseName is a finding's testcase name: detector and identity, a running
// number when one run has several findings about the same thing, cut to
// maxCaseName with a hash of the whole so cut names stay distinct.
func caseName(f *detect.Finding, seen map[string]int) string {
	id := detect.IdentityOf(f)
	name := f.Detector
	switch {
	case f.Omitted() > 0:
		name += " beyond the cap"
	case id != "":
		name += " " + id
	}
	name = xmlSafe(name)
	if len(name) > maxCaseName {
		h := fnv.New32a()
		h.Write([]byte(name))
		cut := maxCaseName - 10
		for cut > 0 && !utf8.RuneStart(name[cut]) {
			cut--
		}
		name = fmt.Sprintf("%s… %08x", name[:cut], h.Sum32())
	}
	seen[name]++
	if n := seen[name]; n > 1 {
		name = fmt.Sprintf("%s #%d", name, n)
	}
	return name
}

// seconds is a JUnit time attribute.
func seconds(d time.Duration) string { return fmt.Sprintf("%.6f", d.Seconds()) }

// findingBody is the plain-text explanation and evidence of a finding.
// encoding/xml escapes it; control characters XML cannot carry are made
// visible first.
func findingBody(f *detect.Finding) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\nseverity %s, confidence %s, %s – %s\n", f.Title, f.Severity, f.Confidence, Time(f.Start), Time(f.End))
	for _, kv := range f.Subject {
		fmt.Fprintf(&b, "%s=%v ", kv.Key, kv.Value)
	}
	b.WriteString("\n\n")
	b.WriteString(f.Explanation)
	if f.KnownIssue != nil {
		fmt.Fprintf(&b, "\n\nknown issue: %s (fixed in %s) %s", f.KnownIssue.Title, f.KnownIssue.FixedIn, f.KnownIssue.URL)
	}
	b.WriteString("\n\nevidence:\n")
	for _, e := range f.Evidence {
		fmt.Fprintf(&b, "  %s:%s %s %s\n", e.Source, e.Pos, Time(e.Time), e.Text)
	}
	return xmlSafe(b.String())
}

// xmlSafe replaces characters XML 1.0 cannot contain at all (most C0
// controls); encoding/xml would otherwise write them as invalid references.
func xmlSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r != 0xfffe && r != 0xffff {
			return r
		}
		return '\ufffd'
	}, s)
}
