// Package api is the JSON API under /api/v1: one route table, handlers
// that return errors, and one function that turns errors into RFC 9457
// problem documents. Handlers translate HTTP to calls on the domain
// services; permissions are enforced there.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"tessera/internal/channel/email/ingest"

	"tessera/internal/app"
	"tessera/internal/auth"
	"tessera/internal/people"
	"tessera/internal/store"
	"tessera/internal/ticket"
	"tessera/internal/validation"
)

// Server serves the API.
type Server struct {
	App    *app.App
	Log    *slog.Logger
	Limits *Limiter
	// MaxBodyBytes bounds request bodies (attachments travel inside
	// them): 0 means DefaultMaxBodyBytes, a negative value no limit.
	MaxBodyBytes int64
}

// DefaultMaxBodyBytes bounds request bodies when Server.MaxBodyBytes is 0:
// room for a message's 50 MiB of attachments, base64-encoded, in JSON.
const DefaultMaxBodyBytes = 72 << 20

// handler is an API handler: it writes a success response or returns an
// error for writeError.
type handler func(w http.ResponseWriter, r *http.Request) error

// Access says who may call a route (checked again in the services).
type Access string

const (
	Public Access = "public"
	Agent  Access = "agent" // any agent, light ones included
	Admin  Access = "admin"
)

// Route is one entry of the route table; the OpenAPI document is built
// from the same table.
type Route struct {
	Method, Path string
	Access       Access
	Summary      string
	Request      any   // request body type, or nil
	Form         *Form // also accepted as multipart/form-data, or nil
	Response     any   // success response type, or nil
	Status       int   // success status
	Query        []QueryParam
	Idempotent   bool // honours Idempotency-Key
	h            handler
}

// QueryParam documents a query parameter.
type QueryParam struct {
	Name, Type, Description string
}

// Handler returns the API's http.Handler, mounted at /api/v1/.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	routes := s.Routes()
	for _, rt := range routes {
		h := rt.h
		if rt.Idempotent {
			h = s.idempotent(h)
		}
		var hh http.Handler = s.serve(h)
		if rt.Access != Public {
			hh = s.authenticate(hh)
		}
		mux.Handle(rt.Method+" "+rt.Path, hh)
	}
	mux.Handle("/api/", s.serve(func(w http.ResponseWriter, r *http.Request) error {
		var allow []string
		for _, rt := range routes {
			if matchPath(rt.Path, r.URL.Path) && !slices.Contains(allow, rt.Method) {
				allow = append(allow, rt.Method)
			}
		}
		if len(allow) > 0 {
			if slices.Contains(allow, "GET") {
				allow = append(allow, "HEAD")
			}
			w.Header().Set("Allow", strings.Join(allow, ", "))
			return &Problem{Status: http.StatusMethodNotAllowed, Title: "Method Not Allowed",
				Detail: r.Method + " is not allowed on " + r.URL.Path + "; use " + strings.Join(allow, ", ")}
		}
		return &Problem{Status: http.StatusNotFound, Title: "Not Found", Detail: "no such API route: " + r.Method + " " + r.URL.Path}
	}))
	if s.Limits != nil {
		return s.Limits.Middleware(mux)
	}
	return mux
}

// matchPath reports whether path matches a route pattern whose {name}
// segments match any one non-empty segment.
func matchPath(pattern, path string) bool {
	ps, qs := strings.Split(pattern, "/"), strings.Split(path, "/")
	if len(ps) != len(qs) {
		return false
	}
	for i, p := range ps {
		if strings.HasPrefix(p, "{") {
			if qs[i] == "" {
				return false
			}
		} else if p != qs[i] {
			return false
		}
	}
	return true
}

func (s *Server) serve(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := s.MaxBodyBytes
		if limit == 0 {
			limit = DefaultMaxBodyBytes
		}
		if limit > 0 {
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		for name, values := range r.URL.Query() {
			for _, v := range values {
				if strings.IndexByte(v, 0) >= 0 || strings.IndexByte(name, 0) >= 0 {
					// PostgreSQL cannot compare text with NUL in it.
					s.writeError(w, r, validation.Field(name, "must not contain NUL characters"))
					return
				}
			}
		}
		tw := &trackWriter{ResponseWriter: w}
		if err := h(tw, r); err != nil {
			if tw.wrote {
				// Too late for a problem document: the status is out.
				s.Log.Error("api error after the response began", "method", r.Method, "path", r.URL.Path, "err", err)
				return
			}
			s.writeError(w, r, err)
		}
	})
}

// trackWriter notes whether a response has begun.
type trackWriter struct {
	http.ResponseWriter
	wrote bool
}

func (t *trackWriter) WriteHeader(code int) {
	t.wrote = true
	t.ResponseWriter.WriteHeader(code)
}

func (t *trackWriter) Write(b []byte) (int, error) {
	t.wrote = true
	return t.ResponseWriter.Write(b)
}

func (t *trackWriter) Unwrap() http.ResponseWriter { return t.ResponseWriter }

// bearerToken returns the credential of an "Authorization: Bearer TOKEN"
// header; the scheme is case-insensitive (RFC 9110).
func bearerToken(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", false
	}
	return token, true
}

func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := bearerToken(r)
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="tessera"`)
			s.writeError(w, r, &Problem{Status: http.StatusUnauthorized, Title: "Unauthorized", Detail: "send an API token as Authorization: Bearer TOKEN"})
			return
		}
		actor, err := s.App.People.Authenticate(r.Context(), token)
		if err != nil {
			if errors.Is(err, people.ErrUnauthenticated) {
				w.Header().Set("WWW-Authenticate", `Bearer realm="tessera", error="invalid_token"`)
				s.writeError(w, r, &Problem{Status: http.StatusUnauthorized, Title: "Unauthorized", Detail: "the API token is unknown or revoked"})
				return
			}
			s.writeError(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(auth.WithActor(r.Context(), actor)))
	})
}

func actorOf(r *http.Request) auth.Actor {
	a, _ := auth.ActorFrom(r.Context())
	return a
}

// Problem is an RFC 9457 problem document.
type Problem struct {
	Type     string                  `json:"type"`
	Title    string                  `json:"title"`
	Status   int                     `json:"status"`
	Detail   string                  `json:"detail,omitempty"`
	Instance string                  `json:"instance,omitempty"`
	Field    string                  `json:"field,omitempty"`
	Errors   []validation.FieldError `json:"errors,omitempty"`
}

func (p *Problem) Error() string { return fmt.Sprintf("%d %s: %s", p.Status, p.Title, p.Detail) }

// problemFor maps an error to a problem document; unknown errors are 500s
// whose details stay in the log.
func problemFor(err error) (*Problem, bool) {
	var p *Problem
	if errors.As(err, &p) {
		return p, true
	}
	if ve, ok := validation.As(err); ok {
		return &Problem{Type: "/api/v1/problems/validation", Title: "Invalid input", Status: http.StatusUnprocessableEntity,
			Detail: ve.Error(), Field: ve.Fields[0].Field, Errors: ve.Fields}, true
	}
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return &Problem{Status: http.StatusRequestEntityTooLarge, Title: "Request Entity Too Large", Field: "body",
			Detail: fmt.Sprintf("the request body is larger than %d bytes", mbe.Limit)}, true
	case errors.Is(err, store.ErrNotFound):
		return &Problem{Status: http.StatusNotFound, Title: "Not Found", Detail: "no such resource, or you may not see it"}, true
	case errors.Is(err, auth.ErrForbidden):
		return &Problem{Status: http.StatusForbidden, Title: "Forbidden", Detail: strings.TrimPrefix(err.Error(), "forbidden: ")}, true
	case errors.Is(err, ticket.ErrClosed), errors.Is(err, ticket.ErrMerged), errors.Is(err, ingest.ErrResolved):
		return &Problem{Status: http.StatusConflict, Title: "Conflict", Detail: err.Error()}, true
	case errors.Is(err, store.ErrConflict):
		return &Problem{Status: http.StatusConflict, Title: "Conflict", Detail: "this already exists"}, true
	case errors.Is(err, context.Canceled):
		return &Problem{Status: 499, Title: "Client Closed Request"}, true
	}
	return &Problem{Status: http.StatusInternalServerError, Title: "Internal Server Error", Detail: "something went wrong; it has been logged"}, false
}

func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	p, known := problemFor(err)
	if !known {
		s.Log.Error("api error", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if p.Type == "" {
		p.Type = "about:blank"
	}
	if p.Title == "" {
		p.Title = http.StatusText(p.Status)
	}
	p.Instance = r.URL.Path
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}

func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, &Problem{Status: http.StatusNotFound, Title: "Not Found", Detail: name + " must be a positive integer"}
	}
	return id, nil
}

func queryInt(r *http.Request, name string, def, lo, hi int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, validation.Field(name, "must be an integer from %d to %d", lo, hi)
	}
	return n, nil
}

// List is the envelope of every list response.
type List[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor"`
}

// list returns a List whose items are [] rather than null when empty.
func list[T any](items []T, next string) List[T] {
	if items == nil {
		items = []T{}
	}
	return List[T]{Items: items, NextCursor: next}
}
