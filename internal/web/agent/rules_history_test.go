package agent_test

import (
	"net/http"
	"testing"

	"tessera/internal/automation"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
)

// TestTicketHistoryNamesRules: the ticket page says which trigger changed
// the ticket, in the agent's language.
func TestTicketHistoryNamesRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newTicketEnv(t, engine)
		name, on := "Prioridade para pagamentos", []string{"created"}
		conds := automation.Conditions{All: []automation.Condition{{Field: "subject", Op: "contains_any", Value: []any{"pagamento"}}}}
		acts := []automation.Action{{Type: "set_priority", Value: "high"}}
		if _, err := e.f.Rules.Create(t.Context(), e.f.Admin, automation.KindTrigger, automation.RuleInput{Name: &name, On: &on, Conditions: &conds, Actions: &acts}); err != nil {
			t.Fatal(err)
		}
		tk := e.newTicket("Pagamento duplicado", e.f.Support.ID)
		r := e.get(rAgent, tpath(tk.ID, ""))
		wantCode(t, "page", r, http.StatusOK)
		wantBody(t, "en", r, "Trigger “Prioridade para pagamentos” ran")
		r = e.get(rAgent, tpath(tk.ID, "?lang=pt-BR"))
		wantBody(t, "pt-BR", r, "O gatilho “Prioridade para pagamentos” foi executado")
	})
}
