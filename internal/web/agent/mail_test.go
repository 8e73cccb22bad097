package agent_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"tessera/internal/auth"
	"tessera/internal/channel/email/outbound"
	"tessera/internal/inbox"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
	"tessera/internal/ticket"
)

// TestAdminMailPages: the templates page lists every template in every
// language, an edit shows on it as changed, a typo in a placeholder is
// refused under its field, and the inbox switches are saved.
func TestAdminMailPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newAdminEnv(t, engine)
		ctx := context.Background()
		name, kind, addr := "Suporte", "email", "suporte@acme.test"
		b, err := e.f.Inboxes.Create(ctx, e.f.Admin, inboxInput(name, kind, addr))
		if err != nil {
			t.Fatal(err)
		}
		r := e.do("GET", "/admin/mail?lang=pt-BR", asAdmin, nil)
		if r.Code != http.StatusOK || strings.Count(r.Body, `href="/admin/mail/templates/`) != 12 || !strings.Contains(r.Body, "suporte@acme.test") {
			t.Fatalf("GET /admin/mail: %d\n%s", r.Code, excerpt(r.Body))
		}
		if m := untranslated.FindString(r.Body); m != "" {
			t.Errorf("untranslated %q", m)
		}
		r = e.do("POST", "/admin/mail/templates/agent_assigned/es", asAdmin, url.Values{"subject": {"Ticket {{ticket.numero}}"}, "body": {"Hola"}})
		if r.Code != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `id="subject" type="text" name="subject" dir="auto" lang="es" value="Ticket {{ticket.numero}}"`) ||
			!strings.Contains(r.Body, html.EscapeString("unknown placeholder")) {
			t.Errorf("bad placeholder: %d\n%s", r.Code, excerpt(r.Body))
		}
		r = e.do("POST", "/admin/mail/templates/agent_assigned/es", asAdmin, url.Values{"subject": {"Nuevo: #{{ticket.number}}"}, "body": {"Hola {{agent.name}}: {{ticket_url}}"}})
		if r.Code != http.StatusSeeOther {
			t.Fatalf("save: %d\n%s", r.Code, excerpt(r.Body))
		}
		tm, err := e.f.MailTemplates.Get(ctx, e.f.Admin, outbound.TemplateAssigned, "es", nil)
		if err != nil || !tm.Customized || tm.Subject != "Nuevo: #{{ticket.number}}" {
			t.Errorf("saved template %+v %v", tm, err)
		}
		if r := e.do("GET", "/admin/mail/templates/agent_assigned/es", asAdmin, nil); !strings.Contains(r.Body, `action="/admin/mail/templates/agent_assigned/es/reset"`) {
			t.Errorf("a changed template offers no reset:\n%s", excerpt(r.Body))
		}
		if r := e.do("GET", "/admin/mail/templates/nope/es", asAdmin, nil); r.Code != http.StatusNotFound {
			t.Errorf("unknown template: %d", r.Code)
		}
		// The inbox's own version, edited from the page scoped to it.
		if r := e.do("GET", "/admin/mail?inbox="+itoa(b.ID), asAdmin, nil); !strings.Contains(r.Body, `href="/admin/mail/templates/auto_ack/he?inbox=`+itoa(b.ID)+`"`) {
			t.Errorf("scoped page lacks the inbox's links:\n%s", excerpt(r.Body))
		}
		r = e.do("POST", "/admin/mail/templates/auto_ack/he?inbox="+itoa(b.ID), asAdmin, url.Values{"subject": {"תמיכה #{{ticket.number}}"}, "body": {"שלום"}})
		if r.Code != http.StatusSeeOther || r.Loc != "/admin/mail?inbox="+itoa(b.ID) {
			t.Fatalf("save for the inbox: %d %q\n%s", r.Code, r.Loc, excerpt(r.Body))
		}
		mine, _ := e.f.MailTemplates.Get(ctx, e.f.Admin, outbound.TemplateAutoAck, "he", &b.ID)
		every, _ := e.f.MailTemplates.Get(ctx, e.f.Admin, outbound.TemplateAutoAck, "he", nil)
		if !mine.Customized || mine.Subject != "תמיכה #{{ticket.number}}" || every.Customized {
			t.Errorf("inbox version %+v, every inbox %+v", mine, every)
		}
		if r := e.do("POST", "/admin/mail/templates/auto_ack/he/reset?inbox="+itoa(b.ID), asAdmin, url.Values{}); r.Code != http.StatusSeeOther {
			t.Errorf("reset the inbox's version: %d", r.Code)
		}
		if mine, _ = e.f.MailTemplates.Get(ctx, e.f.Admin, outbound.TemplateAutoAck, "he", &b.ID); mine.Customized {
			t.Errorf("after reset the inbox still has its own: %+v", mine)
		}
		r = e.do("POST", "/admin/mail/inboxes/"+itoa(b.ID), asAdmin, url.Values{"flood_per_hour": {"0"}})
		if r.Code != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `aria-invalid="true"`) {
			t.Errorf("flood 0: %d", r.Code)
		}
		if r := e.do("POST", "/admin/mail/inboxes/"+itoa(b.ID), asAdmin, url.Values{"flood_per_hour": {"9"}}); r.Code != http.StatusSeeOther {
			t.Errorf("save inbox options: %d", r.Code)
		}
		o, err := e.f.MailOptions.Inbox(ctx, e.f.Admin, b.ID)
		if err != nil || o.AutoAck || o.FloodPerHour != 9 {
			t.Errorf("inbox options %+v %v: want acknowledgements off (box unticked) and 9", o, err)
		}
	})
}

// TestProfileMailPrefs: each agent turns their own notification mails on
// and off.
func TestProfileMailPrefs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newAdminEnv(t, engine)
		r := e.do("GET", "/profile", asLight, nil)
		if r.Code != http.StatusOK || !strings.Contains(r.Body, `name="assigned" value="1" checked`) {
			t.Fatalf("profile: %d\n%s", r.Code, excerpt(r.Body))
		}
		if r := e.do("POST", "/profile/mail", asLight, url.Values{"customer_replied": {"1"}}); r.Code != http.StatusSeeOther || r.Loc != "/profile" {
			t.Fatalf("save: %d %q", r.Code, r.Loc)
		}
		p, err := e.f.MailOptions.Agent(context.Background(), e.f.Light, e.f.Light.ID)
		if err != nil || p.Assigned || !p.CustomerReplied {
			t.Errorf("prefs %+v %v", p, err)
		}
		if r := e.do("GET", "/profile", asLight, nil); strings.Contains(r.Body, `name="assigned" value="1" checked`) || !strings.Contains(r.Body, `name="customer_replied" value="1" checked`) {
			t.Errorf("the page does not show the saved choice")
		}
		if r := e.do("POST", "/profile/mail", asNone, url.Values{}); r.Code != http.StatusSeeOther || !strings.HasPrefix(r.Loc, "/login") {
			t.Errorf("signed out: %d %q", r.Code, r.Loc)
		}
	})
}

// TestThreadShowsUndelivered: a reply whose mail failed says so in the
// thread, naming the recipient and the reason.
func TestThreadShowsUndelivered(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newAdminEnv(t, engine)
		ctx := context.Background()
		tk, err := e.f.Tickets.Create(ctx, auth.System, ticket.CreateInput{Subject: "Mail me", Body: "hi", Channel: "email",
			Requester: &ticket.RequesterInput{Email: "gone@cliente.test", Name: "Gone"}})
		if err != nil {
			t.Fatal(err)
		}
		res, err := e.f.Tickets.AddMessage(ctx, e.f.Agent, tk.ID, ticket.MessageInput{Kind: ticket.KindReply, Body: "Hello"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.f.DB.Write().Exec(ctx, `UPDATE mail_deliveries SET status = 'failed', attempts = 1, last_error = '550 5.1.1 no such user' WHERE message_id = $1`, res.Message.ID); err != nil {
			t.Fatal(err)
		}
		r := e.do("GET", "/tickets/"+itoa(tk.ID)+"?lang=es", asAgent, nil)
		if r.Code != http.StatusOK || !strings.Contains(r.Body, `<ul class="undelivered" role="status"><li>No entregado a gone@cliente.test: 550 5.1.1 no such user</li></ul>`) {
			t.Errorf("thread: %d\n%s", r.Code, excerpt(r.Body))
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func inboxInput(name, kind, addr string) inbox.Input {
	return inbox.Input{Name: &name, Kind: &kind, Address: &addr}
}
