package ticket

import (
	"context"
	"fmt"
	"time"

	"tessera/internal/auth"
	"tessera/internal/store"
)

// SLAStatus is where one SLA metric of a ticket stands.
type SLAStatus struct {
	Metric        string     `json:"metric"`
	State         string     `json:"state"`
	PolicyID      int64      `json:"policy_id"`
	DueAt         *time.Time `json:"due_at"`
	TargetMinutes int        `json:"target_minutes"`
	BusinessHours bool       `json:"business_hours"`
	AchievedAt    *time.Time `json:"achieved_at"`
	BreachedAt    *time.Time `json:"breached_at"`
}

// RefreshClocks recomputes a ticket's SLA clocks at the current time and
// records what changed (a breach, a warning) as events by the system. The
// SLA job calls it for the tickets whose due or warning time has come.
func (s *Service) RefreshClocks(ctx context.Context, id int64) error {
	if s.Clocks == nil {
		return nil
	}
	at := now(ctx)
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		if _, err := load(ctx, tx, auth.System, id); err != nil {
			return err
		}
		ces, err := s.Clocks.Recompute(ctx, tx, id, at, false)
		if err != nil {
			return fmt.Errorf("sla clocks of ticket %d: %w", id, err)
		}
		if len(ces) == 0 {
			return nil
		}
		rec := &recorder{ticketID: id, actor: auth.System, at: at}
		for _, ce := range ces {
			rec.add(ce.Type, ce.Field, ce.Old, ce.New, nil)
		}
		if err := insertEvents(ctx, tx, rec.events); err != nil {
			return err
		}
		// SLA warnings and breaches are conditions of triggers.
		if err := rec.rules(ctx, tx, s); err != nil {
			return err
		}
		return rec.followUp(ctx, tx, s)
	})
}

// loadSLA fills in the SLA clocks of tickets.
func (s *Service) loadSLA(ctx context.Context, ts []Ticket) error {
	if len(ts) == 0 {
		return nil
	}
	args := make([]any, len(ts))
	idx := map[int64]int{}
	for i, t := range ts {
		args[i] = t.ID
		idx[t.ID] = i
		ts[i].SLA = []SLAStatus{}
	}
	rows, err := s.DB.Read().Query(ctx, `SELECT ticket_id, metric, state, policy_id, due_at, target_minutes, business_hours, achieved_at, breached_at
		FROM ticket_sla WHERE ticket_id IN (`+placeholders(len(ts), 1)+`) ORDER BY metric`, args...)
	if err != nil {
		return fmt.Errorf("sla clocks: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var st SLAStatus
		if err := rows.Scan(&id, &st.Metric, &st.State, &st.PolicyID, &st.DueAt, &st.TargetMinutes, &st.BusinessHours, &st.AchievedAt, &st.BreachedAt); err != nil {
			return fmt.Errorf("sla clocks: %w", err)
		}
		ts[idx[id]].SLA = append(ts[idx[id]].SLA, st)
	}
	return rows.Err()
}
