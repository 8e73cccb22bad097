package api

import (
	"fmt"
	"net/http"

	"tessera/internal/people"
	"tessera/internal/routing"
	"tessera/internal/ticket"
	"tessera/internal/webhook"
)

// Routing and webhooks (issue 6).
func (s *Server) routeHookRoutes() []Route {
	page := []QueryParam{{"cursor", "string", "next_cursor of the previous page"}, {"limit", "integer", "page size, 1 to 100 (default 25)"}}
	return []Route{
		{Method: "POST", Path: "/api/v1/tickets/{id}/escalate", Access: Agent, Summary: "Escalate a ticket to a higher-tier team with an internal note; an assignee outside that team is unassigned and the team's strategy assigns it",
			Request: routing.EscalateInput{}, Response: ticket.Ticket{}, Status: 200, h: s.escalate},
		{Method: "GET", Path: "/api/v1/settings/routing", Access: Admin, Summary: "The routing settings", Response: routing.RoutingSettings{}, Status: 200, h: s.getRoutingSettings},
		{Method: "PUT", Path: "/api/v1/settings/routing", Access: Admin, Summary: "Change the routing settings: offline_after_minutes (0: agents' own status only)",
			Request: routing.RoutingSettings{}, Response: routing.RoutingSettings{}, Status: 200, h: s.putRoutingSettings},
		{Method: "PATCH", Path: "/api/v1/teams/{id}", Access: Admin, Summary: "Change a team: name, tier, routing strategy, members", Request: people.TeamInput{}, Response: people.Team{}, Status: 200, h: s.patchTeam},
		{Method: "GET", Path: "/api/v1/webhooks", Access: Admin, Summary: "List webhooks (their secrets are never shown)", Response: List[webhook.Webhook]{}, Status: 200, h: s.listWebhooks},
		{Method: "POST", Path: "/api/v1/webhooks", Access: Admin, Summary: "Subscribe a URL to ticket events; without a secret one is generated and returned this once",
			Request: webhook.WebhookInput{}, Response: webhook.Webhook{}, Status: 201, h: s.createWebhook},
		{Method: "GET", Path: "/api/v1/webhooks/{id}", Access: Admin, Summary: "Get a webhook", Response: webhook.Webhook{}, Status: 200, h: s.getWebhook},
		{Method: "PATCH", Path: "/api/v1/webhooks/{id}", Access: Admin, Summary: "Change a webhook; active: true re-enables a disabled one", Request: webhook.WebhookInput{}, Response: webhook.Webhook{}, Status: 200, h: s.patchWebhook},
		{Method: "DELETE", Path: "/api/v1/webhooks/{id}", Access: Admin, Summary: "Delete a webhook and its delivery log", Status: 204, h: s.deleteWebhook},
		{Method: "GET", Path: "/api/v1/webhooks/{id}/deliveries", Access: Admin, Summary: "A webhook's delivery log, newest first, each with its attempts",
			Response: List[webhook.Delivery]{}, Status: 200, Query: page, h: s.webhookDeliveries},
		{Method: "POST", Path: "/api/v1/webhooks/{id}/test", Access: Admin, Summary: "Queue a test delivery (event webhook.test)", Response: webhook.Delivery{}, Status: 202, h: s.testWebhook},
	}
}

func (s *Server) escalate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in routing.EscalateInput
	if err := decode(r, &in); err != nil {
		return err
	}
	if err := s.App.Routing.Escalate(r.Context(), actorOf(r), id, in); err != nil {
		return err
	}
	// The ticket may now be outside what a team-restricted caller sees.
	t, err := s.App.Tickets.Get(r.Context(), actorOf(r), id)
	if err != nil {
		return ok(w, http.StatusOK, map[string]any{"id": id, "team_id": in.TeamID})
	}
	return ok(w, http.StatusOK, t)
}

func (s *Server) getRoutingSettings(w http.ResponseWriter, r *http.Request) error {
	st, err := s.App.Routing.Settings(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, st)
}

func (s *Server) putRoutingSettings(w http.ResponseWriter, r *http.Request) error {
	var in routing.RoutingSettings
	if err := decode(r, &in); err != nil {
		return err
	}
	st, err := s.App.Routing.UpdateSettings(r.Context(), actorOf(r), in)
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, st)
}

func (s *Server) patchTeam(w http.ResponseWriter, r *http.Request) error {
	return updateByID(w, r, s.App.People.UpdateTeam)
}

func (s *Server) listWebhooks(w http.ResponseWriter, r *http.Request) error {
	hs, err := s.App.Webhooks.List(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, list(hs, ""))
}

func (s *Server) createWebhook(w http.ResponseWriter, r *http.Request) error {
	var in webhook.WebhookInput
	if err := decode(r, &in); err != nil {
		return err
	}
	h, err := s.App.Webhooks.Create(r.Context(), actorOf(r), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/webhooks/%d", h.ID))
	return ok(w, http.StatusCreated, h)
}

func (s *Server) getWebhook(w http.ResponseWriter, r *http.Request) error {
	return getAsActor(w, r, s.App.Webhooks.Get)
}

func (s *Server) patchWebhook(w http.ResponseWriter, r *http.Request) error {
	return updateByID(w, r, s.App.Webhooks.Update)
}

func (s *Server) deleteWebhook(w http.ResponseWriter, r *http.Request) error {
	return deleteByID(w, r, s.App.Webhooks.Delete)
}

func (s *Server) webhookDeliveries(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	limit, err := queryInt(r, "limit", 25, 1, 100)
	if err != nil {
		return err
	}
	before, err := afterCursor(r)
	if err != nil {
		return err
	}
	ds, err := s.App.Webhooks.Deliveries(r.Context(), actorOf(r), id, before, limit+1)
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, pageOf(ds, limit, func(d webhook.Delivery) int64 { return d.ID }))
}

func (s *Server) testWebhook(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	d, err := s.App.Webhooks.SendTest(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	return ok(w, http.StatusAccepted, d)
}
