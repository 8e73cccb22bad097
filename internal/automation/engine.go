package automation

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"tessera/internal/auth"
	"tessera/internal/store"
	"tessera/internal/ticket"
)

// MaxPasses bounds a chain of triggers: the changes a pass makes are
// evaluated in the next pass, at most this many.
const MaxPasses = 5

// Router assigns a ticket inside a team by a strategy ("" is the team's
// own, "round_robin", "least_loaded"), through the ticket service, in the
// caller's transaction. routing.Service implements it.
type Router interface {
	RouteIn(ctx context.Context, tx *store.Tx, ticketID int64, strategy string) (agentID int64, ok bool, err error)
}

// Webhooks queues one delivery of event about a ticket to a webhook, in
// the caller's transaction. webhook.Service implements it.
type Webhooks interface {
	EnqueueIn(ctx context.Context, tx *store.Tx, webhookID int64, event string, ticketID int64) error
}

// Enqueuer queues a durable job in a transaction; jobs.Queue implements it.
type Enqueuer interface {
	InsertTx(ctx context.Context, tx *store.Tx, args river.JobArgs, opts *river.InsertOpts) error
}

// Service stores triggers and automations and runs them. It implements
// ticket.Rules.
type Service struct {
	DB      *store.DB
	Tickets *ticket.Service
	// Router and Webhooks serve the route and call_webhook actions; a
	// rule using one that is not configured fails (and is recorded so).
	Router   Router
	Webhooks Webhooks
	// Queue carries the send_email action's mail.
	Queue Enqueuer
	// PublicURL makes {{ticket.url}}.
	PublicURL string
	Log       *slog.Logger

	cache ruleCache
}

// cacheTTL bounds how long a server uses its copy of the active rules: a
// save on this server takes effect at once, on other servers within it.
const cacheTTL = 2 * time.Second

type ruleCache struct {
	mu          sync.Mutex
	loaded      time.Time
	triggers    []*Program
	automations []*Program
	// calendar says whether a rule reads business hours, so the facts of
	// a change load the ticket's calendar only when one does.
	calendar bool
}

// active returns the compiled active triggers and automations, in order.
func (s *Service) active(ctx context.Context, q store.Querier) (trs, aus []*Program, calendar bool, err error) {
	c := &s.cache
	c.mu.Lock()
	if !c.loaded.IsZero() && time.Since(c.loaded) < cacheTTL {
		trs, aus, calendar = c.triggers, c.automations, c.calendar
		c.mu.Unlock()
		return trs, aus, calendar, nil
	}
	c.mu.Unlock()
	compile := func(k Kind) ([]*Program, error) {
		rs, err := rules(ctx, q, k, true)
		if err != nil {
			return nil, err
		}
		out := make([]*Program, 0, len(rs))
		for _, r := range rs {
			p, err := Compile(r)
			if err != nil {
				// Saved rules were validated; one that no longer compiles
				// (a field removed from the registry) is skipped, loudly.
				s.log().Error("rule does not compile; skipped", "kind", k, "id", r.ID, "name", r.Name, "err", err)
				continue
			}
			calendar = calendar || p.usesCalendar()
			out = append(out, p)
		}
		return out, nil
	}
	if trs, err = compile(KindTrigger); err != nil {
		return nil, nil, false, err
	}
	if aus, err = compile(KindAutomation); err != nil {
		return nil, nil, false, err
	}
	c.mu.Lock()
	c.triggers, c.automations, c.calendar, c.loaded = trs, aus, calendar, time.Now()
	c.mu.Unlock()
	return trs, aus, calendar, nil
}

func (s *Service) forget() {
	s.cache.mu.Lock()
	s.cache.loaded = time.Time{}
	s.cache.mu.Unlock()
}

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}

func (p *Program) usesCalendar() bool {
	for _, c := range append(append([]cond{}, p.all...), p.any...) {
		if c.field == FieldBusinessHours || (c.field == FieldHoursSince && c.since.Business) {
			return true
		}
	}
	return false
}

// pass collects the changes that the actions of one pass make to a ticket:
// they come back through TicketChanged, marked by the context.
type pass struct {
	ticketID int64
	pending  []ticket.Event
}

type passKey struct{}

// TicketChanged implements ticket.Rules: it runs the triggers on a change
// and keeps the ticket's automation due times.
func (s *Service) TicketChanged(ctx context.Context, tx *store.Tx, c ticket.Change) error {
	if p, ok := ctx.Value(passKey{}).(*pass); ok && p.ticketID == c.TicketID {
		p.pending = append(p.pending, c.Events...)
		return nil
	}
	trs, aus, calendar, err := s.active(ctx, tx)
	if err != nil {
		return err
	}
	if len(trs) == 0 && len(aus) == 0 {
		return nil
	}
	event := OnUpdated
	for _, e := range c.Events {
		if e.Type == ticket.EventCreated {
			event = OnCreated
		}
	}
	at := eventTime(c)
	if err := s.runTriggers(ctx, tx, c.TicketID, event, c.Events, at, trs, calendar); err != nil {
		return err
	}
	return s.schedule(ctx, tx, c.TicketID, at, aus, calendar)
}

// eventTime is the moment of a change (the service's clock, which tests
// and importers set).
func eventTime(c ticket.Change) time.Time {
	if len(c.Events) > 0 && !c.Events[0].CreatedAt.IsZero() {
		return c.Events[0].CreatedAt
	}
	return store.Now()
}

// runTriggers evaluates the triggers on a change in passes: each pass reads
// the ticket once, runs every matching trigger that has not fired yet in
// this change, and hands the changes its actions made to the next pass.
func (s *Service) runTriggers(ctx context.Context, tx *store.Tx, ticketID int64, event string, events []ticket.Event, at time.Time,
	trs []*Program, calendar bool) error {
	if len(trs) == 0 {
		return nil
	}
	fired := map[int64]bool{}
	var again []string // triggers that matched again after firing
	for n := 1; len(events) > 0; n++ {
		if n > MaxPasses {
			return s.stop(ctx, tx, ticketID, at, fmt.Sprintf("%d passes of triggers; the changes of the last were not evaluated", MaxPasses))
		}
		f, err := s.facts(ctx, tx, ticketID, event, events, at, calendar, false)
		if err != nil {
			return err
		}
		if f == nil {
			return nil // closed or gone: nothing to act on
		}
		p := &pass{ticketID: ticketID}
		pctx := context.WithValue(ctx, passKey{}, p)
		again = again[:0]
		for _, pr := range trs {
			if !onEvent(pr.Rule, event) || !pr.Match(f) {
				continue
			}
			if fired[pr.Rule.ID] {
				// Held: it fires once per change. Only a trigger that would
				// undo what a later one did is a conflict worth recording.
				if pr.Rule.Changes(f) {
					again = append(again, pr.Rule.Name)
				}
				continue
			}
			fired[pr.Rule.ID] = true
			if err := s.fire(pctx, tx, p, KindTrigger, pr.Rule, ticketID, at); err != nil {
				return err
			}
		}
		events = p.pending
	}
	if len(again) > 0 {
		return s.stop(ctx, tx, ticketID, at, fmt.Sprintf("trigger %q matched again and would change the ticket back; a trigger fires at most once per change", again[0]))
	}
	return nil
}

func onEvent(r Rule, event string) bool {
	for _, e := range r.On {
		if e == event {
			return true
		}
	}
	return false
}

// stop logs and records why a chain of triggers ended early.
func (s *Service) stop(ctx context.Context, tx *store.Tx, ticketID int64, at time.Time, reason string) error {
	s.log().Info("triggers stopped", "ticket", ticketID, "reason", reason)
	return ticket.RecordIn(ctx, tx, []ticket.Event{{TicketID: ticketID, Type: ticket.EventRulesStopped, ActorKind: auth.KindSystem,
		NewValue: reason, CreatedAt: at}})
}

// fire runs a rule's actions on a ticket and records the firing. The
// actions run under a savepoint: a rule that fails (its team deleted, a
// webhook gone) is rolled back alone and recorded, and does not undo the
// change that set it off.
func (s *Service) fire(ctx context.Context, tx *store.Tx, p *pass, k Kind, r Rule, ticketID int64, at time.Time) error {
	if _, err := tx.Exec(ctx, `SAVEPOINT rule_fire`); err != nil {
		return fmt.Errorf("savepoint: %w", err)
	}
	mark := len(p.pending)
	typ := ticket.EventTriggerFired
	if k == KindAutomation {
		typ = ticket.EventAutomationFired
	}
	err := s.do(ctx, tx, k, r, ticketID)
	if err != nil {
		if _, rerr := tx.Exec(ctx, `ROLLBACK TO SAVEPOINT rule_fire`); rerr != nil {
			return fmt.Errorf("%s %q failed (%v) and could not be undone: %w", k, r.Name, err, rerr)
		}
		p.pending = p.pending[:mark]
		s.log().Warn("rule failed", "kind", k, "id", r.ID, "name", r.Name, "ticket", ticketID, "err", err)
		typ = ticket.EventRuleFailed
	}
	if _, err := tx.Exec(ctx, `RELEASE SAVEPOINT rule_fire`); err != nil {
		return fmt.Errorf("release savepoint: %w", err)
	}
	ev := ticket.Event{TicketID: ticketID, Type: typ, ActorKind: auth.KindSystem, Field: string(k), OldValue: fmt.Sprint(r.ID), NewValue: r.Name, CreatedAt: at}
	if err != nil {
		ev.NewValue = r.Name + ": " + err.Error()
		return ticket.RecordIn(ctx, tx, []ticket.Event{ev})
	}
	if err := ticket.RecordIn(ctx, tx, []ticket.Event{ev}); err != nil {
		return err
	}
	// The count is a statistic (the event is the record): it is written
	// after the commit, so concurrent changes firing a popular trigger do
	// not queue on its row for the length of their transactions.
	tx.AfterCommit(func() { s.countFiring(k, r.ID, at) })
	return nil
}

func (s *Service) countFiring(k Kind, id int64, at time.Time) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := s.DB.Write().Exec(ctx, `UPDATE `+table(k)+` SET fired_count = fired_count + 1,
		last_fired_at = CASE WHEN last_fired_at IS NULL OR last_fired_at < $2 THEN $2 ELSE last_fired_at END WHERE id = $1`, id, at)
	if err != nil {
		s.log().Warn("count rule firing", "kind", k, "id", id, "err", err)
	}
}
