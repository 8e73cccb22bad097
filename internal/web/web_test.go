package web_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"tessera/internal/app/apptest"
	"tessera/internal/store"
	"tessera/internal/store/storetest"
	"tessera/internal/web"
	"tessera/internal/web/api"
)

func get(t *testing.T, h http.Handler, path string) (int, http.Header, string) {
	t.Helper()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
	b, _ := io.ReadAll(w.Result().Body)
	return w.Code, w.Result().Header, string(b)
}

func TestHealthReadyMetrics(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		f := apptest.New(t, engine)
		log := slog.New(slog.DiscardHandler)
		s, err := web.New(f.App, &api.Server{App: f.App, Log: log}, log)
		if err != nil {
			t.Fatal(err)
		}
		h := s.Handler()

		if code, _, body := get(t, h, "/healthz"); code != 200 || strings.TrimSpace(body) != "ok" {
			t.Errorf("/healthz: %d %q", code, body)
		}
		if code, _, body := get(t, h, "/readyz"); code != http.StatusServiceUnavailable {
			t.Errorf("/readyz before SetReady: %d %q", code, body)
		}
		s.SetReady(true)
		if code, _, body := get(t, h, "/readyz"); code != 200 {
			t.Errorf("/readyz after SetReady(true): %d %q", code, body)
		}
		s.SetReady(false) // shutting down
		if code, _, _ := get(t, h, "/readyz"); code != http.StatusServiceUnavailable {
			t.Errorf("/readyz after SetReady(false): %d", code)
		}

		if code, hdr, _ := get(t, h, "/"); code != http.StatusSeeOther || hdr.Get("Location") != "/login?next=%2F" {
			t.Errorf("/ signed out: %d %v", code, hdr)
		}
		if code, hdr, body := get(t, h, "/login"); code != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/html") || !strings.Contains(body, `name="password"`) {
			t.Errorf("/login: %d %v", code, hdr)
		}
		if code, _, _ := get(t, h, "/no-such-page"); code != 404 {
			t.Errorf("/no-such-page: %d", code)
		}

		// API requests are counted by route pattern, not by raw path.
		if code, _, _ := get(t, h, "/api/v1/openapi.json"); code != 200 {
			t.Fatalf("openapi: %d", code)
		}
		if code, _, _ := get(t, h, "/api/v1/tickets/42"); code != 401 {
			t.Fatalf("unauthenticated ticket: %d", code)
		}
		code, hdr, body := get(t, h, "/metrics")
		if code != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/plain") {
			t.Fatalf("/metrics: %d %v", code, hdr)
		}
		for _, want := range []string{
			`tessera_http_requests_total{code="200",method="GET",route="GET /api/v1/openapi.json"} 1`,
			`tessera_http_requests_total{code="401",method="GET",route="GET /api/v1/tickets/{id}"} 1`,
			`tessera_http_requests_total{code="200",method="GET",route="GET /healthz"} 1`,
			`tessera_http_requests_total{code="503",method="GET",route="GET /readyz"} 2`,
			`tessera_http_requests_total{code="404",method="GET",route="/"} 1`,
			`tessera_http_request_duration_seconds_bucket{method="GET",route="GET /api/v1/openapi.json",le="+Inf"} 1`,
			`tessera_http_requests_in_flight 1`,
			`go_goroutines`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("/metrics lacks %s", want)
			}
		}
		if strings.Contains(body, "/api/v1/tickets/42") {
			t.Error("/metrics labels a raw path: unbounded cardinality")
		}
	})
}
