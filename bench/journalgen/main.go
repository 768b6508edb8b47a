// Command journalgen writes a devstack journal as `journalctl -o export`
// prints it, for bench/journal.sh: neutron-server's DEBUG log (from
// bench/txnloggen: ovsdbapp transactions among the rest) as
// devstack@q-svc.service, interleaved with the other units a devstack node
// logs (sudo, the kernel, ovs-vswitchd, neutron's br-ex tcpdump), every
// entry with the fields journalctl exports. Deterministic.
//
//	journalgen -size 1073741824 | xz -T2 -3 > devstack.journal.xz
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"time"

	"github.com/arpforensics/arpforensics/bench/txnloggen"
)

func main() {
	size := flag.Int64("size", 1<<30, "bytes of export to write (at least)")
	flag.Parse()
	pr, pw := io.Pipe()
	go func() {
		// The neutron log is about a third of the journal's bytes.
		_, err := txnloggen.Write(pw, txnloggen.Options{Size: 1 << 62, Seed: 11})
		pw.CloseWithError(err)
	}()
	in := bufio.NewReaderSize(pr, 1<<20)
	out := bufio.NewWriterSize(os.Stdout, 1<<20)
	defer out.Flush()
	const host = "ubuntu-bionic-rax-dfw-0001"
	boot := "5f0c2d7e1b9a4c36a8e2f1d0c9b8a7e6"
	machine := "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
	var written int64
	var seq int64
	start := time.Date(2018, 9, 18, 17, 0, 0, 0, time.UTC)
	emit := func(t time.Time, unit, ident, comm, pid, msg string) {
		seq++
		n, _ := fmt.Fprintf(out, "__CURSOR=s=%s;i=%x;b=%s;m=%x;t=%x;x=%016x\n__REALTIME_TIMESTAMP=%d\n__MONOTONIC_TIMESTAMP=%d\n_BOOT_ID=%s\n_MACHINE_ID=%s\n_HOSTNAME=%s\nPRIORITY=6\nSYSLOG_FACILITY=3\n_UID=1001\n_GID=1001\n_CAP_EFFECTIVE=0\n_TRANSPORT=stdout\n_STREAM_ID=%s\nSYSLOG_IDENTIFIER=%s\n_PID=%s\n_COMM=%s\n_EXE=/usr/bin/python3.6\n_CMDLINE=/usr/bin/python3.6 /usr/local/bin/%s --config-file /etc/neutron/neutron.conf\n_SYSTEMD_CGROUP=/system.slice/system-devstack.slice/%s\n_SYSTEMD_UNIT=%s\n_SYSTEMD_SLICE=system-devstack.slice\n_SYSTEMD_INVOCATION_ID=%s\nMESSAGE=%s\n\n",
			boot, seq, boot, seq*1000, t.UnixMicro(), uint64(seq)*0x9e3779b97f4a7c15, t.UnixMicro(), seq*1000, boot, machine, host, boot, ident, pid, comm, comm, unit, unit, machine, msg)
		written += int64(n)
	}
	t := start
	for i := int64(0); written < *size; i++ {
		line, err := in.ReadString('\n')
		if err != nil {
			log.Fatal(err)
		}
		// "2018-09-18 17:05:02.004 32313 DEBUG …": the journal has the
		// time and pid as fields, the rest as the message.
		if len(line) > 30 {
			if ts, err := time.Parse("2006-01-02 15:04:05.000", line[:23]); err == nil {
				t = ts
			}
			rest := line[24 : len(line)-1]
			pid, msg := rest, ""
			for j := range rest {
				if rest[j] == ' ' {
					pid, msg = rest[:j], rest[j+1:]
					break
				}
			}
			emit(t, "devstack@q-svc.service", "neutron-server", "neutron-server", pid, msg)
		}
		switch i % 4 {
		case 0:
			emit(t, "session-1.scope", "sudo", "sudo", "1201", fmt.Sprintf("   stack : PWD=/opt/stack/devstack ; USER=root ; COMMAND=/usr/bin/ovs-vsctl --timeout=%d show", i%120))
		case 1:
			emit(t, "ovs-vswitchd.service", "ovs-vswitchd", "ovs-vswitchd", "811", fmt.Sprintf("ovs|%05d|bridge|INFO|bridge br-int: added interface tap%06x on port %d", i%100000, i&0xffffff, i%4000))
		case 2:
			emit(t, "devstack@br-ex-tcpdump.service", "tcpdump", "tcpdump", "28445", fmt.Sprintf("%s 1e:d5:ec:49:df:4f > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 172.24.%d.%d tell 172.24.5.1, length 28",
				t.Format("15:04:05.000000"), i/250%250, i%250))
		}
	}
}
