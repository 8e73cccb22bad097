package auth_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"tessera/internal/auth"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
)

func newAgent(t *testing.T, db *store.DB, email string) int64 {
	t.Helper()
	var id int64
	now := time.Now().UTC()
	if err := db.Write().QueryRow(context.Background(), `INSERT INTO agents (email, name, role, created_at, updated_at)
		VALUES ($1, 'A', 'agent', $2, $2) RETURNING id`, email, now).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		ctx := context.Background()
		db := storetest.Open(t, engine)
		now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
		s := &auth.Sessions{DB: db, TTL: time.Hour, Now: func() time.Time { return now }}
		agent := newAgent(t, db, "a@example.com")

		if _, err := s.Create(ctx, 0, 0, "", "", ""); err == nil {
			t.Error("a session without anyone was created")
		}
		tok, err := s.Create(ctx, agent, 0, "he", "Firefox", "127.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		// A second Sessions on the same database (another server) knows it.
		other := &auth.Sessions{DB: db, TTL: time.Hour, Now: func() time.Time { return now }}
		got, err := other.Lookup(ctx, tok)
		if err != nil || got.AgentID != agent || got.ContactID != 0 || got.Language != "he" {
			t.Fatalf("lookup: %+v %v", got, err)
		}
		for _, bad := range []string{"", "tss_short", "tsr_" + tok[4:], tok + "x"} {
			if _, err := s.Lookup(ctx, bad); !errors.Is(err, auth.ErrNoSession) {
				t.Errorf("Lookup(%q) = %v, want ErrNoSession", bad, err)
			}
		}
		// Use extends the session: 50 minutes later it is alive and
		// lives another hour from then.
		now = now.Add(50 * time.Minute)
		if got, err = s.Lookup(ctx, tok); err != nil || !got.ExpiresAt.Equal(now.Add(time.Hour)) {
			t.Fatalf("extend: %+v %v", got, err)
		}
		now = now.Add(61 * time.Minute)
		if _, err := s.Lookup(ctx, tok); !errors.Is(err, auth.ErrNoSession) {
			t.Errorf("expired session: %v", err)
		}
		if n, err := s.Purge(ctx); err != nil || n != 1 {
			t.Errorf("purge: %d %v", n, err)
		}
		tok2, _ := s.Create(ctx, agent, 0, "", "", "")
		if err := s.SetLanguage(ctx, tok2, "es"); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Lookup(ctx, tok2); got.Language != "es" {
			t.Errorf("language %q", got.Language)
		}
		if err := s.Delete(ctx, tok2); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Lookup(ctx, tok2); !errors.Is(err, auth.ErrNoSession) {
			t.Errorf("signed-out session: %v", err)
		}
	})
}

func TestThrottle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		ctx := context.Background()
		db := storetest.Open(t, engine)
		now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
		s := &auth.Sessions{DB: db, Now: func() time.Time { return now }}
		for i := 0; i < auth.MaxFailuresPerKey; i++ {
			if wait, err := s.Throttled(ctx, "a@example.com", "10.0.0.1"); err != nil || wait != 0 {
				t.Fatalf("attempt %d throttled: %v %v", i, wait, err)
			}
			if err := s.Failed(ctx, "a@example.com", "10.0.0.1"); err != nil {
				t.Fatal(err)
			}
			now = now.Add(time.Second)
		}
		wait, err := s.Throttled(ctx, "a@example.com", "10.0.0.2")
		if err != nil || wait <= 0 || wait > auth.FailureWindow {
			t.Fatalf("account not throttled after %d failures: %v %v", auth.MaxFailuresPerKey, wait, err)
		}
		if wait, _ := s.Throttled(ctx, "b@example.com", "10.0.0.3"); wait != 0 {
			t.Errorf("another account throttled: %v", wait)
		}
		// The window moves on.
		now = now.Add(auth.FailureWindow)
		if wait, _ := s.Throttled(ctx, "a@example.com", "10.0.0.2"); wait != 0 {
			t.Errorf("still throttled after the window: %v", wait)
		}
		// Many accounts from one address throttle the address.
		for i := 0; i < auth.MaxFailuresPerIP; i++ {
			_ = s.Failed(ctx, "x"+string(rune('a'+i%26))+"@example.com", "10.9.9.9")
		}
		if wait, _ := s.Throttled(ctx, "new@example.com", "10.9.9.9"); wait == 0 {
			t.Error("address not throttled")
		}
		if err := s.Succeeded(ctx, "a@example.com"); err != nil {
			t.Fatal(err)
		}
	})
}

func TestLoginLinks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		ctx := context.Background()
		db := storetest.Open(t, engine)
		now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
		s := &auth.Sessions{DB: db, Now: func() time.Time { return now }}
		var contact int64
		if err := db.Write().QueryRow(ctx, `INSERT INTO contacts (name, created_at, updated_at) VALUES ('C', $1, $1) RETURNING id`, now).Scan(&contact); err != nil {
			t.Fatal(err)
		}
		link, err := s.CreateLink(ctx, contact, 30*time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := s.UseLink(ctx, link); err != nil || got != contact {
			t.Fatalf("use: %d %v", got, err)
		}
		if _, err := s.UseLink(ctx, link); !errors.Is(err, auth.ErrNoSession) {
			t.Errorf("link used twice: %v", err)
		}
		late, _ := s.CreateLink(ctx, contact, 30*time.Minute)
		now = now.Add(31 * time.Minute)
		if _, err := s.UseLink(ctx, late); !errors.Is(err, auth.ErrNoSession) {
			t.Errorf("expired link used: %v", err)
		}
		tok, err := s.Create(ctx, 0, contact, "pt-BR", "", "")
		if err != nil {
			t.Fatal(err)
		}
		if got, err := s.Lookup(ctx, tok); err != nil || got.ContactID != contact || got.AgentID != 0 {
			t.Errorf("contact session: %+v %v", got, err)
		}
	})
}
