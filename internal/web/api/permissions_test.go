package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"tessera/internal/auth"
	"tessera/internal/kb"
	"tessera/internal/macro"
	"tessera/internal/people"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
	"tessera/internal/ticket"
	"tessera/internal/web/api"
)

// world is what the permission cases act on.
type world struct {
	support, billing ticket.Ticket // tickets of the Support and Billing teams
	attachment       int64         // on the Support ticket
	contact, org     int64
	calendar, policy int64
	rule             int64
	inbox            int64
	article, kbCat   int64
	// Routing and webhooks (issue 6): a tier-2 team and a webhook.
	tier2, webhook int64
	actors         map[string]auth.Actor
	// issue 6: rules
	trigger, automation int64
	// Feature kbmacros: a shared macro with actions, one with text only,
	// and a file of the article.
	macro, textMacro, articleFile int64
	macroFile                     int64 // on textMacro
	mailMsg                       int64 // a message made from a mail, on the Support ticket
}

func newWorld(t *testing.T, e *env) *world {
	w := &world{actors: map[string]auth.Actor{cAdmin: e.f.Admin, cAgent: e.f.Agent, cLight: e.f.Light, cTeam: e.f.TeamAgent}}
	w.support = e.newTicket("Support ticket", e.f.Support.ID, ticket.AttachmentInput{Filename: "a.txt", ContentType: "text/plain", Data: []byte("hello")})
	w.billing = e.newTicket("Billing ticket", e.f.Billing.ID)
	msgs, err := e.f.Tickets.Messages(t.Context(), auth.System, w.support.ID)
	if err != nil || len(msgs) == 0 || len(msgs[0].Attachments) == 0 {
		t.Fatalf("attachment: %v %+v", err, msgs)
	}
	w.attachment = msgs[0].Attachments[0].ID
	var c, o struct {
		ID int64 `json:"id"`
	}
	e.must(http.StatusCreated, "POST", "/api/v1/contacts", cAdmin, map[string]any{"name": "Matrix Contact", "email": "matrix@example.org"}, &c)
	e.must(http.StatusCreated, "POST", "/api/v1/organizations", cAdmin, map[string]any{"name": "Matrix Org"}, &o)
	w.contact, w.org = c.ID, o.ID
	e.must(http.StatusCreated, "POST", "/api/v1/calendars", cAdmin, map[string]any{"name": "Matrix Calendar", "time_zone": "America/Sao_Paulo",
		"hours": map[string]any{"mon": [][]string{{"09:00", "18:00"}}}, "holidays": []any{"2026-12-25", map[string]any{"month": 1, "day": 1}}}, &c)
	w.calendar = c.ID
	e.must(http.StatusCreated, "POST", "/api/v1/sla-policies", cAdmin, map[string]any{"name": "Matrix Policy", "position": 1, "calendar_id": w.calendar,
		"business_hours": true, "conditions": map[string]any{"priorities": []string{"urgent"}},
		"targets": map[string]any{"urgent": map[string]any{"first_reply": "30m", "next_reply": "1h", "resolution": "4h"}}}, &o)
	w.policy = o.ID
	e.must(http.StatusCreated, "POST", "/api/v1/priority-rules", cAdmin, map[string]any{"name": "Matrix Rule", "priority": "low", "channels": []string{"chat"}}, &o)
	w.rule = o.ID
	e.must(http.StatusCreated, "POST", "/api/v1/inboxes", cAdmin, map[string]any{"name": "Matrix Inbox", "kind": "email", "address": "matrix@acme.test"}, &o)
	w.inbox = o.ID
	e.must(http.StatusCreated, "POST", "/api/v1/kb/categories", cAdmin, map[string]any{"name": "Matrix Category", "locale": "pt-BR"}, &o)
	w.kbCat = o.ID
	e.must(http.StatusCreated, "POST", "/api/v1/articles", cAdmin, map[string]any{"title": "Como pedir reembolso", "body": "Abra **Pedidos**.",
		"locale": "pt-BR", "category_id": w.kbCat, "status": "published", "visibility": "public"}, &o)
	w.article = o.ID
	e.must(http.StatusCreated, "POST", "/api/v1/teams", cAdmin, map[string]any{"name": "Matrix Tier 2", "tier": 2, "routing_strategy": "round_robin"}, &o)
	w.tier2 = o.ID
	e.must(http.StatusCreated, "POST", "/api/v1/webhooks", cAdmin, map[string]any{"url": "https://203.0.113.10/tessera", "events": []string{"ticket.created"}}, &o)
	w.webhook = o.ID
	// issue 6: rules
	e.must(http.StatusCreated, "POST", "/api/v1/triggers", cAdmin, map[string]any{"name": "Matrix Trigger", "on": []string{"created"},
		"conditions": map[string]any{"all": []any{map[string]any{"field": "subject", "op": "contains_any", "value": []string{"matrix"}}}},
		"actions":    []any{map[string]any{"type": "add_tags", "value": []string{"matrix"}}}}, &o)
	w.trigger = o.ID
	e.must(http.StatusCreated, "POST", "/api/v1/automations", cAdmin, map[string]any{"name": "Matrix Automation",
		"conditions": map[string]any{"all": []any{map[string]any{"field": "hours_since", "value": map[string]any{"event": "solved", "hours": 96}}}},
		"actions":    []any{map[string]any{"type": "set_status", "value": "closed"}}}, &o)
	w.automation = o.ID
	e.must(http.StatusCreated, "POST", "/api/v1/macros", cAdmin, map[string]any{"name": "Matrix Macro", "body": "Hi {{requester.first_name}}", "shared": true,
		"actions": []any{map[string]any{"type": "set_priority", "value": "high"}}}, &o)
	w.macro = o.ID
	e.must(http.StatusCreated, "POST", "/api/v1/macros", cAdmin, map[string]any{"name": "Matrix Text Macro", "body": "Checked #{{ticket.number}}", "shared": true}, &o)
	w.textMacro = o.ID
	var mfiles struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	mdata, mct := multipartBody(nil, formFile{"attachments", "form.pdf", "application/pdf", []byte("%PDF-1.4 form")})
	e.must(http.StatusCreated, "POST", fmt.Sprintf("/api/v1/macros/%d/attachments", w.textMacro), cAdmin, formRequest{mdata, mct}, &mfiles)
	w.macroFile = mfiles.Items[0].ID
	var files struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	data, ct := multipartBody(nil, formFile{"attachments", "matrix.txt", "text/plain", []byte("matrix")})
	e.must(http.StatusCreated, "POST", fmt.Sprintf("/api/v1/articles/%d/attachments", w.article), cAdmin, formRequest{data, ct}, &files)
	w.articleFile = files.Items[0].ID
	// Mail in: a mail answering the Support ticket keeps its original.
	g, err := e.f.MailIngester(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	res := g.Ingest(t.Context(), []byte(fmt.Sprintf("From: someone@example.org\r\nSubject: Re [#%d]\r\nMessage-ID: <perm-1@example.org>\r\n\r\nThanks.\r\n", w.support.Number)))
	if res.MessageID == 0 {
		t.Fatalf("mail: %+v", res)
	}
	w.mailMsg = res.MessageID
	return w
}

// failedMail keeps a new failed mail and returns its id.
func failedMail(e *env) int64 {
	id, err := e.f.FailedMail.Keep(context.Background(), nil, "perm", []byte(e.unique("not a mail ")), "no header")
	if err != nil {
		panic(err)
	}
	return id
}

// permCase is one row of the matrix: a route (Method and Path exactly as
// in the route table), how to call it, and the status each caller gets.
// Callers without a token, or with a wrong one, get 401 on every
// non-public route.
type permCase struct {
	Method, Path string
	Variant      string
	call         func(e *env, w *world, caller string) (path string, body any)
	want         map[string]int // admin, agent, light, team
}

// codes builds an expectation: the same code for every caller, then
// overrides as caller/code pairs.
func codes(all int, over ...any) map[string]int {
	m := map[string]int{cAdmin: all, cAgent: all, cLight: all, cTeam: all}
	for i := 0; i+1 < len(over); i += 2 {
		m[over[i].(string)] = over[i+1].(int)
	}
	return m
}

func fixed(path string, body any) func(*env, *world, string) (string, any) {
	return func(*env, *world, string) (string, any) { return path, body }
}

func permCases() []permCase {
	tk := func(f func(w *world) int64, suffix string, body func(e *env) any) func(*env, *world, string) (string, any) {
		return func(e *env, w *world, _ string) (string, any) {
			var b any
			if body != nil {
				b = body(e)
			}
			return fmt.Sprintf("/api/v1/tickets/%d%s", f(w), suffix), b
		}
	}
	support := func(w *world) int64 { return w.support.ID }
	billing := func(w *world) int64 { return w.billing.ID }
	const (
		ok, created, forbidden, notFound = http.StatusOK, http.StatusCreated, http.StatusForbidden, http.StatusNotFound
	)
	cases := []permCase{
		{Method: "GET", Path: "/api/v1/openapi.json", call: fixed("/api/v1/openapi.json", nil), want: codes(ok)},

		{Method: "GET", Path: "/api/v1/tickets", call: fixed("/api/v1/tickets?status=new", nil), want: codes(ok)},
		{Method: "POST", Path: "/api/v1/tickets", call: func(e *env, _ *world, _ string) (string, any) {
			return "/api/v1/tickets", map[string]any{"subject": e.unique("Matrix "), "body": "b", "requester": map[string]any{"email": "m@example.org"}}
		}, want: codes(created, cLight, forbidden)},
		{Method: "GET", Path: "/api/v1/tickets/{id}", call: tk(support, "", nil), want: codes(ok, cTeam, notFound)},
		{Method: "GET", Path: "/api/v1/tickets/{id}", Variant: "own team", call: tk(billing, "", nil), want: codes(ok)},
		{Method: "PATCH", Path: "/api/v1/tickets/{id}", call: tk(support, "", func(*env) any { return map[string]any{"priority": "urgent"} }),
			want: codes(ok, cLight, forbidden, cTeam, notFound)},
		{Method: "PATCH", Path: "/api/v1/tickets/{id}", Variant: "own team", call: tk(billing, "", func(*env) any { return map[string]any{"add_tags": []string{"x"}} }),
			want: codes(ok, cLight, forbidden)},
		{Method: "GET", Path: "/api/v1/tickets/{id}/messages", call: tk(support, "/messages", nil), want: codes(ok, cTeam, notFound)},
		{Method: "POST", Path: "/api/v1/tickets/{id}/messages", Variant: "reply", call: tk(support, "/messages", func(*env) any { return map[string]any{"kind": "reply", "body": "Hello"} }),
			want: codes(created, cLight, forbidden, cTeam, notFound)},
		{Method: "POST", Path: "/api/v1/tickets/{id}/messages", Variant: "note", call: tk(support, "/messages", func(*env) any { return map[string]any{"kind": "note", "body": "Psst"} }),
			want: codes(created, cTeam, notFound)},
		{Method: "POST", Path: "/api/v1/tickets/{id}/messages", Variant: "note with status", call: tk(support, "/messages", func(*env) any {
			return map[string]any{"kind": "note", "body": "Psst", "status": "open"}
		}), want: codes(created, cLight, forbidden, cTeam, notFound)},
		{Method: "POST", Path: "/api/v1/tickets/{id}/messages", Variant: "own team reply", call: tk(billing, "/messages", func(*env) any { return map[string]any{"body": "Hello"} }),
			want: codes(created, cLight, forbidden)},
		{Method: "GET", Path: "/api/v1/tickets/{id}/events", call: tk(support, "/events", nil), want: codes(ok, cTeam, notFound)},
		{Method: "POST", Path: "/api/v1/tickets/{id}/merge", call: func(e *env, w *world, _ string) (string, any) {
			src, dst := e.newTicket("Merge source", e.f.Support.ID), e.newTicket("Merge target", e.f.Support.ID)
			return fmt.Sprintf("/api/v1/tickets/%d/merge", src.ID), map[string]any{"into": dst.ID}
		}, want: codes(ok, cLight, forbidden, cTeam, notFound)},
		{Method: "POST", Path: "/api/v1/tickets/{id}/merge", Variant: "into another team's ticket", call: func(e *env, w *world, _ string) (string, any) {
			src, dst := e.newTicket("Merge source", e.f.Billing.ID), e.newTicket("Merge target", e.f.Support.ID)
			return fmt.Sprintf("/api/v1/tickets/%d/merge", src.ID), map[string]any{"into": dst.ID}
		}, want: codes(ok, cLight, forbidden, cTeam, http.StatusUnprocessableEntity)},
		{Method: "POST", Path: "/api/v1/tickets/{id}/links", call: func(e *env, w *world, _ string) (string, any) {
			return fmt.Sprintf("/api/v1/tickets/%d/links", w.support.ID), map[string]any{"ticket_id": e.newTicket("Related", e.f.Support.ID).ID}
		}, want: codes(ok, cLight, forbidden, cTeam, notFound)},
		{Method: "GET", Path: "/api/v1/tickets/{id}/followers", call: tk(support, "/followers", nil), want: codes(ok, cTeam, notFound)},
		{Method: "POST", Path: "/api/v1/tickets/{id}/followers", call: tk(support, "/followers", func(e *env) any {
			return map[string]any{"emails": []string{e.unique("cc") + "@example.org"}}
		}), want: codes(ok, cLight, forbidden, cTeam, notFound)},
		{Method: "DELETE", Path: "/api/v1/tickets/{id}/followers/{contact_id}", call: func(e *env, w *world, _ string) (string, any) {
			var fs struct {
				Items []struct {
					ID    int64  `json:"id"`
					Email string `json:"email"`
				} `json:"items"`
			}
			email := e.unique("gone") + "@example.org"
			e.must(http.StatusOK, "POST", fmt.Sprintf("/api/v1/tickets/%d/followers", w.support.ID), cAdmin, map[string]any{"emails": []string{email}}, &fs)
			for _, f := range fs.Items {
				if f.Email == email {
					return fmt.Sprintf("/api/v1/tickets/%d/followers/%d", w.support.ID, f.ID), nil
				}
			}
			panic("follower not added")
		}, want: codes(http.StatusNoContent, cLight, forbidden, cTeam, notFound)},
		{Method: "GET", Path: "/api/v1/attachments/{id}", call: func(_ *env, w *world, _ string) (string, any) {
			return fmt.Sprintf("/api/v1/attachments/%d", w.attachment), nil
		}, want: codes(ok, cTeam, notFound)},
		{Method: "GET", Path: "/api/v1/search", call: fixed("/api/v1/search?q=ticket", nil), want: codes(ok)},

		{Method: "GET", Path: "/api/v1/contacts", call: fixed("/api/v1/contacts", nil), want: codes(ok)},
		{Method: "POST", Path: "/api/v1/contacts", call: func(e *env, _ *world, _ string) (string, any) {
			return "/api/v1/contacts", map[string]any{"email": e.unique("c") + "@example.org"}
		}, want: codes(created, cLight, forbidden)},
		{Method: "GET", Path: "/api/v1/contacts/{id}", call: func(_ *env, w *world, _ string) (string, any) {
			return fmt.Sprintf("/api/v1/contacts/%d", w.contact), nil
		}, want: codes(ok)},
		{Method: "PATCH", Path: "/api/v1/contacts/{id}", call: func(_ *env, w *world, _ string) (string, any) {
			return fmt.Sprintf("/api/v1/contacts/%d", w.contact), map[string]any{"notes": "Prefers phone"}
		}, want: codes(ok, cLight, forbidden)},
		{Method: "GET", Path: "/api/v1/organizations", call: fixed("/api/v1/organizations", nil), want: codes(ok)},
		{Method: "POST", Path: "/api/v1/organizations", call: func(e *env, _ *world, _ string) (string, any) {
			return "/api/v1/organizations", map[string]any{"name": e.unique("Org ")}
		}, want: codes(created, cLight, forbidden)},
		{Method: "GET", Path: "/api/v1/organizations/{id}", call: func(_ *env, w *world, _ string) (string, any) {
			return fmt.Sprintf("/api/v1/organizations/%d", w.org), nil
		}, want: codes(ok)},

		{Method: "GET", Path: "/api/v1/me", call: fixed("/api/v1/me", nil), want: codes(ok)},
		{Method: "GET", Path: "/api/v1/notifications", call: fixed("/api/v1/notifications", nil), want: codes(ok)},
		{Method: "GET", Path: "/api/v1/agents", call: fixed("/api/v1/agents", nil), want: codes(ok)},
		{Method: "POST", Path: "/api/v1/agents", call: func(e *env, _ *world, _ string) (string, any) {
			return "/api/v1/agents", map[string]any{"email": e.unique("new") + "@example.com", "name": "New Agent", "role": "agent"}
		}, want: codes(forbidden, cAdmin, created)},
		{Method: "GET", Path: "/api/v1/agents/{id}", call: func(e *env, _ *world, _ string) (string, any) {
			return fmt.Sprintf("/api/v1/agents/%d", e.f.Agent2.ID), nil
		}, want: codes(ok)},
		{Method: "PATCH", Path: "/api/v1/agents/{id}", Variant: "another agent", call: func(e *env, _ *world, _ string) (string, any) {
			return fmt.Sprintf("/api/v1/agents/%d", e.f.Agent2.ID), map[string]any{"capacity": 3}
		}, want: codes(forbidden, cAdmin, ok)},
		{Method: "PATCH", Path: "/api/v1/agents/{id}", Variant: "own profile", call: func(_ *env, w *world, caller string) (string, any) {
			return fmt.Sprintf("/api/v1/agents/%d", w.actors[caller].ID), map[string]any{"availability": "away"}
		}, want: codes(ok)},
		{Method: "PATCH", Path: "/api/v1/agents/{id}", Variant: "own role", call: func(_ *env, w *world, caller string) (string, any) {
			return fmt.Sprintf("/api/v1/agents/%d", w.actors[caller].ID), map[string]any{"role": "admin"}
		}, want: codes(forbidden, cAdmin, ok)},
		{Method: "GET", Path: "/api/v1/teams", call: fixed("/api/v1/teams", nil), want: codes(ok)},
		{Method: "POST", Path: "/api/v1/teams", call: func(e *env, _ *world, _ string) (string, any) {
			return "/api/v1/teams", map[string]any{"name": e.unique("Team ")}
		}, want: codes(forbidden, cAdmin, created)},
		{Method: "GET", Path: "/api/v1/teams/{id}", call: func(e *env, _ *world, _ string) (string, any) {
			return fmt.Sprintf("/api/v1/teams/%d", e.f.Support.ID), nil
		}, want: codes(ok)},
		{Method: "GET", Path: "/api/v1/tags", call: fixed("/api/v1/tags?prefix=a", nil), want: codes(ok)},
		{Method: "GET", Path: "/api/v1/custom-fields", call: fixed("/api/v1/custom-fields", nil), want: codes(ok)},
		{Method: "POST", Path: "/api/v1/custom-fields", call: func(e *env, _ *world, _ string) (string, any) {
			return "/api/v1/custom-fields", map[string]any{"key": e.unique("field_"), "name": "Field", "kind": "text"}
		}, want: codes(forbidden, cAdmin, created)},
		{Method: "GET", Path: "/api/v1/statuses", call: fixed("/api/v1/statuses", nil), want: codes(ok)},
		{Method: "POST", Path: "/api/v1/statuses", call: func(e *env, _ *world, _ string) (string, any) {
			return "/api/v1/statuses", map[string]any{"key": e.unique("status_"), "name": "In progress", "category": "open"}
		}, want: codes(forbidden, cAdmin, created)},

		{Method: "GET", Path: "/api/v1/calendars", call: fixed("/api/v1/calendars", nil), want: codes(ok)},
		{Method: "POST", Path: "/api/v1/calendars", call: func(e *env, _ *world, _ string) (string, any) {
			return "/api/v1/calendars", map[string]any{"name": e.unique("Cal "), "time_zone": "Asia/Jerusalem", "hours": map[string]any{"sun": [][]string{{"08:00", "17:00"}}}}
		}, want: codes(forbidden, cAdmin, created)},
		{Method: "GET", Path: "/api/v1/calendars/{id}", call: func(_ *env, w *world, _ string) (string, any) {
			return fmt.Sprintf("/api/v1/calendars/%d", w.calendar), nil
		}, want: codes(ok)},
		{Method: "PUT", Path: "/api/v1/calendars/{id}", call: func(e *env, w *world, _ string) (string, any) {
			return fmt.Sprintf("/api/v1/calendars/%d", w.calendar), map[string]any{"name": e.unique("Cal "), "time_zone": "UTC", "hours": map[string]any{"mon": [][]string{{"00:00", "24:00"}}}}
		}, want: codes(forbidden, cAdmin, ok)},
		{Method: "GET", Path: "/api/v1/sla-policies", call: fixed("/api/v1/sla-policies", nil), want: codes(ok)},
		{Method: "POST", Path: "/api/v1/sla-policies", call: func(e *env, _ *world, _ string) (string, any) {
			return "/api/v1/sla-policies", map[string]any{"name": e.unique("Policy "), "position": 50, "targets": map[string]any{"low": map[string]any{"resolution": "3d"}}}
		}, want: codes(forbidden, cAdmin, created)},
		{Method: "GET", Path: "/api/v1/sla-policies/{id}", call: func(_ *env, w *world, _ string) (string, any) {
			return fmt.Sprintf("/api/v1/sla-policies/%d", w.policy), nil
		}, want: codes(ok)},
		{Method: "PUT", Path: "/api/v1/sla-policies/{id}", call: func(e *env, w *world, _ string) (string, any) {
			return fmt.Sprintf("/api/v1/sla-policies/%d", w.policy), map[string]any{"name": e.unique("Policy "), "targets": map[string]any{"urgent": map[string]any{"first_reply": "30m"}}}
		}, want: codes(forbidden, cAdmin, ok)},
		{Method: "GET", Path: "/api/v1/priority-rules", call: fixed("/api/v1/priority-rules", nil), want: codes(ok)},
		{Method: "POST", Path: "/api/v1/priority-rules", call: func(e *env, _ *world, _ string) (string, any) {
			return "/api/v1/priority-rules", map[string]any{"name": e.unique("Rule "), "priority": "urgent", "keywords": []string{"fora do ar"}}
		}, want: codes(forbidden, cAdmin, created)},
		{Method: "PUT", Path: "/api/v1/priority-rules/{id}", call: func(e *env, w *world, _ string) (string, any) {
			return fmt.Sprintf("/api/v1/priority-rules/%d", w.rule), map[string]any{"name": e.unique("Rule "), "priority": "high", "tiers": []string{"vip"}}
		}, want: codes(forbidden, cAdmin, ok)},
		{Method: "GET", Path: "/api/v1/settings/portal", call: fixed("/api/v1/settings/portal", nil), want: codes(forbidden, cAdmin, ok)},
		{Method: "PUT", Path: "/api/v1/settings/portal", call: fixed("/api/v1/settings/portal", map[string]any{"allow_priority": true}), want: codes(forbidden, cAdmin, ok)},
		{Method: "POST", Path: "/api/v1/sla-policies/preview", call: fixed("/api/v1/sla-policies/preview", map[string]any{"priority": "urgent"}), want: codes(ok)},

		{Method: "GET", Path: "/api/v1/inboxes", call: fixed("/api/v1/inboxes", nil), want: codes(ok)},
		{Method: "POST", Path: "/api/v1/inboxes", call: func(e *env, _ *world, _ string) (string, any) {
			return "/api/v1/inboxes", map[string]any{"name": e.unique("Inbox "), "kind": "web", "default_team_id": e.f.Support.ID}
		}, want: codes(forbidden, cAdmin, created)},
		{Method: "GET", Path: "/api/v1/inboxes/{id}", call: func(_ *env, w *world, _ string) (string, any) {
			return fmt.Sprintf("/api/v1/inboxes/%d", w.inbox), nil
		}, want: codes(ok)},
		{Method: "PATCH", Path: "/api/v1/inboxes/{id}", call: func(_ *env, w *world, _ string) (string, any) {
			return fmt.Sprintf("/api/v1/inboxes/%d", w.inbox), map[string]any{"default_team_id": nil, "default_priority": "high"}
		}, want: codes(forbidden, cAdmin, ok)},

		// Mail in (issue 4).
		{Method: "GET", Path: "/api/v1/failed-mail", call: fixed("/api/v1/failed-mail?all=true", nil), want: codes(forbidden, cAdmin, ok)},
		{Method: "GET", Path: "/api/v1/failed-mail/{id}/raw", call: func(e *env, _ *world, _ string) (string, any) {
			return fmt.Sprintf("/api/v1/failed-mail/%d/raw", failedMail(e)), nil
		}, want: codes(forbidden, cAdmin, ok)},
		{Method: "POST", Path: "/api/v1/failed-mail/{id}/retry", call: func(e *env, _ *world, _ string) (string, any) {
			return fmt.Sprintf("/api/v1/failed-mail/%d/retry", failedMail(e)), nil
		}, want: codes(forbidden, cAdmin, ok)},
		{Method: "DELETE", Path: "/api/v1/failed-mail/{id}", call: func(e *env, _ *world, _ string) (string, any) {
			return fmt.Sprintf("/api/v1/failed-mail/%d", failedMail(e)), nil
		}, want: codes(forbidden, cAdmin, http.StatusNoContent)},
		{Method: "GET", Path: "/api/v1/messages/{id}/raw", call: func(_ *env, w *world, _ string) (string, any) {
			return fmt.Sprintf("/api/v1/messages/%d/raw", w.mailMsg), nil
		}, want: codes(ok, cTeam, notFound)},

		{Method: "GET", Path: "/api/v1/articles", call: fixed("/api/v1/articles?locale=pt-BR", nil), want: codes(ok)},
		{Method: "POST", Path: "/api/v1/articles", call: func(e *env, w *world, _ string) (string, any) {
			return "/api/v1/articles", map[string]any{"title": e.unique("Artigo "), "body": "*x*", "locale": "pt-BR", "category_id": w.kbCat, "status": "published", "visibility": "customers"}
		}, want: codes(created, cLight, forbidden)},
		{Method: "POST", Path: "/api/v1/articles", Variant: "draft", call: func(e *env, _ *world, _ string) (string, any) {
			return "/api/v1/articles", map[string]any{"title": e.unique("Draft "), "status": "draft"}
		}, want: codes(created)},
		{Method: "GET", Path: "/api/v1/articles/{id}", call: func(_ *env, w *world, _ string) (string, any) {
			return fmt.Sprintf("/api/v1/articles/%d", w.article), nil
		}, want: codes(ok)},
		{Method: "PATCH", Path: "/api/v1/articles/{id}", call: func(_ *env, w *world, _ string) (string, any) {
			return fmt.Sprintf("/api/v1/articles/%d", w.article), map[string]any{"body": "Abra **Pedidos** e peça."}
		}, want: codes(ok, cLight, forbidden)},
		{Method: "GET", Path: "/api/v1/articles/{id}/revisions", call: func(_ *env, w *world, _ string) (string, any) {
			return fmt.Sprintf("/api/v1/articles/%d/revisions", w.article), nil
		}, want: codes(ok)},
		{Method: "GET", Path: "/api/v1/kb/categories", call: fixed("/api/v1/kb/categories", nil), want: codes(ok)},
		{Method: "POST", Path: "/api/v1/kb/categories", call: func(e *env, _ *world, _ string) (string, any) {
			return "/api/v1/kb/categories", map[string]any{"name": e.unique("Cat "), "locale": "es"}
		}, want: codes(forbidden, cAdmin, created)},
		{Method: "GET", Path: "/api/v1/kb/categories/{id}", call: func(_ *env, w *world, _ string) (string, any) {
			return fmt.Sprintf("/api/v1/kb/categories/%d", w.kbCat), nil
		}, want: codes(ok)},
		{Method: "PATCH", Path: "/api/v1/kb/categories/{id}", call: func(_ *env, w *world, _ string) (string, any) {
			return fmt.Sprintf("/api/v1/kb/categories/%d", w.kbCat), map[string]any{"description": "Pagamentos"}
		}, want: codes(forbidden, cAdmin, ok)},
		{Method: "DELETE", Path: "/api/v1/kb/categories/{id}", call: func(e *env, _ *world, caller string) (string, any) {
			var c struct {
				ID int64 `json:"id"`
			}
			e.must(http.StatusCreated, "POST", "/api/v1/kb/categories", cAdmin, map[string]any{"name": e.unique("Gone ")}, &c)
			return fmt.Sprintf("/api/v1/kb/categories/%d", c.ID), nil
		}, want: codes(forbidden, cAdmin, http.StatusNoContent)},
		{Method: "DELETE", Path: "/api/v1/kb/categories/{id}", Variant: "not empty", call: func(_ *env, w *world, _ string) (string, any) {
			return fmt.Sprintf("/api/v1/kb/categories/%d", w.kbCat), nil
		}, want: codes(forbidden, cAdmin, http.StatusUnprocessableEntity)},
		// Feature kbmacros: article files, revisions, macros.
		{Method: "GET", Path: "/api/v1/articles/{id}/attachments", call: func(_ *env, w *world, _ string) (string, any) {
			return fmt.Sprintf("/api/v1/articles/%d/attachments", w.article), nil
		}, want: codes(ok)},
		{Method: "POST", Path: "/api/v1/articles/{id}/attachments", call: func(_ *env, w *world, _ string) (string, any) {
			data, ct := multipartBody(nil, formFile{"attachments", "guide.pdf", "application/pdf", []byte("%PDF-1.4")})
			return fmt.Sprintf("/api/v1/articles/%d/attachments", w.article), formRequest{data, ct}
		}, want: codes(created, cLight, forbidden)},
		{Method: "DELETE", Path: "/api/v1/articles/{id}/attachments/{aid}", call: func(e *env, w *world, _ string) (string, any) {
			var files struct {
				Items []struct {
					ID int64 `json:"id"`
				} `json:"items"`
			}
			data, ct := multipartBody(nil, formFile{"attachments", "gone.txt", "text/plain", []byte("gone")})
			e.must(http.StatusCreated, "POST", fmt.Sprintf("/api/v1/articles/%d/attachments", w.article), cAdmin, formRequest{data, ct}, &files)
			return fmt.Sprintf("/api/v1/articles/%d/attachments/%d", w.article, files.Items[0].ID), nil
		}, want: codes(http.StatusNoContent, cLight, forbidden)},
		{Method: "GET", Path: "/api/v1/articles/{id}/revisions/{rid}", call: func(e *env, w *world, _ string) (string, any) {
			return fmt.Sprintf("/api/v1/articles/%d/revisions/%d", w.article, e.revision(w.article)), nil
		}, want: codes(ok)},
		{Method: "POST", Path: "/api/v1/articles/{id}/revisions/{rid}/restore", call: func(e *env, w *world, _ string) (string, any) {
			return fmt.Sprintf("/api/v1/articles/%d/revisions/%d/restore", w.article, e.revision(w.article)), nil
		}, want: codes(ok, cLight, forbidden)},
		{Method: "GET", Path: "/api/v1/macros", call: fixed("/api/v1/macros?q=matrix", nil), want: codes(ok)},
		{Method: "POST", Path: "/api/v1/macros", Variant: "personal text", call: func(e *env, _ *world, _ string) (string, any) {
			return "/api/v1/macros", map[string]any{"name": e.unique("Mine "), "body": "Thanks, {{agent.first_name}}"}
		}, want: codes(created)},
		{Method: "POST", Path: "/api/v1/macros", Variant: "personal with actions", call: func(e *env, _ *world, _ string) (string, any) {
			return "/api/v1/macros", map[string]any{"name": e.unique("Mine "), "actions": []any{map[string]any{"type": "add_tags", "value": []string{"x"}}}}
		}, want: codes(created, cLight, forbidden)},
		{Method: "POST", Path: "/api/v1/macros", Variant: "shared", call: func(e *env, _ *world, _ string) (string, any) {
			return "/api/v1/macros", map[string]any{"name": e.unique("Shared "), "body": "Hello", "shared": true}
		}, want: codes(forbidden, cAdmin, created)},
		{Method: "GET", Path: "/api/v1/macros/{id}", call: func(_ *env, w *world, _ string) (string, any) {
			return fmt.Sprintf("/api/v1/macros/%d", w.macro), nil
		}, want: codes(ok)},
		{Method: "GET", Path: "/api/v1/macros/{id}", Variant: "another agent's personal macro", call: func(e *env, _ *world, _ string) (string, any) {
			name, body := "Bea's", "Hi"
			m, err := e.f.Macros.Create(context.Background(), e.f.Agent2, macro.MacroInput{Name: &name, Body: &body})
			if err != nil {
				e.t.Fatal(err)
			}
			return fmt.Sprintf("/api/v1/macros/%d", m.ID), nil
		}, want: codes(notFound)},
		{Method: "PATCH", Path: "/api/v1/macros/{id}", call: func(_ *env, w *world, _ string) (string, any) {
			return fmt.Sprintf("/api/v1/macros/%d", w.textMacro), map[string]any{"name": "Matrix Text Macro"}
		}, want: codes(forbidden, cAdmin, ok)},
		{Method: "PATCH", Path: "/api/v1/macros/{id}", Variant: "own", call: func(e *env, w *world, caller string) (string, any) {
			var m struct {
				ID int64 `json:"id"`
			}
			owner := caller
			if _, ok := w.actors[caller]; !ok { // signed out: anyone's macro will do
				owner = cAgent
			}
			e.must(http.StatusCreated, "POST", "/api/v1/macros", owner, map[string]any{"name": e.unique("Own "), "body": "Hi"}, &m)
			return fmt.Sprintf("/api/v1/macros/%d", m.ID), map[string]any{"body": "Hello {{requester.name}}"}
		}, want: codes(ok)},
		{Method: "DELETE", Path: "/api/v1/macros/{id}", call: func(e *env, _ *world, _ string) (string, any) {
			var m struct {
				ID int64 `json:"id"`
			}
			e.must(http.StatusCreated, "POST", "/api/v1/macros", cAdmin, map[string]any{"name": e.unique("Gone "), "body": "Bye", "shared": true}, &m)
			return fmt.Sprintf("/api/v1/macros/%d", m.ID), nil
		}, want: codes(http.StatusNoContent, cAgent, forbidden, cLight, forbidden, cTeam, forbidden)},
		{Method: "GET", Path: "/api/v1/macros/{id}/attachments", call: func(_ *env, w *world, _ string) (string, any) {
			return fmt.Sprintf("/api/v1/macros/%d/attachments", w.textMacro), nil
		}, want: codes(ok)},
		{Method: "POST", Path: "/api/v1/macros/{id}/attachments", call: func(_ *env, w *world, _ string) (string, any) {
			data, ct := multipartBody(nil, formFile{"attachments", "more.txt", "text/plain", []byte("more")})
			return fmt.Sprintf("/api/v1/macros/%d/attachments", w.textMacro), formRequest{data, ct}
		}, want: codes(forbidden, cAdmin, created)},
		{Method: "GET", Path: "/api/v1/macros/{id}/attachments/{aid}", call: func(_ *env, w *world, _ string) (string, any) {
			return fmt.Sprintf("/api/v1/macros/%d/attachments/%d", w.textMacro, w.macroFile), nil
		}, want: codes(ok)},
		{Method: "DELETE", Path: "/api/v1/macros/{id}/attachments/{aid}", call: func(e *env, w *world, _ string) (string, any) {
			var files struct {
				Items []struct {
					ID int64 `json:"id"`
				} `json:"items"`
			}
			data, ct := multipartBody(nil, formFile{"attachments", "gone.txt", "text/plain", []byte("gone")})
			e.must(http.StatusCreated, "POST", fmt.Sprintf("/api/v1/macros/%d/attachments", w.textMacro), cAdmin, formRequest{data, ct}, &files)
			return fmt.Sprintf("/api/v1/macros/%d/attachments/%d", w.textMacro, files.Items[0].ID), nil
		}, want: codes(forbidden, cAdmin, http.StatusNoContent)},
		{Method: "POST", Path: "/api/v1/tickets/{id}/macros/{macro_id}/apply", call: func(_ *env, w *world, _ string) (string, any) {
			return fmt.Sprintf("/api/v1/tickets/%d/macros/%d/apply", w.support.ID, w.macro), map[string]any{"preview": false}
		}, want: codes(ok, cLight, forbidden, cTeam, notFound)},
		{Method: "POST", Path: "/api/v1/tickets/{id}/macros/{macro_id}/apply", Variant: "text only, preview", call: func(_ *env, w *world, _ string) (string, any) {
			return fmt.Sprintf("/api/v1/tickets/%d/macros/%d/apply", w.support.ID, w.textMacro), map[string]any{"preview": true}
		}, want: codes(ok, cTeam, notFound)},
		{Method: "POST", Path: "/api/v1/tickets/{id}/macros/{macro_id}/apply", Variant: "own team", call: func(_ *env, w *world, _ string) (string, any) {
			return fmt.Sprintf("/api/v1/tickets/%d/macros/%d/apply", w.billing.ID, w.macro), map[string]any{"preview": true}
		}, want: codes(ok, cLight, forbidden)},
		{Method: "GET", Path: "/api/v1/kb/gaps", call: fixed("/api/v1/kb/gaps", nil), want: codes(ok)},
		{Method: "GET", Path: "/api/v1/kb/search", call: fixed("/api/v1/kb/search?q=reembolos&locale=pt-BR", nil), want: codes(ok)},
		{Method: "GET", Path: "/api/v1/reports/summary", call: fixed("/api/v1/reports/summary?from=2026-01-01&to=2026-01-31", nil), want: codes(ok, cLight, forbidden)},

		// Routing and webhooks (issue 6).
		{Method: "POST", Path: "/api/v1/tickets/{id}/escalate", call: func(e *env, w *world, _ string) (string, any) {
			return fmt.Sprintf("/api/v1/tickets/%d/escalate", e.newTicket(e.unique("Escalate "), e.f.Support.ID).ID), map[string]any{"team_id": w.tier2, "note": "Needs tier 2"}
		}, want: codes(ok, cLight, forbidden, cTeam, notFound)},
		{Method: "POST", Path: "/api/v1/tickets/{id}/escalate", Variant: "own team", call: func(e *env, w *world, _ string) (string, any) {
			return fmt.Sprintf("/api/v1/tickets/%d/escalate", e.newTicket(e.unique("Escalate "), e.f.Billing.ID).ID), map[string]any{"team_id": w.tier2, "note": "Needs tier 2"}
		}, want: codes(ok, cLight, forbidden)},
		{Method: "GET", Path: "/api/v1/settings/routing", call: fixed("/api/v1/settings/routing", nil), want: codes(forbidden, cAdmin, ok)},
		{Method: "PUT", Path: "/api/v1/settings/routing", call: fixed("/api/v1/settings/routing", map[string]any{"offline_after_minutes": 0}), want: codes(forbidden, cAdmin, ok)},
		{Method: "PATCH", Path: "/api/v1/teams/{id}", call: func(_ *env, w *world, _ string) (string, any) {
			return fmt.Sprintf("/api/v1/teams/%d", w.tier2), map[string]any{"routing_strategy": "least_loaded"}
		}, want: codes(forbidden, cAdmin, ok)},
		{Method: "GET", Path: "/api/v1/webhooks", call: fixed("/api/v1/webhooks", nil), want: codes(forbidden, cAdmin, ok)},
		{Method: "POST", Path: "/api/v1/webhooks", call: fixed("/api/v1/webhooks", map[string]any{"url": "https://203.0.113.11/in", "events": []string{"ticket.solved"}}),
			want: codes(forbidden, cAdmin, created)},
		{Method: "GET", Path: "/api/v1/webhooks/{id}", call: func(_ *env, w *world, _ string) (string, any) {
			return fmt.Sprintf("/api/v1/webhooks/%d", w.webhook), nil
		}, want: codes(forbidden, cAdmin, ok)},
		{Method: "PATCH", Path: "/api/v1/webhooks/{id}", call: func(_ *env, w *world, _ string) (string, any) {
			return fmt.Sprintf("/api/v1/webhooks/%d", w.webhook), map[string]any{"events": []string{"ticket.created", "note.created"}}
		}, want: codes(forbidden, cAdmin, ok)},
		{Method: "DELETE", Path: "/api/v1/webhooks/{id}", call: func(e *env, _ *world, _ string) (string, any) {
			var h struct {
				ID int64 `json:"id"`
			}
			e.must(http.StatusCreated, "POST", "/api/v1/webhooks", cAdmin, map[string]any{"url": "https://203.0.113.12/gone", "events": []string{"ticket.created"}}, &h)
			return fmt.Sprintf("/api/v1/webhooks/%d", h.ID), nil
		}, want: codes(forbidden, cAdmin, http.StatusNoContent)},
		{Method: "GET", Path: "/api/v1/webhooks/{id}/deliveries", call: func(_ *env, w *world, _ string) (string, any) {
			return fmt.Sprintf("/api/v1/webhooks/%d/deliveries?limit=5", w.webhook), nil
		}, want: codes(forbidden, cAdmin, ok)},
		{Method: "POST", Path: "/api/v1/webhooks/{id}/test", call: func(_ *env, w *world, _ string) (string, any) {
			return fmt.Sprintf("/api/v1/webhooks/%d/test", w.webhook), nil
		}, want: codes(forbidden, cAdmin, http.StatusAccepted)},
		// Email channel, outbound.
		{Method: "GET", Path: "/api/v1/mail-templates", call: fixed("/api/v1/mail-templates", nil), want: codes(forbidden, cAdmin, ok)},
		{Method: "GET", Path: "/api/v1/mail-templates/{key}/{language}", call: fixed("/api/v1/mail-templates/auto_ack/he", nil), want: codes(forbidden, cAdmin, ok)},
		{Method: "PUT", Path: "/api/v1/mail-templates/{key}/{language}", call: fixed("/api/v1/mail-templates/auto_ack/es",
			map[string]any{"subject": "Recibido [#{{ticket.number}}]", "body": "Hola {{requester.name}}"}), want: codes(forbidden, cAdmin, ok)},
		{Method: "DELETE", Path: "/api/v1/mail-templates/{key}/{language}", call: fixed("/api/v1/mail-templates/auto_ack/es", nil), want: codes(forbidden, cAdmin, ok)},
		{Method: "GET", Path: "/api/v1/inboxes/{id}/mail-options", call: func(_ *env, w *world, _ string) (string, any) {
			return fmt.Sprintf("/api/v1/inboxes/%d/mail-options", w.inbox), nil
		}, want: codes(forbidden, cAdmin, ok)},
		{Method: "PATCH", Path: "/api/v1/inboxes/{id}/mail-options", call: func(_ *env, w *world, _ string) (string, any) {
			return fmt.Sprintf("/api/v1/inboxes/%d/mail-options", w.inbox), map[string]any{"auto_ack": false, "flood_per_hour": 5}
		}, want: codes(forbidden, cAdmin, ok)},
		{Method: "GET", Path: "/api/v1/me/mail-preferences", call: fixed("/api/v1/me/mail-preferences", nil), want: codes(ok)},
		{Method: "PUT", Path: "/api/v1/me/mail-preferences", call: fixed("/api/v1/me/mail-preferences", map[string]any{"assigned": false, "customer_replied": true}), want: codes(ok)},
	}
	return append(cases, ruleCases()...) // issue 6: rules
}

// ruleCases cover the triggers and automations routes (issue 6).
func ruleCases() []permCase {
	const ok, created, forbidden = http.StatusOK, http.StatusCreated, http.StatusForbidden
	var out []permCase
	for _, kind := range []string{"triggers", "automations"} {
		base := "/api/v1/" + kind
		id := func(w *world) int64 {
			if kind == "triggers" {
				return w.trigger
			}
			return w.automation
		}
		body := func(e *env) map[string]any {
			b := map[string]any{"name": e.unique("Rule "), "actions": []any{map[string]any{"type": "add_tags", "value": []string{"x"}}}}
			if kind == "triggers" {
				b["on"] = []string{"updated"}
			} else {
				b["conditions"] = map[string]any{"all": []any{map[string]any{"field": "hours_since", "value": map[string]any{"event": "created", "minutes": 30}}}}
			}
			return b
		}
		out = append(out,
			permCase{Method: "GET", Path: base, call: fixed(base, nil), want: codes(ok)},
			permCase{Method: "POST", Path: base, call: func(e *env, _ *world, _ string) (string, any) { return base, body(e) }, want: codes(forbidden, cAdmin, created)},
			permCase{Method: "GET", Path: base + "/{id}", call: func(_ *env, w *world, _ string) (string, any) {
				return fmt.Sprintf("%s/%d", base, id(w)), nil
			}, want: codes(ok)},
			permCase{Method: "PATCH", Path: base + "/{id}", call: func(_ *env, w *world, _ string) (string, any) {
				return fmt.Sprintf("%s/%d", base, id(w)), map[string]any{"position": 3}
			}, want: codes(forbidden, cAdmin, ok)},
			permCase{Method: "DELETE", Path: base + "/{id}", call: func(e *env, _ *world, _ string) (string, any) {
				var c struct {
					ID int64 `json:"id"`
				}
				e.must(http.StatusCreated, "POST", base, cAdmin, body(e), &c)
				return fmt.Sprintf("%s/%d", base, c.ID), nil
			}, want: codes(forbidden, cAdmin, http.StatusNoContent)},
			// The Billing ticket: every caller sees it, the team agent too.
			permCase{Method: "POST", Path: base + "/{id}/test", call: func(_ *env, w *world, _ string) (string, any) {
				return fmt.Sprintf("%s/%d/test", base, id(w)), map[string]any{"ticket_id": w.billing.ID}
			}, want: codes(ok)},
		)
	}
	return out
}

// TestPermissionMatrix calls every route of the table as every kind of
// caller. A route without a case fails the test.
func TestPermissionMatrix(t *testing.T) {
	cases := permCases()
	routes := (&api.Server{}).Routes()
	access := map[string]api.Access{}
	for _, rt := range routes {
		key := rt.Method + " " + rt.Path
		access[key] = rt.Access
		found := false
		for _, c := range cases {
			found = found || c.Method+" "+c.Path == key
		}
		if !found {
			t.Errorf("route %s has no permission case: add one to permCases", key)
		}
	}
	for _, c := range cases {
		if _, ok := access[c.Method+" "+c.Path]; !ok {
			t.Errorf("permission case for %s %s, which is not in the route table", c.Method, c.Path)
		}
	}
	if t.Failed() {
		return
	}
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newEnv(t, engine)
		w := newWorld(t, e)
		for _, c := range cases {
			name := c.Method + " " + c.Path
			if c.Variant != "" {
				name += " (" + c.Variant + ")"
			}
			public := access[c.Method+" "+c.Path] == api.Public
			for _, caller := range callers {
				want, ok := c.want[caller]
				if !ok {
					want = http.StatusUnauthorized
					if public {
						want = http.StatusOK
					}
				}
				path, body := c.call(e, w, caller)
				r := e.do(c.Method, path, caller, body)
				if r.Code != want {
					t.Errorf("%s as %s: got %s, want %d", name, caller, r, want)
					continue
				}
				if r.Code >= 400 {
					p := checkProblem(t, r, want)
					if want == http.StatusUnauthorized && !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
						t.Errorf("%s as %s: 401 without WWW-Authenticate", name, caller)
					}
					if p.Detail == "" {
						t.Errorf("%s as %s: problem without detail: %s", name, caller, r)
					}
				}
			}
		}
	})
}

// TestAuthHeader: the token travels as a Bearer credential; anything else
// is a 401, and a deactivated agent's token stops working.
func TestAuthHeader(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newEnv(t, engine)
		tok := e.tok[cAgent]
		for _, tc := range []struct {
			header string
			want   int
		}{
			{"Bearer " + tok, 200},
			{"bearer " + tok, 200}, // the scheme is case-insensitive (RFC 9110)
			{"Bearer  " + tok + " ", 200},
			{"Token " + tok, 401},
			{tok, 401},
			{"Bearer", 401},
			{"Bearer ", 401},
			{"Bearer " + tok + "x", 401},
			{"Basic YWdlbnQ6c2VjcmV0", 401},
		} {
			r := serve(e.h, req("GET", "/api/v1/me", "", nil, "Authorization", tc.header))
			if r.Code != tc.want {
				t.Errorf("Authorization %q: got %s, want %d", tc.header, r, tc.want)
			}
			if tc.want == 401 {
				checkProblem(t, r, 401)
			}
		}
		inactive := false
		if _, err := e.f.People.UpdateAgent(t.Context(), auth.System, e.f.Agent.ID, people.AgentInput{Active: &inactive}); err != nil {
			t.Fatal(err)
		}
		checkProblem(t, e.do("GET", "/api/v1/me", cAgent, nil), 401)
	})
}

// TestUnknownRoutes: unknown paths are 404 and known paths with another
// method are 405 with Allow, both as problem documents.
func TestUnknownRoutes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newEnv(t, engine)
		checkProblem(t, e.do("GET", "/api/v1/nothing-here", cAgent, nil), http.StatusNotFound)
		checkProblem(t, e.do("GET", "/api/v2/tickets", cAgent, nil), http.StatusNotFound)
		checkProblem(t, e.do("GET", "/api/v1/tickets/abc", cAgent, nil), http.StatusNotFound)
		checkProblem(t, e.do("GET", "/api/v1/tickets/999999", cAgent, nil), http.StatusNotFound)
		r := e.do("DELETE", "/api/v1/tickets/1", cAgent, nil)
		checkProblem(t, r, http.StatusMethodNotAllowed)
		if allow := r.Header.Get("Allow"); !strings.Contains(allow, "GET") || !strings.Contains(allow, "PATCH") {
			t.Errorf("Allow %q", allow)
		}
		r = e.do("PUT", "/api/v1/openapi.json", "", nil)
		checkProblem(t, r, http.StatusMethodNotAllowed)
	})
}

// TestTeamScope: an agent restricted to a team finds only that team's
// tickets (and those assigned to them) in lists and search.
func TestTeamScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newEnv(t, engine)
		support, billing := e.newTicket("Scoped support", e.f.Support.ID), e.newTicket("Scoped billing", e.f.Billing.ID)
		mine := e.newTicket("Scoped assigned", e.f.Support.ID)
		e.must(http.StatusOK, "PATCH", fmt.Sprintf("/api/v1/tickets/%d", mine.ID), cAdmin, map[string]any{"assignee_id": e.f.TeamAgent.ID}, nil)
		ids := func(path string, hit bool) map[int64]bool {
			var out struct {
				Items []json.RawMessage `json:"items"`
			}
			e.must(http.StatusOK, "GET", path, cTeam, nil, &out)
			m := map[int64]bool{}
			for _, raw := range out.Items {
				var it struct {
					ID     int64 `json:"id"`
					Ticket struct {
						ID int64 `json:"id"`
					} `json:"ticket"`
				}
				_ = json.Unmarshal(raw, &it)
				if hit {
					it.ID = it.Ticket.ID
				}
				m[it.ID] = true
			}
			return m
		}
		for _, c := range []struct {
			path string
			hit  bool
		}{{"/api/v1/tickets", false}, {"/api/v1/search?q=scoped", true}, {fmt.Sprintf("/api/v1/search?q=%%23%d", support.Number), true}} {
			got := ids(c.path, c.hit)
			if got[support.ID] {
				t.Errorf("%s: the team agent sees another team's ticket", c.path)
			}
			if !strings.Contains(c.path, "%23") && (!got[billing.ID] || !got[mine.ID]) {
				t.Errorf("%s: the team agent misses their team's or their own ticket: %v", c.path, got)
			}
		}
	})
}

// TestInternalError: an unexpected failure is a 500 problem document that
// keeps its details in the log.
func TestInternalError(t *testing.T) {
	e := newEnv(t, store.SQLite)
	e.f.DB.Close()
	r := e.do("GET", "/api/v1/me", cAgent, nil)
	p := checkProblem(t, r, http.StatusInternalServerError)
	if strings.Contains(strings.ToLower(p.Detail), "sql") || strings.Contains(p.Detail, "closed") {
		t.Errorf("internal detail leaked: %s", r)
	}
}

// revision makes a new revision of an article and returns its id.
func (e *env) revision(article int64) int64 {
	e.t.Helper()
	ctx := context.Background()
	body := e.unique("Abra **Pedidos**, versão ")
	if _, err := e.f.KB.Update(ctx, auth.System, article, kb.ArticleInput{Body: &body}); err != nil {
		e.t.Fatal(err)
	}
	revs, err := e.f.KB.Revisions(ctx, auth.System, article)
	if err != nil || len(revs) == 0 {
		e.t.Fatalf("revisions: %v", err)
	}
	return revs[0].ID
}
