package clocks

import (
	"context"
	"fmt"
	"time"

	"tessera/internal/sla"
	"tessera/internal/store"
)

// PolicyPreview is when a ticket created at CreatedAt would be due under
// one policy, per priority and metric; a priority the policy sets no
// target for is absent.
type PolicyPreview struct {
	PolicyID  int64                                `json:"policy_id"`
	CreatedAt time.Time                            `json:"created_at"`
	Due       map[string]map[sla.Metric]*time.Time `json:"due"`
}

// PreviewPolicy computes, for one policy whatever its conditions and
// position, when a ticket created at `at` would be due for each priority:
// what an admin editing the policy wants to see ("a ticket created now
// with priority high would be due at ...").
func (s *Service) PreviewPolicy(ctx context.Context, id int64, at time.Time) (PolicyPreview, error) {
	p, err := scanPolicy(s.DB.Read().QueryRow(ctx, `SELECT `+policyCols+` FROM sla_policies WHERE id = $1`, id))
	if err != nil {
		return PolicyPreview{}, fmt.Errorf("policy %d: %w", id, err)
	}
	var cal *sla.Calendar
	if p.CalendarID != nil {
		if cal, err = loadCalendar(ctx, s.DB.Read(), *p.CalendarID); err != nil {
			return PolicyPreview{}, err
		}
	}
	out := PolicyPreview{PolicyID: p.ID, CreatedAt: at, Due: map[string]map[sla.Metric]*time.Time{}}
	for _, prio := range priorities {
		for _, st := range sla.Compute(p, cal, prio, []sla.Happening{{At: at, Kind: sla.HappenedCreated}}, at) {
			if out.Due[prio] == nil {
				out.Due[prio] = map[sla.Metric]*time.Time{}
			}
			out.Due[prio][st.Metric] = st.Due
		}
	}
	return out, nil
}

// GetPriorityRule returns one priority rule.
func (s *Service) GetPriorityRule(ctx context.Context, id int64) (sla.PriorityRule, error) {
	rules, err := priorityRules(ctx, s.DB.Read(), false)
	if err != nil {
		return sla.PriorityRule{}, err
	}
	for _, r := range rules {
		if r.ID == id {
			return r, nil
		}
	}
	return sla.PriorityRule{}, fmt.Errorf("priority rule %d: %w", id, store.ErrNotFound)
}
