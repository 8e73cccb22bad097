package ticket

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/microcosm-cc/bluemonday"

	"tessera/internal/auth"
	"tessera/internal/store"
)

// Address is one mailbox: a message's author as the thread shows it.
type Address struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// MailHeaders are the headers a message received by mail keeps: threading,
// the parties, and what kind of mail it was.
type MailHeaders struct {
	MessageID   string    `json:"message_id"`
	InReplyTo   []string  `json:"in_reply_to,omitempty"`
	References  []string  `json:"references,omitempty"`
	From        Address   `json:"from"`
	To          []Address `json:"to,omitempty"`
	Cc          []Address `json:"cc,omitempty"`
	Subject     string    `json:"subject,omitempty"`
	Date        time.Time `json:"date,omitzero"`
	Class       string    `json:"class,omitempty"`
	ThreadIndex string    `json:"thread_index,omitempty"`
}

// MailInput is what a message received by mail keeps besides the newly
// written text (the message's Body).
type MailInput struct {
	// FullText is the whole text, quoted earlier mail and signature included.
	FullText string
	// HTML is the mail's HTML, unsanitised: it is sanitised here, after the
	// caller folded it (sanitisers drop the markers folding relies on).
	HTML    string
	Headers MailHeaders
	// Raw is the original message, kept as a blob so an agent can open
	// exactly what arrived.
	Raw []byte
	// ThreadIndexRoot is the root of Outlook's Thread-Index: the
	// conversation, whatever headers a client dropped.
	ThreadIndexRoot string
	// ContentIDs maps Content-IDs (without brackets) to the index of the
	// attachment carrying them, so cid: images show inline.
	ContentIDs map[string]int
}

// maxMailHTML bounds the stored HTML of one message.
const maxMailHTML = 1 << 20

// mailPolicy is the UGC policy with cid: allowed through to the rewriter,
// which points it at the stored attachment and blocks every remote image:
// a remote image is a tracking pixel until proven otherwise.
func mailPolicy(cids map[string]string) *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	p.AllowURLSchemes("mailto", "http", "https", "cid")
	p.RewriteSrc(func(u *url.URL) {
		if u.Scheme == "cid" {
			id, _ := url.PathUnescape(u.Opaque)
			if to, ok := cids[strings.Trim(id, "<>")]; ok {
				*u = url.URL{Path: to}
				return
			}
		}
		if u.Scheme != "" || u.Host != "" {
			// Neither fetched by the agent's browser nor broken-looking
			// in a way that leaks: an empty source loads nothing.
			*u = url.URL{}
		}
	})
	return p
}

var (
	readPolicyOnce sync.Once
	readPolicyP    *bluemonday.Policy
)

// readPolicy re-sanitises stored mail HTML: the images already point at
// our attachments; anything else remote is still blocked.
func readPolicy() *bluemonday.Policy {
	readPolicyOnce.Do(func() { readPolicyP = mailPolicy(nil) })
	return readPolicyP
}

// SanitizeMailHTML keeps the safe subset of a mail's HTML: no scripts,
// styles or remote images; cid: images point at the paths given.
func SanitizeMailHTML(h string, cids map[string]string) string {
	if strings.TrimSpace(h) == "" {
		return ""
	}
	out := mailPolicy(cids).Sanitize(h)
	if len(out) > maxMailHTML {
		return ""
	}
	return out
}

// storeMail keeps the mail parts of a message just inserted: the raw blob,
// the headers, the full text and the sanitised HTML (its cid: images
// pointing at the attachments saved with it).
func storeMail(ctx context.Context, tx *store.Tx, msgID int64, m *MailInput, attIDs []int64, at time.Time) error {
	if m == nil {
		return nil
	}
	var rawSHA *string
	if len(m.Raw) > 0 {
		sum := sha256.Sum256(m.Raw)
		h := hex.EncodeToString(sum[:])
		if err := PutBlob(ctx, tx, h, m.Raw, at); err != nil {
			return err
		}
		rawSHA = &h
	}
	cids := map[string]string{}
	for cid, i := range m.ContentIDs {
		if i >= 0 && i < len(attIDs) {
			cids[cid] = "/attachments/" + strconv.FormatInt(attIDs[i], 10)
		}
	}
	headers, err := json.Marshal(m.Headers)
	if err != nil {
		return fmt.Errorf("mail headers: %w", err)
	}
	var root *string
	if m.ThreadIndexRoot != "" {
		root = &m.ThreadIndexRoot
	}
	if _, err := tx.Exec(ctx, `UPDATE messages SET full_text = $2, html = $3, mail_headers = $4, raw_sha256 = $5, thread_index_root = $6 WHERE id = $1`,
		msgID, m.FullText, SanitizeMailHTML(m.HTML, cids), string(headers), rawSHA, root); err != nil {
		return fmt.Errorf("store mail of message %d: %w", msgID, err)
	}
	return nil
}

// PutBlob stores bytes under their SHA-256 once, however many rows refer
// to them.
func PutBlob(ctx context.Context, tx *store.Tx, sha string, data []byte, at time.Time) error {
	if _, err := tx.Exec(ctx, `INSERT INTO blobs (sha256, size, data, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
		sha, len(data), data, at); err != nil {
		return fmt.Errorf("store blob: %w", err)
	}
	return nil
}

// TicketByThreadIndex finds the ticket whose earlier mail shares an
// Outlook Thread-Index root; ok is false when none does.
func (s *Service) TicketByThreadIndex(ctx context.Context, root string) (int64, bool, error) {
	if root == "" {
		return 0, false, nil
	}
	var tid int64
	err := s.DB.Read().QueryRow(ctx, `SELECT ticket_id FROM messages WHERE thread_index_root = $1 ORDER BY id LIMIT 1`, root).Scan(&tid)
	if errors.Is(err, store.ErrNotFound) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("thread index: %w", err)
	}
	return tid, true, nil
}

// RawMail returns the original mail a message was made from, for agents
// who may see its ticket: "the full original", byte for byte.
func (s *Service) RawMail(ctx context.Context, actor auth.Actor, messageID int64) ([]byte, error) {
	if !actor.IsAgent() && !actor.IsAdmin() {
		return nil, auth.Forbidden("only agents download original mail")
	}
	var ticketID int64
	var data []byte
	err := s.DB.Read().QueryRow(ctx, `SELECT m.ticket_id, b.data FROM messages m JOIN blobs b ON b.sha256 = m.raw_sha256 WHERE m.id = $1`, messageID).
		Scan(&ticketID, &data)
	if err != nil {
		return nil, fmt.Errorf("original mail of message %d: %w", messageID, err)
	}
	if err := s.check(ctx, actor, ticketID); err != nil {
		return nil, err
	}
	return data, nil
}

// fillMail sets the contract fields of a message from its stored columns:
// a message that did not come by mail has the same text, full text and
// (rendered) HTML.
func (m *Message) fillMail(fullText, html, headers *string) error {
	m.Text, m.FullText, m.HTML = m.BodyText, m.BodyText, m.BodyHTML
	m.From.Name = m.AuthorName
	if fullText != nil && *fullText != "" {
		m.FullText = *fullText
	}
	if html != nil && *html != "" {
		// Sanitised when stored, and again when shown.
		m.HTML = readPolicy().Sanitize(*html)
	}
	if headers != nil && *headers != "" {
		var h MailHeaders
		if err := json.Unmarshal([]byte(*headers), &h); err != nil {
			return fmt.Errorf("mail headers of message %d: %w", m.ID, err)
		}
		m.Headers = &h
		if h.From.Email != "" {
			m.From = h.From
		}
	}
	return nil
}
