package detect

import (
	"fmt"
	"time"

	"github.com/arpforensics/arpforensics/timeline"
)

// ovsdbRouterRecord is what the Northbound database's own history says of a
// router an interleaved transaction created: the record that committed it
// and, when its gateway port's id is known, whether that port ever came
// before the history ends. It returns nothing when no database file
// recorded the router. (A seam: interleaved-txn's corroboration calls it.)
func ovsdbRouterRecord(tl *timeline.Timeline, router, gw string) ([]Evidence, []string) {
	var (
		created        = -1
		createdRow     *timeline.OVSDBRow
		portSeen       = -1
		end            time.Time
		endPath, endDB string
	)
	for _, j := range tl.ByEntity(router) {
		r := tl.Record(int(j))
		if r.Kind != timeline.KindOVN {
			continue
		}
		row, ok := tl.PayloadOf(&r).(*timeline.OVSDBRow)
		if !ok || row.Table != "Logical_Router" || timeline.NormaliseEntity(row.Get("name")) != router {
			continue
		}
		if created < 0 && (row.Op == timeline.OVSDBInsert || row.Op == timeline.OVSDBSnapshot) {
			created, createdRow = int(j), row
			src := tl.Sources[r.Src]
			end, endPath, endDB = src.Last, src.Path, row.DB
		}
	}
	if created < 0 {
		return nil, nil
	}
	ev := []Evidence{EventEvidence(tl, created)}
	what := fmt.Sprintf("committed in record %d", createdRow.Record)
	if createdRow.DateMS != 0 {
		what += fmt.Sprintf(" (_date %s)", createdRow.Date().Format("2006-01-02 15:04:05.000"))
	}
	story := []string{fmt.Sprintf("the %s database file %s records router %s %s", endDB, endPath, createdRow.Get("name"), what)}
	if gw == "" {
		return ev, story
	}
	port := "lrp-" + gw
	for _, j := range tl.ByEntity(gw) {
		r := tl.Record(int(j))
		if r.Kind != timeline.KindOVN {
			continue
		}
		if row, ok := tl.PayloadOf(&r).(*timeline.OVSDBRow); ok && row.Table == "Logical_Router_Port" && row.Get("name") == port && row.Op != timeline.OVSDBDelete {
			portSeen = int(j)
			break
		}
	}
	if portSeen >= 0 {
		ev = append(ev, EventEvidence(tl, portSeen))
		story = append(story, fmt.Sprintf("its router port %s was committed later (%s)", port, eventTime(tl, portSeen).UTC().Format("15:04:05.000")))
		return ev, story
	}
	story = append(story, fmt.Sprintf("no Logical_Router_Port %s appears in it up to the end of its history at %s: the database's own record shows the gateway port never committed",
		port, end.UTC().Format("2006-01-02 15:04:05.000")))
	return ev, story
}

// dbRecordText cites a database row change in prose, by file, record and
// _date: "NAT 172.24.4.10 modify, OVN_Northbound record 12 (_date
// 2026-12-03 10:00:01.234) of logs/ovnnb_db.db".
func dbRecordText(tl *timeline.Timeline, ev int) string {
	if ev < 0 {
		return "no row"
	}
	r := tl.Record(ev)
	row, ok := tl.PayloadOf(&r).(*timeline.OVSDBRow)
	if !ok {
		return "an unreadable row"
	}
	s := fmt.Sprintf("%s %s %s, %s record %d", row.Table, row.Name(), row.Op, row.DB, row.Record)
	if row.Index != 0 {
		s += fmt.Sprintf(" (Raft index %d)", row.Index)
	}
	if row.DateMS != 0 {
		s += fmt.Sprintf(" (_date %s)", row.Date().Format("2006-01-02 15:04:05.000"))
	}
	return s + " of " + tl.Sources[r.Src].Path
}
