package agent

import (
	"net/http"
	"strconv"
	"strings"

	"tessera/internal/people"
	"tessera/internal/routing"
	"tessera/internal/validation"
	"tessera/internal/web/page"
	"tessera/internal/webhook"
)

// Routing and webhooks (issue 6): the webhooks settings and the ticket
// page's escalation.
func (h *Handler) registerRouteHooks(mux *http.ServeMux) {
	a := h.adminOnly
	mux.HandleFunc("GET /admin/webhooks", a(h.adminWebhooks))
	mux.HandleFunc("POST /admin/webhooks/settings", a(h.adminWebhookSettings))
	mux.HandleFunc("GET /admin/webhooks/new", a(h.adminWebhookNew))
	mux.HandleFunc("POST /admin/webhooks", a(h.adminWebhookCreate))
	mux.HandleFunc("GET /admin/webhooks/{id}", a(h.adminWebhookEdit))
	mux.HandleFunc("POST /admin/webhooks/{id}", a(h.adminWebhookUpdate))
	mux.HandleFunc("POST /admin/webhooks/{id}/active", a(h.adminWebhookActive))
	mux.HandleFunc("POST /admin/webhooks/{id}/test", a(h.adminWebhookTest))
	mux.HandleFunc("POST /admin/webhooks/{id}/delete", a(h.adminWebhookDelete))
	mux.HandleFunc("POST /tickets/{id}/escalate", h.Site.Agent(h.escalateTicket))
	mux.HandleFunc("POST /admin/teams/routing", a(h.adminRoutingSettings))
}

// adminRoutingSettings saves the desk-wide routing settings (on the teams
// page).
func (h *Handler) adminRoutingSettings(w http.ResponseWriter, r *http.Request) {
	f, err := adminPosted(w, r)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	var st routing.RoutingSettings
	if formInt(f, "offline_after_minutes", &st.OfflineAfterMinutes) {
		_, err = h.Site.App.Routing.UpdateSettings(r.Context(), page.ViewerFrom(r.Context()).Actor, st)
		if h.settle(w, r, f, err, nil, "admin.saved", "/admin/teams") {
			return
		}
	}
	h.renderTeams(w, r, f)
}

type adminWebhooksPage struct {
	adminBase
	Webhooks     []webhook.Webhook
	AllowPrivate bool
}

func (h *Handler) adminWebhooks(w http.ResponseWriter, r *http.Request) {
	actor := page.ViewerFrom(r.Context()).Actor
	hooks, err := h.Site.App.Webhooks.List(r.Context(), actor)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	allow, err := h.Site.App.Webhooks.AllowsPrivate(r.Context())
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	h.renderAdmin(w, r, "admin/webhooks", "admin.webhooks", adminWebhooksPage{adminBase: newAdminBase("webhooks", nil), Webhooks: hooks, AllowPrivate: allow}, nil)
}

func (h *Handler) adminWebhookSettings(w http.ResponseWriter, r *http.Request) {
	f, err := adminPosted(w, r)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	err = h.Site.App.Webhooks.SetAllowPrivate(r.Context(), page.ViewerFrom(r.Context()).Actor, f.On("allow_private"))
	h.settle(w, r, f, err, nil, "admin.saved", "/admin/webhooks")
}

type adminWebhookPage struct {
	adminBase
	Webhook    *webhook.Webhook // nil for a new one
	Events     []string
	Deliveries []webhook.Delivery
	// Secret is a generated secret, shown once after creation.
	Secret string
}

// deliveryLog is how many deliveries the webhook's page lists.
const deliveryLog = 50

func (h *Handler) renderWebhookForm(w http.ResponseWriter, r *http.Request, hook *webhook.Webhook, f *adminForm, secret string) {
	p := adminWebhookPage{adminBase: newAdminBase("webhooks", f), Webhook: hook, Events: webhook.Events, Secret: secret}
	title := "admin.webhook_new"
	if hook != nil {
		title = "admin.webhook_edit"
		ds, err := h.Site.App.Webhooks.Deliveries(r.Context(), page.ViewerFrom(r.Context()).Actor, hook.ID, 0, deliveryLog)
		if err != nil {
			h.Site.Fail(w, r, err)
			return
		}
		p.Deliveries = ds
	}
	h.renderAdmin(w, r, "admin/webhook", title, p, f)
}

// webhookInput reads the form; a blank secret keeps the current one (or,
// for a new webhook, has one generated).
func webhookInput(f *adminForm) webhook.WebhookInput {
	url := strings.TrimSpace(f.Get("url"))
	events := f.Values["events"]
	if events == nil {
		events = []string{}
	}
	in := webhook.WebhookInput{URL: &url, Events: &events}
	if s := f.Get("secret"); s != "" {
		in.Secret = &s
	}
	return in
}

func (h *Handler) adminWebhookNew(w http.ResponseWriter, r *http.Request) {
	f := newAdminForm(nil)
	f.Values["events"] = []string{webhook.TicketCreated, webhook.TicketUpdated}
	h.renderWebhookForm(w, r, nil, f, "")
}

func (h *Handler) adminWebhookCreate(w http.ResponseWriter, r *http.Request) {
	f, err := adminPosted(w, r)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	hook, err := h.Site.App.Webhooks.Create(r.Context(), page.ViewerFrom(r.Context()).Actor, webhookInput(f))
	f.Values.Del("secret") // never echoed back
	if err == nil && hook.Secret != "" {
		// The generated secret is shown this once, on the page answering
		// the post rather than after a redirect: it must not travel in a
		// URL or a cookie.
		secret := hook.Secret
		hook.Secret = ""
		h.renderWebhookForm(w, r, &hook, webhookValues(hook), secret)
		return
	}
	if h.settle(w, r, f, err, nil, "admin.webhook_created", "/admin/webhooks/"+strconv.FormatInt(hook.ID, 10)) {
		return
	}
	h.renderWebhookForm(w, r, nil, f, "")
}

func webhookValues(hook webhook.Webhook) *adminForm {
	f := newAdminForm(nil)
	f.Values.Set("url", hook.URL)
	f.Values["events"] = hook.Events
	return f
}

func (h *Handler) adminWebhook(w http.ResponseWriter, r *http.Request) (*webhook.Webhook, bool) {
	actor := page.ViewerFrom(r.Context()).Actor
	id, ok := pathInt(r, "id")
	if !ok {
		h.Site.NotFound(w, r)
		return nil, false
	}
	hook, err := h.Site.App.Webhooks.Get(r.Context(), actor, id)
	if err != nil {
		h.Site.Fail(w, r, err)
		return nil, false
	}
	return &hook, true
}

func (h *Handler) adminWebhookEdit(w http.ResponseWriter, r *http.Request) {
	hook, ok := h.adminWebhook(w, r)
	if !ok {
		return
	}
	h.renderWebhookForm(w, r, hook, webhookValues(*hook), "")
}

func (h *Handler) adminWebhookUpdate(w http.ResponseWriter, r *http.Request) {
	hook, f, ok := h.webhookPost(w, r)
	if !ok {
		return
	}
	_, err := h.Site.App.Webhooks.Update(r.Context(), page.ViewerFrom(r.Context()).Actor, hook.ID, webhookInput(f))
	f.Values.Del("secret")
	if h.settle(w, r, f, err, nil, "admin.saved", "/admin/webhooks/"+strconv.FormatInt(hook.ID, 10)) {
		return
	}
	h.renderWebhookForm(w, r, hook, f, "")
}

// webhookPost reads the webhook the path names and the posted form, or
// answers the error page itself.
func (h *Handler) webhookPost(w http.ResponseWriter, r *http.Request) (*webhook.Webhook, *adminForm, bool) {
	hook, ok := h.adminWebhook(w, r)
	if !ok {
		return nil, nil, false
	}
	f, err := adminPosted(w, r)
	if err != nil {
		h.Site.Fail(w, r, err)
		return nil, nil, false
	}
	return hook, f, true
}

// adminWebhookActive pauses a webhook or re-enables it (clearing the
// failures that disabled it).
func (h *Handler) adminWebhookActive(w http.ResponseWriter, r *http.Request) {
	hook, f, ok := h.webhookPost(w, r)
	if !ok {
		return
	}
	active := f.Get("active") == "1"
	_, err := h.Site.App.Webhooks.Update(r.Context(), page.ViewerFrom(r.Context()).Actor, hook.ID, webhook.WebhookInput{Active: &active})
	flash := "admin.webhook_paused"
	if active {
		flash = "admin.webhook_enabled"
	}
	if h.settle(w, r, f, err, nil, flash, "/admin/webhooks/"+strconv.FormatInt(hook.ID, 10)) {
		return
	}
	h.renderWebhookForm(w, r, hook, f, "")
}

func (h *Handler) adminWebhookTest(w http.ResponseWriter, r *http.Request) {
	hook, f, ok := h.webhookPost(w, r)
	if !ok {
		return
	}
	_, err := h.Site.App.Webhooks.SendTest(r.Context(), page.ViewerFrom(r.Context()).Actor, hook.ID)
	if h.settle(w, r, f, err, nil, "admin.webhook_test_sent", "/admin/webhooks/"+strconv.FormatInt(hook.ID, 10)) {
		return
	}
	h.renderWebhookForm(w, r, hook, f, "")
}

func (h *Handler) adminWebhookDelete(w http.ResponseWriter, r *http.Request) {
	hook, f, ok := h.webhookPost(w, r)
	if !ok {
		return
	}
	err := h.Site.App.Webhooks.Delete(r.Context(), page.ViewerFrom(r.Context()).Actor, hook.ID)
	h.settle(w, r, f, err, nil, "admin.webhook_deleted", "/admin/webhooks")
}

// escalateForm is the ticket page's escalation: the team chosen, the note,
// and what the service refused.
type escalateForm struct {
	TeamID int64
	Note   string
	Error  string
}

// EscalationTeams are the teams of a higher tier than the ticket's own
// (every team when it has none), lowest tier first.
func (tv *ticketView) EscalationTeams() []people.Team {
	tier := 0
	if tv.T.TeamID != nil {
		for _, t := range tv.Teams {
			if t.ID == *tv.T.TeamID {
				tier = t.Tier
			}
		}
	}
	var out []people.Team
	for _, t := range tv.Teams {
		if t.Tier > tier && (tv.T.TeamID == nil || t.ID != *tv.T.TeamID) {
			out = append(out, t)
		}
	}
	return out
}

// escalateTicket moves the ticket up to a higher-tier team with a note.
func (h *Handler) escalateTicket(w http.ResponseWriter, r *http.Request) {
	id, ok := h.ticketPost(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	v := page.ViewerFrom(ctx)
	form := escalateForm{Note: strings.TrimSpace(r.PostFormValue("note"))}
	form.TeamID, _ = strconv.ParseInt(r.PostFormValue("team_id"), 10, 64)
	err := h.Site.App.Routing.Escalate(ctx, v.Actor, id, routing.EscalateInput{TeamID: form.TeamID, Note: form.Note})
	if err == nil {
		page.SetFlash(w, "ticket.escalated")
		// A team-restricted agent may no longer see the ticket.
		if _, gerr := h.Site.App.Tickets.Get(ctx, v.Actor, id); gerr != nil {
			page.Redirect(w, r, "/")
			return
		}
		page.Redirect(w, r, ticketURL(id, ""))
		return
	}
	ve, isField := validation.As(err)
	if !isField {
		h.Site.Fail(w, r, err)
		return
	}
	d, tv, lerr := h.loadTicket(r, id)
	if lerr != nil {
		h.Site.Fail(w, r, lerr)
		return
	}
	form.Error = d.T("ticket.err_invalid", ve.Fields[0].Field+": "+ve.Fields[0].Detail)
	tv.Escalate = form
	h.renderTicket(w, http.StatusUnprocessableEntity, d, tv)
}
