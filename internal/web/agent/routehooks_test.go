package agent_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"tessera/internal/auth"
	"tessera/internal/people"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
)

// TestTicketEscalate: the ticket page offers the higher-tier teams, the
// form moves the ticket with a note (303), and refused input comes back on
// the page (422) without moving anything.
func TestTicketEscalate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newTicketEnv(t, engine)
		name, tier, strategy := "Engineering", 2, "round_robin"
		members := []int64{e.f.Agent2.ID}
		eng, err := e.f.People.CreateTeam(context.Background(), auth.System, people.TeamInput{Name: &name, Tier: &tier, RoutingStrategy: &strategy, AgentIDs: &members})
		if err != nil {
			t.Fatal(err)
		}
		tk := e.newTicket("Crash on export", e.f.Support.ID)
		page := e.get(rAgent, tpath(tk.ID, ""))
		wantBody(t, "escalation form", page, fmt.Sprintf(`action="/tickets/%d/escalate"`, tk.ID), fmt.Sprintf(`<option value="%d"`, eng.ID), "Engineering (Tier 2)")
		wantNot(t, "same tier offered", page, fmt.Sprintf(`<option value="%d">Billing (Tier`, e.f.Billing.ID))

		r := e.post(rAgent, tpath(tk.ID, "/escalate"), url.Values{"team_id": {fmt.Sprint(eng.ID)}, "note": {""}})
		wantCode(t, "no note", r, http.StatusUnprocessableEntity)
		wantBody(t, "no note", r, "Not accepted: note:")
		r = e.post(rAgent, tpath(tk.ID, "/escalate"), url.Values{"team_id": {fmt.Sprint(e.f.Billing.ID)}, "note": {"sideways"}})
		wantCode(t, "same tier", r, http.StatusUnprocessableEntity)
		wantBody(t, "same tier", r, "sideways")
		wantCode(t, "light agent", e.post(rLight, tpath(tk.ID, "/escalate"), url.Values{"team_id": {fmt.Sprint(eng.ID)}, "note": {"x"}}), http.StatusForbidden)
		wantCode(t, "team agent", e.post(rTeam, tpath(tk.ID, "/escalate"), url.Values{"team_id": {fmt.Sprint(eng.ID)}, "note": {"x"}}), http.StatusNotFound)
		wantCode(t, "signed out", e.post(rNone, tpath(tk.ID, "/escalate"), url.Values{"team_id": {fmt.Sprint(eng.ID)}, "note": {"x"}}), http.StatusSeeOther)
		if got := e.ticket(tk.ID); *got.TeamID != e.f.Support.ID {
			t.Fatalf("moved by a refused post: %+v", got)
		}

		r = e.post(rAgent, tpath(tk.ID, "/escalate"), url.Values{"team_id": {fmt.Sprint(eng.ID)}, "note": {"Stack trace points at the exporter"}})
		wantCode(t, "escalate", r, http.StatusSeeOther)
		wantBody(t, "escalated", e.get(rAgent, r.Header.Get("Location")), "Ticket escalated.", "Stack trace points at the exporter")
		got := e.ticket(tk.ID)
		if *got.TeamID != eng.ID || got.AssigneeID == nil || *got.AssigneeID != e.f.Agent2.ID {
			t.Errorf("after escalation: team %v assignee %v", got.TeamID, got.AssigneeID)
		}
		msgs := e.messages(tk.ID)
		if last := msgs[len(msgs)-1]; last.Kind != "note" || last.BodyText != "Stack trace points at the exporter" {
			t.Errorf("note %+v", last)
		}
		// Nothing above tier 2 now.
		wantBody(t, "top tier", e.get(rAgent, tpath(tk.ID, "")), "No team of a higher tier.")
	})
}

// TestWebhookPages: a generated secret is shown once, on the answer to the
// creation; a webhook the desk disabled shows why and can be re-enabled.
func TestWebhookPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newTicketEnv(t, engine)
		r := e.post(rAdmin, "/admin/webhooks", url.Values{"url": {"https://203.0.113.9/hook"}, "events": {"ticket.created", "sla.breached"}})
		wantCode(t, "create", r, http.StatusOK)
		wantBody(t, "secret once", r, "Copy this signing secret now", "whsec_")
		var id int64
		if err := e.f.DB.Read().QueryRow(context.Background(), `SELECT id FROM webhooks`).Scan(&id); err != nil {
			t.Fatal(err)
		}
		page := e.get(rAdmin, fmt.Sprintf("/admin/webhooks/%d", id))
		wantNot(t, "secret again", page, "whsec_")
		wantBody(t, "edit", page, `value="sla.breached" checked`, "Nothing delivered yet.")

		r = e.post(rAdmin, "/admin/webhooks", url.Values{"url": {"http://169.254.169.254/"}, "events": {"ticket.created"}})
		wantCode(t, "metadata address", r, http.StatusUnprocessableEntity)
		wantBody(t, "metadata address", r, "link-local")

		if _, err := e.f.DB.Write().Exec(context.Background(), `UPDATE webhooks SET active = $2, disabled_reason = $3 WHERE id = $1`, id, false, "10 deliveries in a row failed; the last: HTTP 503"); err != nil {
			t.Fatal(err)
		}
		wantBody(t, "disabled", e.get(rAdmin, "/admin/webhooks"), "Disabled", "HTTP 503")
		wantBody(t, "why", e.get(rAdmin, fmt.Sprintf("/admin/webhooks/%d", id)), "Disabled by Tessera after repeated failure: 10 deliveries in a row failed")
		r = e.post(rAdmin, fmt.Sprintf("/admin/webhooks/%d/active", id), url.Values{"active": {"1"}})
		wantCode(t, "re-enable", r, http.StatusSeeOther)
		hook, err := e.f.Webhooks.Get(context.Background(), e.f.Admin, id)
		if err != nil || !hook.Active || hook.DisabledReason != "" {
			t.Errorf("after re-enabling %+v %v", hook, err)
		}
	})
}
