// Package inbox holds the inboxes, where requests enter Tessera: a mailbox,
// a web form, a chat widget or the API, each with the team, language and
// priority its new tickets start with. The channels themselves (fetching
// mail, serving a form) are not here; they read their inbox's settings.
package inbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"tessera/internal/auth"
	"tessera/internal/people"
	"tessera/internal/store"
	"tessera/internal/ticket"
	"tessera/internal/validation"
)

// Kinds of inbox.
const (
	KindEmail = "email"
	KindWeb   = "web"
	KindAPI   = "api"
	KindChat  = "chat"
)

// Kinds lists the kinds of inbox.
var Kinds = []string{KindEmail, KindWeb, KindAPI, KindChat}

// Inbox is one way requests come in.
type Inbox struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Kind string `json:"kind"`
	// Address identifies the inbox to its channel: the mail address of a
	// mailbox (support@company.com); for the others a free label, such as
	// the site a form or widget is on.
	Address         string `json:"address"`
	DefaultTeamID   *int64 `json:"default_team_id"`
	DefaultLanguage string `json:"default_language"`
	// DefaultPriority is given to new tickets; empty leaves it to the
	// priority rules (and then normal).
	DefaultPriority string `json:"default_priority"`
	// Settings is the channel's own configuration. Only admins see it: a
	// mailbox's will hold credentials.
	Settings map[string]any `json:"settings,omitempty"`
	Active   bool           `json:"active"`
	// Health is an email inbox's fetching, when asked for (one inbox).
	Health    *MailHealth `json:"health,omitempty"`
	CreatedAt time.Time   `json:"created_at"`
	UpdatedAt time.Time   `json:"updated_at"`
}

// Input creates or changes an inbox. Nil fields are left as they are (or
// take their defaults when creating).
type Input struct {
	Name    *string `json:"name"`
	Kind    *string `json:"kind"`
	Address *string `json:"address"`
	// DefaultTeamID names a team; 0 clears it.
	DefaultTeamID   *int64          `json:"default_team_id"`
	DefaultLanguage *string         `json:"default_language"`
	DefaultPriority *string         `json:"default_priority"`
	Settings        *map[string]any `json:"settings"`
	Active          *bool           `json:"active"`

	// Mail-in (issue 4): "type" is another name for "kind"; "imap" and
	// "smtp" are settings.imap and settings.smtp. An omitted password
	// keeps the stored one.
	Type *string         `json:"type"`
	IMAP *map[string]any `json:"imap"`
	SMTP *map[string]any `json:"smtp"`
}

// MaxSettings bounds the size of an inbox's settings, as JSON.
const MaxSettings = 16 * 1024

// Service manages inboxes. Changing them is for admins, and audited.
type Service struct {
	DB *store.DB
}

// apply sets the fields of in on b and checks the result as a whole:
// whether an address is needed depends on the kind.
func (in Input) apply(b *Inbox) error {
	var c validation.Collector
	if in.Name != nil {
		b.Name = strings.TrimSpace(*in.Name)
	}
	c.Text("name", b.Name, 100, true)
	if in.Kind != nil {
		b.Kind = *in.Kind
	}
	if in.Type != nil {
		if in.Kind != nil && *in.Kind != *in.Type {
			c.Add("type", "names another kind than kind; give one of them")
		}
		b.Kind = *in.Type
	}
	if !slices.Contains(Kinds, b.Kind) {
		c.Add("kind", "must be one of %s", strings.Join(Kinds, ", "))
	}
	if in.Address != nil {
		b.Address = strings.TrimSpace(*in.Address)
	}
	if b.Kind == KindEmail {
		if e, ok := people.NormalizeEmail(b.Address); ok {
			b.Address = e
		} else {
			c.Add("address", "a mailbox needs its email address, such as support@example.com")
		}
	} else {
		c.Text("address", b.Address, 200, false)
	}
	if in.DefaultTeamID != nil {
		b.DefaultTeamID = in.DefaultTeamID
		if *in.DefaultTeamID == 0 {
			b.DefaultTeamID = nil
		} else if *in.DefaultTeamID < 0 {
			c.Add("default_team_id", "must be a team id")
		}
	}
	if in.DefaultLanguage != nil {
		b.DefaultLanguage = *in.DefaultLanguage
	}
	if !slices.Contains(people.Languages, b.DefaultLanguage) {
		c.Add("default_language", "must be one of %s", strings.Join(people.Languages, ", "))
	}
	if in.DefaultPriority != nil {
		b.DefaultPriority = *in.DefaultPriority
	}
	if b.DefaultPriority != "" && !slices.Contains(ticket.Priorities, b.DefaultPriority) {
		c.Add("default_priority", "must be empty (decided by the priority rules) or one of %s", strings.Join(ticket.Priorities, ", "))
	}
	old := b.Settings
	if in.Settings != nil {
		b.Settings = map[string]any{}
		for k, v := range *in.Settings {
			if sec, ok := v.(map[string]any); ok {
				v = keepSecrets(sec, old[k])
			}
			b.Settings[k] = v
		}
	}
	if b.Settings == nil {
		b.Settings = map[string]any{}
	} else {
		b.Settings = maps.Clone(b.Settings)
	}
	if in.IMAP != nil {
		b.Settings["imap"] = *in.IMAP
	}
	if in.SMTP != nil {
		b.Settings["smtp"] = keepSecrets(maps.Clone(*in.SMTP), old["smtp"])
	}
	if v, ok := b.Settings["imap"]; ok && (in.IMAP != nil || in.Settings != nil) {
		sec, _ := v.(map[string]any)
		prev, _ := old["imap"].(map[string]any)
		if b.Kind != KindEmail {
			c.Add("imap", "only email inboxes read an IMAP account")
		} else if parsed, err := ParseIMAPSettings(sec, prev); err != nil {
			c.Merge("", err)
		} else {
			b.Settings["imap"] = parsed
		}
	}
	if v, ok := b.Settings["smtp"]; ok && (in.SMTP != nil || in.Settings != nil) {
		if b.Kind != KindEmail {
			c.Add("smtp", "only email inboxes send through an SMTP server")
		} else if _, err := ParseSMTPSettings(v); err != nil {
			c.Merge("", err)
		}
	}
	if raw, err := json.Marshal(b.Settings); err != nil || len(raw) > MaxSettings {
		c.Add("settings", "must be a JSON object of at most %d bytes", MaxSettings)
	}
	if in.Active != nil {
		b.Active = *in.Active
	}
	return c.Err()
}

// Create adds an inbox (admins only).
func (s *Service) Create(ctx context.Context, actor auth.Actor, in Input) (Inbox, error) {
	if !actor.IsAdmin() {
		return Inbox{}, auth.Forbidden("only admins manage inboxes")
	}
	b := Inbox{DefaultLanguage: "en", Active: true}
	if err := in.apply(&b); err != nil {
		return Inbox{}, err
	}
	return s.save(ctx, actor, b)
}

// Update changes an inbox (admins only). An inbox is deactivated rather
// than deleted: tickets and rules refer to it.
func (s *Service) Update(ctx context.Context, actor auth.Actor, id int64, in Input) (Inbox, error) {
	if !actor.IsAdmin() {
		return Inbox{}, auth.Forbidden("only admins manage inboxes")
	}
	b, err := s.get(ctx, s.DB.Read(), id)
	if err != nil {
		return Inbox{}, err
	}
	if err := in.apply(&b); err != nil {
		return Inbox{}, err
	}
	return s.save(ctx, actor, b)
}

func (s *Service) save(ctx context.Context, actor auth.Actor, b Inbox) (Inbox, error) {
	settings, _ := json.Marshal(b.Settings)
	now := store.Now()
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		// Name the field that clashes: a unique violation alone does not
		// say which index it hit (and on PostgreSQL ends the transaction).
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM inboxes WHERE lower(name) = lower($1) AND id <> $2`, b.Name, b.ID).Scan(&n); err != nil {
			return fmt.Errorf("inbox name: %w", err)
		}
		if n > 0 {
			return validation.Field("name", "an inbox with this name already exists")
		}
		if b.Address != "" {
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM inboxes WHERE kind = $1 AND lower(address) = lower($2) AND id <> $3`, b.Kind, b.Address, b.ID).Scan(&n); err != nil {
				return fmt.Errorf("inbox address: %w", err)
			}
			if n > 0 {
				return validation.Field("address", "another inbox already has this address")
			}
		}
		action := "inbox.update"
		var err error
		if b.ID == 0 {
			action = "inbox.create"
			err = tx.QueryRow(ctx, `INSERT INTO inboxes (name, kind, address, default_team_id, default_language, default_priority, settings, active, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id`,
				b.Name, b.Kind, b.Address, b.DefaultTeamID, b.DefaultLanguage, b.DefaultPriority, string(settings), b.Active, now).Scan(&b.ID)
		} else {
			_, err = tx.Exec(ctx, `UPDATE inboxes SET name = $2, kind = $3, address = $4, default_team_id = $5, default_language = $6, default_priority = $7,
				settings = $8, active = $9, updated_at = $10 WHERE id = $1`,
				b.ID, b.Name, b.Kind, b.Address, b.DefaultTeamID, b.DefaultLanguage, b.DefaultPriority, string(settings), b.Active, now)
		}
		switch {
		case errors.Is(err, store.ErrReference):
			return validation.Field("default_team_id", "team %d does not exist", *b.DefaultTeamID)
		case errors.Is(err, store.ErrConflict):
			return validation.Field("name", "an inbox with this name or address already exists")
		case err != nil:
			return fmt.Errorf("save inbox: %w", err)
		}
		return auth.Audit(ctx, tx, actor, action, fmt.Sprintf("inbox:%d", b.ID), b.Kind+" "+b.Name)
	})
	if err != nil {
		return Inbox{}, err
	}
	saved, err := s.get(ctx, s.DB.Read(), b.ID)
	if err != nil {
		return Inbox{}, err
	}
	return shown(actor, saved), nil
}

const cols = `id, name, kind, address, default_team_id, default_language, default_priority, settings, active, created_at, updated_at`

func scan(r store.Row) (Inbox, error) {
	var b Inbox
	var settings string
	if err := r.Scan(&b.ID, &b.Name, &b.Kind, &b.Address, &b.DefaultTeamID, &b.DefaultLanguage, &b.DefaultPriority, &settings, &b.Active, &b.CreatedAt, &b.UpdatedAt); err != nil {
		return Inbox{}, err
	}
	if err := json.Unmarshal([]byte(settings), &b.Settings); err != nil {
		return Inbox{}, fmt.Errorf("inbox %d settings: %w", b.ID, err)
	}
	if b.Settings == nil {
		b.Settings = map[string]any{}
	}
	return b, nil
}

func (s *Service) get(ctx context.Context, q store.Querier, id int64) (Inbox, error) {
	b, err := scan(q.QueryRow(ctx, `SELECT `+cols+` FROM inboxes WHERE id = $1`, id))
	if err != nil {
		return Inbox{}, fmt.Errorf("inbox %d: %w", id, err)
	}
	return b, nil
}

// shown hides the settings from anyone but admins.
func shown(actor auth.Actor, b Inbox) Inbox {
	if !actor.IsAdmin() {
		b.Settings = nil
	} else {
		b.Settings = redact(b.Settings)
	}
	return b
}

// Get returns one inbox; its settings only to admins.
func (s *Service) Get(ctx context.Context, actor auth.Actor, id int64) (Inbox, error) {
	if !actor.IsAgent() && !actor.IsAdmin() {
		return Inbox{}, auth.Forbidden("only agents see inboxes")
	}
	b, err := s.get(ctx, s.DB.Read(), id)
	if err != nil {
		return Inbox{}, err
	}
	return shown(actor, b), nil
}

// List returns every inbox by kind and name; their settings only to
// admins. There are a handful per help desk.
func (s *Service) List(ctx context.Context, actor auth.Actor) ([]Inbox, error) {
	if !actor.IsAgent() && !actor.IsAdmin() {
		return nil, auth.Forbidden("only agents see inboxes")
	}
	rows, err := s.DB.Read().Query(ctx, `SELECT `+cols+` FROM inboxes ORDER BY kind, lower(name), id`)
	if err != nil {
		return nil, fmt.Errorf("inboxes: %w", err)
	}
	defer rows.Close()
	out := []Inbox{}
	for rows.Next() {
		b, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("inboxes: %w", err)
		}
		out = append(out, shown(actor, b))
	}
	return out, rows.Err()
}

// WebForm returns the active web-form inbox that the portal's form files
// requests through (the oldest, if an admin made several); ok is false when
// there is none, and requests then come in through no inbox.
func (s *Service) WebForm(ctx context.Context) (b Inbox, ok bool, err error) {
	b, err = scan(s.DB.Read().QueryRow(ctx, `SELECT `+cols+` FROM inboxes WHERE kind = 'web' AND active ORDER BY id LIMIT 1`))
	if errors.Is(err, store.ErrNotFound) {
		return Inbox{}, false, nil
	}
	if err != nil {
		return Inbox{}, false, fmt.Errorf("web-form inbox: %w", err)
	}
	b.Settings = nil // asked for by the portal, not an admin
	return b, true, nil
}
