package agent

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"tessera/internal/auth"
	"tessera/internal/kb"
	"tessera/internal/validation"
	"tessera/internal/web/page"
)

// The knowledge base's files, history and categories in the workspace
// (feature kbmacros): an article's files are uploaded from its editor and
// inserted in its Markdown; an earlier version is shown beside the current
// one and can be restored; admins arrange the categories and sections.

func (h *Handler) registerKBManage(mux *http.ServeMux) {
	s := h.Site
	mux.HandleFunc("POST /kb/{id}/files/upload", s.Agent(h.kbFileUpload))
	mux.HandleFunc("POST /kb/{id}/files/{fid}/delete", s.Agent(h.kbFileDelete))
	mux.HandleFunc("GET /kb/{id}/revisions/{rid}", s.Agent(h.kbRevision))
	mux.HandleFunc("POST /kb/{id}/revisions/{rid}/restore", s.Agent(h.kbRestore))

	a := h.adminOnly
	mux.HandleFunc("GET /kb/categories", a(h.kbCategories))
	mux.HandleFunc("POST /kb/categories", a(h.kbCategoryCreate))
	mux.HandleFunc("GET /kb/categories/{id}", a(h.kbCategoryEdit))
	mux.HandleFunc("POST /kb/categories/{id}", a(h.kbCategoryUpdate))
	mux.HandleFunc("POST /kb/categories/{id}/delete", a(h.kbCategoryDelete))
}

func kbPath(id int64) string { return "/kb/" + strconv.FormatInt(id, 10) }

func (h *Handler) kbFileUpload(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	actor := page.ViewerFrom(ctx).Actor
	a, ok := h.kbArticle(w, r)
	if !ok {
		return
	}
	p, err := readMessagePost(w, r, h.messageLimit())
	if err == nil {
		_, err = h.Site.App.KB.Attach(ctx, actor, a.ID, p.Files)
	}
	if err != nil {
		// The editor shows again, with what was wrong under the file input.
		if ve, ok := validation.As(err); ok || errors.Is(err, errTooLarge) {
			f := kbValues(*a)
			if ok {
				for _, fe := range ve.Fields {
					f.add("files", fe.Field+": "+fe.Detail)
				}
			} else {
				f.add("files", h.Site.NewData(r, "").T("ticket.err_too_large"))
			}
			h.renderKBForm(w, r, a, f)
			return
		}
		if errors.Is(err, auth.ErrForbidden) {
			f := kbValues(*a)
			f.add("files", h.Site.NewData(r, "").T("kb.cannot_publish"))
			h.renderKBForm(w, r, a, f)
			return
		}
		h.Site.Fail(w, r, err)
		return
	}
	adminDone(w, r, "kb.files_saved", kbPath(a.ID)+"#files")
}

func (h *Handler) kbFileDelete(w http.ResponseWriter, r *http.Request) {
	actor := page.ViewerFrom(r.Context()).Actor
	a, ok := h.kbArticle(w, r)
	if !ok {
		return
	}
	fid, ok := pathInt(r, "fid")
	if !ok {
		h.Site.NotFound(w, r)
		return
	}
	if err := h.Site.App.KB.DeleteAttachment(r.Context(), actor, a.ID, fid); err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	adminDone(w, r, "kb.file_deleted", kbPath(a.ID)+"#files")
}

// kbRevisionPage shows an earlier version beside the current one.
type kbRevisionPage struct {
	Article  kb.Article
	Revision kb.Revision
	Diff     []kb.DiffLine
	Added    int
	Removed  int
}

func (h *Handler) kbRevision(w http.ResponseWriter, r *http.Request) {
	actor := page.ViewerFrom(r.Context()).Actor
	a, ok := h.kbArticle(w, r)
	if !ok {
		return
	}
	rid, ok := pathInt(r, "rid")
	if !ok {
		h.Site.NotFound(w, r)
		return
	}
	rev, err := h.Site.App.KB.Revision(r.Context(), actor, a.ID, rid)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	p := kbRevisionPage{Article: *a, Revision: rev, Diff: kb.Diff(rev.Body, a.Body)}
	for _, d := range p.Diff {
		switch d.Op {
		case "+":
			p.Added++
		case "-":
			p.Removed++
		}
	}
	h.renderKB(w, r, http.StatusOK, "agent/kb_revision", "kb.revision", p)
}

func (h *Handler) kbRestore(w http.ResponseWriter, r *http.Request) {
	actor := page.ViewerFrom(r.Context()).Actor
	a, ok := h.kbArticle(w, r)
	if !ok {
		return
	}
	rid, ok := pathInt(r, "rid")
	if !ok {
		h.Site.NotFound(w, r)
		return
	}
	if _, err := h.Site.App.KB.Restore(r.Context(), actor, a.ID, rid); err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	adminDone(w, r, "kb.restored", kbPath(a.ID))
}

// kbCategoriesPage lists the categories with their sections under them,
// and the form that adds one.
type kbCategoriesPage struct {
	Tree    []kbCategoryNode
	All     []kb.Category
	Form    *adminForm
	Refused *adminForm
	Locales []string
	Edit    *kb.Category // the category being edited, on its own page
}

type kbCategoryNode struct {
	kb.Category
	Sections []kb.Category
}

func (h *Handler) renderKBCategories(w http.ResponseWriter, r *http.Request, edit *kb.Category, f *adminForm) {
	cats, err := h.Site.App.KB.Categories(r.Context(), "")
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	p := kbCategoriesPage{All: cats, Form: f, Refused: f, Locales: kb.Locales, Edit: edit}
	byParent := map[int64][]kb.Category{}
	for _, c := range cats {
		if c.ParentID != nil {
			byParent[*c.ParentID] = append(byParent[*c.ParentID], c)
		}
	}
	known := map[int64]bool{}
	for _, c := range cats {
		known[c.ID] = true
	}
	for _, c := range cats {
		// Deeper sections show under their own parent's entry; a top-level
		// category (or one whose parent is gone) starts a group.
		if c.ParentID == nil || !known[*c.ParentID] {
			p.Tree = append(p.Tree, kbCategoryNode{Category: c, Sections: descendants(byParent, c.ID, 0)})
		}
	}
	status := http.StatusOK
	if f.Invalid() {
		status = http.StatusUnprocessableEntity
	}
	title := "kb.categories"
	if edit != nil {
		title = "kb.category_edit"
	}
	h.renderKB(w, r, status, "agent/kb_categories", title, p)
}

// descendants lists a category's sections depth first, bounded in depth
// so a corrupt loop cannot hang the page.
func descendants(byParent map[int64][]kb.Category, id int64, depth int) []kb.Category {
	if depth > 10 {
		return nil
	}
	var out []kb.Category
	for _, c := range byParent[id] {
		out = append(out, c)
		out = append(out, descendants(byParent, c.ID, depth+1)...)
	}
	return out
}

func kbCategoryValues(c kb.Category) *adminForm {
	f := newAdminForm(nil)
	f.Values.Set("name", c.Name)
	f.Values.Set("description", c.Description)
	f.Values.Set("locale", c.Locale)
	f.Values.Set("position", strconv.Itoa(c.Position))
	if c.ParentID != nil {
		f.Values.Set("parent_id", strconv.FormatInt(*c.ParentID, 10))
	}
	if c.TranslationOf != nil {
		f.Values.Set("translation_of", strconv.FormatInt(*c.TranslationOf, 10))
	}
	return f
}

func kbCategoryInput(f *adminForm) (kb.CategoryInput, bool) {
	name, desc, locale := f.Get("name"), f.Get("description"), strings.TrimSpace(f.Get("locale"))
	pos := 0
	ok := formInt(f, "position", &pos)
	parent, _ := strconv.ParseInt(f.Get("parent_id"), 10, 64)
	tr, _ := strconv.ParseInt(f.Get("translation_of"), 10, 64)
	return kb.CategoryInput{Name: &name, Description: &desc, Locale: &locale, Position: &pos, ParentID: &parent, TranslationOf: &tr}, ok
}

func (h *Handler) kbCategories(w http.ResponseWriter, r *http.Request) {
	f := newAdminForm(nil)
	f.Values.Set("locale", h.Site.NewData(r, "").Lang())
	// ?translate=ID starts the form as a translation of that category.
	if id, err := strconv.ParseInt(r.URL.Query().Get("translate"), 10, 64); err == nil && id > 0 {
		if c, err := h.Site.App.KB.Category(r.Context(), id); err == nil {
			f.Values.Set("translation_of", strconv.FormatInt(c.ID, 10))
			f.Values.Set("name", c.Name)
			f.Values.Set("description", c.Description)
			f.Values.Set("position", strconv.Itoa(c.Position))
		}
	}
	h.renderKBCategories(w, r, nil, f)
}

func (h *Handler) kbCategoryCreate(w http.ResponseWriter, r *http.Request) {
	actor := page.ViewerFrom(r.Context()).Actor
	f, err := adminPosted(w, r)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	in, ok := kbCategoryInput(f)
	if ok {
		if *in.ParentID == 0 {
			in.ParentID = nil
		}
		_, err = h.Site.App.KB.CreateCategory(r.Context(), actor, in)
		if h.settle(w, r, f, err, nil, "kb.category_saved", "/kb/categories") {
			return
		}
	}
	h.renderKBCategories(w, r, nil, f)
}

func (h *Handler) kbCategoryByPath(w http.ResponseWriter, r *http.Request) (*kb.Category, bool) {
	return byPathID(h, w, r, h.Site.App.KB.Category)
}

func (h *Handler) kbCategoryEdit(w http.ResponseWriter, r *http.Request) {
	c, ok := h.kbCategoryByPath(w, r)
	if !ok {
		return
	}
	h.renderKBCategories(w, r, c, kbCategoryValues(*c))
}

func (h *Handler) kbCategoryUpdate(w http.ResponseWriter, r *http.Request) {
	actor := page.ViewerFrom(r.Context()).Actor
	c, ok := h.kbCategoryByPath(w, r)
	if !ok {
		return
	}
	f, err := adminPosted(w, r)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	in, ok := kbCategoryInput(f)
	if ok {
		_, err = h.Site.App.KB.UpdateCategory(r.Context(), actor, c.ID, in)
		if h.settle(w, r, f, err, nil, "kb.category_saved", "/kb/categories") {
			return
		}
	}
	h.renderKBCategories(w, r, c, f)
}

func (h *Handler) kbCategoryDelete(w http.ResponseWriter, r *http.Request) {
	actor := page.ViewerFrom(r.Context()).Actor
	c, ok := h.kbCategoryByPath(w, r)
	if !ok {
		return
	}
	err := h.Site.App.KB.DeleteCategory(r.Context(), actor, c.ID)
	var ne *kb.NotEmptyError
	if errors.As(err, &ne) {
		// The refusal says what is in the way, on the category's page.
		f := kbCategoryValues(*c)
		f.add("delete", h.Site.NewData(r, "").T("kb.category_not_empty", ne.Sections, ne.Articles))
		h.renderKBCategories(w, r, c, f)
		return
	}
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	adminDone(w, r, "kb.category_deleted", "/kb/categories")
}
