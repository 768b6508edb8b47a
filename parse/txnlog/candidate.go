package txnlog

import (
	"bytes"

	"github.com/arpforensics/arpforensics/parse/lex"
)

// candidate tells whether a line can matter: a line of ovsdbapp's
// transaction module, of neutron's OVSDB wrappers (impl_idl, impl_idl_ovn:
// "Running txn" before ovsdbapp existed, revision-conflict aborts), a
// warning or error carrying ovsdbapp's timeout text, or a command line in
// a format whose logger cannot be found. It must be cheap: it runs on
// every line.
func (wk *worker) candidate(line []byte) bool {
	// oslo.log's file format: "YYYY-MM-DD HH:MM:SS.mmm PID LEVEL logger …"
	if len(line) > 32 && line[4] == '-' && line[7] == '-' && line[10] == ' ' && line[13] == ':' && line[16] == ':' {
		j := 19
		for j < len(line) && (line[j] == '.' || line[j] == ',' || lex.IsDigit(line[j])) {
			j++
		}
		for j < len(line) && line[j] == ' ' {
			j++
		}
		k := j
		for k < len(line) && lex.IsDigit(line[k]) {
			k++
		}
		if k > j && k < len(line) && line[k] == ' ' {
			j = k + 1
		}
		if sp := bytes.IndexByte(line[j:min(len(line), j+10)], ' '); sp > 0 && isLevel(line[j:j+sp]) {
			rest := line[j+sp+1:]
			if e := bytes.IndexByte(rest, ' '); e > 0 {
				return interesting(line, line[j:j+sp], rest[:e])
			}
			return false
		}
	}
	return wk.candidateSlow(line)
}

// candidateSlow handles every other format through the full envelope
// parser.
func (wk *worker) candidateSlow(line []byte) bool {
	if bytes.IndexByte(line, 0x1b) >= 0 {
		wk.ansi = stripANSI(wk.ansi[:0], line)
		line = wk.ansi
	}
	env, ok := parseEnvelope(line)
	if !ok {
		return bytes.Contains(line, runningTxn)
	}
	return interesting(line, env.level, env.logger)
}

// interesting decides from a record's level and logger.
func interesting(line, level, logger []byte) bool {
	if bytes.Equal(logger, txnLogger) {
		return true
	}
	// ….impl_idl and ….impl_idl_ovn; the last byte rules most loggers out.
	if n := len(logger); n > 9 && (logger[n-1] == 'l' && bytes.HasSuffix(logger, []byte(".impl_idl")) ||
		logger[n-1] == 'n' && bytes.HasSuffix(logger, []byte(".impl_idl_ovn"))) {
		return true
	}
	switch string(level) {
	case "DEBUG", "INFO":
		return false
	}
	return bytes.Contains(line, []byte("exceeded timeout"))
}
