// Package email turns a raw RFC 5322 message into what the email channel
// needs: addresses, threading headers, the body as text and HTML with the
// quoted earlier replies and signatures folded away, attachments, and a
// classification (auto-reply, bounce). It is pure: no database, no network.
//
// Parsing is tolerant (enmime): a malformed header line, a missing closing
// boundary or an unknown charset becomes a warning in Message.Warnings, not
// a failure. Parse returns an error only when nothing useful can be read
// (no header at all, a message over the size limit). The caller must then
// keep the raw bytes it passed in — in the "failed mail" list, with the
// error — so that no mail is ever lost: Parse never keeps them for it.
package email

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jhillyerd/enmime/v2"
	"github.com/jhillyerd/enmime/v2/mediatype"
	"golang.org/x/text/encoding/charmap"
)

// Default limits; Options overrides them.
const (
	DefaultMaxMessageBytes    = 50 << 20
	DefaultMaxAttachmentBytes = 25 << 20
	// maxWarnings bounds the warnings kept for a pathological message.
	maxWarnings = 50
)

// ErrTooLarge is returned for a message over Options.MaxMessageBytes.
var ErrTooLarge = errors.New("email: message too large")

// ErrNoHeader is returned when the input has no header a mail would have.
var ErrNoHeader = errors.New("email: no message header")

// Address is one mailbox.
type Address struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

// AttachmentKind says what an attachment is, beyond its content type.
type AttachmentKind string

const (
	KindFile      AttachmentKind = "file"
	KindInline    AttachmentKind = "inline"    // an image the HTML shows by cid:
	KindForwarded AttachmentKind = "forwarded" // message/rfc822
	KindCalendar  AttachmentKind = "calendar"  // text/calendar, an invite
	KindTNEF      AttachmentKind = "tnef"      // winmail.dat, kept as it is
)

// Attachment is one attached or inline part.
type Attachment struct {
	Filename    string         `json:"filename"`
	ContentType string         `json:"content_type"`
	Kind        AttachmentKind `json:"kind"`
	// ContentID is the Content-ID without angle brackets; the HTML refers
	// to it as cid:ContentID.
	ContentID string `json:"content_id,omitempty"`
	// Size is the decoded size in bytes, also when the data is not kept.
	Size int `json:"size"`
	// OverSize is true when Size exceeds the limit: Data is then nil and
	// the attachment is only recorded, so the thread can say it was there.
	OverSize bool   `json:"over_size,omitempty"`
	Data     []byte `json:"-"`
}

// Class is what kind of mail this is, for loop and noise protection.
type Class string

const (
	ClassNormal    Class = ""
	ClassAutoReply Class = "auto-reply"
	ClassBounce    Class = "bounce"
)

// Bounce is what a delivery status notification says about the failed mail.
type Bounce struct {
	// OriginalMessageID is the Message-ID of the mail that failed (ours),
	// without angle brackets, when the report carries it.
	OriginalMessageID string   `json:"original_message_id,omitempty"`
	Recipients        []string `json:"recipients,omitempty"`
	Status            string   `json:"status,omitempty"`
	Diagnostic        string   `json:"diagnostic,omitempty"`
}

// Message is a parsed mail.
type Message struct {
	From    Address   `json:"from"`
	To      []Address `json:"to,omitempty"`
	Cc      []Address `json:"cc,omitempty"`
	ReplyTo []Address `json:"reply_to,omitempty"`
	Subject string    `json:"subject"`
	// MessageID, InReplyTo and References are without angle brackets.
	MessageID   string   `json:"message_id,omitempty"`
	InReplyTo   []string `json:"in_reply_to,omitempty"`
	References  []string `json:"references,omitempty"`
	ThreadIndex string   `json:"thread_index,omitempty"`
	// Date is zero when the header is missing or unreadable.
	Date time.Time `json:"date"`

	// Text is the whole plain text (converted from the HTML when the mail
	// has no text part); HTML is the whole HTML, unsanitised: sanitise
	// before storing or showing it.
	Text string `json:"full_text"`
	HTML string `json:"html,omitempty"`
	// NewText and NewHTML are what the author newly wrote: quoted earlier
	// replies and the signature folded away (the HTML folded before any
	// sanitising, since sanitisers drop the class names folding relies on).
	NewText string `json:"text"`
	NewHTML string `json:"new_html,omitempty"`
	// Folded says whether anything was folded away.
	Folded bool `json:"folded"`

	Attachments []Attachment `json:"attachments,omitempty"`

	Class  Class   `json:"class,omitempty"`
	Bounce *Bounce `json:"bounce,omitempty"`

	// SubjectTicket and AddressTicket are the ticket numbers the mail
	// names, in its subject ("[#1042]") and in a plus-address it was sent
	// to ("support+1042@..."); 0 when none. Threading decides what they
	// are worth (only for a participant, after the References).
	SubjectTicket int64 `json:"subject_ticket,omitempty"`
	AddressTicket int64 `json:"address_ticket,omitempty"`

	// Warnings are the parser's complaints about a damaged message.
	Warnings []string `json:"warnings,omitempty"`
}

// Options tune Parse; the zero value uses the defaults.
type Options struct {
	MaxMessageBytes    int
	MaxAttachmentBytes int
	// Inboxes are our own addresses; a plus-address counts as a ticket
	// reference only on one of them. Empty: any recipient's numeric tag
	// counts.
	Inboxes []string
}

// recoverPanics is turned off in tests, so that the fuzz tests see a
// panic instead of its error.
var recoverPanics = true

var parser = enmime.NewParser(
	// Trust the declared charset: detection on short texts guesses wrong
	// more often than senders declare wrong.
	enmime.DisableCharacterDetection(true),
	enmime.SkipMalformedParts(true),
	enmime.MultipartWOBoundaryAsSinglePart(true),
	enmime.StripMediaTypeInvalidCharacters(true),
	enmime.SetReadPartErrorPolicy(enmime.AllowCorruptTextPartErrorPolicy),
	enmime.MaxStoredPartErrors(maxWarnings),
	enmime.SetCustomParseMediaType(parseMediaType),
)

// parseMediaType reads ISO-8859-1 as Windows-1252, as browsers do: mail
// declared Latin-1 routinely carries Windows' curly quotes and euro sign,
// which real ISO-8859-1 turns into invisible control characters.
func parseMediaType(ctype string) (string, map[string]string, []string, error) {
	mtype, params, invalid, err := mediatype.Parse(ctype)
	if cs, ok := params["charset"]; ok {
		switch strings.ToLower(strings.TrimSpace(cs)) {
		case "iso-8859-1", "iso8859-1", "iso_8859-1", "iso88591", "latin1", "us-ascii":
			params["charset"] = "windows-1252"
		}
	}
	return mtype, params, invalid, err
}

// Parse reads one raw message. On error the message could not be read at
// all; the caller keeps raw (see the package comment). A returned Message
// may still carry Warnings.
func Parse(raw []byte, opt Options) (msg *Message, err error) {
	if opt.MaxMessageBytes <= 0 {
		opt.MaxMessageBytes = DefaultMaxMessageBytes
	}
	if opt.MaxAttachmentBytes <= 0 {
		opt.MaxAttachmentBytes = DefaultMaxAttachmentBytes
	}
	if len(raw) > opt.MaxMessageBytes {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(raw), opt.MaxMessageBytes)
	}
	// A bug in a dependency on a hostile message must cost this message,
	// not the import loop that called us.
	defer func() {
		if !recoverPanics {
			return
		}
		if r := recover(); r != nil {
			msg, err = nil, fmt.Errorf("email: parser panic: %v", r)
		}
	}()
	raw = stripMboxFrom(raw)
	if !looksLikeHeader(raw) {
		return nil, ErrNoHeader
	}
	env, err := parser.ReadEnvelope(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("email: parse: %w", err)
	}
	m := &Message{
		Subject:     oneLine(env.GetHeader("Subject")),
		MessageID:   firstID(env.GetHeader("Message-Id")),
		InReplyTo:   ids(env.GetHeader("In-Reply-To")),
		References:  ids(env.GetHeader("References")),
		ThreadIndex: strings.TrimSpace(env.GetHeader("Thread-Index")),
		Text:        normaliseText(fixC1(validUTF8(env.Text))),
		HTML:        fixC1(validUTF8(env.HTML)),
	}
	if m.Text == "" && m.HTML == "" && strings.HasPrefix(env.Root.ContentType, "multipart/") && env.Root.FirstChild == nil {
		// A multipart without a boundary, read as one part: its body is
		// the text, not something to drop.
		m.Text = normaliseText(validUTF8(string(env.Root.Content)))
		m.Warnings = append(m.Warnings, "a multipart body without a boundary was read as text")
	}
	if d, err := env.Date(); err == nil {
		m.Date = d.UTC()
	}
	if from := addresses(env, "From", m); len(from) > 0 {
		m.From = from[0]
	} else if s := addresses(env, "Sender", m); len(s) > 0 {
		m.From = s[0]
	}
	m.To = addresses(env, "To", m)
	m.Cc = addresses(env, "Cc", m)
	m.ReplyTo = addresses(env, "Reply-To", m)

	for _, e := range env.Errors {
		if len(m.Warnings) >= maxWarnings {
			break
		}
		m.Warnings = append(m.Warnings, e.Error())
	}

	m.Attachments = collectAttachments(env, opt.MaxAttachmentBytes)

	// Fold. The HTML is folded on its own; the text part, when the mail
	// has one, on its own too; a mail with HTML only gets its new text
	// from the folded HTML, since the converted text lost the markers.
	hasTextPart := env.Root.DepthMatchFirst(func(p *enmime.Part) bool {
		return p.ContentType == "text/plain" && p.Disposition != "attachment"
	}) != nil
	if strings.TrimSpace(m.Text) == "" && m.HTML != "" {
		// An empty text alternative next to a real HTML one: the HTML
		// is the message.
		hasTextPart = false
		m.Text = normaliseText(HTMLToText(m.HTML))
	}
	var foldedHTML, foldedText bool
	if m.HTML != "" {
		m.NewHTML, foldedHTML = FoldHTML(m.HTML)
	}
	if hasTextPart || m.HTML == "" {
		m.NewText, foldedText = FoldText(m.Text)
	} else {
		m.NewText, foldedText = FoldText(HTMLToText(m.NewHTML))
		foldedText = foldedText || foldedHTML
	}
	m.Folded = foldedText || foldedHTML

	classify(env, m)
	m.SubjectTicket = SubjectTicket(m.Subject)
	m.AddressTicket = addressTicket(append(append([]Address{}, m.To...), m.Cc...), env.GetHeaderValues("Delivered-To"), opt.Inboxes)
	return m, nil
}

// stripMboxFrom drops an mbox "From " separator line left on a message.
func stripMboxFrom(raw []byte) []byte {
	if bytes.HasPrefix(raw, []byte("From ")) {
		if i := bytes.IndexByte(raw, '\n'); i >= 0 {
			return raw[i+1:]
		}
	}
	return raw
}

// looksLikeHeader says whether raw starts with a header field: enmime
// reads anything, and a text file is not a mail.
func looksLikeHeader(raw []byte) bool {
	line := raw
	if i := bytes.IndexByte(raw, '\n'); i >= 0 {
		line = raw[:i]
	}
	colon := bytes.IndexByte(line, ':')
	if colon <= 0 {
		return false
	}
	for _, c := range line[:colon] {
		if c <= ' ' || c > '~' {
			return false
		}
	}
	return true
}

func addresses(env *enmime.Envelope, key string, m *Message) []Address {
	if env.GetHeader(key) == "" {
		return nil
	}
	list, err := env.AddressList(key)
	if err != nil && len(list) == 0 {
		// Salvage what a strict parser refuses: each comma-separated
		// piece that has an @ in it.
		for _, piece := range strings.Split(env.GetHeader(key), ",") {
			if a, err := mail.ParseAddress(strings.TrimSpace(piece)); err == nil {
				list = append(list, a)
			} else if s := strings.Trim(strings.TrimSpace(piece), "<>\""); strings.Count(s, "@") == 1 && !strings.ContainsAny(s, " <>") {
				list = append(list, &mail.Address{Address: s})
			}
		}
		if len(m.Warnings) < maxWarnings {
			m.Warnings = append(m.Warnings, fmt.Sprintf("%s: %v", key, err))
		}
	}
	out := make([]Address, 0, len(list))
	for _, a := range list {
		if a == nil {
			continue
		}
		out = append(out, Address{Name: oneLine(a.Name), Email: strings.ToLower(strings.TrimSpace(a.Address))})
	}
	return out
}

// ids reads a list of <msg-id>s, tolerating missing brackets.
func ids(v string) []string {
	var out []string
	for len(v) > 0 {
		i := strings.IndexByte(v, '<')
		if i < 0 {
			break
		}
		j := strings.IndexByte(v[i:], '>')
		if j < 0 {
			break
		}
		if id := strings.TrimSpace(v[i+1 : i+j]); id != "" {
			out = append(out, id)
		}
		v = v[i+j+1:]
	}
	if len(out) == 0 {
		for _, f := range strings.Fields(v) {
			if strings.Contains(f, "@") {
				out = append(out, strings.Trim(f, "<>,"))
			}
		}
	}
	return out
}

func firstID(v string) string {
	if l := ids(v); len(l) > 0 {
		return l[0]
	}
	return ""
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(fixC1(s)), " ")
}

// fixC1 reads the C1 control characters (U+0080–U+009F) as the
// Windows-1252 characters they stand for: they appear when Windows text
// was labelled ISO-8859-1 in a place our charset mapping does not reach
// (encoded words), and are never meant literally.
func fixC1(s string) string {
	if !strings.ContainsFunc(s, isC1) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isC1(r) {
			if d := charmap.Windows1252.DecodeByte(byte(r)); d != utf8.RuneError {
				return d
			}
		}
		return r
	}, s)
}

func isC1(r rune) bool { return r >= 0x80 && r <= 0x9f }

// validUTF8 reads text that is not UTF-8 — 8-bit mail without a declared
// charset — as Windows-1252, the likeliest, instead of storing bytes no
// database or browser accepts.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	out, err := charmap.Windows1252.NewDecoder().String(s)
	if err != nil {
		return strings.ToValidUTF8(s, "\uFFFD")
	}
	return out
}

func normaliseText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}

func collectAttachments(env *enmime.Envelope, limit int) []Attachment {
	var out []Attachment
	seen := map[*enmime.Part]bool{}
	add := func(p *enmime.Part, inline bool) {
		if p == nil || seen[p] {
			return
		}
		seen[p] = true
		ct := strings.ToLower(p.ContentType)
		// The body's own text and HTML parts are not attachments.
		if (ct == "text/plain" || ct == "text/html") && p.Disposition != "attachment" && p.FileName == "" {
			return
		}
		if strings.HasPrefix(ct, "multipart/") {
			return
		}
		a := Attachment{
			Filename:    p.FileName,
			ContentType: ct,
			ContentID:   strings.Trim(strings.TrimSpace(p.ContentID), "<>"),
			Size:        len(p.Content),
			Kind:        KindFile,
		}
		switch {
		case ct == "message/rfc822" || ct == "message/global":
			a.Kind = KindForwarded
			if a.Filename == "" {
				a.Filename = forwardedName(p.Content)
			}
		case ct == "text/calendar" || ct == "application/ics":
			a.Kind = KindCalendar
			if a.Filename == "" {
				a.Filename = "invite.ics"
			}
		case ct == "application/ms-tnef" || ct == "application/vnd.ms-tnef" || strings.EqualFold(a.Filename, "winmail.dat"):
			a.Kind = KindTNEF
			if a.Filename == "" {
				a.Filename = "winmail.dat"
			}
		case inline && a.ContentID != "" || p.Disposition == "inline" && strings.HasPrefix(ct, "image/") && a.ContentID != "":
			a.Kind = KindInline
		}
		if a.Filename == "" {
			a.Filename = "attachment"
			if a.ContentID != "" {
				a.Filename = a.ContentID
			}
		}
		if a.Size > limit {
			a.OverSize = true
		} else {
			a.Data = p.Content
			if a.Data == nil {
				a.Data = []byte{}
			}
		}
		out = append(out, a)
	}
	for _, p := range env.Attachments {
		add(p, false)
	}
	for _, p := range env.Inlines {
		add(p, true)
	}
	for _, p := range env.OtherParts {
		// Parts without a disposition: images referenced by cid in a
		// multipart/related, calendar parts, forwarded messages, reports.
		ct := strings.ToLower(p.ContentType)
		if ct == "message/delivery-status" || ct == "message/disposition-notification" || ct == "text/rfc822-headers" {
			continue
		}
		add(p, p.ContentID != "")
	}
	return out
}

// forwardedName names a forwarded message after its subject.
func forwardedName(raw []byte) string {
	h, err := enmime.DecodeHeaders(raw)
	if err == nil {
		if s := oneLine(enmime.DecodeRFC2047(h.Get("Subject"))); s != "" {
			s = strings.Map(func(r rune) rune {
				if strings.ContainsRune(`/\:*?"<>|`, r) || r < ' ' {
					return '_'
				}
				return r
			}, s)
			if r := []rune(s); len(r) > 100 {
				s = string(r[:100])
			}
			return s + ".eml"
		}
	}
	return "forwarded.eml"
}

// ThreadIndexRoot is the conversation part of an Outlook Thread-Index: its
// first 22 bytes (a timestamp and a GUID), base64 again; each reply only
// appends 5 bytes. Empty when the header is missing or not Outlook's.
func ThreadIndexRoot(threadIndex string) string {
	b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(threadIndex), ""))
	if err != nil || len(b) < 22 {
		return ""
	}
	return base64.StdEncoding.EncodeToString(b[:22])
}
