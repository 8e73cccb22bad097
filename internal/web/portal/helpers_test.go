package portal_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"tessera/internal/app/apptest"
	"tessera/internal/auth"
	"tessera/internal/jobs"
	"tessera/internal/people"
	settings "tessera/internal/portal"
	"tessera/internal/store"
	"tessera/internal/ticket"
	"tessera/internal/web/page"
	"tessera/internal/web/portal"
)

var ctx = context.Background()

type env struct {
	t    *testing.T
	f    *apptest.Fixture
	site *page.Site
	h    http.Handler
}

// newEnv serves the portal alone, with a web-form budget of burst
// submissions per address.
func newEnv(t *testing.T, engine store.Engine, burst int) *env {
	t.Helper()
	f := apptest.New(t, engine)
	log := slog.New(slog.DiscardHandler)
	site, err := page.New(f.App, log)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	(&portal.Handler{Site: site, Log: log, FormBurst: burst}).Register(mux)
	return &env{t: t, f: f, site: site, h: mux}
}

type resp struct {
	Code   int
	Header http.Header
	Body   string
	Cookie []*http.Cookie
}

func (r resp) String() string {
	b := r.Body
	if len(b) > 300 {
		b = b[:300] + "…"
	}
	return fmt.Sprintf("%d %v %s", r.Code, r.Header.Get("Location"), b)
}

// req is one request: a session cookie, and a body (url.Values for a
// plain form, *multipartBody for files).
type req struct {
	method, path, session string
	body                  any
	addr                  string
}

type multipartBody struct {
	fields map[string]string
	files  map[string][]byte // file name → content, all under "attachments"
}

func (e *env) do(r req) resp {
	e.t.Helper()
	return e.doWith(r, nil)
}

// doWith is do with extra request headers.
func (e *env) doWith(r req, headers func(http.Header)) resp {
	e.t.Helper()
	var body io.Reader
	ctype := ""
	switch b := r.body.(type) {
	case url.Values:
		body, ctype = strings.NewReader(b.Encode()), "application/x-www-form-urlencoded"
	case *multipartBody:
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for k, v := range b.fields {
			_ = mw.WriteField(k, v)
		}
		for name, data := range b.files {
			fw, _ := mw.CreateFormFile("attachments", name)
			_, _ = fw.Write(data)
		}
		_ = mw.Close()
		body, ctype = &buf, mw.FormDataContentType()
	}
	hr := httptest.NewRequest(r.method, r.path, body)
	if ctype != "" {
		hr.Header.Set("Content-Type", ctype)
	}
	if r.session != "" {
		hr.AddCookie(&http.Cookie{Name: page.PortalCookie, Value: r.session})
	}
	if r.addr != "" {
		hr.RemoteAddr = r.addr + ":1234"
	}
	if headers != nil {
		headers(hr.Header)
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, hr)
	b, _ := io.ReadAll(w.Result().Body)
	return resp{Code: w.Code, Header: w.Result().Header, Body: string(b), Cookie: w.Result().Cookies()}
}

func (e *env) get(path, session string) resp {
	return e.do(req{method: "GET", path: path, session: session})
}

func (e *env) post(path, session string, form url.Values) resp {
	return e.do(req{method: "POST", path: path, session: session, body: form})
}

// contact makes a customer with an address.
func (e *env) contact(email, name, lang string) people.Contact {
	e.t.Helper()
	c, err := e.f.People.EnsureContact(ctx, email, name, lang)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// signIn starts a portal session for a contact, as a link would.
func (e *env) signIn(c people.Contact) string {
	e.t.Helper()
	tok, err := e.site.Sessions.Create(ctx, 0, c.ID, "", "test", "192.0.2.1")
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

// ticketFor opens a request for a contact through the service, as an
// agent would for them.
func (e *env) ticketFor(c people.Contact, subject string) ticket.Ticket {
	e.t.Helper()
	tk, err := e.f.Tickets.Create(ctx, e.f.Agent, ticket.CreateInput{Subject: subject, Body: "Body of " + subject,
		Requester: &ticket.RequesterInput{ID: c.ID}})
	if err != nil {
		e.t.Fatal(err)
	}
	return tk
}

func (e *env) settings(in settings.Input) {
	e.t.Helper()
	if _, err := e.f.Portal.Update(ctx, e.f.Admin, in); err != nil {
		e.t.Fatal(err)
	}
}

// mails returns the send_mail jobs enqueued so far.
func (e *env) mails() []jobs.SendMailArgs {
	e.t.Helper()
	col := "json(args)" // River keeps SQLite's binary JSON
	if e.f.DB.Engine == store.Postgres {
		col = "args::text"
	}
	rows, err := e.f.DB.Read().Query(ctx, `SELECT `+col+` FROM river_job WHERE kind = 'send_mail' ORDER BY id`)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	var out []jobs.SendMailArgs
	for rows.Next() {
		var raw string
		if err := rows.Scan(&raw); err != nil {
			e.t.Fatal(err)
		}
		var a jobs.SendMailArgs
		if err := json.Unmarshal([]byte(raw), &a); err != nil {
			e.t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}

// linkPath is the local path of a mailed link.
func linkPath(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil || !strings.HasPrefix(u.Path, "/help/login/tsl_") {
		t.Fatalf("not a sign-in link: %q", link)
	}
	return u.RequestURI()
}

func sessionCookie(r resp) string {
	for _, c := range r.Cookie {
		if c.Name == page.PortalCookie && c.MaxAge >= 0 {
			return c.Value
		}
	}
	return ""
}

func count(t *testing.T, e *env, q string, args ...any) int {
	t.Helper()
	var n int
	if err := e.f.DB.Read().QueryRow(ctx, q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

var system = auth.System

func yes() *bool { b := true; return &b }
func no() *bool  { b := false; return &b }
