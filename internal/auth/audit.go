package auth

import (
	"context"
	"fmt"

	"tessera/internal/store"
)

// Audit records an admin action in the audit log, inside the transaction
// that performs it.
func Audit(ctx context.Context, q store.Querier, actor Actor, action, target, detail string) error {
	var agentID *int64
	if actor.Kind == KindAgent {
		agentID = &actor.ID
	}
	_, err := q.Exec(ctx, `INSERT INTO audit_log (agent_id, action, target, detail, created_at) VALUES ($1, $2, $3, $4, $5)`,
		agentID, action, target, detail, store.Now())
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}
