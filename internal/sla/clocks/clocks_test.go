package clocks_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"tessera/internal/app/apptest"
	"tessera/internal/auth"
	"tessera/internal/people"
	"tessera/internal/sla"
	"tessera/internal/sla/clocks"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
	"tessera/internal/ticket"
	"tessera/internal/validation"
)

var ctx = context.Background()

func clockOf(t *testing.T, f *apptest.Fixture, id int64, m string) ticket.SLAStatus {
	t.Helper()
	tk, err := f.Tickets.Get(ctx, auth.System, id)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range tk.SLA {
		if s.Metric == m {
			return s
		}
	}
	return ticket.SLAStatus{}
}

func eventTypes(t *testing.T, f *apptest.Fixture, id int64) []string {
	t.Helper()
	ev, err := f.Tickets.Events(ctx, auth.System, id, 0, 500)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ev {
		out = append(out, e.Type+":"+e.Field+":"+e.NewValue)
	}
	return out
}

func dur(s string) clocks.Duration {
	d, err := clocks.ParseDuration(s)
	if err != nil {
		panic(err)
	}
	return clocks.Duration(d)
}

func setup(t *testing.T, f *apptest.Fixture) (clocks.Calendar, clocks.Policy) {
	t.Helper()
	day := [][]string{{"09:00", "18:00"}}
	cal, err := f.SLA.CreateCalendar(ctx, f.Admin, clocks.CalendarInput{Name: "Brasil", TimeZone: "America/Sao_Paulo",
		Hours:    map[string][][]string{"mon": day, "tue": day, "wed": day, "thu": day, "fri": day},
		Holidays: []clocks.Holiday{{Month: 12, Day: 25, Name: "Natal"}, {Date: "2027-02-08"}}})
	if err != nil {
		t.Fatal(err)
	}
	warn := dur("15m")
	// Urgent tickets count clock hours under their own policy; the
	// standard one counts business hours.
	if _, err := f.SLA.CreatePolicy(ctx, f.Admin, clocks.PolicyInput{Name: "Urgent", Position: 5, WarnBefore: &warn,
		Conditions: sla.Conditions{Priorities: []string{"urgent"}},
		Targets:    clocks.Targets{"urgent": {sla.FirstReply: dur("30m"), sla.Resolution: dur("4h")}}}); err != nil {
		t.Fatal(err)
	}
	pol, err := f.SLA.CreatePolicy(ctx, f.Admin, clocks.PolicyInput{Name: "Standard", Position: 10, WarnBefore: &warn, BusinessHours: true,
		Targets: clocks.Targets{"normal": {sla.FirstReply: dur("2h"), sla.NextReply: dur("4h"), sla.Resolution: dur("5d")}}, CalendarID: &cal.ID})
	if err != nil {
		t.Fatal(err)
	}
	return cal, pol
}

func TestDurations(t *testing.T) {
	for in, want := range map[string]time.Duration{"30m": 30 * time.Minute, "4h": 4 * time.Hour, "1h30m": 90 * time.Minute, "3d": 72 * time.Hour, "1d12h": 36 * time.Hour} {
		got, err := clocks.ParseDuration(in)
		if err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %s, %v", in, got, err)
		}
		if in == "1d12h" {
			continue // written back as 36h
		}
		if s := clocks.Duration(got).String(); s != in {
			t.Errorf("String(%s) = %q, want %q", got, s, in)
		}
	}
	for _, bad := range []string{"soon", "3 days", "d", "1x"} {
		if _, err := clocks.ParseDuration(bad); err == nil {
			t.Errorf("ParseDuration(%q) accepted", bad)
		}
	}
}

func TestAdminValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		if _, err := f.SLA.CreateCalendar(ctx, f.Agent, clocks.CalendarInput{Name: "x", TimeZone: "UTC"}); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("agent created a calendar: %v", err)
		}
		bad := []struct {
			in    clocks.CalendarInput
			field string
		}{
			{clocks.CalendarInput{Name: "x", TimeZone: "Mars/Olympus"}, "time_zone"},
			{clocks.CalendarInput{Name: "x", TimeZone: "UTC", Hours: map[string][][]string{"funday": {{"09:00", "18:00"}}}}, "hours.funday"},
			{clocks.CalendarInput{Name: "x", TimeZone: "UTC", Hours: map[string][][]string{"mon": {{"9", "18"}}}}, "hours.mon"},
			{clocks.CalendarInput{Name: "x", TimeZone: "UTC", Hours: map[string][][]string{"mon": {{"09:00"}}}}, "hours.mon"},
			{clocks.CalendarInput{Name: "x", TimeZone: "UTC", Holidays: []clocks.Holiday{{Date: "25/12"}}}, "holidays[0]"},
			{clocks.CalendarInput{Name: "x", TimeZone: "UTC", Holidays: []clocks.Holiday{{Month: 13, Day: 1}}}, "holidays[0]"},
		}
		for _, b := range bad {
			_, err := f.SLA.CreateCalendar(ctx, f.Admin, b.in)
			if ve, ok := validation.As(err); !ok || ve.Fields[0].Field != b.field {
				t.Errorf("%+v: %v, want field %s", b.in, err, b.field)
			}
		}
		_, err := f.SLA.CreatePolicy(ctx, f.Admin, clocks.PolicyInput{Name: "p", BusinessHours: true, Targets: clocks.Targets{"normal": {sla.FirstReply: dur("1h")}}})
		if ve, ok := validation.As(err); !ok || ve.Fields[0].Field != "calendar_id" {
			t.Errorf("business target without calendar: %v", err)
		}
		_, err = f.SLA.CreatePolicy(ctx, f.Admin, clocks.PolicyInput{Name: "p", Targets: clocks.Targets{"critical": {sla.FirstReply: dur("1h")}}})
		if ve, ok := validation.As(err); !ok || ve.Fields[0].Field != "targets.critical" {
			t.Errorf("unknown priority: %v", err)
		}
	})
}

func TestClocksFollowTheTicket(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		_, _ = setup(t, f)
		// Friday 27 November 2026, 17:00 in São Paulo (20:00 UTC).
		created := time.Date(2026, 11, 27, 20, 0, 0, 0, time.UTC)
		c := ticket.WithNow(ctx, created)
		tk, err := f.Tickets.Create(c, f.Agent, ticket.CreateInput{Subject: "Nota fiscal", Body: "Não consigo emitir", Requester: &ticket.RequesterInput{Email: "c@x.test"}})
		if err != nil {
			t.Fatal(err)
		}
		if tk.SLAPolicyID == nil || len(tk.SLA) == 0 || tk.SLA[0].PolicyID != *tk.SLAPolicyID {
			t.Fatalf("policy = %v, clocks %+v", tk.SLAPolicyID, tk.SLA)
		}
		fr := clockOf(t, f, tk.ID, "first_reply")
		want := time.Date(2026, 11, 30, 13, 0, 0, 0, time.UTC) // Monday 10:00 in São Paulo
		if fr.State != "active" || fr.DueAt == nil || !fr.DueAt.Equal(want) {
			t.Fatalf("first reply clock = %+v, want active due %s", fr, want)
		}
		got, _ := f.Tickets.Get(ctx, auth.System, tk.ID)
		if got.SLADueAt == nil || !got.SLADueAt.Equal(want) {
			t.Errorf("ticket due = %v", got.SLADueAt)
		}
		// Raising the priority moves it under the urgent policy and
		// recomputes from the start: 30 clock minutes from Friday 17:00.
		urgent := "urgent"
		if _, err := f.Tickets.Update(ticket.WithNow(ctx, created.Add(10*time.Minute)), f.Agent, tk.ID, ticket.UpdateInput{Priority: &urgent}); err != nil {
			t.Fatal(err)
		}
		fr = clockOf(t, f, tk.ID, "first_reply")
		if fr.DueAt == nil || !fr.DueAt.Equal(created.Add(30*time.Minute)) || fr.BusinessHours {
			t.Errorf("after priority change: %+v", fr)
		}
		if c := clockOf(t, f, tk.ID, "next_reply"); c.Metric != "" {
			t.Errorf("urgent has no next reply target, got %+v", c)
		}
		// The reply comes in time.
		if _, err := f.Tickets.AddMessage(ticket.WithNow(ctx, created.Add(20*time.Minute)), f.Agent, tk.ID, ticket.MessageInput{Body: "Olá!"}); err != nil {
			t.Fatal(err)
		}
		if fr := clockOf(t, f, tk.ID, "first_reply"); fr.State != "achieved" {
			t.Errorf("first reply = %+v", fr)
		}
		if !slices.Contains(eventTypes(t, f, tk.ID), "sla_state_changed:sla.first_reply:achieved") {
			t.Errorf("no achievement event: %v", eventTypes(t, f, tk.ID))
		}
		// A tag-only policy in front stops covering it when the tag goes.
		_, err = f.SLA.CreatePolicy(ctx, f.Admin, clocks.PolicyInput{Name: "VIP", Position: 1, Conditions: sla.Conditions{Tags: []string{"vip"}},
			Targets: clocks.Targets{"urgent": {sla.Resolution: dur("1h")}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Tickets.Update(ticket.WithNow(ctx, created.Add(25*time.Minute)), f.Agent, tk.ID, ticket.UpdateInput{AddTags: []string{"vip"}}); err != nil {
			t.Fatal(err)
		}
		got, _ = f.Tickets.Get(ctx, auth.System, tk.ID)
		if len(got.SLA) != 1 || got.SLA[0].Metric != "resolution" || !got.SLA[0].DueAt.Equal(created.Add(time.Hour)) {
			t.Errorf("under the VIP policy: %+v", got.SLA)
		}
	})
}

func TestBreachAndWarningDetection(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		setup(t, f)
		urgent := "urgent"
		// Created 20 minutes ago: warning time (30 − 15 min) has passed,
		// due in 10 minutes.
		c := ticket.WithNow(ctx, time.Now().Add(-20*time.Minute))
		warned, err := f.Tickets.Create(c, f.Agent, ticket.CreateInput{Subject: "Down", Body: "Site down", Priority: urgent, Requester: &ticket.RequesterInput{Email: "a@x.test"}})
		if err != nil {
			t.Fatal(err)
		}
		c = ticket.WithNow(ctx, time.Now().Add(-2*time.Hour))
		late, err := f.Tickets.Create(c, f.Agent, ticket.CreateInput{Subject: "Down too", Body: "Still down", Priority: urgent, Requester: &ticket.RequesterInput{Email: "b@x.test"}})
		if err != nil {
			t.Fatal(err)
		}
		fresh, err := f.Tickets.Create(ctx, f.Agent, ticket.CreateInput{Subject: "New", Body: "b", Priority: urgent, Requester: &ticket.RequesterInput{Email: "c@x.test"}})
		if err != nil {
			t.Fatal(err)
		}
		due, err := f.SLA.Due(ctx, time.Now(), 100)
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(due)
		if !slices.Equal(due, []int64{warned.ID, late.ID}) {
			t.Fatalf("due = %v, want %d and %d (not %d)", due, warned.ID, late.ID, fresh.ID)
		}
		for _, id := range due {
			if err := f.Tickets.RefreshClocks(ctx, id); err != nil {
				t.Fatal(err)
			}
		}
		if ev := eventTypes(t, f, late.ID); !slices.Contains(ev, "sla_breached:sla.first_reply:breached") {
			t.Errorf("late ticket events: %v", ev)
		}
		if fr := clockOf(t, f, late.ID, "first_reply"); fr.State != "breached" || fr.BreachedAt == nil {
			t.Errorf("late clock: %+v", fr)
		}
		ev := eventTypes(t, f, warned.ID)
		warnings := 0
		for _, x := range ev {
			if len(x) > 11 && x[:11] == "sla_warning" {
				warnings++
			}
		}
		if warnings != 1 {
			t.Errorf("warnings = %d in %v", warnings, ev)
		}
		// Nothing is due any more, and a second pass warns nobody twice.
		due, _ = f.SLA.Due(ctx, time.Now(), 100)
		if len(due) != 0 {
			t.Errorf("still due: %v", due)
		}
		if err := f.Tickets.RefreshClocks(ctx, warned.ID); err != nil {
			t.Fatal(err)
		}
		if n := len(eventTypes(t, f, warned.ID)); n != len(ev) {
			t.Errorf("a second refresh added events: %d -> %d", len(ev), n)
		}
	})
}

func TestPreview(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		setup(t, f)
		at := time.Date(2026, 12, 24, 20, 0, 0, 0, time.UTC) // Thursday 17:00 in São Paulo, before Christmas
		p, err := f.SLA.PreviewFor(ctx, sla.Facts{Priority: "normal"}, at)
		if err != nil {
			t.Fatal(err)
		}
		want := time.Date(2026, 12, 28, 13, 0, 0, 0, time.UTC) // Monday 10:00: Friday the 25th is a holiday
		if d := p.Due[sla.FirstReply]; d == nil || !d.Equal(want) {
			t.Errorf("preview first reply = %v, want %s", d, want)
		}
		if _, err := f.SLA.PreviewFor(ctx, sla.Facts{Priority: "low"}, at); err == nil {
			t.Error("a priority without targets got a preview")
		}
	})
}

func TestPriorityRulesOnCreation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		if _, err := f.SLA.CreatePriorityRule(ctx, f.Agent, clocks.PriorityRuleInput{Name: "x", Priority: "high"}); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("agent created a rule: %v", err)
		}
		_, err := f.SLA.CreatePriorityRule(ctx, f.Admin, clocks.PriorityRuleInput{Name: "Bad", Priority: "critical"})
		if ve, ok := validation.As(err); !ok || ve.Fields[0].Field != "priority" {
			t.Errorf("bad priority: %v", err)
		}
		for _, in := range []clocks.PriorityRuleInput{
			{Name: "Outages", Position: 1, Priority: "urgent", Keywords: []string{"fora do ar", "caído", "site down", "לא עובד"}},
			{Name: "VIP", Position: 2, Priority: "high", Tiers: []string{"vip"}},
		} {
			if _, err := f.SLA.CreatePriorityRule(ctx, f.Admin, in); err != nil {
				t.Fatal(err)
			}
		}
		mk := func(subject, email, priority string) ticket.Ticket {
			t.Helper()
			tk, err := f.Tickets.Create(ctx, f.Agent, ticket.CreateInput{Subject: subject, Body: "…", Priority: priority, Requester: &ticket.RequesterInput{Email: email}})
			if err != nil {
				t.Fatal(err)
			}
			return tk
		}
		if tk := mk("Sistema FORA DO AR", "a@x.test", ""); tk.Priority != "urgent" {
			t.Errorf("keyword rule: %s", tk.Priority)
		} else if ev := eventTypes(t, f, tk.ID); !slices.Contains(ev, "priority_set_by_rule:priority:urgent") {
			t.Errorf("no rule event: %v", ev)
		}
		if tk := mk("האתר לא עובד", "b@x.test", ""); tk.Priority != "urgent" {
			t.Errorf("hebrew keyword: %s", tk.Priority)
		}
		if tk := mk("Sistema fora do ar", "c@x.test", "low"); tk.Priority != "low" {
			t.Errorf("an explicit priority was overridden: %s", tk.Priority)
		}
		vip, err := f.People.CreateContact(ctx, f.Agent, people.ContactInput{Email: ptr("boss@x.test"), Tier: ptr("vip")})
		if err != nil {
			t.Fatal(err)
		}
		tk, err := f.Tickets.Create(ctx, f.Agent, ticket.CreateInput{Subject: "Question", Body: "b", Requester: &ticket.RequesterInput{ID: vip.ID}})
		if err != nil || tk.Priority != "high" {
			t.Errorf("tier rule: %s %v", tk.Priority, err)
		}
		if tk := mk("Avatar", "d@x.test", ""); tk.Priority != "normal" {
			t.Errorf("no rule: %s", tk.Priority)
		}
	})
}

func ptr[T any](v T) *T { return &v }

// TestNextReplyCyclesAndPauses follows one ticket under clock-hour targets
// through pending spells and two waiting customer messages.
func TestNextReplyCyclesAndPauses(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		if _, err := f.SLA.CreatePolicy(ctx, f.Admin, clocks.PolicyInput{Name: "Clock hours", Position: 1,
			Targets: clocks.Targets{"high": {sla.FirstReply: dur("1h"), sla.NextReply: dur("2h"), sla.Resolution: dur("8h")}}}); err != nil {
			t.Fatal(err)
		}
		t0 := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
		at := func(h, m int) context.Context {
			return ticket.WithNow(ctx, t0.Add(time.Duration(h)*time.Hour+time.Duration(m)*time.Minute))
		}
		tk, err := f.Tickets.Create(at(0, 0), f.Agent, ticket.CreateInput{Subject: "Export fails", Body: "b", Priority: "high", Requester: &ticket.RequesterInput{Email: "n@x.test"}})
		if err != nil {
			t.Fatal(err)
		}
		customer := auth.Actor{Kind: auth.KindContact, ID: tk.RequesterID}
		step := func(c context.Context, actor auth.Actor, status string) {
			t.Helper()
			if _, err := f.Tickets.AddMessage(c, actor, tk.ID, ticket.MessageInput{Body: "…", Status: status}); err != nil {
				t.Fatal(err)
			}
		}
		step(at(0, 30), f.Agent, "pending") // first reply in time; resolution paused after 30m
		if c := clockOf(t, f, tk.ID, "resolution"); c.State != "paused" {
			t.Errorf("resolution while pending: %+v", c)
		}
		step(at(3, 0), customer, "") // reopens: next reply cycle 1 starts, resolution resumes
		nr := clockOf(t, f, tk.ID, "next_reply")
		if nr.State != "active" || !nr.DueAt.Equal(t0.Add(5*time.Hour)) {
			t.Errorf("next reply cycle 1: %+v", nr)
		}
		res := clockOf(t, f, tk.ID, "resolution")
		if res.State != "active" || !res.DueAt.Equal(t0.Add(3*time.Hour+7*time.Hour+30*time.Minute)) {
			t.Errorf("resolution after the pause: %+v, want due %s", res, t0.Add(10*time.Hour+30*time.Minute))
		}
		step(at(6, 0), f.Agent2, "pending") // late: cycle 1 breached at 5h
		if c := clockOf(t, f, tk.ID, "next_reply"); c.State != "breached" || !c.DueAt.Equal(t0.Add(5*time.Hour)) {
			t.Errorf("late next reply: %+v", c)
		}
		step(at(7, 0), customer, "") // cycle 2 starts fresh
		if c := clockOf(t, f, tk.ID, "next_reply"); c.State != "active" || !c.DueAt.Equal(t0.Add(9*time.Hour)) {
			t.Errorf("next reply cycle 2: %+v", c)
		}
		step(at(7, 30), f.Agent, "solved")
		got, _ := f.Tickets.Get(ctx, auth.System, tk.ID)
		states := map[string]string{}
		for _, c := range got.SLA {
			states[c.Metric] = c.State
		}
		// Resolution ran 30m + 3h + 30m + 30m of open time: within 8h.
		if states["first_reply"] != "achieved" || states["next_reply"] != "achieved" || states["resolution"] != "achieved" {
			t.Errorf("final states = %v", states)
		}
		if got.SLADueAt != nil {
			t.Errorf("a solved ticket still has a due time: %v", got.SLADueAt)
		}
	})
}
