// Package page is what the workspace and the portal share: the templates
// and the data every page gets (viewer, language, assets), browser
// sessions and their cookies, and error pages. It holds no business rules.
package page

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"

	"tessera/internal/app"
	"tessera/internal/auth"
	"tessera/internal/people"
	"tessera/internal/richtext"
	"tessera/internal/store"
	"tessera/internal/validation"
	"tessera/internal/web/i18n"
	"tessera/internal/web/static"
	"tessera/internal/web/templates"
)

// Site renders pages and keeps browser sessions.
type Site struct {
	App      *app.App
	Sessions *auth.Sessions
	I18n     *i18n.Bundle
	Assets   *static.Assets
	Log      *slog.Logger
	// SecureCookies marks cookies Secure (the server is behind HTTPS).
	SecureCookies bool

	pages map[string]*template.Template
}

// New loads the templates, catalogs and assets.
func New(a *app.App, log *slog.Logger) (*Site, error) {
	b, err := i18n.Load()
	if err != nil {
		return nil, err
	}
	assets, err := static.Load()
	if err != nil {
		return nil, err
	}
	s := &Site{App: a, Sessions: &auth.Sessions{DB: a.DB}, I18n: b, Assets: assets, Log: log}
	if err := s.parse(); err != nil {
		return nil, err
	}
	return s, nil
}

// Funcs are the template functions that do not depend on the request.
var Funcs = template.FuncMap{
	// safe shows stored HTML (already sanitised when written) after
	// sanitising it once more, as the safety model asks.
	"safe":     func(h string) template.HTML { return template.HTML(richtext.Sanitize(h)) },
	"markdown": func(s string) template.HTML { return template.HTML(richtext.Markdown(s)) },
	"deref": func(p *int64) int64 {
		if p == nil {
			return 0
		}
		return *p
	},
	"join":     strings.Join,
	"contains": slices.Contains[[]string],
	"has":      slices.Contains[[]int64],
	"eqid":     func(p *int64, id int64) bool { return p != nil && *p == id },
	"add":      func(a, b int) int { return a + b },
	"dict": func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[fmt.Sprint(kv[i])] = kv[i+1]
		}
		return m
	},
	"bytes":   humanBytes,
	"rfc3339": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
}

func humanBytes(n int64) string {
	switch {
	case n < 1024:
		return fmt.Sprintf("%d B", n)
	case n < 1024*1024:
		return fmt.Sprintf("%.0f KB", float64(n)/1024)
	default:
		return fmt.Sprintf("%.1f MB", float64(n)/1024/1024)
	}
}

func (s *Site) parse() error {
	base, err := template.New("").Funcs(Funcs).ParseFS(templates.FS, "layout.html")
	if err != nil {
		return fmt.Errorf("templates: %w", err)
	}
	partials, _ := fs.Glob(templates.FS, "partials/*.html")
	if len(partials) > 0 {
		if base, err = base.ParseFS(templates.FS, partials...); err != nil {
			return fmt.Errorf("templates: %w", err)
		}
	}
	s.pages = map[string]*template.Template{}
	for _, dir := range []string{"agent", "admin", "portal", "bare"} {
		files, err := fs.Glob(templates.FS, dir+"/*.html")
		if err != nil {
			return err
		}
		for _, f := range files {
			t, err := base.Clone()
			if err != nil {
				return err
			}
			if t, err = t.ParseFS(templates.FS, f); err != nil {
				return fmt.Errorf("templates: %s: %w", f, err)
			}
			s.pages[strings.TrimSuffix(f, ".html")] = t
		}
	}
	return nil
}

// Frame is the layout a page sits in.
func frame(name string) string {
	switch path.Dir(name) {
	case "agent", "admin":
		return "agent-frame"
	case "portal":
		return "portal-frame"
	}
	return "bare-frame"
}

// Data is what every template receives; Page is the page's own data.
type Data struct {
	L       *i18n.Localizer
	Viewer  *Viewer
	Title   string
	Nav     string // the active navigation entry
	Flash   string
	Error   string
	Assets  *static.Assets
	Request *http.Request
	Now     time.Time
	Page    any
	// Sidebar is filled by the workspace (view counts); nil in the portal.
	Sidebar any
}

// T translates.
func (d *Data) T(key string, args ...any) string { return d.L.T(key, args...) }

// Dir is the text direction.
func (d *Data) Dir() string { return d.L.Dir() }

// Lang is the page language.
func (d *Data) Lang() string { return d.L.Locale }

// Locales are the languages offered by the switcher.
func (d *Data) Locales() []map[string]string {
	out := make([]map[string]string, 0, len(i18n.Locales))
	for _, l := range i18n.Locales {
		out = append(out, map[string]string{"Code": l, "Name": i18n.Names[l], "URL": d.LangURL(l)})
	}
	return out
}

// LangURL is the current page in another language.
func (d *Data) LangURL(locale string) string {
	u := *d.Request.URL
	q := u.Query()
	q.Set("lang", locale)
	u.RawQuery = q.Encode()
	return u.RequestURI()
}

// Location is the viewer's time zone.
func (d *Data) Location() *time.Location {
	if d.Viewer != nil && d.Viewer.TZ != nil {
		return d.Viewer.TZ
	}
	return time.UTC
}

// Time formats an instant in the viewer's time zone.
func (d *Data) Time(t time.Time) string { return t.In(d.Location()).Format("2006-01-02 15:04") }

// Ago is a short relative time ("5 minutes ago").
func (d *Data) Ago(t time.Time) string {
	dur := d.Now.Sub(t)
	switch {
	case dur < time.Minute:
		return d.T("time.just_now")
	case dur < time.Hour:
		return d.T("time.minutes_ago", int(dur/time.Minute))
	case dur < 24*time.Hour:
		return d.T("time.hours_ago", int(dur/time.Hour))
	case dur < 30*24*time.Hour:
		return d.T("time.days_ago", int(dur/(24*time.Hour)))
	}
	return t.In(d.Location()).Format("2006-01-02")
}

// Query returns a query parameter of the request.
func (d *Data) Query(name string) string { return d.Request.URL.Query().Get(name) }

// NewData starts the data of a page for this request.
func (s *Site) NewData(r *http.Request, title string) *Data {
	v := ViewerFrom(r.Context())
	d := &Data{Viewer: v, Title: title, Assets: s.Assets, Request: r, Now: time.Now()}
	loc := "en"
	if v != nil {
		loc = v.Locale
	}
	d.L = s.I18n.For(loc)
	return d
}

// Render writes a page. Templates render into a buffer first, so a
// template error becomes a clean 500 rather than half a page.
func (s *Site) Render(w http.ResponseWriter, status int, name string, d *Data) {
	t, ok := s.pages[name]
	if !ok {
		s.Log.Error("no such page template", "page", name)
		http.Error(w, "page not found", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, frame(name), d); err != nil {
		s.Log.Error("render", "page", name, "err", err)
		http.Error(w, "The page could not be rendered.", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	SecurityHeaders(h)
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// SecurityHeaders forbid inline scripts, framing and sniffing: stored
// content is sanitised, and the policy is the second wall.
func SecurityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
}

// Fail renders the error page for err: not found, forbidden, bad input,
// too many requests, or (logged) an internal error.
func (s *Site) Fail(w http.ResponseWriter, r *http.Request, err error) {
	status, key := http.StatusInternalServerError, "error.internal"
	var ve *validation.Error
	switch {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, people.ErrUnauthenticated):
		status, key = http.StatusNotFound, "error.not_found"
	case errors.Is(err, auth.ErrForbidden):
		status, key = http.StatusForbidden, "error.forbidden"
	case errors.As(err, &ve):
		status, key = http.StatusUnprocessableEntity, "error.bad_request"
	case errors.Is(err, store.ErrConflict):
		status, key = http.StatusConflict, "error.bad_request"
	default:
		s.Log.Error("page", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	d := s.NewData(r, "")
	d.Title = d.T("error.title")
	d.Error = d.T(key)
	if ve != nil {
		d.Error += " " + ve.Error()
	}
	s.Render(w, status, "bare/error", d)
}

// NotFound renders the not-found page.
func (s *Site) NotFound(w http.ResponseWriter, r *http.Request) { s.Fail(w, r, store.ErrNotFound) }

// Redirect answers a form post with 303 See Other to a local path; a next
// parameter that is not a local path is ignored (no open redirects).
func Redirect(w http.ResponseWriter, r *http.Request, to string) {
	http.Redirect(w, r, LocalPath(to, "/"), http.StatusSeeOther)
}

// LocalPath returns p if it is a path on this site, else def.
func LocalPath(p, def string) string {
	if p == "" || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") {
		return def
	}
	u, err := url.Parse(p)
	if err != nil || u.Host != "" || u.Scheme != "" {
		return def
	}
	return p
}

// SetFlash leaves a one-time message (an i18n key) for the next page.
func SetFlash(w http.ResponseWriter, key string) {
	http.SetCookie(w, &http.Cookie{Name: "tessera_flash", Value: url.QueryEscape(key), Path: "/", MaxAge: 60, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// TakeFlash reads and clears the flash message into d.
func (s *Site) TakeFlash(w http.ResponseWriter, r *http.Request, d *Data) {
	c, err := r.Cookie("tessera_flash")
	if err != nil || c.Value == "" {
		return
	}
	key, _ := url.QueryUnescape(c.Value)
	if s.I18n.Has(key) {
		d.Flash = d.T(key)
	}
	http.SetCookie(w, &http.Cookie{Name: "tessera_flash", Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}
