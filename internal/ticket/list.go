package ticket

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"tessera/internal/auth"
	"tessera/internal/search"
	"tessera/internal/validation"
)

// Filter selects tickets for a list (a view). Status values may be
// categories (open matches every status in the open category) or custom
// status keys.
type Filter struct {
	Status         []string
	Priority       []string
	AssigneeID     *int64 // 0 means unassigned
	TeamID         *int64 // 0 means no team
	TeamIDs        []int64
	Channel        []string
	Tag            string
	RequesterID    int64
	OrganizationID int64
	CreatedFrom    *time.Time
	CreatedTo      *time.Time
	UpdatedFrom    *time.Time
	UpdatedTo      *time.Time
	Sort           string // "updated" (default) or "created"
	Ascending      bool
	Cursor         string
	Limit          int
}

// Page is one page of a list; NextCursor is empty on the last page.
type Page struct {
	Items      []Ticket `json:"items"`
	NextCursor string   `json:"next_cursor"`
}

// cursor is the sort key of the last row of a page.
type cursor struct {
	at time.Time
	id int64
}

func (c cursor) encode() string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(c.at.UnixMicro(), 10) + "." + strconv.FormatInt(c.id, 10)))
}

func decodeCursor(s string) (cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return cursor{}, validation.Field("cursor", "is not a cursor from this API")
	}
	a, bs, ok := strings.Cut(string(b), ".")
	us, err1 := strconv.ParseInt(a, 10, 64)
	id, err2 := strconv.ParseInt(bs, 10, 64)
	if !ok || err1 != nil || err2 != nil {
		return cursor{}, validation.Field("cursor", "is not a cursor from this API")
	}
	return cursor{at: time.UnixMicro(us).UTC(), id: id}, nil
}

// List returns a page of the tickets the actor may see that match f,
// ordered by (updated_at or created_at, id) and paged by keyset: each page
// costs the same however deep it is, and nothing counts every row.
func (s *Service) List(ctx context.Context, actor auth.Actor, f Filter) (Page, error) {
	if f.Limit <= 0 {
		f.Limit = 25
	}
	if f.Limit > 100 {
		return Page{}, validation.Field("limit", "must be at most 100")
	}
	sortCol := "t.updated_at"
	switch f.Sort {
	case "", "updated":
	case "created":
		sortCol = "t.created_at"
	default:
		return Page{}, validation.Field("sort", "must be updated or created")
	}
	where, args, err := s.filterWhere(ctx, actor, f)
	if err != nil {
		return Page{}, err
	}
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	dir, cmp := "DESC", "<"
	if f.Ascending {
		dir, cmp = "ASC", ">"
	}
	if f.Cursor != "" {
		c, err := decodeCursor(f.Cursor)
		if err != nil {
			return Page{}, err
		}
		where = append(where, fmt.Sprintf("(%s, t.id) %s (%s, %s)", sortCol, cmp, arg(c.at), arg(c.id)))
	}
	q := `SELECT ` + ticketCols + ` FROM tickets t`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += fmt.Sprintf(" ORDER BY %s %s, t.id %s LIMIT %s", sortCol, dir, dir, arg(f.Limit+1))
	rows, err := s.DB.Read().Query(ctx, q, args...)
	if err != nil {
		return Page{}, fmt.Errorf("list tickets: %w", err)
	}
	items := make([]Ticket, 0, f.Limit+1)
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			rows.Close()
			return Page{}, fmt.Errorf("list tickets: %w", err)
		}
		items = append(items, t)
	}
	if err := rows.Close(); err != nil {
		return Page{}, fmt.Errorf("list tickets: %w", err)
	}
	page := Page{Items: items}
	if len(items) > f.Limit {
		page.Items = items[:f.Limit]
		last := page.Items[f.Limit-1]
		at := last.UpdatedAt
		if sortCol == "t.created_at" {
			at = last.CreatedAt
		}
		page.NextCursor = cursor{at: at, id: last.ID}.encode()
	}
	if err := s.loadTags(ctx, page.Items); err != nil {
		return Page{}, err
	}
	if err := s.loadSLA(ctx, page.Items); err != nil {
		return Page{}, err
	}
	return page, s.decorate(ctx, page.Items)
}

// filterWhere turns a filter, and what the actor may see, into SQL
// conditions and their arguments.
func (s *Service) filterWhere(ctx context.Context, actor auth.Actor, f Filter) ([]string, []any, error) {
	if !actor.IsAgent() && actor.Kind != auth.KindSystem && actor.Kind != auth.KindContact {
		return nil, nil, auth.Forbidden("not allowed to list tickets")
	}
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if len(f.Status) > 0 {
		var cats, keys []string
		for _, st := range f.Status {
			if slices.Contains(Categories, st) {
				cats = append(cats, arg(st))
				continue
			}
			if _, err := statusCategory(ctx, s.DB.Read(), st); err != nil {
				return nil, nil, err // names the field "status"
			}
			keys = append(keys, arg(st))
		}
		var ors []string
		if len(cats) > 0 {
			ors = append(ors, "t.status_category IN ("+strings.Join(cats, ", ")+")")
		}
		if len(keys) > 0 {
			ors = append(ors, "t.status IN ("+strings.Join(keys, ", ")+")")
		}
		where = append(where, "("+strings.Join(ors, " OR ")+")")
	}
	if len(f.Priority) > 0 {
		var ps []string
		for _, p := range f.Priority {
			if !slices.Contains(Priorities, p) {
				return nil, nil, validation.Field("priority", "must be one of %s", strings.Join(Priorities, ", "))
			}
			ps = append(ps, arg(p))
		}
		where = append(where, "t.priority IN ("+strings.Join(ps, ", ")+")")
	}
	if f.AssigneeID != nil {
		if *f.AssigneeID == 0 {
			where = append(where, "t.assignee_id IS NULL")
		} else {
			where = append(where, "t.assignee_id = "+arg(*f.AssigneeID))
		}
	}
	if len(f.TeamIDs) > 0 {
		ids := make([]string, len(f.TeamIDs))
		for i, id := range f.TeamIDs {
			ids[i] = arg(id)
		}
		where = append(where, "t.team_id IN ("+strings.Join(ids, ", ")+")")
	}
	if len(f.Channel) > 0 {
		cs := make([]string, len(f.Channel))
		for i, c := range f.Channel {
			cs[i] = arg(c)
		}
		where = append(where, "t.channel IN ("+strings.Join(cs, ", ")+")")
	}
	if f.TeamID != nil {
		if *f.TeamID == 0 {
			where = append(where, "t.team_id IS NULL")
		} else {
			where = append(where, "t.team_id = "+arg(*f.TeamID))
		}
	}
	if f.Tag != "" {
		where = append(where, "t.id IN (SELECT ticket_id FROM ticket_tags WHERE tag = "+arg(strings.ToLower(f.Tag))+")")
	}
	if f.RequesterID != 0 {
		where = append(where, "t.requester_id = "+arg(f.RequesterID))
	}
	if f.OrganizationID != 0 {
		where = append(where, "t.organization_id = "+arg(f.OrganizationID))
	}
	if f.CreatedFrom != nil {
		where = append(where, "t.created_at >= "+arg(f.CreatedFrom.UTC()))
	}
	if f.CreatedTo != nil {
		where = append(where, "t.created_at < "+arg(f.CreatedTo.UTC()))
	}
	if f.UpdatedFrom != nil {
		where = append(where, "t.updated_at >= "+arg(f.UpdatedFrom.UTC()))
	}
	if f.UpdatedTo != nil {
		where = append(where, "t.updated_at < "+arg(f.UpdatedTo.UTC()))
	}
	switch {
	case actor.Kind == auth.KindContact && actor.OrgID != 0:
		where = append(where, "(t.requester_id = "+arg(actor.ID)+" OR t.organization_id = "+arg(actor.OrgID)+")")
	case actor.Kind == auth.KindContact:
		where = append(where, "t.requester_id = "+arg(actor.ID))
	case !actor.SeesAllTickets():
		cond := []string{"t.assignee_id = " + arg(actor.ID)}
		for _, id := range actor.TeamIDs {
			cond = append(cond, "t.team_id = "+arg(id))
		}
		where = append(where, "("+strings.Join(cond, " OR ")+")")
	}
	return where, args, nil
}

// Count counts the tickets of a filter up to max: a sidebar shows "999+"
// rather than pay for counting a million rows on every page.
func (s *Service) Count(ctx context.Context, actor auth.Actor, f Filter, max int) (int, error) {
	where, args, err := s.filterWhere(ctx, actor, f)
	if err != nil {
		return 0, err
	}
	q := `SELECT 1 FROM tickets t`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	args = append(args, max)
	var n int
	err = s.DB.Read().QueryRow(ctx, fmt.Sprintf(`SELECT count(*) FROM (%s LIMIT $%d) c`, q, len(args)), args...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count tickets: %w", err)
	}
	return n, nil
}

func placeholders(n, from int) string {
	ph := make([]string, n)
	for i := range ph {
		ph[i] = fmt.Sprintf("$%d", from+i)
	}
	return strings.Join(ph, ", ")
}

func (s *Service) loadTags(ctx context.Context, ts []Ticket) error {
	if len(ts) == 0 {
		return nil
	}
	args := make([]any, len(ts))
	idx := map[int64]int{}
	for i, t := range ts {
		args[i] = t.ID
		idx[t.ID] = i
	}
	rows, err := s.DB.Read().Query(ctx, `SELECT ticket_id, tag FROM ticket_tags WHERE ticket_id IN (`+placeholders(len(ts), 1)+`) ORDER BY tag`, args...)
	if err != nil {
		return fmt.Errorf("tags: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var tag string
		if err := rows.Scan(&id, &tag); err != nil {
			return fmt.Errorf("tags: %w", err)
		}
		ts[idx[id]].Tags = append(ts[idx[id]].Tags, tag)
	}
	return rows.Err()
}

// decorate fills in the requester of each ticket with two queries in all.
func (s *Service) decorate(ctx context.Context, ts []Ticket) error {
	if len(ts) == 0 {
		return nil
	}
	seen := map[int64]*Person{}
	var args []any
	for _, t := range ts {
		if _, ok := seen[t.RequesterID]; !ok {
			seen[t.RequesterID] = &Person{ID: t.RequesterID}
			args = append(args, t.RequesterID)
		}
	}
	rows, err := s.DB.Read().Query(ctx, `SELECT c.id, c.name, COALESCE((SELECT i.value FROM contact_identities i WHERE i.contact_id = c.id AND i.kind = 'email'
		ORDER BY i.is_primary DESC, i.id LIMIT 1), '') FROM contacts c WHERE c.id IN (`+placeholders(len(args), 1)+`)`, args...)
	if err != nil {
		return fmt.Errorf("requesters: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p Person
		if err := rows.Scan(&p.ID, &p.Name, &p.Email); err != nil {
			return fmt.Errorf("requesters: %w", err)
		}
		*seen[p.ID] = p
	}
	for i := range ts {
		ts[i].Requester = seen[ts[i].RequesterID]
	}
	return rows.Err()
}

// Hit is one search result.
type Hit struct {
	Ticket  Ticket `json:"ticket"`
	Subject string `json:"subject_highlight"`
	Excerpt string `json:"excerpt"`
}

// SearchResult is one page of search hits.
type SearchResult struct {
	Items      []Hit  `json:"items"`
	NextCursor string `json:"next_cursor"`
}

// Search finds tickets by the words of their subject and messages, best
// first, with highlighted excerpts. "#1042" or "1042" also finds the ticket
// with that number. Only agents search; scope follows ticket access.
func (s *Service) Search(ctx context.Context, actor auth.Actor, q string, cursorStr string, limit int) (SearchResult, error) {
	if !actor.IsAgent() && actor.Kind != auth.KindSystem {
		return SearchResult{}, auth.Forbidden("only agents search tickets")
	}
	if strings.TrimSpace(q) == "" {
		return SearchResult{}, validation.Field("q", "must not be empty")
	}
	if len(q) > 500 {
		return SearchResult{}, validation.Field("q", "must be at most 500 characters")
	}
	if limit <= 0 {
		limit = 20
	}
	if limit > 50 {
		return SearchResult{}, validation.Field("limit", "must be at most 50")
	}
	offset := 0
	if cursorStr != "" {
		b, err := base64.RawURLEncoding.DecodeString(cursorStr)
		n, err2 := strconv.Atoi(strings.TrimPrefix(string(b), "o"))
		if err != nil || err2 != nil || n < 0 || n > 1000 {
			return SearchResult{}, validation.Field("cursor", "is not a cursor from this API")
		}
		offset = n
	}
	query := search.Parse(q)
	scope := search.Scope{Restricted: !actor.SeesAllTickets(), AgentID: actor.ID, TeamIDs: actor.TeamIDs}
	var ids []int64
	if offset == 0 {
		if n, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(q), "#"), 10, 64); err == nil {
			if t, err := s.ByNumber(ctx, actor, n); err == nil {
				ids = append(ids, t.ID)
			}
		}
	}
	found, err := search.Tickets(ctx, s.DB, query, scope, offset, limit+1)
	if err != nil {
		return SearchResult{}, err
	}
	res := SearchResult{Items: []Hit{}}
	if len(found) > limit {
		found = found[:limit]
		if offset+limit <= 1000 {
			res.NextCursor = base64.RawURLEncoding.EncodeToString([]byte("o" + strconv.Itoa(offset+limit)))
		}
	}
	for _, id := range found {
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return res, nil
	}
	tickets, err := s.byIDs(ctx, ids)
	if err != nil {
		return SearchResult{}, err
	}
	excerpts, err := s.excerpts(ctx, ids, query)
	if err != nil {
		return SearchResult{}, err
	}
	for _, t := range tickets {
		subj, _ := search.Highlight(t.Subject, query, 0)
		res.Items = append(res.Items, Hit{Ticket: t, Subject: subj, Excerpt: excerpts[t.ID]})
	}
	return res, nil
}

// byIDs loads tickets in the order of ids.
func (s *Service) byIDs(ctx context.Context, ids []int64) ([]Ticket, error) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := s.DB.Read().Query(ctx, `SELECT `+ticketCols+` FROM tickets t WHERE t.id IN (`+placeholders(len(ids), 1)+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("tickets: %w", err)
	}
	byID := map[int64]Ticket{}
	for rows.Next() {
		t, err := scanTicket(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		byID[t.ID] = t
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	out := make([]Ticket, 0, len(ids))
	for _, id := range ids {
		if t, ok := byID[id]; ok {
			out = append(out, t)
		}
	}
	if err := s.loadTags(ctx, out); err != nil {
		return nil, err
	}
	return out, s.decorate(ctx, out)
}

// excerpts finds, for each ticket, the newest message that contains the
// words searched for and returns a highlighted excerpt of it.
func (s *Service) excerpts(ctx context.Context, ids []int64, q search.Query) (map[int64]string, error) {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := s.DB.Read().Query(ctx, `SELECT ticket_id, body_text FROM messages WHERE ticket_id IN (`+placeholders(len(ids), 1)+`) ORDER BY id DESC`, args...)
	if err != nil {
		return nil, fmt.Errorf("excerpts: %w", err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var body string
		if err := rows.Scan(&id, &body); err != nil {
			return nil, err
		}
		if _, done := out[id]; done {
			continue
		}
		if h, ok := search.Highlight(body, q, 24); ok {
			out[id] = h
		}
	}
	return out, rows.Err()
}
