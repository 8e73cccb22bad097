package automation

import (
	"context"
	"errors"
	"time"

	"tessera/internal/auth"
	"tessera/internal/store"
	"tessera/internal/validation"
)

// TestInput asks how a rule would treat a ticket. Event (triggers only)
// is the event to pretend, "updated" by default.
type TestInput struct {
	TicketID int64  `json:"ticket_id"`
	Event    string `json:"event,omitempty"`
}

// DryRun is how a rule would treat a ticket now: which conditions hold and
// which actions would run. Nothing is changed.
type DryRun struct {
	RuleID     int64    `json:"rule_id"`
	TicketID   int64    `json:"ticket_id"`
	Matched    bool     `json:"matched"`
	Conditions Outcome  `json:"conditions"`
	Actions    []Action `json:"actions"`
	// DueAt is when an automation's time conditions hold for the ticket
	// (absent when they cannot in its present state).
	DueAt *time.Time `json:"due_at,omitempty"`
}

var errDryRun = errors.New("dry run")

// Test evaluates a rule against a ticket the agent may see, changing
// nothing. A trigger is tested as if the ticket had just been updated (or
// created), without field changes.
func (s *Service) Test(ctx context.Context, actor auth.Actor, k Kind, id int64, in TestInput) (DryRun, error) {
	if !actor.IsAgent() {
		return DryRun{}, auth.Forbidden("only agents test rules")
	}
	if in.TicketID <= 0 {
		return DryRun{}, validation.Field("ticket_id", "must be a ticket id")
	}
	event := in.Event
	switch {
	case k == KindAutomation:
		event = ""
	case event == "":
		event = OnUpdated
	case event != OnCreated && event != OnUpdated:
		return DryRun{}, validation.Field("event", "must be %s or %s", OnCreated, OnUpdated)
	}
	r, err := s.Get(ctx, k, id)
	if err != nil {
		return DryRun{}, err
	}
	if err := s.Tickets.Visible(ctx, actor, in.TicketID); err != nil {
		return DryRun{}, err
	}
	p, err := Compile(r)
	if err != nil {
		return DryRun{}, err
	}
	out := DryRun{RuleID: r.ID, TicketID: in.TicketID, Actions: []Action{}}
	// Facts are read in a transaction that is always rolled back.
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		f, err := s.facts(ctx, tx, in.TicketID, event, nil, store.Now(), p.usesCalendar(), k == KindAutomation)
		if err != nil {
			return err
		}
		if f == nil {
			return store.ErrNotFound
		}
		out.Conditions = p.Explain(f)
		out.Matched = out.Conditions.Matched && (k == KindAutomation || onEvent(r, event))
		if out.Matched {
			out.Actions = r.Actions
		}
		if due, ok := p.DueAt(f); ok {
			out.DueAt = &due
		}
		return errDryRun
	})
	if err != nil && !errors.Is(err, errDryRun) {
		return DryRun{}, err
	}
	return out, nil
}
