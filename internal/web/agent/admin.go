package agent

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"tessera/internal/auth"
	"tessera/internal/validation"
	"tessera/internal/web/page"
)

// The admin settings under /admin: agents, teams, roles, statuses, custom
// fields, tags, inboxes and SLA. Each page is a plain form posted back to
// the server; every change goes through the domain services, which check
// the actor again and write the audit log.

// registerAdmin mounts the settings pages. Every one is for admins only:
// other agents get the forbidden page, and a signed-out visitor is sent
// to sign in.
func (h *Handler) registerAdmin(mux *http.ServeMux) {
	a := h.adminOnly
	mux.HandleFunc("GET /admin", a(h.adminHome))

	mux.HandleFunc("GET /admin/agents", a(h.adminAgents))
	mux.HandleFunc("GET /admin/agents/new", a(h.adminAgentNew))
	mux.HandleFunc("POST /admin/agents", a(h.adminAgentCreate))
	mux.HandleFunc("GET /admin/agents/{id}", a(h.adminAgentEdit))
	mux.HandleFunc("POST /admin/agents/{id}", a(h.adminAgentUpdate))
	mux.HandleFunc("POST /admin/agents/{id}/password", a(h.adminAgentPassword))
	mux.HandleFunc("POST /admin/agents/{id}/active", a(h.adminAgentActive))
	mux.HandleFunc("GET /admin/roles", a(h.adminRoles))
	mux.HandleFunc("POST /admin/roles", a(h.adminRoleChange))

	mux.HandleFunc("GET /admin/teams", a(h.adminTeams))
	mux.HandleFunc("GET /admin/teams/new", a(h.adminTeamNew))
	mux.HandleFunc("POST /admin/teams", a(h.adminTeamCreate))
	mux.HandleFunc("GET /admin/teams/{id}", a(h.adminTeamEdit))
	mux.HandleFunc("POST /admin/teams/{id}", a(h.adminTeamUpdate))

	mux.HandleFunc("GET /admin/statuses", a(h.adminStatuses))
	mux.HandleFunc("GET /admin/statuses/new", a(h.adminStatusNew))
	mux.HandleFunc("POST /admin/statuses", a(h.adminStatusCreate))
	mux.HandleFunc("GET /admin/statuses/{key}", a(h.adminStatusEdit))
	mux.HandleFunc("POST /admin/statuses/{key}", a(h.adminStatusUpdate))

	mux.HandleFunc("GET /admin/fields", a(h.adminFields))
	mux.HandleFunc("GET /admin/fields/new", a(h.adminFieldNew))
	mux.HandleFunc("POST /admin/fields", a(h.adminFieldCreate))
	mux.HandleFunc("GET /admin/fields/{id}", a(h.adminFieldEdit))
	mux.HandleFunc("POST /admin/fields/{id}", a(h.adminFieldUpdate))

	mux.HandleFunc("GET /admin/tags", a(h.adminTags))
	mux.HandleFunc("POST /admin/tags/rename", a(h.adminTagRename))
	mux.HandleFunc("GET /admin/tags/delete", a(h.adminTagDeleteConfirm))
	mux.HandleFunc("POST /admin/tags/delete", a(h.adminTagDelete))

	mux.HandleFunc("GET /admin/inboxes", a(h.adminInboxes))
	mux.HandleFunc("GET /admin/inboxes/new", a(h.adminInboxNew))
	mux.HandleFunc("POST /admin/inboxes", a(h.adminInboxCreate))
	mux.HandleFunc("GET /admin/inboxes/{id}", a(h.adminInboxEdit))
	mux.HandleFunc("POST /admin/inboxes/{id}", a(h.adminInboxUpdate))
	// Mail in (issue 4): the failed-mail list.
	mux.HandleFunc("GET /admin/failed-mail", a(h.adminFailedMail))
	mux.HandleFunc("GET /admin/failed-mail/{id}/raw", a(h.adminFailedMailRaw))
	mux.HandleFunc("POST /admin/failed-mail/{id}/retry", a(h.adminFailedMailRetry))
	mux.HandleFunc("POST /admin/failed-mail/{id}/dismiss", a(h.adminFailedMailDismiss))

	mux.HandleFunc("GET /admin/sla", a(h.adminSLA))
	mux.HandleFunc("GET /admin/sla/calendars/new", a(h.adminCalendarNew))
	mux.HandleFunc("POST /admin/sla/calendars", a(h.adminCalendarCreate))
	mux.HandleFunc("GET /admin/sla/calendars/{id}", a(h.adminCalendarEdit))
	mux.HandleFunc("POST /admin/sla/calendars/{id}", a(h.adminCalendarUpdate))
	mux.HandleFunc("GET /admin/sla/policies/new", a(h.adminPolicyNew))
	mux.HandleFunc("POST /admin/sla/policies", a(h.adminPolicyCreate))
	mux.HandleFunc("GET /admin/sla/policies/{id}", a(h.adminPolicyEdit))
	mux.HandleFunc("POST /admin/sla/policies/{id}", a(h.adminPolicyUpdate))
	mux.HandleFunc("GET /admin/sla/rules/new", a(h.adminRuleNew))
	mux.HandleFunc("POST /admin/sla/rules", a(h.adminRuleCreate))
	mux.HandleFunc("GET /admin/sla/rules/{id}", a(h.adminRuleEdit))
	mux.HandleFunc("POST /admin/sla/rules/{id}", a(h.adminRuleUpdate))

	mux.HandleFunc("GET /admin/portal", a(h.adminPortal))
	mux.HandleFunc("POST /admin/portal", a(h.adminPortalUpdate))
}

// adminOnly lets admins through; any other agent gets the forbidden page.
func (h *Handler) adminOnly(next http.HandlerFunc) http.HandlerFunc {
	return h.Site.Agent(func(w http.ResponseWriter, r *http.Request) {
		if v := page.ViewerFrom(r.Context()); v == nil || !v.Actor.IsAdmin() {
			h.Site.Fail(w, r, auth.Forbidden("the settings are for admins"))
			return
		}
		next(w, r)
	})
}

// adminSections are the entries of the settings navigation, in order.
var adminSections = []struct{ Key, URL string }{
	{"agents", "/admin/agents"},
	{"teams", "/admin/teams"},
	{"roles", "/admin/roles"},
	{"statuses", "/admin/statuses"},
	{"fields", "/admin/fields"},
	{"tags", "/admin/tags"},
	{"inboxes", "/admin/inboxes"},
	{"failed_mail", "/admin/failed-mail"}, // mail in (issue 4)
	{"sla", "/admin/sla"},
	// The rule builder (issue 6).
	{"triggers", "/admin/triggers"},
	{"automations", "/admin/automations"},
	{"portal", "/admin/portal"},
	{"webhooks", "/admin/webhooks"}, // issue 6
	{"mail", "/admin/mail"},         // email channel, outbound
}

// adminBase is what every settings page carries: the section it belongs
// to (for the navigation) and its form, if it has one.
type adminBase struct {
	Section  string
	Sections []struct{ Key, URL string }
	Form     *adminForm
	// Refused is the form whose errors the summary lists: Form, unless a
	// second form of the page was the one posted.
	Refused *adminForm
}

func newAdminBase(section string, f *adminForm) adminBase {
	if f == nil {
		f = newAdminForm(nil)
	}
	return adminBase{Section: section, Sections: adminSections, Form: f, Refused: f}
}

// adminForm is a form's state: the values shown (the record's, or what
// the admin typed when it was refused) and the errors by field name. Form
// fields are named like the service's fields, so a validation error lands
// under its input.
type adminForm struct {
	Values url.Values
	Errors map[string]string
	// Order keeps the errors in the service's order for the summary.
	Order []string
}

func newAdminForm(v url.Values) *adminForm {
	if v == nil {
		v = url.Values{}
	}
	return &adminForm{Values: v, Errors: map[string]string{}}
}

// Get is a field's value.
func (f *adminForm) Get(name string) string { return f.Values.Get(name) }

// Has reports whether a checkbox or multi-select holds value.
func (f *adminForm) Has(name, value string) bool { return slices.Contains(f.Values[name], value) }

// On reports whether a single checkbox is ticked.
func (f *adminForm) On(name string) bool { return f.Values.Get(name) != "" }

// Err is a field's error, if any.
func (f *adminForm) Err(name string) string { return f.Errors[name] }

// Invalid reports whether the form has errors.
func (f *adminForm) Invalid() bool { return len(f.Errors) > 0 }

// Summary lists the errors as "field: detail" for the top of the form.
func (f *adminForm) Summary() []string {
	out := make([]string, 0, len(f.Order))
	for _, k := range f.Order {
		out = append(out, k+": "+f.Errors[k])
	}
	return out
}

func (f *adminForm) add(field, detail string) {
	if _, ok := f.Errors[field]; ok {
		f.Errors[field] += "; " + detail
		return
	}
	f.Errors[field] = detail
	f.Order = append(f.Order, field)
}

// refused records the field errors of a service's validation error on the
// form and reports whether err was one. alias renames a service's field
// to the form's input (holidays[2] → holidays), when they differ.
func (f *adminForm) refused(err error, alias func(field, detail string) (string, string)) bool {
	ve, ok := validation.As(err)
	if !ok {
		return false
	}
	for _, fe := range ve.Fields {
		field, detail := fe.Field, fe.Detail
		if alias != nil {
			field, detail = alias(field, detail)
		}
		f.add(field, detail)
	}
	return true
}

// renderAdmin renders a settings page; a form with errors is answered 422
// with the form and its errors.
func (h *Handler) renderAdmin(w http.ResponseWriter, r *http.Request, name, title string, p any, f *adminForm) {
	d := h.Site.NewData(r, "")
	d.Title = d.T(title)
	d.Nav = "admin"
	h.Site.TakeFlash(w, r, d)
	d.Page = p
	status := http.StatusOK
	if f != nil && f.Invalid() {
		status = http.StatusUnprocessableEntity // the form's summary says what is wrong
	}
	h.Site.Render(w, status, name, d)
}

// adminDone answers a successful change: a flash for the next page and a
// redirect to it.
func adminDone(w http.ResponseWriter, r *http.Request, flash, to string) {
	page.SetFlash(w, flash)
	page.Redirect(w, r, to)
}

// settle ends a form post after the service call: on success the flash
// and the redirect; input the service refused is recorded on the form and
// settle reports false, so the caller shows the form again with its
// errors; any other error is the error page. True means the response is
// written.
func (h *Handler) settle(w http.ResponseWriter, r *http.Request, f *adminForm, err error,
	alias func(field, detail string) (string, string), flash, to string) bool {
	if err == nil {
		adminDone(w, r, flash, to)
		return true
	}
	if !f.refused(err, alias) {
		h.Site.Fail(w, r, err)
		return true
	}
	return false
}

// byPathID reads what the path's id names with get, answering "not found"
// or the error page itself when it cannot.
func byPathID[T any](h *Handler, w http.ResponseWriter, r *http.Request, get func(context.Context, int64) (T, error)) (*T, bool) {
	id, ok := pathInt(r, "id")
	if !ok {
		h.Site.NotFound(w, r)
		return nil, false
	}
	v, err := get(r.Context(), id)
	if err != nil {
		h.Site.Fail(w, r, err)
		return nil, false
	}
	return &v, true
}

// pathInt is an id from the path; anything else is "not found".
func pathInt(r *http.Request, name string) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	return id, err == nil && id > 0
}

// formInt reads an optional whole number; a value that is not one is
// recorded on the form and reported as not ok.
func formInt(f *adminForm, name string, d *int) bool {
	s := strings.TrimSpace(f.Get(name))
	if s == "" {
		return true
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		f.add(name, "must be a whole number")
		return false
	}
	*d = n
	return true
}

// formIDs reads a list of ids (checkboxes); values that are not ids are
// skipped, as no input of ours sends them.
func formIDs(v url.Values, name string) []int64 {
	out := []int64{}
	for _, s := range v[name] {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil && id > 0 {
			out = append(out, id)
		}
	}
	return out
}

// splitList splits a comma- or line-separated list, dropping blanks.
func splitList(s string) []string {
	out := []string{}
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' || r == '\r' }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// splitLines splits text into its non-blank lines.
func splitLines(s string) []string {
	out := []string{}
	for _, p := range strings.Split(s, "\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func idStrings(ids []int64) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = strconv.FormatInt(id, 10)
	}
	return out
}

func boolValue(b bool) string {
	if b {
		return "1"
	}
	return ""
}

// adminPosted reads a posted form, at most 1 MiB of it (no settings form
// comes near that).
func adminPosted(w http.ResponseWriter, r *http.Request) (*adminForm, error) {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		return nil, validation.Field("body", "the form could not be read")
	}
	return newAdminForm(r.PostForm), nil
}

type adminHomePage struct {
	adminBase
}

func (h *Handler) adminHome(w http.ResponseWriter, r *http.Request) {
	h.renderAdmin(w, r, "admin/home", "admin.title", adminHomePage{newAdminBase("", nil)}, nil)
}
