// Package portal is the customer portal at /help: the web form, sign-in by
// one-time link (or password, when the admin allows it), the customer's
// requests and their public thread, and the look-up of a request by its
// reference number. Handlers translate HTTP to calls on the domain
// services (ticket, people, portal settings) and render pages; the rules
// live in the services.
package portal

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"tessera/internal/auth"
	"tessera/internal/jobs"
	"tessera/internal/people"
	settings "tessera/internal/portal"
	"tessera/internal/store"
	"tessera/internal/ticket"
	"tessera/internal/validation"
	"tessera/internal/web/page"
)

// Handler serves the portal.
type Handler struct {
	Site *page.Site
	Log  *slog.Logger
	// FormRate and FormBurst bound web-form submissions per client address
	// (default: 10 at once, then one a minute). Kept per server, like the
	// API's rate limits: enough to stop a flood, not a quota.
	FormRate  rate.Limit
	FormBurst int
	// LinkTTL is how long a mailed sign-in link works (default 30 minutes).
	LinkTTL time.Duration

	mu       sync.Mutex
	limiters map[string]*limiter
	sweep    time.Time
}

type limiter struct {
	l    *rate.Limiter
	seen time.Time
}

// Register mounts the portal's routes.
func (h *Handler) Register(mux *http.ServeMux) {
	p := h.Site.Portal
	mux.HandleFunc("GET /help", p(h.home))
	mux.HandleFunc("GET /help/{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/help", http.StatusMovedPermanently)
	})
	mux.HandleFunc("GET /help/requests/new", p(h.newForm))
	mux.HandleFunc("POST /help/requests", p(h.submit))
	mux.HandleFunc("GET /help/requests/sent", p(h.sent))
	mux.HandleFunc("GET /help/requests", p(h.signedIn(h.list)))
	mux.HandleFunc("GET /help/requests/{number}", p(h.signedIn(h.show)))
	mux.HandleFunc("POST /help/requests/{number}/replies", p(h.signedIn(h.reply)))
	mux.HandleFunc("POST /help/requests/{number}/solve", p(h.signedIn(h.solve)))
	mux.HandleFunc("POST /help/requests/{number}/rating", p(h.signedIn(h.rate)))
	mux.HandleFunc("GET /help/attachments/{id}", p(h.signedIn(h.attachment)))
	mux.HandleFunc("GET /help/login", p(h.loginForm))
	mux.HandleFunc("POST /help/login", p(h.login))
	mux.HandleFunc("GET /help/login/sent", p(h.linkSent))
	mux.HandleFunc("GET /help/login/{token}", p(h.confirmForm))
	mux.HandleFunc("POST /help/login/{token}", p(h.confirm))
	mux.HandleFunc("POST /help/logout", p(h.logout))
	mux.HandleFunc("GET /help/lookup", p(h.lookupForm))
	mux.HandleFunc("POST /help/lookup", p(h.lookup))
	mux.HandleFunc("GET /help/lookup/sent", p(h.lookupSent))
	mux.HandleFunc("GET /help/password", p(h.signedIn(h.passwordForm)))
	mux.HandleFunc("POST /help/password", p(h.signedIn(h.setPassword)))
	h.registerKB(mux)
	h.registerSurvey(mux, p)
	mux.HandleFunc("/help/", p(func(w http.ResponseWriter, r *http.Request) { h.fail(w, r, store.ErrNotFound) }))
}

// signedIn lets only a signed-in contact through; others are sent to
// sign in and brought back (a form posted after the session ended starts
// over at the list).
func (h *Handler) signedIn(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if v := page.ViewerFrom(r.Context()); v != nil && v.Contact != nil {
			next(w, r)
			return
		}
		back := r.URL.RequestURI()
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			back = "/help/requests"
		}
		http.Redirect(w, r, "/help/login?next="+urlQueryEscape(back), http.StatusSeeOther)
	}
}

func (h *Handler) home(w http.ResponseWriter, r *http.Request) {
	d := h.data(w, r, "portal.home.title", "")
	h.render(w, http.StatusOK, "portal/home", d)
}

// data starts a page's data with its title and navigation entry, and
// takes the flash message left by the previous request.
func (h *Handler) data(w http.ResponseWriter, r *http.Request, titleKey, nav string) *page.Data {
	d := h.Site.NewData(r, "")
	d.Title, d.Nav = d.T(titleKey), nav
	h.Site.TakeFlash(w, r, d)
	return d
}

func (h *Handler) render(w http.ResponseWriter, status int, name string, d *page.Data) {
	h.Site.Render(w, status, name, d)
}

// fail renders an error inside the portal's frame: what a contact may not
// see does not exist for them.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, key := http.StatusInternalServerError, "error.internal"
	switch _, invalid := validation.As(err); {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, people.ErrUnauthenticated):
		status, key = http.StatusNotFound, "error.not_found"
	case errors.Is(err, auth.ErrForbidden):
		status, key = http.StatusForbidden, "error.forbidden"
	case errors.Is(err, ticket.ErrClosed), errors.Is(err, ticket.ErrMerged):
		status, key = http.StatusConflict, "portal.error.closed"
	case invalid:
		status, key = http.StatusUnprocessableEntity, "error.bad_request"
	default:
		h.Log.Error("portal", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	d := h.Site.NewData(r, "")
	d.Title = d.T("error.title")
	d.Error = d.T(key)
	h.render(w, status, "portal/error", d)
}

func (h *Handler) settings(ctx context.Context) (settings.Settings, error) {
	return h.Site.App.Portal.Get(ctx)
}

// allow takes one web-form submission from the address's budget.
func (h *Handler) allow(addr string) bool {
	r, burst := h.FormRate, h.FormBurst
	if r == 0 {
		r = rate.Every(time.Minute)
	}
	if burst <= 0 {
		burst = 10
	}
	now := time.Now()
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.limiters == nil {
		h.limiters = map[string]*limiter{}
	}
	if now.Sub(h.sweep) > time.Minute {
		for k, l := range h.limiters {
			if now.Sub(l.seen) > time.Hour {
				delete(h.limiters, k)
			}
		}
		h.sweep = now
	}
	l, ok := h.limiters[addr]
	if !ok {
		l = &limiter{l: rate.NewLimiter(r, burst)}
		h.limiters[addr] = l
	}
	l.seen = now
	return l.l.AllowN(now, 1)
}

func (h *Handler) linkTTL() time.Duration {
	if h.LinkTTL > 0 {
		return h.LinkTTL
	}
	return 30 * time.Minute
}

// mailLink sends a contact a one-time sign-in link, in their language,
// that lands on next. The mail goes to the address they typed, which is
// one of theirs.
func (h *Handler) mailLink(ctx context.Context, c people.Contact, to, next, subjectKey, bodyKey string, subjectArgs ...any) error {
	tok, err := h.Site.Sessions.CreateLink(ctx, c.ID, h.linkTTL())
	if err != nil {
		return err
	}
	link := h.Site.App.PublicURL + "/help/login/" + tok
	if next != "" {
		link += "?next=" + urlQueryEscape(next)
	}
	lang := c.Language
	if lang == "" {
		if v := page.ViewerFrom(ctx); v != nil {
			lang = v.Locale
		}
	}
	l := h.Site.I18n.For(lang)
	minutes := int(h.linkTTL() / time.Minute)
	text := l.T(bodyKey, c.Name, link, minutes) + "\n\n" + l.T("portal.mail.signature")
	return h.Site.App.Queue.Insert(ctx, jobs.SendMailArgs{To: to, Name: c.Name, Subject: l.T(subjectKey, subjectArgs...), Text: text, Link: link}, nil)
}

// next is a path inside the portal to return to, or def.
func next(p, def string) string {
	p = page.LocalPath(p, def)
	if p != "/help" && !strings.HasPrefix(p, "/help/") {
		return def
	}
	return p
}
