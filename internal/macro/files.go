package macro

import (
	"context"
	"fmt"
	"slices"
	"time"

	"tessera/internal/auth"
	"tessera/internal/store"
	"tessera/internal/ticket"
	"tessera/internal/validation"
)

// File is a file a macro's reply carries: applying the macro offers it
// with the text, and the agent's reply sends it.
type File struct {
	ID          int64     `json:"id"`
	MacroID     int64     `json:"macro_id"`
	Filename    string    `json:"filename"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	CreatedAt   time.Time `json:"created_at"`
}

// Attach stores files on a macro, under the limits of a message's
// attachments (a reply carries them). Who may change the macro may attach.
func (s *Service) Attach(ctx context.Context, actor auth.Actor, macroID int64, files []ticket.AttachmentInput) ([]File, error) {
	m, err := s.Get(ctx, actor, macroID)
	if err != nil {
		return nil, err
	}
	if err := mayChange(actor, m); err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, validation.Field("attachments", "send at least one file")
	}
	have, err := s.files(ctx, macroID)
	if err != nil {
		return nil, err
	}
	checked, err := s.Limits.CheckFiles(files)
	if err != nil {
		return nil, err
	}
	// The macro's files together must fit in one message.
	var total int64
	for _, f := range have {
		total += f.Size
	}
	for _, f := range checked {
		total += int64(len(f.Data))
	}
	limits := s.Limits
	if limits.MaxMessageBytes == 0 {
		limits.MaxMessageBytes = ticket.DefaultMaxMessageBytes
	}
	if limits.MaxFiles == 0 {
		limits.MaxFiles = ticket.DefaultMaxFiles
	}
	if total > limits.MaxMessageBytes || len(have)+len(checked) > limits.MaxFiles {
		return nil, validation.Field("attachments", "a macro's files must fit in one message: at most %d files and %d bytes", limits.MaxFiles, limits.MaxMessageBytes)
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
			if err := tx.QueryRow(ctx, `INSERT INTO macro_attachments (macro_id, sha256, filename, content_type, size, created_at)
				VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, macroID, f.SHA256, f.Filename, f.ContentType, len(f.Data), now).Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("attach to macro %d: %w", macroID, err)
	}
	got, err := s.files(ctx, macroID)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(got, func(f File) bool { return !slices.Contains(ids, f.ID) }), nil
}

// Files lists a macro's files, if actor may use the macro.
func (s *Service) Files(ctx context.Context, actor auth.Actor, macroID int64) ([]File, error) {
	if _, err := s.Get(ctx, actor, macroID); err != nil {
		return nil, err
	}
	return s.files(ctx, macroID)
}

func (s *Service) files(ctx context.Context, macroID int64) ([]File, error) {
	rows, err := s.DB.Read().Query(ctx, `SELECT id, macro_id, filename, content_type, size, sha256, created_at FROM macro_attachments WHERE macro_id = $1 ORDER BY id`, macroID)
	if err != nil {
		return nil, fmt.Errorf("macro %d files: %w", macroID, err)
	}
	defer rows.Close()
	out := []File{}
	for rows.Next() {
		var f File
		if err := rows.Scan(&f.ID, &f.MacroID, &f.Filename, &f.ContentType, &f.Size, &f.SHA256, &f.CreatedAt); err != nil {
			return nil, fmt.Errorf("macro %d files: %w", macroID, err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// DeleteFile removes a file from a macro.
func (s *Service) DeleteFile(ctx context.Context, actor auth.Actor, macroID, id int64) error {
	m, err := s.Get(ctx, actor, macroID)
	if err != nil {
		return err
	}
	if err := mayChange(actor, m); err != nil {
		return err
	}
	n, err := s.DB.Write().Exec(ctx, `DELETE FROM macro_attachments WHERE id = $1 AND macro_id = $2`, id, macroID)
	if err != nil {
		return fmt.Errorf("delete macro file %d: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("macro file %d: %w", id, store.ErrNotFound)
	}
	return nil
}

// FileData returns one of a macro's files with its bytes, if actor may use
// the macro.
func (s *Service) FileData(ctx context.Context, actor auth.Actor, macroID, id int64) (File, []byte, error) {
	if _, err := s.Get(ctx, actor, macroID); err != nil {
		return File{}, nil, err
	}
	var f File
	var data []byte
	err := s.DB.Read().QueryRow(ctx, `SELECT m.id, m.macro_id, m.filename, m.content_type, m.size, m.sha256, m.created_at, b.data
		FROM macro_attachments m JOIN blobs b ON b.sha256 = m.sha256 WHERE m.id = $1 AND m.macro_id = $2`, id, macroID).
		Scan(&f.ID, &f.MacroID, &f.Filename, &f.ContentType, &f.Size, &f.SHA256, &f.CreatedAt, &data)
	if err != nil {
		return File{}, nil, fmt.Errorf("macro file %d: %w", id, err)
	}
	return f, data, nil
}

// Uploads returns a macro's files as uploads for a message, if actor may
// use the macro: the composer sends them with the reply.
func (s *Service) Uploads(ctx context.Context, actor auth.Actor, macroID int64) ([]ticket.AttachmentInput, error) {
	fs, err := s.Files(ctx, actor, macroID)
	if err != nil {
		return nil, err
	}
	out := make([]ticket.AttachmentInput, 0, len(fs))
	for _, f := range fs {
		_, data, err := s.FileData(ctx, actor, macroID, f.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, ticket.AttachmentInput{Filename: f.Filename, ContentType: f.ContentType, Data: data})
	}
	return out, nil
}
