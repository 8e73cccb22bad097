// Package web is Tessera's HTTP surface: it mounts the JSON API, the agent
// workspace, the customer portal, the live events, the health and metrics
// endpoints, behind logging, metrics and panic recovery.
package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"tessera/internal/app"
	"tessera/internal/web/agent"
	"tessera/internal/web/api"
	"tessera/internal/web/live"
	"tessera/internal/web/page"
	"tessera/internal/web/portal"
	"tessera/internal/web/static"
)

// Server is the whole HTTP surface.
type Server struct {
	App   *app.App
	API   *api.Server
	Site  *page.Site
	Log   *slog.Logger
	ready atomic.Bool

	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inflight prometheus.Gauge
}

// New builds the server; it reports not-ready until SetReady(true).
func New(a *app.App, apiServer *api.Server, log *slog.Logger) (*Server, error) {
	site, err := page.New(a, log)
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	s := &Server{App: a, API: apiServer, Site: site, Log: log, registry: prometheus.NewRegistry()}
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
	return s, nil
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
	mux.Handle("GET "+static.Prefix, s.Site.Assets)

	// The pages use cookies, so a form posted from another site must not
	// act with them: cross-origin unsafe requests are refused.
	ui := http.NewServeMux()
	(&agent.Handler{Site: s.Site, Log: s.Log}).Register(ui)
	lh := &live.Handler{Hub: s.App.Live, Log: s.Log, Visible: s.App.Tickets.Visible}
	ui.HandleFunc("GET /events", s.Site.Agent(lh.Events))
	ui.HandleFunc("POST /tickets/{id}/presence", s.Site.Agent(lh.Presence))
	(&portal.Handler{Site: s.Site, Log: s.Log}).Register(ui)
	ui.HandleFunc("/", s.Site.AgentOptional(s.Site.NotFound))
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "cross-origin request refused", http.StatusForbidden)
	}))
	mux.Handle("/", cop.Handler(ui))
	return s.observe(mux)
}

// logPath keeps secrets out of the request log: a portal sign-in link is
// as good as a password until it is spent.
func logPath(p string) string {
	if strings.HasPrefix(p, "/help/login/tsl_") {
		return "/help/login/{token}"
	}
	return p
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
			s.Log.Log(r.Context(), lvl, "request", "method", r.Method, "path", logPath(r.URL.Path), "status", sw.status,
				"duration_ms", float64(d.Microseconds())/1000, "remote", r.RemoteAddr)
			if p == http.ErrAbortHandler {
				panic(p) // net/http's way to abort a response: let it do so
			}
		}()
		next.ServeHTTP(sw, r)
	})
}
