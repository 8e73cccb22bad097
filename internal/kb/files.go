package kb

import (
	"context"
	"fmt"
	"mime"
	"net/url"
	"slices"
	"strconv"
	"time"

	"tessera/internal/auth"
	"tessera/internal/store"
	"tessera/internal/ticket"
	"tessera/internal/validation"
)

// ArticleFile is a file attached to an article: an image its body shows,
// or a download listed under it.
type ArticleFile struct {
	ID          int64  `json:"id"`
	ArticleID   int64  `json:"article_id"`
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	SHA256      string `json:"sha256"`
	// Image is true for the image types a browser may show inline.
	Image bool `json:"image"`
	// URL serves the file to whoever may read the article; Markdown
	// reaches it as ![name](URL) or [name](URL).
	URL       string    `json:"url"`
	AuthorID  *int64    `json:"author_id"`
	CreatedAt time.Time `json:"created_at"`
}

// inlineImages are the image types shown inside a page. SVG is not one of
// them: it may carry script.
var inlineImages = []string{"image/png", "image/jpeg", "image/gif", "image/webp", "image/avif"}

// SafeImage reports whether contentType is an image a browser may show
// inline.
func SafeImage(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && slices.Contains(inlineImages, mt)
}

// FileURL is where the help centre serves an article's file.
func FileURL(id int64, filename string) string {
	return "/help/kb-files/" + strconv.FormatInt(id, 10) + "/" + url.PathEscape(filename)
}

func (a *ArticleFile) derive() {
	a.Image = SafeImage(a.ContentType)
	a.URL = FileURL(a.ID, a.Filename)
}

// writable loads the article actor is changing: agents write; a published
// article is changed by admins and agents, not light agents.
func (s *Service) writable(ctx context.Context, actor auth.Actor, id int64) (Article, error) {
	if !canWrite(actor) {
		return Article{}, auth.Forbidden("only agents write articles")
	}
	a, err := s.Get(ctx, actor, id)
	if err != nil {
		return Article{}, err
	}
	if a.Status == Published && !canPublish(actor) {
		return Article{}, auth.Forbidden("light agents cannot change a published article")
	}
	return a, nil
}

// Attach stores files on an article, under the limits of ticket
// attachments (size, count, no programs).
func (s *Service) Attach(ctx context.Context, actor auth.Actor, articleID int64, files []ticket.AttachmentInput) ([]ArticleFile, error) {
	if _, err := s.writable(ctx, actor, articleID); err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, validation.Field("attachments", "send at least one file")
	}
	checked, err := s.Limits.CheckFiles(files)
	if err != nil {
		return nil, err
	}
	var author *int64
	if actor.Kind == auth.KindAgent {
		author = &actor.ID
	}
	var ids []int64
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		now := store.Now()
		for _, f := range checked {
			if _, err := tx.Exec(ctx, `INSERT INTO blobs (sha256, size, data, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
				f.SHA256, len(f.Data), f.Data, now); err != nil {
				return err
			}
			var id int64
			if err := tx.QueryRow(ctx, `INSERT INTO kb_attachments (article_id, sha256, filename, content_type, size, author_id, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, articleID, f.SHA256, f.Filename, f.ContentType, len(f.Data), author, now).Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("attach to kb article %d: %w", articleID, err)
	}
	all, err := s.attachments(ctx, articleID)
	if err != nil {
		return nil, err
	}
	out := make([]ArticleFile, 0, len(ids))
	for _, a := range all {
		if slices.Contains(ids, a.ID) {
			out = append(out, a)
		}
	}
	return out, nil
}

// Attachments lists an article's files, oldest first, if actor may read
// the article.
func (s *Service) Attachments(ctx context.Context, actor auth.Actor, articleID int64) ([]ArticleFile, error) {
	if _, err := s.Get(ctx, actor, articleID); err != nil {
		return nil, err
	}
	return s.attachments(ctx, articleID)
}

func (s *Service) attachments(ctx context.Context, articleID int64) ([]ArticleFile, error) {
	rows, err := s.DB.Read().Query(ctx, `SELECT id, article_id, filename, content_type, size, sha256, author_id, created_at FROM kb_attachments WHERE article_id = $1 ORDER BY id`, articleID)
	if err != nil {
		return nil, fmt.Errorf("kb attachments %d: %w", articleID, err)
	}
	defer rows.Close()
	out := []ArticleFile{}
	for rows.Next() {
		var a ArticleFile
		if err := rows.Scan(&a.ID, &a.ArticleID, &a.Filename, &a.ContentType, &a.Size, &a.SHA256, &a.AuthorID, &a.CreatedAt); err != nil {
			return nil, fmt.Errorf("kb attachments %d: %w", articleID, err)
		}
		a.derive()
		out = append(out, a)
	}
	return out, rows.Err()
}

// DeleteAttachment removes a file from an article. The bytes stay in
// blobs while anything else uses them.
func (s *Service) DeleteAttachment(ctx context.Context, actor auth.Actor, articleID, id int64) error {
	if _, err := s.writable(ctx, actor, articleID); err != nil {
		return err
	}
	n, err := s.DB.Write().Exec(ctx, `DELETE FROM kb_attachments WHERE id = $1 AND article_id = $2`, id, articleID)
	if err != nil {
		return fmt.Errorf("delete kb attachment %d: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("kb attachment %d: %w", id, store.ErrNotFound)
	}
	return nil
}

// AttachmentData returns a file and its bytes if actor may read its
// article: a public article's files are anyone's, a customers' article's
// are signed-in contacts' (and agents'), an agents' article's are agents'
// only. A file of an article actor may not read does not exist to them.
func (s *Service) AttachmentData(ctx context.Context, actor auth.Actor, id int64) (ArticleFile, []byte, error) {
	var a ArticleFile
	var data []byte
	err := s.DB.Read().QueryRow(ctx, `SELECT k.id, k.article_id, k.filename, k.content_type, k.size, k.sha256, k.author_id, k.created_at, b.data
		FROM kb_attachments k JOIN blobs b ON b.sha256 = k.sha256 WHERE k.id = $1`, id).
		Scan(&a.ID, &a.ArticleID, &a.Filename, &a.ContentType, &a.Size, &a.SHA256, &a.AuthorID, &a.CreatedAt, &data)
	if err != nil {
		return ArticleFile{}, nil, fmt.Errorf("kb attachment %d: %w", id, err)
	}
	if _, err := s.Get(ctx, actor, a.ArticleID); err != nil {
		return ArticleFile{}, nil, fmt.Errorf("kb attachment %d: %w", id, store.ErrNotFound)
	}
	a.derive()
	return a, data, nil
}
