package agent

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"tessera/internal/ticket"
	"tessera/internal/web/page"
)

// Statuses, custom fields and tags.

type adminStatusGroup struct {
	Category string
	Statuses []ticket.Status
}

type adminStatusesPage struct {
	adminBase
	Groups []adminStatusGroup
}

func (h *Handler) adminStatuses(w http.ResponseWriter, r *http.Request) {
	sts, err := h.Site.App.Tickets.Statuses(r.Context())
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	var groups []adminStatusGroup
	for _, c := range ticket.Categories {
		g := adminStatusGroup{Category: c}
		for _, st := range sts {
			if st.Category == c {
				g.Statuses = append(g.Statuses, st)
			}
		}
		groups = append(groups, g)
	}
	h.renderAdmin(w, r, "admin/statuses", "admin.statuses", adminStatusesPage{adminBase: newAdminBase("statuses", nil), Groups: groups}, nil)
}

type adminStatusPage struct {
	adminBase
	Status     *ticket.Status // nil for a new status
	Categories []string
}

func (h *Handler) renderStatusForm(w http.ResponseWriter, r *http.Request, st *ticket.Status, f *adminForm) {
	title := "admin.status_new"
	if st != nil {
		title = "admin.status_edit"
	}
	h.renderAdmin(w, r, "admin/status", title, adminStatusPage{adminBase: newAdminBase("statuses", f), Status: st, Categories: ticket.Categories}, f)
}

func (h *Handler) adminStatusNew(w http.ResponseWriter, r *http.Request) {
	f := newAdminForm(nil)
	f.Values.Set("category", r.URL.Query().Get("category"))
	f.Values.Set("position", "0")
	h.renderStatusForm(w, r, nil, f)
}

func (h *Handler) adminStatusCreate(w http.ResponseWriter, r *http.Request) {
	f, err := adminPosted(w, r)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	st := ticket.Status{Key: strings.TrimSpace(f.Get("key")), Name: f.Get("name"), Category: f.Get("category")}
	if formInt(f, "position", &st.Position) {
		_, err := h.Site.App.Tickets.CreateStatus(r.Context(), page.ViewerFrom(r.Context()).Actor, st)
		if h.settle(w, r, f, err, nil, "admin.status_created", "/admin/statuses") {
			return
		}
	}
	h.renderStatusForm(w, r, nil, f)
}

func (h *Handler) adminStatus(w http.ResponseWriter, r *http.Request) (*ticket.Status, bool) {
	st, err := h.Site.App.Tickets.GetStatus(r.Context(), r.PathValue("key"))
	if err != nil {
		h.Site.Fail(w, r, err)
		return nil, false
	}
	return &st, true
}

func (h *Handler) adminStatusEdit(w http.ResponseWriter, r *http.Request) {
	st, ok := h.adminStatus(w, r)
	if !ok {
		return
	}
	f := newAdminForm(nil)
	f.Values.Set("name", st.Name)
	f.Values.Set("position", strconv.Itoa(st.Position))
	f.Values.Set("active", boolValue(st.Active))
	h.renderStatusForm(w, r, st, f)
}

func (h *Handler) adminStatusUpdate(w http.ResponseWriter, r *http.Request) {
	st, ok := h.adminStatus(w, r)
	if !ok {
		return
	}
	f, err := adminPosted(w, r)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	name, pos := f.Get("name"), st.Position
	in := ticket.StatusChange{Name: &name, Position: &pos}
	if !st.Builtin {
		// A built-in status has no active box: it is always active.
		active := f.On("active")
		in.Active = &active
	}
	if formInt(f, "position", &pos) {
		_, err := h.Site.App.Tickets.UpdateStatus(r.Context(), page.ViewerFrom(r.Context()).Actor, st.Key, in)
		if h.settle(w, r, f, err, nil, "admin.saved", "/admin/statuses") {
			return
		}
	}
	h.renderStatusForm(w, r, st, f)
}

type adminFieldsPage struct {
	adminBase
	Fields []ticket.FieldDef
}

func (h *Handler) adminFields(w http.ResponseWriter, r *http.Request) {
	defs, err := h.Site.App.Tickets.Fields(r.Context())
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	h.renderAdmin(w, r, "admin/fields", "admin.fields", adminFieldsPage{adminBase: newAdminBase("fields", nil), Fields: defs}, nil)
}

type adminFieldPage struct {
	adminBase
	Field *ticket.FieldDef // nil for a new field
	Kinds []string
}

func (h *Handler) renderFieldForm(w http.ResponseWriter, r *http.Request, fd *ticket.FieldDef, f *adminForm) {
	title := "admin.field_new"
	if fd != nil {
		title = "admin.field_edit"
	}
	h.renderAdmin(w, r, "admin/field", title, adminFieldPage{adminBase: newAdminBase("fields", f), Field: fd, Kinds: ticket.FieldKinds}, f)
}

func (h *Handler) adminFieldNew(w http.ResponseWriter, r *http.Request) {
	f := newAdminForm(nil)
	f.Values.Set("kind", "text")
	f.Values.Set("position", "0")
	h.renderFieldForm(w, r, nil, f)
}

func (h *Handler) adminFieldCreate(w http.ResponseWriter, r *http.Request) {
	f, err := adminPosted(w, r)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	fd := ticket.FieldDef{Key: strings.TrimSpace(f.Get("key")), Name: f.Get("name"), Kind: f.Get("kind"), Required: f.On("required"), Portal: f.On("portal")}
	if fd.Kind == "dropdown" {
		fd.Options = splitLines(f.Get("options"))
	}
	if formInt(f, "position", &fd.Position) {
		_, err := h.Site.App.Tickets.CreateField(r.Context(), page.ViewerFrom(r.Context()).Actor, fd)
		if h.settle(w, r, f, err, nil, "admin.field_created", "/admin/fields") {
			return
		}
	}
	h.renderFieldForm(w, r, nil, f)
}

func (h *Handler) adminField(w http.ResponseWriter, r *http.Request) (*ticket.FieldDef, bool) {
	return byPathID(h, w, r, h.Site.App.Tickets.GetField)
}

func (h *Handler) adminFieldEdit(w http.ResponseWriter, r *http.Request) {
	fd, ok := h.adminField(w, r)
	if !ok {
		return
	}
	f := newAdminForm(nil)
	f.Values.Set("name", fd.Name)
	f.Values.Set("options", strings.Join(fd.Options, "\n"))
	f.Values.Set("required", boolValue(fd.Required))
	f.Values.Set("position", strconv.Itoa(fd.Position))
	f.Values.Set("active", boolValue(fd.Active))
	f.Values.Set("portal", boolValue(fd.Portal))
	h.renderFieldForm(w, r, fd, f)
}

func (h *Handler) adminFieldUpdate(w http.ResponseWriter, r *http.Request) {
	fd, ok := h.adminField(w, r)
	if !ok {
		return
	}
	f, err := adminPosted(w, r)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	name, required, active, onPortal, pos := f.Get("name"), f.On("required"), f.On("active"), f.On("portal"), fd.Position
	in := ticket.FieldChange{Name: &name, Required: &required, Active: &active, Portal: &onPortal, Position: &pos}
	if fd.Kind == "dropdown" {
		opts := splitLines(f.Get("options"))
		in.Options = &opts
	}
	if formInt(f, "position", &pos) {
		_, err := h.Site.App.Tickets.UpdateField(r.Context(), page.ViewerFrom(r.Context()).Actor, fd.ID, in)
		if h.settle(w, r, f, err, nil, "admin.saved", "/admin/fields") {
			return
		}
	}
	h.renderFieldForm(w, r, fd, f)
}

// Tags: a page of tags at a time, each counted up to adminTagCap.
const (
	adminTagPage = 100
	adminTagCap  = 1000
)

type adminTagsPage struct {
	adminBase
	Tags   []ticket.TagCount
	Prefix string
	Next   string // the query of the next page, if any
	// Row is the tag whose rename was refused, to show the error there.
	Row string
}

func (h *Handler) renderTags(w http.ResponseWriter, r *http.Request, f *adminForm) {
	q := r.URL.Query()
	prefix, after := q.Get("prefix"), q.Get("after")
	tags, err := h.Site.App.Tickets.TagCounts(r.Context(), prefix, after, adminTagPage+1, adminTagCap)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	p := adminTagsPage{adminBase: newAdminBase("tags", f), Prefix: prefix, Row: f.Get("from")}
	if len(tags) > adminTagPage {
		tags = tags[:adminTagPage]
		next := url.Values{"after": {tags[len(tags)-1].Name}}
		if prefix != "" {
			next.Set("prefix", prefix)
		}
		p.Next = next.Encode()
	}
	p.Tags = tags
	h.renderAdmin(w, r, "admin/tags", "admin.tags", p, f)
}

func (h *Handler) adminTags(w http.ResponseWriter, r *http.Request) {
	h.renderTags(w, r, newAdminForm(nil))
}

// adminTagFlash says whether the change is done or goes on in the
// background.
func adminTagFlash(n int, done, queued string) string {
	if n > ticket.RetagBatchSize {
		return queued
	}
	return done
}

func (h *Handler) adminTagRename(w http.ResponseWriter, r *http.Request) {
	f, err := adminPosted(w, r)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	n, err := h.Site.App.Tickets.RenameTag(r.Context(), page.ViewerFrom(r.Context()).Actor, f.Get("from"), f.Get("to"))
	if h.settle(w, r, f, err, nil, adminTagFlash(n, "admin.tag_renamed", "admin.tag_rename_queued"), "/admin/tags") {
		return
	}
	h.renderTags(w, r, f)
}

type adminTagDeletePage struct {
	adminBase
	Tag ticket.TagCount
}

// adminTagDeleteConfirm asks before a tag is taken off every ticket: the
// change cannot be undone in one step.
func (h *Handler) adminTagDeleteConfirm(w http.ResponseWriter, r *http.Request) {
	tc, err := h.Site.App.Tickets.CountTag(r.Context(), r.URL.Query().Get("tag"), adminTagCap)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	h.renderAdmin(w, r, "admin/tag_delete", "admin.tag_delete", adminTagDeletePage{adminBase: newAdminBase("tags", nil), Tag: tc}, nil)
}

func (h *Handler) adminTagDelete(w http.ResponseWriter, r *http.Request) {
	f, err := adminPosted(w, r)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	n, err := h.Site.App.Tickets.DeleteTag(r.Context(), page.ViewerFrom(r.Context()).Actor, f.Get("tag"))
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	adminDone(w, r, adminTagFlash(n, "admin.tag_deleted", "admin.tag_delete_queued"), "/admin/tags")
}
