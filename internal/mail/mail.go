// Package mail sends Tessera's outbound mail through an SMTP server. It is
// the small sending path the portal needs (sign-in links); the email
// channel builds on it. Mail is always sent from a job (jobs.SendMailArgs),
// never from a request, so a slow or failing server delays a mail, not a
// page, and a failure is retried.
package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	netmail "net/mail"
	"net/url"
	"strconv"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Message is one plain-text mail to one person.
type Message struct {
	To      string
	ToName  string
	Subject string
	Text    string
	// Link is the sign-in link the mail carries, if it is one; logged when
	// no SMTP server is configured so that a local demo can sign in.
	Link string
}

// Config says how to reach the SMTP server.
//
// URL is smtp://user:pass@host:port (STARTTLS; port 587 by default) or
// smtps://user:pass@host:port (TLS from the start; port 465 by default).
// On smtp://, ?tls=required insists on STARTTLS, ?tls=none never uses it
// (a relay on the same machine), and by default STARTTLS is used when the
// server offers it — and required when a password is given, so that a
// password never crosses the network in the clear by accident.
// An empty URL configures no server: mail is logged, not sent.
type Config struct {
	URL  string
	From string
}

// Sender sends mail.
type Sender struct {
	from   string
	log    *slog.Logger
	host   string
	opts   []gomail.Option
	active bool
}

// ErrPermanent marks a mail the server refused for good (an unknown
// recipient, say): sending it again would not help.
var ErrPermanent = errors.New("mail refused")

// New checks the configuration and returns a sender.
func New(c Config, log *slog.Logger) (*Sender, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Sender{from: c.From, log: log}
	if s.from == "" {
		s.from = "tessera@localhost"
	}
	if err := gomail.NewMsg().From(s.from); err != nil {
		return nil, fmt.Errorf("mail from %q: %w", s.from, err)
	}
	if c.URL == "" {
		return s, nil
	}
	u, err := url.Parse(c.URL)
	if err != nil {
		return nil, fmt.Errorf("smtp url: %w", err)
	}
	host := u.Hostname()
	if host == "" {
		return nil, fmt.Errorf("smtp url %q: no host", redact(u))
	}
	port := 587
	opts := []gomail.Option{gomail.WithTimeout(30 * time.Second)}
	user, pass := u.User.Username(), ""
	if p, ok := u.User.Password(); ok {
		pass = p
	}
	tlsMode := u.Query().Get("tls")
	switch u.Scheme {
	case "smtps":
		port = 465
		opts = append(opts, gomail.WithSSL())
		if tlsMode != "" {
			return nil, fmt.Errorf("smtp url %q: tls= applies to smtp:// only", redact(u))
		}
	case "smtp":
		switch tlsMode {
		case "required":
			opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
		case "none":
			opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
		case "":
			if user != "" {
				opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
			} else {
				opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
			}
		default:
			return nil, fmt.Errorf("smtp url %q: tls must be required or none", redact(u))
		}
	default:
		return nil, fmt.Errorf("smtp url %q: the scheme must be smtp or smtps", redact(u))
	}
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil || port < 1 || port > 65535 {
			return nil, fmt.Errorf("smtp url %q: bad port", redact(u))
		}
	}
	opts = append(opts, gomail.WithPort(port))
	if user != "" {
		auth := gomail.SMTPAuthAutoDiscover
		if tlsMode == "none" {
			auth = gomail.SMTPAuthPlainNoEnc // asked for explicitly: a relay on a trusted network
		}
		opts = append(opts, gomail.WithSMTPAuth(auth), gomail.WithUsername(user), gomail.WithPassword(pass))
	}
	if _, err := gomail.NewClient(host, opts...); err != nil {
		return nil, fmt.Errorf("smtp url %q: %w", redact(u), err)
	}
	s.host, s.opts, s.active = host, opts, true
	return s, nil
}

func redact(u *url.URL) string { return u.Redacted() }

// Configured reports whether an SMTP server is configured.
func (s *Sender) Configured() bool { return s != nil && s.active }

// Send delivers one message, or logs it when no server is configured. A
// refusal that retrying cannot fix wraps ErrPermanent.
func (s *Sender) Send(ctx context.Context, m Message) error {
	if !s.Configured() {
		args := []any{"to", m.To, "subject", m.Subject}
		if m.Link != "" {
			args = append(args, "link", m.Link)
		}
		s.log.Warn("mail not sent: no SMTP server configured", args...)
		return nil
	}
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := msg.From(s.from); err != nil {
		return fmt.Errorf("%w: from: %w", ErrPermanent, err)
	}
	to, err := netmail.ParseAddress(m.To)
	if err != nil {
		return fmt.Errorf("%w: to %q: %w", ErrPermanent, m.To, err)
	}
	to.Name = m.ToName
	msg.ToMailAddress(to)
	msg.Subject(m.Subject)
	msg.SetDate()
	msg.SetMessageID()
	msg.SetGenHeader(gomail.Header("Auto-Submitted"), "auto-generated")
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	c, err := gomail.NewClient(s.host, s.opts...)
	if err != nil {
		return fmt.Errorf("smtp client: %w", err)
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		var se *gomail.SendError
		if errors.As(err, &se) && !se.IsTemp() && se.ErrorCode() >= 500 {
			return fmt.Errorf("%w: %w", ErrPermanent, err)
		}
		return fmt.Errorf("send mail to %s: %w", m.To, err)
	}
	return nil
}
