package api_test

import (
	"fmt"
	"net/http"
	"slices"
	"testing"

	"tessera/internal/store"
	"tessera/internal/store/storetest"
)

// TestTriggerContract posts the body issue 6 names and sees it act on a
// ticket created through the API.
func TestTriggerContract(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newEnv(t, engine)
		body := fmt.Sprintf(`{"name": "Pagamentos", "position": 1, "active": true, "on": ["created", "updated"],
			"conditions": {"all": [{"field": "subject", "op": "contains_any", "value": ["pagamento", "payment"]}], "any": []},
			"actions": [{"type": "set_priority", "value": "high"}, {"type": "add_tags", "value": ["billing"]}, {"type": "assign_team", "value": %d}]}`, e.f.Billing.ID)
		var tr struct {
			ID         int64 `json:"id"`
			Active     bool  `json:"active"`
			FiredCount int64 `json:"fired_count"`
		}
		e.must(http.StatusCreated, "POST", "/api/v1/triggers", cAdmin, body, &tr)
		if !tr.Active || tr.ID == 0 {
			t.Fatalf("trigger: %+v", tr)
		}
		var tk struct {
			ID       int64    `json:"id"`
			Priority string   `json:"priority"`
			Tags     []string `json:"tags"`
			TeamID   *int64   `json:"team_id"`
		}
		e.must(http.StatusCreated, "POST", "/api/v1/tickets", cAgent, map[string]any{"subject": "Dúvida sobre o Pagamento",
			"body": "Olá", "requester": map[string]any{"email": "ana@example.org"}}, &tk)
		if tk.Priority != "high" || !slices.Contains(tk.Tags, "billing") || tk.TeamID == nil || *tk.TeamID != e.f.Billing.ID {
			t.Errorf("ticket after the trigger: %+v", tk)
		}
		var events struct {
			Items []struct {
				Type     string `json:"type"`
				NewValue string `json:"new_value"`
			} `json:"items"`
		}
		e.must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/tickets/%d/events", tk.ID), cAgent, nil, &events)
		if !slices.ContainsFunc(events.Items, func(ev struct {
			Type     string `json:"type"`
			NewValue string `json:"new_value"`
		}) bool {
			return ev.Type == "trigger_fired" && ev.NewValue == "Pagamentos"
		}) {
			t.Errorf("no trigger_fired event: %+v", events.Items)
		}
		e.must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/triggers/%d", tr.ID), cLight, nil, &tr)
		if tr.FiredCount != 1 {
			t.Errorf("fired_count %d", tr.FiredCount)
		}
		var dry struct {
			Matched bool             `json:"matched"`
			Actions []map[string]any `json:"actions"`
		}
		e.must(http.StatusOK, "POST", fmt.Sprintf("/api/v1/triggers/%d/test", tr.ID), cAgent, map[string]any{"ticket_id": tk.ID}, &dry)
		if !dry.Matched || len(dry.Actions) != 3 {
			t.Errorf("dry run: %+v", dry)
		}
		checkField(t, e.do("POST", "/api/v1/triggers", cAdmin, map[string]any{"name": "Bad", "on": []string{"created"},
			"conditions": map[string]any{"all": []any{map[string]any{"field": "subject", "op": "bigger", "value": "x"}}},
			"actions":    []any{map[string]any{"type": "set_priority", "value": "high"}}}), "conditions.all[0].op")
		checkField(t, e.do("POST", "/api/v1/automations", cAdmin, map[string]any{"name": "No time",
			"conditions": map[string]any{"all": []any{map[string]any{"field": "status", "op": "is", "value": "open"}}},
			"actions":    []any{map[string]any{"type": "set_priority", "value": "high"}}}), "conditions.all")
		checkField(t, e.do("POST", fmt.Sprintf("/api/v1/triggers/%d/test", tr.ID), cAgent, map[string]any{"ticket_id": 0}), "ticket_id")
		e.must(http.StatusNoContent, "DELETE", fmt.Sprintf("/api/v1/triggers/%d", tr.ID), cAdmin, nil, nil)
		e.must(http.StatusNotFound, "GET", fmt.Sprintf("/api/v1/triggers/%d", tr.ID), cAdmin, nil, nil)
	})
}
