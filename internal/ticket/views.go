package ticket

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"tessera/internal/auth"
	"tessera/internal/people"
	"tessera/internal/store"
	"tessera/internal/validation"
)

// View is a named filter of the workspace. The built-in views are the
// queues every help desk starts with; agents add their own (saved views).
type View struct {
	Key    string // URL name: /views/{key}
	Label  string // message key of its name
	Filter Filter
}

// Unsolved are the status categories still needing work.
var Unsolved = []string{StatusNew, StatusOpen, StatusPending, StatusOnHold}

// BuiltinViews are the standard views for an agent, in sidebar order.
// Views of unsolved tickets show the next SLA due time first (issue 5):
// what is about to breach is what needs an answer now.
func BuiltinViews(actor auth.Actor) []View {
	me := actor.ID
	none := int64(0)
	teams := actor.TeamIDs
	if len(teams) == 0 {
		teams = []int64{-1} // no team: the view is empty, not "all"
	}
	due := func(f Filter) Filter {
		f.Sort, f.Ascending = "sla", true
		return f
	}
	return []View{
		{Key: "mine", Label: "view.mine", Filter: due(Filter{AssigneeID: &me, Status: Unsolved})},
		{Key: "unassigned", Label: "view.unassigned", Filter: due(Filter{AssigneeID: &none, Status: Unsolved})},
		{Key: "teams", Label: "view.teams", Filter: due(Filter{TeamIDs: teams, Status: Unsolved})},
		{Key: "open", Label: "view.open", Filter: due(Filter{Status: []string{StatusNew, StatusOpen}})},
		{Key: "pending", Label: "view.pending", Filter: due(Filter{Status: []string{StatusPending}})},
		{Key: "on_hold", Label: "view.on_hold", Filter: due(Filter{Status: []string{StatusOnHold}})},
		{Key: "solved", Label: "view.solved", Filter: Filter{Status: []string{StatusSolved}}},
	}
}

// BuiltinView returns the built-in view named key.
func BuiltinView(actor auth.Actor, key string) (View, bool) {
	for _, v := range BuiltinViews(actor) {
		if v.Key == key {
			return v, true
		}
	}
	return View{}, false
}

// ViewFilter is the filter of a saved view as stored (JSON in
// saved_views.filter). What depends on who looks stays symbolic ("me"), a
// requester is named by email and resolved when the view is shown, so a
// view saved before the customer first wrote still finds their tickets.
type ViewFilter struct {
	Status         []string `json:"status,omitempty"`
	Priority       []string `json:"priority,omitempty"`
	Assignee       string   `json:"assignee,omitempty"` // "", "me", "none" or an agent id
	Team           string   `json:"team,omitempty"`     // "", "none" or a team id
	Tags           []string `json:"tags,omitempty"`     // tickets with every one of them
	Channel        []string `json:"channel,omitempty"`
	Requester      string   `json:"requester,omitempty"` // an email address
	OrganizationID int64    `json:"organization_id,omitempty"`
	// Dates are days (YYYY-MM-DD) in the viewer's time zone, both ends
	// included.
	CreatedFrom string `json:"created_from,omitempty"`
	CreatedTo   string `json:"created_to,omitempty"`
	UpdatedFrom string `json:"updated_from,omitempty"`
	UpdatedTo   string `json:"updated_to,omitempty"`
	// Query is free text searched in subjects and messages; a view with a
	// query lists its matches best first (see Service.SearchIn).
	Query string `json:"q,omitempty"`
	Sort  string `json:"sort,omitempty"` // "" picks DefaultSort
	Dir   string `json:"dir,omitempty"`  // "asc", "desc" or "" (the sort's own)

	// Organization is the organization's name as a form shows and takes
	// it; saving resolves it to OrganizationID.
	Organization string `json:"-"`
}

// Limits of saved views.
const (
	maxViewName   = 80
	maxViewTags   = 10
	maxViewQuery  = 500
	maxOwnViews   = 100
	maxSharedView = 100
)

// SavedView is a view an agent saved for themselves, or an admin shared
// with everyone (AgentID nil).
type SavedView struct {
	ID        int64      `json:"id"`
	AgentID   *int64     `json:"agent_id"`
	Name      string     `json:"name"`
	Filter    ViewFilter `json:"filter"`
	Position  int        `json:"position"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
}

// Shared reports whether the view is everyone's.
func (v SavedView) Shared() bool { return v.AgentID == nil }

// CanManage reports whether actor may change or delete the view: an agent
// their own views, an admin the shared ones.
func (v SavedView) CanManage(actor auth.Actor) bool {
	if !actor.IsAgent() {
		return false
	}
	if v.AgentID == nil {
		return actor.IsAdmin()
	}
	return *v.AgentID == actor.ID
}

// SavedViewInput creates or changes a saved view.
type SavedViewInput struct {
	Name   string
	Shared bool
	Filter ViewFilter
}

const savedViewCols = `id, agent_id, name, filter, position, created_at, updated_at`

func scanSavedView(r store.Row) (SavedView, error) {
	var v SavedView
	var f string
	if err := r.Scan(&v.ID, &v.AgentID, &v.Name, &f, &v.Position, &v.CreatedAt, &v.UpdatedAt); err != nil {
		return v, err
	}
	if err := json.Unmarshal([]byte(f), &v.Filter); err != nil {
		return v, fmt.Errorf("filter of view %d: %w", v.ID, err)
	}
	return v, nil
}

// SavedViews lists the views an agent sees: the shared ones, then their
// own, each in position order.
func (s *Service) SavedViews(ctx context.Context, actor auth.Actor) ([]SavedView, error) {
	if !actor.IsAgent() {
		return nil, auth.Forbidden("only agents have views")
	}
	rows, err := s.DB.Read().Query(ctx, `SELECT `+savedViewCols+` FROM saved_views WHERE agent_id IS NULL OR agent_id = $1
		ORDER BY CASE WHEN agent_id IS NULL THEN 0 ELSE 1 END, position, id`, actor.ID)
	if err != nil {
		return nil, fmt.Errorf("saved views: %w", err)
	}
	defer rows.Close()
	out := []SavedView{}
	for rows.Next() {
		v, err := scanSavedView(rows)
		if err != nil {
			return nil, fmt.Errorf("saved views: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// SavedView returns one view the agent sees (shared or their own); any
// other is not found. The organization's name is filled in for forms.
func (s *Service) SavedView(ctx context.Context, actor auth.Actor, id int64) (SavedView, error) {
	if !actor.IsAgent() {
		return SavedView{}, auth.Forbidden("only agents have views")
	}
	v, err := scanSavedView(s.DB.Read().QueryRow(ctx, `SELECT `+savedViewCols+` FROM saved_views WHERE id = $1`, id))
	if err != nil {
		return SavedView{}, fmt.Errorf("view %d: %w", id, err)
	}
	if v.AgentID != nil && *v.AgentID != actor.ID {
		return SavedView{}, fmt.Errorf("view %d: %w", id, store.ErrNotFound)
	}
	if v.Filter.OrganizationID != 0 {
		err := s.DB.Read().QueryRow(ctx, `SELECT name FROM organizations WHERE id = $1`, v.Filter.OrganizationID).Scan(&v.Filter.Organization)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return SavedView{}, fmt.Errorf("view %d: %w", id, err)
		}
	}
	return v, nil
}

// CreateSavedView saves a view: the agent's own, or (admins only) a shared
// one.
func (s *Service) CreateSavedView(ctx context.Context, actor auth.Actor, in SavedViewInput) (SavedView, error) {
	if !actor.IsAgent() {
		return SavedView{}, auth.Forbidden("only agents have views")
	}
	if in.Shared && !actor.IsAdmin() {
		return SavedView{}, auth.Forbidden("only admins share views")
	}
	f, err := s.checkView(ctx, &in)
	if err != nil {
		return SavedView{}, err
	}
	var owner *int64
	if !in.Shared {
		id := actor.ID
		owner = &id
	}
	at := now(ctx)
	var v SavedView
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		var n, pos int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*), COALESCE(MAX(position), 0) FROM saved_views WHERE agent_id IS NOT DISTINCT FROM $1`, owner).Scan(&n, &pos); err != nil {
			return fmt.Errorf("saved views: %w", err)
		}
		if (owner != nil && n >= maxOwnViews) || (owner == nil && n >= maxSharedView) {
			return validation.Field("name", "at most %d views", maxOwnViews)
		}
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO saved_views (agent_id, name, filter, position, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING id`,
			owner, in.Name, f, pos+1, at).Scan(&id); err != nil {
			return fmt.Errorf("save view: %w", err)
		}
		v = SavedView{ID: id, AgentID: owner, Name: in.Name, Filter: in.Filter, Position: pos + 1, CreatedAt: at, UpdatedAt: at}
		if owner == nil {
			return auth.Audit(ctx, tx, actor, "view.create", "view:"+strconv.FormatInt(id, 10), in.Name)
		}
		return nil
	})
	return v, err
}

// UpdateSavedView changes a view's name and filter. Only an admin moves a
// view between shared and own.
func (s *Service) UpdateSavedView(ctx context.Context, actor auth.Actor, id int64, in SavedViewInput) (SavedView, error) {
	v, err := s.SavedView(ctx, actor, id)
	if err != nil {
		return SavedView{}, err
	}
	if !v.CanManage(actor) {
		return SavedView{}, auth.Forbidden("only admins change shared views")
	}
	if in.Shared != v.Shared() && !actor.IsAdmin() {
		return SavedView{}, auth.Forbidden("only admins share views")
	}
	f, err := s.checkView(ctx, &in)
	if err != nil {
		return SavedView{}, err
	}
	var owner *int64
	if !in.Shared {
		me := actor.ID
		owner = &me
	}
	at := now(ctx)
	err = s.DB.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE saved_views SET agent_id = $2, name = $3, filter = $4, updated_at = $5 WHERE id = $1`, id, owner, in.Name, f, at); err != nil {
			return fmt.Errorf("update view %d: %w", id, err)
		}
		if owner == nil || v.Shared() {
			return auth.Audit(ctx, tx, actor, "view.update", "view:"+strconv.FormatInt(id, 10), in.Name)
		}
		return nil
	})
	if err != nil {
		return SavedView{}, err
	}
	v.AgentID, v.Name, v.Filter, v.UpdatedAt = owner, in.Name, in.Filter, at
	return v, nil
}

// DeleteSavedView removes a view the actor manages.
func (s *Service) DeleteSavedView(ctx context.Context, actor auth.Actor, id int64) error {
	v, err := s.SavedView(ctx, actor, id)
	if err != nil {
		return err
	}
	if !v.CanManage(actor) {
		return auth.Forbidden("only admins delete shared views")
	}
	return s.DB.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM saved_views WHERE id = $1`, id); err != nil {
			return fmt.Errorf("delete view %d: %w", id, err)
		}
		if v.Shared() {
			return auth.Audit(ctx, tx, actor, "view.delete", "view:"+strconv.FormatInt(id, 10), v.Name)
		}
		return nil
	})
}

// checkView validates and normalises a view's input in place and returns
// the filter as stored. Field names are those of the view form.
func (s *Service) checkView(ctx context.Context, in *SavedViewInput) (string, error) {
	var c validation.Collector
	in.Name = strings.TrimSpace(in.Name)
	c.Text("name", in.Name, maxViewName, true)
	f := &in.Filter
	q := s.DB.Read()
	f.Status = dedupe(f.Status)
	for _, st := range f.Status {
		if !slices.Contains(Categories, st) {
			if _, err := statusCategory(ctx, q, st); err != nil {
				if _, ok := validation.As(err); !ok {
					return "", err
				}
				c.Add("status", "%q is not a status", st)
			}
		}
	}
	f.Priority = dedupe(f.Priority)
	for _, p := range f.Priority {
		if !slices.Contains(Priorities, p) {
			c.Add("priority", "must be one of %s", strings.Join(Priorities, ", "))
			break
		}
	}
	f.Channel = dedupe(f.Channel)
	for _, ch := range f.Channel {
		if !slices.Contains(Channels, ch) {
			c.Add("channel", "must be one of %s", strings.Join(Channels, ", "))
			break
		}
	}
	switch f.Assignee {
	case "", "me", "none":
	default:
		id, err := strconv.ParseInt(f.Assignee, 10, 64)
		if err != nil || id <= 0 {
			c.Add("assignee", "must be me, none or an agent")
		} else if err := exists(ctx, q, `SELECT 1 FROM agents WHERE id = $1`, id); errors.Is(err, store.ErrNotFound) {
			c.Add("assignee", "agent %d does not exist", id)
		} else if err != nil {
			return "", err
		}
	}
	switch f.Team {
	case "", "none":
	default:
		id, err := strconv.ParseInt(f.Team, 10, 64)
		if err != nil || id <= 0 {
			c.Add("team", "must be none or a team")
		} else if err := exists(ctx, q, `SELECT 1 FROM teams WHERE id = $1`, id); errors.Is(err, store.ErrNotFound) {
			c.Add("team", "team %d does not exist", id)
		} else if err != nil {
			return "", err
		}
	}
	if tags, err := NormalizeTags(f.Tags); err != nil {
		c.Merge("tags", err)
	} else if len(tags) > maxViewTags {
		c.Add("tags", "at most %d tags", maxViewTags)
	} else {
		f.Tags = tags
	}
	if f.Requester = strings.TrimSpace(f.Requester); f.Requester != "" {
		if e, ok := people.NormalizeEmail(f.Requester); ok {
			f.Requester = e
		} else {
			c.Add("requester", "must be an email address")
		}
	}
	if f.Organization = strings.TrimSpace(f.Organization); f.Organization != "" {
		err := q.QueryRow(ctx, `SELECT id FROM organizations WHERE lower(name) = lower($1)`, f.Organization).Scan(&f.OrganizationID)
		if errors.Is(err, store.ErrNotFound) {
			c.Add("organization", "no organization is called %q", f.Organization)
		} else if err != nil {
			return "", fmt.Errorf("organization: %w", err)
		}
	} else {
		f.OrganizationID = 0
	}
	dates := []struct {
		name string
		v    *string
	}{{"created_from", &f.CreatedFrom}, {"created_to", &f.CreatedTo}, {"updated_from", &f.UpdatedFrom}, {"updated_to", &f.UpdatedTo}}
	parsed := map[string]time.Time{}
	for _, d := range dates {
		*d.v = strings.TrimSpace(*d.v)
		if *d.v == "" {
			continue
		}
		t, err := time.Parse(time.DateOnly, *d.v)
		if err != nil {
			c.Add(d.name, "must be a date (YYYY-MM-DD)")
			continue
		}
		parsed[d.name] = t
	}
	for _, p := range [][2]string{{"created_from", "created_to"}, {"updated_from", "updated_to"}} {
		from, ok1 := parsed[p[0]]
		to, ok2 := parsed[p[1]]
		if ok1 && ok2 && to.Before(from) {
			c.Add(p[1], "must not be before the start")
		}
	}
	f.Query = strings.TrimSpace(f.Query)
	c.Text("q", f.Query, maxViewQuery, false)
	if f.Sort != "" && !slices.Contains(Sorts, f.Sort) {
		c.Add("sort", "must be one of %s", strings.Join(Sorts, ", "))
	}
	if f.Dir != "" && f.Dir != "asc" && f.Dir != "desc" {
		c.Add("dir", "must be asc or desc")
	}
	if err := c.Err(); err != nil {
		return "", err
	}
	b, err := json.Marshal(f)
	if err != nil {
		return "", fmt.Errorf("view filter: %w", err)
	}
	return string(b), nil
}

func exists(ctx context.Context, q store.Querier, query string, args ...any) error {
	var one int
	return q.QueryRow(ctx, query, args...).Scan(&one)
}

func dedupe(list []string) []string {
	var out []string
	for _, v := range list {
		if v = strings.TrimSpace(v); v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// DefaultSort is the order of a list unless the viewer picks another: the
// next SLA due time, soonest first, when every status it shows is
// unsolved (issue 5); the latest change first otherwise.
func (s *Service) DefaultSort(ctx context.Context, status []string) (sort string, ascending bool) {
	if len(status) == 0 {
		return "updated", false
	}
	for _, st := range status {
		cat := st
		if !slices.Contains(Categories, st) {
			c, err := statusCategory(ctx, s.DB.Read(), st)
			if err != nil {
				return "updated", false
			}
			cat = c
		}
		if !slices.Contains(Unsolved, cat) {
			return "updated", false
		}
	}
	return "sla", true
}

// DefaultAscending is the direction a sort has when none is asked for:
// the soonest due time first, the most recent or most pressing first
// otherwise.
func DefaultAscending(sort string) bool { return sort == "sla" }

// FilterOf turns a saved view's filter into a list filter for actor, with
// days read in loc. The text query is returned apart: it is searched, not
// filtered (see SearchIn).
func (s *Service) FilterOf(ctx context.Context, actor auth.Actor, vf ViewFilter, loc *time.Location) (Filter, string, error) {
	if loc == nil {
		loc = time.UTC
	}
	f := Filter{Status: vf.Status, Priority: vf.Priority, Channel: vf.Channel, Tags: vf.Tags, OrganizationID: vf.OrganizationID}
	switch vf.Assignee {
	case "":
	case "me":
		id := actor.ID
		f.AssigneeID = &id
	case "none":
		none := int64(0)
		f.AssigneeID = &none
	default:
		id, err := strconv.ParseInt(vf.Assignee, 10, 64)
		if err != nil {
			return Filter{}, "", validation.Field("assignee", "must be me, none or an agent")
		}
		f.AssigneeID = &id
	}
	switch vf.Team {
	case "":
	case "none":
		none := int64(0)
		f.TeamID = &none
	default:
		id, err := strconv.ParseInt(vf.Team, 10, 64)
		if err != nil {
			return Filter{}, "", validation.Field("team", "must be none or a team")
		}
		f.TeamID = &id
	}
	if vf.Requester != "" {
		err := s.DB.Read().QueryRow(ctx, `SELECT contact_id FROM contact_identities WHERE kind = 'email' AND value = $1`, vf.Requester).Scan(&f.RequesterID)
		if errors.Is(err, store.ErrNotFound) {
			f.RequesterID = -1 // nobody by that address yet: no tickets
		} else if err != nil {
			return Filter{}, "", fmt.Errorf("requester: %w", err)
		}
	}
	day := func(name, v string, next bool) (*time.Time, error) {
		if v == "" {
			return nil, nil
		}
		t, err := time.ParseInLocation(time.DateOnly, v, loc)
		if err != nil {
			return nil, validation.Field(name, "must be a date (YYYY-MM-DD)")
		}
		if next { // the end day is included: before the next midnight
			t = t.AddDate(0, 0, 1)
		}
		return &t, nil
	}
	var err error
	for _, d := range []struct {
		name, v string
		next    bool
		dst     **time.Time
	}{{"created_from", vf.CreatedFrom, false, &f.CreatedFrom}, {"created_to", vf.CreatedTo, true, &f.CreatedTo},
		{"updated_from", vf.UpdatedFrom, false, &f.UpdatedFrom}, {"updated_to", vf.UpdatedTo, true, &f.UpdatedTo}} {
		if *d.dst, err = day(d.name, d.v, d.next); err != nil {
			return Filter{}, "", err
		}
	}
	if vf.Sort != "" {
		f.Sort, f.Ascending = vf.Sort, DefaultAscending(vf.Sort)
	} else {
		f.Sort, f.Ascending = s.DefaultSort(ctx, f.Status)
	}
	switch vf.Dir {
	case "asc":
		f.Ascending = true
	case "desc":
		f.Ascending = false
	}
	return f, vf.Query, nil
}
