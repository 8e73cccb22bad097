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
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

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
	// MaxBodyBytes bounds request bodies (attachments travel inside them).
	MaxBodyBytes int64
}

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
	Request      any // request body type, or nil
	Response     any // success response type, or nil
	Status       int // success status
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
	for _, rt := range s.Routes() {
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
		return &Problem{Status: http.StatusNotFound, Title: "Not Found", Detail: "no such API route: " + r.Method + " " + r.URL.Path}
	}))
	if s.Limits != nil {
		return s.Limits.Middleware(mux)
	}
	return mux
}

func (s *Server) serve(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.MaxBodyBytes > 0 {
			r.Body = http.MaxBytesReader(w, r.Body, s.MaxBodyBytes)
		}
		if err := h(w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}

func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || token == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="tessera"`)
			s.writeError(w, r, &Problem{Status: http.StatusUnauthorized, Title: "Unauthorized", Detail: "send an API token as Authorization: Bearer TOKEN"})
			return
		}
		actor, err := s.App.People.Authenticate(r.Context(), strings.TrimSpace(token))
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
	case errors.Is(err, ticket.ErrClosed), errors.Is(err, ticket.ErrMerged):
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

// decode reads a JSON body strictly: unknown fields and wrong types are
// 422s that name the field; malformed JSON is a 400.
func decode(r *http.Request, dst any) error {
	// The body must be JSON whatever Content-Type says: scripts often send
	// JSON with curl -d, which labels it as a form.
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	err := dec.Decode(dst)
	if err == nil {
		if dec.More() {
			return &Problem{Status: http.StatusBadRequest, Title: "Bad Request", Field: "body", Detail: "the body holds more than one JSON value"}
		}
		return nil
	}
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return err
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "body"
		}
		return validation.Field(field, "must be %s", jsonType(te.Type.String()))
	case errors.As(err, &se), errors.Is(err, io.ErrUnexpectedEOF):
		return &Problem{Status: http.StatusBadRequest, Title: "Bad Request", Field: "body", Detail: "the body is not valid JSON: " + err.Error()}
	case errors.Is(err, io.EOF):
		return &Problem{Status: http.StatusBadRequest, Title: "Bad Request", Field: "body", Detail: "the body is empty"}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return validation.Field(name, "is not a field of this request")
	case strings.Contains(err.Error(), "illegal base64"):
		return validation.Field("attachments", "data must be base64")
	}
	return &Problem{Status: http.StatusBadRequest, Title: "Bad Request", Field: "body", Detail: err.Error()}
}

func jsonType(goType string) string {
	switch {
	case strings.Contains(goType, "int"), strings.Contains(goType, "float"):
		return "a number"
	case strings.Contains(goType, "bool"):
		return "true or false"
	case strings.HasPrefix(goType, "[]uint8"):
		return "base64 text"
	case strings.HasPrefix(goType, "[]"), strings.HasPrefix(goType, "*[]"):
		return "an array"
	case strings.Contains(goType, "map"), strings.Contains(goType, "struct"):
		return "an object"
	}
	return "a string"
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
