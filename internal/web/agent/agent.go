// Package agent is the agent workspace at /: sign-in, views of tickets,
// search, the ticket page and the admin settings. Handlers translate HTTP
// to calls on the domain services and render pages; the rules live in the
// services.
package agent

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"tessera/internal/auth"
	"tessera/internal/people"
	"tessera/internal/web/page"
)

// Handler serves the workspace.
type Handler struct {
	Site *page.Site
	Log  *slog.Logger
}

// Register mounts the workspace's routes.
func (h *Handler) Register(mux *http.ServeMux) {
	s := h.Site
	mux.HandleFunc("GET /login", s.AgentOptional(h.loginForm))
	mux.HandleFunc("POST /login", s.AgentOptional(h.login))
	mux.HandleFunc("POST /logout", s.Agent(h.logout))
	mux.HandleFunc("GET /{$}", s.Agent(h.home))
	mux.HandleFunc("GET /views/{name}", s.Agent(h.view))
	h.registerTicket(mux)
	h.registerAdmin(mux)
	h.registerProfile(mux)
	h.registerMailOut(mux) // email channel, outbound: /admin/mail, /profile/mail
	h.registerViews(mux)
	h.registerKB(mux)
	h.registerReports(mux)
	h.registerRouteHooks(mux) // routing and webhooks (issue 6)
	h.registerMacros(mux)     // feature kbmacros
	h.registerKBManage(mux)   // feature kbmacros: files, revisions, categories
	h.registerRules(mux)      // the rule builder: triggers and automations (issue 6)
}

type loginPage struct {
	Next, Email string
}

func (h *Handler) loginForm(w http.ResponseWriter, r *http.Request) {
	next := page.LocalPath(r.URL.Query().Get("next"), "/")
	if v := page.ViewerFrom(r.Context()); v != nil && v.Agent != nil {
		page.Redirect(w, r, next)
		return
	}
	d := h.Site.NewData(r, "")
	d.Title = d.T("login.title")
	d.Page = loginPage{Next: next}
	h.Site.Render(w, http.StatusOK, "bare/login", d)
}

// login checks the password. Failures are counted per account and per
// address on every server; past the limit the form answers 429 until the
// window has passed, and each failure costs a little time, so guessing is
// slow while a typo costs a person nothing.
func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	email, _ := people.NormalizeEmail(r.PostFormValue("email"))
	if email == "" {
		email = strings.ToLower(strings.TrimSpace(r.PostFormValue("email")))
	}
	password := r.PostFormValue("password")
	next := page.LocalPath(r.PostFormValue("next"), "/")
	addr := page.ClientAddr(r)
	d := h.Site.NewData(r, "")
	d.Title = d.T("login.title")
	d.Page = loginPage{Next: next, Email: email}

	wait, err := h.Site.Sessions.Throttled(ctx, email, addr)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	if wait > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		d.Error = d.T("error.too_many")
		h.Site.Render(w, http.StatusTooManyRequests, "bare/login", d)
		return
	}
	actor, err := h.Site.App.People.CheckPassword(ctx, email, password)
	if errors.Is(err, people.ErrUnauthenticated) {
		if err := h.Site.Sessions.Failed(ctx, email, addr); err != nil {
			h.Log.Error("record sign-in failure", "err", err)
		}
		time.Sleep(300 * time.Millisecond)
		h.Log.Info("sign-in failed", "email", email, "remote", addr)
		d.Error = d.T("login.failed")
		h.Site.Render(w, http.StatusUnauthorized, "bare/login", d)
		return
	}
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	lang := ""
	if v := page.ViewerFrom(ctx); v != nil && r.URL.Query().Get("lang") != "" {
		lang = v.Locale
	}
	tok, err := h.Site.Sessions.Create(ctx, actor.ID, 0, lang, r.UserAgent(), addr)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	if err := h.Site.Sessions.Succeeded(ctx, email); err != nil {
		h.Log.Error("clear sign-in failures", "err", err)
	}
	if err := auth.Audit(ctx, h.Site.App.DB.Write(), actor, "session.sign_in", "agent:"+strconv.FormatInt(actor.ID, 10), addr); err != nil {
		h.Log.Error("audit sign-in", "err", err)
	}
	h.Site.SetSession(w, page.AgentCookie, tok)
	page.Redirect(w, r, next)
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	v := page.ViewerFrom(r.Context())
	if err := h.Site.Sessions.Delete(r.Context(), v.Token); err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	h.Site.ClearSession(w, page.AgentCookie)
	page.Redirect(w, r, "/login")
}
