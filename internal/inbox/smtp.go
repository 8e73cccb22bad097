package inbox

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"tessera/internal/validation"
)

// SMTPSettings is how a mailbox sends: settings.smtp of an email inbox.
// Replies to its tickets leave through this server, from the inbox's
// address; without a host the server-wide --smtp-url is used.
type SMTPSettings struct {
	Host string `json:"host"`
	Port int    `json:"port"`
	// Security is "none", "starttls" or "tls" (TLS from the first byte).
	Security string `json:"security"`
	Username string `json:"username,omitempty"`
	Password string `json:"password,omitempty"`
	// Auth is "password" (PLAIN/LOGIN as the server offers) or "xoauth2"
	// (Password then holds the OAuth2 access token).
	Auth string `json:"auth,omitempty"`
}

// SMTP security modes and authentications.
var (
	SMTPSecurities = []string{"none", "starttls", "tls"}
	SMTPAuths      = []string{"password", "xoauth2"}
)

// Configured reports whether the inbox names its own server.
func (s SMTPSettings) Configured() bool { return s.Host != "" }

// ParseSMTPSettings reads and checks settings.smtp (an object decoded
// from JSON). Absent or null: no server of its own, no error. Defaults:
// port 587 with STARTTLS, 465 with TLS, 25 without; auth "password".
// Field errors name "smtp.<field>".
func ParseSMTPSettings(v any) (SMTPSettings, error) {
	var s SMTPSettings
	if v == nil {
		return s, nil
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return s, validation.Field("smtp", "must be an object")
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return s, validation.Field("smtp", "must be an object with host, port, security, username, password and auth: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	return s, s.normalize()
}

// normalize fills in the defaults and checks the whole.
func (s *SMTPSettings) normalize() error {
	var c validation.Collector
	s.Host = strings.TrimSpace(s.Host)
	s.Username = strings.TrimSpace(s.Username)
	if s.Host == "" {
		if s.Username != "" || s.Password != "" {
			c.Add("smtp.host", "is required when a username or password is given")
		}
		return c.Err()
	}
	if len(s.Host) > 253 || strings.ContainsAny(s.Host, " /:@\t\r\n") {
		c.Add("smtp.host", "must be a host name or IP address")
	}
	if s.Security == "" {
		s.Security = "starttls"
	}
	if !slices.Contains(SMTPSecurities, s.Security) {
		c.Add("smtp.security", "must be one of %s", strings.Join(SMTPSecurities, ", "))
	}
	if s.Port == 0 {
		switch s.Security {
		case "tls":
			s.Port = 465
		case "none":
			s.Port = 25
		default:
			s.Port = 587
		}
	}
	if s.Port < 1 || s.Port > 65535 {
		c.Add("smtp.port", "must be between 1 and 65535")
	}
	if s.Auth == "" {
		s.Auth = "password"
	}
	if !slices.Contains(SMTPAuths, s.Auth) {
		c.Add("smtp.auth", "must be one of %s", strings.Join(SMTPAuths, ", "))
	}
	if s.Auth == "xoauth2" && (s.Username == "" || s.Password == "") {
		c.Add("smtp.password", "xoauth2 needs the username and the access token (password)")
	}
	if len(s.Username) > 320 {
		c.Add("smtp.username", "must be at most 320 characters")
	}
	if len(s.Password) > 4096 {
		c.Add("smtp.password", "must be at most 4096 characters")
	}
	return c.Err()
}

// SMTPOf reads an inbox's sending server from its settings.
func SMTPOf(b Inbox) (SMTPSettings, error) {
	s, err := ParseSMTPSettings(b.Settings["smtp"])
	if err != nil {
		return s, fmt.Errorf("inbox %d: %w", b.ID, err)
	}
	return s, nil
}
