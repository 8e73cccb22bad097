// Package imapfetch reads email inboxes over IMAP into tickets. Each inbox
// with an IMAP account gets a worker (Supervisor) that keeps one session
// open: it fetches the messages above a stored cursor (UIDVALIDITY and the
// last UID done) in UID order, ingests each, and only once a message is
// committed — as a thread entry, or raw in the failed-mail list — advances
// the cursor and marks, moves or deletes it on the server. It then waits
// with IDLE (or polls) for the next mail. A failing session reconnects with
// exponential backoff and jitter; inboxes run in parallel and apart, so a
// broken account holds up only itself. Health per inbox is kept in the
// database for the admin.
package imapfetch

import (
	"context"
	"errors"
	"fmt"
	"time"

	"tessera/internal/inbox"
	"tessera/internal/store"
)

// States of an inbox's worker.
const (
	StateConnecting = "connecting"
	StateFetching   = "fetching"
	StateIdle       = "idle"    // waiting for new mail with IMAP IDLE
	StatePolling    = "polling" // waiting for the next poll (no IDLE)
	StateBackoff    = "backoff" // the last session failed; waiting to reconnect
	StateStopped    = "stopped"
)

// Health is how an inbox's fetching goes, for the admin.
type Health = inbox.MailHealth

// Store keeps cursors and health.
type Store struct {
	DB *store.DB
}

// Cursor is where a folder was read up to.
type Cursor struct {
	UIDValidity uint32
	LastUID     uint32
}

// Cursor returns the stored cursor of an inbox's folder; ok is false when
// the folder was never read.
func (s *Store) Cursor(ctx context.Context, inboxID int64, folder string) (Cursor, bool, error) {
	var v, last int64
	err := s.DB.Read().QueryRow(ctx, `SELECT uid_validity, last_uid FROM imap_cursors WHERE inbox_id = $1 AND folder = $2`, inboxID, folder).Scan(&v, &last)
	if errors.Is(err, store.ErrNotFound) {
		return Cursor{}, false, nil
	}
	if err != nil {
		return Cursor{}, false, fmt.Errorf("imap cursor of inbox %d: %w", inboxID, err)
	}
	return Cursor{UIDValidity: uint32(v), LastUID: uint32(last)}, true, nil
}

// SetCursor records that a folder is done up to c.
func (s *Store) SetCursor(ctx context.Context, inboxID int64, folder string, c Cursor) error {
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO imap_cursors (inbox_id, folder, uid_validity, last_uid, updated_at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (inbox_id, folder) DO UPDATE SET uid_validity = excluded.uid_validity, last_uid = excluded.last_uid, updated_at = excluded.updated_at`,
			inboxID, folder, int64(c.UIDValidity), int64(c.LastUID), store.Now())
		return err
	})
	if err != nil {
		return fmt.Errorf("imap cursor of inbox %d: %w", inboxID, err)
	}
	return nil
}

// healthUpdate changes some of an inbox's health; nil fields stay.
type healthUpdate struct {
	state     string
	fetchAt   bool // now is a fetch
	success   bool // now is a success (clears nothing: the last error stays visible with its time)
	err       error
	backlog   *int
	fetchedBy int
}

func (s *Store) update(ctx context.Context, inboxID int64, u healthUpdate) error {
	now := store.Now()
	var fetchAt, successAt, errAt *time.Time
	errText := ""
	if u.fetchAt {
		fetchAt = &now
	}
	if u.success {
		successAt = &now
	}
	if u.err != nil {
		errAt = &now
		errText = u.err.Error()
		if len(errText) > 1000 {
			errText = errText[:1000]
		}
	}
	backlog := -1
	if u.backlog != nil {
		backlog = *u.backlog
	}
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO inbox_health (inbox_id, state, last_fetch_at, last_success_at, last_error, last_error_at, backlog, fetched, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $7 < 0 THEN 0 ELSE $7 END, $8, $9)
			ON CONFLICT (inbox_id) DO UPDATE SET
				state = CASE WHEN $2 = '' THEN inbox_health.state ELSE $2 END,
				last_fetch_at = COALESCE($3, inbox_health.last_fetch_at),
				last_success_at = COALESCE($4, inbox_health.last_success_at),
				last_error = CASE WHEN $6 IS NULL THEN inbox_health.last_error ELSE $5 END,
				last_error_at = COALESCE($6, inbox_health.last_error_at),
				backlog = CASE WHEN $7 < 0 THEN inbox_health.backlog ELSE $7 END,
				fetched = inbox_health.fetched + $8,
				updated_at = $9`,
			inboxID, u.state, fetchAt, successAt, errText, errAt, backlog, u.fetchedBy, now)
		return err
	})
	if err != nil {
		return fmt.Errorf("health of inbox %d: %w", inboxID, err)
	}
	return nil
}

// Health returns an inbox's health; ok is false when it was never fetched.
func (s *Store) Health(ctx context.Context, inboxID int64) (Health, bool, error) {
	var h Health
	err := s.DB.Read().QueryRow(ctx, `SELECT inbox_id, state, last_fetch_at, last_success_at, last_error, last_error_at, backlog, fetched, updated_at
		FROM inbox_health WHERE inbox_id = $1`, inboxID).
		Scan(&h.InboxID, &h.State, &h.LastFetchAt, &h.LastSuccessAt, &h.LastError, &h.LastErrorAt, &h.Backlog, &h.Fetched, &h.UpdatedAt)
	if errors.Is(err, store.ErrNotFound) {
		return Health{}, false, nil
	}
	if err != nil {
		return Health{}, false, fmt.Errorf("health of inbox %d: %w", inboxID, err)
	}
	return h, true, nil
}

// Lease claims an inbox's fetching for owner until now+ttl, or renews the
// claim; ok is false while another owner's lease runs. Servers sharing a
// database thus fetch each inbox once.
func (s *Store) Lease(ctx context.Context, inboxID int64, owner string, ttl time.Duration) (bool, error) {
	now := store.Now()
	var id int64
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(ctx, `INSERT INTO inbox_health (inbox_id, state, updated_at, lease_owner, lease_until) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (inbox_id) DO UPDATE SET lease_owner = excluded.lease_owner, lease_until = excluded.lease_until
			WHERE inbox_health.lease_owner IS NULL OR inbox_health.lease_owner = excluded.lease_owner OR inbox_health.lease_until < $3
			RETURNING inbox_id`, inboxID, StateConnecting, now, owner, now.Add(ttl)).Scan(&id)
	})
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("lease of inbox %d: %w", inboxID, err)
	}
	return true, nil
}

// Release gives up owner's lease, so another server takes over at once.
func (s *Store) Release(ctx context.Context, inboxID int64, owner string) error {
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE inbox_health SET lease_owner = NULL, lease_until = NULL WHERE inbox_id = $1 AND lease_owner = $2`, inboxID, owner)
		return err
	})
	if err != nil {
		return fmt.Errorf("release inbox %d: %w", inboxID, err)
	}
	return nil
}
