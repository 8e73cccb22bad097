// Package outbound is the email channel's sending side: an agent's public
// reply mailed to the requester and followers, threaded into their
// conversation; the acknowledgement of a new ticket; agents' notification
// mails; the templates of those mails; and the delivery record of each
// mail, which a permanent failure or a bounce marks.
//
// Everything is decided in the ticket change's transaction (Hook, a
// ticket.FollowUp) and sent by a River job (DeliverWorker), so a committed
// reply always gets its mail and a rolled-back one never does.
//
// Which tickets are answered by mail: those whose requester has an email
// address and that came in by mail or the web form (channel email or
// web), or through an email inbox. Tickets from chat, phone or the API
// without an inbox are answered where they came from.
package outbound

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	netmail "net/mail"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"tessera/internal/auth"
	"tessera/internal/jobs"
	"tessera/internal/store"
	"tessera/internal/ticket"
)

// replayAge: a change stamped further in the past than this is history
// being loaded (the demo, an import), not someone waiting for mail.
const replayAge = 15 * time.Minute

// Tags the hook puts on tickets.
const (
	TagRateLimited = "rate_limited"
)

// classTags are the tags ingest puts on machines' mail (email.Class):
// nothing is ever sent in answer to them.
var classTags = []string{"auto-reply", "bounce"}

// robots are local parts that never read an acknowledgement.
var robots = []string{"mailer-daemon", "postmaster", "noreply", "no-reply", "donotreply", "do-not-reply"}

// Hook implements ticket.FollowUp for outgoing mail.
type Hook struct {
	Queue   *jobs.Queue
	Tickets *ticket.Service
	// PublicURL is where people reach the server, for links.
	PublicURL string
	// From is the server-wide sender (--mail-from), used when a ticket has
	// no email inbox.
	From string
	Log  *slog.Logger
}

// ticketFacts is what the hook reads of a ticket and its requester.
type ticketFacts struct {
	ID, Number     int64
	Subject        string
	Channel        string
	InboxID        *int64
	InboxKind      string
	InboxName      string
	InboxAddress   string
	InboxLanguage  string
	RequesterID    int64
	RequesterName  string
	RequesterEmail string
	RequesterLang  string
	Tags           []string
	AssigneeID     *int64
}

func readFacts(ctx context.Context, q store.Querier, ticketID int64) (ticketFacts, error) {
	var f ticketFacts
	var email, ikind, iname, iaddr, ilang *string
	err := q.QueryRow(ctx, `SELECT t.id, t.number, t.subject, t.channel, t.inbox_id, b.kind, b.name, b.address, b.default_language,
		c.id, c.name, c.language,
		(SELECT i.value FROM contact_identities i WHERE i.contact_id = c.id AND i.kind = 'email' ORDER BY i.is_primary DESC, i.id LIMIT 1),
		t.assignee_id
		FROM tickets t JOIN contacts c ON c.id = t.requester_id LEFT JOIN inboxes b ON b.id = t.inbox_id WHERE t.id = $1`, ticketID).
		Scan(&f.ID, &f.Number, &f.Subject, &f.Channel, &f.InboxID, &ikind, &iname, &iaddr, &ilang, &f.RequesterID, &f.RequesterName, &f.RequesterLang, &email, &f.AssigneeID)
	if err != nil {
		return f, fmt.Errorf("ticket %d for mail: %w", ticketID, err)
	}
	for _, p := range []struct {
		dst *string
		src *string
	}{{&f.RequesterEmail, email}, {&f.InboxKind, ikind}, {&f.InboxName, iname}, {&f.InboxAddress, iaddr}, {&f.InboxLanguage, ilang}} {
		if p.src != nil {
			*p.dst = *p.src
		}
	}
	rows, err := q.Query(ctx, `SELECT tag FROM ticket_tags WHERE ticket_id = $1`, ticketID)
	if err != nil {
		return f, fmt.Errorf("tags of ticket %d: %w", ticketID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return f, fmt.Errorf("tags of ticket %d: %w", ticketID, err)
		}
		f.Tags = append(f.Tags, t)
	}
	return f, rows.Err()
}

// byMail says whether the ticket is answered by mail (see the package doc).
func (f ticketFacts) byMail() bool {
	if f.RequesterEmail == "" {
		return false
	}
	return f.Channel == "email" || f.Channel == "web" || f.InboxKind == "email"
}

// language is the requester's, or the inbox's for a contact without one.
func (f ticketFacts) language() string {
	if f.RequesterLang != "" {
		return f.RequesterLang
	}
	if f.InboxLanguage != "" {
		return f.InboxLanguage
	}
	return "en"
}

// sender is the address mail about the ticket comes from: its email
// inbox's address, else the server-wide sender (serverFrom).
func sender(f ticketFacts, serverFrom string) (name, addr string) {
	if f.InboxKind == "email" && f.InboxAddress != "" {
		return f.InboxName, f.InboxAddress
	}
	if a, err := netmail.ParseAddress(serverFrom); err == nil {
		return a.Name, a.Address
	}
	return "", "tessera@localhost"
}

// TicketChanged decides the mail a change needs and records and enqueues
// it in the change's transaction.
func (h *Hook) TicketChanged(ctx context.Context, tx *store.Tx, c ticket.Change) error {
	var created, replyMsg *int64
	wantsMail := false
	for _, e := range c.Events {
		if store.Now().Sub(e.CreatedAt) > replayAge {
			return nil // history replayed at its own time (ticket.WithNow): no conversation to mail
		}
		switch {
		case e.Type == ticket.EventCreated && e.MessageID != nil:
			created = e.MessageID
		case e.Type == ticket.EventReply && c.Actor.Kind == auth.KindAgent && e.MessageID != nil:
			replyMsg = e.MessageID
		case e.Type == ticket.EventReply && c.Actor.Kind == auth.KindContact,
			e.Type == ticket.EventField && e.Field == "assignee_id" && e.NewValue != "":
			wantsMail = true
		}
	}
	if c.Actor.Kind == auth.KindAgent {
		created = nil // a ticket an agent opens for a customer is not acknowledged
	}
	if created == nil && replyMsg == nil && !wantsMail {
		return nil
	}
	f, err := readFacts(ctx, tx, c.TicketID)
	if err != nil {
		return err
	}
	if created != nil {
		if err := h.acknowledge(ctx, tx, f, *created); err != nil {
			return err
		}
	}
	if replyMsg != nil && f.byMail() {
		if err := h.queueReply(ctx, tx, f, *replyMsg); err != nil {
			return err
		}
	}
	if wantsMail {
		return h.notifyAgents(ctx, tx, c, f)
	}
	return nil
}

// newMailID makes a Message-ID in the sender's domain; the ticket number
// in it helps a person reading raw headers, the random part makes it
// unique.
func newMailID(number int64, fromAddr string) string {
	domain := "tessera.invalid"
	if _, d, ok := strings.Cut(fromAddr, "@"); ok && d != "" {
		domain = d
	}
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	return fmt.Sprintf("tessera.%d.%s@%s", number, hex.EncodeToString(b), domain)
}

// plusAddress is addr with the ticket number as a sub-address
// (support+1042@example.com), which ingest reads back as the ticket.
func plusAddress(addr string, number int64) string {
	local, domain, ok := strings.Cut(addr, "@")
	if !ok {
		return addr
	}
	if i := strings.IndexByte(local, '+'); i >= 0 {
		local = local[:i]
	}
	return local + "+" + strconv.FormatInt(number, 10) + "@" + domain
}

type recipient struct{ Name, Email string }

// queueReply stamps our Message-ID on the reply and records and enqueues
// one delivery for the requester and each follower.
func (h *Hook) queueReply(ctx context.Context, tx *store.Tx, f ticketFacts, msgID int64) error {
	_, from := sender(f, h.From)
	mailID := newMailID(f.Number, from)
	if _, err := tx.Exec(ctx, `UPDATE messages SET mail_message_id = $1 WHERE id = $2 AND mail_message_id IS NULL`, mailID, msgID); err != nil {
		return fmt.Errorf("message id of reply %d: %w", msgID, err)
	}
	if err := tx.QueryRow(ctx, `SELECT mail_message_id FROM messages WHERE id = $1`, msgID).Scan(&mailID); err != nil {
		return fmt.Errorf("message id of reply %d: %w", msgID, err)
	}
	rcpts := []recipient{{f.RequesterName, f.RequesterEmail}}
	rows, err := tx.Query(ctx, `SELECT c.name, COALESCE((SELECT i.value FROM contact_identities i WHERE i.contact_id = c.id AND i.kind = 'email'
		ORDER BY i.is_primary DESC, i.id LIMIT 1), '')
		FROM ticket_followers fo JOIN contacts c ON c.id = fo.contact_id WHERE fo.ticket_id = $1 ORDER BY fo.created_at, c.id`, f.ID)
	if err != nil {
		return fmt.Errorf("followers of ticket %d: %w", f.ID, err)
	}
	for rows.Next() {
		var r recipient
		if err := rows.Scan(&r.Name, &r.Email); err != nil {
			rows.Close()
			return fmt.Errorf("followers of ticket %d: %w", f.ID, err)
		}
		if r.Email != "" && !slices.ContainsFunc(rcpts, func(o recipient) bool { return strings.EqualFold(o.Email, r.Email) }) {
			rcpts = append(rcpts, r)
		}
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("followers of ticket %d: %w", f.ID, err)
	}
	for _, r := range rcpts {
		ours, err := isOurs(ctx, tx, r.Email, h.From)
		if err != nil {
			return err
		}
		if ours {
			continue // never mail our own mailboxes: that is how loops start
		}
		if err := h.queueDelivery(ctx, tx, f.ID, &msgID, "reply", r, mailID, DeliverArgs{}); err != nil {
			return err
		}
	}
	return nil
}

// queueDelivery records one delivery and enqueues its job.
func (h *Hook) queueDelivery(ctx context.Context, tx *store.Tx, ticketID int64, msgID *int64, kind string, r recipient, mailID string, args DeliverArgs) error {
	now := store.Now()
	err := tx.QueryRow(ctx, `INSERT INTO mail_deliveries (ticket_id, message_id, kind, recipient, recipient_name, mail_message_id, status, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, 'queued', $7, $7) RETURNING id`, ticketID, msgID, kind, r.Email, r.Name, mailID, now).Scan(&args.DeliveryID)
	if err != nil {
		return fmt.Errorf("record delivery to %s: %w", r.Email, err)
	}
	return h.Queue.InsertTx(ctx, tx, args, nil)
}

// isOurs reports whether addr is one of our inboxes' addresses (or a
// plus-address of one) or the server-wide sender.
func isOurs(ctx context.Context, q store.Querier, addr, serverFrom string) (bool, error) {
	addr = strings.ToLower(strings.TrimSpace(addr))
	local, domain, ok := strings.Cut(addr, "@")
	if !ok {
		return false, nil
	}
	if i := strings.IndexByte(local, '+'); i >= 0 {
		local = local[:i]
	}
	base := local + "@" + domain
	if a, err := netmail.ParseAddress(serverFrom); err == nil && strings.EqualFold(a.Address, base) {
		return true, nil
	}
	var n int
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM inboxes WHERE kind = 'email' AND lower(address) IN ($1, $2)`, addr, base).Scan(&n); err != nil {
		return false, fmt.Errorf("our addresses: %w", err)
	}
	return n > 0, nil
}

func isRobot(addr string) bool {
	local, _, _ := strings.Cut(strings.ToLower(addr), "@")
	if i := strings.IndexByte(local, '+'); i >= 0 {
		local = local[:i]
	}
	return slices.Contains(robots, local)
}

// acknowledge answers a new ticket from mail or the web form with the
// auto-acknowledgement, unless the inbox turned it off, the mail came from
// a machine (auto-reply, bounce), from our own addresses, or from a sender
// who floods: that sender's ticket is kept and tagged rate_limited.
func (h *Hook) acknowledge(ctx context.Context, tx *store.Tx, f ticketFacts, msgID int64) error {
	if f.Channel != "email" && f.Channel != "web" {
		return nil
	}
	if f.RequesterEmail == "" || slices.ContainsFunc(f.Tags, func(t string) bool { return slices.Contains(classTags, t) }) {
		return nil
	}
	ours, err := isOurs(ctx, tx, f.RequesterEmail, h.From)
	if err != nil {
		return err
	}
	if ours || isRobot(f.RequesterEmail) {
		return nil
	}
	opts, err := inboxOptions(ctx, tx, f.InboxID)
	if err != nil {
		return err
	}
	var recent int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM tickets WHERE requester_id = $1 AND created_at > $2`,
		f.RequesterID, store.Now().Add(-time.Hour)).Scan(&recent); err != nil {
		return fmt.Errorf("recent tickets of contact %d: %w", f.RequesterID, err)
	}
	if recent > opts.FloodPerHour {
		if h.Tickets != nil {
			if err := h.Tickets.UpdateIn(ctx, tx, auth.System, f.ID, ticket.UpdateInput{AddTags: []string{TagRateLimited}}); err != nil {
				return fmt.Errorf("tag flooding sender's ticket %d: %w", f.ID, err)
			}
		}
		if h.Log != nil {
			h.Log.Warn("sender rate-limited: no acknowledgement", "ticket", f.Number, "tickets_last_hour", recent, "limit", opts.FloodPerHour)
		}
		return nil
	}
	if !opts.AutoAck {
		return nil
	}
	subject, body, err := Render(ctx, tx, TemplateAutoAck, f.language(), f.InboxID, Vars{
		"ticket.number": strconv.FormatInt(f.Number, 10), "ticket.subject": f.Subject,
		"requester.name": nameOr(f.RequesterName, f.RequesterEmail), "requester.email": f.RequesterEmail,
		"portal_url": h.PublicURL + "/help/requests/" + strconv.FormatInt(f.Number, 10), "inbox.name": f.InboxName,
	})
	if err != nil {
		return err
	}
	var inReplyTo *string
	if err := tx.QueryRow(ctx, `SELECT mail_message_id FROM messages WHERE id = $1`, msgID).Scan(&inReplyTo); err != nil {
		return fmt.Errorf("message %d: %w", msgID, err)
	}
	args := DeliverArgs{Subject: subject, Text: body}
	if inReplyTo != nil && !strings.HasSuffix(*inReplyTo, "@tessera.invalid") {
		args.InReplyTo = *inReplyTo
	}
	_, from := sender(f, h.From)
	return h.queueDelivery(ctx, tx, f.ID, nil, "auto_ack", recipient{f.RequesterName, f.RequesterEmail}, newMailID(f.Number, from), args)
}

func nameOr(name, email string) string {
	if strings.TrimSpace(name) != "" {
		return name
	}
	return email
}

// notifyAgents mails the agents the in-app notifications also go to, for
// the kinds they get by mail (assigned to you, customer replied on your
// ticket) and have not turned off.
func (h *Hook) notifyAgents(ctx context.Context, tx *store.Tx, c ticket.Change, f ticketFacts) error {
	for _, n := range jobs.Recipients(c, f.AssigneeID) {
		key := ""
		switch n.Kind {
		case "assigned":
			key = TemplateAssigned
		case "customer_replied":
			key = TemplateCustomerReplied
		default:
			continue
		}
		prefs, err := agentPrefs(ctx, tx, n.AgentID)
		if err != nil {
			return err
		}
		if key == TemplateAssigned && !prefs.Assigned || key == TemplateCustomerReplied && !prefs.CustomerReplied {
			continue
		}
		var name, email, lang string
		var active bool
		if err := tx.QueryRow(ctx, `SELECT name, email, language, active FROM agents WHERE id = $1`, n.AgentID).Scan(&name, &email, &lang, &active); err != nil {
			return fmt.Errorf("agent %d: %w", n.AgentID, err)
		}
		if !active || email == "" {
			continue
		}
		subject, body, err := Render(ctx, tx, key, lang, f.InboxID, Vars{
			"ticket.number": strconv.FormatInt(f.Number, 10), "ticket.subject": f.Subject,
			"requester.name": nameOr(f.RequesterName, f.RequesterEmail), "requester.email": f.RequesterEmail,
			"agent.name": name, "ticket_url": h.PublicURL + "/tickets/" + strconv.FormatInt(f.ID, 10), "inbox.name": f.InboxName,
			"portal_url": h.PublicURL + "/help/requests/" + strconv.FormatInt(f.Number, 10),
		})
		if err != nil {
			return err
		}
		if err := h.Queue.InsertTx(ctx, tx, jobs.SendMailArgs{To: email, Name: name, Subject: subject, Text: body}, nil); err != nil {
			return err
		}
	}
	return nil
}

// Compile-time check: the hook plugs into the ticket service.
var _ ticket.FollowUp = (*Hook)(nil)

// DeliverArgs sends one recorded delivery. A reply's mail is composed from
// its message when the job runs (the message never changes); an
// acknowledgement's text travels in the job, rendered in the transaction
// that created the ticket.
type DeliverArgs struct {
	DeliveryID int64  `json:"delivery_id"`
	Subject    string `json:"subject,omitempty"`
	Text       string `json:"text,omitempty"`
	InReplyTo  string `json:"in_reply_to,omitempty"`
}

// Kind names the job.
func (DeliverArgs) Kind() string { return "deliver_mail" }

// MaxAttempts of a delivery: with the backoff below, about a day and a
// half of trying before it is given up as failed.
const MaxAttempts = 12

// InsertOpts of a delivery.
func (DeliverArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{MaxAttempts: MaxAttempts} }
