package bench

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"tessera/internal/app/apptest"
	"tessera/internal/auth"
	"tessera/internal/store"
	"tessera/internal/web/api"
)

func TestCheckLoopback(t *testing.T) {
	for _, u := range []string{"http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:9000/x", "https://127.0.0.2"} {
		if _, err := CheckLoopback(u); err != nil {
			t.Errorf("%s refused: %v", u, err)
		}
	}
	for _, u := range []string{"http://example.com", "http://10.0.0.1:8080", "http://192.168.1.2", "ftp://127.0.0.1", "http://localhost.example.com", "http://0.0.0.0:80"} {
		if _, err := CheckLoopback(u); err == nil {
			t.Errorf("%s accepted", u)
		}
	}
}

func TestLoad(t *testing.T) {
	ctx := context.Background()
	f := apptest.New(t, store.SQLite)
	if _, err := Seed(ctx, f.DB, SeedOptions{Tickets: 3000, Seed: 2}); err != nil {
		t.Fatal(err)
	}
	tok, err := f.People.CreateToken(ctx, auth.System, f.Admin.ID, "load")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer((&api.Server{App: f.App, Log: slog.New(slog.DiscardHandler)}).Handler())
	defer srv.Close()
	for _, sc := range []string{"create", "read", "list", "search", "mixed"} {
		var out strings.Builder
		rep, err := Load(ctx, LoadOptions{URL: srv.URL, Token: tok, Scenario: sc, Concurrency: 2, Duration: 400 * time.Millisecond, Warmup: 50 * time.Millisecond, Pages: 3, MaxRequests: 200, Out: &out})
		if err != nil {
			t.Fatalf("%s: %v\n%s", sc, err, out.String())
		}
		if rep.Requests == 0 || rep.Requests > 200+2*4 {
			t.Errorf("%s: %d requests", sc, rep.Requests)
		}
		for _, k := range rep.Kinds {
			for st, n := range k.Errors {
				if k.Kind != shortChain {
					t.Errorf("%s: %s: %d errors with status %d", sc, k.Kind, n, st)
				}
			}
		}
		rep.Print(&out)
		t.Log(out.String())
	}
	if _, err := Load(ctx, LoadOptions{URL: "http://example.com", Token: tok, Scenario: "read"}); err == nil {
		t.Error("a non-loopback URL was accepted")
	}
}
