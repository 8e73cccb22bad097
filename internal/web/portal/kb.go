package portal

import (
	"mime"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"tessera/internal/auth"
	"tessera/internal/kb"
	"tessera/internal/store"
	"tessera/internal/web/i18n"
	"tessera/internal/web/page"
)

// The help centre: articles by category in the visitor's language, search,
// article pages with "was this helpful?" and related articles, and the
// record of deflections (a customer who opened a suggested article while
// writing a request and left).

func (h *Handler) registerKB(mux *http.ServeMux) {
	p := h.Site.Portal
	mux.HandleFunc("GET /help/articles", p(h.kbIndex))
	mux.HandleFunc("GET /help/articles/{ref}", p(h.kbArticle))
	mux.HandleFunc("POST /help/articles/{id}/feedback", p(h.kbFeedback))
	mux.HandleFunc("POST /help/articles/{id}/deflect", p(h.kbDeflect))
	mux.HandleFunc("GET /help/search", p(h.kbSearch))
	mux.HandleFunc("GET /help/kb-files/{id}/{name}", p(h.kbFile)) // feature kbmacros
}

// kbFile serves a file of an article to whoever may read the article: a
// signed-in contact, else a signed-in agent, else an anonymous visitor.
// Images of the safe types show inline (the article's body shows them);
// anything else downloads, and nothing is sniffed into something else.
func (h *Handler) kbFile(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.fail(w, r, store.ErrNotFound)
		return
	}
	actor := kbActor(r)
	if actor.Kind == kb.Anonymous.Kind {
		ag, ok, err := h.Site.SignedInAgent(r)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if ok {
			actor = ag
		}
	}
	a, data, err := h.Site.App.KB.AttachmentData(r.Context(), actor, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	hd := w.Header()
	disposition := "attachment"
	if a.Image {
		disposition = "inline"
		hd.Set("Content-Type", a.ContentType)
	} else {
		hd.Set("Content-Type", "application/octet-stream")
	}
	hd.Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": a.Filename}))
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	hd.Set("ETag", `"`+a.SHA256+`"`)
	// Anonymous visitors read public articles' files; anything more is
	// someone's, and stays out of shared caches.
	if actor.Kind == kb.Anonymous.Kind {
		hd.Set("Cache-Control", "public, max-age=300")
	} else {
		hd.Set("Cache-Control", "private, max-age=300")
	}
	hd.Set("Content-Length", strconv.Itoa(len(data)))
	_, _ = w.Write(data)
}

// kbActor is who reads: the signed-in contact, or an anonymous visitor.
func kbActor(r *http.Request) auth.Actor {
	if v := page.ViewerFrom(r.Context()); v != nil && v.Contact != nil {
		return v.Actor
	}
	return kb.Anonymous
}

type kbCategoryView struct {
	kb.Category
	Articles []kb.Article
}

type kbIndexPage struct {
	Categories []kbCategoryView
	Other      []kb.Article // articles without a category
	Query      string
}

func (h *Handler) kbIndex(w http.ResponseWriter, r *http.Request) {
	d := h.data(w, r, "portal.kb.title", "help")
	svc := h.Site.App.KB
	cats, err := svc.Categories(r.Context(), d.Lang())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	arts, err := svc.List(r.Context(), kbActor(r), kb.ListOptions{Locale: d.Lang(), Status: kb.Published})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// In a category, articles read best in title order.
	sort.SliceStable(arts, func(i, j int) bool { return arts[i].Title < arts[j].Title })
	pg := kbIndexPage{}
	byCat := map[int64][]kb.Article{}
	for _, a := range arts {
		if a.CategoryID == nil {
			pg.Other = append(pg.Other, a)
			continue
		}
		byCat[*a.CategoryID] = append(byCat[*a.CategoryID], a)
	}
	known := map[int64]bool{}
	for _, c := range cats {
		known[c.ID] = true
		if len(byCat[c.ID]) > 0 {
			pg.Categories = append(pg.Categories, kbCategoryView{Category: c, Articles: byCat[c.ID]})
		}
	}
	for id, list := range byCat {
		if !known[id] { // a category of another language
			pg.Other = append(pg.Other, list...)
		}
	}
	d.Page = pg
	h.render(w, http.StatusOK, "portal/kb_index", d)
}

type kbSearchPage struct {
	Query string
	Hits  []kb.Hit
}

func (h *Handler) kbSearch(w http.ResponseWriter, r *http.Request) {
	d := h.data(w, r, "portal.kb.search_title", "help")
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	pg := kbSearchPage{Query: q}
	if q != "" {
		hits, err := h.Site.App.KB.Search(r.Context(), kbActor(r), kb.SearchOptions{Query: q, Locale: d.Lang(), Limit: 20})
		if err != nil {
			h.fail(w, r, err)
			return
		}
		pg.Hits = hits
	}
	d.Page = pg
	h.render(w, http.StatusOK, "portal/kb_search", d)
}

type kbArticlePage struct {
	Article  kb.Article
	Category *kb.Category
	Related  []kb.Article
	// FromForm is set when the article was opened from the web form's
	// suggestions: the page offers the way back to the request.
	FromForm bool
	Voted    bool
	// Translations are the article in other languages; Yours is the one
	// in the visitor's language, if the article is in another.
	Translations []kbTranslation
	Yours        *kb.Article
	// Files are the article's attachments (feature kbmacros).
	Files []kb.ArticleFile
}

type kbTranslation struct {
	Name    string
	Article kb.Article
}

// refID reads the id of "/help/articles/{id}-{slug}".
func refID(ref string) (int64, bool) {
	if i := strings.IndexByte(ref, '-'); i >= 0 {
		ref = ref[:i]
	}
	id, err := strconv.ParseInt(ref, 10, 64)
	return id, err == nil && id > 0
}

func (h *Handler) kbArticle(w http.ResponseWriter, r *http.Request) {
	ref := r.PathValue("ref")
	id, ok := refID(ref)
	if !ok {
		h.fail(w, r, store.ErrNotFound)
		return
	}
	svc := h.Site.App.KB
	a, err := svc.Get(r.Context(), kbActor(r), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// One address per article: an old or missing slug redirects.
	if want := strconv.FormatInt(a.ID, 10) + "-" + a.Slug; ref != want && a.Slug != "" {
		u := "/help/articles/" + want
		if r.URL.RawQuery != "" {
			u += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, u, http.StatusMovedPermanently)
		return
	}
	d := h.data(w, r, "portal.kb.title", "help")
	d.Title = a.Title
	pg := kbArticlePage{Article: a, FromForm: r.URL.Query().Get("from") == "form", Voted: r.URL.Query().Get("voted") == "1"}
	if a.CategoryID != nil {
		if c, err := svc.Category(r.Context(), *a.CategoryID); err == nil {
			pg.Category = &c
		}
	}
	trs, err := svc.Translations(r.Context(), kbActor(r), a)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for i, x := range trs {
		pg.Translations = append(pg.Translations, kbTranslation{Name: i18n.Names[x.Locale], Article: x})
		if x.Locale == d.Lang() && a.Locale != d.Lang() {
			pg.Yours = &trs[i]
		}
	}
	if pg.Files, err = svc.Attachments(r.Context(), kbActor(r), a.ID); err != nil {
		h.fail(w, r, err)
		return
	}
	if pg.Related, err = svc.Related(r.Context(), kbActor(r), a, 5); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := svc.Viewed(r.Context(), a.ID); err != nil {
		h.Log.Warn("kb view", "article", a.ID, "err", err)
	}
	d.Page = pg
	h.render(w, http.StatusOK, "portal/kb_article", d)
}

func (h *Handler) kbFeedback(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.fail(w, r, store.ErrNotFound)
		return
	}
	helpful := r.PostFormValue("helpful") == "yes"
	if err := h.Site.App.KB.Feedback(r.Context(), kbActor(r), id, helpful); err != nil {
		h.fail(w, r, err)
		return
	}
	page.SetFlash(w, "portal.kb.thanks")
	http.Redirect(w, r, "/help/articles/"+strconv.FormatInt(id, 10)+"?voted=1#feedback", http.StatusSeeOther)
}

// kbDeflect records a deflection; the web form's script sends it (a
// beacon) when a customer leaves a suggested article without going back
// to the form.
func (h *Handler) kbDeflect(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		h.fail(w, r, store.ErrNotFound)
		return
	}
	if err := h.Site.App.KB.Deflect(r.Context(), kbActor(r), id, r.PostFormValue("q")); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
