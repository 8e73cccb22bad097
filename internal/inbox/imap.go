package inbox

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"tessera/internal/validation"
)

// Security of a mail server connection.
const (
	SecurityNone     = "none"
	SecuritySTARTTLS = "starttls"
	SecurityTLS      = "tls"
)

// Authentication of a mail server account.
const (
	AuthPassword = "password"
	AuthXOAUTH2  = "xoauth2" // the password field holds the OAuth2 access token
)

// After import, what the fetcher does with a message on the server.
const (
	AfterSeen   = "seen"
	AfterMove   = "move"
	AfterDelete = "delete"
)

// IMAPSettings are an email inbox's IMAP account: settings.imap.
type IMAPSettings struct {
	Host     string `json:"host"`
	Port     int    `json:"port"`
	Security string `json:"security"`
	Username string `json:"username"`
	Password string `json:"password,omitempty"`
	Auth     string `json:"auth"`
	Folder   string `json:"folder"`
	After    string `json:"after"`
	MoveTo   string `json:"move_to"`
}

// MailHealth is how an email inbox's fetching goes, for the admin (kept
// by the IMAP fetcher).
type MailHealth struct {
	InboxID       int64      `json:"inbox_id"`
	State         string     `json:"state"`
	LastFetchAt   *time.Time `json:"last_fetch_at"`
	LastSuccessAt *time.Time `json:"last_success_at"`
	LastError     string     `json:"last_error"`
	LastErrorAt   *time.Time `json:"last_error_at"`
	// Backlog is the number of messages in the folder above the cursor
	// when last looked at: mail not yet made tickets.
	Backlog int `json:"backlog"`
	// Fetched counts the messages this inbox has ingested.
	Fetched   int64     `json:"fetched"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Addr is host:port.
func (s IMAPSettings) Addr() string { return fmt.Sprintf("%s:%d", s.Host, s.Port) }

// IMAP returns the inbox's IMAP settings; ok is false when it has none.
func (b Inbox) IMAP() (IMAPSettings, bool) {
	v, ok := b.Settings["imap"]
	if !ok || b.Kind != KindEmail {
		return IMAPSettings{}, false
	}
	raw, _ := json.Marshal(v)
	var s IMAPSettings
	if err := json.Unmarshal(raw, &s); err != nil || s.Host == "" {
		return IMAPSettings{}, false
	}
	return s.withDefaults(), true
}

func (s IMAPSettings) withDefaults() IMAPSettings {
	if s.Security == "" {
		s.Security = SecurityTLS
	}
	if s.Port == 0 {
		s.Port = 993
		if s.Security != SecurityTLS {
			s.Port = 143
		}
	}
	if s.Auth == "" {
		s.Auth = AuthPassword
	}
	if s.Folder == "" {
		s.Folder = "INBOX"
	}
	if s.After == "" {
		s.After = AfterSeen
	}
	return s
}

// ParseIMAPSettings reads and checks settings.imap as given to the API or
// the admin form. old is the stored settings: an omitted password keeps
// the stored one, so a form never has to show it.
func ParseIMAPSettings(v map[string]any, old map[string]any) (map[string]any, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, validation.Field("imap", "must be an object")
	}
	var s IMAPSettings
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return nil, validation.Field("imap", "must be an object with host, port, security, username, password, auth, folder, after, move_to: %v", err)
	}
	s.Host = strings.TrimSpace(s.Host)
	s.Username = strings.TrimSpace(s.Username)
	s.Folder = strings.TrimSpace(s.Folder)
	s.MoveTo = strings.TrimSpace(s.MoveTo)
	s = s.withDefaults()
	if s.Password == "" && old != nil {
		if p, ok := old["password"].(string); ok {
			s.Password = p
		}
	}
	var c validation.Collector
	if s.Host == "" || len(s.Host) > 253 || strings.ContainsAny(s.Host, " /:@") {
		c.Add("imap.host", "must be the IMAP server's host name, such as imap.example.com")
	}
	if s.Port < 1 || s.Port > 65535 {
		c.Add("imap.port", "must be a port from 1 to 65535")
	}
	if !slices.Contains([]string{SecurityNone, SecuritySTARTTLS, SecurityTLS}, s.Security) {
		c.Add("imap.security", "must be none, starttls or tls")
	}
	if !slices.Contains([]string{AuthPassword, AuthXOAUTH2}, s.Auth) {
		c.Add("imap.auth", "must be password or xoauth2")
	}
	c.Text("imap.username", s.Username, 320, true)
	if s.Password == "" {
		c.Add("imap.password", "is required (the OAuth2 access token for xoauth2)")
	}
	c.Text("imap.password", s.Password, 4096, true)
	c.Text("imap.folder", s.Folder, 200, true)
	switch s.After {
	case AfterSeen, AfterDelete:
		s.MoveTo = ""
	case AfterMove:
		c.Text("imap.move_to", s.MoveTo, 200, true)
		if s.MoveTo == s.Folder {
			c.Add("imap.move_to", "must be another folder than the one read")
		}
	default:
		c.Add("imap.after", "must be seen, move or delete")
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	out := map[string]any{}
	raw, _ = json.Marshal(s)
	_ = json.Unmarshal(raw, &out)
	return out, nil
}

// secretKeys are settings never shown: they are answered as "password_set".
var secretKeys = []string{"password", "token", "client_secret"}

// redact replaces the secrets of each settings section (imap, smtp, ...)
// by "password_set": true, so neither the API nor a page ever shows them.
func redact(settings map[string]any) map[string]any {
	out := make(map[string]any, len(settings))
	for k, v := range settings {
		sec, ok := v.(map[string]any)
		if !ok {
			out[k] = v
			continue
		}
		c := make(map[string]any, len(sec))
		for sk, sv := range sec {
			if slices.Contains(secretKeys, sk) {
				if s, _ := sv.(string); s != "" {
					c[sk+"_set"] = true
				}
				continue
			}
			c[sk] = sv
		}
		if _, ok := c["password_set"]; !ok {
			c["password_set"] = false
		}
		out[k] = c
	}
	return out
}

// keepSecrets carries the stored secrets of a settings section into a new
// one that omits them: a PATCH without the password keeps it.
func keepSecrets(section map[string]any, old any) map[string]any {
	o, _ := old.(map[string]any)
	for _, k := range secretKeys {
		if s, _ := section[k].(string); s == "" {
			if prev, ok := o[k].(string); ok && prev != "" {
				section[k] = prev
			} else {
				delete(section, k)
			}
		}
	}
	return section
}

// MailInboxes returns the active email inboxes with their settings,
// secrets included: for the mail channel's workers, never for display.
func (s *Service) MailInboxes(ctx context.Context) ([]Inbox, error) {
	rows, err := s.DB.Read().Query(ctx, `SELECT `+cols+` FROM inboxes WHERE kind = $1 AND active ORDER BY id`, KindEmail)
	if err != nil {
		return nil, fmt.Errorf("mail inboxes: %w", err)
	}
	defer rows.Close()
	var out []Inbox
	for rows.Next() {
		b, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("mail inboxes: %w", err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}
