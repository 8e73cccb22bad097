package ticket

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"tessera/internal/auth"
	"tessera/internal/store"
	"tessera/internal/validation"
)

// MaxBulk is how many tickets one bulk change may touch: each ticket is a
// transaction of its own, and a request should end in seconds.
const MaxBulk = 100

// BulkInput is one change applied to many tickets: either field changes
// (Update) or merging every other ticket into MergeInto, one of IDs.
type BulkInput struct {
	IDs       []int64
	Update    UpdateInput
	MergeInto int64
}

// BulkFailure is a ticket the change could not be made to, and why.
type BulkFailure struct {
	ID     int64
	Number int64 // 0 when the actor may not see the ticket
	Err    error
}

// BulkResult says what a bulk change did.
type BulkResult struct {
	Updated []int64
	Failed  []BulkFailure
}

// Bulk applies one change to many tickets. Each ticket changes through
// Update or Merge, in its own transaction with its own events, so one
// ticket's failure (a required field missing before solving, a closed
// ticket, a ticket the actor may not change) leaves the others changed and
// is reported with its number. Input that is wrong for every ticket alike
// is refused before any change.
func (s *Service) Bulk(ctx context.Context, actor auth.Actor, in BulkInput) (BulkResult, error) {
	if !actor.IsAgent() && actor.Kind != auth.KindSystem {
		return BulkResult{}, auth.Forbidden("only agents change tickets")
	}
	var ids []int64
	for _, id := range in.IDs {
		if id > 0 && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	switch {
	case len(ids) == 0:
		return BulkResult{}, validation.Field("ids", "select at least one ticket")
	case len(ids) > MaxBulk:
		return BulkResult{}, validation.Field("ids", "at most %d tickets at a time", MaxBulk)
	}
	merge := in.MergeInto != 0
	if merge == !in.Update.Empty() {
		return BulkResult{}, validation.Field("action", "choose one change")
	}
	if merge {
		if !slices.Contains(ids, in.MergeInto) {
			return BulkResult{}, validation.Field("into", "must be one of the selected tickets")
		}
		if len(ids) < 2 {
			return BulkResult{}, validation.Field("into", "select at least two tickets to merge")
		}
	} else if err := s.checkBulkUpdate(ctx, in.Update); err != nil {
		return BulkResult{}, err
	}
	numbers, err := s.visibleNumbers(ctx, actor, ids)
	if err != nil {
		return BulkResult{}, err
	}
	var res BulkResult
	for _, id := range ids {
		if merge && id == in.MergeInto {
			continue
		}
		if err := ctx.Err(); err != nil {
			return res, err
		}
		if merge {
			_, err = s.Merge(ctx, actor, id, in.MergeInto)
		} else {
			u := in.Update
			u.Tags = nil // a bulk change adds and removes, never replaces
			_, err = s.Update(ctx, actor, id, u)
		}
		switch {
		case err == nil:
			res.Updated = append(res.Updated, id)
		case isTicketError(err):
			res.Failed = append(res.Failed, BulkFailure{ID: id, Number: numbers[id], Err: err})
		default:
			return res, err
		}
	}
	return res, nil
}

// isTicketError tells a failure of one ticket (reported, the others go
// on) from a failure of the system (the bulk change stops).
func isTicketError(err error) bool {
	_, invalid := validation.As(err)
	return invalid || errors.Is(err, auth.ErrForbidden) || errors.Is(err, store.ErrNotFound) ||
		errors.Is(err, ErrClosed) || errors.Is(err, ErrMerged) || errors.Is(err, store.ErrConflict)
}

// checkBulkUpdate checks what Update would refuse for every ticket alike.
func (s *Service) checkBulkUpdate(ctx context.Context, in UpdateInput) error {
	var c validation.Collector
	if in.Priority != nil && !slices.Contains(Priorities, *in.Priority) {
		c.Add("priority", "must be one of %s", strings.Join(Priorities, ", "))
	}
	if in.Status != nil {
		if _, err := statusCategory(ctx, s.DB.Read(), *in.Status); err != nil {
			c.Merge("status", err)
		}
	}
	if _, err := NormalizeTags(in.AddTags); err != nil {
		c.Merge("tags", err)
	}
	if _, err := NormalizeTags(in.RemoveTags); err != nil {
		c.Merge("tags", err)
	}
	if in.AssigneeID.Set || in.TeamID.Set {
		if err := checkAssignment(ctx, s.DB.Read(), in.AssigneeID.Value, in.TeamID.Value); err != nil {
			c.Merge("assignee_id", err)
		}
	}
	return c.Err()
}

// visibleNumbers returns the numbers of the tickets the actor may see, to
// name them in a report; the others stay anonymous.
func (s *Service) visibleNumbers(ctx context.Context, actor auth.Actor, ids []int64) (map[int64]int64, error) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := s.DB.Read().Query(ctx, `SELECT `+ticketCols+` FROM tickets t WHERE t.id IN (`+placeholders(len(ids), 1)+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("bulk: %w", err)
	}
	defer rows.Close()
	out := map[int64]int64{}
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			return nil, fmt.Errorf("bulk: %w", err)
		}
		if visible(actor, &t) {
			out[t.ID] = t.Number
		}
	}
	return out, rows.Err()
}
