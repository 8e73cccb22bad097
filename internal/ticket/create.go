package ticket

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"tessera/internal/auth"
	"tessera/internal/people"
	"tessera/internal/richtext"
	"tessera/internal/search"
	"tessera/internal/store"
	"tessera/internal/validation"
)

// RequesterInput names the customer a ticket is for: an existing contact
// by id, or an email address (the contact is found or created).
type RequesterInput struct {
	ID    int64  `json:"id,omitempty"`
	Email string `json:"email,omitempty"`
	Name  string `json:"name,omitempty"`
}

// CreateInput is a new ticket.
type CreateInput struct {
	Subject    string          `json:"subject"`
	Body       string          `json:"body"`
	Requester  *RequesterInput `json:"requester"`
	Status     string          `json:"status"`
	Priority   string          `json:"priority"`
	Type       string          `json:"type"`
	Channel    string          `json:"channel"`
	AssigneeID *int64          `json:"assignee_id"`
	TeamID     *int64          `json:"team_id"`
	// InboxID names the inbox the request came in through; a customer may
	// name only a web-form inbox.
	InboxID      *int64            `json:"inbox_id"`
	Tags         []string          `json:"tags"`
	CustomFields map[string]any    `json:"custom_fields"`
	Attachments  []AttachmentInput `json:"attachments"`
	// CreatedAt backdates the ticket (importers; admins only). Its SLA
	// clocks start from it.
	CreatedAt *time.Time `json:"created_at,omitempty"`
	// MailMessageID is the Message-ID of the mail that opened the ticket.
	MailMessageID string `json:"-"`
	// Mail is what a ticket opened by mail keeps of it (mail-in).
	Mail *MailInput `json:"-"`
}

const maxSubject = 250
const maxBody = 256 * 1024

func checkBody(c *validation.Collector, field, body string, required bool) {
	c.Text(field, body, maxBody, required)
}

// Create opens a ticket. Agents (not light ones) create tickets for any
// requester; a contact creates one for themself. The first message is a
// public reply by the requester.
func (s *Service) Create(ctx context.Context, actor auth.Actor, in CreateInput) (Ticket, error) {
	switch {
	case actor.Kind == auth.KindContact:
		// A customer files for themself; routing and tags are the desk's.
		in.Requester = &RequesterInput{ID: actor.ID}
		in.AssigneeID, in.TeamID, in.Status, in.Tags = nil, nil, "", nil
	case !actor.CanEditTickets():
		return Ticket{}, auth.Forbidden("light agents cannot create tickets")
	case !actor.SeesAllTickets():
		// An agent limited to their teams files tickets into one of them
		// (their first by default): a ticket they could not see afterwards
		// would be lost to them.
		if in.TeamID == nil && len(actor.TeamIDs) > 0 {
			team := actor.TeamIDs[0]
			in.TeamID = &team
		}
		if in.TeamID == nil || !actor.InTeam(*in.TeamID) {
			return Ticket{}, validation.Field("team_id", "you can create tickets only for your own teams")
		}
	}
	var c validation.Collector
	in.Subject = strings.TrimSpace(in.Subject)
	c.Text("subject", in.Subject, maxSubject, true)
	checkBody(&c, "body", in.Body, true)
	if in.Requester == nil || (in.Requester.ID == 0 && in.Requester.Email == "") {
		c.Add("requester", "must name a contact id or an email address")
	} else if in.Requester.ID == 0 {
		if _, ok := people.NormalizeEmail(in.Requester.Email); !ok {
			c.Add("requester.email", "must be an email address")
		}
	}
	chosen := in.Priority != ""
	if !chosen {
		in.Priority = "normal"
	}
	if !slices.Contains(Priorities, in.Priority) {
		c.Add("priority", "must be one of %s", strings.Join(Priorities, ", "))
	}
	if in.Type != "" && !slices.Contains(Types, in.Type) {
		c.Add("type", "must be one of %s", strings.Join(Types, ", "))
	}
	if in.Channel == "" {
		in.Channel = "api"
	}
	if !slices.Contains(Channels, in.Channel) {
		c.Add("channel", "must be one of %s", strings.Join(Channels, ", "))
	}
	tags, err := NormalizeTags(in.Tags)
	c.Merge("tags", err)
	atts, err := s.Limits.check(in.Attachments)
	c.Merge("attachments", err)
	if err := c.Err(); err != nil {
		return Ticket{}, err
	}
	at := now(ctx)
	if in.CreatedAt != nil {
		if !actor.IsAdmin() {
			return Ticket{}, auth.Forbidden("only admins may set created_at")
		}
		if in.CreatedAt.After(at.Add(5 * time.Minute)) {
			return Ticket{}, validation.Field("created_at", "must not be in the future")
		}
		at = in.CreatedAt.UTC().Truncate(time.Microsecond)
		ctx = WithNow(ctx, at)
	}
	var id int64
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		status, category := StatusNew, StatusNew
		if in.AssigneeID != nil {
			status, category = StatusOpen, StatusOpen
		}
		if in.Status != "" {
			cat, err := statusCategory(ctx, tx, in.Status)
			if err != nil {
				return err
			}
			if cat == StatusClosed || cat == StatusSolved {
				return validation.Field("status", "a new ticket cannot start solved or closed")
			}
			status, category = in.Status, cat
		}
		requesterID, orgID, err := s.requester(ctx, tx, in.Requester)
		if err != nil {
			return err
		}
		if err := checkAssignment(ctx, tx, in.AssigneeID, in.TeamID); err != nil {
			return err
		}
		box, err := checkInbox(ctx, tx, actor, in.InboxID)
		if err != nil {
			return err
		}
		// An inbox gives the tickets it opens its default team and
		// priority, also when a customer files through it.
		if in.TeamID == nil && box.teamID != nil {
			in.TeamID = box.teamID
			if err := checkAssignment(ctx, tx, in.AssigneeID, in.TeamID); err != nil {
				return err
			}
		}
		if !chosen && box.priority != "" {
			in.Priority, chosen = box.priority, true
		}
		var ruleName string
		if !chosen && s.Priorities != nil {
			p, name, ok, err := s.Priorities.DecidePriority(ctx, tx, NewTicketFacts{Subject: in.Subject, Body: in.Body, Channel: in.Channel, Inbox: box.name,
				RequesterID: requesterID, OrganizationID: orgID})
			if err != nil {
				return fmt.Errorf("priority rules: %w", err)
			}
			if ok {
				in.Priority, ruleName = p, name
			}
		}
		custom := map[string]any{}
		if len(in.CustomFields) > 0 || actor.Kind == auth.KindContact {
			defs, err := fields(ctx, tx)
			if err != nil {
				return err
			}
			if actor.Kind == auth.KindContact {
				if defs, err = customerFields(defs, in.CustomFields); err != nil {
					return err
				}
			}
			if custom, err = applyFields(defs, custom, in.CustomFields); err != nil {
				return err
			}
		}
		cf, _ := json.Marshal(custom)
		if tx.Engine == store.SQLite {
			// One writer at a time: the next number is simply the highest plus one.
			err = tx.QueryRow(ctx, `INSERT INTO tickets (number, subject, status, status_category, priority, type, channel, requester_id, organization_id,
				assignee_id, team_id, custom_fields, message_count, created_at, updated_at, inbox_id)
				VALUES ((SELECT COALESCE(MAX(number), 1000) + 1 FROM tickets), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, $12, $12, $13) RETURNING id`,
				in.Subject, status, category, in.Priority, in.Type, in.Channel, requesterID, orgID, in.AssigneeID, in.TeamID, string(cf), at, in.InboxID).Scan(&id)
		} else {
			err = tx.QueryRow(ctx, `INSERT INTO tickets (subject, status, status_category, priority, type, channel, requester_id, organization_id,
				assignee_id, team_id, custom_fields, message_count, created_at, updated_at, inbox_id)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, $12, $12, $13) RETURNING id`,
				in.Subject, status, category, in.Priority, in.Type, in.Channel, requesterID, orgID, in.AssigneeID, in.TeamID, string(cf), at, in.InboxID).Scan(&id)
		}
		if err != nil {
			return fmt.Errorf("insert ticket: %w", err)
		}
		rec := &recorder{ticketID: id, actor: actor, at: at}
		msgID, err := insertMessage(ctx, tx, id, KindReply, in.Channel, nil, &requesterID, in.Body, in.MailMessageID, at)
		if err != nil {
			return err
		}
		attIDs, err := saveAttachments(ctx, tx, id, msgID, atts, at)
		if err != nil {
			return err
		}
		if err := storeMail(ctx, tx, msgID, in.Mail, attIDs, at); err != nil {
			return err
		}
		if err := writeTags(ctx, tx, id, tags, nil); err != nil {
			return err
		}
		rec.add(EventCreated, "", "", status, &msgID)
		if ruleName != "" {
			rec.add(EventPriorityRule, "priority", ruleName, in.Priority, nil)
		}
		if err := search.IndexTicket(ctx, tx, id, in.Subject, in.Body); err != nil {
			return err
		}
		return rec.flush(ctx, tx, s)
	})
	if err != nil {
		return Ticket{}, err
	}
	return s.Get(ctx, auth.System, id)
}

// inboxDefaults are what an inbox gives the tickets it opens.
type inboxDefaults struct {
	name     string
	teamID   *int64
	priority string
}

// checkInbox checks that the inbox a new ticket names exists and is active,
// and returns its name (for the priority rules) and defaults. A customer may
// only file through a web-form inbox: the others are the desk's own routes.
func checkInbox(ctx context.Context, tx *store.Tx, actor auth.Actor, id *int64) (inboxDefaults, error) {
	var b inboxDefaults
	if id == nil {
		return b, nil
	}
	var kind string
	var active bool
	err := tx.QueryRow(ctx, `SELECT name, kind, active, default_team_id, default_priority FROM inboxes WHERE id = $1`, *id).
		Scan(&b.name, &kind, &active, &b.teamID, &b.priority)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !active) {
		return b, validation.Field("inbox_id", "names no active inbox")
	}
	if err != nil {
		return b, fmt.Errorf("inbox %d: %w", *id, err)
	}
	if actor.Kind == auth.KindContact && kind != "web" {
		return b, validation.Field("inbox_id", "customers may only file through a web-form inbox")
	}
	return b, nil
}

func (s *Service) requester(ctx context.Context, tx *store.Tx, r *RequesterInput) (int64, *int64, error) {
	if r.ID != 0 {
		var org *int64
		err := tx.QueryRow(ctx, `SELECT organization_id FROM contacts WHERE id = $1`, r.ID).Scan(&org)
		if errors.Is(err, store.ErrNotFound) {
			return 0, nil, validation.Field("requester.id", "contact %d does not exist", r.ID)
		}
		if err != nil {
			return 0, nil, fmt.Errorf("requester: %w", err)
		}
		return r.ID, org, nil
	}
	return people.FindOrCreateByEmail(ctx, tx, r.Email, r.Name)
}

// checkAssignment verifies that an assignee is an active agent who may
// handle tickets and that a team exists.
func checkAssignment(ctx context.Context, q store.Querier, assigneeID, teamID *int64) error {
	if assigneeID != nil {
		var role string
		var active bool
		err := q.QueryRow(ctx, `SELECT role, active FROM agents WHERE id = $1`, *assigneeID).Scan(&role, &active)
		if errors.Is(err, store.ErrNotFound) {
			return validation.Field("assignee_id", "agent %d does not exist", *assigneeID)
		}
		if err != nil {
			return fmt.Errorf("assignee: %w", err)
		}
		if !active {
			return validation.Field("assignee_id", "agent %d is deactivated", *assigneeID)
		}
		if role == auth.RoleLight {
			return validation.Field("assignee_id", "light agents cannot be assigned tickets")
		}
	}
	if teamID != nil {
		var one int
		err := q.QueryRow(ctx, `SELECT 1 FROM teams WHERE id = $1`, *teamID).Scan(&one)
		if errors.Is(err, store.ErrNotFound) {
			return validation.Field("team_id", "team %d does not exist", *teamID)
		}
		if err != nil {
			return fmt.Errorf("team: %w", err)
		}
	}
	return nil
}

func insertMessage(ctx context.Context, tx *store.Tx, ticketID int64, kind, channel string, agentID, contactID *int64, body, mailID string, at any) (int64, error) {
	var mid *string
	if mailID != "" {
		mid = &mailID
	}
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO messages (ticket_id, kind, author_agent_id, author_contact_id, channel, body_text, body_html, mail_message_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		ticketID, kind, agentID, contactID, channel, body, richtext.Markdown(body), mid, at).Scan(&id)
	if errors.Is(err, store.ErrConflict) {
		return 0, validation.Field("message_id", "a message with this Message-ID already exists")
	}
	if err != nil {
		return 0, fmt.Errorf("insert message: %w", err)
	}
	return id, nil
}

const ticketCols = `t.id, t.number, t.subject, t.status, t.status_category, t.priority, t.type, t.channel, t.requester_id, t.organization_id,
	t.assignee_id, t.team_id, t.merged_into_id, t.custom_fields, t.message_count, t.created_at, t.updated_at, t.first_reply_at, t.solved_at, t.closed_at,
	t.sla_policy_id, t.sla_due_at, t.inbox_id`

func scanTicket(r store.Row) (Ticket, error) {
	var t Ticket
	var cf string
	err := r.Scan(&t.ID, &t.Number, &t.Subject, &t.Status, &t.StatusCategory, &t.Priority, &t.Type, &t.Channel, &t.RequesterID, &t.OrganizationID,
		&t.AssigneeID, &t.TeamID, &t.MergedIntoID, &cf, &t.MessageCount, &t.CreatedAt, &t.UpdatedAt, &t.FirstReplyAt, &t.SolvedAt, &t.ClosedAt,
		&t.SLAPolicyID, &t.SLADueAt, &t.InboxID)
	if err != nil {
		return t, err
	}
	if err := json.Unmarshal([]byte(cf), &t.CustomFields); err != nil {
		return t, fmt.Errorf("custom fields of ticket %d: %w", t.ID, err)
	}
	if t.CustomFields == nil {
		t.CustomFields = map[string]any{}
	}
	t.Tags = []string{}
	t.SLA = []SLAStatus{}
	return t, nil
}

// load reads a ticket inside a transaction, locking its row on PostgreSQL
// (SQLite's single writer already serialises), and checks visibility.
func load(ctx context.Context, tx *store.Tx, actor auth.Actor, id int64) (Ticket, error) {
	lock := ""
	if tx.Engine == store.Postgres {
		lock = " FOR UPDATE"
	}
	t, err := scanTicket(tx.QueryRow(ctx, `SELECT `+ticketCols+` FROM tickets t WHERE t.id = $1`+lock, id))
	if err != nil {
		return Ticket{}, fmt.Errorf("ticket %d: %w", id, err)
	}
	if !visible(actor, &t) {
		return Ticket{}, fmt.Errorf("ticket %d: %w", id, store.ErrNotFound)
	}
	t.Tags, err = ticketTags(ctx, tx, id)
	return t, err
}

func ticketTags(ctx context.Context, q store.Querier, id int64) ([]string, error) {
	rows, err := q.Query(ctx, `SELECT tag FROM ticket_tags WHERE ticket_id = $1 ORDER BY tag`, id)
	if err != nil {
		return nil, fmt.Errorf("tags of ticket %d: %w", id, err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Get returns a ticket the actor may see, with tags, requester and links.
func (s *Service) Get(ctx context.Context, actor auth.Actor, id int64) (Ticket, error) {
	q := s.DB.Read()
	t, err := scanTicket(q.QueryRow(ctx, `SELECT `+ticketCols+` FROM tickets t WHERE t.id = $1`, id))
	if err != nil {
		return Ticket{}, fmt.Errorf("ticket %d: %w", id, err)
	}
	if !visible(actor, &t) {
		return Ticket{}, fmt.Errorf("ticket %d: %w", id, store.ErrNotFound)
	}
	if t.Tags, err = ticketTags(ctx, q, id); err != nil {
		return Ticket{}, err
	}
	list := []Ticket{t}
	if err := s.decorate(ctx, list); err != nil {
		return Ticket{}, err
	}
	if err := s.loadSLA(ctx, list); err != nil {
		return Ticket{}, err
	}
	t = list[0]
	rows, err := q.Query(ctx, `SELECT l.linked_id, t.number, l.kind FROM ticket_links l JOIN tickets t ON t.id = l.linked_id WHERE l.ticket_id = $1 ORDER BY l.created_at`, id)
	if err != nil {
		return Ticket{}, fmt.Errorf("links of ticket %d: %w", id, err)
	}
	defer rows.Close()
	t.Links = []Link{}
	for rows.Next() {
		var l Link
		if err := rows.Scan(&l.TicketID, &l.Number, &l.Kind); err != nil {
			return Ticket{}, err
		}
		t.Links = append(t.Links, l)
	}
	return t, rows.Err()
}

// check reports whether the actor may see ticket id, reading only what
// visible needs (reads of the thread or history need no more).
// Visible reports whether the actor may see the ticket (not found when
// not): one indexed read, for callers that need the answer and not the
// ticket, such as presence heartbeats.
func (s *Service) Visible(ctx context.Context, actor auth.Actor, id int64) error {
	return s.check(ctx, actor, id)
}

func (s *Service) check(ctx context.Context, actor auth.Actor, id int64) error {
	var t Ticket
	err := s.DB.Read().QueryRow(ctx, `SELECT requester_id, organization_id, team_id, assignee_id FROM tickets WHERE id = $1`, id).
		Scan(&t.RequesterID, &t.OrganizationID, &t.TeamID, &t.AssigneeID)
	if err != nil {
		return fmt.Errorf("ticket %d: %w", id, err)
	}
	if !visible(actor, &t) {
		return fmt.Errorf("ticket %d: %w", id, store.ErrNotFound)
	}
	return nil
}

// ByNumber returns the id of the ticket with a public number.
func (s *Service) ByNumber(ctx context.Context, actor auth.Actor, number int64) (Ticket, error) {
	var id int64
	if err := s.DB.Read().QueryRow(ctx, `SELECT id FROM tickets WHERE number = $1`, number).Scan(&id); err != nil {
		return Ticket{}, fmt.Errorf("ticket #%d: %w", number, err)
	}
	return s.Get(ctx, actor, id)
}
