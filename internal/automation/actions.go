package automation

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"tessera/internal/auth"
	"tessera/internal/jobs"
	"tessera/internal/store"
	"tessera/internal/ticket"
)

// Errors of actions whose service is not configured.
var (
	ErrNoRouter   = errors.New("no routing service is configured")
	ErrNoWebhooks = errors.New("no webhook service is configured")
	ErrNoQueue    = errors.New("no job queue is configured")
)

// do runs a rule's actions on a ticket as the system: the field changes
// as one change of the ticket (one set of events), then the others in
// order.
func (s *Service) do(ctx context.Context, tx *store.Tx, k Kind, r Rule, ticketID int64) error {
	var in ticket.UpdateInput
	for _, a := range r.Actions {
		switch a.Type {
		case ActSetStatus:
			v, _ := a.Value.(string)
			in.Status = &v
		case ActSetPriority:
			v, _ := a.Value.(string)
			in.Priority = &v
		case ActSetType:
			v, _ := a.Value.(string)
			in.Type = &v
		case ActAssignTeam:
			id, _ := asID(a.Value)
			in.TeamID = ticket.Optional[int64]{Set: true, Value: &id}
		case ActAssignAgent:
			id, _ := asID(a.Value)
			in.AssigneeID = ticket.Optional[int64]{Set: true, Value: &id}
		case ActAddTags:
			// The later of an addition and a removal of one tag wins.
			l, _ := asList(a.Value)
			in.RemoveTags = without(in.RemoveTags, l)
			in.AddTags = append(without(in.AddTags, l), l...)
		case ActRemoveTags:
			l, _ := asList(a.Value)
			in.AddTags = without(in.AddTags, l)
			in.RemoveTags = append(without(in.RemoveTags, l), l...)
		case ActSetCustomField:
			var v CustomFieldValue
			if err := decodeInto(a.Value, &v); err != nil {
				return fmt.Errorf("set_custom_field: %w", err)
			}
			if in.CustomFields == nil {
				in.CustomFields = map[string]any{}
			}
			in.CustomFields[v.Key] = v.Value
		}
	}
	if !in.Empty() {
		if err := s.Tickets.UpdateIn(ctx, tx, auth.System, ticketID, in); err != nil {
			return err
		}
	}
	var vars map[string]string
	for i, a := range r.Actions {
		var err error
		switch a.Type {
		case ActRoute:
			strategy, _ := a.Value.(string)
			if s.Router == nil {
				err = ErrNoRouter
			} else {
				_, _, err = s.Router.RouteIn(ctx, tx, ticketID, strategy)
			}
		case ActSetSLAPolicy:
			id, _ := asID(a.Value)
			err = s.Tickets.PinSLAPolicyIn(ctx, tx, auth.System, ticketID, &id)
		case ActCallWebhook:
			id, _ := asID(a.Value)
			if s.Webhooks == nil {
				err = ErrNoWebhooks
			} else {
				err = s.Webhooks.EnqueueIn(ctx, tx, id, string(k)+".fired", ticketID)
			}
		case ActAddNote, ActSendEmail:
			if vars == nil {
				if vars, err = s.templateVars(ctx, tx, ticketID, r.Name); err != nil {
					return err
				}
			}
			if a.Type == ActAddNote {
				body, _ := a.Value.(string)
				err = s.Tickets.AddNoteIn(ctx, tx, auth.System, ticketID, Render(body, vars))
			} else {
				err = s.sendEmail(ctx, tx, a, ticketID, vars)
			}
		default:
			continue
		}
		if err != nil {
			return fmt.Errorf("actions[%d] %s: %w", i, a.Type, err)
		}
	}
	return nil
}

// without returns tags minus those in drop, compared as tags are.
func without(tags, drop []string) []string {
	out := tags[:0:0]
	for _, t := range tags {
		if !slices.ContainsFunc(drop, func(d string) bool { return foldTag(d) == foldTag(t) }) {
			out = append(out, t)
		}
	}
	return out
}

// templateVars reads what placeholders show, after the field changes.
func (s *Service) templateVars(ctx context.Context, tx *store.Tx, ticketID int64, rule string) (map[string]string, error) {
	var number int64
	var subject, status, priority, typ, reqName string
	var reqEmail, assignee, team *string
	err := tx.QueryRow(ctx, `SELECT t.number, t.subject, t.status, t.priority, t.type, c.name,
		(SELECT value FROM contact_identities i WHERE i.contact_id = c.id AND i.kind = 'email' ORDER BY i.is_primary DESC, i.id LIMIT 1),
		(SELECT name FROM agents a WHERE a.id = t.assignee_id), (SELECT name FROM teams m WHERE m.id = t.team_id)
		FROM tickets t JOIN contacts c ON c.id = t.requester_id WHERE t.id = $1`, ticketID).
		Scan(&number, &subject, &status, &priority, &typ, &reqName, &reqEmail, &assignee, &team)
	if err != nil {
		return nil, fmt.Errorf("ticket %d placeholders: %w", ticketID, err)
	}
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	first, _, _ := strings.Cut(strings.TrimSpace(reqName), " ")
	return map[string]string{
		"ticket.id": strconv.FormatInt(ticketID, 10), "ticket.number": strconv.FormatInt(number, 10), "ticket.subject": subject,
		"ticket.status": status, "ticket.priority": priority, "ticket.type": typ,
		"ticket.url":     fmt.Sprintf("%s/tickets/%d", strings.TrimRight(s.PublicURL, "/"), ticketID),
		"requester.name": reqName, "requester.first_name": first, "requester.email": str(reqEmail),
		"assignee.name": str(assignee), "team.name": str(team), "rule.name": rule,
	}, nil
}

type recipient struct{ email, name string }

// sendEmail queues one mail per recipient of a send_email action. Agents
// and teams get mail only while active; a ticket without an assignee or
// team simply has nobody to tell.
func (s *Service) sendEmail(ctx context.Context, tx *store.Tx, a Action, ticketID int64, vars map[string]string) error {
	if s.Queue == nil {
		return ErrNoQueue
	}
	var v EmailValue
	if err := decodeInto(a.Value, &v); err != nil {
		return err
	}
	var to []recipient
	collect := func(query string) error {
		rows, err := tx.Query(ctx, query, ticketID)
		if err != nil {
			return fmt.Errorf("recipients: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var r recipient
			if err := rows.Scan(&r.email, &r.name); err != nil {
				return err
			}
			to = append(to, r)
		}
		return rows.Err()
	}
	var err error
	switch v.To {
	case ToRequester:
		err = collect(`SELECT i.value, c.name FROM tickets t JOIN contacts c ON c.id = t.requester_id
			JOIN contact_identities i ON i.contact_id = c.id AND i.kind = 'email' WHERE t.id = $1 ORDER BY i.is_primary DESC, i.id LIMIT 1`)
	case ToAssignee:
		err = collect(`SELECT a.email, a.name FROM tickets t JOIN agents a ON a.id = t.assignee_id WHERE t.id = $1 AND a.active`)
	case ToTeam:
		err = collect(`SELECT a.email, a.name FROM tickets t JOIN team_members m ON m.team_id = t.team_id JOIN agents a ON a.id = m.agent_id
			WHERE t.id = $1 AND a.active ORDER BY a.id`)
	case ToAddress:
		to = []recipient{{email: v.Address}}
	}
	if err != nil {
		return err
	}
	subject, body := Render(v.Subject, vars), Render(v.Body, vars)
	for _, r := range to {
		if err := s.Queue.InsertTx(ctx, tx, jobs.SendMailArgs{To: r.email, Name: r.name, Subject: subject, Text: body}, nil); err != nil {
			return fmt.Errorf("queue mail to %s: %w", r.email, err)
		}
	}
	return nil
}
