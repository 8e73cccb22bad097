package clocks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"tessera/internal/auth"
	"tessera/internal/sla"
	"tessera/internal/store"
	"tessera/internal/ticket"
	"tessera/internal/validation"
)

// PriorityRuleInput creates or replaces a priority rule.
type PriorityRuleInput struct {
	Name            string   `json:"name"`
	Position        int      `json:"position"`
	Active          *bool    `json:"active,omitempty"`
	Keywords        []string `json:"keywords,omitempty"`
	Tiers           []string `json:"tiers,omitempty"`
	OrganizationIDs []int64  `json:"organization_ids,omitempty"`
	Channels        []string `json:"channels,omitempty"`
	Inboxes         []string `json:"inboxes,omitempty"`
	Priority        string   `json:"priority"`
}

type ruleConditions struct {
	Keywords        []string `json:"keywords"`
	Tiers           []string `json:"tiers"`
	OrganizationIDs []int64  `json:"organization_ids"`
	Channels        []string `json:"channels"`
	Inboxes         []string `json:"inboxes"`
}

func (in PriorityRuleInput) check() error {
	var c validation.Collector
	c.Text("name", in.Name, 100, true)
	if !slices.Contains(priorities, in.Priority) {
		c.Add("priority", "must be urgent, high, normal or low")
	}
	for i, k := range in.Keywords {
		if len(k) > 200 || len(strings.Fields(k)) == 0 {
			c.Add(fmt.Sprintf("keywords[%d]", i), "must be a word or phrase of at most 200 characters")
		}
	}
	if len(in.Keywords) > 200 {
		c.Add("keywords", "at most 200 keywords a rule")
	}
	return c.Err()
}

// CreatePriorityRule adds a rule (admins only).
func (s *Service) CreatePriorityRule(ctx context.Context, actor auth.Actor, in PriorityRuleInput) (sla.PriorityRule, error) {
	return s.savePriorityRule(ctx, actor, 0, in)
}

// UpdatePriorityRule replaces a rule (admins only).
func (s *Service) UpdatePriorityRule(ctx context.Context, actor auth.Actor, id int64, in PriorityRuleInput) (sla.PriorityRule, error) {
	return s.savePriorityRule(ctx, actor, id, in)
}

func (s *Service) savePriorityRule(ctx context.Context, actor auth.Actor, id int64, in PriorityRuleInput) (sla.PriorityRule, error) {
	if !actor.IsAdmin() {
		return sla.PriorityRule{}, auth.Forbidden("only admins manage priority rules")
	}
	if err := in.check(); err != nil {
		return sla.PriorityRule{}, err
	}
	cond, _ := json.Marshal(ruleConditions{Keywords: in.Keywords, Tiers: in.Tiers, OrganizationIDs: in.OrganizationIDs, Channels: in.Channels, Inboxes: in.Inboxes})
	active := deref(in.Active, true)
	now := store.Now()
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if id == 0 {
			err = tx.QueryRow(ctx, `INSERT INTO priority_rules (name, position, active, conditions, priority, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`,
				strings.TrimSpace(in.Name), in.Position, active, string(cond), in.Priority, now).Scan(&id)
		} else {
			var n int64
			n, err = tx.Exec(ctx, `UPDATE priority_rules SET name = $2, position = $3, active = $4, conditions = $5, priority = $6, updated_at = $7 WHERE id = $1`,
				id, strings.TrimSpace(in.Name), in.Position, active, string(cond), in.Priority, now)
			if err == nil && n == 0 {
				return fmt.Errorf("priority rule %d: %w", id, store.ErrNotFound)
			}
		}
		if errors.Is(err, store.ErrConflict) {
			return validation.Field("name", "a priority rule with this name already exists")
		}
		if err != nil {
			return fmt.Errorf("save priority rule: %w", err)
		}
		return auth.Audit(ctx, tx, actor, "priority_rule.save", fmt.Sprintf("priority_rule:%d", id), in.Name)
	})
	s.forget()
	if err != nil {
		return sla.PriorityRule{}, err
	}
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

// PriorityRules lists every rule in order.
func (s *Service) PriorityRules(ctx context.Context) ([]sla.PriorityRule, error) {
	return priorityRules(ctx, s.DB.Read(), false)
}

func priorityRules(ctx context.Context, q store.Querier, activeOnly bool) ([]sla.PriorityRule, error) {
	query := `SELECT id, name, position, active, conditions, priority FROM priority_rules`
	var args []any
	if activeOnly {
		query += ` WHERE active = $1`
		args = append(args, true)
	}
	rows, err := q.Query(ctx, query+` ORDER BY position, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("priority rules: %w", err)
	}
	defer rows.Close()
	out := []sla.PriorityRule{}
	for rows.Next() {
		var r sla.PriorityRule
		var cond string
		if err := rows.Scan(&r.ID, &r.Name, &r.Position, &r.Active, &cond, &r.Priority); err != nil {
			return nil, fmt.Errorf("priority rules: %w", err)
		}
		var c ruleConditions
		if err := json.Unmarshal([]byte(cond), &c); err != nil {
			return nil, fmt.Errorf("priority rule %d: %w", r.ID, err)
		}
		r.Keywords, r.Tiers, r.OrganizationIDs, r.Channels, r.Inboxes = nonNil(c.Keywords), nonNil(c.Tiers), nonNilInts(c.OrganizationIDs), nonNil(c.Channels), nonNil(c.Inboxes)
		out = append(out, r)
	}
	return out, rows.Err()
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func nonNilInts(s []int64) []int64 {
	if s == nil {
		return []int64{}
	}
	return s
}

// DecidePriority implements ticket.PriorityRules: the priority the first
// matching rule gives a new ticket nobody gave one.
func (s *Service) DecidePriority(ctx context.Context, tx *store.Tx, t ticket.NewTicketFacts) (string, string, bool, error) {
	_, rules, err := s.active(ctx, tx)
	if err != nil || len(rules) == 0 {
		return "", "", false, err
	}
	var tier string
	if err := tx.QueryRow(ctx, `SELECT tier FROM contacts WHERE id = $1`, t.RequesterID).Scan(&tier); err != nil {
		return "", "", false, fmt.Errorf("requester tier: %w", err)
	}
	r, ok := sla.DecidePriority(rules, sla.NewTicket{Subject: t.Subject, Body: t.Body, Channel: t.Channel, Inbox: t.Inbox, Tier: tier, OrganizationID: t.OrganizationID})
	return r.Priority, r.Name, ok, nil
}
