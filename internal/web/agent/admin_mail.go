package agent

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"tessera/internal/channel/email/outbound"
	"tessera/internal/inbox"
	"tessera/internal/people"
	"tessera/internal/web/page"
)

// Outgoing mail at /admin/mail (email channel, outbound): the mail
// templates in every language, and per inbox whether new tickets are
// acknowledged and how many new tickets an hour one sender may open.
// Agents choose their own notification mails on /profile.

func (h *Handler) registerMailOut(mux *http.ServeMux) {
	a := h.adminOnly
	mux.HandleFunc("GET /admin/mail", a(h.adminMail))
	mux.HandleFunc("POST /admin/mail/inboxes/{id}", a(h.adminMailInbox))
	mux.HandleFunc("GET /admin/mail/templates/{key}/{language}", a(h.adminMailTemplate))
	mux.HandleFunc("POST /admin/mail/templates/{key}/{language}", a(h.adminMailTemplateSave))
	mux.HandleFunc("POST /admin/mail/templates/{key}/{language}/reset", a(h.adminMailTemplateReset))
	mux.HandleFunc("POST /profile/mail", h.Site.Agent(h.profileMail))
}

type mailInboxRow struct {
	Inbox   inbox.Inbox
	Options outbound.InboxOptions
	Form    *adminForm
}

type adminMailPage struct {
	adminBase
	// InboxID: the inbox whose own templates are shown; 0 for every inbox.
	InboxID   int64
	Query     string // ?inbox=N for the links, or ""
	Choices   []inbox.Inbox
	Keys      []string
	Languages []string
	// Templates[key][language]
	Templates map[string]map[string]outbound.Template
	Inboxes   []mailInboxRow
}

// renderMail shows the page; refused, when set, is the inbox form that
// was posted with errors.
func (h *Handler) renderMail(w http.ResponseWriter, r *http.Request, refusedID int64, refused *adminForm) {
	ctx := r.Context()
	actor := page.ViewerFrom(ctx).Actor
	inboxID := templateInbox(r)
	ts, err := h.Site.App.MailTemplates.List(ctx, actor, inboxID)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	p := adminMailPage{adminBase: newAdminBase("mail", refused), Keys: outbound.TemplateKeys, Languages: people.Languages,
		Templates: map[string]map[string]outbound.Template{}, Query: inboxQuery(inboxID)}
	if inboxID != nil {
		p.InboxID = *inboxID
	}
	for _, t := range ts {
		if p.Templates[t.Key] == nil {
			p.Templates[t.Key] = map[string]outbound.Template{}
		}
		p.Templates[t.Key][t.Language] = t
	}
	boxes, err := h.Site.App.Inboxes.List(ctx, actor)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	for _, b := range boxes {
		if b.Kind != inbox.KindEmail && b.Kind != inbox.KindWeb {
			continue // chat and API sources send no acknowledgement
		}
		p.Choices = append(p.Choices, b)
		o, err := h.Site.App.MailOptions.Inbox(ctx, actor, b.ID)
		if err != nil {
			h.Site.Fail(w, r, err)
			return
		}
		f := newAdminForm(nil)
		f.Values.Set("auto_ack", boolValue(o.AutoAck))
		f.Values.Set("flood_per_hour", strconv.Itoa(o.FloodPerHour))
		if b.ID == refusedID && refused != nil {
			f = refused
		}
		p.Inboxes = append(p.Inboxes, mailInboxRow{Inbox: b, Options: o, Form: f})
	}
	h.renderAdmin(w, r, "admin/mail", "admin.mail.title", p, refused)
}

func (h *Handler) adminMail(w http.ResponseWriter, r *http.Request) {
	h.renderMail(w, r, 0, nil)
}

func (h *Handler) adminMailInbox(w http.ResponseWriter, r *http.Request) {
	id, ok := pathInt(r, "id")
	if !ok {
		h.Site.NotFound(w, r)
		return
	}
	f, err := adminPosted(w, r)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	on := f.Get("auto_ack") != ""
	in := outbound.InboxOptionsInput{AutoAck: &on}
	var flood int
	if formInt(f, "flood_per_hour", &flood) && strings.TrimSpace(f.Get("flood_per_hour")) != "" {
		in.FloodPerHour = &flood
	}
	if !f.Invalid() {
		_, err := h.Site.App.MailOptions.SetInbox(r.Context(), page.ViewerFrom(r.Context()).Actor, id, in)
		if h.settle(w, r, f, err, nil, "admin.saved", "/admin/mail") {
			return
		}
	}
	h.renderMail(w, r, id, f)
}

type adminMailTemplatePage struct {
	adminBase
	Inbox        *inbox.Inbox // the inbox whose own version this is; nil for every inbox
	Template     outbound.Template
	Default      outbound.Template
	Placeholders []string
	Action       string
}

func (h *Handler) renderMailTemplate(w http.ResponseWriter, r *http.Request, f *adminForm) {
	ctx := r.Context()
	key, lang := r.PathValue("key"), r.PathValue("language")
	actor := page.ViewerFrom(ctx).Actor
	inboxID := templateInbox(r)
	var box *inbox.Inbox
	if inboxID != nil {
		b, err := h.Site.App.Inboxes.Get(ctx, actor, *inboxID)
		if err != nil {
			h.Site.Fail(w, r, err)
			return
		}
		box = &b
	}
	t, err := h.Site.App.MailTemplates.Get(ctx, actor, key, lang, inboxID)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	def, err := outbound.Default(key, lang)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	if f == nil {
		f = newAdminForm(url.Values{"subject": {t.Subject}, "body": {t.Body}})
	}
	h.renderAdmin(w, r, "admin/mail_template", "admin.mail.template_title", adminMailTemplatePage{adminBase: newAdminBase("mail", f), Inbox: box,
		Template: t, Default: def, Placeholders: outbound.Placeholders, Action: "/admin/mail/templates/" + url.PathEscape(key) + "/" + url.PathEscape(lang)}, f)
}

func (h *Handler) adminMailTemplate(w http.ResponseWriter, r *http.Request) {
	h.renderMailTemplate(w, r, nil)
}

func (h *Handler) adminMailTemplateSave(w http.ResponseWriter, r *http.Request) {
	f, err := adminPosted(w, r)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	inboxID := templateInbox(r)
	_, err = h.Site.App.MailTemplates.Save(r.Context(), page.ViewerFrom(r.Context()).Actor, r.PathValue("key"), r.PathValue("language"),
		outbound.TemplateInput{Subject: f.Get("subject"), Body: f.Get("body"), InboxID: inboxID})
	if h.settle(w, r, f, err, nil, "admin.saved", "/admin/mail"+inboxQuery(inboxID)) {
		return
	}
	h.renderMailTemplate(w, r, f)
}

func (h *Handler) adminMailTemplateReset(w http.ResponseWriter, r *http.Request) {
	if _, err := adminPosted(w, r); err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	inboxID := templateInbox(r)
	_, err := h.Site.App.MailTemplates.Reset(r.Context(), page.ViewerFrom(r.Context()).Actor, r.PathValue("key"), r.PathValue("language"), inboxID)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	adminDone(w, r, "admin.mail.reset_done", "/admin/mail"+inboxQuery(inboxID))
}

// templateInbox is the inbox the page's ?inbox= names, whose own
// templates are edited; nil (absent or 0) for every inbox.
func templateInbox(r *http.Request) *int64 {
	id, err := strconv.ParseInt(r.URL.Query().Get("inbox"), 10, 64)
	if err != nil || id <= 0 {
		return nil
	}
	return &id
}

func inboxQuery(id *int64) string {
	if id == nil {
		return ""
	}
	return "?inbox=" + strconv.FormatInt(*id, 10)
}

// profileMail saves which notifications the agent also gets by mail; an
// unticked box turns that mail off.
func (h *Handler) profileMail(w http.ResponseWriter, r *http.Request) {
	f, err := adminPosted(w, r)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	v := page.ViewerFrom(r.Context())
	prefs := outbound.AgentPrefs{Assigned: f.Get("assigned") != "", CustomerReplied: f.Get("customer_replied") != ""}
	if _, err := h.Site.App.MailOptions.SetAgent(r.Context(), v.Actor, v.Agent.ID, prefs); err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	adminDone(w, r, "profile.mail_saved", "/profile")
}
