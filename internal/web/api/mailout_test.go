package api_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"tessera/internal/auth"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
	"tessera/internal/ticket"
)

// TestMailTemplatesAPI: an admin edits a template, a typo in a
// placeholder is refused naming the field, and a reset brings back the
// built-in text.
func TestMailTemplatesAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newEnv(t, engine)
		type tmpl struct {
			Key, Language, Subject, Body string
			Customized                   bool
		}
		var builtin, got tmpl
		e.must(http.StatusOK, "GET", "/api/v1/mail-templates/auto_ack/pt-BR", cAdmin, nil, &builtin)
		if builtin.Customized || builtin.Language != "pt-BR" || builtin.Subject == "" {
			t.Fatalf("built-in template %+v", builtin)
		}
		checkField(t, e.do("PUT", "/api/v1/mail-templates/auto_ack/pt-BR", cAdmin, map[string]any{"subject": "Oi {{ticket.numbr}}", "body": "x"}), "subject")
		checkField(t, e.do("PUT", "/api/v1/mail-templates/auto_ack/pt-BR", cAdmin, map[string]any{"subject": "Oi", "body": ""}), "body")
		checkProblem(t, e.do("PUT", "/api/v1/mail-templates/nope/pt-BR", cAdmin, map[string]any{"subject": "Oi", "body": "x"}), http.StatusNotFound)
		checkProblem(t, e.do("GET", "/api/v1/mail-templates/auto_ack/fr", cAdmin, nil), http.StatusNotFound)
		e.must(http.StatusOK, "PUT", "/api/v1/mail-templates/auto_ack/pt-BR", cAdmin,
			map[string]any{"subject": "Recebido: #{{ticket.number}}", "body": "Olá {{requester.name}}, veja {{portal_url}}"}, &got)
		if !got.Customized || got.Subject != "Recebido: #{{ticket.number}}" {
			t.Errorf("saved %+v", got)
		}
		var all struct {
			Items []tmpl `json:"items"`
		}
		e.must(http.StatusOK, "GET", "/api/v1/mail-templates", cAdmin, nil, &all)
		if len(all.Items) != 12 {
			t.Errorf("%d templates, want 3 kinds × 4 languages", len(all.Items))
		}
		e.must(http.StatusOK, "DELETE", "/api/v1/mail-templates/auto_ack/pt-BR", cAdmin, nil, &got)
		if got.Customized || got.Subject != builtin.Subject {
			t.Errorf("after reset %+v, want the built-in %q", got, builtin.Subject)
		}
		var n int
		if err := e.f.DB.Read().QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_log WHERE action LIKE 'mail_template.%'`).Scan(&n); err != nil || n != 2 {
			t.Errorf("audit entries %d (%v), want 2", n, err)
		}
	})
}

// TestInboxMailOptionsAPI: the flood limit is checked and named.
func TestInboxMailOptionsAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newEnv(t, engine)
		var b struct {
			ID int64 `json:"id"`
		}
		e.must(http.StatusCreated, "POST", "/api/v1/inboxes", cAdmin, map[string]any{"name": "Mail", "kind": "email", "address": "help@acme.test"}, &b)
		var o struct {
			AutoAck      bool `json:"auto_ack"`
			FloodPerHour int  `json:"flood_per_hour"`
		}
		e.must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/inboxes/%d/mail-options", b.ID), cAdmin, nil, &o)
		if !o.AutoAck || o.FloodPerHour != 20 {
			t.Errorf("defaults %+v", o)
		}
		checkField(t, e.do("PATCH", fmt.Sprintf("/api/v1/inboxes/%d/mail-options", b.ID), cAdmin, map[string]any{"flood_per_hour": 0}), "flood_per_hour")
		e.must(http.StatusOK, "PATCH", fmt.Sprintf("/api/v1/inboxes/%d/mail-options", b.ID), cAdmin, map[string]any{"auto_ack": false}, &o)
		if o.AutoAck || o.FloodPerHour != 20 {
			t.Errorf("after patch %+v", o)
		}
		checkProblem(t, e.do("GET", "/api/v1/inboxes/999999/mail-options", cAdmin, nil), http.StatusNotFound)
	})
}

// TestMessageDelivery: an agent's reply on a mail ticket carries its
// delivery in the API.
func TestMessageDelivery(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newEnv(t, engine)
		tk, err := e.f.Tickets.Create(context.Background(), auth.System, ticket.CreateInput{Subject: "By mail", Body: "hello", Channel: "email",
			Requester: &ticket.RequesterInput{Email: "cleo@example.org", Name: "Cleo"}})
		if err != nil {
			t.Fatal(err)
		}
		e.must(http.StatusCreated, "POST", fmt.Sprintf("/api/v1/tickets/%d/messages", tk.ID), cAgent, map[string]any{"kind": "reply", "body": "Hi Cleo"}, nil)
		var msgs struct {
			Items []struct {
				Kind     string `json:"kind"`
				Delivery []struct {
					Recipient, Status string
				} `json:"delivery"`
			} `json:"items"`
		}
		e.must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/tickets/%d/messages", tk.ID), cAgent, nil, &msgs)
		last := msgs.Items[len(msgs.Items)-1]
		if len(last.Delivery) != 1 || last.Delivery[0].Recipient != "cleo@example.org" || last.Delivery[0].Status != "queued" {
			t.Errorf("reply delivery %+v", last.Delivery)
		}
		if len(msgs.Items[0].Delivery) != 0 {
			t.Errorf("the customer's own message has deliveries: %+v", msgs.Items[0].Delivery)
		}
	})
}
