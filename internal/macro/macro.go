// Package macro holds macros: canned replies with placeholders, written in
// several languages, that may also change the ticket (status, priority,
// tags, assignee). A macro is shared with every agent or personal to the
// agent who wrote it; only admins write shared ones.
//
// Applying a macro renders its text in the requester's language and runs
// its actions through ticket.Service.Update, so the ticket's own rules
// (statuses, assignment, visibility) decide; the agent still sends the
// reply themself.
package macro

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"tessera/internal/auth"
	"tessera/internal/people"
	"tessera/internal/search"
	"tessera/internal/store"
	"tessera/internal/ticket"
	"tessera/internal/validation"
)

// Locales a macro is written in.
var Locales = []string{"en", "pt-BR", "es", "he"}

// Action types.
const (
	SetStatus   = "set_status"
	SetPriority = "set_priority"
	AddTags     = "add_tags"
	RemoveTags  = "remove_tags"
	AssignAgent = "assign_agent"
	AssignTeam  = "assign_team"
)

// ActionTypes are the actions a macro may carry, in the order the editor
// offers them.
var ActionTypes = []string{SetStatus, SetPriority, AddTags, RemoveTags, AssignAgent, AssignTeam}

// MacroAction is one change a macro makes to the ticket. Value is a status key
// or a priority (string), tags ([]string), or an agent or team id (int64;
// nil unassigns).
type MacroAction struct {
	Type  string `json:"type"`
	Value any    `json:"value"`
}

// Macro is a canned reply and the changes that go with it.
type Macro struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	// Body is the text in Locale, the macro's own language.
	Body   string `json:"body"`
	Locale string `json:"locale"`
	// Translations are the text in other languages, by locale.
	Translations map[string]string `json:"translations"`
	Shared       bool              `json:"shared"`
	OwnerAgentID *int64            `json:"owner_agent_id"`
	Actions      []MacroAction     `json:"actions"`
	Active       bool              `json:"active"`
	UsageCount   int64             `json:"usage_count"`
	LastUsedAt   *time.Time        `json:"last_used_at"`
	CreatedAt    time.Time         `json:"created_at"`
	UpdatedAt    time.Time         `json:"updated_at"`
}

// TextOnly reports whether m only carries text (light agents may use it).
func (m Macro) TextOnly() bool { return len(m.Actions) == 0 }

// MacroInput creates or changes a macro; absent fields stay (on create: locale
// en, personal, active).
type MacroInput struct {
	Name         *string            `json:"name"`
	Body         *string            `json:"body"`
	Locale       *string            `json:"locale"`
	Translations *map[string]string `json:"translations"`
	Shared       *bool              `json:"shared"`
	Actions      *[]MacroAction     `json:"actions"`
	Active       *bool              `json:"active"`
}

// Tickets is what macros need of the ticket service.
type Tickets interface {
	Get(ctx context.Context, actor auth.Actor, id int64) (ticket.Ticket, error)
	Update(ctx context.Context, actor auth.Actor, id int64, in ticket.UpdateInput) (ticket.Ticket, error)
	CheckUpdate(ctx context.Context, in ticket.UpdateInput) error
}

// People is what macros need to fill the requester's placeholders.
type People interface {
	GetContact(ctx context.Context, id int64) (people.Contact, error)
	GetOrganization(ctx context.Context, id int64) (people.Organization, error)
}

// Service stores and applies macros.
type Service struct {
	DB      *store.DB
	Tickets Tickets
	People  People
	// Limits bound a macro's files: those of a message's attachments.
	Limits ticket.AttachmentLimits
}

const (
	maxName = 200
	maxBody = 20_000
)

const cols = `id, name, body, locale, translations, actions, owner_agent_id, active, usage_count, last_used_at, created_at, updated_at`

func scan(r interface{ Scan(...any) error }) (Macro, error) {
	var m Macro
	var tr, acts string
	if err := r.Scan(&m.ID, &m.Name, &m.Body, &m.Locale, &tr, &acts, &m.OwnerAgentID, &m.Active, &m.UsageCount, &m.LastUsedAt, &m.CreatedAt, &m.UpdatedAt); err != nil {
		return Macro{}, err
	}
	m.Shared = m.OwnerAgentID == nil
	m.Translations = map[string]string{}
	if err := json.Unmarshal([]byte(tr), &m.Translations); err != nil {
		return Macro{}, fmt.Errorf("macro %d translations: %w", m.ID, err)
	}
	var raw []MacroAction
	if err := json.Unmarshal([]byte(acts), &raw); err != nil {
		return Macro{}, fmt.Errorf("macro %d actions: %w", m.ID, err)
	}
	m.Actions = make([]MacroAction, 0, len(raw))
	for _, a := range raw {
		n, err := normalize(a)
		if err != nil {
			return Macro{}, fmt.Errorf("macro %d actions: %w", m.ID, err)
		}
		m.Actions = append(m.Actions, n)
	}
	return m, nil
}

// visible reports whether actor may see and use m: shared macros are
// every agent's, personal ones their owner's alone.
func visible(actor auth.Actor, m Macro) bool {
	if actor.Kind == auth.KindSystem {
		return true
	}
	return actor.Kind == auth.KindAgent && (m.OwnerAgentID == nil || *m.OwnerAgentID == actor.ID)
}

// Get returns a macro actor may see (store.ErrNotFound otherwise).
func (s *Service) Get(ctx context.Context, actor auth.Actor, id int64) (Macro, error) {
	if actor.Kind != auth.KindAgent && actor.Kind != auth.KindSystem {
		return Macro{}, auth.Forbidden("only agents use macros")
	}
	m, err := scan(s.DB.Read().QueryRow(ctx, `SELECT `+cols+` FROM macros WHERE id = $1`, id))
	if err != nil {
		return Macro{}, fmt.Errorf("macro %d: %w", id, err)
	}
	if !visible(actor, m) {
		return Macro{}, fmt.Errorf("macro %d: %w", id, store.ErrNotFound)
	}
	return m, nil
}

// ListOptions filter the macros of a list.
type ListOptions struct {
	// Query keeps the macros whose name or text (any language) holds
	// every word of it, accents and case ignored; those whose name matches
	// come first.
	Query string
	// ActiveOnly leaves out deactivated macros (the composer's picker).
	ActiveOnly bool
	// TextOnly keeps the macros without actions (what a light agent may
	// apply).
	TextOnly bool
}

// List returns the macros actor may see, shared and their own, by name.
func (s *Service) List(ctx context.Context, actor auth.Actor, o ListOptions) ([]Macro, error) {
	if actor.Kind != auth.KindAgent && actor.Kind != auth.KindSystem {
		return nil, auth.Forbidden("only agents use macros")
	}
	q := `SELECT ` + cols + ` FROM macros`
	var args []any
	if actor.Kind == auth.KindAgent {
		q += ` WHERE (owner_agent_id IS NULL OR owner_agent_id = $1)`
		args = append(args, actor.ID)
	}
	rows, err := s.DB.Read().Query(ctx, q+` ORDER BY name, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("macros: %w", err)
	}
	defer rows.Close()
	// Macros are few (hundreds at most), so matching happens here, where
	// folding accents works the same on both engines.
	words := strings.Fields(search.Fold(o.Query))
	var byName, byText []Macro
	for rows.Next() {
		m, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("macros: %w", err)
		}
		if (o.ActiveOnly && !m.Active) || (o.TextOnly && !m.TextOnly()) {
			continue
		}
		name := search.Fold(m.Name)
		text := name + " " + search.Fold(m.Body)
		for _, t := range m.Translations {
			text += " " + search.Fold(t)
		}
		switch {
		case containsAll(name, words):
			byName = append(byName, m)
		case containsAll(text, words):
			byText = append(byText, m)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("macros: %w", err)
	}
	return append(append([]Macro{}, byName...), byText...), nil
}

func containsAll(s string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(s, w) {
			return false
		}
	}
	return true
}

// check validates in against the macro it would produce (m: the current
// one, or the defaults on create), and returns that macro.
func (s *Service) check(ctx context.Context, actor auth.Actor, m Macro, in MacroInput) (Macro, error) {
	var c validation.Collector
	if in.Name != nil {
		m.Name = strings.TrimSpace(*in.Name)
	}
	c.Text("name", m.Name, maxName, true)
	if in.Body != nil {
		m.Body = *in.Body
	}
	c.Text("body", m.Body, maxBody, false)
	if bad := Unknown(m.Body); len(bad) > 0 {
		c.Add("body", "unknown placeholder {{%s}}; known: %s and ticket.custom_fields.KEY", bad[0], strings.Join(Placeholders, ", "))
	}
	if in.Locale != nil {
		m.Locale = *in.Locale
	}
	if !slices.Contains(Locales, m.Locale) {
		c.Add("locale", "must be one of %s", strings.Join(Locales, ", "))
	}
	if in.Translations != nil {
		m.Translations = map[string]string{}
		for l, t := range *in.Translations {
			field := "translations." + l
			switch {
			case !slices.Contains(Locales, l):
				c.Add(field, "is not a language; use one of %s", strings.Join(Locales, ", "))
				continue
			case strings.TrimSpace(t) == "":
				continue // an empty translation is no translation
			}
			c.Text(field, t, maxBody, false)
			if bad := Unknown(t); len(bad) > 0 {
				c.Add(field, "unknown placeholder {{%s}}", bad[0])
			}
			m.Translations[l] = t
		}
	}
	if _, dup := m.Translations[m.Locale]; dup && in.Translations != nil {
		c.Add("translations."+m.Locale, "is the macro's own language: its text is the body")
	}
	delete(m.Translations, m.Locale)
	if in.Active != nil {
		m.Active = *in.Active
	}
	if in.Actions != nil {
		m.Actions = nil
		for i, a := range *in.Actions {
			field := fmt.Sprintf("actions[%d]", i)
			n, err := normalize(a)
			if err != nil {
				c.Add(field, "%s", err.Error())
				continue
			}
			if err := s.Tickets.CheckUpdate(ctx, updateOf([]MacroAction{n})); err != nil {
				if ve, ok := validation.As(err); ok {
					for _, fe := range ve.Fields {
						c.Add(field+".value", "%s", fe.Detail)
					}
					continue
				}
				return Macro{}, err
			}
			m.Actions = append(m.Actions, n)
		}
		if len(m.Actions) > 20 {
			c.Add("actions", "at most 20 actions")
		}
	}
	if strings.TrimSpace(m.Body) == "" && len(m.Actions) == 0 && len(m.Translations) == 0 {
		c.Add("body", "a macro needs a reply text or an action")
	}
	if in.Shared != nil {
		if *in.Shared != m.Shared && !actor.IsAdmin() {
			return Macro{}, auth.Forbidden("only admins share macros")
		}
		m.Shared = *in.Shared
	}
	if m.Shared && !actor.IsAdmin() {
		return Macro{}, auth.Forbidden("only admins write shared macros")
	}
	if !m.TextOnly() && !actor.CanEditTickets() {
		return Macro{}, auth.Forbidden("light agents write macros that only carry text")
	}
	return m, c.Err()
}

// normalize checks an action's type and gives its value the one Go type
// its type takes, whatever JSON or a form made of it.
func normalize(a MacroAction) (MacroAction, error) {
	switch a.Type {
	case SetStatus, SetPriority:
		v, ok := a.Value.(string)
		if !ok || strings.TrimSpace(v) == "" {
			return a, errors.New("needs a value: a status key or priority")
		}
		return MacroAction{Type: a.Type, Value: strings.TrimSpace(v)}, nil
	case AddTags, RemoveTags:
		var tags []string
		switch v := a.Value.(type) {
		case []string:
			tags = v
		case []any:
			for _, x := range v {
				t, ok := x.(string)
				if !ok {
					return a, errors.New("needs a list of tags")
				}
				tags = append(tags, t)
			}
		case string:
			tags = strings.Split(v, ",")
		default:
			return a, errors.New("needs a list of tags")
		}
		tags, err := ticket.NormalizeTags(tags)
		if err != nil {
			return a, fmt.Errorf("tags: %w", err)
		}
		if len(tags) == 0 {
			return a, errors.New("needs at least one tag")
		}
		return MacroAction{Type: a.Type, Value: tags}, nil
	case AssignAgent, AssignTeam:
		switch v := a.Value.(type) {
		case nil:
			return MacroAction{Type: a.Type}, nil
		case int64:
			return MacroAction{Type: a.Type, Value: v}, nil
		case float64:
			if v != math.Trunc(v) || v < 1 {
				return a, errors.New("needs an id")
			}
			return MacroAction{Type: a.Type, Value: int64(v)}, nil
		case string:
			if strings.TrimSpace(v) == "" {
				return MacroAction{Type: a.Type}, nil
			}
			id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil || id < 1 {
				return a, errors.New("needs an id")
			}
			return MacroAction{Type: a.Type, Value: id}, nil
		}
		return a, errors.New("needs an id, or null to unassign")
	}
	return a, fmt.Errorf("type must be one of %s", strings.Join(ActionTypes, ", "))
}

// updateOf is the ticket change a macro's actions make.
func updateOf(actions []MacroAction) ticket.UpdateInput {
	var in ticket.UpdateInput
	for _, a := range actions {
		switch a.Type {
		case SetStatus:
			v := a.Value.(string)
			in.Status = &v
		case SetPriority:
			v := a.Value.(string)
			in.Priority = &v
		case AddTags:
			in.AddTags = append(in.AddTags, a.Value.([]string)...)
		case RemoveTags:
			in.RemoveTags = append(in.RemoveTags, a.Value.([]string)...)
		case AssignAgent:
			in.AssigneeID = ticket.Optional[int64]{Set: true}
			if id, ok := a.Value.(int64); ok {
				in.AssigneeID.Value = &id
			}
		case AssignTeam:
			in.TeamID = ticket.Optional[int64]{Set: true}
			if id, ok := a.Value.(int64); ok {
				in.TeamID.Value = &id
			}
		}
	}
	return in
}

func encode(m Macro) (tr, acts string, err error) {
	t, err := json.Marshal(m.Translations)
	if err != nil {
		return "", "", err
	}
	if m.Actions == nil {
		m.Actions = []MacroAction{}
	}
	a, err := json.Marshal(m.Actions)
	if err != nil {
		return "", "", err
	}
	return string(t), string(a), nil
}

// Create writes a macro: personal to its author, or shared (admins).
func (s *Service) Create(ctx context.Context, actor auth.Actor, in MacroInput) (Macro, error) {
	if actor.Kind != auth.KindAgent && actor.Kind != auth.KindSystem {
		return Macro{}, auth.Forbidden("only agents write macros")
	}
	if in.Name == nil {
		in.Name = new(string)
	}
	m, err := s.check(ctx, actor, Macro{Locale: "en", Active: true, Translations: map[string]string{}, Shared: actor.Kind == auth.KindSystem}, in)
	if err != nil {
		return Macro{}, err
	}
	var owner *int64
	if !m.Shared {
		owner = &actor.ID
	}
	tr, acts, err := encode(m)
	if err != nil {
		return Macro{}, fmt.Errorf("create macro: %w", err)
	}
	var id int64
	err = s.DB.Write().QueryRow(ctx, `INSERT INTO macros (name, body, locale, translations, actions, owner_agent_id, active, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id`, m.Name, m.Body, m.Locale, tr, acts, owner, m.Active, store.Now()).Scan(&id)
	if err != nil {
		return Macro{}, fmt.Errorf("create macro: %w", err)
	}
	return s.Get(ctx, auth.System, id)
}

// mayChange: shared macros are the admins', personal ones their owner's.
func mayChange(actor auth.Actor, m Macro) error {
	if m.Shared && !actor.IsAdmin() {
		return auth.Forbidden("only admins change shared macros")
	}
	return nil
}

// Update changes a macro.
func (s *Service) Update(ctx context.Context, actor auth.Actor, id int64, in MacroInput) (Macro, error) {
	old, err := s.Get(ctx, actor, id)
	if err != nil {
		return Macro{}, err
	}
	if err := mayChange(actor, old); err != nil {
		return Macro{}, err
	}
	m, err := s.check(ctx, actor, old, in)
	if err != nil {
		return Macro{}, err
	}
	owner := old.OwnerAgentID
	switch {
	case m.Shared:
		owner = nil
	case owner == nil: // an admin made a shared macro their own
		owner = &actor.ID
	}
	tr, acts, err := encode(m)
	if err != nil {
		return Macro{}, fmt.Errorf("update macro %d: %w", id, err)
	}
	if _, err := s.DB.Write().Exec(ctx, `UPDATE macros SET name = $2, body = $3, locale = $4, translations = $5, actions = $6, owner_agent_id = $7, active = $8, updated_at = $9 WHERE id = $1`,
		id, m.Name, m.Body, m.Locale, tr, acts, owner, m.Active, store.Now()); err != nil {
		return Macro{}, fmt.Errorf("update macro %d: %w", id, err)
	}
	return s.Get(ctx, auth.System, id)
}

// Delete removes a macro.
func (s *Service) Delete(ctx context.Context, actor auth.Actor, id int64) error {
	m, err := s.Get(ctx, actor, id)
	if err != nil {
		return err
	}
	if err := mayChange(actor, m); err != nil {
		return err
	}
	if _, err := s.DB.Write().Exec(ctx, `DELETE FROM macros WHERE id = $1`, id); err != nil {
		return fmt.Errorf("delete macro %d: %w", id, err)
	}
	return nil
}

// Applied is a macro applied to a ticket (or previewed on it).
type Applied struct {
	MacroID int64  `json:"macro_id"`
	Name    string `json:"name"`
	// Body is the reply text, rendered in Locale (the requester's
	// language when the macro has it); the agent sends it themself.
	Body    string        `json:"body"`
	Locale  string        `json:"locale"`
	Actions []MacroAction `json:"actions"`
	Preview bool          `json:"preview"`
	// Files are the macro's files, for the reply the agent sends.
	Files []File `json:"files"`
	// Ticket is the ticket after the actions ran (before, on a preview).
	Ticket ticket.Ticket `json:"ticket"`
}

// Apply renders macro id for ticket ticketID and, unless preview, runs its
// actions on the ticket and counts the use. Light agents may apply macros
// that only carry text.
func (s *Service) Apply(ctx context.Context, actor auth.Actor, ticketID, id int64, preview bool) (Applied, error) {
	m, err := s.Get(ctx, actor, id)
	if err != nil {
		return Applied{}, err
	}
	if !m.Active {
		return Applied{}, validation.Field("macro_id", "macro %q is deactivated", m.Name)
	}
	t, err := s.Tickets.Get(ctx, actor, ticketID)
	if err != nil {
		return Applied{}, err
	}
	if !m.TextOnly() && !actor.CanEditTickets() {
		return Applied{}, auth.Forbidden("light agents apply macros that only carry text")
	}
	subj := Subject{Ticket: t, AgentName: actor.Name}
	lang := ""
	if c, err := s.People.GetContact(ctx, t.RequesterID); err == nil {
		subj.Requester, lang = &c, c.Language
	} else if !errors.Is(err, store.ErrNotFound) {
		return Applied{}, fmt.Errorf("apply macro %d: %w", id, err)
	}
	if t.OrganizationID != nil {
		if o, err := s.People.GetOrganization(ctx, *t.OrganizationID); err == nil {
			subj.Organization = &o
		} else if !errors.Is(err, store.ErrNotFound) {
			return Applied{}, fmt.Errorf("apply macro %d: %w", id, err)
		}
	}
	text, locale := Pick(m, lang)
	res := Applied{MacroID: m.ID, Name: m.Name, Body: Render(text, Values(subj)), Locale: locale, Actions: m.Actions, Preview: preview, Ticket: t}
	if res.Files, err = s.files(ctx, m.ID); err != nil {
		return Applied{}, err
	}
	if preview {
		return res, nil
	}
	if in := updateOf(m.Actions); !in.Empty() {
		if res.Ticket, err = s.Tickets.Update(ctx, actor, ticketID, in); err != nil {
			return Applied{}, err
		}
	}
	if _, err := s.DB.Write().Exec(ctx, `UPDATE macros SET usage_count = usage_count + 1, last_used_at = $2 WHERE id = $1`, id, store.Now()); err != nil {
		return Applied{}, fmt.Errorf("count macro %d: %w", id, err)
	}
	return res, nil
}
