package agent

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"tessera/internal/auth"
	"tessera/internal/people"
	"tessera/internal/store"
	"tessera/internal/ticket"
	"tessera/internal/validation"
	"tessera/internal/web/page"
)

// bulkBar is the form under a list that changes the selected tickets.
type bulkBar struct {
	Show     bool // the viewer may change tickets
	Back     string
	Checked  []int64
	Form     url.Values
	Statuses []ticket.Status
	Agents   []people.Agent
	Teams    []people.Team
	Max      int
}

// IsChecked says whether a row's box is ticked (kept after a refused
// change).
func (b bulkBar) IsChecked(id int64) bool { return slices.Contains(b.Checked, id) }

// Priorities are the choices of the priority picker.
func (bulkBar) Priorities() []string { return ticket.Priorities }

// Value is a field's value as last sent.
func (b bulkBar) Value(name string) string { return b.Form.Get(name) }

func (h *Handler) bulkBar(ctx context.Context, v *page.Viewer, r *http.Request, rows []ticket.Ticket, dir directory, o listOpts) (bulkBar, error) {
	b := bulkBar{Show: v.Actor.CanEditTickets(), Back: r.URL.RequestURI(), Checked: o.checked, Form: o.form, Max: ticket.MaxBulk}
	if b.Form == nil {
		b.Form = url.Values{}
	}
	if !b.Show || len(rows) == 0 {
		return b, nil
	}
	sts, err := h.Site.App.Tickets.Statuses(ctx)
	if err != nil {
		return b, err
	}
	for _, st := range sts {
		if st.Active && st.Category != ticket.StatusNew && st.Category != ticket.StatusClosed {
			b.Statuses = append(b.Statuses, st)
		}
	}
	b.Agents, b.Teams = dir.Assignable(), dir.TeamList
	return b, nil
}

// bulk applies one change to the selected tickets (POST /tickets/bulk)
// and goes back to the list with a report: how many changed, and which
// failed and why. Input wrong for every ticket alike re-renders the list
// with the error and the selection kept (422).
func (h *Handler) bulk(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := page.ViewerFrom(ctx)
	if err := r.ParseForm(); err != nil {
		h.Site.Fail(w, r, validation.Field("body", "is not a form"))
		return
	}
	back := page.LocalPath(r.PostForm.Get("back"), "/")
	var ids []int64
	badID := false
	for _, s := range r.PostForm["ids"] {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			badID = true
			continue
		}
		ids = append(ids, id)
	}
	in, err := h.bulkInput(ctx, v.Actor, r.PostForm)
	if err == nil && badID {
		err = validation.Field("ids", "are not tickets")
	}
	var res ticket.BulkResult
	if err == nil {
		in.IDs = ids
		res, err = h.Site.App.Tickets.Bulk(ctx, v.Actor, in)
	}
	if ve, ok := validation.As(err); ok {
		h.bulkRefused(w, r, back, ids, ve)
		return
	}
	if err != nil && len(res.Updated) == 0 {
		h.Site.Fail(w, r, err)
		return
	}
	if err != nil { // stopped half-way: say what was done
		h.Log.Error("bulk change stopped", "err", err, "updated", len(res.Updated))
		res.Failed = append(res.Failed, ticket.BulkFailure{Err: err})
	}
	counts.forget(h.Site, v.Actor.ID)
	d := h.Site.NewData(r, "")
	setBulkReport(w, h.bulkReport(d, res))
	page.Redirect(w, r, back)
}

// bulkInput reads the action of the bulk bar. Which button was pressed
// names the action; its value comes from the field beside it.
func (h *Handler) bulkInput(ctx context.Context, actor auth.Actor, f url.Values) (ticket.BulkInput, error) {
	var in ticket.BulkInput
	val := func(name string) string { return strings.TrimSpace(f.Get(name)) }
	switch f.Get("action") {
	case "assign":
		switch a := val("assignee"); a {
		case "":
			return in, validation.Field("assignee", "choose an agent")
		case "none":
			in.Update.AssigneeID = ticket.Optional[int64]{Set: true}
		case "me":
			id := actor.ID
			in.Update.AssigneeID = ticket.Optional[int64]{Set: true, Value: &id}
		default:
			id, err := strconv.ParseInt(a, 10, 64)
			if err != nil {
				return in, validation.Field("assignee", "choose an agent")
			}
			in.Update.AssigneeID = ticket.Optional[int64]{Set: true, Value: &id}
		}
	case "team":
		switch t := val("team"); t {
		case "":
			return in, validation.Field("team", "choose a team")
		case "none":
			in.Update.TeamID = ticket.Optional[int64]{Set: true}
		default:
			id, err := strconv.ParseInt(t, 10, 64)
			if err != nil {
				return in, validation.Field("team", "choose a team")
			}
			in.Update.TeamID = ticket.Optional[int64]{Set: true, Value: &id}
		}
	case "status":
		st := val("status")
		if st == "" {
			return in, validation.Field("status", "choose a status")
		}
		in.Update.Status = &st
	case "priority":
		p := val("priority")
		if p == "" {
			return in, validation.Field("priority", "choose a priority")
		}
		in.Update.Priority = &p
	case "add_tags", "remove_tags":
		tags := splitTags(val("tags"))
		if len(tags) == 0 {
			return in, validation.Field("tags", "name at least one tag")
		}
		if f.Get("action") == "add_tags" {
			in.Update.AddTags = tags
		} else {
			in.Update.RemoveTags = tags
		}
	case "merge":
		n, err := strconv.ParseInt(strings.TrimPrefix(val("into"), "#"), 10, 64)
		if err != nil {
			return in, validation.Field("into", "choose the ticket to merge into")
		}
		t, err := h.Site.App.Tickets.ByNumber(ctx, actor, n)
		if errors.Is(err, store.ErrNotFound) {
			return in, validation.Field("into", "ticket #%d does not exist", n)
		}
		if err != nil {
			return in, err
		}
		in.MergeInto = t.ID
	default:
		return in, validation.Field("action", "choose a change")
	}
	return in, nil
}

// splitTags reads tags typed with commas or spaces between them.
func splitTags(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' })
}

// bulkRefused shows the list the change came from again, with the error
// and the selection kept. A "back" that is not a list gets the error page.
func (h *Handler) bulkRefused(w http.ResponseWriter, r *http.Request, back string, ids []int64, ve *validation.Error) {
	u, err := url.Parse(back)
	if err != nil {
		h.Site.Fail(w, r, ve)
		return
	}
	d := h.Site.NewData(r, "")
	o := listOpts{status: http.StatusUnprocessableEntity, checked: ids, form: r.PostForm}
	msgs := make([]string, 0, len(ve.Fields))
	for _, f := range ve.Fields {
		msgs = append(msgs, fieldMessage(d, f))
	}
	o.err = d.T("bulk.refused", strings.Join(msgs, " "))
	r2 := r.Clone(r.Context())
	r2.Method = http.MethodGet
	r2.URL = u
	switch {
	case u.Path == "/":
		h.renderView(w, r2, "mine", o)
	case strings.HasPrefix(u.Path, "/views/saved/"):
		id, err := strconv.ParseInt(strings.TrimPrefix(u.Path, "/views/saved/"), 10, 64)
		if err != nil {
			h.Site.Fail(w, r, ve)
			return
		}
		h.renderSaved(w, r2, id, o)
	case strings.HasPrefix(u.Path, "/views/") && !strings.Contains(u.Path[len("/views/"):], "/"):
		h.renderView(w, r2, u.Path[len("/views/"):], o)
	default:
		h.Site.Fail(w, r, ve)
	}
}

// fieldMessage words one field error of the bulk bar.
func fieldMessage(d *page.Data, f validation.FieldError) string {
	switch f.Field {
	case "ids":
		return d.T("bulk.err_ids", ticket.MaxBulk)
	case "action":
		return d.T("bulk.err_action")
	}
	return f.Field + ": " + f.Detail
}

// bulkReport words the result: "3 updated, 1 failed: #1042 requires
// field X". At most five failures are named.
func (h *Handler) bulkReport(d *page.Data, res ticket.BulkResult) bulkReport {
	rep := bulkReport{Text: d.T("bulk.updated", len(res.Updated))}
	if len(res.Failed) == 0 {
		return rep
	}
	rep.Failed = true
	var reasons []string
	for i, f := range res.Failed {
		if i == 5 {
			reasons = append(reasons, d.T("bulk.and_more", len(res.Failed)-5))
			break
		}
		who := d.T("bulk.ticket_id", strconv.FormatInt(f.ID, 10))
		if f.Number != 0 {
			who = "#" + strconv.FormatInt(f.Number, 10)
		}
		reasons = append(reasons, who+" "+failureReason(d, f.Err))
	}
	rep.Text += ", " + d.T("bulk.failed", len(res.Failed)) + ": " + strings.Join(reasons, "; ")
	return rep
}

func failureReason(d *page.Data, err error) string {
	if ve, ok := validation.As(err); ok {
		var parts []string
		for _, f := range ve.Fields {
			if key, ok := strings.CutPrefix(f.Field, "custom_fields."); ok && strings.Contains(f.Detail, "required") {
				parts = append(parts, d.T("bulk.requires_field", key))
				continue
			}
			parts = append(parts, f.Field+" "+f.Detail)
		}
		return strings.Join(parts, ", ")
	}
	switch {
	case errors.Is(err, auth.ErrForbidden):
		return d.T("bulk.err_forbidden")
	case errors.Is(err, store.ErrNotFound):
		return d.T("bulk.err_not_found")
	case errors.Is(err, ticket.ErrClosed):
		return d.T("bulk.err_closed")
	case errors.Is(err, ticket.ErrMerged):
		return d.T("bulk.err_merged")
	}
	return d.T("bulk.err_internal")
}

// bulkReport is the outcome shown once on the next page. It travels in a
// cookie of its own, already in the viewer's language: the shared flash
// carries only message keys, and this text names tickets.
type bulkReport struct {
	Text   string
	Failed bool
}

const bulkCookie = "tessera_bulk"

func setBulkReport(w http.ResponseWriter, rep bulkReport) {
	text := validation.Truncate(rep.Text, 600) // a cookie holds about 4 KB
	kind := "ok:"
	if rep.Failed {
		kind = "failed:"
	}
	http.SetCookie(w, &http.Cookie{Name: bulkCookie, Value: base64.RawURLEncoding.EncodeToString([]byte(kind + text)), Path: "/", MaxAge: 60,
		HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// takeBulkReport moves a waiting bulk report into the page's flash.
func takeBulkReport(w http.ResponseWriter, r *http.Request, d *page.Data) {
	c, err := r.Cookie(bulkCookie)
	if err != nil || c.Value == "" {
		return
	}
	http.SetCookie(w, &http.Cookie{Name: bulkCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
	b, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil {
		return
	}
	if text, ok := strings.CutPrefix(string(b), "failed:"); ok {
		d.Error = text
	} else if text, ok := strings.CutPrefix(string(b), "ok:"); ok {
		d.Flash = text
	}
}
