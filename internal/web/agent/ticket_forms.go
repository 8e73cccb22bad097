package agent

import (
	"errors"
	"fmt"
	"html/template"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"tessera/internal/people"
	"tessera/internal/store"

	"tessera/internal/auth"
	"tessera/internal/richtext"
	"tessera/internal/ticket"
	"tessera/internal/validation"
	"tessera/internal/web/page"
)

// formLimit bounds a form without files.
const formLimit = 1 << 20

// propsFrom fills the properties panel from the ticket.
func propsFrom(t ticket.Ticket, defs []ticket.FieldDef) propsForm {
	p := propsForm{Status: t.Status, Priority: t.Priority, Type: t.Type, Assignee: idString(t.AssigneeID), Team: idString(t.TeamID),
		Tags: strings.Join(t.Tags, ", "), Fields: map[string]string{}, Errors: map[string]string{}}
	for _, f := range defs {
		if v, ok := t.CustomFields[f.Key]; ok {
			p.Fields[f.Key] = fieldText(v)
		}
	}
	return p
}

func idString(p *int64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatInt(*p, 10)
}

// fieldText shows a stored custom field value in a form control.
func fieldText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// optionalID reads an id select: empty clears it.
func optionalID(s string) (ticket.Optional[int64], bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return ticket.Optional[int64]{Set: true}, true
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return ticket.Optional[int64]{}, false
	}
	return ticket.Optional[int64]{Set: true, Value: &id}, true
}

// parseProps turns the posted properties into an update. Only the fields
// present in the form change (the "Assign to me" button posts one field),
// and a custom field is sent only when its value differs from the stored
// one, so saving the panel does not record changes nobody made. A
// checkbox posts a hidden "0" before the box: the last value wins.
func parseProps(d *page.Data, form url.Values, cur ticket.Ticket, defs []ticket.FieldDef) (ticket.UpdateInput, propsForm) {
	p := propsFrom(cur, defs)
	var in ticket.UpdateInput
	str := func(name string, dst *string, target **string) {
		if vs, ok := form[name]; ok && len(vs) > 0 {
			v := strings.TrimSpace(vs[0])
			*dst = v
			*target = &v
		}
	}
	str("status", &p.Status, &in.Status)
	str("priority", &p.Priority, &in.Priority)
	str("type", &p.Type, &in.Type)
	if vs, ok := form["assignee_id"]; ok && len(vs) > 0 {
		p.Assignee = vs[0]
		if o, ok := optionalID(vs[0]); ok {
			in.AssigneeID = o
		} else {
			p.Errors["assignee_id"] = d.T("ticket.err_choose")
		}
	}
	if vs, ok := form["team_id"]; ok && len(vs) > 0 {
		p.Team = vs[0]
		if o, ok := optionalID(vs[0]); ok {
			in.TeamID = o
		} else {
			p.Errors["team_id"] = d.T("ticket.err_choose")
		}
	}
	if vs, ok := form["tags"]; ok && len(vs) > 0 {
		p.Tags = vs[0]
		tags := []string{}
		for _, t := range strings.Split(vs[0], ",") {
			if t = strings.TrimSpace(t); t != "" {
				tags = append(tags, t)
			}
		}
		in.Tags = &tags
	}
	for _, f := range defs {
		vs, ok := form["cf."+f.Key]
		if !ok || len(vs) == 0 {
			continue
		}
		raw := strings.TrimSpace(vs[len(vs)-1])
		p.Fields[f.Key] = raw
		var val any
		switch f.Kind {
		case "checkbox":
			val = raw == "1" || raw == "true" || raw == "on"
			p.Fields[f.Key] = strconv.FormatBool(val.(bool))
			if _, had := cur.CustomFields[f.Key]; !had && !val.(bool) {
				continue // an untouched box stays unset
			}
		case "number":
			if raw == "" {
				break
			}
			n, err := strconv.ParseFloat(raw, 64)
			if err != nil {
				p.Errors["custom_fields."+f.Key] = d.T("ticket.err_number")
				continue
			}
			val = n
		default:
			if raw != "" {
				val = raw
			}
		}
		if fieldText(val) == fieldText(cur.CustomFields[f.Key]) {
			continue
		}
		if in.CustomFields == nil {
			in.CustomFields = map[string]any{}
		}
		in.CustomFields[f.Key] = val
	}
	return in, p
}

// fieldErrors files a service's field errors under the form's fields; a
// field the form does not show goes under "".
func fieldErrors(d *page.Data, err error, dst map[string]string, known func(string) string) bool {
	ve, ok := validation.As(err)
	if !ok {
		return false
	}
	for _, f := range ve.Fields {
		key := known(f.Field)
		msg := d.T("ticket.err_invalid", f.Detail)
		if dst[key] != "" {
			dst[key] += " " + msg
		} else {
			dst[key] = msg
		}
	}
	return true
}

// ticketPost reads the ticket id of the path and the posted form (within
// formLimit), answering "not found" or the error page itself when it cannot.
func (h *Handler) ticketPost(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, ok := pathInt(r, "id")
	if !ok {
		h.Site.NotFound(w, r)
		return 0, false
	}
	r.Body = http.MaxBytesReader(w, r.Body, formLimit)
	if err := r.ParseForm(); err != nil {
		h.Site.Fail(w, r, validation.Field("form", "could not be read: %v", err))
		return 0, false
	}
	return id, true
}

func (h *Handler) updateTicket(w http.ResponseWriter, r *http.Request) {
	id, ok := h.ticketPost(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	v := page.ViewerFrom(ctx)
	svc := h.Site.App.Tickets
	cur, err := svc.Get(ctx, v.Actor, id)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	defs, err := svc.Fields(ctx)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	d := h.Site.NewData(r, "")
	in, form := parseProps(d, r.PostForm, cur, defs)
	status := http.StatusUnprocessableEntity
	if len(form.Errors) == 0 {
		if in.Empty() {
			page.Redirect(w, r, ticketURL(id, ""))
			return
		}
		_, err := svc.Update(ctx, v.Actor, id, in)
		if err == nil {
			page.SetFlash(w, "ticket.saved")
			page.Redirect(w, r, ticketURL(id, ""))
			return
		}
		if key := conflictKey(err); key != "" {
			form.Errors[""] = d.T(key)
			status = http.StatusConflict
		} else if !fieldErrors(d, err, form.Errors, propsField) {
			h.Site.Fail(w, r, err)
			return
		}
	}
	d, tv, err := h.loadTicket(r, id)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	tv.Props = form
	d.Error = d.T("ticket.err_props")
	h.renderTicket(w, status, d, tv)
}

// propsField names the panel field a service error is about.
func propsField(f string) string {
	switch {
	case f == "status", f == "priority", f == "type", f == "assignee_id", f == "team_id", f == "tags", strings.HasPrefix(f, "custom_fields."):
		return f
	case f == "add_tags", f == "remove_tags":
		return "tags"
	}
	return ""
}

func ticketURL(id int64, anchor string) string {
	u := "/tickets/" + strconv.FormatInt(id, 10)
	if anchor != "" {
		u += "#" + anchor
	}
	return u
}

// messagePost is the composer's form.
type messagePost struct {
	Kind, Body, Status string
	Seen               int64
	HasSeen            bool
	Confirm            bool
	Preview            bool
	Files              []ticket.AttachmentInput
}

// composerFields are the text fields the composer posts.
var composerFields = map[string]bool{"kind": true, "body": true, "status": true, "seen_message_id": true, "confirm": true, "confirm_status": true, "preview": true}

// readMessagePost reads the composer's form, streaming a multipart body
// (files are read once, into memory, and the whole body is capped at the
// attachment limits); an urlencoded form without files is accepted too.
func readMessagePost(w http.ResponseWriter, r *http.Request, limit int64) (messagePost, error) {
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	vals := url.Values{}
	var p messagePost
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "multipart/form-data" {
		mr, err := r.MultipartReader()
		if err != nil {
			return p, validation.Field("form", "could not be read: %v", err)
		}
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				fill(&p, vals)
				return p, readErr(err)
			}
			name := part.FormName()
			switch {
			case name == "attachments" && part.FileName() != "":
				data, err := io.ReadAll(part)
				if err != nil {
					fill(&p, vals)
					return p, readErr(err)
				}
				p.Files = append(p.Files, ticket.AttachmentInput{Filename: part.FileName(), ContentType: part.Header.Get("Content-Type"), Data: data})
			case composerFields[name] && part.FileName() == "":
				data, err := io.ReadAll(io.LimitReader(part, formLimit+1))
				if err != nil {
					fill(&p, vals)
					return p, readErr(err)
				}
				if len(data) > formLimit {
					fill(&p, vals)
					return p, validation.Field(name, "is longer than %d bytes", formLimit)
				}
				vals.Add(name, string(data))
			default:
				// An empty file input, or a field of no concern: skipped.
				if _, err := io.Copy(io.Discard, part); err != nil {
					fill(&p, vals)
					return p, readErr(err)
				}
			}
		}
	} else {
		if err := r.ParseForm(); err != nil {
			return p, readErr(err)
		}
		vals = r.PostForm
	}
	fill(&p, vals)
	return p, nil
}

func fill(p *messagePost, vals url.Values) {
	p.Kind = vals.Get("kind")
	p.Body = vals.Get("body")
	p.Status = vals.Get("status")
	if s := vals.Get("seen_message_id"); s != "" {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil && n >= 0 {
			p.Seen, p.HasSeen = n, true
		}
	}
	p.Confirm = vals.Get("confirm") == "1"
	if p.Confirm && p.Status == "" {
		p.Status = vals.Get("confirm_status")
	}
	p.Preview = vals.Get("preview") != ""
}

// errTooLarge marks a composer post over the size limit.
var errTooLarge = errors.New("too large")

func readErr(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return errTooLarge
	}
	return validation.Field("form", "could not be read: %v", err)
}

func (h *Handler) messageLimit() int64 {
	l := h.Site.App.Tickets.Limits.MaxMessageBytes
	if l == 0 {
		l = ticket.DefaultMaxMessageBytes
	}
	return l + 1<<20 // room for the text fields and the multipart framing
}

// postMessage sends a reply or adds a note. Before sending it checks that
// nobody else wrote since the draft was started: an agent answering an
// outdated thread is the classic help-desk mistake, so the draft comes
// back with the new messages and a "Send anyway" button instead.
func (h *Handler) postMessage(w http.ResponseWriter, r *http.Request) {
	id, ok := pathInt(r, "id")
	if !ok {
		h.Site.NotFound(w, r)
		return
	}
	ctx := r.Context()
	v := page.ViewerFrom(ctx)
	svc := h.Site.App.Tickets
	p, perr := readMessagePost(w, r, h.messageLimit())
	draft := composeForm{Kind: p.Kind, Body: p.Body, Status: p.Status, Seen: p.Seen, Errors: map[string]string{}}
	if draft.Kind != ticket.KindNote {
		draft.Kind = ticket.KindReply
	}
	rerender := func(status int, mod func(d *page.Data, tv *ticketView)) {
		d, tv, err := h.loadTicket(r, id)
		if err != nil {
			h.Site.Fail(w, r, err)
			return
		}
		if !p.HasSeen {
			draft.Seen = tv.LatestID
		}
		tv.Compose = draft
		if mod != nil {
			mod(d, tv)
		}
		h.renderTicket(w, status, d, tv)
	}
	switch {
	case errors.Is(perr, errTooLarge):
		rerender(http.StatusRequestEntityTooLarge, func(d *page.Data, tv *ticketView) {
			tv.Compose.Errors["attachments"] = d.T("ticket.err_too_large")
		})
		return
	case perr != nil:
		h.Site.Fail(w, r, perr)
		return
	}
	if p.Preview {
		rerender(http.StatusOK, func(d *page.Data, tv *ticketView) {
			tv.Compose.Previewed = true
			tv.Compose.Preview = template.HTML(richtext.Markdown(p.Body))
			if len(p.Files) > 0 {
				tv.Compose.Error = d.T("ticket.files_again")
			}
		})
		return
	}
	if p.HasSeen && !p.Confirm {
		msgs, err := svc.Messages(ctx, v.Actor, id)
		if err != nil {
			h.Site.Fail(w, r, err)
			return
		}
		var names []string
		newer := map[int64]bool{}
		for _, m := range msgs {
			if m.ID <= p.Seen || (m.Kind != ticket.KindReply && m.Kind != ticket.KindNote) {
				continue
			}
			if m.AuthorAgentID != nil && *m.AuthorAgentID == v.Actor.ID {
				continue
			}
			newer[m.ID] = true
			if !contains(names, m.AuthorName) {
				names = append(names, m.AuthorName)
			}
		}
		if len(newer) > 0 {
			rerender(http.StatusConflict, func(d *page.Data, tv *ticketView) {
				tv.Compose.Collision = names
				tv.Compose.Seen = tv.LatestID
				tv.NewIDs = newer
				if len(p.Files) > 0 {
					tv.Compose.Error = d.T("ticket.files_again")
				}
			})
			return
		}
	}
	res, err := svc.AddMessage(ctx, v.Actor, id, ticket.MessageInput{Kind: draft.Kind, Body: p.Body, Status: p.Status, Channel: "agent", Attachments: p.Files})
	if err == nil {
		if draft.Kind == ticket.KindNote {
			page.SetFlash(w, "ticket.sent_note")
		} else {
			page.SetFlash(w, "ticket.sent_reply")
		}
		page.Redirect(w, r, ticketURL(res.TicketID, fmt.Sprintf("m%d", res.Message.ID)))
		return
	}
	if key := conflictKey(err); key != "" {
		rerender(http.StatusConflict, func(d *page.Data, tv *ticketView) { tv.Compose.Error = d.T(key) })
		return
	}
	if _, ok := validation.As(err); ok {
		rerender(http.StatusUnprocessableEntity, func(d *page.Data, tv *ticketView) {
			fieldErrors(d, err, tv.Compose.Errors, composeField)
			if len(p.Files) > 0 && tv.Compose.Errors["attachments"] == "" {
				tv.Compose.Error = d.T("ticket.files_again")
			}
		})
		return
	}
	h.Site.Fail(w, r, err)
}

func composeField(f string) string {
	switch {
	case f == "body", f == "status", f == "kind":
		return f
	case strings.HasPrefix(f, "attachments"):
		return "attachments"
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// ticketNumber reads "#1042" or "1042".
func ticketNumber(s string) (int64, bool) {
	n, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(s), "#"), 10, 64)
	return n, err == nil && n > 0
}

// mergeTicket merges this ticket into another, named by number, in two
// steps: the first post shows the target for confirmation (a merge closes
// this ticket and cannot be undone), the second (confirm=1) merges.
func (h *Handler) mergeTicket(w http.ResponseWriter, r *http.Request) {
	id, ok := h.ticketPost(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	v := page.ViewerFrom(ctx)
	if !v.Actor.CanEditTickets() {
		// The service refuses the merge itself; this spares a light agent
		// a confirmation step that can only fail.
		h.Site.Fail(w, r, auth.Forbidden("light agents cannot merge tickets"))
		return
	}
	svc := h.Site.App.Tickets
	form := numberForm{Number: strings.TrimSpace(r.PostFormValue("target"))}
	rerender := func(status int, mod func(d *page.Data, tv *ticketView)) {
		d, tv, err := h.loadTicket(r, id)
		if err != nil {
			h.Site.Fail(w, r, err)
			return
		}
		tv.Merge = form
		mod(d, tv)
		h.renderTicket(w, status, d, tv)
	}
	n, ok := ticketNumber(form.Number)
	var target ticket.Ticket
	var err error
	if ok {
		target, err = svc.ByNumber(ctx, v.Actor, n)
	}
	if !ok || ticketNotFound(err) {
		rerender(http.StatusUnprocessableEntity, func(d *page.Data, tv *ticketView) {
			tv.Merge.Error = d.T("ticket.err_no_ticket", form.Number)
		})
		return
	}
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	if r.PostFormValue("confirm") != "1" {
		rerender(http.StatusOK, func(d *page.Data, tv *ticketView) { tv.Merge.Confirm = &target })
		return
	}
	if _, err = svc.Merge(ctx, v.Actor, id, target.ID); err == nil {
		page.SetFlash(w, "ticket.merge_done")
		page.Redirect(w, r, ticketURL(target.ID, ""))
		return
	}
	if key := conflictKey(err); key != "" {
		rerender(http.StatusConflict, func(d *page.Data, tv *ticketView) { tv.Merge.Error = d.T(key) })
		return
	}
	if ve, ok := validation.As(err); ok {
		rerender(http.StatusUnprocessableEntity, func(d *page.Data, tv *ticketView) {
			tv.Merge.Error = d.T("ticket.err_invalid", ve.Fields[0].Detail)
		})
		return
	}
	h.Site.Fail(w, r, err)
}

// linkTicket relates this ticket to another, named by number.
func (h *Handler) linkTicket(w http.ResponseWriter, r *http.Request) {
	id, ok := h.ticketPost(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	v := page.ViewerFrom(ctx)
	svc := h.Site.App.Tickets
	form := numberForm{Number: strings.TrimSpace(r.PostFormValue("number"))}
	rerender := func(status int, msg func(d *page.Data) string) {
		d, tv, err := h.loadTicket(r, id)
		if err != nil {
			h.Site.Fail(w, r, err)
			return
		}
		tv.Link = form
		tv.Link.Error = msg(d)
		h.renderTicket(w, status, d, tv)
	}
	n, ok := ticketNumber(form.Number)
	var other ticket.Ticket
	var err error
	if ok {
		other, err = svc.ByNumber(ctx, v.Actor, n)
	}
	if !ok || ticketNotFound(err) {
		rerender(http.StatusUnprocessableEntity, func(d *page.Data) string { return d.T("ticket.err_no_ticket", form.Number) })
		return
	}
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	if _, err = svc.Link(ctx, v.Actor, id, other.ID); err == nil {
		page.SetFlash(w, "ticket.link_done")
		page.Redirect(w, r, ticketURL(id, "links"))
		return
	}
	if ve, ok := validation.As(err); ok {
		rerender(http.StatusUnprocessableEntity, func(d *page.Data) string { return d.T("ticket.err_invalid", ve.Fields[0].Detail) })
		return
	}
	h.Site.Fail(w, r, err)
}

// addFollower adds a follower by email address (a new address becomes a
// contact), so that they get the public replies too.
func (h *Handler) addFollower(w http.ResponseWriter, r *http.Request) {
	id, ok := h.ticketPost(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	v := page.ViewerFrom(ctx)
	form := numberForm{Number: strings.TrimSpace(r.PostFormValue("email"))}
	rerender := func(msg func(d *page.Data) string) {
		d, tv, err := h.loadTicket(r, id)
		if err != nil {
			h.Site.Fail(w, r, err)
			return
		}
		tv.Follower = form
		tv.Follower.Error = msg(d)
		h.renderTicket(w, http.StatusUnprocessableEntity, d, tv)
	}
	if !v.Actor.CanEditTickets() {
		h.Site.Fail(w, r, auth.Forbidden("only agents and admins change followers"))
		return
	}
	if _, ok := people.NormalizeEmail(form.Number); !ok {
		rerender(func(d *page.Data) string { return d.T("ticket.err_follower_email") })
		return
	}
	if err := h.Site.App.Tickets.Visible(ctx, v.Actor, id); err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	c, err := h.Site.App.People.EnsureContact(ctx, form.Number, "", "")
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	if _, err := h.Site.App.Tickets.AddFollowers(ctx, v.Actor, id, []int64{c.ID}); err != nil {
		if ve, ok := validation.As(err); ok {
			rerender(func(d *page.Data) string { return d.T("ticket.err_invalid", ve.Fields[0].Detail) })
			return
		}
		h.Site.Fail(w, r, err)
		return
	}
	page.SetFlash(w, "ticket.follower_added")
	page.Redirect(w, r, ticketURL(id, "followers"))
}

func (h *Handler) removeFollower(w http.ResponseWriter, r *http.Request) {
	id, ok := h.ticketPost(w, r)
	if !ok {
		return
	}
	contact, err := strconv.ParseInt(r.PathValue("contact"), 10, 64)
	if err != nil {
		h.Site.Fail(w, r, store.ErrNotFound)
		return
	}
	if err := h.Site.App.Tickets.RemoveFollower(r.Context(), page.ViewerFrom(r.Context()).Actor, id, contact); err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	page.SetFlash(w, "ticket.follower_removed")
	page.Redirect(w, r, ticketURL(id, "followers"))
}

// contentDisposition names a download; a name the header cannot carry
// falls back to a bare "attachment".
func contentDisposition(name string) string {
	if v := mime.FormatMediaType("attachment", map[string]string{"filename": name}); v != "" {
		return v
	}
	return "attachment"
}
