package agent_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"tessera/internal/app/apptest"
	"tessera/internal/auth"
	"tessera/internal/sla"
	"tessera/internal/sla/clocks"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
	"tessera/internal/ticket"
	"tessera/internal/web"
	"tessera/internal/web/api"
	"tessera/internal/web/page"
)

// ticketEnv is the whole web surface on a fresh app, with a signed-in
// browser session per member of the cast.
type ticketEnv struct {
	t      *testing.T
	f      *apptest.Fixture
	h      http.Handler
	cookie map[string]string // role → session token
	flash  map[string]string // role → pending flash cookie, as a browser keeps it
}

// Roles of the cast, as the tests name them; "none" is signed out.
const (
	rAdmin  = "admin"
	rAgent  = "agent"
	rAgent2 = "agent2"
	rLight  = "light"
	rTeam   = "team" // limited to the Billing team
	rNone   = "none"
)

func newTicketEnv(t *testing.T, engine store.Engine) *ticketEnv {
	t.Helper()
	f := apptest.New(t, engine)
	log := slog.New(slog.DiscardHandler)
	srv, err := web.New(f.App, &api.Server{App: f.App, Log: log}, log)
	if err != nil {
		t.Fatal(err)
	}
	e := &ticketEnv{t: t, f: f, h: srv.Handler(), cookie: map[string]string{}, flash: map[string]string{}}
	for role, a := range map[string]auth.Actor{rAdmin: f.Admin, rAgent: f.Agent, rAgent2: f.Agent2, rLight: f.Light, rTeam: f.TeamAgent} {
		tok, err := srv.Site.Sessions.Create(context.Background(), a.ID, 0, "en", "test", "127.0.0.1")
		if err != nil {
			t.Fatalf("session for %s: %v", role, err)
		}
		e.cookie[role] = tok
	}
	return e
}

type tresp struct {
	Code   int
	Header http.Header
	Body   string
}

func (e *ticketEnv) do(role, method, path string, body io.Reader, contentType string) tresp {
	e.t.Helper()
	req := httptest.NewRequest(method, path, body)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if tok := e.cookie[role]; tok != "" {
		req.AddCookie(&http.Cookie{Name: page.AgentCookie, Value: tok})
	}
	if fl := e.flash[role]; fl != "" {
		req.AddCookie(&http.Cookie{Name: "tessera_flash", Value: fl})
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, req)
	for _, c := range w.Result().Cookies() {
		if c.Name == "tessera_flash" {
			e.flash[role] = c.Value
			if c.MaxAge < 0 {
				delete(e.flash, role)
			}
		}
	}
	b, _ := io.ReadAll(w.Result().Body)
	return tresp{Code: w.Code, Header: w.Result().Header, Body: string(b)}
}

// get fetches a page; a fragment stays in the browser, as with a redirect.
func (e *ticketEnv) get(role, path string) tresp {
	path, _, _ = strings.Cut(path, "#")
	return e.do(role, "GET", path, nil, "")
}

func (e *ticketEnv) post(role, path string, form url.Values) tresp {
	return e.do(role, "POST", path, strings.NewReader(form.Encode()), "application/x-www-form-urlencoded")
}

type upload struct {
	Name, Type string
	Data       []byte
}

// postMultipart posts fields (name/value pairs, in order) and files as the
// composer does.
func (e *ticketEnv) postMultipart(role, path string, fields []string, files ...upload) tresp {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for i := 0; i+1 < len(fields); i += 2 {
		_ = mw.WriteField(fields[i], fields[i+1])
	}
	for _, f := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="attachments"; filename=%q`, f.Name))
		h.Set("Content-Type", f.Type)
		w, _ := mw.CreatePart(h)
		_, _ = w.Write(f.Data)
	}
	_ = mw.Close()
	return e.do(role, "POST", path, &buf, mw.FormDataContentType())
}

// newTicket opens a ticket in the Support team (or Billing) from a
// customer, through the service.
func (e *ticketEnv) newTicket(subject string, teamID int64) ticket.Ticket {
	e.t.Helper()
	in := ticket.CreateInput{Subject: subject, Body: "My **printer** is on fire.", Channel: "email",
		Requester: &ticket.RequesterInput{Email: "cara@example.org", Name: "Cara Customer"}, TeamID: &teamID}
	t, err := e.f.Tickets.Create(context.Background(), auth.System, in)
	if err != nil {
		e.t.Fatalf("create ticket: %v", err)
	}
	return t
}

func (e *ticketEnv) ticket(id int64) ticket.Ticket {
	e.t.Helper()
	t, err := e.f.Tickets.Get(context.Background(), auth.System, id)
	if err != nil {
		e.t.Fatalf("get ticket: %v", err)
	}
	return t
}

func (e *ticketEnv) messages(id int64) []ticket.Message {
	e.t.Helper()
	ms, err := e.f.Tickets.Messages(context.Background(), auth.System, id)
	if err != nil {
		e.t.Fatalf("messages: %v", err)
	}
	return ms
}

func tpath(id int64, rest string) string { return "/tickets/" + strconv.FormatInt(id, 10) + rest }

func wantCode(t *testing.T, what string, r tresp, code int) {
	t.Helper()
	if r.Code != code {
		body := r.Body
		if len(body) > 600 {
			body = body[:600]
		}
		t.Fatalf("%s: status %d, want %d; Location %q\n%s", what, r.Code, code, r.Header.Get("Location"), body)
	}
}

func wantBody(t *testing.T, what string, r tresp, substrings ...string) {
	t.Helper()
	for _, s := range substrings {
		if !strings.Contains(r.Body, s) {
			t.Errorf("%s: page lacks %q", what, s)
		}
	}
}

func wantNot(t *testing.T, what string, r tresp, substrings ...string) {
	t.Helper()
	for _, s := range substrings {
		if strings.Contains(r.Body, s) {
			t.Errorf("%s: page has %q", what, s)
		}
	}
}

func TestTicketPage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newTicketEnv(t, engine)
		ctx := context.Background()
		if _, err := e.f.SLA.CreatePolicy(ctx, auth.System, clocks.PolicyInput{Name: "Standard",
			Targets: clocks.Targets{"normal": {sla.FirstReply: clocks.Duration(time.Hour), sla.Resolution: clocks.Duration(48 * time.Hour)}}}); err != nil {
			t.Fatalf("policy: %v", err)
		}
		tk := e.newTicket("Printer on fire", e.f.Support.ID)
		svc := e.f.Tickets
		if _, err := svc.AddMessage(ctx, e.f.Agent2, tk.ID, ticket.MessageInput{Kind: ticket.KindNote, Body: "Checked the *logs*.",
			Attachments: []ticket.AttachmentInput{{Filename: "printer.log", ContentType: "text/plain", Data: []byte("paper jam")}}}); err != nil {
			t.Fatal(err)
		}
		st := ticket.StatusPending
		if _, err := svc.Update(ctx, e.f.Agent2, tk.ID, ticket.UpdateInput{Status: &st, Tags: &[]string{"hardware"}}); err != nil {
			t.Fatal(err)
		}
		other := e.newTicket("Older request", e.f.Support.ID)

		for _, role := range []string{rAgent, rAdmin, rLight} {
			r := e.get(role, tpath(tk.ID, ""))
			wantCode(t, role, r, http.StatusOK)
			wantBody(t, role, r,
				"Printer on fire", fmt.Sprintf("#%d", tk.Number), `data-ticket-id="`+strconv.FormatInt(tk.ID, 10)+`"`,
				"<strong>printer</strong>", "Internal note", "Checked the <em>logs</em>.",
				"printer.log", "/attachments/", "Bea Agent set status to Pending", "Bea Agent added tag hardware",
				"Cara Customer", "cara@example.org", `name="seen_message_id"`, `id="presence"`,
				"First reply", "Previous tickets", fmt.Sprintf("#%d Older request", other.Number),
				`data-key="n"`, "History")
		}
		// The other ticket's clocks run; the pending one's are paused.
		wantBody(t, "clocks", e.get(rAgent, tpath(other.ID, "")), `class="sla" data-due datetime=`, "First reply")
		wantBody(t, "paused clocks", e.get(rAgent, tpath(tk.ID, "")), `sla-paused`)
		agent := e.get(rAgent, tpath(tk.ID, ""))
		wantBody(t, "agent", agent, `value="reply"`, `data-key="r"`, `data-key="a"`, `data-key="s"`, "Send and set Solved", `name="status" value="on_hold"`)
		light := e.get(rLight, tpath(tk.ID, ""))
		wantNot(t, "light", light, `value="reply"`, `data-key="r"`, "Send and set", `data-key="a"`, `action="`+tpath(tk.ID, "/merge")+`"`)
		wantBody(t, "light", light, `<fieldset disabled>`, `value="note" checked`)

		// The Billing-only agent does not see a Support ticket at all.
		wantCode(t, "team agent", e.get(rTeam, tpath(tk.ID, "")), http.StatusNotFound)
		billing := e.newTicket("Invoice", e.f.Billing.ID)
		wantCode(t, "team agent, own team", e.get(rTeam, tpath(billing.ID, "")), http.StatusOK)

		r := e.get(rNone, tpath(tk.ID, ""))
		wantCode(t, "signed out", r, http.StatusSeeOther)
		if loc := r.Header.Get("Location"); !strings.HasPrefix(loc, "/login?next=") {
			t.Errorf("signed out: Location %q", loc)
		}
		wantCode(t, "no such ticket", e.get(rAgent, "/tickets/999999"), http.StatusNotFound)
		wantCode(t, "bad id", e.get(rAgent, "/tickets/abc"), http.StatusNotFound)
		if csp := agent.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
			t.Errorf("CSP: %q", csp)
		}
		if strings.Contains(agent.Body, "style=") || strings.Contains(agent.Body, "onclick") || regexp.MustCompile(`<script>`).MatchString(agent.Body) {
			t.Error("page has inline style or script")
		}
	})
}

func TestTicketThreadFolding(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newTicketEnv(t, engine)
		ctx := context.Background()
		tk := e.newTicket("Many changes", e.f.Support.ID)
		for _, p := range []string{"high", "low", "urgent", "normal", "high"} {
			if _, err := e.f.Tickets.Update(ctx, e.f.Agent, tk.ID, ticket.UpdateInput{Priority: &p}); err != nil {
				t.Fatal(err)
			}
		}
		r := e.get(rAgent, tpath(tk.ID, ""))
		wantCode(t, "page", r, http.StatusOK)
		wantBody(t, "folded", r, `<details class="events"><summary>5 changes</summary>`, "Aldo Agent set priority to Urgent")
	})
}

func TestTicketUpdate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newTicketEnv(t, engine)
		ctx := context.Background()
		for _, fd := range []ticket.FieldDef{
			{Key: "plan", Name: "Plan", Kind: "dropdown", Options: []string{"free", "pro"}},
			{Key: "seats", Name: "Seats", Kind: "number"},
			{Key: "renewal", Name: "Renewal", Kind: "date"},
			{Key: "vip", Name: "VIP", Kind: "checkbox"},
			{Key: "serial", Name: "Serial", Kind: "text"},
			{Key: "cause", Name: "Root cause", Kind: "text", Required: true},
		} {
			if _, err := e.f.Tickets.CreateField(ctx, e.f.Admin, fd); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.f.Tickets.CreateStatus(ctx, e.f.Admin, ticket.Status{Key: "waiting_vendor", Name: "Waiting on vendor", Category: "on_hold"}); err != nil {
			t.Fatal(err)
		}
		tk := e.newTicket("Broken", e.f.Support.ID)
		path := tpath(tk.ID, "")

		// Custom statuses are offered, grouped by category.
		wantCode(t, "custom status", e.post(rAgent, path, url.Values{"status": {"waiting_vendor"}}), http.StatusSeeOther)
		r0 := e.get(rAgent, path)
		wantBody(t, "custom status", r0, `<optgroup label="On hold">`, `<option value="waiting_vendor" selected>Waiting on vendor</option>`,
			"Aldo Agent set status to Waiting on vendor")
		wantNot(t, "custom status", r0, `<option value="new"`)

		page := e.get(rAgent, path)
		wantBody(t, "fields", page, `name="cf.plan"`, `name="cf.seats"`, `type="date" name="cf.renewal"`, `type="checkbox" name="cf.vip"`, `name="cf.serial"`, "Root cause")

		r := e.post(rAgent, path, url.Values{"status": {"pending"}, "priority": {"high"}, "type": {"incident"},
			"assignee_id": {strconv.FormatInt(e.f.Agent2.ID, 10)}, "team_id": {strconv.FormatInt(e.f.Billing.ID, 10)},
			"tags": {"Printer, urgent fix"}, "cf.plan": {"pro"}, "cf.seats": {"12"}, "cf.renewal": {"2030-01-31"},
			"cf.vip": {"0", "1"}, "cf.serial": {"SN-1"}, "cf.cause": {""}})
		wantCode(t, "update", r, http.StatusSeeOther)
		if loc := r.Header.Get("Location"); loc != path {
			t.Errorf("update: Location %q", loc)
		}
		got := e.ticket(tk.ID)
		if got.Status != "pending" || got.Priority != "high" || got.Type != "incident" || got.AssigneeID == nil || *got.AssigneeID != e.f.Agent2.ID ||
			got.TeamID == nil || *got.TeamID != e.f.Billing.ID || strings.Join(got.Tags, ",") != "printer,urgent_fix" ||
			got.CustomFields["plan"] != "pro" || got.CustomFields["seats"] != 12.0 || got.CustomFields["renewal"] != "2030-01-31" ||
			got.CustomFields["vip"] != true || got.CustomFields["serial"] != "SN-1" {
			t.Fatalf("after update: %+v", got)
		}
		if _, has := got.CustomFields["cause"]; has {
			t.Error("an empty text field was stored")
		}
		page = e.get(rAgent, path)
		wantBody(t, "after update", page, "Ticket updated.", "Aldo Agent assigned the ticket to Bea Agent", "Aldo Agent set Plan to pro", "Aldo Agent set VIP to Yes")

		// Saving the panel unchanged records nothing.
		before := len(e.events(tk.ID))
		e.post(rAgent, path, url.Values{"status": {"pending"}, "priority": {"high"}, "type": {"incident"},
			"assignee_id": {strconv.FormatInt(e.f.Agent2.ID, 10)}, "team_id": {strconv.FormatInt(e.f.Billing.ID, 10)},
			"tags": {"printer, urgent_fix"}, "cf.plan": {"pro"}, "cf.seats": {"12"}, "cf.renewal": {"2030-01-31"}, "cf.vip": {"0", "1"}, "cf.serial": {"SN-1"}, "cf.cause": {""}})
		if after := len(e.events(tk.ID)); after != before {
			t.Errorf("unchanged save recorded %d events", after-before)
		}

		// Assign to me posts one field.
		wantCode(t, "assign to me", e.post(rAgent, path, url.Values{"assignee_id": {strconv.FormatInt(e.f.Agent.ID, 10)}}), http.StatusSeeOther)
		if got := e.ticket(tk.ID); got.AssigneeID == nil || *got.AssigneeID != e.f.Agent.ID || got.Priority != "high" {
			t.Errorf("assign to me: %+v", got)
		}

		// Bad input: the panel comes back with the errors by field and the input kept.
		r = e.post(rAgent, path, url.Values{"priority": {"low"}, "cf.seats": {"a dozen"}})
		wantCode(t, "bad number", r, http.StatusUnprocessableEntity)
		wantBody(t, "bad number", r, "Enter a number.", `value="a dozen"`, "check the marked fields")
		r = e.post(rAgent, path, url.Values{"status": {"no_such_status"}})
		wantCode(t, "bad status", r, http.StatusUnprocessableEntity)
		wantBody(t, "bad status", r, "Not accepted: unknown status")
		r = e.post(rAgent, path, url.Values{"status": {"solved"}, "cf.plan": {"enterprise"}})
		wantCode(t, "bad dropdown", r, http.StatusUnprocessableEntity)
		wantBody(t, "bad dropdown", r, "must be one of free, pro", `<option value="solved" selected>`)
		r = e.post(rAgent, path, url.Values{"status": {"solved"}})
		wantCode(t, "required field", r, http.StatusUnprocessableEntity)
		wantBody(t, "required field", r, "is required before a ticket is solved")
		if got := e.ticket(tk.ID); got.Priority != "high" || got.Status != "pending" {
			t.Errorf("a refused update changed the ticket: %+v", got)
		}

		// Roles: a light agent may not change fields, a team agent does not see the ticket.
		wantCode(t, "light", e.post(rLight, path, url.Values{"priority": {"low"}}), http.StatusForbidden)
		billingOnly := e.newTicket("Support only", e.f.Support.ID)
		wantCode(t, "team agent", e.post(rTeam, tpath(billingOnly.ID, ""), url.Values{"priority": {"low"}}), http.StatusNotFound)
		r = e.post(rNone, path, url.Values{"priority": {"low"}})
		wantCode(t, "signed out", r, http.StatusSeeOther)
		if !strings.HasPrefix(r.Header.Get("Location"), "/login") {
			t.Errorf("signed out: %q", r.Header.Get("Location"))
		}
		wantCode(t, "admin", e.post(rAdmin, path, url.Values{"priority": {"urgent"}}), http.StatusSeeOther)
	})
}

func (e *ticketEnv) events(id int64) []ticket.Event {
	e.t.Helper()
	evs, err := e.f.Tickets.Events(context.Background(), auth.System, id, 0, 1000)
	if err != nil {
		e.t.Fatal(err)
	}
	return evs
}

func TestTicketMessages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newTicketEnv(t, engine)
		ctx := context.Background()
		tk := e.newTicket("Help", e.f.Support.ID)
		path := tpath(tk.ID, "/messages")
		seen := func() string { ms := e.messages(tk.ID); return strconv.FormatInt(ms[len(ms)-1].ID, 10) }

		// A reply with a file, setting Pending.
		r := e.postMultipart(rAgent, path, []string{"kind", "reply", "body", "Try **this**.", "seen_message_id", seen(), "status", "pending"},
			upload{"steps.txt", "text/plain", []byte("1. unplug\n2. replug\n")})
		wantCode(t, "reply", r, http.StatusSeeOther)
		ms := e.messages(tk.ID)
		last := ms[len(ms)-1]
		if loc := r.Header.Get("Location"); loc != tpath(tk.ID, fmt.Sprintf("#m%d", last.ID)) {
			t.Errorf("reply: Location %q", loc)
		}
		if last.Kind != "reply" || last.BodyText != "Try **this**." || len(last.Attachments) != 1 || last.Attachments[0].Filename != "steps.txt" || last.Channel != "agent" {
			t.Fatalf("reply stored as %+v", last)
		}
		if got := e.ticket(tk.ID); got.Status != "pending" {
			t.Errorf("send and set pending: status %s", got.Status)
		}
		page := e.get(rAgent, tpath(tk.ID, ""))
		wantBody(t, "after reply", page, "Reply sent.", "Try <strong>this</strong>.", "steps.txt", fmt.Sprintf(`id="m%d"`, last.ID))

		// The file downloads, as a download.
		att := fmt.Sprintf("/attachments/%d", last.Attachments[0].ID)
		r = e.get(rAgent, att)
		wantCode(t, "download", r, http.StatusOK)
		if r.Body != "1. unplug\n2. replug\n" || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/plain") ||
			r.Header.Get("Content-Disposition") != `attachment; filename=steps.txt` || r.Header.Get("X-Content-Type-Options") != "nosniff" ||
			!strings.Contains(r.Header.Get("Content-Security-Policy"), "sandbox") {
			t.Errorf("download: %v %q", r.Header, r.Body)
		}
		wantCode(t, "download, light", e.get(rLight, att), http.StatusOK)
		wantCode(t, "download, admin", e.get(rAdmin, att), http.StatusOK)
		wantCode(t, "download, team agent", e.get(rTeam, att), http.StatusNotFound)
		wantCode(t, "download, missing", e.get(rAgent, "/attachments/999999"), http.StatusNotFound)
		if r := e.get(rNone, att); r.Code != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
			t.Errorf("download signed out: %d %q", r.Code, r.Header.Get("Location"))
		}

		// A light agent adds notes, and may neither reply nor set a status.
		wantCode(t, "light note", e.postMultipart(rLight, path, []string{"kind", "note", "body", "FYI", "seen_message_id", seen()}), http.StatusSeeOther)
		if ms := e.messages(tk.ID); ms[len(ms)-1].Kind != "note" || ms[len(ms)-1].BodyText != "FYI" {
			t.Errorf("light note: %+v", ms[len(ms)-1])
		}
		wantCode(t, "light reply", e.postMultipart(rLight, path, []string{"kind", "reply", "body", "Hello", "seen_message_id", seen()}), http.StatusForbidden)
		wantCode(t, "light note+status", e.postMultipart(rLight, path, []string{"kind", "note", "body", "x", "status", "solved", "seen_message_id", seen()}), http.StatusForbidden)
		wantCode(t, "team agent", e.postMultipart(rTeam, path, []string{"kind", "note", "body", "x"}), http.StatusNotFound)
		if r := e.postMultipart(rNone, path, []string{"kind", "note", "body", "x"}); r.Code != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
			t.Errorf("signed out: %d %q", r.Code, r.Header.Get("Location"))
		}
		// A plain urlencoded form works too (no files).
		wantCode(t, "urlencoded note", e.post(rAdmin, path, url.Values{"kind": {"note"}, "body": {"admin note"}, "seen_message_id": {seen()}}), http.StatusSeeOther)

		// Bad input keeps the draft.
		n := len(e.messages(tk.ID))
		r = e.postMultipart(rAgent, path, []string{"kind", "reply", "body", "My careful draft", "seen_message_id", seen()}, upload{"tool.exe", "application/octet-stream", []byte("MZ")})
		wantCode(t, "bad file", r, http.StatusUnprocessableEntity)
		wantBody(t, "bad file", r, "My careful draft", "files of type .exe are not accepted")
		r = e.postMultipart(rAgent, path, []string{"kind", "note", "body", "   ", "seen_message_id", seen()})
		wantCode(t, "empty body", r, http.StatusUnprocessableEntity)
		wantBody(t, "empty body", r, "must not be empty", `value="note" checked`)
		if len(e.messages(tk.ID)) != n {
			t.Error("a refused message was stored")
		}

		// No-JS preview: the page comes back with the draft and its rendering.
		r = e.postMultipart(rAgent, path, []string{"kind", "reply", "body", "Use _care_", "seen_message_id", seen(), "preview", "1"})
		wantCode(t, "preview", r, http.StatusOK)
		wantBody(t, "preview", r, "<em>care</em>", ">Use _care_</textarea>")
		if len(e.messages(tk.ID)) != n {
			t.Error("preview sent the message")
		}

		// Closed tickets take no more messages.
		closed := e.newTicket("Done", e.f.Support.ID)
		for _, s := range []string{"solved", "closed"} {
			if _, err := e.f.Tickets.Update(ctx, e.f.Agent, closed.ID, ticket.UpdateInput{Status: &s}); err != nil {
				t.Fatal(err)
			}
		}
		wantNot(t, "closed page", e.get(rAgent, tpath(closed.ID, "")), "data-composer")
		r = e.postMultipart(rAgent, tpath(closed.ID, "/messages"), []string{"kind", "reply", "body", "late"})
		wantCode(t, "closed", r, http.StatusConflict)
		wantBody(t, "closed", r, "This ticket is closed")
	})
}

func TestTicketCollision(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newTicketEnv(t, engine)
		ctx := context.Background()
		tk := e.newTicket("Race", e.f.Support.ID)
		path := tpath(tk.ID, "/messages")
		page := e.get(rAgent, tpath(tk.ID, ""))
		m := regexp.MustCompile(`name="seen_message_id" value="(\d+)"`).FindStringSubmatch(page.Body)
		if m == nil {
			t.Fatal("no seen_message_id on the page")
		}
		seen := m[1]

		// The agent's own note does not count as a collision.
		if _, err := e.f.Tickets.AddMessage(ctx, e.f.Agent, tk.ID, ticket.MessageInput{Kind: "note", Body: "my own note"}); err != nil {
			t.Fatal(err)
		}
		// A colleague answers meanwhile.
		other, err := e.f.Tickets.AddMessage(ctx, e.f.Agent2, tk.ID, ticket.MessageInput{Kind: "reply", Body: "Already fixed it!"})
		if err != nil {
			t.Fatal(err)
		}
		n := len(e.messages(tk.ID))
		r := e.postMultipart(rAgent, path, []string{"kind", "reply", "body", "Here is how to fix it", "seen_message_id", seen, "status", "solved"})
		wantCode(t, "collision", r, http.StatusConflict)
		wantBody(t, "collision", r, "Bea Agent wrote on this ticket", "Here is how to fix it", "Already fixed it!", "Send anyway",
			`name="confirm" value="1"`, `name="confirm_status" value="solved"`, "msg-new",
			fmt.Sprintf(`name="seen_message_id" value="%d"`, other.Message.ID))
		if len(e.messages(tk.ID)) != n {
			t.Fatal("the colliding message was sent")
		}
		// The customer writing counts too.
		if _, err := e.f.Tickets.AddMessage(ctx, auth.Actor{Kind: auth.KindContact, ID: tk.RequesterID}, tk.ID, ticket.MessageInput{Kind: "reply", Body: "Still broken"}); err != nil {
			t.Fatal(err)
		}
		r = e.postMultipart(rAgent, path, []string{"kind", "reply", "body", "Here is how to fix it", "seen_message_id", strconv.FormatInt(other.Message.ID, 10)})
		wantCode(t, "customer collision", r, http.StatusConflict)
		wantBody(t, "customer collision", r, "Cara Customer wrote on this ticket")

		// Send anyway.
		r = e.postMultipart(rAgent, path, []string{"kind", "reply", "body", "Here is how to fix it", "seen_message_id", seen, "confirm_status", "solved", "confirm", "1"})
		wantCode(t, "send anyway", r, http.StatusSeeOther)
		ms := e.messages(tk.ID)
		if ms[len(ms)-1].BodyText != "Here is how to fix it" {
			t.Fatalf("send anyway: last message %+v", ms[len(ms)-1])
		}
		if got := e.ticket(tk.ID); got.Status != "solved" {
			t.Errorf("send anyway kept the status choice: %s", got.Status)
		}
	})
}

func TestTicketPreviewFragment(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newTicketEnv(t, engine)
		for _, role := range []string{rAgent, rLight, rTeam, rAdmin} {
			r := e.post(role, "/preview", url.Values{"body": {"**bold** <script>alert(1)</script>"}})
			wantCode(t, role, r, http.StatusOK)
			wantBody(t, role, r, "<strong>bold</strong>", `class="preview-body body"`)
			wantNot(t, role, r, "<script>", "<html")
		}
		wantBody(t, "empty", e.post(rAgent, "/preview", url.Values{"body": {""}}), "Nothing to preview yet.")
		r := e.post(rNone, "/preview", url.Values{"body": {"x"}})
		wantCode(t, "signed out", r, http.StatusSeeOther)
	})
}

func TestTicketMergeAndLink(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newTicketEnv(t, engine)
		src := e.newTicket("Duplicate", e.f.Support.ID)
		dst := e.newTicket("Original", e.f.Support.ID)
		rel := e.newTicket("Related", e.f.Support.ID)
		hidden := e.newTicket("Billing only", e.f.Billing.ID)

		// Link.
		r := e.post(rAgent, tpath(src.ID, "/links"), url.Values{"number": {fmt.Sprintf("#%d", rel.Number)}})
		wantCode(t, "link", r, http.StatusSeeOther)
		wantBody(t, "link flash", e.get(rAgent, r.Header.Get("Location")), "Tickets linked.")
		if got := e.ticket(src.ID); len(got.Links) != 1 || got.Links[0].TicketID != rel.ID {
			t.Fatalf("link: %+v", got.Links)
		}
		page := e.get(rAgent, tpath(src.ID, ""))
		wantBody(t, "linked", page, fmt.Sprintf(`<a href="/tickets/%d">#%d</a> <span class="muted">related</span>`, rel.ID, rel.Number),
			fmt.Sprintf("Aldo Agent linked #%d", rel.Number))
		r = e.post(rAgent, tpath(src.ID, "/links"), url.Values{"number": {"424242"}})
		wantCode(t, "link unknown", r, http.StatusUnprocessableEntity)
		wantBody(t, "link unknown", r, "There is no ticket 424242", `value="424242"`)
		wantCode(t, "link self", e.post(rAgent, tpath(src.ID, "/links"), url.Values{"number": {strconv.FormatInt(src.Number, 10)}}), http.StatusUnprocessableEntity)
		wantCode(t, "link light", e.post(rLight, tpath(src.ID, "/links"), url.Values{"number": {strconv.FormatInt(dst.Number, 10)}}), http.StatusForbidden)
		wantCode(t, "link team agent", e.post(rTeam, tpath(src.ID, "/links"), url.Values{"number": {strconv.FormatInt(hidden.Number, 10)}}), http.StatusNotFound)
		wantCode(t, "link signed out", e.post(rNone, tpath(src.ID, "/links"), url.Values{"number": {"1"}}), http.StatusSeeOther)

		// Merge: the first post asks for confirmation, the second merges.
		r = e.post(rAgent, tpath(src.ID, "/merge"), url.Values{"target": {strconv.FormatInt(dst.Number, 10)}})
		wantCode(t, "merge ask", r, http.StatusOK)
		wantBody(t, "merge ask", r, fmt.Sprintf("Merge #%d into #%d “Original”?", src.Number, dst.Number), `name="confirm" value="1"`)
		if got := e.ticket(src.ID); got.MergedIntoID != nil {
			t.Fatal("merged before confirmation")
		}
		wantCode(t, "merge unknown", e.post(rAgent, tpath(src.ID, "/merge"), url.Values{"target": {"nope"}}), http.StatusUnprocessableEntity)
		wantCode(t, "merge light", e.post(rLight, tpath(src.ID, "/merge"), url.Values{"target": {strconv.FormatInt(dst.Number, 10)}, "confirm": {"1"}}), http.StatusForbidden)
		wantCode(t, "merge team agent", e.post(rTeam, tpath(src.ID, "/merge"), url.Values{"target": {strconv.FormatInt(hidden.Number, 10)}, "confirm": {"1"}}), http.StatusNotFound)
		wantCode(t, "merge signed out", e.post(rNone, tpath(src.ID, "/merge"), url.Values{"target": {"1"}}), http.StatusSeeOther)
		r = e.post(rAgent, tpath(src.ID, "/merge"), url.Values{"target": {strconv.FormatInt(dst.Number, 10)}, "confirm": {"1"}})
		wantCode(t, "merge", r, http.StatusSeeOther)
		if loc := r.Header.Get("Location"); loc != tpath(dst.ID, "") {
			t.Errorf("merge: Location %q", loc)
		}
		if got := e.ticket(src.ID); got.MergedIntoID == nil || *got.MergedIntoID != dst.ID || got.Status != "closed" {
			t.Fatalf("merge: %+v", got)
		}
		wantBody(t, "target", e.get(rAgent, tpath(dst.ID, "")), "Tickets merged.", fmt.Sprintf("Aldo Agent merged #%d into this ticket", src.Number))
		srcPage := e.get(rAgent, tpath(src.ID, ""))
		wantBody(t, "source", srcPage, "This ticket was merged", fmt.Sprintf("Aldo Agent merged this ticket into #%d", dst.Number))
		wantNot(t, "source", srcPage, "data-composer")
		r = e.post(rAgent, tpath(src.ID, "/merge"), url.Values{"target": {strconv.FormatInt(rel.Number, 10)}, "confirm": {"1"}})
		wantCode(t, "merge again", r, http.StatusConflict)
	})
}

func TestTicketPageLanguages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newTicketEnv(t, engine)
		tk := e.newTicket("Idiomas", e.f.Support.ID)
		for lang, want := range map[string]string{"pt-BR": "Nota interna", "es": "Respuesta pública", "he": `dir="rtl"`} {
			r := e.get(rAgent, tpath(tk.ID, "?lang="+lang))
			wantCode(t, lang, r, http.StatusOK)
			wantBody(t, lang, r, want)
		}
	})
}

func TestTicketFollowers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newTicketEnv(t, engine)
		tk := e.newTicket("Fatura em dobro", e.f.Support.ID)

		r := e.post(rAgent, tpath(tk.ID, "/followers"), url.Values{"email": {"Bruno@Example.com"}})
		wantCode(t, "add", r, http.StatusSeeOther)
		page := e.get(rAgent, r.Header.Get("Location"))
		wantBody(t, "added", page, "Follower added", "bruno@example.com", "Aldo Agent added bruno &lt;bruno@example.com&gt; as a follower")
		fs, err := e.f.Tickets.Followers(ctx, auth.System, tk.ID)
		if err != nil || len(fs) != 1 {
			t.Fatalf("followers = %+v, %v", fs, err)
		}

		r = e.post(rAgent, tpath(tk.ID, "/followers"), url.Values{"email": {"not an address"}})
		wantCode(t, "bad address", r, http.StatusUnprocessableEntity)
		wantBody(t, "bad address", r, "Enter an email address.", `value="not an address"`)
		wantCode(t, "add light", e.post(rLight, tpath(tk.ID, "/followers"), url.Values{"email": {"x@example.com"}}), http.StatusForbidden)
		// The team-restricted agent is in Billing only.
		wantCode(t, "add team agent", e.post(rTeam, tpath(tk.ID, "/followers"), url.Values{"email": {"x@example.com"}}), http.StatusNotFound)
		wantCode(t, "add signed out", e.post(rNone, tpath(tk.ID, "/followers"), url.Values{"email": {"x@example.com"}}), http.StatusSeeOther)

		remove := tpath(tk.ID, fmt.Sprintf("/followers/%d/remove", fs[0].ID))
		wantCode(t, "remove light", e.post(rLight, remove, nil), http.StatusForbidden)
		r = e.post(rAgent, remove, nil)
		wantCode(t, "remove", r, http.StatusSeeOther)
		wantBody(t, "removed", e.get(rAgent, r.Header.Get("Location")), "Follower removed.", "Nobody else gets the replies.")
		wantCode(t, "remove again", e.post(rAgent, remove, nil), http.StatusNotFound)
	})
}
