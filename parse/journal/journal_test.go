package journal

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
	"testing"
	"testing/iotest"
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

// Fields are read in place from the buffer while their lines are wholly
// buffered, and copied out before it moves: entries come out the same
// whether the stream arrives at once or a byte at a time, with lines and
// binary fields straddling every buffer boundary, and odd timestamps
// (a sign, leading zeros) read as strconv reads them.
func TestExportBufferBoundaries(t *testing.T) {
	var in strings.Builder
	for i := range 3000 {
		ts := fmt.Sprint(1537290557000000 + i)
		switch i % 7 {
		case 3:
			ts = "+" + ts
		case 5:
			ts = "00" + ts
		}
		fmt.Fprintf(&in, "__CURSOR=s=%d;%s\n__REALTIME_TIMESTAMP=%s\n_HOSTNAME=h%d\n_PID=%d\n_COMM=c%d\n", i, strings.Repeat("x", i%300), ts, i%5, i, i%3)
		if i%4 == 0 {
			in.WriteString(binField("MESSAGE", []byte(fmt.Sprintf("m%d\nsecond line\x00", i))))
		} else {
			fmt.Fprintf(&in, "MESSAGE=m%d %s\n", i, strings.Repeat("y", i%500))
		}
		fmt.Fprintf(&in, "SYSLOG_PID=%d\n_SYSTEMD_UNIT=u%d.service\nSYSLOG_IDENTIFIER=id%d\n\n", i+1, i%9, i%2)
	}
	read := func(r *Reader) (out []string) {
		for e := r.Next(); e != nil; e = r.Next() {
			out = append(out, fmt.Sprintf("%v|%s|%s|%s|%s|%s|%q|%+v", e.Time.UnixMicro(), e.Host, e.Unit, e.Ident, e.Comm, e.PID, e.Message, e.Pos))
		}
		if r.Err() != nil {
			t.Fatal(r.Err())
		}
		return out
	}
	whole := read(NewExportReader(strings.NewReader(in.String())))
	bytewise := read(NewExportReader(iotest.OneByteReader(strings.NewReader(in.String()))))
	if len(whole) != 3000 || strings.Join(whole, "\n") != strings.Join(bytewise, "\n") {
		t.Fatalf("%d entries whole, %d byte by byte; first %q", len(whole), len(bytewise), whole[:1])
	}
	if !strings.HasPrefix(whole[3], `1537290557000003|h3|u3.service|id1|c0|4|"m3 yyy"|`) {
		t.Errorf("entry 3: %s", whole[3])
	}
}
