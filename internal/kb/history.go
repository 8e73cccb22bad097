package kb

import (
	"context"
	"fmt"
	"strings"

	"tessera/internal/auth"
)

// Revision returns one earlier version of an article (agents).
func (s *Service) Revision(ctx context.Context, actor auth.Actor, articleID, id int64) (Revision, error) {
	if !canWrite(actor) {
		return Revision{}, auth.Forbidden("only agents see revisions")
	}
	r, err := scanRevision(s.DB.Read().QueryRow(ctx, `SELECT `+revisionCols+` FROM kb_revisions WHERE id = $1 AND article_id = $2`, id, articleID))
	if err != nil {
		return Revision{}, fmt.Errorf("kb revision %d of article %d: %w", id, articleID, err)
	}
	return r, nil
}

// Restore brings an earlier version of an article back: its title, body,
// visibility, category and tags become the article's again (the status
// stays: restoring does not publish or unpublish). Like any save, it keeps
// the version it replaces as a new revision, marked with the revision it
// restored, and the restoring agent becomes the author.
func (s *Service) Restore(ctx context.Context, actor auth.Actor, articleID, revisionID int64) (Article, error) {
	if _, err := s.Get(ctx, actor, articleID); err != nil {
		return Article{}, err
	}
	r, err := s.Revision(ctx, actor, articleID, revisionID)
	if err != nil {
		return Article{}, err
	}
	cat := int64(0)
	if r.CategoryID != nil {
		cat = *r.CategoryID
		// A category deleted since is no category now.
		if _, err := s.Category(ctx, cat); err != nil {
			cat = 0
		}
	}
	tags := r.Tags
	in := ArticleInput{Title: &r.Title, Body: &r.Body, Visibility: &r.Visibility, CategoryID: &cat, Tags: &tags}
	return s.update(ctx, actor, articleID, in, &r.ID)
}

// DiffLine is one line of a comparison of two versions of a body.
type DiffLine struct {
	// Op is "=" (in both), "-" (only in the older) or "+" (only in the
	// newer).
	Op   string `json:"op"`
	Text string `json:"text"`
}

// Diff compares two bodies line by line (longest common subsequence), for
// the summary of what a revision changed. Bodies longer than 2,000 lines
// are compared as a whole.
func Diff(older, newer string) []DiffLine {
	a, b := strings.Split(older, "\n"), strings.Split(newer, "\n")
	if len(a) > 2000 || len(b) > 2000 {
		if older == newer {
			return []DiffLine{{Op: "=", Text: older}}
		}
		return []DiffLine{{Op: "-", Text: older}, {Op: "+", Text: newer}}
	}
	// lcs[i][j]: the longest common subsequence of a[i:] and b[j:].
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []DiffLine
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			out = append(out, DiffLine{"=", a[i]})
			i, j = i+1, j+1
		case lcs[i+1][j] >= lcs[i][j+1]:
			out = append(out, DiffLine{"-", a[i]})
			i++
		default:
			out = append(out, DiffLine{"+", b[j]})
			j++
		}
	}
	for ; i < len(a); i++ {
		out = append(out, DiffLine{"-", a[i]})
	}
	for ; j < len(b); j++ {
		out = append(out, DiffLine{"+", b[j]})
	}
	return out
}
