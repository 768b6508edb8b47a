package main

import (
	"bufio"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// writeARPScan writes a pcap of n ARP requests, each from its own sender for
// its own target: nothing folds, so the timeline must spill.
func writeARPScan(t *testing.T, path string, n int) {
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	hdr := make([]byte, 24)
	binary.LittleEndian.PutUint32(hdr[0:], 0xa1b2c3d4)
	binary.LittleEndian.PutUint16(hdr[4:], 2)
	binary.LittleEndian.PutUint16(hdr[6:], 4)
	binary.LittleEndian.PutUint32(hdr[16:], 65535)
	binary.LittleEndian.PutUint32(hdr[20:], 1) // Ethernet
	w.Write(hdr)
	rec := make([]byte, 16+60)
	for i := 0; i < n; i++ {
		binary.LittleEndian.PutUint32(rec[0:], uint32(1494410400+i/10000))
		binary.LittleEndian.PutUint32(rec[4:], uint32(i%10000*100))
		binary.LittleEndian.PutUint32(rec[8:], 60)
		binary.LittleEndian.PutUint32(rec[12:], 60)
		fr := rec[16:]
		copy(fr[0:6], []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
		mac := []byte{0x02, 0, byte(i >> 24), byte(i >> 16), byte(i >> 8), byte(i)}
		copy(fr[6:12], mac)
		copy(fr[12:22], []byte{0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0, 1})
		copy(fr[22:28], mac)
		copy(fr[28:32], []byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
		copy(fr[38:42], []byte{10, 128 | byte(i>>16)&127, byte(i >> 8), byte(i)})
		w.Write(rec)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

// spillFiles lists the deleted files under dir the process holds open.
func spillFiles(pid int, dir string) []string {
	fds, _ := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/fd")
	var out []string
	for _, fd := range fds {
		target, err := os.Readlink("/proc/" + strconv.Itoa(pid) + "/fd/" + fd.Name())
		if err == nil && strings.HasPrefix(target, dir+"/") {
			out = append(out, target)
		}
	}
	return out
}

// Spill files are unlinked as soon as they are made: a run killed with
// SIGTERM while it spills leaves nothing behind in $TMPDIR.
func TestSpillFilesDoNotOutliveSIGTERM(t *testing.T) {
	if _, err := os.Stat("/proc/self/fd"); err != nil {
		t.Skip("needs /proc to watch the process's open files")
	}
	tmp := t.TempDir()
	capture := filepath.Join(t.TempDir(), "scan.pcap")
	writeARPScan(t, capture, 1_500_000)

	cmd := exec.Command(builtProgram(t), "analyze", "--no-progress", "--format", "json", capture)
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var seen []string
	deadline := time.Now().Add(60 * time.Second)
	for len(seen) == 0 {
		select {
		case err := <-done:
			t.Fatalf("the run ended (%v) before it was seen spilling to %s", err, tmp)
		default:
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("no spill file appeared within 60 s")
		}
		seen = spillFiles(cmd.Process.Pid, tmp)
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("spilling: %v", seen)
	for _, s := range seen {
		if !strings.HasSuffix(s, " (deleted)") {
			t.Errorf("spill file %s is still linked while the process runs", s)
		}
	}
	cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the run did not end within 30 s of SIGTERM")
	}
	left, _ := os.ReadDir(tmp)
	for _, e := range left {
		t.Errorf("left behind in TMPDIR: %s", e.Name())
	}
}
