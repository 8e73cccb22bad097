package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"tessera/internal/store"
	"tessera/internal/store/storetest"
	"tessera/internal/web/api"
)

func TestBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		const maxBody = 16 << 10
		e := newEnv(t, engine, func(s *api.Server) { s.MaxBodyBytes = maxBody })
		tk := e.newTicket("Existing", e.f.Support.ID)
		tickets, contacts, messages := e.count("tickets"), e.count("contacts"), e.count("messages")
		valid := func(extra map[string]any) map[string]any {
			m := map[string]any{"subject": "Help", "body": "Please help", "requester": map[string]any{"email": "new.customer@example.org"}}
			for k, v := range extra {
				m[k] = v
			}
			return m
		}
		big := strings.Repeat("x", maxBody+1)
		patch := fmt.Sprintf("/api/v1/tickets/%d", tk.ID)
		for _, tc := range []struct {
			name, method, path string
			body               any
			hdr                []string
			want               int
			field              string
		}{
			{"unknown field", "POST", "/api/v1/tickets", valid(map[string]any{"urgency": "high"}), nil, 422, "urgency"},
			{"unknown field in a nested object", "POST", "/api/v1/tickets", valid(map[string]any{"requester": map[string]any{"email": "a@example.org", "phone": "1"}}), nil, 422, "requester.phone"},
			{"unknown field in an array of objects", "POST", "/api/v1/tickets", valid(map[string]any{"attachments": []any{map[string]any{"filename": "a.txt", "data": "aGk=", "size": 2}}}), nil, 422, "attachments[0].size"},
			{"field name in another case", "POST", "/api/v1/tickets", valid(map[string]any{"Priority": "low"}), nil, 422, "Priority"},
			{"wrong type", "POST", "/api/v1/tickets", valid(map[string]any{"priority": 5}), nil, 422, "priority"},
			{"wrong nested type", "POST", "/api/v1/tickets", valid(map[string]any{"requester": map[string]any{"email": 7}}), nil, 422, "requester.email"},
			{"wrong type of array", "POST", "/api/v1/tickets", valid(map[string]any{"tags": "a,b"}), nil, 422, "tags"},
			{"bad base64", "POST", "/api/v1/tickets", valid(map[string]any{"attachments": []any{map[string]any{"filename": "a.txt", "data": "***"}}}), nil, 422, "attachments[0].data"},
			{"bad priority", "POST", "/api/v1/tickets", valid(map[string]any{"priority": "critical"}), nil, 422, "priority"},
			{"bad status", "POST", "/api/v1/tickets", valid(map[string]any{"status": "nonsense"}), nil, 422, "status"},
			{"unknown assignee, after the requester was found", "POST", "/api/v1/tickets", valid(map[string]any{"assignee_id": 99999}), nil, 422, "assignee_id"},
			{"unknown assignee email", "POST", "/api/v1/tickets", valid(map[string]any{"assignee_email": "nobody@example.com"}), nil, 422, "assignee_email"},
			{"light agent as assignee", "POST", "/api/v1/tickets", valid(map[string]any{"assignee_email": "light@example.com"}), nil, 422, "assignee_id"},
			{"missing requester", "POST", "/api/v1/tickets", map[string]any{"subject": "s", "body": "b"}, nil, 422, "requester"},
			{"a JSON array", "POST", "/api/v1/tickets", `[1,2]`, nil, 422, "body"},
			{"malformed JSON", "POST", "/api/v1/tickets", `{"subject": "Help", `, nil, 400, "body"},
			{"not JSON", "POST", "/api/v1/tickets", `subject=Help`, nil, 400, "body"},
			{"two JSON values", "POST", "/api/v1/tickets", `{"subject": "a"} {"subject": "b"}`, nil, 400, "body"},
			{"empty body", "POST", "/api/v1/tickets", ``, nil, 400, "body"},
			{"oversize body", "POST", "/api/v1/tickets", valid(map[string]any{"body": big}), nil, 413, "body"},
			{"oversize body with an idempotency key", "POST", "/api/v1/tickets", valid(map[string]any{"body": big}), []string{"Idempotency-Key", "big-1"}, 413, "body"},
			{"oversize message", "POST", patch + "/messages", map[string]any{"body": big}, nil, 413, "body"},
			{"patch: nothing to change", "PATCH", patch, `{}`, nil, 422, "body"},
			{"patch: unknown field", "PATCH", patch, map[string]any{"assignee": 3}, nil, 422, "assignee"},
			{"patch: assignee_id not a number", "PATCH", patch, map[string]any{"assignee_id": "three"}, nil, 422, "assignee_id"},
			{"patch: assignee_id and assignee_email", "PATCH", patch, map[string]any{"assignee_id": 1, "assignee_email": "agent@example.com"}, nil, 422, "assignee_email"},
			{"patch: bad priority", "PATCH", patch, map[string]any{"priority": "soon"}, nil, 422, "priority"},
			{"patch: open", "PATCH", patch, map[string]any{"status": "open"}, nil, 200, ""},
			{"patch: back to new", "PATCH", patch, map[string]any{"status": "new"}, nil, 422, "status"},
			{"message: bad kind", "POST", patch + "/messages", map[string]any{"kind": "shout", "body": "hi"}, nil, 422, "kind"},
			{"message: empty body", "POST", patch + "/messages", map[string]any{"kind": "reply", "body": " "}, nil, 422, "body"},
			{"merge: missing into", "POST", patch + "/merge", `{}`, nil, 422, "into"},
			{"merge: into itself", "POST", patch + "/merge", map[string]any{"into": tk.ID}, nil, 422, "into"},
			{"merge: into nothing", "POST", patch + "/merge", map[string]any{"into": 99999}, nil, 422, "into"},
			{"bad ticket cursor", "GET", "/api/v1/tickets?cursor=not-a-cursor", nil, nil, 422, "cursor"},
			{"bad ticket cursor (base64 of junk)", "GET", "/api/v1/tickets?cursor=aGVsbG8", nil, nil, 422, "cursor"},
			{"bad events cursor", "GET", patch + "/events?cursor=x", nil, nil, 422, "cursor"},
			{"bad search cursor", "GET", "/api/v1/search?q=a&cursor=x", nil, nil, 422, "cursor"},
			{"bad contacts cursor", "GET", "/api/v1/contacts?cursor=-3", nil, nil, 422, "cursor"},
			{"bad limit", "GET", "/api/v1/tickets?limit=1000", nil, nil, 422, "limit"},
			{"bad order", "GET", "/api/v1/tickets?order=sideways", nil, nil, 422, "order"},
			{"bad sort", "GET", "/api/v1/tickets?sort=mood", nil, nil, 422, "sort"},
			{"bad time", "GET", "/api/v1/tickets?created_from=yesterday", nil, nil, 422, "created_from"},
			{"bad list priority", "GET", "/api/v1/tickets?priority=meh", nil, nil, 422, "priority"},
			{"bad team filter", "GET", "/api/v1/tickets?team_id=x", nil, nil, 422, "team_id"},
			{"idempotency key too long", "POST", "/api/v1/tickets", valid(nil), []string{"Idempotency-Key", strings.Repeat("k", 256)}, 422, "Idempotency-Key"},
			{"contact: wrong type", "POST", "/api/v1/contacts", map[string]any{"email": "a@example.org", "organization_id": "acme"}, nil, 422, "organization_id"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := e.do(tc.method, tc.path, cAgent, tc.body, tc.hdr...)
				if tc.want < 400 {
					if r.Code != tc.want {
						t.Fatalf("got %s, want %d", r, tc.want)
					}
					return
				}
				p := checkProblem(t, r, tc.want)
				if p.Field != tc.field {
					t.Errorf("field %q, want %q: %s", p.Field, tc.field, r)
				}
				if tc.want == 422 && (len(p.Errors) == 0 || p.Errors[0].Field != tc.field) {
					t.Errorf("errors do not name %q: %s", tc.field, r)
				}
			})
		}
		// Nothing was half-written.
		if n := e.count("tickets"); n != tickets {
			t.Errorf("%d tickets after bad requests, want %d", n, tickets)
		}
		if n := e.count("contacts"); n != contacts {
			t.Errorf("%d contacts after bad requests, want %d (a refused ticket created its requester)", n, contacts)
		}
		if n := e.count("messages"); n != messages {
			t.Errorf("%d messages after bad requests, want %d", n, messages)
		}
		if n := e.count("idempotency_keys"); n != 0 {
			t.Errorf("%d idempotency keys kept by failed requests", n)
		}
	})
}

// TestBadMultipart: a form's fields are checked like JSON ones.
func TestBadMultipart(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		const maxBody = 16 << 10
		e := newEnv(t, engine, func(s *api.Server) { s.MaxBodyBytes = maxBody })
		tk := e.newTicket("Form", 0)
		path := fmt.Sprintf("/api/v1/tickets/%d/messages", tk.ID)
		messages := e.count("messages")
		send := func(body []byte, ct string) resp { return e.do("POST", path, cAgent, body, "Content-Type", ct) }

		b, ct := multipartBody([]string{"body", "hi", "mood", "happy"})
		checkField(t, send(b, ct), "mood")
		b, ct = multipartBody([]string{"body", "hi"}, formFile{"evidence", "a.txt", "text/plain", []byte("x")})
		checkField(t, send(b, ct), "evidence")
		b, ct = multipartBody([]string{"kind", "memo", "body", "hi"})
		checkField(t, send(b, ct), "kind")
		b, ct = multipartBody([]string{"body", "hi"}, formFile{"attachments", "tool.exe", "application/octet-stream", []byte("MZ")})
		checkField(t, send(b, ct), "attachments[0].filename")
		b, ct = multipartBody([]string{"body", "hi"}, formFile{"attachments", "big.bin", "application/octet-stream", make([]byte, maxBody+1)})
		checkProblem(t, send(b, ct), http.StatusRequestEntityTooLarge)
		checkProblem(t, send([]byte("--nope\r\nContent-Disposition: form-data; name=\"body\"\r\n\r\nhello"), "multipart/form-data; boundary=nope"), http.StatusBadRequest)
		checkProblem(t, send([]byte("whatever"), "multipart/form-data"), http.StatusBadRequest)
		if n := e.count("messages"); n != messages {
			t.Errorf("%d messages after bad forms, want %d", n, messages)
		}
	})
}
