package page

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"tessera/internal/auth"
	"tessera/internal/people"
	"tessera/internal/web/i18n"
)

// Cookies: the workspace and the portal keep separate sessions, so one
// person can be signed in as an agent and, in another tab, try the portal
// as a customer.
const (
	AgentCookie  = "tessera_session"
	PortalCookie = "tessera_portal"
	LangCookie   = "tessera_lang"
)

// Viewer is who is looking at a page.
type Viewer struct {
	Actor   auth.Actor
	Agent   *people.Agent   // signed-in agent, in the workspace
	Contact *people.Contact // signed-in contact, in the portal
	Token   string          // the session secret
	Locale  string
	TZ      *time.Location
}

type viewerKey struct{}

// ViewerFrom returns the viewer of a request (nil if none).
func ViewerFrom(ctx context.Context) *Viewer {
	v, _ := ctx.Value(viewerKey{}).(*Viewer)
	return v
}

// WithViewer stores the viewer (and its actor) in the context.
func WithViewer(ctx context.Context, v *Viewer) context.Context {
	ctx = context.WithValue(ctx, viewerKey{}, v)
	if v.Agent != nil || v.Contact != nil {
		ctx = auth.WithActor(ctx, v.Actor)
	}
	return ctx
}

// ClientAddr is the request's remote address without the port.
func ClientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// SetSession sets a session cookie.
func (s *Site) SetSession(w http.ResponseWriter, name, token string) {
	p := "/"
	if name == PortalCookie {
		p = "/help"
	}
	http.SetCookie(w, &http.Cookie{Name: name, Value: token, Path: p, HttpOnly: true, Secure: s.SecureCookies,
		SameSite: http.SameSiteLaxMode, MaxAge: int((14 * 24 * time.Hour).Seconds())})
}

// ClearSession removes a session cookie.
func (s *Site) ClearSession(w http.ResponseWriter, name string) {
	p := "/"
	if name == PortalCookie {
		p = "/help"
	}
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: p, MaxAge: -1, HttpOnly: true, Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode})
}

// agentViewer loads the signed-in agent of a request, if any.
func (s *Site) agentViewer(r *http.Request) (*Viewer, error) {
	c, err := r.Cookie(AgentCookie)
	if err != nil {
		return nil, nil
	}
	ss, err := s.Sessions.Lookup(r.Context(), c.Value)
	if errors.Is(err, auth.ErrNoSession) || (err == nil && ss.AgentID == 0) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	a, err := s.App.People.GetAgent(r.Context(), ss.AgentID)
	if err != nil || !a.Active {
		return nil, nil // a removed or deactivated agent is signed out
	}
	v := &Viewer{Actor: people.ActorOf(a), Agent: &a, Token: c.Value}
	v.Locale = firstLocale(r.URL.Query().Get("lang"), ss.Language, a.Language)
	if lang := i18n.Supported(r.URL.Query().Get("lang")); lang != "" && lang != ss.Language {
		if err := s.Sessions.SetLanguage(r.Context(), c.Value, lang); err != nil {
			return nil, err
		}
	}
	v.TZ = location(a.TimeZone)
	return v, nil
}

func firstLocale(candidates ...string) string {
	for _, c := range candidates {
		if l := i18n.Supported(c); l != "" {
			return l
		}
	}
	return "en"
}

func location(name string) *time.Location {
	if l, err := time.LoadLocation(name); err == nil && name != "" {
		return l
	}
	return time.UTC
}

// Agent wraps a workspace handler: the request must come from a signed-in
// agent. Anyone else is sent to the sign-in page (or, for a script's
// request, answered 401).
func (s *Site) Agent(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, err := s.agentViewer(r)
		if err != nil {
			s.Fail(w, r, err)
			return
		}
		if v == nil {
			if strings.HasPrefix(r.URL.Path, "/events") {
				http.Error(w, "sign in first", http.StatusUnauthorized)
				return
			}
			back := r.URL.RequestURI()
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				back = "/" // a form posted after the session ended: start over
			}
			http.Redirect(w, r, "/login?next="+url.QueryEscape(back), http.StatusSeeOther)
			return
		}
		next(w, r.WithContext(WithViewer(r.Context(), v)))
	}
}

// AgentOptional loads the agent if signed in, for pages that serve both
// (the sign-in page).
func (s *Site) AgentOptional(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, err := s.agentViewer(r)
		if err != nil {
			s.Fail(w, r, err)
			return
		}
		if v == nil {
			v = &Viewer{Locale: firstLocale(r.URL.Query().Get("lang"), langCookie(r), i18n.Negotiate(r.Header.Get("Accept-Language"))), TZ: time.UTC}
			s.rememberLang(w, r)
		}
		next(w, r.WithContext(WithViewer(r.Context(), v)))
	}
}

func langCookie(r *http.Request) string {
	if c, err := r.Cookie(LangCookie); err == nil {
		return c.Value
	}
	return ""
}

func (s *Site) rememberLang(w http.ResponseWriter, r *http.Request) {
	if l := i18n.Supported(r.URL.Query().Get("lang")); l != "" {
		http.SetCookie(w, &http.Cookie{Name: LangCookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode, Secure: s.SecureCookies})
	}
}

// Portal wraps a portal handler: the signed-in contact (if any) and the
// language — ?lang= (remembered in a cookie), then the session's, then
// the contact's, then the browser's Accept-Language.
func (s *Site) Portal(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v := &Viewer{TZ: time.UTC}
		var sessLang string
		if c, err := r.Cookie(PortalCookie); err == nil {
			ss, err := s.Sessions.Lookup(r.Context(), c.Value)
			if err != nil && !errors.Is(err, auth.ErrNoSession) {
				s.Fail(w, r, err)
				return
			}
			if err == nil && ss.ContactID != 0 {
				ct, err := s.App.People.GetContact(r.Context(), ss.ContactID)
				if err == nil {
					// The portal's settings decide whether the contact also
					// sees their organization's requests.
					st, err := s.App.Portal.Get(r.Context())
					if err != nil {
						s.Fail(w, r, err)
						return
					}
					v.Contact, v.Token, sessLang = &ct, c.Value, ss.Language
					v.Actor = st.Actor(ct)
					v.TZ = location(ct.TimeZone)
				}
			}
		}
		contactLang := ""
		if v.Contact != nil {
			contactLang = v.Contact.Language
		}
		v.Locale = firstLocale(r.URL.Query().Get("lang"), langCookie(r), sessLang, contactLang, i18n.Negotiate(r.Header.Get("Accept-Language")))
		s.rememberLang(w, r)
		next(w, r.WithContext(WithViewer(r.Context(), v)))
	}
}
