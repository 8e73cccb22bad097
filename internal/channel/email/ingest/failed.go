package ingest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"tessera/internal/auth"
	"tessera/internal/store"
	"tessera/internal/ticket"
)

// Resolutions of a failed mail.
const (
	ResolutionStored    = "stored"    // a retry stored it
	ResolutionDismissed = "dismissed" // an admin let it go
)

// Failed is one mail that could not be parsed or stored, kept raw.
type Failed struct {
	ID      int64  `json:"id"`
	InboxID *int64 `json:"inbox_id"`
	Size    int64  `json:"size"`
	// Source says where it came from: a file name, "imap:INBOX/1234".
	Source string `json:"source"`
	// Subject and Sender are read as far as the header allows, to tell
	// the entries apart; either may be empty.
	Subject    string    `json:"subject"`
	Sender     string    `json:"sender"`
	Error      string    `json:"error"`
	Retries    int       `json:"retries"`
	Resolution *string   `json:"resolution"`
	TicketID   *int64    `json:"ticket_id"`
	ReceivedAt time.Time `json:"received_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// State is the resolution, or "" while the entry is open.
func (x Failed) State() string {
	if x.Resolution == nil {
		return ""
	}
	return *x.Resolution
}

// FailedStore is the failed-mail list: nothing received is dropped.
// Reading and acting on it is for admins.
type FailedStore struct {
	DB *store.DB
}

// Keep stores a failed mail raw with its error. The same bytes failing
// again update the open entry instead of adding one.
func (f *FailedStore) Keep(ctx context.Context, inboxID *int64, source string, raw []byte, cause string) (int64, error) {
	sum := sha256.Sum256(raw)
	sha := hex.EncodeToString(sum[:])
	subject, sender := peek(raw)
	at := store.Now()
	var id int64
	err := f.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := ticket.PutBlob(ctx, tx, sha, raw, at); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `INSERT INTO failed_mail (inbox_id, raw_sha256, size, source, subject, sender, error, received_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)
			ON CONFLICT (raw_sha256) WHERE resolution IS NULL DO UPDATE SET error = excluded.error, updated_at = excluded.updated_at
			RETURNING id`,
			inboxID, sha, len(raw), clip(source, 300), subject, sender, clip(cause, 2000), at).Scan(&id)
	})
	if err != nil {
		return 0, fmt.Errorf("keep failed mail: %w", err)
	}
	return id, nil
}

// peek reads the subject and sender from a header that may be broken.
func peek(raw []byte) (subject, sender string) {
	end := bytes.Index(raw, []byte("\r\n\r\n"))
	if e := bytes.Index(raw, []byte("\n\n")); e >= 0 && (end < 0 || e < end) {
		end = e
	}
	if end < 0 {
		end = min(len(raw), 64<<10)
	}
	m, err := mail.ReadMessage(bytes.NewReader(append(raw[:end:end], "\r\n\r\n"...)))
	if err != nil {
		return "", ""
	}
	dec := new(mime.WordDecoder)
	subject = m.Header.Get("Subject")
	if s, err := dec.DecodeHeader(subject); err == nil {
		subject = s
	}
	sender = m.Header.Get("From")
	if a, err := mail.ParseAddress(sender); err == nil {
		sender = a.Address
	}
	return clip(subject, 250), clip(sender, 250)
}

func clip(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

const failedCols = `id, inbox_id, size, source, subject, sender, error, retries, resolution, ticket_id, received_at, updated_at`

func scanFailed(r store.Row) (Failed, error) {
	var x Failed
	err := r.Scan(&x.ID, &x.InboxID, &x.Size, &x.Source, &x.Subject, &x.Sender, &x.Error, &x.Retries, &x.Resolution, &x.TicketID, &x.ReceivedAt, &x.UpdatedAt)
	return x, err
}

func admin(actor auth.Actor) error {
	if !actor.IsAdmin() {
		return auth.Forbidden("only admins see failed mail")
	}
	return nil
}

// List returns the failed mail, newest first: the open entries, or with
// all also the resolved ones. At most limit (default 200).
func (f *FailedStore) List(ctx context.Context, actor auth.Actor, all bool, limit int) ([]Failed, error) {
	if err := admin(actor); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 1000 {
		limit = 200
	}
	q := `SELECT ` + failedCols + ` FROM failed_mail`
	if !all {
		q += ` WHERE resolution IS NULL`
	}
	rows, err := f.DB.Read().Query(ctx, q+` ORDER BY id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("failed mail: %w", err)
	}
	defer rows.Close()
	out := []Failed{}
	for rows.Next() {
		x, err := scanFailed(rows)
		if err != nil {
			return nil, fmt.Errorf("failed mail: %w", err)
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// Get returns one failed mail.
func (f *FailedStore) Get(ctx context.Context, actor auth.Actor, id int64) (Failed, error) {
	if err := admin(actor); err != nil {
		return Failed{}, err
	}
	x, err := scanFailed(f.DB.Read().QueryRow(ctx, `SELECT `+failedCols+` FROM failed_mail WHERE id = $1`, id))
	if err != nil {
		return Failed{}, fmt.Errorf("failed mail %d: %w", id, err)
	}
	return x, nil
}

// Raw returns a failed mail's bytes, exactly as received.
func (f *FailedStore) Raw(ctx context.Context, actor auth.Actor, id int64) (Failed, []byte, error) {
	x, err := f.Get(ctx, actor, id)
	if err != nil {
		return Failed{}, nil, err
	}
	var data []byte
	if err := f.DB.Read().QueryRow(ctx, `SELECT b.data FROM failed_mail f JOIN blobs b ON b.sha256 = f.raw_sha256 WHERE f.id = $1`, id).Scan(&data); err != nil {
		return Failed{}, nil, fmt.Errorf("failed mail %d: %w", id, err)
	}
	return x, data, nil
}

// Dismiss takes a failed mail off the open list; its bytes stay.
func (f *FailedStore) Dismiss(ctx context.Context, actor auth.Actor, id int64) error {
	if err := admin(actor); err != nil {
		return err
	}
	return f.DB.InTx(ctx, func(tx *store.Tx) error {
		n, err := tx.Exec(ctx, `UPDATE failed_mail SET resolution = $2, updated_at = $3 WHERE id = $1 AND resolution IS NULL`, id, ResolutionDismissed, store.Now())
		if err != nil {
			return fmt.Errorf("dismiss failed mail %d: %w", id, err)
		}
		if n == 0 {
			return fmt.Errorf("failed mail %d (open): %w", id, store.ErrNotFound)
		}
		return auth.Audit(ctx, tx, actor, "failed_mail.dismiss", fmt.Sprintf("failed_mail:%d", id), "")
	})
}

// ErrResolved is returned when retrying a failed mail already resolved.
var ErrResolved = errors.New("this failed mail is already resolved")

// Retry ingests a failed mail again with the ingester of its inbox
// (ingesterFor). Stored (or found to be a duplicate), the entry is
// resolved; failing again, it stays open with the new error and one more
// retry counted.
func (f *FailedStore) Retry(ctx context.Context, actor auth.Actor, id int64, ingesterFor func(ctx context.Context, inboxID *int64) (*Ingester, error)) (Result, error) {
	x, raw, err := f.Raw(ctx, actor, id)
	if err != nil {
		return Result{}, err
	}
	if x.Resolution != nil {
		return Result{}, fmt.Errorf("failed mail %d: %w", id, ErrResolved)
	}
	g, err := ingesterFor(ctx, x.InboxID)
	if err != nil {
		return Result{}, err
	}
	res := g.ingest(ctx, raw)
	err = f.DB.InTx(ctx, func(tx *store.Tx) error {
		if res.Status == StatusFailed {
			_, err := tx.Exec(ctx, `UPDATE failed_mail SET retries = retries + 1, error = $2, updated_at = $3 WHERE id = $1`, id, clip(res.Error, 2000), store.Now())
			if err != nil {
				return fmt.Errorf("failed mail %d: %w", id, err)
			}
			return auth.Audit(ctx, tx, actor, "failed_mail.retry", fmt.Sprintf("failed_mail:%d", id), "failed again: "+clip(res.Error, 200))
		}
		_, err := tx.Exec(ctx, `UPDATE failed_mail SET retries = retries + 1, resolution = $2, ticket_id = $3, updated_at = $4 WHERE id = $1`,
			id, ResolutionStored, res.TicketID, store.Now())
		if err != nil {
			return fmt.Errorf("failed mail %d: %w", id, err)
		}
		return auth.Audit(ctx, tx, actor, "failed_mail.retry", fmt.Sprintf("failed_mail:%d", id), fmt.Sprintf("%s on ticket %d", res.Status, res.TicketID))
	})
	if err != nil {
		return Result{}, err
	}
	res.FailedID = id
	return res, nil
}
