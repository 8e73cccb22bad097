package clocks

import (
	"context"
	"fmt"
	"time"

	"tessera/internal/sla"
	"tessera/internal/store"
	"tessera/internal/ticket"
)

// row is a stored clock.
type row struct {
	policyID  int64
	state     string
	due, warn *time.Time
	warned    *time.Time
}

// Recompute replays a ticket's history under the policy that covers it now
// and stores where each metric stands; it returns the state changes, which
// the ticket service records as events of the same change. It implements
// ticket.Clocks.
func (s *Service) Recompute(ctx context.Context, tx *store.Tx, ticketID int64, at time.Time, isNew bool) ([]ticket.ClockEvent, error) {
	ps, _, err := s.active(ctx, tx)
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 && isNew {
		return nil, nil
	}
	if len(ps) == 0 {
		// The common case of a help desk without SLAs: one look suffices.
		var current *int64
		if err := tx.QueryRow(ctx, `SELECT sla_policy_id FROM tickets WHERE id = $1`, ticketID).Scan(&current); err != nil {
			return nil, fmt.Errorf("ticket %d policy: %w", ticketID, err)
		}
		if current == nil {
			return nil, nil
		}
	}
	f, current, err := facts(ctx, tx, ticketID)
	if err != nil {
		return nil, err
	}
	p, ok := sla.Select(ps, f)
	if !ok && current == nil {
		return nil, nil // no policy applies, none did: nothing to store
	}
	old, err := stored(ctx, tx, ticketID)
	if err != nil {
		return nil, err
	}
	if !ok {
		if len(old) == 0 {
			return nil, nil
		}
		// The policy stopped matching: its clocks stop applying.
		var evs []ticket.ClockEvent
		for m, r := range old {
			evs = append(evs, ticket.ClockEvent{Type: ticket.EventSLA, Field: "sla." + string(m), Old: r.state, New: ""})
		}
		if _, err := tx.Exec(ctx, `DELETE FROM ticket_sla WHERE ticket_id = $1`, ticketID); err != nil {
			return nil, fmt.Errorf("clear clocks: %w", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE tickets SET sla_policy_id = NULL, sla_due_at = NULL WHERE id = $1`, ticketID); err != nil {
			return nil, fmt.Errorf("clear clocks: %w", err)
		}
		return evs, nil
	}
	var cal *sla.Calendar
	if p.CalendarID != nil {
		if cal, err = loadCalendar(ctx, tx, *p.CalendarID); err != nil {
			return nil, err
		}
	}
	hist, err := history(ctx, tx, ticketID)
	if err != nil {
		return nil, err
	}
	statuses := sla.Compute(p, cal, f.Priority, hist, at)
	var evs []ticket.ClockEvent
	var next *time.Time
	seen := map[sla.Metric]bool{}
	for _, st := range statuses {
		seen[st.Metric] = true
		prev, had := old[st.Metric]
		var warn *time.Time
		if st.State == sla.StateActive && st.Due != nil && p.WarnBefore > 0 {
			w := st.Due.Add(-time.Duration(p.WarnBefore) * time.Minute)
			warn = &w
		}
		warned := prev.warned
		if !had || prev.policyID != p.ID {
			warned = nil
		}
		if warn != nil && warned == nil && !warn.After(at) && st.State == sla.StateActive {
			w := at
			warned = &w
			evs = append(evs, ticket.ClockEvent{Type: ticket.EventSLAWarning, Field: "sla." + string(st.Metric), New: st.Due.UTC().Format(time.RFC3339)})
		}
		if !had || prev.state != st.State {
			typ := ticket.EventSLA
			if st.State == sla.StateBreached {
				typ = ticket.EventSLABreached
			}
			evs = append(evs, ticket.ClockEvent{Type: typ, Field: "sla." + string(st.Metric), Old: prev.state, New: st.State})
		}
		if st.State == sla.StateActive && st.Due != nil && (next == nil || st.Due.Before(*next)) {
			next = st.Due
		}
		_, err := tx.Exec(ctx, `INSERT INTO ticket_sla (ticket_id, metric, policy_id, state, target_minutes, business_hours, due_at, warn_at, warned_at, achieved_at, breached_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
			ON CONFLICT (ticket_id, metric) DO UPDATE SET policy_id = excluded.policy_id, state = excluded.state, target_minutes = excluded.target_minutes,
				business_hours = excluded.business_hours, due_at = excluded.due_at, warn_at = excluded.warn_at, warned_at = excluded.warned_at,
				achieved_at = excluded.achieved_at, breached_at = excluded.breached_at, updated_at = excluded.updated_at`,
			ticketID, string(st.Metric), p.ID, st.State, st.Target.Minutes, st.Target.Business, utc(st.Due), utc(warn), utc(warned), utc(st.AchievedAt), utc(st.BreachedAt), at)
		if err != nil {
			return nil, fmt.Errorf("store clock %s: %w", st.Metric, err)
		}
	}
	for m, r := range old {
		if !seen[m] {
			evs = append(evs, ticket.ClockEvent{Type: ticket.EventSLA, Field: "sla." + string(m), Old: r.state, New: ""})
			if _, err := tx.Exec(ctx, `DELETE FROM ticket_sla WHERE ticket_id = $1 AND metric = $2`, ticketID, string(m)); err != nil {
				return nil, fmt.Errorf("drop clock %s: %w", m, err)
			}
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE tickets SET sla_policy_id = $2, sla_due_at = $3 WHERE id = $1`, ticketID, p.ID, utc(next)); err != nil {
		return nil, fmt.Errorf("ticket due time: %w", err)
	}
	return evs, nil
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC().Truncate(time.Microsecond)
	return &u
}

// facts reads what policy conditions look at, and the policy that applies
// now (nil if none).
func facts(ctx context.Context, tx *store.Tx, ticketID int64) (sla.Facts, *int64, error) {
	var f sla.Facts
	var current *int64
	// Policies name inboxes by name, as admins type them.
	err := tx.QueryRow(ctx, `SELECT t.priority, t.channel, t.type, c.tier, t.team_id, t.organization_id, t.sla_policy_id,
		COALESCE((SELECT i.name FROM inboxes i WHERE i.id = t.inbox_id), '')
		FROM tickets t JOIN contacts c ON c.id = t.requester_id WHERE t.id = $1`, ticketID).
		Scan(&f.Priority, &f.Channel, &f.Type, &f.Tier, &f.TeamID, &f.OrganizationID, &current, &f.Inbox)
	if err != nil {
		return f, nil, fmt.Errorf("ticket %d facts: %w", ticketID, err)
	}
	rows, err := tx.Query(ctx, `SELECT tag FROM ticket_tags WHERE ticket_id = $1`, ticketID)
	if err != nil {
		return f, nil, fmt.Errorf("ticket %d tags: %w", ticketID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return f, nil, err
		}
		f.Tags = append(f.Tags, t)
	}
	return f, current, rows.Err()
}

func stored(ctx context.Context, tx *store.Tx, ticketID int64) (map[sla.Metric]row, error) {
	rows, err := tx.Query(ctx, `SELECT metric, policy_id, state, due_at, warn_at, warned_at FROM ticket_sla WHERE ticket_id = $1`, ticketID)
	if err != nil {
		return nil, fmt.Errorf("clocks of ticket %d: %w", ticketID, err)
	}
	defer rows.Close()
	out := map[sla.Metric]row{}
	for rows.Next() {
		var m string
		var r row
		if err := rows.Scan(&m, &r.policyID, &r.state, &r.due, &r.warn, &r.warned); err != nil {
			return nil, fmt.Errorf("clocks of ticket %d: %w", ticketID, err)
		}
		out[sla.Metric(m)] = r
	}
	return out, rows.Err()
}

// history reads what SLA clocks care about from the ticket's events.
func history(ctx context.Context, tx *store.Tx, ticketID int64) ([]sla.Happening, error) {
	// Who wrote a reply is read from its message: a reply filed by the
	// system (mail, follow-ups) is the customer's when a contact wrote it.
	rows, err := tx.Query(ctx, `SELECT e.type, CASE WHEN m.author_agent_id IS NOT NULL THEN 'agent' ELSE 'customer' END, e.field, e.new_value, e.created_at, COALESCE(s.category, '')
		FROM ticket_events e LEFT JOIN statuses s ON e.field = 'status' AND s.key = e.new_value
		LEFT JOIN messages m ON m.id = e.message_id
		WHERE e.ticket_id = $1 AND (e.type IN ('created', 'reply_added') OR (e.type = 'field_changed' AND e.field = 'status'))
		ORDER BY e.id`, ticketID)
	if err != nil {
		return nil, fmt.Errorf("history of ticket %d: %w", ticketID, err)
	}
	defer rows.Close()
	var out []sla.Happening
	for rows.Next() {
		var typ, author, field, value, category string
		var at time.Time
		if err := rows.Scan(&typ, &author, &field, &value, &at, &category); err != nil {
			return nil, fmt.Errorf("history of ticket %d: %w", ticketID, err)
		}
		switch {
		case typ == ticket.EventCreated:
			out = append(out, sla.Happening{At: at, Kind: sla.HappenedCreated})
		case typ == ticket.EventReply && author == "agent":
			out = append(out, sla.Happening{At: at, Kind: sla.HappenedAgentReply})
		case typ == ticket.EventReply:
			out = append(out, sla.Happening{At: at, Kind: sla.HappenedCustomerMessage})
		case typ == ticket.EventField:
			out = append(out, sla.Happening{At: at, Kind: sla.HappenedStatus, Value: category})
		}
	}
	return out, rows.Err()
}

// Due returns the tickets whose clocks need a look at instant now: an
// active clock past its due time (a breach) or its warning time. Each of
// the two lookups is a range on its partial index (a UNION tempts SQLite
// into scanning the table to merge), so the cost follows what is due, not
// what is open.
func (s *Service) Due(ctx context.Context, now time.Time, limit int) ([]int64, error) {
	var ids []int64
	seen := map[int64]bool{}
	for _, q := range []string{
		`SELECT ticket_id FROM ticket_sla WHERE state = 'active' AND due_at <= $1 ORDER BY due_at LIMIT $2`,
		`SELECT ticket_id FROM ticket_sla WHERE state = 'active' AND warned_at IS NULL AND warn_at <= $1 ORDER BY warn_at LIMIT $2`,
	} {
		rows, err := s.DB.Read().Query(ctx, q, now.UTC(), limit)
		if err != nil {
			return nil, fmt.Errorf("due clocks: %w", err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, fmt.Errorf("due clocks: %w", err)
			}
			if !seen[id] && len(ids) < limit {
				seen[id] = true
				ids = append(ids, id)
			}
		}
		if err := rows.Close(); err != nil {
			return nil, fmt.Errorf("due clocks: %w", err)
		}
	}
	return ids, nil
}
