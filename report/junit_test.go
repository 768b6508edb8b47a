package report

import (
	"bytes"
	"encoding/xml"
	"io"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/arpforensics/arpforensics/analysis"
	"github.com/arpforensics/arpforensics/detect"
	"github.com/arpforensics/arpforensics/timeline"
)

// The JUnit schema Jenkins' junit plugin and Zuul read (junit-10.xsd): the
// elements allowed under each element, each element's attributes, which are
// required, and their types.
var junitSchema = map[string]struct {
	children map[string]bool
	attrs    map[string]string // name → type: "string", "int", "decimal", "datetime"
	required []string
	text     bool
}{
	"testsuites": {children: set("testsuite"), attrs: map[string]string{"name": "string", "time": "decimal", "tests": "int", "failures": "int", "disabled": "int", "errors": "int"}},
	"testsuite": {children: set("properties", "testcase", "system-out", "system-err"), attrs: map[string]string{
		"name": "string", "tests": "int", "failures": "int", "errors": "int", "time": "decimal", "disabled": "int",
		"skipped": "int", "timestamp": "datetime", "hostname": "string", "id": "string", "package": "string", "file": "string", "log": "string", "url": "string", "version": "string", "group": "string"},
		required: []string{"name", "tests"}},
	"properties": {children: set("property")},
	"property":   {attrs: map[string]string{"name": "string", "value": "string"}, required: []string{"name", "value"}},
	"testcase": {children: set("skipped", "error", "failure", "system-out", "system-err"), attrs: map[string]string{
		"name": "string", "assertions": "string", "time": "decimal", "classname": "string", "status": "string", "class": "string", "file": "string", "line": "string", "log": "string", "group": "string", "url": "string"},
		required: []string{"name"}},
	"skipped":    {attrs: map[string]string{"message": "string"}, text: true},
	"failure":    {attrs: map[string]string{"message": "string", "type": "string"}, text: true},
	"error":      {attrs: map[string]string{"message": "string", "type": "string"}, text: true},
	"system-out": {text: true},
	"system-err": {text: true},
}

func set(xs ...string) map[string]bool {
	m := map[string]bool{}
	for _, x := range xs {
		m[x] = true
	}
	return m
}

var (
	reInt      = regexp.MustCompile(`^-?[0-9]+$`)
	reDecimal  = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)
	reDatetime = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}$`)
)

type node struct {
	name     string
	attrs    map[string]string
	children []*node
	text     string
}

// validateJUnit parses doc and checks it against junitSchema and the
// counting rules (tests = cases, failures = failed cases). It returns the
// root for further assertions.
func validateJUnit(t *testing.T, doc []byte) *node {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(doc))
	var stack []*node
	var root *node
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v", err)
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			n := &node{name: tk.Name.Local, attrs: map[string]string{}}
			spec, ok := junitSchema[n.name]
			if !ok {
				t.Fatalf("element <%s> is not in the JUnit schema", n.name)
			}
			if len(stack) == 0 {
				if n.name != "testsuites" && n.name != "testsuite" {
					t.Fatalf("root element <%s>, want <testsuites>", n.name)
				}
				root = n
			} else {
				parent := stack[len(stack)-1]
				if !junitSchema[parent.name].children[n.name] {
					t.Fatalf("<%s> may not contain <%s>", parent.name, n.name)
				}
				parent.children = append(parent.children, n)
			}
			for _, a := range tk.Attr {
				typ, ok := spec.attrs[a.Name.Local]
				if !ok {
					t.Errorf("<%s> has attribute %q not in the schema", n.name, a.Name.Local)
				}
				ok = true
				switch typ {
				case "int":
					ok = reInt.MatchString(a.Value)
				case "decimal":
					ok = reDecimal.MatchString(a.Value)
				case "datetime":
					ok = reDatetime.MatchString(a.Value)
				}
				if !ok {
					t.Errorf("<%s %s=%q> is not a valid %s", n.name, a.Name.Local, a.Value, typ)
				}
				n.attrs[a.Name.Local] = a.Value
			}
			for _, r := range spec.required {
				if _, ok := n.attrs[r]; !ok {
					t.Errorf("<%s> lacks required attribute %q", n.name, r)
				}
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				n := stack[len(stack)-1]
				if !junitSchema[n.name].text && strings.TrimSpace(string(tk)) != "" {
					t.Errorf("<%s> may not contain text", n.name)
				}
				n.text += string(tk)
			}
		}
	}
	if root == nil {
		t.Fatal("empty document")
	}
	totalTests, totalFail := 0, 0
	for _, s := range root.children {
		cases, fails, skips := 0, 0, 0
		for _, c := range s.children {
			if c.name != "testcase" {
				continue
			}
			cases++
			for _, k := range c.children {
				switch k.name {
				case "failure":
					fails++
				case "skipped":
					skips++
				}
			}
		}
		if got := s.attrs["tests"]; got != strconv.Itoa(cases) {
			t.Errorf("suite %s: tests=%s, but %d test cases", s.attrs["name"], got, cases)
		}
		if got := s.attrs["failures"]; got != strconv.Itoa(fails) {
			t.Errorf("suite %s: failures=%s, but %d failed cases", s.attrs["name"], got, fails)
		}
		if got := s.attrs["skipped"]; got != strconv.Itoa(skips) {
			t.Errorf("suite %s: skipped=%s, but %d skipped cases", s.attrs["name"], got, skips)
		}
		totalTests += cases
		totalFail += fails
	}
	if root.attrs["tests"] != strconv.Itoa(totalTests) || root.attrs["failures"] != strconv.Itoa(totalFail) {
		t.Errorf("testsuites tests=%s failures=%s, suites hold %d and %d", root.attrs["tests"], root.attrs["failures"], totalTests, totalFail)
	}
	return root
}

// resultWith builds an analysed result holding the given findings.
func resultWith(fs ...detect.Finding) *analysis.Result {
	src := &timeline.Source{Path: "x.pcap", Kind: "pcap", Host: "default"}
	return &analysis.Result{Timeline: timeline.Build([]*timeline.Source{src}, [][]timeline.Event{nil}), Findings: fs}
}

func finding(det string, sev detect.Severity, title string) detect.Finding {
	t := time.Date(2017, 5, 16, 14, 31, 15, 0, time.UTC)
	f := detect.Finding{ID: det + "-0123456789ab", Detector: det, Severity: sev, Title: title, Start: t, End: t.Add(time.Minute),
		Explanation: "because",
		Evidence:    []detect.Evidence{{Source: "x.pcap", Pos: timeline.At(timeline.Pos{Frame: 1}), Time: t, Text: "evil \x1b[31m ]]> <script>alert(1)</script> \x00 text", Event: -1}}}
	f.Subject.Set("ip", "172.24.5.11")
	return f
}

func TestJUnitValidatesAndAgreesWithFailOn(t *testing.T) {
	res := resultWith(
		finding("stale-mac", detect.High, "stale <MAC> & friends"),
		finding("garp-locktime", detect.Low, "burst"),
		finding("mac-change", detect.Info, "moved"),
	)
	var buf bytes.Buffer
	if err := JUnit(&buf, res, JUnitOptions{FailOn: detect.Medium, Disabled: map[string]bool{"arp-unanswered": true}}); err != nil {
		t.Fatal(err)
	}
	root := validateJUnit(t, buf.Bytes())
	suites := map[string]*node{}
	for _, s := range root.children {
		suites[s.attrs["name"]] = s
	}
	for _, d := range detect.All() {
		if suites[d.Name()] == nil {
			t.Errorf("no suite for detector %s", d.Name())
		}
	}
	if s := suites["stale-mac"]; s.attrs["failures"] != "1" || !strings.Contains(s.children[0].children[0].text, "<script>alert(1)</script>") {
		t.Errorf("stale-mac suite: failures=%s, body should carry the evidence text (escaped by XML, not dropped)", s.attrs["failures"])
	}
	if s := suites["garp-locktime"]; s.attrs["failures"] != "0" || s.children[0].children[0].name != "system-out" {
		t.Errorf("a low finding under --fail-on medium must pass, with the finding in system-out")
	}
	if s := suites["arp-unanswered"]; s.attrs["skipped"] != "1" {
		t.Errorf("a disabled detector must show as skipped")
	}
	if root.attrs["failures"] != "1" {
		t.Errorf("failures=%s, want 1", root.attrs["failures"])
	}
	if bytes.Contains(buf.Bytes(), []byte{0x1b}) || bytes.Contains(buf.Bytes(), []byte{0}) {
		t.Error("control characters reached the XML")
	}
}

func TestJUnitPassingCasePerQuietDetector(t *testing.T) {
	var buf bytes.Buffer
	if err := JUnit(&buf, resultWith(), JUnitOptions{FailOn: detect.High}); err != nil {
		t.Fatal(err)
	}
	root := validateJUnit(t, buf.Bytes())
	if len(root.children) != len(detect.All()) {
		t.Fatalf("%d suites, want one per detector", len(root.children))
	}
	for _, s := range root.children {
		if s.attrs["tests"] != "1" || s.attrs["failures"] != "0" {
			t.Errorf("suite %s: %v, want one passing case", s.attrs["name"], s.attrs)
		}
		if c := s.children[0]; !strings.HasPrefix(c.attrs["name"], "no ") {
			t.Errorf("suite %s case %q", s.attrs["name"], c.attrs["name"])
		}
	}
	if !strings.HasPrefix(buf.String(), xml.Header) {
		t.Error("missing XML declaration")
	}
}
