package journal

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
	"time"
)

func binField(name string, v []byte) string {
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(v)))
	return name + "\n" + string(n[:]) + string(v) + "\n"
}

// The export format's binary-safe fields (a message with newlines, NUL and
// control bytes) are read whole; SYSLOG_PID wins over _PID; entries are
// positioned at their first line.
func TestExportBinaryFields(t *testing.T) {
	msg := []byte("first line\nsecond\x00line\x01\n")
	in := "__CURSOR=s=1;i=1\n__REALTIME_TIMESTAMP=1537290557012729\n_HOSTNAME=ctl\n_PID=7\nSYSLOG_PID=28445\nSYSLOG_IDENTIFIER=tcpdump\n" +
		binField("MESSAGE", msg) + "_SYSTEMD_UNIT=devstack@br-ex-tcpdump.service\n\n" +
		"__REALTIME_TIMESTAMP=1537290558000000\n_COMM=sudo\nMESSAGE=plain\n\n"
	r := NewExportReader(strings.NewReader(in))
	e := r.Next()
	if e == nil {
		t.Fatal(r.Err())
	}
	if !e.Time.Equal(time.Date(2018, 9, 18, 17, 9, 17, 12729000, time.UTC)) || string(e.Host) != "ctl" || string(e.PID) != "28445" ||
		string(e.Ident) != "tcpdump" || !bytes.Equal(e.Message, msg) || string(e.Stream()) != "devstack@br-ex-tcpdump.service" || e.Pos.Line != 1 {
		t.Errorf("first entry %+v", e)
	}
	e = r.Next()
	if e == nil || string(e.Message) != "plain" || string(e.Stream()) != "sudo" || e.Pos.Line != 13 {
		t.Errorf("second entry %+v (err %v)", e, r.Err())
	}
	if r.Next() != nil || r.Err() != nil {
		t.Errorf("end: %v", r.Err())
	}
}

// A binary field cut short, or a length running past the data, ends the
// stream with an error naming the line and field; what came before is kept.
func TestExportDamage(t *testing.T) {
	good := "__REALTIME_TIMESTAMP=1537290557000000\nMESSAGE=ok\n\n"
	for name, bad := range map[string]string{
		"cut length": "__REALTIME_TIMESTAMP=1537290558000000\nMESSAGE\n\x05\x00",
		"cut data":   "__REALTIME_TIMESTAMP=1537290558000000\n" + binField("MESSAGE", []byte("0123456789"))[:14],
		"bad name":   "__REALTIME_TIMESTAMP=1537290558000000\nnot a field line\n\n",
		"bad time":   "__REALTIME_TIMESTAMP=yesterday\nMESSAGE=x\n\n",
	} {
		r := NewExportReader(strings.NewReader(good + bad))
		if e := r.Next(); e == nil || string(e.Message) != "ok" {
			t.Errorf("%s: the good entry was lost", name)
		}
		for r.Next() != nil {
		}
		if r.Err() == nil || !strings.Contains(r.Err().Error(), "line ") {
			t.Errorf("%s: error %v", name, r.Err())
		}
	}
}

// A huge binary field is kept up to MaxField and the reader goes on.
func TestExportHugeField(t *testing.T) {
	big := bytes.Repeat([]byte("x"), MaxField+100)
	in := "__REALTIME_TIMESTAMP=1\n" + binField("MESSAGE", big) + "\n__REALTIME_TIMESTAMP=2\nMESSAGE=after\n\n"
	r := NewExportReader(strings.NewReader(in))
	if e := r.Next(); e == nil || len(e.Message) != MaxField {
		t.Fatalf("big entry: %v", r.Err())
	}
	if e := r.Next(); e == nil || string(e.Message) != "after" {
		t.Errorf("after the big entry: %v", r.Err())
	}
}

// journalctl -o json: strings, byte arrays for binary values, arrays of
// values for repeated fields, null for values too large.
func TestJSON(t *testing.T) {
	in := `{"__REALTIME_TIMESTAMP":"1537290557012729","_HOSTNAME":"ctl","SYSLOG_IDENTIFIER":["neutron-server","dup"],"_PID":"32314","MESSAGE":[104,105,10,0,33]}
{"__REALTIME_TIMESTAMP":"1537290558000000","_SYSTEMD_UNIT":"x.service","MESSAGE":null}
`
	if !SniffJSON([]byte(in)) || SniffExport([]byte(in)) {
		t.Fatal("sniffers")
	}
	r := NewJSONReader(strings.NewReader(in))
	e := r.Next()
	if e == nil || string(e.Ident) != "neutron-server" || !bytes.Equal(e.Message, []byte("hi\n\x00!")) || string(e.PID) != "32314" {
		t.Errorf("first %+v %v", e, r.Err())
	}
	e = r.Next()
	if e == nil || len(e.Message) != 0 || string(e.Stream()) != "x.service" {
		t.Errorf("second %+v", e)
	}
	r = NewJSONReader(strings.NewReader(`{"__REALTIME_TIMESTAMP":"1","MESSAGE":"a"}` + "\n{broken\n"))
	for r.Next() != nil {
	}
	if r.Err() == nil || !strings.Contains(r.Err().Error(), "line 2") {
		t.Errorf("broken JSON: %v", r.Err())
	}
}

// A JSON string value is its decoded text whether or not it has escapes
// (plain strings are taken as they stand, the others decoded).
func TestJSONStrings(t *testing.T) {
	in := `{"__REALTIME_TIMESTAMP":"1","_HOSTNAME":"ctl","MESSAGE":"a\tb \"q\" \u00e9\\"}` + "\n" +
		`{"__REALTIME_TIMESTAMP":"2","_HOSTNAME":"ctl","MESSAGE":"plain é text"}` + "\n"
	r := NewJSONReader(strings.NewReader(in))
	for _, want := range []string{"a\tb \"q\" é\\", "plain é text"} {
		e := r.Next()
		if e == nil || string(e.Message) != want || string(e.Host) != "ctl" {
			t.Errorf("entry %+v, want message %q (%v)", e, want, r.Err())
		}
	}
}
