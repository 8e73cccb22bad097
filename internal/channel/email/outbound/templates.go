package outbound

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"tessera/internal/auth"
	"tessera/internal/people"
	"tessera/internal/store"
	"tessera/internal/validation"
)

// Template keys.
const (
	TemplateAutoAck         = "auto_ack"
	TemplateAssigned        = "agent_assigned"
	TemplateCustomerReplied = "agent_customer_replied"
)

// TemplateKeys lists the templates an admin can edit, in the order the
// admin page shows them.
var TemplateKeys = []string{TemplateAutoAck, TemplateAssigned, TemplateCustomerReplied}

// Placeholders a template may use; any other {{...}} is refused when an
// admin saves it, so a typo does not reach customers as literal braces.
var Placeholders = []string{"ticket.number", "ticket.subject", "requester.name", "requester.email", "portal_url", "ticket_url", "agent.name", "inbox.name"}

//go:embed defaults/*.json
var defaultFS embed.FS

// Template is one mail's subject and body in one language.
type Template struct {
	Key      string `json:"key"`
	Language string `json:"language"`
	// InboxID: the inbox this version is for; nil for every inbox.
	InboxID *int64 `json:"inbox_id"`
	Subject string `json:"subject"`
	Body    string `json:"body"`
	// Customized says an admin changed it; false is the built-in text.
	Customized bool `json:"customized"`
}

type text struct {
	Subject string `json:"subject"`
	Body    string `json:"body"`
}

// defaults[lang][key] are the built-in templates.
var defaults = func() map[string]map[string]text {
	out := map[string]map[string]text{}
	for _, lang := range people.Languages {
		raw, err := defaultFS.ReadFile("defaults/" + lang + ".json")
		if err != nil {
			panic(fmt.Sprintf("mail templates: %v", err))
		}
		m := map[string]text{}
		if err := json.Unmarshal(raw, &m); err != nil {
			panic(fmt.Sprintf("mail templates %s: %v", lang, err))
		}
		out[lang] = m
	}
	return out
}()

var placeholderRE = regexp.MustCompile(`\{\{\s*([^{}]*?)\s*\}\}`)

// Vars are the values of the placeholders.
type Vars map[string]string

// Fill replaces the placeholders of s.
func Fill(s string, v Vars) string {
	return placeholderRE.ReplaceAllStringFunc(s, func(m string) string {
		name := strings.TrimSpace(m[2 : len(m)-2])
		if val, ok := v[name]; ok {
			return val
		}
		return m
	})
}

// Templates are the mail templates, stored where an admin changed them.
type Templates struct {
	DB *store.DB
}

// lookup returns the template for key in lang: the inbox's version, else
// the one for every inbox, else the built-in text. An unknown language
// falls back to English.
func lookup(ctx context.Context, q store.Querier, key, lang string, inboxID *int64) (Template, error) {
	if !slices.Contains(people.Languages, lang) {
		lang = "en"
	}
	t := Template{Key: key, Language: lang}
	var inb int64
	if inboxID != nil {
		inb = *inboxID
	}
	rows, err := q.Query(ctx, `SELECT inbox_id, subject, body FROM mail_templates
		WHERE key = $1 AND language = $2 AND (inbox_id IS NULL OR inbox_id = $3) ORDER BY inbox_id IS NULL`, key, lang, inb)
	if err != nil {
		return t, fmt.Errorf("mail template %s/%s: %w", key, lang, err)
	}
	defer rows.Close()
	if rows.Next() {
		if err := rows.Scan(&t.InboxID, &t.Subject, &t.Body); err != nil {
			return t, fmt.Errorf("mail template %s/%s: %w", key, lang, err)
		}
		t.Customized = true
		return t, nil
	}
	if err := rows.Err(); err != nil {
		return t, fmt.Errorf("mail template %s/%s: %w", key, lang, err)
	}
	d := defaults[lang][key]
	t.Subject, t.Body = d.Subject, d.Body
	return t, nil
}

// Render fills the template for key in lang (see lookup) with v: the
// subject and the body of a mail.
func Render(ctx context.Context, q store.Querier, key, lang string, inboxID *int64, v Vars) (subject, body string, err error) {
	t, err := lookup(ctx, q, key, lang, inboxID)
	if err != nil {
		return "", "", err
	}
	// A subject is one line whatever a placeholder held.
	subject = strings.Join(strings.Fields(Fill(t.Subject, v)), " ")
	return subject, Fill(t.Body, v), nil
}

// List returns every template in every language, for every inbox (inboxID
// nil) or as one inbox sees them. Admins only.
func (s *Templates) List(ctx context.Context, actor auth.Actor, inboxID *int64) ([]Template, error) {
	if !actor.IsAdmin() {
		return nil, auth.Forbidden("only admins manage mail templates")
	}
	out := make([]Template, 0, len(TemplateKeys)*len(people.Languages))
	for _, key := range TemplateKeys {
		for _, lang := range people.Languages {
			t, err := lookup(ctx, s.DB.Read(), key, lang, inboxID)
			if err != nil {
				return nil, err
			}
			if inboxID != nil && t.InboxID == nil {
				// The inbox inherits: show the text it gets, marked as not
				// its own.
				t.Customized = false
			}
			t.InboxID = inboxID
			out = append(out, t)
		}
	}
	return out, nil
}

// Get returns one template (see List).
func (s *Templates) Get(ctx context.Context, actor auth.Actor, key, lang string, inboxID *int64) (Template, error) {
	if !actor.IsAdmin() {
		return Template{}, auth.Forbidden("only admins manage mail templates")
	}
	if err := checkKey(key, lang); err != nil {
		return Template{}, err
	}
	t, err := lookup(ctx, s.DB.Read(), key, lang, inboxID)
	if err != nil {
		return Template{}, err
	}
	if inboxID != nil && t.InboxID == nil {
		t.Customized = false
	}
	t.InboxID = inboxID
	return t, nil
}

// Default returns the built-in text of a template.
func Default(key, lang string) (Template, error) {
	if err := checkKey(key, lang); err != nil {
		return Template{}, err
	}
	d := defaults[lang][key]
	return Template{Key: key, Language: lang, Subject: d.Subject, Body: d.Body}, nil
}

func checkKey(key, lang string) error {
	if !slices.Contains(TemplateKeys, key) {
		return fmt.Errorf("mail template %q: %w", key, store.ErrNotFound)
	}
	if !slices.Contains(people.Languages, lang) {
		return fmt.Errorf("mail template language %q: %w", lang, store.ErrNotFound)
	}
	return nil
}

// TemplateInput changes a template.
type TemplateInput struct {
	Subject string `json:"subject"`
	Body    string `json:"body"`
	InboxID *int64 `json:"inbox_id"`
}

// Save stores an admin's version of a template (audited).
func (s *Templates) Save(ctx context.Context, actor auth.Actor, key, lang string, in TemplateInput) (Template, error) {
	if !actor.IsAdmin() {
		return Template{}, auth.Forbidden("only admins manage mail templates")
	}
	if err := checkKey(key, lang); err != nil {
		return Template{}, err
	}
	var c validation.Collector
	in.Subject = strings.TrimSpace(in.Subject)
	in.Body = strings.TrimSpace(strings.ReplaceAll(in.Body, "\r\n", "\n"))
	c.Text("subject", in.Subject, 250, true)
	if strings.ContainsAny(in.Subject, "\r\n") {
		c.Add("subject", "must be one line")
	}
	c.Text("body", in.Body, 20000, true)
	for _, f := range []struct{ name, s string }{{"subject", in.Subject}, {"body", in.Body}} {
		for _, m := range placeholderRE.FindAllStringSubmatch(f.s, -1) {
			if !slices.Contains(Placeholders, m[1]) {
				c.Add(f.name, "unknown placeholder {{%s}}; known: %s", m[1], strings.Join(Placeholders, ", "))
			}
		}
	}
	if in.InboxID != nil && *in.InboxID <= 0 {
		c.Add("inbox_id", "must be an inbox id")
	}
	if err := c.Err(); err != nil {
		return Template{}, err
	}
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := deleteTemplate(ctx, tx, key, lang, in.InboxID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO mail_templates (key, language, inbox_id, subject, body, updated_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			key, lang, in.InboxID, in.Subject, in.Body, store.Now())
		if errors.Is(err, store.ErrReference) {
			return validation.Field("inbox_id", "inbox %d does not exist", *in.InboxID)
		}
		if err != nil {
			return fmt.Errorf("save mail template: %w", err)
		}
		return auth.Audit(ctx, tx, actor, "mail_template.update", templateTarget(key, lang, in.InboxID), in.Subject)
	})
	if err != nil {
		return Template{}, err
	}
	return s.Get(ctx, actor, key, lang, in.InboxID)
}

// Reset drops an admin's version: the template is the built-in one again
// (or, for an inbox, the one for every inbox).
func (s *Templates) Reset(ctx context.Context, actor auth.Actor, key, lang string, inboxID *int64) (Template, error) {
	if !actor.IsAdmin() {
		return Template{}, auth.Forbidden("only admins manage mail templates")
	}
	if err := checkKey(key, lang); err != nil {
		return Template{}, err
	}
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		if err := deleteTemplate(ctx, tx, key, lang, inboxID); err != nil {
			return err
		}
		return auth.Audit(ctx, tx, actor, "mail_template.reset", templateTarget(key, lang, inboxID), "")
	})
	if err != nil {
		return Template{}, err
	}
	return s.Get(ctx, actor, key, lang, inboxID)
}

func deleteTemplate(ctx context.Context, tx *store.Tx, key, lang string, inboxID *int64) error {
	var err error
	if inboxID == nil {
		_, err = tx.Exec(ctx, `DELETE FROM mail_templates WHERE key = $1 AND language = $2 AND inbox_id IS NULL`, key, lang)
	} else {
		_, err = tx.Exec(ctx, `DELETE FROM mail_templates WHERE key = $1 AND language = $2 AND inbox_id = $3`, key, lang, *inboxID)
	}
	if err != nil {
		return fmt.Errorf("mail template: %w", err)
	}
	return nil
}

func templateTarget(key, lang string, inboxID *int64) string {
	t := "mail_template:" + key + "/" + lang
	if inboxID != nil {
		t += fmt.Sprintf("/inbox:%d", *inboxID)
	}
	return t
}
