package agent

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"tessera/internal/inbox"
	"tessera/internal/people"
	"tessera/internal/ticket"
	"tessera/internal/web/page"
)

type adminInboxesPage struct {
	adminBase
	Inboxes []inbox.Inbox
	Teams   map[int64]people.Team
}

// TeamName names an inbox's default team.
func (p adminInboxesPage) TeamName(id *int64) string {
	if id == nil {
		return ""
	}
	return p.Teams[*id].Name
}

func (h *Handler) adminInboxes(w http.ResponseWriter, r *http.Request) {
	dir, err := h.directory(r.Context())
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	list, err := h.Site.App.Inboxes.List(r.Context(), page.ViewerFrom(r.Context()).Actor)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	h.renderAdmin(w, r, "admin/inboxes", "admin.inboxes", adminInboxesPage{adminBase: newAdminBase("inboxes", nil), Inboxes: list, Teams: dir.Teams}, nil)
}

type adminInboxPage struct {
	adminBase
	Inbox      *inbox.Inbox // nil for a new inbox
	Kinds      []string
	Teams      []people.Team
	Languages  []adminLanguage
	Priorities []string
	// Mail in (issue 4): the IMAP and SMTP choices, whether passwords are
	// stored (never shown), and the fetching's health.
	Securities   []string
	Auths        []string
	Afters       []string
	IMAPPassword bool
	SMTPPassword bool
	Health       *inbox.MailHealth
}

func (h *Handler) renderInboxForm(w http.ResponseWriter, r *http.Request, b *inbox.Inbox, f *adminForm) {
	teams, err := h.Site.App.People.ListTeams(r.Context())
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	title := "admin.inbox_new"
	if b != nil {
		title = "admin.inbox_edit"
	}
	p := adminInboxPage{adminBase: newAdminBase("inboxes", f), Inbox: b, Kinds: inbox.Kinds, Teams: teams,
		Languages: newAdminChoices().Languages, Priorities: ticket.Priorities,
		Securities: []string{inbox.SecurityTLS, inbox.SecuritySTARTTLS, inbox.SecurityNone}, Auths: []string{inbox.AuthPassword, inbox.AuthXOAUTH2},
		Afters: []string{inbox.AfterSeen, inbox.AfterMove, inbox.AfterDelete}}
	if b != nil {
		imap, _ := b.Settings["imap"].(map[string]any)
		smtp, _ := b.Settings["smtp"].(map[string]any)
		p.IMAPPassword, _ = imap["password_set"].(bool)
		p.SMTPPassword, _ = smtp["password_set"].(bool)
		if b.Kind == inbox.KindEmail {
			health, ok, err := h.Site.App.IMAP.Health(r.Context(), b.ID)
			if err != nil {
				h.Site.Fail(w, r, err)
				return
			}
			if ok {
				p.Health = &health
			}
		}
	}
	h.renderAdmin(w, r, "admin/inbox", title, p, f)
}

// inboxInput reads the inbox form. Its settings are not on the form (the
// channels will bring their own pages), so they are left as they are.
func inboxInput(f *adminForm, creating bool) (inbox.Input, bool) {
	str := func(name string) *string {
		v := strings.TrimSpace(f.Get(name))
		return &v
	}
	in := inbox.Input{Name: str("name"), Kind: str("kind"), Address: str("address"), DefaultLanguage: str("default_language"),
		DefaultPriority: str("default_priority")}
	team := int64(0) // none
	if s := f.Get("default_team_id"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			f.add("default_team_id", "must be a team")
			return in, false
		}
		team = id
	}
	in.DefaultTeamID = &team
	if !creating {
		active := f.On("active")
		in.Active = &active
	}
	// The mailbox's servers: a section left without a host is left as it
	// is; an empty password keeps the stored one.
	if f.Get("kind") == inbox.KindEmail {
		section := func(prefix string, keys ...string) *map[string]any {
			if strings.TrimSpace(f.Get(prefix+"host")) == "" {
				return nil
			}
			m := map[string]any{}
			for _, k := range keys {
				if v := strings.TrimSpace(f.Get(prefix + k)); v != "" || k == "password" {
					m[k] = v
				}
			}
			if p, err := strconv.Atoi(f.Get(prefix + "port")); err == nil {
				m["port"] = p
			} else if f.Get(prefix+"port") != "" {
				f.add(prefix+"port", "must be a port from 1 to 65535")
			}
			return &m
		}
		in.IMAP = section("imap_", "host", "security", "username", "password", "auth", "folder", "after", "move_to")
		in.SMTP = section("smtp_", "host", "security", "username", "password", "auth")
		if f.Invalid() {
			return in, false
		}
	}
	return in, true
}

// mailField puts a settings error ("imap.host") under its form field
// ("imap_host").
func mailField(field, detail string) (string, string) {
	return strings.Replace(field, ".", "_", 1), detail
}

func (h *Handler) adminInboxNew(w http.ResponseWriter, r *http.Request) {
	f := newAdminForm(nil)
	f.Values.Set("kind", inbox.KindEmail)
	f.Values.Set("default_language", "en")
	h.renderInboxForm(w, r, nil, f)
}

func (h *Handler) adminInboxCreate(w http.ResponseWriter, r *http.Request) {
	f, err := adminPosted(w, r)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	if in, ok := inboxInput(f, true); ok {
		_, err := h.Site.App.Inboxes.Create(r.Context(), page.ViewerFrom(r.Context()).Actor, in)
		h.Site.App.MailIn.Reload()
		if h.settle(w, r, f, err, mailField, "admin.inbox_created", "/admin/inboxes") {
			return
		}
	}
	h.renderInboxForm(w, r, nil, f)
}

func (h *Handler) adminInbox(w http.ResponseWriter, r *http.Request) (*inbox.Inbox, bool) {
	actor := page.ViewerFrom(r.Context()).Actor
	return byPathID(h, w, r, func(ctx context.Context, id int64) (inbox.Inbox, error) {
		return h.Site.App.Inboxes.Get(ctx, actor, id)
	})
}

func (h *Handler) adminInboxEdit(w http.ResponseWriter, r *http.Request) {
	b, ok := h.adminInbox(w, r)
	if !ok {
		return
	}
	f := newAdminForm(nil)
	f.Values.Set("name", b.Name)
	f.Values.Set("kind", b.Kind)
	f.Values.Set("address", b.Address)
	if b.DefaultTeamID != nil {
		f.Values.Set("default_team_id", strconv.FormatInt(*b.DefaultTeamID, 10))
	}
	f.Values.Set("default_language", b.DefaultLanguage)
	f.Values.Set("default_priority", b.DefaultPriority)
	f.Values.Set("active", boolValue(b.Active))
	for _, sec := range []string{"imap", "smtp"} {
		m, _ := b.Settings[sec].(map[string]any)
		for k, v := range m {
			if k != "password_set" {
				f.Values.Set(sec+"_"+k, fmt.Sprint(v))
			}
		}
	}
	h.renderInboxForm(w, r, b, f)
}

func (h *Handler) adminInboxUpdate(w http.ResponseWriter, r *http.Request) {
	b, ok := h.adminInbox(w, r)
	if !ok {
		return
	}
	f, err := adminPosted(w, r)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	if in, ok := inboxInput(f, false); ok {
		_, err := h.Site.App.Inboxes.Update(r.Context(), page.ViewerFrom(r.Context()).Actor, b.ID, in)
		h.Site.App.MailIn.Reload()
		if h.settle(w, r, f, err, mailField, "admin.saved", "/admin/inboxes") {
			return
		}
	}
	h.renderInboxForm(w, r, b, f)
}
