package neigh

import (
	"bytes"
	"time"

	"github.com/arpforensics/arpforensics/parse"
)

// sniffLines is how many non-blank lines Sniff judges.
const sniffLines = 40

// Sniff reports whether head (the first bytes of a file) looks like a
// neighbour artifact: among its first lines, at least one neighbour entry
// (or an `ip -j neigh` array), and nearly every other line a date line, a
// timestamp, a table header or a flush summary. Log files, tcpdump text and
// other text kinds have lines this grammar refuses.
func Sniff(head []byte) bool {
	// A head cut at the sniff limit ends in a partial line: leave it out.
	if i := bytes.LastIndexByte(head, '\n'); i >= 0 && i < len(head)-1 && len(head) >= 4096 {
		head = head[:i+1]
	}
	lp := newLineParser(time.UTC)
	var rec record
	entries, others, bad, seen := 0, 0, 0, 0
	for line, rest := range parse.HeadLines(head) {
		if len(trimSpace(line)) == 0 {
			continue
		}
		if seen == sniffLines {
			break
		}
		seen++
		if cmd, ok := promptLine(line); ok {
			// A dump pasted with the shell session around it: the prompt
			// that ran it is evidence, other prompts are neutral. The
			// parser reports them as lines it does not read.
			if neighCommand(cmd) {
				entries++
			} else {
				others++
			}
			continue
		}
		if err := lp.parseLine(line, &rec); err != nil {
			bad++
			continue
		}
		switch rec.kind {
		case recEntry:
			// The grammar keeps entries with words it does not know, so a
			// bare "127.0.0.1 localhost" (/etc/hosts) parses: only entries
			// that say something a neighbour listing says, and nothing it
			// does not, are evidence of the kind.
			if !telling(&rec.ent) {
				bad++
				continue
			}
			entries++
		case recJSON:
			if bytes.Contains(line, []byte(`"dst"`)) || isPrettyNeighJSON(rest) {
				entries++
			} else {
				bad++
			}
			return entries > 0 && bad*4 <= seen
		case recComment, recOther:
		default:
			others++
		}
	}
	return entries > 0 && bad*4 <= seen
}

// isPrettyNeighJSON looks for `ip -j -p neigh`'s first key on the next lines.
func isPrettyNeighJSON(rest []byte) bool {
	if len(rest) > 512 {
		rest = rest[:512]
	}
	return bytes.Contains(rest, []byte(`"dst":`))
}

// telling reports an entry that could only come from a neighbour listing:
// it names a device, a link-layer address or a NUD state (or is a proxy
// entry), and holds no word the grammar does not know.
func telling(e *entry) bool {
	if e.unknown != nil {
		return false
	}
	return len(e.dev) > 0 || e.isMAC || len(e.ll) > 0 || e.state != 0 || e.flags != 0
}

// promptLine recognises a shell prompt ("stack@ctl:~$ ip neigh",
// "[root@node ~]# ip -s n", a bare "$") and returns the command after it.
func promptLine(line []byte) (cmd []byte, ok bool) {
	line = bytes.TrimRight(line, " \r")
	for i := 0; i < len(line) && i < 120; i++ {
		c := line[i]
		if c != '$' && c != '#' {
			continue
		}
		prompt := line[:i]
		if bytes.ContainsAny(prompt, "\t") || bytes.Count(prompt, []byte(" ")) > 1 {
			return nil, false
		}
		if i+1 == len(line) {
			return nil, true
		}
		if line[i+1] == ' ' {
			return bytes.TrimSpace(line[i+2:]), true
		}
		return nil, false
	}
	return nil, false
}

// neighCommand reports a command that prints neighbour entries.
func neighCommand(cmd []byte) bool {
	f := bytes.Fields(cmd)
	for i := 0; i < len(f); i++ {
		switch string(f[i]) {
		case "arp":
			return true
		case "ip":
			for _, w := range f[i+1:] {
				if len(w) > 0 && w[0] == '-' {
					continue
				}
				return bytes.HasPrefix([]byte("neighbour"), w) || bytes.HasPrefix([]byte("neighbor"), w)
			}
		}
	}
	return false
}
