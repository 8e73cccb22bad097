package agent

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"tessera/internal/auth"
	"tessera/internal/store"
	"tessera/internal/ticket"
	"tessera/internal/validation"
	"tessera/internal/web/page"
)

// registerViews mounts saved views, bulk changes and search.
func (h *Handler) registerViews(mux *http.ServeMux) {
	s := h.Site
	mux.HandleFunc("GET /views/new", s.Agent(h.newViewForm))
	mux.HandleFunc("POST /views", s.Agent(h.createView))
	mux.HandleFunc("GET /views/saved/{id}", s.Agent(h.savedView))
	mux.HandleFunc("GET /views/saved/{id}/edit", s.Agent(h.editViewForm))
	mux.HandleFunc("POST /views/saved/{id}", s.Agent(h.updateView))
	mux.HandleFunc("POST /views/saved/{id}/delete", s.Agent(h.deleteView))
	mux.HandleFunc("POST /tickets/bulk", s.Agent(h.bulk))
	mux.HandleFunc("GET /search", s.Agent(h.search))
	// ticket list CSV (issue 8)
	mux.HandleFunc("GET /export/views/{name}", s.Agent(h.exportView))
	mux.HandleFunc("GET /export/views/saved/{id}", s.Agent(h.exportSaved))
}

func (h *Handler) savedView(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.Site.NotFound(w, r)
		return
	}
	h.renderSaved(w, r, id, listOpts{})
}

// renderSaved shows a saved view: its filter as the viewer sees it ("me"
// is whoever looks), and with a text query the matches best first.
func (h *Handler) renderSaved(w http.ResponseWriter, r *http.Request, id int64, o listOpts) {
	ctx := r.Context()
	v := page.ViewerFrom(ctx)
	sv, err := h.Site.App.Tickets.SavedView(ctx, v.Actor, id)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	f, q, err := h.Site.App.Tickets.FilterOf(ctx, v.Actor, sv.Filter, v.TZ)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	h.renderList(w, r, listPage{Key: savedKey(id), Saved: &sv, CanManage: sv.CanManage(v.Actor), Export: "/export" + savedURL(id)}, f, q, o)
}

// viewForm is the page that creates or edits a saved view.
type viewForm struct {
	ID       int64
	Name     string
	Shared   bool
	CanShare bool
	F        ticket.ViewFilter
	Tags     string
	Errors   map[string]string
	Statuses []ticket.Status
	Dir      directory
}

// Priorities, Channels and Sorts are the choices of the form.
func (viewForm) Priorities() []string { return ticket.Priorities }
func (viewForm) Channels() []string   { return ticket.Channels }
func (viewForm) Sorts() []string      { return ticket.Sorts }

// Action is where the form posts.
func (f viewForm) Action() string {
	if f.ID == 0 {
		return "/views"
	}
	return savedURL(f.ID)
}

func (h *Handler) newViewForm(w http.ResponseWriter, r *http.Request) {
	// A new view may start from a search or a list: ?q=&status=...
	q := r.URL.Query()
	in := ticket.SavedViewInput{Name: q.Get("name"), Filter: ticket.ViewFilter{Query: q.Get("q"), Status: q["status"], Priority: q["priority"],
		Assignee: q.Get("assignee"), Team: q.Get("team")}}
	h.renderViewForm(w, r, http.StatusOK, 0, in, nil)
}

func (h *Handler) editViewForm(w http.ResponseWriter, r *http.Request) {
	sv, ok := h.manageable(w, r)
	if !ok {
		return
	}
	h.renderViewForm(w, r, http.StatusOK, sv.ID, ticket.SavedViewInput{Name: sv.Name, Shared: sv.Shared(), Filter: sv.Filter}, nil)
}

// manageable loads the view of the path and checks the viewer may change
// it; otherwise it answers and returns false.
func (h *Handler) manageable(w http.ResponseWriter, r *http.Request) (ticket.SavedView, bool) {
	v := page.ViewerFrom(r.Context())
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.Site.NotFound(w, r)
		return ticket.SavedView{}, false
	}
	sv, err := h.Site.App.Tickets.SavedView(r.Context(), v.Actor, id)
	if err != nil {
		h.Site.Fail(w, r, err)
		return sv, false
	}
	if !sv.CanManage(v.Actor) {
		h.Site.Fail(w, r, auth.Forbidden("only admins change shared views"))
		return sv, false
	}
	return sv, true
}

func (h *Handler) renderViewForm(w http.ResponseWriter, r *http.Request, status int, id int64, in ticket.SavedViewInput, err error) {
	ctx := r.Context()
	v := page.ViewerFrom(ctx)
	d := h.Site.NewData(r, "")
	vf := viewForm{ID: id, Name: in.Name, Shared: in.Shared, CanShare: v.Actor.IsAdmin(), F: in.Filter, Tags: strings.Join(in.Filter.Tags, ", "), Errors: map[string]string{}}
	if ve, ok := validation.As(err); ok {
		for _, f := range ve.Fields {
			vf.Errors[f.Field] = fieldError(d, f)
		}
		d.Error = d.T("vf.fix")
	}
	var e error
	if vf.Statuses, e = h.Site.App.Tickets.Statuses(ctx); e != nil {
		h.Site.Fail(w, r, e)
		return
	}
	if vf.Dir, e = h.directory(ctx); e != nil {
		h.Site.Fail(w, r, e)
		return
	}
	if id == 0 {
		d.Title = d.T("vf.new_title")
	} else {
		d.Title = d.T("vf.edit_title")
	}
	active := ""
	if id != 0 {
		active = savedKey(id)
	}
	if d.Sidebar, e = h.sidebar(ctx, v, active); e != nil {
		h.Site.Fail(w, r, e)
		return
	}
	d.Page = vf
	h.Site.Render(w, status, "agent/view_form", d)
}

// fieldError words a field error of the view form in the viewer's
// language; details the form cannot cause come as the service wrote them.
func fieldError(d *page.Data, f validation.FieldError) string {
	key := "vf.err." + f.Field
	if t := d.T(key); t != key {
		return t
	}
	return f.Detail
}

// readViewForm reads the fields of the view form.
func readViewForm(r *http.Request) ticket.SavedViewInput {
	f := r.PostForm
	return ticket.SavedViewInput{
		Name:   f.Get("name"),
		Shared: f.Get("shared") == "1",
		Filter: ticket.ViewFilter{
			Status: f["status"], Priority: f["priority"], Channel: f["channel"],
			Assignee: f.Get("assignee"), Team: f.Get("team"), Tags: splitTags(f.Get("tags")),
			Requester: f.Get("requester"), Organization: f.Get("organization"),
			CreatedFrom: f.Get("created_from"), CreatedTo: f.Get("created_to"),
			UpdatedFrom: f.Get("updated_from"), UpdatedTo: f.Get("updated_to"),
			Query: f.Get("q"), Sort: f.Get("sort"), Dir: f.Get("dir"),
		},
	}
}

func (h *Handler) createView(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := page.ViewerFrom(ctx)
	if err := r.ParseForm(); err != nil {
		h.Site.Fail(w, r, validation.Field("body", "is not a form"))
		return
	}
	in := readViewForm(r)
	sv, err := h.Site.App.Tickets.CreateSavedView(ctx, v.Actor, in)
	if _, ok := validation.As(err); ok {
		h.renderViewForm(w, r, http.StatusUnprocessableEntity, 0, in, err)
		return
	}
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	counts.forget(h.Site, v.Actor.ID)
	page.SetFlash(w, "vf.created")
	page.Redirect(w, r, savedURL(sv.ID))
}

func (h *Handler) updateView(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := page.ViewerFrom(ctx)
	sv, ok := h.manageable(w, r)
	if !ok {
		return
	}
	if err := r.ParseForm(); err != nil {
		h.Site.Fail(w, r, validation.Field("body", "is not a form"))
		return
	}
	in := readViewForm(r)
	if !v.Actor.IsAdmin() {
		in.Shared = false // the box is not offered; own views stay own
	}
	_, err := h.Site.App.Tickets.UpdateSavedView(ctx, v.Actor, sv.ID, in)
	if _, ok := validation.As(err); ok {
		h.renderViewForm(w, r, http.StatusUnprocessableEntity, sv.ID, in, err)
		return
	}
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	counts.forget(h.Site, v.Actor.ID)
	page.SetFlash(w, "vf.updated")
	page.Redirect(w, r, savedURL(sv.ID))
}

func (h *Handler) deleteView(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := page.ViewerFrom(ctx)
	sv, ok := h.manageable(w, r)
	if !ok {
		return
	}
	if err := h.Site.App.Tickets.DeleteSavedView(ctx, v.Actor, sv.ID); err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	counts.forget(h.Site, v.Actor.ID)
	page.SetFlash(w, "vf.deleted")
	page.Redirect(w, r, "/")
}

// searchPage is the page of search results.
type searchPage struct {
	Q     string
	Hits  []searchHit
	Next  string
	First string
	Dir   directory
	// SaveURL starts a saved view with this query.
	SaveURL string
}

// searchHit is a result with its highlights made safe to show.
type searchHit struct {
	Ticket           ticket.Ticket
	Subject, Excerpt template.HTML
}

// search shows the tickets matching q, best first, with highlighted
// subjects and excerpts. A ticket number ("1042" or "#1042") that exists
// opens that ticket.
func (h *Handler) search(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := page.ViewerFrom(ctx)
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	cursor := r.URL.Query().Get("cursor")
	d := h.Site.NewData(r, "")
	d.Title = d.T("search.title")
	sp := searchPage{Q: q}
	status := http.StatusOK
	if q != "" && cursor == "" {
		if n, err := strconv.ParseInt(strings.TrimPrefix(q, "#"), 10, 64); err == nil && n > 0 {
			t, err := h.Site.App.Tickets.ByNumber(ctx, v.Actor, n)
			if err == nil {
				http.Redirect(w, r, "/tickets/"+strconv.FormatInt(t.ID, 10), http.StatusSeeOther)
				return
			}
			if !isNotFound(err) {
				h.Site.Fail(w, r, err)
				return
			}
		}
	}
	if q != "" {
		res, err := h.Site.App.Tickets.Search(ctx, v.Actor, q, cursor, 25)
		if ve, ok := validation.As(err); ok {
			status = http.StatusUnprocessableEntity
			msgs := make([]string, 0, len(ve.Fields))
			for _, f := range ve.Fields {
				msgs = append(msgs, fieldError(d, f))
			}
			d.Error = strings.Join(msgs, " ")
		} else if err != nil {
			h.Site.Fail(w, r, err)
			return
		}
		for _, hit := range res.Items {
			sp.Hits = append(sp.Hits, searchHit{Ticket: hit.Ticket, Subject: marked(hit.Subject), Excerpt: marked(hit.Excerpt)})
		}
		if res.NextCursor != "" {
			sp.Next = "/search?" + url.Values{"q": {q}, "cursor": {res.NextCursor}}.Encode()
		}
		if cursor != "" {
			sp.First = "/search?" + url.Values{"q": {q}}.Encode()
		}
		sp.SaveURL = "/views/new?" + url.Values{"q": {q}}.Encode()
		d.Title = d.T("search.title_q", q)
	}
	var err error
	if sp.Dir, err = h.directory(ctx); err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	if d.Sidebar, err = h.sidebar(ctx, v, ""); err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	d.Page = sp
	h.Site.Render(w, status, "agent/search", d)
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
