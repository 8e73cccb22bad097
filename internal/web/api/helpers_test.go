package api_test

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
	"net/textproto"
	"strings"
	"sync/atomic"
	"testing"

	"tessera/internal/app/apptest"
	"tessera/internal/auth"
	"tessera/internal/store"
	"tessera/internal/ticket"
	"tessera/internal/web/api"
)

// Callers of the API, by the name used in the tables below.
const (
	cAdmin = "admin"
	cAgent = "agent"
	cLight = "light"
	cTeam  = "team" // agent restricted to the Billing team
	cNone  = "none" // no Authorization header
	cWrong = "wrong"
)

var callers = []string{cAdmin, cAgent, cLight, cTeam, cNone, cWrong}

// env is an assembled app, its API handler and a token per caller.
type env struct {
	t   testing.TB
	f   *apptest.Fixture
	api *api.Server
	h   http.Handler
	tok map[string]string
	seq atomic.Int64
}

func newEnv(t testing.TB, engine store.Engine, configure ...func(*api.Server)) *env {
	t.Helper()
	f := apptest.New(t, engine)
	s := &api.Server{App: f.App, Log: slog.New(slog.DiscardHandler)}
	for _, c := range configure {
		c(s)
	}
	e := &env{t: t, f: f, api: s, h: s.Handler(), tok: map[string]string{
		cNone:  "",
		cWrong: auth.TokenPrefix + "this-token-was-never-issued-0000000000000",
	}}
	ctx := context.Background()
	for name, a := range map[string]auth.Actor{cAdmin: f.Admin, cAgent: f.Agent, cLight: f.Light, cTeam: f.TeamAgent, "agent2": f.Agent2} {
		tok, err := f.People.CreateToken(ctx, auth.System, a.ID, "test")
		if err != nil {
			t.Fatalf("token for %s: %v", name, err)
		}
		e.tok[name] = tok
	}
	return e
}

// unique returns a string unique within the env, for names and emails.
func (e *env) unique(prefix string) string { return fmt.Sprintf("%s%d", prefix, e.seq.Add(1)) }

// resp is a recorded response.
type resp struct {
	Code   int
	Header http.Header
	Body   []byte
}

func (r resp) String() string {
	b := r.Body
	if len(b) > 600 {
		b = append(b[:600:600], "..."...)
	}
	return fmt.Sprintf("%d %s", r.Code, bytes.TrimSpace(b))
}

// req builds a request: body may be nil, a string or []byte (sent as is),
// or anything else (sent as JSON). hdr holds header name/value pairs.
func req(method, path, token string, body any, hdr ...string) *http.Request {
	var rd io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case string:
		rd, ct = strings.NewReader(b), "application/json"
	case []byte:
		rd, ct = bytes.NewReader(b), "application/json"
	case formRequest:
		rd, ct = bytes.NewReader(b.Data), b.ContentType
	default:
		j, err := json.Marshal(b)
		if err != nil {
			panic(err)
		}
		rd, ct = bytes.NewReader(j), "application/json"
	}
	r := httptest.NewRequest(method, path, rd)
	if ct != "" {
		r.Header.Set("Content-Type", ct)
	}
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	return r
}

func serve(h http.Handler, r *http.Request) resp {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	res := w.Result()
	b, _ := io.ReadAll(res.Body)
	return resp{Code: res.StatusCode, Header: res.Header, Body: b}
}

// do sends a request as caller (a key of e.tok).
func (e *env) do(method, path, caller string, body any, hdr ...string) resp {
	return serve(e.h, req(method, path, e.tok[caller], body, hdr...))
}

// must sends a request and fails the test unless the status is want; it
// decodes the JSON answer into out when out is not nil.
func (e *env) must(want int, method, path, caller string, body any, out any) resp {
	e.t.Helper()
	r := e.do(method, path, caller, body)
	if r.Code != want {
		e.t.Fatalf("%s %s as %s: got %s, want %d", method, path, caller, r, want)
	}
	if out != nil {
		if err := json.Unmarshal(r.Body, out); err != nil {
			e.t.Fatalf("%s %s: decode %s: %v", method, path, r, err)
		}
	}
	return r
}

// problem is an RFC 9457 problem document as the API writes it.
type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Field  string `json:"field"`
	Errors []struct {
		Field  string `json:"field"`
		Detail string `json:"detail"`
	} `json:"errors"`
}

// checkProblem asserts r is a problem document with status code and
// returns it.
func checkProblem(t testing.TB, r resp, code int) problem {
	t.Helper()
	if r.Code != code {
		t.Fatalf("got %s, want %d", r, code)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type %q, want application/problem+json (%s)", ct, r)
	}
	var p problem
	if err := json.Unmarshal(r.Body, &p); err != nil {
		t.Fatalf("problem body is not JSON: %v: %s", err, r)
	}
	if p.Type == "" || p.Title == "" || p.Status != code {
		t.Errorf("problem lacks type/title/status %d: %s", code, r)
	}
	return p
}

// checkField asserts r is a 422 naming field.
func checkField(t testing.TB, r resp, field string) problem {
	t.Helper()
	p := checkProblem(t, r, http.StatusUnprocessableEntity)
	if p.Field != field {
		t.Errorf("field %q, want %q: %s", p.Field, field, r)
	}
	return p
}

// ticketJSON is the part of a ticket the tests read.
type ticketJSON struct {
	ID           int64          `json:"id"`
	Number       int64          `json:"number"`
	Subject      string         `json:"subject"`
	Status       string         `json:"status"`
	Priority     string         `json:"priority"`
	AssigneeID   *int64         `json:"assignee_id"`
	TeamID       *int64         `json:"team_id"`
	MergedIntoID *int64         `json:"merged_into_id"`
	Tags         []string       `json:"tags"`
	MessageCount int            `json:"message_count"`
	Requester    *ticket.Person `json:"requester"`
}

// newTicket creates a ticket through the service (fast set-up), in team
// teamID when it is not zero.
func (e *env) newTicket(subject string, teamID int64, atts ...ticket.AttachmentInput) ticket.Ticket {
	e.t.Helper()
	in := ticket.CreateInput{Subject: subject, Body: "Body of " + subject, Requester: &ticket.RequesterInput{Email: "customer@example.org", Name: "Cleo Customer"},
		Attachments: atts}
	if teamID != 0 {
		in.TeamID = &teamID
	}
	t, err := e.f.Tickets.Create(context.Background(), auth.System, in)
	if err != nil {
		e.t.Fatalf("create ticket: %v", err)
	}
	return t
}

// count returns SELECT COUNT(*) FROM table.
func (e *env) count(table string) int {
	e.t.Helper()
	var n int
	if err := e.f.DB.Read().QueryRow(context.Background(), `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
		e.t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// formFile is a file part of a multipart body.
type formFile struct {
	Field, Name, ContentType string
	Data                     []byte
}

// formRequest is a multipart body for req, with its Content-Type.
type formRequest struct {
	Data        []byte
	ContentType string
}

// multipartBody builds a multipart/form-data body of fields (name/value
// pairs, in order) and files; it returns the body and its Content-Type.
func multipartBody(fields []string, files ...formFile) ([]byte, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for i := 0; i+1 < len(fields); i += 2 {
		_ = mw.WriteField(fields[i], fields[i+1])
	}
	for _, f := range files {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, f.Field, f.Name))
		h.Set("Content-Type", f.ContentType)
		w, _ := mw.CreatePart(h)
		_, _ = w.Write(f.Data)
	}
	_ = mw.Close()
	return buf.Bytes(), mw.FormDataContentType()
}
