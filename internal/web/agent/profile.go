package agent

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"tessera/internal/auth"
	"tessera/internal/channel/email/outbound"
	"tessera/internal/people"
	"tessera/internal/validation"
	"tessera/internal/web/page"
)

// My profile, at /profile, for every agent: name, language, time zone,
// availability and password. Changes go through people.Service as the
// agent themself, which refuses anything else (role, teams, access...).

func (h *Handler) registerProfile(mux *http.ServeMux) {
	s := h.Site
	mux.HandleFunc("GET /profile", s.Agent(h.profile))
	mux.HandleFunc("POST /profile", s.Agent(h.profileUpdate))
	mux.HandleFunc("POST /profile/password", s.Agent(h.profilePassword))
}

// profileAvailabilities are what an agent chooses for themself; an admin
// may also set offline, which the form keeps when it is the current value.
var profileAvailabilities = []string{"available", "away"}

type profilePage struct {
	Agent          people.Agent
	Form           *adminForm // name, language, time zone, availability
	Password       *adminForm // the change-password form
	Refused        *adminForm // the form whose errors the summary lists
	Languages      []adminLanguage
	TimeZones      []string
	Availabilities []string
	// MailPrefs: which notifications also come by mail (email channel, outbound).
	MailPrefs outbound.AgentPrefs
}

func profileValues(a people.Agent) *adminForm {
	f := newAdminForm(nil)
	f.Values.Set("name", a.Name)
	f.Values.Set("language", a.Language)
	f.Values.Set("time_zone", a.TimeZone)
	f.Values.Set("availability", a.Availability)
	return f
}

// renderProfile shows the page; a form with errors is answered 422.
func (h *Handler) renderProfile(w http.ResponseWriter, r *http.Request, status int, f, pw *adminForm, errText string) {
	ctx := r.Context()
	v := page.ViewerFrom(ctx)
	a, err := h.Site.App.People.GetAgent(ctx, v.Agent.ID)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	if f == nil {
		f = profileValues(a)
	}
	if pw == nil {
		pw = newAdminForm(nil)
	}
	p := profilePage{Agent: a, Form: f, Password: pw, Refused: f, Languages: newAdminChoices().Languages, TimeZones: adminTimeZones,
		Availabilities: profileAvailabilities}
	if pw.Invalid() {
		p.Refused = pw
	}
	if p.MailPrefs, err = h.Site.App.MailOptions.Agent(ctx, v.Actor, v.Agent.ID); err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	if cur := f.Get("availability"); cur != "" && !slices.Contains(p.Availabilities, cur) {
		p.Availabilities = append(slices.Clip(p.Availabilities), cur)
	}
	d := h.Site.NewData(r, "")
	d.Title = d.T("profile.title")
	d.Nav = "profile"
	d.Error = errText
	if d.Sidebar, err = h.sidebar(ctx, v, ""); err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	h.Site.TakeFlash(w, r, d)
	d.Page = p
	if status == http.StatusOK && p.Refused.Invalid() {
		status = http.StatusUnprocessableEntity
	}
	h.Site.Render(w, status, "agent/profile", d)
}

func (h *Handler) profile(w http.ResponseWriter, r *http.Request) {
	h.renderProfile(w, r, http.StatusOK, nil, nil, "")
}

func (h *Handler) profileUpdate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := page.ViewerFrom(ctx)
	f, err := adminPosted(w, r)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	str := func(name string) *string {
		s := strings.TrimSpace(f.Get(name))
		return &s
	}
	in := people.AgentInput{Name: str("name"), Language: str("language"), TimeZone: str("time_zone"), Availability: str("availability")}
	a, err := h.Site.App.People.UpdateAgent(ctx, v.Actor, v.Agent.ID, in)
	if err != nil {
		if !f.refused(err, nil) {
			h.Site.Fail(w, r, err)
			return
		}
		h.renderProfile(w, r, http.StatusUnprocessableEntity, f, nil, "")
		return
	}
	// A language picked with the switcher is kept in the session and wins
	// over the agent's own; the language saved here is the one the form
	// showed, so it is the one to show from now on.
	if err := h.Site.Sessions.SetLanguage(ctx, v.Token, a.Language); err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	adminDone(w, r, "profile.saved", "/profile")
}

// profilePassword changes the agent's own password. The service checks
// the current password, and ends the agent's other sessions but this
// one. A wrong current password counts as a failed sign-in, so the form
// is no way around the sign-in throttle for someone at a screen left
// signed in.
func (h *Handler) profilePassword(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := page.ViewerFrom(ctx)
	pw, err := adminPosted(w, r)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	addr := page.ClientAddr(r)
	account := v.Agent.Email
	wait, err := h.Site.Sessions.Throttled(ctx, account, addr)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	if wait > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		h.renderProfile(w, r, http.StatusTooManyRequests, nil, nil, h.Site.I18n.For(v.Locale).T("error.too_many"))
		return
	}
	current, next := pw.Get("current_password"), pw.Get("password")
	in := people.AgentInput{Password: &next, CurrentPassword: &current, KeepSession: auth.HashToken(v.Token)}
	if next != pw.Get("password_confirm") {
		pw.add("password_confirm", h.Site.I18n.For(v.Locale).T("profile.password_mismatch"))
	} else {
		_, err = h.Site.App.People.UpdateAgent(ctx, v.Actor, v.Agent.ID, in)
		if err == nil {
			if err := h.Site.Sessions.Succeeded(ctx, account); err != nil {
				h.Log.Error("clear sign-in failures", "err", err)
			}
			adminDone(w, r, "profile.password_changed", "/profile")
			return
		}
		if !pw.refused(err, nil) {
			h.Site.Fail(w, r, err)
			return
		}
		if ve, _ := validation.As(err); ve != nil && slices.ContainsFunc(ve.Fields, func(fe validation.FieldError) bool { return fe.Field == "current_password" }) {
			if err := h.Site.Sessions.Failed(ctx, account, addr); err != nil {
				h.Log.Error("record sign-in failure", "err", err)
			}
		}
	}
	// Passwords are never sent back.
	for _, k := range []string{"current_password", "password", "password_confirm"} {
		pw.Values.Del(k)
	}
	h.renderProfile(w, r, http.StatusUnprocessableEntity, nil, pw, "")
}
