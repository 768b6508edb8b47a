// Package jobtree builds, for tests, the files a CI job leaves behind in the
// formats the real tools write: systemd journal exports (written per the
// documented export format, then passed through systemd-journal-remote and
// journalctl so what the tests read is what journalctl prints), and whole
// Zuul job trees of several nodes built from the sample scenarios.
package jobtree

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Entry is one journal entry: its time and fields in order (MESSAGE among
// them).
type Entry struct {
	Time   time.Time
	Fields [][2]string
}

// WriteExport serialises entries in the journal export format: KEY=value
// lines, or for values holding a newline (or other control bytes) the
// binary-safe form KEY, a little-endian 64-bit length, the bytes and a
// newline; a blank line after each entry.
func WriteExport(entries []Entry) []byte {
	var b bytes.Buffer
	for _, e := range entries {
		fmt.Fprintf(&b, "__REALTIME_TIMESTAMP=%d\n", e.Time.UnixMicro())
		for _, f := range e.Fields {
			if strings.ContainsFunc(f[1], func(r rune) bool { return r < 0x20 && r != '\t' }) {
				b.WriteString(f[0])
				b.WriteByte('\n')
				var n [8]byte
				binary.LittleEndian.PutUint64(n[:], uint64(len(f[1])))
				b.Write(n[:])
				b.WriteString(f[1])
				b.WriteByte('\n')
				continue
			}
			b.WriteString(f[0] + "=" + f[1] + "\n")
		}
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// ErrNoJournalTools is returned when systemd-journal-remote or journalctl is
// missing.
var ErrNoJournalTools = errors.New("systemd-journal-remote and journalctl are needed (apt-get install systemd-journal-remote)")

// journalRemote finds systemd-journal-remote (not on PATH on Debian).
func journalRemote() (string, error) {
	for _, p := range []string{"/lib/systemd/systemd-journal-remote", "/usr/lib/systemd/systemd-journal-remote"} {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	if p, err := exec.LookPath("systemd-journal-remote"); err == nil {
		return p, nil
	}
	return "", ErrNoJournalTools
}

// Journalctl stores entries in a journal file with systemd-journal-remote
// and prints it back with `journalctl --file … -o <format>` (export, json,
// short-precise, short-iso-precise, …) in UTC: the bytes journalctl writes.
func Journalctl(entries []Entry, format string) ([]byte, error) {
	remote, err := journalRemote()
	if err != nil {
		return nil, err
	}
	if _, err := exec.LookPath("journalctl"); err != nil {
		return nil, ErrNoJournalTools
	}
	dir, err := os.MkdirTemp("", "jobtree-journal-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "out.journal")
	cmd := exec.Command(remote, "-o", file, "-")
	cmd.Stdin = bytes.NewReader(WriteExport(entries))
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("systemd-journal-remote: %v: %s", err, out)
	}
	cmd = exec.Command("journalctl", "--file", file, "-o", format, "--no-pager")
	cmd.Env = append(os.Environ(), "TZ=UTC", "SYSTEMD_COLORS=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("journalctl -o %s: %v: %s", format, err, stderr.Bytes())
	}
	return out, nil
}

// FromShort turns `journalctl -o short-precise` lines ("Sep 18
// 17:09:17.537000 host ident[pid]: msg") into entries of unit, in year.
func FromShort(text []byte, year int, unit string) ([]Entry, error) {
	var out []Entry
	sc := bufio.NewScanner(bytes.NewReader(text))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if len(line) < 16 {
			continue
		}
		t, err := time.Parse("Jan _2 15:04:05.000000 2006", line[:22]+" "+strconv.Itoa(year))
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", n, err)
		}
		rest := strings.SplitN(line[23:], " ", 2)
		host, tail := rest[0], rest[1]
		colon := strings.Index(tail, ": ")
		ident, msg := tail[:colon], tail[colon+2:]
		pid := ""
		if i := strings.IndexByte(ident, '['); i >= 0 {
			ident, pid = ident[:i], strings.TrimSuffix(ident[i+1:], "]")
		}
		out = append(out, entry(t, host, unit, ident, pid, msg))
	}
	return out, sc.Err()
}

// FromOslo turns oslo.log lines ("2018-09-18 17:05:02.004 32313 DEBUG …")
// into the entries devstack's journal holds for the service: the time in
// the entry, the pid as the entry's, the rest as the message.
func FromOslo(text []byte, host, unit, ident string) ([]Entry, error) {
	var out []Entry
	sc := bufio.NewScanner(bytes.NewReader(text))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if len(line) < 24 {
			continue
		}
		t, err := time.Parse("2006-01-02 15:04:05.000", line[:23])
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", n, err)
		}
		rest := strings.SplitN(line[24:], " ", 2)
		out = append(out, entry(t, host, unit, ident, rest[0], rest[1]))
	}
	return out, sc.Err()
}

func entry(t time.Time, host, unit, ident, pid, msg string) Entry {
	f := [][2]string{{"_HOSTNAME", host}, {"SYSLOG_IDENTIFIER", ident}}
	if pid != "" {
		f = append(f, [2]string{"_PID", pid})
	}
	if unit != "" {
		f = append(f, [2]string{"_SYSTEMD_UNIT", unit})
	}
	f = append(f, [2]string{"_TRANSPORT", "stdout"}, [2]string{"PRIORITY", "6"}, [2]string{"MESSAGE", msg})
	return Entry{Time: t, Fields: f}
}
