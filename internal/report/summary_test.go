package report_test

import (
	"encoding/json"
	"testing"
	"time"

	"tessera/internal/app/apptest"
	"tessera/internal/inbox"
	"tessera/internal/report"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
	"tessera/internal/ticket"
)

// filters are the reports the summary must answer exactly as the event
// scan does.
func summaryFilters(t *testing.T, f *apptest.Fixture, box int64) []report.Filter {
	t.Helper()
	sp, err := time.LoadLocation("America/Sao_Paulo")
	if err != nil {
		t.Fatal(err)
	}
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	billing, support, agent, agent2 := f.Billing.ID, f.Support.ID, f.Agent.ID, f.Agent2.ID
	var out []report.Filter
	for _, p := range [][2]string{{"2026-03-02", "2026-03-03"}, {"2026-03-02", "2026-03-02"}, {"2026-03-03", "2026-03-03"},
		{"2026-03-01", "2026-03-10"}, {"2026-02-20", "2026-03-01"}} {
		base := report.Filter{From: day(p[0]), To: day(p[1])}
		out = append(out, base)
		for _, mod := range []func(*report.Filter){
			func(g *report.Filter) { g.Loc = sp },
			func(g *report.Filter) { g.Loc = tokyo },
			func(g *report.Filter) { g.Priority = "high" },
			func(g *report.Filter) { g.Priority = "normal" },
			func(g *report.Filter) { g.Channel = "email" },
			func(g *report.Filter) { g.Channel = "web" },
			func(g *report.Filter) { g.TeamID = &billing },
			func(g *report.Filter) { g.TeamID = &support },
			func(g *report.Filter) { g.AgentID = &agent },
			func(g *report.Filter) { g.AgentID = &agent2 },
			func(g *report.Filter) { g.Teams = []int64{billing} },
			func(g *report.Filter) { g.Teams = []int64{} },
			func(g *report.Filter) { g.InboxID = &box },
			func(g *report.Filter) { g.InboxID = &box; g.Priority = "urgent" },
			// Pairs of dimensions read their pair's rollup.
			func(g *report.Filter) { g.TeamID = &support; g.Priority = "high" },
			func(g *report.Filter) { g.TeamID = &billing; g.AgentID = &agent2 },
			func(g *report.Filter) { g.TeamID = &support; g.Channel = "email" },
			func(g *report.Filter) { g.AgentID = &agent; g.Channel = "web" },
			func(g *report.Filter) { g.Channel = "email"; g.Priority = "normal" },
			func(g *report.Filter) { g.InboxID = &box; g.TeamID = &support },
			func(g *report.Filter) { g.Teams = []int64{billing, support}; g.Priority = "normal"; g.Loc = sp },
			// Three dimensions, or the team twice: the joint tables.
			func(g *report.Filter) { g.TeamID = &support; g.AgentID = &agent; g.Priority = "normal" },
			func(g *report.Filter) { g.TeamID = &support; g.Teams = []int64{support} },
		} {
			g := base
			mod(&g)
			out = append(out, g)
		}
	}
	return out
}

func sameAsScan(t *testing.T, f *apptest.Fixture, box int64, when string) {
	t.Helper()
	for _, flt := range summaryFilters(t, f, box) {
		uses, err := f.Reports.UsesSummary(flt)
		if err != nil || !uses {
			t.Fatalf("%s: the summary does not answer %+v (%v)", when, flt, err)
		}
		got, err := f.Reports.Summary(ctx, flt)
		if err != nil {
			t.Fatal(err)
		}
		want, err := f.Reports.Summary(ctx, report.Scan(flt))
		if err != nil {
			t.Fatal(err)
		}
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		if string(g) != string(w) {
			t.Errorf("%s, filter %+v:\nsummary %s\nscan    %s", when, flt, g, w)
		}
	}
}

// TestSummaryTablesMatchScan checks the pre-aggregate against the event
// scan on the known history, after changes that move a ticket's figures
// (reassignment, new priority and team, tags, reopening, a merge), and
// after a rebuild.
func TestSummaryTablesMatchScan(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := History(t, e)
		// One more ticket, through an inbox, in the period.
		name, kind, addr := "Help desk", "email", "help@example.com"
		box, err := f.Inboxes.Create(ctx, f.Admin, inbox.Input{Name: &name, Kind: &kind, Address: &addr})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Tickets.Create(ticket.WithNow(ctx, at("2026-03-02 11:00")), f.Agent, ticket.CreateInput{Subject: "F", Body: "Body", Priority: "urgent",
			InboxID: &box.ID, Requester: &ticket.RequesterInput{Email: "f@example.com"}}); err != nil {
			t.Fatal(err)
		}
		s, err := f.Reports.Summary(ctx, report.Filter{From: day("2026-03-02"), To: day("2026-03-03"), InboxID: &box.ID})
		if err != nil {
			t.Fatal(err)
		}
		eq(t, "created through the inbox", s.Created, 1)
		sameAsScan(t, f, box.ID, "history")
		ids := map[string]int64{}
		rows, err := f.DB.Read().Query(ctx, `SELECT subject, id FROM tickets`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			var id int64
			if err := rows.Scan(&s, &id); err != nil {
				t.Fatal(err)
			}
			ids[s] = id
		}
		rows.Close()
		update := func(when string, id int64, in ticket.UpdateInput) {
			t.Helper()
			if _, err := f.Tickets.Update(ticket.WithNow(ctx, at(when)), f.Agent, id, in); err != nil {
				t.Fatalf("update %d: %v", id, err)
			}
		}
		agent2, billing := f.Agent2.ID, f.Billing.ID
		high, open, solved := "high", "open", "solved"
		// B moves to Agent2, Billing and high priority: all its figures
		// (created, solves, replies, first reply) follow it.
		update("2026-03-05 09:00", ids["B"], ticket.UpdateInput{AssigneeID: ticket.Optional[int64]{Set: true, Value: &agent2},
			TeamID: ticket.Optional[int64]{Set: true, Value: &billing}, Priority: &high, AddTags: []string{"moved"}})
		// A is reopened inside the period and solved again after it: its
		// solve in the period is then its last in the period only.
		update("2026-03-03 20:00", ids["A"], ticket.UpdateInput{Status: &open, RemoveTags: []string{"vip"}})
		update("2026-03-06 10:00", ids["A"], ticket.UpdateInput{Status: &solved})
		if _, err := f.Tickets.AddMessage(ticket.WithNow(ctx, at("2026-03-06 11:00")), f.Agent2, ids["D"], ticket.MessageInput{Kind: ticket.KindReply, Body: "On it"}); err != nil {
			t.Fatal(err)
		}
		sameAsScan(t, f, box.ID, "after updates")
		if _, err := f.Tickets.Merge(ticket.WithNow(ctx, at("2026-03-06 12:00")), f.Agent, ids["E"], ids["D"]); err != nil {
			t.Fatal(err)
		}
		sameAsScan(t, f, box.ID, "after a merge")

		before, err := f.Reports.Summary(ctx, report.Filter{From: day("2026-03-01"), To: day("2026-03-10")})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Reports.Rebuild(ctx, false, nil); err != nil {
			t.Fatal(err)
		}
		after, err := f.Reports.Summary(ctx, report.Filter{From: day("2026-03-01"), To: day("2026-03-10")})
		if err != nil {
			t.Fatal(err)
		}
		eq(t, "rebuilt", after, before)
		sameAsScan(t, f, box.ID, "after a rebuild")
		var zeros int
		for _, tbl := range []string{"report_counts", "report_times", "report_sla", "report_tags"} {
			var n int
			if err := f.DB.Read().QueryRow(ctx, `SELECT COUNT(*) FROM `+tbl+` WHERE n <= 0`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			zeros += n
		}
		if zeros != 0 {
			t.Errorf("%d summary rows at zero or below were left behind", zeros)
		}

		// An upgrade that adds the pair rollups (migration 00019) leaves a
		// filed summary at state 2: the events answer until the rollup
		// step alone has run, which then answers as the scan does.
		if _, err := f.DB.Write().Exec(ctx, `DELETE FROM report_roll_days WHERE dim LIKE '%+%'`); err != nil {
			t.Fatal(err)
		}
		if _, err := f.DB.Write().Exec(ctx, `DELETE FROM report_roll_hours WHERE dim LIKE '%+%'`); err != nil {
			t.Fatal(err)
		}
		if _, err := f.DB.Write().Exec(ctx, `UPDATE report_summary_state SET ready = 2`); err != nil {
			t.Fatal(err)
		}
		if uses, _ := f.Reports.UsesSummary(report.Filter{From: day("2026-03-02"), To: day("2026-03-03")}); uses {
			t.Error("a summary without its pair rollups answers")
		}
		// Changes meanwhile still file their joint rows.
		update("2026-03-07 09:00", ids["C"], ticket.UpdateInput{Priority: &high})
		if err := f.Reports.RefillRollups(ctx); err != nil {
			t.Fatal(err)
		}
		var pairs int
		if err := f.DB.Read().QueryRow(ctx, `SELECT COUNT(*) FROM report_roll_days WHERE dim = 'team+priority'`).Scan(&pairs); err != nil {
			t.Fatal(err)
		}
		if pairs == 0 {
			t.Error("the rollup step filled no team × priority rows")
		}
		sameAsScan(t, f, box.ID, "after the rollup step")
		if _, err := f.DB.Write().Exec(ctx, `UPDATE report_summary_state SET ready = 0`); err != nil {
			t.Fatal(err)
		}
		if err := f.Reports.RefillRollups(ctx); err == nil {
			t.Error("the rollup step ran on a summary whose tickets are not all filed")
		}
	})
}

// TestSummaryFallsBack: filters outside the summary's dimensions, business
// hours and half-hour zones read the events.
func TestSummaryFallsBack(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		kolkata, err := time.LoadLocation("Asia/Kolkata")
		if err != nil {
			t.Fatal(err)
		}
		org, cal := int64(1), int64(1)
		for _, c := range []struct {
			name string
			f    report.Filter
			uses bool
		}{
			{"plain", report.Filter{From: day("2026-03-02"), To: day("2026-03-03")}, true},
			{"tag", report.Filter{From: day("2026-03-02"), To: day("2026-03-03"), Tag: "vip"}, false},
			{"organization", report.Filter{From: day("2026-03-02"), To: day("2026-03-03"), OrgID: &org}, false},
			{"calendar", report.Filter{From: day("2026-03-02"), To: day("2026-03-03"), CalendarID: &cal}, false},
			{"half-hour zone", report.Filter{From: day("2026-03-02"), To: day("2026-03-03"), Loc: kolkata}, false},
		} {
			uses, err := f.Reports.UsesSummary(c.f)
			if err != nil || uses != c.uses {
				t.Errorf("%s: uses summary %v (%v), want %v", c.name, uses, err, c.uses)
			}
		}
		// Until a rebuild has filed every ticket, the events answer.
		if _, err := f.DB.Write().Exec(ctx, `UPDATE report_summary_state SET ready = 0`); err != nil {
			t.Fatal(err)
		}
		if uses, _ := f.Reports.UsesSummary(report.Filter{From: day("2026-03-02"), To: day("2026-03-03")}); uses {
			t.Error("an unfinished summary answers")
		}
	})
}
