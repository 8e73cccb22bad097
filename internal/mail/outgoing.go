package mail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	netmail "net/mail"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Outgoing is one mail of the email channel to one recipient: an agent's
// reply or an auto-acknowledgement, threaded into the customer's
// conversation.
type Outgoing struct {
	From, FromName string
	// ReplyTo, when set, is where the customer's answer goes (the inbox's
	// plus-address, support+1042@..., which names the ticket).
	ReplyTo         string
	To, ToName      string
	Subject         string
	Text, HTML      string // HTML empty: a plain-text mail
	MessageID       string // without angle brackets
	InReplyTo       string // without angle brackets
	References      []string
	AutoSubmitted   string // "auto-replied" for acknowledgements; empty for a person's reply
	Attachments     []File
	SuppressReplies bool // asks other robots not to answer (X-Auto-Response-Suppress, Precedence)
	Date            time.Time
}

// File is an attachment; with a ContentID it is an inline image the HTML
// refers to as cid:ContentID.
type File struct {
	Name        string
	ContentType string
	Data        []byte
	ContentID   string
}

// Server is an SMTP server of one inbox (inbox.SMTPSettings, copied here
// so that mail does not depend on the inbox package).
type Server struct {
	Host     string
	Port     int
	Security string // none, starttls, tls
	Username string
	Password string
	Auth     string // password, xoauth2
}

// Compose builds the MIME message: multipart/alternative of text and HTML,
// related inline images, mixed attachments, and the threading headers.
func Compose(o Outgoing) (*gomail.Msg, error) {
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := msg.FromFormat(o.FromName, o.From); err != nil {
		return nil, fmt.Errorf("%w: from %q: %w", ErrPermanent, o.From, err)
	}
	to, err := netmail.ParseAddress(o.To)
	if err != nil {
		return nil, fmt.Errorf("%w: to %q: %w", ErrPermanent, o.To, err)
	}
	to.Name = o.ToName
	msg.ToMailAddress(to)
	if o.ReplyTo != "" {
		if err := msg.ReplyToFormat(o.FromName, o.ReplyTo); err != nil {
			return nil, fmt.Errorf("%w: reply-to %q: %w", ErrPermanent, o.ReplyTo, err)
		}
	}
	msg.Subject(o.Subject)
	if o.Date.IsZero() {
		msg.SetDate()
	} else {
		msg.SetDateWithValue(o.Date)
	}
	if o.MessageID != "" {
		msg.SetMessageIDWithValue(o.MessageID)
	} else {
		msg.SetMessageID()
	}
	if o.InReplyTo != "" {
		msg.SetGenHeaderPreformatted(gomail.HeaderInReplyTo, "<"+o.InReplyTo+">")
	}
	if len(o.References) > 0 {
		refs := make([]string, len(o.References))
		for i, r := range o.References {
			refs[i] = "<" + r + ">"
		}
		// Folded one id a line: a long thread stays within line limits.
		msg.SetGenHeaderPreformatted(gomail.HeaderReferences, strings.Join(refs, "\r\n "))
	}
	if o.AutoSubmitted != "" {
		msg.SetGenHeader(gomail.Header("Auto-Submitted"), o.AutoSubmitted)
	}
	if o.SuppressReplies {
		msg.SetGenHeader(gomail.Header("X-Auto-Response-Suppress"), "All")
		msg.SetGenHeader(gomail.HeaderPrecedence, "auto_reply")
	}
	msg.SetBodyString(gomail.TypeTextPlain, o.Text)
	if o.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, o.HTML)
	}
	for _, f := range o.Attachments {
		opts := []gomail.FileOption{}
		if f.ContentType != "" {
			opts = append(opts, gomail.WithFileContentType(gomail.ContentType(f.ContentType)))
		}
		if f.ContentID != "" {
			opts = append(opts, gomail.WithFileContentID(f.ContentID))
			if err := msg.EmbedReader(f.Name, bytes.NewReader(f.Data), opts...); err != nil {
				return nil, fmt.Errorf("inline %s: %w", f.Name, err)
			}
			continue
		}
		if err := msg.AttachReader(f.Name, bytes.NewReader(f.Data), opts...); err != nil {
			return nil, fmt.Errorf("attach %s: %w", f.Name, err)
		}
	}
	return msg, nil
}

// ErrNoServer: neither the inbox nor the server names an SMTP server. It
// wraps ErrPermanent: the delivery fails, and says why, rather than
// pretend the customer was answered.
var ErrNoServer = fmt.Errorf("%w: no SMTP server is configured (--smtp-url, or the inbox's smtp settings)", ErrPermanent)

// SendOutgoing sends o through via, the inbox's own server, or without one
// through the server-wide --smtp-url. A refusal retrying cannot fix wraps
// ErrPermanent; other errors are worth another try.
func (s *Sender) SendOutgoing(ctx context.Context, o Outgoing, via *Server) error {
	if o.From == "" {
		o.From = s.from
	}
	msg, err := Compose(o)
	if err != nil {
		return err
	}
	host, opts := s.host, s.opts
	if via != nil && via.Host != "" {
		host, opts = via.Host, serverOptions(*via)
	} else if !s.Configured() {
		s.log.Warn("mail not sent: no SMTP server configured", "to", o.To, "subject", o.Subject)
		return ErrNoServer
	}
	c, err := gomail.NewClient(host, opts...)
	if err != nil {
		return fmt.Errorf("%w: smtp client: %w", ErrPermanent, err)
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return classify(o.To, err)
	}
	return nil
}

// classify tells a permanent refusal (5xx) from everything else.
func classify(to string, err error) error {
	var se *gomail.SendError
	if errors.As(err, &se) && !se.IsTemp() && se.ErrorCode() >= 500 {
		return fmt.Errorf("%w: %w", ErrPermanent, err)
	}
	return fmt.Errorf("send mail to %s: %w", to, err)
}

func serverOptions(v Server) []gomail.Option {
	opts := []gomail.Option{gomail.WithTimeout(30 * time.Second), gomail.WithPort(v.Port)}
	switch v.Security {
	case "tls":
		opts = append(opts, gomail.WithSSL())
	case "none":
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if v.Username != "" {
		auth := gomail.SMTPAuthAutoDiscover
		switch {
		case v.Auth == "xoauth2":
			auth = gomail.SMTPAuthXOAUTH2
		case v.Security == "none":
			// Chosen explicitly by the admin: a relay on a trusted network.
			auth = gomail.SMTPAuthPlainNoEnc
		}
		opts = append(opts, gomail.WithSMTPAuth(auth), gomail.WithUsername(v.Username), gomail.WithPassword(v.Password))
	}
	return opts
}
