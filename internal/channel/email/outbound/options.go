package outbound

import (
	"context"
	"errors"
	"fmt"

	"tessera/internal/auth"
	"tessera/internal/store"
	"tessera/internal/validation"
)

// DefaultFloodPerHour is how many new tickets one sender may open in an
// hour through one inbox before the next ones are tagged rate_limited and
// go unacknowledged.
const DefaultFloodPerHour = 20

// InboxOptions are an inbox's outgoing-mail switches.
type InboxOptions struct {
	InboxID int64 `json:"inbox_id"`
	// AutoAck acknowledges new tickets to their requester.
	AutoAck bool `json:"auto_ack"`
	// FloodPerHour: more new tickets than this from one sender in an hour
	// are kept, tagged rate_limited and not acknowledged.
	FloodPerHour int `json:"flood_per_hour"`
}

// InboxOptionsInput changes them; nil leaves a field as it is.
type InboxOptionsInput struct {
	AutoAck      *bool `json:"auto_ack"`
	FloodPerHour *int  `json:"flood_per_hour"`
}

// Options keeps the inboxes' switches and the agents' mail preferences.
type Options struct {
	DB *store.DB
}

func inboxOptions(ctx context.Context, q store.Querier, inboxID *int64) (InboxOptions, error) {
	o := InboxOptions{AutoAck: true, FloodPerHour: DefaultFloodPerHour}
	if inboxID == nil {
		return o, nil // the web form or the API without an inbox: the defaults
	}
	o.InboxID = *inboxID
	err := q.QueryRow(ctx, `SELECT auto_ack, flood_per_hour FROM inbox_mail_options WHERE inbox_id = $1`, *inboxID).Scan(&o.AutoAck, &o.FloodPerHour)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return o, fmt.Errorf("mail options of inbox %d: %w", *inboxID, err)
	}
	return o, nil
}

// Inbox returns an inbox's switches (admins).
func (s *Options) Inbox(ctx context.Context, actor auth.Actor, inboxID int64) (InboxOptions, error) {
	if !actor.IsAdmin() {
		return InboxOptions{}, auth.Forbidden("only admins manage inboxes")
	}
	var n int
	if err := s.DB.Read().QueryRow(ctx, `SELECT COUNT(*) FROM inboxes WHERE id = $1`, inboxID).Scan(&n); err != nil {
		return InboxOptions{}, fmt.Errorf("inbox %d: %w", inboxID, err)
	}
	if n == 0 {
		return InboxOptions{}, fmt.Errorf("inbox %d: %w", inboxID, store.ErrNotFound)
	}
	return inboxOptions(ctx, s.DB.Read(), &inboxID)
}

// SetInbox changes an inbox's switches (admins, audited).
func (s *Options) SetInbox(ctx context.Context, actor auth.Actor, inboxID int64, in InboxOptionsInput) (InboxOptions, error) {
	o, err := s.Inbox(ctx, actor, inboxID)
	if err != nil {
		return InboxOptions{}, err
	}
	if in.AutoAck != nil {
		o.AutoAck = *in.AutoAck
	}
	if in.FloodPerHour != nil {
		o.FloodPerHour = *in.FloodPerHour
	}
	if o.FloodPerHour < 1 || o.FloodPerHour > 10000 {
		return InboxOptions{}, validation.Field("flood_per_hour", "must be between 1 and 10000")
	}
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO inbox_mail_options (inbox_id, auto_ack, flood_per_hour, updated_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (inbox_id) DO UPDATE SET auto_ack = excluded.auto_ack, flood_per_hour = excluded.flood_per_hour, updated_at = excluded.updated_at`,
			inboxID, o.AutoAck, o.FloodPerHour, store.Now())
		if err != nil {
			return fmt.Errorf("mail options of inbox %d: %w", inboxID, err)
		}
		return auth.Audit(ctx, tx, actor, "inbox.mail_options", fmt.Sprintf("inbox:%d", inboxID), fmt.Sprintf("auto_ack=%t flood_per_hour=%d", o.AutoAck, o.FloodPerHour))
	})
	if err != nil {
		return InboxOptions{}, err
	}
	return o, nil
}

// AgentPrefs are the notifications an agent also gets by mail.
type AgentPrefs struct {
	Assigned        bool `json:"assigned"`
	CustomerReplied bool `json:"customer_replied"`
}

func agentPrefs(ctx context.Context, q store.Querier, agentID int64) (AgentPrefs, error) {
	p := AgentPrefs{Assigned: true, CustomerReplied: true}
	err := q.QueryRow(ctx, `SELECT assigned, customer_replied FROM agent_mail_prefs WHERE agent_id = $1`, agentID).Scan(&p.Assigned, &p.CustomerReplied)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return p, fmt.Errorf("mail preferences of agent %d: %w", agentID, err)
	}
	return p, nil
}

// Agent returns an agent's mail preferences: their own, or any to an admin.
func (s *Options) Agent(ctx context.Context, actor auth.Actor, agentID int64) (AgentPrefs, error) {
	if !actor.IsAdmin() && (actor.Kind != auth.KindAgent || actor.ID != agentID) {
		return AgentPrefs{}, auth.Forbidden("agents choose their own notifications")
	}
	return agentPrefs(ctx, s.DB.Read(), agentID)
}

// SetAgent stores an agent's own mail preferences.
func (s *Options) SetAgent(ctx context.Context, actor auth.Actor, agentID int64, p AgentPrefs) (AgentPrefs, error) {
	if actor.Kind != auth.KindAgent || actor.ID != agentID {
		return AgentPrefs{}, auth.Forbidden("agents choose their own notifications")
	}
	_, err := s.DB.Write().Exec(ctx, `INSERT INTO agent_mail_prefs (agent_id, assigned, customer_replied, updated_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (agent_id) DO UPDATE SET assigned = excluded.assigned, customer_replied = excluded.customer_replied, updated_at = excluded.updated_at`,
		agentID, p.Assigned, p.CustomerReplied, store.Now())
	if err != nil {
		return AgentPrefs{}, fmt.Errorf("mail preferences of agent %d: %w", agentID, err)
	}
	return p, nil
}
