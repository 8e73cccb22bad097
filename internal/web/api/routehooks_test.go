package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"tessera/internal/store"
	"tessera/internal/store/storetest"
)

// TestWebhooksContract: the contract body, the write-only secret,
// refused URLs and events named by field, the delivery log and a test.
func TestWebhooksContract(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newEnv(t, engine)
		body := map[string]any{"url": "https://203.0.113.20/tessera", "secret": "a-shared-secret-of-ours", "events": []string{"ticket.created", "ticket.updated", "message.created"}}
		var created map[string]any
		r := e.must(http.StatusCreated, "POST", "/api/v1/webhooks", cAdmin, body, &created)
		if _, has := created["secret"]; has {
			t.Errorf("a given secret was echoed: %s", r)
		}
		if r.Header.Get("Location") != fmt.Sprintf("/api/v1/webhooks/%v", created["id"]) || created["active"] != true {
			t.Errorf("created %s", r)
		}
		var gen map[string]any
		e.must(http.StatusCreated, "POST", "/api/v1/webhooks", cAdmin, map[string]any{"url": "https://203.0.113.21/x", "events": []string{"sla.breached"}}, &gen)
		if s, _ := gen["secret"].(string); len(s) < 32 {
			t.Errorf("generated secret not returned at creation: %v", gen)
		}
		for _, path := range []string{fmt.Sprintf("/api/v1/webhooks/%v", gen["id"]), "/api/v1/webhooks"} {
			r := e.must(http.StatusOK, "GET", path, cAdmin, nil, nil)
			var raw map[string]json.RawMessage
			_ = json.Unmarshal(r.Body, &raw)
			if _, has := raw["secret"]; has {
				t.Errorf("%s shows the secret", path)
			}
			if string(r.Body) == "" || json.Valid(r.Body) == false {
				t.Errorf("%s: %s", path, r)
			}
		}
		checkField(t, e.do("POST", "/api/v1/webhooks", cAdmin, map[string]any{"url": "http://169.254.169.254/latest", "events": []string{"ticket.created"}}), "url")
		checkField(t, e.do("POST", "/api/v1/webhooks", cAdmin, map[string]any{"url": "http://127.0.0.1:9/", "events": []string{"ticket.created"}}), "url")
		checkField(t, e.do("POST", "/api/v1/webhooks", cAdmin, map[string]any{"url": "https://203.0.113.20/", "events": []string{"ticket.deleted"}}), "events")
		checkField(t, e.do("PATCH", fmt.Sprintf("/api/v1/webhooks/%v", created["id"]), cAdmin, map[string]any{"secret": "short"}), "secret")

		// A ticket change queues a delivery; the test endpoint another.
		e.newTicket("Hooked", 0)
		var d map[string]any
		e.must(http.StatusAccepted, "POST", fmt.Sprintf("/api/v1/webhooks/%v/test", created["id"]), cAdmin, nil, &d)
		if d["event"] != "webhook.test" || d["status"] != "pending" {
			t.Errorf("test delivery %v", d)
		}
		var log struct {
			Items []struct {
				Event  string `json:"event"`
				Status string `json:"status"`
			} `json:"items"`
			NextCursor string `json:"next_cursor"`
		}
		e.must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/webhooks/%v/deliveries?limit=1", created["id"]), cAdmin, nil, &log)
		if len(log.Items) != 1 || log.Items[0].Event != "webhook.test" || log.NextCursor == "" {
			t.Fatalf("first page %+v", log)
		}
		e.must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/webhooks/%v/deliveries?limit=1&cursor=%s", created["id"], log.NextCursor), cAdmin, nil, &log)
		if len(log.Items) != 1 || log.Items[0].Event != "ticket.created" || log.NextCursor != "" {
			t.Errorf("second page %+v", log)
		}
		e.must(http.StatusNoContent, "DELETE", fmt.Sprintf("/api/v1/webhooks/%v", created["id"]), cAdmin, nil, nil)
		checkProblem(t, e.do("GET", fmt.Sprintf("/api/v1/webhooks/%v/deliveries", created["id"]), cAdmin, nil), http.StatusNotFound)
	})
}

// TestEscalateAPI: a team with a strategy, an escalation that moves and
// re-routes the ticket, and the refusals named by field.
func TestEscalateAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newEnv(t, engine)
		var team struct {
			ID              int64  `json:"id"`
			RoutingStrategy string `json:"routing_strategy"`
		}
		e.must(http.StatusCreated, "POST", "/api/v1/teams", cAdmin, map[string]any{"name": "Second line", "tier": 2, "agent_ids": []int64{e.f.Agent2.ID}}, &team)
		if team.RoutingStrategy != "manual" {
			t.Errorf("default strategy %q", team.RoutingStrategy)
		}
		checkField(t, e.do("PATCH", fmt.Sprintf("/api/v1/teams/%d", team.ID), cAdmin, map[string]any{"routing_strategy": "lottery"}), "routing_strategy")
		e.must(http.StatusOK, "PATCH", fmt.Sprintf("/api/v1/teams/%d", team.ID), cAdmin, map[string]any{"routing_strategy": "least_loaded"}, &team)
		if team.RoutingStrategy != "least_loaded" {
			t.Errorf("strategy %q", team.RoutingStrategy)
		}
		var agent struct {
			SkillTags      []string `json:"skill_tags"`
			SkillLanguages []string `json:"skill_languages"`
		}
		e.must(http.StatusOK, "PATCH", fmt.Sprintf("/api/v1/agents/%d", e.f.Agent2.ID), cAdmin, map[string]any{"skill_tags": []string{"database"}, "skill_languages": []string{"es"}}, &agent)
		if fmt.Sprint(agent.SkillTags, agent.SkillLanguages) != "[database] [es]" {
			t.Errorf("skills %+v", agent)
		}
		checkField(t, e.do("PATCH", fmt.Sprintf("/api/v1/agents/%d", e.f.Agent2.ID), cAdmin, map[string]any{"skill_languages": []string{"klingon"}}), "skill_languages")
		checkProblem(t, e.do("PATCH", fmt.Sprintf("/api/v1/agents/%d", e.f.Agent.ID), cAgent, map[string]any{"skill_tags": []string{"vip"}}), http.StatusForbidden)

		tk := e.newTicket("Slow queries", e.f.Support.ID)
		e.must(http.StatusOK, "PATCH", fmt.Sprintf("/api/v1/tickets/%d", tk.ID), cAgent, map[string]any{"assignee_id": e.f.Agent.ID, "add_tags": []string{"database"}}, nil)
		path := fmt.Sprintf("/api/v1/tickets/%d/escalate", tk.ID)
		checkField(t, e.do("POST", path, cAgent, map[string]any{"team_id": e.f.Billing.ID, "note": "x"}), "team_id")
		checkField(t, e.do("POST", path, cAgent, map[string]any{"team_id": team.ID}), "note")
		var got ticketJSON
		e.must(http.StatusOK, "POST", path, cAgent, map[string]any{"team_id": team.ID, "note": "Query planner issue"}, &got)
		if got.TeamID == nil || *got.TeamID != team.ID || got.AssigneeID == nil || *got.AssigneeID != e.f.Agent2.ID || got.MessageCount != 2 {
			t.Errorf("escalated %+v", got)
		}
	})
}
