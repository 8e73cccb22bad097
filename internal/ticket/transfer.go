package ticket

import (
	"context"
	"fmt"
	"strings"

	"tessera/internal/auth"
	"tessera/internal/search"
	"tessera/internal/store"
	"tessera/internal/validation"
)

// TransferInput moves a ticket to another team with an internal note
// saying why, in one change.
type TransferInput struct {
	TeamID int64
	Note   string
	// Unassign clears the assignee (one who is not in the new team).
	Unassign bool
}

// TransferIn moves a ticket to another team inside the caller's
// transaction: the team change, the unassignment and the note are one
// change with one set of events, so the follow-up hook (routing) sees the
// ticket arrive in its new team already unassigned. The thread and history
// stay as they are: a transfer is a team change, not a new ticket.
func (s *Service) TransferIn(ctx context.Context, tx *store.Tx, actor auth.Actor, id int64, in TransferInput) error {
	if !actor.CanEditTickets() {
		return auth.Forbidden("only agents and admins move tickets between teams")
	}
	var c validation.Collector
	in.Note = strings.TrimSpace(in.Note)
	checkBody(&c, "note", in.Note, false)
	if err := c.Err(); err != nil {
		return err
	}
	team := in.TeamID
	if err := checkAssignment(ctx, tx, nil, &team); err != nil {
		return err
	}
	at := now(ctx)
	t, err := load(ctx, tx, actor, id)
	if err != nil {
		return err
	}
	if t.StatusCategory == StatusClosed {
		return fmt.Errorf("%w: #%d", ErrClosed, t.Number)
	}
	if t.MergedIntoID != nil {
		return fmt.Errorf("%w: #%d", ErrMerged, t.Number)
	}
	rec := &recorder{ticketID: t.ID, actor: actor, at: at}
	sets := []string{"updated_at = $2"}
	args := []any{t.ID, at}
	if in.Note != "" {
		msgID, err := insertMessage(ctx, tx, t.ID, KindNote, "agent", agentOf(actor), nil, in.Note, "", at)
		if err != nil {
			return err
		}
		if err := search.AppendBody(ctx, tx, t.ID, in.Note); err != nil {
			return err
		}
		sets = append(sets, "message_count = message_count + 1")
		rec.add(EventNote, "", "", "", &msgID)
	}
	if idString(t.TeamID) != fmt.Sprint(team) {
		args = append(args, team)
		sets = append(sets, fmt.Sprintf("team_id = $%d", len(args)))
		rec.field("team_id", idString(t.TeamID), fmt.Sprint(team))
	}
	if in.Unassign && t.AssigneeID != nil {
		sets = append(sets, "assignee_id = NULL")
		rec.field("assignee_id", idString(t.AssigneeID), "")
	}
	if len(rec.events) == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, `UPDATE tickets SET `+strings.Join(sets, ", ")+` WHERE id = $1`, args...); err != nil {
		return fmt.Errorf("transfer ticket: %w", err)
	}
	return rec.flush(ctx, tx, s)
}

// LoadIn reads a ticket, with its tags, inside the caller's transaction as
// the actor may see it; on PostgreSQL the row is locked for the rest of the
// transaction.
func (s *Service) LoadIn(ctx context.Context, tx *store.Tx, actor auth.Actor, id int64) (Ticket, error) {
	return load(ctx, tx, actor, id)
}
