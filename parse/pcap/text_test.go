package pcap

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/arpforensics/arpforensics/internal/golden"
	"github.com/arpforensics/arpforensics/parse"
	"github.com/arpforensics/arpforensics/timeline"
)

const textData = "testdata/text"

func parseText(t testing.TB, text string, opts parse.Options) ([]timeline.Event, *timeline.Source) {
	t.Helper()
	src := &timeline.Source{Path: "test", Kind: "tcpdump-text"}
	evs, err := parse.Collect(ParseText, strings.NewReader(text), src, opts)
	if err != nil {
		t.Fatalf("ParseText: %v", err)
	}
	return evs, src
}

// textOpts is what the line table runs with: a modification time to date
// bare times of day, in UTC.
var textOpts = parse.Options{ModTime: time.Date(2018, 9, 18, 23, 59, 59, 0, time.UTC)}

// TestTextLines reads one line of each shape tcpdump prints and checks the
// exact events it becomes (or why it becomes none).
func TestTextLines(t *testing.T) {
	const (
		issue   = "Sep 18 17:09:17.644405 ubuntu-xenial-ovh-bhs1-0002095917 tcpdump[28445]: 17:09:17.275597 1e:d5:ec:49:df:4f > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 172.24.5.11 tell 172.24.5.1, length 28"
		issueEv = "arp request op=1 link=1e:d5:ec:49:df:4f>ff:ff:ff:ff:ff:ff sha=1e:d5:ec:49:df:4f spa=172.24.5.1 tha=00:00:00:00:00:00 tpa=172.24.5.11"
		day     = "2018-09-18T"
	)
	tests := []struct {
		name    string
		in      string
		want    []string // timed(event) for each event, in order
		problem string   // substring of the one problem expected
		skipped int64
	}{
		{name: "issue example, journalctl -o short-precise", in: issue,
			want: []string{day + "17:09:17.275597000Z " + issueEv}},
		{name: "journalctl -o short",
			in:   "Sep 18 17:09:17 ubuntu-xenial-ovh-bhs1-0002095917 tcpdump[28445]: 17:09:17.275597 1e:d5:ec:49:df:4f > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 172.24.5.11 tell 172.24.5.1, length 28",
			want: []string{day + "17:09:17.275597000Z " + issueEv}},
		{name: "journal line of another unit", skipped: 1,
			in: "Sep 18 17:09:17.644405 host neutron-server[19578]: 17:09:17.275597 1e:d5:ec:49:df:4f > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 172.24.5.11 tell 172.24.5.1, length 28"},
		{name: "ISO journal line of another unit", skipped: 1,
			in: "2018-09-18T17:09:17.644405+00:00 host neutron-server[19578]: 17:09:17.275597 ARP, Request who-has 10.0.0.100 tell 10.0.0.1, length 28"},
		{name: "malformed ISO prefix is not a journal line", skipped: 1,
			in: "2018-09-18T17:09:17.644405+0x:00 host tcpdump[19578]: 17:09:17.275597 ARP, Request who-has 10.0.0.100 tell 10.0.0.1, length 28"},
		{name: "journal banner", skipped: 1,
			in: "Sep 18 17:09:16.000000 host tcpdump[28445]: listening on br-ex, link-type EN10MB (Ethernet), snapshot length 262144 bytes"},
		{name: "request with target MAC",
			in:   "09:01:49.408016 02:00:00:00:00:01 > 02:00:00:00:00:0b, ethertype ARP (0x0806), length 42: Request who-has 10.0.0.100 (02:00:00:00:00:0b) tell 10.0.0.1, length 28",
			want: []string{day + "09:01:49.408016000Z arp request op=1 link=02:00:00:00:00:01>02:00:00:00:00:0b sha=02:00:00:00:00:01 spa=10.0.0.1 tha=02:00:00:00:00:0b tpa=10.0.0.100"}},
		{name: "gratuitous request",
			in:   "09:01:58.544850 02:00:00:00:00:0b > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 10.0.0.100 (ff:ff:ff:ff:ff:ff) tell 10.0.0.100, length 28",
			want: []string{day + "09:01:58.544850000Z arp garp-request op=1 link=02:00:00:00:00:0b>ff:ff:ff:ff:ff:ff sha=02:00:00:00:00:0b spa=10.0.0.100 tha=ff:ff:ff:ff:ff:ff tpa=10.0.0.100"}},
		{name: "broadcast reply is a reply-type GARP, tha assumed = sha",
			in:   "09:02:00.758900 02:00:00:00:00:0b > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Reply 10.0.0.100 is-at 02:00:00:00:00:0b, length 28",
			want: []string{day + "09:02:00.758900000Z arp garp-reply op=2 link=02:00:00:00:00:0b>ff:ff:ff:ff:ff:ff sha=02:00:00:00:00:0b spa=10.0.0.100 tha=02:00:00:00:00:0b tpa=10.0.0.100"}},
		{name: "unicast reply without its request: target not printed",
			in:   "09:01:49.408031 02:00:00:00:00:0a > 02:00:00:00:00:01, ethertype ARP (0x0806), length 42: Reply 10.0.0.100 is-at 02:00:00:00:00:0a, length 28",
			want: []string{day + "09:01:49.408031000Z arp reply op=2 link=02:00:00:00:00:0a>02:00:00:00:00:01 sha=02:00:00:00:00:0a spa=10.0.0.100 tha=02:00:00:00:00:01 tpa=?"}},
		{name: "reply answering a request: target from the request",
			in: "09:01:49.408016 02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 10.0.0.100 tell 10.0.0.1, length 28\n" +
				"09:01:49.408031 02:00:00:00:00:0a > 02:00:00:00:00:01, ethertype ARP (0x0806), length 42: Reply 10.0.0.100 is-at 02:00:00:00:00:0a, length 28",
			want: []string{
				day + "09:01:49.408016000Z arp request op=1 link=02:00:00:00:00:01>ff:ff:ff:ff:ff:ff sha=02:00:00:00:00:01 spa=10.0.0.1 tha=00:00:00:00:00:00 tpa=10.0.0.100",
				day + "09:01:49.408031000Z arp reply op=2 link=02:00:00:00:00:0a>02:00:00:00:00:01 sha=02:00:00:00:00:0a spa=10.0.0.100 tha=02:00:00:00:00:01 tpa=10.0.0.1"}},
		{name: "proxy reply: sender MAC differs from the Ethernet source",
			in:   "00:00:03.025100 02:00:00:00:00:0d > 02:00:00:00:00:01, ethertype ARP (0x0806), length 60: Reply 10.0.0.50 is-at 02:00:00:00:00:0c, length 46",
			want: []string{day + "00:00:03.025100000Z arp reply op=2 link=02:00:00:00:00:0d>02:00:00:00:00:01 sha=02:00:00:00:00:0c spa=10.0.0.50 tha=02:00:00:00:00:01 tpa=? mismatch"}},
		{name: "RFC 5227 probe",
			in:   "09:04:26.482418 02:00:00:00:00:0b > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 10.0.0.100 (ff:ff:ff:ff:ff:ff) tell 0.0.0.0, length 28",
			want: []string{day + "09:04:26.482418000Z arp probe op=1 link=02:00:00:00:00:0b>ff:ff:ff:ff:ff:ff sha=02:00:00:00:00:0b spa=0.0.0.0 tha=ff:ff:ff:ff:ff:ff tpa=10.0.0.100"}},
		{name: "ARP without -e",
			in:   "09:01:49.408016 ARP, Request who-has 10.0.0.100 tell 10.0.0.1, length 28",
			want: []string{day + "09:01:49.408016000Z arp request op=1 link=- sha=00:00:00:00:00:00 spa=10.0.0.1 tha=00:00:00:00:00:00 tpa=10.0.0.100"}},
		{name: "ARP reply without -e: no link, no mismatch",
			in:   "09:01:49.408031 ARP, Reply 10.0.0.100 is-at 02:00:00:00:00:0a, length 28",
			want: []string{day + "09:01:49.408031000Z arp reply op=2 link=- sha=02:00:00:00:00:0a spa=10.0.0.100 tha=00:00:00:00:00:00 tpa=?"}},
		{name: "-tttt",
			in:   "2026-11-21 09:01:49.408016 ARP, Request who-has 10.0.0.100 tell 10.0.0.1, length 28",
			want: []string{"2026-11-21T09:01:49.408016000Z arp request op=1 link=- sha=00:00:00:00:00:00 spa=10.0.0.1 tha=00:00:00:00:00:00 tpa=10.0.0.100"}},
		{name: "-tt",
			in:   "1710115198.500000 02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 60: Request who-has 10.0.0.100 tell 10.0.0.1, length 46",
			want: []string{"2024-03-10T23:59:58.500000000Z arp request op=1 link=02:00:00:00:00:01>ff:ff:ff:ff:ff:ff sha=02:00:00:00:00:01 spa=10.0.0.1 tha=00:00:00:00:00:00 tpa=10.0.0.100"}},
		{name: "nanosecond precision",
			in:   "23:59:58.500000123 ARP, Request who-has 10.0.0.100 tell 10.0.0.1, length 46",
			want: []string{day + "23:59:58.500000123Z arp request op=1 link=- sha=00:00:00:00:00:00 spa=10.0.0.1 tha=00:00:00:00:00:00 tpa=10.0.0.100"}},
		{name: "-v ARP",
			in:   "23:59:58.500000 02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 60: Ethernet (len 6), IPv4 (len 4), Request who-has 10.0.0.100 tell 10.0.0.1, length 46",
			want: []string{day + "23:59:58.500000000Z arp request op=1 link=02:00:00:00:00:01>ff:ff:ff:ff:ff:ff sha=02:00:00:00:00:01 spa=10.0.0.1 tha=00:00:00:00:00:00 tpa=10.0.0.100"}},
		{name: "-e -q",
			in:   "23:59:58.500000 02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff, ARP, length 60: Request who-has 10.0.0.100 tell 10.0.0.1, length 46",
			want: []string{day + "23:59:58.500000000Z arp request op=1 link=02:00:00:00:00:01>ff:ff:ff:ff:ff:ff sha=02:00:00:00:00:01 spa=10.0.0.1 tha=00:00:00:00:00:00 tpa=10.0.0.100"}},
		{name: "cooked v1 -e -q: no ethertype, payload straight after the address",
			in: "23:59:58.500000 Out 02:00:00:00:00:01 Request who-has 10.0.0.100 tell 10.0.0.1, length 46\n" +
				"23:59:58.501100 Out 02:00:00:00:00:01 10.0.0.1.40000 > 10.0.0.100.22: tcp 0",
			want: []string{
				day + "23:59:58.500000000Z arp request op=1 link=02:00:00:00:00:01>? dir=out sha=02:00:00:00:00:01 spa=10.0.0.1 tha=00:00:00:00:00:00 tpa=10.0.0.100",
				day + "23:59:58.501100000Z usage 10.0.0.1>10.0.0.100 via=00:00:00:00:00:00 frames=1 syns=0 until=23:59:58.501100 link=02:00:00:00:00:01>? dir=out"}},
		{name: "cooked -e -q: IPv6 is irrelevant, not a broken IPv4 line", skipped: 1,
			in: "23:59:58.500000 Out 02:00:00:00:00:01 2001:db8::1 > 2001:db8::2: ICMP6, echo request, id 1, seq 1, length 64"},
		{name: "-v header of a frame cut by snaplen (real line, corpus linux_sll_oversized_addr.pcapng)",
			in: "11:09:25.918969 IP truncated-ip - 256 bytes missing! (tos 0x0, ttl 64, id 403, offset 0, flags [DF], proto TCP (6), length 321, bad cksum d284 (->d283)!)\n" +
				"    192.168.145.147.51218 > 10.209.8.148.21999: Flags [P.], seq 1006331347:1006331616, ack 3717324003, win 8507, length 269",
			skipped: 2},
		{name: "relative timestamps (tcpdump -ttt)", problem: "-ttt",
			in: " 00:00:00.000100 ARP, Reply 10.0.0.100 is-at 02:00:00:00:00:0a, length 46"},
		{name: "802.1Q, tcpdump 4.99",
			in:   "10:00:00.000001 02:00:00:00:00:0c > ff:ff:ff:ff:ff:ff, ethertype 802.1Q (0x8100), length 46: vlan 10, p 0, ethertype ARP (0x0806), Request who-has 10.0.10.1 tell 10.0.10.5, length 28",
			want: []string{day + "10:00:00.000001000Z arp request op=1 link=02:00:00:00:00:0c>ff:ff:ff:ff:ff:ff vlan=10 sha=02:00:00:00:00:0c spa=10.0.10.5 tha=00:00:00:00:00:00 tpa=10.0.10.1"}},
		{name: "802.1Q, tcpdump 4.9, priority and DEI",
			in:   "10:00:00.000001 02:00:00:00:00:0c > ff:ff:ff:ff:ff:ff, ethertype 802.1Q (0x8100), length 46: vlan 10, p 5, DEI, ethertype ARP, Request who-has 10.0.10.1 tell 10.0.10.5, length 28",
			want: []string{day + "10:00:00.000001000Z arp request op=1 link=02:00:00:00:00:0c>ff:ff:ff:ff:ff:ff vlan=10 sha=02:00:00:00:00:0c spa=10.0.10.5 tha=00:00:00:00:00:00 tpa=10.0.10.1"}},
		{name: "802.1ad QinQ, real tcpdump 4.99.3 line (corpus 802.1ad_QinQ.pcap): outer VLAN",
			in:   "21:59:54.599680 00:80:ea:81:88:63 > 00:20:d2:5a:fb:3f, ethertype 802.1Q-QinQ (0x88a8), length 64: vlan 200, p 0, ethertype 802.1Q (0x8100), vlan 2001, p 0, ethertype ARP (0x0806), Reply 172.21.79.100 is-at 00:80:ea:81:88:63, length 42",
			want: []string{day + "21:59:54.599680000Z arp reply op=2 link=00:80:ea:81:88:63>00:20:d2:5a:fb:3f vlan=200 sha=00:80:ea:81:88:63 spa=172.21.79.100 tha=00:20:d2:5a:fb:3f tpa=?"}},
		{name: "cooked v1 -e: outgoing, no address (real line, corpus tcp-handshake-nano.pcap)",
			in: "17:16:09.924505 Out ethertype IPv4 (0x0800), length 76: 131.155.215.69.46656 > 137.116.81.94.80: Flags [S], seq 797190859, win 27200, options [mss 1360,sackOK,TS val 1131021154 ecr 0,nop,wscale 7], length 0\n" +
				"17:16:10.052027  In ethertype IPv4 (0x0800), length 76: 137.116.81.94.80 > 131.155.215.69.46656: Flags [S.], seq 3078856592, ack 797190860, win 8192, options [mss 1440,nop,wscale 8,sackOK,TS val 234205008 ecr 1131021154], length 0",
			want: []string{
				day + "17:16:09.924505000Z tcp SYN 131.155.215.69:46656>137.116.81.94:80 seq=797190859 attempt=1 link=- dir=out",
				day + "17:16:10.052027000Z tcp SYN/ACK 137.116.81.94:80>131.155.215.69:46656 seq=3078856592 attempt=1 link=- dir=in"}},
		{name: "cooked v1 -e: broadcast ARP and outgoing reply",
			in: "00:00:00.007100   B 02:00:00:00:00:0b ethertype ARP (0x0806), length 62: Request who-has 10.0.0.1 tell 10.0.0.100, length 46\n" +
				"00:00:00.007200 Out 02:00:00:00:00:01 ethertype ARP (0x0806), length 62: Reply 10.0.0.1 is-at 02:00:00:00:00:01, length 46",
			want: []string{
				day + "00:00:00.007100000Z arp request op=1 link=02:00:00:00:00:0b>? dir=in sha=02:00:00:00:00:0b spa=10.0.0.100 tha=00:00:00:00:00:00 tpa=10.0.0.1",
				day + "00:00:00.007200000Z arp reply op=2 link=02:00:00:00:00:01>? dir=out sha=02:00:00:00:00:01 spa=10.0.0.1 tha=02:00:00:00:00:0b tpa=10.0.0.100"}},
		{name: "cooked v1 -e: multicast reply is a GARP",
			in:   "00:00:01.000000   M 02:00:00:00:00:0b ethertype ARP (0x0806), length 62: Reply 10.0.0.100 is-at 02:00:00:00:00:0b, length 46",
			want: []string{day + "00:00:01.000000000Z arp garp-reply op=2 link=02:00:00:00:00:0b>? dir=in sha=02:00:00:00:00:0b spa=10.0.0.100 tha=02:00:00:00:00:0b tpa=10.0.0.100"}},
		{name: "cooked v2 -e (tcpdump 4.99 -i any)",
			in:   "03:30:49.872259 eth0  Out ifindex 2 02:00:00:00:00:01 ethertype ARP (0x0806), length 66: Request who-has 10.0.0.100 tell 10.0.0.1, length 46",
			want: []string{day + "03:30:49.872259000Z arp request op=1 link=02:00:00:00:00:01>? dir=out if=eth0 sha=02:00:00:00:00:01 spa=10.0.0.1 tha=00:00:00:00:00:00 tpa=10.0.0.100"}},
		{name: "cooked v2 without -e: direction and interface only",
			in:   "03:30:49.872259 tap1234abcd-ef P   IP 10.0.0.5.40000 > 10.0.0.100.22: Flags [S], seq 7, win 64240, length 0",
			want: []string{day + "03:30:49.872259000Z tcp SYN 10.0.0.5:40000>10.0.0.100:22 seq=7 attempt=1 link=- dir=in if=tap1234abcd-ef"}},
		{name: "cooked v2, interface unknown to the reading host",
			in:   "03:30:49.872259 ?     In  ifindex 9 02:00:00:00:00:0a ethertype ARP (0x0806), length 66: Reply 10.0.0.100 is-at 02:00:00:00:00:0a, length 46",
			want: []string{day + "03:30:49.872259000Z arp reply op=2 link=02:00:00:00:00:0a>? dir=in sha=02:00:00:00:00:0a spa=10.0.0.100 tha=00:00:00:00:00:00 tpa=?"}},
		{name: "SYN with -e: handshake event and usage run",
			in: "23:59:58.501100 02:00:00:00:00:01 > 02:00:00:00:00:0a, ethertype IPv4 (0x0800), length 60: 10.0.0.1.40000 > 10.0.0.100.22: Flags [S], seq 1000, win 64240, length 0",
			want: []string{
				day + "23:59:58.501100000Z tcp SYN 10.0.0.1:40000>10.0.0.100:22 seq=1000 attempt=1 link=02:00:00:00:00:01>02:00:00:00:00:0a",
				day + "23:59:58.501100000Z usage 10.0.0.1>10.0.0.100 via=02:00:00:00:00:0a frames=1 syns=1 until=23:59:58.501100 link=02:00:00:00:00:01>02:00:00:00:00:0a"}},
		{name: "SYN retransmission and ECN flags",
			in: "00:00:02.018100 IP 10.0.0.1.40001 > 10.0.0.100.22: Flags [SEW], seq 2000, win 64240, length 0\n" +
				"00:00:03.018100 IP 10.0.0.1.40001 > 10.0.0.100.22: Flags [SEW], seq 2000, win 64240, length 0",
			want: []string{
				day + "00:00:02.018100000Z tcp SYN 10.0.0.1:40001>10.0.0.100:22 seq=2000 attempt=1 link=-",
				day + "00:00:03.018100000Z tcp SYN (retransmission) 10.0.0.1:40001>10.0.0.100:22 seq=2000 attempt=2 link=-"}},
		{name: "tcpdump -n (not -nn) prints service names",
			in:   "00:00:02.018100 IP 10.0.0.1.40001 > 10.0.0.100.ssh: Flags [S], seq 2000, win 64240, length 0",
			want: []string{day + "00:00:02.018100000Z tcp SYN 10.0.0.1:40001>10.0.0.100:22 seq=2000 attempt=1 link=-"}},
		{name: "tcpdump 3.x flags",
			in: "00:00:02.018100 IP 10.0.0.1.40001 > 10.0.0.100.22: S 2000:2000(0) win 5840 <mss 1460>\n" +
				"00:00:02.019100 IP 10.0.0.100.22 > 10.0.0.1.40001: S 9000:9000(0) ack 2001 win 5840 <mss 1460>",
			want: []string{
				day + "00:00:02.018100000Z tcp SYN 10.0.0.1:40001>10.0.0.100:22 seq=2000 attempt=1 link=-",
				day + "00:00:02.019100000Z tcp SYN/ACK 10.0.0.100:22>10.0.0.1:40001 seq=9000 attempt=1 link=-"}},
		{name: "-v: header and address line make one frame",
			in: "23:59:58.501100 02:00:00:00:00:01 > 02:00:00:00:00:0a, ethertype IPv4 (0x0800), length 60: (tos 0x0, ttl 64, id 0, offset 0, flags [DF], proto TCP (6), length 40)\n" +
				"    10.0.0.1.40000 > 10.0.0.100.22: Flags [S], cksum 0x004f (correct), seq 1000, win 64240, length 0",
			want: []string{
				day + "23:59:58.501100000Z tcp SYN 10.0.0.1:40000>10.0.0.100:22 seq=1000 attempt=1 link=02:00:00:00:00:01>02:00:00:00:00:0a",
				day + "23:59:58.501100000Z usage 10.0.0.1>10.0.0.100 via=02:00:00:00:00:0a frames=1 syns=1 until=23:59:58.501100 link=02:00:00:00:00:01>02:00:00:00:00:0a"},
			skipped: 0},
		{name: "UDP and ICMP with -e fold into one run",
			in: "23:59:58.505100 02:00:00:00:00:01 > 02:00:00:00:00:0a, ethertype IPv4 (0x0800), length 60: 10.0.0.1.5000 > 10.0.0.100.53: 1+ [|domain]\n" +
				"23:59:58.506100 02:00:00:00:00:01 > 02:00:00:00:00:0a, ethertype IPv4 (0x0800), length 60: 10.0.0.1 > 10.0.0.100: ICMP echo request, id 7, seq 1, length 12",
			want: []string{day + "23:59:58.505100000Z usage 10.0.0.1>10.0.0.100 via=02:00:00:00:00:0a frames=2 syns=0 until=23:59:58.506100 link=02:00:00:00:00:01>02:00:00:00:00:0a"}},
		{name: "UDP without -e: no sender, no run", skipped: 1,
			in: "23:59:58.505100 IP 10.0.0.1.5000 > 10.0.0.100.53: 1+ A? example.org. (29)"},
		{name: "broadcast datagram", skipped: 1,
			in: "23:59:58.507100 02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff, ethertype IPv4 (0x0800), length 60: 10.0.0.1.68 > 10.0.0.255.67: BOOTP/DHCP, Request [|bootp]"},
		{name: "IPv6", skipped: 2,
			in: "00:00:03.026100 02:00:00:00:00:01 > 33:33:00:00:00:01, ethertype IPv6 (0x86dd), length 62: fe80::1 > ff02::1: ICMP6, router solicitation, length 8\n" +
				"00:00:03.026100 IP6 fe80::1 > ff02::1: ICMP6, router solicitation, length 8"},
		{name: "LLC and other protocols", skipped: 3,
			in: "10:00:00.000000 02:00:00:00:00:01 > 01:80:c2:00:00:00, 802.3, length 60: LLC, dsap STP (0x42) Individual, ssap STP (0x42) Command, ctrl 0x03: STP 802.1d, Config Flags [none]\n" +
				"10:00:00.000000 STP 802.1d, Config Flags [none], bridge-id 8000.02:00:00:00:00:01.8001, length 35\n" +
				"10:00:00.000000 02:00:00:00:00:01 > 01:80:c2:00:00:0e, ethertype LLDP (0x88cc), length 60: LLDP, length 46: host"},
		{name: "RARP", skipped: 1,
			in: "10:00:00.000000 02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff, ethertype Reverse ARP (0x8035), length 60: Reverse Request who-is 02:00:00:00:00:01 tell 02:00:00:00:00:01, length 46"},
		{name: "cooked capture hex-dumps 802.1ad: irrelevant, not broken", skipped: 2,
			in: "00:00:03.024100   B 02:00:00:00:00:0c ethertype 802.1Q-QinQ (0x88a8), length 62: \n" +
				"\t0x0000:  0064 8100 0014 0806 0001 0800 0604 0001  .d.............."},
		{name: "ARP of another hardware type", skipped: 1,
			in: "10:00:00.000000 ARP, Reply 10.0.0.1 is-at 0a, length 28"},
		{name: "blank line", skipped: 1, in: "\n"},
		{name: "host names in ARP (no -n)", problem: "run tcpdump with -n",
			in: "10:00:00.000000 ARP, Request who-has gateway tell myhost.example.org, length 28"},
		{name: "host names in IP (no -n)", problem: "run tcpdump with -n",
			in: "10:00:00.000000 IP myhost.40000 > gateway.ssh: Flags [S], seq 1, win 64240, length 0"},
		{name: "no timestamp (tcpdump -t)", problem: "without a timestamp",
			in: "ARP, Request who-has 10.0.0.100 tell 10.0.0.1, length 28"},
		{name: "link header cut short", problem: "link-layer header",
			in: "17:09:17.275597 1e:d5:ec:49:df:4f > ff:ff"},
		{name: "ethertype cut short", problem: "ethertype",
			in: "17:09:17.275597 1e:d5:ec:49:df:4f > ff:ff:ff:ff:ff:ff, ethertype ARP (0x08"},
		{name: "ARP cut before its addresses, -e (real line, corpus arp-oobr.pcap)", problem: "[|arp]",
			in: "22:15:47.244689 00:61:29:da:f8:fb > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 60:  [|arp]"},
		{name: "ARP cut before its addresses, no -e (real line)", problem: "[|arp]",
			in: "22:15:47.244689  [|arp]"},
		{name: "reply without MAC", problem: "without a MAC",
			in: "17:09:17.275597 ARP, Reply 10.0.0.1 is-at somehost, length 28"},
		{name: "VLAN tag cut short", problem: "802.1Q",
			in: "10:00:00.000001 02:00:00:00:00:0c > ff:ff:ff:ff:ff:ff, ethertype 802.1Q (0x8100), length 46: vlan ten"},
		{name: "port out of range", problem: "port",
			in: "10:00:00.000000 IP 10.0.0.1.99999 > 10.0.0.2.22: Flags [S], seq 1, win 64240, length 0"},
		{name: "-v header without its address line", problem: "without the line carrying its addresses",
			in: "23:59:58.501100 IP (tos 0x0, ttl 64, id 0, offset 0, flags [DF], proto TCP (6), length 40)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs, src := parseText(t, tt.in, textOpts)
			var got []string
			for i := range evs {
				got = append(got, timed(&evs[i]))
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			var probs []string
			for _, p := range src.Problems {
				if p.Level == timeline.LevelError {
					probs = append(probs, p.String())
				}
			}
			switch {
			case tt.problem == "" && len(probs) > 0:
				t.Errorf("unexpected problems: %q", probs)
			case tt.problem != "" && (len(probs) != 1 || !strings.Contains(probs[0], tt.problem) || !strings.HasPrefix(probs[0], "line 1: ")):
				t.Errorf("problems %q, want one at line 1 containing %q", probs, tt.problem)
			}
			if src.Skipped != tt.skipped {
				t.Errorf("skipped %d, want %d", src.Skipped, tt.skipped)
			}
			if sum := int64(len(evs)) - src.Derived + src.Folded + src.Skipped + src.BadRecords; sum != src.Records {
				t.Errorf("records %d ≠ events %d − derived %d + folded %d + skipped %d + bad %d", src.Records, len(evs), src.Derived, src.Folded, src.Skipped, src.BadRecords)
			}
			if n := int64(strings.Count(strings.TrimSuffix(tt.in, "\n"), "\n") + 1); src.Records != n {
				t.Errorf("records %d, want %d", src.Records, n)
			}
			for i := range evs {
				if evs[i].Kind() != timeline.KindUsage && evs[i].Raw == "" {
					t.Errorf("event %d has no Raw line", i)
				}
				if evs[i].Kind() == timeline.KindUsage && evs[i].Raw != "" {
					t.Errorf("usage run carries Raw %q", evs[i].Raw)
				}
			}
		})
	}
}

// TestTextRawIsTheLine checks that ARP and handshake events cite the line
// as the file holds it, journal prefix included, so a user can grep for it.
func TestTextRawIsTheLine(t *testing.T) {
	lines := []string{
		"Sep 18 17:09:17.644405 ubuntu-xenial-ovh-bhs1-0002095917 tcpdump[28445]: 17:09:17.275597 1e:d5:ec:49:df:4f > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 172.24.5.11 tell 172.24.5.1, length 28",
		"Sep 18 17:09:17.644405 ubuntu-xenial-ovh-bhs1-0002095917 tcpdump[28445]: 17:09:17.300000 1e:d5:ec:49:df:4f > fa:16:3e:00:00:01, ethertype IPv4 (0x0800), length 74: 172.24.5.1.40000 > 172.24.5.11.22: Flags [S], seq 1, win 64240, length 0",
	}
	evs, _ := parseText(t, strings.Join(lines, "\r\n")+"\r\n", textOpts)
	var raws []string
	for _, e := range evs {
		if e.Raw != "" {
			raws = append(raws, e.Raw)
		}
	}
	if strings.Join(raws, "\n") != strings.Join(lines, "\n") {
		t.Errorf("raw lines:\n%s\nwant:\n%s", strings.Join(raws, "\n"), strings.Join(lines, "\n"))
	}
}

// TestTextCorpus reads the real tcpdump lines of the shared corpus.
func TestTextCorpus(t *testing.T) {
	t.Run("neigh/formats.txt section 7", func(t *testing.T) {
		b, err := os.ReadFile("../../testdata/corpus/neigh/formats.txt")
		if err != nil {
			t.Fatal(err)
		}
		_, sec, ok := strings.Cut(string(b), "## 7.")
		if !ok {
			t.Fatal("no section 7")
		}
		_, sec, _ = strings.Cut(sec, "\n") // the rest of the heading
		var lines []string
		for _, l := range strings.Split(sec, "\n") {
			if l != "" && !strings.HasPrefix(l, "#") {
				lines = append(lines, l)
			}
		}
		if len(lines) != 13 {
			t.Fatalf("%d tcpdump lines in section 7, want 13", len(lines))
		}
		// Each line on its own: the section mixes captures, so no request
		// is taken to be answered by the next line's reply.
		const d = "2026-11-21T"
		want := []string{
			d + "09:01:49.408016000Z arp request op=1 link=02:00:00:00:00:01>ff:ff:ff:ff:ff:ff sha=02:00:00:00:00:01 spa=10.0.0.1 tha=00:00:00:00:00:00 tpa=10.0.0.100",
			d + "09:01:49.408031000Z arp reply op=2 link=02:00:00:00:00:0a>02:00:00:00:00:01 sha=02:00:00:00:00:0a spa=10.0.0.100 tha=02:00:00:00:00:01 tpa=?",
			d + "09:01:58.544850000Z arp garp-request op=1 link=02:00:00:00:00:0b>ff:ff:ff:ff:ff:ff sha=02:00:00:00:00:0b spa=10.0.0.100 tha=ff:ff:ff:ff:ff:ff tpa=10.0.0.100",
			d + "09:02:00.758900000Z arp garp-reply op=2 link=02:00:00:00:00:0b>ff:ff:ff:ff:ff:ff sha=02:00:00:00:00:0b spa=10.0.0.100 tha=02:00:00:00:00:0b tpa=10.0.0.100",
			d + "09:02:07.470347000Z arp request op=1 link=02:00:00:00:00:01>02:00:00:00:00:0b sha=02:00:00:00:00:01 spa=10.0.0.1 tha=00:00:00:00:00:00 tpa=10.0.0.100",
			d + "09:02:08.494274000Z arp request op=1 link=02:00:00:00:00:01>02:00:00:00:00:0b sha=02:00:00:00:00:01 spa=10.0.0.1 tha=00:00:00:00:00:00 tpa=10.0.0.100",
			d + "09:02:09.518377000Z arp request op=1 link=02:00:00:00:00:01>02:00:00:00:00:0b sha=02:00:00:00:00:01 spa=10.0.0.1 tha=00:00:00:00:00:00 tpa=10.0.0.100",
			d + "09:02:10.923877000Z arp request op=1 link=02:00:00:00:00:01>ff:ff:ff:ff:ff:ff sha=02:00:00:00:00:01 spa=10.0.0.1 tha=00:00:00:00:00:00 tpa=10.0.0.100",
			d + "09:02:10.923889000Z arp reply op=2 link=02:00:00:00:00:0a>02:00:00:00:00:01 sha=02:00:00:00:00:0a spa=10.0.0.100 tha=02:00:00:00:00:01 tpa=?",
			d + "09:04:26.482418000Z arp probe op=1 link=02:00:00:00:00:0b>ff:ff:ff:ff:ff:ff sha=02:00:00:00:00:0b spa=0.0.0.0 tha=ff:ff:ff:ff:ff:ff tpa=10.0.0.100",
			d + "09:01:49.408016000Z arp request op=1 link=- sha=00:00:00:00:00:00 spa=10.0.0.1 tha=00:00:00:00:00:00 tpa=10.0.0.100",
			d + "09:01:49.408031000Z arp reply op=2 link=- sha=02:00:00:00:00:0a spa=10.0.0.100 tha=00:00:00:00:00:00 tpa=?",
			d + "09:01:49.408016000Z arp request op=1 link=- sha=00:00:00:00:00:00 spa=10.0.0.1 tha=00:00:00:00:00:00 tpa=10.0.0.100",
		}
		opts := parse.Options{ModTime: time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)}
		for i, l := range lines {
			evs, src := parseText(t, l, opts)
			if len(src.Problems) != 0 || len(evs) != 1 {
				t.Errorf("%q: %d events, problems %v", l, len(evs), src.Problems)
				continue
			}
			if got := timed(&evs[0]); got != want[i] {
				t.Errorf("line %d:\n got %s\nwant %s", i, got, want[i])
			}
		}
		// The two lines "without -e" are a request and its reply: read
		// together, the reply names whom it answers.
		evs, _ := parseText(t, lines[10]+"\n"+lines[11], opts)
		if len(evs) != 2 || describe(&evs[1]) != "arp reply op=2 link=- sha=02:00:00:00:00:0a spa=10.0.0.100 tha=00:00:00:00:00:00 tpa=10.0.0.1" {
			for i := range evs {
				t.Log(describe(&evs[i]))
			}
			t.Error("reply without -e did not take its target from the request before it")
		}
	})
	t.Run("txnlog/real-lines.txt, last line", func(t *testing.T) {
		// The stored copy of the incident's tcpdump line lost its IP
		// addresses: it must be a positioned problem, not an event.
		f, err := os.Open("../../testdata/corpus/txnlog/real-lines.txt")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		var last string
		for sc := bufio.NewScanner(f); sc.Scan(); {
			last = sc.Text()
		}
		evs, src := parseText(t, last, parse.Options{Year: 2018})
		if len(evs) != 0 || len(src.Problems) != 1 || src.Problems[0].Pos.Line != 1 ||
			!strings.Contains(src.Problems[0].Message, "without numeric IPv4 addresses") {
			t.Errorf("events %d, problems %v; want one problem at line 1", len(evs), src.Problems)
		}
	})
}

// rendering is one tcpdump rendering of a capture under testdata/text.
type rendering struct {
	file, capture string
	loc           string // zone tcpdump printed local time in
	link          bool   // -e: the text carries the link layer
	dirWords      bool   // cooked v2 prints the direction even without -e
	cooked        bool
	quiet         bool // -q: no TCP flags, so no handshakes
}

var renderings = []rendering{
	{file: "ether.e-nn.txt", capture: "ether.pcap", link: true},
	{file: "ether.e-n.txt", capture: "ether.pcap", link: true},
	{file: "ether.e-nn-tt.txt", capture: "ether.pcap", link: true},
	{file: "ether.e-nn-tttt-newyork.txt", capture: "ether.pcap", loc: "America/New_York", link: true},
	{file: "ether.e-nn-v.txt", capture: "ether.pcap", link: true},
	{file: "ether.e-nn-q.txt", capture: "ether.pcap", link: true, quiet: true},
	{file: "ether.nn.txt", capture: "ether.pcap"},
	// ether.nn-ttt.txt has relative timestamps: see TestTextRelativeStamps.
	{file: "ether.nn-nano.txt", capture: "ether.pcap"},
	{file: "sll.e-nn.txt", capture: "sll.pcap", link: true, cooked: true},
	{file: "sll.nn.txt", capture: "sll.pcap", cooked: true},
	{file: "sll.e-nn-q.txt", capture: "sll.pcap", link: true, cooked: true, quiet: true},
	{file: "sll2.e-nn-v.txt", capture: "sll2.pcap", link: true, cooked: true, dirWords: true},
	{file: "sll2.e-nn.txt", capture: "sll2.pcap", link: true, cooked: true, dirWords: true},
	{file: "sll2.nn.txt", capture: "sll2.pcap", cooked: true, dirWords: true},
}

// project keeps what both a capture and its rendering say about an event:
// the capture's own values for what tcpdump does not print (the target of
// ARP replies, the sender MAC of requests, and without -e the whole link
// layer), so the comparison checks everything else exactly.
func project(e timeline.Event, r rendering) (string, bool) {
	blankLink := func(l *timeline.Link) {
		dir := l.Direction
		*l = timeline.Link{}
		if r.dirWords {
			l.Direction = dir
		}
	}
	switch d := e.Data.(type) {
	case *timeline.ARP:
		a := *d
		if r.cooked && a.VLAN == 100 {
			return "", false // tcpdump's cooked printer does not decode 802.1ad: it hex-dumps the frame
		}
		if a.Op == 2 {
			a.TPA, a.THA = netip0, timeline.MAC{}
			if a.Class == timeline.ARPGarpReplyOtherTHA {
				a.Class = timeline.ARPGarpReply
			}
		}
		if !r.link {
			// Without the link layer a broadcast reply cannot be told
			// from an ordinary one.
			blankLink(&a.Link)
			a.SenderMismatch = false
			if a.Op == 1 {
				a.SHA = timeline.MAC{}
			}
			if a.Class == timeline.ARPGarpReply {
				a.Class = timeline.ARPReply
			}
		}
		a.Iface = ""
		e.Data = &a
	case *timeline.TCP:
		if r.quiet {
			return "", false
		}
		c := *d
		if !r.link {
			blankLink(&c.Link)
		}
		c.Iface = ""
		e.Data = &c
	case *timeline.UsageRun:
		if !r.link {
			return "", false // no sender MAC without -e: no runs
		}
		u := *d
		u.Iface = ""
		if r.quiet {
			u.SYNs = 0
		}
		e.Data = &u
	}
	return timed(&e), true
}

// TestTextRenderingsMatchCapture reads every tcpdump rendering of the test
// captures and checks it yields the events the capture reader makes of the
// capture itself, apart from positions, Raw and what tcpdump does not print.
func TestTextRenderingsMatchCapture(t *testing.T) {
	for _, r := range renderings {
		t.Run(r.file, func(t *testing.T) {
			cap := captureEvents(t, filepath.Join(textData, r.capture))
			b, err := os.ReadFile(filepath.Join(textData, r.file))
			if err != nil {
				t.Fatal(err)
			}
			opts := parse.Options{ModTime: time.Date(2024, 3, 11, 0, 0, 10, 0, time.UTC)}
			if r.loc != "" {
				loc, err := time.LoadLocation(r.loc)
				if err != nil {
					t.Skip(err)
				}
				opts.Location = loc
			}
			evs, src := parseText(t, string(b), opts)
			if len(src.Problems) != 0 {
				t.Errorf("problems: %v", src.Problems)
			}
			var got, want []string
			for _, e := range evs {
				if s, ok := project(e, r); ok {
					got = append(got, s)
				}
			}
			for _, e := range cap {
				if s, ok := project(e, r); ok {
					want = append(want, s)
				}
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("text events:\n%s\n\ncapture events:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if src.Records != int64(bytes.Count(b, []byte{'\n'})) {
				t.Errorf("records %d, want %d lines", src.Records, bytes.Count(b, []byte{'\n'}))
			}
		})
	}
}

// TestTextInferredTargets checks what the reader fills in for fields
// tcpdump does not print, on the rendering of the test capture.
func TestTextInferredTargets(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(textData, "ether.e-nn.txt"))
	if err != nil {
		t.Fatal(err)
	}
	evs, _ := parseText(t, string(b), parse.Options{Year: 2024, ModTime: time.Date(2024, 3, 11, 0, 0, 10, 0, time.UTC)})
	var replies []string
	for i := range evs {
		if a, ok := evs[i].Data.(*timeline.ARP); ok && a.Op == 2 {
			if !a.FromText {
				t.Errorf("%s: FromText not set", describe(&evs[i]))
			}
			replies = append(replies, describe(&evs[i])+" | "+a.Summary())
		}
	}
	want := []string{
		// Answers the broadcast request before it: target from it.
		"arp reply op=2 link=02:00:00:00:00:0a>02:00:00:00:00:01 sha=02:00:00:00:00:0a spa=10.0.0.100 tha=02:00:00:00:00:01 tpa=10.0.0.1 | 02:00:00:00:00:0a > 02:00:00:00:00:01 ARP Reply 10.0.0.100 is-at 02:00:00:00:00:0a",
		// arping -A (tha == sha in the capture) and a reply with a
		// broadcast tha: the text cannot tell them apart; both read as
		// reply-type GARPs with tha assumed = sha, and say so.
		"arp garp-reply op=2 link=02:00:00:00:00:0b>ff:ff:ff:ff:ff:ff sha=02:00:00:00:00:0b spa=10.0.0.100 tha=02:00:00:00:00:0b tpa=10.0.0.100 | 02:00:00:00:00:0b > ff:ff:ff:ff:ff:ff ARP Reply 10.0.0.100 is-at 02:00:00:00:00:0b (tha not printed by tcpdump: assumed = sha) [gratuitous]",
		"arp garp-reply op=2 link=02:00:00:00:00:0b>ff:ff:ff:ff:ff:ff sha=02:00:00:00:00:0b spa=10.0.0.100 tha=02:00:00:00:00:0b tpa=10.0.0.100 | 02:00:00:00:00:0b > ff:ff:ff:ff:ff:ff ARP Reply 10.0.0.100 is-at 02:00:00:00:00:0b (tha not printed by tcpdump: assumed = sha) [gratuitous]",
		// B answers the observer's unicast probe to A.
		"arp reply op=2 link=02:00:00:00:00:0b>02:00:00:00:00:01 sha=02:00:00:00:00:0b spa=10.0.0.100 tha=02:00:00:00:00:01 tpa=10.0.0.1 | 02:00:00:00:00:0b > 02:00:00:00:00:01 ARP Reply 10.0.0.100 is-at 02:00:00:00:00:0b",
		// The proxy answers nothing the text holds: target unknown.
		"arp reply op=2 link=02:00:00:00:00:0d>02:00:00:00:00:01 sha=02:00:00:00:00:0c spa=10.0.0.50 tha=02:00:00:00:00:01 tpa=? mismatch | 02:00:00:00:00:0d > 02:00:00:00:00:01 ARP Reply 10.0.0.50 is-at 02:00:00:00:00:0c [sender MAC != Ethernet source]",
	}
	if strings.Join(replies, "\n") != strings.Join(want, "\n") {
		t.Errorf("replies:\n%s\nwant:\n%s", strings.Join(replies, "\n"), strings.Join(want, "\n"))
	}
	for i := range evs {
		if a, ok := evs[i].Data.(*timeline.ARP); ok && a.Class == timeline.ARPGarpReply {
			fs := a.Fields()
			if last := fs[len(fs)-1]; last.Name != "inferred" || !strings.Contains(last.Value, "tha = sha") {
				t.Errorf("garp-reply fields end with %v, want the inference named", last)
			}
		}
	}
}

// TestTextJournalGolden reads a journal export of the test capture (with
// another unit's lines, banners, a cut line, and lines captured before
// midnight but logged after it) against a golden file.
func TestTextJournalGolden(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(textData, "journal.txt"))
	if err != nil {
		t.Fatal(err)
	}
	evs, src := parseText(t, string(b), parse.Options{ModTime: time.Date(2024, 3, 11, 8, 0, 0, 0, time.UTC)})
	var out bytes.Buffer
	fmt.Fprintf(&out, "records=%d skipped=%d events=%d basis=%d\n", src.Records, src.Skipped, len(evs), src.Basis)
	for _, p := range src.Problems {
		fmt.Fprintf(&out, "problem %s %s: %s\n", p.Level, p.Pos, p.Message)
	}
	for i := range evs {
		fmt.Fprintf(&out, "%s %s\n", evs[i].Pos, timed(&evs[i]))
		if evs[i].Raw != "" {
			fmt.Fprintf(&out, "\traw %s\n", evs[i].Raw)
		}
		fmt.Fprintf(&out, "\t%s\n", evs[i].Data.Summary())
	}
	golden.Check(t, filepath.Join(textData, "journal.golden"), out.String())
	// The same frames as the plain rendering, dated by the journal.
	plain, _ := os.ReadFile(filepath.Join(textData, "ether.e-nn.txt"))
	pevs, _ := parseText(t, string(plain), parse.Options{ModTime: time.Date(2024, 3, 11, 0, 0, 10, 0, time.UTC)})
	r := rendering{link: true}
	var a, c []string
	for _, e := range evs {
		s, _ := project(e, r)
		a = append(a, s)
	}
	for _, e := range pevs {
		s, _ := project(e, r)
		c = append(c, s)
	}
	if strings.Join(a, "\n") != strings.Join(c, "\n") {
		t.Errorf("journal events differ from the plain rendering's:\n%s\n\nplain:\n%s", strings.Join(a, "\n"), strings.Join(c, "\n"))
	}
	if src.Basis != timeline.TimeNoYear {
		t.Errorf("basis %v, want TimeNoYear", src.Basis)
	}
}

var netip0 = timeline.ARP{}.TPA

// TestTextRelativeStamps checks a -ttt rendering: claimed, every frame a
// positioned problem (listed up to parse.DefaultProblemCap), no events.
func TestTextRelativeStamps(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(textData, "ether.nn-ttt.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if !SniffText(b) {
		t.Error("not recognised")
	}
	evs, src := parseText(t, string(b), textOpts)
	if len(evs) != 0 || int64(len(src.Problems)) != src.Records || src.Skipped != 0 {
		t.Errorf("%d events, %d problems, %d skipped of %d lines", len(evs), len(src.Problems), src.Skipped, src.Records)
	}
}

// corpusARP is what the tcpdump -e -nn renderings of the shared corpus
// captures must yield: Ethernet/IPv4 ARP requests and replies, which match
// MANIFEST.tsv's td_whohas and td_isat where every such line is Ethernet
// ARP on the captured segment. The exceptions say why.
var corpusARP = map[string]struct{ requests, replies int }{
	"802.1ad_QinQ.pcap":                  {1, 1},
	"eapon1.pcap":                        {4, 1},
	"dhcp-rfc4388.pcap":                  {6, 6},
	"dhcp-rfc4388.trunc-mid-record.pcap": {1, 0},
	"bgp-4byte-asn.pcap":                 {6, 6},
	"mptcp-fclose.pcap":                  {1, 1},
	"isakmp4500.pcap":                    {4, 4},
	"gateway_or_not.pcap":                {1, 1},
	"linux_dlt_sll2.pcap":                {1, 0},
	// ARP inside a VXLAN tunnel: another segment, printed on a line of
	// its own without a timestamp.
	"vxlan.pcap": {0, 0},
	// ARCnet and IP-over-InfiniBand hardware: not Ethernet ARP.
	"arcnet-rfc1201-arp-icmp-http.pcap": {0, 0},
	"ipoib.pcap":                        {0, 0},
	// A 14-byte target hardware address: not Ethernet ARP.
	"arp-too-long-tha.pcap": {0, 0},
}

// TestTextCorpusRenderings reads tcpdump 4.99.3's renderings (-e -nn and
// -nn) of every capture in the shared corpus: every line is an event, a
// fold, irrelevant or a positioned problem, ARP counts match the manifest,
// and -nn yields the same ARP frames without their link layer.
func TestTextCorpusRenderings(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(textData, "corpus", "*.e-nn.txt"))
	if err != nil || len(files) < 20 {
		t.Fatalf("%d renderings (%v)", len(files), err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".e-nn.txt")
		t.Run(name, func(t *testing.T) {
			count := func(file string) (req, rep int, arps []string, src *timeline.Source) {
				b, err := os.ReadFile(file)
				if err != nil {
					t.Fatal(err)
				}
				evs, src := parseText(t, string(b), textOpts)
				for _, p := range src.Problems {
					// The only lines of real tcpdump output the reader may
					// not read are ARP packets tcpdump could not decode.
					if p.Level == timeline.LevelError && !strings.Contains(p.Message, "[|arp]") {
						t.Errorf("%s: %s", filepath.Base(file), p)
					}
				}
				for i := range evs {
					if a, ok := evs[i].Data.(*timeline.ARP); ok {
						switch a.Op {
						case 1:
							req++
						case 2:
							rep++
						}
						arps = append(arps, fmt.Sprintf("%s op=%d spa=%s", evs[i].Time.Format("15:04:05.000000"), a.Op, a.SPA))
					}
				}
				if src.Records != int64(bytes.Count(b, []byte{'\n'})) {
					t.Errorf("%s: records %d, want %d lines", filepath.Base(file), src.Records, bytes.Count(b, []byte{'\n'}))
				}
				return req, rep, arps, src
			}
			req, rep, withLink, _ := count(file)
			if want, ok := corpusARP[name]; ok && (req != want.requests || rep != want.replies) {
				t.Errorf("-e -nn: %d requests, %d replies; want %d, %d", req, rep, want.requests, want.replies)
			}
			nn := strings.TrimSuffix(file, ".e-nn.txt") + ".nn.txt"
			if _, err := os.Stat(nn); err != nil {
				t.Fatal(err)
			}
			_, _, noLink, _ := count(nn)
			if name == "arcnet-rfc1201-arp-icmp-http.pcap" || name == "ipoib.pcap" {
				// Without -e nothing shows the hardware is not Ethernet;
				// the InfiniBand target address still gives it away.
				return
			}
			if strings.Join(withLink, "\n") != strings.Join(noLink, "\n") {
				t.Errorf("ARP frames differ between -e -nn and -nn:\n%s\n\n%s", strings.Join(withLink, "\n"), strings.Join(noLink, "\n"))
			}
		})
	}
}
