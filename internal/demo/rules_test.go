package demo

import (
	"slices"
	"testing"
	"time"

	"tessera/internal/auth"
	"tessera/internal/automation"
	"tessera/internal/people"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
	"tessera/internal/ticket"
)

// TestDemoRules: the shipped rules do what the demo promises, and writing
// them twice (a resumed load) adds nothing.
func TestDemoRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		a := newApp(t, engine)
		teams, err := createTeams(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if err := createRules(ctx, a, teams); err != nil {
				t.Fatal(err)
			}
		}
		trs, _ := a.Rules.List(ctx, automation.KindTrigger)
		aus, _ := a.Rules.List(ctx, automation.KindAutomation)
		if len(trs) != 2 || len(aus) != 2 {
			t.Fatalf("%d triggers, %d automations", len(trs), len(aus))
		}
		t0 := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
		for _, subject := range []string{"Problema com o pagamento", "Payment failed", "No puedo hacer el pago", "בעיה עם תשלום"} {
			tk, err := a.Tickets.Create(ticket.WithNow(ctx, t0), auth.System, ticket.CreateInput{Subject: subject, Body: "…",
				Requester: &ticket.RequesterInput{Email: "pay@example.com"}})
			if err != nil {
				t.Fatal(err)
			}
			if tk.Priority != "high" || tk.TeamID == nil || *tk.TeamID != teams[billing] {
				t.Errorf("%q: priority %s team %v", subject, tk.Priority, tk.TeamID)
			}
		}
		tier, email := "vip", "vip@example.com"
		vip, err := a.People.CreateContact(ctx, auth.System, people.ContactInput{Email: &email, Tier: &tier})
		if err != nil {
			t.Fatal(err)
		}
		tk, err := a.Tickets.Create(ticket.WithNow(ctx, t0), auth.System, ticket.CreateInput{Subject: "Pagamento", Body: "…",
			Requester: &ticket.RequesterInput{ID: vip.ID}})
		if err != nil {
			t.Fatal(err)
		}
		if tk.Priority != "urgent" {
			t.Errorf("VIP priority %s", tk.Priority)
		}
		n, err := a.Rules.RunDue(ctx, t0.Add(31*time.Minute))
		if err != nil || n != 5 {
			t.Fatalf("unassigned for 30 minutes fired %d times: %v", n, err)
		}
		msgs, err := a.Tickets.Messages(ctx, auth.System, tk.ID)
		if err != nil || !slices.ContainsFunc(msgs, func(m ticket.Message) bool {
			return m.Kind == ticket.KindNote && m.BodyText == "Nobody has taken this ticket for 30 minutes; the Billing team was told by mail."
		}) {
			t.Errorf("note: %v %+v", err, msgs)
		}
	})
}
