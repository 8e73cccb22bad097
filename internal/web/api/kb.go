package api

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"

	"tessera/internal/kb"
	"tessera/internal/ticket"
	"tessera/internal/validation"
)

func (s *Server) kbRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/api/v1/articles", Access: Agent, Summary: "List knowledge base articles, newest first", Response: List[kb.Article]{}, Status: 200,
			Query: []QueryParam{{"locale", "string", "en, pt-BR, es or he"}, {"status", "string", "draft or published"}, {"category_id", "integer", "category or section"}}, h: s.listArticles},
		{Method: "POST", Path: "/api/v1/articles", Access: Agent, Summary: "Write an article (Markdown body); light agents write drafts only", Request: kb.ArticleInput{}, Response: kb.Article{}, Status: 201, h: s.createArticle},
		{Method: "GET", Path: "/api/v1/articles/{id}", Access: Agent, Summary: "Get an article", Response: kb.Article{}, Status: 200, h: s.getArticle},
		{Method: "PATCH", Path: "/api/v1/articles/{id}", Access: Agent, Summary: "Change an article (the previous version is kept as a revision)", Request: kb.ArticleInput{}, Response: kb.Article{}, Status: 200, h: s.patchArticle},
		{Method: "GET", Path: "/api/v1/articles/{id}/revisions", Access: Agent, Summary: "An article's earlier versions, newest first", Response: List[kb.Revision]{}, Status: 200, h: s.articleRevisions},
		// Files, revisions and restores (feature kbmacros).
		{Method: "GET", Path: "/api/v1/articles/{id}/attachments", Access: Agent, Summary: "An article's files, oldest first; each url serves it (Markdown: ![name](url))", Response: List[kb.ArticleFile]{}, Status: 200, h: s.articleFiles},
		{Method: "POST", Path: "/api/v1/articles/{id}/attachments", Access: Agent, Summary: "Attach files to an article (multipart/form-data, parts named attachments; the limits of ticket attachments)",
			Form: articleFilesForm, Response: List[kb.ArticleFile]{}, Status: 201, h: s.attachArticleFiles},
		{Method: "DELETE", Path: "/api/v1/articles/{id}/attachments/{aid}", Access: Agent, Summary: "Remove a file from an article", Status: 204, h: s.deleteArticleFile},
		{Method: "GET", Path: "/api/v1/articles/{id}/revisions/{rid}", Access: Agent, Summary: "One earlier version of an article", Response: kb.Revision{}, Status: 200, h: s.articleRevision},
		{Method: "POST", Path: "/api/v1/articles/{id}/revisions/{rid}/restore", Access: Agent, Summary: "Bring an earlier version back (the current one is kept as a new revision; the status stays)", Response: kb.Article{}, Status: 200, h: s.restoreArticle},
		{Method: "GET", Path: "/api/v1/kb/categories", Access: Agent, Summary: "List the knowledge base's categories and sections (parent_id set)", Response: List[kb.Category]{}, Status: 200,
			Query: []QueryParam{{"locale", "string", "en, pt-BR, es or he"}}, h: s.listCategories},
		{Method: "POST", Path: "/api/v1/kb/categories", Access: Agent, Summary: "Create a category, or a section of one with parent_id (admins)", Request: kb.CategoryInput{}, Response: kb.Category{}, Status: 201, h: s.createCategory},
		{Method: "GET", Path: "/api/v1/kb/categories/{id}", Access: Agent, Summary: "Get a category", Response: kb.Category{}, Status: 200, h: s.getCategory},
		{Method: "PATCH", Path: "/api/v1/kb/categories/{id}", Access: Agent, Summary: "Change a category: rename, reorder (position), nest (parent_id; 0 makes it a category again), locale (admins)", Request: kb.CategoryInput{}, Response: kb.Category{}, Status: 200, h: s.patchCategory},
		{Method: "DELETE", Path: "/api/v1/kb/categories/{id}", Access: Agent, Summary: "Delete an empty category (admins); one holding sections or articles is refused (422 naming id)", Status: 204, h: s.deleteCategory},
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
	return getAsActor(w, r, s.App.KB.Get)
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
	return deleteByID(w, r, s.App.KB.DeleteCategory)
}

func (s *Server) kbGaps(w http.ResponseWriter, r *http.Request) error {
	gaps, err := s.App.KB.Gaps(r.Context(), actorOf(r), 100)
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, list(gaps, ""))
}

// articleFilesForm is the upload of an article's files.
var articleFilesForm = &Form{Files: "attachments"}

func (s *Server) articleFiles(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	items, err := s.App.KB.Attachments(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, list(items, ""))
}

func (s *Server) attachArticleFiles(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "multipart/form-data" {
		return validation.Field("body", "send the files as multipart/form-data, in parts named attachments")
	}
	files, err := multipartFiles(r, articleFilesForm)
	if err != nil {
		return err
	}
	items, err := s.App.KB.Attach(r.Context(), actorOf(r), id, files)
	if err != nil {
		return err
	}
	return ok(w, http.StatusCreated, list(items, ""))
}

// multipartFiles reads the files of a form that has nothing else.
func multipartFiles(r *http.Request, form *Form) ([]ticket.AttachmentInput, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, &Problem{Status: http.StatusBadRequest, Title: "Bad Request", Field: "body", Detail: err.Error()}
	}
	var out []ticket.AttachmentInput
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return nil, err
			}
			return nil, &Problem{Status: http.StatusBadRequest, Title: "Bad Request", Field: "body", Detail: "malformed multipart body: " + err.Error()}
		}
		if part.FormName() != form.Files || part.FileName() == "" {
			return nil, validation.Field(part.FormName(), "is not a field of this request; send files as %s", form.Files)
		}
		data, err := io.ReadAll(part)
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return nil, err
			}
			return nil, &Problem{Status: http.StatusBadRequest, Title: "Bad Request", Field: "body", Detail: "malformed multipart body: " + err.Error()}
		}
		out = append(out, ticket.AttachmentInput{Filename: part.FileName(), ContentType: part.Header.Get("Content-Type"), Data: data})
	}
}

func (s *Server) deleteArticleFile(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	aid, err := pathID(r, "aid")
	if err != nil {
		return err
	}
	if err := s.App.KB.DeleteAttachment(r.Context(), actorOf(r), id, aid); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) articleRevision(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rid, err := pathID(r, "rid")
	if err != nil {
		return err
	}
	if _, err := s.App.KB.Get(r.Context(), actorOf(r), id); err != nil {
		return err
	}
	rev, err := s.App.KB.Revision(r.Context(), actorOf(r), id, rid)
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, rev)
}

func (s *Server) restoreArticle(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rid, err := pathID(r, "rid")
	if err != nil {
		return err
	}
	a, err := s.App.KB.Restore(r.Context(), actorOf(r), id, rid)
	if err != nil {
		return err
	}
	return ok(w, http.StatusOK, a)
}
