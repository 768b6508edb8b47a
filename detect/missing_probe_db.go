package detect

import (
	"net/netip"
	"slices"
	"time"

	"github.com/arpforensics/arpforensics/timeline"
)

// dbStep is one change of an IP's owner as the OVN databases declare it
// (dbOwners): from t on, mac; ev is the row change that gave it, gone the
// one that withdrew the previous owner's claim (-1).
type dbStep struct {
	t    time.Time
	mac  timeline.MAC
	ev   int
	gone int
}

// maxDBSteps bounds the owner changes kept per judged address: a flapping
// address past it keeps its first ones.
const maxDBSteps = 256

// dbOwnerAt is the owner the databases declared for ip at t, if any
// database file recorded one. The history is read once per run, in one
// pass over the database rows, for the addresses missing-probe judges only.
func (w *mpWorld) dbOwnerAt(ip netip.Addr, t time.Time) (dbStep, bool) {
	if w.dbHist == nil {
		w.dbHist = map[netip.Addr][]dbStep{}
		owners := newDBOwners()
		owners.moved = func(x netip.Addr, at time.Time, prev timeline.MAC) {
			if _, judged := w.ipIdx[x]; !judged || len(w.dbHist[x]) >= maxDBSteps {
				return
			}
			o := owners.owner[x]
			w.dbHist[x] = append(w.dbHist[x], dbStep{t: at, mac: o.mac, ev: o.ev, gone: owners.withdrawn(x, prev)})
		}
		for i, r := range w.tl.RecordsOf(timeline.Kinds(timeline.KindOVN)) {
			if row, ok := w.tl.PayloadOf(r).(*timeline.OVSDBRow); ok && ownerTable(row.Table) {
				owners.row(i, r.Time(), row)
			}
		}
	}
	h := w.dbHist[ip]
	k, _ := slices.BinarySearchFunc(h, t, func(s dbStep, t time.Time) int {
		if s.t.After(t) {
			return 1
		}
		return -1
	})
	if k == 0 {
		return dbStep{}, false
	}
	return h[k-1], true
}
