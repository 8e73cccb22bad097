package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"tessera/internal/channel/email/imapfetch"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
)

// TestInboxMailContract: POST /api/v1/inboxes with type, imap and smtp;
// secrets are stored but never answered; a PATCH without the password
// keeps it; bad IMAP settings name their field.
func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestInboxMailContract(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newEnv(t, engine)
		body := map[string]any{"type": "email", "name": "Support", "address": "support@acme.test",
			"imap": map[string]any{"host": "imap.acme.test", "port": 993, "security": "tls", "username": "support@acme.test", "password": "imap-secret", "folder": "INBOX"},
			"smtp": map[string]any{"host": "smtp.acme.test", "port": 587, "security": "starttls", "username": "support@acme.test", "password": "smtp-secret"}}
		var created struct {
			ID       int64                     `json:"id"`
			Kind     string                    `json:"kind"`
			Settings map[string]map[string]any `json:"settings"`
		}
		r := e.must(http.StatusCreated, "POST", "/api/v1/inboxes", cAdmin, body, &created)
		if strings.Contains(string(r.Body), "secret") {
			t.Errorf("a secret was echoed: %s", r.Body)
		}
		if created.Kind != "email" || created.Settings["imap"]["host"] != "imap.acme.test" || created.Settings["imap"]["password_set"] != true ||
			created.Settings["smtp"]["password_set"] != true || created.Settings["imap"]["after"] != "seen" {
			t.Errorf("created: %s", r.Body)
		}
		// Stored for the fetcher, though.
		boxes, err := e.f.Inboxes.MailInboxes(t.Context())
		if err != nil || len(boxes) != 1 {
			t.Fatalf("mail inboxes: %v %v", boxes, err)
		}
		if s, ok := boxes[0].IMAP(); !ok || s.Password != "imap-secret" {
			t.Errorf("stored imap: %+v", s)
		}
		// A PATCH without the password keeps it.
		path := fmt.Sprintf("/api/v1/inboxes/%d", created.ID)
		e.must(http.StatusOK, "PATCH", path, cAdmin, map[string]any{"imap": map[string]any{"host": "mail.acme.test", "port": 143, "security": "starttls",
			"username": "support@acme.test", "folder": "Support", "after": "move", "move_to": "Done"}}, nil)
		boxes, _ = e.f.Inboxes.MailInboxes(t.Context())
		if s, _ := boxes[0].IMAP(); s.Password != "imap-secret" || s.Host != "mail.acme.test" || s.MoveTo != "Done" {
			t.Errorf("after patch: %+v", s)
		}
		if smtp, _ := boxes[0].Settings["smtp"].(map[string]any); smtp["password"] != "smtp-secret" {
			t.Errorf("smtp password lost: %v", boxes[0].Settings["smtp"])
		}
		// An agent sees the inbox, not its settings.
		r = e.must(http.StatusOK, "GET", path, cAgent, nil, nil)
		if strings.Contains(string(r.Body), "imap") || strings.Contains(string(r.Body), `"health"`) {
			t.Errorf("agent sees settings (or health before any fetch): %s", r.Body)
		}
		// Once fetched, the inbox carries its health.
		if err := e.f.IMAP.SetCursor(t.Context(), created.ID, "INBOX", imapfetch.Cursor{UIDValidity: 1, LastUID: 5}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.f.DB.Write().Exec(t.Context(), `INSERT INTO inbox_health (inbox_id, state, last_error, backlog, fetched, updated_at) VALUES ($1, 'idle', 'was down', 3, 5, $2)`,
			created.ID, time.Now().UTC()); err != nil {
			t.Fatal(err)
		}
		var withHealth struct {
			Health *struct {
				State     string `json:"state"`
				Backlog   int    `json:"backlog"`
				Fetched   int    `json:"fetched"`
				LastError string `json:"last_error"`
			} `json:"health"`
		}
		e.must(http.StatusOK, "GET", path, cAdmin, nil, &withHealth)
		if h := withHealth.Health; h == nil || h.State != "idle" || h.Backlog != 3 || h.Fetched != 5 || h.LastError != "was down" {
			t.Errorf("health: %+v", h)
		}
		for field, imap := range map[string]map[string]any{
			"imap.security": {"host": "x.test", "username": "u", "password": "p", "security": "ssl"},
			"imap.host":     {"host": "", "username": "u", "password": "p"},
			"imap.port":     {"host": "x.test", "port": 70000, "username": "u", "password": "p"},
			"imap.after":    {"host": "x.test", "username": "u", "password": "p", "after": "archive"},
			"imap.move_to":  {"host": "x.test", "username": "u", "password": "p", "after": "move"},
			"imap.password": {"host": "x.test", "username": "u"},
		} {
			checkField(t, e.do("POST", "/api/v1/inboxes", cAdmin, map[string]any{"type": "email", "name": e.unique("Bad "), "address": e.unique("bad") + "@acme.test", "imap": imap}), field)
		}
		checkField(t, e.do("POST", "/api/v1/inboxes", cAdmin, map[string]any{"type": "web", "name": "Form", "imap": map[string]any{"host": "x.test", "username": "u", "password": "p"}}), "imap")
	})
}

// TestMailMessageContract: a message made from mail carries text,
// full_text, sanitised html, from, attachments and headers.message_id; its
// original downloads as .eml; failed mail can be listed, downloaded,
// retried and dismissed.
func TestMailMessageContract(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newEnv(t, engine)
		g, err := e.f.MailIngester(t.Context(), nil)
		if err != nil {
			t.Fatal(err)
		}
		raw := "From: Maria Silva <maria@cliente.example>\r\nTo: support@acme.test\r\nCc: Joao <joao@cliente.example>\r\nSubject: Printer\r\nMessage-ID: <contract-1@cliente.example>\r\n" +
			"MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=r\r\n\r\n--r\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" +
			`<p>It is on fire.</p><img src="cid:logo@x"><img src="https://tracker.example/p.gif"><script>alert(1)</script>` +
			`<div class="gmail_quote">On Mon, Ana wrote:<blockquote>old text</blockquote></div>` + "\r\n--r\r\nContent-Type: image/png\r\nContent-ID: <logo@x>\r\nContent-Disposition: inline; filename=logo.png\r\n\r\n\x89PNG\r\n\x1a\n0000\r\n--r--\r\n"
		res := g.Ingest(t.Context(), []byte(raw))
		if res.Status != "created" {
			t.Fatalf("ingest: %+v", res)
		}
		var msgs struct {
			Items []struct {
				ID          int64  `json:"id"`
				Text        string `json:"text"`
				FullText    string `json:"full_text"`
				HTML        string `json:"html"`
				BodyText    string `json:"body_text"`
				HasOriginal bool   `json:"has_original"`
				From        struct{ Name, Email string }
				Attachments []struct {
					ID          int64  `json:"id"`
					Filename    string `json:"filename"`
					ContentType string `json:"content_type"`
					Size        int64  `json:"size"`
				} `json:"attachments"`
				Headers struct {
					MessageID string `json:"message_id"`
					Cc        []struct{ Email string }
				} `json:"headers"`
			} `json:"items"`
		}
		r := e.must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/tickets/%d/messages", res.TicketID), cAgent, nil, &msgs)
		if len(msgs.Items) != 1 {
			t.Fatalf("messages: %s", r.Body)
		}
		m := msgs.Items[0]
		if m.Text != "It is on fire." || !strings.Contains(m.FullText, "old text") || m.BodyText != m.Text || !m.HasOriginal {
			t.Errorf("text %q, full_text %q, body_text %q", m.Text, m.FullText, m.BodyText)
		}
		if m.From.Name != "Maria Silva" || m.From.Email != "maria@cliente.example" || m.Headers.MessageID != "contract-1@cliente.example" || len(m.Headers.Cc) != 1 {
			t.Errorf("from %+v, headers %+v", m.From, m.Headers)
		}
		if len(m.Attachments) != 1 || m.Attachments[0].Filename != "logo.png" || m.Attachments[0].ContentType != "image/png" || m.Attachments[0].Size == 0 {
			t.Fatalf("attachments: %+v", m.Attachments)
		}
		want := fmt.Sprintf(`src="/attachments/%d"`, m.Attachments[0].ID)
		if !strings.Contains(m.HTML, want) || strings.Contains(m.HTML, "tracker.example") || strings.Contains(m.HTML, "script") ||
			strings.Contains(m.HTML, "old text") || !strings.Contains(m.HTML, "It is on fire.") {
			t.Errorf("html: %s (want %s, no tracker, no script, quote folded)", m.HTML, want)
		}
		// The Cc became a follower.
		fs, err := e.f.Tickets.Followers(t.Context(), e.f.Admin, res.TicketID)
		if err != nil || len(fs) != 1 || fs[0].Email != "joao@cliente.example" {
			t.Errorf("followers: %+v %v", fs, err)
		}
		r = e.must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/messages/%d/raw", m.ID), cAgent, nil, nil)
		if string(r.Body) != raw || r.Header.Get("Content-Type") != "message/rfc822" {
			t.Errorf("raw: %q %v", r.Body, r.Header)
		}

		// Failed mail.
		bad := g.IngestFrom(t.Context(), []byte("\x00garbage"), "upload")
		if bad.Status != "failed" || bad.FailedID == 0 {
			t.Fatalf("bad: %+v", bad)
		}
		var list struct {
			Items []struct {
				ID      int64  `json:"id"`
				Source  string `json:"source"`
				Error   string `json:"error"`
				Retries int    `json:"retries"`
			} `json:"items"`
		}
		e.must(http.StatusOK, "GET", "/api/v1/failed-mail", cAdmin, nil, &list)
		if len(list.Items) != 1 || list.Items[0].ID != bad.FailedID || list.Items[0].Source != "upload" || list.Items[0].Error == "" {
			t.Errorf("list: %+v", list)
		}
		r = e.must(http.StatusOK, "GET", fmt.Sprintf("/api/v1/failed-mail/%d/raw", bad.FailedID), cAdmin, nil, nil)
		if string(r.Body) != "\x00garbage" {
			t.Errorf("raw failed: %q", r.Body)
		}
		var again struct {
			Status string `json:"status"`
		}
		e.must(http.StatusOK, "POST", fmt.Sprintf("/api/v1/failed-mail/%d/retry", bad.FailedID), cAdmin, nil, &again)
		e.must(http.StatusOK, "GET", "/api/v1/failed-mail", cAdmin, nil, &list)
		if again.Status != "failed" || len(list.Items) != 1 || list.Items[0].Retries != 1 {
			t.Errorf("retry of garbage: %+v, %+v", again, list)
		}
		e.must(http.StatusNoContent, "DELETE", fmt.Sprintf("/api/v1/failed-mail/%d", bad.FailedID), cAdmin, nil, nil)
		e.must(http.StatusOK, "GET", "/api/v1/failed-mail", cAdmin, nil, &list)
		if len(list.Items) != 0 {
			t.Errorf("dismissed still open: %+v", list)
		}
		if r := e.do("POST", fmt.Sprintf("/api/v1/failed-mail/%d/retry", bad.FailedID), cAdmin, nil); r.Code != http.StatusConflict {
			t.Errorf("retry of a dismissed one: %d", r.Code)
		}

		// A good mail kept after a passing failure (the database was busy)
		// is stored by a retry, and the entry resolved with its ticket.
		id, err := e.f.FailedMail.Keep(t.Context(), nil, "imap:INBOX/9", []byte("From: ana@cliente.example\r\nSubject: Later\r\nMessage-ID: <later@x>\r\n\r\nbody\r\n"), "database is locked")
		if err != nil {
			t.Fatal(err)
		}
		var stored struct {
			Status   string `json:"status"`
			TicketID int64  `json:"ticket_id"`
		}
		e.must(http.StatusOK, "POST", fmt.Sprintf("/api/v1/failed-mail/%d/retry", id), cAdmin, nil, &stored)
		var all struct {
			Items []struct {
				ID         int64   `json:"id"`
				Resolution *string `json:"resolution"`
				TicketID   *int64  `json:"ticket_id"`
			} `json:"items"`
		}
		e.must(http.StatusOK, "GET", "/api/v1/failed-mail?all=true", cAdmin, nil, &all)
		if stored.Status != "created" || len(all.Items) != 2 || all.Items[0].ID != id || all.Items[0].Resolution == nil || *all.Items[0].Resolution != "stored" ||
			all.Items[0].TicketID == nil || *all.Items[0].TicketID != stored.TicketID {
			t.Errorf("retry stored: %+v, list %s", stored, mustJSON(all))
		}
	})
}
