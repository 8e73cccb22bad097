package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"tessera/internal/store"
	"tessera/internal/store/storetest"
)

// TestContractMacros: the macro contract of issue 6, through the API.
func TestContractMacros(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newEnv(t, engine)
		type macroJSON struct {
			ID           int64             `json:"id"`
			Name         string            `json:"name"`
			Shared       bool              `json:"shared"`
			Translations map[string]string `json:"translations"`
			Actions      []struct {
				Type  string `json:"type"`
				Value any    `json:"value"`
			} `json:"actions"`
			UsageCount int `json:"usage_count"`
		}
		var m macroJSON
		e.must(http.StatusCreated, "POST", "/api/v1/macros", cAdmin, map[string]any{
			"name": "Asking for details", "body": "Hi {{requester.first_name}}, could you send details about #{{ticket.number}}? {{agent.name}}",
			"translations": map[string]string{"pt-BR": "Olá {{requester.first_name}}, pode mandar detalhes do #{{ticket.number}}? {{agent.name}}"},
			"shared":       true,
			"actions":      []any{map[string]any{"type": "set_status", "value": "pending"}, map[string]any{"type": "add_tags", "value": []string{"x"}}},
		}, &m)
		if !m.Shared || len(m.Actions) != 2 || m.Translations["pt-BR"] == "" {
			t.Fatalf("created %+v", m)
		}
		// An unknown placeholder is refused on the body.
		checkField(t, e.do("POST", "/api/v1/macros", cAdmin, map[string]any{"name": "Bad", "body": "Hi {{requester.nickname}}"}), "body")
		checkField(t, e.do("POST", "/api/v1/macros", cAdmin, map[string]any{"name": "Bad", "actions": []any{map[string]any{"type": "set_status", "value": "nope"}}}), "actions[0].value")
		// Search.
		var list struct {
			Items []macroJSON `json:"items"`
		}
		e.must(http.StatusOK, "GET", "/api/v1/macros?q=detalhes", cAgent, nil, &list)
		if len(list.Items) != 1 || list.Items[0].ID != m.ID {
			t.Fatalf("search: %+v", list)
		}
		e.must(http.StatusOK, "GET", "/api/v1/macros?q=nothing+like+this", cAgent, nil, &list)
		if len(list.Items) != 0 {
			t.Fatalf("search for nothing: %+v", list)
		}
		tk := e.newTicket("Where is my order", e.f.Support.ID)
		type applied struct {
			Body    string     `json:"body"`
			Locale  string     `json:"locale"`
			Preview bool       `json:"preview"`
			Ticket  ticketJSON `json:"ticket"`
		}
		var pre, res applied
		path := fmt.Sprintf("/api/v1/tickets/%d/macros/%d/apply", tk.ID, m.ID)
		e.must(http.StatusOK, "POST", path, cAgent, map[string]any{"preview": true}, &pre)
		want := fmt.Sprintf("Hi Cleo, could you send details about #%d? Aldo Agent", tk.Number)
		if pre.Body != want || !pre.Preview || pre.Ticket.Status == "pending" {
			t.Fatalf("preview: %+v, want %q", pre, want)
		}
		e.must(http.StatusOK, "POST", path, cAgent, map[string]any{"preview": false}, &res)
		if res.Body != want || res.Ticket.Status != "pending" || !strings.Contains(strings.Join(res.Ticket.Tags, ","), "x") {
			t.Fatalf("applied: %+v", res)
		}
		var got ticketJSON
		e.must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/tickets/%d", tk.ID), cAgent, nil, &got)
		if got.Status != "pending" {
			t.Fatalf("ticket after apply: %+v", got)
		}
		e.must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/macros/%d", m.ID), cAgent, nil, &m)
		if m.UsageCount != 1 {
			t.Fatalf("usage %d", m.UsageCount)
		}
		// PATCH and DELETE.
		e.must(http.StatusOK, "PATCH", fmt.Sprintf("/api/v1/macros/%d", m.ID), cAdmin, map[string]any{"actions": []any{}}, &m)
		if len(m.Actions) != 0 {
			t.Fatalf("actions after patch: %+v", m)
		}
		e.must(http.StatusNoContent, "DELETE", fmt.Sprintf("/api/v1/macros/%d", m.ID), cAdmin, nil, nil)
		e.must(http.StatusNotFound, "GET", fmt.Sprintf("/api/v1/macros/%d", m.ID), cAdmin, nil, nil)
	})
}

// TestArticleFilesAPI: files go up as multipart, come back listed with the
// address the Markdown uses, and follow the ticket attachments' limits.
func TestArticleFilesAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newEnv(t, engine)
		var art struct {
			ID int64 `json:"id"`
		}
		e.must(http.StatusCreated, "POST", "/api/v1/articles", cAgent, map[string]any{"title": "Screenshots", "status": "published"}, &art)
		type fileJSON struct {
			ID          int64  `json:"id"`
			Filename    string `json:"filename"`
			ContentType string `json:"content_type"`
			Image       bool   `json:"image"`
			URL         string `json:"url"`
		}
		var files struct {
			Items []fileJSON `json:"items"`
		}
		png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89")
		data, ct := multipartBody(nil, formFile{"attachments", "shot.png", "image/png", png}, formFile{"attachments", "notes.txt", "text/plain", []byte("notes")})
		path := fmt.Sprintf("/api/v1/articles/%d/attachments", art.ID)
		e.must(http.StatusCreated, "POST", path, cAgent, formRequest{data, ct}, &files)
		if len(files.Items) != 2 || !files.Items[0].Image || files.Items[1].Image || files.Items[0].URL != fmt.Sprintf("/help/kb-files/%d/shot.png", files.Items[0].ID) {
			t.Fatalf("uploaded: %+v", files)
		}
		e.must(http.StatusOK, "GET", path, cLight, nil, &files)
		if len(files.Items) != 2 {
			t.Fatalf("list: %+v", files)
		}
		data, ct = multipartBody(nil, formFile{"attachments", "setup.exe", "application/octet-stream", []byte("MZ")})
		r := e.do("POST", path, cAgent, formRequest{data, ct})
		if r.Code != http.StatusUnprocessableEntity || !strings.Contains(string(r.Body), "attachments[0].filename") {
			t.Fatalf("program accepted: %s", r)
		}
		data, ct = multipartBody([]string{"title", "x"})
		checkField(t, e.do("POST", path, cAgent, formRequest{data, ct}), "title")
		checkField(t, e.do("POST", path, cAgent, map[string]any{"x": 1}), "body")
		e.must(http.StatusNoContent, "DELETE", fmt.Sprintf("%s/%d", path, files.Items[1].ID), cAgent, nil, nil)
		e.must(http.StatusOK, "GET", path, cAgent, nil, &files)
		if len(files.Items) != 1 {
			t.Fatalf("after delete: %+v", files)
		}
	})
}
