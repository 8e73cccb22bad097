package inbox_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"tessera/internal/app/apptest"
	"tessera/internal/auth"
	"tessera/internal/inbox"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
	"tessera/internal/validation"
)

var ctx = context.Background()

func ptr[T any](v T) *T { return &v }

func fieldOf(err error) string {
	if ve, ok := validation.As(err); ok {
		return ve.Fields[0].Field
	}
	return fmt.Sprintf("not a validation error: %v", err)
}

func TestInboxes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		svc := f.Inboxes
		if _, err := svc.Create(ctx, f.Agent, inbox.Input{Name: ptr("Support"), Kind: ptr("email"), Address: ptr("support@acme.test")}); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("agent created an inbox: %v", err)
		}
		mail, err := svc.Create(ctx, f.Admin, inbox.Input{Name: ptr(" Suporte "), Kind: ptr("email"), Address: ptr("Suporte@Acme.test"),
			DefaultTeamID: &f.Support.ID, DefaultLanguage: ptr("pt-BR"), DefaultPriority: ptr("high"),
			Settings: &map[string]any{"imap_host": "imap.acme.test", "password": "secret"}})
		if err != nil {
			t.Fatal(err)
		}
		if mail.Name != "Suporte" || mail.Address != "suporte@acme.test" || mail.DefaultTeamID == nil || *mail.DefaultTeamID != f.Support.ID ||
			mail.DefaultLanguage != "pt-BR" || mail.DefaultPriority != "high" || !mail.Active || mail.Settings["imap_host"] != "imap.acme.test" {
			t.Errorf("created %+v", mail)
		}
		web, err := svc.Create(ctx, f.Admin, inbox.Input{Name: ptr("Site form"), Kind: ptr("web")})
		if err != nil || web.Address != "" || web.DefaultLanguage != "en" || web.DefaultPriority != "" || web.DefaultTeamID != nil {
			t.Errorf("web inbox: %+v %v", web, err)
		}
		for field, in := range map[string]inbox.Input{
			"name":             {Kind: ptr("web")},
			"kind":             {Name: ptr("Fax"), Kind: ptr("fax")},
			"address":          {Name: ptr("Mail"), Kind: ptr("email"), Address: ptr("not an address")},
			"default_language": {Name: ptr("Fr"), Kind: ptr("web"), DefaultLanguage: ptr("fr")},
			"default_priority": {Name: ptr("P"), Kind: ptr("web"), DefaultPriority: ptr("asap")},
			"default_team_id":  {Name: ptr("T"), Kind: ptr("web"), DefaultTeamID: ptr(int64(999999))},
		} {
			if _, err := svc.Create(ctx, f.Admin, in); fieldOf(err) != field {
				t.Errorf("bad %s: %v", field, err)
			}
		}
		if _, err := svc.Create(ctx, f.Admin, inbox.Input{Name: ptr("SUPORTE"), Kind: ptr("web")}); fieldOf(err) != "name" {
			t.Errorf("duplicate name: %v", err)
		}
		if _, err := svc.Create(ctx, f.Admin, inbox.Input{Name: ptr("Other"), Kind: ptr("email"), Address: ptr("SUPORTE@acme.test")}); fieldOf(err) != "address" {
			t.Errorf("duplicate address: %v", err)
		}
		// Agents see inboxes, but not their settings.
		got, err := svc.Get(ctx, f.Light, mail.ID)
		if err != nil || got.Settings != nil || got.Name != "Suporte" {
			t.Errorf("light agent's view: %+v %v", got, err)
		}
		list, err := svc.List(ctx, f.Agent)
		if err != nil || len(list) != 2 || list[0].Kind != "email" || list[0].Settings != nil {
			t.Errorf("agent's list: %+v %v", list, err)
		}
		if list, _ := svc.List(ctx, f.Admin); list[0].Settings["password"] != "secret" {
			t.Errorf("admin's list hides settings: %+v", list[0])
		}
		if _, err := svc.List(ctx, auth.Actor{Kind: auth.KindContact, ID: 1}); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("contact listed inboxes: %v", err)
		}
		// Update: clear the team, deactivate; other fields kept.
		up, err := svc.Update(ctx, f.Admin, mail.ID, inbox.Input{DefaultTeamID: ptr(int64(0)), Active: ptr(false)})
		if err != nil || up.DefaultTeamID != nil || up.Active || up.Address != "suporte@acme.test" || up.Settings["password"] != "secret" {
			t.Errorf("update: %+v %v", up, err)
		}
		if _, err := svc.Update(ctx, f.Admin, web.ID, inbox.Input{Kind: ptr("email")}); fieldOf(err) != "address" {
			t.Errorf("email without address: %v", err)
		}
		if _, err := svc.Update(ctx, f.Admin, web.ID, inbox.Input{Name: ptr("suporte")}); fieldOf(err) != "name" {
			t.Errorf("rename onto another: %v", err)
		}
		if _, err := svc.Update(ctx, f.Agent, web.ID, inbox.Input{Active: ptr(false)}); !errors.Is(err, auth.ErrForbidden) {
			t.Errorf("agent changed an inbox: %v", err)
		}
		if _, err := svc.Update(ctx, f.Admin, 999999, inbox.Input{Active: ptr(false)}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("missing inbox: %v", err)
		}
		big := map[string]any{"x": string(make([]byte, inbox.MaxSettings))}
		if _, err := svc.Update(ctx, f.Admin, web.ID, inbox.Input{Settings: &big}); fieldOf(err) != "settings" {
			t.Errorf("huge settings: %v", err)
		}
		var n int
		if err := f.DB.Read().QueryRow(ctx, `SELECT COUNT(*) FROM audit_log WHERE action IN ('inbox.create', 'inbox.update')`).Scan(&n); err != nil || n != 3 {
			t.Errorf("audit rows = %d (%v)", n, err)
		}
	})
}

// TestInboxSMTPChecked: an inbox's SMTP server is checked when it is saved,
// so a typo shows on the form rather than as undelivered replies.
func TestInboxSMTPChecked(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e store.Engine) {
		f := apptest.New(t, e)
		for _, tc := range []struct {
			smtp map[string]any
			want string
		}{
			{map[string]any{"host": "smtp.acme.test", "security": "ssl"}, "smtp.security"},
			{map[string]any{"host": "smtp.acme.test", "port": 70000}, "smtp.port"},
			{map[string]any{"username": "help", "password": "x"}, "smtp.host"},
		} {
			_, err := f.Inboxes.Create(ctx, f.Admin, inbox.Input{Name: ptr("Mail " + tc.want), Kind: ptr("email"), Address: ptr(tc.want + "@acme.test"), SMTP: &tc.smtp})
			if got := fieldOf(err); got != tc.want {
				t.Errorf("smtp %v: error on %q, want %q", tc.smtp, got, tc.want)
			}
		}
		if _, err := f.Inboxes.Create(ctx, f.Admin, inbox.Input{Name: ptr("Good"), Kind: ptr("email"), Address: ptr("good@acme.test"),
			SMTP: &map[string]any{"host": "smtp.acme.test", "security": "tls", "username": "good", "password": "s3cret"}}); err != nil {
			t.Errorf("a good SMTP server refused: %v", err)
		}
	})
}
