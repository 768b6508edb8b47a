package timeline

import (
	"net/netip"
	"strings"
)

// LogLine is a log line worth showing on the timeline that is neither a
// transaction nor a symptom: an OVS/OVN daemon's vlog line (a port claimed
// or released by ovn-controller, a GARP it sent, northd or ovsdb-server
// events, warnings and errors), or a test result.
type LogLine struct {
	Daemon  string // "ovn-controller", "ovs-vswitchd", "ovn-northd", "ovsdb-server", or "" when unknown
	Module  string // the vlog module: "binding", "pinctrl", "northd", …
	Level   string // "INFO", "WARN", "ERR", "DBG", "EMER"
	What    string // "claim", "release", "garp", "error", "warning", "event", "test-failed"
	Port    string // the logical port a binding line names
	Test    string // the test a result line names
	IPs     []netip.Addr
	MACs    []MAC
	Message string
}

func init() { RegisterPayload(&LogLine{}) }

func (l *LogLine) Kind() Kind { return KindLog }

func (l *LogLine) Summary() string {
	var b strings.Builder
	if l.Daemon != "" {
		b.WriteString(l.Daemon + " ")
	}
	b.WriteString(l.What + ": " + l.Message)
	return b.String()
}

func (l *LogLine) AppendKeys(k *Keys) {
	k.IPs = append(k.IPs, l.IPs...)
	k.MACs = append(k.MACs, l.MACs...)
	if l.Port != "" {
		k.Entities = append(k.Entities, l.Port)
	}
}

func (l *LogLine) Fields() []Field {
	fs := []Field{{"what", l.What}}
	for _, f := range [][2]string{{"daemon", l.Daemon}, {"module", l.Module}, {"level", l.Level}, {"port", l.Port}, {"test", l.Test}} {
		if f[1] != "" {
			fs = append(fs, Field{f[0], f[1]})
		}
	}
	for _, ip := range l.IPs {
		fs = append(fs, Field{"ip", ip.String()})
	}
	for _, m := range l.MACs {
		fs = append(fs, Field{"mac", m.String()})
	}
	return append(fs, Field{"message", l.Message})
}
