package routing

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"tessera/internal/auth"
	"tessera/internal/store"
	"tessera/internal/validation"
)

// RoutingSettings are the desk-wide routing settings.
type RoutingSettings struct {
	// OfflineAfterMinutes counts an agent as offline, and skips them,
	// when none of their browser sessions has been used for this long
	// (sessions note their use at most once a minute). 0 leaves it to the
	// agents' own status, which also suits agents who work through the
	// API only.
	OfflineAfterMinutes int `json:"offline_after_minutes"`
}

const keyOfflineAfter = "routing.offline_after_minutes"

func readSettings(ctx context.Context, q store.Querier) (RoutingSettings, error) {
	var v string
	err := q.QueryRow(ctx, `SELECT value FROM settings WHERE key = $1`, keyOfflineAfter).Scan(&v)
	if errors.Is(err, store.ErrNotFound) {
		return RoutingSettings{}, nil
	}
	if err != nil {
		return RoutingSettings{}, fmt.Errorf("routing settings: %w", err)
	}
	n, _ := strconv.Atoi(v)
	return RoutingSettings{OfflineAfterMinutes: n}, nil
}

// Settings returns the routing settings (admins).
func (s *Service) Settings(ctx context.Context, actor auth.Actor) (RoutingSettings, error) {
	if !actor.IsAdmin() {
		return RoutingSettings{}, auth.Forbidden("only admins read the routing settings")
	}
	return readSettings(ctx, s.DB.Read())
}

// UpdateSettings changes the routing settings (admins).
func (s *Service) UpdateSettings(ctx context.Context, actor auth.Actor, in RoutingSettings) (RoutingSettings, error) {
	if !actor.IsAdmin() {
		return RoutingSettings{}, auth.Forbidden("only admins change the routing settings")
	}
	if in.OfflineAfterMinutes < 0 || in.OfflineAfterMinutes > 24*60 {
		return RoutingSettings{}, validation.Field("offline_after_minutes", "must be between 0 (off) and 1440")
	}
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
			keyOfflineAfter, strconv.Itoa(in.OfflineAfterMinutes))
		if err != nil {
			return fmt.Errorf("routing settings: %w", err)
		}
		return auth.Audit(ctx, tx, actor, "routing.settings", "settings:"+keyOfflineAfter, strconv.Itoa(in.OfflineAfterMinutes))
	})
	if err != nil {
		return RoutingSettings{}, err
	}
	return in, nil
}

// activeSince is the oldest session use that still counts as online, or
// nil when the setting is off.
func activeSince(ctx context.Context, tx *store.Tx) (*time.Time, error) {
	st, err := readSettings(ctx, tx)
	if err != nil || st.OfflineAfterMinutes == 0 {
		return nil, err
	}
	t := store.Now().Add(-time.Duration(st.OfflineAfterMinutes) * time.Minute)
	return &t, nil
}
