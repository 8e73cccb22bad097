package ticket

import (
	"context"
	"fmt"
	"slices"

	"tessera/internal/auth"
	"tessera/internal/store"
	"tessera/internal/validation"
)

// EventFollower records a follower added (NewValue: contact id) or removed
// (OldValue: contact id).
const EventFollower = "follower_changed"

// maxFollowers bounds a ticket's followers: a mail with a hundred people on
// Cc should not make every reply a mass mailing.
const maxFollowers = 20

// Followers lists the contacts who get a ticket's public replies besides
// its requester, oldest first.
func (s *Service) Followers(ctx context.Context, actor auth.Actor, ticketID int64) ([]Person, error) {
	if err := s.check(ctx, actor, ticketID); err != nil {
		return nil, err
	}
	return followers(ctx, s.DB.Read(), ticketID)
}

func followers(ctx context.Context, q store.Querier, ticketID int64) ([]Person, error) {
	rows, err := q.Query(ctx, `SELECT c.id, c.name, COALESCE((SELECT i.value FROM contact_identities i WHERE i.contact_id = c.id AND i.kind = 'email'
		ORDER BY i.is_primary DESC, i.id LIMIT 1), '')
		FROM ticket_followers f JOIN contacts c ON c.id = f.contact_id WHERE f.ticket_id = $1 ORDER BY f.created_at, c.id`, ticketID)
	if err != nil {
		return nil, fmt.Errorf("followers of ticket %d: %w", ticketID, err)
	}
	defer rows.Close()
	out := []Person{}
	for rows.Next() {
		var p Person
		if err := rows.Scan(&p.ID, &p.Name, &p.Email); err != nil {
			return nil, fmt.Errorf("followers of ticket %d: %w", ticketID, err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// AddFollowers makes contacts follow a ticket; the requester and those
// already following are skipped. Agents (not light ones) add followers;
// the system adds the people on Cc of a mail.
func (s *Service) AddFollowers(ctx context.Context, actor auth.Actor, ticketID int64, contactIDs []int64) ([]Person, error) {
	if !actor.CanEditTickets() {
		return nil, auth.Forbidden("only agents and admins change followers")
	}
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		return s.AddFollowersIn(ctx, tx, actor, ticketID, contactIDs)
	})
	if err != nil {
		return nil, err
	}
	return followers(ctx, s.DB.Read(), ticketID)
}

// AddFollowersIn is AddFollowers inside the caller's transaction (mail
// ingest adds the Cc of the mail that opened or answered the ticket).
func (s *Service) AddFollowersIn(ctx context.Context, tx *store.Tx, actor auth.Actor, ticketID int64, contactIDs []int64) error {
	t, err := load(ctx, tx, actor, ticketID)
	if err != nil {
		return err
	}
	current, err := followers(ctx, tx, ticketID)
	if err != nil {
		return err
	}
	have := make([]int64, 0, len(current)+1)
	for _, p := range current {
		have = append(have, p.ID)
	}
	have = append(have, t.RequesterID)
	at := now(ctx)
	rec := &recorder{ticketID: t.ID, actor: actor, at: at}
	for _, id := range contactIDs {
		if slices.Contains(have, id) {
			continue
		}
		if len(have) > maxFollowers { // the requester is in have too
			return validation.Field("contact_ids", "a ticket has at most %d followers", maxFollowers)
		}
		n, err := tx.Exec(ctx, `INSERT INTO ticket_followers (ticket_id, contact_id, created_at) SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM contacts WHERE id = $2)`,
			t.ID, id, at)
		if err != nil {
			return fmt.Errorf("add follower %d to ticket %d: %w", id, t.ID, err)
		}
		if n == 0 {
			return validation.Field("contact_ids", "contact %d does not exist", id)
		}
		have = append(have, id)
		rec.add(EventFollower, "followers", "", fmt.Sprint(id), nil)
	}
	return rec.flush(ctx, tx, s)
}

// RemoveFollower stops a contact following a ticket.
func (s *Service) RemoveFollower(ctx context.Context, actor auth.Actor, ticketID, contactID int64) error {
	if !actor.CanEditTickets() {
		return auth.Forbidden("only agents and admins change followers")
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		t, err := load(ctx, tx, actor, ticketID)
		if err != nil {
			return err
		}
		n, err := tx.Exec(ctx, `DELETE FROM ticket_followers WHERE ticket_id = $1 AND contact_id = $2`, t.ID, contactID)
		if err != nil {
			return fmt.Errorf("remove follower %d from ticket %d: %w", contactID, t.ID, err)
		}
		if n == 0 {
			return store.ErrNotFound
		}
		rec := &recorder{ticketID: t.ID, actor: actor, at: now(ctx)}
		rec.add(EventFollower, "followers", fmt.Sprint(contactID), "", nil)
		return rec.flush(ctx, tx, s)
	})
}
