package agent_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"tessera/internal/auth"
	"tessera/internal/macro"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
)

// TestMacroPages: every agent lists and writes personal macros; only
// admins share them; light agents write text-only ones (actions are the
// form again, 422); signed out is the sign-in page.
func TestMacroPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newTicketEnv(t, engine)
		for _, role := range []string{rAdmin, rAgent, rLight, rTeam} {
			t.Run(role, func(t *testing.T) {
				wantCode(t, "list", e.get(role, "/macros"), http.StatusOK)
				wantBody(t, "new", e.get(role, "/macros/new"), `name="translations.pt-BR"`)
				name := "Thanks " + role
				form := url.Values{"name": {name}, "locale": {"en"}, "body": {"Thanks, {{requester.first_name}}!"}, "translations.pt-BR": {"Obrigado, {{requester.first_name}}!"},
					"active": {"1"}, "shared": {"1"}, "set_priority": {"low"}, "add_tags": {"thanks, done"}}
				r := e.post(role, "/macros", form)
				if role == rLight {
					// A light agent's actions are refused on the form.
					wantCode(t, "actions by "+role, r, http.StatusUnprocessableEntity)
					wantBody(t, "form kept", r, html.EscapeString(name))
					form.Del("set_priority")
					form.Del("add_tags")
					r = e.post(role, "/macros", form)
				}
				wantCode(t, "create", r, http.StatusSeeOther)
				edit := r.Header.Get("Location")
				// Only an admin's box shares: others have none, and theirs
				// stay personal.
				var id int64
				fmt.Sscanf(edit, "/macros/%d", &id)
				if m, err := e.f.Macros.Get(context.Background(), auth.System, id); err != nil || m.Shared != (role == rAdmin) {
					t.Fatalf("shared %v for %s: %v", m.Shared, role, err)
				}
				r = e.get(role, edit)
				wantBody(t, "edit", r, "Obrigado, {{requester.first_name}}!")
				form.Set("body", "Hi {{requester.nickname}}")
				r = e.post(role, edit, form)
				wantCode(t, "unknown placeholder", r, http.StatusUnprocessableEntity)
				wantBody(t, "error on body", r, "requester.nickname")
				if list := e.get(role, "/macros?q="+url.QueryEscape(name)); !strings.Contains(html.UnescapeString(list.Body), name) {
					t.Errorf("search: %s", list.Body[:200])
				}
				wantCode(t, "delete", e.post(role, edit+"/delete", url.Values{}), http.StatusSeeOther)
				wantCode(t, "gone", e.get(role, edit), http.StatusNotFound)
			})
		}
		if r := e.get(rNone, "/macros"); r.Code != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
			t.Fatalf("signed out: %d", r.Code)
		}
		// A form with a bad action shows the error under its input.
		r := e.post(rAdmin, "/macros", url.Values{"name": {"Bad"}, "locale": {"en"}, "set_status": {"nonexistent"}})
		wantCode(t, "bad status", r, http.StatusUnprocessableEntity)
		wantBody(t, "status error", r, `id="set_status"`, "set_status: ")
	})
}

// TestMacroComposer: the picker in the composer finds a macro, previews it
// for this ticket (in the requester's language), and applying it runs its
// actions and puts its text in the composer, without a script.
func TestMacroComposer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newTicketEnv(t, engine)
		ctx := context.Background()
		name, body := "Refund processed", "Hi {{requester.first_name}}, ticket #{{ticket.number}} is refunded."
		shared := true
		m, err := e.f.Macros.Create(ctx, auth.System, macro.MacroInput{Name: &name, Body: &body, Shared: &shared,
			Actions: &[]macro.MacroAction{{Type: macro.SetStatus, Value: "pending"}, {Type: macro.AddTags, Value: []any{"refund"}}}})
		if err != nil {
			t.Fatal(err)
		}
		tk := e.newTicket("Refund please", e.f.Support.ID)
		page := tpath(tk.ID, "")
		r := e.get(rAgent, page+"?macro_q=refund")
		wantBody(t, "found", r, `id="macros" class="macro-picker" open`, fmt.Sprintf(`data-macro="%d"`, m.ID))
		if r := e.get(rAgent, page+"?macro_q=nothing+like+it"); strings.Contains(r.Body, fmt.Sprintf(`data-macro="%d"`, m.ID)) {
			t.Error("search for nothing found the macro")
		}
		r = e.get(rAgent, page+fmt.Sprintf("?macro=%d", m.ID))
		rendered := fmt.Sprintf("ticket #%d is refunded.", tk.Number)
		wantBody(t, "preview", r, rendered, "Status becomes", "refund", fmt.Sprintf(`action="/tickets/%d/macros/%d/apply"`, tk.ID, m.ID))
		if got := e.ticket(tk.ID); got.Status == "pending" {
			t.Fatal("preview changed the ticket")
		}
		// Light agents do not get macros with actions.
		if r := e.get(rLight, page+"?macro_q=refund"); strings.Contains(r.Body, fmt.Sprintf(`data-macro="%d"`, m.ID)) {
			t.Error("light agent offered a macro with actions")
		}
		wantCode(t, "light apply", e.post(rLight, tpath(tk.ID, fmt.Sprintf("/macros/%d/apply", m.ID)), url.Values{}), http.StatusForbidden)
		r = e.post(rAgent, tpath(tk.ID, fmt.Sprintf("/macros/%d/apply", m.ID)), url.Values{})
		wantCode(t, "apply", r, http.StatusSeeOther)
		loc := r.Header.Get("Location")
		if !strings.Contains(loc, fmt.Sprintf("compose_macro=%d", m.ID)) {
			t.Fatalf("redirect: %s", loc)
		}
		got := e.ticket(tk.ID)
		if got.Status != "pending" || !strings.Contains(strings.Join(got.Tags, ","), "refund") {
			t.Fatalf("after apply: %+v", got)
		}
		r = e.get(rAgent, loc)
		wantBody(t, "composer text", r, `data-compose-body`, html.EscapeString("Hi "), rendered+"</textarea>")
		if got, _ := e.f.Macros.Get(ctx, auth.System, m.ID); got.UsageCount != 1 {
			t.Fatalf("usage %d", got.UsageCount)
		}
		// A macro's files go with the reply the agent sends.
		r = e.postMultipart(rAdmin, fmt.Sprintf("/macros/%d/files/upload", m.ID), nil, upload{"refund-form.pdf", "application/pdf", []byte("%PDF-1.4 form")})
		wantCode(t, "macro file", r, http.StatusSeeOther)
		wantCode(t, "agent uploads to a shared macro", e.postMultipart(rAgent, fmt.Sprintf("/macros/%d/files/upload", m.ID), nil, upload{"x.pdf", "application/pdf", []byte("%PDF")}), http.StatusUnprocessableEntity)
		r = e.get(rAgent, loc)
		wantBody(t, "composer carries the files", r, fmt.Sprintf(`name="macro_files" value="%d"`, m.ID), "refund-form.pdf")
		r = e.postMultipart(rAgent, tpath(tk.ID, "/messages"), []string{"kind", "reply", "body", "Done: " + rendered, "macro_files", fmt.Sprint(m.ID)})
		wantCode(t, "reply with the macro's file", r, http.StatusSeeOther)
		msgs := e.messages(tk.ID)
		last := msgs[len(msgs)-1]
		if len(last.Attachments) != 1 || last.Attachments[0].Filename != "refund-form.pdf" {
			t.Fatalf("reply attachments: %+v", last.Attachments)
		}
		// A macro that is gone leaves the page as it is.
		wantCode(t, "unknown macro", e.get(rAgent, page+"?macro=99999&compose_macro=99999"), http.StatusOK)
		// Another team's ticket is not found.
		wantCode(t, "team agent", e.post(rTeam, tpath(tk.ID, fmt.Sprintf("/macros/%d/apply", m.ID)), url.Values{}), http.StatusNotFound)
	})
}
