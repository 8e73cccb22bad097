package api_test

// Benchmarks of the HTTP path of the hot operations: the whole API handler
// (token check, JSON decoding, service, encoding) without the network, on
// each engine, over a database seeded by bench.Seed or the pre-seeded ones
// named by TESSERA_BENCH_DATABASE_URL_SQLITE / _POSTGRES.

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"sync/atomic"
	"testing"

	"tessera/internal/bench"
	"tessera/internal/bench/benchenv"
	"tessera/internal/web/api"
)

const benchTickets = 20000

// benchClients is the number of concurrent clients the parallel benchmarks
// model.
const benchClients = 8

func benchEngines(b *testing.B, f func(b *testing.B, env *benchenv.Env, h http.Handler)) {
	for _, e := range benchenv.Engines() {
		env := benchenv.NewEnv(b, e, benchTickets)
		h := (&api.Server{App: env.App, Log: slog.New(slog.DiscardHandler), MaxBodyBytes: 64 << 20}).Handler()
		b.Run(string(e), func(b *testing.B) { f(b, env, h) })
	}
}

func benchServe(b *testing.B, h http.Handler, env *benchenv.Env, method, path string, body []byte, want int) {
	var req *http.Request
	if body != nil {
		req = httptest.NewRequest(method, path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
	} else {
		req = httptest.NewRequest(method, path, nil)
	}
	req.Header.Set("Authorization", "Bearer "+env.Token)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != want {
		b.Errorf("%s %s: %d %s", method, path, w.Code, w.Body.String())
	}
}

// benchParallel runs f on benchClients goroutines (SetParallelism multiplies
// by GOMAXPROCS, so this rounds up to a multiple of it).
func benchParallel(b *testing.B, f func(i int)) {
	b.SetParallelism(max(1, (benchClients+runtime.GOMAXPROCS(0)-1)/runtime.GOMAXPROCS(0)))
	var n atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			f(int(n.Add(1)))
		}
	})
}

// BenchmarkCreateHTTP is POST /api/v1/tickets from 8 concurrent clients.
func BenchmarkCreateHTTP(b *testing.B) {
	benchEngines(b, func(b *testing.B, env *benchenv.Env, h http.Handler) {
		base := 1 << 30 // other tickets than the service benchmark's
		benchParallel(b, func(i int) {
			benchServe(b, h, env, "POST", "/api/v1/tickets", env.NewTicketJSON(base+i), http.StatusCreated)
		})
	})
}

// BenchmarkReadHTTP is GET a ticket and its 20-message thread, 8 clients.
func BenchmarkReadHTTP(b *testing.B) {
	benchEngines(b, func(b *testing.B, env *benchenv.Env, h http.Handler) {
		benchParallel(b, func(i int) {
			id := env.ReadIDs[i%len(env.ReadIDs)]
			benchServe(b, h, env, "GET", fmt.Sprintf("/api/v1/tickets/%d", id), nil, http.StatusOK)
			benchServe(b, h, env, "GET", fmt.Sprintf("/api/v1/tickets/%d/messages", id), nil, http.StatusOK)
		})
	})
}

// BenchmarkSearchHTTP is GET /api/v1/search over realistic queries, 8
// clients.
func BenchmarkSearchHTTP(b *testing.B) {
	benchEngines(b, func(b *testing.B, env *benchenv.Env, h http.Handler) {
		benchParallel(b, func(i int) {
			benchServe(b, h, env, "GET", "/api/v1/search?q="+url.QueryEscape(bench.Queries[i%len(bench.Queries)]), nil, http.StatusOK)
		})
	})
}
