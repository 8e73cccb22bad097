// Package web is Tessera's HTTP surface: it mounts the JSON API, the health
// and metrics endpoints, and (in later work) the agent workspace and the
// customer portal, behind logging, metrics and panic recovery.
package web

import (
	"context"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"tessera/internal/app"
	"tessera/internal/web/api"
)

// Server is the whole HTTP surface.
type Server struct {
	App   *app.App
	API   *api.Server
	Log   *slog.Logger
	ready atomic.Bool

	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inflight prometheus.Gauge
}

// New builds the server; it reports not-ready until SetReady(true).
func New(a *app.App, apiServer *api.Server, log *slog.Logger) *Server {
	s := &Server{App: a, API: apiServer, Log: log, registry: prometheus.NewRegistry()}
	s.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	s.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "tessera_http_requests_total", Help: "HTTP requests by route and status code.",
	}, []string{"method", "route", "code"})
	s.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "tessera_http_request_duration_seconds", Help: "HTTP request latency by route.",
		Buckets: []float64{.001, .0025, .005, .01, .02, .05, .1, .25, .5, 1, 2.5, 5},
	}, []string{"method", "route"})
	s.inflight = prometheus.NewGauge(prometheus.GaugeOpts{Name: "tessera_http_requests_in_flight", Help: "Requests being served."})
	s.registry.MustRegister(s.requests, s.duration, s.inflight)
	return s
}

// SetReady marks the server ready (migrations done, accepting requests) or
// not (shutting down).
func (s *Server) SetReady(v bool) { s.ready.Store(v) }

// Handler returns the root handler.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/api/", s.API.Handler())
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /{$}", s.home)
	return s.observe(mux)
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if !s.ready.Load() {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, "not ready")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.App.DB.Ping(ctx); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, "database unreachable")
		return
	}
	fmt.Fprintln(w, "ready")
}

var homePage = template.Must(template.New("home").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tessera</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-inline-size:42rem;margin-block:3rem;margin-inline:auto;padding-inline:1rem;color:#1d2430}
code{background:#f1f3f6;padding:.1em .3em;border-radius:3px}h1{font-size:1.6rem}</style></head>
<body><h1>Tessera help desk</h1>
<p>The server is running on {{.Engine}}. The JSON API lives under <a href="/api/v1/openapi.json"><code>/api/v1</code></a>
(its OpenAPI document is linked here); create a token with <code>tessera token create --email EMAIL</code>.</p>
<ul><li><a href="/healthz">/healthz</a> — alive</li><li><a href="/readyz">/readyz</a> — ready for requests</li><li><a href="/metrics">/metrics</a> — Prometheus</li></ul>
</body></html>`))

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := homePage.Execute(w, map[string]any{"Engine": s.App.DB.Engine}); err != nil {
		s.Log.Error("home page", "err", err)
	}
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe logs, measures and recovers every request.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		s.inflight.Inc()
		defer func() {
			s.inflight.Dec()
			p := recover()
			if p != nil && p != http.ErrAbortHandler {
				s.Log.Error("panic", "method", r.Method, "path", r.URL.Path, "panic", p)
				if sw.status == 0 {
					sw.Header().Set("Content-Type", "application/problem+json")
					sw.WriteHeader(http.StatusInternalServerError)
					fmt.Fprint(sw, `{"type":"about:blank","title":"Internal Server Error","status":500}`)
				}
			}
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			if sw.status == 0 {
				sw.status = http.StatusOK // nothing written: net/http sends 200
			}
			d := time.Since(start)
			code := strconv.Itoa(sw.status)
			s.requests.WithLabelValues(r.Method, route, code).Inc()
			s.duration.WithLabelValues(r.Method, route).Observe(d.Seconds())
			lvl := slog.LevelInfo
			switch {
			case r.URL.Path == "/healthz" || r.URL.Path == "/readyz" || r.URL.Path == "/metrics":
				lvl = slog.LevelDebug // probes every few seconds are not news, nor is "not ready yet"
			case sw.status >= 500:
				lvl = slog.LevelError
			}
			s.Log.Log(r.Context(), lvl, "request", "method", r.Method, "path", r.URL.Path, "status", sw.status,
				"duration_ms", float64(d.Microseconds())/1000, "remote", r.RemoteAddr)
			if p == http.ErrAbortHandler {
				panic(p) // net/http's way to abort a response: let it do so
			}
		}()
		next.ServeHTTP(sw, r)
	})
}
