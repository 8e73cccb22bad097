package report

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"time"

	"tessera/internal/store"
	"tessera/internal/ticket"
)

// The summary is the reports' exact pre-aggregate (tables report_counts,
// report_times, report_sla, report_tags; see the 00017 migration and
// docs/REPORTS.md). Each ticket's contribution is a pure function of its
// events and its current team, assignee, inbox, channel, priority and tags
// (file). report_tickets remembers what each ticket's filed contribution
// was computed from, so a change subtracts exactly that and adds the new
// one, in the change's transaction (SummaryHook).

// none stands for "no later event" in next_h and breach_after, and -1 for
// "no earlier event" in prev_h and breach_before: plain integers keep the
// unique keys usable for upserts and the period tests simple comparisons.
const none = math.MaxInt32

// dims are the values a ticket's figures are filed under.
type dims struct {
	team, assignee, inbox int64
	channel, priority     string
}

const (
	tblCounts = iota
	tblTimes
	tblSLA
	tblTags
	tblRollHours
	tblRollDays
)

// fact is one row key of a summary table; the fields a table does not use
// stay zero.
type fact struct {
	tbl   uint8
	h     int64
	d     dims
	kind  string // counts and times: the kind; SLA: the metric
	actor int64
	a     int64  // times: minutes (hundredths); SLA: prev_h
	b     int64  // times: next_h; SLA: breach_before
	c     int64  // times: replies; SLA: breach_after
	s     string // SLA: outcome; tags: the tag
	bin   int64  // times: binOf(minutes)
	// rollups: the dimension and its value; h is the day for tblRollDays.
	dim, val string
}

// binOf puts hundredths of a minute in a coarse bin that keeps their
// order: the bit length and the next three bits (about 9% wide), so a
// rollup holds a few hundred bins a day at most whatever the spread.
// Integer arithmetic only: the writer and the reader must agree exactly.
func binOf(c int64) int64 {
	if c < 8 {
		return c
	}
	l := int64(bits.Len64(uint64(c)))
	return l<<3 | (c>>(l-4))&7
}

// rollNames are the dimensions a rollup is kept for, alone and in pairs,
// in the order pair names are formed (rollDim follows it).
var rollNames = [5]string{"team", "assignee", "inbox", "channel", "priority"}

// pairSep joins a pair's two values: ids are digits, and channels and
// priorities come from fixed lists of words (ticket.Channels,
// ticket.Priorities), so it cannot occur inside a value.
const pairSep = "|"

// rollups are the dimensions a fact is also counted under: the whole desk,
// each single dimension and each pair of them (a report filtered on two
// dimensions reads its pair's rollup).
func (d dims) rollups() [][2]string {
	id := func(v int64) string { return strconv.FormatInt(v, 10) }
	v := [5]string{id(d.team), id(d.assignee), id(d.inbox), d.channel, d.priority}
	out := make([][2]string, 0, 16)
	out = append(out, [2]string{"", ""})
	for i, n := range rollNames {
		out = append(out, [2]string{n, v[i]})
	}
	for i := range rollNames {
		for j := i + 1; j < len(rollNames); j++ {
			out = append(out, [2]string{rollNames[i] + "+" + rollNames[j], v[i] + pairSep + v[j]})
		}
	}
	return out
}

// filed is what a ticket's contribution is computed from.
type filed struct {
	lastEvent int64
	d         dims
	tags      []string
}

type fev struct {
	id        int64
	typ       string
	actorKind string
	actorID   *int64
	field     string
	old, new  string
	at        time.Time
}

func hourOf(t time.Time) int64 { return t.Unix() / 3600 }

func centi(d time.Duration) int64 { return int64(math.Round(d.Minutes() * 100)) }

// file computes a ticket's contribution from its events (in id order), by
// the same definitions as the event scan in Summary.
func file(created time.Time, evs []fev, d dims, tags []string, cats map[string]string, out map[fact]int64, sign int64, withRolls bool) {
	rolls := d.rollups()
	add := func(f fact) {
		f.d = d
		out[f] += sign
		if !withRolls {
			return
		}
		// The same fact in the rollups, without the joint dimensions.
		r := fact{h: f.h, dim: "", kind: f.kind}
		switch {
		case f.tbl == tblCounts && f.kind != "reply":
			r.tbl = tblRollHours
			for _, x := range rolls {
				r.dim, r.val = x[0], x[1]
				out[r] += sign
			}
			if f.kind != "solved" || f.actor == 0 {
				return
			}
			r.kind = "agent_solved"
		case f.tbl == tblCounts:
		case f.tbl == tblTimes && f.kind == "first_reply":
			r.bin = f.bin
		case f.tbl == tblTimes && f.b == none:
			r.bin, r.c = f.bin, f.c
		case f.tbl == tblTags:
			r.kind, r.s = "tag", f.s
		default:
			return // resolutions followed by another solve, SLA: hourly only
		}
		r.tbl, r.h, r.actor = tblRollDays, f.h/24, f.actor
		if r.kind == "solved" || r.kind == "resolution" || r.kind == "tag" {
			r.actor = 0
		}
		if r.kind == "agent_solved" {
			r.actor = f.actor
		}
		for _, x := range rolls {
			r.dim, r.val = x[0], x[1]
			out[r] += sign
		}
	}
	add0 := func(tbl uint8, h int64, kind string, actor int64) {
		add(fact{tbl: tbl, h: h, kind: kind, actor: actor})
	}
	for _, tag := range tags {
		add(fact{tbl: tblTags, h: hourOf(created), s: tag})
	}
	type solve struct{ h, minutes, replies int64 }
	var solves []solve
	var replyTimes []time.Time
	for _, e := range evs {
		if e.typ == ticket.EventReply && e.actorKind == "agent" {
			replyTimes = append(replyTimes, e.at)
		}
	}
	type slaEv struct {
		h        int64
		breached bool
	}
	slaByMetric := map[string][]slaEv{}
	var metrics []string
	for _, e := range evs {
		h := hourOf(e.at)
		switch {
		case e.typ == ticket.EventCreated:
			add0(tblCounts, h, "created", 0)
		case e.typ == ticket.EventReply && e.actorKind == "agent" && e.actorID != nil:
			add0(tblCounts, h, "reply", *e.actorID)
		case e.typ == ticket.EventField && e.field == "status":
			oldCat, newCat := cats[e.old], cats[e.new]
			switch {
			case newCat == ticket.StatusSolved && oldCat != ticket.StatusSolved:
				var actor int64
				if e.actorKind == "agent" && e.actorID != nil {
					actor = *e.actorID
				}
				add0(tblCounts, h, "solved", actor)
				var n int64
				for _, r := range replyTimes {
					if !r.After(e.at) {
						n++
					}
				}
				solves = append(solves, solve{h: h, minutes: centi(e.at.Sub(created)), replies: n})
			case oldCat == ticket.StatusSolved && newCat != ticket.StatusSolved && newCat != ticket.StatusClosed:
				add0(tblCounts, h, "reopened", 0)
			}
		case e.typ == ticket.EventField && e.field == "first_reply_at":
			var actor int64
			if e.actorID != nil {
				actor = *e.actorID
			}
			m := centi(e.at.Sub(created))
			add(fact{tbl: tblTimes, h: h, kind: "first_reply", actor: actor, a: m, b: none, bin: binOf(m)})
		case e.typ == ticket.EventSLA || e.typ == ticket.EventSLABreached:
			if e.new != "breached" && e.new != "achieved" {
				continue
			}
			m := strings.TrimPrefix(e.field, "sla.")
			if _, ok := slaByMetric[m]; !ok {
				metrics = append(metrics, m)
			}
			slaByMetric[m] = append(slaByMetric[m], slaEv{h: h, breached: e.new == "breached"})
		}
	}
	for i, s := range solves {
		next := int64(none)
		if i+1 < len(solves) {
			next = solves[i+1].h
		}
		add(fact{tbl: tblTimes, h: s.h, kind: "resolution", a: s.minutes, b: next, c: s.replies, bin: binOf(s.minutes)})
	}
	for _, m := range metrics {
		evs := slaByMetric[m]
		prevBreach, prevAchieved := int64(-1), int64(-1)
		for i, e := range evs {
			if e.breached {
				add(fact{tbl: tblSLA, h: e.h, kind: m, s: "breached", a: prevBreach, b: -1, c: none})
				prevBreach = e.h
				continue
			}
			after := int64(none)
			for _, later := range evs[i+1:] {
				if later.breached {
					after = later.h
					break
				}
			}
			add(fact{tbl: tblSLA, h: e.h, kind: m, s: "achieved", a: prevAchieved, b: prevBreach, c: after})
			prevAchieved = e.h
		}
	}
}

var summaryTables = [...]struct{ name string }{
	tblCounts:    {"report_counts"},
	tblTimes:     {"report_times"},
	tblSLA:       {"report_sla"},
	tblTags:      {"report_tags"},
	tblRollHours: {"report_roll_hours"},
	tblRollDays:  {"report_roll_days"},
}

// keyCols lists a table's key columns in order, and values gives a fact's
// values for them.
func keyCols(tbl uint8) []string {
	switch tbl {
	case tblRollHours:
		return []string{"dim", "val", "h", "kind"}
	case tblRollDays:
		return []string{"dim", "val", "d", "kind", "actor_id", "bin", "replies", "tag"}
	}
	base := []string{"h", "team_id", "assignee_id", "inbox_id", "channel", "priority"}
	switch tbl {
	case tblCounts:
		return append(base, "kind", "actor_id")
	case tblTimes:
		return append(base, "kind", "actor_id", "minutes", "bin", "next_h", "replies")
	case tblSLA:
		return append(base, "metric", "outcome", "prev_h", "breach_before", "breach_after")
	default:
		return append(base, "tag")
	}
}

func (f fact) values() []any {
	switch f.tbl {
	case tblRollHours:
		return []any{f.dim, f.val, f.h, f.kind}
	case tblRollDays:
		return []any{f.dim, f.val, f.h, f.kind, f.actor, f.bin, f.c, f.s}
	}
	v := []any{f.h, f.d.team, f.d.assignee, f.d.inbox, f.d.channel, f.d.priority}
	switch f.tbl {
	case tblCounts:
		return append(v, f.kind, f.actor)
	case tblTimes:
		return append(v, f.kind, f.actor, f.a, f.bin, f.b, f.c)
	case tblSLA:
		return append(v, f.kind, f.s, f.a, f.b, f.c)
	default:
		return append(v, f.s)
	}
}

// apply adds the deltas to the summary tables, a few hundred rows per
// statement, and drops the rows that fell to zero.
func apply(ctx context.Context, tx *store.Tx, deltas map[fact]int64) error {
	byTbl := map[uint8][]fact{}
	emptied := map[uint8]map[int64]bool{}
	for f, n := range deltas {
		if n == 0 {
			continue
		}
		byTbl[f.tbl] = append(byTbl[f.tbl], f)
		if n < 0 {
			if emptied[f.tbl] == nil {
				emptied[f.tbl] = map[int64]bool{}
			}
			emptied[f.tbl][f.h] = true
		}
	}
	// Rows are written in one order, table by table and key by key, in
	// every transaction: concurrent changes then wait for each other on a
	// shared row (the desk's current hour) instead of locking two rows in
	// opposite orders and deadlocking on PostgreSQL.
	for _, tbl := range slices.Sorted(maps.Keys(byTbl)) {
		facts := byTbl[tbl]
		keys := make(map[fact]string, len(facts))
		for _, f := range facts {
			keys[f] = fmt.Sprint(f.values()...)
		}
		slices.SortFunc(facts, func(a, b fact) int { return strings.Compare(keys[a], keys[b]) })
		name := summaryTables[tbl].name
		cols := keyCols(tbl)
		per := 2000 / (len(cols) + 1)
		for len(facts) > 0 {
			chunk := facts[:min(per, len(facts))]
			facts = facts[len(chunk):]
			var b strings.Builder
			args := make([]any, 0, len(chunk)*(len(cols)+1))
			b.WriteString("INSERT INTO " + name + " (" + strings.Join(cols, ", ") + ", n) VALUES ")
			for i, f := range chunk {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteByte('(')
				for j, v := range append(f.values(), deltas[f]) {
					if j > 0 {
						b.WriteString(", ")
					}
					args = append(args, v)
					fmt.Fprintf(&b, "$%d", len(args))
				}
				b.WriteByte(')')
			}
			b.WriteString(" ON CONFLICT (" + strings.Join(cols, ", ") + ") DO UPDATE SET n = " + name + ".n + excluded.n")
			if _, err := tx.Exec(ctx, b.String(), args...); err != nil {
				return fmt.Errorf("report summary %s: %w", name, err)
			}
		}
	}
	for _, tbl := range slices.Sorted(maps.Keys(emptied)) {
		hours := emptied[tbl]
		hs := make([]any, 0, len(hours))
		for _, h := range slices.Sorted(maps.Keys(hours)) {
			hs = append(hs, h)
		}
		for len(hs) > 0 {
			chunk := hs[:min(500, len(hs))]
			hs = hs[len(chunk):]
			col := "h"
			if tbl == tblRollDays {
				col = "d"
			}
			if _, err := tx.Exec(ctx, `DELETE FROM `+summaryTables[tbl].name+` WHERE n = 0 AND `+col+` IN (`+placeholders(len(chunk), 1)+`)`, chunk...); err != nil {
				return fmt.Errorf("report summary %s: %w", summaryTables[tbl].name, err)
			}
		}
	}
	return nil
}

func placeholders(n, from int) string {
	ph := make([]string, n)
	for i := range ph {
		ph[i] = fmt.Sprintf("$%d", from+i)
	}
	return strings.Join(ph, ", ")
}

// refile brings the summary up to date for the tickets with ids in
// [lo, hi]: for each, it subtracts what was filed and adds the
// contribution of all its events under its current values.
func refile(ctx context.Context, tx *store.Tx, lo, hi int64) error {
	cats, err := categoriesOf(ctx, tx)
	if err != nil {
		return err
	}
	type cur struct {
		created time.Time
		d       dims
		tags    []string
	}
	tickets := map[int64]*cur{}
	var ids []int64
	rows, err := tx.Query(ctx, `SELECT id, created_at, COALESCE(team_id, 0), COALESCE(assignee_id, 0), `+inboxCol+`, channel, priority
		FROM tickets WHERE id >= $1 AND id <= $2 ORDER BY id`, lo, hi)
	if err != nil {
		return fmt.Errorf("refile tickets: %w", err)
	}
	for rows.Next() {
		var id int64
		c := &cur{}
		if err := rows.Scan(&id, &c.created, &c.d.team, &c.d.assignee, &c.d.inbox, &c.d.channel, &c.d.priority); err != nil {
			rows.Close()
			return fmt.Errorf("refile tickets: %w", err)
		}
		tickets[id] = c
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("refile tickets: %w", err)
	}
	if len(ids) == 0 {
		return nil
	}
	if rows, err = tx.Query(ctx, `SELECT ticket_id, tag FROM ticket_tags WHERE ticket_id >= $1 AND ticket_id <= $2 ORDER BY ticket_id, tag`, lo, hi); err != nil {
		return fmt.Errorf("refile tags: %w", err)
	}
	for rows.Next() {
		var id int64
		var tag string
		if err := rows.Scan(&id, &tag); err != nil {
			rows.Close()
			return fmt.Errorf("refile tags: %w", err)
		}
		if c := tickets[id]; c != nil {
			c.tags = append(c.tags, tag)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("refile tags: %w", err)
	}
	was := map[int64]filed{}
	if rows, err = tx.Query(ctx, `SELECT ticket_id, last_event_id, team_id, assignee_id, inbox_id, channel, priority, tags
		FROM report_tickets WHERE ticket_id >= $1 AND ticket_id <= $2`, lo, hi); err != nil {
		return fmt.Errorf("refile filed: %w", err)
	}
	for rows.Next() {
		var id int64
		var f filed
		var tags string
		if err := rows.Scan(&id, &f.lastEvent, &f.d.team, &f.d.assignee, &f.d.inbox, &f.d.channel, &f.d.priority, &tags); err != nil {
			rows.Close()
			return fmt.Errorf("refile filed: %w", err)
		}
		if tags != "" {
			f.tags = strings.Split(tags, "\n")
		}
		was[id] = f
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("refile filed: %w", err)
	}
	evs := map[int64][]fev{}
	if rows, err = tx.Query(ctx, `SELECT id, ticket_id, type, actor_kind, actor_id, field, old_value, new_value, created_at FROM ticket_events
		WHERE ticket_id >= $1 AND ticket_id <= $2
		AND (type IN ('created', 'reply_added', 'sla_state_changed', 'sla_breached') OR (type = 'field_changed' AND field IN ('status', 'first_reply_at')))
		ORDER BY ticket_id, id`, lo, hi); err != nil {
		return fmt.Errorf("refile events: %w", err)
	}
	for rows.Next() {
		var e fev
		var tid int64
		if err := rows.Scan(&e.id, &tid, &e.typ, &e.actorKind, &e.actorID, &e.field, &e.old, &e.new, &e.at); err != nil {
			rows.Close()
			return fmt.Errorf("refile events: %w", err)
		}
		evs[tid] = append(evs[tid], e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("refile events: %w", err)
	}
	// The rollups are kept up to date once they are filled; while a rebuild
	// runs (not ready) it fills them at its end from the joint tables. On
	// PostgreSQL a rebuild's last step locks the joint tables: a change
	// that found the summary not ready looks again after writing its joint
	// rows (having waited for the rebuild to finish, it then sees ready).
	ready, err := summaryReady(ctx, tx)
	if err != nil {
		return err
	}
	deltas := map[fact]int64{}
	type row struct {
		id int64
		f  filed
	}
	var now []row
	for _, id := range ids {
		c := tickets[id]
		es := evs[id]
		if old, ok := was[id]; ok {
			n := 0
			for n < len(es) && es[n].id <= old.lastEvent {
				n++
			}
			if n == len(es) && old.d == c.d && slices.Equal(old.tags, c.tags) {
				continue // nothing new
			}
			file(c.created, es[:n], old.d, old.tags, cats, deltas, -1, ready)
		}
		file(c.created, es, c.d, c.tags, cats, deltas, 1, ready)
		var lastEvent int64
		if len(es) > 0 {
			lastEvent = es[len(es)-1].id
		}
		now = append(now, row{id, filed{lastEvent: lastEvent, d: c.d, tags: c.tags}})
	}
	// fileRolls adds the changed tickets' rollup rows (summary ready).
	fileRolls := func() error {
		rolls := map[fact]int64{}
		for _, r := range now {
			c := tickets[r.id]
			if old, ok := was[r.id]; ok {
				n := 0
				for n < len(evs[r.id]) && evs[r.id][n].id <= old.lastEvent {
					n++
				}
				file(c.created, evs[r.id][:n], old.d, old.tags, cats, rolls, -1, true)
			}
			file(c.created, evs[r.id], c.d, c.tags, cats, rolls, 1, true)
		}
		for f := range rolls {
			if f.tbl < tblRollHours {
				delete(rolls, f)
			}
		}
		return apply(ctx, tx, rolls)
	}
	if err := apply(ctx, tx, deltas); err != nil {
		return err
	}
	// Still not ready after this, the joint rows are written all the same
	// and report_tickets records them below: otherwise the rebuild's batch
	// (or the next change) would file this contribution a second time.
	if !ready && len(now) > 0 {
		late, err := summaryReady(ctx, tx)
		if err != nil {
			return err
		}
		if late {
			if err := fileRolls(); err != nil {
				return err
			}
		}
	}
	for len(now) > 0 {
		chunk := now[:min(200, len(now))]
		now = now[len(chunk):]
		var b strings.Builder
		args := make([]any, 0, len(chunk)*8)
		b.WriteString(`INSERT INTO report_tickets (ticket_id, last_event_id, team_id, assignee_id, inbox_id, channel, priority, tags) VALUES `)
		for i, r := range chunk {
			if i > 0 {
				b.WriteString(", ")
			}
			n := len(args)
			fmt.Fprintf(&b, "($%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d)", n+1, n+2, n+3, n+4, n+5, n+6, n+7, n+8)
			args = append(args, r.id, r.f.lastEvent, r.f.d.team, r.f.d.assignee, r.f.d.inbox, r.f.d.channel, r.f.d.priority, strings.Join(r.f.tags, "\n"))
		}
		b.WriteString(` ON CONFLICT (ticket_id) DO UPDATE SET last_event_id = excluded.last_event_id, team_id = excluded.team_id,
			assignee_id = excluded.assignee_id, inbox_id = excluded.inbox_id, channel = excluded.channel, priority = excluded.priority, tags = excluded.tags`)
		if _, err := tx.Exec(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("refile: %w", err)
		}
	}
	return nil
}

// inboxCol is the ticket's inbox as filed (0 for none).
const inboxCol = "COALESCE(inbox_id, 0)"

func summaryReady(ctx context.Context, tx *store.Tx) (bool, error) {
	var ready int64
	if err := tx.QueryRow(ctx, `SELECT ready FROM report_summary_state`).Scan(&ready); err != nil {
		return false, fmt.Errorf("report summary state: %w", err)
	}
	return ready == 1, nil
}

func categoriesOf(ctx context.Context, q store.Querier) (map[string]string, error) {
	rows, err := q.Query(ctx, `SELECT key, category FROM statuses`)
	if err != nil {
		return nil, fmt.Errorf("statuses: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, c string
		if err := rows.Scan(&k, &c); err != nil {
			return nil, fmt.Errorf("statuses: %w", err)
		}
		out[k] = c
	}
	return out, rows.Err()
}

// SummaryHook keeps the summary exact: it refiles the changed ticket in
// the change's transaction. Chain it in the ticket service's follow-up.
type SummaryHook struct{}

// TicketChanged implements ticket.FollowUp.
func (SummaryHook) TicketChanged(ctx context.Context, tx *store.Tx, c ticket.Change) error {
	return refile(ctx, tx, c.TicketID, c.TicketID)
}

// RebuildBatch is how many ticket ids one rebuild transaction covers:
// tickets are numbered in creation order, so a batch spans a few days and
// its rollup rows (by day and dimension) are summed before they are
// written; a batch takes a few seconds, short enough not to hold SQLite's
// single writer for long.
var RebuildBatch int64 = 10000

// Rebuild recomputes the summary from the event log: it empties it (unless
// resume), then
// files every ticket a batch at a time (changes made meanwhile file their
// ticket themselves, which the batches then find filed), and marks it
// ready. Reports read the events until it is done. progress, when set,
// hears each batch's last ticket id.
func (s *Service) Rebuild(ctx context.Context, resume bool, progress func(done, last int64)) error {
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		if resume {
			// Keep what is filed (an interrupted rebuild's work, or the
			// tickets changed since the upgrade): filing a ticket again
			// subtracts what it had filed.
			_, err := tx.Exec(ctx, `UPDATE report_summary_state SET ready = 0`)
			return err
		}
		for _, t := range []string{"report_summary_state", "report_tickets", "report_counts", "report_times", "report_sla", "report_tags", "report_roll_hours", "report_roll_days"} {
			if t == "report_summary_state" {
				if _, err := tx.Exec(ctx, `UPDATE report_summary_state SET ready = 0`); err != nil {
					return err
				}
				continue
			}
			if _, err := tx.Exec(ctx, `DELETE FROM `+t); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("report rebuild: %w", err)
	}
	var last int64
	if err := s.DB.Read().QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM tickets`).Scan(&last); err != nil {
		return fmt.Errorf("report rebuild: %w", err)
	}
	for lo := int64(1); lo <= last; lo += RebuildBatch {
		hi := lo + RebuildBatch - 1
		err := s.DB.InTx(ctx, func(tx *store.Tx) error {
			if tx.Engine == store.Postgres {
				// Changes lock their ticket's row: holding the batch's rows
				// keeps a concurrent change from filing a ticket twice.
				if _, err := tx.Exec(ctx, `SELECT id FROM tickets WHERE id >= $1 AND id <= $2 ORDER BY id FOR UPDATE`, lo, hi); err != nil {
					return err
				}
			}
			return refile(ctx, tx, lo, hi)
		})
		if err != nil {
			return fmt.Errorf("report rebuild of tickets %d-%d: %w", lo, hi, err)
		}
		if progress != nil {
			progress(min(hi, last), last)
		}
	}
	if err := s.DB.InTx(ctx, fillRollups); err != nil {
		return fmt.Errorf("report rebuild: %w", err)
	}
	// Fresh statistics, so the planners use the tables' indexes at once.
	for _, t := range summaryTables {
		if _, err := s.DB.Write().Exec(ctx, `ANALYZE `+t.name); err != nil {
			return fmt.Errorf("report rebuild: %w", err)
		}
	}
	return nil
}

// RefillRollups sums the joint tables into the rollups again and marks the
// summary ready, without filing the tickets again: after an upgrade that
// adds rollups (migration 00019 leaves a filed summary at state 2, joint
// tables complete and kept, rollups stale). It refuses a summary whose
// joint tables are not complete (state 0: run Rebuild).
func (s *Service) RefillRollups(ctx context.Context) error {
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		var state int64
		if err := tx.QueryRow(ctx, `SELECT ready FROM report_summary_state`).Scan(&state); err != nil {
			return err
		}
		if state == 0 {
			return errors.New("the summary's tickets are not all filed: run a full rebuild")
		}
		return fillRollups(tx)
	})
	if err != nil {
		return fmt.Errorf("report rollups: %w", err)
	}
	for _, t := range []uint8{tblRollHours, tblRollDays} {
		if _, err := s.DB.Write().Exec(ctx, `ANALYZE `+summaryTables[t].name); err != nil {
			return fmt.Errorf("report rollups: %w", err)
		}
	}
	return nil
}

// rollDims are the rollups' dimensions, their values as text (as
// dims.rollups writes them) and the columns to group by.
var rollDims = func() [][3]string {
	cols := [5]string{"team_id", "assignee_id", "inbox_id", "channel", "priority"}
	text := [5]string{"CAST(team_id AS TEXT)", "CAST(assignee_id AS TEXT)", "CAST(inbox_id AS TEXT)", "channel", "priority"}
	out := [][3]string{{"", "''", ""}}
	for i, n := range rollNames {
		out = append(out, [3]string{n, text[i], cols[i]})
	}
	for i := range rollNames {
		for j := i + 1; j < len(rollNames); j++ {
			out = append(out, [3]string{rollNames[i] + "+" + rollNames[j], text[i] + " || '" + pairSep + "' || " + text[j], cols[i] + ", " + cols[j]})
		}
	}
	return out
}()

// fillRollups sums the joint tables into the rollups, in SQL, and marks
// the summary ready. On PostgreSQL it first holds off changes to the joint
// tables, so none is left out (changes file no rollup rows until ready).
func fillRollups(tx *store.Tx) error {
	ctx := context.Background()
	if tx.Engine == store.Postgres {
		if _, err := tx.Exec(ctx, `LOCK TABLE report_counts, report_times, report_tags IN SHARE MODE`); err != nil {
			return err
		}
	}
	for _, q := range []string{`DELETE FROM report_roll_hours`, `DELETE FROM report_roll_days`} {
		if _, err := tx.Exec(ctx, q); err != nil {
			return err
		}
	}
	for _, d := range rollDims {
		dim, val, by := "'"+d[0]+"'", d[1], d[2]+", "
		if d[2] == "" {
			by = "" // PostgreSQL refuses a constant to group by
		}
		days := `INSERT INTO report_roll_days (dim, val, d, kind, actor_id, bin, replies, tag, n) `
		for _, q := range []string{
			`INSERT INTO report_roll_hours (dim, val, h, kind, n) SELECT ` + dim + `, ` + val + `, h, kind, SUM(n) FROM report_counts
				WHERE kind IN ('created', 'solved', 'reopened') GROUP BY ` + by + `h, kind HAVING SUM(n) <> 0`,
			days + `SELECT ` + dim + `, ` + val + `, h / 24, 'agent_solved', actor_id, 0, 0, '', SUM(n) FROM report_counts
				WHERE kind = 'solved' AND actor_id <> 0 GROUP BY ` + by + `h / 24, actor_id HAVING SUM(n) <> 0`,
			days + `SELECT ` + dim + `, ` + val + `, h / 24, 'reply', actor_id, 0, 0, '', SUM(n) FROM report_counts
				WHERE kind = 'reply' GROUP BY ` + by + `h / 24, actor_id HAVING SUM(n) <> 0`,
			days + `SELECT ` + dim + `, ` + val + `, h / 24, 'first_reply', actor_id, bin, 0, '', SUM(n) FROM report_times
				WHERE kind = 'first_reply' GROUP BY ` + by + `h / 24, actor_id, bin HAVING SUM(n) <> 0`,
			days + `SELECT ` + dim + `, ` + val + `, h / 24, 'resolution', 0, bin, replies, '', SUM(n) FROM report_times
				WHERE kind = 'resolution' AND next_h = 2147483647 GROUP BY ` + by + `h / 24, bin, replies HAVING SUM(n) <> 0`,
			days + `SELECT ` + dim + `, ` + val + `, h / 24, 'tag', 0, 0, 0, tag, SUM(n) FROM report_tags
				GROUP BY ` + by + `h / 24, tag HAVING SUM(n) <> 0`,
		} {
			if _, err := tx.Exec(ctx, q); err != nil {
				return fmt.Errorf("rollups: %w", err)
			}
		}
	}
	_, err := tx.Exec(ctx, `UPDATE report_summary_state SET ready = 1`)
	return err
}
