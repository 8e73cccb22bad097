package outbound

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"regexp"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"tessera/internal/inbox"
	"tessera/internal/mail"
	"tessera/internal/store"
)

// Sender sends one outgoing mail; mail.Sender implements it.
type Sender interface {
	SendOutgoing(ctx context.Context, o mail.Outgoing, via *mail.Server) error
}

// DeliverWorker sends deliveries and records what became of them.
type DeliverWorker struct {
	river.WorkerDefaults[DeliverArgs]
	DB   *store.DB
	Mail Sender
	// From is the server-wide sender (--mail-from).
	From string
	// Backoff is the wait before the first retry; it doubles with each
	// attempt, up to MaxBackoff. Zero: a minute.
	Backoff time.Duration
	Log     *slog.Logger
}

// MaxBackoff bounds the wait between two attempts.
const MaxBackoff = 4 * time.Hour

// maxReferences bounds the References header: the first mail of the
// thread and the latest ones, as RFC 5322 suggests trimming it.
const maxReferences = 20

// NextRetry backs off exponentially: a server that answers "try later"
// is given ever more time.
func (w *DeliverWorker) NextRetry(job *river.Job[DeliverArgs]) time.Time {
	return time.Now().Add(backoff(w.Backoff, job.Attempt))
}

func backoff(base time.Duration, attempt int) time.Duration {
	if base <= 0 {
		base = time.Minute
	}
	d := base
	for i := 1; i < attempt && d < MaxBackoff; i++ {
		d *= 2
	}
	return min(d, MaxBackoff)
}

type delivery struct {
	ID, TicketID  int64
	MessageID     *int64
	Kind          string
	Recipient     string
	RecipientName string
	MailID        string
	Status        string
}

// Work sends one delivery. A permanent refusal (5xx) fails it at once and
// cancels the job; a temporary one is retried with backoff until the last
// attempt, which fails it.
func (w *DeliverWorker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	var d delivery
	err := w.DB.Read().QueryRow(ctx, `SELECT id, ticket_id, message_id, kind, recipient, recipient_name, mail_message_id, status
		FROM mail_deliveries WHERE id = $1`, job.Args.DeliveryID).
		Scan(&d.ID, &d.TicketID, &d.MessageID, &d.Kind, &d.Recipient, &d.RecipientName, &d.MailID, &d.Status)
	if errors.Is(err, store.ErrNotFound) {
		return nil // the ticket was deleted since
	}
	if err != nil {
		return fmt.Errorf("delivery %d: %w", job.Args.DeliveryID, err)
	}
	if d.Status != "queued" {
		return nil // sent, bounced or given up already: a retry after a crash
	}
	out, via, err := w.compose(ctx, d, job.Args)
	if err == nil {
		err = w.Mail.SendOutgoing(ctx, out, via)
	}
	switch {
	case err == nil:
		return w.record(ctx, d.ID, "sent", "")
	case errors.Is(err, mail.ErrPermanent):
		if rerr := w.record(ctx, d.ID, "failed", err.Error()); rerr != nil {
			return rerr
		}
		return river.JobCancel(err)
	case job.Attempt >= job.MaxAttempts:
		if rerr := w.record(ctx, d.ID, "failed", err.Error()); rerr != nil {
			return rerr
		}
		return err
	default:
		if rerr := w.record(ctx, d.ID, "queued", err.Error()); rerr != nil {
			return rerr
		}
		return fmt.Errorf("deliver mail %d: %w", d.ID, err)
	}
}

func (w *DeliverWorker) record(ctx context.Context, id int64, status, lastErr string) error {
	now := store.Now()
	var sentAt *time.Time
	if status == "sent" {
		sentAt = &now
	}
	if len(lastErr) > 1000 {
		lastErr = lastErr[:1000]
	}
	_, err := w.DB.Write().Exec(ctx, `UPDATE mail_deliveries SET status = $2, attempts = attempts + 1, last_error = $3, updated_at = $4,
		sent_at = COALESCE($5, sent_at) WHERE id = $1 AND status = 'queued'`, id, status, lastErr, now, sentAt)
	if err != nil {
		return fmt.Errorf("record delivery %d: %w", id, err)
	}
	return nil
}

// compose builds the mail of a delivery and picks the server it leaves by.
func (w *DeliverWorker) compose(ctx context.Context, d delivery, a DeliverArgs) (mail.Outgoing, *mail.Server, error) {
	q := w.DB.Read()
	f, err := readFacts(ctx, q, d.TicketID)
	if err != nil {
		return mail.Outgoing{}, nil, err
	}
	fromName, from := sender(f, w.From)
	out := mail.Outgoing{From: from, FromName: fromName, ReplyTo: plusAddress(from, f.Number), To: d.Recipient, ToName: d.RecipientName, MessageID: d.MailID}
	via, err := w.server(ctx, f)
	if err != nil {
		return out, nil, err
	}
	switch d.Kind {
	case "auto_ack":
		out.Subject, out.Text = a.Subject, a.Text
		out.AutoSubmitted, out.SuppressReplies = "auto-replied", true
		if a.InReplyTo != "" {
			out.InReplyTo, out.References = a.InReplyTo, []string{a.InReplyTo}
		}
		return out, via, nil
	case "reply":
		if d.MessageID == nil {
			return out, nil, fmt.Errorf("%w: delivery %d has no message", mail.ErrPermanent, d.ID)
		}
		return w.composeReply(ctx, q, f, *d.MessageID, out, via)
	}
	return out, nil, fmt.Errorf("%w: delivery %d of unknown kind %q", mail.ErrPermanent, d.ID, d.Kind)
}

// ReplySubject is the subject of a reply: the ticket's, answered, with its
// reference number (which ingest reads back).
func ReplySubject(subject string, number int64) string {
	s := strings.TrimSpace(subject)
	for {
		l := strings.ToLower(s)
		if strings.HasPrefix(l, "re:") || strings.HasPrefix(l, "aw:") || strings.HasPrefix(l, "res:") {
			_, s, _ = strings.Cut(s, ":")
			s = strings.TrimSpace(s)
			continue
		}
		break
	}
	tag := fmt.Sprintf("[#%d]", number)
	s = strings.TrimSpace(strings.ReplaceAll(s, tag, ""))
	return "Re: " + s + " " + tag
}

func (w *DeliverWorker) composeReply(ctx context.Context, q store.Querier, f ticketFacts, msgID int64, out mail.Outgoing, via *mail.Server) (mail.Outgoing, *mail.Server, error) {
	var text, body string
	if err := q.QueryRow(ctx, `SELECT body_text, body_html FROM messages WHERE id = $1`, msgID).Scan(&text, &body); err != nil {
		return out, nil, fmt.Errorf("message %d: %w", msgID, err)
	}
	out.Subject = ReplySubject(f.Subject, f.Number)
	out.Text = text
	// The thread's known mail ids, oldest first: the customer's mail
	// client threads by them, and their answer names them back.
	rows, err := q.Query(ctx, `SELECT mail_message_id FROM messages WHERE ticket_id = $1 AND id < $2 AND kind = 'reply'
		AND mail_message_id IS NOT NULL ORDER BY id`, f.ID, msgID)
	if err != nil {
		return out, nil, fmt.Errorf("thread of ticket %d: %w", f.ID, err)
	}
	var refs []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return out, nil, fmt.Errorf("thread of ticket %d: %w", f.ID, err)
		}
		if !strings.HasSuffix(id, "@tessera.invalid") { // a digest for mail without an id: no client knows it
			refs = append(refs, id)
		}
	}
	if err := rows.Close(); err != nil {
		return out, nil, fmt.Errorf("thread of ticket %d: %w", f.ID, err)
	}
	if len(refs) > maxReferences {
		refs = append(refs[:1], refs[len(refs)-maxReferences+1:]...)
	}
	if len(refs) > 0 {
		out.References, out.InReplyTo = refs, refs[len(refs)-1]
	}
	files, err := attachments(ctx, q, msgID)
	if err != nil {
		return out, nil, err
	}
	body, files = inlineImages(body, files)
	out.Attachments = files
	out.HTML = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>` + html.EscapeString(out.Subject) +
		`</title></head><body dir="auto">` + body + `</body></html>`
	return out, via, nil
}

func attachments(ctx context.Context, q store.Querier, msgID int64) ([]mail.File, error) {
	rows, err := q.Query(ctx, `SELECT a.id, a.filename, a.content_type, b.data FROM attachments a JOIN blobs b ON b.sha256 = a.sha256
		WHERE a.message_id = $1 ORDER BY a.id`, msgID)
	if err != nil {
		return nil, fmt.Errorf("attachments of message %d: %w", msgID, err)
	}
	defer rows.Close()
	var out []mail.File
	for rows.Next() {
		var id int64
		var f mail.File
		if err := rows.Scan(&id, &f.Name, &f.ContentType, &f.Data); err != nil {
			return nil, fmt.Errorf("attachments of message %d: %w", msgID, err)
		}
		f.ContentID = fmt.Sprintf("att%d@tessera", id) // used only if the HTML shows it inline
		out = append(out, f)
	}
	return out, rows.Err()
}

var imgSrcRE = regexp.MustCompile(`(<img\b[^>]*?\bsrc=")([^"]+)(")`)

// inlineImages points the HTML's images that name an attached image
// (Markdown ![alt](screenshot.png)) at the attachment by Content-ID, so
// the image shows in the mail; every other file stays a plain attachment.
func inlineImages(body string, files []mail.File) (string, []mail.File) {
	used := map[int]bool{}
	body = imgSrcRE.ReplaceAllStringFunc(body, func(m string) string {
		p := imgSrcRE.FindStringSubmatch(m)
		src := html.UnescapeString(p[2])
		for i, f := range files {
			if strings.HasPrefix(f.ContentType, "image/") && (src == f.Name || strings.TrimPrefix(src, "./") == f.Name) {
				used[i] = true
				return p[1] + "cid:" + f.ContentID + p[3]
			}
		}
		return m
	})
	for i := range files {
		if !used[i] {
			files[i].ContentID = ""
		}
	}
	return body, files
}

// server is the inbox's own SMTP server, or nil for the server-wide one.
func (w *DeliverWorker) server(ctx context.Context, f ticketFacts) (*mail.Server, error) {
	if f.InboxID == nil || f.InboxKind != "email" {
		return nil, nil
	}
	var raw string
	if err := w.DB.Read().QueryRow(ctx, `SELECT settings FROM inboxes WHERE id = $1`, *f.InboxID).Scan(&raw); err != nil {
		return nil, fmt.Errorf("inbox %d: %w", *f.InboxID, err)
	}
	var settings map[string]any
	if err := json.Unmarshal([]byte(raw), &settings); err != nil {
		return nil, fmt.Errorf("%w: inbox %d settings: %w", mail.ErrPermanent, *f.InboxID, err)
	}
	s, err := inbox.ParseSMTPSettings(settings["smtp"])
	if err != nil {
		return nil, fmt.Errorf("%w: inbox %d: %w", mail.ErrPermanent, *f.InboxID, err)
	}
	if !s.Configured() {
		return nil, nil
	}
	return &mail.Server{Host: s.Host, Port: s.Port, Security: s.Security, Username: s.Username, Password: s.Password, Auth: s.Auth}, nil
}
