package ticket

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"tessera/internal/auth"
	"tessera/internal/store"
	"tessera/internal/validation"
)

// Status is a built-in or admin-defined status inside one category.
type Status struct {
	Key      string `json:"key"`
	Name     string `json:"name"`
	Category string `json:"category"`
	Position int    `json:"position"`
	Builtin  bool   `json:"builtin"`
	Active   bool   `json:"active"`
}

var keyPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,49}$`)

// Statuses lists every status.
func (s *Service) Statuses(ctx context.Context) ([]Status, error) {
	rows, err := s.DB.Read().Query(ctx, `SELECT key, name, category, position, builtin, active FROM statuses ORDER BY position, key`)
	if err != nil {
		return nil, fmt.Errorf("statuses: %w", err)
	}
	defer rows.Close()
	var out []Status
	for rows.Next() {
		var st Status
		if err := rows.Scan(&st.Key, &st.Name, &st.Category, &st.Position, &st.Builtin, &st.Active); err != nil {
			return nil, fmt.Errorf("statuses: %w", err)
		}
		out = append(out, st)
	}
	return out, rows.Err()
}

// CreateStatus adds a custom status inside a category (admins only).
func (s *Service) CreateStatus(ctx context.Context, actor auth.Actor, st Status) (Status, error) {
	if !actor.IsAdmin() {
		return Status{}, auth.Forbidden("only admins manage statuses")
	}
	var c validation.Collector
	if !keyPattern.MatchString(st.Key) {
		c.Add("key", "must be lower-case letters, digits and _ (at most 50)")
	}
	c.Text("name", st.Name, 100, true)
	if !slices.Contains(Categories, st.Category) {
		c.Add("category", "must be one of %s", strings.Join(Categories, ", "))
	}
	if err := c.Err(); err != nil {
		return Status{}, err
	}
	st.Name, st.Builtin, st.Active = strings.TrimSpace(st.Name), false, true
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO statuses (key, name, category, position, builtin, active) VALUES ($1, $2, $3, $4, $5, $6)`,
			st.Key, st.Name, st.Category, st.Position, false, true)
		if errors.Is(err, store.ErrConflict) {
			return validation.Field("key", "a status with this key already exists")
		}
		if err != nil {
			return fmt.Errorf("insert status: %w", err)
		}
		return auth.Audit(ctx, tx, actor, "status.create", "status:"+st.Key, st.Category)
	})
	return st, err
}

// statusCategory returns the category of an active status key.
func statusCategory(ctx context.Context, q store.Querier, key string) (string, error) {
	var cat string
	var active bool
	err := q.QueryRow(ctx, `SELECT category, active FROM statuses WHERE key = $1`, key).Scan(&cat, &active)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !active) {
		return "", validation.Field("status", "unknown status %q", key)
	}
	if err != nil {
		return "", fmt.Errorf("status %s: %w", key, err)
	}
	return cat, nil
}

// FieldDef defines a custom ticket field.
type FieldDef struct {
	ID       int64    `json:"id"`
	Key      string   `json:"key"`
	Name     string   `json:"name"`
	Kind     string   `json:"kind"`
	Options  []string `json:"options"`
	Required bool     `json:"required"`
	// Portal shows the field on the customer portal's web form, where
	// customers fill it in; other fields are for agents only.
	Portal   bool      `json:"portal"`
	Position int       `json:"position"`
	Active   bool      `json:"active"`
	Created  time.Time `json:"created_at"`
}

// FieldKinds are the kinds of custom field.
var FieldKinds = []string{"text", "number", "date", "dropdown", "checkbox"}

// CreateField defines a custom field (admins only).
func (s *Service) CreateField(ctx context.Context, actor auth.Actor, f FieldDef) (FieldDef, error) {
	if !actor.IsAdmin() {
		return FieldDef{}, auth.Forbidden("only admins manage custom fields")
	}
	var c validation.Collector
	if !keyPattern.MatchString(f.Key) {
		c.Add("key", "must be lower-case letters, digits and _ (at most 50)")
	}
	c.Text("name", f.Name, 100, true)
	if !slices.Contains(FieldKinds, f.Kind) {
		c.Add("kind", "must be one of %s", strings.Join(FieldKinds, ", "))
	}
	checkOptions(&c, f.Kind, f.Options)
	if err := c.Err(); err != nil {
		return FieldDef{}, err
	}
	if f.Options == nil {
		f.Options = []string{}
	}
	opts, _ := json.Marshal(f.Options)
	f.Name, f.Active, f.Created = strings.TrimSpace(f.Name), true, store.Now()
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO custom_fields (key, name, kind, options, required, portal, position, active, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`, f.Key, f.Name, f.Kind, string(opts), f.Required, f.Portal, f.Position, true, f.Created).Scan(&f.ID)
		if errors.Is(err, store.ErrConflict) {
			return validation.Field("key", "a field with this key already exists")
		}
		if err != nil {
			return fmt.Errorf("insert field: %w", err)
		}
		return auth.Audit(ctx, tx, actor, "custom_field.create", "custom_field:"+f.Key, f.Kind)
	})
	return f, err
}

// Fields lists the custom field definitions.
func (s *Service) Fields(ctx context.Context) ([]FieldDef, error) {
	return fields(ctx, s.DB.Read())
}

func fields(ctx context.Context, q store.Querier) ([]FieldDef, error) {
	rows, err := q.Query(ctx, `SELECT id, key, name, kind, options, required, portal, position, active, created_at FROM custom_fields ORDER BY position, id`)
	if err != nil {
		return nil, fmt.Errorf("fields: %w", err)
	}
	defer rows.Close()
	out := []FieldDef{}
	for rows.Next() {
		var f FieldDef
		var opts string
		if err := rows.Scan(&f.ID, &f.Key, &f.Name, &f.Kind, &opts, &f.Required, &f.Portal, &f.Position, &f.Active, &f.Created); err != nil {
			return nil, fmt.Errorf("fields: %w", err)
		}
		if err := json.Unmarshal([]byte(opts), &f.Options); err != nil {
			return nil, fmt.Errorf("field %s options: %w", f.Key, err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// checkFieldValue validates one custom field value against its definition
// and returns the canonical value (nil removes the value).
func checkFieldValue(f FieldDef, v any) (any, error) {
	name := "custom_fields." + f.Key
	if v == nil {
		return nil, nil
	}
	switch f.Kind {
	case "text":
		s, ok := v.(string)
		if !ok {
			return nil, validation.Field(name, "must be text of at most 10000 characters")
		}
		var c validation.Collector
		c.Text(name, s, 10000, false)
		if err := c.Err(); err != nil {
			return nil, err
		}
		if s == "" {
			return nil, nil // an emptied text field has no value
		}
		return s, nil
	case "number":
		n, ok := v.(float64)
		if !ok || math.IsNaN(n) || math.IsInf(n, 0) {
			return nil, validation.Field(name, "must be a number")
		}
		return n, nil
	case "date":
		s, ok := v.(string)
		if ok {
			if _, err := time.Parse("2006-01-02", s); err == nil {
				return s, nil
			}
		}
		return nil, validation.Field(name, "must be a date as YYYY-MM-DD")
	case "dropdown":
		s, ok := v.(string)
		if !ok || !slices.Contains(f.Options, s) {
			return nil, validation.Field(name, "must be one of %s", strings.Join(f.Options, ", "))
		}
		return s, nil
	case "checkbox":
		b, ok := v.(bool)
		if !ok {
			return nil, validation.Field(name, "must be true or false")
		}
		return b, nil
	}
	return nil, validation.Field(name, "has an unknown kind")
}

// applyFields merges changes into current custom field values, checking
// each against its definition.
func applyFields(defs []FieldDef, current map[string]any, changes map[string]any) (map[string]any, error) {
	byKey := map[string]FieldDef{}
	for _, d := range defs {
		if d.Active {
			byKey[d.Key] = d
		}
	}
	out := make(map[string]any, len(current)+len(changes))
	for k, v := range current {
		out[k] = v
	}
	var c validation.Collector
	for k, v := range changes {
		d, ok := byKey[k]
		if !ok {
			c.Add("custom_fields."+k, "no such custom field")
			continue
		}
		cv, err := checkFieldValue(d, v)
		if err != nil {
			ve, _ := validation.As(err)
			for _, f := range ve.Fields {
				c.Add(f.Field, "%s", f.Detail)
			}
			continue
		}
		if cv == nil {
			delete(out, k)
		} else {
			out[k] = cv
		}
	}
	return out, c.Err()
}

// customerFields are the definitions a customer may fill in: the active
// fields an admin shows on the portal. A value for any other field is
// refused as if the field did not exist, and a required portal field
// must be given, since the customer is the one who knows it.
func customerFields(defs []FieldDef, values map[string]any) ([]FieldDef, error) {
	var out []FieldDef
	var c validation.Collector
	for _, d := range defs {
		if !d.Active || !d.Portal {
			continue
		}
		out = append(out, d)
		if v, ok := values[d.Key]; d.Required && (!ok || v == nil || v == "") {
			c.Add("custom_fields."+d.Key, "must not be empty")
		}
	}
	return out, c.Err()
}

// missingRequired names the required fields without a value.
func missingRequired(defs []FieldDef, values map[string]any) error {
	var c validation.Collector
	for _, d := range defs {
		if d.Active && d.Required {
			if _, ok := values[d.Key]; !ok {
				c.Add("custom_fields."+d.Key, "is required before a ticket is solved")
			}
		}
	}
	return c.Err()
}

func fieldString(v any) string {
	if v == nil {
		return ""
	}
	b, _ := json.Marshal(v)
	s := string(b)
	if str, ok := v.(string); ok {
		s = str
	}
	return s
}

// NormalizeTags lower-cases tags, turns spaces into underscores, drops
// duplicates and checks their length.
func NormalizeTags(tags []string) ([]string, error) {
	out := make([]string, 0, len(tags))
	for _, t := range tags {
		t = strings.ToLower(strings.Join(strings.Fields(t), "_"))
		if t == "" {
			continue
		}
		if utf8.RuneCountInString(t) > 50 || strings.ContainsAny(t, ",;\"'\x00") || !utf8.ValidString(t) {
			return nil, validation.Field("tags", "tag %q must be at most 50 characters without , ; or quotes", t)
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	if len(out) > 50 {
		return nil, validation.Field("tags", "a ticket has at most 50 tags")
	}
	slices.Sort(out)
	return out, nil
}

// Tags lists known tags, optionally those starting with prefix.
func (s *Service) Tags(ctx context.Context, prefix string, limit int) ([]string, error) {
	prefix = strings.ToLower(strings.NewReplacer("%", "", "_", `\_`).Replace(prefix))
	rows, err := s.DB.Read().Query(ctx, `SELECT name FROM tags WHERE name LIKE $1 ESCAPE '\' ORDER BY name LIMIT $2`, prefix+"%", limit)
	if err != nil {
		return nil, fmt.Errorf("tags: %w", err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, fmt.Errorf("tags: %w", err)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// writeTags adds and removes tags with one statement each. Tags arrive
// sorted, so concurrent transactions take their locks in the same order.
func writeTags(ctx context.Context, tx *store.Tx, ticketID int64, add, remove []string) error {
	add = slices.Sorted(slices.Values(add))
	if len(add) > 0 {
		args := make([]any, 0, len(add)+1)
		names := make([]string, len(add))
		pairs := make([]string, len(add))
		args = append(args, ticketID)
		for i, t := range add {
			args = append(args, t)
			names[i] = fmt.Sprintf("($%d)", i+1)
			pairs[i] = fmt.Sprintf("($1, $%d)", i+2)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO tags (name) VALUES `+strings.Join(names, ", ")+` ON CONFLICT DO NOTHING`, args[1:]...); err != nil {
			return fmt.Errorf("tags: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO ticket_tags (ticket_id, tag) VALUES `+strings.Join(pairs, ", ")+` ON CONFLICT DO NOTHING`, args...); err != nil {
			return fmt.Errorf("tags of ticket %d: %w", ticketID, err)
		}
	}
	if len(remove) > 0 {
		args := []any{ticketID}
		for _, t := range remove {
			args = append(args, t)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM ticket_tags WHERE ticket_id = $1 AND tag IN (`+placeholders(len(remove), 2)+`)`, args...); err != nil {
			return fmt.Errorf("untag ticket %d: %w", ticketID, err)
		}
	}
	return nil
}
