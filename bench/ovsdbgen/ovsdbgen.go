// Package ovsdbgen writes a synthetic OVN Southbound database history in the
// standalone OVSDB file format (ovsdb(5): "OVSDB JSON <length> <sha1>"
// records, the schema first, then one record per transaction with _date,
// _comment and _is_diff, as ovsdb-server 3.x writes them) for benchmarking
// parse/ovsdb. The mix follows what a busy Southbound's log holds: northd
// inserting and deleting logical flows (most of the bytes), port bindings
// claimed and released by chassis, MAC bindings learned and refreshed, and
// chassis acknowledging nb_cfg. The output is deterministic for a seed.
package ovsdbgen

import (
	"bufio"
	"crypto/sha1"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"time"
)

// Options shape the generated file.
type Options struct {
	Size   int64     // stop after at least this many bytes
	Seed   uint64    // PRNG seed
	Schema []byte    // the OVN_Southbound schema (/usr/share/ovn/ovn-sb.ovsschema)
	Start  time.Time // first _date (default 2026-01-05 10:00:00 UTC)
}

// Stats is what was written.
type Stats struct {
	Bytes, Records, Flows, PortBindings, MACBindings int64
}

type gen struct {
	w     *bufio.Writer
	rng   *rand.Rand
	st    Stats
	date  int64
	buf   []byte
	live  []string // live logical flow uuids (a window, for deletes)
	ports []string
	dps   []string
	mbs   []string
	chs   []string
}

// Write writes the file to w.
func Write(w io.Writer, o Options) (Stats, error) {
	if o.Start.IsZero() {
		o.Start = time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	}
	g := &gen{w: bufio.NewWriterSize(w, 1<<20), rng: rand.New(rand.NewPCG(o.Seed, 17)), date: o.Start.UnixMilli()}
	schema := o.Schema
	if n := len(schema); n > 0 && schema[n-1] == '\n' {
		schema = schema[:n-1]
	}
	g.record(schema)
	g.setup()
	for g.st.Bytes < o.Size {
		g.date += int64(g.rng.IntN(400))
		switch r := g.rng.IntN(100); {
		case r < 55:
			g.flows()
		case r < 75:
			g.claim()
		case r < 90:
			g.macBinding()
		default:
			g.nbCfg()
		}
	}
	return g.st, g.w.Flush()
}

func (g *gen) uuid() string {
	a, b := g.rng.Uint64(), g.rng.Uint64()
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x", uint32(a>>32), uint16(a>>16), uint16(a)&0x0fff|0x4000, uint16(b>>48)&0x3fff|0x8000, b&0xffffffffffff)
}

func (g *gen) mac() string {
	v := g.rng.Uint32()
	return fmt.Sprintf("fa:16:3e:%02x:%02x:%02x", byte(v>>16), byte(v>>8), byte(v))
}

func (g *gen) ip() string {
	v := g.rng.Uint32()
	return fmt.Sprintf("10.%d.%d.%d", byte(v>>16), byte(v>>8), 1+byte(v)%250)
}

// record writes one record: header line, then the JSON and its LF.
func (g *gen) record(body []byte) {
	body = append(body, '\n')
	sum := sha1.Sum(body)
	hdr := fmt.Sprintf("OVSDB JSON %d %x\n", len(body), sum)
	g.w.WriteString(hdr)
	g.w.Write(body)
	g.st.Bytes += int64(len(hdr) + len(body))
	g.st.Records++
}

// txn starts a transaction record's JSON; end closes it.
func (g *gen) txn() []byte {
	b := append(g.buf[:0], `{"_date":`...)
	b = strconv.AppendInt(b, g.date, 10)
	return b
}

func (g *gen) end(b []byte, comment string) {
	b = append(b, `,"_is_diff":true`...)
	if comment != "" {
		b = append(b, `,"_comment":`...)
		b = strconv.AppendQuote(b, comment)
	}
	b = append(b, '}')
	g.buf = b
	g.record(b)
}

func (g *gen) setup() {
	b := g.txn()
	b = append(b, `,"SB_Global":{"`...)
	b = append(b, g.uuid()...)
	b = append(b, `":{}},"Datapath_Binding":{`...)
	for i := range 64 {
		u := g.uuid()
		g.dps = append(g.dps, u)
		if i > 0 {
			b = append(b, ',')
		}
		b = fmt.Appendf(b, `"%s":{"tunnel_key":%d,"external_ids":["map",[["name","neutron-%s"]]]}`, u, i+1, g.uuid())
	}
	b = append(b, `},"Chassis_Private":{`...)
	for i := range 32 {
		u := g.uuid()
		g.chs = append(g.chs, u)
		if i > 0 {
			b = append(b, ',')
		}
		b = fmt.Appendf(b, `"%s":{"name":"compute-%d","nb_cfg":1}`, u, i)
	}
	b = append(b, `},"Port_Binding":{`...)
	for i := range 2000 {
		u := g.uuid()
		g.ports = append(g.ports, u)
		if i > 0 {
			b = append(b, ',')
		}
		b = fmt.Appendf(b, `"%s":{"logical_port":"%s","mac":"%s %s","datapath":["uuid","%s"],"tunnel_key":%d,"external_ids":["map",[["neutron:cidrs","%s/24"],["neutron:device_owner","compute:nova"]]]}`,
			u, g.uuid(), g.mac(), g.ip(), g.dps[g.rng.IntN(len(g.dps))], i+1, g.ip())
		g.st.PortBindings++
	}
	b = append(b, '}')
	g.end(b, "")
}

var stages = []string{"ls_in_port_sec_l2", "ls_in_acl", "ls_in_l2_lkup", "lr_in_ip_input", "lr_in_arp_resolve", "lr_in_ip_routing", "ls_out_acl", "lr_out_snat"}

func (g *gen) flows() {
	b := g.txn()
	b = append(b, `,"Logical_Flow":{`...)
	n := 20 + g.rng.IntN(180)
	first := true
	sep := func() {
		if !first {
			b = append(b, ',')
		}
		first = false
	}
	// Deletes first, of flows earlier transactions made.
	for range n / 3 {
		if len(g.live) <= 1000 {
			break
		}
		j := g.rng.IntN(len(g.live))
		sep()
		b = fmt.Appendf(b, `"%s":null`, g.live[j])
		g.live[j] = g.live[len(g.live)-1]
		g.live = g.live[:len(g.live)-1]
	}
	var made []string
	for range n - n/3 {
		u := g.uuid()
		made = append(made, u)
		st := g.rng.IntN(len(stages))
		ip := g.ip()
		sep()
		b = fmt.Appendf(b, `"%s":{"logical_datapath":["uuid","%s"],"pipeline":"%s","table_id":%d,"priority":%d,"match":"inport == \"%s\" && eth.src == %s && ip4.src == {%s}","actions":"reg0[0] = 1; next;","external_ids":["map",[["source","northd.c:%d"],["stage-name","%s"]]]}`,
			u, g.dps[g.rng.IntN(len(g.dps))], [2]string{"ingress", "egress"}[st%2], st*3, 50+g.rng.IntN(100), g.uuid(), g.mac(), ip, 5000+g.rng.IntN(9000), stages[st])
		g.st.Flows++
	}
	for _, u := range made {
		if len(g.live) < 100000 {
			g.live = append(g.live, u)
		}
	}
	b = append(b, '}')
	g.end(b, "")
}

func (g *gen) claim() {
	b := g.txn()
	p := g.ports[g.rng.IntN(len(g.ports))]
	if g.rng.IntN(2) == 0 {
		b = fmt.Appendf(b, `,"Port_Binding":{"%s":{"chassis":["uuid","%s"],"up":true}}`, p, g.chs[g.rng.IntN(len(g.chs))])
	} else {
		b = fmt.Appendf(b, `,"Port_Binding":{"%s":{"up":false}}`, p)
	}
	g.end(b, "")
}

func (g *gen) macBinding() {
	b := g.txn()
	if len(g.mbs) < 20000 || g.rng.IntN(3) == 0 {
		u := g.uuid()
		if len(g.mbs) < 20000 {
			g.mbs = append(g.mbs, u)
		}
		b = fmt.Appendf(b, `,"MAC_Binding":{"%s":{"ip":"%s","mac":"%s","logical_port":"lrp-%s","datapath":["uuid","%s"],"timestamp":%d}}`,
			u, g.ip(), g.mac(), g.uuid(), g.dps[g.rng.IntN(len(g.dps))], g.date)
		g.st.MACBindings++
	} else {
		b = fmt.Appendf(b, `,"MAC_Binding":{"%s":{"timestamp":%d}}`, g.mbs[g.rng.IntN(len(g.mbs))], g.date)
	}
	g.end(b, "")
}

func (g *gen) nbCfg() {
	b := g.txn()
	b = fmt.Appendf(b, `,"Chassis_Private":{"%s":{"nb_cfg":%d,"nb_cfg_timestamp":%d}}`, g.chs[g.rng.IntN(len(g.chs))], g.st.Records, g.date)
	g.end(b, "")
}
