// Package ticket holds tickets, their thread of messages, statuses,
// priorities and events, and the ticket service through which every change
// to a ticket is made.
//
// Every command runs in one transaction: load, check the actor, apply and
// validate, record one event per change, update the search index, and hand
// the change to the follow-up hook (which enqueues jobs in the same
// transaction).
package ticket

import (
	"context"
	"errors"
	"fmt"
	"time"

	"tessera/internal/auth"
	"tessera/internal/store"
)

// Status categories.
const (
	StatusNew     = "new"
	StatusOpen    = "open"
	StatusPending = "pending"
	StatusOnHold  = "on_hold"
	StatusSolved  = "solved"
	StatusClosed  = "closed"
)

// Categories lists the status categories in workflow order.
var Categories = []string{StatusNew, StatusOpen, StatusPending, StatusOnHold, StatusSolved, StatusClosed}

// Priorities, most pressing first.
var Priorities = []string{"urgent", "high", "normal", "low"}

// Types of ticket.
var Types = []string{"question", "incident", "problem", "task"}

// Channels a ticket can arrive through.
var Channels = []string{"api", "email", "web", "chat", "phone", "agent"}

// Message kinds.
const (
	KindReply  = "reply"
	KindNote   = "note"
	KindSystem = "system"
)

// Event types.
const (
	EventCreated    = "created"
	EventField      = "field_changed"
	EventReply      = "reply_added"
	EventNote       = "note_added"
	EventMerged     = "merged_into"
	EventMergedFrom = "merged_from"
	EventLinked     = "linked"
	EventFollowUp   = "follow_up_created"
	EventReopened   = "reopened"
	// A priority rule chose the priority of a new ticket.
	EventPriorityRule = "priority_set_by_rule"
	// SLA clocks: a metric changed state, breached, or is about to.
	EventSLA         = "sla_state_changed"
	EventSLABreached = "sla_breached"
	EventSLAWarning  = "sla_warning"
)

// Person is a short reference to a contact or an agent.
type Person struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

// Ticket is one customer request.
type Ticket struct {
	ID             int64          `json:"id"`
	Number         int64          `json:"number"`
	Subject        string         `json:"subject"`
	Status         string         `json:"status"`
	StatusCategory string         `json:"status_category"`
	Priority       string         `json:"priority"`
	Type           string         `json:"type"`
	Channel        string         `json:"channel"`
	RequesterID    int64          `json:"requester_id"`
	Requester      *Person        `json:"requester,omitempty"`
	OrganizationID *int64         `json:"organization_id"`
	AssigneeID     *int64         `json:"assignee_id"`
	TeamID         *int64         `json:"team_id"`
	InboxID        *int64         `json:"inbox_id"`
	MergedIntoID   *int64         `json:"merged_into_id"`
	Tags           []string       `json:"tags"`
	CustomFields   map[string]any `json:"custom_fields"`
	MessageCount   int            `json:"message_count"`
	CreatedAt      time.Time      `json:"created_at"`
	UpdatedAt      time.Time      `json:"updated_at"`
	FirstReplyAt   *time.Time     `json:"first_reply_at"`
	SolvedAt       *time.Time     `json:"solved_at"`
	ClosedAt       *time.Time     `json:"closed_at"`
	SLAPolicyID    *int64         `json:"sla_policy_id"`
	SLADueAt       *time.Time     `json:"sla_due_at"`
	SLA            []SLAStatus    `json:"sla"`
	Links          []Link         `json:"links,omitempty"`
}

// Link relates two tickets.
type Link struct {
	TicketID int64  `json:"ticket_id"`
	Number   int64  `json:"number"`
	Kind     string `json:"kind"`
}

// Message is one entry of a ticket's thread.
type Message struct {
	ID              int64        `json:"id"`
	TicketID        int64        `json:"ticket_id"`
	Kind            string       `json:"kind"`
	Channel         string       `json:"channel"`
	AuthorAgentID   *int64       `json:"author_agent_id"`
	AuthorContactID *int64       `json:"author_contact_id"`
	AuthorName      string       `json:"author_name"`
	BodyText        string       `json:"body_text"`
	BodyHTML        string       `json:"body_html"`
	Attachments     []Attachment `json:"attachments"`
	CreatedAt       time.Time    `json:"created_at"`
	// Delivery: the mail deliveries of a reply sent by mail (agents only).
	Delivery []Delivery `json:"delivery,omitempty"`

	// Text is what the author newly wrote (quoted earlier mail and the
	// signature folded away); FullText all of it; HTML the sanitised HTML
	// (a mail's own, else the rendered text). From is the author's
	// mailbox; Headers, for mail, its headers; HasOriginal says the raw
	// mail can be downloaded.
	Text        string       `json:"text"`
	FullText    string       `json:"full_text"`
	HTML        string       `json:"html"`
	From        Address      `json:"from"`
	Headers     *MailHeaders `json:"headers,omitempty"`
	HasOriginal bool         `json:"has_original"`
}

// Attachment is a file carried by a message.
type Attachment struct {
	ID          int64     `json:"id"`
	Filename    string    `json:"filename"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	CreatedAt   time.Time `json:"created_at"`
}

// Event is one recorded change of a ticket.
type Event struct {
	ID        int64     `json:"id"`
	TicketID  int64     `json:"ticket_id"`
	Type      string    `json:"type"`
	ActorKind string    `json:"actor_kind"`
	ActorID   *int64    `json:"actor_id"`
	Field     string    `json:"field,omitempty"`
	OldValue  string    `json:"old_value,omitempty"`
	NewValue  string    `json:"new_value,omitempty"`
	MessageID *int64    `json:"message_id,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Change is what one command did to one ticket, handed to the follow-up
// hook inside the transaction.
type Change struct {
	TicketID int64
	Actor    auth.Actor
	Events   []Event
}

// FollowUp runs inside the transaction of every change; the jobs package
// implements it by enqueueing durable jobs (notifications, and later
// webhooks and live events), so a committed change always has them and a
// rolled-back one never does.
type FollowUp interface {
	TicketChanged(ctx context.Context, tx *store.Tx, c Change) error
}

// ClockEvent is a change of a ticket's SLA clocks, recorded as an event of
// the change that caused it.
type ClockEvent struct {
	Type, Field, Old, New string
}

// Clocks recomputes a ticket's SLA clocks inside the transaction of every
// change, after the change's events are written (the clocks are replayed
// from them). Package sla/clocks implements it.
type Clocks interface {
	// isNew says the ticket was created in this transaction (it has no
	// clocks yet).
	Recompute(ctx context.Context, tx *store.Tx, ticketID int64, at time.Time, isNew bool) ([]ClockEvent, error)
}

// NewTicketFacts describe a ticket being created, for priority rules.
type NewTicketFacts struct {
	Subject, Body  string
	Channel, Inbox string
	RequesterID    int64
	OrganizationID *int64
}

// PriorityRules decide the priority of a new ticket nobody gave one: the
// priority and the name of the rule that chose it. Package sla/clocks
// implements it.
type PriorityRules interface {
	DecidePriority(ctx context.Context, tx *store.Tx, t NewTicketFacts) (priority, rule string, ok bool, err error)
}

// Service is the ticket service. Every write to a ticket goes through it.
type Service struct {
	DB         *store.DB
	FollowUp   FollowUp
	Clocks     Clocks
	Priorities PriorityRules
	Limits     AttachmentLimits
	// Jobs runs long admin changes (a tag renamed on many tickets) in the
	// background; nil runs them in the call.
	Jobs Background
	// Rules: triggers and automation due times (issue 6, package automation).
	Rules Rules
}

// Errors of the ticket service beyond store.ErrNotFound and validation.
var (
	ErrClosed = errors.New("ticket is closed")
	ErrMerged = errors.New("ticket was merged into another")
)

type nowKey struct{}

// WithNow makes the service stamp changes with t instead of the clock: for
// importers and the demo loader, which replay history.
func WithNow(ctx context.Context, t time.Time) context.Context {
	return context.WithValue(ctx, nowKey{}, t.UTC().Truncate(time.Microsecond))
}

func now(ctx context.Context) time.Time {
	if t, ok := ctx.Value(nowKey{}).(time.Time); ok {
		return t
	}
	return store.Now()
}

// visible decides whether an actor may see a ticket at all. It is the one
// place ticket access is decided:
//   - the system and admins see every ticket;
//   - agents (and light agents) see every ticket, unless their access is
//     limited to their teams: then the tickets of their teams and those
//     assigned to them;
//   - a contact sees the tickets they requested and, when the portal
//     shares them (the actor carries an OrgID), their organization's.
//
// A ticket the actor may not see does not exist for them (not found).
func visible(a auth.Actor, t *Ticket) bool {
	switch a.Kind {
	case auth.KindSystem:
		return true
	case auth.KindAgent:
		if a.SeesAllTickets() {
			return true
		}
		return (t.TeamID != nil && a.InTeam(*t.TeamID)) || (t.AssigneeID != nil && *t.AssigneeID == a.ID)
	case auth.KindContact:
		return t.RequesterID == a.ID || (a.OrgID != 0 && t.OrganizationID != nil && *t.OrganizationID == a.OrgID)
	}
	return false
}

// recorder collects the events of one command and writes them at once.
type recorder struct {
	ticketID int64
	actor    auth.Actor
	at       time.Time
	events   []Event
}

func (r *recorder) add(typ, field, old, new string, msgID *int64) {
	var actorID *int64
	if r.actor.Kind != auth.KindSystem {
		id := r.actor.ID
		actorID = &id
	}
	r.events = append(r.events, Event{TicketID: r.ticketID, Type: typ, ActorKind: r.actor.Kind, ActorID: actorID,
		Field: field, OldValue: old, NewValue: new, MessageID: msgID, CreatedAt: r.at})
}

func (r *recorder) field(name, old, new string) {
	if old != new {
		r.add(EventField, name, old, new, nil)
	}
}

// flush writes the events, recomputes the SLA clocks (whose changes are
// events too) and runs the follow-up hook.
func (r *recorder) flush(ctx context.Context, tx *store.Tx, s *Service) error {
	if len(r.events) == 0 {
		return nil
	}
	if err := insertEvents(ctx, tx, r.events); err != nil {
		return err
	}
	if s.Clocks != nil {
		ces, err := s.Clocks.Recompute(ctx, tx, r.ticketID, r.at, r.events[0].Type == EventCreated)
		if err != nil {
			return fmt.Errorf("sla clocks: %w", err)
		}
		if len(ces) > 0 {
			n := len(r.events)
			for _, ce := range ces {
				r.add(ce.Type, ce.Field, ce.Old, ce.New, nil)
			}
			if err := insertEvents(ctx, tx, r.events[n:]); err != nil {
				return err
			}
		}
	}
	// Triggers see the change with its clock events, and the follow-up
	// hook sees the change without the rules' own (they are changes of
	// their own, each with its follow-up).
	if err := r.rules(ctx, tx, s); err != nil {
		return err
	}
	return r.followUp(ctx, tx, s)
}

// followUp hands the recorded change to the follow-up hook.
func (r *recorder) followUp(ctx context.Context, tx *store.Tx, s *Service) error {
	if s.FollowUp == nil || len(r.events) == 0 {
		return nil
	}
	if err := s.FollowUp.TicketChanged(ctx, tx, Change{TicketID: r.ticketID, Actor: r.actor, Events: r.events}); err != nil {
		return fmt.Errorf("follow-up: %w", err)
	}
	return nil
}

func insertEvents(ctx context.Context, tx *store.Tx, events []Event) error {
	q := `INSERT INTO ticket_events (ticket_id, type, actor_kind, actor_id, field, old_value, new_value, message_id, created_at) VALUES `
	args := make([]any, 0, len(events)*9)
	for i, e := range events {
		if i > 0 {
			q += ", "
		}
		n := len(args)
		q += fmt.Sprintf("($%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d)", n+1, n+2, n+3, n+4, n+5, n+6, n+7, n+8, n+9)
		args = append(args, e.TicketID, e.Type, e.ActorKind, e.ActorID, e.Field, e.OldValue, e.NewValue, e.MessageID, e.CreatedAt)
	}
	if _, err := tx.Exec(ctx, q, args...); err != nil {
		return fmt.Errorf("record events: %w", err)
	}
	return nil
}
