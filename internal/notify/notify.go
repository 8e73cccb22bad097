// Package notify holds the in-app notifications agents receive (written by
// the notify_agents job) and will hold outbound notifications and the live
// event hub.
package notify

import (
	"context"
	"fmt"
	"time"

	"tessera/internal/store"
)

// Notification is an in-app notice for an agent.
type Notification struct {
	ID        int64      `json:"id"`
	TicketID  int64      `json:"ticket_id"`
	Kind      string     `json:"kind"`
	Summary   string     `json:"summary"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at"`
}

// List returns an agent's notifications, newest first, with ids below
// before (0 for the newest).
func List(ctx context.Context, db *store.DB, agentID, before int64, limit int) ([]Notification, error) {
	if before <= 0 {
		before = 1 << 62
	}
	rows, err := db.Read().Query(ctx, `SELECT id, ticket_id, kind, summary, created_at, read_at FROM notifications
		WHERE agent_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3`, agentID, before, limit)
	if err != nil {
		return nil, fmt.Errorf("notifications of agent %d: %w", agentID, err)
	}
	defer rows.Close()
	out := []Notification{}
	for rows.Next() {
		var n Notification
		if err := rows.Scan(&n.ID, &n.TicketID, &n.Kind, &n.Summary, &n.CreatedAt, &n.ReadAt); err != nil {
			return nil, fmt.Errorf("notifications of agent %d: %w", agentID, err)
		}
		out = append(out, n)
	}
	return out, rows.Err()
}
