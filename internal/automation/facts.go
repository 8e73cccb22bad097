package automation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"tessera/internal/sla"
	"tessera/internal/sla/clocks"
	"tessera/internal/store"
	"tessera/internal/ticket"
)

// facts reads a ticket as conditions see it, with what events changed.
// withTime adds the moments and SLA due times that time conditions read.
// It returns nil for a ticket that no longer exists.
func (s *Service) facts(ctx context.Context, tx *store.Tx, ticketID int64, event string, events []ticket.Event, at time.Time,
	calendar, withTime bool) (*Facts, error) {
	f := &Facts{Event: event, Now: at, Changes: map[string]FieldChange{}}
	var cf string
	var inbox, org, team, assignee, policy *int64
	var created, updated time.Time
	var solved *time.Time
	err := tx.QueryRow(ctx, `SELECT t.subject, t.status, t.status_category, t.priority, t.type, t.channel, t.inbox_id, t.requester_id, t.organization_id,
		t.team_id, t.assignee_id, t.custom_fields, t.created_at, t.updated_at, t.solved_at, t.sla_policy_id, c.tier, c.language
		FROM tickets t JOIN contacts c ON c.id = t.requester_id WHERE t.id = $1`, ticketID).
		Scan(&f.Subject, &f.Status, &f.StatusCategory, &f.Priority, &f.Type, &f.Channel, &inbox, &f.RequesterID, &org,
			&team, &assignee, &cf, &created, &updated, &solved, &policy, &f.ContactTier, &f.Language)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("ticket %d facts: %w", ticketID, err)
	}
	deref := func(p *int64) int64 {
		if p == nil {
			return 0
		}
		return *p
	}
	f.InboxID, f.OrganizationID, f.TeamID, f.AssigneeID = deref(inbox), deref(org), deref(team), deref(assignee)
	if err := json.Unmarshal([]byte(cf), &f.CustomFields); err != nil {
		return nil, fmt.Errorf("ticket %d custom fields: %w", ticketID, err)
	}
	if err := s.readTags(ctx, tx, ticketID, f); err != nil {
		return nil, err
	}
	var lastReplyAt time.Time
	var lastReplyByContact bool
	if err := s.readMessages(ctx, tx, ticketID, f, &lastReplyAt, &lastReplyByContact); err != nil {
		return nil, err
	}
	if err := s.readSLA(ctx, tx, ticketID, f); err != nil {
		return nil, err
	}
	if calendar && policy != nil {
		if f.Calendar, err = s.calendarOf(ctx, tx, *policy); err != nil {
			return nil, err
		}
	}
	if err := s.readChanges(ctx, tx, events, f); err != nil {
		return nil, err
	}
	if !withTime {
		return f, nil
	}
	f.Since = map[string]time.Time{SinceCreated: created, SinceUpdated: updated}
	last := map[string]time.Time{}
	for _, field := range []string{FieldStatus, FieldAssigneeID} {
		var t time.Time
		err := tx.QueryRow(ctx, `SELECT created_at FROM ticket_events WHERE ticket_id = $1 AND type = $2 AND field = $3 ORDER BY id DESC LIMIT 1`,
			ticketID, ticket.EventField, field).Scan(&t)
		switch {
		case err == nil:
			last[field] = t
		case !errors.Is(err, store.ErrNotFound):
			return nil, fmt.Errorf("ticket %d history: %w", ticketID, err)
		}
	}
	since := func(field string) time.Time {
		if t, ok := last[field]; ok {
			return t
		}
		return created
	}
	if f.StatusCategory == ticket.StatusPending {
		f.Since[SincePending] = since("status")
	}
	if f.StatusCategory == ticket.StatusSolved && solved != nil {
		f.Since[SinceSolved] = *solved
	}
	if f.AssigneeID == 0 {
		f.Since[SinceUnassigned] = since("assignee_id")
	}
	if lastReplyByContact {
		f.Since[SinceLastCustomerReply] = lastReplyAt
	}
	return f, nil
}

func (s *Service) readTags(ctx context.Context, tx *store.Tx, ticketID int64, f *Facts) error {
	rows, err := tx.Query(ctx, `SELECT tag FROM ticket_tags WHERE ticket_id = $1 ORDER BY tag`, ticketID)
	if err != nil {
		return fmt.Errorf("ticket %d tags: %w", ticketID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return err
		}
		f.Tags = append(f.Tags, t)
	}
	return rows.Err()
}

// readMessages reads the latest message's text (Body) and who wrote the
// latest public reply.
func (s *Service) readMessages(ctx context.Context, tx *store.Tx, ticketID int64, f *Facts, replyAt *time.Time, byContact *bool) error {
	rows, err := tx.Query(ctx, `SELECT kind, body_text, author_contact_id, created_at FROM messages WHERE ticket_id = $1 AND kind <> 'system' ORDER BY id DESC LIMIT 20`, ticketID)
	if err != nil {
		return fmt.Errorf("ticket %d messages: %w", ticketID, err)
	}
	defer rows.Close()
	first := true
	for rows.Next() {
		var kind, body string
		var contact *int64
		var at time.Time
		if err := rows.Scan(&kind, &body, &contact, &at); err != nil {
			return err
		}
		if first {
			f.Body, first = body, false
		}
		if kind == ticket.KindReply {
			*replyAt, *byContact = at, contact != nil
			break
		}
	}
	return rows.Err()
}

func (s *Service) readSLA(ctx context.Context, tx *store.Tx, ticketID int64, f *Facts) error {
	rows, err := tx.Query(ctx, `SELECT metric, state, due_at, warned_at FROM ticket_sla WHERE ticket_id = $1`, ticketID)
	if err != nil {
		return fmt.Errorf("ticket %d clocks: %w", ticketID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var metric, state string
		var due, warned *time.Time
		if err := rows.Scan(&metric, &state, &due, &warned); err != nil {
			return err
		}
		switch state {
		case sla.StateBreached:
			f.SLABreached = true
		case sla.StateActive:
			if warned != nil {
				f.SLAWarning = true
			}
			if due != nil {
				if f.SLADue == nil {
					f.SLADue = map[string]time.Time{}
				}
				f.SLADue[metric] = *due
			}
		}
	}
	return rows.Err()
}

func (s *Service) calendarOf(ctx context.Context, tx *store.Tx, policyID int64) (*sla.Calendar, error) {
	var calID *int64
	if err := tx.QueryRow(ctx, `SELECT calendar_id FROM sla_policies WHERE id = $1`, policyID).Scan(&calID); err != nil {
		return nil, fmt.Errorf("policy %d calendar: %w", policyID, err)
	}
	if calID == nil {
		return nil, nil
	}
	c, err := (&clocks.Service{DB: s.DB}).GetCalendar(ctx, *calID)
	if err != nil {
		return nil, err
	}
	return clocks.CalendarInput{Name: c.Name, TimeZone: c.TimeZone, Hours: c.Hours, Holidays: c.Holidays}.Build()
}

// readChanges turns a change's events into what change conditions read:
// the first old and last new value of each field, the tags added and
// removed, the SLA states reached.
func (s *Service) readChanges(ctx context.Context, tx *store.Tx, events []ticket.Event, f *Facts) error {
	for _, e := range events {
		switch e.Type {
		case ticket.EventSLAWarning:
			if !slices.Contains(f.SLAEvents, Warning) {
				f.SLAEvents = append(f.SLAEvents, Warning)
			}
		case ticket.EventSLABreached:
			if !slices.Contains(f.SLAEvents, Breached) {
				f.SLAEvents = append(f.SLAEvents, Breached)
			}
		case ticket.EventField:
			switch {
			case e.Field == FieldTags && e.NewValue != "":
				f.TagsAdded = append(f.TagsAdded, e.NewValue)
			case e.Field == FieldTags:
				f.TagsRemoved = append(f.TagsRemoved, e.OldValue)
			default:
				ch, seen := f.Changes[e.Field]
				if !seen {
					ch.Old = e.OldValue
				}
				ch.New = e.NewValue
				f.Changes[e.Field] = ch
			}
		}
	}
	ch, ok := f.Changes[FieldStatus]
	if !ok {
		return nil
	}
	// A status change is a category change when the categories differ.
	cats := map[string]string{}
	rows, err := tx.Query(ctx, `SELECT key, category FROM statuses WHERE key IN ($1, $2)`, ch.Old, ch.New)
	if err != nil {
		return fmt.Errorf("status categories: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, c string
		if err := rows.Scan(&k, &c); err != nil {
			return err
		}
		cats[k] = c
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if o, n := cats[ch.Old], cats[ch.New]; o != n {
		f.Changes[FieldStatusCategory] = FieldChange{Old: o, New: strings.TrimSpace(n)}
	}
	return nil
}
