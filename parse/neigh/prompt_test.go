package neigh

import "testing"

// An `ip neigh` dump pasted with the shell session around it is a neighbour
// artifact however few its entries; prompts alone, or prompts running other
// commands, are not.
func TestSniffPastedAfterPrompt(t *testing.T) {
	for text, want := range map[string]bool{
		"stack@controller:~$ sudo ip netns exec qrouter-3f2a ip neigh\n172.24.5.11 dev qg-1a2b lladdr fa:16:3e:4d:2a:91 STALE\nstack@controller:~$\n": true,
		"[root@compute1 ~]# ip -s n\n10.0.0.5 dev eth0 lladdr 52:54:00:12:34:56 ref 1 used 10/10/10 probes 0 REACHABLE\n[root@compute1 ~]# exit\n":    true,
		"$ arp -an\n? (10.0.0.1) at 52:54:00:12:34:56 [ether] on eth0\n":                                                                              true,
		"stack@controller:~$ ls\nfoo bar\nstack@controller:~$ cat notes\nsome text here\n":                                                            false,
		"stack@controller:~$\nstack@controller:~$\n":                                                                                                  false,
	} {
		if got := Sniff([]byte(text)); got != want {
			t.Errorf("Sniff(%q) = %v, want %v", text, got, want)
		}
	}
}
