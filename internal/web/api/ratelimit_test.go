package api_test

import (
	"net/http"
	"strconv"
	"testing"

	"tessera/internal/store"
	"tessera/internal/store/storetest"
	"tessera/internal/web/api"
)

func checkTooMany(t *testing.T, r resp) {
	t.Helper()
	p := checkProblem(t, r, http.StatusTooManyRequests)
	if s, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || s < 1 || s > 2 {
		t.Errorf("Retry-After %q", r.Header.Get("Retry-After"))
	}
	if p.Detail == "" {
		t.Errorf("no detail: %s", r)
	}
}

func TestRateLimitPerToken(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newEnv(t, engine, func(s *api.Server) { s.Limits = &api.Limiter{PerToken: 1, TokenBurst: 2} })
		for i := range 2 {
			if r := e.do("GET", "/api/v1/me", cAgent, nil); r.Code != 200 {
				t.Fatalf("request %d within the burst: %s", i, r)
			}
		}
		checkTooMany(t, e.do("GET", "/api/v1/me", cAgent, nil))
		// The limit is per token: another agent, or no token at all, still passes.
		if r := e.do("GET", "/api/v1/me", cAdmin, nil); r.Code != 200 {
			t.Errorf("another token: %s", r)
		}
		if r := e.do("GET", "/api/v1/openapi.json", cNone, nil); r.Code != 200 {
			t.Errorf("no token: %s", r)
		}
		// Wrong tokens are limited too, so guessing is slow.
		e.do("GET", "/api/v1/me", cWrong, nil)
		e.do("GET", "/api/v1/me", cWrong, nil)
		checkTooMany(t, e.do("GET", "/api/v1/me", cWrong, nil))
	})
}

func TestRateLimitPerAddress(t *testing.T) {
	storetest.Each(t, func(t *testing.T, engine store.Engine) {
		e := newEnv(t, engine, func(s *api.Server) { s.Limits = &api.Limiter{PerAddress: 1, AddrBurst: 2} })
		from := func(addr, caller string, hdr ...string) resp {
			r := req("GET", "/api/v1/me", e.tok[caller], nil, hdr...)
			r.RemoteAddr = addr
			return serve(e.h, r)
		}
		for i, caller := range []string{cAgent, cAdmin} {
			if r := from("198.51.100.7:4000", caller); r.Code != 200 {
				t.Fatalf("request %d within the burst: %s", i, r)
			}
		}
		// Another token from the same address does not escape the limit.
		checkTooMany(t, from("198.51.100.7:4001", cLight))
		checkTooMany(t, from("198.51.100.7:4002", cNone))
		if r := from("198.51.100.8:4000", cAgent); r.Code != 200 {
			t.Errorf("another address: %s", r)
		}
		// X-Forwarded-For is ignored unless the proxy is trusted.
		checkTooMany(t, from("198.51.100.7:4003", cAgent, "X-Forwarded-For", "203.0.113.9"))
	})
	t.Run("behind a trusted proxy", func(t *testing.T) {
		s := &api.Server{Limits: &api.Limiter{PerAddress: 1, AddrBurst: 1, TrustProxy: true}}
		h := s.Handler()
		from := func(xff string) resp {
			r := req("GET", "/api/v1/openapi.json", "", nil, "X-Forwarded-For", xff)
			r.RemoteAddr = "10.0.0.1:5000"
			return serve(h, r)
		}
		if r := from("203.0.113.1"); r.Code != 200 {
			t.Fatalf("first: %s", r)
		}
		checkTooMany(t, from("203.0.113.1"))
		// The proxy appends the address it saw: what the client wrote
		// before it is not to be trusted, or each request could pick a
		// fresh bucket.
		checkTooMany(t, from("192.0.2.55, 203.0.113.1"))
		if r := from("203.0.113.2"); r.Code != 200 {
			t.Errorf("another client behind the proxy: %s", r)
		}
	})
}
