package ticket

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"tessera/internal/auth"
	"tessera/internal/store"
	"tessera/internal/validation"
)

// The admin's side of statuses, custom fields and tags: changing their
// definitions, and renaming or removing a tag on every ticket that has it.

// StatusChange changes a status. Nil fields stay as they are.
type StatusChange struct {
	Name     *string `json:"name"`
	Position *int    `json:"position"`
	Active   *bool   `json:"active"`
}

// GetStatus returns one status by key.
func (s *Service) GetStatus(ctx context.Context, key string) (Status, error) {
	var st Status
	err := s.DB.Read().QueryRow(ctx, `SELECT key, name, category, position, builtin, active FROM statuses WHERE key = $1`, key).
		Scan(&st.Key, &st.Name, &st.Category, &st.Position, &st.Builtin, &st.Active)
	if err != nil {
		return Status{}, fmt.Errorf("status %s: %w", key, err)
	}
	return st, nil
}

// UpdateStatus renames, reorders, deactivates or reactivates a status
// (admins only). Its key and category never change: tickets and reports
// refer to them. A built-in status cannot be deactivated, since the
// workflow (new, reopen, solve, close) sets them itself. Tickets in a
// deactivated status keep it until they move on; it is no longer offered.
func (s *Service) UpdateStatus(ctx context.Context, actor auth.Actor, key string, in StatusChange) (Status, error) {
	if !actor.IsAdmin() {
		return Status{}, auth.Forbidden("only admins manage statuses")
	}
	st, err := s.GetStatus(ctx, key)
	if err != nil {
		return Status{}, err
	}
	var c validation.Collector
	if in.Name != nil {
		*in.Name = strings.TrimSpace(*in.Name)
		c.Text("name", *in.Name, 100, true)
		st.Name = *in.Name
	}
	if in.Position != nil {
		if *in.Position < 0 || *in.Position > 100000 {
			c.Add("position", "must be between 0 and 100000")
		}
		st.Position = *in.Position
	}
	if in.Active != nil {
		if st.Builtin && !*in.Active {
			c.Add("active", "a built-in status cannot be deactivated")
		}
		st.Active = *in.Active
	}
	if err := c.Err(); err != nil {
		return Status{}, err
	}
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE statuses SET name = $2, position = $3, active = $4 WHERE key = $1`, key, st.Name, st.Position, st.Active); err != nil {
			return fmt.Errorf("update status %s: %w", key, err)
		}
		return auth.Audit(ctx, tx, actor, "status.update", "status:"+key, fmt.Sprintf("name=%s position=%d active=%t", st.Name, st.Position, st.Active))
	})
	if err != nil {
		return Status{}, err
	}
	return st, nil
}

// checkOptions checks the options of a field of kind: a dropdown needs
// distinct, non-empty ones; other kinds have none.
func checkOptions(c *validation.Collector, kind string, options []string) {
	if kind != "dropdown" {
		if len(options) > 0 {
			c.Add("options", "only dropdown fields have options")
		}
		return
	}
	if len(options) == 0 {
		c.Add("options", "a dropdown needs at least one option")
	}
	if len(options) > 500 {
		c.Add("options", "a dropdown has at most 500 options")
	}
	seen := map[string]bool{}
	for _, o := range options {
		if strings.TrimSpace(o) == "" || seen[o] || len(o) > 200 {
			c.Add("options", "options must be non-empty, distinct and at most 200 characters")
			break
		}
		seen[o] = true
	}
}

// FieldChange changes a custom field. Its key and kind never change:
// stored values are kept under the key and were checked against the kind.
type FieldChange struct {
	Name     *string   `json:"name"`
	Options  *[]string `json:"options"`
	Required *bool     `json:"required"`
	Position *int      `json:"position"`
	Active   *bool     `json:"active"`
	// Portal shows the field on the customer portal's web form.
	Portal *bool `json:"portal"`
}

// GetField returns one custom field definition.
func (s *Service) GetField(ctx context.Context, id int64) (FieldDef, error) {
	defs, err := fields(ctx, s.DB.Read())
	if err != nil {
		return FieldDef{}, err
	}
	for _, d := range defs {
		if d.ID == id {
			return d, nil
		}
	}
	return FieldDef{}, fmt.Errorf("custom field %d: %w", id, store.ErrNotFound)
}

// UpdateField changes a custom field (admins only). A dropdown option
// taken away stays on the tickets that have it until they are changed; a
// deactivated field is neither shown for editing nor required.
func (s *Service) UpdateField(ctx context.Context, actor auth.Actor, id int64, in FieldChange) (FieldDef, error) {
	if !actor.IsAdmin() {
		return FieldDef{}, auth.Forbidden("only admins manage custom fields")
	}
	f, err := s.GetField(ctx, id)
	if err != nil {
		return FieldDef{}, err
	}
	var c validation.Collector
	if in.Name != nil {
		*in.Name = strings.TrimSpace(*in.Name)
		c.Text("name", *in.Name, 100, true)
		f.Name = *in.Name
	}
	if in.Options != nil {
		checkOptions(&c, f.Kind, *in.Options)
		f.Options = *in.Options
	}
	if in.Required != nil {
		f.Required = *in.Required
	}
	if in.Position != nil {
		if *in.Position < 0 || *in.Position > 100000 {
			c.Add("position", "must be between 0 and 100000")
		}
		f.Position = *in.Position
	}
	if in.Active != nil {
		f.Active = *in.Active
	}
	if in.Portal != nil {
		f.Portal = *in.Portal
	}
	if err := c.Err(); err != nil {
		return FieldDef{}, err
	}
	if f.Options == nil {
		f.Options = []string{}
	}
	opts, _ := json.Marshal(f.Options)
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE custom_fields SET name = $2, options = $3, required = $4, position = $5, active = $6, portal = $7 WHERE id = $1`,
			id, f.Name, string(opts), f.Required, f.Position, f.Active, f.Portal); err != nil {
			return fmt.Errorf("update field %s: %w", f.Key, err)
		}
		return auth.Audit(ctx, tx, actor, "custom_field.update", "custom_field:"+f.Key, fmt.Sprintf("required=%t active=%t portal=%t", f.Required, f.Active, f.Portal))
	})
	if err != nil {
		return FieldDef{}, err
	}
	return f, nil
}

// TagCount is a tag and how many tickets carry it, counted up to a cap.
type TagCount struct {
	Name   string `json:"name"`
	Count  int    `json:"count"`
	Capped bool   `json:"capped"` // there are at least Count tickets
}

// TagCounts lists known tags in name order after `after`, optionally those
// starting with prefix, each with the number of tickets that carry it
// counted up to max. Each count walks the (tag, ticket_id) index and stops
// at max, so a page costs at most limit × max index entries however many
// tickets there are.
func (s *Service) TagCounts(ctx context.Context, prefix, after string, limit, max int) ([]TagCount, error) {
	prefix = strings.ToLower(strings.NewReplacer("%", "", "_", `\_`).Replace(prefix))
	rows, err := s.DB.Read().Query(ctx, `SELECT name,
			(SELECT COUNT(*) FROM (SELECT 1 FROM ticket_tags tt WHERE tt.tag = tags.name LIMIT $3) capped)
		FROM tags WHERE name LIKE $1 ESCAPE '\' AND name > $2 ORDER BY name LIMIT $4`, prefix+"%", after, max, limit)
	if err != nil {
		return nil, fmt.Errorf("tag counts: %w", err)
	}
	defer rows.Close()
	out := []TagCount{}
	for rows.Next() {
		var tc TagCount
		if err := rows.Scan(&tc.Name, &tc.Count); err != nil {
			return nil, fmt.Errorf("tag counts: %w", err)
		}
		tc.Capped = tc.Count >= max
		out = append(out, tc)
	}
	return out, rows.Err()
}

// CountTag returns one known tag with its capped count of tickets.
func (s *Service) CountTag(ctx context.Context, name string, max int) (TagCount, error) {
	tc := TagCount{Name: name}
	err := s.DB.Read().QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM ticket_tags tt WHERE tt.tag = tags.name LIMIT $2) capped)
		FROM tags WHERE name = $1`, name, max).Scan(&tc.Count)
	if err != nil {
		return TagCount{}, fmt.Errorf("tag %q: %w", name, err)
	}
	tc.Capped = tc.Count >= max
	return tc, nil
}

// Retag is a tag being renamed (To set) or removed (To empty) on every
// ticket that carries it, on behalf of an admin.
type Retag struct {
	From    string `json:"from"`
	To      string `json:"to,omitempty"`
	ActorID int64  `json:"actor_id"`
}

// Background runs long changes as durable jobs; package jobs implements it.
// Without it (a bare service in tests) they run before the call returns.
type Background interface {
	// RetagLater enqueues, inside tx, the job that works through the
	// tickets carrying r.From in batches (RetagBatch).
	RetagLater(ctx context.Context, tx *store.Tx, r Retag) error
}

// RetagBatchSize is how many tickets one batch changes: one transaction,
// short enough not to hold SQLite's single writer for long. (A variable so
// that tests can make it small.)
var RetagBatchSize = 200

// RenameTag renames tag from to `to` on every ticket (admins only); when
// `to` is already a tag, the two merge. Each ticket's change is recorded
// as its events. It returns how many tickets carry the tag, counted up to
// RetagBatchSize+1: up to RetagBatchSize they are changed before it
// returns; beyond, the change runs as a background job, a batch at a time
// (a tag on 100,000 tickets would not fit one request).
func (s *Service) RenameTag(ctx context.Context, actor auth.Actor, from, to string) (int, error) {
	if !actor.IsAdmin() {
		return 0, auth.Forbidden("only admins rename tags")
	}
	f, err := oneTag("from", from)
	if err != nil {
		return 0, err
	}
	t, err := oneTag("to", to)
	if err != nil {
		return 0, err
	}
	if t == "" {
		return 0, validation.Field("to", "must not be empty")
	}
	if t == f {
		return 0, validation.Field("to", "is the same tag")
	}
	return s.startRetag(ctx, actor, Retag{From: f, To: t, ActorID: actor.ID}, "tag.rename")
}

// DeleteTag removes a tag from every ticket and from the list of tags
// (admins only), in the background beyond one batch, like RenameTag.
func (s *Service) DeleteTag(ctx context.Context, actor auth.Actor, tag string) (int, error) {
	if !actor.IsAdmin() {
		return 0, auth.Forbidden("only admins delete tags")
	}
	f, err := oneTag("tag", tag)
	if err != nil {
		return 0, err
	}
	return s.startRetag(ctx, actor, Retag{From: f, ActorID: actor.ID}, "tag.delete")
}

func oneTag(field, tag string) (string, error) {
	tags, err := NormalizeTags([]string{tag})
	if err != nil {
		return "", validation.Field(field, "%s", err.(*validation.Error).Fields[0].Detail)
	}
	if len(tags) == 0 {
		if field == "to" {
			return "", nil
		}
		return "", validation.Field(field, "must not be empty")
	}
	return tags[0], nil
}

func (s *Service) startRetag(ctx context.Context, actor auth.Actor, r Retag, action string) (int, error) {
	var n int
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		var name string
		if err := tx.QueryRow(ctx, `SELECT name FROM tags WHERE name = $1`, r.From).Scan(&name); err != nil {
			return fmt.Errorf("tag %s: %w", r.From, err)
		}
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM ticket_tags WHERE tag = $1 LIMIT $2) x`, r.From, RetagBatchSize+1).Scan(&n); err != nil {
			return fmt.Errorf("count tag %s: %w", r.From, err)
		}
		if r.To != "" {
			if _, err := tx.Exec(ctx, `INSERT INTO tags (name) VALUES ($1) ON CONFLICT DO NOTHING`, r.To); err != nil {
				return fmt.Errorf("tag %s: %w", r.To, err)
			}
		}
		if err := auth.Audit(ctx, tx, actor, action, "tag:"+r.From, r.To); err != nil {
			return err
		}
		if n > RetagBatchSize && s.Jobs != nil {
			return s.Jobs.RetagLater(ctx, tx, r)
		}
		return nil
	})
	if err != nil || (n > RetagBatchSize && s.Jobs != nil) {
		return n, err
	}
	for {
		done, err := s.RetagBatch(ctx, r, RetagBatchSize)
		if err != nil || done < RetagBatchSize {
			return n, err
		}
	}
}

// RetagBatch changes up to limit of the tickets carrying r.From in one
// transaction and returns how many it changed; fewer than limit means it
// is done, and the old tag is then dropped from the list of tags. Each
// ticket's change is recorded as its events (by the admin who asked) and
// recomputes its SLA clocks, since policies may select tickets by tag.
// Closed and merged tickets are changed too: the tag vocabulary is the
// admin's, and reports read it from every ticket. updated_at is left
// alone, so that a clean-up does not bring thousands of old tickets to
// the top of every "recently updated" list.
func (s *Service) RetagBatch(ctx context.Context, r Retag, limit int) (int, error) {
	actor := auth.Actor{Kind: auth.KindAgent, ID: r.ActorID, Role: auth.RoleAdmin}
	if r.ActorID == 0 {
		actor = auth.System
	}
	at := now(ctx)
	var ids []int64
	err := s.DB.InTx(ctx, func(tx *store.Tx) error {
		lock := ""
		if tx.Engine == store.Postgres {
			lock = " FOR UPDATE"
		}
		// Tickets are locked in id order, as every other writer locks one
		// ticket at a time: no deadlock with a concurrent change.
		rows, err := tx.Query(ctx, `SELECT t.id FROM tickets t WHERE t.id IN (SELECT ticket_id FROM ticket_tags WHERE tag = $1 ORDER BY ticket_id LIMIT $2) ORDER BY t.id`+lock, r.From, limit)
		if err != nil {
			return fmt.Errorf("tickets tagged %s: %w", r.From, err)
		}
		ids = ids[:0]
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		if err := rows.Close(); err != nil {
			return fmt.Errorf("tickets tagged %s: %w", r.From, err)
		}
		has := map[int64]bool{}
		if r.To != "" && len(ids) > 0 {
			args := []any{r.To}
			for _, id := range ids {
				args = append(args, id)
			}
			rows, err := tx.Query(ctx, `SELECT ticket_id FROM ticket_tags WHERE tag = $1 AND ticket_id IN (`+placeholders(len(ids), 2)+`)`, args...)
			if err != nil {
				return fmt.Errorf("tickets tagged %s: %w", r.To, err)
			}
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return err
				}
				has[id] = true
			}
			if err := rows.Close(); err != nil {
				return fmt.Errorf("tickets tagged %s: %w", r.To, err)
			}
		}
		for _, id := range ids {
			rec := &recorder{ticketID: id, actor: actor, at: at}
			var add []string
			if r.To != "" && !has[id] {
				add = []string{r.To}
			}
			if err := writeTags(ctx, tx, id, add, []string{r.From}); err != nil {
				return err
			}
			rec.add(EventField, "tags", r.From, "", nil)
			if len(add) > 0 {
				rec.add(EventField, "tags", "", r.To, nil)
			}
			if err := rec.flush(ctx, tx, s); err != nil {
				return err
			}
		}
		if len(ids) < limit {
			_, err := tx.Exec(ctx, `DELETE FROM tags WHERE name = $1 AND NOT EXISTS (SELECT 1 FROM ticket_tags WHERE tag = $1)`, r.From)
			if err != nil {
				return fmt.Errorf("drop tag %s: %w", r.From, err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(ids), nil
}
