package api

import (
	"fmt"
	"net/http"

	"tessera/internal/kb"
)

func (s *Server) kbRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/api/v1/articles", Access: Agent, Summary: "List knowledge base articles, newest first", Response: List[kb.Article]{}, Status: 200,
			Query: []QueryParam{{"locale", "string", "en, pt-BR, es or he"}, {"status", "string", "draft or published"}, {"category_id", "integer", "category or section"}}, h: s.listArticles},
		{Method: "POST", Path: "/api/v1/articles", Access: Agent, Summary: "Write an article (Markdown body); light agents write drafts only", Request: kb.ArticleInput{}, Response: kb.Article{}, Status: 201, h: s.createArticle},
		{Method: "GET", Path: "/api/v1/articles/{id}", Access: Agent, Summary: "Get an article", Response: kb.Article{}, Status: 200, h: s.getArticle},
		{Method: "PATCH", Path: "/api/v1/articles/{id}", Access: Agent, Summary: "Change an article (the previous version is kept as a revision)", Request: kb.ArticleInput{}, Response: kb.Article{}, Status: 200, h: s.patchArticle},
		{Method: "GET", Path: "/api/v1/articles/{id}/revisions", Access: Agent, Summary: "An article's earlier versions, newest first", Response: List[kb.Revision]{}, Status: 200, h: s.articleRevisions},
		{Method: "GET", Path: "/api/v1/kb/categories", Access: Agent, Summary: "List the knowledge base's categories and sections (parent_id set)", Response: List[kb.Category]{}, Status: 200,
			Query: []QueryParam{{"locale", "string", "en, pt-BR, es or he"}}, h: s.listCategories},
		{Method: "POST", Path: "/api/v1/kb/categories", Access: Agent, Summary: "Create a category, or a section of one with parent_id (admins and agents)", Request: kb.CategoryInput{}, Response: kb.Category{}, Status: 201, h: s.createCategory},
		{Method: "GET", Path: "/api/v1/kb/categories/{id}", Access: Agent, Summary: "Get a category", Response: kb.Category{}, Status: 200, h: s.getCategory},
		{Method: "PATCH", Path: "/api/v1/kb/categories/{id}", Access: Agent, Summary: "Change a category (admins and agents)", Request: kb.CategoryInput{}, Response: kb.Category{}, Status: 200, h: s.patchCategory},
		{Method: "DELETE", Path: "/api/v1/kb/categories/{id}", Access: Agent, Summary: "Delete a category and its sections; their articles stay, without a category (admins and agents)", Status: 204, h: s.deleteCategory},
		{Method: "GET", Path: "/api/v1/kb/gaps", Access: Agent, Summary: "Searches of the help centre that found nothing, most frequent first", Response: List[kb.Gap]{}, Status: 200, h: s.kbGaps},
		{Method: "GET", Path: "/api/v1/kb/search", Access: Public, Summary: "Search the public help centre (no token): forgives typos, best first", Response: List[kbSearchItem]{}, Status: 200,
			Query: []QueryParam{{"q", "string", "words to find"}, {"locale", "string", "en, pt-BR, es or he; empty searches every language"}, {"limit", "integer", "1 to 20 (default 5)"},
				{"suggest", "boolean", "true while someone types (suggestions): the search is not counted among the searches that found nothing"}}, h: s.kbSearch},
	}
}

// kbSearchItem is one result of the public search.
type kbSearchItem struct {
	ID    int64  `json:"id"`
	Title string `json:"title"`
	// URL is the article's page in the help centre.
	URL string `json:"url"`
	// Snippet is HTML: escaped text with the matching words in <mark>.
	Snippet string `json:"snippet"`
}

// ArticleURL is where the help centre shows an article.
func ArticleURL(base string, a kb.Article) string {
	return fmt.Sprintf("%s/help/articles/%d-%s", base, a.ID, a.Slug)
}

func (s *Server) kbSearch(w http.ResponseWriter, r *http.Request) error {
	limit, err := queryInt(r, "limit", 5, 1, 20)
	if err != nil {
		return err
	}
	hits, err := s.App.KB.Search(r.Context(), kb.Anonymous, kb.SearchOptions{Query: r.URL.Query().Get("q"), Locale: r.URL.Query().Get("locale"), Limit: limit,
		NoLog: r.URL.Query().Get("suggest") == "true"})
	if err != nil {
		return err
	}
	items := make([]kbSearchItem, 0, len(hits))
	for _, h := range hits {
		items = append(items, kbSearchItem{ID: h.Article.ID, Title: h.Article.Title, URL: ArticleURL(s.App.PublicURL, h.Article), Snippet: h.Snippet})
	}
	// Anyone may embed the search on their own site.
	w.Header().Set("Access-Control-Allow-Origin", "*")
	return ok(w, http.StatusOK, list(items, "")) // the list envelope: {"items": [...], "next_cursor": ""}
}

func (s *Server) listArticles(w http.ResponseWriter, r *http.Request) error {
	cat, err := queryInt(r, "category_id", 0, 0, 1<<62)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	items, err := s.App.KB.List(r.Context(), actorOf(r), kb.ListOptions{Locale: q.Get("locale"), Status: q.Get("status"), CategoryID: int64(cat)})
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, list(items, ""))
}

func (s *Server) createArticle(w http.ResponseWriter, r *http.Request) error {
	return createFrom(w, r, s.App.KB.Create)
}

func (s *Server) getArticle(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	a, err := s.App.KB.Get(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, a)
}

func (s *Server) patchArticle(w http.ResponseWriter, r *http.Request) error {
	return updateByID(w, r, s.App.KB.Update)
}

func (s *Server) articleRevisions(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := s.App.KB.Get(r.Context(), actorOf(r), id); err != nil {
		return err
	}
	revs, err := s.App.KB.Revisions(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, list(revs, ""))
}

func (s *Server) listCategories(w http.ResponseWriter, r *http.Request) error {
	items, err := s.App.KB.Categories(r.Context(), r.URL.Query().Get("locale"))
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, list(items, ""))
}

func (s *Server) createCategory(w http.ResponseWriter, r *http.Request) error {
	return createFrom(w, r, s.App.KB.CreateCategory)
}

func (s *Server) getCategory(w http.ResponseWriter, r *http.Request) error {
	return getByID(w, r, s.App.KB.Category)
}

func (s *Server) patchCategory(w http.ResponseWriter, r *http.Request) error {
	return updateByID(w, r, s.App.KB.UpdateCategory)
}

func (s *Server) deleteCategory(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.App.KB.DeleteCategory(r.Context(), actorOf(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) kbGaps(w http.ResponseWriter, r *http.Request) error {
	gaps, err := s.App.KB.Gaps(r.Context(), actorOf(r), 100)
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, list(gaps, ""))
}
