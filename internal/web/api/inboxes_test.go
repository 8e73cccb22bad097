package api_test

import (
	"fmt"
	"net/http"
	"testing"

	"tessera/internal/inbox"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
)

// TestInboxesAPI: create, read (settings only for admins), clear the
// default team with null, and bad input naming the field.
func TestInboxesAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newEnv(t, engine)
		var b inbox.Inbox
		r := e.must(http.StatusCreated, "POST", "/api/v1/inboxes", cAdmin, map[string]any{"name": "Vendas", "kind": "email", "address": "Vendas@Acme.test",
			"default_team_id": e.f.Billing.ID, "default_language": "pt-BR", "settings": map[string]any{"imap_password": "s3cret"}}, &b)
		if b.Address != "vendas@acme.test" || b.DefaultTeamID == nil || r.Header.Get("Location") != fmt.Sprintf("/api/v1/inboxes/%d", b.ID) {
			t.Errorf("created %+v %v", b, r.Header)
		}
		var seen inbox.Inbox
		e.must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/inboxes/%d", b.ID), cAgent, nil, &seen)
		if seen.Settings != nil || seen.Name != "Vendas" {
			t.Errorf("agent sees %+v", seen)
		}
		e.must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/inboxes/%d", b.ID), cAdmin, nil, &seen)
		if seen.Settings["imap_password"] != "s3cret" {
			t.Errorf("admin sees %+v", seen)
		}
		e.must(http.StatusOK, "PATCH", fmt.Sprintf("/api/v1/inboxes/%d", b.ID), cAdmin, map[string]any{"default_team_id": nil, "active": false}, &seen)
		if seen.DefaultTeamID != nil || seen.Active || seen.DefaultLanguage != "pt-BR" {
			t.Errorf("after patch %+v", seen)
		}
		checkField(t, e.do("POST", "/api/v1/inboxes", cAdmin, map[string]any{"name": "No kind"}), "kind")
		checkField(t, e.do("POST", "/api/v1/inboxes", cAdmin, map[string]any{"name": "Mail", "kind": "email", "address": "nope"}), "address")
		checkField(t, e.do("PATCH", fmt.Sprintf("/api/v1/inboxes/%d", b.ID), cAdmin, map[string]any{"default_team_id": "x"}), "default_team_id")
		checkField(t, e.do("PATCH", fmt.Sprintf("/api/v1/inboxes/%d", b.ID), cAdmin, map[string]any{"settings": []int{1}}), "settings")
		checkProblem(t, e.do("GET", "/api/v1/inboxes/999999", cAgent, nil), http.StatusNotFound)
	})
}
