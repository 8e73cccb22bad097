package ticket

import (
	"context"
	"fmt"

	"tessera/internal/auth"
	"tessera/internal/search"
	"tessera/internal/store"
)

// Events of the rules engine (package automation).
const (
	// EventTriggerFired: a trigger's actions ran (NewValue: its name,
	// OldValue: its id).
	EventTriggerFired = "trigger_fired"
	// EventAutomationFired: an automation's actions ran.
	EventAutomationFired = "automation_fired"
	// EventRulesStopped: a chain of triggers was cut short (NewValue: why).
	EventRulesStopped = "rules_stopped"
	// EventRuleFailed: a rule's actions failed and were undone (NewValue:
	// its name and the error).
	EventRuleFailed = "rule_failed"
)

// Rules runs the triggers and keeps the automations' due times inside the
// transaction of every change, after the SLA clocks and before the
// follow-up hook. Package automation implements it; the changes its
// actions make come back through the service (UpdateIn, AddNoteIn), so it
// must recognise its own nested calls.
type Rules interface {
	TicketChanged(ctx context.Context, tx *store.Tx, c Change) error
}

// rules hands the recorded change to the rules engine.
func (r *recorder) rules(ctx context.Context, tx *store.Tx, s *Service) error {
	if s.Rules == nil || len(r.events) == 0 {
		return nil
	}
	if err := s.Rules.TicketChanged(ctx, tx, Change{TicketID: r.ticketID, Actor: r.actor, Events: r.events}); err != nil {
		return fmt.Errorf("rules: %w", err)
	}
	return nil
}

// AddNoteIn adds an internal note inside the caller's transaction, for
// rules: no author when the actor is the system.
func (s *Service) AddNoteIn(ctx context.Context, tx *store.Tx, actor auth.Actor, ticketID int64, body string) error {
	if !actor.CanAddNotes() {
		return auth.Forbidden("not allowed to add notes")
	}
	at := now(ctx)
	t, err := load(ctx, tx, actor, ticketID)
	if err != nil {
		return err
	}
	if t.StatusCategory == StatusClosed {
		return fmt.Errorf("%w: #%d", ErrClosed, t.Number)
	}
	var agentID *int64
	if actor.Kind == auth.KindAgent {
		agentID = &actor.ID
	}
	msgID, err := insertMessage(ctx, tx, t.ID, KindNote, "api", agentID, nil, body, "", at)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE tickets SET updated_at = $2, message_count = message_count + 1 WHERE id = $1`, t.ID, at); err != nil {
		return fmt.Errorf("update ticket: %w", err)
	}
	if err := search.AppendBody(ctx, tx, t.ID, body); err != nil {
		return err
	}
	rec := &recorder{ticketID: t.ID, actor: actor, at: at}
	rec.add(EventNote, "", "", "", &msgID)
	return rec.flush(ctx, tx, s)
}

// PinSLAPolicyIn makes the SLA clocks of a ticket follow policyID instead
// of the policy its conditions choose (nil lets the conditions choose
// again), inside the caller's transaction.
func (s *Service) PinSLAPolicyIn(ctx context.Context, tx *store.Tx, actor auth.Actor, ticketID int64, policyID *int64) error {
	if !actor.CanEditTickets() {
		return auth.Forbidden("only agents and admins change tickets")
	}
	at := now(ctx)
	t, err := load(ctx, tx, actor, ticketID)
	if err != nil {
		return err
	}
	var old *int64
	if err := tx.QueryRow(ctx, `SELECT sla_policy_pinned FROM tickets WHERE id = $1`, t.ID).Scan(&old); err != nil {
		return fmt.Errorf("pinned policy: %w", err)
	}
	if idString(old) == idString(policyID) {
		return nil
	}
	if _, err := tx.Exec(ctx, `UPDATE tickets SET sla_policy_pinned = $2, updated_at = $3 WHERE id = $1`, t.ID, policyID, at); err != nil {
		return fmt.Errorf("pin policy: %w", err)
	}
	rec := &recorder{ticketID: t.ID, actor: actor, at: at}
	rec.field("sla_policy_id", idString(old), idString(policyID))
	return rec.flush(ctx, tx, s)
}

// RecordIn writes events as they are, without running the rules or the
// follow-up hook: for the rules engine's own record of what it did.
func RecordIn(ctx context.Context, tx *store.Tx, events []Event) error {
	if len(events) == 0 {
		return nil
	}
	return insertEvents(ctx, tx, events)
}
