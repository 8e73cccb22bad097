package agent

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"tessera/internal/auth"
	"tessera/internal/macro"
	"tessera/internal/people"
	"tessera/internal/report"
	"tessera/internal/richtext"
	"tessera/internal/store"
	"tessera/internal/ticket"
	"tessera/internal/web/i18n"
	"tessera/internal/web/page"
)

// registerTicket mounts the ticket page and what it posts to.
func (h *Handler) registerTicket(mux *http.ServeMux) {
	s := h.Site
	mux.HandleFunc("GET /tickets/{id}", s.Agent(h.showTicket))
	mux.HandleFunc("POST /tickets/{id}", s.Agent(h.updateTicket))
	mux.HandleFunc("POST /tickets/{id}/messages", s.Agent(h.postMessage))
	mux.HandleFunc("POST /tickets/{id}/merge", s.Agent(h.mergeTicket))
	mux.HandleFunc("POST /tickets/{id}/links", s.Agent(h.linkTicket))
	mux.HandleFunc("POST /tickets/{id}/followers", s.Agent(h.addFollower))
	mux.HandleFunc("POST /tickets/{id}/followers/{contact}/remove", s.Agent(h.removeFollower))
	mux.HandleFunc("POST /preview", s.Agent(h.preview))
	mux.HandleFunc("GET /attachments/{id}", s.Agent(h.attachment))
	mux.HandleFunc("GET /messages/{id}/original", s.Agent(h.originalMail)) // mail in (issue 4)
}

// historyLimit bounds the events read for one page: a ticket with more
// changes than this is an outlier, and its oldest changes matter least.
const historyLimit = 2000

// ticketView is the ticket page's data.
type ticketView struct {
	T         ticket.Ticket
	Dir       directory
	Thread    []threadItem
	History   []eventLine
	Statuses  []ticket.Status
	Fields    []ticket.FieldDef
	Assignees []people.Agent
	Teams     []people.Team
	Requester people.Contact
	Org       *people.Organization
	Previous  []ticket.Ticket
	MergedTo  int64 // number of the ticket this one was merged into
	Links     []ticket.Link
	Followers []ticket.Person // get the public replies besides the requester
	Follower  numberForm      // the add-a-follower form, as posted
	Rating    *report.Rating  // the customer's satisfaction answer

	NewIDs   map[int64]bool // messages written since the draft was started
	CanEdit  bool           // may change fields, reply, merge and link
	CanWrite bool           // the composer is open (not closed or merged)
	LatestID int64

	Props   propsForm
	Compose composeForm
	Merge   numberForm
	Link    numberForm
	// Escalate is the escalation form (routing, issue 6).
	Escalate escalateForm
	// Macros is the composer's macro picker (feature kbmacros).
	Macros *macroPicker
}

// propsForm is the properties panel, as shown or as posted.
type propsForm struct {
	Status, Priority, Type, Assignee, Team, Tags string
	Fields                                       map[string]string
	Errors                                       map[string]string
}

// Err returns the error of a field.
func (p propsForm) Err(field string) string { return p.Errors[field] }

// composeForm is the composer's draft.
type composeForm struct {
	Kind, Body, Status string
	Seen               int64
	Errors             map[string]string
	Collision          []string // who wrote since the draft was started
	Preview            template.HTML
	Previewed          bool
	Error              string
	// MacroFiles is the applied macro whose files the reply carries, and
	// Files their names (feature kbmacros).
	MacroFiles int64
	Files      []macro.File
}

// Err returns the error of a field.
func (c composeForm) Err(field string) string { return c.Errors[field] }

// numberForm is the merge or link form: a ticket number, and for a merge
// the ticket waiting for confirmation.
type numberForm struct {
	Number  string
	Error   string
	Confirm *ticket.Ticket
}

func (h *Handler) showTicket(w http.ResponseWriter, r *http.Request) {
	id, ok := pathInt(r, "id")
	if !ok {
		h.Site.NotFound(w, r)
		return
	}
	d, tv, err := h.loadTicket(r, id)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	if err := h.loadMacroPicker(r, d, tv); err != nil { // feature kbmacros
		h.Site.Fail(w, r, err)
		return
	}
	h.Site.TakeFlash(w, r, d)
	h.renderTicket(w, http.StatusOK, d, tv)
}

func (h *Handler) renderTicket(w http.ResponseWriter, status int, d *page.Data, tv *ticketView) {
	d.Page = tv
	h.Site.Render(w, status, "agent/ticket", d)
}

// loadTicket reads everything the page shows. The ticket comes first (it
// decides visibility and names the requester); the rest is independent
// and read concurrently, each part a fixed number of queries whatever the
// length of the thread: no read per message or per event.
func (h *Handler) loadTicket(r *http.Request, id int64) (*page.Data, *ticketView, error) {
	ctx := r.Context()
	v := page.ViewerFrom(ctx)
	svc := h.Site.App.Tickets
	t, err := svc.Get(ctx, v.Actor, id)
	if err != nil {
		return nil, nil, err
	}
	tv := &ticketView{T: t, CanEdit: v.Actor.CanEditTickets()}
	var (
		msgs    []ticket.Message
		events  []ticket.Event
		prev    ticket.Page
		sidebar *Sidebar
		mu      sync.Mutex
		first   error
		wg      sync.WaitGroup
	)
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if first == nil {
			first = err
		}
	}
	wg.Go(func() {
		var err error
		if msgs, err = svc.Messages(ctx, v.Actor, id); err != nil {
			fail(err)
		}
	})
	wg.Go(func() {
		var err error
		if events, err = svc.Events(ctx, v.Actor, id, 0, historyLimit); err != nil {
			fail(err)
		}
	})
	wg.Go(func() {
		var err error
		if tv.Dir, err = h.directory(ctx); err != nil {
			fail(err)
		}
	})
	wg.Go(func() {
		var err error
		if tv.Statuses, err = svc.Statuses(ctx); err != nil {
			fail(err)
		}
	})
	wg.Go(func() {
		var err error
		if tv.Fields, err = svc.Fields(ctx); err != nil {
			fail(err)
		}
	})
	wg.Go(func() {
		c, err := h.Site.App.People.GetContact(ctx, t.RequesterID)
		if err != nil {
			fail(err)
			return
		}
		tv.Requester = c
		if c.OrganizationID != nil {
			o, err := h.Site.App.People.GetOrganization(ctx, *c.OrganizationID)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				fail(err)
				return
			}
			if err == nil {
				tv.Org = &o
			}
		}
	})
	wg.Go(func() {
		var err error
		if tv.Followers, err = svc.Followers(ctx, v.Actor, id); err != nil {
			fail(err)
		}
	})
	wg.Go(func() {
		var err error
		if prev, err = svc.List(ctx, v.Actor, ticket.Filter{RequesterID: t.RequesterID, Sort: "created", Limit: 6}); err != nil {
			fail(err)
		}
	})
	wg.Go(func() {
		var err error
		if sidebar, err = h.sidebar(ctx, v, ""); err != nil {
			fail(err)
		}
	})
	wg.Wait()
	if first != nil {
		return nil, nil, first
	}

	rating, err := h.Site.App.Reports.Rating(ctx, t.ID)
	if err != nil {
		return nil, nil, err
	}
	tv.Rating = rating
	d := h.Site.NewData(r, fmt.Sprintf("#%d %s", t.Number, t.Subject))
	d.Sidebar = sidebar
	for _, p := range prev.Items {
		if p.ID != t.ID && len(tv.Previous) < 5 {
			tv.Previous = append(tv.Previous, p)
		}
	}
	tv.Fields = slices.DeleteFunc(tv.Fields, func(f ticket.FieldDef) bool { return !f.Active })
	tv.Statuses = slices.DeleteFunc(tv.Statuses, func(s ticket.Status) bool { return !s.Active && s.Key != t.Status })
	for _, a := range tv.Dir.Agents {
		if a.Active && a.Role != auth.RoleLight {
			tv.Assignees = append(tv.Assignees, a)
		}
	}
	slices.SortFunc(tv.Assignees, func(a, b people.Agent) int { return strings.Compare(a.Name, b.Name) })
	for _, tm := range tv.Dir.Teams {
		tv.Teams = append(tv.Teams, tm)
	}
	slices.SortFunc(tv.Teams, func(a, b people.Team) int { return strings.Compare(a.Name, b.Name) })
	for _, l := range t.Links {
		if l.Kind == "merged_into" {
			tv.MergedTo = l.Number
		}
	}
	tv.Links = t.Links
	tv.CanWrite = t.MergedIntoID == nil && t.StatusCategory != ticket.StatusClosed
	for _, m := range msgs {
		tv.LatestID = max(tv.LatestID, m.ID)
	}
	ev := newDescriber(d, tv)
	tv.Thread = ev.thread(msgs, events)
	tv.History = ev.history(events)
	tv.Props = propsFrom(t, tv.Fields)
	tv.Compose = composeForm{Kind: ticket.KindReply, Seen: tv.LatestID}
	if !tv.CanEdit {
		tv.Compose.Kind = ticket.KindNote
	}
	return d, tv, nil
}

// StatusLabel names a status key: built-in ones in the viewer's language,
// custom ones as the admin named them.
func (tv *ticketView) StatusLabel(d *page.Data, key string) string {
	return statusLabel(d, tv.Statuses, key)
}

func statusLabel(d *page.Data, statuses []ticket.Status, key string) string {
	for _, s := range statuses {
		if s.Key == key {
			if s.Builtin {
				return d.T("status." + s.Category)
			}
			return s.Name
		}
	}
	return key
}

// StatusGroup is a status category and its statuses, for the select.
type StatusGroup struct {
	Category string
	Statuses []ticket.Status
}

// StatusGroups are the statuses the ticket can be set to, by category;
// "new" only while the ticket is new (nothing goes back to new, and the
// service says so if asked).
func (tv *ticketView) StatusGroups() []StatusGroup {
	var groups []StatusGroup
	for _, cat := range ticket.Categories {
		g := StatusGroup{Category: cat}
		for _, s := range tv.Statuses {
			if s.Category != cat || (cat == ticket.StatusNew && tv.T.StatusCategory != ticket.StatusNew && s.Key != tv.Props.Status) {
				continue
			}
			g.Statuses = append(g.Statuses, s)
		}
		if len(g.Statuses) > 0 {
			groups = append(groups, g)
		}
	}
	return groups
}

// CustomStatuses reports whether admins added statuses: only then are the
// categories worth showing as groups.
func (tv *ticketView) CustomStatuses() bool {
	for _, s := range tv.Statuses {
		if !s.Builtin {
			return true
		}
	}
	return false
}

// SLAClass is the colour of a clock that does not count down.
func (tv *ticketView) SLAClass(state string) string {
	switch state {
	case "breached":
		return "sla-breached"
	case "paused":
		return "sla-paused"
	case "achieved":
		return "sla-ok"
	}
	return ""
}

// Counting reports whether a clock counts down (or past its due time).
func (tv *ticketView) Counting(st ticket.SLAStatus) bool {
	return st.DueAt != nil && (st.State == "active" || st.State == "breached")
}

// Initial is the first letter of a name, for the avatar.
func (tv *ticketView) Initial(name string) string {
	for _, r := range name {
		return strings.ToUpper(string(r))
	}
	return "?"
}

// LanguageName names a language code in its own language when the
// interface has it, else shows the code.
func (tv *ticketView) LanguageName(code string) string {
	if n, ok := i18n.Names[i18n.Supported(code)]; ok && code != "" {
		return n
	}
	return code
}

// EditProps reports whether the properties panel can be changed.
func (tv *ticketView) EditProps() bool { return tv.CanEdit && tv.CanWrite }

// IsMine reports whether the ticket is assigned to the viewer.
func (tv *ticketView) IsMine(d *page.Data) bool {
	return d.Viewer != nil && tv.T.AssigneeID != nil && *tv.T.AssigneeID == d.Viewer.Actor.ID
}

// IsNew reports whether a message arrived after the draft was started.
func (tv *ticketView) IsNew(id int64) bool { return tv.NewIDs[id] }

// Priorities and Types are the choices of the panel.
func (tv *ticketView) Priorities() []string { return ticket.Priorities }

// Types are the ticket types.
func (tv *ticketView) Types() []string { return ticket.Types }

// SendStatuses are the "send and set" choices.
var SendStatuses = []string{ticket.StatusPending, ticket.StatusSolved, ticket.StatusOnHold}

// SendAs lists the status keys of the "send and set" buttons.
func (tv *ticketView) SendAs() []string { return SendStatuses }

// attachment sends a file of a ticket the agent may see, always as a
// download: uploaded content is never rendered as one of our pages.
func (h *Handler) attachment(w http.ResponseWriter, r *http.Request) {
	id, ok := pathInt(r, "id")
	if !ok {
		h.Site.NotFound(w, r)
		return
	}
	a, data, err := h.Site.App.Tickets.AttachmentData(r.Context(), page.ViewerFrom(r.Context()).Actor, id)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	sendAttachment(w, a, data)
}

// originalMail downloads the mail a message was made from, byte for byte.
func (h *Handler) originalMail(w http.ResponseWriter, r *http.Request) {
	id, ok := pathInt(r, "id")
	if !ok {
		h.Site.NotFound(w, r)
		return
	}
	data, err := h.Site.App.Tickets.RawMail(r.Context(), page.ViewerFrom(r.Context()).Actor, id)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	sendAttachment(w, ticket.Attachment{Filename: fmt.Sprintf("message-%d.eml", id), ContentType: "message/rfc822",
		SHA256: fmt.Sprintf("message-%d", id)}, data)
}

func sendAttachment(w http.ResponseWriter, a ticket.Attachment, data []byte) {
	ct := a.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	hd := w.Header()
	hd.Set("Content-Type", ct)
	hd.Set("Content-Disposition", contentDisposition(a.Filename))
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", "sandbox")
	hd.Set("Cache-Control", "private, max-age=3600")
	hd.Set("ETag", `"`+a.SHA256+`"`)
	hd.Set("Content-Length", strconv.Itoa(len(data)))
	_, _ = w.Write(data)
}

// preview renders Markdown as the thread will show it: the fragment for
// the composer's preview pane.
func (h *Handler) preview(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	body := r.PostFormValue("body")
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	page.SecurityHeaders(hd)
	d := h.Site.NewData(r, "")
	var out strings.Builder
	out.WriteString(`<div class="preview-body body">`)
	if strings.TrimSpace(body) == "" {
		out.WriteString(`<p class="muted">` + template.HTMLEscapeString(d.T("ticket.preview_empty")) + `</p>`)
	} else {
		out.WriteString(richtext.Markdown(body))
	}
	out.WriteString(`</div>`)
	_, _ = w.Write([]byte(out.String()))
}

// ticketNotFound reports whether err means the ticket is gone or hidden.
func ticketNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

// conflictKey names the message for a write refused because the ticket is
// closed or merged, or "" for other errors.
func conflictKey(err error) string {
	switch {
	case errors.Is(err, ticket.ErrMerged):
		return "ticket.err_merged"
	case errors.Is(err, ticket.ErrClosed):
		return "ticket.err_closed"
	}
	return ""
}
