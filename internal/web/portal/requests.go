package portal

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"tessera/internal/auth"
	"tessera/internal/people"
	"tessera/internal/report"
	"tessera/internal/ticket"
	"tessera/internal/validation"
	"tessera/internal/web/page"
)

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// formPage is the web form, with what the visitor typed and what was
// wrong with it (field → message).
type formPage struct {
	Name, Email, Subject, Body, Priority string
	Custom                               map[string]string
	Fields                               []ticket.FieldDef
	Priorities                           []string
	AllowPriority                        bool
	Errors                               map[string]string
	// HadFiles says files were chosen: a browser cannot keep them after an
	// error, so the page asks for them again.
	HadFiles bool
}

// Err returns the message for a field, if any.
func (f *formPage) Err(field string) string { return f.Errors[field] }

// Value returns the typed value of a custom field.
func (f *formPage) Value(key string) string { return f.Custom[key] }

func (h *Handler) newForm(w http.ResponseWriter, r *http.Request) {
	d := h.data(w, r, "portal.new.title", "new")
	f, err := h.form(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Page = f
	h.render(w, http.StatusOK, "portal/new", d)
}

// form starts the web form: the fields an admin shows on the portal and,
// if allowed, the priority.
func (h *Handler) form(r *http.Request) (*formPage, error) {
	st, err := h.settings(r.Context())
	if err != nil {
		return nil, err
	}
	defs, err := h.Site.App.Tickets.Fields(r.Context())
	if err != nil {
		return nil, err
	}
	f := &formPage{Custom: map[string]string{}, Errors: map[string]string{}, AllowPriority: st.AllowPriority, Priority: "normal"}
	if st.AllowPriority {
		f.Priorities = slices.Clone(ticket.Priorities)
		slices.Reverse(f.Priorities) // low to urgent: the usual reading order of a choice
	}
	for _, d := range defs {
		if d.Active && d.Portal {
			f.Fields = append(f.Fields, d)
		}
	}
	return f, nil
}

// readForm parses a form, urlencoded or multipart (files), within the
// attachment limits. The files come back as attachments.
func (h *Handler) readForm(w http.ResponseWriter, r *http.Request) ([]ticket.AttachmentInput, error) {
	lim := h.Site.App.Tickets.Limits
	maxMsg := lim.MaxMessageBytes
	if maxMsg == 0 {
		maxMsg = ticket.DefaultMaxMessageBytes
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxMsg+1<<20)
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		return nil, r.ParseForm()
	}
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		return nil, err
	}
	var out []ticket.AttachmentInput
	for _, fh := range r.MultipartForm.File["attachments"] {
		if fh.Filename == "" && fh.Size == 0 {
			continue // the empty part a browser sends when no file is chosen
		}
		f, err := fh.Open()
		if err != nil {
			return nil, fmt.Errorf("attachment: %w", err)
		}
		data, err := io.ReadAll(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("attachment: %w", err)
		}
		out = append(out, ticket.AttachmentInput{Filename: fh.Filename, ContentType: fh.Header.Get("Content-Type"), Data: data})
	}
	return out, nil
}

// honeypot is a field people never see (hidden by the stylesheet and
// from screen readers) that form-filling robots do fill in.
const honeypot = "website"

func (h *Handler) submit(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := page.ViewerFrom(ctx)
	d := h.data(w, r, "portal.new.title", "new")
	f, err := h.form(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Page = f
	atts, err := h.readForm(w, r)
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	f.Name, f.Email = strings.TrimSpace(r.PostFormValue("name")), strings.TrimSpace(r.PostFormValue("email"))
	f.Subject, f.Body = r.PostFormValue("subject"), r.PostFormValue("body")
	if p := r.PostFormValue("priority"); p != "" {
		f.Priority = p
	}
	for _, fd := range f.Fields {
		f.Custom[fd.Key] = r.PostFormValue("cf_" + fd.Key)
	}
	f.HadFiles = len(atts) > 0
	if err != nil {
		var mbe *http.MaxBytesError
		if !errors.As(err, &mbe) {
			h.fail(w, r, validation.Field("body", "the form could not be read"))
			return
		}
		f.Errors["attachments"] = d.T("portal.form.files_too_big")
		f.HadFiles = true
		h.render(w, http.StatusUnprocessableEntity, "portal/new", d)
		return
	}
	if r.PostFormValue(honeypot) != "" {
		// A robot: it is told all went well, and nothing is kept.
		h.Log.Info("web form: honeypot filled", "remote", page.ClientAddr(r))
		page.Redirect(w, r, "/help/requests/sent")
		return
	}

	// What a person must fill in, checked before anything is written.
	signed := v != nil && v.Contact != nil
	if !signed {
		if f.Name == "" {
			f.Errors["name"] = d.T("portal.form.required")
		}
		if f.Email == "" {
			f.Errors["email"] = d.T("portal.form.required")
		} else if _, ok := people.NormalizeEmail(f.Email); !ok {
			f.Errors["email"] = d.T("portal.form.email")
		}
	}
	if strings.TrimSpace(f.Subject) == "" {
		f.Errors["subject"] = d.T("portal.form.required")
	}
	if strings.TrimSpace(f.Body) == "" {
		f.Errors["body"] = d.T("portal.form.required")
	}
	custom := h.customValues(d, f)
	if len(f.Errors) > 0 {
		h.render(w, http.StatusUnprocessableEntity, "portal/new", d)
		return
	}
	if !h.allow(page.ClientAddr(r)) {
		w.Header().Set("Retry-After", "60")
		d.Error = d.T("portal.new.too_many")
		h.render(w, http.StatusTooManyRequests, "portal/new", d)
		return
	}

	actor := auth.Actor{}
	if signed {
		actor = v.Actor
	} else {
		c, err := h.Site.App.People.EnsureContact(ctx, f.Email, f.Name, d.Lang())
		if err != nil {
			h.formError(w, r, d, f, err)
			return
		}
		st, err := h.settings(ctx)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		actor = st.Actor(c)
	}
	in := ticket.CreateInput{Subject: f.Subject, Body: f.Body, Channel: "web", CustomFields: custom, Attachments: atts}
	if f.AllowPriority {
		in.Priority = f.Priority
	}
	if box, ok, err := h.Site.App.Inboxes.WebForm(ctx); err != nil {
		h.fail(w, r, err)
		return
	} else if ok {
		in.InboxID = &box.ID
	}
	tk, err := h.Site.App.Tickets.Create(ctx, actor, in)
	if err != nil {
		h.formError(w, r, d, f, err)
		return
	}
	h.Log.Info("web form: request created", "ticket", tk.Number, "contact", tk.RequesterID)
	page.Redirect(w, r, "/help/requests/sent?n="+strconv.FormatInt(tk.Number, 10))
}

// customValues turns the typed custom field values into the kinds the
// service expects, noting the ones that are not of their kind.
func (h *Handler) customValues(d *page.Data, f *formPage) map[string]any {
	out := map[string]any{}
	for _, fd := range f.Fields {
		raw := strings.TrimSpace(f.Custom[fd.Key])
		name := "cf_" + fd.Key
		switch {
		case fd.Kind == "checkbox":
			if raw != "" {
				out[fd.Key] = true
			}
		case raw == "":
			if fd.Required {
				f.Errors[name] = d.T("portal.form.required")
			}
		case fd.Kind == "number":
			n, err := strconv.ParseFloat(strings.ReplaceAll(raw, ",", "."), 64)
			if err != nil {
				f.Errors[name] = d.T("portal.form.number")
				continue
			}
			out[fd.Key] = n
		default:
			out[fd.Key] = raw
		}
	}
	return out
}

var fieldIndex = regexp.MustCompile(`^attachments\[(\d+)\]`)

// formError shows a service's refusal on the form: each wrong field
// beside its input, in the page's language; other errors as an error page.
func (h *Handler) formError(w http.ResponseWriter, r *http.Request, d *page.Data, f *formPage, err error) {
	ve, ok := validation.As(err)
	if !ok {
		h.fail(w, r, err)
		return
	}
	atts := r.MultipartForm
	for _, fe := range ve.Fields {
		field, msg := formField(d, fe)
		if field == "attachments" {
			if m := fieldIndex.FindStringSubmatch(fe.Field); m != nil && atts != nil {
				if i, _ := strconv.Atoi(m[1]); i < len(atts.File["attachments"]) {
					msg = d.T("portal.form.file_refused", atts.File["attachments"][i].Filename, msg)
				}
			}
			f.HadFiles = true
		}
		if f.Errors[field] == "" {
			f.Errors[field] = msg
		} else if !strings.Contains(f.Errors[field], msg) {
			f.Errors[field] += " " + msg
		}
	}
	if msg := f.Errors[""]; msg != "" {
		d.Error = msg
	}
	h.render(w, http.StatusUnprocessableEntity, "portal/new", d)
}

// formField maps a service's field error to the form's input and a
// message in the page's language.
func formField(d *page.Data, fe validation.FieldError) (string, string) {
	field := fe.Field
	switch {
	case field == "requester.email":
		field = "email"
	case strings.HasPrefix(field, "attachments"):
		field = "attachments"
	case strings.HasPrefix(field, "custom_fields."):
		field = "cf_" + strings.TrimPrefix(field, "custom_fields.")
	case field == "subject", field == "body", field == "priority", field == "name":
	default:
		field = ""
	}
	detail := fe.Detail
	switch {
	case strings.Contains(detail, "must not be empty"):
		return field, d.T("portal.form.required")
	case strings.HasPrefix(detail, "must be at most") && strings.HasSuffix(detail, "characters"):
		return field, d.T("portal.form.too_long")
	case strings.Contains(detail, "email address"):
		return field, d.T("portal.form.email")
	case strings.Contains(detail, "are not accepted"):
		return field, d.T("portal.form.file_type")
	case detail == "is empty":
		return field, d.T("portal.form.file_empty")
	case strings.Contains(detail, "bytes"):
		return field, d.T("portal.form.files_too_big")
	case strings.Contains(detail, "files per message"):
		return field, d.T("portal.form.too_many_files")
	}
	return field, d.T("portal.form.invalid")
}

type sentPage struct{ Number int64 }

func (h *Handler) sent(w http.ResponseWriter, r *http.Request) {
	d := h.data(w, r, "portal.sent.title", "new")
	n, _ := strconv.ParseInt(r.URL.Query().Get("n"), 10, 64)
	d.Page = sentPage{Number: max(n, 0)}
	h.render(w, http.StatusOK, "portal/sent", d)
}

// row is one request in the list, with its status in the customer's words.
type row struct {
	ticket.Ticket
	StatusKey, StatusClass string
	Updated                string
	Mine                   bool
}

// isolate keeps a date or time in its own direction inside a sentence:
// in Hebrew, "2026-11-20 14:45" must not come out as "14:45 2026-11-20".
func isolate(s string) string { return "\u2068" + s + "\u2069" }

// customerStatus names a status category the way a customer thinks of
// it: whether the desk is on it, or it waits for them.
func customerStatus(category string) (key, class string) {
	switch category {
	case ticket.StatusPending:
		return "portal.status.pending", "st-pending"
	case ticket.StatusSolved:
		return "portal.status.solved", "st-solved"
	case ticket.StatusClosed:
		return "portal.status.closed", "st-closed"
	}
	return "portal.status.open", "st-open"
}

type listPage struct {
	Rows       []row
	Show       string // open, solved or all
	Scope      string // mine or org (when the organization's are shared)
	Shared     bool
	Next       string // URL of the next page
	HasPrivate bool   // the password page is offered
}

// TabURL is the list with another filter.
func (p listPage) TabURL(show, scope string) string {
	q := url.Values{}
	if show != "all" {
		q.Set("show", show)
	}
	if scope == "org" {
		q.Set("scope", scope)
	}
	if len(q) == 0 {
		return "/help/requests"
	}
	return "/help/requests?" + q.Encode()
}

func (h *Handler) list(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := page.ViewerFrom(ctx)
	d := h.data(w, r, "portal.list.title", "requests")
	q := r.URL.Query()
	p := listPage{Show: q.Get("show"), Scope: q.Get("scope"), Shared: v.Actor.OrgID != 0}
	f := ticket.Filter{Cursor: q.Get("cursor"), Limit: 20}
	switch p.Show {
	case "open":
		f.Status = []string{ticket.StatusNew, ticket.StatusOpen, ticket.StatusPending, ticket.StatusOnHold}
	case "solved":
		f.Status = []string{ticket.StatusSolved, ticket.StatusClosed}
	default:
		p.Show = "all"
	}
	if p.Scope != "org" || !p.Shared {
		p.Scope = "mine"
		f.RequesterID = v.Contact.ID
	}
	res, err := h.Site.App.Tickets.List(ctx, v.Actor, f)
	if _, bad := validation.As(err); bad {
		// A cursor from elsewhere: start at the first page.
		f.Cursor = ""
		res, err = h.Site.App.Tickets.List(ctx, v.Actor, f)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, t := range res.Items {
		k, c := customerStatus(t.StatusCategory)
		p.Rows = append(p.Rows, row{Ticket: t, StatusKey: k, StatusClass: c, Updated: isolate(d.Ago(t.UpdatedAt)), Mine: t.RequesterID == v.Contact.ID})
	}
	if res.NextCursor != "" {
		nq := url.Values{}
		for k, vs := range q {
			if k != "cursor" && k != "lang" {
				nq[k] = vs
			}
		}
		nq.Set("cursor", res.NextCursor)
		p.Next = "/help/requests?" + nq.Encode()
	}
	st, err := h.settings(ctx)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p.HasPrivate = st.AllowPassword
	d.Page = p
	h.render(w, http.StatusOK, "portal/requests", d)
}

// requestPage is one request and its public thread.
type requestPage struct {
	Ticket     ticket.Ticket
	StatusKey  string
	StatusCls  string
	Opened     string
	Messages   []ticket.Message
	Me         int64
	CanSolve   bool
	CanReply   bool
	Closed     bool
	MergedInto int64
	FollowUp   int64
	Body       string
	Errors     map[string]string
	HadFiles   bool
	// Survey is the satisfaction survey of a solved request, shown to its
	// requester inline (answered there, or changed while it is open).
	Survey        *report.Survey
	Rating        string
	RatingComment string
}

// Err returns the message for a field, if any.
func (p *requestPage) Err(field string) string { return p.Errors[field] }

// loadRequest finds the request of the URL's number, as the viewer.
func (h *Handler) loadRequest(r *http.Request) (ticket.Ticket, error) {
	n, err := strconv.ParseInt(strings.TrimPrefix(r.PathValue("number"), "#"), 10, 64)
	if err != nil || n <= 0 {
		return ticket.Ticket{}, fmt.Errorf("request %q: %w", r.PathValue("number"), errNotFound)
	}
	return h.Site.App.Tickets.ByNumber(r.Context(), page.ViewerFrom(r.Context()).Actor, n)
}

func (h *Handler) requestPage(r *http.Request, d *page.Data, t ticket.Ticket) (*requestPage, error) {
	v := page.ViewerFrom(r.Context())
	msgs, err := h.Site.App.Tickets.Messages(r.Context(), v.Actor, t.ID)
	if err != nil {
		return nil, err
	}
	k, c := customerStatus(t.StatusCategory)
	p := &requestPage{Ticket: t, StatusKey: k, StatusCls: c, Opened: isolate(d.Time(t.CreatedAt)), Messages: msgs, Me: v.Contact.ID, Errors: map[string]string{}}
	p.Closed = t.StatusCategory == ticket.StatusClosed
	p.CanReply = t.MergedIntoID == nil
	p.CanSolve = t.RequesterID == v.Contact.ID && !p.Closed && t.StatusCategory != ticket.StatusSolved && t.MergedIntoID == nil
	if t.RequesterID == v.Contact.ID && (t.StatusCategory == ticket.StatusSolved || t.StatusCategory == ticket.StatusClosed) {
		if p.Survey, err = h.Site.App.Reports.TicketSurvey(r.Context(), t.ID, time.Now()); err != nil {
			return nil, err
		}
		if p.Survey != nil {
			p.Rating, p.RatingComment = p.Survey.Rating, p.Survey.Comment
		}
	}
	for _, l := range t.Links {
		switch l.Kind {
		case "merged_into":
			p.MergedInto = l.Number
		case "follow_up":
			p.FollowUp = l.Number
		}
	}
	return p, nil
}

func (h *Handler) show(w http.ResponseWriter, r *http.Request) {
	t, err := h.loadRequest(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := h.data(w, r, "portal.request.title", "requests")
	d.Title = fmt.Sprintf("#%d %s", t.Number, t.Subject)
	p, err := h.requestPage(r, d, t)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Page = p
	h.render(w, http.StatusOK, "portal/request", d)
}

func (h *Handler) reply(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := page.ViewerFrom(ctx)
	t, err := h.loadRequest(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := h.data(w, r, "portal.request.title", "requests")
	d.Title = fmt.Sprintf("#%d %s", t.Number, t.Subject)
	p, err := h.requestPage(r, d, t)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Page = p
	atts, err := h.readForm(w, r)
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	p.Body, p.HadFiles = r.PostFormValue("body"), len(atts) > 0
	if err != nil {
		p.Errors["attachments"], p.HadFiles = d.T("portal.form.files_too_big"), true
		h.render(w, http.StatusUnprocessableEntity, "portal/request", d)
		return
	}
	if strings.TrimSpace(p.Body) == "" && len(atts) == 0 {
		p.Errors["body"] = d.T("portal.form.required")
		h.render(w, http.StatusUnprocessableEntity, "portal/request", d)
		return
	}
	res, err := h.Site.App.Tickets.AddMessage(ctx, v.Actor, t.ID, ticket.MessageInput{Kind: ticket.KindReply, Body: p.Body, Channel: "web", Attachments: atts})
	if ve, ok := validation.As(err); ok {
		for _, fe := range ve.Fields {
			field, msg := formField(d, fe)
			if field == "" {
				field = "body"
			}
			p.Errors[field] = msg
		}
		h.render(w, http.StatusUnprocessableEntity, "portal/request", d)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	to := t.Number
	if res.FollowUp {
		// A reply to a closed request opens a new one, linked to it.
		nt, err := h.Site.App.Tickets.Get(ctx, v.Actor, res.TicketID)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		to = nt.Number
		page.SetFlash(w, "portal.flash.follow_up")
	} else {
		page.SetFlash(w, "portal.flash.replied")
	}
	page.Redirect(w, r, fmt.Sprintf("/help/requests/%d#m%d", to, res.Message.ID))
}

// rate answers the satisfaction survey of a solved request from its page:
// the signed-in requester needs no mailed link.
func (h *Handler) rate(w http.ResponseWriter, r *http.Request) {
	v := page.ViewerFrom(r.Context())
	t, err := h.loadRequest(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if t.RequesterID != v.Contact.ID {
		h.fail(w, r, fmt.Errorf("request %d: only its requester rates it: %w", t.Number, auth.ErrForbidden))
		return
	}
	d := h.data(w, r, "portal.request.title", "requests")
	d.Title = fmt.Sprintf("#%d %s", t.Number, t.Subject)
	rating, comment := r.PostFormValue("rating"), r.PostFormValue("comment")
	_, err = h.Site.App.Reports.AnswerTicket(r.Context(), t.ID, rating, comment, time.Now())
	if err == nil {
		page.SetFlash(w, "csat.survey.thanks")
		page.Redirect(w, r, fmt.Sprintf("/help/requests/%d#survey", t.Number))
		return
	}
	ve, invalid := validation.As(err)
	closed := errors.Is(err, report.ErrSurveyClosed)
	if !invalid && !closed {
		h.fail(w, r, err)
		return
	}
	p, perr := h.requestPage(r, d, t)
	if perr != nil {
		h.fail(w, r, perr)
		return
	}
	d.Page = p
	if closed {
		d.Error = d.T("csat.survey.closed")
		h.render(w, http.StatusConflict, "portal/request", d)
		return
	}
	p.Rating, p.RatingComment = rating, comment
	for _, f := range ve.Fields {
		p.Errors["survey-"+f.Field] = d.T("csat.survey.error." + f.Field)
	}
	h.render(w, http.StatusUnprocessableEntity, "portal/request", d)
}

func (h *Handler) solve(w http.ResponseWriter, r *http.Request) {
	v := page.ViewerFrom(r.Context())
	t, err := h.loadRequest(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	solved := ticket.StatusSolved
	if _, err := h.Site.App.Tickets.Update(r.Context(), v.Actor, t.ID, ticket.UpdateInput{Status: &solved}); err != nil {
		h.fail(w, r, err)
		return
	}
	page.SetFlash(w, "portal.flash.solved")
	page.Redirect(w, r, fmt.Sprintf("/help/requests/%d", t.Number))
}

// attachment sends a file of the public thread: never rendered as a page
// of ours (downloaded, sandboxed, not sniffed).
func (h *Handler) attachment(w http.ResponseWriter, r *http.Request) {
	v := page.ViewerFrom(r.Context())
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.fail(w, r, errNotFound)
		return
	}
	a, data, err := h.Site.App.Tickets.AttachmentData(r.Context(), v.Actor, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", a.ContentType)
	hd.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": a.Filename}))
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", "sandbox")
	hd.Set("Cache-Control", "private, no-store")
	hd.Set("Content-Length", strconv.Itoa(len(data)))
	_, _ = w.Write(data)
}
