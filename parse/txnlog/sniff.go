package txnlog

import (
	"bytes"

	"github.com/arpforensics/arpforensics/parse"
)

// sniffLines caps how many lines of the head Sniff looks at.
const sniffLines = 400

// Sniff recognises a transaction log from the head of a file: an ovsdbapp
// command line anywhere in it, or an oslo.log record (in any wrapper this
// package reads) from neutron, networking-ovn, the OVN Octavia provider or
// ovsdbapp itself. A neutron-server log need not show a transaction in its
// first 64 KiB (it starts with the configuration dump), so its loggers are
// enough; logs of other services are left alone.
func Sniff(head []byte) bool {
	var scratch []byte
	return parse.AnyHeadLine(head, sniffLines, func(line []byte) bool {
		if bytes.IndexByte(line, 0x1b) >= 0 {
			scratch = stripANSI(scratch[:0], line)
			line = bytes.TrimSuffix(scratch, []byte{'\r'})
		}
		// A pasted, wrapped txn line without its timestamp still starts
		// with the logger (or is the bare message). A line that only quotes one (a JSON report's
		// evidence, a document) does not make the file a log.
		if bytes.HasPrefix(line, runningTxn) || bytes.HasPrefix(line, []byte("ovsdbapp.")) && bytes.Contains(line, runningTxn) {
			return true
		}
		env, ok := parseEnvelope(line)
		if !ok {
			return false
		}
		for _, p := range sniffLoggers {
			if bytes.HasPrefix(env.logger, p) {
				return true
			}
		}
		return false
	})
}

var sniffLoggers = [][]byte{
	[]byte("neutron."), []byte("neutron_lib."), []byte("ovsdbapp."),
	[]byte("networking_ovn."), []byte("ovn_octavia_provider."),
}
