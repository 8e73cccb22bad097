package automation_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"tessera/internal/app/apptest"
	"tessera/internal/auth"
	"tessera/internal/automation"
	"tessera/internal/people"
	"tessera/internal/sla"
	"tessera/internal/sla/clocks"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
	"tessera/internal/ticket"
	"tessera/internal/validation"
)

var ctx = context.Background()

func ptr[T any](v T) *T { return &v }

func rule(t *testing.T, f *apptest.Fixture, k automation.Kind, r automation.Rule) automation.Rule {
	t.Helper()
	in := automation.RuleInput{Name: &r.Name, Position: &r.Position, Conditions: &r.Conditions, Actions: &r.Actions}
	if k == automation.KindTrigger {
		in.On = &r.On
	}
	got, err := f.Rules.Create(ctx, f.Admin, k, in)
	if err != nil {
		t.Fatalf("create %s %q: %v", k, r.Name, err)
	}
	return got
}

func newTicket(t *testing.T, f *apptest.Fixture, subject string, mod ...func(*ticket.CreateInput)) ticket.Ticket {
	t.Helper()
	in := ticket.CreateInput{Subject: subject, Body: "Body of " + subject, Requester: &ticket.RequesterInput{Email: "cliente@example.com", Name: "Ana Cliente"}}
	for _, m := range mod {
		m(&in)
	}
	tk, err := f.Tickets.Create(ctx, f.Agent, in)
	if err != nil {
		t.Fatalf("create ticket: %v", err)
	}
	return tk
}

func get(t *testing.T, f *apptest.Fixture, id int64) ticket.Ticket {
	t.Helper()
	tk, err := f.Tickets.Get(ctx, auth.System, id)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func eventsOf(t *testing.T, f *apptest.Fixture, id int64, typ string) []ticket.Event {
	t.Helper()
	ev, err := f.Tickets.Events(ctx, auth.System, id, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []ticket.Event
	for _, e := range ev {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

func jobs(t *testing.T, f *apptest.Fixture, kind string) []string {
	t.Helper()
	rows, err := f.DB.Read().Query(ctx, `SELECT args FROM river_job WHERE kind = $1 ORDER BY id`, kind)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

func TestContractTrigger(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		f := apptest.New(t, engine)
		tr := rule(t, f, automation.KindTrigger, automation.Rule{Name: "Payments", Position: 1, On: []string{"created", "updated"},
			Conditions: automation.Conditions{All: []automation.Condition{{Field: "subject", Op: "contains_any", Value: []any{"pagamento", "payment", "תשלום"}}}},
			Actions: []automation.Action{{Type: "set_priority", Value: "high"}, {Type: "add_tags", Value: []any{"billing"}},
				{Type: "assign_team", Value: float64(f.Billing.ID)}}})
		if !tr.Active || tr.ID == 0 {
			t.Fatalf("created %+v", tr)
		}
		tk := newTicket(t, f, "Problema no PAGAMENTO de março")
		if tk.Priority != "high" || !slices.Contains(tk.Tags, "billing") || tk.TeamID == nil || *tk.TeamID != f.Billing.ID {
			t.Fatalf("trigger did not act: priority %s tags %v team %v", tk.Priority, tk.Tags, tk.TeamID)
		}
		fired := eventsOf(t, f, tk.ID, ticket.EventTriggerFired)
		if len(fired) != 1 || fired[0].NewValue != "Payments" {
			t.Fatalf("trigger_fired events: %+v", fired)
		}
		// The trigger still holds in the next pass, but has nothing left
		// to change: that is no conflict, and nothing is recorded.
		if stopped := eventsOf(t, f, tk.ID, ticket.EventRulesStopped); len(stopped) != 0 {
			t.Errorf("rules_stopped on a trigger that merely still holds: %+v", stopped)
		}
		he := newTicket(t, f, "בעיה בתשלום")
		if he.Priority != "high" {
			t.Errorf("Hebrew subject with a prefix: priority %s", he.Priority)
		}
		other := newTicket(t, f, "Password reset")
		if other.Priority != "normal" || len(eventsOf(t, f, other.ID, ticket.EventTriggerFired)) != 0 {
			t.Errorf("unrelated ticket changed: %+v", other)
		}
		got, err := f.Rules.Get(ctx, automation.KindTrigger, tr.ID)
		if err != nil || got.FiredCount != 2 || got.LastFiredAt == nil {
			t.Errorf("fired count: %+v %v", got, err)
		}
		// An update that changes nothing the trigger looks at does not
		// fire it twice on the same ticket's next change... but it does
		// match again on an update: it is "on updated" too, and the ticket
		// still says pagamento. Its actions change nothing then.
		if _, err := f.Tickets.Update(ctx, f.Agent, tk.ID, ticket.UpdateInput{Type: ptr("incident")}); err != nil {
			t.Fatal(err)
		}
		if n := len(eventsOf(t, f, tk.ID, ticket.EventTriggerFired)); n != 2 {
			t.Errorf("trigger_fired after update: %d, want 2", n)
		}
	})
}

func TestConflictingTriggersDoNotLoop(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		f := apptest.New(t, engine)
		prio := func(name, from, to string) automation.Rule {
			return automation.Rule{Name: name, On: []string{"updated"},
				Conditions: automation.Conditions{All: []automation.Condition{{Field: "priority", Op: "is", Value: from}}},
				Actions:    []automation.Action{{Type: "set_priority", Value: to}}}
		}
		rule(t, f, automation.KindTrigger, prio("A high to low", "high", "low"))
		rule(t, f, automation.KindTrigger, prio("B low to high", "low", "high"))
		tk := newTicket(t, f, "Loop bait")
		if _, err := f.Tickets.Update(ctx, f.Agent, tk.ID, ticket.UpdateInput{Priority: ptr("high")}); err != nil {
			t.Fatalf("update: %v", err)
		}
		// high (agent) → low (A) → high (B); A matches again and is held.
		if got := get(t, f, tk.ID); got.Priority != "high" {
			t.Errorf("priority %s, want high", got.Priority)
		}
		fired := eventsOf(t, f, tk.ID, ticket.EventTriggerFired)
		if len(fired) != 2 || fired[0].NewValue != "A high to low" || fired[1].NewValue != "B low to high" {
			t.Errorf("fired: %+v", fired)
		}
		stopped := eventsOf(t, f, tk.ID, ticket.EventRulesStopped)
		if len(stopped) != 1 || !strings.Contains(stopped[0].NewValue, "A high to low") {
			t.Errorf("rules_stopped: %+v", stopped)
		}
	})
}

func TestPassLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		f := apptest.New(t, engine)
		// A chain t1 → t2 → … → t7: each adds the tag the next waits for.
		for i := 1; i <= 7; i++ {
			r := automation.Rule{Name: "step " + string(rune('0'+i)), Position: i, On: []string{"created", "updated"},
				Actions: []automation.Action{{Type: "add_tags", Value: []any{"s" + string(rune('0'+i))}}}}
			if i > 1 {
				r.Conditions.All = []automation.Condition{{Field: "tags", Op: "changed_to", Value: "s" + string(rune('0'+i-1))}}
			} else {
				r.Conditions.All = []automation.Condition{{Field: "subject", Op: "contains_any", Value: []any{"chain"}}}
			}
			rule(t, f, automation.KindTrigger, r)
		}
		tk := newTicket(t, f, "chain reaction")
		fired := eventsOf(t, f, tk.ID, ticket.EventTriggerFired)
		if len(fired) != automation.MaxPasses {
			t.Errorf("fired %d triggers, want %d (one per pass)", len(fired), automation.MaxPasses)
		}
		stopped := eventsOf(t, f, tk.ID, ticket.EventRulesStopped)
		if len(stopped) != 1 || !strings.Contains(stopped[0].NewValue, "passes") {
			t.Errorf("rules_stopped: %+v", stopped)
		}
	})
}

func TestFailingRuleIsUndoneAlone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		f := apptest.New(t, engine)
		rule(t, f, automation.KindTrigger, automation.Rule{Name: "Route", Position: 1, On: []string{"created"},
			Actions: []automation.Action{{Type: "add_tags", Value: []any{"routed"}}, {Type: "route", Value: "round_robin"}}})
		rule(t, f, automation.KindTrigger, automation.Rule{Name: "Tag", Position: 2, On: []string{"created"},
			Actions: []automation.Action{{Type: "add_tags", Value: []any{"seen"}}}})
		tk := newTicket(t, f, "Anything")
		if slices.Contains(tk.Tags, "routed") || !slices.Contains(tk.Tags, "seen") {
			t.Errorf("tags %v: the failed rule's tag must be undone, the next rule must run", tk.Tags)
		}
		failed := eventsOf(t, f, tk.ID, ticket.EventRuleFailed)
		if len(failed) != 1 || !strings.Contains(failed[0].NewValue, "routing") {
			t.Errorf("rule_failed: %+v", failed)
		}
	})
}

type fakeRouter struct{ calls []string }

func (r *fakeRouter) RouteIn(ctx context.Context, tx *store.Tx, ticketID int64, strategy string) (int64, bool, error) {
	r.calls = append(r.calls, strategy)
	return 0, false, nil
}

type fakeHooks struct{ calls []string }

func (h *fakeHooks) EnqueueIn(ctx context.Context, tx *store.Tx, webhookID int64, event string, ticketID int64) error {
	h.calls = append(h.calls, event)
	if webhookID == 99 {
		return errors.New("webhook 99: not found")
	}
	return nil
}

func TestActions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		f := apptest.New(t, engine)
		router, hooks := &fakeRouter{}, &fakeHooks{}
		f.Rules.Router, f.Rules.Webhooks = router, hooks
		vip, err := f.People.CreateContact(ctx, f.Agent, peopleContact("vip@example.com", "vip"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Tickets.CreateField(ctx, f.Admin, fieldDef("plan")); err != nil {
			t.Fatal(err)
		}
		rule(t, f, automation.KindTrigger, automation.Rule{Name: "VIP", On: []string{"created"},
			Conditions: automation.Conditions{All: []automation.Condition{{Field: "contact_tier", Op: "is", Value: "VIP"}}},
			Actions: []automation.Action{
				{Type: "set_priority", Value: "urgent"}, {Type: "set_type", Value: "incident"}, {Type: "set_status", Value: "pending"},
				{Type: "assign_agent", Value: float64(f.Agent2.ID)}, {Type: "assign_team", Value: float64(f.Support.ID)},
				{Type: "set_custom_field", Value: map[string]any{"key": "plan", "value": "gold"}},
				{Type: "add_tags", Value: []any{"vip", "temp"}}, {Type: "remove_tags", Value: []any{"temp"}},
				{Type: "add_note", Value: "VIP {{requester.first_name}} opened #{{ticket.number}} ({{rule.name}})"},
				{Type: "send_email", Value: map[string]any{"to": "team", "subject": "VIP #{{ticket.number}}", "body": "{{ticket.subject}} {{ticket.url}}"}},
				{Type: "send_email", Value: map[string]any{"to": "address", "address": "boss@example.com", "subject": "VIP", "body": "{{assignee.name}}"}},
				{Type: "route", Value: "least_loaded"},
				{Type: "call_webhook", Value: float64(7)},
			}})
		tk := newTicket(t, f, "Hello", func(in *ticket.CreateInput) { in.Requester = &ticket.RequesterInput{ID: vip.ID} })
		if tk.Priority != "urgent" || tk.Type != "incident" || tk.Status != "pending" || tk.AssigneeID == nil || *tk.AssigneeID != f.Agent2.ID ||
			tk.TeamID == nil || *tk.TeamID != f.Support.ID || tk.CustomFields["plan"] != "gold" || !slices.Equal(tk.Tags, []string{"vip"}) {
			t.Fatalf("fields: %+v", tk)
		}
		msgs, err := f.Tickets.Messages(ctx, f.Admin, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		note := msgs[len(msgs)-1]
		if note.Kind != ticket.KindNote || note.BodyText != "VIP Vera opened #"+itoa(tk.Number)+" (VIP)" {
			t.Errorf("note: %q", note.BodyText)
		}
		mails := jobs(t, f, "send_mail")
		// Support has Agent, Agent2 and Light; then the address.
		if len(mails) != 4 || !strings.Contains(mails[3], "boss@example.com") || !strings.Contains(mails[3], "Bea Agent") ||
			!strings.Contains(mails[0], "/tickets/"+itoa(tk.ID)) {
			t.Errorf("mails: %v", mails)
		}
		if !slices.Equal(router.calls, []string{"least_loaded"}) || !slices.Equal(hooks.calls, []string{"trigger.fired"}) {
			t.Errorf("router %v hooks %v", router.calls, hooks.calls)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func peopleContact(email, tier string) people.ContactInput {
	return people.ContactInput{Name: ptr("Vera Importante"), Email: &email, Tier: &tier}
}

func fieldDef(key string) ticket.FieldDef {
	return ticket.FieldDef{Key: key, Name: "Plan", Kind: "text"}
}

// slaPolicy is a policy whose conditions match nothing on their own.
func slaPolicy(name string, active bool) clocks.PolicyInput {
	return clocks.PolicyInput{Name: name, Active: &active, Targets: clocks.Targets{
		"normal": {sla.FirstReply: clocks.Duration(time.Hour), sla.Resolution: clocks.Duration(8 * time.Hour)},
		"high":   {sla.FirstReply: clocks.Duration(30 * time.Minute)},
	}}
}

func TestSetSLAPolicy(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		f := apptest.New(t, engine)
		p, err := f.SLA.CreatePolicy(ctx, f.Admin, slaPolicy("Gold", false))
		if err != nil {
			t.Fatal(err)
		}
		rule(t, f, automation.KindTrigger, automation.Rule{Name: "Gold SLA", On: []string{"created"},
			Conditions: automation.Conditions{All: []automation.Condition{{Field: "subject", Op: "contains_any", Value: []any{"gold"}}}},
			Actions:    []automation.Action{{Type: "set_sla_policy", Value: float64(p.ID)}}})
		tk := newTicket(t, f, "Gold customer")
		if tk.SLAPolicyID == nil || *tk.SLAPolicyID != p.ID || len(tk.SLA) == 0 {
			t.Fatalf("policy not pinned: %v %+v", tk.SLAPolicyID, tk.SLA)
		}
		plain := newTicket(t, f, "Plain customer")
		if plain.SLAPolicyID != nil {
			t.Errorf("inactive policy applied without the rule: %v", plain.SLAPolicyID)
		}
	})
}

func TestRuleAPIValidationAndAccess(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		f := apptest.New(t, engine)
		in := automation.RuleInput{Name: ptr("x"), On: &[]string{"created"}, Actions: &[]automation.Action{{Type: "assign_team", Value: float64(9999)}}}
		_, err := f.Rules.Create(ctx, f.Admin, automation.KindTrigger, in)
		if ve, ok := validation.As(err); !ok || ve.Fields[0].Field != "actions[0].value" {
			t.Errorf("missing team: %v", err)
		}
		in.Actions = &[]automation.Action{{Type: "set_status", Value: "solved"}}
		if _, err := f.Rules.Create(ctx, f.Agent, automation.KindTrigger, in); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("agent created a trigger: %v", err)
		}
		r, err := f.Rules.Create(ctx, f.Admin, automation.KindTrigger, in)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Rules.Create(ctx, f.Admin, automation.KindTrigger, in); err == nil {
			t.Error("duplicate name accepted")
		}
		r, err = f.Rules.Update(ctx, f.Admin, automation.KindTrigger, r.ID, automation.RuleInput{Active: ptr(false)})
		if err != nil || r.Active || r.Name != "x" {
			t.Fatalf("patch: %+v %v", r, err)
		}
		tk := newTicket(t, f, "inactive rule")
		if tk.Status == "solved" {
			t.Error("inactive trigger fired")
		}
		if err := f.Rules.Delete(ctx, f.Admin, automation.KindTrigger, r.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Rules.Get(ctx, automation.KindTrigger, r.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("deleted rule: %v", err)
		}
	})
}

func TestDryRun(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		f := apptest.New(t, engine)
		tr := rule(t, f, automation.KindTrigger, automation.Rule{Name: "Urgent refunds", On: []string{"updated"},
			Conditions: automation.Conditions{All: []automation.Condition{{Field: "subject", Op: "contains_any", Value: []any{"refund"}}},
				Any: []automation.Condition{{Field: "priority", Op: "is", Value: "urgent"}, {Field: "channel", Op: "is", Value: "api"}}},
			Actions: []automation.Action{{Type: "set_priority", Value: "high"}}})
		tk := newTicket(t, f, "Refund please")
		before := get(t, f, tk.ID)
		d, err := f.Rules.Test(ctx, f.Light, automation.KindTrigger, tr.ID, automation.TestInput{TicketID: tk.ID})
		if err != nil {
			t.Fatal(err)
		}
		if !d.Matched || !d.Conditions.All[0].Matched || d.Conditions.Any[0].Matched || !d.Conditions.Any[1].Matched || len(d.Actions) != 1 {
			t.Errorf("dry run: %+v", d)
		}
		if after := get(t, f, tk.ID); after.Priority != before.Priority || !after.UpdatedAt.Equal(before.UpdatedAt) {
			t.Error("the dry run changed the ticket")
		}
		d, err = f.Rules.Test(ctx, f.Light, automation.KindTrigger, tr.ID, automation.TestInput{TicketID: tk.ID, Event: "created"})
		if err != nil || d.Matched {
			t.Errorf("an updated-only trigger matched a creation: %+v %v", d, err)
		}
		if _, err := f.Rules.Test(ctx, f.TeamAgent, automation.KindTrigger, tr.ID, automation.TestInput{TicketID: tk.ID}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("team agent tested a ticket outside their teams: %v", err)
		}
	})
}

func TestAutomationsRunOnTime(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		f := apptest.New(t, engine)
		t0 := time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)
		at := func(d time.Duration) context.Context { return ticket.WithNow(ctx, t0.Add(d)) }
		una := rule(t, f, automation.KindAutomation, automation.Rule{Name: "Unassigned 30 minutes",
			Conditions: automation.Conditions{All: []automation.Condition{
				{Field: "hours_since", Value: map[string]any{"event": "unassigned", "minutes": 30.0}},
				{Field: "status_category", Op: "in", Value: []any{"new", "open"}}}},
			Actions: []automation.Action{{Type: "add_note", Value: "Nobody took #{{ticket.number}} for 30 minutes"}, {Type: "add_tags", Value: []any{"waiting"}}}})
		rule(t, f, automation.KindAutomation, automation.Rule{Name: "Close solved after 4 days",
			Conditions: automation.Conditions{All: []automation.Condition{{Field: "hours_since", Value: map[string]any{"event": "solved", "hours": 96.0}}}},
			Actions:    []automation.Action{{Type: "set_status", Value: "closed"}}})
		// A trigger reacts to the automation's change.
		rule(t, f, automation.KindTrigger, automation.Rule{Name: "Waiting is high", On: []string{"updated"},
			Conditions: automation.Conditions{All: []automation.Condition{{Field: "tags", Op: "changed_to", Value: "waiting"}}},
			Actions:    []automation.Action{{Type: "set_priority", Value: "high"}}})

		in := ticket.CreateInput{Subject: "Waiting", Body: "b", Requester: &ticket.RequesterInput{Email: "w@example.com"}}
		waiting, err := f.Tickets.Create(at(0), f.Agent, in)
		if err != nil {
			t.Fatal(err)
		}
		in.Subject = "Taken"
		taken, err := f.Tickets.Create(at(0), f.Agent, in)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Tickets.Update(at(10*time.Minute), f.Agent, taken.ID, ticket.UpdateInput{AssigneeID: ticket.Optional[int64]{Set: true, Value: &f.Agent.ID}}); err != nil {
			t.Fatal(err)
		}
		run := func(d time.Duration) int {
			t.Helper()
			n, err := f.Rules.RunDue(ctx, t0.Add(d))
			if err != nil {
				t.Fatalf("run at +%v: %v", d, err)
			}
			return n
		}
		if n := run(29 * time.Minute); n != 0 {
			t.Fatalf("fired %d at 29 minutes", n)
		}
		if n := run(31 * time.Minute); n != 1 {
			t.Fatalf("fired %d at 31 minutes, want 1", n)
		}
		w := get(t, f, waiting.ID)
		if !slices.Contains(w.Tags, "waiting") || w.Priority != "high" {
			t.Errorf("waiting ticket: tags %v priority %s", w.Tags, w.Priority)
		}
		if got := eventsOf(t, f, waiting.ID, ticket.EventAutomationFired); len(got) != 1 || got[0].OldValue != itoa(una.ID) {
			t.Errorf("automation_fired: %+v", got)
		}
		if get(t, f, taken.ID).Tags != nil && slices.Contains(get(t, f, taken.ID).Tags, "waiting") {
			t.Error("the assigned ticket was nudged")
		}
		if n := run(2 * time.Hour); n != 0 {
			t.Errorf("fired again: %d", n)
		}
		// Unassigned again later: still at most once per ticket.
		if _, err := f.Tickets.Update(at(3*time.Hour), f.Agent, waiting.ID, ticket.UpdateInput{AssigneeID: ticket.Optional[int64]{Set: true, Value: &f.Agent.ID}}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.Tickets.Update(at(4*time.Hour), f.Agent, waiting.ID, ticket.UpdateInput{AssigneeID: ticket.Optional[int64]{Set: true}}); err != nil {
			t.Fatal(err)
		}
		if n := run(6 * time.Hour); n != 0 {
			t.Errorf("fired twice on one ticket: %d", n)
		}
		// Solved for 4 days → closed.
		if _, err := f.Tickets.Update(at(5*time.Hour), f.Agent, taken.ID, ticket.UpdateInput{Status: ptr("solved")}); err != nil {
			t.Fatal(err)
		}
		if n := run(5*time.Hour + 95*time.Hour); n != 0 {
			t.Errorf("closed early: %d", n)
		}
		if n := run(5*time.Hour + 96*time.Hour); n != 1 {
			t.Errorf("not closed at 4 days: %d", n)
		}
		if got := get(t, f, taken.ID); got.StatusCategory != ticket.StatusClosed {
			t.Errorf("status %s, want closed", got.Status)
		}
	})
}

func TestAutomationRechecksConditions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		f := apptest.New(t, engine)
		t0 := time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)
		rule(t, f, automation.KindAutomation, automation.Rule{Name: "Pending VIP",
			Conditions: automation.Conditions{All: []automation.Condition{
				{Field: "hours_since", Value: map[string]any{"event": "status_pending", "hours": 1.0}},
				{Field: "tags", Op: "contains_any", Value: []any{"vip"}}}},
			Actions: []automation.Action{{Type: "set_priority", Value: "urgent"}}})
		in := ticket.CreateInput{Subject: "Pending", Body: "b", Requester: &ticket.RequesterInput{Email: "p@example.com"}, Status: "pending"}
		tk, err := f.Tickets.Create(ticket.WithNow(ctx, t0), f.Agent, in)
		if err != nil {
			t.Fatal(err)
		}
		if n, err := f.Rules.RunDue(ctx, t0.Add(2*time.Hour)); err != nil || n != 0 {
			t.Fatalf("fired without the tag: %d %v", n, err)
		}
		// The tag comes later: the change re-arms the rule, due already.
		if _, err := f.Tickets.Update(ticket.WithNow(ctx, t0.Add(3*time.Hour)), f.Agent, tk.ID, ticket.UpdateInput{AddTags: []string{"vip"}}); err != nil {
			t.Fatal(err)
		}
		if n, err := f.Rules.RunDue(ctx, t0.Add(3*time.Hour)); err != nil || n != 1 {
			t.Fatalf("fired %d after the tag: %v", n, err)
		}
		if got := get(t, f, tk.ID); got.Priority != "urgent" {
			t.Errorf("priority %s", got.Priority)
		}
	})
}

func TestAutomationBackfill(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		f := apptest.New(t, engine)
		solved := newTicket(t, f, "Solved before the rule")
		if _, err := f.Tickets.Update(ctx, f.Agent, solved.ID, ticket.UpdateInput{Status: ptr("solved")}); err != nil {
			t.Fatal(err)
		}
		open := newTicket(t, f, "Open")
		a := rule(t, f, automation.KindAutomation, automation.Rule{Name: "Close solved",
			Conditions: automation.Conditions{All: []automation.Condition{{Field: "hours_since", Value: map[string]any{"event": "solved", "hours": 96.0}}}},
			Actions:    []automation.Action{{Type: "set_status", Value: "closed"}}})
		if n := len(jobs(t, f, "schedule_automation")); n != 1 {
			t.Fatalf("%d backfill jobs queued, want 1", n)
		}
		if n, err := f.Rules.RunDue(ctx, store.Now().Add(97*time.Hour)); err != nil || n != 0 {
			t.Fatalf("fired %d before the backfill: %v", n, err)
		}
		last, more, err := f.Rules.Backfill(ctx, a.ID, 0)
		if err != nil || more || last != solved.ID {
			t.Fatalf("backfill: last %d more %v: %v (the open ticket %d is not a candidate)", last, more, err, open.ID)
		}
		if n, err := f.Rules.RunDue(ctx, store.Now().Add(97*time.Hour)); err != nil || n != 1 {
			t.Fatalf("fired %d after the backfill: %v", n, err)
		}
		if got := get(t, f, solved.ID); got.StatusCategory != ticket.StatusClosed {
			t.Errorf("status %s", got.Status)
		}
	})
}

// TestBusinessHoursFromTheSLACalendar: "business" time and the
// business_hours condition read the calendar of the ticket's SLA policy.
func TestBusinessHoursFromTheSLACalendar(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		f := apptest.New(t, engine)
		week := map[string][][]string{}
		for _, d := range []string{"mon", "tue", "wed", "thu", "fri"} {
			week[d] = [][]string{{"09:00", "17:00"}}
		}
		cal, err := f.SLA.CreateCalendar(ctx, f.Admin, clocks.CalendarInput{Name: "Office", TimeZone: "UTC", Hours: week})
		if err != nil {
			t.Fatal(err)
		}
		in := slaPolicy("Office hours", true)
		in.CalendarID, in.BusinessHours = &cal.ID, true
		if _, err := f.SLA.CreatePolicy(ctx, f.Admin, in); err != nil {
			t.Fatal(err)
		}
		a := rule(t, f, automation.KindAutomation, automation.Rule{Name: "Pending 2 business hours",
			Conditions: automation.Conditions{All: []automation.Condition{
				{Field: "hours_since", Value: map[string]any{"event": "status_pending", "hours": 2.0, "business": true}}}},
			Actions: []automation.Action{{Type: "add_tags", Value: []any{"nudged"}}}})
		rule(t, f, automation.KindTrigger, automation.Rule{Name: "After hours", On: []string{"created"},
			Conditions: automation.Conditions{All: []automation.Condition{{Field: "business_hours", Op: "is", Value: "outside"}}},
			Actions:    []automation.Action{{Type: "add_tags", Value: []any{"after_hours"}}}})
		monday4pm := time.Date(2026, 6, 1, 16, 0, 0, 0, time.UTC)
		tk, err := f.Tickets.Create(ticket.WithNow(ctx, monday4pm), f.Agent, ticket.CreateInput{Subject: "Pending", Body: "b",
			Requester: &ticket.RequesterInput{Email: "p@example.com"}, Status: "pending"})
		if err != nil {
			t.Fatal(err)
		}
		if slices.Contains(tk.Tags, "after_hours") {
			t.Error("a ticket created at 16:00 on a Monday is after hours")
		}
		var due time.Time
		if err := f.DB.Read().QueryRow(ctx, `SELECT due_at FROM automation_due WHERE automation_id = $1 AND ticket_id = $2`, a.ID, tk.ID).Scan(&due); err != nil {
			t.Fatal(err)
		}
		// One business hour on Monday, the second from 09:00 on Tuesday.
		if want := time.Date(2026, 6, 2, 10, 0, 0, 0, time.UTC); !due.Equal(want) {
			t.Errorf("due %v, want %v", due, want)
		}
		late, err := f.Tickets.Create(ticket.WithNow(ctx, monday4pm.Add(3*time.Hour)), f.Agent, ticket.CreateInput{Subject: "Late", Body: "b",
			Requester: &ticket.RequesterInput{Email: "p@example.com"}})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(late.Tags, "after_hours") {
			t.Errorf("a ticket created at 19:00 is inside business hours: %v", late.Tags)
		}
	})
}
