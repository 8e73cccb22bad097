// Package kb is the knowledge base: categories and sections, articles in
// the four languages with their revisions, readers' feedback, and a search
// that forgives typos (search.go).
//
// Permissions live here, not in the handlers: agents write, admins and
// agents (not light agents) publish, customers read published articles
// meant for the public or for signed-in customers, and anonymous visitors
// read only public ones.
package kb

import (
	"context"
	"errors"
	"fmt"
	"html"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/microcosm-cc/bluemonday"

	"tessera/internal/auth"
	"tessera/internal/richtext"
	"tessera/internal/search"
	"tessera/internal/store"
	"tessera/internal/ticket"
	"tessera/internal/validation"
)

// Statuses and visibilities of an article.
const (
	Draft     = "draft"
	Published = "published"

	Public    = "public"
	Customers = "customers"
	Agents    = "agents"
)

// Locales an article may be written in.
var Locales = []string{"en", "pt-BR", "es", "he"}

// Anonymous is the actor of a visitor who is not signed in.
var Anonymous = auth.Actor{Kind: "anonymous"}

// Service reads and writes the knowledge base.
type Service struct {
	DB *store.DB
	// Limits bound the files attached to articles: those of ticket
	// attachments.
	Limits ticket.AttachmentLimits

	// vocab caches each locale's kb_terms for typo correction; a write to
	// a published article drops it.
	mu    sync.Mutex
	vocab map[string]*vocabulary
}

// Category is a category of articles, or a section of one (ParentID set).
type Category struct {
	ID          int64  `json:"id"`
	ParentID    *int64 `json:"parent_id"`
	Locale      string `json:"locale"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Position    int    `json:"position"`
	// TranslationOf is the category this one translates into Locale.
	TranslationOf *int64    `json:"translation_of"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// CategoryInput creates or changes a category; absent fields stay.
type CategoryInput struct {
	ParentID    *int64  `json:"parent_id"`
	Locale      *string `json:"locale"`
	Name        *string `json:"name"`
	Description *string `json:"description"`
	Position    *int    `json:"position"`
	// TranslationOf links a category to the one it translates (0 unlinks).
	TranslationOf *int64 `json:"translation_of"`
}

// Article is an article of the knowledge base.
type Article struct {
	ID            int64      `json:"id"`
	Locale        string     `json:"locale"`
	Title         string     `json:"title"`
	Slug          string     `json:"slug"`
	Body          string     `json:"body"`
	BodyHTML      string     `json:"body_html"`
	BodyText      string     `json:"-"`
	Status        string     `json:"status"`
	Visibility    string     `json:"visibility"`
	CategoryID    *int64     `json:"category_id"`
	AuthorID      *int64     `json:"author_id"`
	Tags          []string   `json:"tags"`
	TranslationOf *int64     `json:"translation_of"`
	Views         int64      `json:"views"`
	PublishedAt   *time.Time `json:"published_at"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
}

// ArticleInput creates or changes an article; absent fields stay (on
// create: status draft, visibility public, locale en).
type ArticleInput struct {
	Title         *string   `json:"title"`
	Body          *string   `json:"body"`
	Locale        *string   `json:"locale"`
	CategoryID    *int64    `json:"category_id"`
	Status        *string   `json:"status"`
	Visibility    *string   `json:"visibility"`
	Tags          *[]string `json:"tags"`
	TranslationOf *int64    `json:"translation_of"`
}

// Revision is an earlier version of an article.
type Revision struct {
	ID         int64    `json:"id"`
	ArticleID  int64    `json:"article_id"`
	Title      string   `json:"title"`
	Body       string   `json:"body"`
	Status     string   `json:"status"`
	Visibility string   `json:"visibility"`
	CategoryID *int64   `json:"category_id"`
	Tags       []string `json:"tags"`
	AuthorID   *int64   `json:"author_id"`
	// RestoredFrom is set on the version a restore replaced: the revision
	// that was brought back.
	RestoredFrom *int64    `json:"restored_from"`
	CreatedAt    time.Time `json:"created_at"`
}

func validLocale(l string) bool {
	for _, x := range Locales {
		if x == l {
			return true
		}
	}
	return false
}

// canWrite: every agent drafts; canPublish: admins and agents.
func canWrite(a auth.Actor) bool   { return a.Kind == auth.KindSystem || a.Kind == auth.KindAgent }
func canPublish(a auth.Actor) bool { return a.CanEditTickets() }

// visibleTo returns the visibilities actor may read, and whether they may
// read drafts.
func visibleTo(a auth.Actor) (vis []string, drafts bool) {
	switch a.Kind {
	case auth.KindSystem, auth.KindAgent:
		return []string{Public, Customers, Agents}, true
	case auth.KindContact:
		return []string{Public, Customers}, false
	}
	return []string{Public}, false
}

// CanRead reports whether actor may read a.
func CanRead(actor auth.Actor, a Article) bool {
	vis, drafts := visibleTo(actor)
	if a.Status != Published && !drafts {
		return false
	}
	for _, v := range vis {
		if v == a.Visibility {
			return true
		}
	}
	return false
}

// ---- categories

const categoryCols = `id, parent_id, locale, name, description, position, translation_of, created_at, updated_at`

func scanCategory(r interface{ Scan(...any) error }) (Category, error) {
	var c Category
	err := r.Scan(&c.ID, &c.ParentID, &c.Locale, &c.Name, &c.Description, &c.Position, &c.TranslationOf, &c.CreatedAt, &c.UpdatedAt)
	return c, err
}

// Categories lists the categories (and sections) of a locale, or of every
// locale when locale is "", in their order.
func (s *Service) Categories(ctx context.Context, locale string) ([]Category, error) {
	q := `SELECT ` + categoryCols + ` FROM kb_categories`
	var args []any
	if locale != "" {
		q += ` WHERE locale = $1`
		args = append(args, locale)
	}
	rows, err := s.DB.Read().Query(ctx, q+` ORDER BY position, name, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("kb categories: %w", err)
	}
	defer rows.Close()
	out := []Category{}
	for rows.Next() {
		c, err := scanCategory(rows)
		if err != nil {
			return nil, fmt.Errorf("kb categories: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Category returns one category.
func (s *Service) Category(ctx context.Context, id int64) (Category, error) {
	c, err := scanCategory(s.DB.Read().QueryRow(ctx, `SELECT `+categoryCols+` FROM kb_categories WHERE id = $1`, id))
	if err != nil {
		return Category{}, fmt.Errorf("kb category %d: %w", id, err)
	}
	return c, nil
}

func (in CategoryInput) check(create bool) error {
	var v validation.Collector
	if in.Name != nil || create {
		name := ""
		if in.Name != nil {
			name = strings.TrimSpace(*in.Name)
		}
		v.Text("name", name, 200, true)
	}
	if in.Description != nil {
		v.Text("description", *in.Description, 2000, false)
	}
	if in.Locale != nil && !validLocale(*in.Locale) {
		v.Add("locale", "must be one of %s", strings.Join(Locales, ", "))
	}
	return v.Err()
}

// checkTranslationOf refuses a translation of a category that does not
// exist.
func (s *Service) checkTranslationOf(ctx context.Context, id *int64) error {
	if id == nil {
		return nil
	}
	if _, err := s.Category(ctx, *id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return validation.Field("translation_of", "no such category")
		}
		return err
	}
	return nil
}

// checkNoCycle refuses a parent that is the category itself or one of its
// own sections, at any depth.
func (s *Service) checkNoCycle(ctx context.Context, id, parent int64) error {
	for seen := 0; parent != 0 && seen < 100; seen++ {
		if parent == id {
			return validation.Field("parent_id", "a category cannot be a section of itself or of its own sections")
		}
		var next *int64
		err := s.DB.Read().QueryRow(ctx, `SELECT parent_id FROM kb_categories WHERE id = $1`, parent).Scan(&next)
		if errors.Is(err, store.ErrNotFound) {
			return validation.Field("parent_id", "no such category")
		}
		if err != nil {
			return fmt.Errorf("kb category %d parent: %w", id, err)
		}
		parent = 0
		if next != nil {
			parent = *next
		}
	}
	return nil
}

// CreateCategory adds a category; a ParentID makes it a section.
func (s *Service) CreateCategory(ctx context.Context, actor auth.Actor, in CategoryInput) (Category, error) {
	if !actor.IsAdmin() {
		return Category{}, auth.Forbidden("only admins manage the knowledge base's categories")
	}
	if err := in.check(true); err != nil {
		return Category{}, err
	}
	locale, desc, pos := "en", "", 0
	if in.Locale != nil {
		locale = *in.Locale
	}
	if in.Description != nil {
		desc = *in.Description
	}
	if in.Position != nil {
		pos = *in.Position
	}
	now := store.Now()
	tr := in.TranslationOf
	if tr != nil && *tr == 0 {
		tr = nil
	}
	if err := s.checkTranslationOf(ctx, tr); err != nil {
		return Category{}, err
	}
	var id int64
	err := s.DB.Write().QueryRow(ctx, `INSERT INTO kb_categories (parent_id, locale, name, description, position, translation_of, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`, in.ParentID, locale, strings.TrimSpace(*in.Name), desc, pos, tr, now).Scan(&id)
	if err != nil {
		if errors.Is(err, store.ErrReference) {
			return Category{}, validation.Field("parent_id", "no such category")
		}
		return Category{}, fmt.Errorf("create kb category: %w", err)
	}
	return s.Category(ctx, id)
}

// UpdateCategory changes a category.
func (s *Service) UpdateCategory(ctx context.Context, actor auth.Actor, id int64, in CategoryInput) (Category, error) {
	if !actor.IsAdmin() {
		return Category{}, auth.Forbidden("only admins manage the knowledge base's categories")
	}
	if err := in.check(false); err != nil {
		return Category{}, err
	}
	c, err := s.Category(ctx, id)
	if err != nil {
		return Category{}, err
	}
	if in.ParentID != nil {
		if *in.ParentID == id {
			return Category{}, validation.Field("parent_id", "a category cannot be its own section")
		}
		c.ParentID = in.ParentID
		if *in.ParentID == 0 {
			c.ParentID = nil
		} else if err := s.checkNoCycle(ctx, id, *in.ParentID); err != nil {
			return Category{}, err
		}
	}
	if in.Locale != nil {
		c.Locale = *in.Locale
	}
	if in.Name != nil {
		c.Name = strings.TrimSpace(*in.Name)
	}
	if in.Description != nil {
		c.Description = *in.Description
	}
	if in.Position != nil {
		c.Position = *in.Position
	}
	if in.TranslationOf != nil {
		c.TranslationOf = in.TranslationOf
		if *in.TranslationOf == 0 {
			c.TranslationOf = nil
		} else if *in.TranslationOf == id {
			return Category{}, validation.Field("translation_of", "a category cannot translate itself")
		} else if err := s.checkTranslationOf(ctx, in.TranslationOf); err != nil {
			return Category{}, err
		}
	}
	_, err = s.DB.Write().Exec(ctx, `UPDATE kb_categories SET parent_id = $2, locale = $3, name = $4, description = $5, position = $6, translation_of = $7, updated_at = $8 WHERE id = $1`,
		id, c.ParentID, c.Locale, c.Name, c.Description, c.Position, c.TranslationOf, store.Now())
	if err != nil {
		if errors.Is(err, store.ErrReference) {
			return Category{}, validation.Field("parent_id", "no such category")
		}
		return Category{}, fmt.Errorf("update kb category %d: %w", id, err)
	}
	return s.Category(ctx, id)
}

// DeleteCategory removes an empty category. One that still holds
// sections or articles is refused: deleting it would scatter them.
func (s *Service) DeleteCategory(ctx context.Context, actor auth.Actor, id int64) error {
	if !actor.IsAdmin() {
		return auth.Forbidden("only admins manage the knowledge base's categories")
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		var sections, articles int
		if err := tx.QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM kb_categories WHERE parent_id = $1), (SELECT COUNT(*) FROM kb_articles WHERE category_id = $1)`, id).
			Scan(&sections, &articles); err != nil {
			return fmt.Errorf("delete kb category %d: %w", id, err)
		}
		if sections > 0 || articles > 0 {
			return &NotEmptyError{Sections: sections, Articles: articles}
		}
		n, err := tx.Exec(ctx, `DELETE FROM kb_categories WHERE id = $1`, id)
		if err != nil {
			return fmt.Errorf("delete kb category %d: %w", id, err)
		}
		if n == 0 {
			return fmt.Errorf("kb category %d: %w", id, store.ErrNotFound)
		}
		return nil
	})
}

// NotEmptyError refuses to delete a category that holds sections or
// articles; it is also a validation error on "id" for the API.
type NotEmptyError struct{ Sections, Articles int }

func (e *NotEmptyError) Error() string {
	return fmt.Sprintf("the category still holds %d sections and %d articles: move or delete them first", e.Sections, e.Articles)
}

// Unwrap makes the refusal a field error wherever errors become responses.
func (e *NotEmptyError) Unwrap() error { return validation.Field("id", "%s", e.Error()) }

// ---- articles

const articleCols = `id, locale, title, body, body_html, body_text, status, visibility, category_id, author_id, tags, translation_of, views, published_at, created_at, updated_at`

func scanArticle(r interface{ Scan(...any) error }) (Article, error) {
	var a Article
	var tags string
	err := r.Scan(&a.ID, &a.Locale, &a.Title, &a.Body, &a.BodyHTML, &a.BodyText, &a.Status, &a.Visibility, &a.CategoryID, &a.AuthorID, &tags, &a.TranslationOf, &a.Views, &a.PublishedAt, &a.CreatedAt, &a.UpdatedAt)
	a.Tags = splitTags(tags)
	a.Slug = Slug(a.Title)
	return a, err
}

func splitTags(s string) []string {
	out := []string{}
	for _, t := range strings.Split(s, ",") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

var nonSlug = regexp.MustCompile(`[^\p{L}\p{N}]+`)

// Slug is the readable part of an article's address: folded words joined
// by dashes.
func Slug(title string) string {
	s := strings.Trim(nonSlug.ReplaceAllString(search.Fold(title), "-"), "-")
	if r := []rune(s); len(r) > 80 {
		s = strings.TrimRight(string(r[:80]), "-")
	}
	return s
}

// Get returns an article if actor may read it (store.ErrNotFound if not:
// a hidden article does not exist to whoever may not see it).
func (s *Service) Get(ctx context.Context, actor auth.Actor, id int64) (Article, error) {
	a, err := scanArticle(s.DB.Read().QueryRow(ctx, `SELECT `+articleCols+` FROM kb_articles WHERE id = $1`, id))
	if err != nil {
		return Article{}, fmt.Errorf("kb article %d: %w", id, err)
	}
	if !CanRead(actor, a) {
		return Article{}, fmt.Errorf("kb article %d: %w", id, store.ErrNotFound)
	}
	return a, nil
}

// ListOptions filter a list of articles.
type ListOptions struct {
	Locale     string
	CategoryID int64
	Status     string
	Limit      int
}

// List returns the articles actor may read, newest first, or in a
// category in title order.
func (s *Service) List(ctx context.Context, actor auth.Actor, o ListOptions) ([]Article, error) {
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	where := visibilityWhere(actor, arg)
	if o.Locale != "" {
		where += " AND locale = " + arg(o.Locale)
	}
	if o.CategoryID != 0 {
		where += " AND category_id = " + arg(o.CategoryID)
	}
	if o.Status != "" {
		where += " AND status = " + arg(o.Status)
	}
	order := " ORDER BY updated_at DESC, id DESC"
	if o.CategoryID != 0 {
		order = " ORDER BY title, id"
	}
	if o.Limit <= 0 || o.Limit > 500 {
		o.Limit = 500
	}
	rows, err := s.DB.Read().Query(ctx, `SELECT `+articleCols+` FROM kb_articles WHERE `+where+order+` LIMIT `+arg(o.Limit), args...)
	if err != nil {
		return nil, fmt.Errorf("kb articles: %w", err)
	}
	defer rows.Close()
	out := []Article{}
	for rows.Next() {
		a, err := scanArticle(rows)
		if err != nil {
			return nil, fmt.Errorf("kb articles: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// visibilityWhere renders the articles actor may read as SQL (alias-free
// columns of kb_articles).
func visibilityWhere(actor auth.Actor, arg func(any) string) string {
	vis, drafts := visibleTo(actor)
	parts := make([]string, len(vis))
	for i, v := range vis {
		parts[i] = arg(v)
	}
	w := "visibility IN (" + strings.Join(parts, ", ") + ")"
	if !drafts {
		w += " AND status = 'published'"
	}
	return w
}

func (in ArticleInput) check(create bool) error {
	var v validation.Collector
	if in.Title != nil || create {
		t := ""
		if in.Title != nil {
			t = strings.TrimSpace(*in.Title)
		}
		v.Text("title", t, 300, true)
	}
	if in.Body != nil {
		v.Text("body", *in.Body, 200_000, false)
	}
	if in.Locale != nil && !validLocale(*in.Locale) {
		v.Add("locale", "must be one of %s", strings.Join(Locales, ", "))
	}
	if in.Status != nil && *in.Status != Draft && *in.Status != Published {
		v.Add("status", "must be draft or published")
	}
	if in.Visibility != nil && *in.Visibility != Public && *in.Visibility != Customers && *in.Visibility != Agents {
		v.Add("visibility", "must be public, customers or agents")
	}
	if in.Tags != nil && len(*in.Tags) > 30 {
		v.Add("tags", "at most 30 tags")
	}
	return v.Err()
}

var strict = bluemonday.StrictPolicy()

// plainText is what a reader sees of rendered HTML, for the index and for
// snippets.
func plainText(h string) string {
	h = strings.NewReplacer("</p>", "</p> ", "<br>", " ", "</li>", "</li> ", "</h2>", "</h2> ", "</h3>", "</h3> ").Replace(h)
	return strings.Join(strings.Fields(html.UnescapeString(strict.Sanitize(h))), " ")
}

func cleanTags(tags []string) string {
	var out []string
	seen := map[string]bool{}
	for _, t := range tags {
		t = strings.ToLower(strings.TrimSpace(strings.ReplaceAll(t, ",", " ")))
		if t != "" && !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return strings.Join(out, ",")
}

// Create writes a new article.
func (s *Service) Create(ctx context.Context, actor auth.Actor, in ArticleInput) (Article, error) {
	if !canWrite(actor) {
		return Article{}, auth.Forbidden("only agents write articles")
	}
	if err := in.check(true); err != nil {
		return Article{}, err
	}
	a := Article{Locale: "en", Status: Draft, Visibility: Public, Title: strings.TrimSpace(*in.Title), CategoryID: in.CategoryID, TranslationOf: in.TranslationOf}
	if in.Locale != nil {
		a.Locale = *in.Locale
	}
	if in.Status != nil {
		a.Status = *in.Status
	}
	if in.Visibility != nil {
		a.Visibility = *in.Visibility
	}
	if in.Body != nil {
		a.Body = *in.Body
	}
	if in.Tags != nil {
		a.Tags = *in.Tags
	}
	if a.Status == Published && !canPublish(actor) {
		return Article{}, auth.Forbidden("light agents write drafts; an agent publishes them")
	}
	if actor.Kind == auth.KindAgent {
		a.AuthorID = &actor.ID
	}
	var id int64
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		now := store.Now()
		var pub *time.Time
		if a.Status == Published {
			pub = &now
		}
		a.BodyHTML = richtext.Markdown(a.Body)
		a.BodyText = plainText(a.BodyHTML)
		err := tx.QueryRow(ctx, `INSERT INTO kb_articles (locale, title, body, body_html, body_text, status, visibility, category_id, author_id, tags, translation_of, published_at, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id`,
			a.Locale, a.Title, a.Body, a.BodyHTML, a.BodyText, a.Status, a.Visibility, a.CategoryID, a.AuthorID, cleanTags(a.Tags), a.TranslationOf, pub, now).Scan(&id)
		if err != nil {
			return referenceError(err)
		}
		return s.index(ctx, tx, id, a, nil)
	})
	if err != nil {
		return Article{}, fmt.Errorf("create kb article: %w", err)
	}
	return s.Get(ctx, auth.System, id)
}

func referenceError(err error) error {
	if errors.Is(err, store.ErrReference) {
		return validation.Field("category_id", "no such category")
	}
	return err
}

// Update changes an article, keeping the version it replaces as a
// revision.
func (s *Service) Update(ctx context.Context, actor auth.Actor, id int64, in ArticleInput) (Article, error) {
	return s.update(ctx, actor, id, in, nil)
}

// update changes an article; restoredFrom names the revision a restore
// brings back, recorded on the revision of the version it replaces.
func (s *Service) update(ctx context.Context, actor auth.Actor, id int64, in ArticleInput, restoredFrom *int64) (Article, error) {
	if !canWrite(actor) {
		return Article{}, auth.Forbidden("only agents write articles")
	}
	if err := in.check(false); err != nil {
		return Article{}, err
	}
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		old, err := scanArticle(tx.QueryRow(ctx, `SELECT `+articleCols+` FROM kb_articles WHERE id = $1`, id))
		if err != nil {
			return err
		}
		if old.Status == Published && !canPublish(actor) {
			return auth.Forbidden("light agents cannot change a published article")
		}
		a := old
		if in.Title != nil {
			a.Title = strings.TrimSpace(*in.Title)
		}
		if in.Body != nil {
			a.Body = *in.Body
		}
		if in.Locale != nil {
			a.Locale = *in.Locale
		}
		if in.CategoryID != nil {
			a.CategoryID = in.CategoryID
			if *in.CategoryID == 0 {
				a.CategoryID = nil
			}
		}
		if in.Status != nil {
			a.Status = *in.Status
		}
		if in.Visibility != nil {
			a.Visibility = *in.Visibility
		}
		if in.Tags != nil {
			a.Tags = *in.Tags
		}
		if a.Status == Published && !canPublish(actor) {
			return auth.Forbidden("light agents write drafts; an agent publishes them")
		}
		now := store.Now()
		if a.Status == Published && old.Status != Published {
			a.PublishedAt = &now
		}
		if _, err := tx.Exec(ctx, `INSERT INTO kb_revisions (article_id, title, body, status, visibility, category_id, tags, author_id, restored_from, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, id, old.Title, old.Body, old.Status, old.Visibility, old.CategoryID, cleanTags(old.Tags), old.AuthorID, restoredFrom, old.UpdatedAt); err != nil {
			return err
		}
		if actor.Kind == auth.KindAgent {
			a.AuthorID = &actor.ID
		}
		a.BodyHTML = richtext.Markdown(a.Body)
		a.BodyText = plainText(a.BodyHTML)
		if _, err := tx.Exec(ctx, `UPDATE kb_articles SET locale = $2, title = $3, body = $4, body_html = $5, body_text = $6, status = $7, visibility = $8,
			category_id = $9, author_id = $10, tags = $11, published_at = $12, updated_at = $13 WHERE id = $1`,
			id, a.Locale, a.Title, a.Body, a.BodyHTML, a.BodyText, a.Status, a.Visibility, a.CategoryID, a.AuthorID, cleanTags(a.Tags), a.PublishedAt, now); err != nil {
			return referenceError(err)
		}
		return s.index(ctx, tx, id, a, &old)
	})
	if err != nil {
		return Article{}, fmt.Errorf("update kb article %d: %w", id, err)
	}
	return s.Get(ctx, auth.System, id)
}

const revisionCols = `id, article_id, title, body, status, visibility, category_id, tags, author_id, restored_from, created_at`

func scanRevision(r interface{ Scan(...any) error }) (Revision, error) {
	var v Revision
	var tags string
	err := r.Scan(&v.ID, &v.ArticleID, &v.Title, &v.Body, &v.Status, &v.Visibility, &v.CategoryID, &tags, &v.AuthorID, &v.RestoredFrom, &v.CreatedAt)
	v.Tags = splitTags(tags)
	return v, err
}

// Revisions lists an article's earlier versions, newest first (agents).
func (s *Service) Revisions(ctx context.Context, actor auth.Actor, id int64) ([]Revision, error) {
	if !canWrite(actor) {
		return nil, auth.Forbidden("only agents see revisions")
	}
	rows, err := s.DB.Read().Query(ctx, `SELECT `+revisionCols+` FROM kb_revisions WHERE article_id = $1 ORDER BY id DESC`, id)
	if err != nil {
		return nil, fmt.Errorf("kb revisions %d: %w", id, err)
	}
	defer rows.Close()
	out := []Revision{}
	for rows.Next() {
		r, err := scanRevision(rows)
		if err != nil {
			return nil, fmt.Errorf("kb revisions %d: %w", id, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Feedback records a reader's answer to "was this helpful?".
func (s *Service) Feedback(ctx context.Context, actor auth.Actor, id int64, helpful bool) error {
	if _, err := s.Get(ctx, actor, id); err != nil {
		return err
	}
	var contact *int64
	if actor.Kind == auth.KindContact {
		contact = &actor.ID
	}
	if _, err := s.DB.Write().Exec(ctx, `INSERT INTO kb_feedback (article_id, helpful, contact_id, created_at) VALUES ($1, $2, $3, $4)`, id, helpful, contact, store.Now()); err != nil {
		return fmt.Errorf("kb feedback %d: %w", id, err)
	}
	return nil
}

// Votes counts an article's helpful and unhelpful answers.
func (s *Service) Votes(ctx context.Context, id int64) (yes, no int, err error) {
	err = s.DB.Read().QueryRow(ctx, `SELECT COALESCE(SUM(CASE WHEN helpful THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN helpful THEN 0 ELSE 1 END), 0) FROM kb_feedback WHERE article_id = $1`, id).Scan(&yes, &no)
	if err != nil {
		return 0, 0, fmt.Errorf("kb votes %d: %w", id, err)
	}
	return yes, no, nil
}

// Deflect records that a customer opened a suggested article while writing
// a request and left without sending it.
func (s *Service) Deflect(ctx context.Context, actor auth.Actor, id int64, query string) error {
	if _, err := s.Get(ctx, actor, id); err != nil {
		return err
	}
	var contact *int64
	if actor.Kind == auth.KindContact {
		contact = &actor.ID
	}
	if _, err := s.DB.Write().Exec(ctx, `INSERT INTO kb_deflections (article_id, query, contact_id, created_at) VALUES ($1, $2, $3, $4)`, id, validation.Truncate(query, 300), contact, store.Now()); err != nil {
		return fmt.Errorf("kb deflection %d: %w", id, err)
	}
	return nil
}

// Deflections counts the recorded deflections.
func (s *Service) Deflections(ctx context.Context) (int, error) {
	var n int
	if err := s.DB.Read().QueryRow(ctx, `SELECT COUNT(*) FROM kb_deflections`).Scan(&n); err != nil {
		return 0, fmt.Errorf("kb deflections: %w", err)
	}
	return n, nil
}

// Viewed counts a reader's visit.
func (s *Service) Viewed(ctx context.Context, id int64) error {
	if _, err := s.DB.Write().Exec(ctx, `UPDATE kb_articles SET views = views + 1 WHERE id = $1`, id); err != nil {
		return fmt.Errorf("kb view %d: %w", id, err)
	}
	return nil
}

// Related returns up to n other readable articles of the same locale: those
// of the same category first, then those sharing words of the title.
func (s *Service) Related(ctx context.Context, actor auth.Actor, a Article, n int) ([]Article, error) {
	res, err := s.Search(ctx, actor, SearchOptions{Query: a.Title + " " + strings.Join(a.Tags, " "), Locale: a.Locale, Limit: n + 1, NoLog: true, Any: true})
	if err != nil {
		return nil, err
	}
	var out []Article
	if a.CategoryID != nil {
		same, err := s.List(ctx, actor, ListOptions{Locale: a.Locale, CategoryID: *a.CategoryID, Status: Published, Limit: n + 1})
		if err != nil {
			return nil, err
		}
		for _, x := range same {
			if x.ID != a.ID && len(out) < n/2+1 {
				out = append(out, x)
			}
		}
	}
	for _, h := range res {
		if len(out) >= n {
			break
		}
		dup := h.Article.ID == a.ID
		for _, x := range out {
			dup = dup || x.ID == h.Article.ID
		}
		if !dup {
			out = append(out, h.Article)
		}
	}
	return out, nil
}

// Translations returns the other readable versions of an article (same
// original), in the order of Locales.
func (s *Service) Translations(ctx context.Context, actor auth.Actor, a Article) ([]Article, error) {
	group := a.ID
	if a.TranslationOf != nil {
		group = *a.TranslationOf
	}
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	where := visibilityWhere(actor, arg)
	g := arg(group)
	rows, err := s.DB.Read().Query(ctx, `SELECT `+articleCols+` FROM kb_articles WHERE `+where+` AND (id = `+g+` OR translation_of = `+g+`) AND id <> `+arg(a.ID), args...)
	if err != nil {
		return nil, fmt.Errorf("kb translations %d: %w", a.ID, err)
	}
	defer rows.Close()
	byLocale := map[string]Article{}
	for rows.Next() {
		x, err := scanArticle(rows)
		if err != nil {
			return nil, fmt.Errorf("kb translations %d: %w", a.ID, err)
		}
		byLocale[x.Locale] = x
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("kb translations %d: %w", a.ID, err)
	}
	var out []Article
	for _, l := range Locales {
		if x, ok := byLocale[l]; ok {
			out = append(out, x)
		}
	}
	return out, nil
}
