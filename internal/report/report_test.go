package report_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"tessera/internal/app/apptest"
	"tessera/internal/auth"
	"tessera/internal/report"
	"tessera/internal/sla"
	"tessera/internal/sla/clocks"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
	"tessera/internal/ticket"
)

var ctx = context.Background()

func at(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return t
}

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// History builds a known history over 1-4 March 2026 (UTC) and returns the
// fixture. The period under test is 2-3 March.
//
//	T0 created 03-01 10:00, first reply 03-02 09:00 (1380 min), stays open
//	A  created 03-02 08:00, reply 08:30 (30), solved 09:00 (60)
//	B  created 03-02 10:00, Agent2 reply 12:00 (120), Agent reply 13:00, Agent2 solves 14:00 (240)
//	C  created 03-02 23:30, reply 03-03 00:30 (60), solved 01:00, reopened 02:00, solved 03:00 (210)
//	D  created 03-03 15:00, high priority, Billing team, untouched
//	E  created 03-04 12:00 (after the period)
func History(t *testing.T, e store.Engine) *apptest.Fixture {
	t.Helper()
	f := apptest.New(t, e)
	d, err := clocks.ParseDuration("90m")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.SLA.CreatePolicy(ctx, f.Admin, clocks.PolicyInput{Name: "Standard", Position: 1,
		Targets: clocks.Targets{"normal": {sla.FirstReply: clocks.Duration(d)}}}); err != nil {
		t.Fatal(err)
	}
	create := func(when, subject string, mod func(*ticket.CreateInput)) int64 {
		in := ticket.CreateInput{Subject: subject, Body: "Body", Priority: "normal", Channel: "email",
			Requester: &ticket.RequesterInput{Email: "c@example.com", Name: "Cliente"}}
		if mod != nil {
			mod(&in)
		}
		tk, err := f.Tickets.Create(ticket.WithNow(ctx, at(when)), f.Agent, in)
		if err != nil {
			t.Fatalf("create %s: %v", subject, err)
		}
		return tk.ID
	}
	reply := func(when string, who auth.Actor, id int64) {
		if _, err := f.Tickets.AddMessage(ticket.WithNow(ctx, at(when)), who, id, ticket.MessageInput{Kind: ticket.KindReply, Body: "Answer"}); err != nil {
			t.Fatalf("reply %d: %v", id, err)
		}
	}
	status := func(when string, who auth.Actor, id int64, st string) {
		if _, err := f.Tickets.Update(ticket.WithNow(ctx, at(when)), who, id, ticket.UpdateInput{Status: &st}); err != nil {
			t.Fatalf("status %d: %v", id, err)
		}
	}
	t0 := create("2026-03-01 10:00", "T0", nil)
	reply("2026-03-02 09:00", f.Agent, t0)
	a := create("2026-03-02 08:00", "A", func(in *ticket.CreateInput) { in.Tags = []string{"printer", "vip"} })
	reply("2026-03-02 08:30", f.Agent, a)
	status("2026-03-02 09:00", f.Agent, a, "solved")
	b := create("2026-03-02 10:00", "B", func(in *ticket.CreateInput) { in.Tags = []string{"printer"} })
	reply("2026-03-02 12:00", f.Agent2, b)
	reply("2026-03-02 13:00", f.Agent, b)
	status("2026-03-02 14:00", f.Agent2, b, "solved")
	c := create("2026-03-02 23:30", "C", nil)
	reply("2026-03-03 00:30", f.Agent, c)
	status("2026-03-03 01:00", f.Agent, c, "solved")
	status("2026-03-03 02:00", f.Agent, c, "open")
	status("2026-03-03 03:00", f.Agent, c, "solved")
	billing := f.Billing.ID
	create("2026-03-03 15:00", "D", func(in *ticket.CreateInput) { in.Priority = "high"; in.TeamID = &billing })
	create("2026-03-04 12:00", "E", nil)
	for _, r := range []struct {
		id     int64
		agent  int64
		rating string
	}{{a, f.Agent.ID, "good"}, {b, f.Agent2.ID, "bad"}} {
		if _, err := f.DB.Write().Exec(ctx, `INSERT INTO survey_responses (ticket_id, agent_id, rating, comment, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)`,
			r.id, r.agent, r.rating, "Said "+r.rating, at("2026-03-03 10:00")); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func fp(v float64) *float64 { return &v }

func eq(t *testing.T, name string, got, want any) {
	t.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if string(g) != string(w) {
		t.Errorf("%s = %s, want %s", name, g, w)
	}
}

func TestSummary(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := History(t, e)
		s, err := f.Reports.Summary(ctx, report.Filter{From: day("2026-03-02"), To: day("2026-03-03")})
		if err != nil {
			t.Fatal(err)
		}
		var offered int
		if err := f.DB.Read().QueryRow(ctx, `SELECT COUNT(*) FROM surveys`).Scan(&offered); err != nil || offered != 0 {
			t.Errorf("backdated solves offered %d surveys (%v); their window is long past", offered, err)
		}
		eq(t, "created", s.Created, 4)
		eq(t, "solved", s.Solved, 4)
		eq(t, "reopened", s.Reopened, 1)
		eq(t, "backlog", s.Backlog, 2)
		eq(t, "first reply", s.FirstReply, report.Stat{Median: fp(60), P90: fp(1380), Count: 4})
		eq(t, "resolution", s.Resolution, report.Stat{Median: fp(210), P90: fp(240), Count: 3})
		eq(t, "one touch", s.OneTouchRate, 0.6667)
		eq(t, "replies per ticket", s.RepliesPerTicket, 1.33)
		eq(t, "sla", s.SLA, []report.SLAMetric{{Metric: "first_reply", Achieved: 2, Breached: 2, Rate: fp(0.5)}})
		eq(t, "sla rate", s.SLAAchievedRate, 0.5)
		eq(t, "sla by priority", s.SLAByPriority, []report.SLAMetric{{Metric: "first_reply", Priority: "normal", Achieved: 2, Breached: 2, Rate: fp(0.5)}})
		eq(t, "csat", s.CSAT, report.CSAT{Good: 1, Bad: 1, Score: fp(50)})
		eq(t, "days", s.Days, []report.Day{{Date: "2026-03-02", Created: 3, Solved: 2}, {Date: "2026-03-03", Created: 1, Solved: 2}})
		eq(t, "agents", s.Agents, []report.Agent{
			{ID: f.Agent.ID, Name: "Aldo Agent", Solved: 3, Replies: 4, FirstReplyMedian: fp(60), CSATGood: 1},
			{ID: f.Agent2.ID, Name: "Bea Agent", Solved: 1, Replies: 1, FirstReplyMedian: fp(120), CSATBad: 1},
		})
		eq(t, "top tags", s.TopTags, []report.Count{{Key: "printer", N: 2}, {Key: "vip", N: 1}})
		if len(s.Comments) != 2 || s.Comments[0].Comment != "Said bad" || s.Comments[1].Rating != "good" {
			t.Errorf("comments: %+v", s.Comments)
		}
		var hours [7][24]int
		hours[1][8], hours[1][10], hours[1][23], hours[2][15] = 1, 1, 1, 1
		eq(t, "hours", s.Hours, hours)

		// Business minutes on a Monday-Friday 09:00-18:00 calendar: what
		// happened at night or on Sunday costs nothing.
		office := [][]string{{"09:00", "18:00"}}
		cal, err := f.SLA.CreateCalendar(ctx, f.Admin, clocks.CalendarInput{Name: "Office", TimeZone: "UTC",
			Hours: map[string][][]string{"mon": office, "tue": office, "wed": office, "thu": office, "fri": office}})
		if err != nil {
			t.Fatal(err)
		}
		s, err = f.Reports.Summary(ctx, report.Filter{From: day("2026-03-02"), To: day("2026-03-03"), CalendarID: &cal.ID})
		if err != nil {
			t.Fatal(err)
		}
		eq(t, "business first reply", s.FirstReplyBusiness, report.Stat{Median: fp(0), P90: fp(120), Count: 4})
		eq(t, "business resolution", s.ResolutionBusiness, report.Stat{Median: fp(0), P90: fp(240), Count: 3})
		eq(t, "calendar first reply unchanged", s.FirstReply, report.Stat{Median: fp(60), P90: fp(1380), Count: 4})

		// The backlog at the end of the 2nd: T0 (open) and C, created at
		// 23:30 and changed since (replayed from its events: still new).
		s, err = f.Reports.Summary(ctx, report.Filter{From: day("2026-03-02"), To: day("2026-03-02")})
		if err != nil {
			t.Fatal(err)
		}
		eq(t, "backlog on the 2nd", s.Backlog, 2)
		s, err = f.Reports.Summary(ctx, report.Filter{From: day("2026-03-01"), To: day("2026-03-01")})
		if err != nil {
			t.Fatal(err)
		}
		eq(t, "backlog on the 1st", s.Backlog, 1)

		// Filters apply to the tickets.
		s, err = f.Reports.Summary(ctx, report.Filter{From: day("2026-03-02"), To: day("2026-03-03"), Priority: "high"})
		if err != nil {
			t.Fatal(err)
		}
		eq(t, "high created", s.Created, 1)
		eq(t, "high backlog", s.Backlog, 1)
		eq(t, "high solved", s.Solved, 0)
		billing := f.Billing.ID
		s, err = f.Reports.Summary(ctx, report.Filter{From: day("2026-03-02"), To: day("2026-03-03"), Teams: []int64{billing}})
		if err != nil {
			t.Fatal(err)
		}
		eq(t, "team created", s.Created, 1)
		eq(t, "team csat", s.CSAT.Good+s.CSAT.Bad, 0)

		// The viewer's zone moves the period and the buckets: in São Paulo
		// (UTC-3) the 2nd-3rd run from 03:00 UTC on the 2nd.
		sp, err := time.LoadLocation("America/Sao_Paulo")
		if err != nil {
			t.Fatal(err)
		}
		s, err = f.Reports.Summary(ctx, report.Filter{From: day("2026-03-02"), To: day("2026-03-03"), Loc: sp})
		if err != nil {
			t.Fatal(err)
		}
		hours = [7][24]int{}
		hours[1][5], hours[1][7], hours[1][20], hours[2][12] = 1, 1, 1, 1
		eq(t, "sp hours", s.Hours, hours)
		eq(t, "sp days", s.Days, []report.Day{{Date: "2026-03-02", Created: 3, Solved: 3}, {Date: "2026-03-03", Created: 1, Solved: 1}})
	})
}

func TestDashboard(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := History(t, e)
		d, err := f.Reports.Dashboard(ctx, report.Filter{}, at("2026-03-04 13:00"))
		if err != nil {
			t.Fatal(err)
		}
		billing := fmt.Sprint(f.Billing.ID)
		eq(t, "by status", d.ByStatus, []report.Count{{Key: "new", N: 2}, {Key: "open", N: 1}})
		eq(t, "by priority", d.ByPriority, []report.Count{{Key: "normal", N: 2}, {Key: "high", N: 1}})
		eq(t, "by team", d.ByTeam, []report.Count{{Key: "", N: 2}, {Key: billing, N: 1}})
		eq(t, "unassigned", d.Unassigned, 3)
		eq(t, "breached", d.Breached, 1) // T0's first reply came late
		eq(t, "at risk", d.AtRisk, 1)    // E's first reply is due at 13:30
		eq(t, "created today", d.CreatedToday, 1)
		eq(t, "solved today", d.SolvedToday, 0)
		if len(d.Agents) != 5 || d.Agents[0].Name != "Ada Admin" {
			t.Errorf("agents: %+v", d.Agents)
		}

		// A team-limited viewer sees their teams only.
		d, err = f.Reports.Dashboard(ctx, report.Filter{Teams: []int64{f.Billing.ID}}, at("2026-03-04 13:00"))
		if err != nil {
			t.Fatal(err)
		}
		eq(t, "team by status", d.ByStatus, []report.Count{{Key: "new", N: 1}})
		eq(t, "team unassigned", d.Unassigned, 1)
		eq(t, "team created today", d.CreatedToday, 0)
	})
}

func TestTicketsCSV(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := History(t, e)
		var b strings.Builder
		if err := f.Reports.TicketsCSV(ctx, report.Filter{From: day("2026-03-02"), To: day("2026-03-03")}, &b); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(b.String()), "\n")
		if len(lines) != 5 {
			t.Fatalf("want a header and 4 tickets:\n%s", b.String())
		}
		// A: created 08:00, first reply 30 min, solved after 60, rated good.
		if !strings.HasSuffix(lines[1], ",email,,,2026-03-02 08:00,2026-03-02 08:30,30,2026-03-02 09:00,60,good") || !strings.Contains(lines[4], ",D,new,high,email,Billing,,") {
			t.Errorf("rows:\n%s", b.String())
		}
	})
}
