package automation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"tessera/internal/auth"
	"tessera/internal/store"
	"tessera/internal/validation"
)

// RuleInput creates a rule or changes one (PATCH: absent fields stay).
type RuleInput struct {
	Name       *string     `json:"name"`
	Position   *int        `json:"position"`
	Active     *bool       `json:"active"`
	On         *[]string   `json:"on"`
	Conditions *Conditions `json:"conditions"`
	Actions    *[]Action   `json:"actions"`
}

// table names the table of a kind of rule.
func table(k Kind) string {
	if k == KindAutomation {
		return "automations"
	}
	return "triggers"
}

func cols(k Kind) string {
	c := `id, name, position, active, conditions, actions, fired_count, last_fired_at, created_at, updated_at`
	if k == KindTrigger {
		c += `, on_events`
	}
	return c
}

func scanRule(k Kind, r store.Row) (Rule, error) {
	var out Rule
	var cond, acts, on string
	dst := []any{&out.ID, &out.Name, &out.Position, &out.Active, &cond, &acts, &out.FiredCount, &out.LastFiredAt, &out.CreatedAt, &out.UpdatedAt}
	if k == KindTrigger {
		dst = append(dst, &on)
	}
	if err := r.Scan(dst...); err != nil {
		return Rule{}, err
	}
	if err := json.Unmarshal([]byte(cond), &out.Conditions); err != nil {
		return Rule{}, fmt.Errorf("%s %d conditions: %w", k, out.ID, err)
	}
	if err := json.Unmarshal([]byte(acts), &out.Actions); err != nil {
		return Rule{}, fmt.Errorf("%s %d actions: %w", k, out.ID, err)
	}
	if k == KindTrigger {
		if err := json.Unmarshal([]byte(on), &out.On); err != nil {
			return Rule{}, fmt.Errorf("%s %d events: %w", k, out.ID, err)
		}
	}
	normalize(&out)
	return out, nil
}

// normalize gives a rule empty lists instead of nulls, as the API shows it.
func normalize(r *Rule) {
	if r.Conditions.All == nil {
		r.Conditions.All = []Condition{}
	}
	if r.Conditions.Any == nil {
		r.Conditions.Any = []Condition{}
	}
	if r.Actions == nil {
		r.Actions = []Action{}
	}
}

func rules(ctx context.Context, q store.Querier, k Kind, activeOnly bool) ([]Rule, error) {
	query := `SELECT ` + cols(k) + ` FROM ` + table(k)
	var args []any
	if activeOnly {
		query += ` WHERE active = $1`
		args = append(args, true)
	}
	rows, err := q.Query(ctx, query+` ORDER BY position, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", table(k), err)
	}
	defer rows.Close()
	out := []Rule{}
	for rows.Next() {
		r, err := scanRule(k, rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// List returns the rules of a kind in the order they run.
func (s *Service) List(ctx context.Context, k Kind) ([]Rule, error) {
	return rules(ctx, s.DB.Read(), k, false)
}

// Get returns one rule.
func (s *Service) Get(ctx context.Context, k Kind, id int64) (Rule, error) {
	r, err := scanRule(k, s.DB.Read().QueryRow(ctx, `SELECT `+cols(k)+` FROM `+table(k)+` WHERE id = $1`, id))
	if err != nil {
		return Rule{}, fmt.Errorf("%s %d: %w", k, id, err)
	}
	return r, nil
}

// Create adds a rule (admins only). A rule is active unless it says not.
func (s *Service) Create(ctx context.Context, actor auth.Actor, k Kind, in RuleInput) (Rule, error) {
	r := Rule{Active: true}
	apply(&r, in)
	return s.save(ctx, actor, k, r)
}

// Update changes the fields of a rule that the input names (admins only).
func (s *Service) Update(ctx context.Context, actor auth.Actor, k Kind, id int64, in RuleInput) (Rule, error) {
	if !actor.IsAdmin() {
		return Rule{}, auth.Forbidden("only admins manage " + table(k))
	}
	r, err := s.Get(ctx, k, id)
	if err != nil {
		return Rule{}, err
	}
	apply(&r, in)
	return s.save(ctx, actor, k, r)
}

func apply(r *Rule, in RuleInput) {
	if in.Name != nil {
		r.Name = strings.TrimSpace(*in.Name)
	}
	if in.Position != nil {
		r.Position = *in.Position
	}
	if in.Active != nil {
		r.Active = *in.Active
	}
	if in.On != nil {
		r.On = *in.On
	}
	if in.Conditions != nil {
		r.Conditions = *in.Conditions
	}
	if in.Actions != nil {
		r.Actions = *in.Actions
	}
	normalize(r)
}

func (s *Service) save(ctx context.Context, actor auth.Actor, k Kind, r Rule) (Rule, error) {
	if !actor.IsAdmin() {
		return Rule{}, auth.Forbidden("only admins manage " + table(k))
	}
	if err := Validate(r, k); err != nil {
		return Rule{}, err
	}
	at := store.Now()
	cond, _ := json.Marshal(r.Conditions)
	acts, _ := json.Marshal(r.Actions)
	on, _ := json.Marshal(r.On)
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := checkReferences(ctx, tx, r.Actions); err != nil {
			return err
		}
		var err error
		switch {
		case r.ID == 0 && k == KindTrigger:
			err = tx.QueryRow(ctx, `INSERT INTO triggers (name, position, active, on_events, conditions, actions, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`, r.Name, r.Position, r.Active, string(on), string(cond), string(acts), at).Scan(&r.ID)
		case r.ID == 0:
			err = tx.QueryRow(ctx, `INSERT INTO automations (name, position, active, conditions, actions, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`, r.Name, r.Position, r.Active, string(cond), string(acts), at).Scan(&r.ID)
		case k == KindTrigger:
			_, err = tx.Exec(ctx, `UPDATE triggers SET name = $2, position = $3, active = $4, on_events = $5, conditions = $6, actions = $7, updated_at = $8 WHERE id = $1`,
				r.ID, r.Name, r.Position, r.Active, string(on), string(cond), string(acts), at)
		default:
			_, err = tx.Exec(ctx, `UPDATE automations SET name = $2, position = $3, active = $4, conditions = $5, actions = $6, updated_at = $7 WHERE id = $1`,
				r.ID, r.Name, r.Position, r.Active, string(cond), string(acts), at)
			if err == nil {
				// New conditions, new due times: the rows not yet fired
				// are recomputed as each ticket next changes, and the
				// runner re-checks every condition before it acts.
				_, err = tx.Exec(ctx, `DELETE FROM automation_due WHERE automation_id = $1 AND fired_at IS NULL`, r.ID)
			}
		}
		if errors.Is(err, store.ErrConflict) {
			return validation.Field("name", "a %s with this name already exists", k)
		}
		if err != nil {
			return fmt.Errorf("save %s: %w", k, err)
		}
		if k == KindAutomation && r.Active && s.Queue != nil {
			// The tickets that exist already get their due times in the
			// background; those that change meanwhile get them anyway.
			if err := s.Queue.InsertTx(ctx, tx, BackfillArgs{AutomationID: r.ID}, nil); err != nil {
				return fmt.Errorf("queue due times of automation %d: %w", r.ID, err)
			}
		}
		return auth.Audit(ctx, tx, actor, string(k)+".save", fmt.Sprintf("%s:%d", k, r.ID), r.Name)
	})
	s.forget()
	if err != nil {
		return Rule{}, err
	}
	return s.Get(ctx, k, r.ID)
}

// Delete removes a rule (admins only); the events it left on tickets stay.
func (s *Service) Delete(ctx context.Context, actor auth.Actor, k Kind, id int64) error {
	if !actor.IsAdmin() {
		return auth.Forbidden("only admins manage " + table(k))
	}
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		n, err := tx.Exec(ctx, `DELETE FROM `+table(k)+` WHERE id = $1`, id)
		if err != nil {
			return fmt.Errorf("delete %s %d: %w", k, id, err)
		}
		if n == 0 {
			return fmt.Errorf("%s %d: %w", k, id, store.ErrNotFound)
		}
		return auth.Audit(ctx, tx, actor, string(k)+".delete", fmt.Sprintf("%s:%d", k, id), "")
	})
	s.forget()
	return err
}

// checkReferences refuses actions that name a team, agent, status or SLA
// policy that does not exist, so the mistake shows when the rule is saved
// and not when it first fires.
func checkReferences(ctx context.Context, tx *store.Tx, acts []Action) error {
	var c validation.Collector
	exists := func(query string, arg any) (bool, error) {
		var one int
		err := tx.QueryRow(ctx, query, arg).Scan(&one)
		if errors.Is(err, store.ErrNotFound) {
			return false, nil
		}
		return err == nil, err
	}
	for i, a := range acts {
		var query, what string
		var arg any
		switch a.Type {
		case ActAssignTeam:
			query, what = `SELECT 1 FROM teams WHERE id = $1`, "team"
		case ActAssignAgent:
			query, what = `SELECT 1 FROM agents WHERE id = $1 AND active`, "active agent"
		case ActSetSLAPolicy:
			query, what = `SELECT 1 FROM sla_policies WHERE id = $1`, "SLA policy"
		case ActSetStatus:
			query, what, arg = `SELECT 1 FROM statuses WHERE key = $1`, "status", a.Value
		default:
			continue
		}
		if arg == nil {
			arg, _ = asID(a.Value)
		}
		ok, err := exists(query, arg)
		if err != nil {
			return fmt.Errorf("check %s: %w", what, err)
		}
		if !ok {
			c.Add(fmt.Sprintf("actions[%d].value", i), "no %s %v", what, a.Value)
		}
	}
	return c.Err()
}
