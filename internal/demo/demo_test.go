package demo

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"tessera/internal/app"
	"tessera/internal/auth"
	"tessera/internal/macro"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
	"tessera/internal/ticket"
)

var ctx = context.Background()

// testNow pins the reference time for every load in this test binary, so
// two loads compare equal even across midnight.
var testNow = time.Now()

func newApp(t *testing.T, engine store.Engine) *app.App {
	t.Helper()
	db := storetest.Open(t, engine)
	a, err := app.New(ctx, db, app.Options{Migrate: true, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("app: %v", err)
	}
	return a
}

func count(t *testing.T, a *app.App, query string, args ...any) int {
	t.Helper()
	var n int
	if err := a.DB.Read().QueryRow(ctx, query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// groups returns the row count per value of one column.
func groups(t *testing.T, a *app.App, query string) map[string]int {
	t.Helper()
	rows, err := a.DB.Read().Query(ctx, query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			t.Fatal(err)
		}
		out[k] = n
	}
	return out
}

// digest summarises the loaded tickets: number, subject, status and
// priority, one line each in number order (kept whole, so that a
// difference can be shown, not just detected).
func digest(t *testing.T, a *app.App) string {
	t.Helper()
	rows, err := a.DB.Read().Query(ctx, `SELECT number, subject, status, priority FROM tickets ORDER BY number`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var n int64
		var subject, status, priority string
		if err := rows.Scan(&n, &subject, &status, &priority); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "#%d %q %s %s\n", n, subject, status, priority)
	}
	return b.String()
}

// firstDifference names the first ticket two digests disagree on.
func firstDifference(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(la) && i < len(lb); i++ {
		if la[i] != lb[i] {
			return fmt.Sprintf("line %d: %s / %s", i+1, la[i], lb[i])
		}
	}
	return fmt.Sprintf("%d lines / %d lines", len(la), len(lb))
}

func loadDemo(t *testing.T, a *app.App, seed int64) *Result {
	t.Helper()
	start := time.Now()
	res, err := load(ctx, a, Options{Seed: seed}, testNow)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	t.Logf("loaded on %s in %s", a.DB.Engine, time.Since(start).Round(time.Millisecond))
	return res
}

func TestLoad(t *testing.T) {
	var mu sync.Mutex
	digests := map[store.Engine]string{}
	t.Cleanup(func() {
		if len(digests) == 2 && digests[store.SQLite] != digests[store.Postgres] {
			t.Errorf("the same seed gave different tickets on SQLite and PostgreSQL: %s", firstDifference(digests[store.SQLite], digests[store.Postgres]))
		}
	})
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		t.Parallel()
		a := newApp(t, engine)
		if empty, err := Empty(ctx, a); err != nil || !empty {
			t.Fatalf("Empty before load = %v, %v; want true", empty, err)
		}
		if res, err := Logins(ctx, a); err != nil || len(res.Logins) != 0 {
			t.Fatalf("Logins before load = %+v, %v; want none", res, err)
		}
		res := loadDemo(t, a, 0)
		if empty, err := Empty(ctx, a); err != nil || empty {
			t.Fatalf("Empty after load = %v, %v; want false", empty, err)
		}
		checkLoaded(t, a, res)
		d := digest(t, a)
		mu.Lock()
		digests[engine] = d
		mu.Unlock()

		if engine != store.SQLite {
			return
		}
		if testing.Short() {
			t.Log("-short: the second load (determinism on the database) is skipped; TestPlan covers the plan")
			return
		}
		// The same seed on a fresh database gives the same tickets.
		b := newApp(t, engine)
		loadDemo(t, b, 1)
		if d2 := digest(t, b); d2 != d {
			t.Errorf("two loads with seed 1 differ: %s", firstDifference(d, d2))
		}
	})
}

func checkLoaded(t *testing.T, a *app.App, res *Result) {
	// The reports' summary holds every ticket of the history, not only
	// those replayed with the follow-up hooks.
	if filed, all := count(t, a, `SELECT COUNT(*) FROM report_tickets`), count(t, a, `SELECT COUNT(*) FROM tickets`); filed != all {
		t.Errorf("the reports' summary files %d of %d tickets", filed, all)
	}
	if ready := count(t, a, `SELECT ready FROM report_summary_state`); ready != 1 {
		t.Errorf("the reports' summary is in state %d, want 1 (ready)", ready)
	}
	ref := testNow.UTC().Truncate(24 * time.Hour)
	if res.Tickets != 2000 || res.Contacts != 300 || res.Organizations != 40 || res.Teams != 3 || len(res.Logins) != 8 {
		t.Errorf("result = %d tickets, %d contacts, %d organizations, %d teams, %d logins; want 2000, 300, 40, 3, 8",
			res.Tickets, res.Contacts, res.Organizations, res.Teams, len(res.Logins))
	}
	for table, want := range map[string]int{"tickets": 2000, "contacts": 300, "organizations": 40, "teams": 3, "agents": 8} {
		if n := count(t, a, `SELECT COUNT(*) FROM `+table); n != want {
			t.Errorf("%s: %d rows, want %d", table, n, want)
		}
	}
	if roles := groups(t, a, `SELECT role, COUNT(*) FROM agents GROUP BY role`); !reflect.DeepEqual(roles, map[string]int{"admin": 1, "agent": 6, "light": 1}) {
		t.Errorf("agent roles = %v, want 1 admin, 6 agents, 1 light", roles)
	}
	if langs := groups(t, a, `SELECT language, COUNT(*) FROM agents GROUP BY language`); len(langs) != 4 {
		t.Errorf("agent languages = %v, want en, pt-BR, es and he", langs)
	}
	if n := count(t, a, `SELECT COUNT(*) FROM contacts WHERE organization_id IS NULL`); n != 0 {
		t.Errorf("%d contacts without an organization", n)
	}
	if n := count(t, a, `SELECT COUNT(*) FROM contacts WHERE tier = 'vip'`); n == 0 {
		t.Error("no VIP contacts")
	}
	if n := count(t, a, `SELECT COUNT(*) FROM contact_identities WHERE kind = 'phone'`); n == 0 {
		t.Error("no contact has a phone number")
	}

	// Logins and the token work.
	for _, l := range res.Logins {
		if _, err := a.People.CheckPassword(ctx, l.Email, l.Password); err != nil {
			t.Errorf("login %s: %v", l.Email, err)
		}
	}
	if res.Logins[0].Role != auth.RoleAdmin {
		t.Errorf("first login is %s; the token is the admin's, printed with the first login", res.Logins[0].Role)
	}
	actor, err := a.People.Authenticate(ctx, res.Token)
	if err != nil || actor.Email != res.Logins[0].Email {
		t.Errorf("token authenticates as %+v, %v; want the admin", actor, err)
	}
	again, err := Logins(ctx, a)
	if err != nil || !reflect.DeepEqual(again.Logins, res.Logins) || again.Token != "" {
		t.Errorf("Logins = %+v, %v; want the loaded logins without token", again, err)
	}

	// Every status category, custom statuses and priorities are present,
	// in plausible proportions.
	cats := groups(t, a, `SELECT status_category, COUNT(*) FROM tickets GROUP BY status_category`)
	for _, c := range ticket.Categories {
		if cats[c] == 0 {
			t.Errorf("no ticket in status category %s (%v)", c, cats)
		}
	}
	if cats["closed"]+cats["solved"] < 1200 {
		t.Errorf("only %d of 2000 tickets solved or closed over 90 days", cats["closed"]+cats["solved"])
	}
	statuses := groups(t, a, `SELECT status, COUNT(*) FROM tickets GROUP BY status`)
	for _, st := range demoStatuses {
		if statuses[st.Key] == 0 {
			t.Errorf("custom status %s unused (%v)", st.Key, statuses)
		}
	}
	recent := groups(t, a, fmt.Sprintf(`SELECT status_category, COUNT(*) FROM tickets WHERE created_at >= '%s' AND merged_into_id IS NULL GROUP BY status_category`,
		ref.AddDate(0, 0, -3).Format("2006-01-02")))
	if open := recent["new"] + recent["open"] + recent["pending"] + recent["on_hold"]; open < 2*recent["solved"] || recent["closed"] > 0 {
		t.Errorf("tickets of the last 3 days: %v; want mostly unsolved and none closed", recent)
	}
	prios := groups(t, a, `SELECT priority, COUNT(*) FROM tickets GROUP BY priority`)
	for p, r := range map[string][2]int{"urgent": {40, 200}, "high": {250, 550}, "normal": {1000, 1400}, "low": {150, 450}} {
		if prios[p] < r[0] || prios[p] > r[1] {
			t.Errorf("%d %s tickets, want %d to %d (%v)", prios[p], p, r[0], r[1], prios)
		}
	}
	if ch := groups(t, a, `SELECT channel, COUNT(*) FROM tickets GROUP BY channel`); len(ch) != 5 {
		t.Errorf("channels = %v, want email, web, api, chat, phone", ch)
	}
	if ty := groups(t, a, `SELECT type, COUNT(*) FROM tickets GROUP BY type`); len(ty) < 5 {
		t.Errorf("types = %v, want every type and some untyped", ty)
	}
	if tm := groups(t, a, `SELECT CAST(team_id AS TEXT), COUNT(*) FROM tickets WHERE team_id IS NOT NULL GROUP BY team_id`); len(tm) != 3 {
		t.Errorf("teams of tickets = %v, want all three", tm)
	}

	// History: dated inside the 90 days before the reference day, replayed
	// through the service (events, search), with threads and notes.
	var minC, maxU time.Time
	if err := a.DB.Read().QueryRow(ctx, `SELECT created_at FROM tickets ORDER BY created_at LIMIT 1`).Scan(&minC); err != nil {
		t.Fatal(err)
	}
	if err := a.DB.Read().QueryRow(ctx, `SELECT updated_at FROM tickets ORDER BY updated_at DESC LIMIT 1`).Scan(&maxU); err != nil {
		t.Fatal(err)
	}
	if minC.Before(ref.AddDate(0, 0, -windowDays)) || !maxU.Before(ref) {
		t.Errorf("tickets span %s to %s; want within the 90 days before %s", minC, maxU, ref)
	}
	if n := count(t, a, `SELECT COUNT(*) FROM ticket_events WHERE type = 'created'`); n != 2000 {
		t.Errorf("%d created events, want 2000", n)
	}
	if n := count(t, a, `SELECT COUNT(*) FROM ticket_events`); n < 15000 {
		t.Errorf("only %d events", n)
	}
	if n := count(t, a, `SELECT COUNT(*) FROM messages`); n < 6000 {
		t.Errorf("only %d messages", n)
	}
	if n := count(t, a, `SELECT COUNT(*) FROM messages m JOIN agents a ON a.id = m.author_agent_id WHERE m.kind = 'note' AND a.role = 'light'`); n == 0 {
		t.Error("the light agent wrote no notes")
	}
	if n := count(t, a, `SELECT COUNT(*) FROM tickets WHERE merged_into_id IS NOT NULL`); n != numDuplicate {
		t.Errorf("%d merged tickets, want %d", n, numDuplicate)
	}
	links := groups(t, a, `SELECT kind, COUNT(*) FROM ticket_links GROUP BY kind`)
	if links["related"] == 0 || links["follow_up"] != numFollowUp || links["merged_into"] != numDuplicate {
		t.Errorf("links = %v", links)
	}
	if n := count(t, a, `SELECT COUNT(*) FROM tickets WHERE first_reply_at IS NULL AND status_category IN ('solved', 'closed') AND merged_into_id IS NULL`); n != 0 {
		t.Errorf("%d solved tickets never answered", n)
	}
	defs, err := a.Tickets.Fields(ctx)
	if err != nil || len(defs) != len(demoFields) {
		t.Errorf("fields = %v, %v", defs, err)
	}
	for _, f := range demoFields {
		if n := count(t, a, `SELECT COUNT(*) FROM ticket_events WHERE field = $1 OR (type = 'created' AND ticket_id IN (SELECT id FROM tickets WHERE custom_fields LIKE $2))`,
			"custom_fields."+f.Key, `%"`+f.Key+`"%`); n == 0 {
			t.Errorf("custom field %s never used", f.Key)
		}
	}
	if tags := groups(t, a, `SELECT tag, COUNT(*) FROM ticket_tags GROUP BY tag`); tags["billing"] == 0 || tags["vip"] == 0 || tags["escalated"] == 0 {
		t.Errorf("tags = %v", tags)
	}

	// All four languages, found by search (Hebrew through its prefix
	// stripping: "בחשבונית" is indexed as "חשבונית" too).
	for _, w := range []string{"invoice", "fatura", "factura", "חשבונית", "reembolso", "משתמשים"} {
		r, err := a.Tickets.Search(ctx, auth.System, w, "", 5)
		if err != nil || len(r.Items) == 0 {
			t.Errorf("search %q: %d hits, %v", w, len(r.Items), err)
		}
	}
	langs := groups(t, a, `SELECT c.language, COUNT(*) FROM tickets t JOIN contacts c ON c.id = t.requester_id GROUP BY c.language`)
	for _, l := range []string{"en", "pt-BR", "es", "he"} {
		if langs[l] < 150 {
			t.Errorf("%d tickets in %s (%v)", langs[l], l, langs)
		}
	}
	if n := count(t, a, `SELECT COUNT(*) FROM messages WHERE body_text LIKE '%{%'`); n != 0 {
		t.Errorf("%d messages with an unfilled placeholder", n)
	}
	if n := count(t, a, `SELECT COUNT(DISTINCT subject) FROM tickets`); n < 300 {
		t.Errorf("only %d distinct subjects", n)
	}
}

// TestSetupTwice: a load interrupted before its first ticket leaves the
// database without tickets, so the next start loads again over the cast
// already there.
func TestSetupTwice(t *testing.T) {
	a := newApp(t, store.SQLite)
	pl := makePlan(1, testNow.UTC().Truncate(24*time.Hour))
	r1, res1, err := setup(ctx, a, pl)
	if err != nil {
		t.Fatalf("setup: %v", err)
	}
	r2, res2, err := setup(ctx, a, pl)
	if err != nil {
		t.Fatalf("setup again: %v", err)
	}
	if !reflect.DeepEqual(r1.teams, r2.teams) || !reflect.DeepEqual(r1.agents, r2.agents) || !reflect.DeepEqual(r1.contacts, r2.contacts) ||
		res1.Organizations != res2.Organizations || res2.Token == "" {
		t.Error("the second setup did not find the first one's cast")
	}
	for table, want := range map[string]int{"teams": 3, "agents": 8, "organizations": 40, "contacts": 300, "statuses": 9, "custom_fields": 4, "macros": len(macroSpecs)} {
		if n := count(t, a, `SELECT COUNT(*) FROM `+table); n != want {
			t.Errorf("%s: %d rows after two setups, want %d", table, n, want)
		}
	}
	// Feature kbmacros: at least six shared macros, each in the four
	// languages, with placeholders the service accepts.
	ms, err := a.Macros.List(ctx, auth.System, macro.ListOptions{})
	if err != nil || len(ms) < 6 || res2.Macros != len(ms) {
		t.Fatalf("demo macros: %d (result %d), %v", len(ms), res2.Macros, err)
	}
	for _, m := range ms {
		if !m.Shared || len(m.Translations) != 3 || m.Locale != "en" {
			t.Errorf("macro %q: shared %v, translations %v", m.Name, m.Shared, m.Translations)
		}
		if m.Name == "Escalated to billing" && !slices.ContainsFunc(m.Actions, func(x macro.MacroAction) bool { return x.Type == macro.AssignTeam && x.Value == r1.teams[1] }) {
			t.Errorf("escalation does not move to Billing: %+v", m.Actions)
		}
	}
}

// TestReplayError: a failing operation stops the replay, sequential or
// concurrent, and its error comes back.
func TestReplayError(t *testing.T) {
	a := newApp(t, store.SQLite)
	pl := makePlan(1, testNow.UTC().Truncate(24*time.Hour))
	r, _, err := setup(ctx, a, pl)
	if err != nil {
		t.Fatal(err)
	}
	var ops []op
	for _, o := range pl.Ops[:40] {
		if o.Kind == opCreate {
			ops = append(ops, o)
		}
	}
	// Slot 1999 was never created: closing it fails.
	ops = append(ops[:5:5], append([]op{{Kind: opClose, Slot: 1999, Other: -1, Agent: -1, At: ops[4].At}}, ops[5:]...)...)
	for _, workers := range []int{1, 4} {
		err := r.replay(ctx, ops, workers)
		if err == nil || !strings.Contains(err.Error(), "slot 1999") {
			t.Errorf("replay with %d workers = %v, want the close of slot 1999 to fail", workers, err)
		}
	}
}

// TestPlan checks the plan itself, cheaply: seeded, complete, ordered,
// and before the reference time.
func TestPlan(t *testing.T) {
	ref := testNow.UTC().Truncate(24 * time.Hour)
	p := makePlan(1, ref)
	if q := makePlan(1, ref); !reflect.DeepEqual(p, q) {
		t.Fatal("two plans with the same seed differ")
	}
	if q := makePlan(2, ref); reflect.DeepEqual(p.Ops, q.Ops) {
		t.Fatal("seeds 1 and 2 give the same plan")
	}
	if p.Slots != numTickets || len(p.Contacts) != numContacts {
		t.Fatalf("%d tickets and %d contacts planned", p.Slots, len(p.Contacts))
	}
	created := make([]bool, p.Slots)
	for i, o := range p.Ops {
		if i > 0 && o.At.Before(p.Ops[i-1].At) {
			t.Fatalf("op %d (%s) before op %d", i, o.Kind, i-1)
		}
		if !o.At.Before(ref) || o.At.Before(ref.AddDate(0, 0, -windowDays)) {
			t.Fatalf("op %d (%s) at %s, outside the window", i, o.Kind, o.At)
		}
		switch {
		case o.Kind == opCreate:
			created[o.Slot] = true
		case !created[o.Slot]:
			t.Fatalf("op %d (%s) on slot %d before it exists", i, o.Kind, o.Slot)
		}
		if o.Kind == opCustomer && o.Other >= 0 {
			created[o.Other] = true
		}
		if (o.Kind == opMerge || o.Kind == opLink) && !created[o.Other] {
			t.Fatalf("op %d (%s) refers to slot %d before it exists", i, o.Kind, o.Other)
		}
		if o.Agent >= 0 && agentSpecs[o.Agent].Role == auth.RoleLight && o.Kind != opNote {
			t.Fatalf("op %d: the light agent does a %s", i, o.Kind)
		}
	}
	for s, ok := range created {
		if !ok {
			t.Fatalf("slot %d never created", s)
		}
	}
}

// TestTexts checks the text banks line up across languages (the cases and
// team tables index them) and use only known placeholders.
func TestTexts(t *testing.T) {
	en := texts["en"]
	known := map[string]bool{"{agent}": true, "{agent2}": true}
	rng := rand.New(rand.NewPCG(1, 1))
	p := &planner{rng: rng, ref: testNow, contacts: planContacts(rng)}
	e := &entry{topic: &topics[0], incident: -1, lang: "en", created: testNow}
	p.details(e)
	for k := range e.vars {
		known[k] = true
	}
	check := func(lang, what string, bank []string, want int) {
		t.Helper()
		if len(bank) != want {
			t.Errorf("%s %s: %d texts, English has %d", lang, what, len(bank), want)
		}
		for _, s := range bank {
			for rest := s; ; {
				i := strings.IndexByte(rest, '{')
				if i < 0 {
					break
				}
				j := strings.IndexByte(rest[i:], '}')
				if j < 0 || !known[rest[i:i+j+1]] {
					t.Errorf("%s %s: unknown placeholder in %q", lang, what, s)
					break
				}
				rest = rest[i+j+1:]
			}
		}
	}
	for _, lang := range []string{"en", "pt-BR", "es", "he"} {
		lt := texts[lang]
		if lt == nil {
			t.Fatalf("no texts in %s", lang)
		}
		for _, tp := range topics {
			tt, ett := lt.Topics[tp.Key], en.Topics[tp.Key]
			check(lang, tp.Key+" subjects", tt.Subjects, len(ett.Subjects))
			check(lang, tp.Key+" bodies", tt.Bodies, len(ett.Bodies))
			check(lang, tp.Key+" replies", tt.Replies, len(ett.Replies))
			for _, c := range tp.Cases {
				for _, i := range c.Subjects {
					_ = tt.Subjects[i]
				}
				_ = tt.Bodies[c.Body]
				for _, i := range c.Replies {
					_ = tt.Replies[i]
				}
			}
		}
		check(lang, "follow-ups", lt.FollowUps, len(fitFollowUps))
		check(lang, "nudges", lt.Nudges, len(en.Nudges))
		check(lang, "reopens", lt.Reopens, len(fitReopens))
		check(lang, "asks", lt.Asks, len(fitAsks))
		check(lang, "solves", lt.Solves, len(fitSolves))
		check(lang, "notes", lt.Notes, len(fitNotes))
		check(lang, "holds", lt.Holds, len(fitHolds))
		check(lang, "escalations", lt.Escalations, len(en.Escalations))
	}
	// Every team finds a fitting text in every table.
	for _, fit := range [][]uint8{fitFollowUps, fitReopens, fitAsks, fitSolves, fitNotes, fitHolds} {
		for team := range teamSpecs {
			ok := false
			for _, f := range fit {
				ok = ok || f&(1<<team) != 0
			}
			if !ok {
				t.Errorf("team %s has no text in %v", teamSpecs[team].Name, fit)
			}
		}
	}
}
