package ticket

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"tessera/internal/auth"
	"tessera/internal/search"
	"tessera/internal/store"
	"tessera/internal/validation"
)

// Optional is a field that may be absent, set to a value, or set to null.
type Optional[T any] struct {
	Set   bool
	Value *T
}

// UpdateInput changes a ticket's fields. Absent fields stay as they are.
type UpdateInput struct {
	Subject      *string
	Status       *string
	Priority     *string
	Type         *string
	AssigneeID   Optional[int64]
	TeamID       Optional[int64]
	Tags         *[]string // replaces every tag
	AddTags      []string
	RemoveTags   []string
	CustomFields map[string]any // merged; a null value removes the field
}

// Empty reports whether the input changes nothing.
func (in UpdateInput) Empty() bool {
	return in.Subject == nil && in.Status == nil && in.Priority == nil && in.Type == nil && !in.AssigneeID.Set && !in.TeamID.Set &&
		in.Tags == nil && len(in.AddTags) == 0 && len(in.RemoveTags) == 0 && len(in.CustomFields) == 0
}

func idString(p *int64) string {
	if p == nil {
		return ""
	}
	return fmt.Sprint(*p)
}

// Update changes a ticket's fields; each change becomes an event. Agents
// (not light ones) change any field; a customer may only mark a request
// they made themself as solved.
func (s *Service) Update(ctx context.Context, actor auth.Actor, id int64, in UpdateInput) (Ticket, error) {
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		return s.UpdateIn(ctx, tx, actor, id, in)
	})
	if err != nil {
		return Ticket{}, err
	}
	return s.Get(ctx, actor, id)
}

// UpdateIn is Update inside the caller's transaction, for rules that change
// a ticket as part of another change (triggers, routing, macros): the
// change and its events commit or roll back with the caller's.
func (s *Service) UpdateIn(ctx context.Context, tx *store.Tx, actor auth.Actor, id int64, in UpdateInput) error {
	customer := actor.Kind == auth.KindContact
	switch {
	case customer:
		if in.Status == nil || in.Subject != nil || in.Priority != nil || in.Type != nil || in.AssigneeID.Set || in.TeamID.Set ||
			in.Tags != nil || len(in.AddTags) > 0 || len(in.RemoveTags) > 0 || len(in.CustomFields) > 0 {
			return auth.Forbidden("customers may only mark their requests solved")
		}
	case !actor.CanEditTickets():
		return auth.Forbidden("only agents and admins change tickets")
	}
	if in.Empty() {
		return validation.Field("body", "names no field to change")
	}
	var c validation.Collector
	if in.Subject != nil {
		*in.Subject = strings.TrimSpace(*in.Subject)
		c.Text("subject", *in.Subject, maxSubject, true)
	}
	if in.Priority != nil && !slices.Contains(Priorities, *in.Priority) {
		c.Add("priority", "must be one of %s", strings.Join(Priorities, ", "))
	}
	if in.Type != nil && *in.Type != "" && !slices.Contains(Types, *in.Type) {
		c.Add("type", "must be one of %s", strings.Join(Types, ", "))
	}
	var tags, addTags, removeTags []string
	var err error
	if in.Tags != nil {
		if tags, err = NormalizeTags(*in.Tags); err != nil {
			c.Add("tags", "%s", err.(*validation.Error).Fields[0].Detail)
		}
	}
	if addTags, err = NormalizeTags(in.AddTags); err != nil {
		c.Add("add_tags", "%s", err.(*validation.Error).Fields[0].Detail)
	}
	if removeTags, err = NormalizeTags(in.RemoveTags); err != nil {
		c.Add("remove_tags", "%s", err.(*validation.Error).Fields[0].Detail)
	}
	if err := c.Err(); err != nil {
		return err
	}
	at := now(ctx)
	t, err := load(ctx, tx, actor, id)
	if err != nil {
		return err
	}
	if t.StatusCategory == StatusClosed {
		return fmt.Errorf("%w: #%d", ErrClosed, t.Number)
	}
	if customer {
		// Colleagues who see the organization's requests do not close
		// them for the person who asked.
		if t.RequesterID != actor.ID {
			return auth.Forbidden("only the requester may mark a request solved")
		}
		if cat, err := statusCategory(ctx, tx, *in.Status); err != nil {
			return err
		} else if cat != StatusSolved {
			return auth.Forbidden("customers may only mark their requests solved")
		}
	}
	rec := &recorder{ticketID: t.ID, actor: actor, at: at}
	sets := []string{"updated_at = $2"}
	args := []any{t.ID, at}
	set := func(col string, v any) {
		args = append(args, v)
		sets = append(sets, fmt.Sprintf("%s = $%d", col, len(args)))
	}
	if in.Subject != nil && *in.Subject != t.Subject {
		set("subject", *in.Subject)
		rec.field("subject", t.Subject, *in.Subject)
	}
	if in.Priority != nil && *in.Priority != t.Priority {
		set("priority", *in.Priority)
		rec.field("priority", t.Priority, *in.Priority)
	}
	if in.Type != nil && *in.Type != t.Type {
		set("type", *in.Type)
		rec.field("type", t.Type, *in.Type)
	}
	if in.AssigneeID.Set || in.TeamID.Set {
		var a, tm *int64
		if in.AssigneeID.Set {
			a = in.AssigneeID.Value
		}
		if in.TeamID.Set {
			tm = in.TeamID.Value
		}
		if err := checkAssignment(ctx, tx, a, tm); err != nil {
			return err
		}
	}
	if in.AssigneeID.Set && idString(in.AssigneeID.Value) != idString(t.AssigneeID) {
		set("assignee_id", in.AssigneeID.Value)
		rec.field("assignee_id", idString(t.AssigneeID), idString(in.AssigneeID.Value))
		// Assigning a new ticket starts work on it.
		if in.AssigneeID.Value != nil && t.StatusCategory == StatusNew && in.Status == nil {
			st := StatusOpen
			in.Status = &st
		}
	}
	if in.TeamID.Set && idString(in.TeamID.Value) != idString(t.TeamID) {
		set("team_id", in.TeamID.Value)
		rec.field("team_id", idString(t.TeamID), idString(in.TeamID.Value))
	}
	if len(in.CustomFields) > 0 {
		defs, err := fields(ctx, tx)
		if err != nil {
			return err
		}
		values, err := applyFields(defs, t.CustomFields, in.CustomFields)
		if err != nil {
			return err
		}
		keys := slices.Sorted(maps.Keys(in.CustomFields)) // events in a stable order
		for _, k := range keys {
			rec.field("custom_fields."+k, fieldString(t.CustomFields[k]), fieldString(values[k]))
		}
		b, _ := json.Marshal(values)
		set("custom_fields", string(b))
		t.CustomFields = values
	}
	if in.Status != nil && *in.Status != t.Status {
		cat, err := statusCategory(ctx, tx, *in.Status)
		if err != nil {
			return err
		}
		ss, err := s.statusSets(ctx, tx, &t, *in.Status, cat, at, &args, !customer)
		if err != nil {
			return err
		}
		sets = append(sets, ss...)
		rec.field("status", t.Status, *in.Status)
	}
	// Tags: a full replacement, then additions and removals.
	var add, remove []string
	if in.Tags != nil {
		for _, tg := range tags {
			if !slices.Contains(t.Tags, tg) {
				add = append(add, tg)
			}
		}
		for _, tg := range t.Tags {
			if !slices.Contains(tags, tg) {
				remove = append(remove, tg)
			}
		}
	}
	for _, tg := range addTags {
		if !slices.Contains(t.Tags, tg) && !slices.Contains(add, tg) {
			add = append(add, tg)
		}
	}
	for _, tg := range removeTags {
		if slices.Contains(t.Tags, tg) && !slices.Contains(remove, tg) {
			remove = append(remove, tg)
		}
	}
	if len(t.Tags)+len(add)-len(remove) > 50 {
		return validation.Field("tags", "a ticket has at most 50 tags")
	}
	if len(add)+len(remove) > 0 {
		if err := writeTags(ctx, tx, t.ID, add, remove); err != nil {
			return err
		}
		for _, tg := range add {
			rec.add(EventField, "tags", "", tg, nil)
		}
		for _, tg := range remove {
			rec.add(EventField, "tags", tg, "", nil)
		}
	}
	if len(rec.events) == 0 {
		return nil // nothing actually changed: no write, no event
	}
	if _, err := tx.Exec(ctx, `UPDATE tickets SET `+strings.Join(sets, ", ")+` WHERE id = $1`, args...); err != nil {
		return fmt.Errorf("update ticket: %w", err)
	}
	if in.Subject != nil && *in.Subject != t.Subject {
		if err := search.Reindex(ctx, tx, t.ID); err != nil {
			return err
		}
	}
	return rec.flush(ctx, tx, s)
}

// Merge closes source and points it at target: its thread stays readable
// where it is, both tickets get a system message and links, and the
// source's requester keeps it in their history.
func (s *Service) Merge(ctx context.Context, actor auth.Actor, sourceID, targetID int64) (Ticket, error) {
	if !actor.CanEditTickets() {
		return Ticket{}, auth.Forbidden("only agents and admins merge tickets")
	}
	if sourceID == targetID {
		return Ticket{}, validation.Field("into", "a ticket cannot be merged into itself")
	}
	at := now(ctx)
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		// Lock in id order so two opposite merges cannot deadlock.
		first, second := sourceID, targetID
		if first > second {
			first, second = second, first
		}
		// A target the actor may not see is a wrong "into", whichever of
		// the two is locked first.
		notFound := func(id int64, err error) error {
			if errors.Is(err, store.ErrNotFound) && id == targetID {
				return validation.Field("into", "ticket %d does not exist", targetID)
			}
			return err
		}
		a, err := load(ctx, tx, actor, first)
		if err != nil {
			return notFound(first, err)
		}
		b, err := load(ctx, tx, actor, second)
		if err != nil {
			return notFound(second, err)
		}
		src, dst := a, b
		if a.ID != sourceID {
			src, dst = b, a
		}
		if src.MergedIntoID != nil {
			return fmt.Errorf("%w: #%d", ErrMerged, src.Number)
		}
		if src.StatusCategory == StatusClosed {
			return fmt.Errorf("%w: #%d cannot be merged", ErrClosed, src.Number)
		}
		if dst.MergedIntoID != nil || dst.StatusCategory == StatusClosed {
			return validation.Field("into", "ticket #%d is closed or merged and cannot receive a merge", dst.Number)
		}
		// Source: closed, pointing at the target, with a system message.
		srcNote := fmt.Sprintf("This ticket was merged into #%d (%s).", dst.Number, dst.Subject)
		srcMsg, err := insertMessage(ctx, tx, src.ID, KindSystem, "agent", agentOf(actor), nil, srcNote, "", at)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE tickets SET merged_into_id = $2, status = 'closed', status_category = 'closed', closed_at = $3,
			updated_at = $3, message_count = message_count + 1 WHERE id = $1`, src.ID, dst.ID, at); err != nil {
			return fmt.Errorf("merge: %w", err)
		}
		rs := &recorder{ticketID: src.ID, actor: actor, at: at}
		rs.add(EventMerged, "merged_into_id", "", fmt.Sprint(dst.ID), &srcMsg)
		rs.field("status", src.Status, StatusClosed)
		if err := rs.flush(ctx, tx, s); err != nil {
			return err
		}
		// Target: a system message quoting where the request came from.
		dstNote := fmt.Sprintf("Ticket #%d (%s) was merged into this ticket.", src.Number, src.Subject)
		dstMsg, err := insertMessage(ctx, tx, dst.ID, KindSystem, "agent", agentOf(actor), nil, dstNote, "", at)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE tickets SET updated_at = $2, message_count = message_count + 1 WHERE id = $1`, dst.ID, at); err != nil {
			return fmt.Errorf("merge: %w", err)
		}
		for _, l := range [][3]any{{src.ID, dst.ID, "merged_into"}, {dst.ID, src.ID, "merged_from"}} {
			if _, err := tx.Exec(ctx, `INSERT INTO ticket_links (ticket_id, linked_id, kind, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, l[0], l[1], l[2], at); err != nil {
				return fmt.Errorf("merge link: %w", err)
			}
		}
		// The merged ticket's words now find the target too.
		if err := search.AppendBody(ctx, tx, dst.ID, src.Subject); err != nil {
			return err
		}
		rd := &recorder{ticketID: dst.ID, actor: actor, at: at}
		rd.add(EventMergedFrom, "", "", fmt.Sprint(src.ID), &dstMsg)
		return rd.flush(ctx, tx, s)
	})
	if err != nil {
		return Ticket{}, err
	}
	return s.Get(ctx, actor, targetID)
}

func agentOf(a auth.Actor) *int64 {
	if a.Kind == auth.KindAgent {
		id := a.ID
		return &id
	}
	return nil
}

// Link relates two tickets both ways.
func (s *Service) Link(ctx context.Context, actor auth.Actor, id, otherID int64) (Ticket, error) {
	if !actor.CanEditTickets() {
		return Ticket{}, auth.Forbidden("only agents and admins link tickets")
	}
	if id == otherID {
		return Ticket{}, validation.Field("ticket_id", "a ticket cannot be linked to itself")
	}
	at := now(ctx)
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		t, err := load(ctx, tx, actor, id)
		if err != nil {
			return err
		}
		o, err := load(ctx, tx, actor, otherID)
		if errors.Is(err, store.ErrNotFound) {
			return validation.Field("ticket_id", "ticket %d does not exist", otherID)
		}
		if err != nil {
			return err
		}
		n, err := tx.Exec(ctx, `INSERT INTO ticket_links (ticket_id, linked_id, kind, created_at) VALUES ($1, $2, 'related', $3) ON CONFLICT DO NOTHING`, t.ID, o.ID, at)
		if err != nil {
			return fmt.Errorf("link: %w", err)
		}
		if n == 0 {
			return nil
		}
		if _, err := tx.Exec(ctx, `INSERT INTO ticket_links (ticket_id, linked_id, kind, created_at) VALUES ($1, $2, 'related', $3) ON CONFLICT DO NOTHING`, o.ID, t.ID, at); err != nil {
			return fmt.Errorf("link: %w", err)
		}
		for _, p := range [][2]Ticket{{t, o}, {o, t}} {
			rec := &recorder{ticketID: p[0].ID, actor: actor, at: at}
			rec.add(EventLinked, "links", "", fmt.Sprint(p[1].ID), nil)
			if err := rec.flush(ctx, tx, s); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Ticket{}, err
	}
	return s.Get(ctx, actor, id)
}

// Events returns a ticket's history, oldest first, after the given event id.
// Contacts do not see it: it contains internal activity.
func (s *Service) Events(ctx context.Context, actor auth.Actor, ticketID, afterID int64, limit int) ([]Event, error) {
	if actor.Kind == auth.KindContact {
		return nil, fmt.Errorf("ticket %d events: %w", ticketID, store.ErrNotFound)
	}
	if err := s.check(ctx, actor, ticketID); err != nil {
		return nil, err
	}
	rows, err := s.DB.Read().Query(ctx, `SELECT id, ticket_id, type, actor_kind, actor_id, field, old_value, new_value, message_id, created_at
		FROM ticket_events WHERE ticket_id = $1 AND id > $2 ORDER BY id LIMIT $3`, ticketID, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("events of ticket %d: %w", ticketID, err)
	}
	defer rows.Close()
	out := []Event{}
	for rows.Next() {
		var e Event
		if err := rows.Scan(&e.ID, &e.TicketID, &e.Type, &e.ActorKind, &e.ActorID, &e.Field, &e.OldValue, &e.NewValue, &e.MessageID, &e.CreatedAt); err != nil {
			return nil, fmt.Errorf("events of ticket %d: %w", ticketID, err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
