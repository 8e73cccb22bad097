package agent_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"tessera/internal/store"
	"tessera/internal/store/storetest"
)

// TestAdminInboxMailServers: the IMAP and SMTP fields are saved, shown
// again without their passwords, and an empty password keeps the stored
// one; the failed-mail page lists an entry and retrying it resolves it.
func TestAdminInboxMailServers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newAdminEnv(t, engine)
		w := newAdminWorld(t, e)
		path := fmt.Sprintf("/admin/inboxes/%d", w.inbox)
		form := url.Values{"name": {"Support mail"}, "kind": {"email"}, "address": {"help@acme.test"}, "default_language": {"en"}, "active": {"1"},
			"imap_host": {"imap.acme.test"}, "imap_port": {"993"}, "imap_security": {"tls"}, "imap_username": {"help@acme.test"}, "imap_password": {"imap-s3cret"},
			"imap_auth": {"password"}, "imap_folder": {"Support"}, "imap_after": {"seen"},
			"smtp_host": {"smtp.acme.test"}, "smtp_port": {"587"}, "smtp_security": {"starttls"}, "smtp_username": {"help@acme.test"}, "smtp_password": {"smtp-s3cret"}}
		if r := e.do("POST", path, asAdmin, form); r.Code != http.StatusSeeOther {
			t.Fatalf("save: %d %s", r.Code, r.Body)
		}
		r := e.do("GET", path, asAdmin, nil)
		if strings.Contains(r.Body, "s3cret") || !strings.Contains(r.Body, `value="imap.acme.test"`) || !strings.Contains(r.Body, `value="Support"`) ||
			!strings.Contains(r.Body, `value="smtp.acme.test"`) {
			t.Errorf("edit page: secrets shown or settings missing")
		}
		// Saved again without passwords: both are kept.
		form.Set("imap_password", "")
		form.Set("smtp_password", "")
		form.Set("imap_folder", "INBOX")
		if r := e.do("POST", path, asAdmin, form); r.Code != http.StatusSeeOther {
			t.Fatalf("save again: %d %s", r.Code, r.Body)
		}
		boxes, err := e.f.Inboxes.MailInboxes(context.Background())
		if err != nil || len(boxes) != 1 {
			t.Fatalf("inboxes: %v %v", boxes, err)
		}
		s, _ := boxes[0].IMAP()
		smtp, _ := boxes[0].Settings["smtp"].(map[string]any)
		if s.Password != "imap-s3cret" || s.Folder != "INBOX" || smtp["password"] != "smtp-s3cret" {
			t.Errorf("stored: %+v smtp %v", s, smtp)
		}

		id, err := e.f.FailedMail.Keep(context.Background(), nil, "imap:INBOX/4", []byte("From: a@cliente.example\r\nSubject: Later\r\n\r\nbody\r\n"), "database is locked")
		if err != nil {
			t.Fatal(err)
		}
		r = e.do("GET", "/admin/failed-mail", asAdmin, nil)
		if !strings.Contains(r.Body, "database is locked") || !strings.Contains(r.Body, "imap:INBOX/4") || !strings.Contains(r.Body, fmt.Sprintf("/admin/failed-mail/%d/retry", id)) {
			t.Errorf("failed-mail page lacks the entry")
		}
		if r := e.do("POST", fmt.Sprintf("/admin/failed-mail/%d/retry", id), asAdmin, url.Values{}); r.Code != http.StatusSeeOther {
			t.Fatalf("retry: %d", r.Code)
		}
		if items, _ := e.f.FailedMail.List(context.Background(), e.f.Admin, false, 0); len(items) != 0 {
			t.Errorf("still open after a successful retry: %+v", items)
		}
		if r := e.do("GET", "/admin/failed-mail", asAgent, nil); r.Code != http.StatusForbidden {
			t.Errorf("agent on the failed-mail page: %d", r.Code)
		}
	})
}
