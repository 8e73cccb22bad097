package ticket

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"mime"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"tessera/internal/auth"
	"tessera/internal/search"
	"tessera/internal/store"
	"tessera/internal/validation"
)

// MessageInput adds a public reply or an internal note to a ticket.
// Status, when set, changes the ticket's status in the same change ("send
// and mark pending").
type MessageInput struct {
	Kind          string            `json:"kind"`
	Body          string            `json:"body"`
	Status        string            `json:"status"`
	Channel       string            `json:"channel"`
	Attachments   []AttachmentInput `json:"attachments"`
	MailMessageID string            `json:"-"`
	// Mail is what a message received by mail keeps of it (mail-in).
	Mail *MailInput `json:"-"`
}

// MessageResult is the message added and the ticket it landed on: a reply
// to a closed ticket lands on a new follow-up ticket.
type MessageResult struct {
	Message  Message `json:"message"`
	TicketID int64   `json:"ticket_id"`
	FollowUp bool    `json:"follow_up"`
}

// AddMessage adds a reply or note. The status rules live here:
//   - an agent's first public reply stamps first_reply_at, and moves a new
//     ticket to open;
//   - a customer's reply reopens a pending, on-hold or solved ticket;
//   - a customer's reply to a closed ticket opens a follow-up ticket linked
//     to it; agents cannot write on closed tickets;
//   - light agents may add internal notes only; customers may not add notes.
func (s *Service) AddMessage(ctx context.Context, actor auth.Actor, ticketID int64, in MessageInput) (MessageResult, error) {
	var c validation.Collector
	if in.Kind == "" {
		in.Kind = KindReply
	}
	if in.Kind != KindReply && in.Kind != KindNote {
		c.Add("kind", "must be reply or note")
	}
	checkBody(&c, "body", in.Body, len(in.Attachments) == 0)
	if in.Channel == "" {
		in.Channel = "api"
	}
	if !slices.Contains(Channels, in.Channel) {
		c.Add("channel", "must be one of %s", strings.Join(Channels, ", "))
	}
	atts, err := s.Limits.check(in.Attachments)
	c.Merge("attachments", err)
	if err := c.Err(); err != nil {
		return MessageResult{}, err
	}
	switch {
	case actor.Kind == auth.KindContact:
		if in.Kind == KindNote {
			return MessageResult{}, auth.Forbidden("customers cannot add internal notes")
		}
		in.Status = ""
	case in.Kind == KindReply && !actor.CanEditTickets():
		return MessageResult{}, auth.Forbidden("light agents can add internal notes only")
	case in.Kind == KindNote && !actor.CanAddNotes():
		return MessageResult{}, auth.Forbidden("not allowed to add notes")
	case in.Status != "" && !actor.CanEditTickets():
		return MessageResult{}, auth.Forbidden("light agents cannot change the status")
	}
	at := now(ctx)
	var res MessageResult
	var followUp *CreateInput
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		t, err := load(ctx, tx, actor, ticketID)
		if err != nil {
			return err
		}
		if t.MergedIntoID != nil && actor.Kind != auth.KindContact {
			return fmt.Errorf("%w: #%d was merged; write on the ticket it was merged into", ErrMerged, t.Number)
		}
		if t.StatusCategory == StatusClosed {
			if actor.Kind == auth.KindContact || actor.Kind == auth.KindSystem && in.Kind == KindReply && in.MailMessageID != "" {
				followUp = &CreateInput{Subject: followUpSubject(t.Subject), Body: in.Body, Requester: &RequesterInput{ID: t.RequesterID},
					Priority: t.Priority, Type: t.Type, Channel: in.Channel, TeamID: t.TeamID, Tags: t.Tags, Attachments: in.Attachments, MailMessageID: in.MailMessageID, Mail: in.Mail}
				return nil
			}
			return fmt.Errorf("%w: #%d is closed; a customer reply opens a follow-up", ErrClosed, t.Number)
		}
		rec := &recorder{ticketID: t.ID, actor: actor, at: at}
		var agentID, contactID *int64
		if actor.Kind == auth.KindAgent {
			agentID = &actor.ID
		} else if actor.Kind == auth.KindContact {
			contactID = &actor.ID
		}
		msgID, err := insertMessage(ctx, tx, t.ID, in.Kind, in.Channel, agentID, contactID, in.Body, in.MailMessageID, at)
		if err != nil {
			return err
		}
		attIDs, err := saveAttachments(ctx, tx, t.ID, msgID, atts, at)
		if err != nil {
			return err
		}
		if err := storeMail(ctx, tx, msgID, in.Mail, attIDs, at); err != nil {
			return err
		}
		evType := EventReply
		if in.Kind == KindNote {
			evType = EventNote
		}
		rec.add(evType, "", "", "", &msgID)

		// Status rules.
		newStatus, newCat := t.Status, t.StatusCategory
		switch {
		case in.Status != "":
			cat, err := statusCategory(ctx, tx, in.Status)
			if err != nil {
				return err
			}
			newStatus, newCat = in.Status, cat
		case actor.Kind == auth.KindContact && (t.StatusCategory == StatusSolved || t.StatusCategory == StatusPending || t.StatusCategory == StatusOnHold):
			newStatus, newCat = StatusOpen, StatusOpen
			if t.StatusCategory == StatusSolved {
				rec.add(EventReopened, "", t.Status, StatusOpen, &msgID)
			}
		case actor.Kind == auth.KindAgent && in.Kind == KindReply && t.StatusCategory == StatusNew:
			newStatus, newCat = StatusOpen, StatusOpen
		}
		sets := []string{"updated_at = $2", "message_count = message_count + 1"}
		args := []any{t.ID, at}
		if actor.Kind == auth.KindAgent && in.Kind == KindReply && t.FirstReplyAt == nil {
			args = append(args, at)
			sets = append(sets, fmt.Sprintf("first_reply_at = $%d", len(args)))
			rec.field("first_reply_at", "", at.Format(time.RFC3339Nano))
		}
		if newStatus != t.Status {
			ss, err := s.statusSets(ctx, tx, &t, newStatus, newCat, at, &args, true)
			if err != nil {
				return err
			}
			sets = append(sets, ss...)
			rec.field("status", t.Status, newStatus)
		}
		if _, err := tx.Exec(ctx, `UPDATE tickets SET `+strings.Join(sets, ", ")+` WHERE id = $1`, args...); err != nil {
			return fmt.Errorf("update ticket: %w", err)
		}
		if err := search.AppendBody(ctx, tx, t.ID, in.Body); err != nil {
			return err
		}
		res = MessageResult{Message: Message{ID: msgID}, TicketID: t.ID}
		return rec.flush(ctx, tx, s)
	})
	if err != nil {
		return MessageResult{}, err
	}
	if followUp != nil {
		return s.createFollowUp(ctx, actor, ticketID, *followUp)
	}
	msgs, err := s.messages(ctx, res.TicketID, res.Message.ID, true)
	if err != nil || len(msgs) == 0 {
		return MessageResult{}, fmt.Errorf("read back message: %w", err)
	}
	res.Message = msgs[0]
	return res, nil
}

func followUpSubject(s string) string {
	if strings.HasPrefix(strings.ToLower(s), "re:") {
		return s
	}
	return "Re: " + s
}

// createFollowUp opens a new ticket for a reply to a closed one and links
// the two.
func (s *Service) createFollowUp(ctx context.Context, actor auth.Actor, closedID int64, in CreateInput) (MessageResult, error) {
	creator := actor
	if actor.Kind == auth.KindContact {
		creator = auth.System // the contact writes, the system files the follow-up
	}
	t, err := s.Create(ctx, creator, in)
	if err != nil {
		return MessageResult{}, err
	}
	at := now(ctx)
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		for _, l := range [][3]any{{t.ID, closedID, "follow_up_of"}, {closedID, t.ID, "follow_up"}} {
			if _, err := tx.Exec(ctx, `INSERT INTO ticket_links (ticket_id, linked_id, kind, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, l[0], l[1], l[2], at); err != nil {
				return fmt.Errorf("link follow-up: %w", err)
			}
		}
		rec := &recorder{ticketID: closedID, actor: actor, at: at}
		rec.add(EventFollowUp, "", "", fmt.Sprint(t.Number), nil)
		return rec.flush(ctx, tx, s)
	})
	if err != nil {
		return MessageResult{}, err
	}
	msgs, err := s.messages(ctx, t.ID, 0, true)
	if err != nil || len(msgs) == 0 {
		return MessageResult{}, fmt.Errorf("read back follow-up: %w", err)
	}
	return MessageResult{Message: msgs[0], TicketID: t.ID, FollowUp: true}, nil
}

// statusSets returns the column changes of a status change and checks the
// rules that guard it. checkRequired asks for the required custom fields
// before solving; a customer who marks their request solved is not held
// to fields only the desk can fill in.
func (s *Service) statusSets(ctx context.Context, tx *store.Tx, t *Ticket, status, cat string, at time.Time, args *[]any, checkRequired bool) ([]string, error) {
	if cat == StatusNew && t.StatusCategory != StatusNew {
		return nil, validation.Field("status", "a ticket cannot go back to new")
	}
	if cat == StatusClosed && t.StatusCategory != StatusSolved && t.MergedIntoID == nil {
		return nil, validation.Field("status", "only a solved ticket can be closed")
	}
	if cat == StatusSolved && t.StatusCategory != StatusSolved && checkRequired {
		defs, err := fields(ctx, tx)
		if err != nil {
			return nil, err
		}
		if err := missingRequired(defs, t.CustomFields); err != nil {
			return nil, err
		}
	}
	add := func(expr string, v any) string {
		*args = append(*args, v)
		return fmt.Sprintf(expr, len(*args))
	}
	sets := []string{add("status = $%d", status), add("status_category = $%d", cat)}
	switch {
	case cat == StatusSolved && t.StatusCategory != StatusSolved:
		sets = append(sets, add("solved_at = $%d", at))
	case cat == StatusClosed:
		sets = append(sets, add("closed_at = $%d", at))
	case cat != StatusSolved && t.StatusCategory == StatusSolved:
		sets = append(sets, "solved_at = NULL")
	}
	return sets, nil
}

// Messages returns a ticket's thread, oldest first. Contacts do not see
// internal notes.
func (s *Service) Messages(ctx context.Context, actor auth.Actor, ticketID int64) ([]Message, error) {
	if err := s.check(ctx, actor, ticketID); err != nil {
		return nil, err
	}
	return s.messages(ctx, ticketID, 0, actor.Kind != auth.KindContact)
}

func (s *Service) messages(ctx context.Context, ticketID, onlyID int64, notes bool) ([]Message, error) {
	q := `SELECT m.id, m.ticket_id, m.kind, m.channel, m.author_agent_id, m.author_contact_id, COALESCE(a.name, c.name, ''),
		m.body_text, m.body_html, m.created_at, m.full_text, m.html, m.mail_headers, m.raw_sha256 IS NOT NULL,
		COALESCE(a.email, (SELECT i.value FROM contact_identities i WHERE i.contact_id = c.id AND i.kind = 'email' ORDER BY i.is_primary DESC, i.id LIMIT 1), '')
		FROM messages m LEFT JOIN agents a ON a.id = m.author_agent_id LEFT JOIN contacts c ON c.id = m.author_contact_id
		WHERE m.ticket_id = $1`
	args := []any{ticketID}
	if onlyID != 0 {
		q += " AND m.id = $2"
		args = append(args, onlyID)
	}
	if !notes {
		q += " AND m.kind <> 'note'"
	}
	q += " ORDER BY m.id"
	rows, err := s.DB.Read().Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("messages of ticket %d: %w", ticketID, err)
	}
	out := []Message{}
	idx := map[int64]int{}
	for rows.Next() {
		var m Message
		var fullText, html, headers *string
		if err := rows.Scan(&m.ID, &m.TicketID, &m.Kind, &m.Channel, &m.AuthorAgentID, &m.AuthorContactID, &m.AuthorName, &m.BodyText, &m.BodyHTML, &m.CreatedAt,
			&fullText, &html, &headers, &m.HasOriginal, &m.From.Email); err != nil {
			rows.Close()
			return nil, fmt.Errorf("messages of ticket %d: %w", ticketID, err)
		}
		if err := m.fillMail(fullText, html, headers); err != nil {
			rows.Close()
			return nil, fmt.Errorf("messages of ticket %d: %w", ticketID, err)
		}
		m.Attachments = []Attachment{}
		idx[m.ID] = len(out)
		out = append(out, m)
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("messages of ticket %d: %w", ticketID, err)
	}
	rows, err = s.DB.Read().Query(ctx, `SELECT id, message_id, filename, content_type, size, sha256, created_at FROM attachments WHERE ticket_id = $1 ORDER BY id`, ticketID)
	if err != nil {
		return nil, fmt.Errorf("attachments of ticket %d: %w", ticketID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var a Attachment
		var mid int64
		if err := rows.Scan(&a.ID, &mid, &a.Filename, &a.ContentType, &a.Size, &a.SHA256, &a.CreatedAt); err != nil {
			return nil, fmt.Errorf("attachments of ticket %d: %w", ticketID, err)
		}
		if i, ok := idx[mid]; ok {
			out[i].Attachments = append(out[i].Attachments, a)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if notes { // mail deliveries (email channel out): for the desk only
		if err := attachDeliveries(ctx, s.DB.Read(), ticketID, out, idx); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// AttachmentInput is an uploaded file.
type AttachmentInput struct {
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Data        []byte `json:"data"`
}

// AttachmentLimits bound uploads. Zero values take the defaults.
type AttachmentLimits struct {
	MaxFileBytes    int64
	MaxMessageBytes int64
	MaxFiles        int
}

// Default attachment limits: 25 MiB a file, 50 MiB and 20 files a message.
const (
	DefaultMaxFileBytes    = 25 << 20
	DefaultMaxMessageBytes = 50 << 20
	DefaultMaxFiles        = 20
)

// blockedExtensions are file types that run code when opened; mail
// providers refuse them too.
var blockedExtensions = []string{".exe", ".bat", ".cmd", ".com", ".scr", ".pif", ".msi", ".vbs", ".vbe", ".js", ".jse", ".wsf", ".wsh", ".ps1", ".jar", ".cpl", ".hta", ".lnk", ".reg"}

type checkedAttachment struct {
	AttachmentInput
	sha string
}

func (l AttachmentLimits) check(in []AttachmentInput) ([]checkedAttachment, error) {
	maxFile, maxMsg, maxFiles := l.MaxFileBytes, l.MaxMessageBytes, l.MaxFiles
	if maxFile == 0 {
		maxFile = DefaultMaxFileBytes
	}
	if maxMsg == 0 {
		maxMsg = DefaultMaxMessageBytes
	}
	if maxFiles == 0 {
		maxFiles = DefaultMaxFiles
	}
	var c validation.Collector
	if len(in) > maxFiles {
		c.Add("attachments", "at most %d files per message", maxFiles)
		return nil, c.Err()
	}
	var total int64
	out := make([]checkedAttachment, 0, len(in))
	for i, a := range in {
		field := fmt.Sprintf("attachments[%d]", i)
		name := filepath.Base(strings.ReplaceAll(strings.TrimSpace(a.Filename), `\`, "/"))
		if name == "" || name == "." || name == "/" || utf8.RuneCountInString(name) > 255 || !utf8.ValidString(name) || strings.IndexByte(name, 0) >= 0 {
			c.Add(field+".filename", "must be a file name of at most 255 characters")
			continue
		}
		if slices.Contains(blockedExtensions, strings.ToLower(filepath.Ext(name))) {
			c.Add(field+".filename", "files of type %s are not accepted", filepath.Ext(name))
			continue
		}
		size := int64(len(a.Data))
		if size == 0 {
			c.Add(field+".data", "is empty")
			continue
		}
		if size > maxFile {
			c.Add(field+".data", "is %d bytes; at most %d are accepted", size, maxFile)
			continue
		}
		total += size
		ct := a.ContentType
		if mt, _, err := mime.ParseMediaType(ct); err != nil || ct == "" || mt == "application/octet-stream" {
			ct = http.DetectContentType(a.Data)
		}
		if mt, _, _ := mime.ParseMediaType(ct); mt == "application/x-msdownload" || mt == "application/x-dosexec" || executable(a.Data) {
			c.Add(field+".data", "executable files are not accepted")
			continue
		}
		sum := sha256.Sum256(a.Data)
		out = append(out, checkedAttachment{AttachmentInput: AttachmentInput{Filename: name, ContentType: ct, Data: a.Data}, sha: hex.EncodeToString(sum[:])})
	}
	if total > maxMsg {
		c.Add("attachments", "together %d bytes; at most %d per message", total, maxMsg)
	}
	return out, c.Err()
}

// executable reports whether data is a Windows (PE) or ELF program,
// whatever its name says.
func executable(data []byte) bool {
	if bytes.HasPrefix(data, []byte("\x7fELF")) {
		return true
	}
	if len(data) < 0x40 || !bytes.HasPrefix(data, []byte("MZ")) {
		return false
	}
	pe := int(binary.LittleEndian.Uint32(data[0x3c:]))
	return pe >= 0x40 && pe+4 <= len(data) && bytes.Equal(data[pe:pe+4], []byte("PE\x00\x00"))
}

// saveAttachments stores a message's files and returns their ids, in order.
func saveAttachments(ctx context.Context, tx *store.Tx, ticketID, msgID int64, atts []checkedAttachment, at time.Time) ([]int64, error) {
	ids := make([]int64, 0, len(atts))
	for _, a := range atts {
		if err := PutBlob(ctx, tx, a.sha, a.Data, at); err != nil {
			return nil, fmt.Errorf("store attachment: %w", err)
		}
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO attachments (message_id, ticket_id, sha256, filename, content_type, size, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			msgID, ticketID, a.sha, a.Filename, a.ContentType, len(a.Data), at).Scan(&id); err != nil {
			return nil, fmt.Errorf("store attachment: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// AttachmentData returns an attachment's metadata and bytes, if the actor
// may see its ticket (and, for a contact, if it is not on an internal note).
func (s *Service) AttachmentData(ctx context.Context, actor auth.Actor, id int64) (Attachment, []byte, error) {
	var a Attachment
	var ticketID int64
	var kind string
	var data []byte
	err := s.DB.Read().QueryRow(ctx, `SELECT a.id, a.ticket_id, a.filename, a.content_type, a.size, a.sha256, a.created_at, m.kind, b.data
		FROM attachments a JOIN messages m ON m.id = a.message_id JOIN blobs b ON b.sha256 = a.sha256 WHERE a.id = $1`, id).
		Scan(&a.ID, &ticketID, &a.Filename, &a.ContentType, &a.Size, &a.SHA256, &a.CreatedAt, &kind, &data)
	if err != nil {
		return Attachment{}, nil, fmt.Errorf("attachment %d: %w", id, err)
	}
	if err := s.check(ctx, actor, ticketID); err != nil {
		return Attachment{}, nil, err
	}
	if actor.Kind == auth.KindContact && kind == KindNote {
		return Attachment{}, nil, fmt.Errorf("attachment %d: %w", id, store.ErrNotFound)
	}
	return a, data, nil
}
