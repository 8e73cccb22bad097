package automation_test

import (
	"fmt"
	"testing"
	"time"

	"tessera/internal/app/apptest"
	"tessera/internal/automation"
	"tessera/internal/store"
	"tessera/internal/ticket"
)

// benchRules are 200 triggers of the kinds a desk writes: keywords in
// four languages in the subject or body, a channel and priority, tags, a
// change condition, a custom field. Only a few match the benchmark ticket.
func benchRules(n int) []automation.Rule {
	words := [][]any{{"pagamento", "payment", "pago", "תשלום"}, {"refund", "reembolso", "estorno"}, {"outage", "fora do ar", "caído"},
		{"password", "senha", "contraseña"}, {"invoice", "fatura", "factura"}}
	out := make([]automation.Rule, n)
	for i := range out {
		c := []automation.Condition{{Field: "subject", Op: "contains_any", Value: append(words[i%len(words)], fmt.Sprintf("code%d", i))}}
		switch i % 4 {
		case 1:
			c = append(c, automation.Condition{Field: "channel", Op: "in", Value: []any{"email", "web"}})
		case 2:
			c = append(c, automation.Condition{Field: "tags", Op: "contains_none", Value: []any{"spam", fmt.Sprintf("t%d", i)}})
		case 3:
			c = []automation.Condition{{Field: "body", Op: "contains_all", Value: []any{fmt.Sprintf("order %d", i), "late"}},
				{Field: "priority", Op: "raised"}}
		}
		out[i] = automation.Rule{ID: int64(i + 1), Name: fmt.Sprintf("rule %d", i), Position: i, Active: true, On: []string{"created", "updated"},
			Conditions: automation.Conditions{All: c, Any: []automation.Condition{{Field: "custom_fields.plan", Op: "not_in", Value: []any{"trial"}},
				{Field: "contact_tier", Op: "is", Value: "vip"}}},
			Actions: []automation.Action{{Type: "add_tags", Value: []any{"x"}}}}
	}
	return out
}

// BenchmarkMatch200 evaluates 200 compiled triggers against the facts of
// one event (the word index of subject and body built once per event, as
// the engine does per pass).
func BenchmarkMatch200(b *testing.B) {
	var progs []*automation.Program
	for _, r := range benchRules(200) {
		p, err := automation.Compile(r)
		if err != nil {
			b.Fatal(err)
		}
		progs = append(progs, p)
	}
	body := "Olá, o meu pedido está atrasado e o pagamento foi cobrado duas vezes. Segue o número do pedido e o comprovante. " +
		"Hello, my order 17 is late and the payment was charged twice; please refund it. Obrigado!"
	b.ReportAllocs()
	matched := 0
	for b.Loop() {
		f := &automation.Facts{Event: "updated", Now: time.Now(), Subject: "Pagamento em dobro no cartão", Body: body, Status: "open",
			StatusCategory: "open", Priority: "high", Channel: "email", Tags: []string{"billing"}, CustomFields: map[string]any{"plan": "gold"},
			Changes: map[string]automation.FieldChange{"priority": {Old: "normal", New: "high"}}}
		matched = 0
		for _, p := range progs {
			if p.Match(f) {
				matched++
			}
		}
	}
	b.ReportMetric(float64(matched), "matched")
}

// BenchmarkUpdateWith200Triggers is the whole cost of one ticket change
// (the ticket service's transaction: events, clocks, the trigger pass and
// its reads) with 200 active triggers, of which none act, against the same
// change without triggers.
func BenchmarkUpdateWith200Triggers(b *testing.B) {
	for _, n := range []int{0, 200} {
		b.Run(fmt.Sprintf("triggers=%d", n), func(b *testing.B) {
			f := apptest.New(b, store.SQLite)
			for _, r := range benchRules(n) {
				// Never fires: the benchmark measures evaluation, not actions.
				r.Conditions.All = append(r.Conditions.All, automation.Condition{Field: "tags", Op: "contains_any", Value: []any{"never"}})
				if _, err := f.Rules.Create(ctx, f.Admin, automation.KindTrigger, automation.RuleInput{Name: &r.Name, Position: &r.Position,
					On: &r.On, Conditions: &r.Conditions, Actions: &r.Actions}); err != nil {
					b.Fatal(err)
				}
			}
			tk, err := f.Tickets.Create(ctx, f.Agent, ticket.CreateInput{Subject: "Pagamento em dobro", Body: "my order 17 is late",
				Requester: &ticket.RequesterInput{Email: "bench@example.com"}})
			if err != nil {
				b.Fatal(err)
			}
			prios := []string{"high", "normal"}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if err := f.DB.InTx(ctx, func(tx *store.Tx) error {
					return f.Tickets.UpdateIn(ctx, tx, f.Agent, tk.ID, ticket.UpdateInput{Priority: &prios[i%2]})
				}); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// BenchmarkRunDueNothingDue is the runner's cost when many tickets wait
// for automations that are not due yet: it reads the partial index on
// (due_at) WHERE fired_at IS NULL, so 10,000 waiting rows cost what none do.
func BenchmarkRunDueNothingDue(b *testing.B) {
	for _, waiting := range []int{0, 10_000} {
		b.Run(fmt.Sprintf("waiting=%d", waiting), func(b *testing.B) {
			f := apptest.New(b, store.SQLite)
			if waiting > 0 {
				for i := range 100 {
					name := fmt.Sprintf("Wait %d", i)
					conds := automation.Conditions{All: []automation.Condition{{Field: "hours_since", Value: map[string]any{"event": "created", "hours": 1000 + i}}}}
					acts := []automation.Action{{Type: "add_tags", Value: []any{"late"}}}
					if _, err := f.Rules.Create(ctx, f.Admin, automation.KindAutomation, automation.RuleInput{Name: &name, Conditions: &conds, Actions: &acts}); err != nil {
						b.Fatal(err)
					}
				}
				for range waiting / 100 {
					if _, err := f.Tickets.Create(ctx, f.Agent, ticket.CreateInput{Subject: "Waiting", Body: "b",
						Requester: &ticket.RequesterInput{Email: "wait@example.com"}}); err != nil {
						b.Fatal(err)
					}
				}
				var n int
				if err := f.DB.Read().QueryRow(ctx, `SELECT COUNT(*) FROM automation_due WHERE fired_at IS NULL`).Scan(&n); err != nil || n != waiting {
					b.Fatalf("%d rows waiting (%v), want %d", n, err, waiting)
				}
			}
			now := store.Now()
			for b.Loop() {
				if n, err := f.Rules.RunDue(ctx, now); err != nil || n != 0 {
					b.Fatalf("fired %d: %v", n, err)
				}
			}
		})
	}
}
