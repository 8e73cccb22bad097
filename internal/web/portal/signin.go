package portal

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"tessera/internal/auth"
	"tessera/internal/people"
	"tessera/internal/store"
	"tessera/internal/validation"
	"tessera/internal/web/page"
)

var errNotFound = store.ErrNotFound

type loginPage struct {
	Email, Next   string
	AllowPassword bool
	Errors        map[string]string
}

// Err returns the message for a field, if any.
func (p *loginPage) Err(field string) string { return p.Errors[field] }

func (h *Handler) loginPage(w http.ResponseWriter, r *http.Request, nextPath string) (*page.Data, *loginPage, error) {
	st, err := h.settings(r.Context())
	if err != nil {
		return nil, nil, err
	}
	d := h.data(w, r, "portal.login.title", "login")
	p := &loginPage{Next: next(nextPath, "/help/requests"), AllowPassword: st.AllowPassword, Errors: map[string]string{}}
	d.Page = p
	return d, p, nil
}

func (h *Handler) loginForm(w http.ResponseWriter, r *http.Request) {
	if v := page.ViewerFrom(r.Context()); v.Contact != nil {
		page.Redirect(w, r, next(r.URL.Query().Get("next"), "/help/requests"))
		return
	}
	d, _, err := h.loginPage(w, r, r.URL.Query().Get("next"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, http.StatusOK, "portal/login", d)
}

// Throttling keys: link requests and look-ups count per address typed and
// per client address, like failed sign-ins, so that the portal cannot be
// used to flood someone's mailbox or to try number after number.
func linkKey(email string) string   { return "portal:" + email }
func lookupKey(email string) string { return "lookup:" + email }

// login sends a sign-in link to a known address, or, when the admin
// allows passwords and one is given, signs in with it. The answer to a
// link request is the same whether or not the address is a customer's.
func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	addr := page.ClientAddr(r)
	d, p, err := h.loginPage(w, r, r.PostFormValue("next"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	raw := strings.TrimSpace(r.PostFormValue("email"))
	p.Email = raw
	email, ok := people.NormalizeEmail(raw)
	if !ok {
		p.Errors["email"] = d.T("portal.form.email")
		if raw == "" {
			p.Errors["email"] = d.T("portal.form.required")
		}
		h.render(w, http.StatusUnprocessableEntity, "portal/login", d)
		return
	}
	wait, err := h.Site.Sessions.Throttled(ctx, linkKey(email), addr)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if wait > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		d.Error = d.T("error.too_many")
		h.render(w, http.StatusTooManyRequests, "portal/login", d)
		return
	}
	if password := r.PostFormValue("password"); r.PostFormValue("method") == "password" && p.AllowPassword {
		h.passwordLogin(w, r, d, p, email, password)
		return
	}
	if err := h.Site.Sessions.Failed(ctx, linkKey(email), addr); err != nil {
		h.fail(w, r, err)
		return
	}
	c, err := h.Site.App.People.ContactByEmail(ctx, email)
	switch {
	case errors.Is(err, store.ErrNotFound):
		h.Log.Info("portal sign-in link for an unknown address", "remote", addr)
	case err != nil:
		h.fail(w, r, err)
		return
	default:
		if err := h.mailLink(ctx, c, email, p.Next, "portal.mail.signin.subject", "portal.mail.signin.body"); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	page.Redirect(w, r, "/help/login/sent")
}

func (h *Handler) passwordLogin(w http.ResponseWriter, r *http.Request, d *page.Data, p *loginPage, email, password string) {
	ctx := r.Context()
	addr := page.ClientAddr(r)
	c, err := h.Site.App.People.CheckContactPassword(ctx, email, password)
	if errors.Is(err, people.ErrUnauthenticated) {
		if err := h.Site.Sessions.Failed(ctx, linkKey(email), addr); err != nil {
			h.Log.Error("record sign-in failure", "err", err)
		}
		time.Sleep(300 * time.Millisecond)
		d.Error = d.T("portal.login.failed")
		h.render(w, http.StatusUnauthorized, "portal/login", d)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.Site.Sessions.Succeeded(ctx, linkKey(email)); err != nil {
		h.Log.Error("clear sign-in failures", "err", err)
	}
	h.startSession(w, r, c.ID, p.Next)
}

func (h *Handler) startSession(w http.ResponseWriter, r *http.Request, contactID int64, to string) {
	tok, err := h.Site.Sessions.Create(r.Context(), 0, contactID, "", r.UserAgent(), page.ClientAddr(r))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.Site.SetSession(w, page.PortalCookie, tok)
	page.Redirect(w, r, to)
}

func (h *Handler) linkSent(w http.ResponseWriter, r *http.Request) {
	d := h.data(w, r, "portal.sent_link.title", "login")
	h.render(w, http.StatusOK, "portal/link_sent", d)
}

type confirmPage struct {
	Token, Next string
}

// confirmForm shows a button that signs in. The link itself changes
// nothing: mail scanners that open every link would otherwise spend it
// before the person does.
func (h *Handler) confirmForm(w http.ResponseWriter, r *http.Request) {
	d := h.data(w, r, "portal.confirm.title", "login")
	d.Page = confirmPage{Token: r.PathValue("token"), Next: next(r.URL.Query().Get("next"), "/help/requests")}
	h.render(w, http.StatusOK, "portal/confirm", d)
}

// confirm spends the link and starts a session. Links have 256 bits of
// entropy; wrong ones still count against the address, as a guard.
func (h *Handler) confirm(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	addr := page.ClientAddr(r)
	d := h.data(w, r, "portal.confirm.title", "login")
	to := next(r.PostFormValue("next"), "/help/requests")
	d.Page = confirmPage{Token: r.PathValue("token"), Next: to}
	wait, err := h.Site.Sessions.Throttled(ctx, "link:"+addr, addr)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if wait > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		d.Error = d.T("error.too_many")
		h.render(w, http.StatusTooManyRequests, "portal/confirm", d)
		return
	}
	contactID, err := h.Site.Sessions.UseLink(ctx, r.PathValue("token"))
	if errors.Is(err, auth.ErrNoSession) {
		if err := h.Site.Sessions.Failed(ctx, "link:"+addr, addr); err != nil {
			h.Log.Error("record sign-in failure", "err", err)
		}
		d.Page = nil
		h.render(w, http.StatusGone, "portal/link_expired", d)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.startSession(w, r, contactID, to)
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request) {
	if v := page.ViewerFrom(r.Context()); v.Contact != nil {
		if err := h.Site.Sessions.Delete(r.Context(), v.Token); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	h.Site.ClearSession(w, page.PortalCookie)
	page.SetFlash(w, "portal.flash.signed_out")
	page.Redirect(w, r, "/help")
}

type lookupPage struct {
	Number, Email string
	Errors        map[string]string
}

// Err returns the message for a field, if any.
func (p *lookupPage) Err(field string) string { return p.Errors[field] }

func (h *Handler) lookupForm(w http.ResponseWriter, r *http.Request) {
	d := h.data(w, r, "portal.lookup.title", "lookup")
	d.Page = &lookupPage{Number: r.URL.Query().Get("n"), Errors: map[string]string{}}
	h.render(w, http.StatusOK, "portal/lookup", d)
}

// lookup mails the requester a link to their request when the number and
// the address belong together. The request is never shown here: anyone
// who knows an address and guesses a number would read it. Whether or
// not they match, the answer is the same.
func (h *Handler) lookup(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	addr := page.ClientAddr(r)
	d := h.data(w, r, "portal.lookup.title", "lookup")
	p := &lookupPage{Number: strings.TrimSpace(r.PostFormValue("number")), Email: strings.TrimSpace(r.PostFormValue("email")), Errors: map[string]string{}}
	d.Page = p
	number, err := strconv.ParseInt(strings.TrimPrefix(p.Number, "#"), 10, 64)
	if err != nil || number <= 0 {
		p.Errors["number"] = d.T("portal.lookup.bad_number")
		if p.Number == "" {
			p.Errors["number"] = d.T("portal.form.required")
		}
	}
	email, ok := people.NormalizeEmail(p.Email)
	if !ok {
		p.Errors["email"] = d.T("portal.form.email")
		if p.Email == "" {
			p.Errors["email"] = d.T("portal.form.required")
		}
	}
	if len(p.Errors) > 0 {
		h.render(w, http.StatusUnprocessableEntity, "portal/lookup", d)
		return
	}
	wait, err := h.Site.Sessions.Throttled(ctx, lookupKey(email), addr)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if wait > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		d.Error = d.T("error.too_many")
		h.render(w, http.StatusTooManyRequests, "portal/lookup", d)
		return
	}
	if err := h.Site.Sessions.Failed(ctx, lookupKey(email), addr); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.lookupMail(r, email, number); err != nil {
		h.fail(w, r, err)
		return
	}
	page.Redirect(w, r, "/help/lookup/sent")
}

// lookupMail sends the link if the request is the address owner's own.
func (h *Handler) lookupMail(r *http.Request, email string, number int64) error {
	ctx := r.Context()
	c, err := h.Site.App.People.ContactByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	// As the requester alone: an organization's shared requests are found
	// by signing in, not by a colleague's address.
	t, err := h.Site.App.Tickets.ByNumber(ctx, auth.Actor{Kind: auth.KindContact, ID: c.ID}, number)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return h.mailLink(ctx, c, email, fmt.Sprintf("/help/requests/%d", t.Number), "portal.mail.lookup.subject", "portal.mail.lookup.body", strconv.FormatInt(t.Number, 10))
}

func (h *Handler) lookupSent(w http.ResponseWriter, r *http.Request) {
	d := h.data(w, r, "portal.lookup_sent.title", "lookup")
	h.render(w, http.StatusOK, "portal/lookup_sent", d)
}

type passwordPage struct {
	HasPassword bool
	Errors      map[string]string
}

// Err returns the message for a field, if any.
func (p *passwordPage) Err(field string) string { return p.Errors[field] }

// passwordPage is offered only when the admin allows passwords.
func (h *Handler) passwordPage(w http.ResponseWriter, r *http.Request) (*page.Data, *passwordPage, error) {
	st, err := h.settings(r.Context())
	if err != nil {
		return nil, nil, err
	}
	if !st.AllowPassword {
		return nil, nil, errNotFound
	}
	v := page.ViewerFrom(r.Context())
	has, err := h.Site.App.People.HasContactPassword(r.Context(), v.Contact.ID)
	if err != nil {
		return nil, nil, err
	}
	d := h.data(w, r, "portal.password.title", "requests")
	p := &passwordPage{HasPassword: has, Errors: map[string]string{}}
	d.Page = p
	return d, p, nil
}

func (h *Handler) passwordForm(w http.ResponseWriter, r *http.Request) {
	d, _, err := h.passwordPage(w, r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, http.StatusOK, "portal/password", d)
}

func (h *Handler) setPassword(w http.ResponseWriter, r *http.Request) {
	v := page.ViewerFrom(r.Context())
	d, p, err := h.passwordPage(w, r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	pw, again := r.PostFormValue("password"), r.PostFormValue("password_again")
	if pw != again {
		p.Errors["password_again"] = d.T("portal.password.mismatch")
		h.render(w, http.StatusUnprocessableEntity, "portal/password", d)
		return
	}
	err = h.Site.App.People.SetContactPassword(r.Context(), v.Actor, v.Contact.ID, pw)
	if _, bad := validation.As(err); bad {
		p.Errors["password"] = d.T("portal.password.too_short")
		h.render(w, http.StatusUnprocessableEntity, "portal/password", d)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	page.SetFlash(w, "portal.flash.password_set")
	page.Redirect(w, r, "/help/requests")
}
