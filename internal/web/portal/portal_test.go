package portal_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"tessera/internal/auth"
	"tessera/internal/inbox"
	"tessera/internal/people"
	settings "tessera/internal/portal"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
	"tessera/internal/ticket"
	"tessera/internal/web"
	"tessera/internal/web/api"
)

// TestSignedOut: the public pages answer, every page of a contact's
// requests sends the visitor to sign in (and back), unknown paths are a
// portal 404, and an agent's workspace session is no portal session.
func TestSignedOut(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newEnv(t, engine, 10)
		for path, want := range map[string]string{
			"/help":                      "/help/requests/new",
			"/help/requests/new":         `name="subject"`,
			"/help/login":                `name="email"`,
			"/help/lookup":               `name="number"`,
			"/help/login/sent":           "Check your mail",
			"/help/lookup/sent":          "Check your mail",
			"/help/requests/sent?n=1042": "#1042",
		} {
			r := e.get(path, "")
			if r.Code != 200 || !strings.Contains(r.Body, want) || !strings.Contains(r.Body, `class="portal"`) {
				t.Errorf("GET %s: %s", path, r)
			}
		}
		for _, c := range []struct{ method, path, next string }{
			{"GET", "/help/requests", "/help/requests"},
			{"GET", "/help/requests?show=open", "/help/requests?show=open"},
			{"GET", "/help/requests/1001", "/help/requests/1001"},
			{"GET", "/help/attachments/1", "/help/attachments/1"},
			{"GET", "/help/password", "/help/password"},
			{"POST", "/help/requests/1001/replies", "/help/requests"},
			{"POST", "/help/requests/1001/solve", "/help/requests"},
			{"POST", "/help/password", "/help/requests"},
		} {
			r := e.do(req{method: c.method, path: c.path, body: url.Values{"body": {"x"}}})
			if r.Code != http.StatusSeeOther || r.Header.Get("Location") != "/help/login?next="+url.QueryEscape(c.next) {
				t.Errorf("%s %s signed out: %s", c.method, c.path, r)
			}
		}
		if r := e.get("/help/no-such-page", ""); r.Code != 404 || !strings.Contains(r.Body, `class="portal"`) {
			t.Errorf("unknown portal page: %s", r)
		}
		if r := e.post("/help/logout", "", nil); r.Code != http.StatusSeeOther || r.Header.Get("Location") != "/help" {
			t.Errorf("sign out when signed out: %s", r)
		}
		// An agent's session cookie is not a contact's.
		tok, err := e.site.Sessions.Create(ctx, e.f.Agent.ID, 0, "", "", "")
		if err != nil {
			t.Fatal(err)
		}
		if r := e.get("/help/requests", tok); r.Code != http.StatusSeeOther {
			t.Errorf("agent session in the portal: %s", r)
		}
	})
}

// TestLanguages: ?lang= picks the language, Hebrew right to left.
func TestLanguages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newEnv(t, engine, 10)
		for lang, want := range map[string]string{"en": "How can we help?", "pt-BR": "Como podemos ajudar?", "es": "¿Cómo podemos ayudarte?", "he": "איך נוכל לעזור?"} {
			r := e.get("/help?lang="+lang, "")
			if r.Code != 200 || !strings.Contains(r.Body, want) || !strings.Contains(r.Body, `lang="`+lang+`"`) {
				t.Errorf("%s: %s", lang, r)
			}
			if dir := strings.Contains(r.Body, `dir="rtl"`); dir != (lang == "he") {
				t.Errorf("%s: rtl = %v", lang, dir)
			}
		}
		// The browser's language when nothing else is chosen.
		r := e.doWith(req{method: "GET", path: "/help/requests/new"}, func(h http.Header) { h.Set("Accept-Language", "he-IL,he;q=0.9") })
		if !strings.Contains(r.Body, `dir="rtl"`) || !strings.Contains(r.Body, "שליחת פנייה") {
			t.Errorf("Accept-Language: %s", r)
		}
	})
}

func formValues(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

func sentNumber(t *testing.T, r resp) int64 {
	t.Helper()
	loc := r.Header.Get("Location")
	if r.Code != http.StatusSeeOther || !strings.HasPrefix(loc, "/help/requests/sent?n=") {
		t.Fatalf("web form not accepted: %s", r)
	}
	n, err := strconv.ParseInt(strings.TrimPrefix(loc, "/help/requests/sent?n="), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestWebForm: a visitor's request becomes a web ticket for the contact of
// their address (created in the page's language), files attached; a
// signed-in contact files for themself; the sent page shows the number.
func TestWebForm(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newEnv(t, engine, 10)
		r := e.do(req{method: "POST", path: "/help/requests?lang=es", body: &multipartBody{
			fields: map[string]string{"name": "Lucía Gómez", "email": "Lucia@Ejemplo.es", "subject": "No puedo entrar", "body": "Desde ayer no puedo iniciar sesión.", "priority": "urgent"},
			files:  map[string][]byte{"captura.png": []byte("\x89PNG\r\n\x1a\nfake"), "registro.txt": []byte("error 42")},
		}})
		n := sentNumber(t, r)
		tk, err := e.f.Tickets.ByNumber(ctx, system, n)
		if err != nil {
			t.Fatal(err)
		}
		if tk.Channel != "web" || tk.Subject != "No puedo entrar" || tk.Priority != "normal" || tk.Requester.Email != "lucia@ejemplo.es" {
			t.Errorf("ticket = %+v (priority must be ignored unless allowed)", tk)
		}
		c, _ := e.f.People.GetContact(ctx, tk.RequesterID)
		if c.Name != "Lucía Gómez" || c.Language != "es" {
			t.Errorf("contact = %+v", c)
		}
		msgs, _ := e.f.Tickets.Messages(ctx, system, tk.ID)
		if len(msgs) != 1 || len(msgs[0].Attachments) != 2 || msgs[0].AuthorContactID == nil || *msgs[0].AuthorContactID != c.ID {
			t.Errorf("thread = %+v", msgs)
		}
		ev, _ := e.f.Tickets.Events(ctx, system, tk.ID, 0, 10)
		if ev[0].ActorKind != auth.KindContact || ev[0].ActorID == nil || *ev[0].ActorID != c.ID {
			t.Errorf("created by %+v, want the contact", ev[0])
		}
		if p := e.get(r.Header.Get("Location"), ""); p.Code != 200 || !strings.Contains(p.Body, fmt.Sprintf("#%d", n)) {
			t.Errorf("sent page: %s", p)
		}

		// An existing contact, matched by any of their addresses.
		known, err := e.f.People.CreateContact(ctx, e.f.Agent, people.ContactInput{Name: ptr("Ana"), Emails: &[]string{"ana@work.example", "ana@home.example"}, Language: ptr("pt-BR")})
		if err != nil {
			t.Fatal(err)
		}
		n = sentNumber(t, e.post("/help/requests", "", formValues("name", "Ana S.", "email", "ana@home.example", "subject", "Fatura", "body", "Segunda via")))
		if tk, _ := e.f.Tickets.ByNumber(ctx, system, n); tk.RequesterID != known.ID {
			t.Errorf("existing contact not matched: %d vs %d", tk.RequesterID, known.ID)
		}

		// Signed in: no name or address to give.
		sess := e.signIn(known)
		form := e.get("/help/requests/new", sess)
		if strings.Contains(form.Body, `name="email"`) || !strings.Contains(form.Body, "ana@work.example") {
			t.Errorf("signed-in form asks for the address: %s", form)
		}
		n = sentNumber(t, e.post("/help/requests", sess, formValues("subject", "Outra", "body", "Mais uma")))
		if tk, _ := e.f.Tickets.ByNumber(ctx, system, n); tk.RequesterID != known.ID || tk.InboxID != nil {
			t.Errorf("signed-in request filed for %d through inbox %v (there is no web-form inbox yet)", tk.RequesterID, tk.InboxID)
		}

		// With a web-form inbox, requests come in through it and get its team.
		box, err := e.f.Inboxes.Create(ctx, e.f.Admin, inbox.Input{Name: ptr("Formulário"), Kind: ptr("web"), DefaultTeamID: &e.f.Billing.ID})
		if err != nil {
			t.Fatal(err)
		}
		n = sentNumber(t, e.post("/help/requests", sess, formValues("subject", "Pelo formulário", "body", "Com caixa de entrada")))
		if tk, _ := e.f.Tickets.ByNumber(ctx, system, n); tk.InboxID == nil || *tk.InboxID != box.ID || tk.TeamID == nil || *tk.TeamID != e.f.Billing.ID {
			t.Errorf("web-form request: inbox %v team %v, want inbox %d team %d", tk.InboxID, tk.TeamID, box.ID, e.f.Billing.ID)
		}
		if p := e.get(fmt.Sprintf("/help/requests/sent?n=%d", n), sess); !strings.Contains(p.Body, fmt.Sprintf(`href="/help/requests/%d"`, n)) {
			t.Errorf("sent page lacks the link to the request: %s", p)
		}
	})
}

func ptr[T any](v T) *T { return &v }

// TestWebFormErrors: bad input comes back as the form, 422, with what
// was typed and each field's error, and nothing is written.
func TestWebFormErrors(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newEnv(t, engine, 10)
		tickets := count(t, e, `SELECT count(*) FROM tickets`)
		contacts := count(t, e, `SELECT count(*) FROM contacts`)
		r := e.post("/help/requests?lang=pt-BR", "", formValues("name", "Zé <b>", "email", "not-an-address", "subject", "  ", "body", "Meu texto & detalhes"))
		if r.Code != http.StatusUnprocessableEntity {
			t.Fatalf("bad form: %s", r)
		}
		for _, want := range []string{`value="Zé &lt;b&gt;"`, `value="not-an-address"`, "Meu texto &amp; detalhes", "Este não é um endereço de e-mail.", "Preencha este campo.", `aria-invalid="true"`} {
			if !strings.Contains(r.Body, want) {
				t.Errorf("422 page lacks %q", want)
			}
		}
		// A service refusal (an executable) names the file.
		r = e.do(req{method: "POST", path: "/help/requests", body: &multipartBody{
			fields: map[string]string{"name": "Eve", "email": "eve@x.example", "subject": "Invoice", "body": "See attached"},
			files:  map[string][]byte{"invoice.exe": []byte("MZ")},
		}})
		if r.Code != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "invoice.exe: files of this type are not accepted.") ||
			!strings.Contains(r.Body, `value="Invoice"`) || !strings.Contains(r.Body, "choose your files again") {
			t.Errorf("executable: %s", r)
		}
		if got := count(t, e, `SELECT count(*) FROM tickets`); got != tickets {
			t.Errorf("tickets written on bad input: %d → %d", tickets, got)
		}
		if got := count(t, e, `SELECT count(*) FROM contacts`); got != contacts+1 { // eve, before the file was refused
			t.Errorf("contacts %d → %d", contacts, got)
		}
	})
}

// TestWebFormFields: the fields an admin shows on the portal, and the
// priority when allowed.
func TestWebFormFields(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newEnv(t, engine, 10)
		for _, d := range []ticket.FieldDef{
			{Key: "order", Name: "Order number", Kind: "text", Portal: true, Required: true},
			{Key: "product", Name: "Product", Kind: "dropdown", Options: []string{"Pro", "Lite"}, Portal: true},
			{Key: "seats", Name: "Seats", Kind: "number", Portal: true},
			{Key: "agreed", Name: "I agree", Kind: "checkbox", Portal: true},
			{Key: "risk", Name: "Churn risk", Kind: "number"},
		} {
			if _, err := e.f.Tickets.CreateField(ctx, e.f.Admin, d); err != nil {
				t.Fatal(err)
			}
		}
		form := e.get("/help/requests/new", "")
		for _, want := range []string{`name="cf_order"`, `name="cf_product"`, "<option>Lite</option>", `name="cf_seats"`, `name="cf_agreed"`} {
			if !strings.Contains(form.Body, want) {
				t.Errorf("form lacks %s", want)
			}
		}
		if strings.Contains(form.Body, "cf_risk") || strings.Contains(form.Body, `name="priority"`) {
			t.Error("form shows an agent-only field or the priority")
		}
		base := []string{"name", "Bo", "email", "bo@x.example", "subject", "S", "body", "B"}
		r := e.post("/help/requests", "", formValues(append(base, "cf_product", "Pro", "cf_seats", "many")...))
		if r.Code != 422 || !strings.Contains(r.Body, "Please fill this in.") || !strings.Contains(r.Body, "Please enter a number.") || !strings.Contains(r.Body, "<option selected>Pro</option>") {
			t.Errorf("required and number fields: %s", r)
		}
		e.settings(settings.Input{AllowPriority: yes()})
		if form := e.get("/help/requests/new", ""); !strings.Contains(form.Body, `name="priority"`) {
			t.Error("priority not offered when allowed")
		}
		n := sentNumber(t, e.post("/help/requests", "", formValues(append(base, "cf_order", "A-17", "cf_seats", "12,5", "cf_agreed", "on", "priority", "high")...)))
		tk, _ := e.f.Tickets.ByNumber(ctx, system, n)
		if tk.Priority != "high" || tk.CustomFields["order"] != "A-17" || tk.CustomFields["seats"] != 12.5 || tk.CustomFields["agreed"] != true {
			t.Errorf("ticket = %s %v", tk.Priority, tk.CustomFields)
		}
		r = e.post("/help/requests", "", formValues(append(base, "cf_order", "A-18", "priority", "whenever")...))
		if r.Code != 422 {
			t.Errorf("unknown priority: %s", r)
		}
	})
}

// TestWebFormSpam: the honeypot keeps nothing; past the per-address
// budget the form answers 429 and keeps the text.
func TestWebFormSpam(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newEnv(t, engine, 2)
		before := count(t, e, `SELECT count(*) FROM tickets`)
		r := e.post("/help/requests", "", formValues("name", "Bot", "email", "bot@spam.example", "subject", "Cheap", "body", "Buy", "website", "http://spam.example"))
		if r.Code != http.StatusSeeOther || r.Header.Get("Location") != "/help/requests/sent" {
			t.Errorf("honeypot: %s", r)
		}
		if count(t, e, `SELECT count(*) FROM tickets`) != before || count(t, e, `SELECT count(*) FROM contacts WHERE name = 'Bot'`) != 0 {
			t.Error("honeypot submission was kept")
		}
		if p := e.get("/help/requests/sent", ""); p.Code != 200 || strings.Contains(p.Body, "ref-number") {
			t.Errorf("robot's sent page: %s", p)
		}
		form := func(i int) url.Values {
			return formValues("name", "Flo", "email", "flo@x.example", "subject", fmt.Sprintf("Question %d", i), "body", "Texto que não pode se perder")
		}
		sentNumber(t, e.do(req{method: "POST", path: "/help/requests", body: form(1), addr: "198.51.100.7"}))
		sentNumber(t, e.do(req{method: "POST", path: "/help/requests", body: form(2), addr: "198.51.100.7"}))
		r = e.do(req{method: "POST", path: "/help/requests", body: form(3), addr: "198.51.100.7"})
		if r.Code != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" || !strings.Contains(r.Body, "Texto que não pode se perder") ||
			!strings.Contains(r.Body, `value="Question 3"`) || !strings.Contains(r.Body, "try again in a few minutes") {
			t.Errorf("over the limit: %s", r)
		}
		// Another address has its own budget.
		sentNumber(t, e.do(req{method: "POST", path: "/help/requests", body: form(4), addr: "198.51.100.8"}))
		if count(t, e, `SELECT count(*) FROM tickets`) != before+3 {
			t.Error("the refused submission was kept")
		}
	})
}

// TestMyRequests: a contact lists and opens their own requests only;
// their organization's too when the admin shares them; pages by keyset.
func TestMyRequests(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newEnv(t, engine, 10)
		if _, err := e.f.People.CreateOrganization(ctx, e.f.Admin, people.OrganizationInput{Name: ptr("Acme"), Domains: &[]string{"acme.example"}}); err != nil {
			t.Fatal(err)
		}
		ana, bo, zed := e.contact("ana@acme.example", "Ana", "en"), e.contact("bo@acme.example", "Bo", "en"), e.contact("zed@other.example", "Zed", "en")
		mine := e.ticketFor(ana, "Ana's printer")
		colleague := e.ticketFor(bo, "Bo's laptop")
		stranger := e.ticketFor(zed, "Zed's secret")
		pending := "pending"
		if _, err := e.f.Tickets.Update(ctx, e.f.Agent, mine.ID, ticket.UpdateInput{Status: &pending}); err != nil {
			t.Fatal(err)
		}
		sess := e.signIn(ana)
		r := e.get("/help/requests", sess)
		if r.Code != 200 || !strings.Contains(r.Body, "Ana&#39;s printer") || !strings.Contains(r.Body, "Awaiting your reply") ||
			strings.Contains(r.Body, "Bo&#39;s laptop") || strings.Contains(r.Body, "Zed") || strings.Contains(r.Body, "scope=org") {
			t.Errorf("own list: %s", r)
		}
		for _, tk := range []ticket.Ticket{colleague, stranger} {
			if r := e.get(fmt.Sprintf("/help/requests/%d", tk.Number), sess); r.Code != 404 || strings.Contains(r.Body, tk.Subject) {
				t.Errorf("another's request #%d: %s", tk.Number, r)
			}
		}
		if r := e.get("/help/requests/99999", sess); r.Code != 404 {
			t.Errorf("no such request: %s", r)
		}
		if r := e.get("/help/requests/abc", sess); r.Code != 404 {
			t.Errorf("not a number: %s", r)
		}

		e.settings(settings.Input{ShareOrganization: yes()})
		if r := e.get("/help/requests", sess); strings.Contains(r.Body, "Bo&#39;s laptop") || !strings.Contains(r.Body, "scope=org") {
			t.Errorf("shared, own scope: %s", r)
		}
		r = e.get("/help/requests?scope=org", sess)
		if !strings.Contains(r.Body, "Bo&#39;s laptop") || !strings.Contains(r.Body, "by Bo") || strings.Contains(r.Body, "Zed") {
			t.Errorf("shared, organization scope: %s", r)
		}
		r = e.get(fmt.Sprintf("/help/requests/%d", colleague.Number), sess)
		if r.Code != 200 || strings.Contains(r.Body, "/solve") {
			t.Errorf("colleague's request (no solve button): %s", r)
		}
		if r := e.post(fmt.Sprintf("/help/requests/%d/solve", colleague.Number), sess, nil); r.Code != http.StatusForbidden {
			t.Errorf("solving a colleague's request: %s", r)
		}
		if r := e.get(fmt.Sprintf("/help/requests/%d", stranger.Number), sess); r.Code != 404 {
			t.Errorf("stranger's request when shared: %s", r)
		}
		e.settings(settings.Input{ShareOrganization: no()})
		if r := e.get(fmt.Sprintf("/help/requests/%d", colleague.Number), sess); r.Code != 404 {
			t.Errorf("colleague's request after sharing ends: %s", r)
		}

		// Keyset pages of 20, and filters.
		for i := range 22 {
			e.ticketFor(ana, fmt.Sprintf("Batch %02d", i))
		}
		r = e.get("/help/requests", sess)
		if got := strings.Count(r.Body, `<li><a href="/help/requests/`); got != 20 {
			t.Errorf("first page has %d rows", got)
		}
		i := strings.Index(r.Body, `href="/help/requests?cursor=`)
		if i < 0 {
			t.Fatalf("no next page link")
		}
		next := r.Body[i+6 : i+6+strings.Index(r.Body[i+6:], `"`)]
		r = e.get(strings.ReplaceAll(next, "&amp;", "&"), sess)
		if got := strings.Count(r.Body, `<li><a href="/help/requests/`); got != 3 || strings.Contains(r.Body, "cursor=") {
			t.Errorf("second page has %d rows: %s", got, r)
		}
		if r := e.get("/help/requests?cursor=garbage", sess); r.Code != 200 {
			t.Errorf("bad cursor: %s", r)
		}
		if r := e.get("/help/requests?show=solved", sess); strings.Contains(r.Body, "Batch") {
			t.Error("solved filter shows open requests")
		}
	})
}

// TestRequestThread: the public thread without notes; files of replies
// download, files of notes do not; replies (with files) and "solved".
func TestRequestThread(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newEnv(t, engine, 10)
		ana, zed := e.contact("ana@x.example", "Ana", "en"), e.contact("zed@y.example", "Zed", "en")
		tk := e.ticketFor(ana, "Broken export")
		if _, err := e.f.Tickets.AddMessage(ctx, e.f.Agent, tk.ID, ticket.MessageInput{Kind: ticket.KindNote, Body: "INTERNAL: she is on the legacy plan",
			Attachments: []ticket.AttachmentInput{{Filename: "internal-notes.txt", Data: []byte("secret")}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.f.Tickets.AddMessage(ctx, e.f.Agent, tk.ID, ticket.MessageInput{Body: "Please try **again** now.",
			Attachments: []ticket.AttachmentInput{{Filename: "steps.txt", Data: []byte("1. click")}}}); err != nil {
			t.Fatal(err)
		}
		all, _ := e.f.Tickets.Messages(ctx, system, tk.ID)
		noteFile, publicFile := all[1].Attachments[0].ID, all[2].Attachments[0].ID
		sess := e.signIn(ana)
		path := fmt.Sprintf("/help/requests/%d", tk.Number)
		r := e.get(path, sess)
		if r.Code != 200 || !strings.Contains(r.Body, "<strong>again</strong>") || !strings.Contains(r.Body, "steps.txt") || !strings.Contains(r.Body, "Aldo Agent") {
			t.Errorf("thread: %s", r)
		}
		if strings.Contains(r.Body, "INTERNAL") || strings.Contains(r.Body, "internal-notes.txt") || strings.Contains(r.Body, "legacy plan") {
			t.Error("a note is shown to the customer")
		}
		if f := e.get(fmt.Sprintf("/help/attachments/%d", publicFile), sess); f.Code != 200 || f.Body != "1. click" ||
			!strings.HasPrefix(f.Header.Get("Content-Disposition"), "attachment") || f.Header.Get("Content-Security-Policy") != "sandbox" {
			t.Errorf("public file: %s %v", f, f.Header)
		}
		if f := e.get(fmt.Sprintf("/help/attachments/%d", noteFile), sess); f.Code != 404 || strings.Contains(f.Body, "secret") {
			t.Errorf("note's file: %s", f)
		}
		if f := e.get(fmt.Sprintf("/help/attachments/%d", publicFile), e.signIn(zed)); f.Code != 404 {
			t.Errorf("another contact downloads the file: %s", f)
		}
		if f := e.get("/help/attachments/x", sess); f.Code != 404 {
			t.Errorf("bad id: %s", f)
		}

		// Reply with a file.
		r = e.do(req{method: "POST", path: path + "/replies", session: sess, body: &multipartBody{
			fields: map[string]string{"body": "Still failing, log attached"}, files: map[string][]byte{"log.txt": []byte("trace")}}})
		if r.Code != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), path+"#m") {
			t.Fatalf("reply: %s", r)
		}
		msgs, _ := e.f.Tickets.Messages(ctx, system, tk.ID)
		last := msgs[len(msgs)-1]
		if last.BodyText != "Still failing, log attached" || last.Channel != "web" || len(last.Attachments) != 1 || last.AuthorContactID == nil {
			t.Errorf("reply stored as %+v", last)
		}
		if r := e.post(path+"/replies", sess, formValues("body", "   ")); r.Code != 422 || !strings.Contains(r.Body, "Please fill this in.") {
			t.Errorf("empty reply: %s", r)
		}
		if r := e.post(fmt.Sprintf("/help/requests/%d/replies", tk.Number), e.signIn(zed), formValues("body", "hi")); r.Code != 404 {
			t.Errorf("reply to another's request: %s", r)
		}

		// Mark as solved, then a reply reopens it.
		if r := e.get(path, sess); !strings.Contains(r.Body, path+"/solve") {
			t.Error("no solve button")
		}
		if r := e.post(path+"/solve", sess, nil); r.Code != http.StatusSeeOther || r.Header.Get("Location") != path ||
			!strings.Contains(r.Header.Get("Set-Cookie"), "portal.flash.solved") {
			t.Fatalf("solve: %s %v", r, r.Header)
		}
		if got, _ := e.f.Tickets.Get(ctx, system, tk.ID); got.StatusCategory != ticket.StatusSolved {
			t.Errorf("after solve: %s", got.Status)
		}
		r = e.get(path, sess)
		if !strings.Contains(r.Body, ">Solved<") || strings.Contains(r.Body, path+"/solve") {
			t.Errorf("solved page: %s", r)
		}
		if r := e.post(path+"/replies", sess, formValues("body", "Broken again")); r.Code != http.StatusSeeOther {
			t.Fatalf("reply to solved: %s", r)
		}
		if got, _ := e.f.Tickets.Get(ctx, system, tk.ID); got.StatusCategory != ticket.StatusOpen {
			t.Errorf("reply did not reopen: %s", got.Status)
		}

		// A reply to a closed request opens a follow-up.
		solved, closed := "solved", "closed"
		for _, st := range []*string{&solved, &closed} {
			if _, err := e.f.Tickets.Update(ctx, e.f.Agent, tk.ID, ticket.UpdateInput{Status: st}); err != nil {
				t.Fatal(err)
			}
		}
		r = e.post(path+"/replies", sess, formValues("body", "One more thing"))
		if r.Code != http.StatusSeeOther || strings.HasPrefix(r.Header.Get("Location"), path+"#") {
			t.Fatalf("reply to closed: %s", r)
		}
		if p := e.get(strings.Split(r.Header.Get("Location"), "#")[0], sess); p.Code != 200 || !strings.Contains(p.Body, "One more thing") {
			t.Errorf("follow-up: %s", p)
		}
		if r := e.post(path+"/solve", sess, nil); r.Code != http.StatusConflict {
			t.Errorf("solve a closed request: %s", r)
		}
	})
}

// TestLinkSignIn: a link is mailed to a known address only, the answer
// is the same either way; the link page changes nothing until its button
// is pressed; a link signs in once.
func TestLinkSignIn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newEnv(t, engine, 10)
		ana := e.contact("ana@x.example", "Ana Souza", "pt-BR")
		tk := e.ticketFor(ana, "Printer")
		known := e.post("/help/login", "", formValues("email", " ANA@x.example ", "next", fmt.Sprintf("/help/requests/%d", tk.Number)))
		unknown := e.post("/help/login", "", formValues("email", "nobody@x.example"))
		if known.Code != http.StatusSeeOther || known.Header.Get("Location") != "/help/login/sent" ||
			unknown.Code != known.Code || unknown.Header.Get("Location") != known.Header.Get("Location") || unknown.Body != known.Body {
			t.Errorf("answers differ: %s / %s", known, unknown)
		}
		mails := e.mails()
		if len(mails) != 1 {
			t.Fatalf("%d mails, want 1", len(mails))
		}
		m := mails[0]
		if m.To != "ana@x.example" || m.Subject != "Seu link de acesso" || !strings.Contains(m.Text, "Olá, Ana Souza") ||
			!strings.Contains(m.Text, m.Link) || !strings.HasPrefix(m.Link, "http://localhost:8080/help/login/tsl_") {
			t.Errorf("mail = %+v", m)
		}
		link := linkPath(t, m.Link)
		// Opening the link (a mail scanner does) spends nothing.
		for range 2 {
			if r := e.get(link, ""); r.Code != 200 || !strings.Contains(r.Body, `method="post"`) || sessionCookie(r) != "" {
				t.Fatalf("link page: %s", r)
			}
		}
		u, _ := url.Parse(link)
		r := e.post(u.Path, "", formValues("next", u.Query().Get("next")))
		sess := sessionCookie(r)
		if r.Code != http.StatusSeeOther || r.Header.Get("Location") != fmt.Sprintf("/help/requests/%d", tk.Number) || sess == "" {
			t.Fatalf("spend link: %s", r)
		}
		if p := e.get(r.Header.Get("Location"), sess); p.Code != 200 || !strings.Contains(p.Body, "Printer") || !strings.Contains(p.Body, `lang="pt-BR"`) {
			t.Errorf("signed in by link: %s", p)
		}
		if r := e.post(u.Path, "", nil); r.Code != http.StatusGone || sessionCookie(r) != "" {
			t.Errorf("link used twice: %s", r)
		}
		if r := e.post("/help/login/tsl_forged", "", nil); r.Code != http.StatusGone {
			t.Errorf("forged link: %s", r)
		}
		// An off-site next is ignored.
		if r := e.get("/help/login/tsl_x?next=//evil.example/", ""); strings.Contains(r.Body, "evil") {
			t.Errorf("off-site next kept: %s", r)
		}
		// Signed in, the sign-in page sends on; signing out ends the session.
		if r := e.get("/help/login", sess); r.Code != http.StatusSeeOther {
			t.Errorf("sign-in page when signed in: %s", r)
		}
		r = e.post("/help/logout", sess, nil)
		if r.Code != http.StatusSeeOther || r.Header.Get("Location") != "/help" {
			t.Errorf("sign out: %s", r)
		}
		if r := e.get("/help/requests", sess); r.Code != http.StatusSeeOther {
			t.Errorf("session survives sign-out: %s", r)
		}
		if r := e.post("/help/login", "", formValues("email", "not an address")); r.Code != 422 {
			t.Errorf("bad address: %s", r)
		}
	})
}

// TestLinkThrottle: link requests for one address are limited, the same
// for known and unknown addresses; so are wrong links per client.
func TestLinkThrottle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newEnv(t, engine, 10)
		e.contact("ana@x.example", "Ana", "en")
		for _, addr := range []string{"ana@x.example", "ghost@x.example"} {
			var last resp
			for range auth.MaxFailuresPerKey + 1 {
				last = e.post("/help/login", "", formValues("email", addr))
			}
			if last.Code != http.StatusTooManyRequests || last.Header.Get("Retry-After") == "" {
				t.Errorf("%s: %s", addr, last)
			}
		}
		if n := len(e.mails()); n != auth.MaxFailuresPerKey {
			t.Errorf("%d mails sent, want %d", n, auth.MaxFailuresPerKey)
		}
		var last resp
		for range auth.MaxFailuresPerKey + 1 {
			last = e.do(req{method: "POST", path: "/help/login/tsl_wrong", addr: "203.0.113.9"})
		}
		if last.Code != http.StatusTooManyRequests {
			t.Errorf("wrong links: %s", last)
		}
	})
}

// TestPasswordSignIn: offered only when the admin allows it; a contact
// sets one once signed in, then signs in with it.
func TestPasswordSignIn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newEnv(t, engine, 10)
		ana := e.contact("ana@x.example", "Ana", "en")
		sess := e.signIn(ana)
		if r := e.get("/help/login", ""); strings.Contains(r.Body, `name="password"`) {
			t.Error("password offered when not allowed")
		}
		if r := e.get("/help/password", sess); r.Code != 404 {
			t.Errorf("password page when not allowed: %s", r)
		}
		// Not allowed: a password post is a link request.
		if r := e.post("/help/login", "", formValues("email", "ana@x.example", "password", "whatever1", "method", "password")); r.Header.Get("Location") != "/help/login/sent" {
			t.Errorf("password sign-in when not allowed: %s", r)
		}
		e.settings(settings.Input{AllowPassword: yes()})
		if r := e.get("/help/requests", sess); !strings.Contains(r.Body, `href="/help/password"`) {
			t.Error("list lacks the password link")
		}
		if r := e.post("/help/password", sess, formValues("password", "short", "password_again", "short")); r.Code != 422 || !strings.Contains(r.Body, "at least 8") {
			t.Errorf("short password: %s", r)
		}
		if r := e.post("/help/password", sess, formValues("password", "correct horse", "password_again", "correct hose")); r.Code != 422 || !strings.Contains(r.Body, "differ") {
			t.Errorf("mismatch: %s", r)
		}
		if r := e.post("/help/password", sess, formValues("password", "correct horse", "password_again", "correct horse")); r.Code != http.StatusSeeOther {
			t.Fatalf("set password: %s", r)
		}
		if r := e.get("/help/login", ""); !strings.Contains(r.Body, `name="password"`) {
			t.Error("password not offered when allowed")
		}
		if r := e.post("/help/login", "", formValues("email", "ana@x.example", "password", "wrong horse", "method", "password")); r.Code != http.StatusUnauthorized || sessionCookie(r) != "" {
			t.Errorf("wrong password: %s", r)
		}
		r := e.post("/help/login", "", formValues("email", "ANA@x.example", "password", "correct horse", "method", "password", "next", "/help/requests?show=open"))
		if r.Code != http.StatusSeeOther || r.Header.Get("Location") != "/help/requests?show=open" || sessionCookie(r) == "" {
			t.Errorf("password sign-in: %s", r)
		}
		if r := e.post("/help/login", "", formValues("email", "ghost@x.example", "password", "correct horse", "method", "password")); r.Code != http.StatusUnauthorized {
			t.Errorf("unknown address: %s", r)
		}
	})
}

// TestLookup: a link to the request is mailed when number and address
// belong together; the answer is the same when they do not, and nothing
// of the request is ever shown.
func TestLookup(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newEnv(t, engine, 10)
		ana, zed := e.contact("ana@x.example", "Ana", "es"), e.contact("zed@y.example", "Zed", "en")
		tk := e.ticketFor(ana, "Confidential merger")
		other := e.ticketFor(zed, "Zed's")
		num := strconv.FormatInt(tk.Number, 10)
		match := e.post("/help/lookup", "", formValues("number", "#"+num, "email", "Ana@x.example"))
		if match.Code != http.StatusSeeOther || match.Header.Get("Location") != "/help/lookup/sent" {
			t.Fatalf("match: %s", match)
		}
		for _, f := range []url.Values{
			formValues("number", num, "email", "zed@y.example"),                                 // someone else's request
			formValues("number", num, "email", "nobody@x.example"),                              // unknown address
			formValues("number", "999999", "email", "ana@x.example"),                            // unknown number
			formValues("number", strconv.FormatInt(other.Number, 10), "email", "ana@x.example"), // a number that is not hers
		} {
			r := e.post("/help/lookup", "", f)
			if r.Code != match.Code || r.Header.Get("Location") != match.Header.Get("Location") || r.Body != match.Body {
				t.Errorf("%v answers differently: %s", f, r)
			}
		}
		mails := e.mails()
		if len(mails) != 1 || mails[0].To != "ana@x.example" || mails[0].Subject != fmt.Sprintf("Tu solicitud #%d", tk.Number) {
			t.Fatalf("mails = %+v", mails)
		}
		if r := e.get("/help/lookup/sent", ""); strings.Contains(r.Body, "Confidential") {
			t.Error("the request is shown to an anonymous visitor")
		}
		link := linkPath(t, mails[0].Link)
		u, _ := url.Parse(link)
		if u.Query().Get("next") != "/help/requests/"+num {
			t.Errorf("link leads to %q", u.Query().Get("next"))
		}
		r := e.post(u.Path, "", formValues("next", u.Query().Get("next")))
		if p := e.get(r.Header.Get("Location"), sessionCookie(r)); p.Code != 200 || !strings.Contains(p.Body, "Confidential merger") {
			t.Errorf("link to the request: %s / %s", r, p)
		}
		if r := e.post("/help/lookup", "", formValues("number", "abc", "email", "")); r.Code != 422 || !strings.Contains(r.Body, "#1042") {
			t.Errorf("bad input: %s", r)
		}
		var last resp
		for range auth.MaxFailuresPerKey {
			last = e.post("/help/lookup", "", formValues("number", "1", "email", "ana@x.example"))
		}
		if last.Code != http.StatusTooManyRequests {
			t.Errorf("lookups are not throttled: %s", last)
		}
	})
}

// TestWiredInServer: the portal is mounted in the whole server, behind
// the cross-origin protection.
func TestWiredInServer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newEnv(t, engine, 10)
		var logged bytes.Buffer
		log := slog.New(slog.NewTextHandler(&logged, nil))
		s, err := web.New(e.f.App, &api.Server{App: e.f.App, Log: log}, log)
		if err != nil {
			t.Fatal(err)
		}
		e.h = s.Handler()
		if r := e.get("/help", ""); r.Code != 200 || !strings.Contains(r.Body, "How can we help?") {
			t.Errorf("/help: %s", r)
		}
		if r := e.get("/help/", ""); r.Code != http.StatusMovedPermanently {
			t.Errorf("/help/: %s", r)
		}
		// A sign-in link is a secret: the request log does not keep it.
		if r := e.get("/help/login/tsl_s3cr3tt0k3n?next=%2Fhelp%2Frequests", ""); r.Code != 200 {
			t.Errorf("link page: %s", r)
		}
		if strings.Contains(logged.String(), "s3cr3t") || !strings.Contains(logged.String(), "/help/login/{token}") {
			t.Errorf("request log:\n%s", logged.String())
		}
		hr := req{method: "POST", path: "/help/requests", body: formValues("name", "X", "email", "x@x.example", "subject", "S", "body", "B")}
		r := e.doWith(hr, func(h http.Header) { h.Set("Sec-Fetch-Site", "cross-site") })
		if r.Code != http.StatusForbidden {
			t.Errorf("cross-site form post: %s", r)
		}
	})
}
