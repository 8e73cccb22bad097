// Package ingest stores parsed mail as tickets and replies: the one path
// every way mail arrives (the import command now, IMAP later) goes through.
// A new conversation becomes a ticket on the "email" channel with the
// sender as requester; a reply joins its ticket; the same Message-ID twice
// is stored once.
package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"unicode/utf8"

	"tessera/internal/auth"
	"tessera/internal/channel/email"
	"tessera/internal/people"
	"tessera/internal/store"
	"tessera/internal/ticket"
	"tessera/internal/validation"
)

// Statuses of a Result.
const (
	StatusCreated   = "created"
	StatusAppended  = "appended"
	StatusDuplicate = "duplicate"
	StatusFailed    = "failed"
)

// Result is what became of one message; the import command prints it as
// one JSON line.
type Result struct {
	File      string `json:"file"`
	Index     int    `json:"index,omitempty"` // the message's place in an mbox, from 1
	Status    string `json:"status"`
	TicketID  int64  `json:"ticket_id,omitempty"`
	MessageID int64  `json:"message_id,omitempty"`
	Error     string `json:"error,omitempty"`
	// FailedID is the failed-mail entry that keeps a failed message raw;
	// 0 when it could not be kept either (the caller must not let go of
	// the mail then: it is not stored anywhere).
	FailedID int64 `json:"failed_id,omitempty"`
}

// Kept says whether the message is safely in the database: as a thread
// entry, or raw in the failed-mail list.
func (r Result) Kept() bool { return r.Status != StatusFailed || r.FailedID != 0 }

// Ingester stores mail through the domain services.
type Ingester struct {
	Tickets *ticket.Service
	People  *people.Service
	// Options are passed to email.Parse; the attachment limit defaults to
	// the ticket service's, so a kept attachment is one it accepts.
	Options email.Options
	// Defaults are the inbox's: the team, priority and language new
	// tickets (and new contacts) start with.
	Defaults Defaults
	// Bounces, when set, marks our outgoing mail a bounce reports failed.
	Bounces BounceMarker
	// Failed keeps the mail that cannot be parsed or stored, raw, with its
	// error; nil: the caller keeps it.
	Failed *FailedStore
	Log    *slog.Logger
}

// BounceMarker records that a mail we sent came back (outbound.Bounces).
type BounceMarker interface {
	MarkBounced(ctx context.Context, mailID string, recipients []string, diagnostic string) (int, error)
}

// Defaults are what an inbox gives the tickets it opens.
type Defaults struct {
	InboxID  *int64 // the inbox the mail came in through
	TeamID   *int64
	Priority string
	Language string
}

// maxBody keeps a body under the ticket service's limit (256 KiB).
const maxBody = 250 * 1024

// Ingest parses and stores one raw message. A message that cannot be
// parsed or stored comes back as StatusFailed with the error, kept raw in
// the failed-mail list when the Ingester has one (FailedID).
func (g *Ingester) Ingest(ctx context.Context, raw []byte) Result {
	return g.IngestFrom(ctx, raw, "")
}

// IngestFrom is Ingest naming where the mail came from (a file, an IMAP
// folder and UID), which the failed-mail list shows.
func (g *Ingester) IngestFrom(ctx context.Context, raw []byte, source string) Result {
	res := g.ingest(ctx, raw)
	if res.Status != StatusFailed || g.Failed == nil {
		return res
	}
	id, err := g.Failed.Keep(ctx, g.Defaults.InboxID, source, raw, res.Error)
	if err != nil {
		g.logger().Error("failed mail not kept", "source", source, "cause", res.Error, "err", err)
		res.Error += "; not kept: " + err.Error()
		return res
	}
	res.FailedID = id
	return res
}

func (g *Ingester) logger() *slog.Logger {
	if g.Log != nil {
		return g.Log
	}
	return slog.Default()
}

func (g *Ingester) ingest(ctx context.Context, raw []byte) Result {
	opt := g.Options
	if opt.MaxAttachmentBytes == 0 && g.Tickets.Limits.MaxFileBytes > 0 {
		opt.MaxAttachmentBytes = int(g.Tickets.Limits.MaxFileBytes)
	}
	m, err := email.Parse(raw, opt)
	if err != nil {
		return Result{Status: StatusFailed, Error: err.Error()}
	}
	res, err := g.store(ctx, m, raw)
	if isDuplicateError(err) {
		// The same mail arrived by another path between our look-up and
		// our insert: the unique index kept it once.
		if tid, mid, ok, lerr := g.Tickets.MessageByMailID(ctx, mailIDOf(m, raw)); lerr == nil && ok {
			return Result{Status: StatusDuplicate, TicketID: tid, MessageID: mid}
		}
	}
	if err != nil {
		return Result{Status: StatusFailed, Error: err.Error()}
	}
	if b := m.Bounce; m.Class == email.ClassBounce && b != nil && g.Bounces != nil && res.Status != StatusDuplicate {
		// The report is stored either way; a failure to mark is logged,
		// not a reason to refuse the mail.
		if _, err := g.Bounces.MarkBounced(ctx, b.OriginalMessageID, b.Recipients, strings.TrimSpace(b.Status+" "+b.Diagnostic)); err != nil && g.Log != nil {
			g.Log.Warn("bounce not recorded on its delivery", "original", b.OriginalMessageID, "err", err)
		}
	}
	return res
}

func (g *Ingester) store(ctx context.Context, m *email.Message, raw []byte) (Result, error) {
	if m.From.Email == "" {
		return Result{}, errors.New("the message has no sender address")
	}
	mailID := mailIDOf(m, raw)
	if tid, mid, ok, err := g.Tickets.MessageByMailID(ctx, mailID); err != nil {
		return Result{}, err
	} else if ok {
		return Result{Status: StatusDuplicate, TicketID: tid, MessageID: mid}, nil
	}
	contact, err := g.People.EnsureContact(ctx, m.From.Email, m.From.Name, g.Defaults.Language)
	if err != nil {
		return Result{}, fmt.Errorf("sender: %w", err)
	}
	body, atts, cids := content(m)
	mail := mailInput(m, mailID, raw, cids)
	tid, err := g.thread(ctx, m, contact)
	if err != nil {
		return Result{}, err
	}
	var res Result
	if tid != 0 {
		res, err = g.appendTo(ctx, tid, contact, m, mailID, body, atts, mail)
	} else {
		res, err = g.create(ctx, contact, m, mailID, body, atts, mail)
	}
	if err != nil {
		return Result{}, err
	}
	if m.Class == email.ClassNormal {
		// The message is stored: a follower that cannot be added costs the
		// follower, not the mail.
		if err := g.addFollowers(ctx, res.TicketID, m, contact); err != nil {
			g.logger().Warn("cc followers not added", "ticket_id", res.TicketID, "err", err)
		}
	}
	return res, nil
}

// addFollowers makes the people on Cc of a customer's mail followers of
// its ticket, except our own addresses and the sender.
func (g *Ingester) addFollowers(ctx context.Context, tid int64, m *email.Message, sender people.Contact) error {
	var ids []int64
	for _, a := range m.Cc {
		addr, ok := people.NormalizeEmail(a.Email)
		if !ok || strings.EqualFold(addr, sender.Email) || g.ours(addr) {
			continue
		}
		c, err := g.People.EnsureContact(ctx, addr, a.Name, g.Defaults.Language)
		if err != nil {
			return fmt.Errorf("cc %s: %w", addr, err)
		}
		if c.ID != sender.ID {
			ids = append(ids, c.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	_, err := g.Tickets.AddFollowers(ctx, auth.System, tid, ids)
	return err
}

// participant reports whether a contact is a ticket's requester or one of
// its followers.
func (g *Ingester) participant(ctx context.Context, tid int64, c people.Contact) (bool, error) {
	t, err := g.Tickets.Get(ctx, auth.System, tid)
	if err != nil {
		return false, err
	}
	if t.RequesterID == c.ID {
		return true, nil
	}
	fs, err := g.Tickets.Followers(ctx, auth.System, tid)
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(fs, func(p ticket.Person) bool { return p.ID == c.ID }), nil
}

// ours reports whether addr is one of our inboxes (a plus-address too).
func (g *Ingester) ours(addr string) bool {
	local, domain, _ := strings.Cut(addr, "@")
	if i := strings.IndexByte(local, '+'); i >= 0 {
		local = local[:i]
	}
	for _, in := range g.Options.Inboxes {
		if strings.EqualFold(in, addr) || strings.EqualFold(in, local+"@"+domain) {
			return true
		}
	}
	return false
}

// mailInput is what the thread keeps of the mail besides the new text.
func mailInput(m *email.Message, mailID string, raw []byte, cids map[string]int) *ticket.MailInput {
	html := m.NewHTML
	if strings.TrimSpace(html) == "" {
		html = m.HTML
	}
	conv := func(as []email.Address) []ticket.Address {
		out := make([]ticket.Address, 0, len(as))
		for _, a := range as {
			out = append(out, ticket.Address{Name: a.Name, Email: a.Email})
		}
		return out
	}
	full := m.Text
	if len(full) > maxBody {
		full = cut(full, maxBody)
	}
	return &ticket.MailInput{
		FullText: full,
		HTML:     html,
		Raw:      raw,
		Headers: ticket.MailHeaders{MessageID: mailID, InReplyTo: m.InReplyTo, References: m.References,
			From: ticket.Address{Name: m.From.Name, Email: m.From.Email}, To: conv(m.To), Cc: conv(m.Cc),
			Subject: m.Subject, Date: m.Date, Class: string(m.Class), ThreadIndex: m.ThreadIndex},
		ThreadIndexRoot: email.ThreadIndexRoot(m.ThreadIndex),
		ContentIDs:      cids,
	}
}

// thread finds the ticket a message belongs to: by the Message-IDs it
// answers (a bounce: the one that failed), then by the ticket number in
// its subject or plus-address when the sender is the ticket's requester.
// 0: a new ticket.
func (g *Ingester) thread(ctx context.Context, m *email.Message, sender people.Contact) (int64, error) {
	refs := slices.Clone(m.InReplyTo)
	// The most recent reference is the likeliest to be ours.
	for i := len(m.References) - 1; i >= 0; i-- {
		refs = append(refs, m.References[i])
	}
	if m.Bounce != nil && m.Bounce.OriginalMessageID != "" {
		refs = append([]string{m.Bounce.OriginalMessageID}, refs...)
	}
	for _, ref := range refs {
		tid, _, ok, err := g.Tickets.MessageByMailID(ctx, ref)
		if err != nil {
			return 0, err
		}
		if ok {
			return tid, nil
		}
	}
	// Outlook keeps the conversation in Thread-Index when other clients
	// on the way dropped the reference headers. Anyone can copy a header,
	// so it counts only from the requester or a follower.
	if tid, ok, err := g.Tickets.TicketByThreadIndex(ctx, email.ThreadIndexRoot(m.ThreadIndex)); err != nil {
		return 0, err
	} else if ok {
		in, err := g.participant(ctx, tid, sender)
		if err != nil {
			return 0, err
		}
		if in {
			return tid, nil
		}
	}
	for _, n := range []int64{m.AddressTicket, m.SubjectTicket} {
		if n == 0 {
			continue
		}
		t, err := g.Tickets.ByNumber(ctx, auth.System, n)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return 0, err
		}
		// A number anyone can type is trusted only from the requester:
		// otherwise a stranger could write into someone's ticket.
		if t.RequesterID == sender.ID {
			return t.ID, nil
		}
	}
	return 0, nil
}

func (g *Ingester) appendTo(ctx context.Context, tid int64, sender people.Contact, m *email.Message, mailID, body string, atts []ticket.AttachmentInput, mail *ticket.MailInput) (Result, error) {
	in := ticket.MessageInput{Kind: ticket.KindReply, Body: body, Channel: "email", Attachments: atts, MailMessageID: mailID, Mail: mail}
	actor := auth.Actor{Kind: auth.KindContact, ID: sender.ID, Name: sender.Name, Email: sender.Email}
	if m.Class != email.ClassNormal {
		// Machines' mail (bounces, out-of-office) must not reopen a
		// ticket the way a customer's answer does.
		actor = auth.System
	}
	add := func(in ticket.MessageInput) (ticket.MessageResult, error) {
		r, err := g.Tickets.AddMessage(ctx, actor, tid, in)
		if errors.Is(err, store.ErrNotFound) && actor.Kind == auth.KindContact {
			// A colleague on Cc answering: not the requester, so not
			// allowed to write as a contact; the desk records the mail.
			actor = auth.System
			r, err = g.Tickets.AddMessage(ctx, actor, tid, in)
		}
		return r, err
	}
	r, err := add(in)
	if err != nil && len(in.Attachments) > 0 && isAttachmentError(err) {
		in.Body, in.Attachments = withRefused(body, atts, err), nil
		in.Mail.ContentIDs = nil
		r, err = add(in)
	}
	if err != nil {
		return Result{}, fmt.Errorf("add reply to ticket %d: %w", tid, err)
	}
	status := StatusAppended
	if r.FollowUp {
		status = StatusCreated
	}
	return Result{Status: status, TicketID: r.TicketID, MessageID: r.Message.ID}, nil
}

func (g *Ingester) create(ctx context.Context, sender people.Contact, m *email.Message, mailID, body string, atts []ticket.AttachmentInput, mail *ticket.MailInput) (Result, error) {
	subject := m.Subject
	if strings.TrimSpace(subject) == "" {
		subject = "(no subject)"
	}
	if r := []rune(subject); len(r) > 250 {
		subject = string(r[:250])
	}
	in := ticket.CreateInput{Subject: subject, Body: body, Requester: &ticket.RequesterInput{ID: sender.ID},
		Channel: "email", Attachments: atts, MailMessageID: mailID, TeamID: g.Defaults.TeamID, Priority: g.Defaults.Priority,
		InboxID: g.Defaults.InboxID, Mail: mail}
	if m.Class != email.ClassNormal {
		in.Tags = []string{string(m.Class)}
	}
	t, err := g.Tickets.Create(ctx, auth.System, in)
	if err != nil && len(atts) > 0 && isAttachmentError(err) {
		in.Body, in.Attachments = withRefused(body, atts, err), nil
		in.Mail.ContentIDs = nil
		t, err = g.Tickets.Create(ctx, auth.System, in)
	}
	if err != nil {
		return Result{}, fmt.Errorf("create ticket: %w", err)
	}
	_, mid, _, err := g.Tickets.MessageByMailID(ctx, mailID)
	if err != nil {
		return Result{}, err
	}
	return Result{Status: StatusCreated, TicketID: t.ID, MessageID: mid}, nil
}

// mailIDOf is the message's Message-ID or, without one, a digest of its
// bytes: importing the same file twice must still store it once.
func mailIDOf(m *email.Message, raw []byte) string {
	if m.MessageID != "" {
		return m.MessageID
	}
	sum := sha256.Sum256(raw)
	return "sha256-" + hex.EncodeToString(sum[:16]) + "@tessera.invalid"
}

func isDuplicateError(err error) bool {
	var ve *validation.Error
	if !errors.As(err, &ve) {
		return false
	}
	for _, f := range ve.Fields {
		if f.Field == "message_id" {
			return true
		}
	}
	return false
}

// content is the body to store (the newly written text, with a line for
// each attachment too large to keep), the attachments kept, and which of
// them carries each Content-ID.
func content(m *email.Message) (string, []ticket.AttachmentInput, map[string]int) {
	body := strings.TrimSpace(m.NewText)
	if body == "" {
		body = strings.TrimSpace(m.Text)
	}
	var atts []ticket.AttachmentInput
	cids := map[string]int{}
	var over []string
	for _, a := range m.Attachments {
		if a.OverSize {
			over = append(over, fmt.Sprintf("%s (%d bytes)", a.Filename, a.Size))
			continue
		}
		if a.ContentID != "" {
			cids[a.ContentID] = len(atts)
		}
		atts = append(atts, ticket.AttachmentInput{Filename: a.Filename, ContentType: a.ContentType, Data: a.Data})
	}
	if len(over) > 0 {
		body = strings.TrimSpace(body + "\n\n[Attachments too large to keep: " + strings.Join(over, ", ") + "]")
	}
	if body == "" && len(atts) == 0 {
		body = "(empty message)"
	}
	if len(body) > maxBody {
		body = cut(body, maxBody)
	}
	return body, atts, cids
}

// cut shortens s to at most n bytes on a character boundary, marking the cut.
func cut(s string, n int) string {
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "\n\n[…]"
}

func isAttachmentError(err error) bool {
	var ve *validation.Error
	if !errors.As(err, &ve) {
		return false
	}
	for _, f := range ve.Fields {
		if strings.HasPrefix(f.Field, "attachments") {
			return true
		}
	}
	return false
}

// withRefused notes in the body the attachments the desk refused (a
// blocked file type, too many files), so the agent knows they existed.
func withRefused(body string, atts []ticket.AttachmentInput, err error) string {
	names := make([]string, len(atts))
	for i, a := range atts {
		names[i] = a.Filename
	}
	return strings.TrimSpace(body + "\n\n[Attachments not kept (" + err.Error() + "): " + strings.Join(names, ", ") + "]")
}
