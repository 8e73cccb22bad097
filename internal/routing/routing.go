// Package routing assigns tickets to agents: each team's strategy (manual,
// round-robin, least-loaded), agents' capacity and skills, and escalation
// to a higher-tier team.
//
// Assignment runs inside the transaction of the change that brought the
// ticket into its team (routing is a ticket follow-up hook), so a ticket
// is never seen unassigned by a team that routes automatically, and an
// assignment rolls back with its change. The team's row is locked while
// an agent is chosen, which serialises the choices of one team: no agent
// passes their capacity and round-robin keeps its turns under concurrent
// ticket creation (SQLite's single writer serialises on its own).
package routing

import (
	"context"
	"errors"
	"fmt"
	"time"

	"tessera/internal/auth"
	"tessera/internal/store"
	"tessera/internal/ticket"
	"tessera/internal/validation"
)

// Tickets is what routing needs of the ticket service.
type Tickets interface {
	UpdateIn(ctx context.Context, tx *store.Tx, actor auth.Actor, id int64, in ticket.UpdateInput) error
	TransferIn(ctx context.Context, tx *store.Tx, actor auth.Actor, id int64, in ticket.TransferInput) error
	LoadIn(ctx context.Context, tx *store.Tx, actor auth.Actor, id int64) (ticket.Ticket, error)
}

// Service routes tickets.
type Service struct {
	DB      *store.DB
	Tickets Tickets
}

// TicketChanged implements ticket.FollowUp: a ticket created in a team, or
// moved into one, without an assignee is routed by the team's strategy.
func (s *Service) TicketChanged(ctx context.Context, tx *store.Tx, c ticket.Change) error {
	entered := false
	for _, e := range c.Events {
		if e.Type == ticket.EventCreated || (e.Type == ticket.EventField && e.Field == "team_id" && e.NewValue != "") {
			entered = true
		}
	}
	if !entered {
		return nil
	}
	_, _, err := s.RouteIn(ctx, tx, c.TicketID, "")
	return err
}

// RouteIn assigns an unassigned ticket of a team to one of its agents,
// inside tx, and returns whom. strategy "" is the team's own (nobody when
// it is manual); round_robin or least_loaded apply that strategy whatever
// the team's. A ticket without a team, already assigned, or solved or
// closed is left as it is (ok false). Implements automation.Router.
func (s *Service) RouteIn(ctx context.Context, tx *store.Tx, ticketID int64, strategy string) (int64, bool, error) {
	if strategy != "" && strategy != RoundRobin && strategy != LeastLoaded {
		return 0, false, validation.Field("strategy", "must be round_robin or least_loaded")
	}
	var teamID, assignee *int64
	var category, language string
	err := tx.QueryRow(ctx, `SELECT t.team_id, t.assignee_id, t.status_category, c.language
		FROM tickets t JOIN contacts c ON c.id = t.requester_id WHERE t.id = $1`, ticketID).Scan(&teamID, &assignee, &category, &language)
	if err != nil {
		return 0, false, fmt.Errorf("route ticket %d: %w", ticketID, err)
	}
	if teamID == nil || assignee != nil || category == ticket.StatusSolved || category == ticket.StatusClosed {
		return 0, false, nil
	}
	if strategy == "" {
		// Manual teams (the default) are not locked: their tickets are
		// created side by side.
		if err := tx.QueryRow(ctx, `SELECT routing_strategy FROM teams WHERE id = $1`, *teamID).Scan(&strategy); err != nil {
			return 0, false, fmt.Errorf("route ticket %d: team %d: %w", ticketID, *teamID, err)
		}
		if strategy == Manual {
			return 0, false, nil
		}
	}
	// FOR NO KEY UPDATE, not FOR UPDATE: inserting a ticket of the team
	// holds a key-share lock on its row, which FOR UPDATE would wait on
	// (and two creators would deadlock).
	lock := ""
	if tx.Engine == store.Postgres {
		lock = " FOR NO KEY UPDATE"
	}
	var cursor *int64
	if err := tx.QueryRow(ctx, `SELECT routing_last_agent_id FROM teams WHERE id = $1`+lock, *teamID).Scan(&cursor); err != nil {
		return 0, false, fmt.Errorf("route ticket %d: team %d: %w", ticketID, *teamID, err)
	}
	since, err := activeSince(ctx, tx)
	if err != nil {
		return 0, false, fmt.Errorf("route ticket %d: %w", ticketID, err)
	}
	cands, err := candidates(ctx, tx, *teamID, since)
	if err != nil {
		return 0, false, fmt.Errorf("route ticket %d: %w", ticketID, err)
	}
	tags, err := texts(ctx, tx, `SELECT tag FROM ticket_tags WHERE ticket_id = $1`, ticketID)
	if err != nil {
		return 0, false, fmt.Errorf("route ticket %d: %w", ticketID, err)
	}
	facts := Facts{Tags: tags, Language: language}
	var last int64
	if cursor != nil {
		last = *cursor
	}
	for {
		id, ok := Pick(strategy, last, cands, facts)
		if !ok {
			return 0, false, nil
		}
		// The agent may sit in other teams routing at the same moment:
		// lock them and count again before giving them one more.
		i := indexOf(cands, id)
		if tx.Engine == store.Postgres {
			if _, err := tx.Exec(ctx, `SELECT id FROM agents WHERE id = $1 FOR NO KEY UPDATE`, id); err != nil {
				return 0, false, fmt.Errorf("route ticket %d: lock agent %d: %w", ticketID, id, err)
			}
			if err := tx.QueryRow(ctx, loadQuery, id).Scan(&cands[i].Load); err != nil {
				return 0, false, fmt.Errorf("route ticket %d: load of agent %d: %w", ticketID, id, err)
			}
			if cands[i].full() {
				continue // Pick skips them now
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE teams SET routing_last_agent_id = $2 WHERE id = $1`, *teamID, id); err != nil {
			return 0, false, fmt.Errorf("route ticket %d: %w", ticketID, err)
		}
		if err := s.Tickets.UpdateIn(ctx, tx, auth.System, ticketID, ticket.UpdateInput{AssigneeID: ticket.Optional[int64]{Set: true, Value: &id}}); err != nil {
			return 0, false, fmt.Errorf("route ticket %d: assign agent %d: %w", ticketID, id, err)
		}
		return id, true, nil
	}
}

func indexOf(cands []Candidate, id int64) int {
	for i, c := range cands {
		if c.ID == id {
			return i
		}
	}
	return -1
}

// loadQuery counts an agent's tickets that are new or open from the
// partial index tickets_assignee_load (its predicate word for word, which
// SQLite needs to use it).
const loadQuery = `SELECT COUNT(*) FROM tickets WHERE assignee_id = $1 AND status_category IN ('new', 'open')`

// candidates are the team's agents who may take a ticket now: active,
// not light agents, available (neither away nor offline; with since, also
// having used a session since then), with their load and skills.
func candidates(ctx context.Context, tx *store.Tx, teamID int64, since *time.Time) ([]Candidate, error) {
	q := `SELECT a.id, a.capacity,
			(SELECT COUNT(*) FROM tickets t WHERE t.assignee_id = a.id AND t.status_category IN ('new', 'open'))
		FROM team_members m JOIN agents a ON a.id = m.agent_id
		WHERE m.team_id = $1 AND a.active AND a.role <> 'light' AND a.availability = 'available'`
	args := []any{teamID}
	if since != nil {
		q += ` AND EXISTS (SELECT 1 FROM sessions s WHERE s.agent_id = a.id AND s.last_seen_at > $2)`
		args = append(args, *since)
	}
	rows, err := tx.Query(ctx, q+` ORDER BY a.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("team %d agents: %w", teamID, err)
	}
	var out []Candidate
	idx := map[int64]int{}
	for rows.Next() {
		var c Candidate
		if err := rows.Scan(&c.ID, &c.Capacity, &c.Load); err != nil {
			rows.Close()
			return nil, fmt.Errorf("team %d agents: %w", teamID, err)
		}
		idx[c.ID] = len(out)
		out = append(out, c)
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("team %d agents: %w", teamID, err)
	}
	if len(out) == 0 {
		return nil, nil
	}
	rows, err = tx.Query(ctx, `SELECT s.agent_id, s.kind, s.value FROM agent_skills s JOIN team_members m ON m.agent_id = s.agent_id WHERE m.team_id = $1`, teamID)
	if err != nil {
		return nil, fmt.Errorf("team %d skills: %w", teamID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var kind, v string
		if err := rows.Scan(&id, &kind, &v); err != nil {
			return nil, fmt.Errorf("team %d skills: %w", teamID, err)
		}
		i, ok := idx[id]
		if !ok {
			continue
		}
		if kind == "tag" {
			out[i].Tags = append(out[i].Tags, v)
		} else {
			out[i].Languages = append(out[i].Languages, v)
		}
	}
	return out, rows.Err()
}

func texts(ctx context.Context, q store.Querier, query string, args ...any) ([]string, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// EscalateInput moves a ticket up to another team.
type EscalateInput struct {
	TeamID int64  `json:"team_id"`
	Note   string `json:"note"`
}

// Escalate moves a ticket to a team of a higher tier than its own, with an
// internal note saying why; an assignee who is not in the new team is
// unassigned, and the new team's strategy then assigns it. The thread and
// history stay with the ticket.
func (s *Service) Escalate(ctx context.Context, actor auth.Actor, ticketID int64, in EscalateInput) error {
	if !actor.CanEditTickets() {
		return auth.Forbidden("only agents and admins escalate tickets")
	}
	var c validation.Collector
	if in.TeamID <= 0 {
		c.Add("team_id", "must name a team")
	}
	c.Text("note", in.Note, 64*1024, true)
	if err := c.Err(); err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		t, err := s.Tickets.LoadIn(ctx, tx, actor, ticketID)
		if err != nil {
			return err
		}
		var to int
		err = tx.QueryRow(ctx, `SELECT tier FROM teams WHERE id = $1`, in.TeamID).Scan(&to)
		if errors.Is(err, store.ErrNotFound) {
			return validation.Field("team_id", "team %d does not exist", in.TeamID)
		}
		if err != nil {
			return fmt.Errorf("escalate ticket %d: %w", ticketID, err)
		}
		if t.TeamID != nil {
			if *t.TeamID == in.TeamID {
				return validation.Field("team_id", "the ticket is already in this team")
			}
			var from int
			if err := tx.QueryRow(ctx, `SELECT tier FROM teams WHERE id = $1`, *t.TeamID).Scan(&from); err != nil {
				return fmt.Errorf("escalate ticket %d: %w", ticketID, err)
			}
			if to <= from {
				return validation.Field("team_id", "must be a team of a higher tier than the ticket's team (tier %d)", from)
			}
		}
		unassign := false
		if t.AssigneeID != nil {
			var one int
			err := tx.QueryRow(ctx, `SELECT 1 FROM team_members WHERE team_id = $1 AND agent_id = $2`, in.TeamID, *t.AssigneeID).Scan(&one)
			if errors.Is(err, store.ErrNotFound) {
				unassign = true
			} else if err != nil {
				return fmt.Errorf("escalate ticket %d: %w", ticketID, err)
			}
		}
		return s.Tickets.TransferIn(ctx, tx, actor, ticketID, ticket.TransferInput{TeamID: in.TeamID, Note: in.Note, Unassign: unassign})
	})
}
