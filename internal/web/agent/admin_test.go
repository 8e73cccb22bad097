package agent_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"tessera/internal/webhook"
	"testing"

	"tessera/internal/app/apptest"
	"tessera/internal/auth"
	"tessera/internal/inbox"
	"tessera/internal/sla"
	"tessera/internal/sla/clocks"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
	"tessera/internal/ticket"
	"tessera/internal/web/agent"
	"tessera/internal/web/page"
)

// Who calls a page in these tests.
const (
	asAdmin = "admin"
	asAgent = "agent"
	asLight = "light"
	asTeam  = "team" // an agent limited to the Billing team
	asNone  = ""     // signed out
)

// adminEnv is an assembled app with the workspace's routes and a browser
// session per caller.
type adminEnv struct {
	t       *testing.T
	f       *apptest.Fixture
	h       http.Handler
	cookies map[string]string
}

func newAdminEnv(t *testing.T, engine store.Engine) *adminEnv {
	t.Helper()
	f := apptest.New(t, engine)
	log := slog.New(slog.DiscardHandler)
	site, err := page.New(f.App, log)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	(&agent.Handler{Site: site, Log: log}).Register(mux)
	e := &adminEnv{t: t, f: f, h: mux, cookies: map[string]string{}}
	for who, a := range map[string]auth.Actor{asAdmin: f.Admin, asAgent: f.Agent, asLight: f.Light, asTeam: f.TeamAgent, "agent2": f.Agent2} {
		tok, err := site.Sessions.Create(context.Background(), a.ID, 0, "", "test", "127.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		e.cookies[who] = tok
	}
	return e
}

// adminResp is a recorded response with its body read.
type adminResp struct {
	Code int
	Loc  string
	Body string
}

func (e *adminEnv) do(method, path, who string, form url.Values) adminResp {
	e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	r := httptest.NewRequest(method, path, body)
	if form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if tok := e.cookies[who]; who != asNone && tok != "" {
		r.AddCookie(&http.Cookie{Name: page.AgentCookie, Value: tok})
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	return adminResp{Code: w.Code, Loc: w.Header().Get("Location"), Body: w.Body.String()}
}

// adminWorld holds what the cases act on.
type adminWorld struct {
	status, tagRename, tagDelete string
	field, inbox                 int64
	calendar, policy, rule       int64
	webhook, webhookGone         int64 // issue 6
}

func newAdminWorld(t *testing.T, e *adminEnv) *adminWorld {
	ctx := context.Background()
	f := e.f
	w := &adminWorld{status: "in_progress", tagRename: "alpha", tagDelete: "beta"}
	if _, err := f.Tickets.CreateStatus(ctx, f.Admin, ticket.Status{Key: w.status, Name: "In progress", Category: "open", Position: 15}); err != nil {
		t.Fatal(err)
	}
	fd, err := f.Tickets.CreateField(ctx, f.Admin, ticket.FieldDef{Key: "plan", Name: "Plan", Kind: "dropdown", Options: []string{"free", "pro"}})
	if err != nil {
		t.Fatal(err)
	}
	w.field = fd.ID
	for _, tags := range [][]string{{"alpha", "beta"}, {"alpha"}} {
		if _, err := f.Tickets.Create(ctx, f.Agent, ticket.CreateInput{Subject: "Tagged", Body: "b", Tags: tags, Requester: &ticket.RequesterInput{Email: "c@x.test"}}); err != nil {
			t.Fatal(err)
		}
	}
	name, kind, addr := "Support mail", "email", "support@acme.test"
	b, err := f.Inboxes.Create(ctx, f.Admin, inbox.Input{Name: &name, Kind: &kind, Address: &addr})
	if err != nil {
		t.Fatal(err)
	}
	w.inbox = b.ID
	day := [][]string{{"09:00", "18:00"}}
	cal, err := f.SLA.CreateCalendar(ctx, f.Admin, clocks.CalendarInput{Name: "Office", TimeZone: "America/Sao_Paulo",
		Hours: map[string][][]string{"mon": day, "tue": day, "wed": day, "thu": day, "fri": day}, Holidays: []clocks.Holiday{{Month: 12, Day: 25, Name: "Natal"}}})
	if err != nil {
		t.Fatal(err)
	}
	w.calendar = cal.ID
	d := func(s string) clocks.Duration { v, _ := clocks.ParseDuration(s); return clocks.Duration(v) }
	pol, err := f.SLA.CreatePolicy(ctx, f.Admin, clocks.PolicyInput{Name: "Standard", Position: 10, BusinessHours: true, CalendarID: &cal.ID,
		Targets: clocks.Targets{"high": {sla.FirstReply: d("1h"), sla.Resolution: d("1d")}, "normal": {sla.FirstReply: d("4h")}}})
	if err != nil {
		t.Fatal(err)
	}
	w.policy = pol.ID
	rule, err := f.SLA.CreatePriorityRule(ctx, f.Admin, clocks.PriorityRuleInput{Name: "Outage", Priority: "urgent", Keywords: []string{"fora do ar"}})
	if err != nil {
		t.Fatal(err)
	}
	w.rule = rule.ID
	for i, u := range []string{"https://203.0.113.5/tessera", "https://203.0.113.6/old"} {
		url, events := u, []string{"ticket.created"}
		h, err := f.Webhooks.Create(ctx, f.Admin, webhook.WebhookInput{URL: &url, Events: &events})
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			w.webhook = h.ID
		} else {
			w.webhookGone = h.ID
		}
	}
	return w
}

// adminCase is one route: how to call it, and the form that succeeds.
type adminCase struct {
	method string
	path   func(e *adminEnv, w *adminWorld) string
	form   func(e *adminEnv, w *adminWorld) url.Values
}

func fixedPath(p string) func(*adminEnv, *adminWorld) string {
	return func(*adminEnv, *adminWorld) string { return p }
}

func adminCases() []adminCase {
	id := func(format string, get func(e *adminEnv, w *adminWorld) int64) func(*adminEnv, *adminWorld) string {
		return func(e *adminEnv, w *adminWorld) string { return fmt.Sprintf(format, get(e, w)) }
	}
	agent2 := func(e *adminEnv, _ *adminWorld) int64 { return e.f.Agent2.ID }
	support := func(e *adminEnv, _ *adminWorld) int64 { return e.f.Support.ID }
	vals := func(kv ...string) func(*adminEnv, *adminWorld) url.Values {
		return func(*adminEnv, *adminWorld) url.Values {
			v := url.Values{}
			for i := 0; i+1 < len(kv); i += 2 {
				v.Add(kv[i], kv[i+1])
			}
			return v
		}
	}
	return []adminCase{
		{method: "GET", path: fixedPath("/admin")},
		{method: "GET", path: fixedPath("/admin/agents")},
		{method: "GET", path: fixedPath("/admin/agents/new")},
		{method: "POST", path: fixedPath("/admin/agents"), form: vals("name", "Nina New", "email", "nina@example.com", "role", "agent", "ticket_access", "teams",
			"team_ids", "1", "language", "pt-BR", "time_zone", "America/Sao_Paulo", "capacity", "5", "password", "a long password")},
		{method: "GET", path: id("/admin/agents/%d", agent2)},
		{method: "POST", path: id("/admin/agents/%d", agent2), form: vals("name", "Bea Agent", "email", "agent2@example.com", "role", "agent",
			"ticket_access", "all", "language", "es", "time_zone", "Europe/Madrid", "availability", "away", "capacity", "3",
			"skill_tags", "billing, refunds", "skill_languages", "es")},
		{method: "POST", path: id("/admin/agents/%d/password", agent2), form: vals("password", "another long password")},
		{method: "POST", path: id("/admin/agents/%d/active", agent2), form: vals("active", "0")},
		{method: "GET", path: fixedPath("/admin/roles")},
		{method: "POST", path: fixedPath("/admin/roles"), form: func(e *adminEnv, _ *adminWorld) url.Values {
			return url.Values{"agent_id": {fmt.Sprint(e.f.Agent2.ID)}, "role": {"light"}}
		}},
		{method: "GET", path: fixedPath("/admin/teams")},
		{method: "GET", path: fixedPath("/admin/teams/new")},
		{method: "POST", path: fixedPath("/admin/teams"), form: vals("name", "Escalations", "tier", "2", "description", "Second line", "routing_strategy", "least_loaded")},
		{method: "GET", path: id("/admin/teams/%d", support)},
		{method: "POST", path: id("/admin/teams/%d", support), form: func(e *adminEnv, _ *adminWorld) url.Values {
			return url.Values{"name": {"Support"}, "tier": {"1"}, "agent_ids": {fmt.Sprint(e.f.Agent.ID), fmt.Sprint(e.f.Light.ID)}}
		}},
		{method: "GET", path: fixedPath("/admin/statuses")},
		{method: "GET", path: fixedPath("/admin/statuses/new")},
		{method: "POST", path: fixedPath("/admin/statuses"), form: vals("key", "answered", "name", "Answered", "category", "pending", "position", "21")},
		{method: "GET", path: func(_ *adminEnv, w *adminWorld) string { return "/admin/statuses/" + w.status }},
		{method: "POST", path: func(_ *adminEnv, w *adminWorld) string { return "/admin/statuses/" + w.status }, form: vals("name", "Working on it", "position", "16")},
		{method: "GET", path: fixedPath("/admin/fields")},
		{method: "GET", path: fixedPath("/admin/fields/new")},
		{method: "POST", path: fixedPath("/admin/fields"), form: vals("key", "seats", "name", "Seats", "kind", "number", "position", "2")},
		{method: "GET", path: id("/admin/fields/%d", func(_ *adminEnv, w *adminWorld) int64 { return w.field })},
		{method: "POST", path: id("/admin/fields/%d", func(_ *adminEnv, w *adminWorld) int64 { return w.field }),
			form: vals("name", "Plan", "options", "free\npro\nenterprise", "required", "1", "active", "1", "position", "1")},
		{method: "GET", path: fixedPath("/admin/tags")},
		{method: "POST", path: fixedPath("/admin/tags/rename"), form: func(_ *adminEnv, w *adminWorld) url.Values {
			return url.Values{"from": {w.tagRename}, "to": {"alpha_renamed"}}
		}},
		{method: "GET", path: func(_ *adminEnv, w *adminWorld) string { return "/admin/tags/delete?tag=" + w.tagDelete }},
		{method: "POST", path: fixedPath("/admin/tags/delete"), form: func(_ *adminEnv, w *adminWorld) url.Values { return url.Values{"tag": {w.tagDelete}} }},
		{method: "GET", path: fixedPath("/admin/inboxes")},
		{method: "GET", path: fixedPath("/admin/inboxes/new")},
		{method: "POST", path: fixedPath("/admin/inboxes"), form: vals("name", "Web form", "kind", "web", "address", "acme.test/help", "default_language", "es", "default_priority", "high")},
		{method: "GET", path: id("/admin/inboxes/%d", func(_ *adminEnv, w *adminWorld) int64 { return w.inbox })},
		{method: "POST", path: id("/admin/inboxes/%d", func(_ *adminEnv, w *adminWorld) int64 { return w.inbox }),
			form: vals("name", "Support mail", "kind", "email", "address", "help@acme.test", "default_team_id", "1", "default_language", "en", "active", "1")},
		{method: "POST", path: fixedPath("/admin/teams/routing"), form: vals("offline_after_minutes", "30")},
		{method: "GET", path: fixedPath("/admin/webhooks")},
		{method: "POST", path: fixedPath("/admin/webhooks/settings"), form: vals("allow_private", "1")},
		{method: "GET", path: fixedPath("/admin/webhooks/new")},
		{method: "POST", path: fixedPath("/admin/webhooks"), form: vals("url", "https://203.0.113.7/in", "secret", "a-long-enough-secret", "events", "ticket.solved", "events", "note.created")},
		{method: "GET", path: id("/admin/webhooks/%d", func(_ *adminEnv, w *adminWorld) int64 { return w.webhook })},
		{method: "POST", path: id("/admin/webhooks/%d", func(_ *adminEnv, w *adminWorld) int64 { return w.webhook }),
			form: vals("url", "https://203.0.113.5/tessera/v2", "events", "ticket.created", "events", "sla.breached")},
		{method: "POST", path: id("/admin/webhooks/%d/active", func(_ *adminEnv, w *adminWorld) int64 { return w.webhook }), form: vals("active", "0")},
		{method: "POST", path: id("/admin/webhooks/%d/test", func(_ *adminEnv, w *adminWorld) int64 { return w.webhook }), form: vals()},
		{method: "POST", path: id("/admin/webhooks/%d/delete", func(_ *adminEnv, w *adminWorld) int64 { return w.webhookGone }), form: vals()},
		// Mail in (issue 4): an IMAP account on the form; the failed-mail list.
		{method: "POST", path: id("/admin/inboxes/%d", func(_ *adminEnv, w *adminWorld) int64 { return w.inbox }),
			form: vals("name", "Support mail", "kind", "email", "address", "help@acme.test", "default_language", "en", "active", "1",
				"imap_host", "imap.acme.test", "imap_port", "993", "imap_security", "tls", "imap_username", "help@acme.test", "imap_password", "s3cret",
				"imap_auth", "password", "imap_folder", "INBOX", "imap_after", "move", "imap_move_to", "Done")},
		{method: "GET", path: fixedPath("/admin/failed-mail")},
		{method: "GET", path: fixedPath("/admin/failed-mail?all=1")},
		{method: "GET", path: func(e *adminEnv, _ *adminWorld) string {
			return fmt.Sprintf("/admin/failed-mail/%d/raw", keepFailed(e))
		}},
		{method: "POST", path: func(e *adminEnv, _ *adminWorld) string {
			return fmt.Sprintf("/admin/failed-mail/%d/retry", keepFailed(e))
		}},
		{method: "POST", path: func(e *adminEnv, _ *adminWorld) string {
			return fmt.Sprintf("/admin/failed-mail/%d/dismiss", keepFailed(e))
		}},
		{method: "GET", path: fixedPath("/admin/sla")},
		{method: "GET", path: fixedPath("/admin/sla/calendars/new")},
		{method: "POST", path: fixedPath("/admin/sla/calendars"), form: vals("name", "Night shift", "time_zone", "Asia/Jerusalem",
			"hours.sun", "22:00-06:00", "hours.mon", "9:00-12:00, 13:00-18:00", "holidays", "2026-09-21 Yom Kippur\n01-01 New year")},
		{method: "GET", path: id("/admin/sla/calendars/%d", func(_ *adminEnv, w *adminWorld) int64 { return w.calendar })},
		{method: "POST", path: id("/admin/sla/calendars/%d", func(_ *adminEnv, w *adminWorld) int64 { return w.calendar }),
			form: vals("name", "Office", "time_zone", "America/Sao_Paulo", "hours.mon", "08:00-17:00", "holidays", "12-25 Natal")},
		{method: "GET", path: fixedPath("/admin/sla/policies/new")},
		{method: "POST", path: fixedPath("/admin/sla/policies"), form: vals("name", "VIP", "position", "1", "active", "1", "pause_on_pending", "1",
			"conditions.tiers", "vip", "conditions.priorities", "urgent", "targets.urgent.first_reply", "15m", "targets.urgent.resolution", "4h", "warn_before", "5m")},
		{method: "GET", path: id("/admin/sla/policies/%d", func(_ *adminEnv, w *adminWorld) int64 { return w.policy })},
		{method: "POST", path: id("/admin/sla/policies/%d", func(_ *adminEnv, w *adminWorld) int64 { return w.policy }),
			form: vals("name", "Standard", "position", "10", "active", "1", "business_hours", "1", "calendar_id", "1", "targets.high.first_reply", "2h")},
		{method: "GET", path: fixedPath("/admin/sla/rules/new")},
		{method: "POST", path: fixedPath("/admin/sla/rules"), form: vals("name", "Refunds", "priority", "high", "keywords", "reembolso\nrefund", "channels", "email", "active", "1")},
		{method: "GET", path: id("/admin/sla/rules/%d", func(_ *adminEnv, w *adminWorld) int64 { return w.rule })},
		{method: "POST", path: id("/admin/sla/rules/%d", func(_ *adminEnv, w *adminWorld) int64 { return w.rule }),
			form: vals("name", "Outage", "priority", "urgent", "keywords", "fora do ar\nsite down\nדחוף", "active", "1")},
		// Email channel, outbound.
		{method: "GET", path: fixedPath("/admin/mail")},
		{method: "POST", path: id("/admin/mail/inboxes/%d", func(_ *adminEnv, w *adminWorld) int64 { return w.inbox }), form: vals("auto_ack", "1", "flood_per_hour", "7")},
		{method: "GET", path: fixedPath("/admin/mail/templates/auto_ack/he")},
		{method: "POST", path: fixedPath("/admin/mail/templates/auto_ack/he"), form: vals("subject", "קיבלנו [#{{ticket.number}}]", "body", "שלום {{requester.name}}")},
		{method: "POST", path: fixedPath("/admin/mail/templates/auto_ack/he/reset"), form: vals()},
	}
}

// TestAdminPermissions calls every settings route as every kind of
// caller: admins succeed, other agents get the forbidden page (and change
// nothing), a signed-out visitor is sent to sign in.
func TestAdminPermissions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newAdminEnv(t, engine)
		w := newAdminWorld(t, e)
		audit := func() int {
			var n int
			if err := e.f.DB.Read().QueryRow(context.Background(), `SELECT COUNT(*) FROM audit_log`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		for _, c := range adminCases() {
			path := c.path(e, w)
			var form url.Values
			if c.form != nil {
				form = c.form(e, w)
			}
			name := c.method + " " + path
			before := audit()
			for _, who := range []string{asAgent, asLight, asTeam} {
				if r := e.do(c.method, path, who, form); r.Code != http.StatusForbidden {
					t.Errorf("%s as %s: %d, want 403", name, who, r.Code)
				}
			}
			if audit() != before {
				t.Errorf("%s: a refused caller changed something", name)
			}
			r := e.do(c.method, path, asNone, form)
			if r.Code != http.StatusSeeOther || !strings.HasPrefix(r.Loc, "/login") {
				t.Errorf("%s signed out: %d to %q, want 303 to /login", name, r.Code, r.Loc)
			}
			r = e.do(c.method, path, asAdmin, form)
			want := http.StatusOK
			if c.method == "POST" {
				want = http.StatusSeeOther
			}
			if r.Code != want {
				t.Errorf("%s as admin: %d, want %d\n%s", name, r.Code, want, excerpt(r.Body))
				continue
			}
			if m := untranslated.FindString(r.Body); m != "" {
				t.Errorf("%s: untranslated message %q", name, m)
			}
			if c.method == "POST" {
				if audit() <= before {
					t.Errorf("%s as admin: nothing audited", name)
				}
				// The page it leads to renders, with its flash.
				next := e.do("GET", r.Loc, asAdmin, nil)
				if next.Code != http.StatusOK {
					t.Errorf("%s: the page after it (%s) is %d", name, r.Loc, next.Code)
				}
			}
		}
	})
}

func excerpt(s string) string {
	if i := strings.Index(s, `<main`); i >= 0 {
		s = s[i:]
	}
	if len(s) > 1500 {
		s = s[:1500]
	}
	return s
}

// TestAdminNotFound: unknown records are the not-found page.
func TestAdminNotFound(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newAdminEnv(t, engine)
		for _, p := range []string{"/admin/agents/99999", "/admin/agents/x", "/admin/teams/99999", "/admin/statuses/nope", "/admin/fields/99999",
			"/admin/inboxes/99999", "/admin/sla/calendars/99999", "/admin/sla/policies/99999", "/admin/sla/rules/99999", "/admin/tags/delete?tag=nope"} {
			if r := e.do("GET", p, asAdmin, nil); r.Code != http.StatusNotFound {
				t.Errorf("GET %s: %d, want 404", p, r.Code)
			}
		}
	})
}

// TestAdminDeactivateSignsOut: deactivating an agent from the settings
// ends their browser sessions at once; reactivating lets them sign in
// again (their old session stays ended).
func TestAdminDeactivateSignsOut(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newAdminEnv(t, engine)
		if r := e.do("GET", "/", "agent2", nil); r.Code != http.StatusOK {
			t.Fatalf("agent2 before: %d", r.Code)
		}
		path := fmt.Sprintf("/admin/agents/%d/active", e.f.Agent2.ID)
		if r := e.do("POST", path, asAdmin, url.Values{"active": {"0"}}); r.Code != http.StatusSeeOther {
			t.Fatalf("deactivate: %d", r.Code)
		}
		if r := e.do("GET", "/", "agent2", nil); r.Code != http.StatusSeeOther || !strings.HasPrefix(r.Loc, "/login") {
			t.Errorf("deactivated agent still signed in: %d %s", r.Code, r.Loc)
		}
		var n int
		if err := e.f.DB.Read().QueryRow(context.Background(), `SELECT COUNT(*) FROM sessions WHERE agent_id = $1`, e.f.Agent2.ID).Scan(&n); err != nil || n != 0 {
			t.Errorf("sessions left: %d (%v)", n, err)
		}
		r := e.do("GET", fmt.Sprintf("/admin/agents/%d", e.f.Agent2.ID), asAdmin, nil)
		if !strings.Contains(r.Body, `name="active" value="1"`) {
			t.Error("a deactivated agent's page offers no reactivation")
		}
		if r := e.do("POST", path, asAdmin, url.Values{"active": {"1"}}); r.Code != http.StatusSeeOther {
			t.Fatalf("reactivate: %d", r.Code)
		}
		a, _ := e.f.People.GetAgent(context.Background(), e.f.Agent2.ID)
		if !a.Active {
			t.Error("not reactivated")
		}
	})
}

// TestAdminTagRename: a rename shows what happened, and the list shows
// the new tag with the old one's tickets.
func TestAdminTagRename(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newAdminEnv(t, engine)
		newAdminWorld(t, e)
		r := e.do("POST", "/admin/tags/rename", asAdmin, url.Values{"from": {"alpha"}, "to": {"Beta"}})
		if r.Code != http.StatusSeeOther {
			t.Fatalf("rename: %d", r.Code)
		}
		list := e.do("GET", "/admin/tags", asAdmin, nil).Body
		if strings.Contains(list, `>alpha<`) || !strings.Contains(list, `<span class="tag">beta</span></td>
<td class="nowrap">2</td>`) {
			t.Errorf("after merging alpha into beta:\n%s", excerpt(list))
		}
		confirm := e.do("GET", "/admin/tags/delete?tag=beta", asAdmin, nil)
		if !strings.Contains(confirm.Body, "2 tickets") {
			t.Errorf("confirmation does not count the tickets:\n%s", excerpt(confirm.Body))
		}
	})
}

var failedSeq atomic.Int64

// keepFailed puts a new entry on the failed-mail list.
func keepFailed(e *adminEnv) int64 {
	id, err := e.f.FailedMail.Keep(context.Background(), nil, "test", []byte(fmt.Sprintf("broken mail %d", failedSeq.Add(1))), "no header")
	if err != nil {
		panic(err)
	}
	return id
}
