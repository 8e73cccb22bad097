package agent

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"tessera/internal/auth"
	"tessera/internal/kb"
	"tessera/internal/ticket"
	"tessera/internal/web/page"
)

// The knowledge base in the workspace: the list of articles (every
// language, drafts too), the searches that found nothing (the articles to
// write next), and the form that writes and edits an article. Who may
// publish is the service's rule: a light agent's attempt comes back as a
// field error.

func (h *Handler) registerKB(mux *http.ServeMux) {
	s := h.Site
	mux.HandleFunc("GET /kb", s.Agent(h.kbList))
	mux.HandleFunc("GET /kb/new", s.Agent(h.kbNew))
	mux.HandleFunc("POST /kb", s.Agent(h.kbCreate))
	mux.HandleFunc("GET /kb/{id}", s.Agent(h.kbEdit))
	mux.HandleFunc("POST /kb/{id}", s.Agent(h.kbUpdate))
}

type kbListPage struct {
	IsAdmin               bool // admins arrange the categories
	Query, Locale, Status string
	Articles              []kb.Article
	Gaps                  []kb.Gap
	Linked                []kb.Linked
	Deflections           int
	Locales               []string
	Statuses              []string
}

func (h *Handler) kbList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := page.ViewerFrom(ctx)
	svc := h.Site.App.KB
	q := r.URL.Query()
	p := kbListPage{IsAdmin: v.Actor.IsAdmin(), Query: strings.TrimSpace(q.Get("q")), Locale: q.Get("locale"), Status: q.Get("status"), Locales: kb.Locales, Statuses: kbStatuses}
	var err error
	if p.Query != "" {
		var hits []kb.Hit
		hits, err = svc.Search(ctx, v.Actor, kb.SearchOptions{Query: p.Query, Locale: p.Locale, Limit: 50, NoLog: true})
		for _, x := range hits {
			if p.Status == "" || x.Article.Status == p.Status {
				p.Articles = append(p.Articles, x.Article)
			}
		}
	} else {
		p.Articles, err = svc.List(ctx, v.Actor, kb.ListOptions{Locale: p.Locale, Status: p.Status, Limit: 200})
	}
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	if p.Gaps, err = svc.Gaps(ctx, v.Actor, 10); err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	if p.Linked, err = svc.MostLinked(ctx, v.Actor, 10); err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	if p.Deflections, err = svc.Deflections(ctx); err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	h.renderKB(w, r, http.StatusOK, "agent/kb_list", "kb.title", p)
}

type kbFormPage struct {
	Article    *kb.Article // nil for a new one
	Form       *adminForm
	Refused    *adminForm // the form again, for the errors' summary
	Categories []kb.Category
	Revisions  []kb.Revision
	Yes, No    int
	Locales    []string
	PublicURL  string
	Statuses   []string
	// Visibilities are the choices of who may read an article.
	Visibilities []string
	// Files are the article's attachments (feature kbmacros).
	Files []kb.ArticleFile
}

var (
	kbStatuses     = []string{kb.Draft, kb.Published}
	kbVisibilities = []string{kb.Public, kb.Customers, kb.Agents}
)

func (h *Handler) renderKB(w http.ResponseWriter, r *http.Request, status int, name, title string, p any) {
	ctx := r.Context()
	d := h.Site.NewData(r, "")
	d.Title = d.T(title)
	d.Nav = "kb"
	var err error
	if d.Sidebar, err = h.sidebar(ctx, page.ViewerFrom(ctx), ""); err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	h.Site.TakeFlash(w, r, d)
	d.Page = p
	h.Site.Render(w, status, name, d)
}

func (h *Handler) renderKBForm(w http.ResponseWriter, r *http.Request, a *kb.Article, f *adminForm) {
	ctx := r.Context()
	v := page.ViewerFrom(ctx)
	svc := h.Site.App.KB
	cats, err := svc.Categories(ctx, "")
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	p := kbFormPage{Article: a, Form: f, Refused: f, Categories: cats, Locales: kb.Locales, Statuses: kbStatuses, Visibilities: kbVisibilities}
	title := "kb.new"
	if a != nil {
		title = "kb.edit"
		if p.Revisions, err = svc.Revisions(ctx, v.Actor, a.ID); err != nil {
			h.Site.Fail(w, r, err)
			return
		}
		if p.Yes, p.No, err = svc.Votes(ctx, a.ID); err != nil {
			h.Site.Fail(w, r, err)
			return
		}
		p.PublicURL = "/help/articles/" + strconv.FormatInt(a.ID, 10) + "-" + a.Slug
		if p.Files, err = svc.Attachments(ctx, v.Actor, a.ID); err != nil {
			h.Site.Fail(w, r, err)
			return
		}
	}
	status := http.StatusOK
	if f.Invalid() {
		status = http.StatusUnprocessableEntity
	}
	h.renderKB(w, r, status, "agent/kb_form", title, p)
}

func kbValues(a kb.Article) *adminForm {
	f := newAdminForm(nil)
	f.Values.Set("title", a.Title)
	f.Values.Set("body", a.Body)
	f.Values.Set("locale", a.Locale)
	f.Values.Set("status", a.Status)
	f.Values.Set("visibility", a.Visibility)
	f.Values.Set("tags", strings.Join(a.Tags, ", "))
	if a.CategoryID != nil {
		f.Values.Set("category_id", strconv.FormatInt(*a.CategoryID, 10))
	}
	return f
}

func kbInput(f *adminForm) kb.ArticleInput {
	str := func(name string) *string { s := strings.TrimSpace(f.Get(name)); return &s }
	body := f.Get("body")
	var tags []string
	for _, t := range strings.Split(f.Get("tags"), ",") {
		if t = strings.TrimSpace(t); t != "" {
			tags = append(tags, t)
		}
	}
	cat, _ := strconv.ParseInt(f.Get("category_id"), 10, 64)
	return kb.ArticleInput{Title: str("title"), Body: &body, Locale: str("locale"), Status: str("status"), Visibility: str("visibility"), Tags: &tags, CategoryID: &cat}
}

// kbRefused puts a service's refusal on the form: field errors, and a
// light agent's attempt to publish on the status field.
func (h *Handler) kbRefused(w http.ResponseWriter, r *http.Request, f *adminForm, err error) bool {
	if errors.Is(err, auth.ErrForbidden) {
		f.add("status", h.Site.NewData(r, "").T("kb.cannot_publish"))
		return true
	}
	return f.refused(err, nil)
}

func (h *Handler) kbNew(w http.ResponseWriter, r *http.Request) {
	f := newAdminForm(nil)
	f.Values.Set("locale", h.Site.NewData(r, "").Lang())
	f.Values.Set("status", kb.Draft)
	f.Values.Set("visibility", kb.Public)
	if id, err := strconv.ParseInt(r.URL.Query().Get("ticket"), 10, 64); err == nil && id > 0 {
		if err := h.kbFromTicket(r, id, f); err != nil {
			h.Site.Fail(w, r, err)
			return
		}
	}
	h.renderKBForm(w, r, nil, f)
}

// kbFromTicket fills the form from a solved ticket: its subject, the
// customer's first message and the agents' last public reply, without the
// people's names, addresses and numbers (kb.FromConversation).
func (h *Handler) kbFromTicket(r *http.Request, id int64, f *adminForm) error {
	ctx := r.Context()
	actor := page.ViewerFrom(ctx).Actor
	t, err := h.Site.App.Tickets.Get(ctx, actor, id)
	if err != nil {
		return err
	}
	msgs, err := h.Site.App.Tickets.Messages(ctx, actor, id)
	if err != nil {
		return err
	}
	var names []string
	if t.Requester != nil {
		names = append(names, t.Requester.Name)
	}
	question, answer := "", ""
	for _, m := range msgs {
		names = append(names, m.AuthorName)
		if m.Kind != ticket.KindReply {
			continue
		}
		if m.AuthorContactID != nil && question == "" {
			question = m.BodyText
		}
		if m.AuthorAgentID != nil {
			answer = m.BodyText
		}
	}
	title, body := kb.FromConversation(t.Subject, question, answer, names)
	f.Values.Set("title", title)
	f.Values.Set("body", body)
	return nil
}

func (h *Handler) kbCreate(w http.ResponseWriter, r *http.Request) {
	f, err := adminPosted(w, r)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	in := kbInput(f)
	if *in.CategoryID == 0 {
		in.CategoryID = nil
	}
	a, err := h.Site.App.KB.Create(r.Context(), page.ViewerFrom(r.Context()).Actor, in)
	if err != nil {
		if !h.kbRefused(w, r, f, err) {
			h.Site.Fail(w, r, err)
			return
		}
		h.renderKBForm(w, r, nil, f)
		return
	}
	adminDone(w, r, "kb.saved", "/kb/"+strconv.FormatInt(a.ID, 10))
}

// kbArticle reads the article the path names, as the viewer may see it.
func (h *Handler) kbArticle(w http.ResponseWriter, r *http.Request) (*kb.Article, bool) {
	actor := page.ViewerFrom(r.Context()).Actor
	return byPathID(h, w, r, func(ctx context.Context, id int64) (kb.Article, error) {
		return h.Site.App.KB.Get(ctx, actor, id)
	})
}

func (h *Handler) kbEdit(w http.ResponseWriter, r *http.Request) {
	a, ok := h.kbArticle(w, r)
	if !ok {
		return
	}
	h.renderKBForm(w, r, a, kbValues(*a))
}

func (h *Handler) kbUpdate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	actor := page.ViewerFrom(ctx).Actor
	a, ok := h.kbArticle(w, r)
	if !ok {
		return
	}
	id := a.ID
	f, err := adminPosted(w, r)
	if err != nil {
		h.Site.Fail(w, r, err)
		return
	}
	if _, err := h.Site.App.KB.Update(ctx, actor, id, kbInput(f)); err != nil {
		if !h.kbRefused(w, r, f, err) {
			h.Site.Fail(w, r, err)
			return
		}
		h.renderKBForm(w, r, a, f)
		return
	}
	adminDone(w, r, "kb.saved", "/kb/"+strconv.FormatInt(id, 10))
}
